/* h_admin.c — the pages for publishers: sign in and out (/admin/entrar, /admin/salir), "tus
 * capas" (/admin), a layer's page (/admin/capas/{id}), its upload and rollback forms, and an
 * upload's job page (/admin/trabajos/{n}). The pages are written by www/admin.c; the writes go
 * through the API's own handlers (h_upload.c), which take the session cookie and its CSRF token
 * as they take a bearer token, so a form can do nothing the API would refuse.
 *
 * Sign-in: the form's usuario and contraseña, checked with Argon2id (auth_password). Failures
 * are counted per account and per client address (services->logins, ->login_addrs); past the
 * bound the answer is 429 with Retry-After, without looking at the password. Success: a session
 * of HTTP_SESSION_S seconds in a cookie `HttpOnly; SameSite=Strict; Path=/` (and `Secure` when
 * --public-url is https), then 303 to /admin. Every attempt is a line of the audit log; the
 * password never is, and the typed name only when it names an account. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/auth.h"
#include "http/audit_line.h"
#include "http/admin_int.h"
#include "http/handlers.h"
#include "http/services.h"
#include "jobs/jobs.h"
#include "www/www.h"

static void page_csp(http_response *resp, int status, const char *csp) {
  resp->status = status;
  resp->content_type = "text/html; charset=utf-8";
  resp->compressible = true;
  http_header_add(resp, "Cache-Control", "no-store");
  http_header_add(resp, "X-Frame-Options", "DENY");
  http_header_add(resp, "Content-Security-Policy", csp);
  http_header_add(resp, "Referrer-Policy", "same-origin");
}

void admin_page(http_response *resp, int status) {
  page_csp(resp, status, "default-src 'self'; script-src 'none'; style-src 'self' "
           "'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
}

/* MapLibre runs its workers from blob: URLs and draws into canvases read back as blobs. */
void admin_map_page(http_response *resp, int status) {
  page_csp(resp, status, "default-src 'self'; script-src 'self'; style-src 'self' "
           "'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; worker-src 'self' "
           "blob:; child-src 'self' blob:; object-src 'none'; form-action 'self'; base-uri "
           "'none'; frame-ancestors 'none'");
}

void admin_redirect(http_response *resp, const char *to) {
  buf_reset(&resp->body);
  resp->status = 303;
  resp->content_type = "text/plain; charset=utf-8";
  http_header_add(resp, "Location", to);
  http_header_add(resp, "Cache-Control", "no-store");
}

void admin_page_failed(http_response *resp, const err *e) {
  http_error(resp, e->code ? e->code : ERR_INTERNAL, "%s", e->msg);
}

bool admin_signed_in(http_request *req, admin_who *w) {
  const char *sid = http_cookie(req, HTTP_SESSION_COOKIE);
  err e = {0};
  if (!sid || auth_session(req->config->db_path, sid, &w->p, &e) != AUTH_CHECK_OK) return false;
  auth_csrf_token(sid, w->csrf);
  w->c = (www_admin_ctx){w->p.account.name, w->p.account.department, w->csrf,
                         auth_may(&w->p, AUTH_REVIEW, NULL)};
  return true;
}

bool admin_need_session(http_request *req, http_response *resp, admin_who *w) {
  if (admin_signed_in(req, w)) return true;
  admin_redirect(resp, "/admin/entrar");
  return false;
}

void admin_as_page(http_request *req, http_response *resp, const admin_who *w,
                    const char *title, const char *back) {
  json_t *doc = json_loadb((const char *)resp->body.data, resp->body.len, 0, NULL);
  const char *d = json_string_value(json_object_get(doc, "description"));
  char *msg = arena_strdup(req->arena, d ? d : "No se pudo hacer.");
  json_decref(doc);
  int status = resp->status;
  buf_reset(&resp->body);
  err e = {0};
  if (!msg || www_admin_message(w ? &w->c : NULL, title, msg, back, &resp->body, &e) != ERR_OK) {
    admin_page_failed(resp, msg ? &e : &(err){.code = ERR_NOMEM, .msg = "out of memory"});
    return;
  }
  admin_page(resp, status);
}

static void send_signin(http_response *resp, int status, const char *error, const char *name) {
  err e = {0};
  buf_reset(&resp->body);
  if (www_admin_signin(error, name, &resp->body, &e) != ERR_OK) {
    admin_page_failed(resp, &e);
    return;
  }
  admin_page(resp, status);
}

