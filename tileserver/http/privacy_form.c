/* privacy_form.c — the layer page's privacy choice into the `privacy` import option, so a
 * publisher chooses a policy with radio buttons and numbers instead of writing a spec: the mode
 * (generalize, aggregate or none), the grid in metres, k, months, the category field. Only the
 * shape of each value is checked here (digits, a field name); the importer's parser
 * (privacy_policy_parse) checks the rules and bounds and refuses with its own words. */
#include <stdio.h>
#include <string.h>

#include "http/privacy_form.h"

enum { REASON_MAX = 400, SPEC_MAX = 160 };

static const char *field(const http_upload_file *up, const char *key) {
  for (size_t i = 0; up && i < up->n_fields; i++)
    if (strcmp(up->fields[i].key, key) == 0 && *up->fields[i].value) return up->fields[i].value;
  return NULL;
}

static bool all_of(const char *s, const char *set, size_t max) {
  size_t n = strlen(s);
  return n > 0 && n <= max && strspn(s, set) == n;
}

bool http_privacy_field(const char *key) { return strncmp(key, "privacy_", 8) == 0; }

bool http_privacy_form(const http_upload_file *up, arena *a, const char **out_spec,
                       const char **out_reason, const char **out_error) {
  *out_spec = *out_reason = NULL;
  const char *mode = field(up, "privacy_mode");
  if (!mode || strcmp(mode, "keep") == 0) return true;
  if (strcmp(mode, "none") == 0) {
    const char *why = field(up, "privacy_reason");
    while (why && (*why == ' ' || *why == '\n' || *why == '\r' || *why == '\t')) why++;
    if (!why || !*why || strlen(why) > REASON_MAX) {
      *out_error = "Para publicar las ubicaciones exactas escribe por qué (hasta 400 letras).";
      return false;
    }
    *out_spec = "none";
    *out_reason = arena_strdup(a, why);
    return *out_reason != NULL;
  }
  bool gen = strcmp(mode, "generalize") == 0;
  if (!gen && strcmp(mode, "aggregate") != 0) {
    *out_error = "La política es generalizar, agregar o ninguna.";
    return false;
  }
  const char *grid = field(up, "privacy_grid"), *k = field(up, "privacy_k");
  const char *by = field(up, "privacy_by"), *month = field(up, "privacy_month");
  if (!grid || !all_of(grid, "0123456789", 6) || (k && !all_of(k, "0123456789", 4))) {
    *out_error = "La cuadrícula es un número de metros y el mínimo de casos, un número entero.";
    return false;
  }
  if (by && !all_of(by, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", 63)) {
    *out_error = "El campo para contar por categoría es el nombre de un campo del archivo.";
    return false;
  }
  char spec[SPEC_MAX];
  int n = snprintf(spec, sizeof spec, "%s:grid=%s%s%s%s%s%s", gen ? "generalize" : "aggregate",
                   grid, k ? ",k=" : "", k ? k : "", gen && month ? ",month" : "",
                   !gen && by ? ",by=" : "", !gen && by ? by : "");
  if (n < 0 || (size_t)n >= sizeof spec) {
    *out_error = "La política no cabe.";
    return false;
  }
  *out_spec = arena_strdup(a, spec);
  return *out_spec != NULL;
}
