/* fuzz_privacy_json.c — libFuzzer target for the privacy policy as the catalog stores it
 * (privacy/policy_json.c: the `privacy` column, which a copied or restored database brings): any
 * text as that JSON. A policy that reads must pass privacy_policy_validate and write JSON that
 * reads back to the same policy, with the same kept and dropped fields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "privacy/policy.h"

static bool same_policy(const privacy_policy *a, const privacy_policy *b) {
  if (a->mode != b->mode || a->grid_m != b->grid_m || a->shape != b->shape ||
      a->month != b->month || a->k != b->k || a->n_by != b->n_by || a->n_kept != b->n_kept ||
      a->n_dropped != b->n_dropped || a->exact_decided != b->exact_decided ||
      strcmp(a->layer, b->layer) != 0 || strcmp(a->date_field, b->date_field) != 0)
    return false;
  for (size_t i = 0; i < a->n_by; i++)
    if (strcmp(a->by[i], b->by[i]) != 0) return false;
  for (size_t i = 0; i < a->n_kept; i++)
    if (strcmp(a->kept[i].name, b->kept[i].name) != 0) return false;
  for (size_t i = 0; i < a->n_dropped; i++)
    if (strcmp(a->dropped[i], b->dropped[i]) != 0) return false;
  return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 64 * 1024) return 0;
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  privacy_policy p, back;
  err e = {0};
  err_code rc = privacy_policy_from_json(text, &p, &e);
  if (rc != ERR_OK && rc != ERR_INVALID && rc != ERR_LIMIT) abort();
  if (rc == ERR_OK) {
    if (privacy_policy_validate(&p, &e) != ERR_OK) abort();
    buf b;
    buf_init(&b, 0);
    privacy_policy_to_json(&p, &b);
    if (privacy_policy_from_json(buf_cstr(&b), &back, &e) != ERR_OK || !same_policy(&p, &back))
      abort();
    for (int lang = PRIVACY_LANG_ES; lang <= PRIVACY_LANG_EN; lang++)
      privacy_policy_describe(&p, (privacy_lang)lang, &b);
    buf_free(&b);
  }
  free(text);
  return 0;
}
