/* geom.h — planar geometries in a flat layout, Web Mercator tile math, and the pipeline that turns a
 * stored geometry into a tile geometry ready for the MVT encoder (MVT 2.1 §4.3).
 *
 * Pure functions: nothing here knows SQLite, GEOS or HTTP. Everything a function builds lives in the
 * arena it is given (one per request), so a caller never frees a geometry; an arena that fails
 * (cap reached, fault injected) turns into ERR_NOMEM and nothing leaks.
 *
 * Two coordinate types keep the spaces apart at compile time:
 *   map_pt   doubles: lon/lat (EPSG:4326), Web Mercator metres (EPSG:3857), or tile pixels before
 *            they are rounded; the clip and simplify stages are planar and work in any of them;
 *   tile_pt  int32 on the tile grid: the only thing the MVT encoder accepts, so a geometry that was
 *            not quantized cannot be encoded by mistake.
 *
 * Layout (both geom and tile_geom), a flat coordinate array with end offsets, as in liblwgeom's
 * pointarrays and geojson-vt's flat arrays, so one allocation per stage, not one per ring:
 *   pts[0 .. n_pts)                      every coordinate of every part, part after part;
 *   part_end[i]                          one past the last point of part i (a point set, a line, a
 *                                        ring); part i starts at part_end[i-1] (0 for i == 0);
 *   poly_end[j]  (polygons only)         one past the last ring of polygon j; its first ring is the
 *                                        exterior, the others are its holes. So multipolygons stay
 *                                        multi and a hole always knows its exterior.
 * Invariants: parts are non-empty and the offsets increase strictly; the last part_end is n_pts and
 * the last poly_end is n_parts; GEOM_POINT has exactly one part holding all its points; lines and
 * points have n_polys == 0. An empty geometry has n_pts == n_parts == n_polys == 0.
 * Rings of a geom are closed (last point repeats the first, as in WKB and SpatiaLite); rings of a
 * tile_geom are open (MVT 2.1 §4.3.4.4: the closing point is implied by ClosePath). */
#ifndef TESELAS_GEOM_GEOM_H
#define TESELAS_GEOM_GEOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"

/* Values equal MVT 2.1 GeomType, so the encoder writes them as they are. */
typedef enum geom_type {
  GEOM_NONE = 0,       /* empty or unknown */
  GEOM_POINT = 1,      /* point or multipoint */
  GEOM_LINESTRING = 2, /* linestring or multilinestring */
  GEOM_POLYGON = 3     /* polygon or multipolygon */
} geom_type;

typedef struct map_pt {
  double x, y;
} map_pt;

typedef struct tile_pt {
  int32_t x, y;
} tile_pt;

typedef struct geom_bbox {
  double min_x, min_y, max_x, max_y;
} geom_bbox;

typedef struct geom {
  geom_type type;
  bool multi; /* declared multi or collection in the source: kept so the blob writer round-trips */
  map_pt *pts;
  uint32_t *part_end;
  uint32_t *poly_end;
  uint32_t n_pts, n_parts, n_polys;
} geom;

typedef struct tile_geom {
  geom_type type;
  tile_pt *pts;
  uint32_t *part_end;
  uint32_t *poly_end;
  uint32_t n_pts, n_parts, n_polys;
} tile_geom;

/* First point of part i (the layout above). */
static inline uint32_t geom_part_start(const uint32_t *part_end, uint32_t i) {
  return i ? part_end[i - 1] : 0;
}

/* Bounding box of g's points; false (and *out_bbox untouched) when g is empty. */
bool geom_bbox_compute(const geom *g, geom_bbox *out_bbox);

/* True when g meets the closed box b (geom/relate.c): some point of a point set lies in it, some
 * segment of a line or ring touches it, or it lies inside a polygon (and in none of its holes).
 * Exact per part, unlike a test of g's bounding box; planar, in g's coordinates. An empty g or an
 * inverted box meets nothing. */
bool geom_intersects_bbox(const geom *g, geom_bbox b);

/* The anchor of a label for g (geom/anchor.c), in g's planar coordinates: the point, the middle
 * of the longest line, a point inside the largest polygon (its centroid when no horizontal span
 * is found). False for an empty geometry or a type without one. */
