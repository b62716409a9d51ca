/* pmtiles.c — PMTiles v3 header, Hilbert tile ids and directories (see pmtiles.h). */
#include "archive/pmtiles.h"

#include <stdlib.h>
#include <string.h>

/* ---- little-endian fields of the header ---- */

static void put_u64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void put_i32(uint8_t *p, int32_t v) {
  uint32_t u = (uint32_t)v;
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(u >> (8 * i));
}
static uint64_t get_u64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
  return v;
}
static int32_t get_i32(const uint8_t *p) {
  uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
  return (int32_t)u;
}

void pmtiles_header_write(const pmtiles_header *h, uint8_t out[PMTILES_HEADER_LEN]) {
  memcpy(out, "PMTiles", 7);
  out[7] = 3;
  const uint64_t u[11] = {h->root_offset,     h->root_length,      h->metadata_offset,
                          h->metadata_length, h->leaf_offset,      h->leaf_length,
                          h->data_offset,     h->data_length,      h->n_addressed_tiles,
                          h->n_tile_entries,  h->n_tile_contents};
  for (int i = 0; i < 11; i++) put_u64(out + 8 + 8 * i, u[i]);
  out[96] = h->clustered ? 1 : 0;
  out[97] = h->internal_compression;
  out[98] = h->tile_compression;
  out[99] = h->tile_type;
  out[100] = h->min_zoom;
  out[101] = h->max_zoom;
  put_i32(out + 102, h->min_lon_e7);
  put_i32(out + 106, h->min_lat_e7);
  put_i32(out + 110, h->max_lon_e7);
  put_i32(out + 114, h->max_lat_e7);
  out[118] = h->center_zoom;
  put_i32(out + 119, h->center_lon_e7);
  put_i32(out + 123, h->center_lat_e7);
}

/* A section [off, off+len) inside a file of size bytes, without overflow. */
static bool section_fits(uint64_t off, uint64_t len, uint64_t size) {
  return off <= size && len <= size - off;
}

err_code pmtiles_header_read(const uint8_t *in, size_t n, uint64_t file_size, pmtiles_header *h,
                             err *e) {
  if (n < PMTILES_HEADER_LEN) return err_set(e, ERR_INVALID, "pmtiles: header shorter than 127 bytes");
  if (memcmp(in, "PMTiles", 7) != 0) return err_set(e, ERR_INVALID, "pmtiles: not a PMTiles file");
  if (in[7] != 3) return err_set(e, ERR_INVALID, "pmtiles: version %u (only 3 is read)", in[7]);
  memset(h, 0, sizeof *h);
  uint64_t *u[11] = {&h->root_offset,     &h->root_length,      &h->metadata_offset,
                     &h->metadata_length, &h->leaf_offset,      &h->leaf_length,
                     &h->data_offset,     &h->data_length,      &h->n_addressed_tiles,
                     &h->n_tile_entries,  &h->n_tile_contents};
  for (int i = 0; i < 11; i++) *u[i] = get_u64(in + 8 + 8 * i);
  h->clustered = in[96] == 1;
  h->internal_compression = in[97];
  h->tile_compression = in[98];
  h->tile_type = in[99];
  h->min_zoom = in[100];
  h->max_zoom = in[101];
  h->min_lon_e7 = get_i32(in + 102);
  h->min_lat_e7 = get_i32(in + 106);
  h->max_lon_e7 = get_i32(in + 110);
  h->max_lat_e7 = get_i32(in + 114);
  h->center_zoom = in[118];
  h->center_lon_e7 = get_i32(in + 119);
  h->center_lat_e7 = get_i32(in + 123);
  if (in[96] > 1) return err_set(e, ERR_INVALID, "pmtiles: clustered flag %u", in[96]);
  if (h->internal_compression > PMTILES_COMPRESSION_ZSTD || h->tile_compression > PMTILES_COMPRESSION_ZSTD)
    return err_set(e, ERR_INVALID, "pmtiles: unknown compression");
  if (h->tile_type > PMTILES_TYPE_AVIF) return err_set(e, ERR_INVALID, "pmtiles: unknown tile type %u", h->tile_type);
  if (h->min_zoom > h->max_zoom || h->max_zoom > PMTILES_MAX_ZOOM)
    return err_set(e, ERR_INVALID, "pmtiles: zooms %u..%u", h->min_zoom, h->max_zoom);
  if (h->root_offset < PMTILES_HEADER_LEN || !section_fits(h->root_offset, h->root_length, 16384))
    return err_set(e, ERR_INVALID, "pmtiles: root directory outside the first 16 KiB");
  if (file_size) {
    const struct { uint64_t off, len; const char *name; } s[] = {
        {h->root_offset, h->root_length, "root directory"},
        {h->metadata_offset, h->metadata_length, "metadata"},
        {h->leaf_offset, h->leaf_length, "leaf directories"},
        {h->data_offset, h->data_length, "tile data"}};
    for (size_t i = 0; i < sizeof s / sizeof *s; i++)
      if (!section_fits(s[i].off, s[i].len, file_size))
        return err_set(e, ERR_INVALID, "pmtiles: %s past the end of the file", s[i].name);
  }
  return ERR_OK;
}

