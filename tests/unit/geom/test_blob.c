/* SpatiaLite BLOB and WKB decoding, the BLOB encoder, and hostile input.
 * The reference blobs were produced by SpatiaLite 5.0.1 itself (sqlite3 + mod_spatialite:
 * GeomFromText, CompressGeometry, EnableTinyPoint/MakePoint, AsBinary), so the decoder is checked
 * against the real format, not against our own encoder. */
#include "geom_fixture.h"

/* POINT(1 2), SRID 4326 */
static const char SPL_POINT[] =
    "0001E6100000000000000000F03F0000000000000040000000000000F03F00000000000000407C01000000000000"
    "000000F03F0000000000000040FE";
/* CompressGeometry(LINESTRING(1 2, 3 4, 5 6.5, 7 8)) */
static const char SPL_CLINE[] =
    "0001E6100000000000000000F03F00000000000000400000000000001C4000000000000020407C42420F00040000"
    "00000000000000F03F0000000000000040000000400000004000000040000020400000000000001C400000000000"
    "002040FE";
/* POINT Z(1 2 3) */
static const char SPL_POINTZ[] =
    "0001E6100000000000000000F03F0000000000000040000000000000F03F00000000000000407CE9030000000000"
    "000000F03F00000000000000400000000000000840FE";
/* MULTIPOLYGON(((0 0,10 0,10 10,0 10,0 0),(2 2,2 4,4 4,4 2,2 2)),((20 20,30 20,30 30,20 20))) */
static const char SPL_MPOLY[] =
    "0001E6100000000000000000000000000000000000000000000000003E400000000000003E407C06000000020000"
    "00690300000002000000050000000000000000000000000000000000000000000000000024400000000000000000"
    "00000000000024400000000000002440000000000000000000000000000024400000000000000000000000000000"
    "00000500000000000000000000400000000000000040000000000000004000000000000010400000000000001040"
    "00000000000010400000000000001040000000000000004000000000000000400000000000000040690300000001"
    "00000004000000000000000000344000000000000034400000000000003E4000000000000034400000000000003E"
    "400000000000003E4000000000000034400000000000003440FE";
/* CompressGeometry(MULTIPOLYGON Z(((0 0 1,10 0 1,10 10 1,0 10 1,0 0 1)))) */
static const char SPL_CMPOLYZ[] =
    "0001E610000000000000000000000000000000000000000000000000244000000000000024407CEE030000010000"
    "00692B460F00010000000500000000000000000000000000000000000000000000000000F03F0000204100000000"
    "00000000000000000000204100000000000020C1000000000000000000000000000000000000000000000000000000"
    "000000F03FFE";
/* GEOMETRYCOLLECTION(POINT(1 1), LINESTRING(0 0, 1 1)) */
static const char SPL_GC[] =
    "0001E610000000000000000000000000000000000000000000000000F03F000000000000F03F7C07000000020000"
    "006901000000000000000000F03F000000000000F03F6902000000020000000000000000000000000000000000000000"
    "0000000000F03F000000000000F03FFE";
/* LINESTRING M(1 2 5, 3 4 6) */
static const char SPL_LINEM[] =
    "0001E6100000000000000000F03F0000000000000040000000000000084000000000000010407CD2070000020000"
    "00000000000000F03F00000000000000400000000000001440000000000000084000000000000010400000000000"
    "001840FE";
/* CompressGeometry(LINESTRING ZM(1 2 3 4, 3 4 5 6, 4 5 6 7)) */
static const char SPL_CLINEZM[] =
    "0001E6100000000000000000F03F0000000000000040000000000000104000000000000014407CFA4D0F00030000"
    "00000000000000F03F000000000000004000000000000008400000000000001040000000400000004000000040000000"
    "00000018400000000000001040000000000000144000000000000018400000000000001C40FE";
/* TinyPoint XY (1 2) and XYZ (1 2 3) */
static const char SPL_TINY[] = "0081E610000001000000000000F03F0000000000000040FE";
static const char SPL_TINYZ[] =
    "0081E610000002000000000000F03F00000000000000400000000000000840FE";
