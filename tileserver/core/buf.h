/* buf.h — a growable byte buffer with an upper bound and a sticky failure flag.
 *
 * Every append either succeeds or marks the buffer failed; once failed, every later append is a
 * no-op that returns false, so a builder checks once at the end (the SQLite habit). The bound
 * (`limit`, 0 = SIZE_MAX) keeps one response or tile from eating the machine.
 * The buffer owns `data` (malloc'd); buf_free releases it, buf_steal hands it to the caller. */
#ifndef TESELAS_CORE_BUF_H
#define TESELAS_CORE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct buf {
  uint8_t *data;
  size_t len;
  size_t cap;
  size_t limit;   /* maximum len; 0 means no limit beyond memory */
  bool failed;    /* sticky: set by the first failed append */
  bool over_limit;/* the failure was the limit, not memory */
} buf;

void buf_init(buf *b, size_t limit);
void buf_free(buf *b);
/* Empties the buffer (keeps its memory) and clears the failure flags. */
void buf_reset(buf *b);
bool buf_reserve(buf *b, size_t extra);
bool buf_append(buf *b, const void *p, size_t n);
bool buf_putc(buf *b, int c);
bool buf_puts(buf *b, const char *s);
bool buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as the inside of a JSON string (escaped, without the quotes). */
bool buf_json_escape(buf *b, const char *s, size_t n);
/* The JSON string rules buf_json_escape follows, for writers that escape into room they reserved
 * (at most BUF_JSON_ESCAPE_MAX bytes a byte): a byte that needs no escape, and the escape of one
 * that does (its length returned). */
enum { BUF_JSON_ESCAPE_MAX = 6 };
static inline bool buf_json_plain(unsigned char c) { return c >= 0x20 && c != '"' && c != '\\'; }
size_t buf_json_escape_byte(unsigned char c, char out[BUF_JSON_ESCAPE_MAX]);
/* Appends n bytes of s with the five HTML special characters escaped (& < > " '), safe in text
 * and in quoted attribute values. */
bool buf_html_escape(buf *b, const char *s, size_t n);
/* Appends "s" with JSON escaping; s NULL appends null. */
bool buf_json_str(buf *b, const char *s);
/* Appends a NUL after the data without counting it in len; returns data as a C string. */
const char *buf_cstr(buf *b);
/* Gives the bytes to the caller (free() them) and leaves the buffer empty. */
uint8_t *buf_steal(buf *b, size_t *out_len);

#endif
