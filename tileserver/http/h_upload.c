/* h_upload.c — the write API: POST /api/layers/{id}/versions (a file as a new version, imported
 * by a job), GET /api/jobs/{n}, POST /api/layers/{id}/rollback?to=V, DELETE /api/layers/{id}.
 *
 * Every call is authorised by its bearer token (auth/) before anything else is looked at beyond
 * the layer id's shape, and every attempt, allowed or refused, is a line of the audit log. An
 * upload is answered twice over: when its headers arrive (refusals go out before a byte of the
 * body is read) and when its body is in its private file (the job is queued: 202 + Location).
 * Statuses: 401 no valid token, 403 a token that may not, 409 a write of the layer in progress,
 * 503 the queue full, 413 a body over the bound. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/auth.h"
#include "http/audit_line.h"
#include "http/handlers.h"
#include "http/privacy_form.h"
#include "http/services.h"
#include "jobs/jobs.h"

static const char *const ACTION_NAMES[] = {[AUTH_UPLOAD] = "upload", [AUTH_ROLLBACK] = "rollback",
                                           [AUTH_REMOVE] = "remove", [AUTH_JOBS] = "job",
                                           [AUTH_AUDIT] = "audit log", [AUTH_REVIEW] = "review"};

static void audit(const http_request *req, const char *who, int action, const char *target,
                  const char *result, const char *detail) {
  err e = {0};
  if (auth_audit(req->config->db_path, who, ACTION_NAMES[action], target, result, detail, &e) !=
      ERR_OK)
    fprintf(stderr, "teselas: audit log: %s\n", e.msg);
}

/* The request's credential: its bearer token, else its session cookie (*out_session then the
 * session id, for the CSRF check). */
static auth_check credential(http_request *req, auth_principal *out, const char **out_session,
                             err *e) {
  *out_session = NULL;
  if (req->authorization && *req->authorization)
    return auth_bearer(req->config->db_path, req->authorization, out, e);
  const char *sid = http_cookie(req, HTTP_SESSION_COOKIE);
  if (!sid || !*sid) return AUTH_CHECK_MISSING;
  auth_check c = auth_session(req->config->db_path, sid, out, e);
  if (c == AUTH_CHECK_OK) *out_session = sid;
  return c;
}

/* A write from a session carries the session's CSRF token: an X-CSRF-Token header, or a form's
 * `csrf` field. Called with the headers only (body_pending), the check waits for the body of a
 * route that takes one (an upload's form carries the token) and refuses any other without the
 * header, as that answer goes out before a body is read. */
static bool csrf_ok(http_request *req, const char *sid) {
  bool read = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
  if (!sid || read) return true;
  const char *token = *req->csrf_header ? req->csrf_header : NULL;
  if (!token && req->body_pending) return http_route_takes_body(req->method, req->path);
  if (!token) token = http_form(req, "csrf");
  return auth_csrf_valid(sid, token);
}

bool h_authorize(http_request *req, http_response *resp, int action, const char *layer_id,
                 auth_principal *out) {
  err e = {0};
  const char *sid = NULL;
  auth_check c = credential(req, out, &sid, &e);
  if (c != AUTH_CHECK_OK) {
    const char *why = c == AUTH_CHECK_MISSING ? "no credentials"
                      : *req->authorization ? "invalid or revoked token"
                                            : "no valid session (sign in again)";
    audit(req, NULL, action, layer_id, "refused", why);
    http_refuse(resp, HTTP_REFUSE_UNAUTHORIZED, "this needs a valid API token "
                "(Authorization: Bearer TOKEN) or a session (/admin/entrar): %s", why);
    return false;
  }
  if (!csrf_ok(req, sid)) {
    audit(req, out->account.name, action, layer_id, "refused", "CSRF token missing or wrong");
    http_refuse(resp, HTTP_REFUSE_FORBIDDEN, "a form sent with a session needs its CSRF token "
                "(the csrf field or an X-CSRF-Token header); reload the page and try again");
    return false;
  }
  if (!auth_may(out, (auth_action)action, layer_id)) {
    audit(req, out->account.name, action, layer_id, "refused", "not allowed for this account");
    http_refuse(resp, HTTP_REFUSE_FORBIDDEN, "this account may not do this%s",
                layer_id ? " to this layer" : "");
    return false;
  }
  return true;
}

/* The {id} capture when it is a valid layer id, else NULL after answering 400. */
static const char *layer_param(http_request *req, http_response *resp) {
  const char *id = arena_strndup(req->arena, req->params[0].s, req->params[0].len);
  if (id && store_layer_id_valid(id)) return id;
  http_error(resp, id ? ERR_INVALID : ERR_NOMEM, "a layer id is a-z, 0-9, '_' and '-', "
             "starting with a letter");
  return NULL;
}

