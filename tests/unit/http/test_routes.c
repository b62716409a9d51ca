/* Unit tests of the route table and the request helpers, with fake requests (no socket). */
#include "check.h"
#include "http/h_ogc_int.h"
#include "http/handlers.h"
#include "http/http.h"

static http_handler route(const char *path, http_request *req) {
  memset(req, 0, sizeof *req);
  req->path = path;
  req->method = "GET";
  return http_route_find(req);
}

static void routes_match_exact_paths(void **state) {
  http_request req;
  assert_ptr_equal(route("/health", &req), h_health);
  assert_ptr_equal(route("/", &req), h_landing);
  assert_null(route("/healthz", &req));
  assert_null(route("/health/x", &req));
  assert_null(route("", &req));
}

static void errors_are_json_with_mapped_status(void **state) {
  http_response resp = {0};
  buf_init(&resp.body, 0);
  http_error(&resp, ERR_INVALID, "bbox needs %d numbers", 4);
  assert_int_equal(resp.status, 400);
  assert_string_equal(resp.content_type, "application/json");
  assert_string_equal(buf_cstr(&resp.body),
                      "{\"code\":\"invalid_parameter\",\"description\":\"bbox needs 4 numbers\"}\n");
  assert_int_equal(http_status_for(ERR_NOT_FOUND), 404);
  assert_int_equal(http_status_for(ERR_LIMIT), 413);
  assert_int_equal(http_status_for(ERR_DB), 500);
  buf_free(&resp.body);
}

static void etag_matching(void **state) {
  http_request req = {0};
  http_response resp = {0};
  buf_init(&resp.body, 0);
  req.if_none_match = "\"a\", W/\"v3-1\"";
  assert_true(http_etag_check(&req, &resp, "\"v3-1\""));
  /* the handler still builds the 200's body; http_not_modified makes the 304 and keeps it, for
   * the Content-Length */
  assert_int_equal(resp.status, 0);
  buf_puts(&resp.body, "tile bytes");
  resp.status = 200;
  resp.content_type = "image/png";
  http_not_modified(&resp);
  assert_int_equal(resp.status, 304);
  assert_null(resp.content_type);
  assert_int_equal(http_body_len(&resp), 10);
  resp.status = 0;
  req.if_none_match = "\"v3-10\"";
  assert_false(http_etag_check(&req, &resp, "\"v3-1\""));
  req.if_none_match = "";
  assert_false(http_etag_check(&req, &resp, "\"v3-1\""));
  buf_free(&resp.body);
}

static void json_preference(void **state) {
  http_request req = {0};
  req.accept = "text/html,application/json;q=0.9";
  assert_false(http_wants_json(&req));
  req.accept = "application/json";
  assert_true(http_wants_json(&req));
  req.accept = "text/html";
  req.args[0] = (query_arg){"f", "json"};
  req.n_args = 1;
  assert_true(http_wants_json(&req));
}

/* /api is built from the table: every route names its operation and the media types of its 200. */
static void every_route_is_described(void **state) {
  arena *a = arena_create(1 << 20);
  size_t n = 0;
  const features_api_route *r = http_route_docs(a, &n);
  assert_non_null(r);
  assert_true(n > 20);
  for (size_t i = 0; i < n; i++) {
    assert_non_null(r[i].op->op_id);
    assert_true(r[i].op->mimes || r[i].op->variants);
  }
  arena_destroy(a);
}

static void refusals_have_their_status(void **state) {
  http_response resp = {0};
  buf_init(&resp.body, 0);
  http_refuse(&resp, HTTP_REFUSE_METHOD, "method %s is not allowed", "POST");
  assert_int_equal(resp.status, 405);
  assert_string_equal(buf_cstr(&resp.body),
                      "{\"code\":\"invalid_parameter\",\"description\":\"method POST is not allowed\"}\n");
  assert_int_equal(resp.n_headers, 1);
  assert_string_equal(resp.headers[0].name, "Allow");
  http_refuse(&resp, HTTP_REFUSE_BODY, "too large");
  assert_int_equal(resp.status, 413);
  assert_non_null(strstr(buf_cstr(&resp.body), "\"limit_exceeded\""));
  assert_int_equal(http_status_for_refusal(HTTP_REFUSE_URL), 414);
  assert_int_equal(http_status_for_refusal(HTTP_REFUSE_HEADERS), 431);
  assert_int_equal(http_status_for_refusal(HTTP_REFUSE_MALFORMED), 400);
  buf_free(&resp.body);
}

static void indexes_are_plain_decimals(void **state) {
  int64_t n = -1;
  assert_true(http_parse_index((str_view){"4294967295", 10}, &n));
  assert_true(n == 4294967295LL);
  assert_false(http_parse_index((str_view){"12345678901", 11}, &n));
  assert_false(http_parse_index((str_view){"", 0}, &n));
  assert_false(http_parse_index((str_view){"-1", 2}, &n));
  assert_false(http_parse_index((str_view){"1a", 2}, &n));
}

static void accept_picks_the_first_listed(void **state) {
  static const char *const T[] = {"json", "text/html", "text/csv"};
  http_request req = {0};
  req.accept = "text/csv, application/geo+json";
  assert_int_equal(http_accept_first(&req, T, 3), 2);
  assert_int_equal(http_accept_first(&req, T, 2), 0);
  req.accept = "";
  assert_int_equal(http_accept_first(&req, T, 3), 3);
  /* the OGC documents: JSON unless HTML (or, for items, CSV) comes first */
  assert_int_equal(h_ogc_negotiate(&req, false), FEATURES_GEOJSON);
  assert_int_equal(h_ogc_negotiate(&req, true), FEATURES_GEOJSON);
  req.accept = "text/csv";
  assert_int_equal(h_ogc_negotiate(&req, false), FEATURES_GEOJSON);
  assert_int_equal(h_ogc_negotiate(&req, true), FEATURES_CSV);
  req.accept = "text/html,application/xhtml+xml,application/json;q=0.9";
  assert_int_equal(h_ogc_negotiate(&req, true), FEATURES_HTML);
  req.accept = "application/geo+json, text/html";
  assert_int_equal(h_ogc_negotiate(&req, true), FEATURES_GEOJSON);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(routes_match_exact_paths),
      cmocka_unit_test(errors_are_json_with_mapped_status),
      cmocka_unit_test(etag_matching),
      cmocka_unit_test(json_preference),
      cmocka_unit_test(every_route_is_described),
      cmocka_unit_test(refusals_have_their_status),
      cmocka_unit_test(indexes_are_plain_decimals),
      cmocka_unit_test(accept_picks_the_first_listed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
