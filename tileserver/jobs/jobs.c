/* jobs.c — the queue of uploads and its one worker thread (see jobs.h for what it promises).
 *
 * One worker, not a pool: SQLite takes one writer at a time anyway, and an import already keeps a
 * core busy (GEOS repairs, the spatial index); a second worker would only take a core from the
 * HTTP threads. Every field of a job is read and written under the queue's mutex, except what
 * only the worker touches while the job runs (its parsed options and files). */
#include <dirent.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "auth/auth.h"
#include "importers/import.h"
#include "jobs/jobs.h"
#include "store/store.h"

/* JOB_HELD: queued, but not taken by the worker until its submitter releases it (jobs_release) */
typedef enum job_state { JOB_HELD, JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_FAILED } job_state;
static const char *const STATE_NAMES[] = {"queued", "queued", "running", "done", "failed"};

typedef struct job {
  int64_t id;
  char layer[STORE_NAME_MAX], account[STORE_NAME_MAX];
  char *dir, *path;
  bool dry_run;
  jobs_parsed *parsed;
  job_state state;
  char progress[160];
  import_status status;
  int64_t version;
  int64_t review;  /* the review a pending version waits in */
  char message[ERR_MSG_MAX];
  char *report_json;
  char *preview_json; /* a dry run waiting for review: what it would publish (GeoJSON), or NULL */
  struct jobs_queue *q;  /* for the progress stream */
} job;

struct jobs_queue {
  char *db_path;
  size_t max_queued, cap;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  pthread_t thread;
  bool stop;
  int64_t next_id;
  job **slots;  /* cap entries: queued, running and the last finished jobs */
};

/* Removes dir and the files in it (an upload's directory holds files only). */
static void remove_dir(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *de;
  char p[4096];
  while ((de = readdir(d)))
    if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
        (size_t)snprintf(p, sizeof p, "%s/%s", dir, de->d_name) < sizeof p)
      unlink(p);
  closedir(d);
  rmdir(dir);
}

static void job_free(job *j) {
  if (!j) return;
  if (j->dir) remove_dir(j->dir);
  free(j->dir);
  free(j->path);
  jobs_parsed_free(j->parsed);
  free(j->report_json);
  free(j->preview_json);
  free(j);
}

/* The importer's progress stream: "\r...": the last line, escapes left out, kept in the job. */
static ssize_t progress_write(void *cookie, const char *data, size_t len) {
  job *j = cookie;
  pthread_mutex_lock(&j->q->mu);
  size_t n = strlen(j->progress);
  for (size_t i = 0; i < len; i++) {
    char c = data[i];
    if (c == '\r' || c == '\n') n = 0;
    else if (c == '\033') { /* "\033[K": skip to the letter that ends it */
      while (i + 1 < len && !(data[i + 1] >= '@' && data[i + 1] <= '~' && data[i + 1] != '['))
        i++;
      i++;
    } else if (n + 1 < sizeof j->progress) {
      j->progress[n++] = c;
    }
    j->progress[n] = '\0';
  }
  pthread_mutex_unlock(&j->q->mu);
  return (ssize_t)len;
}

/* A publication's line, written by the import before its COMMIT (import_gate): an upload whose
 * outcome cannot be audited is not published; the job fails saying why. */
typedef struct outcome_line {
  const jobs_queue *q;
  const job *j;
  bool written;
} outcome_line;

static err_code write_outcome(void *ctx, int64_t version, int64_t review, err *e) {
  outcome_line *l = ctx;
  char detail[200];
  if (review)
    snprintf(detail, sizeof detail, "job %lld, version %lld, review %lld", (long long)l->j->id,
             (long long)version, (long long)review);
  else
    snprintf(detail, sizeof detail, "job %lld, version %lld", (long long)l->j->id,
             (long long)version);
  err_code rc = auth_audit(l->q->db_path, l->j->account, "publish", l->j->layer,
                           review ? "pending" : "ok", detail, e);
  l->written = rc == ERR_OK;
  return rc;
}

/* The line of an outcome that wrote nothing (unchanged, rejected, a dry run), or of a COMMIT
 * that failed after its line: a warning when it cannot be written, as nothing changed. */