static void send_json(http_response *resp, int status, buf *doc) {
  resp->status = status;
  resp->content_type = "application/json";
  buf_append(&resp->body, doc->data, doc->len); /* a buf's data is not NUL-terminated */
  http_header_add(resp, "Cache-Control", "no-store");
}

/* A safe local name for the upload: the last path component, characters outside [A-Za-z0-9._-]
 * as '_', with an extension the importer reads. NULL when there is none. */
static const char *safe_filename(arena *a, const char *name) {
  static const char *const EXT[] = {".csv", ".txt", ".tsv", ".geojson", ".json", ".ndjson",
                                    ".jsonl", ".geojsonl", ".geojsons", ".zip", ".kml", ".kmz",
                                    ".gpkg", ".gpx", NULL};
  if (!name) return NULL;
  for (const char *p = name; *p; p++)
    if (*p == '/' || *p == '\\') name = p + 1;
  size_t n = strlen(name);
  if (n == 0 || n > 100 || name[0] == '.') return NULL;
  char *out = arena_strndup(a, name, n);
  for (char *p = out; p && *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
          *p == '.' || *p == '_' || *p == '-'))
      *p = '_';
  const char *dot = out ? strrchr(out, '.') : NULL;
  for (size_t i = 0; dot && EXT[i]; i++)
    if (strcasecmp(dot, EXT[i]) == 0) return out;
  return NULL;
}

/* The request as a job: its options are every query argument but filename and dry_run. */
static bool job_request(http_request *req, const char *id, const auth_principal *p,
                        jobs_request *r, jobs_option *opts) {
  *r = (jobs_request){.layer_id = id, .account = p->account.name, .options = opts};
  for (size_t i = 0; i < req->n_args; i++) {
    const query_arg *a = &req->args[i];
    if (strcmp(a->key, "filename") == 0) continue;
    if (strcmp(a->key, "dry_run") == 0) {
      r->dry_run = strcmp(a->value, "true") == 0 || strcmp(a->value, "1") == 0;
      if (!r->dry_run && strcmp(a->value, "false") != 0 && strcmp(a->value, "0") != 0)
        return false;
      continue;
    }
    if (r->n_options == JOBS_MAX_OPTIONS) return false;
    opts[r->n_options++] = (jobs_option){a->key, a->value};
  }
  /* a page's form: its fields other than the token, those left empty (not chosen) aside */
  const http_upload_file *up = req->upload;
  for (size_t i = 0; up && i < up->n_fields; i++) {
    const query_arg *a = &up->fields[i];
    if (strcmp(a->key, "csrf") == 0 || !*a->value || http_privacy_field(a->key)) continue;
    if (strcmp(a->key, "dry_run") == 0) {
      r->dry_run = strcmp(a->value, "true") == 0;
      continue;
    }
    /* a page's text box of field names: one option per name, as the CLI's repeated flag */
    bool list = strcmp(a->key, "drop") == 0 || strcmp(a->key, "keep-field") == 0;
    for (const char *v = a->value; *v;) {
      size_t k = list ? strcspn(v, ",") : strlen(v);
      const char *one = arena_strndup(req->arena, v, k);
      while (one && *one == ' ') one++;
      if (!one) return false;
      if (*one) {
        if (r->n_options == JOBS_MAX_OPTIONS) return false;
        opts[r->n_options++] = (jobs_option){a->key, one};
      }
      v += k + (v[k] == ',');
    }
  }
  return true;
}

/* Answers a verdict other than JOBS_ACCEPTED (and audits it). */
static void refuse_job(http_request *req, http_response *resp, const auth_principal *p,
                       const char *id, jobs_verdict v, const err *e) {
  const char *why = v == JOBS_LAYER_BUSY ? "an import of this layer is in progress"
                    : v == JOBS_FULL ? "the import queue is full" : e->msg;
  audit(req, p->account.name, AUTH_UPLOAD, id, "refused", why);
  if (v == JOBS_LAYER_BUSY) http_refuse(resp, HTTP_REFUSE_CONFLICT, "%s; try when it ends", why);
  else if (v == JOBS_FULL) http_refuse(resp, HTTP_REFUSE_BUSY, "%s; try again later", why);
  else http_error(resp, ERR_INVALID, "%s", why);
}

void h_upload(http_request *req, http_response *resp) {
  int64_t n = 0;
  h_upload_job(req, resp, &n);
}

