/* policy.c — the spec string of --privacy: parsing, the rules a policy obeys, the canonical form,
 * and the field decisions recorded with it. JSON lives in policy_json.c, the sentences for people
 * in policy_text.c.
 *
 * Messages are in Spanish (the publishers are municipal departments) and quote the part of the
 * spec that is wrong, so "generalize:grid=250,shap=hex" says `en "shap=hex"`, not "invalid". */
#include "privacy/policy.h"
#include "privacy/privacy_int.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void privacy_policy_init(privacy_policy *p) { memset(p, 0, sizeof *p); }

bool privacy_policy_exact_locations(const privacy_policy *p) {
  return p->mode == PRIVACY_MODE_NONE;
}

/* ---- the rules --------------------------------------------------------------------------- */

/* A layer id as the store accepts it ([a-z0-9_-], 1..63, starting with a letter); repeated here so
 * that privacy/ does not depend on store/. */
static bool layer_id_valid(const char *id) {
  size_t n = strlen(id);
  if (n == 0 || n >= PRIVACY_NAME_MAX || !(id[0] >= 'a' && id[0] <= 'z')) return false;
  for (size_t i = 0; i < n; i++)
    if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9') || id[i] == '_' ||
          id[i] == '-'))
      return false;
  return true;
}

static bool k_valid(int64_t k) { return k >= PRIVACY_K_MIN && k <= PRIVACY_K_MAX; }

static bool grid_valid(double m) {
  return isfinite(m) && m >= PRIVACY_GRID_MIN_M && m <= PRIVACY_GRID_MAX_M;
}

err_code privacy_policy_validate(const privacy_policy *p, err *e) {
  const char *what = NULL;
  switch (p->mode) {
    case PRIVACY_MODE_NONE:
      if (p->grid_m != 0 || p->k != 0 || p->month || p->n_by || p->layer[0] || p->date_field[0])
        what = "none no admite parámetros";
      else if (p->n_ids_dropped || p->n_banded)
        what = "none no descarta identificadores ni reduce horas";
      break;
    case PRIVACY_MODE_GENERALIZE:
      if (p->exact_decided) what = "generalize no publica ubicaciones exactas";
      else if (!grid_valid(p->grid_m)) what = "generalize necesita una cuadrícula de 50 m a 100 km";
      else if (p->k != 0 && !k_valid(p->k)) what = "k debe ser un entero de 2 a 1000";
      else if (p->layer[0] || p->n_by || p->date_field[0])
        what = "layer, by y date solo se usan con aggregate";
      break;
    case PRIVACY_MODE_AGGREGATE:
      if (p->exact_decided) what = "aggregate no publica ubicaciones exactas";
      else if ((p->grid_m != 0) == (p->layer[0] != '\0'))
        what = "aggregate necesita una cuadrícula (grid= o hex=) o una capa (layer=), no ambas";
      else if (p->grid_m != 0 && !grid_valid(p->grid_m))
        what = "la cuadrícula debe medir de 50 m a 100 km";
      else if (p->layer[0] && !layer_id_valid(p->layer))
        what = "layer debe ser el identificador de una capa ([a-z0-9_-])";
      else if (p->layer[0] && p->shape != PRIVACY_SHAPE_SQUARE)
        what = "shape solo se usa con una cuadrícula";
      else if (!k_valid(p->k)) what = "k debe ser un entero de 2 a 1000";
      else if (p->month) what = "month solo se usa con generalize (en aggregate, date=CAMPO)";
      else if (p->n_by > PRIVACY_MAX_BY) what = "demasiados campos en by";
      break;
    default: what = "modo desconocido";
  }
  if (!what && (p->n_kept > PRIVACY_MAX_FIELDS || p->n_dropped > PRIVACY_MAX_FIELDS))
    what = "demasiados campos conservados o descartados";
  return what ? err_set(e, ERR_INVALID, "política de privacidad no válida: %s", what) : ERR_OK;
}

/* ---- parsing ----------------------------------------------------------------------------- */

typedef struct parse_ctx {
  const char *spec;
  privacy_policy *p;
  unsigned seen;
  bool shape_given;
  err *e;
} parse_ctx;

