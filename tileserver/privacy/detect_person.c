/* detect_person.c — does a value look like a person's name? The heuristic is described in
 * detect.h; the word lists are in detect_names.c.
 *
 * Why words and not capitalisation: Mexican registers write names in upper case ("MARIA GUADALUPE
 * HERNANDEZ LOPEZ"), and place names are capitalised exactly like people's, so the shape of the
 * letters says nothing. What separates "Valle de San Miguel II" from "Miguel Valle Sánchez" is the
 * vocabulary: places carry a word of places (valle, san), a numeral, or no surname. */
#include <string.h>

#include "privacy/detect.h"
#include "privacy/privacy_int.h"

enum { VALUE_MAX = 120, MAX_WORDS = 12 };

static bool roman_numeral(const char *t) {
  static const char *const ROMAN[] = {"ii", "iii", "iv", "vi", "vii", "viii", "ix", "xi", "xii",
                                      "xiii", "xiv", "xv", "xx", NULL};
  return privacy_word_in(t, ROMAN);
}

/* Letters, spaces and the punctuation of names (Ma. Guadalupe, Pérez-López, O'Farrill, "López,
 * Juan"); anything else (a digit, a slash, an unknown character) means it is not a name. */
static bool name_chars(const char *f) {
  for (; *f; f++)
    if (!((*f >= 'a' && *f <= 'z') || strchr(" .,-'", *f))) return false;
  return true;
}

privacy_person privacy_text_person_name(const char *s) {
  if (!s || strlen(s) > VALUE_MAX) return PRIVACY_PERSON_NO;
  char f[VALUE_MAX * 2 + 8], store[VALUE_MAX * 2 + 8];
  privacy_fold(s, 0, f, sizeof f);
  if (!name_chars(f)) return PRIVACY_PERSON_NO;
  char *tok[MAX_WORDS + 1];
  size_t n_tok = privacy_tokens(f, store, sizeof store, tok, MAX_WORDS + 1);
  if (n_tok > MAX_WORDS) return PRIVACY_PERSON_NO;
  size_t n = 0, given = 0, surname = 0, both = 0;
  for (size_t i = 0; i < n_tok; i++) {
    const char *t = tok[i];
    if (strlen(t) == 1 || privacy_word_in(t, PRIVACY_NAME_PARTICLES)) continue; /* initial */
    if (privacy_word_in(t, PRIVACY_PLACE_WORDS) || roman_numeral(t)) return PRIVACY_PERSON_NO;
    bool g = privacy_word_in(t, PRIVACY_GIVEN_NAMES), sn = privacy_word_in(t, PRIVACY_SURNAMES);
    n++;
    given += g;
    surname += sn;
    both += g && sn;
  }
  size_t known = given + surname - both;
  /* one word can be the given name and another the surname: both lists hit and two known words */
  bool pair = given >= 1 && surname >= 1 && known >= 2;
  if (!pair || n > 6) return PRIVACY_PERSON_NO;
  if (n == 2) return PRIVACY_PERSON_SHORT;
  return n - known <= 1 ? PRIVACY_PERSON_FULL : PRIVACY_PERSON_NO;
}
