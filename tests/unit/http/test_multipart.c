/* Unit tests of the multipart/form-data reader (http/multipart.c): bodies as curl 7.88 and
 * browsers send them, RFC 7578's example, and 70 bodies whose parts Python's email package read
 * (tests/data/multipart/ref.json, written by gen_ref.py there); every body fed whole, in two
 * pieces at every split and one byte at a time must give the same parts. Then what must be
 * refused, with the rule named and none of the client's bytes in the message. */
#include "check.h"

#include <jansson.h>
#include <stdbool.h>

#include "http/multipart.h"

/* ---- what the callbacks saw ---- */

typedef struct got_part {
  char *name, *filename, *ctype;
  char *data;
  size_t data_len;
  bool ended;
} got_part;

typedef struct got {
  got_part parts[MP_MAX_PARTS + 2];
  size_t n_parts;
  bool open;          /* between part_begin and part_end */
  size_t stop_after;  /* callbacks before one answers false (0: never) */
  size_t n_calls;
  size_t data_calls;
} got;

static bool go_on(got *g) { return g->stop_after == 0 || ++g->n_calls < g->stop_after; }

static bool on_begin(void *ctx, const char *name, const char *filename, const char *ctype) {
  got *g = ctx;
  if (g->open || g->n_parts >= MP_MAX_PARTS) fail_msg("part_begin out of order or past the bound");
  got_part *p = &g->parts[g->n_parts++];
  *p = (got_part){.name = strdup(name), .filename = strdup(filename), .ctype = strdup(ctype)};
  g->open = true;
  return go_on(g);
}

static bool on_data(void *ctx, const char *data, size_t len) {
  got *g = ctx;
  if (!g->open || len == 0) fail_msg("part_data outside a part or empty");
  got_part *p = &g->parts[g->n_parts - 1];
  p->data = realloc(p->data, p->data_len + len);
  memcpy(p->data + p->data_len, data, len);
  p->data_len += len;
  g->data_calls++;
  return go_on(g);
}

static bool on_end(void *ctx) {
  got *g = ctx;
  if (!g->open) fail_msg("part_end outside a part");
  g->parts[g->n_parts - 1].ended = true;
  g->open = false;
  return go_on(g);
}

static const mp_callbacks CB = {on_begin, on_data, on_end};

static void got_free(got *g) {
  for (size_t i = 0; i < g->n_parts; i++) {
    free(g->parts[i].name);
    free(g->parts[i].filename);
    free(g->parts[i].ctype);
    free(g->parts[i].data);
  }
  g->n_parts = 0;
}

static bool got_same(const got *a, const got *b) {
  if (a->n_parts != b->n_parts || a->open != b->open) return false;
  for (size_t i = 0; i < a->n_parts; i++) {
    const got_part *p = &a->parts[i], *q = &b->parts[i];
    if (strcmp(p->name, q->name) || strcmp(p->filename, q->filename) || strcmp(p->ctype, q->ctype) ||
        p->data_len != q->data_len || (p->data_len && memcmp(p->data, q->data, p->data_len)) ||
        p->ended != q->ended)
      return false;
  }
  return true;
}

/* ---- feeding ---- */

typedef struct outcome {
  err_code feed, finish;
  err e;
} outcome;

/* The body fed in pieces cut at cuts[0..n_cuts) (increasing), then finished. */
static outcome run_cuts(const char *ctype, const char *body, size_t len, const size_t *cuts,
                        size_t n_cuts, got *g) {
  outcome o = {0};
  mp_parser *p = mp_create(ctype, &CB, g, &o.e);
  assert_non_null(p);
  size_t at = 0;
  for (size_t i = 0; i <= n_cuts && o.feed == ERR_OK; i++) {
    size_t to = i < n_cuts ? cuts[i] : len;
    o.feed = mp_feed(p, body + at, to - at, &o.e);
    at = to;
  }
  o.finish = mp_finish(p, &o.e);
  mp_destroy(p);
  return o;
}

static outcome run_whole(const char *ctype, const char *body, size_t len, got *g) {
  return run_cuts(ctype, body, len, NULL, 0, g);
}