void h_admin_signin_page(http_request *req, http_response *resp) {
  admin_who w;
  if (admin_signed_in(req, &w)) {
    admin_redirect(resp, "/admin");
    return;
  }
  send_signin(resp, 200, NULL, NULL);
}

/* An account name as the throttle and the audit log may hold it: the shape auth accepts. */
static bool name_shape(const char *n) {
  size_t len = n ? strlen(n) : 0;
  if (len == 0 || len >= STORE_NAME_MAX) return false;
  return strspn(n, "abcdefghijklmnopqrstuvwxyz0123456789._-") == len;
}

static void login_audit(http_request *req, const char *who, const char *target,
                        const char *result, const char *detail) {
  err e = {0};
  if (auth_audit(req->config->db_path, who, "login", target, result, detail, &e) != ERR_OK)
    fprintf(stderr, "teselas: audit log: %s\n", e.msg);
}

static void too_many(http_request *req, http_response *resp, const char *name, int64_t wait) {
  char *retry = arena_alloc(req->arena, 24);
  if (retry) snprintf(retry, 24, "%lld", (long long)wait);
  static const char *const TYPES[] = {"text/html", "application/json"};
  if (http_arg(req, "f") ? strcmp(http_arg(req, "f"), "json") == 0
                         : http_accept_first(req, TYPES, 2) == 1) {
    http_refuse(resp, HTTP_REFUSE_TOO_MANY, "too many failed sign-ins; try again in %lld "
                "seconds", (long long)wait);
  } else {
    char msg[160];
    snprintf(msg, sizeof msg, "Demasiados intentos fallidos. Espera %lld minutos y vuelve a "
             "intentarlo.", (long long)(wait + 59) / 60);
    send_signin(resp, 429, msg, name);
  }
  if (retry) http_header_add(resp, "Retry-After", retry);
}

void h_admin_signin(http_request *req, http_response *resp) {
  if (req->body_pending) { /* the form is in the body */
    resp->want_body = true;
    return;
  }
  const char *name = http_form(req, "usuario"), *pw = http_form(req, "contraseña");
  bool shaped = name_shape(name);
  const char *cfg = req->config->db_path;
  char acct_key[80], addr_key[80];
  snprintf(acct_key, sizeof acct_key, "a:%s", shaped ? name : "");
  char addr[HTTP_ADDR_TEXT_MAX];
  http_addr_format(&req->client, addr);
  snprintf(addr_key, sizeof addr_key, "i:%s", addr);
  int64_t now = (int64_t)time(NULL);
  http_services *sv = req->services;
  int64_t wait = auth_throttle_wait(sv->login_addrs, addr_key, now);
  if (shaped) {
    int64_t w2 = auth_throttle_wait(sv->logins, acct_key, now);
    if (w2 > wait) wait = w2;
  }
  if (wait > 0) {
    login_audit(req, NULL, shaped ? name : "", "refused", "too many failed sign-ins");
    too_many(req, resp, shaped ? name : NULL, wait);
    return;
  }
  auth_principal p;
  bool known = false;
  err e = {0};
  auth_check c = shaped ? auth_password(cfg, name, pw, &p, &known, &e) : AUTH_CHECK_INVALID;
  if (c != AUTH_CHECK_OK) {
    auth_throttle_fail(sv->login_addrs, addr_key, now);
    if (known) auth_throttle_fail(sv->logins, acct_key, now);
    /* an unknown name is not written down: it may be a password typed in the wrong box */
    login_audit(req, NULL, known ? name : "", "refused",
                known ? "wrong password" : "no such account");
    send_signin(resp, 401, "Usuario o contraseña incorrectos.", shaped ? name : NULL);
    return;
  }
  /* the sign-in's line first: no session without it */
  http_audit_line line = {cfg, p.account.name, "login", p.account.name, "ok", "", 0, false, false};
  if (http_audit_write(&line, &e) != ERR_OK) {
    http_audit_refuse(resp, &e);
    return;
  }
  char sid[AUTH_SESSION_LEN];
  if (auth_session_create(cfg, p.account.name, HTTP_SESSION_S, sid, &e) != ERR_OK) {
    login_audit(req, p.account.name, p.account.name, "failed", "the session could not be kept");
    http_error(resp, ERR_INTERNAL, "the session could not be kept");
    return;
  }
  auth_throttle_clear(sv->logins, acct_key);
  const char *pub = req->config->public_url;
  bool secure = pub && strncmp(pub, "https://", 8) == 0;
  char *cookie = arena_alloc(req->arena, 160);
  if (cookie)
    snprintf(cookie, 160, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s",
             HTTP_SESSION_COOKIE, sid, HTTP_SESSION_S, secure ? "; Secure" : "");
  memset(sid, 0, sizeof sid);
  admin_redirect(resp, "/admin");
  if (cookie) http_header_add(resp, "Set-Cookie", cookie);
}

