/* engine.h — teselas's HTTP/1.1 engine: worker threads, each with its own epoll, that accept
 * connections from one listening socket, read request heads (http/wire.h), hand each request to
 * the application's hooks in order, and write the answers (keep-alive, pipelining, bodies of
 * every http_response kind). The application (server.c) never sees a socket.
 *
 * Why our own: libmicrohttpd 0.9.75 zeroed its whole per-connection pool after every request of a
 * kept-alive connection, allocated every response header and looked headers up in linked lists;
 * cached tiles were served at 53-85 % of nginx's rate per CPU second. Here a kept-alive request
 * costs one read, one writev and no allocation by the engine.
 *
 * Threads: every hook runs on the worker thread that owns the connection, one request of a
 * connection at a time; hooks of different connections run at once on different workers. */
#ifndef TESELAS_HTTP_ENGINE_H
#define TESELAS_HTTP_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "http/http.h"
#include "http/wire.h"

typedef struct engine engine;

/* One request, from its head to its completion. */
typedef struct engine_req {
  const wire_head *head;    /* valid until the answer is given (engine_respond) */
  const char *head_buf;     /* head->head_len bytes of the raw head */
  const struct sockaddr *peer;
  socklen_t peer_len;
  void *app;                /* engine_config.app_size bytes, zeroed for each request */
  struct engine_conn *conn;
} engine_req;

typedef struct engine_hooks {
  void *ctx;
  /* A new connection from peer: true admits it, false closes it at once. */
  bool (*admit)(void *ctx, const struct sockaddr *peer, socklen_t len);
  /* An admitted connection closed; timed_out when the engine closed it for being idle. */
  void (*closed)(void *ctx, const struct sockaddr *peer, socklen_t len, bool timed_out);
  /* A request's head is in. Either answers (engine_respond) and returns false, or returns true
   * to receive the body (body, then end). */
  bool (*head)(void *ctx, engine_req *r);
  /* The next bytes of the body. False: the hook has answered (engine_respond) and the rest of
   * the body is not handed to the hooks (the connection closes after the answer; what the client
   * still sends is discarded within the linger bounds). */
  bool (*body)(void *ctx, engine_req *r, const char *data, size_t len);
  /* The body is all in (ok), or its chunked framing was broken (!ok): answers (engine_respond). */
  void (*end)(void *ctx, engine_req *r, bool ok);
  /* A request the engine cannot frame (wire.h's errors): fills resp with the JSON error of
   * status. The answer closes the connection; no other hook runs for it. Also a request whose
   * hooks gave no answer (status 500, after the head hook: done still runs for that one). */
  void (*refuse)(void *ctx, int status, const char *why, http_response *resp);
  /* Once for every request whose head hook ran: its answer was written whole (completed) or the
   * connection ended first. stream_bytes: a streamed body's bytes sent. */
  void (*done)(void *ctx, engine_req *r, bool completed, uint64_t stream_bytes);
} engine_hooks;

typedef struct engine_config {
  int listen_fd;           /* bound and listening; the engine makes it non-blocking */
  unsigned threads;
  int idle_timeout_s;      /* a connection with no byte read or written this long is closed */
  size_t url_max, headers_max;
  size_t app_size;         /* bytes of engine_req.app */
  size_t stream_lowat;     /* TCP_NOTSENT_LOWAT of a connection sending a streamed body */
} engine_config;

/* Starts the workers. NULL with e set. Caller owns: engine_stop. */
engine *engine_start(const engine_config *cfg, const engine_hooks *hooks, err *e);
/* Stops accepting: the listening socket leaves every worker's epoll and is shut down (new
 * connections are refused; the caller closes it after engine_stop); idle kept-alive connections
 * are closed, answers from now on carry Connection: close. Idempotent. */
void engine_stop_accepting(engine *en);
/* Closes every connection (a request being answered by a hook finishes first: hooks run on the
 * workers), joins the workers and frees the engine. Every body is released. */
void engine_stop(engine *en);

/* Answers the request: takes resp's body (buffer, external, file or stream; resp keeps none of
 * them afterwards) and writes the head at once into the connection's buffer, so the strings of
 * resp's headers need only live until this returns. head_only: the answer to a HEAD (the body's
 * length, no body). */
void engine_respond(engine_req *r, http_response *resp);

#endif