static void audit_outcome(const jobs_queue *q, const job *j, err_code rc, const import_result *r) {
  char detail[200];
  const char *result = rc != ERR_OK ? "rejected"
                       : r->status == IMPORT_UNCHANGED ? "unchanged"
                       : r->status == IMPORT_PENDING ? "pending" : "ok";
  if (rc == ERR_OK && r->status == IMPORT_PENDING)
    snprintf(detail, sizeof detail, "job %lld, version %lld, review %lld", (long long)j->id,
             (long long)r->version, (long long)r->review);
  else if (rc == ERR_OK)
    snprintf(detail, sizeof detail, "job %lld, version %lld", (long long)j->id,
             (long long)r->version);
  else snprintf(detail, sizeof detail, "job %lld: %.160s", (long long)j->id, j->message);
  err e = {0};
  if (auth_audit(q->db_path, j->account, j->dry_run ? "dry run" : "publish", j->layer, result,
                 detail, &e) != ERR_OK)
    fprintf(stderr, "teselas: audit log: %s\n", e.msg);
}

/* What a dry run that would wait for review would publish, read from its copy of the database
 * before the copy goes: the geometries (generalised or aggregated by the policy, never the
 * file's), at most PREVIEW_MAX of them in PREVIEW_BYTES, so the publisher sees the map before
 * submitting. NULL when it cannot be read (the job's page then shows the report alone). */
enum { PREVIEW_MAX = 5000, PREVIEW_BYTES = 4 << 20 };
static char *dry_run_preview(const char *copy, int64_t review) {
  buf b;
  buf_init(&b, PREVIEW_BYTES);
  err e = {0};
  if (store_review_geojson(copy, review, PREVIEW_MAX, &b, &e) != ERR_OK || !buf_cstr(&b)) {
    buf_free(&b);
    return NULL;
  }
  return (char *)buf_steal(&b, NULL);
}

/* Runs one job's import (the worker, without the lock). */
static void job_run(jobs_queue *q, job *j) {
  import_options o = *jobs_parsed_options(j->parsed);
  o.path = j->path;
  o.layer_id = j->layer;
  o.db_path = q->db_path;
  /* an upload is not a shell: a sensitive version waits for a reviewer */
  o.review_by = j->account;
  char copy[4096];
  err e = {0};
  err_code rc = ERR_OK;
  store_pg_write *pg_dry = NULL;
  if (j->dry_run && store_db_is_pg(q->db_path)) {
    /* over PostgreSQL: the import runs on the write's private copy, which is then dropped */
    rc = store_pg_write_begin(q->db_path, j->layer, &pg_dry, &e);
    if (rc == ERR_OK) o.db_path = store_pg_write_path(pg_dry);
  } else if (j->dry_run) {
    snprintf(copy, sizeof copy, "%s/dry-run.db", j->dir);
    rc = store_db_copy(q->db_path, copy, &e);
    o.db_path = copy;
  }
  cookie_io_functions_t io = {.write = progress_write};
  o.progress = fopencookie(j, "w", io);
  if (o.progress) setvbuf(o.progress, NULL, _IONBF, 0);
  outcome_line line = {q, j, false};
  import_gate gate = {write_outcome, &line};
  if (!j->dry_run) o.gate = &gate;
  import_result r = {0};
  if (rc == ERR_OK) rc = import_run(&o, &r, &e);
  store_pg_write_abort(pg_dry);
  if (o.progress) fclose(o.progress);
  char *preview = rc == ERR_OK && j->dry_run && r.status == IMPORT_PENDING
                      ? dry_run_preview(copy, r.review)
                      : NULL;
  pthread_mutex_lock(&q->mu);
  j->status = rc == ERR_OK ? r.status : IMPORT_REJECTED;
  j->version = r.version;
  j->review = r.review;
  snprintf(j->message, sizeof j->message, "%s", rc == ERR_OK ? "" : e.msg);
  j->report_json = r.report_json;
  r.report_json = NULL;
  j->preview_json = preview;
  pthread_mutex_unlock(&q->mu);
  if (!line.written || rc != ERR_OK) audit_outcome(q, j, rc, &r);
  import_result_free(&r);
  /* the upload and the dry run's copy go at once: nothing of a file stays once imported */
  remove_dir(j->dir);
  jobs_parsed_free(j->parsed);
  j->parsed = NULL;
  /* finished only now: a finished job's slot may be reused (freed) by jobs_submit */
  pthread_mutex_lock(&q->mu);
  j->state = rc == ERR_OK ? JOB_DONE : JOB_FAILED;
  pthread_mutex_unlock(&q->mu);
}

