/* range.h — the Range request header (RFC 9110 §14) for files served whole or in part.
 *
 * One range is honoured; several are answered with the whole file (a 200, which §14.2 allows:
 * a server MAY ignore Range), so no multipart body is ever built. A header that does not parse
 * (another unit, bytes=abc, bytes=5-2) is ignored the same way, as §14.2 says of an invalid one. */
#ifndef TESELAS_HTTP_RANGE_H
#define TESELAS_HTTP_RANGE_H

#include <stdint.h>

typedef enum http_range_kind {
  HTTP_RANGE_WHOLE,         /* no Range, or one to ignore: 200 with the whole file */
  HTTP_RANGE_PART,          /* one satisfiable range: 206 with [offset, offset+len) */
  HTTP_RANGE_UNSATISFIABLE  /* 416 with Content-Range: bytes * / size */
} http_range_kind;

/* Reads the Range header value (NULL or "" when absent) for a file of size bytes; *out_offset
 * and *out_len are set for HTTP_RANGE_PART. Numbers of any length are read without overflow. */
http_range_kind http_range_parse(const char *header, uint64_t size, uint64_t *out_offset,
                                 uint64_t *out_len);

#endif