static outcome run_bytes(const char *ctype, const char *body, size_t len, got *g) {
  outcome o = {0};
  mp_parser *p = mp_create(ctype, &CB, g, &o.e);
  assert_non_null(p);
  for (size_t i = 0; i < len && o.feed == ERR_OK; i++) o.feed = mp_feed(p, body + i, 1, &o.e);
  o.finish = mp_finish(p, &o.e);
  mp_destroy(p);
  return o;
}

/* Fed whole, byte by byte and split in two at every position (all splits up to max_splits
 * bytes, else every step-th): the same parts and outcome each time. *out gets the whole run. */
static outcome run_all(const char *ctype, const char *body, size_t len, got *out) {
  outcome whole = run_whole(ctype, body, len, out);
  got g = {0};
  outcome o = run_bytes(ctype, body, len, &g);
  if (!got_same(out, &g) || o.feed != whole.feed || o.finish != whole.finish)
    fail_msg("byte by byte differs from whole (%zu bytes)", len);
  got_free(&g);
  size_t step = len > 3000 ? len / 1000 : 1;
  for (size_t cut = 0; cut <= len; cut += step) {
    o = run_cuts(ctype, body, len, &cut, 1, &g);
    if (!got_same(out, &g) || o.feed != whole.feed || o.finish != whole.finish)
      fail_msg("split at %zu of %zu differs from whole", cut, len);
    got_free(&g);
  }
  return whole;
}

static void expect_part(const got *g, size_t i, const char *name, const char *filename,
                        const char *ctype, const char *data) {
  if (i >= g->n_parts) fail_msg("no part %zu", i);
  const got_part *p = &g->parts[i];
  assert_string_equal(p->name, name);
  assert_string_equal(p->filename, filename);
  assert_string_equal(p->ctype, ctype);
  assert_int_equal(p->data_len, strlen(data));
  assert_memory_equal(p->data ? p->data : "", data, p->data_len);
  assert_true(p->ended);
}

/* ---- bodies that real clients send ---- */

/* curl 7.88.1 -F 'title=Puntos de León' -F 'file=@puntos.csv;type=text/csv' -F 'privacy=k=5',
 * as a loopback socket received it */
static const char CURL_CT[] =
    "multipart/form-data; boundary=------------------------691324eb23c91fa8";
static const char CURL_BODY[] =
    "--------------------------691324eb23c91fa8\r\n"
    "Content-Disposition: form-data; name=\"title\"\r\n"
    "\r\n"
    "Puntos de Le\303\263n\r\n"
    "--------------------------691324eb23c91fa8\r\n"
    "Content-Disposition: form-data; name=\"file\"; filename=\"puntos.csv\"\r\n"
    "Content-Type: text/csv\r\n"
    "\r\n"
    "name,lat,lon\n"
    "Le\303\263n,21.12,-101.68\n"
    "\r\n"
    "--------------------------691324eb23c91fa8\r\n"
    "Content-Disposition: form-data; name=\"privacy\"\r\n"
    "\r\n"
    "k=5\r\n"
    "--------------------------691324eb23c91fa8--\r\n";

static void curl_body(void **state) {
  got g = {0};
  outcome o = run_all(CURL_CT, CURL_BODY, sizeof CURL_BODY - 1, &g);
  assert_int_equal(o.feed, ERR_OK);
  assert_int_equal(o.finish, ERR_OK);
  assert_int_equal(g.n_parts, 3);
  expect_part(&g, 0, "title", "", "", "Puntos de Le\303\263n");
  expect_part(&g, 1, "file", "puntos.csv", "text/csv",
              "name,lat,lon\nLe\303\263n,21.12,-101.68\n"); /* the CRLF is the delimiter's */
  expect_part(&g, 2, "privacy", "", "", "k=5");
  got_free(&g);
}

/* Chromium's form encoding (HTML §4.10.21.8): WebKitFormBoundary, `"` in a file name as %22,
 * an empty file input (filename "" and application/octet-stream), a field with CRLFs. */