bool geom_label_anchor(const geom *g, map_pt *out);

/* ---- tile math (geom/tilemath.c): Web Mercator, the "Google" XYZ scheme, y = 0 at the north ---- */

enum { GEOM_ZOOM_MAX = 24 };

typedef struct geom_tile_id {
  uint32_t z, x, y;
} geom_tile_id;

/* Checks 0 <= z <= GEOM_ZOOM_MAX and 0 <= x, y < 2^z, and builds *out_tile. Signed inputs so a
 * caller passes what it parsed without casting away a minus sign. ERR_INVALID otherwise. */
err_code geom_tile_validate(int64_t z, int64_t x, int64_t y, geom_tile_id *out_tile, err *e);
bool geom_tile_valid(geom_tile_id t);

/* Tile bounds in degrees (min_y is the southern edge) and in EPSG:3857 metres. */
geom_bbox geom_tile_bounds_lonlat(geom_tile_id t);
geom_bbox geom_tile_bounds_merc(geom_tile_id t);

/* Half the side of the Web Mercator square in EPSG:3857 metres: pi times the WGS84 semi-major
 * axis (6378137 m). The one definition every module uses. */
#define GEOM_MERC_HALF 20037508.342789244

/* Latitude is clamped to ±85.0511287798° (the square Web Mercator world) so poles stay finite. */
map_pt geom_lonlat_to_merc(map_pt lonlat);
map_pt geom_merc_to_lonlat(map_pt merc);

/* Position inside tile t in tile units (0..extent across the tile, y down), as doubles; points
 * outside the tile give values below 0 or above extent. */
map_pt geom_lonlat_to_tile(map_pt lonlat, geom_tile_id t, uint32_t extent);
/* The two steps of geom_lonlat_to_tile: "world" coordinates (x east, y south, both 0..1 across
 * the Web Mercator square), then tile units. Their composition gives the same doubles. */
map_pt geom_lonlat_to_world(map_pt lonlat);
map_pt geom_world_to_tile(map_pt world, geom_tile_id t, uint32_t extent);
map_pt geom_merc_to_tile(map_pt merc, geom_tile_id t, uint32_t extent);

/* The tile pipeline's simplification tolerance at zoom z below a layer's maxzoom: 2 units of a
 * 4096-unit tile (1/8 of a 256-px pixel), as a fraction of the world (world coordinates). Vector
 * tiles, the ranked lines' copies and PNG tiles all simplify with it. */
double geom_tile_tolerance_world(int z);

/* Metres per pixel at the equator at zoom z for tiles of tile_size pixels (256: 156543.03 at z0). */
double geom_zoom_resolution(uint32_t z, uint32_t tile_size);

/* ---- decoding and encoding (geom/blob.c, geom/wkb.c) -------------------------------------------- */

/* Decodes a SpatiaLite geometry BLOB (the internal format: 0x00, endian, SRID, MBR, 0x7C, class,
 * body, 0xFE), including the XYZ/XYM/XYZM classes (Z and M are dropped), the compressed line and
 * polygon classes (1000000+) and TinyPoint blobs. The MBR stored in the blob is not trusted.
 * Collections: see geom_wkb_decode. *out_srid (may be NULL) receives the SRID.
 * Output arrays live in arena a. Errors: ERR_INVALID for anything malformed or truncated (never a
 * read out of bounds, the input is untrusted), ERR_NOMEM when the arena fails. */
err_code geom_blob_decode(const uint8_t *blob, size_t blob_len, arena *a, geom *out_g,
                          int32_t *out_srid, err *e);

/* The position of a little-endian XY POINT blob without a full decode (60 bytes, x at 43, y at
 * 51: 1M points decode 4x faster); false for any other blob, which geom_blob_decode reads. */
bool geom_blob_point(const uint8_t *blob, size_t blob_len, map_pt *out);

