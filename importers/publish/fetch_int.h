/* fetch_int.h — downloads of layer sources named by URL (fetch.c), for publish.c. */
#ifndef TESELAS_IMPORTERS_PUBLISH_FETCH_INT_H
#define TESELAS_IMPORTERS_PUBLISH_FETCH_INT_H

#include <stdbool.h>

#include "core/err.h"
#include "importers/publish/publish.h"

/* What the last successful fetch of a layer's source said, kept in the database's settings so
 * the next run asks with If-None-Match / If-Modified-Since. */
typedef struct fetch_state {
  char url[2048];
  char etag[256];
  char last_modified[64];
} fetch_state;

typedef struct fetch_result {
  bool not_modified;     /* HTTP 304: nothing downloaded */
  char dir[4096];        /* the private temporary folder (mode 0700), "" when none */
  char path[4352];       /* the downloaded file in it, named like the URL's last segment */
  fetch_state got;       /* the URL, and the validators the server sent */
} fetch_result;

/* True for a source that names a URL (it has a scheme: "https://..."), not a file. */
bool fetch_is_url(const char *source);

/* Downloads url into a new private temporary folder, within o's bounds of size and time, over
 * HTTP or HTTPS only (redirects too). prev (NULL: none) gives the validators to send when it is
 * for the same URL. ERR_INVALID (another scheme), ERR_IO (the server is down, answered an error
 * status, or the transfer failed), ERR_LIMIT (too big, too slow); the message names the URL and
 * the reason. The caller calls fetch_cleanup, also after a failure. */
err_code fetch_download(const char *url, const fetch_state *prev, const publish_options *o,
                        fetch_result *out, err *e);
/* Removes the downloaded file and its folder. */
void fetch_cleanup(fetch_result *r);

/* The state kept for layer_id (empty strings when none), and its replacement. */
err_code fetch_state_load(const char *db_path, const char *layer_id, fetch_state *out, err *e);
err_code fetch_state_save(const char *db_path, const char *layer_id, const fetch_state *s, err *e);

#endif
