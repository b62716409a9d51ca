/* engine_int.h — the engine's connection and worker, shared by engine.c (accept, read, the
 * connection's state machine, timers) and reply.c (answers: the head, the body kinds, writes). */
#ifndef TESELAS_HTTP_ENGINE_INT_H
#define TESELAS_HTTP_ENGINE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <time.h>

#include "http/engine.h"

typedef enum conn_state {
  CONN_HEAD,    /* reading a request head (or waiting for the next one) */
  CONN_BODY,    /* reading a request's body for the hooks */
  CONN_WRITE,   /* writing an answer */
  CONN_LINGER   /* answered and shut down for writing: reading what the client still sends */
} conn_state;

typedef enum out_kind { OUT_NONE, OUT_MEM, OUT_FILE, OUT_STREAM } out_kind;

/* The answer being written: out (head, chunk frames) first, then the body. */
typedef struct conn_out {
  char *buf;               /* the connection's own buffer, kept across requests */
  size_t len, cap, sent;
  out_kind kind;
  const char *mem;         /* OUT_MEM: the body, or OUT_STREAM: the current piece */
  size_t mem_len, mem_sent;
  void *owned;             /* OUT_MEM: a buffer body to free */
  void (*release)(void *); /* OUT_MEM: an external body's release */
  void *release_ctx;
  int fd;                  /* OUT_FILE */
  uint64_t file_off, file_left;
  http_stream_fn stream;   /* OUT_STREAM */
  http_stream_free_fn stream_free;
  void *stream_ctx;
  char *stream_buf;
  uint64_t stream_pos;
  bool chunked;            /* the stream is sent with chunked framing (HTTP/1.1) */
  bool stream_end;         /* the final piece is queued */
} conn_out;

struct worker_ctx;

typedef struct engine_conn {
  struct worker_ctx *w;
  int fd;
  struct sockaddr_storage peer;
  socklen_t peer_len;
  conn_state state;
  char *in;                /* read buffer: starts small, grows to the head bound */
  size_t in_len, in_cap;
  size_t pos;              /* the current request's first byte in `in` */
  size_t next;             /* where the next request starts, once known */
  size_t scan;             /* how far the search for the head's end went (engine.c head_ready) */
  bool readable;           /* epoll said readable and no read has come back short since */
  bool peer_eof;
  wire_head head;
  engine_req req;
  bool active;             /* the head hook ran and done has not */
  bool responded;
  bool head_only;          /* HEAD: the answer has no body */
  bool chunked_in;
  uint64_t body_left;      /* Content-Length bytes still to come */
  wire_chunked dec;
  bool body_unread;        /* the answer went before the body was read: close after it */
  bool close_after;
  conn_out out;
  int64_t last_ms;         /* last byte read or written */
  int64_t linger_until;    /* CONN_LINGER: closed then */
  struct engine_conn *prev, *next_conn;
} engine_conn;

typedef struct worker_ctx {
  struct engine *en;
  pthread_t thread;
  int epfd, evfd;
  engine_conn *conns;      /* every connection of this worker */
  size_t n_conns;
  int64_t now_ms, last_scan_ms;
  int64_t date_sec;
  char date[40];           /* "Date: ...\r\n" of date_sec */
  bool drained;            /* idle connections closed after draining began */
  bool listen_paused;      /* out of descriptors: the listening socket is out of this epoll */
  int64_t paused_ms;
  char listen_tag, event_tag;
} worker_ctx;

struct engine {
  engine_config cfg;
  engine_hooks hooks;
  worker_ctx *workers;
  unsigned n_workers;
  atomic_bool draining, stopping;
};

/* Milliseconds of the coarse monotonic clock (a vDSO read, no syscall): a byte's time, read as
 * it moves, since a hook may have run for seconds since the worker woke. */
static inline int64_t engine_now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* reply.c */
/* Writes what is pending: 1 when the answer is all written, 0 when the socket is full, -1 when
 * the connection failed or a stream aborted. */
int reply_flush(engine_conn *c);
/* Releases the body of the answer (external release, file, stream) and resets out. */
void reply_release(engine_conn *c);
/* Appends raw bytes to the connection's output (an interim 100 Continue). */
bool reply_raw(engine_conn *c, const char *s, size_t n);
/* The head and body of a refusal of status for a request the engine could not frame. */
void reply_refusal(engine_conn *c, int status, const char *why);

#endif