enum { K_GRID = 1, K_SHAPE = 2, K_MONTH = 4, K_K = 8, K_DATE = 16, K_LAYER = 32, K_BY = 64 };

static err_code fail(parse_ctx *c, const char *part, const char *fmt, const char *arg) {
  char why[256];
  snprintf(why, sizeof why, fmt, arg ? arg : "");
  return err_set(c->e, ERR_INVALID, "privacidad \"%.120s\": en \"%.80s\", %s", c->spec, part, why);
}

static bool key_is(const char *key, const char *a, const char *b, const char *c) {
  return strcasecmp(key, a) == 0 || (b && strcasecmp(key, b) == 0) ||
         (c && strcasecmp(key, c) == 0);
}

/* "250", "250m", "1.5km", "1 km". */
static bool parse_length(const char *s, double *out) {
  errno = 0;
  char *end = NULL;
  double v = strtod(s, &end);
  if (end == s || errno) return false;
  while (*end == ' ') end++;
  if (strcasecmp(end, "km") == 0) v *= 1000.0;
  else if (*end && strcasecmp(end, "m") != 0) return false;
  *out = v;
  return isfinite(v);
}

static bool parse_bool(const char *s, bool *out) {
  static const char *const YES[] = {"yes", "true", "si", "sí", "1", NULL};
  static const char *const NO[] = {"no", "false", "0", NULL};
  for (const char *const *y = YES; *y; y++)
    if (strcasecmp(s, *y) == 0) return *out = true, true;
  for (const char *const *n = NO; *n; n++)
    if (strcasecmp(s, *n) == 0) return *out = false, true;
  return false;
}

/* A name the catalog's JSON can hold: valid UTF-8 (jansson refuses anything else, and a policy
 * that could not be read back would leave its layer without one). */
static bool json_text_ok(const char *s) {
  json_t *j = json_string(s);
  json_decref(j);
  return j != NULL;
}

/* A field name of a spec: one the JSON can hold and the canonical spec writes back, so without
 * control characters (a spec's trailing ones are trimmed away). */
static bool field_name_ok(const char *s) {
  size_t n = strlen(s);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p < 0x20 || *p == 0x7f) return false;
  return n > 0 && n < PRIVACY_NAME_MAX && !strpbrk(s, ",+=:") && json_text_ok(s);
}

static err_code once(parse_ctx *c, unsigned key, const char *part) {
  if (c->seen & key) return fail(c, part, "el parámetro aparece más de una vez", NULL);
  c->seen |= key;
  return ERR_OK;
}

static err_code parse_by(parse_ctx *c, const char *part, const char *val) {
  static const char *const HOW = "by necesita nombres de campo separados por + (by=tipo+subtipo)";
  for (const char *f = val;;) {
    const char *plus = strchr(f, '+');
    size_t n = plus ? (size_t)(plus - f) : strlen(f);
    while (n && *f == ' ') f++, n--;
    while (n && f[n - 1] == ' ') n--;
    char name[PRIVACY_NAME_MAX];
    if (n == 0 || n >= sizeof name) return fail(c, part, HOW, NULL);
    memcpy(name, f, n);
    name[n] = '\0';
    if (!field_name_ok(name)) return fail(c, part, HOW, NULL);
    if (c->p->n_by == PRIVACY_MAX_BY) return fail(c, part, "by admite a lo más 4 campos", NULL);
    memcpy(c->p->by[c->p->n_by++], name, n + 1);
    if (!plus) break;
    f = plus + 1;
  }
  c->seen |= K_BY;
  return ERR_OK;
}

static err_code parse_grid(parse_ctx *c, const char *part, const char *val, bool hex) {
  err_code rc = once(c, K_GRID, part);
  if (rc != ERR_OK) return rc;
  double m = 0;
  if (!parse_length(val, &m) || !grid_valid(m))
    return fail(c, part, "el tamaño de celda debe ser una longitud de 50 m a 100 km "
                         "(250, 250m, 1.5km)", NULL);
  c->p->grid_m = m;
  if (hex) {
    if (c->shape_given && c->p->shape != PRIVACY_SHAPE_HEX)
      return fail(c, part, "hex= contradice shape=square", NULL);
    c->p->shape = PRIVACY_SHAPE_HEX;
    c->shape_given = true;
  }
  return ERR_OK;
}

