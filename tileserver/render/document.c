/* document.c — what a style looks like from outside: the style.json a browser loads (sources
 * rewritten to this server's absolute URLs), the catalog layers it draws, and its ETag. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/output_id.h"
#include "gen/gen.h"
#include "render/render_int.h"

/* The ids of "a,b,c" that exist in the catalog, comma-separated, into out. */
static void existing_ids(const char *ids, const catalog *c, buf *out) {
  const char *p = ids;
  while (*p) {
    size_t n = strcspn(p, ",");
    if (n > 0 && catalog_find(c, p, n)) {
      if (out->len) buf_putc(out, ',');
      buf_append(out, p, n);
    }
    p += n;
    if (*p == ',') p++;
  }
}

static void add_missing(json_t *missing, const char *id, size_t n) {
  size_t i;
  json_t *v;
  json_array_foreach(missing, i, v) {
    if (strlen(json_string_value(v)) == n && memcmp(json_string_value(v), id, n) == 0) return;
  }
  json_array_append_new(missing, json_stringn(id, n));
}

/* The ids of "a,b,c" that are not in the catalog, into missing. */
static void missing_ids(const char *ids, const catalog *c, json_t *missing) {
  for (const char *p = ids; *p;) {
    size_t n = strcspn(p, ",");
    if (n > 0 && !catalog_find(c, p, n)) add_missing(missing, p, n);
    p += n;
    if (*p == ',') p++;
  }
}

/* Style layers drawing from a removed source go with it (MapLibre refuses a layer whose source
 * does not exist, and a source without tiles draws nothing). */
static void drop_layers_of(json_t *doc, const char *source) {
  json_t *layers = json_object_get(doc, "layers");
  for (size_t i = json_array_size(layers); i-- > 0;) {
    const char *src = json_string_value(json_object_get(json_array_get(layers, i), "source"));
    if (src && strcmp(src, source) == 0) json_array_remove(layers, i);
  }
}

/* Layers of existing sources that name a source-layer the catalog lacks: listed as missing and
 * left out, so the document draws exactly what the page says it draws. */
static void missing_source_layers(json_t *doc, const catalog *c, json_t *teselas, json_t *missing) {
  json_t *layers = json_object_get(doc, "layers");
  for (size_t i = json_array_size(layers); i-- > 0;) {
    json_t *L = json_array_get(layers, i);
    const char *src = json_string_value(json_object_get(L, "source"));
    const char *sl = json_string_value(json_object_get(L, "source-layer"));
    size_t n = sl ? gen_labels_of(sl) : 0; /* a layer's label points (gen.h) */
    if (src && sl && json_object_get(teselas, src) && !catalog_find(c, sl, n ? n : strlen(sl))) {
      add_missing(missing, sl, n ? n : strlen(sl)); /* "parques:labels" is parques missing */
      json_array_remove(layers, i);
    }
  }
}

static void rewrite_sources(json_t *doc, const catalog *c, const char *base_url) {
  const char *key;
  json_t *src, *tmp;
  json_t *sources = json_object_get(doc, "sources");
  json_t *missing = json_array(), *teselas = json_object();
  json_object_foreach_safe(sources, tmp, key, src) {
    const char *url = json_string_value(json_object_get(src, "url"));
    if (!url || strncmp(url, "teselas://", 10) != 0) continue;
    buf ids;
    buf_init(&ids, 0);
    existing_ids(url + 10, c, &ids);
    missing_ids(url + 10, c, missing);
    char *abs = NULL;
    if (ids.len && asprintf(&abs, "%s/tiles/%s.json", base_url, buf_cstr(&ids)) > 0) {
      json_object_set_new(src, "url", json_string(abs));
      json_object_set_new(teselas, key, json_true());
    } else {
      drop_layers_of(doc, key);
      json_object_del(sources, key);
    }
    free(abs);
    buf_free(&ids);
  }
  missing_source_layers(doc, c, teselas, missing);
  json_decref(teselas);
  if (json_array_size(missing)) {
    json_t *meta = json_object_get(doc, "metadata");
    if (!json_is_object(meta)) {
      meta = json_object();
      json_object_set_new(doc, "metadata", meta);
    }
    json_object_set(meta, "teselas:missing_layers", missing);
  }
  json_decref(missing);
}

json_t *render_style_document(const render_style *s, const catalog *c, const char *base_url) {
  json_t *doc = json_loads(s->text, 0, NULL);
  if (!doc) return NULL;
  rewrite_sources(doc, c, base_url);
  const char *glyphs = json_string_value(json_object_get(doc, "glyphs"));
  if (!glyphs || strncmp(glyphs, "teselas://", 10) == 0) {
    char *url = NULL;
    if (asprintf(&url, "%s/fonts/{fontstack}/{range}.pbf", base_url) > 0)
      json_object_set_new(doc, "glyphs", json_string(url));
    free(url);
  }
  return doc;
}

size_t render_style_archives(const render_style *s, const char **out, size_t max) {
  size_t n = 0;
  for (size_t i = 0; i < s->n_sources && n < max; i++)
    if (*s->sources[i].archive) out[n++] = s->sources[i].archive;
  return n;
}

size_t render_style_layers(const render_style *s, const catalog *c, const layer_info **out,
                           size_t max) {
  size_t n = 0;
  for (size_t i = 0; i < s->n_layers; i++) {
    const rlayer *L = &s->layers[i];
    if (L->source_index < 0 || !s->sources[L->source_index].teselas) continue;
    const layer_info *l = catalog_find(c, L->source_layer, strlen(L->source_layer));
    if (!l) continue;
    bool dup = false;
    for (size_t k = 0; k < n; k++) dup |= out[k] == l;
    if (!dup && n < max) out[n++] = l;
  }
  return n;
}

void render_etag(const render_style *s, const catalog *c, const char *address, char *out,
                 size_t out_len) {
  const layer_info *ls[RENDER_MAX_LAYERS];
  size_t n = render_style_layers(s, c, ls, RENDER_MAX_LAYERS);
  uint32_t h = hash_fnv32_str(s->hash ^ 0x9e3779b9u, TESELAS_OUTPUT_ID); /* the drawing code too */
  for (size_t i = 0; i < n; i++) {
    h = hash_fnv32_str(h, ls[i]->id);
    h = (h ^ (uint32_t)ls[i]->version) * 16777619u;
    h = (h ^ (uint32_t)(ls[i]->version >> 32)) * 16777619u;
  }
  uint32_t a = hash_fnv32_str(HASH_FNV32_SEED, address);
  snprintf(out, out_len, "\"r%08x-%08x-%zu\"", h, a, n);
}
