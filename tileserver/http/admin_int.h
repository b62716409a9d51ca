/* admin_int.h — what the /admin pages share (h_admin.c): the signed-in reader, the page headers
 * and the refusal as a page. */
#ifndef TESELAS_HTTP_ADMIN_INT_H
#define TESELAS_HTTP_ADMIN_INT_H

#include "auth/auth.h"
#include "http/http.h"
#include "www/www.h"

/* A signed-in page's reader: the session's principal and its page context. */
typedef struct admin_who {
  auth_principal p;
  www_admin_ctx c;
  char csrf[AUTH_SESSION_LEN];
} admin_who;

/* True with *w filled when the request carries a valid session. */
bool admin_signed_in(http_request *req, admin_who *w);
/* The same, or false after a 303 to the sign-in page. */
bool admin_need_session(http_request *req, http_response *resp, admin_who *w);
/* Headers of an /admin page without scripts; admin_map_page: of one that runs the map. */
void admin_page(http_response *resp, int status);
void admin_map_page(http_response *resp, int status);
/* A 303 to `to` (a path of this server). */
void admin_redirect(http_response *resp, const char *to);
/* A page that could not be written: the JSON error of e. */
void admin_page_failed(http_response *resp, const err *e);
/* Turns the JSON refusal in resp into a page saying it, with the same status; w NULL when
 * nobody is signed in. back: the link to go back. */
void admin_as_page(http_request *req, http_response *resp, const admin_who *w, const char *title,
                   const char *back);

/* The reviews (all when only < 0, else review `only`; of every state or of `state`) copied into
 * the request's arena, *out_n of them; NULL on error (e says why). Only one review (only >= 0)
 * comes with its privacy policy and report; a list has "{}" for both. h_admin_review.c. */
www_admin_review *admin_reviews_load(http_request *req, int64_t only, const char *state,
                                     size_t *out_n, err *e);
/* The latest review of layer_id among r[0..n), or NULL. */
const www_admin_review *admin_review_latest(const www_admin_review *r, size_t n,
                                            const char *layer_id);

#endif
