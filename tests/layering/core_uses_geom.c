/* Must not compile: core depends on no other module. */
#include "geom/geom.h"
