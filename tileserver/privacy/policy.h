/* policy.h — the privacy policy of a layer: what an import does to it before it is written, and
 * what every output path must honour afterwards (issue 8).
 *
 *   none        the layer is published as received (after the personal-data check);
 *   generalize  every point moves, irreversibly and at import, to the centre of its cell on a fixed
 *               grid of N metres (square or hexagonal, privacy/grid.h); dates may be truncated to
 *               the month; with k, points in cells holding fewer than k records are not published;
 *   aggregate   only counts are published: per cell of a grid (or per polygon of another layer),
 *               per category and per month, each withheld below k (privacy/kanon.h).
 *
 * A policy is written as a spec string on the command line (--privacy) and stored as a JSON object
 * in the catalog's `privacy` column. The grammar (keys in English, Spanish aliases accepted):
 *
 *   spec     = mode [ ":" param { "," param } ]
 *   mode     = "none" | "generalize" | "aggregate"            (alias: ninguna | generalizar | agregar)
 *   param    = "grid=" length                                  cell size of a square grid
 *            | "hex=" length                                   the same, hexagonal (= grid=L,shape=hex)
 *            | "shape=" ( "square" | "hex" )                   (alias: cuadrada | hexagonal)
 *            | "month" [ "=" bool ]                            generalize: dates truncated to month
 *            | "k=" integer                                    2 ..= 1000
 *            | "by=" field { "+" field }                       aggregate: category field(s)
 *            | "date=" field                                   aggregate: date field for months
 *            | "layer=" layer-id                               aggregate: polygons of another layer
 *   length   = number [ "m" | "km" ]                           50 m ..= 100 km
 *   bool     = "yes" | "no" | "true" | "false" | "si" | "sí" | "1" | "0"
 *
 * Rules: `none` takes no parameter; `generalize` needs grid (or hex) and takes shape, month, k;
 * `aggregate` needs exactly one of grid/hex or layer, takes k (default 5), by (repeatable), date
 * and shape (with a grid only). A parameter may appear once. Examples:
 *   generalize:grid=250,shape=hex,month,k=5     aggregate:grid=500,k=5,by=tipo,date=fecha
 *   aggregate:layer=colonias,k=5                generalize:hex=1km
 *
 * Field decisions made at import (a field dropped, or a personal field kept on purpose with
 * --keep-field) are part of the policy too, so the catalog records them.
 *
 * A policy is a plain value: fixed-size, no heap, copied freely. */
#ifndef TESELAS_PRIVACY_POLICY_H
#define TESELAS_PRIVACY_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

typedef enum privacy_mode {
  PRIVACY_MODE_NONE = 0,
  PRIVACY_MODE_GENERALIZE,
  PRIVACY_MODE_AGGREGATE
} privacy_mode;

typedef enum privacy_shape {
  PRIVACY_SHAPE_SQUARE = 0,
  PRIVACY_SHAPE_HEX
} privacy_shape;

enum {
  PRIVACY_NAME_MAX = 64,    /* a field or layer name, NUL included */
  PRIVACY_MAX_BY = 4,       /* category fields of an aggregate policy */
  PRIVACY_MAX_FIELDS = 32,  /* kept or dropped fields recorded */
  PRIVACY_REASON_MAX = 160, /* why a kept field looked personal */
  PRIVACY_EXACT_REASON_MAX = 400, /* why a layer published with exact locations looked sensitive */
  PRIVACY_K_DEFAULT = 5,    /* aggregate without k= */
  PRIVACY_K_MIN = 2,
  PRIVACY_K_MAX = 1000
};

#define PRIVACY_GRID_MIN_M 50.0
#define PRIVACY_GRID_MAX_M 100000.0

typedef struct privacy_kept_field {
  char name[PRIVACY_NAME_MAX];
  char reason[PRIVACY_REASON_MAX]; /* the detector's reason, in Spanish */
} privacy_kept_field;

typedef struct privacy_policy {
  privacy_mode mode;
  double grid_m;                    /* > 0 with a grid (generalize; aggregate without layer) */
  privacy_shape shape;
  bool month;                       /* generalize: dates truncated to the first of the month */
  int64_t k;                        /* 0 = no threshold (generalize only); else K_MIN..K_MAX */
  char layer[PRIVACY_NAME_MAX];     /* aggregate: polygons of this layer; "" = the grid */
  char by[PRIVACY_MAX_BY][PRIVACY_NAME_MAX];
  size_t n_by;
  char date_field[PRIVACY_NAME_MAX];/* aggregate: "" = no counts by month */
  privacy_kept_field kept[PRIVACY_MAX_FIELDS];
  size_t n_kept;
  char dropped[PRIVACY_MAX_FIELDS][PRIVACY_NAME_MAX];
  size_t n_dropped;
  /* none, chosen on purpose (--privacy none) for a layer that looks like incidents against
   * people: the catalog says "ubicaciones exactas" and why the layer looked sensitive */
  bool exact_decided;
  char exact_reason[PRIVACY_EXACT_REASON_MAX];
  /* generalize: the source's identifiers not published (the store numbers the records) and the
   * times of day coarsened to 6-hour bands (with month) */
  char ids_dropped[4][PRIVACY_NAME_MAX];
  size_t n_ids_dropped;
  char banded[4][PRIVACY_NAME_MAX];
  size_t n_banded;
} privacy_policy;

