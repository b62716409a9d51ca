/* h_review.c — the review of sensitive layers by the transparency unit (issue 19):
 * GET /api/reviews, GET /api/reviews/{n}, POST /api/reviews/{n}/approve and /reject (a JSON body
 * with a reason), and the preview of exactly what approval would publish,
 * GET /api/reviews/{n}/preview/tiles/{z}/{x}/{y}.mvt and /preview/items.
 *
 * Only a reviewer or an admin (AUTH_REVIEW) may read or decide, and nobody decides on a version
 * they uploaded themselves (a four-eyes rule, so an admin's own upload needs another person too).
 * Every attempt, allowed or refused, is a line of the audit log; the decision, its reason and
 * who made it are also in the layer's history (store/review.c).
 *
 * The preview is not a second renderer: it loads the one catalog entry the review keeps (the
 * entry the import's commit wrote) and calls the public handlers (h_tile, h_items) with it, so
 * its bytes are those the public URLs answer after approval. Nothing else of the pending version
 * can be read: the store holds only what the policy publishes (generalised or aggregated at
 * import), never the raw points. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "http/audit_line.h"
#include "http/handlers.h"
#include "http/services.h"
#include "jobs/jobs.h"

enum { REASON_MAX = 1000, BODY_READ_MAX = 16 * 1024 };

static void audit(const http_request *req, const char *who, const char *target,
                  const char *result, const char *detail) {
  err e = {0};
  if (auth_audit(req->config->db_path, who, "review", target, result, detail, &e) != ERR_OK)
    fprintf(stderr, "teselas: audit log: %s\n", e.msg);
}

static const char *state_text(const char *state) {
  return strcmp(state, "pending") == 0    ? "pendiente de revisión"
         : strcmp(state, "approved") == 0 ? "aprobada"
         : strcmp(state, "rejected") == 0 ? "rechazada"
                                          : state;
}

/* The review's summary, and with full, its decision and the reports. */
static json_t *review_json(const http_request *req, const store_review *r, bool full) {
  const char *b = req->base_url;
  json_t *o = json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:I}", "review", (json_int_t)r->n,
                        "layer", r->layer_id, "title", r->title, "version",
                        (json_int_t)r->version, "state", r->state, "state_text",
                        state_text(r->state), "submitted_by", r->submitted_by, "submitted_at",
                        r->submitted_at, "feature_count", (json_int_t)r->feature_count);
  if (!o) return NULL;
  long long n = (long long)r->n;
  json_t *links = json_pack("{s:s}", "self",
                            arena_sprintf(req->arena, "%s/api/reviews/%lld", b, n));
  if (links && strcmp(r->state, "pending") == 0) { /* a decided review has no preview */
    json_object_set_new(links, "preview_items",
                        json_string(arena_sprintf(req->arena, "%s/api/reviews/%lld/preview/items",
                                                  b, n)));
    json_object_set_new(links, "preview_tiles",
                        json_string(arena_sprintf(req->arena, "%s/api/reviews/%lld/preview/tiles/"
                                                  "{z}/{x}/{y}.mvt", b, n)));
  }
  json_object_set_new(o, "links", links ? links : json_null());
  if (!full) return o;
  json_object_set_new(o, "published_version", json_integer(r->base_version));
  if (*r->decided_by) {
    json_object_set_new(o, "decided_by", json_string(r->decided_by));
    json_object_set_new(o, "decided_at", json_string(r->decided_at));
    json_object_set_new(o, "reason", json_string(r->reason));
  }
  /* the privacy decision: the policy (mode, grid, k, the fields dropped and those kept with the
   * detector's reason, exact locations and why the layer looked sensitive), and the detector's
   * findings and the quality figures from the import's report */
  json_t *policy = json_loads(r->privacy, 0, NULL);
  json_t *report = json_loads(r->report, 0, NULL);
  json_object_set_new(o, "privacy", policy ? policy : json_object());
  json_t *findings = report ? json_object_get(report, "privacy") : NULL;
  json_object_set(o, "findings", findings ? findings : json_null());
  json_object_set_new(o, "report", report ? report : json_null());
  return o;
}

