/* publish.c — runs a set of layers/ definitions against a database: the catalog file first
 * (its area of interest is what the checks of every layer measure against), then each layer
 * through import_run. Unchanged sources are skipped by checksum, so a monthly or quarterly
 * schedule can run it blindly; one failing layer does not stop the others.
 *
 * It reads definitions and prints what happened; it never parses flags (tileserver/cli does) and
 * never knows where the definitions came from (a folder, or the binary itself for the demo). */
#include "importers/publish/publish.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "importers/publish/layerdef.h"
#include "store/store.h"

/* The catalog file's settings into the database; only what changed is written. */
static err_code apply_catalog(const publish_file *f, const publish_options *o, err *e) {
  catalog_def def;
  err_code rc = layerdef_catalog_parse(f->name, f->text, &def, e);
  if (rc != ERR_OK || !def.has_area) return rc;
  double have[4];
  bool found = false;
  if ((rc = store_area_get(o->db_path, have, &found, e)) != ERR_OK) return rc;
  if (def.clear_area ? !found : found && memcmp(have, def.area, sizeof have) == 0) return ERR_OK;
  if ((rc = store_area_set(o->db_path, def.clear_area ? NULL : def.area, e)) != ERR_OK) return rc;
  if (o->out && def.clear_area) fprintf(o->out, "catálogo: sin área de interés\n");
  else if (o->out)
    fprintf(o->out, "catálogo: área de interés %g,%g,%g,%g\n", def.area[0],
            def.area[1], def.area[2], def.area[3]);
  return ERR_OK;
}

/* The line a quiet run prints for a published layer: the version, and what the report found. */
static void print_published(FILE *out, const char *id, const import_result *res) {
  fprintf(out, "%s: versión %lld publicada", id, (long long)res->version);
  if (res->n_rejected || res->n_warnings)
    fprintf(out, " (%lld rechazados, %lld avisos)", (long long)res->n_rejected,
            (long long)res->n_warnings);
  fputc('\n', out);
}

/* Imports one definition; counts the outcome in *sum. ERR_OK when published or unchanged. */
static err_code publish_one(const publish_file *f, const publish_options *o, publish_summary *sum,
                            err *e) {
  layer_def def;
  err_code rc = f->text ? layerdef_parse(f->name, f->text, o->sources_dir, &def, e)
                        : err_set(e, ERR_IO, "%s: no se puede leer", f->name);
  if (!f->text) memset(&def, 0, sizeof def);
  import_result res = {0};
  if (rc == ERR_OK) {
    def.opt.db_path = o->db_path;
    def.opt.force = o->force;
    def.opt.progress = o->progress;
    rc = import_run(&def.opt, &res, e);
    const char *id = def.opt.layer_id;
    if (res.status == IMPORT_UNCHANGED) {
      sum->n_unchanged++;
      if (o->out) fprintf(o->out, "%s: sin cambios (versión %lld)\n", id, (long long)res.version);
    } else if (o->out && !o->quiet && res.report_text) {
      fprintf(o->out, "== %s ==\n%s\n", id, res.report_text);
    } else if (o->out && rc == ERR_OK) {
      print_published(o->out, id, &res);
    }
    if (rc == ERR_OK && res.status == IMPORT_PUBLISHED) {
      sum->n_published++;
      sum->n_with_warnings += res.n_rejected || res.n_warnings;
    }
    if (rc != ERR_OK) {
      /* the message names the layer, for the caller that reports only the first failure */
      char msg[ERR_MSG_MAX];
      snprintf(msg, sizeof msg, "%s", e ? e->msg : "error");
      err_set(e, rc, "%s: %s", id, msg);
    }
  }
  if (rc != ERR_OK && o->errors) fprintf(o->errors, "teselas: publish: %s\n", e ? e->msg : "error");
  if (o->out) fflush(o->out);
  import_result_free(&res);
  layerdef_free(&def);
  return rc;
}

err_code publish_run(const publish_file *files, size_t n_files, const publish_options *o,
                     publish_summary *out, err *e) {
  memset(out, 0, sizeof *out);
  err local;
  if (!e) e = &local;
  err_clear(e);
  for (size_t i = 0; i < n_files; i++) {
    if (!layerdef_is_catalog(files[i].name)) continue;
    err_code rc = apply_catalog(&files[i], o, e);
    if (rc != ERR_OK) {
      if (o->errors) fprintf(o->errors, "teselas: publish: %s\n", e->msg);
      return rc;
    }
  }
  err_code first = ERR_OK;
  err first_err;
  err_clear(&first_err);
  for (size_t i = 0; i < n_files; i++) {
    if (layerdef_is_catalog(files[i].name)) continue;
    out->n_layers++;
    err one;
    err_clear(&one);
    if (publish_one(&files[i], o, out, &one) == ERR_OK) continue;
    out->n_failed++;
    if (first == ERR_OK) {
      first = one.code ? one.code : ERR_INTERNAL;
      first_err = one;
    }
  }
  if (first != ERR_OK) *e = first_err;
  return first;
}

static int by_name(const void *a, const void *b) {
  return strcmp(((const publish_file *)a)->name, ((const publish_file *)b)->name);
}

void publish_files_free(publish_file *files, size_t n) {
  for (size_t i = 0; files && i < n; i++) {
    free((char *)files[i].name);
    free((char *)files[i].text);
  }
  free(files);
}

err_code publish_read_dir(const char *dir, publish_file **out, size_t *out_n, err *e) {
  *out = NULL;
  *out_n = 0;
  DIR *d = opendir(dir);
  if (!d) return err_set(e, ERR_IO, "no se puede leer la carpeta %s", dir);
  size_t n = 0, cap = 0;
  publish_file *files = NULL;
  err_code rc = ERR_OK;
  struct dirent *ent;
  while (rc == ERR_OK && (ent = readdir(d)) != NULL) {
    size_t len = strlen(ent->d_name);
    if (len < 6 || strcmp(ent->d_name + len - 5, ".json") != 0 || ent->d_name[0] == '.') continue;
    if (n == cap) {
      publish_file *grown = realloc(files, (cap = cap ? 2 * cap : 16) * sizeof *files);
      if (!grown) {
        rc = err_set(e, ERR_NOMEM, "sin memoria");
        break;
      }
      files = grown;
    }
    size_t plen = strlen(dir) + len + 2;
    char *name = malloc(plen);
    if (!name) {
      rc = err_set(e, ERR_NOMEM, "sin memoria");
      break;
    }
    snprintf(name, plen, "%s/%s", dir, ent->d_name);
    /* an unreadable file keeps no text: publish_run reports it and goes on with the others */
    files[n++] = (publish_file){.name = name, .text = layerdef_read_file(name, NULL)};
  }
  closedir(d);
  if (rc != ERR_OK) {
    publish_files_free(files, n);
    return rc;
  }
  if (n) qsort(files, n, sizeof *files, by_name);
  *out = files;
  *out_n = n;
  return ERR_OK;
}
