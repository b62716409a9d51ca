/* Unit tests of the HTTP engine (http/engine.c, reply.c) on a loopback socket, with hooks that
 * answer from the path: pipelined requests answered in order, a head sent byte by byte, HEAD,
 * 100-continue, a chunked upload, a streamed answer, and a client that closes in the middle of
 * an external body (released exactly once, the request reported incomplete). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <time.h>

#include "check.h"
#include "http/engine.h"

enum { BIG = 8 << 20 };

typedef struct app_req {
  uint64_t body;
  char first[32];
  size_t n_first;
} app_req;

static atomic_int released, done_ok, done_cut, closed_conns;
static char *big;

static void release(void *ctx) {
  (void)ctx;
  atomic_fetch_add(&released, 1);
}

static long stream_fn(void *ctx, uint64_t pos, char *out, size_t max) {
  (void)ctx;
  if (pos >= 100000) return 0;
  size_t n = max < 30000 ? max : 30000;
  if (n > 100000 - pos) n = (size_t)(100000 - pos);
  memset(out, 'a' + (int)(pos / 30000), n);
  return (long)n;
}

static void answer(engine_req *r, const char *text) {
  http_response resp = {0};
  buf_init(&resp.body, 0);
  const wire_head *h = r->head;
  if (wire_str_is((wire_str){h->target.s, h->target.len}, "/big")) {
    http_body_external(&resp, big, BIG, release, NULL);
  } else if (wire_str_is((wire_str){h->target.s, h->target.len}, "/stream")) {
    resp.stream = stream_fn;
  } else if (text) {
    buf_puts(&resp.body, text);
  } else {
    buf_append(&resp.body, h->target.s, h->target.len);
  }
  resp.content_type = "text/plain";
  engine_respond(r, &resp);
  buf_free(&resp.body);
}

static bool admit(void *ctx, const struct sockaddr *p, socklen_t l) {
  (void)ctx, (void)p, (void)l;
  return true;
}
static void closed(void *ctx, const struct sockaddr *p, socklen_t l, bool t) {
  (void)ctx, (void)p, (void)l, (void)t;
  atomic_fetch_add(&closed_conns, 1);
}
static bool head(void *ctx, engine_req *r) {
  (void)ctx;
  if (wire_str_is(r->head->method, "POST")) return true;
  answer(r, NULL);
  return false;
}
static bool body(void *ctx, engine_req *r, const char *d, size_t n) {
  (void)ctx;
  app_req *a = r->app;
  a->body += n;
  for (size_t i = 0; i < n && a->n_first < sizeof a->first - 1; i++) a->first[a->n_first++] = d[i];
  return true;
}
static void end(void *ctx, engine_req *r, bool ok) {
  (void)ctx;
  app_req *a = r->app;
  char text[80];
  snprintf(text, sizeof text, "%s %llu %s", ok ? "ok" : "bad", (unsigned long long)a->body, a->first);
  answer(r, text);
}
static void refuse(void *ctx, int status, const char *why, http_response *resp) {
  (void)ctx;
  buf_printf(&resp->body, "{\"status\":%d,\"why\":\"%s\"}", status, why);
}
static void done(void *ctx, engine_req *r, bool completed, uint64_t sb) {
  (void)ctx, (void)r, (void)sb;
  atomic_fetch_add(completed ? &done_ok : &done_cut, 1);
}

static engine *en;
static int port, lfd;

static int setup(void **state) {
  (void)state;
  signal(SIGPIPE, SIG_IGN);
  big = calloc(1, BIG);
  lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (bind(lfd, (struct sockaddr *)&a, sizeof a) || listen(lfd, 64)) return -1;
  socklen_t len = sizeof a;
  getsockname(lfd, (struct sockaddr *)&a, &len);
  port = ntohs(a.sin_port);
  engine_hooks hooks = {.admit = admit, .closed = closed, .head = head, .body = body, .end = end,
                        .refuse = refuse, .done = done};
  engine_config cfg = {.listen_fd = lfd, .threads = 2, .idle_timeout_s = 5, .url_max = 1024,
                       .headers_max = 2048, .app_size = sizeof(app_req)};
  err e = {0};
  en = engine_start(&cfg, &hooks, &e);
  return en ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  engine_stop(en);
  close(lfd);
  free(big);
  return 0;
}

static int client(void) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) fail_msg("connect");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct timeval tv = {10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

static void send_str(int fd, const char *s, size_t n) {
  while (n) {
    ssize_t k = send(fd, s, n, MSG_NOSIGNAL);
    if (k <= 0) fail_msg("send");
    s += k;
    n -= (size_t)k;
  }
}

/* Everything until the server closes (at most cap bytes). */
static size_t read_all(int fd, char *out, size_t cap) {
  size_t n = 0;
  ssize_t k;
  while (n < cap - 1 && (k = recv(fd, out + n, cap - 1 - n, 0)) > 0) n += (size_t)k;
  out[n] = 0;
  return n;
}