typedef struct list_ctx {
  const http_request *req;
  json_t *arr;
  bool full;
} list_ctx;

static int add_review(void *ctx, const store_review *r) {
  list_ctx *c = ctx;
  json_t *o = review_json(c->req, r, c->full);
  return o ? json_array_append_new(c->arr, o) != 0 : 1;
}

static void no_store(http_response *resp) {
  for (size_t i = 0; i < resp->n_headers; i++)
    if (strcmp(resp->headers[i].name, "Cache-Control") == 0) {
      resp->headers[i].value = "private, no-store";
      return;
    }
  http_header_add(resp, "Cache-Control", "private, no-store");
}

/* GET /api/reviews[?state=pending|approved|rejected|all] */
void h_reviews(http_request *req, http_response *resp) {
  auth_principal p;
  if (!h_authorize(req, resp, AUTH_REVIEW, NULL, &p)) return;
  const char *state = http_arg(req, "state");
  if (!state) state = "pending";
  if (strcmp(state, "pending") != 0 && strcmp(state, "approved") != 0 &&
      strcmp(state, "rejected") != 0 && strcmp(state, "all") != 0) {
    http_error(resp, ERR_INVALID, "state is pending, approved, rejected or all");
    return;
  }
  list_ctx c = {req, json_array(), false};
  err e = {0};
  err_code rc = c.arr ? store_reviews_scan(req->config->db_path, -1,
                                           strcmp(state, "all") == 0 ? NULL : state, add_review,
                                           &c, &e)
                      : err_set(&e, ERR_NOMEM, "out of memory");
  if (rc != ERR_OK) {
    json_decref(c.arr);
    http_error(resp, rc, "%s", e.msg);
    return;
  }
  http_send_json(resp, json_pack("{s:o}", "reviews", c.arr));
  no_store(resp);
}

/* The review named by params[0]: copied out of the store's callback. */
typedef struct review_ref {
  int64_t n, version;
  char layer[STORE_NAME_MAX], state[16], submitted_by[STORE_NAME_MAX];
} review_ref;

static int copy_ref(void *ctx, const store_review *r) {
  review_ref *ref = ctx;
  ref->version = r->version;
  snprintf(ref->layer, sizeof ref->layer, "%s", r->layer_id);
  snprintf(ref->state, sizeof ref->state, "%s", r->state);
  snprintf(ref->submitted_by, sizeof ref->submitted_by, "%s", r->submitted_by);
  return 1;
}

/* Authorises AUTH_REVIEW and finds review {n}: false after answering 400/401/403/404. */
static bool find_review(http_request *req, http_response *resp, auth_principal *p,
                        review_ref *ref) {
  bool parsed = http_parse_index(req->params[0], &ref->n);
  char target[32];
  snprintf(target, sizeof target, "review %lld", parsed ? (long long)ref->n : -1LL);
  if (!h_authorize(req, resp, AUTH_REVIEW, NULL, p)) return false;
  if (!parsed) {
    http_error(resp, ERR_INVALID, "a review number is a non-negative integer");
    return false;
  }
  err e = {0};
  err_code rc = store_reviews_scan(req->config->db_path, ref->n, NULL, copy_ref, ref, &e);
  if (rc != ERR_OK) {
    http_error(resp, rc, "%s", rc == ERR_NOT_FOUND ? "no such review (GET /api/reviews lists "
               "them)" : e.msg);
    return false;
  }
  return true;
}

