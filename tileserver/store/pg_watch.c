/* pg_watch.c — how a server learns that the catalog in PostgreSQL changed: one thread per
 * process with its own connection, which LISTENs on teselas_catalog and polls the layers' versions
 * every 2 s.
 *
 * Why both. A write that changes what a layer serves ends, inside its transaction, with
 * `NOTIFY teselas_catalog, '<layer id>'` (empty payload: every layer), so a server on the primary
 * hears of it as the transaction commits. A notification is lost when this connection was down at
 * that moment, and a hot standby refuses LISTEN altogether ("cannot execute LISTEN during
 * recovery"): the poll of the versions (one index-only round trip of a few hundred bytes) covers
 * both, within 2 s of the change being visible on this database.
 *
 * What a change does: the epoch goes up (each worker's reader sees it at its next request and
 * checks its catalog snapshot at once, pg_catalog.c) and fn is called with the layer's id, for the
 * server to drop that layer's cached tiles. The thread waits on the socket with poll(): it never
 * blocks in libpq while a notification could be read, and a pipe wakes it to stop. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "store/pg_int.h"

enum { WATCH_POLL_MS = 2000 };

static const char SIG_SQL[] =
    "SELECT coalesce(string_agg(id || ':' || version, ',' ORDER BY id COLLATE \"C\"), '')"
    " FROM teselas_layers";

struct store_watch {
  char *uri;
  store_watch_fn fn;
  void *ctx;
  pthread_t thread;
  int wake[2];             /* a byte on wake[1] stops the thread */
  atomic_uint_fast64_t epoch;
  atomic_uint_fast64_t n_notified; /* notifications heard (for /metrics and tests) */
  PGconn *conn;            /* the thread's own */
  bool listening;          /* LISTEN succeeded on conn (false on a standby) */
  char *sig;               /* "id:version,..." at the last poll */
  double backoff;
};

uint64_t store_watch_epoch(const store_watch *w) {
  return w ? (uint64_t)atomic_load_explicit(&w->epoch, memory_order_acquire) : 0;
}

uint64_t store_watch_notified(const store_watch *w) {
  return w ? (uint64_t)atomic_load_explicit(&w->n_notified, memory_order_relaxed) : 0;
}

static void announce(store_watch *w, const char *layer_id) {
  atomic_fetch_add_explicit(&w->epoch, 1, memory_order_acq_rel);
  if (w->fn) w->fn(layer_id, w->ctx);
}

/* True when the comma-separated list holds the entry [p, p+n) ("id:version"), or with by_id an
 * entry of the same id. */
static bool list_has(const char *list, const char *p, size_t n, bool by_id) {
  if (by_id) {
    const char *colon = memchr(p, ':', n);
    if (colon) n = (size_t)(colon - p) + 1; /* "id:" */
  }
  for (const char *q = list; *q;) {
    size_t m = strcspn(q, ",");
    if (by_id ? m >= n && memcmp(p, q, n) == 0 : m == n && memcmp(p, q, n) == 0) return true;
    q += m + (q[m] == ',');
  }
  return false;
}

/* True when the layer id [p, p+n) is in heard, the comma-separated ids just announced by
 * notification ("*": every layer, which an id never is). */
static bool was_heard(const char *heard, const char *p, size_t n) {
  if (!heard) return false;
  if (strcmp(heard, "*") == 0) return true;
  for (const char *q = heard; *q;) {
    size_t m = strcspn(q, ",");
    if (m == n && memcmp(p, q, n) == 0) return true;
    q += m + (q[m] == ',');
  }
  return false;
}

/* Announces every layer whose "id:version" differs between the signatures a (before) and b
 * (after): changed or removed (an entry of a not in b), then added (an id of b not in a); a layer
 * in heard was announced already and is not announced twice. */
static void announce_changes(store_watch *w, const char *a, const char *b, const char *heard) {
  for (int side = 0; side < 2; side++) {
    const char *list = side == 0 ? a : b, *other = side == 0 ? b : a;
    for (const char *p = list; *p;) {
      size_t n = strcspn(p, ",");
      if (!list_has(other, p, n, side == 1)) {
        const char *colon = memchr(p, ':', n);
        size_t id_len = colon ? (size_t)(colon - p) : n;
        char id[256];
        if (id_len >= sizeof id) id_len = sizeof id - 1;
        memcpy(id, p, id_len);
        id[id_len] = '\0';
        if (!was_heard(heard, id, id_len)) announce(w, id);
      }
      p += n + (p[n] == ',');
    }
  }
}

/* Connects (session set as the readers'), and LISTENs where the database allows it. */
static bool watch_connect(store_watch *w) {
  err e = {0};
  if (store_pg_connect(w->uri, &w->conn, &e) != ERR_OK) return false;
  PGresult *res = PQexec(w->conn, "LISTEN teselas_catalog");
  w->listening = PQresultStatus(res) == PGRES_COMMAND_OK;
  if (!w->listening) {
    const char *m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    log_info("catalog: no LISTEN on this database (%s): polling its versions every 2 s",
             m ? m : "refused");
  }
  PQclear(res);
  PQsetnonblocking(w->conn, 1);
  return true;
}

