/* Must not compile: core depends on no library but zlib (core/gzip.c). */
#include <jansson.h>
