/* fuzz_upload_options.c — libFuzzer target for an upload's import options (jobs/options.c: the
 * query arguments and form fields of POST /api/layers/{id}/versions, named as `teselas import`
 * names its flags): the input is split at '&' and '=' into options. Options that parse must stay
 * in their bounds: boxes ordered and finite or refused, keep between 1 and 1000, at most 256 field
 * specs each with a non-empty name, at most 64 drop and keep decisions; a privacy option then goes
 * to the privacy spec parser as the job does, which answers OK or INVALID. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "importers/import.h"
#include "jobs/jobs.h"
#include "kv_args.h"
#include "privacy/policy.h"

static bool box_ok(const double b[4]) {
  return b[0] < b[2] && b[1] < b[3] && !isnan(b[0]) && !isnan(b[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 64 * 1024) return 0;
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  features_kv kv[JOBS_MAX_OPTIONS + 1];
  size_t n = kv_args_split(text, kv, JOBS_MAX_OPTIONS + 1);
  jobs_option opts[JOBS_MAX_OPTIONS + 1];
  for (size_t i = 0; i < n; i++) opts[i] = (jobs_option){kv[i].key, kv[i].value};
  jobs_parsed *p = NULL;
  err e = {0};
  err_code rc = jobs_options_parse(opts, n, &p, &e);
  if ((rc == ERR_OK) != (p != NULL) || (rc != ERR_OK && rc != ERR_INVALID)) abort();
  if (rc == ERR_OK) {
    const import_options *o = jobs_parsed_options(p);
    if (o->has_area && !box_ok(o->area)) abort();
    if (o->has_expect_bbox && !box_ok(o->expect_bbox)) abort();
    if (o->keep_versions && (o->keep_versions < 1 || o->keep_versions > 1000)) abort();
    if (o->n_specs > 256 || o->n_drop > 64 || o->n_keep > 64) abort();
    for (size_t i = 0; i < o->n_specs; i++)
      if (!o->specs[i].name || !o->specs[i].name[0]) abort();
    if (o->privacy) {
      privacy_policy pol;
      err_code prc = privacy_policy_parse(o->privacy, &pol, &e);
      if (prc != ERR_OK && prc != ERR_INVALID) abort();
    }
  }
  jobs_parsed_free(p);
  free(text);
  return 0;
}
