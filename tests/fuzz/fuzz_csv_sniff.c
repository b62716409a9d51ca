/* fuzz_csv_sniff.c — libFuzzer target for the CSV sniffer (importers/csv_prepare.c: encoding,
 * separator, line count, header names and coordinates as text), over the input written to a
 * private .csv file, as an upload leaves it. Checks: the file is read as UTF-8 exactly when all of
 * it is valid UTF-8 (utf8_valid), and otherwise converted into a file that is; the separator is
 * one of , ; TAB |; the data lines are the newlines less the header's; a normalised header name
 * holds only [a-z0-9]; utf8_sanitize leaves valid UTF-8; a coordinate that reads is finite. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "importers/import.h"
#include "importers/source_int.h"

/* The whole of a file, or NULL (caller frees). */
static char *slurp(const char *path, size_t *out_len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 1 << 16, n = 0;
  char *s = malloc(cap);
  for (size_t got; s && (got = fread(s + n, 1, cap - n, f)) > 0;) {
    n += got;
    if (n == cap) {
      char *t = realloc(s, cap *= 2);
      if (!t) free(s);
      s = t;
    }
  }
  fclose(f);
  *out_len = n;
  return s;
}

static void sniff(const char *path, const uint8_t *data, size_t size, const char *encoding) {
  import_options opt = {.encoding = encoding};
  csv_info info;
  err e = {0};
  if (csv_prepare(path, &opt, &info, &e) != ERR_OK) abort();
  if (!strchr(",;\t|", info.separator) || !info.separator) abort();
  int64_t newlines = 0;
  for (size_t i = 0; i < size; i++) newlines += data[i] == '\n';
  if (info.n_lines != (newlines > 0 ? newlines - 1 : 0)) abort();
  bool utf8 = strcmp(info.encoding, "UTF-8") == 0;
  if (!encoding && utf8 != utf8_valid((const char *)data, size, NULL)) abort();
  if (info.temp_path[0]) {
    size_t n = 0;
    char *converted = slurp(info.temp_path, &n);
    if (!converted || !utf8_valid(converted, n, NULL)) abort();
    free(converted);
    unlink(info.temp_path);
  } else if (!utf8) {
    abort(); /* another encoding, and nothing converted */
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 256 * 1024) return 0;
  const char *tmpdir = getenv("TMPDIR");
  char path[512];
  snprintf(path, sizeof path, "%s/teselas-fuzz-XXXXXX.csv", tmpdir && *tmpdir ? tmpdir : "/tmp");
  int fd = mkstemps(path, 4);
  if (fd < 0) return 0;
  bool written = write(fd, data, size) == (ssize_t)size;
  close(fd);
  if (written) {
    sniff(path, data, size, NULL);
    sniff(path, data, size, "latin1");
  }
  unlink(path);

  char *text = malloc(size + 1), norm[256];
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  csv_header_normalize(text, norm, sizeof norm);
  for (const char *p = norm; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))) abort();
  double d;
  for (int comma = 0; comma < 2; comma++)
    if (import_parse_double(text, comma, &d) && !isfinite(d)) abort();
  utf8_sanitize(text);
  if (!utf8_valid(text, strlen(text), NULL)) abort();
  free(text);
  return 0;
}