/* GET /api/reviews/{n} */
void h_review(http_request *req, http_response *resp) {
  auth_principal p;
  review_ref ref = {0};
  if (!find_review(req, resp, &p, &ref)) return;
  list_ctx c = {req, json_array(), true};
  err e = {0};
  if (!c.arr || store_reviews_scan(req->config->db_path, ref.n, NULL, add_review, &c, &e) != ERR_OK ||
      json_array_size(c.arr) != 1) {
    json_decref(c.arr);
    http_error(resp, e.code ? e.code : ERR_NOMEM, "%s", e.code ? e.msg : "out of memory");
    return;
  }
  json_t *one = json_incref(json_array_get(c.arr, 0));
  json_decref(c.arr);
  http_send_json(resp, one);
  no_store(resp);
}

/* s without the blanks around it, copied into the arena when 1..REASON_MAX bytes remain. */
static const char *trimmed(arena *a, const char *s) {
  while (s && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) s++;
  size_t n = s ? strlen(s) : 0;
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r')) n--;
  return n && n <= REASON_MAX ? arena_strndup(a, s, n) : NULL;
}

/* The reason of a decision: {"reason": "..."} in the body, or the reviewer's page form field
 * `reason`; 1..REASON_MAX bytes once trimmed. NULL after answering 400 or 413. */
static const char *read_reason(http_request *req, http_response *resp) {
  http_upload_file *up = req->upload;
  if (!up && http_form(req, "reason")) {
    const char *out = trimmed(req->arena, http_form(req, "reason"));
    if (!out)
      http_error(resp, ERR_INVALID, "a decision needs its reason, 1 to %d bytes", REASON_MAX);
    return out;
  }
  if (!up || up->bytes == 0) {
    http_error(resp, ERR_INVALID, "the body is JSON with the decision's reason: "
               "{\"reason\": \"...\"}");
    return NULL;
  }
  if (up->bytes > BODY_READ_MAX) {
    http_refuse(resp, HTTP_REFUSE_BODY, "the body of a decision is at most %d bytes",
                BODY_READ_MAX);
    return NULL;
  }
  json_error_t jerr;
  json_t *doc = json_load_file(up->path, JSON_REJECT_DUPLICATES, &jerr);
  const char *out = trimmed(req->arena, json_string_value(json_object_get(doc, "reason")));
  json_decref(doc);
  if (!out)
    http_error(resp, ERR_INVALID, "the body is JSON with the decision's reason, 1 to %d bytes: "
               "{\"reason\": \"...\"}", REASON_MAX);
  return out;
}

