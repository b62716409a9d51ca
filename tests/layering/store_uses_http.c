/* Must not compile: nothing below http knows HTTP. */
#include "http/http.h"