static void browser_body(void **state) {
  const char ct[] = "multipart/form-data; boundary=----WebKitFormBoundaryx8Uq2tVmR0a1PzKc";
  const char body[] =
      "------WebKitFormBoundaryx8Uq2tVmR0a1PzKc\r\n"
      "Content-Disposition: form-data; name=\"csrf\"\r\n"
      "\r\n"
      "tok\r\n"
      "------WebKitFormBoundaryx8Uq2tVmR0a1PzKc\r\n"
      "Content-Disposition: form-data; name=\"file\"; filename=\"my %22best%22 map.geojson\"\r\n"
      "Content-Type: application/geo+json\r\n"
      "\r\n"
      "{\"type\":\"FeatureCollection\",\"features\":[]}\r\n"
      "------WebKitFormBoundaryx8Uq2tVmR0a1PzKc\r\n"
      "Content-Disposition: form-data; name=\"extra\"; filename=\"\"\r\n"
      "Content-Type: application/octet-stream\r\n"
      "\r\n"
      "\r\n"
      "------WebKitFormBoundaryx8Uq2tVmR0a1PzKc\r\n"
      "Content-Disposition: form-data; name=\"notes\"\r\n"
      "\r\n"
      "line one\r\nline two\r\n\r\n"
      "------WebKitFormBoundaryx8Uq2tVmR0a1PzKc--\r\n";
  got g = {0};
  outcome o = run_all(ct, body, sizeof body - 1, &g);
  assert_int_equal(o.finish, ERR_OK);
  assert_int_equal(g.n_parts, 4);
  expect_part(&g, 0, "csrf", "", "", "tok");
  expect_part(&g, 1, "file", "my %22best%22 map.geojson", "application/geo+json",
              "{\"type\":\"FeatureCollection\",\"features\":[]}");
  expect_part(&g, 2, "extra", "", "application/octet-stream", "");
  expect_part(&g, 3, "notes", "", "", "line one\r\nline two\r\n");
  got_free(&g);
}

/* RFC 7578 §4.6's example, closed, after a preamble and with an epilogue (RFC 2046 §5.1.1);
 * the header names in lower case, Content-Transfer-Encoding ignored. */
static void rfc_example(void **state) {
  const char body[] = "This is the preamble.  It is to be ignored.\r\n"
                      "--AaB03x\r\n"
                      "content-disposition: form-data; name=\"field1\"\r\n"
                      "content-type: text/plain;charset=UTF-8\r\n"
                      "content-transfer-encoding: quoted-printable\r\n"
                      "\r\n"
                      "Joe owes =E2=82=AC100.\r\n"
                      "--AaB03x--\r\n"
                      "This is the epilogue.  It is also to be ignored.\r\n--AaB03x\r\n";
  got g = {0};
  outcome o = run_all("multipart/form-data; boundary=AaB03x", body, sizeof body - 1, &g);
  assert_int_equal(o.finish, ERR_OK);
  assert_int_equal(g.n_parts, 1);
  expect_part(&g, 0, "field1", "", "text/plain;charset=UTF-8", "Joe owes =E2=82=AC100.");
  got_free(&g);
}

/* ---- Python's email package as the reference ---- */

static char *unhex(const char *h, size_t *out_len) {
  size_t n = strlen(h) / 2;
  char *b = malloc(n + 1);
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    if (sscanf(h + 2 * i, "%2x", &v) != 1) fail_msg("bad hex in ref.json");
    b[i] = (char)v;
  }
  b[n] = '\0';
  if (out_len) *out_len = n;
  return b;
}

