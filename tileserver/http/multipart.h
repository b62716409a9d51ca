/* multipart.h — a streaming reader of multipart/form-data request bodies (RFC 7578 over
 * RFC 2046 §5.1), for uploads: the body arrives in pieces of any size and each part's bytes are
 * handed on as they arrive, so nothing of the body is kept beyond a look-behind of the
 * delimiter's length ("\r\n--" and the boundary, at most 74 bytes) and one part's header block.
 *
 * Usage:
 *   mp_parser *p = mp_create(content_type_header, &callbacks, ctx, &e);
 *   for each piece of the body: mp_feed(p, piece, len, &e)  (stop at the first error)
 *   mp_finish(p, &e);   (ERR_OK only when the close delimiter was seen)
 *   mp_destroy(p);
 *
 * Callbacks, in order for each part: part_begin once, part_data zero or more times (never with
 * len 0; how the data is cut into calls depends on how the body was cut, the bytes do not),
 * part_end once. The strings given to part_begin are the parser's, valid during the call:
 * name as sent (may be ""), filename "" when the part has none, content_type "" when absent
 * (else the header's value, parameters included). A callback returning false stops the parser:
 * mp_feed returns ERR_INVALID with "stopped".
 *
 * What is read: the preamble before the first delimiter and the epilogue after the close
 * delimiter are ignored; the first delimiter may start the body without its CRLF; spaces and tabs
 * after a delimiter (transport padding) are skipped. A part's header lines end in CRLF (folded
 * lines are unfolded); Content-Disposition must be `form-data` with a `name`, its values quoted
 * (`\"` and `\\` escaped) or bare; `filename*` and other headers are ignored.
 *
 * Errors (sticky: every later mp_feed and mp_finish returns the first one): ERR_INVALID for a
 * body that breaks a rule, with a short message naming the rule (never the client's bytes);
 * ERR_LIMIT past MP_MAX_HEADER_BYTES in one part's header block or MP_MAX_PARTS parts;
 * ERR_NOMEM. */
#ifndef TESELAS_HTTP_MULTIPART_H
#define TESELAS_HTTP_MULTIPART_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

enum {
  MP_MAX_BOUNDARY = 70,       /* RFC 2046 §5.1.1 */
  MP_MAX_HEADER_BYTES = 8192, /* one part's header lines and the blank line that ends them */
  MP_MAX_PARTS = 256
};

typedef struct mp_parser mp_parser;

typedef struct mp_callbacks {
  bool (*part_begin)(void *ctx, const char *name, const char *filename, const char *content_type);
  bool (*part_data)(void *ctx, const char *data, size_t len);
  bool (*part_end)(void *ctx);
} mp_callbacks;

/* A parser for a body whose Content-Type header is content_type: `multipart/form-data` with a
 * `boundary` parameter of 1–70 characters of RFC 2046's bchars (quoted, or bare when it has no
 * space), not ending in a space. cb is copied; ctx is passed to each callback. NULL with e set
 * when the type is anything else (ERR_INVALID) or on ERR_NOMEM. Caller owns: mp_destroy. */
mp_parser *mp_create(const char *content_type, const mp_callbacks *cb, void *ctx, err *e);

/* The next len bytes of the body. Any split of a body gives the same callbacks. */
err_code mp_feed(mp_parser *p, const char *data, size_t len, err *e);

/* The body is complete: ERR_INVALID unless the close delimiter was seen (or the first error). */
err_code mp_finish(mp_parser *p, err *e);

/* NULL is fine. */
void mp_destroy(mp_parser *p);

#endif