static err_code parse_shape(parse_ctx *c, const char *part, const char *val) {
  privacy_shape s;
  if (strcasecmp(val, "square") == 0 || strcasecmp(val, "cuadrada") == 0) s = PRIVACY_SHAPE_SQUARE;
  else if (strcasecmp(val, "hex") == 0 || strcasecmp(val, "hexagonal") == 0) s = PRIVACY_SHAPE_HEX;
  else return fail(c, part, "shape debe ser square o hex", NULL);
  if (c->shape_given && s != c->p->shape) return fail(c, part, "shape contradice hex=", NULL);
  if (c->seen & K_SHAPE) return fail(c, part, "el parámetro aparece más de una vez", NULL);
  c->seen |= K_SHAPE;
  c->p->shape = s;
  c->shape_given = true;
  return ERR_OK;
}

static err_code parse_param(parse_ctx *c, char *part) {
  char *eq = strchr(part, '=');
  char *key = part, *val = eq ? eq + 1 : NULL;
  char original[128];
  snprintf(original, sizeof original, "%s", part);
  if (eq) {
    *eq = '\0';
    for (size_t n = strlen(key); n && key[n - 1] == ' '; n--) key[n - 1] = '\0';
    while (*val == ' ') val++;
    if (!*val) return fail(c, original, "falta el valor después de =", NULL);
  }
  err_code rc;
  if (key_is(key, "grid", "cuadricula", "cuadrícula") && val) return parse_grid(c, original, val, false);
  if (key_is(key, "hex", "hexagonal", NULL) && val) return parse_grid(c, original, val, true);
  if (key_is(key, "shape", "forma", NULL) && val) return parse_shape(c, original, val);
  if (key_is(key, "by", "por", NULL) && val) return parse_by(c, original, val);
  if (key_is(key, "month", "mes", NULL)) {
    if ((rc = once(c, K_MONTH, original)) != ERR_OK) return rc;
    if (val && !parse_bool(val, &c->p->month)) return fail(c, original, "month=yes o month=no", NULL);
    if (!val) c->p->month = true;
    return ERR_OK;
  }
  if (key_is(key, "k", NULL, NULL) && val) {
    if ((rc = once(c, K_K, original)) != ERR_OK) return rc;
    char *end = NULL;
    errno = 0;
    long long k = strtoll(val, &end, 10);
    if (!isdigit((unsigned char)*val) || *end || errno || !k_valid(k))
      return fail(c, original, "k debe ser un entero de 2 a 1000", NULL);
    c->p->k = k;
    return ERR_OK;
  }
  if (key_is(key, "date", "fecha", NULL) && val) {
    if ((rc = once(c, K_DATE, original)) != ERR_OK) return rc;
    if (!field_name_ok(val)) return fail(c, original, "date necesita un nombre de campo", NULL);
    snprintf(c->p->date_field, sizeof c->p->date_field, "%s", val);
    return ERR_OK;
  }
  if (key_is(key, "layer", "capa", NULL) && val) {
    if ((rc = once(c, K_LAYER, original)) != ERR_OK) return rc;
    if (!layer_id_valid(val))
      return fail(c, original, "layer necesita el identificador de una capa ([a-z0-9_-])", NULL);
    snprintf(c->p->layer, sizeof c->p->layer, "%s", val);
    return ERR_OK;
  }
  return fail(c, original,
              "parámetro desconocido o sin valor; se esperaba grid=, hex=, shape=, month, k=, "
              "by=, date= o layer=", NULL);
}