/* ---- tile ids: the zoom's first id plus the position on its Hilbert curve ---- */

/* Sum of 4^k for k < z: the number of tiles of the zooms before z. */
static uint64_t first_id(unsigned z) { return ((UINT64_C(1) << (2 * z)) - 1) / 3; }

static void rotate(uint64_t s, uint64_t *x, uint64_t *y, uint64_t rx, uint64_t ry) {
  if (ry) return;
  if (rx) {
    *x = s - 1 - *x;
    *y = s - 1 - *y;
  }
  uint64_t t = *x;
  *x = *y;
  *y = t;
}

bool pmtiles_zxy_to_id(unsigned z, uint32_t x, uint32_t y, uint64_t *out) {
  if (z > PMTILES_MAX_ZOOM) return false;
  uint64_t n = UINT64_C(1) << z, px = x, py = y, d = 0;
  if (px >= n || py >= n) return false;
  for (uint64_t s = n / 2; s > 0; s /= 2) {
    uint64_t rx = (px & s) ? 1 : 0, ry = (py & s) ? 1 : 0;
    d += s * s * ((3 * rx) ^ ry);
    rotate(s, &px, &py, rx, ry);
  }
  *out = first_id(z) + d;
  return true;
}

bool pmtiles_id_to_zxy(uint64_t id, unsigned *z, uint32_t *x, uint32_t *y) {
  unsigned zz = 0;
  while (zz < PMTILES_MAX_ZOOM && id >= first_id(zz + 1)) zz++;
  uint64_t t = id - first_id(zz), n = UINT64_C(1) << zz;
  if (t >= n * n) return false; /* past zoom 31 */
  uint64_t px = 0, py = 0;
  for (uint64_t s = 1; s < n; s *= 2) {
    uint64_t rx = 1 & (t / 2), ry = 1 & (t ^ rx);
    rotate(s, &px, &py, rx, ry);
    px += s * rx;
    py += s * ry;
    t /= 4;
  }
  *z = zz;
  *x = (uint32_t)px;
  *y = (uint32_t)py;
  return true;
}

/* ---- directories: varint columns (ids as deltas, runs, lengths, offsets) ---- */

/* Writes v as a varint at p (room for 10 bytes); returns the end. */
static uint8_t *put_varint(uint8_t *p, uint64_t v) {
  do {
    *p = (uint8_t)(v & 0x7f);
    v >>= 7;
    if (v) *p |= 0x80;
    p++;
  } while (v);
  return p;
}

static size_t varint_len(uint64_t v) {
  size_t n = 1;
  while (v >>= 7) n++;
  return n;
}

/* The offset column's value of entry i: 0 right after the previous entry's bytes (clustered
 * archives store few offsets), else the offset + 1. */
static uint64_t offset_field(const pmtiles_entry *d, size_t i) {
  return i && d[i].offset == d[i - 1].offset + d[i - 1].length ? 0 : d[i].offset + 1;
}

bool pmtiles_dir_encode(const pmtiles_entry *d, size_t n, buf *out) {
  /* sized first, then written in place: an append per varint was half of encoding the demo's
   * root (4,230 entries), and room for the longest varints a page fault a few KB */
  size_t len = varint_len(n);
  for (size_t i = 0; i < n; i++)
    len += varint_len(d[i].tile_id - (i ? d[i - 1].tile_id : 0)) + varint_len(d[i].run_length) +
           varint_len(d[i].length) + varint_len(offset_field(d, i));
  if (!buf_reserve(out, len)) return false;
  uint8_t *p = out->data + out->len;
  p = put_varint(p, n);
  for (size_t i = 0; i < n; i++) p = put_varint(p, d[i].tile_id - (i ? d[i - 1].tile_id : 0));
  for (size_t i = 0; i < n; i++) p = put_varint(p, d[i].run_length);
  for (size_t i = 0; i < n; i++) p = put_varint(p, d[i].length);
  for (size_t i = 0; i < n; i++) p = put_varint(p, offset_field(d, i));
  out->len += len;
  return true;
}

