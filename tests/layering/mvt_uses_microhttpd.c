/* Must not compile: the encoders know no HTTP (only http links libmicrohttpd). */
#include <microhttpd.h>
