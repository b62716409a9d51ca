/* fuzz_layerdef.c — libFuzzer target for the layer definitions of layers/ (importers/publish/
 * layerdef.c: what `teselas publish DIR` reads, and the catalog file _catalog.json): any text as
 * a definition and as a catalog file. A definition that reads has a layer id, a source, field
 * specs with names; a catalog area that reads is ordered and
 * inside CRS84's bounds or refused. A refusal names the file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "importers/publish/layerdef.h"

static const char NAME[] = "layers/fuzz.json";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 64 * 1024) return 0;
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  layer_def d;
  err e = {0};
  err_code rc = layerdef_parse(NAME, text, "sources", &d, &e);
  if (rc != ERR_OK && rc != ERR_INVALID && rc != ERR_NOMEM) abort();
  if (rc == ERR_INVALID && !strstr(e.msg, "fuzz.json")) abort();
  if (rc == ERR_OK) {
    const import_options *o = &d.opt;
    if (!o->layer_id || !o->layer_id[0] || !d.source[0]) abort();
    for (size_t i = 0; i < o->n_specs; i++)
      if (!o->specs[i].name || !o->specs[i].name[0]) abort();
  }
  layerdef_free(&d);
  catalog_def c;
  rc = layerdef_catalog_parse("layers/_catalog.json", text, &c, &e);
  if (rc != ERR_OK && rc != ERR_INVALID) abort();
  if (rc == ERR_OK && c.has_area && !c.clear_area &&
      !(c.area[0] < c.area[2] && c.area[1] < c.area[3] && c.area[0] >= -180 &&
        c.area[2] <= 180 && c.area[1] >= -90 && c.area[3] <= 90))
    abort();
  free(text);
  return 0;
}