/* Decodes OGC WKB (ISO 1001/2001/3001 Z/M codes and the EWKB flag bits, whose SRID is skipped).
 * GEOMETRYCOLLECTIONs (nested up to 32 deep) are flattened to their dominant type: polygons if any
 * member is a polygon, else lines, else points; members of lower dimension are dropped, because
 * MVT 2.1 §4.3.4 has no collections and a feature has one type. POINT EMPTY (NaN, NaN) is dropped;
 * any other non-finite coordinate is ERR_INVALID. Ownership and errors as geom_blob_decode. */
err_code geom_wkb_decode(const uint8_t *wkb, size_t wkb_len, arena *a, geom *out_g, err *e);

/* Appends g as a little-endian XY SpatiaLite BLOB with its MBR and srid to out: POINT, LINESTRING
 * or POLYGON for a single member that was not declared multi, MULTI* otherwise. Errors:
 * ERR_INVALID for an empty geometry (store NULL instead) or a broken layout, ERR_LIMIT when out
 * reaches its limit, ERR_NOMEM. */
err_code geom_blob_encode(const geom *g, int32_t srid, buf *out, err *e);

/* ---- the pipeline stages (each a pure function over the flat layout) ---------------------------- */
/* Every stage writes its result to *out_*, allocated in arena a, and never modifies its input. A
 * stage with nothing to do returns its input's arrays (no copy), so an output may alias the input:
 * treat both as read-only and let the arena free them. Errors: ERR_NOMEM when the arena fails
 * (the output is then empty), ERR_LIMIT for geometries past 2^31 points. */

typedef enum geom_srs {
  GEOM_SRS_LONLAT = 4326, /* EPSG:4326 in lon, lat order (CRS84): how teselas stores geometries */
  GEOM_SRS_MERC = 3857    /* EPSG:3857 metres */
} geom_srs;

typedef struct geom_tile_opts {
  geom_tile_id tile;
  geom_srs srs;     /* space of the input geometry */
  uint32_t extent;  /* tile units across the tile (MVT 2.1 §4.1 layer extent), 1 .. 2^20 */
  uint32_t buffer;  /* tile units kept beyond each edge so strokes do not end at the seam */
  double tolerance; /* Douglas-Peucker tolerance in tile units; 0 keeps every point */
} geom_tile_opts;

/* Projects g from o->srs into tile units of o->tile (y down). Shares g's offset arrays. */
err_code geom_project(const geom *g, const geom_tile_opts *o, arena *a, geom *out_g, err *e);

/* Clips g to rect (inclusive). Points outside are dropped; a line that leaves and re-enters
 * becomes several parts; a ring is clipped as a whole (Sutherland-Hodgman, one stripe per axis as
 * in geojson-vt), and a polygon whose exterior vanishes loses its holes too. So a clipped polygon
 * covers the right area but may not be valid along rect's edges: parts of a concave ring are
 * joined by zero-width bridges there, and a hole cut by an edge keeps its run along it.
 * geom_seam_repair fixes that on the integer grid (geom_to_tile runs it); drawing with a fill
 * rule does not need it.
 * Trivial accept: when g's bbox is inside rect, *out_g = *g (same arrays, no work). Trivial reject:
 * when it is outside, *out_g is empty. */
err_code geom_clip_rect(const geom *g, geom_bbox rect, arena *a, geom *out_g, err *e);

/* Douglas-Peucker per part with an explicit stack (no recursion: stack use does not grow with the
 * number of points). Line and ring endpoints are kept; a ring left with fewer than 4 points
 * (closed) is dropped, and a polygon whose exterior is dropped loses its holes. tolerance <= 0, and
 * points, give *out_g = *g. */
err_code geom_simplify(const geom *g, double tolerance, arena *a, geom *out_g, err *e);

/* Rounds to the integer grid (half away from zero) and makes the result valid for MVT 2.1 §4.3:
 * drops consecutive repeated points, lines with fewer than 2 points, rings with fewer than 3
 * distinct points or zero area (and the closing point of every ring); orients exterior rings to a
 * positive surveyor's-formula area and holes to a negative one (§4.3.4.4), exteriors being the
 * first ring of each source polygon, not guessed from their sign; drops the holes of a polygon
 * whose exterior vanished. Coordinates must lie within ±2^28 (ERR_INVALID otherwise). */
