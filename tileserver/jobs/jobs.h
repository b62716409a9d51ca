/* jobs.h — uploaded files imported off the HTTP threads.
 *
 * One worker thread takes jobs in order from a bounded queue and runs each through import_run,
 * the importer `teselas import` uses, with the same options by the CLI's names: an upload is
 * checked, reported and protected exactly as the CLI's import of the same file. One difference:
 * a version with a privacy policy or decision is left waiting for a reviewer (review_by: the
 * uploading account), where the CLI, run by a trusted shell user, publishes it. One job per layer
 * at a time (a second is refused while one is queued or running), so two publishers of a layer
 * never race. A dry run imports into a copy of the database, which is then thrown away: the
 * report is the one the import would give, and nothing is published.
 *
 * The worker runs at a lower priority (nice 10) than the HTTP threads: an import may take a core
 * for minutes, and the public endpoints must keep answering meanwhile.
 *
 * Jobs live in memory: the last JOBS_KEEP finished ones are kept for GET /api/jobs/{n}; their
 * outcome is in the database (history, report) and in the audit log. */
#ifndef TESELAS_JOBS_JOBS_H
#define TESELAS_JOBS_JOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct jobs_queue jobs_queue;

enum { JOBS_KEEP = 256, JOBS_MAX_OPTIONS = 64 };

/* One import option as the CLI names it, without dashes ("source-srs", "fields", "drop"). */
typedef struct jobs_option {
  const char *name;
  const char *value;  /* "" for a flag */
} jobs_option;

/* What an upload asks for. Strings are copied by jobs_submit. */
typedef struct jobs_request {
  const char *layer_id;
  const char *account;     /* who uploaded: the job's owner, and the audit log's `who` */
  const char *dir;         /* a private directory holding only the file; the job removes it */
  const char *path;        /* the file, inside dir, named as the publisher named it */
  bool dry_run;
  bool hold;               /* queued but not run until jobs_release (its audit line first) */
  const jobs_option *options;
  size_t n_options;
} jobs_request;

typedef enum jobs_verdict {
  JOBS_ACCEPTED = 0,
  JOBS_LAYER_BUSY,  /* a job of this layer is queued or running */
  JOBS_FULL,        /* the queue is full: try later */
  JOBS_BAD_OPTION   /* an option the importer does not take, or a value it refuses (in e) */
} jobs_verdict;

/* Starts the worker. max_queued bounds the jobs waiting (the running one aside). Caller owns:
 * jobs_destroy. ERR_NOMEM, ERR_INTERNAL (no thread). */
err_code jobs_create(const char *db_path, size_t max_queued, jobs_queue **out, err *e);
/* Lets the running job finish, drops the queued ones (removing their files), joins the worker. */
void jobs_destroy(jobs_queue *q);

/* Checks the options and, unless only_check, queues the job; on JOBS_ACCEPTED *out_id is its
 * number and the job owns r->dir (removed when it ends). Otherwise the caller still owns it. */
jobs_verdict jobs_submit(jobs_queue *q, const jobs_request *r, bool only_check, int64_t *out_id,
                         err *e);
/* A held job (jobs_request.hold): run it (in its turn), or drop it (!run), leaving its files to
 * the submitter. Nothing for any other job. */
void jobs_release(jobs_queue *q, int64_t id, bool run);
/* True while a job of layer_id is queued or running (rollback and removal wait their turn). */
bool jobs_layer_busy(jobs_queue *q, const char *layer_id);

/* The job's document, JSON (malloc'd, caller frees): {"job", "layer", "account", "state"
 * (queued, running, done, failed), "dry_run", "progress", and once done "result" (published,
 * unchanged, rejected, pending: waiting for review, with "review" (its number) and
 * "review_state" ("pendiente de revisión")), "version", "message", "report" (the quality
 * report), and for a dry run that would wait for review "preview" (a GeoJSON FeatureCollection
 * of the geometries it would publish, at most 5,000)}. NULL when there
 * is no such job (or no memory); *out_account is the job's owner (for the caller's check). */
char *jobs_doc(jobs_queue *q, int64_t id, char out_account[64]);

/* Parses options into the importer's options (options.c); exposed for the tests. */
struct import_options;
typedef struct jobs_parsed jobs_parsed;
err_code jobs_options_parse(const jobs_option *opts, size_t n, jobs_parsed **out, err *e);
const struct import_options *jobs_parsed_options(const jobs_parsed *p);
void jobs_parsed_free(jobs_parsed *p);

#endif
