/* h_admin_review.c — the reviewer's pages: /admin/revision (the versions waiting for review),
 * /admin/revision/{n} (one review with its preview map) and its form,
 * POST /admin/revision/{n}/decision (decision=approve|reject, reason, csrf).
 *
 * Only reviewers and admins see them (a publisher gets a 403 page). The decision goes through
 * the API's own handler (h_review.c), which checks the session's CSRF token, the four-eyes rule
 * (nobody decides on their own upload) and the reason, and writes the audit log: the form can do
 * nothing the API would refuse. The pages are written by www/review.c. */
#include <stdio.h>
#include <string.h>

#include "http/admin_int.h"
#include "http/handlers.h"

/* The session's principal when it may review; else false after a 303 or a 403 page. */
static bool reviewer(http_request *req, http_response *resp, admin_who *w) {
  if (!admin_need_session(req, resp, w)) return false;
  if (auth_may(&w->p, AUTH_REVIEW, NULL)) return true;
  http_refuse(resp, HTTP_REFUSE_FORBIDDEN, "Solo la unidad de transparencia (cuentas de revisión "
              "o de administración) revisa las versiones pendientes.");
  admin_as_page(req, resp, w, "Revisiones no disponibles", "/admin");
  return false;
}

typedef struct reviews_out {
  arena *a;
  www_admin_review *r;
  size_t n, cap;
  bool full; /* with the privacy policy and the report (one review's page), else "{}" */
} reviews_out;

/* Copies one review into the arena (the store's strings live during the callback only). */
static int add_review(void *ctx, const store_review *s) {
  reviews_out *o = ctx;
  if (o->n == o->cap) {
    size_t cap = o->cap ? o->cap * 2 : 16;
    www_admin_review *nr = arena_calloc(o->a, cap, sizeof *nr);
    if (!nr) return 1;
    if (o->n) memcpy(nr, o->r, o->n * sizeof *nr);
    o->r = nr, o->cap = cap;
  }
  arena *a = o->a;
  www_admin_review r = {s->n, s->version, s->base_version, s->feature_count,
                        arena_strdup(a, s->layer_id), arena_strdup(a, s->title),
                        arena_strdup(a, s->state), arena_strdup(a, s->submitted_by),
                        arena_strdup(a, s->submitted_at), arena_strdup(a, s->decided_by),
                        arena_strdup(a, s->decided_at), arena_strdup(a, s->reason),
                        o->full ? arena_strdup(a, s->privacy) : "{}",
                        o->full ? arena_strdup(a, s->report) : "{}"};
  if (!r.layer_id || !r.title || !r.state || !r.submitted_by || !r.submitted_at ||
      !r.decided_by || !r.decided_at || !r.reason || !r.privacy || !r.report)
    return 1;
  o->r[o->n++] = r;
  return 0;
}

www_admin_review *admin_reviews_load(http_request *req, int64_t only, const char *state,
                                     size_t *out_n, err *e) {
  /* lists leave the reports out: they grow with every review ever made */
  reviews_out o = {req->arena, NULL, 0, 0, only >= 0};
  *out_n = 0;
  err_code rc = store_reviews_scan(req->config->db_path, only, state, add_review, &o, e);
  if (rc != ERR_OK) return NULL;
  *out_n = o.n;
  return o.r ? o.r : arena_calloc(req->arena, 1, sizeof *o.r);
}

const www_admin_review *admin_review_latest(const www_admin_review *r, size_t n,
                                            const char *layer_id) {
  const www_admin_review *last = NULL;
  for (size_t i = 0; i < n; i++)
    if (strcmp(r[i].layer_id, layer_id) == 0 && (!last || r[i].n > last->n)) last = &r[i];
  return last;
}

void h_admin_reviews(http_request *req, http_response *resp) {
  admin_who w;
  if (!reviewer(req, resp, &w)) return;
  size_t n = 0;
  err e = {0};
  www_admin_review *r = admin_reviews_load(req, -1, "pending", &n, &e);
  if (!r || www_admin_review_list(&w.c, r, n, &resp->body, &e) != ERR_OK) {
    admin_page_failed(resp, &e);
    return;
  }
  admin_page(resp, 200);
}

/* Review {n}, in the arena; NULL after a 404 page. */
static const www_admin_review *one_review(http_request *req, http_response *resp,
                                          const admin_who *w) {
  int64_t n = 0;
  size_t found = 0;
  err e = {0};
  const www_admin_review *r =
      http_parse_index(req->params[0], &n) ? admin_reviews_load(req, n, NULL, &found, &e) : NULL;
  if (r && found == 1) return r;
  http_error(resp, ERR_NOT_FOUND, "No existe esa revisión.");
  admin_as_page(req, resp, w, "Revisión no encontrada", "/admin/revision");
  return NULL;
}

void h_admin_review(http_request *req, http_response *resp) {
  admin_who w;
  if (!reviewer(req, resp, &w)) return;
  const www_admin_review *r = one_review(req, resp, &w);
  if (!r) return;
  catalog *c = NULL; /* what approval would publish: only while the review waits */
  err e = {0};
  if (strcmp(r->state, "pending") == 0 &&
      (store_review_catalog(req->reader, r->n, &c, &e) != ERR_OK || c->n_layers != 1)) {
    catalog_destroy(c);
    c = NULL;
  }
  bool own = strcmp(r->submitted_by, w.p.account.name) == 0;
  err_code rc = www_admin_review_page(&w.c, r, c ? &c->layers[0] : NULL, own, &resp->body, &e);
  catalog_destroy(c);
  if (rc != ERR_OK) {
    admin_page_failed(resp, &e);
    return;
  }
  admin_map_page(resp, 200);
}

void h_admin_review_decide(http_request *req, http_response *resp) {
  if (req->body_pending) { /* the form is in the body: csrf, decision, reason */
    resp->want_body = true;
    return;
  }
  admin_who w;
  bool in = admin_signed_in(req, &w);
  const char *d = http_form(req, "decision");
  bool approve = d && strcmp(d, "approve") == 0;
  if (!d || (!approve && strcmp(d, "reject") != 0)) {
    http_error(resp, ERR_INVALID, "La decisión es aprobar o rechazar.");
  } else {
    (approve ? h_review_approve : h_review_reject)(req, resp);
  }
  int64_t n = 0; /* the way back is built from the number, never from the raw capture */
  char *back = http_parse_index(req->params[0], &n)
                   ? arena_sprintf(req->arena, "/admin/revision/%lld", (long long)n) : NULL;
  if (resp->status == 200) {
    resp->n_headers = 0;
    admin_redirect(resp, back ? back : "/admin/revision");
    return;
  }
  admin_as_page(req, resp, in ? &w : NULL, approve ? "No se pudo aprobar" : "No se pudo rechazar",
                in ? (back ? back : "/admin/revision") : "/admin/entrar");
}
