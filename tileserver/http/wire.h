/* wire.h — HTTP/1.1 request framing (RFC 9112), pure: no I/O, no allocation, every read bounded
 * by the length the caller passes.
 *
 * wire_parse_head reads a request head (request line and header fields) from the start of a
 * buffer. It is incremental in the simple way: called again on a longer buffer, it parses from
 * the start again (a head is at most a few tens of KiB and almost always arrives in one read).
 * Limits are checked on what has arrived, so a client sending megabytes is refused once it is
 * past them, without waiting for the end of its head.
 *
 * wire_chunked_* decodes a chunked body (RFC 9112 §7.1) in place, piece by piece as it arrives.
 * wire_pct_decode turns %XX into bytes (and '+' into a space in query arguments). */
#ifndef TESELAS_HTTP_WIRE_H
#define TESELAS_HTTP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct wire_str {
  const char *s;  /* into the parsed buffer; not NUL-terminated */
  size_t len;
} wire_str;

/* The fields the server reads; each holds its first occurrence. */
typedef enum wire_field_id {
  WIRE_F_HOST,
  WIRE_F_ACCEPT,
  WIRE_F_ACCEPT_ENCODING,
  WIRE_F_IF_NONE_MATCH,
  WIRE_F_RANGE,
  WIRE_F_IF_RANGE,
  WIRE_F_AUTHORIZATION,
  WIRE_F_COOKIE,
  WIRE_F_CSRF,
  WIRE_F_CONTENT_TYPE,
  WIRE_F_COUNT
} wire_field_id;

typedef enum wire_result {
  WIRE_PARTIAL,  /* no error so far; more bytes are needed */
  WIRE_DONE,     /* a whole head (or body) */
  WIRE_ERROR     /* *out_status says which answer (400, 414, 431, 501, 505); close afterwards */
} wire_result;

typedef struct wire_head {
  size_t head_len;          /* bytes of the head, its final empty line included */
  wire_str method, target;  /* target: raw, %XX undecoded, may hold a NUL byte (see below) */
  int minor;                /* HTTP/1.minor: 0 or 1 */
  bool target_nul;          /* the target holds a NUL byte: the request is refused, the
                               connection kept (its framing is sound) */
  wire_str fields[WIRE_F_COUNT]; /* {NULL, 0} when absent */
  size_t headers_bytes;     /* names and values, +4 a field (": " and CRLF) */
  bool has_length;
  uint64_t content_length;
  bool chunked;             /* Transfer-Encoding: chunked */
  bool keep_alive;          /* per version and Connection */
  bool expect_continue;     /* Expect: 100-continue */
} wire_head;

/* Parses the head at buf[0..len). WIRE_DONE fills *out. WIRE_ERROR sets *out_status and a static
 * message in *out_why. Bounds: a target longer than url_max is a 414, a header block (after the
 * request line) longer than headers_max a 431, checked before the head is complete. */
wire_result wire_parse_head(const char *buf, size_t len, size_t url_max, size_t headers_max,
                            wire_head *out, int *out_status, const char **out_why);

/* The header fields of a head wire_parse_head accepted, one by one: *pos starts at 0. False at
 * the end. Value with its surrounding whitespace removed. */
bool wire_field_next(const char *head, size_t head_len, size_t *pos, wire_str *out_name,
                     wire_str *out_value);

/* Case-insensitive comparison of a wire string with a C string. */
bool wire_str_is(wire_str a, const char *s);

/* Decodes %XX (two hex digits; any other '%' stays) and, when plus, '+' into ' ', from src to dst
 * (dst may be src: decoding only shortens). Returns the decoded length; *out_nul is set when a
 * decoded byte is NUL. */
size_t wire_pct_decode(char *dst, const char *src, size_t len, bool plus, bool *out_nul);

/* A chunked body being decoded. Zero it to start. */
typedef struct wire_chunked {
  int state;
  uint64_t left;        /* bytes of the current chunk still to come */
  size_t line;          /* bytes of the current size or trailer line */
  size_t trailer_bytes; /* bytes of the trailer section so far */
  int digits;
} wire_chunked;

enum { WIRE_CHUNK_LINE_MAX = 1024, WIRE_TRAILERS_MAX = 8 * 1024 };

/* Decodes from in[0..len): returns WIRE_DONE at the end of the body (*used says where the next
 * request starts), WIRE_ERROR on bad framing, else WIRE_PARTIAL. *used is how many bytes were
 * consumed; when *out_data_len > 0, in[*out_data_off, +*out_data_len) is body data (the caller
 * takes it and calls again with the rest). */
wire_result wire_chunked_step(wire_chunked *d, const char *in, size_t len, size_t *used,
                              size_t *out_data_off, size_t *out_data_len);

#endif
