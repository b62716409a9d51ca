/* publish.c — runs a set of layers/ definitions against a database: the catalog file first
 * (its area of interest is what the checks of every layer measure against), then each layer
 * through import_run. Unchanged sources are skipped by checksum, so a monthly or quarterly
 * schedule can run it blindly; one failing layer does not stop the others.
 *
 * It reads definitions and prints what happened; it never parses flags (tileserver/cli does) and
 * never knows where the definitions came from (a folder, or the binary itself for the demo). */
#include "importers/publish/publish.h"

#include <curl/curl.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "importers/publish/fetch_int.h"
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

/* A source named by URL: downloaded into fr (fetch.c), asking with the validators of the last
 * fetch while the layer is published. *out_skip when the server said it did not change. */
static err_code fetch_source(layer_def *def, const publish_options *o, fetch_result *fr,
                             bool *out_skip, err *e) {
  *out_skip = false;
  if (!o->fetch)
    return err_set(e, ERR_INVALID, "la fuente es una URL (%s): publique con --fetch para "
                   "descargarla", def->source);
  fetch_state prev;
  char have[65] = "";
  err_code rc = fetch_state_load(o->db_path, def->opt.layer_id, &prev, e);
  /* without a published version a 304 would publish nothing: ask for the whole file */
  if (rc == ERR_OK) rc = store_layer_checksum(o->db_path, def->opt.layer_id, have, e);
  if (rc != ERR_OK) return rc;
  rc = fetch_download(def->source, have[0] ? &prev : NULL, o, fr, e);
  if (rc != ERR_OK) return rc;
  *out_skip = fr->not_modified;
  def->opt.path = fr->path;
  return ERR_OK;
}

/* Says what happened to one layer and counts it in *sum. */
static void outcome(const layer_def *def, const publish_options *o, const import_result *res,
                    err_code rc, publish_summary *sum) {
  const char *id = def->opt.layer_id;
  if (res->status == IMPORT_UNCHANGED) {
    sum->n_unchanged++;
    if (o->out) fprintf(o->out, "%s: sin cambios (versión %lld)\n", id, (long long)res->version);
  } else if (o->out && !o->quiet && res->report_text) {
    fprintf(o->out, "== %s ==\n%s\n", id, res->report_text);
  } else if (o->out && rc == ERR_OK) {
    print_published(o->out, id, res);
  }
  if (rc == ERR_OK && res->status == IMPORT_PUBLISHED) {
    sum->n_published++;
    sum->n_with_warnings += res->n_rejected || res->n_warnings;
  }
}

/* The import's gate: the caller's audit line of this layer. */
typedef struct layer_gate {
  const publish_options *o;
  const char *layer_id;
} layer_gate;

static err_code audit_layer(void *ctx, int64_t version, int64_t review, err *e) {
  const layer_gate *g = ctx;
  return g->o->audit(g->o->audit_ctx, g->layer_id, version, review, e);
}

/* Imports one definition; counts the outcome in *sum. ERR_OK when published or unchanged. */
static err_code publish_one(const publish_file *f, const publish_options *o, publish_summary *sum,
                            err *e) {
  layer_def def;
  err_code rc = f->text ? layerdef_parse(f->name, f->text, o->sources_dir, &def, e)
                        : err_set(e, ERR_IO, "%s: no se puede leer", f->name);
  if (!f->text) memset(&def, 0, sizeof def);
  import_result res = {0};
  fetch_result fr = {0};
  bool not_modified = false;
  if (rc == ERR_OK && def.source_is_url) rc = fetch_source(&def, o, &fr, &not_modified, e);
  if (rc == ERR_OK && not_modified) {
    sum->n_unchanged++;
    sum->n_not_modified++;
    if (o->out) fprintf(o->out, "%s: sin cambios en la fuente (HTTP 304)\n", def.opt.layer_id);
  } else if (rc == ERR_OK) {
    def.opt.db_path = o->db_path;
    def.opt.force = o->force;
    def.opt.progress = o->progress;
    def.opt.busy_timeout_ms = o->busy_timeout_ms;
    layer_gate lg = {o, def.opt.layer_id};
    import_gate gate = {audit_layer, &lg};
    if (o->audit) def.opt.gate = &gate;
    rc = import_run(&def.opt, &res, e);
    if (o->audit && o->audit_done) o->audit_done(o->audit_ctx, def.opt.layer_id, rc, e);
    outcome(&def, o, &res, rc, sum);
    /* the validators are kept once the file is in (published, or the same as the version) */
    if (rc == ERR_OK && def.source_is_url) rc = fetch_state_save(o->db_path, def.opt.layer_id,
                                                                 &fr.got, e);
  }
  if (rc != ERR_OK && def.opt.layer_id) {
    /* the message names the layer (and the URL a fetched file came from), for the caller that
     * reports only the first failure */
    char msg[ERR_MSG_MAX];
    snprintf(msg, sizeof msg, "%s", e ? e->msg : "error");
    if (def.source_is_url && fr.path[0] && !strstr(msg, def.source))
      err_set(e, rc, "%s: %s: %s", def.opt.layer_id, def.source, msg);
    else
      err_set(e, rc, "%s: %s", def.opt.layer_id, msg);
  }
  if (rc != ERR_OK && o->errors) fprintf(o->errors, "teselas: publish: %s\n", e ? e->msg : "error");
  if (o->out) fflush(o->out);
  fetch_cleanup(&fr);
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
  /* libcurl's process-wide set-up, once, before any transfer (not thread-safe: the CLI runs
   * publish_run from its one thread) */
  if (o->fetch && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    return err_set(e, ERR_INTERNAL, "libcurl no se pudo iniciar");
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
  if (o->fetch) curl_global_cleanup();
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
