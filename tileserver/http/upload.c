/* upload.c — the body of an upload into a file of its own (see upload_int.h). The directory is
 * made by mkdtemp (0700, a name nobody can predict) so no other local user can read the file
 * or swap it for a link before the importer opens it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/multipart.h"
#include "http/upload_int.h"

enum { FIELDS_MAX = 16, FIELD_MAX = 512 };

struct http_sink {
  char dir[512], path[600];
  int fd;
  uint64_t max_bytes, received;
  mp_parser *mp;                 /* multipart/form-data bodies */
  bool got_file, file_done;      /* the first file part, and it ended */
  bool in_file;                  /* the current part is that file */
  int in_field;                  /* the current part is field n_fields - 1 (1), dropped (-1) */
  char filename[256];
  err_code failed;               /* sticky */
  int failed_errno;              /* the write's errno when failed is ERR_IO (ENOSPC: disk full) */
  /* a form's other fields (its CSRF token, import options): FIELDS_MAX of FIELD_MAX bytes */
  char field_keys[FIELDS_MAX][64], field_values[FIELDS_MAX][FIELD_MAX];
  size_t n_fields;
  query_arg fields[FIELDS_MAX];
};

static void write_all(http_sink *s, const char *data, size_t len) {
  while (len > 0 && s->failed == ERR_OK) {
    ssize_t n = write(s->fd, data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      s->failed = ERR_IO;
      s->failed_errno = n < 0 ? errno : ENOSPC;
      return;
    }
    data += n;
    len -= (size_t)n;
  }
}

/* The multipart parser's callbacks: the first part that carries a filename goes to the file
 * (a second one is ignored); other fields are kept within FIELDS_MAX of FIELD_MAX bytes (past
 * the bounds they are dropped). */
static bool part_begin(void *ctx, const char *name, const char *filename, const char *type) {
  (void)type;
  http_sink *s = ctx;
  s->in_file = false;
  s->in_field = -1;
  if (filename[0]) {
    if (!s->got_file) {
      s->got_file = s->in_file = true;
      snprintf(s->filename, sizeof s->filename, "%s", filename);
    }
    return true;
  }
  size_t i = s->n_fields;
  if (i < FIELDS_MAX && strlen(name) < sizeof s->field_keys[0]) {
    snprintf(s->field_keys[i], sizeof s->field_keys[i], "%s", name);
    s->field_values[i][0] = '\0';
    s->n_fields++;
    s->in_field = 1;
  }
  return true;
}

static bool part_data(void *ctx, const char *data, size_t len) {
  http_sink *s = ctx;
  if (s->in_file) {
    write_all(s, data, len);
  } else if (s->in_field == 1) {
    char *v = s->field_values[s->n_fields - 1];
    size_t have = strlen(v);
    if (have + len < FIELD_MAX) { /* a value past the bound is cut at its last whole piece */
      memcpy(v + have, data, len);
      v[have + len] = '\0';
    }
  }
  return true;
}

static bool part_end(void *ctx) {
  http_sink *s = ctx;
  if (s->in_file) s->file_done = true;
  s->in_file = false;
  s->in_field = -1;
  return true;
}

http_sink *http_sink_open(const char *content_type, uint64_t max_bytes, err *e) {
  http_sink *s = calloc(1, sizeof *s);
  if (!s) {
    err_set(e, ERR_NOMEM, "out of memory");
    return NULL;
  }
  s->fd = -1;
  s->max_bytes = max_bytes;
  const char *tmp = getenv("TMPDIR");
  if (!tmp || !*tmp || strlen(tmp) > 400) tmp = "/tmp";
  snprintf(s->dir, sizeof s->dir, "%s/teselas-upload-XXXXXX", tmp);
  if (!mkdtemp(s->dir)) {
    err_set(e, ERR_IO, "cannot make a directory for the upload: %s", strerror(errno));
    free(s);
    return NULL;
  }
  snprintf(s->path, sizeof s->path, "%s/body", s->dir);
  s->fd = open(s->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (s->fd < 0) {
    err_set(e, ERR_IO, "cannot write the upload: %s", strerror(errno));
    http_sink_close(s, NULL);
    return NULL;
  }
  if (content_type && strncasecmp(content_type, "multipart/form-data", 19) == 0) {
    static const mp_callbacks cb = {part_begin, part_data, part_end};
    err me = {0};
    /* a type without a usable boundary: the body cannot be read, the upload is refused */
    if (!(s->mp = mp_create(content_type, &cb, s, &me))) s->failed = me.code == ERR_NOMEM ? ERR_NOMEM : ERR_INVALID;
  }
  return s;
}

bool http_sink_feed(http_sink *s, const char *data, size_t len) {
  s->received += len;
  if (s->received > s->max_bytes && s->failed == ERR_OK) s->failed = ERR_LIMIT;
  if (s->failed != ERR_OK) return false; /* the answer is known: given now, the rest unread */
  if (s->mp) {
    err me = {0};
    if (mp_feed(s->mp, data, len, &me) != ERR_OK && s->failed == ERR_OK) s->failed = ERR_INVALID;
  } else {
    write_all(s, data, len);
  }
  return s->failed == ERR_OK;
}

err_code http_sink_finish(http_sink *s, http_upload_file *out, err *e) {
  if (s->mp && s->failed == ERR_OK) {
    err me = {0};
    if (mp_finish(s->mp, &me) != ERR_OK || !s->got_file) s->failed = ERR_INVALID;
  }
  if (s->fd >= 0 && close(s->fd) != 0 && s->failed == ERR_OK) {
    s->failed = ERR_IO;
    s->failed_errno = errno;
  }
  s->fd = -1;
  switch (s->failed) {
    case ERR_OK: break;
    case ERR_NOMEM: return err_set(e, ERR_NOMEM, "out of memory for the upload");
    case ERR_LIMIT:
      return err_set(e, ERR_LIMIT, "the upload is larger than this server takes (%llu MiB)",
                     (unsigned long long)(s->max_bytes >> 20));
    case ERR_INVALID:
      return err_set(e, ERR_INVALID, "a multipart/form-data upload needs one file part "
                     "(name=\"file\"; filename=\"...\")");
    default:
      if (s->failed_errno == ENOSPC || s->failed_errno == EDQUOT)
        return err_set(e, ERR_IO, "the upload could not be written on the server: no space left "
                       "on its disk (TMPDIR); try again later");
      return err_set(e, ERR_IO, "the upload could not be written on the server");
  }
  struct stat st;
  for (size_t i = 0; i < s->n_fields; i++)
    s->fields[i] = (query_arg){s->field_keys[i], s->field_values[i]};
  *out = (http_upload_file){.dir = s->dir, .path = s->path, .filename = s->filename,
                            .fields = s->fields, .n_fields = s->n_fields};
  out->bytes = stat(s->path, &st) == 0 ? (uint64_t)st.st_size : 0;
  return ERR_OK;
}

void http_sink_close(http_sink *s, const http_upload_file *up) {
  if (!s) return;
  mp_destroy(s->mp);
  if (s->fd >= 0) close(s->fd);
  if (!up || !up->taken) {
    if (up && up->path) unlink(up->path); /* the handler may have renamed the body */
    unlink(s->path);
    rmdir(s->dir);
  }
  free(s);
}
