/* Must not compile: geometry knows no SQL (geom may use core only). */
#include "store/store.h"
