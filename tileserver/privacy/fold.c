/* fold.c — accent- and case-insensitive matching for the detector: UTF-8 folded to lower-case
 * ASCII, and folded text split into tokens. Only Latin-1 letters are folded (Spanish needs á é í
 * ó ú ü ñ); everything else outside ASCII is kept as an opaque '*', never dropped, so two
 * different words cannot fold to the same one by losing letters. */
#include "privacy/privacy_int.h"

#include <string.h>

/* U+00C0 .. U+00FF without accents; '*' for × ÷ Þ þ. */
static const char LATIN1[64 + 1] =
    "aaaaaaaceeeeiiiidnooooo*ouuuuy*s"
    "aaaaaaaceeeeiiiidnooooo*ouuuuy*y";

/* Length of the UTF-8 sequence starting with lead byte c (1 for an invalid lead byte). */
static size_t utf8_len(unsigned char c) {
  if (c >= 0xF0 && c < 0xF8) return 4;
  if (c >= 0xE0) return c < 0xF0 ? 3 : 1;
  if (c >= 0xC2) return 2;
  return 1;
}

size_t privacy_fold(const char *s, unsigned flags, char *out, size_t out_len) {
  size_t n = 0;
  const unsigned char *p = (const unsigned char *)s;
  char prev = 0;
  while (*p && n + 1 < out_len) {
    char c;
    size_t len = 1;
    if (*p < 0x80) {
      c = (char)*p;
      if (c >= 'A' && c <= 'Z') {
        if ((flags & PRIVACY_FOLD_SPLIT_CAMEL) && prev >= 'a' && prev <= 'z' && n + 2 < out_len)
          out[n++] = ' ';
        c = (char)(c - 'A' + 'a');
      }
    } else {
      len = utf8_len(*p);
      for (size_t k = 1; k < len; k++)
        if ((p[k] & 0xC0) != 0x80) len = 1; /* truncated or invalid: one byte at a time */
      c = '*';
      if (len == 2 && p[0] == 0xC3) c = LATIN1[p[1] - 0x80];
      else if (len == 2 && p[0] == 0xC2 && p[1] == 0xA0) c = ' ';
      else if (len == 2 && p[0] == 0xC2 && p[1] == 0xBA) c = 'o';
      else if (len == 2 && p[0] == 0xC2 && p[1] == 0xAA) c = 'a';
    }
    out[n++] = c;
    prev = (char)(*p < 0x80 ? *p : 'A');
    p += len;
  }
  out[n] = '\0';
  return n;
}

static bool is_alpha(char c) { return c >= 'a' && c <= 'z'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

size_t privacy_tokens(const char *s, char *store, size_t store_len, char **tokens,
                      size_t max_tokens) {
  size_t n = 0, w = 0;
  const char *p = s;
  while (*p) {
    while (*p && !is_alpha(*p) && !is_digit(*p)) p++;
    if (!*p) break;
    bool digits = is_digit(*p);
    const char *start = p;
    while (*p && (digits ? is_digit(*p) : is_alpha(*p))) p++;
    size_t len = (size_t)(p - start);
    if (n == max_tokens || w + len + 1 > store_len) break;
    memcpy(store + w, start, len);
    store[w + len] = '\0';
    tokens[n++] = store + w;
    w += len + 1;
  }
  return n;
}

bool privacy_word_in(const char *word, const char *const *list) {
  for (; *list; list++)
    if (strcmp(word, *list) == 0) return true;
  return false;
}

bool privacy_word_prefixed(const char *word, const char *const *list) {
  for (; *list; list++)
    if (strncmp(word, *list, strlen(*list)) == 0) return true;
  return false;
}
