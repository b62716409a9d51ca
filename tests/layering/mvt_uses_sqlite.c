/* Must not compile: the encoders know no database (only store links SQLite). */
#include <sqlite3.h>