void h_upload_job(http_request *req, http_response *resp, int64_t *out_job) {
  const char *id = layer_param(req, resp);
  auth_principal p;
  if (!id || !h_authorize(req, resp, AUTH_UPLOAD, id, &p)) return;
  jobs_option opts[JOBS_MAX_OPTIONS];
  jobs_request r;
  err e = {0};
  jobs_queue *q = req->services->jobs;
  int64_t n = 0;
  if (!job_request(req, id, &p, &r, opts)) {
    audit(req, p.account.name, AUTH_UPLOAD, id, "refused", "bad options");
    http_error(resp, ERR_INVALID, "dry_run is true or false; at most %d import options",
               JOBS_MAX_OPTIONS);
    return;
  }
  const char *spec = NULL, *exact_why = NULL, *bad = NULL;
  if (!http_privacy_form(req->upload, req->arena, &spec, &exact_why, &bad) ||
      (spec && r.n_options == JOBS_MAX_OPTIONS)) {
    audit(req, p.account.name, AUTH_UPLOAD, id, "refused", "privacy choice");
    http_error(resp, ERR_INVALID, "%s", bad ? bad : "too many import options");
    return;
  }
  if (spec) opts[r.n_options++] = (jobs_option){"privacy", spec};
  int64_t waiting = 0;
  if (!r.dry_run && store_review_pending(req->config->db_path, id, &waiting, &e) == ERR_OK &&
      waiting) { /* one version of a layer waits for review at a time */
    char why[96];
    snprintf(why, sizeof why, "version waiting for review (review %lld)", (long long)waiting);
    audit(req, p.account.name, AUTH_UPLOAD, id, "refused", why);
    http_refuse(resp, HTTP_REFUSE_CONFLICT, "a %s: it must be approved or rejected before "
                "another upload", why);
    return;
  }
  const char *arg_name = http_arg(req, "filename");
  if (req->body_pending) { /* headers only: refuse now, or ask for the body */
    jobs_verdict v = jobs_submit(q, &r, true, &n, &e);
    if (v != JOBS_ACCEPTED) {
    refuse_job(req, resp, &p, id, v, &e);
    return;
  }
    if (arg_name && !safe_filename(req->arena, arg_name)) goto bad_name;
    resp->want_body = true;
    return;
  }
  http_upload_file *up = req->upload;
  const char *name = safe_filename(req->arena, arg_name ? arg_name : up ? up->filename : NULL);
  if (!up || up->bytes == 0) {
    audit(req, p.account.name, AUTH_UPLOAD, id, "refused", "empty body");
    http_error(resp, ERR_INVALID, "the request body is the file to import; it is empty");
    return;
  }
  if (!name) goto bad_name;
  char *path = arena_alloc(req->arena, strlen(up->dir) + strlen(name) + 2);
  if (!path) {
    http_error(resp, ERR_NOMEM, "out of memory");
    return;
  }
  sprintf(path, "%s/%s", up->dir, name);
  if (rename(up->path, path) != 0) {
    http_error(resp, ERR_IO, "cannot store the upload");
    return;
  }
  up->path = path;
  r.dir = up->dir;
  r.path = path;
  r.hold = true; /* run only once its line is in the audit log */
  jobs_verdict v = jobs_submit(q, &r, false, &n, &e);
  if (v != JOBS_ACCEPTED) {
    refuse_job(req, resp, &p, id, v, &e);
    return;
  }
  /* the stated reason of exact locations is kept where decisions are */
  const char *why = exact_why ? arena_sprintf(req->arena, " (exact locations: %s)", exact_why)
                              : NULL;
  char detail[700];
  snprintf(detail, sizeof detail, "job %lld, %s, %llu bytes%s%s%s%s", (long long)n, name,
           (unsigned long long)up->bytes, r.dry_run ? ", dry run" : "", spec ? ", privacy " : "",
           spec ? spec : "", why ? why : "");
  http_audit_line line = {req->config->db_path, p.account.name, ACTION_NAMES[AUTH_UPLOAD], id,
                          "accepted", detail, 0, false, false};
  if (http_audit_write(&line, &e) != ERR_OK) {
    jobs_release(q, n, false); /* the body stays the request's, removed with it */
    http_audit_refuse(resp, &e);
    return;
  }
  jobs_release(q, n, true);
  up->taken = true;
  *out_job = n;
  char *loc = arena_alloc(req->arena, 40);
  if (loc) snprintf(loc, 40, "/api/jobs/%lld", (long long)n);
  if (loc) http_header_add(resp, "Location", loc);
  buf doc;
  buf_init(&doc, 4096);
  buf_printf(&doc, "{\"job\":%lld,\"status\":\"%s/api/jobs/%lld\",\"dry_run\":%s}\n",
             (long long)n, req->base_url, (long long)n, r.dry_run ? "true" : "false");
  send_json(resp, 202, &doc);
  buf_free(&doc);
  return;
bad_name:
  audit(req, p.account.name, AUTH_UPLOAD, id, "refused", "no usable file name");
  http_error(resp, ERR_INVALID, "name the file with its extension (?filename=parques.geojson, "
             "or a multipart filename): .csv, .geojson, .json, .ndjson, .zip, .kml, .kmz, "
             ".gpkg, .gpx");
}

