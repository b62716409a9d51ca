/* fetch.c — a layer source named by URL, downloaded for `teselas publish --fetch`.
 *
 * Bounded: at most o->fetch_max_bytes (the server's Content-Length is refused at once when it
 * says more, and the bytes are counted as they arrive when it does not) and o->fetch_timeout_s
 * for the whole transfer. HTTP and HTTPS only, redirects included, so a server cannot send the
 * download to file:// or another scheme. The file goes into a fresh folder only this user can
 * read, named like the URL's last segment (the importer recognises formats by extension), and is
 * removed with the folder afterwards. The validators the server sent (ETag, Last-Modified) are
 * kept in the database's settings, so the next run asks If-None-Match / If-Modified-Since and an
 * unchanged source costs one request; the importer's checksum still catches a server that sends
 * the same bytes again. */
#include "importers/publish/fetch_int.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "store/store.h"

bool fetch_is_url(const char *source) {
  const char *colon = strstr(source, "://");
  if (!colon || colon == source) return false;
  for (const char *p = source; p < colon; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '+' || *p == '-' ||
          *p == '.'))
      return false;
  return true;
}

typedef struct sink {
  FILE *f;
  int64_t n, max;
  bool too_big, write_failed;
  fetch_state *got;
} sink;

static size_t on_data(char *data, size_t size, size_t n, void *ctx) {
  sink *s = ctx;
  size_t len = size * n;
  if (s->n + (int64_t)len > s->max) {
    s->too_big = true;
    return 0; /* stops the transfer: CURLE_WRITE_ERROR */
  }
  if (fwrite(data, 1, len, s->f) != len) {
    s->write_failed = true;
    return 0;
  }
  s->n += (int64_t)len;
  return len;
}

/* Keeps "Name: value" of a header when it is name, trimmed, bounded by cap. */
static void header_value(const char *line, size_t len, const char *name, char *out, size_t cap) {
  size_t nl = strlen(name);
  if (len <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':') return;
  const char *v = line + nl + 1, *end = line + len;
  while (v < end && (*v == ' ' || *v == '\t')) v++;
  while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ')) end--;
  if ((size_t)(end - v) < cap) {
    memcpy(out, v, (size_t)(end - v));
    out[end - v] = '\0';
  }
}

static size_t on_header(char *line, size_t size, size_t n, void *ctx) {
  sink *s = ctx;
  size_t len = size * n;
  /* a redirect's headers are followed by the final response's: keep the last ones */
  if (len > 5 && strncmp(line, "HTTP/", 5) == 0) s->got->etag[0] = s->got->last_modified[0] = '\0';
  header_value(line, len, "ETag", s->got->etag, sizeof s->got->etag);
  header_value(line, len, "Last-Modified", s->got->last_modified, sizeof s->got->last_modified);
  return len;
}

/* The URL's last path segment (no query), made a safe file name; "datos" when it has none. */
static void file_name(const char *url, char *out, size_t cap) {
  const char *p = strstr(url, "://") + 3;
  size_t end = strcspn(p, "?#");
  const char *slash = NULL;
  for (const char *q = p; q < p + end; q++)
    if (*q == '/') slash = q;
  const char *name = slash ? slash + 1 : p + end;
  size_t n = (size_t)(p + end - name), k = 0;
  for (size_t i = 0; i < n && k + 1 < cap && k < 200; i++) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_';
    out[k++] = ok ? c : '_';
  }
  out[k] = '\0';
  if (k == 0 || strspn(out, ".") == k) snprintf(out, cap, "datos");
}

static struct curl_slist *conditional_headers(const char *url, const fetch_state *prev) {
  struct curl_slist *h = NULL;
  if (!prev || strcmp(prev->url, url) != 0) return NULL;
  char line[400];
  if (prev->etag[0]) {
    snprintf(line, sizeof line, "If-None-Match: %s", prev->etag);
    h = curl_slist_append(h, line);
  }
  if (prev->last_modified[0]) {
    snprintf(line, sizeof line, "If-Modified-Since: %s", prev->last_modified);
    struct curl_slist *more = curl_slist_append(h, line);
    if (more) h = more;
  }
  return h;
}

/* The reason a finished transfer failed, in the message; ERR_OK for a 200 or a 304. */
static err_code outcome(CURL *c, CURLcode cc, const sink *s, const char *url,
                        const char *curl_msg, const publish_options *o, fetch_result *out,
                        err *e) {
  if (s->too_big || cc == CURLE_FILESIZE_EXCEEDED)
    return err_set(e, ERR_LIMIT, "%s: el archivo pasa del límite de %lld bytes (--fetch-max-mb)",
                   url, (long long)s->max);
  if (cc == CURLE_OPERATION_TIMEDOUT)
    return err_set(e, ERR_LIMIT, "%s: la descarga tardó más de %ld s (--fetch-timeout)", url,
                   o->fetch_timeout_s > 0 ? o->fetch_timeout_s : PUBLISH_FETCH_TIMEOUT_S);
  if (s->write_failed) return err_set(e, ERR_IO, "%s: no se pudo escribir la descarga", url);
  if (cc == CURLE_UNSUPPORTED_PROTOCOL || cc == CURLE_TOO_MANY_REDIRECTS)
    return err_set(e, ERR_INVALID, "%s: solo se descarga por http:// o https:// (%s)", url,
                   curl_msg[0] ? curl_msg : curl_easy_strerror(cc));
  if (cc != CURLE_OK)
    return err_set(e, ERR_IO, "%s: %s", url, curl_msg[0] ? curl_msg : curl_easy_strerror(cc));
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status == 304) return (out->not_modified = true), ERR_OK;
  if (status != 200)
    return err_set(e, ERR_IO, "%s: el servidor respondió HTTP %ld", url, status);
  return ERR_OK;
}

