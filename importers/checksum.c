/* checksum.c — SHA-256 through nettle (see checksum.h). */
#include "importers/checksum.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

void checksum_init(checksum_ctx *c) { sha256_init(&c->sha); }

void checksum_update(checksum_ctx *c, const void *data, size_t len) {
  sha256_update(&c->sha, len, data);
}

void checksum_final_hex(checksum_ctx *c, char out_hex[65]) {
  uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_digest(&c->sha, sizeof digest, digest);
  static const char HEX[] = "0123456789abcdef";
  for (size_t i = 0; i < sizeof digest; i++) {
    out_hex[2 * i] = HEX[digest[i] >> 4];
    out_hex[2 * i + 1] = HEX[digest[i] & 15];
  }
  out_hex[64] = '\0';
}

err_code checksum_update_file(checksum_ctx *c, const char *path, err *e) {
  FILE *f = fopen(path, "rb");
  if (!f) return err_set(e, ERR_IO, "no se puede leer %s: %s", path, strerror(errno));
  uint8_t block[65536];
  size_t n;
  while ((n = fread(block, 1, sizeof block, f)) > 0) checksum_update(c, block, n);
  bool bad = ferror(f);
  fclose(f);
  return bad ? err_set(e, ERR_IO, "error al leer %s", path) : ERR_OK;
}