typedef struct reader {
  const uint8_t *p, *end;
} reader;

static bool get_varint(reader *r, uint64_t *out) {
  uint64_t v = 0;
  for (unsigned shift = 0; shift < 64; shift += 7) {
    if (r->p == r->end) return false;
    uint8_t b = *r->p++;
    if (shift == 63 && b > 1) return false; /* more than 64 bits */
    v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *out = v;
      return true;
    }
  }
  return false;
}

static err_code decode_columns(reader *r, pmtiles_entry *d, size_t n, err *e) {
  uint64_t v, id = 0;
  for (size_t i = 0; i < n; i++) {
    if (!get_varint(r, &v)) return err_set(e, ERR_INVALID, "pmtiles: directory truncated (ids)");
    if ((i && v == 0) || v > UINT64_MAX - id)
      return err_set(e, ERR_INVALID, "pmtiles: directory ids not increasing at entry %zu", i);
    id += v;
    d[i].tile_id = id;
  }
  for (size_t i = 0; i < n; i++) {
    if (!get_varint(r, &v) || v > UINT32_MAX)
      return err_set(e, ERR_INVALID, "pmtiles: bad run length at entry %zu", i);
    d[i].run_length = (uint32_t)v;
  }
  for (size_t i = 0; i < n; i++) {
    if (!get_varint(r, &v) || v == 0 || v > UINT32_MAX)
      return err_set(e, ERR_INVALID, "pmtiles: bad length at entry %zu", i);
    d[i].length = (uint32_t)v;
  }
  for (size_t i = 0; i < n; i++) {
    if (!get_varint(r, &v)) return err_set(e, ERR_INVALID, "pmtiles: directory truncated (offsets)");
    if (v == 0) {
      if (i == 0) return err_set(e, ERR_INVALID, "pmtiles: first entry has no offset");
      if (d[i - 1].offset > UINT64_MAX - d[i - 1].length)
        return err_set(e, ERR_INVALID, "pmtiles: offset overflow at entry %zu", i);
      d[i].offset = d[i - 1].offset + d[i - 1].length;
    } else {
      d[i].offset = v - 1;
    }
  }
  return ERR_OK;
}

err_code pmtiles_dir_decode(const uint8_t *in, size_t n, size_t max_entries, pmtiles_entry **out,
                            size_t *out_n, err *e) {
  *out = NULL;
  *out_n = 0;
  reader r = {in, in + n};
  uint64_t count;
  if (!get_varint(&r, &count)) return err_set(e, ERR_INVALID, "pmtiles: empty directory");
  /* Each entry takes at least four bytes, so a count past that is a lie about the bytes. */
  if (count > max_entries || count > (uint64_t)(r.end - r.p) / 4)
    return err_set(e, ERR_INVALID, "pmtiles: directory claims %llu entries", (unsigned long long)count);
  pmtiles_entry *d = count ? calloc((size_t)count, sizeof *d) : NULL;
  if (count && !d) return err_set(e, ERR_NOMEM, "pmtiles: directory of %llu entries", (unsigned long long)count);
  err_code rc = decode_columns(&r, d, (size_t)count, e);
  if (rc == ERR_OK && r.p != r.end) rc = err_set(e, ERR_INVALID, "pmtiles: bytes after the directory");
  if (rc != ERR_OK) {
    free(d);
    return rc;
  }
  *out = d;
  *out_n = (size_t)count;
  return ERR_OK;
}

const pmtiles_entry *pmtiles_dir_find(const pmtiles_entry *d, size_t n, uint64_t tile_id) {
  size_t lo = 0, hi = n; /* the last entry with tile_id <= the one sought is at lo - 1 */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (d[mid].tile_id <= tile_id) lo = mid + 1;
    else hi = mid;
  }
  if (lo == 0) return NULL;
  const pmtiles_entry *c = &d[lo - 1];
  if (c->run_length == 0) return c;
  return tile_id - c->tile_id < c->run_length ? c : NULL;
}
