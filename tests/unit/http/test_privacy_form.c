/* Unit tests of the layer page's privacy choice (http/privacy_form.c): each mode into the spec
 * the importer's parser reads, and what it refuses before the importer sees it (exact locations
 * without a reason, values that are not numbers, a field name that could carry another
 * parameter). */
#include <string.h>

#include "check.h"
#include "core/arena.h"
#include "http/privacy_form.h"

/* The form of fields k0=v0, k1=v1, ... (NULL-terminated pairs). */
static http_upload_file form(query_arg *args, const char *const *kv) {
  size_t n = 0;
  for (; kv[2 * n]; n++) args[n] = (query_arg){kv[2 * n], kv[2 * n + 1]};
  return (http_upload_file){.fields = args, .n_fields = n};
}

static void expect_spec(const char *const *kv, const char *spec, const char *reason) {
  query_arg args[16];
  http_upload_file up = form(args, kv);
  arena *a = arena_create(1 << 16);
  const char *s = "x", *r = "x", *bad = NULL;
  if (!http_privacy_form(&up, a, &s, &r, &bad)) fail_msg("refused: %s", bad);
  if ((spec == NULL) != (s == NULL) || (spec && strcmp(spec, s) != 0))
    fail_msg("spec '%s', expected '%s'", s ? s : "(none)", spec ? spec : "(none)");
  if ((reason == NULL) != (r == NULL) || (reason && strcmp(reason, r) != 0))
    fail_msg("reason '%s', expected '%s'", r ? r : "(none)", reason ? reason : "(none)");
  arena_destroy(a);
}

static void expect_refused(const char *const *kv) {
  query_arg args[16];
  http_upload_file up = form(args, kv);
  arena *a = arena_create(1 << 16);
  const char *s, *r, *bad = NULL;
  if (http_privacy_form(&up, a, &s, &r, &bad)) fail_msg("accepted: %s", s ? s : "(none)");
  if (!bad || !*bad) fail_msg("refused without a sentence");
  arena_destroy(a);
}

static void modes(void **state) {
  expect_spec((const char *const[]){NULL}, NULL, NULL);
  expect_spec((const char *const[]){"privacy_mode", "keep", "privacy_grid", "250", NULL}, NULL,
              NULL);
  expect_spec((const char *const[]){"privacy_mode", "generalize", "privacy_grid", "500",
                                    "privacy_k", "2", "privacy_month", "true", NULL},
              "generalize:grid=500,k=2,month", NULL);
  expect_spec((const char *const[]){"privacy_mode", "generalize", "privacy_grid", "250",
                                    "privacy_by", "crime", NULL},
              "generalize:grid=250", NULL); /* a category counts only in aggregation */
  expect_spec((const char *const[]){"privacy_mode", "aggregate", "privacy_grid", "1000",
                                    "privacy_k", "3", "privacy_by", "crime",
                                    "privacy_month", "true", NULL},
              "aggregate:grid=1000,k=3,by=crime", NULL);
  expect_spec((const char *const[]){"privacy_mode", "none", "privacy_reason",
                                    "  los pozos son infraestructura pública", NULL},
              "none", "los pozos son infraestructura pública");
}

static void refusals(void **state) {
  expect_refused((const char *const[]){"privacy_mode", "none", NULL});
  expect_refused((const char *const[]){"privacy_mode", "none", "privacy_reason", " \n ", NULL});
  expect_refused((const char *const[]){"privacy_mode", "publicar", NULL});
  expect_refused((const char *const[]){"privacy_mode", "generalize", NULL});
  expect_refused((const char *const[]){"privacy_mode", "generalize", "privacy_grid", "1e3", NULL});
  expect_refused((const char *const[]){"privacy_mode", "aggregate", "privacy_grid", "500",
                                       "privacy_k", "-5", NULL});
  /* a comma or '=' would smuggle another parameter into the spec */
  expect_refused((const char *const[]){"privacy_mode", "aggregate", "privacy_grid", "500",
                                       "privacy_by", "crime,layer=x", NULL});
  expect_refused((const char *const[]){"privacy_mode", "aggregate", "privacy_grid", "500,k=2",
                                       NULL});
  char long_reason[600];
  memset(long_reason, 'a', sizeof long_reason - 1);
  long_reason[sizeof long_reason - 1] = '\0';
  expect_refused((const char *const[]){"privacy_mode", "none", "privacy_reason", long_reason,
                                       NULL});
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(modes), cmocka_unit_test(refusals)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