static job *next_queued(jobs_queue *q) {
  job *best = NULL;
  for (size_t i = 0; i < q->cap; i++)
    if (q->slots[i] && q->slots[i]->state == JOB_QUEUED && (!best || q->slots[i]->id < best->id))
      best = q->slots[i];
  return best;
}

static void *worker(void *arg) {
  jobs_queue *q = arg;
  /* Linux nices threads one by one: this one yields to the HTTP threads */
  setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
  pthread_mutex_lock(&q->mu);
  while (!q->stop) {
    job *j = next_queued(q);
    if (!j) {
      pthread_cond_wait(&q->cv, &q->mu);
      continue;
    }
    j->state = JOB_RUNNING;
    pthread_mutex_unlock(&q->mu);
    job_run(q, j);
    pthread_mutex_lock(&q->mu);
  }
  pthread_mutex_unlock(&q->mu);
  return NULL;
}

err_code jobs_create(const char *db_path, size_t max_queued, jobs_queue **out, err *e) {
  *out = NULL;
  jobs_queue *q = calloc(1, sizeof *q);
  if (!q) return err_set(e, ERR_NOMEM, "out of memory");
  q->max_queued = max_queued ? max_queued : 1;
  q->cap = JOBS_KEEP + q->max_queued + 1;
  q->next_id = 1;
  q->db_path = strdup(db_path);
  q->slots = calloc(q->cap, sizeof *q->slots);
  pthread_mutex_init(&q->mu, NULL);
  pthread_cond_init(&q->cv, NULL);
  if (!q->db_path || !q->slots) {
    jobs_destroy(q);
    return err_set(e, ERR_NOMEM, "out of memory");
  }
  if (pthread_create(&q->thread, NULL, worker, q) != 0) {
    q->thread = 0;
    jobs_destroy(q);
    return err_set(e, ERR_INTERNAL, "cannot start the import worker");
  }
  *out = q;
  return ERR_OK;
}

void jobs_destroy(jobs_queue *q) {
  if (!q) return;
  pthread_mutex_lock(&q->mu);
  q->stop = true;
  pthread_cond_broadcast(&q->cv);
  pthread_mutex_unlock(&q->mu);
  if (q->thread) pthread_join(q->thread, NULL);
  for (size_t i = 0; q->slots && i < q->cap; i++) job_free(q->slots[i]);
  free(q->slots);
  free(q->db_path);
  pthread_cond_destroy(&q->cv);
  pthread_mutex_destroy(&q->mu);
  free(q);
}

static bool busy(const jobs_queue *q, const char *layer_id) {
  for (size_t i = 0; i < q->cap; i++) {
    const job *j = q->slots[i];
    if (j && j->state <= JOB_RUNNING && strcmp(j->layer, layer_id) == 0) return true;
  }
  return false;
}

bool jobs_layer_busy(jobs_queue *q, const char *layer_id) {
  pthread_mutex_lock(&q->mu);
  bool b = busy(q, layer_id);
  pthread_mutex_unlock(&q->mu);
  return b;
}

/* A free slot: an empty one, else the oldest finished job's (freed). -1 when none. */
static long free_slot(jobs_queue *q) {
  long oldest = -1;
  for (size_t i = 0; i < q->cap; i++) {
    if (!q->slots[i]) return (long)i;
    if (q->slots[i]->state >= JOB_DONE && (oldest < 0 || q->slots[i]->id < q->slots[oldest]->id))
      oldest = (long)i;
  }
  if (oldest >= 0) {
    job_free(q->slots[oldest]);
    q->slots[oldest] = NULL;
  }
  return oldest;
}

static size_t n_queued(const jobs_queue *q) {
  size_t n = 0;
  for (size_t i = 0; i < q->cap; i++) n += q->slots[i] && q->slots[i]->state <= JOB_QUEUED;
  return n;
}