static void pipelined(void **state) {
  (void)state;
  int fd = client();
  const char req[] = "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /bb HTTP/1.1\r\nHost: x\r\n\r\n"
                     "HEAD /ccc HTTP/1.1\r\nHost: x\r\n\r\n"
                     "GET /d HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  send_str(fd, req, sizeof req - 1);
  static char out[8192];
  read_all(fd, out, sizeof out);
  close(fd);
  const char *a = strstr(out, "\r\n\r\n/a"), *b = strstr(out, "\r\n\r\n/bb"),
             *c = strstr(out, "Content-Length: 4\r\n"), *d = strstr(out, "\r\n\r\n/d");
  if (!a || !b || !c || !d || !(a < b && b < c && c < d)) fail_msg("out of order: %s", out);
  if (strstr(out, "/ccc")) fail_msg("HEAD sent a body: %s", out);
  if (!strstr(d - 200 > out ? d - 200 : out, "Connection: close")) fail_msg("no close: %s", out);
}

static void byte_by_byte(void **state) {
  (void)state;
  int fd = client();
  const char req[] = "GET /split HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  for (size_t i = 0; i < sizeof req - 1; i++) {
    send_str(fd, req + i, 1);
    struct timespec ts = {0, 2000000};
    nanosleep(&ts, NULL);
  }
  char out[4096];
  read_all(fd, out, sizeof out);
  close(fd);
  if (strncmp(out, "HTTP/1.1 200 OK\r\n", 17) != 0 || !strstr(out, "\r\n\r\n/split"))
    fail_msg("%s", out);
}

static void expect_continue(void **state) {
  (void)state;
  int fd = client();
  const char req[] = "POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n"
                     "Connection: close\r\n\r\n";
  send_str(fd, req, sizeof req - 1);
  char out[4096];
  ssize_t k = recv(fd, out, sizeof out - 1, 0);
  if (k <= 0) fail_msg("no 100 Continue");
  out[k] = 0;
  if (strcmp(out, "HTTP/1.1 100 Continue\r\n\r\n") != 0) fail_msg("%s", out);
  send_str(fd, "hello", 5);
  read_all(fd, out, sizeof out);
  close(fd);
  if (!strstr(out, "\r\n\r\nok 5 hello")) fail_msg("%s", out);
}

static void chunked_upload(void **state) {
  (void)state;
  int fd = client();
  const char req[] = "POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "3\r\nabc\r\n4;x=y\r\ndefg\r\n0\r\nTrailer: 1\r\n\r\n"
                     "POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                     "Connection: close\r\n\r\n"
                     "zz\r\n";
  send_str(fd, req, sizeof req - 1);
  char out[4096];
  read_all(fd, out, sizeof out);
  close(fd);
  if (!strstr(out, "\r\n\r\nok 7 abcdefg")) fail_msg("%s", out);
  if (!strstr(out, "\r\n\r\nbad 0")) fail_msg("a broken chunk size: %s", out);
}