/* What each mode allows, checked after all parameters so the message can name the mode. */
static err_code check_mode(parse_ctx *c, const char *mode) {
  privacy_policy *p = c->p;
  if (p->mode == PRIVACY_MODE_GENERALIZE) {
    if (c->seen & (K_BY | K_DATE | K_LAYER))
      return fail(c, mode, "generalize no admite by, date ni layer (son de aggregate)", NULL);
    if (!(c->seen & K_GRID)) return fail(c, mode, "generalize necesita grid=N o hex=N", NULL);
  } else {
    if (c->seen & K_MONTH)
      return fail(c, mode, "aggregate no admite month; los conteos por mes usan date=CAMPO", NULL);
    if ((c->seen & K_GRID) && (c->seen & K_LAYER))
      return fail(c, mode, "aggregate usa una cuadrícula o una capa (layer=), no ambas", NULL);
    if (!(c->seen & (K_GRID | K_LAYER)))
      return fail(c, mode, "aggregate necesita grid=N, hex=N o layer=CAPA", NULL);
    if ((c->seen & K_LAYER) && c->shape_given)
      return fail(c, mode, "shape solo se usa con una cuadrícula, no con layer=", NULL);
    if (!(c->seen & K_K)) p->k = PRIVACY_K_DEFAULT;
  }
  return ERR_OK;
}

err_code privacy_policy_parse(const char *spec, privacy_policy *out, err *e) {
  privacy_policy p;
  privacy_policy_init(&p);
  parse_ctx c = {.spec = spec ? spec : "", .p = &p, .e = e};
  char tmp[1024];
  const char *s = c.spec;
  while (*s == ' ') s++;
  if (strlen(s) >= sizeof tmp) return err_set(e, ERR_INVALID, "privacidad: la política es demasiado larga");
  snprintf(tmp, sizeof tmp, "%s", s);
  for (size_t n = strlen(tmp); n && isspace((unsigned char)tmp[n - 1]); n--) tmp[n - 1] = '\0';
  if (!tmp[0])
    return err_set(e, ERR_INVALID, "privacidad: la política está vacía; use none, "
                                   "generalize:grid=N[,...] o aggregate:grid=N[,...]");
  char *colon = strchr(tmp, ':');
  if (colon) *colon = '\0';
  char *mode = tmp;
  for (size_t n = strlen(mode); n && mode[n - 1] == ' '; n--) mode[n - 1] = '\0';
  if (key_is(mode, "none", "ninguna", NULL)) p.mode = PRIVACY_MODE_NONE;
  else if (key_is(mode, "generalize", "generalizar", NULL)) p.mode = PRIVACY_MODE_GENERALIZE;
  else if (key_is(mode, "aggregate", "agregar", NULL)) p.mode = PRIVACY_MODE_AGGREGATE;
  else return fail(&c, mode, "modo desconocido; use none, generalize o aggregate", NULL);
  if (p.mode == PRIVACY_MODE_NONE) {
    if (colon && colon[1]) return fail(&c, colon + 1, "none no admite parámetros", NULL);
    *out = p;
    return ERR_OK;
  }
  if (!colon || !colon[1])
    return fail(&c, mode, "faltan los parámetros (por ejemplo %s:grid=250)", mode);
  char *params = colon + 1;
  for (char *part = params, *next; part; part = next) {
    next = strchr(part, ',');
    if (next) *next++ = '\0';
    while (*part == ' ') part++;
    for (size_t n = strlen(part); n && part[n - 1] == ' '; n--) part[n - 1] = '\0';
    if (!*part) return fail(&c, ",", "hay un parámetro vacío (dos comas seguidas o una al final)", NULL);
    err_code rc = parse_param(&c, part);
    if (rc != ERR_OK) return rc;
  }
  err_code rc = check_mode(&c, mode);
  if (rc == ERR_OK) rc = privacy_policy_validate(&p, e);
  if (rc == ERR_OK) *out = p;
  return rc;
}

/* ---- canonical form ---------------------------------------------------------------------- */

static const char *mode_name(privacy_mode m) {
  return m == PRIVACY_MODE_GENERALIZE ? "generalize" : m == PRIVACY_MODE_AGGREGATE ? "aggregate"
                                                                                  : "none";
}

void privacy_put_number(buf *out, double m) {
  char text[40];
  snprintf(text, sizeof text, "%.15g", m);
  if (strtod(text, NULL) != m) snprintf(text, sizeof text, "%.17g", m);
  buf_puts(out, text);
}