jobs_verdict jobs_submit(jobs_queue *q, const jobs_request *r, bool only_check, int64_t *out_id,
                         err *e) {
  jobs_parsed *parsed = NULL;
  if (jobs_options_parse(r->options, r->n_options, &parsed, e) != ERR_OK) return JOBS_BAD_OPTION;
  job *j = only_check ? NULL : calloc(1, sizeof *j);
  if (!only_check && (!j || !(j->dir = strdup(r->dir)) || !(j->path = strdup(r->path)))) {
    if (j) free(j->dir), free(j->path), free(j); /* the caller's files: not removed here */
    jobs_parsed_free(parsed);
    err_set(e, ERR_NOMEM, "out of memory");
    return JOBS_FULL;
  }
  pthread_mutex_lock(&q->mu);
  jobs_verdict v = busy(q, r->layer_id) ? JOBS_LAYER_BUSY
                   : n_queued(q) >= q->max_queued ? JOBS_FULL : JOBS_ACCEPTED;
  long slot = v == JOBS_ACCEPTED && j ? free_slot(q) : -1;
  if (j && slot >= 0) {
    snprintf(j->layer, sizeof j->layer, "%s", r->layer_id);
    snprintf(j->account, sizeof j->account, "%s", r->account);
    j->dry_run = r->dry_run;
    j->parsed = parsed;
    j->q = q;
    j->state = r->hold ? JOB_HELD : JOB_QUEUED;
    j->id = *out_id = q->next_id++;
    q->slots[slot] = j;
    pthread_cond_signal(&q->cv);
  } else if (j && v == JOBS_ACCEPTED) {
    v = JOBS_FULL;
  }
  pthread_mutex_unlock(&q->mu);
  if (!j || slot < 0) {
    if (j) free(j->dir), free(j->path), free(j);
    jobs_parsed_free(parsed);
  }
  return v;
}

void jobs_release(jobs_queue *q, int64_t id, bool run) {
  pthread_mutex_lock(&q->mu);
  for (size_t i = 0; i < q->cap; i++) {
    job *j = q->slots[i];
    if (!j || j->id != id || j->state != JOB_HELD) continue;
    if (run) {
      j->state = JOB_QUEUED;
      pthread_cond_signal(&q->cv);
    } else { /* the files stay the submitter's */
      free(j->dir);
      j->dir = NULL;
      job_free(j);
      q->slots[i] = NULL;
    }
    break;
  }
  pthread_mutex_unlock(&q->mu);
}

char *jobs_doc(jobs_queue *q, int64_t id, char out_account[64]) {
  char *out = NULL;
  pthread_mutex_lock(&q->mu);
  const job *j = NULL;
  for (size_t i = 0; i < q->cap && !j; i++)
    if (q->slots[i] && q->slots[i]->id == id) j = q->slots[i];
  if (j) {
    snprintf(out_account, 64, "%s", j->account);
    json_t *d = json_pack("{s:I, s:s, s:s, s:s, s:b, s:s}", "job", (json_int_t)j->id, "layer",
                          j->layer, "account", j->account, "state", STATE_NAMES[j->state],
                          "dry_run", j->dry_run, "progress", j->progress);
    if (d && j->state >= JOB_DONE) {
      static const char *const RESULT[] = {"published", "unchanged", "rejected", "pending"};
      /* a dry run publishes nothing: it says what the import would have done */
      bool would = j->dry_run && j->status == IMPORT_PUBLISHED;
      bool would_wait = j->dry_run && j->status == IMPORT_PENDING;
      json_object_set_new(d, "result", json_string(would        ? "would_publish"
                                                   : would_wait ? "would_await_review"
                                                                : RESULT[j->status]));
      if (j->state == JOB_DONE) json_object_set_new(d, "version", json_integer(j->version));
      if (j->status == IMPORT_PENDING) {
        json_object_set_new(d, "review_state", json_string("pendiente de revisión"));
        if (!j->dry_run) json_object_set_new(d, "review", json_integer(j->review));
      }
      if (*j->message) json_object_set_new(d, "message", json_string(j->message));
      json_t *rep = j->report_json ? json_loads(j->report_json, 0, NULL) : NULL;
      json_object_set_new(d, "report", rep ? rep : json_null());
      json_t *pv = j->preview_json ? json_loads(j->preview_json, 0, NULL) : NULL;
      if (pv) json_object_set_new(d, "preview", pv);
    }
    out = d ? json_dumps(d, JSON_INDENT(2)) : NULL;
    json_decref(d);
  }
  pthread_mutex_unlock(&q->mu);
  return out;
}