err_code geom_quantize(const geom *g, arena *a, tile_geom *out_tg, err *e);

/* Makes each ring of tg's polygons simple where simplification and rounding folded or crossed
 * it, away from the boundary of the rectangle lo..hi (geom/untangle.c): spike tips are dropped;
 * where two edges meet, a loop wound against its ring (a twist) or without area is cut off, a
 * loop wound like it and touching it at a vertex becomes a ring of its own (a polygon, or a hole
 * of the same polygon), and of two loops joined by a crossing the smaller is cut off. Rings of
 * different polygons, or a hole against its exterior, are not compared. Input as geom_quantize
 * leaves it; output keeps its orientation rules, in arena a (*out_tg = *tg for non-polygons).
 * Errors: ERR_NOMEM (the output is then empty). */
err_code geom_untangle(const tile_geom *tg, tile_pt lo, tile_pt hi, arena *a, tile_geom *out_tg,
                       err *e);

/* Makes the polygons of tg valid along the boundary of the rectangle lo..hi (the buffered tile,
 * on the grid) where geom_clip_rect cut them: a polygon whose rings run over the same stretch of
 * the boundary (a bridge, a cut hole) or meet at a point on it is rebuilt by walking the boundary,
 * so bridged parts become separate polygons (the result stays multi), a cut hole becomes a notch
 * in its exterior, and a ring touching itself on the boundary becomes a ring and a hole that
 * touches it there. Nothing away from the boundary is changed. Input as geom_quantize leaves it
 * (exteriors of positive area, holes negative) with every point within the rectangle; the output
 * keeps that. Polygons that need nothing are copied as they are, and when none needs anything
 * *out_tg = *tg (no copy). Output in arena a. Errors: ERR_NOMEM (the output is then empty). */
err_code geom_seam_repair(const tile_geom *tg, tile_pt lo, tile_pt hi, arena *a,
                          tile_geom *out_tg, err *e);

/* The whole pipeline, in the order of the spec: bbox reject -> project to tile units -> clip to
 * the buffered tile (trivial accept/reject first) -> simplify -> quantize, dedupe, fix winding ->
 * repair polygons along the clip line (only when the clip cut something).
 * An empty *out_tg (n_pts == 0) with ERR_OK means "nothing of g in this tile": skip the feature.
 * Output in arena a. Errors: ERR_INVALID for bad options or coordinates, ERR_NOMEM. */
err_code geom_to_tile(const geom *g, const geom_tile_opts *o, arena *a, tile_geom *out_tg, err *e);

/* The rest of the pipeline for a geometry already in tile units of o->tile and already
 * simplified (a ranked line): bbox reject -> clip -> quantize -> repair polygons along the clip. */
err_code geom_projected_to_tile(const geom *g, const geom_tile_opts *o, arena *a,
                                tile_geom *out_tg, err *e);

/* ---- ranked lines (geom/ranked.c): lines stored for tiles ------------------------------------ */

/* The Douglas-Peucker rank of every vertex of line g (any planar coordinates): the vertices a
 * Douglas-Peucker run with tolerance t keeps are exactly those of rank > t * t (part ends have an
 * infinite rank). *out_rank: g->n_pts values in arena a. */
err_code geom_rank_line(const geom *g, arena *a, double **out_rank, err *e);
/* Writes line g (world coordinates) with the vertices of rank > min_rank as a ranked-line blob
 * into out (reset first); returns how many vertices it kept. */
uint32_t geom_ranked_write(const geom *g, const double *rank, double min_rank, buf *out);
/* True when b is a ranked-line blob (a SpatiaLite blob never is). */
bool geom_is_ranked(const uint8_t *b, size_t n);
/* The vertices of ranked-line blob b that the tolerance of o keeps, in tile units of o->tile
 * (parts left empty are dropped), and the whole line's bbox in tile units. ERR_INVALID for a
 * malformed blob. */
err_code geom_ranked_project(const uint8_t *b, size_t n, const geom_tile_opts *o, arena *a,
                             geom *out_g, geom_bbox *out_px, err *e);

#endif