void privacy_policy_spec(const privacy_policy *p, buf *out) {
  buf_puts(out, mode_name(p->mode));
  if (p->mode == PRIVACY_MODE_NONE) return;
  if (p->layer[0]) {
    buf_printf(out, ":layer=%s", p->layer);
  } else {
    buf_puts(out, ":grid=");
    privacy_put_number(out, p->grid_m);
    buf_printf(out, ",shape=%s", p->shape == PRIVACY_SHAPE_HEX ? "hex" : "square");
  }
  if (p->month) buf_puts(out, ",month");
  if (p->k) buf_printf(out, ",k=%lld", (long long)p->k);
  if (p->n_by) {
    buf_puts(out, ",by=");
    for (size_t i = 0; i < p->n_by; i++) buf_printf(out, "%s%s", i ? "+" : "", p->by[i]);
  }
  if (p->date_field[0]) buf_printf(out, ",date=%s", p->date_field);
}

/* ---- field decisions --------------------------------------------------------------------- */

bool privacy_policy_is_kept(const privacy_policy *p, const char *name) {
  for (size_t i = 0; i < p->n_kept; i++)
    if (strcmp(p->kept[i].name, name) == 0) return true;
  return false;
}

bool privacy_policy_is_dropped(const privacy_policy *p, const char *name) {
  for (size_t i = 0; i < p->n_dropped; i++)
    if (strcmp(p->dropped[i], name) == 0) return true;
  return false;
}

static err_code check_name(const char *name, err *e) {
  if (!name || !*name || strlen(name) >= PRIVACY_NAME_MAX || !json_text_ok(name))
    return err_set(e, ERR_INVALID, "privacidad: nombre de campo vacío, de más de %d bytes o "
                   "que no es UTF-8", PRIVACY_NAME_MAX - 1);
  return ERR_OK;
}

err_code privacy_policy_keep_field(privacy_policy *p, const char *name, const char *reason,
                                   err *e) {
  err_code rc = check_name(name, e);
  if (rc != ERR_OK || privacy_policy_is_kept(p, name)) return rc;
  if (p->n_kept == PRIVACY_MAX_FIELDS)
    return err_set(e, ERR_LIMIT, "privacidad: a lo más %d campos conservados", PRIVACY_MAX_FIELDS);
  privacy_kept_field *k = &p->kept[p->n_kept++];
  snprintf(k->name, sizeof k->name, "%s", name);
  snprintf(k->reason, sizeof k->reason, "%s", reason ? reason : "");
  return ERR_OK;
}

err_code privacy_policy_drop_field(privacy_policy *p, const char *name, err *e) {
  err_code rc = check_name(name, e);
  if (rc != ERR_OK || privacy_policy_is_dropped(p, name)) return rc;
  if (p->n_dropped == PRIVACY_MAX_FIELDS)
    return err_set(e, ERR_LIMIT, "privacidad: a lo más %d campos descartados", PRIVACY_MAX_FIELDS);
  snprintf(p->dropped[p->n_dropped++], PRIVACY_NAME_MAX, "%s", name);
  return ERR_OK;
}

static err_code add_name(char (*list)[PRIVACY_NAME_MAX], size_t *n, const char *name, err *e) {
  err_code rc = check_name(name, e);
  if (rc != ERR_OK) return rc;
  for (size_t i = 0; i < *n; i++)
    if (strcmp(list[i], name) == 0) return ERR_OK;
  if (*n == 4) return err_set(e, ERR_LIMIT, "privacidad: a lo más 4 campos de cada clase");
  snprintf(list[(*n)++], PRIVACY_NAME_MAX, "%s", name);
  return ERR_OK;
}

err_code privacy_policy_drop_id(privacy_policy *p, const char *name, err *e) {
  return add_name(p->ids_dropped, &p->n_ids_dropped, name, e);
}

err_code privacy_policy_band_time(privacy_policy *p, const char *name, err *e) {
  return add_name(p->banded, &p->n_banded, name, e);
}

void privacy_policy_decide_exact(privacy_policy *p, const char *reason) {
  p->exact_decided = true;
  size_t n = reason ? strlen(reason) : 0;
  if (n >= sizeof p->exact_reason) {
    n = sizeof p->exact_reason - 1;
    while (n && ((unsigned char)reason[n] & 0xC0) == 0x80) n--; /* not inside a character */
  }
  memcpy(p->exact_reason, reason ? reason : "", n);
  p->exact_reason[n] = '\0';
}