/* AsBinary of SPL_MPOLY: OGC WKB, little endian */
static const char WKB_MPOLY[] =
    "01060000000200000001030000000200000005000000000000000000000000000000000000000000000000002440"
    "00000000000000000000000000002440000000000000244000000000000000000000000000002440000000000000"
    "00000000000000000000050000000000000000000040000000000000004000000000000000400000000000001040"
    "00000000000010400000000000001040000000000000104000000000000000400000000000000040000000000000"
    "004001030000000100000004000000000000000000344000000000000034400000000000003E4000000000000034"
    "400000000000003E400000000000003E4000000000000034400000000000003440";

typedef struct bytes {
  uint8_t b[2048];
  size_t n;
} bytes;

static bytes hex(const char *s) {
  bytes out = {{0}, 0};
  for (; s[0] && s[1]; s += 2) {
    unsigned v;
    sscanf(s, "%2x", &v);
    out.b[out.n++] = (uint8_t)v;
  }
  return out;
}

static geom decode_ok(arena *a, const char *h, int32_t *srid) {
  bytes b = hex(h);
  geom g;
  err e;
  err_code rc = geom_blob_decode(b.b, b.n, a, &g, srid, &e);
  if (rc) print_error("%s\n", e.msg);
  assert_int_equal(rc, ERR_OK);
  return g;
}

static void assert_same_geom(const geom *a, const geom *b) {
  assert_int_equal(a->type, b->type);
  assert_int_equal(a->n_pts, b->n_pts);
  assert_int_equal(a->n_parts, b->n_parts);
  assert_int_equal(a->n_polys, b->n_polys);
  fx_assert_map_pts(a->pts, b->pts, a->n_pts, 0);
  fx_assert_ends(a->part_end, b->part_end, a->n_parts);
  if (a->n_polys) fx_assert_ends(a->poly_end, b->poly_end, a->n_polys);
}