static void set_options(CURL *c, const char *url, const publish_options *o, sink *s,
                        char *curl_msg) {
  long timeout = o->fetch_timeout_s > 0 ? o->fetch_timeout_s : PUBLISH_FETCH_TIMEOUT_S;
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, timeout < 30 ? timeout : 30L);
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)s->max);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, ""); /* gzip on the wire; s->max counts it inflated */
  curl_easy_setopt(c, CURLOPT_USERAGENT, "teselas/" TESELAS_VERSION " (publish --fetch)");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, s);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_msg);
}

/* A private folder for the download: under $TMPDIR (or /tmp), mode 0700 (mkdtemp). */
static err_code make_dir(const char *url, fetch_result *out, err *e) {
  const char *tmp = getenv("TMPDIR");
  if (!tmp || !*tmp || strlen(tmp) > 3000) tmp = "/tmp";
  snprintf(out->dir, sizeof out->dir, "%s/teselas-fetch-XXXXXX", tmp);
  if (!mkdtemp(out->dir)) {
    out->dir[0] = '\0';
    return err_set(e, ERR_IO, "%s: no se pudo crear una carpeta temporal en %s", url, tmp);
  }
  char name[256];
  file_name(url, name, sizeof name);
  snprintf(out->path, sizeof out->path, "%s/%s", out->dir, name);
  return ERR_OK;
}

err_code fetch_download(const char *url, const fetch_state *prev, const publish_options *o,
                        fetch_result *out, err *e) {
  memset(out, 0, sizeof *out);
  if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0)
    return err_set(e, ERR_INVALID, "%s: solo se descarga por http:// o https://", url);
  if (strlen(url) >= sizeof out->got.url)
    return err_set(e, ERR_INVALID, "la URL de la fuente pasa de %zu caracteres",
                   sizeof out->got.url - 1);
  snprintf(out->got.url, sizeof out->got.url, "%s", url);
  err_code rc = make_dir(url, out, e);
  if (rc != ERR_OK) return rc;
  sink s = {.max = o->fetch_max_bytes > 0 ? o->fetch_max_bytes : PUBLISH_FETCH_MAX_BYTES,
            .got = &out->got};
  if (!(s.f = fopen(out->path, "wb")))
    return err_set(e, ERR_IO, "%s: no se pudo escribir %s", url, out->path);
  CURL *c = curl_easy_init();
  struct curl_slist *headers = conditional_headers(url, prev);
  char curl_msg[CURL_ERROR_SIZE] = "";
  if (!c) {
    rc = err_set(e, ERR_NOMEM, "%s: sin memoria para la descarga", url);
  } else {
    set_options(c, url, o, &s, curl_msg);
    if (headers) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    CURLcode cc = curl_easy_perform(c);
    rc = outcome(c, cc, &s, url, curl_msg, o, out, e);
  }
  if (fclose(s.f) != 0 && rc == ERR_OK) rc = err_set(e, ERR_IO, "%s: no se pudo escribir", url);
  curl_slist_free_all(headers);
  curl_easy_cleanup(c);
  return rc;
}

void fetch_cleanup(fetch_result *r) {
  if (r->path[0]) unlink(r->path);
  if (r->dir[0]) rmdir(r->dir);
  r->path[0] = r->dir[0] = '\0';
}

static void state_key(const char *layer_id, char out[96]) {
  snprintf(out, 96, "fetch:%s", layer_id);
}

err_code fetch_state_load(const char *db_path, const char *layer_id, fetch_state *out, err *e) {
  memset(out, 0, sizeof *out);
  char key[96], *text = NULL;
  state_key(layer_id, key);
  err_code rc = store_setting_get(db_path, key, &text, e);
  if (rc != ERR_OK || !text) return rc;
  json_t *doc = json_loads(text, 0, NULL);
  free(text);
  const char *v;
  if ((v = json_string_value(json_object_get(doc, "url"))))
    snprintf(out->url, sizeof out->url, "%s", v);
  if ((v = json_string_value(json_object_get(doc, "etag"))))
    snprintf(out->etag, sizeof out->etag, "%s", v);
  if ((v = json_string_value(json_object_get(doc, "last_modified"))))
    snprintf(out->last_modified, sizeof out->last_modified, "%s", v);
  json_decref(doc);
  return ERR_OK;
}

err_code fetch_state_save(const char *db_path, const char *layer_id, const fetch_state *s, err *e) {
  char key[96];
  state_key(layer_id, key);
  json_t *doc = json_pack("{s:s, s:s, s:s}", "url", s->url, "etag", s->etag, "last_modified",
                          s->last_modified);
  char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
  json_decref(doc);
  if (!text) return err_set(e, ERR_NOMEM, "sin memoria");
  err_code rc = store_setting_set(db_path, key, text, e);
  free(text);
  return rc;
}
