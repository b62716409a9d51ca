/* guard_zip.c — a .zip or .kmz read through its central directory (minizip) before GDAL or the
 * KMZ extraction touches it: an entry named with an absolute path or "..", or stored as a
 * symbolic link, refuses the file; so do an uncompressed total or an expansion ratio past the
 * limits (a zip bomb is refused from sizes alone, nothing inflated), and a .dbf whose header
 * claims more records than allowed or than its size can hold (read: its first 32 bytes).
 *
 * The sizes are those the archive declares; the one extraction teselas does (a KMZ's document,
 * source.c) copies through guard_copy_bounded, so an archive that lies about them is cut short
 * there too. Real archives measured: shapefile and KMZ deliveries expand 2.7 to 4.4 times, so
 * the default ratio of 100 leaves a wide margin. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unzip.h>

#include "importers/guard_int.h"

enum { ZIP_MAX_ENTRIES = 10000 };

static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

err_code guard_dbf_header(const char *label, const uint8_t *hdr, size_t n, uint64_t size,
                          const import_limits *lim, err *e) {
  if (n < 32) return err_set(e, ERR_INVALID, "%s: la cabecera del .dbf está incompleta", label);
  uint64_t records = le32(hdr + 4);
  uint64_t header_len = (uint64_t)hdr[8] | (uint64_t)hdr[9] << 8;
  uint64_t record_len = (uint64_t)hdr[10] | (uint64_t)hdr[11] << 8;
  if (records > (uint64_t)lim->rows)
    return err_set(e, ERR_LIMIT, "%s: la cabecera del .dbf dice tener %llu registros; el límite "
                   "es %lld (--max-rows)", label, (unsigned long long)records, (long long)lim->rows);
  /* dBASE: header, records, and an optional end-of-file byte (0x1A) */
  if (records && header_len + records * record_len > size + 1)
    return err_set(e, ERR_INVALID, "%s: la cabecera del .dbf dice tener %llu registros de %llu "
                   "bytes, pero el archivo tiene %llu bytes", label, (unsigned long long)records,
                   (unsigned long long)record_len, (unsigned long long)size);
  return ERR_OK;
}

/* An absolute name ("/x", "\\x", "C:x") or a ".." component. */
static bool escapes(const char *name) {
  if (name[0] == '/' || name[0] == '\\' || (name[0] && name[1] == ':')) return true;
  for (const char *p = name; *p;) {
    size_t k = strcspn(p, "/\\");
    if (k == 2 && p[0] == '.' && p[1] == '.') return true;
    p += k + (p[k] != '\0');
  }
  return false;
}

/* One entry: its name, link bit, and a .dbf's header. */
static err_code check_entry(unzFile z, const char *path, const char *name,
                            const unz_file_info64 *info, const import_limits *lim, err *e) {
  if (escapes(name))
    return err_set(e, ERR_INVALID, "%s: la entrada '%.200s' sale del archivo (ruta absoluta o "
                   "'..'): no se extrae nada", path, name);
  /* made on Unix (high byte 3): the mode is in the high half of the external attributes */
  if (info->version >> 8 == 3 && S_ISLNK((mode_t)(info->external_fa >> 16)))
    return err_set(e, ERR_INVALID, "%s: la entrada '%.200s' es un enlace simbólico", path, name);
  if (!guard_has_ext(name, ".dbf")) return ERR_OK;
  uint8_t hdr[32];
  int got = 0;
  if (unzOpenCurrentFile(z) == UNZ_OK) {
    got = unzReadCurrentFile(z, hdr, sizeof hdr);
    unzCloseCurrentFile(z);
  }
  char label[600];
  snprintf(label, sizeof label, "%s (%.200s)", path, name);
  return guard_dbf_header(label, hdr, got > 0 ? (size_t)got : 0, info->uncompressed_size, lim, e);
}

err_code guard_zip(const char *path, const import_limits *lim, err *e) {
  struct stat st;
  if (stat(path, &st) != 0) return err_set(e, ERR_IO, "no existe el archivo %s", path);
  unzFile z = unzOpen64(path);
  if (!z) return err_set(e, ERR_INVALID, "%s no es un archivo zip válido", path);
  uint64_t total = 0, max_total = (uint64_t)lim->unzipped_mb << 20;
  err_code rc = ERR_OK;
  int n = 0;
  for (int r = unzGoToFirstFile(z); r == UNZ_OK && rc == ERR_OK; r = unzGoToNextFile(z)) {
    unz_file_info64 info;
    char name[1024];
    if (unzGetCurrentFileInfo64(z, &info, name, sizeof name, NULL, 0, NULL, 0) != UNZ_OK ||
        info.size_filename >= sizeof name) {
      rc = err_set(e, ERR_INVALID, "%s: la entrada %d del zip está dañada o tiene un nombre "
                   "demasiado largo", path, n + 1);
    } else if (++n > ZIP_MAX_ENTRIES) {
      rc = err_set(e, ERR_LIMIT, "%s tiene más de %d entradas", path, ZIP_MAX_ENTRIES);
    } else if ((total += info.uncompressed_size) > max_total ||
               info.uncompressed_size > max_total) {
      rc = err_set(e, ERR_LIMIT, "%s: descomprimido ocuparía más de %lld MB (entrada '%.200s'; "
                   "--max-unzipped-mb)", path, (long long)lim->unzipped_mb, name);
    } else {
      rc = check_entry(z, path, name, &info, lim, e);
    }
  }
  unzClose(z);
  if (rc == ERR_OK && st.st_size > 0 && total / (uint64_t)st.st_size > (uint64_t)lim->zip_ratio)
    rc = err_set(e, ERR_LIMIT, "%s se expande %llu veces al descomprimirlo (%llu bytes en %lld): "
                 "el límite es %lld (--max-zip-ratio)", path,
                 (unsigned long long)(total / (uint64_t)st.st_size), (unsigned long long)total,
                 (long long)st.st_size, (long long)lim->zip_ratio);
  return rc;
}
