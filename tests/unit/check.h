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

/* A fresh path in a new temporary directory. The directory stays for inspection; ctest puts it
 * under the build tree (TESELAS_TEST_TMP), so a run leaves nothing in /tmp. */
static inline void check_tmp_path(const char *name, char *out, size_t out_len) {
  const char *root = getenv("TESELAS_TEST_TMP");
  char dir[128];
  if (!root || !*root || strlen(root) > 96) root = "/tmp"; /* callers' paths hold 256 bytes */
  snprintf(dir, sizeof dir, "%s/teselas-test-XXXXXX", root);
  if (!mkdtemp(dir)) abort();
  snprintf(out, out_len, "%s/%s", dir, name);
}

#endif
