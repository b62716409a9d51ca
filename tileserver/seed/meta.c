/* meta.c — an archive's metadata: the server's TileJSON of the same layers (so vector_layers,
 * fields, attribution and description are the ones clients already see), without what names
 * this server (tile URLs), and with the archive's own box, zooms and format. */
#include "core/output_id.h"
#include "seed/seed_int.h"
#include "tiles/tilejson.h"

json_t *seed_metadata(const layer_info *const *layers, size_t n_layers, const char *name,
                      seed_format format, const double b[4], int minzoom, int maxzoom) {
  json_t *doc = n_layers ? tiles_tilejson(layers, n_layers, "", NULL, "") : json_object();
  if (!doc) return NULL;
  json_object_del(doc, "tiles");
  json_object_del(doc, "tilejson");
  json_object_del(doc, "scheme");
  if (format != SEED_PBF) json_object_del(doc, "vector_layers");
  if (name) json_object_set_new(doc, "name", json_string(name));
  if (!json_object_get(doc, "version")) json_object_set_new(doc, "version", json_string("1.0.0"));
  json_object_set_new(doc, "format", json_string(format == SEED_PBF ? "pbf" : "png"));
  json_object_set_new(doc, "type", json_string("overlay"));
  json_object_set_new(doc, "bounds", json_pack("[f,f,f,f]", b[0], b[1], b[2], b[3]));
  /* the server's TileJSON centres two zooms in; an archive's zooms may not include that one */
  json_int_t cz = json_integer_value(json_array_get(json_object_get(doc, "center"), 2));
  if (cz < minzoom || cz > maxzoom) cz = minzoom + 2 <= maxzoom ? minzoom + 2 : minzoom;
  json_object_set_new(doc, "center",
                      json_pack("[f,f,I]", (b[0] + b[2]) / 2, (b[1] + b[3]) / 2, cz));
  json_object_set_new(doc, "minzoom", json_integer(minzoom));
  json_object_set_new(doc, "maxzoom", json_integer(maxzoom));
  return doc;
}

err_code seed_meta_record(json_t *meta, const seed_options *o, const layer_info *const *layers,
                          size_t n_layers, err *e) {
  static const char *const FORMAT[] = {"pbf", "png", "png@2x"};
  json_t *versions = json_object();
  for (size_t i = 0; versions && i < n_layers; i++)
    json_object_set_new(versions, layers[i]->id, json_integer(layers[i]->version));
  /* output: the build whose code made the tiles; an incremental seed by another build remakes
   * nothing it would copy, so it refuses (incremental.c) */
  json_t *rec = versions ? json_pack("{s:s?,s:s?,s:s,s:o,s:s}", "layers", o->style ? NULL : o->layers,
                                     "style", o->style, "format", FORMAT[o->format], "versions",
                                     versions, "output", TESELAS_OUTPUT_ID)
                         : NULL;
  if (!rec || json_object_set_new(meta, "teselas:seed", rec) != 0)
    return err_set(e, ERR_NOMEM, "out of memory");
  return ERR_OK;
}
