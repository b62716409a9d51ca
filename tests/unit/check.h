/* check.h — what every unit test includes: cmocka and a few helpers. */
#ifndef TESELAS_TESTS_CHECK_H
#define TESELAS_TESTS_CHECK_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <unistd.h>

/* A fresh path in a new temporary directory; the directory stays for inspection on failure. */
static inline void check_tmp_path(const char *name, char *out, size_t out_len) {
  char dir[] = "/tmp/teselas-test-XXXXXX";
  if (!mkdtemp(dir)) abort();
  snprintf(out, out_len, "%s/%s", dir, name);
}

#endif
