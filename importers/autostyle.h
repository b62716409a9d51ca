/* autostyle.h — the automatic style of a layer, chosen at import from its data and stored with
 * the version (render/auto*.c draws it). */
#ifndef TESELAS_IMPORTERS_AUTOSTYLE_H
#define TESELAS_IMPORTERS_AUTOSTYLE_H

#include <stddef.h>

#include "core/err.h"
#include "store/store.h"

enum {
  AUTOSTYLE_MAX_CATEGORIES = 12, /* one colour each; more values are not a categorical field */
  AUTOSTYLE_CLASSES = 5,         /* graduated classes by default */
  AUTOSTYLE_MAX_CLASSES = 9      /* the longest ColorBrewer sequential scheme */
};

/* Profiles the features added to w so far and stores the style description with the version
 * (store_writer_set_style):
 *   {"kind": "categories" | "classes" | "single", "field": F | null, "chosen": "auto" |
 *    "definition", "geometry": "Point" | "LineString" | "Polygon",
 *    "categories": [{"value": V, "count": N}, ...], "other": N, "missing": N,   (categories)
 *    "method": "quantiles", "limits": [min, l1, ..., max], "counts": [N, ...],  (classes)
 *    "label": F | null}
 * override is NULL (choose from the data) or the JSON text of a definition's "style":
 * {"by": F} or {"graduated": F, "classes": N}. Errors: ERR_INVALID when the override names a
 * field the layer does not have (or a graduated field that is not numeric), ERR_DB, ERR_NOMEM. */
err_code import_autostyle(store_writer *w, const layer_field *fields, size_t n_fields,
                          const char *override, err *e);

/* Checks the shape of a definition's "style" value; ERR_INVALID naming what is wrong. */
err_code import_autostyle_check(const char *override_json, err *e);

#endif