void h_admin_signout(http_request *req, http_response *resp) {
  if (req->body_pending) {
    resp->want_body = true;
    return;
  }
  admin_who w;
  const char *sid = http_cookie(req, HTTP_SESSION_COOKIE);
  if (admin_signed_in(req, &w)) {
    if (!auth_csrf_valid(sid, http_form(req, "csrf"))) {
      login_audit(req, w.p.account.name, w.p.account.name, "refused",
                  "sign-out without its CSRF token");
      http_refuse(resp, HTTP_REFUSE_FORBIDDEN, "a form sent with a session needs its CSRF "
                  "token; reload the page and try again");
      admin_as_page(req, resp, &w, "No se pudo salir", "/admin");
      return;
    }
    err e = {0};
    err_code rc = auth_session_end(req->config->db_path, sid, &e);
    login_audit(req, w.p.account.name, w.p.account.name, rc == ERR_OK ? "ok" : "failed",
                "sign-out");
  }
  admin_redirect(resp, "/admin/entrar");
  char *clear = arena_alloc(req->arena, 120);
  if (clear) snprintf(clear, 120, "%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
                      HTTP_SESSION_COOKIE);
  if (clear) http_header_add(resp, "Set-Cookie", clear);
}

/* The layers a principal may publish: every layer of the catalog for an admin, its own list
 * for a publisher (published or not yet), none for a reviewer. In the request's arena. */
static const char **my_layers(http_request *req, const auth_principal *p, size_t *out_n) {
  *out_n = 0;
  const catalog *cat = req->catalog;
  size_t cap = (p->role == AUTH_ROLE_ADMIN ? cat->n_layers : 0) + 1;
  for (const char *q = p->account.layers; *q; q++) cap += *q == ',';
  const char **ids = arena_calloc(req->arena, cap + 1, sizeof *ids);
  if (!ids) return NULL;
  if (p->role == AUTH_ROLE_ADMIN) {
    for (size_t i = 0; i < cat->n_layers; i++) ids[(*out_n)++] = cat->layers[i].id;
    return ids;
  }
  if (p->role != AUTH_ROLE_PUBLISHER) return ids;
  for (const char *q = p->account.layers; *q && *out_n < cap;) {
    size_t k = strcspn(q, ",");
    if (k) ids[(*out_n)++] = arena_strndup(req->arena, q, k);
    q += k + (q[k] == ',');
  }
  return ids;
}

void h_admin_home(http_request *req, http_response *resp) {
  admin_who w;
  if (!admin_need_session(req, resp, &w)) return;
  size_t n = 0;
  const char **ids = my_layers(req, &w.p, &n);
  err e = {0};
  size_t n_rev = 0;
  const www_admin_review *rev = admin_reviews_load(req, -1, NULL, &n_rev, &e);
  const www_admin_review **last = ids ? arena_calloc(req->arena, n + 1, sizeof *last) : NULL;
  if (!ids || !rev || !last) {
    admin_page_failed(resp, rev ? &(err){.code = ERR_NOMEM, .msg = "out of memory"} : &e);
    return;
  }
  for (size_t i = 0; i < n; i++) last[i] = admin_review_latest(rev, n_rev, ids[i]);
  if (www_admin_home(&w.c, ids, last, n, req->catalog, &resp->body, &e) != ERR_OK) {
    admin_page_failed(resp, &e);
    return;
  }
  admin_page(resp, 200);
}

typedef struct versions_out {
  arena *a;
  www_admin_version *v;
  size_t n, cap;
} versions_out;

static int add_version(void *ctx, const store_version *v) {
  versions_out *o = ctx;
  if (o->n == o->cap) {
    size_t cap = o->cap ? o->cap * 2 : 16;
    www_admin_version *nv = arena_calloc(o->a, cap, sizeof *nv);
    if (!nv) return 1;
    if (o->n) memcpy(nv, o->v, o->n * sizeof *nv);
    o->v = nv, o->cap = cap;
  }
  o->v[o->n++] = (www_admin_version){v->version, arena_strdup(o->a, v->imported_at),
                                     arena_strdup(o->a, v->source_name), v->feature_count,
                                     v->rollback_of, *v->table_name != '\0', v->removal};
  return 0;
}

