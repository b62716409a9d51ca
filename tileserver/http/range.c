/* range.c — one byte range out of a Range header (range.h). */
#include "http/range.h"

#include <stdbool.h>
#include <stddef.h>
#include <strings.h>

/* Digits at *p as a number, saturating at UINT64_MAX (a position past any file); false when
 * there is no digit. */
static bool read_number(const char **p, uint64_t *out) {
  const char *s = *p;
  uint64_t v = 0;
  while (*s >= '0' && *s <= '9') {
    unsigned d = (unsigned)(*s - '0');
    v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
    s++;
  }
  if (s == *p) return false;
  *p = s;
  *out = v;
  return true;
}

static void skip_ows(const char **p) {
  while (**p == ' ' || **p == '\t') (*p)++;
}

http_range_kind http_range_parse(const char *header, uint64_t size, uint64_t *out_offset,
                                 uint64_t *out_len) {
  if (!header || strncasecmp(header, "bytes=", 6) != 0) return HTTP_RANGE_WHOLE;
  const char *p = header + 6;
  skip_ows(&p);
  uint64_t first = 0, last = UINT64_MAX;
  bool suffix = *p == '-';
  if (suffix) {
    p++;
    if (!read_number(&p, &last)) return HTTP_RANGE_WHOLE;
  } else {
    if (!read_number(&p, &first) || *p++ != '-') return HTTP_RANGE_WHOLE;
    if (*p >= '0' && *p <= '9') {
      read_number(&p, &last);
      if (last < first) return HTTP_RANGE_WHOLE; /* invalid: §14.1.1 */
    }
  }
  skip_ows(&p);
  if (*p != '\0') return HTTP_RANGE_WHOLE; /* several ranges, or bytes that do not parse */
  if (suffix) {
    if (last == 0 || size == 0) return HTTP_RANGE_UNSATISFIABLE;
    *out_len = last < size ? last : size;
    *out_offset = size - *out_len;
    return HTTP_RANGE_PART;
  }
  if (first >= size) return HTTP_RANGE_UNSATISFIABLE;
  if (last >= size) last = size - 1;
  *out_offset = first;
  *out_len = last - first + 1;
  return HTTP_RANGE_PART;
}
