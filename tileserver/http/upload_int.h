/* upload_int.h — an upload's body streamed to a private file as it arrives (upload.c): the raw
 * body, or the first file part of a multipart/form-data body (http/multipart.h parses it piece
 * by piece). Bounded: past max_bytes the request is answered 413 at once and the rest of the body
 * is not taken (a chunked body declares no length, so this is where an endless one stops; the
 * engine discards what follows within its own bounds, then closes).
 * Nothing of the body is kept in memory beyond one chunk. */
#ifndef TESELAS_HTTP_UPLOAD_INT_H
#define TESELAS_HTTP_UPLOAD_INT_H

#include <stdint.h>

#include "http/http.h"

typedef struct http_sink http_sink;

/* A new private directory (mode 0700, under $TMPDIR or /tmp) and the file of the body, whose
 * Content-Type is content_type (NULL when absent: a raw body). NULL with e set (ERR_IO,
 * ERR_NOMEM). Caller owns: http_sink_close. */
http_sink *http_sink_open(const char *content_type, uint64_t max_bytes, err *e);
/* The next bytes of the body. Errors are sticky and reported by http_sink_finish; false once the
 * upload has failed (over max_bytes, a malformed multipart body, a write that failed): the answer
 * is known, so it is given now and the rest of the body is not taken. */
bool http_sink_feed(http_sink *s, const char *data, size_t len);
/* The whole body is in: fills *out (valid until http_sink_close). ERR_LIMIT (over max_bytes),
 * ERR_INVALID (a multipart body without a file), ERR_IO. */
err_code http_sink_finish(http_sink *s, http_upload_file *out, err *e);
/* Closes the file and removes the directory and the body (at up->path, where the handler may
 * have renamed it), unless the handler took them (up->taken). up NULL: never finished. */
void http_sink_close(http_sink *s, const http_upload_file *up);

#endif
