/* fuzz_privacy_spec.c — libFuzzer target for the privacy spec of `--privacy` and of an upload's
 * `privacy` option (privacy/policy.c): any text as a spec. A spec that parses must pass
 * privacy_policy_validate, write a canonical spec that parses back to the same policy, write the
 * catalog's JSON that reads back to the same policy, and be described in both languages. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "privacy/policy.h"

static bool same_policy(const privacy_policy *a, const privacy_policy *b) {
  if (a->mode != b->mode || a->grid_m != b->grid_m || a->shape != b->shape ||
      a->month != b->month || a->k != b->k || a->n_by != b->n_by ||
      strcmp(a->layer, b->layer) != 0 || strcmp(a->date_field, b->date_field) != 0)
    return false;
  for (size_t i = 0; i < a->n_by; i++)
    if (strcmp(a->by[i], b->by[i]) != 0) return false;
  return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 4096) return 0;
  char *spec = malloc(size + 1);
  if (!spec) return 0;
  memcpy(spec, data, size);
  spec[size] = '\0';
  privacy_policy p, back;
  err e = {0};
  err_code rc = privacy_policy_parse(spec, &p, &e);
  if (rc != ERR_OK && rc != ERR_INVALID) abort();
  if (rc == ERR_INVALID && !e.msg[0]) abort(); /* a refusal always says why */
  if (rc == ERR_OK) {
    if (privacy_policy_validate(&p, &e) != ERR_OK) abort();
    buf b;
    buf_init(&b, 0);
    privacy_policy_spec(&p, &b);
    if (privacy_policy_parse(buf_cstr(&b), &back, &e) != ERR_OK || !same_policy(&p, &back))
      abort();
    buf_reset(&b);
    privacy_policy_to_json(&p, &b);
    if (privacy_policy_from_json(buf_cstr(&b), &back, &e) != ERR_OK || !same_policy(&p, &back))
      abort();
    for (int lang = PRIVACY_LANG_ES; lang <= PRIVACY_LANG_EN; lang++)
      privacy_policy_describe(&p, (privacy_lang)lang, &b);
    buf_free(&b);
  }
  free(spec);
  return 0;
}