static void python_reference(void **state) {
  const char *dir = getenv("TESELAS_TEST_DATA");
  char path[512];
  snprintf(path, sizeof path, "%s/multipart/ref.json", dir ? dir : "tests/data");
  json_error_t je;
  json_t *cases = json_load_file(path, 0, &je);
  if (!cases) fail_msg("%s: %s", path, je.text);
  assert_true(json_array_size(cases) >= 70);
  size_t n_parts = 0;
  for (size_t c = 0; c < json_array_size(cases); c++) {
    json_t *k = json_array_get(cases, c);
    size_t len;
    char *ct = unhex(json_string_value(json_object_get(k, "content_type")), NULL);
    char *body = unhex(json_string_value(json_object_get(k, "body")), &len);
    got g = {0};
    outcome o = run_all(ct, body, len, &g);
    if (o.finish != ERR_OK) fail_msg("case %zu: %s", c, o.e.msg);
    json_t *parts = json_object_get(k, "parts");
    if (g.n_parts != json_array_size(parts))
      fail_msg("case %zu: %zu parts, Python %zu", c, g.n_parts, json_array_size(parts));
    for (size_t i = 0; i < g.n_parts; i++) {
      json_t *pp = json_array_get(parts, i);
      size_t dlen;
      char *name = unhex(json_string_value(json_object_get(pp, "name")), NULL);
      char *fn = unhex(json_string_value(json_object_get(pp, "filename")), NULL);
      char *pct = unhex(json_string_value(json_object_get(pp, "content_type")), NULL);
      char *data = unhex(json_string_value(json_object_get(pp, "data")), &dlen);
      const got_part *p = &g.parts[i];
      if (strcmp(p->name, name) || strcmp(p->filename, fn) || strcmp(p->ctype, pct) ||
          p->data_len != dlen || memcmp(p->data ? p->data : "", data, dlen))
        fail_msg("case %zu part %zu: not what Python read (name '%s'/'%s', filename '%s'/'%s', "
                 "type '%s'/'%s', %zu/%zu bytes)", c, i, p->name, name, p->filename, fn, p->ctype,
                 pct, p->data_len, dlen);
      free(name), free(fn), free(pct), free(data);
    }
    n_parts += g.n_parts;
    got_free(&g);
    free(ct);
    free(body);
  }
  assert_true(n_parts >= 200);
  json_decref(cases);
}

/* ---- contents near the boundary; CR and LF ---- */

static void near_boundaries(void **state) {
#define NEAR                                                                                       \
  "--bound at the start, no CRLF\r\n"                                                             \
  "\r\n--boun\r\n--bou\r\r\n--boun-\r\n-\r\n--\r\n--bounx"                                        \
  "\n--bound\n"   /* LF alone is not a line break here (RFC 2046) */                              \
  "\r--bound\r\n" /* nor is CR alone */                                                           \
  "x--bound\r\n"                                                                                  \
  "\r\n\r\n"
  const char ct[] = "multipart/form-data; boundary=bound";
  const char body[] = "--bound\r\n"
                      "Content-Disposition: form-data; name=\"f\"; filename=\"n.bin\"\r\n"
                      "\r\n" NEAR "\r\n--bound\r\n"
                      "Content-Disposition: form-data; name=\"g\"\r\n"
                      "\r\n"
                      "\r\n"
                      "\r\n--bound--";
  got g = {0};
  outcome o = run_all(ct, body, sizeof body - 1, &g);
  if (o.finish != ERR_OK) fail_msg("%s", o.e.msg);
  assert_int_equal(g.n_parts, 2);
  expect_part(&g, 0, "f", "n.bin", "", NEAR);
  expect_part(&g, 1, "g", "", "", "\r\n");
  got_free(&g);
#undef NEAR
}

/* "\r\n--boundX": the boundary is whole, so it is a delimiter, and what follows breaks its
 * line (RFC 2046 §5.1.1: the boundary must not occur in a content). Likewise in a preamble. */