/* The {id} capture when it is a layer id the principal may publish; else a page says why. */
static const char *my_layer(http_request *req, http_response *resp, const admin_who *w) {
  const char *id = arena_strndup(req->arena, req->params[0].s, req->params[0].len);
  if (id && store_layer_id_valid(id) && auth_may(&w->p, AUTH_UPLOAD, id)) return id;
  http_refuse(resp, HTTP_REFUSE_FORBIDDEN, "Tu cuenta no puede publicar esta capa.");
  admin_as_page(req, resp, w, "Capa no disponible", "/admin");
  return NULL;
}

void h_admin_layer(http_request *req, http_response *resp) {
  admin_who w;
  if (!admin_need_session(req, resp, &w)) return;
  const char *id = my_layer(req, resp, &w);
  if (!id) return;
  const layer_info *l = NULL;
  for (size_t i = 0; i < req->catalog->n_layers; i++)
    if (strcmp(req->catalog->layers[i].id, id) == 0) l = &req->catalog->layers[i];
  versions_out vo = {req->arena, NULL, 0, 0};
  err e = {0};
  err_code rc = store_versions_scan(req->reader, id, -1, add_version, &vo, &e);
  if (rc != ERR_OK && rc != ERR_NOT_FOUND) {
    admin_page_failed(resp, &e);
    return;
  }
  size_t n_rev = 0;
  const www_admin_review *rev = admin_reviews_load(req, -1, NULL, &n_rev, &e);
  if (!rev || www_admin_layer(&w.c, id, l, admin_review_latest(rev, n_rev, id), vo.v, vo.n,
                              &resp->body, &e) != ERR_OK) {
    admin_page_failed(resp, &e);
    return;
  }
  admin_page(resp, 200);
}

/* What a page's form gets once the API's handler has answered it: its success (ok_status)
 * becomes a 303 to the page that shows the result, `to` (NULL: /admin); a refusal becomes a page
 * saying it, titled `failed`. One path for every form of the publishers' pages. */
static void form_outcome(http_request *req, http_response *resp, int ok_status, const char *to,
                         const char *failed) {
  admin_who w;
  bool in = admin_signed_in(req, &w);
  if (resp->status == ok_status) {
    resp->n_headers = 0;
    admin_redirect(resp, to ? to : "/admin");
    return;
  }
  admin_as_page(req, resp, in ? &w : NULL, failed, in ? "/admin" : "/admin/entrar");
}

void h_admin_upload(http_request *req, http_response *resp) {
  int64_t n = 0;
  h_upload_job(req, resp, &n); /* asks for the body itself, after checking the headers */
  if (resp->want_body) return;
  form_outcome(req, resp, 202, arena_sprintf(req->arena, "/admin/trabajos/%lld", (long long)n),
               "No se pudo subir el archivo");
}

void h_admin_rollback(http_request *req, http_response *resp) {
  if (req->body_pending) { /* the form is in the body */
    resp->want_body = true;
    return;
  }
  h_rollback(req, resp); /* on success the {id} capture is a valid layer id */
  form_outcome(req, resp, 200, arena_sprintf(req->arena, "/admin/capas/%.*s",
                                             (int)req->params[0].len, req->params[0].s),
               "No se pudo volver a la versión");
}

void h_admin_job(http_request *req, http_response *resp) {
  admin_who w;
  if (!admin_need_session(req, resp, &w)) return;
  int64_t n = 0;
  char owner[64] = "";
  char *doc = http_parse_index(req->params[0], &n) ? jobs_doc(req->services->jobs, n, owner)
                                                   : NULL;
  if (!doc || (w.p.role != AUTH_ROLE_ADMIN && strcmp(owner, w.p.account.name) != 0)) {
    free(doc);
    http_error(resp, ERR_NOT_FOUND, "No encontramos esa subida (las subidas se recuerdan hasta "
               "que el servidor se reinicia).");
    admin_as_page(req, resp, &w, "Subida no encontrada", "/admin");
    return;
  }
  err e = {0};
  err_code rc = www_admin_job(&w.c, doc, &resp->body, &e);
  free(doc);
  if (rc != ERR_OK) {
    admin_page_failed(resp, &e);
    return;
  }
  admin_map_page(resp, 200); /* a dry run's map of what it would publish */
}