/* One poll of the versions; false when the connection failed. heard: the layers announced by
 * notification just before (NULL: none), whose change the poll must not announce again. */
static bool watch_poll(store_watch *w, const char *heard) {
  PQsetnonblocking(w->conn, 0);
  PGresult *res = PQexec(w->conn, SIG_SQL);
  bool ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
  if (ok) {
    const char *sig = PQgetvalue(res, 0, 0);
    if (!w->sig) {
      w->sig = strdup(sig);
    } else if (strcmp(sig, w->sig) != 0) {
      char *copy = strdup(sig);
      announce_changes(w, w->sig, sig, heard);
      if (copy) {
        free(w->sig);
        w->sig = copy;
      }
    }
  }
  PQclear(res);
  PQsetnonblocking(w->conn, 1);
  return ok || PQstatus(w->conn) == CONNECTION_OK;
}

/* Reads what arrived on the socket and announces each notification, then polls at once so that
 * the signature moves past the change and the next poll does not announce it a second time (a
 * second announcement would find the caches already empty); false when the connection broke. */
static bool watch_read(store_watch *w) {
  if (!PQconsumeInput(w->conn)) return false;
  PGnotify *n;
  char heard[4096];
  size_t len = 0;
  bool any = false, overflow = false, all = false;
  heard[0] = '\0';
  while ((n = PQnotifies(w->conn)) != NULL) {
    const char *id = n->extra ? n->extra : "";
    atomic_fetch_add_explicit(&w->n_notified, 1, memory_order_relaxed);
    announce(w, id);
    size_t m = strlen(id);
    if (m == 0) {
      all = true;
    } else if (len + m + 2 <= sizeof heard) {
      len += (size_t)snprintf(heard + len, sizeof heard - len, "%s%s", len ? "," : "", id);
    } else {
      overflow = true; /* then the poll may announce some twice: harmless, only redundant */
    }
    any = true;
    PQfreemem(n);
  }
  if (PQstatus(w->conn) != CONNECTION_OK) return false;
  return !any || watch_poll(w, all ? "*" : overflow ? NULL : heard);
}

static void *watch_main(void *arg) {
  store_watch *w = arg;
  double next_poll = 0;
  for (;;) {
    double now = store_pg_now();
    if (!w->conn) {
      if (watch_connect(w)) {
        w->backoff = 0;
        /* whatever was announced while it was down is lost: everything may have changed */
        if (w->sig) announce(w, "");
        next_poll = now;
      } else {
        w->backoff = w->backoff < 0.1 ? 0.1 : w->backoff * 2 > 2.0 ? 2.0 : w->backoff * 2;
        next_poll = now + w->backoff;
      }
    }
    if (w->conn && now >= next_poll) {
      if (!watch_poll(w, NULL)) {
        PQfinish(w->conn);
        w->conn = NULL;
        continue;
      }
      next_poll = now + WATCH_POLL_MS / 1000.0;
    }
    int wait_ms = (int)((next_poll - store_pg_now()) * 1000) + 1;
    if (wait_ms < 1) wait_ms = 1;
    struct pollfd fds[2] = {{.fd = w->wake[0], .events = POLLIN},
                            {.fd = w->conn ? PQsocket(w->conn) : -1, .events = POLLIN}};
    int n = poll(fds, 2, wait_ms);
    if (n < 0 && errno != EINTR) break;
    if (fds[0].revents) break;
    if (w->conn && fds[1].revents && !watch_read(w)) {
      PQfinish(w->conn);
      w->conn = NULL;
    }
  }
  return NULL;
}

err_code store_watch_start(const char *uri, store_watch_fn fn, void *ctx, store_watch **out,
                           err *e) {
  *out = NULL;
  store_watch *w = calloc(1, sizeof *w);
  if (!w || !(w->uri = strdup(uri))) {
    free(w);
    return err_set(e, ERR_NOMEM, "out of memory");
  }
  w->fn = fn;
  w->ctx = ctx;
  if (pipe(w->wake) != 0) {
    free(w->uri);
    free(w);
    return err_set(e, ERR_IO, "cannot create a pipe: %s", strerror(errno));
  }
  fcntl(w->wake[1], F_SETFL, O_NONBLOCK);
  if (pthread_create(&w->thread, NULL, watch_main, w) != 0) {
    close(w->wake[0]);
    close(w->wake[1]);
    free(w->uri);
    free(w);
    return err_set(e, ERR_INTERNAL, "cannot start the catalog watch");
  }
  *out = w;
  return ERR_OK;
}

void store_watch_stop(store_watch *w) {
  if (!w) return;
  ssize_t n = write(w->wake[1], "x", 1);
  (void)n;
  pthread_join(w->thread, NULL);
  close(w->wake[0]);
  close(w->wake[1]);
  if (w->conn) PQfinish(w->conn);
  free(w->sig);
  free(w->uri);
  free(w);
}