static void delimiter_lines(void **state) {
  const char ct[] = "multipart/form-data; boundary=b";
  const char *bad[] = {"--b\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--bX\r\n--b--",
                       "--bX\r\n--b--", "--b\r\n\r\n", "--b \t x\r\n", "--b-x", "--b\n",
                       "--b\r", "--b\rx", "--b  --\r\n",
                       "--b\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--b\t--\r\n"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    got g = {0};
    outcome o = run_all(ct, bad[i], strlen(bad[i]), &g);
    if (o.finish != ERR_INVALID) fail_msg("bad[%zu] accepted", i);
    got_free(&g);
  }
  /* a close delimiter then any epilogue, and no part at all */
  const char *good[] = {"--b--", "--b--garbage", "preamble\r\n--b--\r\n", "--b--\r\n--b\r\n"};
  for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
    got g = {0};
    outcome o = run_all(ct, good[i], strlen(good[i]), &g);
    if (o.finish != ERR_OK) fail_msg("good[%zu]: %s", i, o.e.msg);
    assert_int_equal(g.n_parts, 0);
    got_free(&g);
  }
  /* transport padding after delimiters */
  got g = {0};
  const char padded[] = "--b \t \r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--b--  \r\n";
  outcome o = run_all(ct, padded, sizeof padded - 1, &g);
  assert_int_equal(o.finish, ERR_OK);
  expect_part(&g, 0, "a", "", "", "x");
  got_free(&g);
}

static void crlf_in_headers(void **state) {
  const char ct[] = "multipart/form-data; boundary=b";
  const char *bad[] = {
      "--b\r\nContent-Disposition: form-data; name=a\n\r\nx\r\n--b--",   /* LF alone */
      "--b\r\nContent-Disposition: form-data; name=a\r\n\nx\r\n--b--",   /* blank line LF */
      "--b\r\nContent-Disposition: form-data; name=a\rx\r\n\r\nx\r\n--b--",
      "--b\r\n Content-Disposition: form-data; name=a\r\n\r\nx\r\n--b--", /* folded first */
      "--b\r\nContent-Disposition: form-data; name=a\r\nX\001: y\r\n\r\nx\r\n--b--",
      "--b\r\nContent-Disposition: form-data; name=a\r\nNoColon\r\n\r\nx\r\n--b--",
      "--b\r\nContent-Disposition : form-data; name=a\r\n\r\nx\r\n--b--",
      /* a whole body with LF line ends: the first delimiter's line does not end in CRLF */
      "--b\nContent-Disposition: form-data; name=a\n\nx\n--b--\n"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    got g = {0};
    outcome o = run_all(ct, bad[i], strlen(bad[i]), &g);
    if (o.finish != ERR_INVALID) fail_msg("bad[%zu] accepted", i);
    assert_int_equal(g.n_parts, 0);
    got_free(&g);
  }
  /* folded lines are unfolded (RFC 5322 §2.2.3); header names in any case */
  const char folded[] = "--b\r\ncontent-DISPOSITION: form-data;\r\n name=\"a\";\r\n\tfilename=\"f\"\r\n"
                        "CONTENT-TYPE:text/plain \r\n\r\nx\r\n--b--";
  got g = {0};
  outcome o = run_all(ct, folded, sizeof folded - 1, &g);
  if (o.finish != ERR_OK) fail_msg("folded: %s", o.e.msg);
  expect_part(&g, 0, "a", "f", "text/plain", "x");
  got_free(&g);
}

