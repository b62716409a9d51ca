/* addr.h — client addresses as the server's bounds see them: IPv4 and IPv6 as 16 bytes (IPv4
 * mapped into ::ffff:0:0/96), address blocks (CIDR) for --trusted-proxy, and the client behind
 * trusted proxies, read from X-Forwarded-For.
 *
 * Pure functions over caller-owned values: no allocation, no state, no HTTP library. */
#ifndef TESELAS_HTTP_ADDR_H
#define TESELAS_HTTP_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

typedef struct http_addr {
  uint8_t b[16];
} http_addr;

/* An address block: the addresses whose first `bits` bits (of the 16-byte form) are net's. */
typedef struct http_cidr {
  http_addr net;
  int bits; /* 0..128; an IPv4 /n is 96 + n */
} http_cidr;

enum {
  HTTP_ADDR_TEXT_MAX = 46,   /* INET6_ADDRSTRLEN */
  HTTP_TRUSTED_PROXIES_MAX = 16,
  HTTP_XFF_HOPS_MAX = 32     /* hops of X-Forwarded-For looked at, from the right */
};

/* The host part of a socket address; false for a family without one (a unix socket). */
bool http_addr_from_sockaddr(const struct sockaddr *sa, socklen_t len, http_addr *out);
/* An IPv4 or IPv6 address in text (s[0..len)), optionally in brackets ("[::1]"), nothing else:
 * no port, no zone, no spaces. */
bool http_addr_parse(const char *s, size_t len, http_addr *out);
/* The address as text (dotted IPv4 for a mapped one) in out (HTTP_ADDR_TEXT_MAX bytes). */
void http_addr_format(const http_addr *a, char out[HTTP_ADDR_TEXT_MAX]);
bool http_addr_is_v4(const http_addr *a);

/* "10.0.0.0/8", "fd00::/8", or one address ("192.0.2.7": /32, "::1": /128). False when it is not
 * one of these or the prefix is longer than the family allows. Bits past the prefix are cleared. */
bool http_cidr_parse(const char *s, http_cidr *out);
bool http_cidr_contains(const http_cidr *c, const http_addr *a);
bool http_cidr_any_contains(const http_cidr *c, size_t n, const http_addr *a);

/* The client's address: the peer's, unless the peer is one of the trusted proxies; then the
 * rightmost address of X-Forwarded-For (xff: every such header's value joined by commas, or
 * NULL) that is not a trusted proxy, walking at most HTTP_XFF_HOPS_MAX hops. Each trusted proxy
 * appended the address it saw, so only the hops right of the first untrusted one can be
 * believed; whatever a client wrote to the left is ignored. A hop that is not an address stops
 * the walk at the last address read (a trusted proxy's); so does the end of the list. */
http_addr http_addr_client(const http_addr *peer, const char *xff, const http_cidr *trusted,
                           size_t n_trusted);

#endif
