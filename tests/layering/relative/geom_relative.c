/* Must be refused: a relative include reaches store from geom past the include roots. */
#include "../../../tileserver/store/store.h"