static void dispositions(void **state) {
  const char ct[] = "multipart/form-data; boundary=b";
  struct {
    const char *cd, *name, *filename;
  } good[] = {
      {"form-data; name=\"a\\\"b\\\\c\"; filename=\"C:\\tmp\\x.zip\"", "a\"b\\c", "C:\\tmp\\x.zip"},
      {"form-data;name=a;filename=b.csv", "a", "b.csv"},
      {"FORM-DATA ; filename = \"x;y\" ; NAME = \"\" ;", "", "x;y"},
      {"form-data; name=\"a\"; filename*=UTF-8''%e2%82%ac.txt", "a", ""},
      {"form-data; name=\"Le\303\263n\"; filename=\"mapa de Le\303\263n.gpkg\"", "Le\303\263n",
       "mapa de Le\303\263n.gpkg"},
      {"form-data; name=\"a\"; size=3; creation-date=\"x\"", "a", ""},
  };
  for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
    char body[512];
    int n = snprintf(body, sizeof body, "--b\r\nContent-Disposition: %s\r\n\r\nd\r\n--b--", good[i].cd);
    got g = {0};
    outcome o = run_all(ct, body, (size_t)n, &g);
    if (o.finish != ERR_OK) fail_msg("good[%zu]: %s", i, o.e.msg);
    expect_part(&g, 0, good[i].name, good[i].filename, "", "d");
    got_free(&g);
  }
  const char *bad[] = {
      "--b\r\nContent-Type: text/plain\r\n\r\nd\r\n--b--",
      "--b\r\nContent-Disposition: attachment; name=a\r\n\r\nd\r\n--b--",
      "--b\r\nContent-Disposition: form-data\r\n\r\nd\r\n--b--",
      "--b\r\nContent-Disposition: form-data; filename=x\r\n\r\nd\r\n--b--",
      "--b\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\nd\r\n--b--",
      "--b\r\nContent-Disposition: form-data; name=a\r\nContent-Disposition: form-data; name=a\r\n\r\nd\r\n--b--",
      "--b\r\nContent-Disposition: form-data; name=a\r\nContent-Type: a\r\nContent-Type: b\r\n\r\nd\r\n--b--",
      "--b\r\nContent-Disposition: form-data; name=\"a\r\n\r\nd\r\n--b--",
      "--b\r\nContent-Disposition: form-data; name=\"a\\\"\r\n\r\nd\r\n--b--",
      "--b\r\nContent-Disposition: form-data; name=\r\n\r\nd\r\n--b--",
      "--b\r\nContent-Disposition: form-data; name=a b\r\n\r\nd\r\n--b--",
      "--b\r\nContent-Disposition: form-data name=a\r\n\r\nd\r\n--b--",
      "--b\r\nContent-Disposition: form-data; =a\r\n\r\nd\r\n--b--",
      "--b\r\nContent-Disposition: form-data; name=\"a\" x\r\n\r\nd\r\n--b--",
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    got g = {0};
    outcome o = run_all(ct, bad[i], strlen(bad[i]), &g);
    if (o.finish != ERR_INVALID) fail_msg("bad[%zu] accepted", i);
    assert_int_equal(g.n_parts, 0);
    assert_non_null(strstr(o.e.msg, "multipart body: "));
    got_free(&g);
  }
}

/* ---- the end of the body ---- */

/* Every proper prefix of a body lacks its close delimiter, and the whole has it. */
static void missing_close(void **state) {
  size_t len = sizeof CURL_BODY - 1, close_end = len - 2; /* "--" before the final CRLF */
  for (size_t n = 0; n <= len; n++) {
    got g = {0};
    outcome o = run_whole(CURL_CT, CURL_BODY, n, &g);
    assert_int_equal(o.feed, ERR_OK);
    assert_int_equal(o.finish, n >= close_end ? ERR_OK : ERR_INVALID);
    if (o.finish != ERR_OK) assert_non_null(strstr(o.e.msg, "close delimiter"));
    got_free(&g);
  }
  got g = {0};
  outcome o = run_whole(CURL_CT, "", 0, &g);
  assert_int_equal(o.finish, ERR_INVALID);
}

/* ---- bounds ---- */

static void header_too_large(void **state) {
  const char ct[] = "multipart/form-data; boundary=b";
  const char head[] = "--b\r\nContent-Disposition: form-data; name=a\r\nX-Pad: ";
  const char tail[] = "\r\n\r\nd\r\n--b--";
  size_t fixed = (sizeof head - 1 - 5) + 4; /* the header block's own bytes, blank line included */
  for (int over = 0; over <= 1; over++) {
    size_t pad = MP_MAX_HEADER_BYTES - fixed + (size_t)over;
    size_t len = sizeof head - 1 + pad + sizeof tail - 1;
    char *body = malloc(len);
    memcpy(body, head, sizeof head - 1);
    memset(body + sizeof head - 1, 'p', pad);
    memcpy(body + sizeof head - 1 + pad, tail, sizeof tail - 1);
    got g = {0};
    outcome o = run_whole(ct, body, len, &g);
    assert_int_equal(o.finish, over ? ERR_LIMIT : ERR_OK);
    assert_int_equal(g.n_parts, over ? 0 : 1);
    got_free(&g);
    o = run_bytes(ct, body, len, &g);
    assert_int_equal(o.finish, over ? ERR_LIMIT : ERR_OK);
    got_free(&g);
    free(body);
  }
}

