/* registry.c — the styles known to a server: loaded from the built-in directory and the user's
 * --styles DIR at start-up, each validated and compiled once; never mutated afterwards.
 *
 * A file that fails validation is logged with its path and the JSON pointer of the problem and
 * left out; the others still load (a typo in one user style must not take the server down). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "render/render_int.h"

enum { STYLE_FILE_MAX = 4 * 1024 * 1024, MAX_STYLES = 256 };

static bool style_name_valid(const char *s, size_t n) {
  if (n == 0 || n > 63) return false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  }
  return true;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds s, replacing a style of the same name (a user's style overrides a built-in). */
static void registry_put(render_styles *reg, render_style *s) {
  for (size_t i = 0; i < reg->n_styles; i++) {
    if (strcmp(reg->styles[i]->name, s->name) == 0) {
      reg->styles[i] = s;
      return;
    }
  }
  reg->styles[reg->n_styles++] = s;
}

static void load_file(render_styles *reg, const char *dir, const char *file, buf *problems) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  size_t n = strlen(file) - 5; /* without ".json" */
  err e;
  err_clear(&e);
  json_error_t je;
  render_style *s = NULL;
  json_t *doc = NULL;
  if (!style_name_valid(file, n)) {
    err_set(&e, ERR_INVALID, "/: a style file name is [a-z0-9_-]{1,63}.json");
  } else if (!(doc = json_load_file(path, 0, &je))) {
    err_set(&e, ERR_INVALID, "/: not JSON (line %d, column %d: %s)", je.line, je.column, je.text);
  } else {
    char name[64];
    memcpy(name, file, n);
    name[n] = '\0';
    render_style_compile(name, doc, reg->a, &s, &e);
    json_decref(doc);
  }
  if (!s) {
    log_warn("style %s not loaded: %s", path, e.msg);
    buf_printf(problems, "%s: %s\n", path, e.msg);
    return;
  }
  if (reg->n_styles < MAX_STYLES) registry_put(reg, s);
}

static err_code load_dir(render_styles *reg, const char *dir, bool required, buf *problems,
                         err *e) {
  DIR *d = opendir(dir);
  if (!d) {
    if (!required) return ERR_OK;
    return err_set(e, ERR_IO, "cannot read the styles directory %s", dir);
  }
  char *names[MAX_STYLES];
  size_t n = 0;
  struct dirent *de;
  while ((de = readdir(d)) != NULL && n < MAX_STYLES) {
    size_t len = strlen(de->d_name);
    if (len > 5 && strcmp(de->d_name + len - 5, ".json") == 0 && de->d_name[0] != '.')
      names[n++] = arena_strdup(reg->a, de->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof *names, cmp_str);
  for (size_t i = 0; i < n; i++)
    if (names[i]) load_file(reg, dir, names[i], problems);
  return ERR_OK;
}

static err_code styles_create(const char *builtin_dir, const char *user_dir, bool with_fonts,
                              render_styles **out, err *e) {
  render_styles *reg = calloc(1, sizeof *reg);
  arena *a = arena_create(0);
  render_style **arr = calloc(MAX_STYLES, sizeof *arr);
  if (!reg || !a || !arr) {
    free(reg);
    free(arr);
    arena_destroy(a);
    return err_set(e, ERR_NOMEM, "out of memory");
  }
  reg->a = a;
  reg->styles = arr;
  buf problems;
  buf_init(&problems, 64 * 1024);
  reg->with_fonts = with_fonts;
  err_code rc = with_fonts ? render_fonts_init(reg, e) : ERR_OK;
  if (rc == ERR_OK && builtin_dir) rc = load_dir(reg, builtin_dir, false, &problems, e);
  if (rc == ERR_OK && user_dir) rc = load_dir(reg, user_dir, true, &problems, e);
  reg->problems = arena_strdup(a, problems.len ? buf_cstr(&problems) : "");
  buf_free(&problems);
  if (rc == ERR_OK && arena_failed(a)) rc = err_set(e, ERR_NOMEM, "out of memory");
  if (rc != ERR_OK) {
    render_styles_destroy(reg);
    return rc;
  }
  *out = reg;
  return ERR_OK;
}

err_code render_styles_create(const char *builtin_dir, const char *user_dir, render_styles **out,
                              err *e) {
  return styles_create(builtin_dir, user_dir, true, out, e);
}

err_code render_styles_create_unfonted(const char *builtin_dir, const char *user_dir,
                                       render_styles **out, err *e) {
  return styles_create(builtin_dir, user_dir, false, out, e);
}

static void styles_free(render_styles *reg, bool last) {
  if (!reg) return;
  if (reg->with_fonts) render_fonts_fini(reg, last);
  free(reg->styles);
  arena_destroy(reg->a);
  free(reg);
}

void render_styles_destroy(render_styles *reg) { styles_free(reg, true); }

void render_styles_destroy_replaced(render_styles *reg) { styles_free(reg, false); }

size_t render_styles_count(const render_styles *reg) { return reg ? reg->n_styles : 0; }

const render_style *render_styles_at(const render_styles *reg, size_t i) {
  return reg && i < reg->n_styles ? reg->styles[i] : NULL;
}

const render_style *render_styles_find(const render_styles *reg, const char *name, size_t len) {
  for (size_t i = 0; reg && i < reg->n_styles; i++)
    if (strlen(reg->styles[i]->name) == len && memcmp(reg->styles[i]->name, name, len) == 0)
      return reg->styles[i];
  return NULL;
}

const char *render_styles_problems(const render_styles *reg) { return reg ? reg->problems : ""; }

const char *render_style_name(const render_style *s) { return s->name; }
const char *render_style_title(const render_style *s) { return s->title; }
bool render_style_is_auto(const render_style *s) { return s->automatic; }

double render_style_min_zoom(const render_style *s, const char *layer_id) {
  double z = -1;
  for (size_t i = 0; i < s->n_layers; i++) {
    const rlayer *L = &s->layers[i];
    if (!L->visible || L->type == RL_OTHER || strcmp(L->source_layer, layer_id) != 0) continue;
    if (z < 0 || L->minzoom < z) z = L->minzoom;
  }
  return z;
}
