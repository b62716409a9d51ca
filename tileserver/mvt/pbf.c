/* pbf.c — protobuf wire format (encoding only): varints, zigzag, tags, fixed64, length-delimited
 * and packed fields. Byte order is written by hand, so the host's endianness never matters. */
#include "mvt/pbf.h"

#include <stdint.h>
#include <string.h>

size_t pbf_varint_size(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

size_t pbf_tag_size(uint32_t field) { return pbf_varint_size((uint64_t)field << 3); }

size_t pbf_len_field_size(uint32_t field, size_t body_len) {
  return pbf_tag_size(field) + pbf_varint_size(body_len) + body_len;
}

size_t pbf_packed_uint32_size(const uint32_t *v, size_t n) {
  size_t total = 0;
  for (size_t i = 0; i < n; i++) total += pbf_varint_size(v[i]);
  return total;
}

/* Written with unsigned arithmetic: left-shifting a negative signed value is undefined in C. */
uint64_t pbf_zigzag64(int64_t v) {
  uint64_t u = (uint64_t)v;
  return (u << 1) ^ (v < 0 ? UINT64_MAX : 0);
}

uint32_t pbf_zigzag32(int32_t v) {
  uint32_t u = (uint32_t)v;
  return (u << 1) ^ (v < 0 ? UINT32_MAX : 0);
}

/* Writes v as a varint at p; returns the bytes written (at most PBF_VARINT_MAX). */
static size_t varint_at(uint8_t *p, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    p[n++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  p[n++] = (uint8_t)v;
  return n;
}

/* A tag and a varint in one append: a tile's fields are millions of small appends (a fifth of
 * the seed's instructions went to buf_append, three calls per bytes field; callgrind). */
static bool put_tag_varint(buf *b, uint32_t field, pbf_wire wire, uint64_t v) {
  uint8_t tmp[2 * PBF_VARINT_MAX];
  size_t n = varint_at(tmp, ((uint64_t)field << 3) | (uint64_t)wire);
  n += varint_at(tmp + n, v);
  return buf_append(b, tmp, n);
}

bool pbf_put_varint(buf *b, uint64_t v) {
  uint8_t tmp[PBF_VARINT_MAX];
  return buf_append(b, tmp, varint_at(tmp, v));
}

bool pbf_put_tag(buf *b, uint32_t field, pbf_wire wire) {
  return pbf_put_varint(b, ((uint64_t)field << 3) | (uint64_t)wire);
}

bool pbf_put_uint_field(buf *b, uint32_t field, uint64_t v) {
  return put_tag_varint(b, field, PBF_WIRE_VARINT, v);
}

bool pbf_put_sint_field(buf *b, uint32_t field, int64_t v) {
  return pbf_put_uint_field(b, field, pbf_zigzag64(v));
}

bool pbf_put_double_field(buf *b, uint32_t field, double v) {
  uint64_t u;
  memcpy(&u, &v, sizeof u);
  uint8_t o[8];
  for (int i = 0; i < 8; i++) o[i] = (uint8_t)(u >> (8 * i));
  pbf_put_tag(b, field, PBF_WIRE_I64);
  return buf_append(b, o, sizeof o);
}

bool pbf_put_len_header(buf *b, uint32_t field, size_t body_len) {
  return put_tag_varint(b, field, PBF_WIRE_LEN, body_len);
}

bool pbf_put_bytes_field(buf *b, uint32_t field, const void *p, size_t n) {
  uint8_t hdr[2 * PBF_VARINT_MAX];
  size_t h = varint_at(hdr, ((uint64_t)field << 3) | (uint64_t)PBF_WIRE_LEN);
  h += varint_at(hdr + h, n);
  if (!buf_reserve(b, n > SIZE_MAX - h ? SIZE_MAX : h + n)) return false; /* marks b failed */
  memcpy(b->data + b->len, hdr, h);
  if (n) memcpy(b->data + b->len + h, p, n);
  b->len += h + n;
  return true;
}

bool pbf_put_packed_uint32(buf *b, uint32_t field, const uint32_t *v, size_t n) {
  if (n == 0) return !b->failed;
  pbf_put_len_header(b, field, pbf_packed_uint32_size(v, n));
  /* Batched through a small stack buffer: one buf_append per ~50 values, not per value. */
  uint8_t tmp[512];
  size_t used = 0;
  for (size_t i = 0; i < n; i++) {
    if (used > sizeof tmp - 5) {
      buf_append(b, tmp, used);
      used = 0;
    }
    uint32_t x = v[i];
    while (x >= 0x80) {
      tmp[used++] = (uint8_t)(x | 0x80);
      x >>= 7;
    }
    tmp[used++] = (uint8_t)x;
  }
  return buf_append(b, tmp, used);
}
