/* privacy_int.h — helpers shared by the files of privacy/ and by nothing else. */
#ifndef TESELAS_PRIVACY_INT_H
#define TESELAS_PRIVACY_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/* Bit for privacy_fold: put a space where a lower-case ASCII letter is followed by an upper-case
 * one, so a camelCase field name ("telContacto") splits like a snake_case one. */
enum { PRIVACY_FOLD_SPLIT_CAMEL = 1 };

/* Folds UTF-8 text to lower-case ASCII for matching: Latin-1 letters lose their accents (á→a,
 * Ñ→n, ü→u), º and ª become o and a ("Nº"), a no-break space becomes a space, and every other
 * non-ASCII character (or invalid byte) becomes '*'. ASCII punctuation is kept. Writes at most
 * out_len - 1 bytes and a NUL (out_len >= 1); returns the length written. */
size_t privacy_fold(const char *s, unsigned flags, char *out, size_t out_len);

/* Splits folded text s into tokens of [a-z0-9]: every other byte separates, and so does a switch
 * between letters and digits ("tel2" → "tel", "2"). The tokens are copied, NUL-terminated, into
 * store (strlen(s) * 2 + 1 bytes always suffice); at most max_tokens pointers into store are
 * filled, and tokens past that (or past store_len) are ignored. Returns the number filled. */
size_t privacy_tokens(const char *s, char *store, size_t store_len, char **tokens,
                      size_t max_tokens);

/* Appends m as the shortest of %.15g and %.17g that reads back as m, so a spec or the catalog's
 * JSON gives back the policy it was written from ("250", not "250.00000000000000"). */
void privacy_put_number(buf *out, double m);

/* True when word is one of the NULL-terminated list. */
bool privacy_word_in(const char *word, const char *const *list);
/* True when word starts with one of the NULL-terminated list. */
bool privacy_word_prefixed(const char *word, const char *const *list);

/* ---- detect_person.c / detect_names.c ---------------------------------------------------- */

/* Word lists (folded lower-case ASCII, NULL-terminated): common Mexican given names, common
 * Mexican surnames, words of places and public things that never name a person, particles and
 * titles that a person's name may carry. */
extern const char *const PRIVACY_GIVEN_NAMES[];
extern const char *const PRIVACY_SURNAMES[];
extern const char *const PRIVACY_PLACE_WORDS[];
extern const char *const PRIVACY_NAME_PARTICLES[];

#endif