static void too_many_parts(void **state) {
  const char ct[] = "multipart/form-data; boundary=b";
  const char part[] = "--b\r\nContent-Disposition: form-data; name=a\r\n\r\nd\r\n";
  for (size_t n = MP_MAX_PARTS; n <= MP_MAX_PARTS + 1; n++) {
    size_t len = n * (sizeof part - 1) + 5;
    char *body = malloc(len);
    for (size_t i = 0; i < n; i++) memcpy(body + i * (sizeof part - 1), part, sizeof part - 1);
    memcpy(body + n * (sizeof part - 1), "--b--", 5);
    got g = {0};
    outcome o = run_whole(ct, body, len, &g);
    assert_int_equal(o.finish, n > MP_MAX_PARTS ? ERR_LIMIT : ERR_OK);
    assert_int_equal(g.n_parts, MP_MAX_PARTS);
    if (n > MP_MAX_PARTS) assert_non_null(strstr(o.e.msg, "256 parts"));
    got_free(&g);
    free(body);
  }
}

/* Data is handed on as it arrives: at most the delimiter's length less one byte held back. */
static void data_promptly(void **state) {
  const char ct[] = "multipart/form-data; boundary=bound";
  got g = {0};
  err e;
  mp_parser *p = mp_create(ct, &CB, &g, &e);
  assert_non_null(p);
  const char head[] = "--bound\r\nContent-Disposition: form-data; name=a\r\n\r\n";
  assert_int_equal(mp_feed(p, head, sizeof head - 1, &e), ERR_OK);
  assert_int_equal(g.n_parts, 1);
  assert_int_equal(mp_feed(p, "hello", 5, &e), ERR_OK);
  assert_int_equal(g.parts[0].data_len, 5);
  assert_int_equal(mp_feed(p, " \r\n--boun", 9, &e), ERR_OK); /* 7 held: a delimiter's prefix */
  assert_int_equal(g.parts[0].data_len, 6);
  assert_int_equal(mp_feed(p, "X", 1, &e), ERR_OK);
  assert_int_equal(g.parts[0].data_len, 15);
  assert_memory_equal(g.parts[0].data, "hello \r\n--bounX", 15);
  assert_int_equal(mp_feed(p, "\r\n--bound", 9, &e), ERR_OK);
  assert_true(g.parts[0].ended);
  assert_int_equal(mp_feed(p, "--", 2, &e), ERR_OK);
  assert_int_equal(mp_finish(p, &e), ERR_OK);
  mp_destroy(p);
  got_free(&g);

  /* a large file part: data arrives in as many calls as pieces, never held */
  size_t len = 1 << 20;
  char *big = malloc(len);
  for (size_t i = 0; i < len; i++) big[i] = (char)(i * 7 % 251);
  p = mp_create(ct, &CB, &g, &e);
  assert_int_equal(mp_feed(p, head, sizeof head - 1, &e), ERR_OK);
  for (size_t at = 0; at < len; at += 4096) {
    assert_int_equal(mp_feed(p, big + at, 4096, &e), ERR_OK);
    size_t now = g.parts[0].data_len;
    if (now + 4 + 5 - 1 < at + 4096) fail_msg("held back %zu bytes", at + 4096 - now);
  }
  assert_int_equal(mp_feed(p, "\r\n--bound--", 11, &e), ERR_OK);
  assert_int_equal(mp_finish(p, &e), ERR_OK);
  assert_int_equal(g.parts[0].data_len, len);
  assert_memory_equal(g.parts[0].data, big, len);
  mp_destroy(p);
  got_free(&g);
  free(big);
}

/* ---- the Content-Type header ---- */

