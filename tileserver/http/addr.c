/* addr.c — addresses, address blocks and X-Forwarded-For (addr.h). */
#include "http/addr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t V4_MAPPED[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool http_addr_from_sockaddr(const struct sockaddr *sa, socklen_t len, http_addr *out) {
  memset(out, 0, sizeof *out);
  if (sa && sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
    memcpy(out->b, V4_MAPPED, 12);
    memcpy(out->b + 12, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
    return true;
  }
  if (sa && sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
    memcpy(out->b, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
    return true;
  }
  return false;
}

bool http_addr_is_v4(const http_addr *a) { return memcmp(a->b, V4_MAPPED, 12) == 0; }

bool http_addr_parse(const char *s, size_t len, http_addr *out) {
  if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
    s++;
    len -= 2;
  }
  char text[HTTP_ADDR_TEXT_MAX];
  if (len == 0 || len >= sizeof text) return false;
  memcpy(text, s, len);
  text[len] = '\0';
  memset(out, 0, sizeof *out);
  if (strchr(text, ':')) return inet_pton(AF_INET6, text, out->b) == 1;
  memcpy(out->b, V4_MAPPED, 12);
  return inet_pton(AF_INET, text, out->b + 12) == 1;
}

void http_addr_format(const http_addr *a, char out[HTTP_ADDR_TEXT_MAX]) {
  if (http_addr_is_v4(a)) inet_ntop(AF_INET, a->b + 12, out, HTTP_ADDR_TEXT_MAX);
  else inet_ntop(AF_INET6, a->b, out, HTTP_ADDR_TEXT_MAX);
}

bool http_cidr_parse(const char *s, http_cidr *out) {
  const char *slash = strchr(s, '/');
  size_t len = slash ? (size_t)(slash - s) : strlen(s);
  if (!http_addr_parse(s, len, &out->net)) return false;
  int base = http_addr_is_v4(&out->net) ? 96 : 0, bits = 128;
  if (slash) {
    char *end = NULL;
    long n = strtol(slash + 1, &end, 10);
    if (!slash[1] || *end || slash[1] < '0' || slash[1] > '9' || n < 0 || n > 128 - base)
      return false;
    bits = base + (int)n;
  }
  out->bits = bits;
  for (int i = bits; i < 128; i++) out->net.b[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
  return true;
}

bool http_cidr_contains(const http_cidr *c, const http_addr *a) {
  int full = c->bits / 8, rest = c->bits % 8;
  if (memcmp(c->net.b, a->b, (size_t)full) != 0) return false;
  if (!rest) return true;
  uint8_t mask = (uint8_t)(0xff00u >> rest);
  return (c->net.b[full] & mask) == (a->b[full] & mask);
}

bool http_cidr_any_contains(const http_cidr *c, size_t n, const http_addr *a) {
  for (size_t i = 0; i < n; i++)
    if (http_cidr_contains(&c[i], a)) return true;
  return false;
}

static bool is_space(char c) { return c == ' ' || c == '\t'; }

http_addr http_addr_client(const http_addr *peer, const char *xff, const http_cidr *trusted,
                           size_t n_trusted) {
  http_addr client = *peer;
  if (!xff || !http_cidr_any_contains(trusted, n_trusted, peer)) return client;
  const char *end = xff + strlen(xff);
  for (int hops = 0; end > xff && hops < HTTP_XFF_HOPS_MAX; hops++) {
    const char *start = end;
    while (start > xff && start[-1] != ',') start--;
    const char *a = start, *b = end;
    end = start > xff ? start - 1 : xff; /* the next hop to the left, past its comma */
    while (a < b && is_space(*a)) a++;
    while (b > a && is_space(b[-1])) b--;
    if (a == b && start > xff) { /* an empty element ("a,,b") is skipped, as RFC 9110 §5.6.1 */
      hops--;
      continue;
    }
    http_addr hop;
    if (!http_addr_parse(a, (size_t)(b - a), &hop)) break;
    client = hop;
    if (!http_cidr_any_contains(trusted, n_trusted, &hop)) break;
  }
  return client;
}