void h_job(http_request *req, http_response *resp) {
  int64_t n = 0;
  auth_principal p;
  if (!h_authorize(req, resp, AUTH_JOBS, NULL, &p)) return;
  char owner[64] = "";
  char *doc = http_parse_index(req->params[0], &n) ? jobs_doc(req->services->jobs, n, owner)
                                                   : NULL;
  if (!doc) {
    http_error(resp, ERR_NOT_FOUND, "no such job (jobs are kept in memory "
                              "until the server restarts)");
    return;
  }
  if (p.role == AUTH_ROLE_PUBLISHER && strcmp(owner, p.account.name) != 0) {
    free(doc);
    audit(req, p.account.name, AUTH_JOBS, "", "refused", "another account's job");
    {
    http_refuse(resp, HTTP_REFUSE_FORBIDDEN, "this job belongs to another account");
    return;
  }
  }
  resp->status = 200;
  resp->content_type = "application/json";
  resp->compressible = true;
  buf_puts(&resp->body, doc);
  free(doc);
  http_header_add(resp, "Cache-Control", "no-store");
}

/* Rollback and removal: refused with 409 while an upload of the layer is queued or running. */
static bool layer_free(http_request *req, http_response *resp, const auth_principal *p,
                       int action, const char *id) {
  if (!jobs_layer_busy(req->services->jobs, id)) return true;
  audit(req, p->account.name, action, id, "refused", "an import of this layer is in progress");
  http_refuse(resp, HTTP_REFUSE_CONFLICT, "an import of this layer is in progress; try when it "
              "ends");
  return false;
}

/* A rollback or removal that did not happen: refused when its audit line could not be written,
 * else a failure, written to the log (a second line when the COMMIT failed after the first). */
static void write_failure(http_request *req, http_response *resp, const http_audit_line *line,
                          int action, err_code rc, const err *e) {
  if (line->failed) {
    http_audit_refuse(resp, e);
    return;
  }
  char detail[300];
  snprintf(detail, sizeof detail, "%.250s", e->msg);
  audit(req, line->who, action, line->target, "failed", detail);
  http_error(resp, rc, "%s", e->msg);
}

void h_rollback(http_request *req, http_response *resp) {
  const char *id = layer_param(req, resp);
  auth_principal p;
  if (!id || !h_authorize(req, resp, AUTH_ROLLBACK, id, &p)) return;
  int64_t to = -1, v = 0;
  const char *arg = http_arg(req, "to");
  if (!arg) arg = http_form(req, "to"); /* the layer page's form */
  if (!arg || !http_parse_index((str_view){arg, strlen(arg)}, &to))
    {
    http_error(resp, ERR_INVALID, "to=V names the version to publish again");
    return;
  }
  if (!layer_free(req, resp, &p, AUTH_ROLLBACK, id)) return;
  err e = {0};
  http_audit_line line = {req->config->db_path, p.account.name, ACTION_NAMES[AUTH_ROLLBACK], id,
                          "ok", "", to, false, false};
  store_gate gate = http_audit_gate(&line);
  err_code rc = store_layer_rollback_gated(req->config->db_path, id, to, &gate, &v, &e);
  if (rc != ERR_OK) {
    write_failure(req, resp, &line, AUTH_ROLLBACK, rc, &e);
    return;
  }
  buf doc;
  buf_init(&doc, 4096);
  buf_printf(&doc, "{\"layer\":\"%s\",\"version\":%lld,\"rollback_of\":%lld}\n", id, (long long)v,
             (long long)to);
  send_json(resp, 200, &doc);
  buf_free(&doc);
}

void h_remove(http_request *req, http_response *resp) {
  const char *id = layer_param(req, resp);
  auth_principal p;
  if (!id || !h_authorize(req, resp, AUTH_REMOVE, id, &p) ||
      !layer_free(req, resp, &p, AUTH_REMOVE, id))
    return;
  err e = {0};
  char reason[128];
  snprintf(reason, sizeof reason, "retirada por la API (cuenta %s)", p.account.name);
  http_audit_line line = {req->config->db_path, p.account.name, ACTION_NAMES[AUTH_REMOVE], id,
                          "ok", "", 0, false, false};
  store_gate gate = http_audit_gate(&line);
  err_code rc = store_layer_remove_gated(req->config->db_path, id, reason, &gate, &e);
  if (rc != ERR_OK) {
    write_failure(req, resp, &line, AUTH_REMOVE, rc, &e);
    return;
  }
  buf doc;
  buf_init(&doc, 4096);
  buf_printf(&doc, "{\"layer\":\"%s\",\"removed\":true}\n", id);
  send_json(resp, 200, &doc);
  buf_free(&doc);
}