static void content_types(void **state) {
  const char *good[][2] = {
      {"multipart/form-data; boundary=AaB03x", "AaB03x"},
      {"Multipart/Form-Data;boundary=\"gc0pJq0M:08jU534c0p\"", "gc0pJq0M:08jU534c0p"},
      {"multipart/form-data ; charset=utf-8 ; BOUNDARY = x ;", "x"},
      {"multipart/form-data; boundary=\"a b '()+_,-./:=?\"", "a b '()+_,-./:=?"},
      {"multipart/form-data; boundary=a=b", "a=b"},
      {"multipart/form-data; boundary="
       "0123456789012345678901234567890123456789012345678901234567890123456789",
       "0123456789012345678901234567890123456789012345678901234567890123456789"},
  };
  for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
    char body[256];
    int n = snprintf(body, sizeof body, "--%s\r\nContent-Disposition: form-data; name=k\r\n\r\nv\r\n--%s--",
                     good[i][1], good[i][1]);
    got g = {0};
    outcome o = run_whole(good[i][0], body, (size_t)n, &g);
    if (o.finish != ERR_OK) fail_msg("good[%zu]: %s", i, o.e.msg);
    expect_part(&g, 0, "k", "", "", "v");
    got_free(&g);
  }
  const char *bad[] = {
      NULL, "", "text/plain", "multipart/form-data", "multipart/form-data;", "multipart/mixed; boundary=a",
      "multipart/form-dataX; boundary=a", "multipart/form-data; boundary=", "multipart/form-data; boundary=\"\"",
      "multipart/form-data; boundary=\"a \"", "multipart/form-data; boundary=EVIL@",
      "multipart/form-data; boundary=\"EVIL\\\"\"", "multipart/form-data; boundary=\"EVIL",
      "multipart/form-data; boundary=a; boundary=a", "multipart/form-data; boundary=EVIL\r\n",
      "multipart/form-data; boundary=EVIL\177", "multipart/form-data boundary=EVIL",
      "multipart/form-data; boundary EVIL", "form-data; boundary=EVIL", "multipart/form-data; =EVIL",
      "multipart/form-data; boundary=\"EVIL\xc3\xa9\"",
      "multipart/form-data; boundary="
      "01234567890123456789012345678901234567890123456789012345678901234567890",
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    err e = {0};
    got g = {0};
    if (mp_create(bad[i], &CB, &g, &e) != NULL) fail_msg("bad[%zu] accepted", i);
    assert_int_equal(e.code, ERR_INVALID);
    assert_null(strstr(e.msg, "EVIL"));
    assert_true(strlen(e.msg) > 0);
  }
}

/* ---- a callback says stop; errors stick ---- */

static void stop_and_sticky(void **state) {
  for (size_t after = 1; after <= 8; after++) {
    got g = {.stop_after = after};
    outcome o = run_whole(CURL_CT, CURL_BODY, sizeof CURL_BODY - 1, &g);
    assert_int_equal(o.feed, ERR_INVALID);
    assert_string_equal(o.e.msg, "stopped");
    assert_int_equal(o.finish, ERR_INVALID);
    assert_int_equal(g.n_calls, after); /* no callback after the one that said no */
    got_free(&g);
  }
  got g = {0};
  err e;
  mp_parser *p = mp_create("multipart/form-data; boundary=b", &CB, &g, &e);
  assert_int_equal(mp_feed(p, "--bEVIL", 7, &e), ERR_INVALID);
  assert_null(strstr(e.msg, "EVIL"));
  char first[ERR_MSG_MAX];
  snprintf(first, sizeof first, "%s", e.msg);
  assert_int_equal(mp_feed(p, "\r\n--b--", 7, &e), ERR_INVALID);
  assert_string_equal(e.msg, first);
  assert_int_equal(mp_finish(p, &e), ERR_INVALID);
  assert_string_equal(e.msg, first);
  mp_destroy(p);
  mp_destroy(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(curl_body),        cmocka_unit_test(browser_body),
      cmocka_unit_test(rfc_example),      cmocka_unit_test(python_reference),
      cmocka_unit_test(near_boundaries),  cmocka_unit_test(delimiter_lines),
      cmocka_unit_test(crlf_in_headers),  cmocka_unit_test(dispositions),
      cmocka_unit_test(missing_close),    cmocka_unit_test(header_too_large),
      cmocka_unit_test(too_many_parts),   cmocka_unit_test(data_promptly),
      cmocka_unit_test(content_types),    cmocka_unit_test(stop_and_sticky)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
