/* pbf.h — the smallest protobuf writer MVT needs, over a core/buf (so its byte limit and sticky
 * failure apply: every function returns false once the buffer failed, and the caller checks once).
 *
 * Length-delimited fields are written size-first: the caller computes the body's size (the
 * *_size helpers below), writes the header with pbf_put_len_header and then the body. We chose that
 * over reserve-then-backpatch because the layer, the one large message, knows its size when it is
 * finished (features are encoded as they come, keys and values sizes are tracked), so nothing is
 * ever moved, and every length is a canonical minimal varint — a 5-byte reserved slot would either
 * need a memmove of the whole layer or a padded varint that some strict decoders reject. */
#ifndef TESELAS_MVT_PBF_H
#define TESELAS_MVT_PBF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

typedef enum pbf_wire {
  PBF_WIRE_VARINT = 0,
  PBF_WIRE_I64 = 1,
  PBF_WIRE_LEN = 2,
  PBF_WIRE_I32 = 5
} pbf_wire;

enum { PBF_VARINT_MAX = 10 };

/* Bytes a varint of v takes (1..10). */
size_t pbf_varint_size(uint64_t v);
/* Bytes of a field tag (field number and wire type). */
size_t pbf_tag_size(uint32_t field);
/* Bytes of a whole length-delimited field whose body has body_len bytes. */
size_t pbf_len_field_size(uint32_t field, size_t body_len);
/* Body bytes of a packed repeated uint32 field holding v[0..n). */
size_t pbf_packed_uint32_size(const uint32_t *v, size_t n);

/* ZigZag (protobuf sint): small magnitudes of either sign become small unsigned numbers. */
uint64_t pbf_zigzag64(int64_t v);
uint32_t pbf_zigzag32(int32_t v);

bool pbf_put_varint(buf *b, uint64_t v);
bool pbf_put_tag(buf *b, uint32_t field, pbf_wire wire);
/* Field with wire type varint: uint32/uint64/enum/bool values. */
bool pbf_put_uint_field(buf *b, uint32_t field, uint64_t v);
/* sint64 field (zigzag varint). */
bool pbf_put_sint_field(buf *b, uint32_t field, int64_t v);
/* double field (little-endian fixed64). */
bool pbf_put_double_field(buf *b, uint32_t field, double v);
/* Tag and length of a length-delimited field; the caller appends exactly body_len bytes next. */
bool pbf_put_len_header(buf *b, uint32_t field, size_t body_len);
/* A whole length-delimited field: string, bytes, or an already encoded message. */
bool pbf_put_bytes_field(buf *b, uint32_t field, const void *p, size_t n);
/* Packed repeated uint32 (nothing is written for n == 0: an empty packed field is absent). */
bool pbf_put_packed_uint32(buf *b, uint32_t field, const uint32_t *v, size_t n);

#endif