/* The policy of a layer without one: mode none, nothing kept or dropped. */
void privacy_policy_init(privacy_policy *p);

/* Parses a spec string (grammar above) into *out. ERR_INVALID with a message in Spanish that
 * quotes the offending part, e.g. `privacidad "generalize:grid=abc": en "grid=abc", ...`. */
err_code privacy_policy_parse(const char *spec, privacy_policy *out, err *e);

/* Checks the rules above on a policy built by hand or read from JSON. ERR_INVALID otherwise. */
err_code privacy_policy_validate(const privacy_policy *p, err *e);

/* Appends the canonical spec string ("aggregate:grid=500,shape=square,k=5,by=tipo,date=fecha"),
 * which parses back to the same policy (kept and dropped fields are not part of a spec). */
void privacy_policy_spec(const privacy_policy *p, buf *out);

/* Records an import decision. ERR_LIMIT past PRIVACY_MAX_FIELDS, ERR_INVALID for a name longer
 * than PRIVACY_NAME_MAX - 1; a name already recorded is not added twice. reason may be NULL. */
err_code privacy_policy_keep_field(privacy_policy *p, const char *name, const char *reason,
                                   err *e);
err_code privacy_policy_drop_field(privacy_policy *p, const char *name, err *e);
bool privacy_policy_is_kept(const privacy_policy *p, const char *name);
/* Records a source identifier not published / a time of day coarsened to 6-hour bands
 * (generalize). ERR_LIMIT past 4 of each; a name already recorded is not added twice. */
err_code privacy_policy_drop_id(privacy_policy *p, const char *name, err *e);
err_code privacy_policy_band_time(privacy_policy *p, const char *name, err *e);
/* Records that exact locations are published on purpose, and why the layer looked sensitive
 * (truncated at a character boundary to PRIVACY_EXACT_REASON_MAX - 1 bytes). Mode none only. */
void privacy_policy_decide_exact(privacy_policy *p, const char *reason);
bool privacy_policy_is_dropped(const privacy_policy *p, const char *name);

/* True when the published layer keeps exact locations (mode none): the detector then also treats
 * an age field as personal. */
bool privacy_policy_exact_locations(const privacy_policy *p);

/* ---- JSON (privacy/policy_json.c): the catalog's `privacy` column ------------------------- */

/* Appends the policy as one JSON object, e.g.
 *   {"mode":"generalize","spec":"generalize:grid=250,shape=hex,month,k=5","grid_m":250,
 *    "shape":"hex","month":true,"k":5,"min_count":5,"description":"Ubicaciones ...",
 *    "description_en":"Locations ...","kept_fields":[{"field":"obs","reason":"..."}],
 *    "dropped_fields":["nombre"]}
 * "min_count" repeats k for readers that know only that key (features/aggregate.c); the
 * descriptions are those of privacy_policy_describe, for the catalog page. Mode none without
 * field decisions gives "{}", the catalog's "no policy". */
void privacy_policy_to_json(const privacy_policy *p, buf *out);

/* Reads what privacy_policy_to_json wrote. Text "{}" or "" (a layer imported before policies
 * existed) gives mode none. Unknown keys are ignored (descriptions are regenerated, not read);
 * a known key of the wrong type or a policy breaking the rules is ERR_INVALID. */
err_code privacy_policy_from_json(const char *json, privacy_policy *out, err *e);

/* ---- descriptions for people (privacy/policy_text.c) --------------------------------------- */

typedef enum privacy_lang { PRIVACY_LANG_ES = 0, PRIVACY_LANG_EN } privacy_lang;

/* Appends one or two plain sentences saying what the policy does, for the catalog, the collection
 * metadata, TileJSON and the map pages, e.g. "Ubicaciones aproximadas a una cuadrícula de 250 m;
 * se omiten celdas con menos de 5 casos." Lengths over 1 km are written in km with the language's
 * decimal separator ("1,5 km" / "1.5 km"). Mode none says only which fields were dropped or kept
 * on purpose, and nothing when there are none. */
void privacy_policy_describe(const privacy_policy *p, privacy_lang lang, buf *out);

#endif