static void decide(http_request *req, http_response *resp, bool approve) {
  auth_principal p;
  review_ref ref = {0};
  if (!find_review(req, resp, &p, &ref)) return;
  const char *who = p.account.name;
  char detail[REASON_MAX + 120];
  if (strcmp(ref.submitted_by, who) == 0) {
    snprintf(detail, sizeof detail, "review %lld, version %lld: own upload", (long long)ref.n,
             (long long)ref.version);
    audit(req, who, ref.layer, "refused", detail);
    http_refuse(resp, HTTP_REFUSE_FORBIDDEN, "nobody decides on a version they uploaded: "
                "another reviewer must");
    return;
  }
  if (strcmp(ref.state, "pending") != 0 || jobs_layer_busy(req->services->jobs, ref.layer)) {
    const char *why = strcmp(ref.state, "pending") != 0 ? "already decided"
                                                        : "an import of this layer is in progress";
    snprintf(detail, sizeof detail, "review %lld: %s", (long long)ref.n, why);
    audit(req, who, ref.layer, "refused", detail);
    http_refuse(resp, HTTP_REFUSE_CONFLICT, "review %lld: %s", (long long)ref.n, why);
    return;
  }
  if (req->body_pending) { /* the reason is in the body: ask for it */
    resp->want_body = true;
    return;
  }
  const char *reason = read_reason(req, resp);
  if (!reason) {
    snprintf(detail, sizeof detail, "review %lld: no reason", (long long)ref.n);
    audit(req, who, ref.layer, "refused", detail);
    return;
  }
  char layer[STORE_NAME_MAX] = "";
  int64_t version = 0;
  /* the decision's line, written before its COMMIT: no decision without it */
  snprintf(detail, sizeof detail, "review %lld, version %lld: %s", (long long)ref.n,
           (long long)ref.version, reason);
  http_audit_line line = {req->config->db_path, who, "review", ref.layer,
                          approve ? "approved" : "rejected", detail, 0, false, false};
  store_gate gate = http_audit_gate(&line);
  store_review_decision d = {.n = ref.n, .approve = approve, .who = who, .reason = reason,
                             .out_layer = layer, .out_version = &version, .gate = &gate};
  store_review_verdict v;
  err e = {0};
  err_code rc = store_review_decide(req->config->db_path, &d, &v, &e);
  if (rc != ERR_OK && line.failed) {
    http_audit_refuse(resp, &e);
    return;
  }
  if (rc != ERR_OK) { /* refused or failed before its line, or its COMMIT failed after it */
    const char *result = v == STORE_REVIEW_DECIDED || v == STORE_REVIEW_STALE ? "refused"
                                                                              : "failed";
    snprintf(detail, sizeof detail, "review %lld, version %lld: %s", (long long)ref.n,
             (long long)ref.version, e.msg);
    audit(req, who, ref.layer, result, detail);
  }
  if (rc != ERR_OK) {
    if (v == STORE_REVIEW_DECIDED || v == STORE_REVIEW_STALE)
      http_refuse(resp, HTTP_REFUSE_CONFLICT, "%s", e.msg);
    else http_error(resp, rc, "%s", e.msg);
    return;
  }
  http_send_json(resp, json_pack("{s:I, s:s, s:I, s:s, s:s, s:s, s:s}", "review",
                                 (json_int_t)ref.n, "layer", layer, "version",
                                 (json_int_t)version, "state", approve ? "approved" : "rejected",
                                 "state_text", approve ? "aprobada" : "rechazada", "decided_by",
                                 who, "reason", reason));
  no_store(resp);
}

/* POST /api/reviews/{n}/approve, body {"reason": "..."} */
void h_review_approve(http_request *req, http_response *resp) { decide(req, resp, true); }
/* POST /api/reviews/{n}/reject, body {"reason": "..."} */
void h_review_reject(http_request *req, http_response *resp) { decide(req, resp, false); }

/* Runs a public handler on the catalog review {n} would publish: params[0] becomes the layer's
 * id, the captures after {n} follow it. */
static void preview(http_request *req, http_response *resp, http_handler public_handler) {
  auth_principal p;
  review_ref ref = {0};
  if (!find_review(req, resp, &p, &ref)) return;
  catalog *c = NULL;
  err e = {0};
  if (strcmp(ref.state, "pending") != 0 ||
      store_review_catalog(req->reader, ref.n, &c, &e) != ERR_OK || c->n_layers != 1) {
    catalog_destroy(c);
    http_error(resp, ERR_NOT_FOUND, "review %lld is not waiting: its preview is gone (a decided "
               "version is published, or discarded)", (long long)ref.n);
    return;
  }
  const catalog *published = req->catalog;
  str_view capture = req->params[0];
  req->catalog = c;
  req->params[0] = (str_view){c->layers[0].id, strlen(c->layers[0].id)};
  public_handler(req, resp);
  /* the server reads both after the handler (usage): nothing may point into c */
  req->catalog = published;
  req->params[0] = capture;
  catalog_destroy(c);
  no_store(resp);
}

/* GET /api/reviews/{n}/preview/tiles/{z}/{x}/{y}.mvt: the vector tile /tiles/{id}/{z}/{x}/{y}.mvt
 * answers once the version is approved. */
void h_review_preview_tile(http_request *req, http_response *resp) { preview(req, resp, h_tile); }
/* GET /api/reviews/{n}/preview/items: /collections/{id}/items once approved. */
void h_review_preview_items(http_request *req, http_response *resp) {
  preview(req, resp, h_items);
}