static void streamed(void **state) {
  (void)state;
  int fd = client();
  const char req[] = "GET /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  send_str(fd, req, sizeof req - 1);
  static char out[300000];
  size_t n = read_all(fd, out, sizeof out);
  close(fd);
  char *body = strstr(out, "\r\n\r\n");
  if (!body || !strstr(out, "Transfer-Encoding: chunked")) fail_msg("not chunked");
  /* de-chunk and count */
  char *p = body + 4;
  size_t total = 0;
  for (;;) {
    unsigned long len = strtoul(p, &p, 16);
    if (strncmp(p, "\r\n", 2) != 0) fail_msg("framing");
    p += 2;
    if (len == 0) break;
    for (unsigned long i = 0; i < len; i++)
      if (p[i] != 'a' + (char)((total + i) / 30000)) fail_msg("content at %zu", total + i);
    total += len;
    p += len + 2;
    if ((size_t)(p - out) > n) fail_msg("short");
  }
  assert_int_equal(total, 100000);
}

static void client_leaves(void **state) {
  (void)state;
  int before_cut = atomic_load(&done_cut), before_rel = atomic_load(&released);
  int fd = client();
  int small = 4096;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  const char req[] = "GET /big HTTP/1.1\r\nHost: x\r\n\r\n";
  send_str(fd, req, sizeof req - 1);
  char out[1024];
  if (recv(fd, out, sizeof out, 0) <= 0) fail_msg("no answer");
  close(fd);
  for (int i = 0; i < 500 && atomic_load(&released) == before_rel; i++) {
    struct timespec ts = {0, 10000000};
    nanosleep(&ts, NULL);
  }
  assert_int_equal(atomic_load(&released), before_rel + 1);
  assert_int_equal(atomic_load(&done_cut), before_cut + 1);
}

static void refusals_are_answered(void **state) {
  (void)state;
  const char *cases[] = {"GET / HTTP/2.0\r\n\r\n", "GET / HTTP/1.1\r\nNoColon\r\n\r\n"};
  const char *want[] = {"HTTP/1.1 505 ", "HTTP/1.1 400 "};
  for (int i = 0; i < 2; i++) {
    int fd = client();
    send_str(fd, cases[i], strlen(cases[i]));
    char out[4096];
    read_all(fd, out, sizeof out);
    close(fd);
    if (strncmp(out, want[i], 13) != 0 || !strstr(out, "Connection: close")) fail_msg("%s", out);
  }
  /* after a kept-alive HEAD: the refusal still has its body */
  int kfd = client();
  const char two[] = "HEAD /a HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/2.0\r\n\r\n";
  send_str(kfd, two, sizeof two - 1);
  char kout[4096];
  read_all(kfd, kout, sizeof kout);
  close(kfd);
  const char *second = strstr(kout, "HTTP/1.1 505 ");
  if (strncmp(kout, "HTTP/1.1 200 ", 13) != 0 || !second || !strstr(second, "{\"status\":505"))
    fail_msg("%s", kout);
  /* a URL past the bound, sent in full: answered, then the rest drained before the close */
  int fd = client();
  static char longreq[200000];
  memset(longreq, 'a', sizeof longreq);
  memcpy(longreq, "GET /", 5);
  memcpy(longreq + sizeof longreq - 15, " HTTP/1.1\r\n\r\n", 14);
  send_str(fd, longreq, sizeof longreq - 1);
  char out[4096];
  read_all(fd, out, sizeof out);
  close(fd);
  if (strncmp(out, "HTTP/1.1 414 ", 13) != 0) fail_msg("%s", out);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(pipelined),     cmocka_unit_test(byte_by_byte),
      cmocka_unit_test(expect_continue), cmocka_unit_test(chunked_upload),
      cmocka_unit_test(streamed),      cmocka_unit_test(client_leaves),
      cmocka_unit_test(refusals_are_answered)};
  return cmocka_run_group_tests(tests, setup, teardown);
}
