/* Must not compile: a module's internals (*_int.h) are its own, even for modules above it. */
#include "store/store_int.h"