static void spatialite_reference_blobs(void **state) {
  arena *a = arena_create(0);
  int32_t srid = 0;
  geom g = decode_ok(a, SPL_POINT, &srid);
  assert_int_equal(srid, 4326);
  assert_int_equal(g.type, GEOM_POINT);
  assert_false(g.multi);
  fx_assert_map_pts(g.pts, (map_pt[]){{1, 2}}, 1, 0);

  g = decode_ok(a, SPL_CLINE, NULL);
  assert_int_equal(g.type, GEOM_LINESTRING);
  assert_int_equal(g.n_pts, 4);
  fx_assert_map_pts(g.pts, (map_pt[]){{1, 2}, {3, 4}, {5, 6.5}, {7, 8}}, 4, 0);

  g = decode_ok(a, SPL_POINTZ, NULL);
  fx_assert_map_pts(g.pts, (map_pt[]){{1, 2}}, 1, 0);

  g = decode_ok(a, SPL_MPOLY, NULL);
  assert_int_equal(g.type, GEOM_POLYGON);
  assert_true(g.multi);
  assert_int_equal(g.n_pts, 14);
  fx_assert_ends(g.part_end, (uint32_t[]){5, 10, 14}, 3);
  fx_assert_ends(g.poly_end, (uint32_t[]){2, 3}, 2);
  fx_assert_map_pts(g.pts + 10, (map_pt[]){{20, 20}, {30, 20}, {30, 30}, {20, 20}}, 4, 0);

  g = decode_ok(a, SPL_CMPOLYZ, NULL);
  assert_int_equal(g.n_polys, 1);
  fx_assert_map_pts(g.pts, (map_pt[]){{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}, 5, 0);

  g = decode_ok(a, SPL_GC, NULL); /* the point is dropped: lines dominate */
  assert_int_equal(g.type, GEOM_LINESTRING);
  assert_true(g.multi);
  assert_int_equal(g.n_pts, 2);

  g = decode_ok(a, SPL_LINEM, NULL);
  fx_assert_map_pts(g.pts, (map_pt[]){{1, 2}, {3, 4}}, 2, 0);
  g = decode_ok(a, SPL_CLINEZM, NULL);
  fx_assert_map_pts(g.pts, (map_pt[]){{1, 2}, {3, 4}, {4, 5}}, 3, 0);
  g = decode_ok(a, SPL_TINY, &srid);
  assert_int_equal(srid, 4326);
  fx_assert_map_pts(g.pts, (map_pt[]){{1, 2}}, 1, 0);
  g = decode_ok(a, SPL_TINYZ, NULL);
  fx_assert_map_pts(g.pts, (map_pt[]){{1, 2}}, 1, 0);
  arena_destroy(a);
}

static void encoder_writes_what_spatialite_writes(void **state) {
  arena *a = arena_create(0);
  const char *refs[] = {SPL_POINT, SPL_MPOLY};
  for (size_t i = 0; i < 2; i++) {
    bytes want = hex(refs[i]);
    geom g = decode_ok(a, refs[i], NULL);
    buf out;
    buf_init(&out, 0);
    assert_int_equal(geom_blob_encode(&g, 4326, &out, NULL), ERR_OK);
    assert_int_equal(out.len, want.n);
    assert_memory_equal(out.data, want.b, want.n);
    buf_free(&out);
  }
  arena_destroy(a);
}

static void round_trip(const geom *g, bool want_multi) {
  arena *a = arena_create(0);
  buf out;
  buf_init(&out, 0);
  assert_int_equal(geom_blob_encode(g, 3857, &out, NULL), ERR_OK);
  geom back;
  int32_t srid;
  assert_int_equal(geom_blob_decode(out.data, out.len, a, &back, &srid, NULL), ERR_OK);
  assert_int_equal(srid, 3857);
  assert_int_equal(back.multi, want_multi);
  assert_same_geom(&back, g);
  /* Every truncation, and the blob without its end mark, is rejected without reading past it:
   * copied to a heap block of exactly that size so ASan sees any overread. */
  for (size_t len = 0; len < out.len; len++) {
    uint8_t *cut = malloc(len ? len : 1);
    memcpy(cut, out.data, len);
    err e;
    assert_int_equal(geom_blob_decode(cut, len, a, &back, NULL, &e), ERR_INVALID);
    free(cut);
  }
  buf_free(&out);
  arena_destroy(a);
}

static void round_trips_and_truncations(void **state) {
  map_pt pt[] = {{-101.68, 21.12}};
  uint32_t pt_part[] = {1};
  geom point = FX_POINTS(pt, pt_part);
  round_trip(&point, false);

  map_pt ml[] = {{0, 0}, {1, 1}, {2, 0}, {5, 5}, {6, 7.5}};
  uint32_t ml_parts[] = {3, 5};
  geom mline = FX_LINES(ml, ml_parts);
  round_trip(&mline, true);

  map_pt mp[] = {{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0},
                 {2, 2}, {2, 4},  {4, 4},   {4, 2},  {2, 2},
                 {20, 20}, {30, 20}, {30, 30}, {20, 20}};
  uint32_t mp_parts[] = {5, 10, 14}, mp_polys[] = {2, 3};
  geom mpoly = FX_POLYS(mp, mp_parts, mp_polys);
  round_trip(&mpoly, true);

  geom single = FX_POLYS(mp, mp_parts, mp_polys);
  single.n_polys = 1;
  single.n_parts = 2;
  single.n_pts = 10;
  single.multi = true; /* a MULTIPOLYGON of one polygon stays MULTI */
  round_trip(&single, true);
  single.multi = false; /* and a POLYGON stays a POLYGON */
  round_trip(&single, false);
}

static void reference_truncations_and_corruptions(void **state) {
  const char *refs[] = {SPL_POINT, SPL_CLINE, SPL_POINTZ, SPL_MPOLY, SPL_CMPOLYZ,
                        SPL_GC,    SPL_LINEM, SPL_CLINEZM, SPL_TINY, SPL_TINYZ};
  arena *a = arena_create(0);
  for (size_t r = 0; r < sizeof refs / sizeof *refs; r++) {
    bytes b = hex(refs[r]);
    for (size_t len = 0; len < b.n; len++) {
      uint8_t *cut = malloc(len ? len : 1);
      memcpy(cut, b.b, len);
      geom g;
      assert_int_equal(geom_blob_decode(cut, len, a, &g, NULL, NULL), ERR_INVALID);
      free(cut);
    }
    /* Every byte replaced by a few nasty values: either a clean error or a valid decode. */
    static const uint8_t nasty[] = {0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF};
    for (size_t i = 0; i < b.n; i++) {
      for (size_t k = 0; k < sizeof nasty; k++) {
        uint8_t *mut = malloc(b.n);
        memcpy(mut, b.b, b.n);
        mut[i] = nasty[k];
        geom g;
        err_code rc = geom_blob_decode(mut, b.n, a, &g, NULL, NULL);
        assert_true(rc == ERR_OK || rc == ERR_INVALID);
        if (rc == ERR_OK) {
          geom_bbox bb;
          (void)geom_bbox_compute(&g, &bb);
        }
        free(mut);
      }
    }
  }
  arena_destroy(a);
}

static void wkb_matches_blob(void **state) {
  arena *a = arena_create(0);
  geom from_blob = decode_ok(a, SPL_MPOLY, NULL), from_wkb;
  bytes w = hex(WKB_MPOLY);
  assert_int_equal(geom_wkb_decode(w.b, w.n, a, &from_wkb, NULL), ERR_OK);
  assert_true(from_wkb.multi);
  assert_same_geom(&from_wkb, &from_blob);
  for (size_t len = 0; len < w.n; len++) {
    uint8_t *cut = malloc(len ? len : 1);
    memcpy(cut, w.b, len);
    assert_int_equal(geom_wkb_decode(cut, len, a, &from_wkb, NULL), ERR_INVALID);
    free(cut);
  }
  arena_destroy(a);
}

static void wkb_variants(void **state) {
  arena *a = arena_create(0);
  geom g;
  /* ISO POINT Z (1 2 3), little endian. */
  bytes b = hex("01E9030000000000000000F03F00000000000000400000000000000840");
  assert_int_equal(geom_wkb_decode(b.b, b.n, a, &g, NULL), ERR_OK);
  fx_assert_map_pts(g.pts, (map_pt[]){{1, 2}}, 1, 0);
  /* Big-endian LINESTRING(1 2, 3 4). */
  b = hex("000000000200000002"
          "3FF00000000000004000000000000000"
          "40080000000000004010000000000000");
  assert_int_equal(geom_wkb_decode(b.b, b.n, a, &g, NULL), ERR_OK);
  assert_int_equal(g.type, GEOM_LINESTRING);
  fx_assert_map_pts(g.pts, (map_pt[]){{1, 2}, {3, 4}}, 2, 0);
  /* EWKB POINT with the SRID flag (SRID 4326) and the Z flag. */
  b = hex("01010000A0E6100000000000000000F03F00000000000000400000000000000840");
  assert_int_equal(geom_wkb_decode(b.b, b.n, a, &g, NULL), ERR_OK);
  fx_assert_map_pts(g.pts, (map_pt[]){{1, 2}}, 1, 0);
  /* GEOMETRYCOLLECTION(POINT(5 5), POLYGON((0 0,1 0,1 1,0 0)), mixed byte orders): the polygon
   * dominates and the point is dropped. */
  b = hex("010700000002000000" "0101000000" "00000000000014400000000000001440"
          "00000000030000000100000004" "00000000000000000000000000000000"
          "3FF00000000000000000000000000000" "3FF00000000000003FF0000000000000"
          "00000000000000000000000000000000");
  assert_int_equal(geom_wkb_decode(b.b, b.n, a, &g, NULL), ERR_OK);
  assert_int_equal(g.type, GEOM_POLYGON);
  assert_int_equal(g.n_pts, 4);
  assert_int_equal(g.n_polys, 1);
  /* POINT EMPTY (NaN NaN): an empty point geometry. */
  b = hex("0101000000000000000000F87F000000000000F87F");
  assert_int_equal(geom_wkb_decode(b.b, b.n, a, &g, NULL), ERR_OK);
  assert_int_equal(g.n_pts, 0);
  assert_int_equal(g.type, GEOM_POINT);
  /* A MULTIPOINT holding a line, an infinite coordinate, a curve type, trailing bytes. */
  const char *bad[] = {
      "010400000001000000010200000000000000",
      "0101000000000000000000F07F0000000000000000",
      "010800000000000000",
      "0101000000000000000000F03F000000000000004000",
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    b = hex(bad[i]);
    assert_int_equal(geom_wkb_decode(b.b, b.n, a, &g, NULL), ERR_INVALID);
  }
  arena_destroy(a);
}

static void wkb_nesting_is_bounded(void **state) {
  /* 100 nested GEOMETRYCOLLECTIONs, each of one member: rejected past 32, no deep recursion. */
  bytes b = {{0}, 0};
  for (int i = 0; i < 100; i++) {
    memcpy(b.b + b.n, "\x01\x07\x00\x00\x00\x01\x00\x00\x00", 9);
    b.n += 9;
  }
  memcpy(b.b + b.n, "\x01\x01\x00\x00\x00", 5);
  b.n += 5 + 16;
  arena *a = arena_create(0);
  geom g;
  assert_int_equal(geom_wkb_decode(b.b, b.n, a, &g, NULL), ERR_INVALID);
  arena_destroy(a);
}

static void huge_counts_fail_fast(void **state) {
  /* A LINESTRING claiming 2^32 - 1 points in a 60-byte blob. */
  bytes b = hex(SPL_CLINE);
  b.b[43] = b.b[44] = b.b[45] = b.b[46] = 0xFF;
  arena *a = arena_create(1 << 20);
  geom g;
  assert_int_equal(geom_blob_decode(b.b, b.n, a, &g, NULL, NULL), ERR_INVALID);
  assert_int_equal(arena_used(a), 0);
  arena_destroy(a);
}

static void decode_fails_cleanly_on_every_allocation(void **state) {
  bytes b = hex(SPL_MPOLY);
  for (size_t n = 1;; n++) {
    arena *a = arena_create(0);
    arena_fail_after(a, n);
    geom g;
    err e;
    err_code rc = geom_blob_decode(b.b, b.n, a, &g, NULL, &e);
    arena_destroy(a);
    if (rc == ERR_OK) break;
    assert_int_equal(rc, ERR_NOMEM);
    assert_true(n < 10);
  }
}

static void encoder_rejects_empty_and_broken(void **state) {
  buf out;
  buf_init(&out, 0);
  geom empty = {GEOM_POLYGON, false, NULL, NULL, NULL, 0, 0, 0};
  assert_int_equal(geom_blob_encode(&empty, 4326, &out, NULL), ERR_INVALID);
  map_pt p[] = {{0, 0}, {1, 1}};
  uint32_t parts[] = {3}; /* past the points */
  geom broken = FX_LINES(p, parts);
  assert_int_equal(geom_blob_encode(&broken, 4326, &out, NULL), ERR_INVALID);
  buf_free(&out);
  buf small;
  buf_init(&small, 10);
  uint32_t ok_parts[] = {2};
  geom line = FX_LINES(p, ok_parts);
  assert_int_equal(geom_blob_encode(&line, 4326, &small, NULL), ERR_LIMIT);
  buf_free(&small);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(spatialite_reference_blobs),
      cmocka_unit_test(encoder_writes_what_spatialite_writes),
      cmocka_unit_test(round_trips_and_truncations),
      cmocka_unit_test(reference_truncations_and_corruptions),
      cmocka_unit_test(wkb_matches_blob),
      cmocka_unit_test(wkb_variants),
      cmocka_unit_test(wkb_nesting_is_bounded),
      cmocka_unit_test(huge_counts_fail_fast),
      cmocka_unit_test(decode_fails_cleanly_on_every_allocation),
      cmocka_unit_test(encoder_rejects_empty_and_broken),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
