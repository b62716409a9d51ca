/* auth.h — who may write, and what each may do.
 *
 * Roles: a *publisher* publishes the layers listed in its account (its department's), a
 * *reviewer* (the transparency unit) reviews sensitive layers and reads the audit log of what it
 * reviews, an *admin* does everything. Passwords are kept as Argon2id strings
 * (crypto_pwhash_str, libsodium's interactive limits); API tokens are 256 random bits
 * (randombytes_buf), shown once as "tsl_" + base64url and kept only as their BLAKE2b hash
 * (crypto_generichash), compared in constant time. No function here logs or returns a secret.
 *
 * Every write attempt and every refusal goes to the audit log (auth_audit). */
#ifndef TESELAS_AUTH_AUTH_H
#define TESELAS_AUTH_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

typedef enum auth_role {
  AUTH_ROLE_NONE = 0,
  AUTH_ROLE_PUBLISHER,
  AUTH_ROLE_REVIEWER,
  AUTH_ROLE_ADMIN
} auth_role;

/* Who a request speaks for: the account of a valid token. */
typedef struct auth_principal {
  store_account account;  /* name, role text, department, layers */
  auth_role role;
} auth_principal;

/* What a request wants to do. */
typedef enum auth_action {
  AUTH_UPLOAD,    /* a new version of a layer (POST /api/layers/{id}/versions) */
  AUTH_ROLLBACK,  /* an earlier version published again */
  AUTH_REMOVE,    /* a layer unpublished, every version */
  AUTH_JOBS,      /* read the progress and report of an upload job */
  AUTH_AUDIT,     /* read the audit log */
  AUTH_REVIEW     /* read, preview, approve or reject a version waiting for review */
} auth_action;

/* "tsl_" + 43 base64url characters + NUL. */
enum { AUTH_TOKEN_LEN = 48, AUTH_PASSWORD_MIN = 12, AUTH_PASSWORD_MAX = 1024 };

/* Initialises libsodium; call once at start-up before any other function. ERR_INTERNAL. */
err_code auth_init(err *e);

/* "publisher" → AUTH_ROLE_PUBLISHER, ...; AUTH_ROLE_NONE for anything else. */
auth_role auth_role_parse(const char *s);
const char *auth_role_name(auth_role r);

/* A new account. department and layers (comma-separated layer ids) are a publisher's; password
 * may be NULL (tokens only), else AUTH_PASSWORD_MIN..MAX bytes, hashed here. ERR_INVALID (bad
 * name, role, layer id, password length; name taken), ERR_IO, ERR_DB. */
err_code auth_user_add(const char *db_path, const char *name, auth_role role,
                       const char *department, const char *layers, const char *password, err *e);
err_code auth_user_remove(const char *db_path, const char *name, err *e);
/* The same writes with a gate (store_gate: the audit line of the command line, before COMMIT,
 * and the wait for the write lock). A new token's number is the gate's version. */
typedef struct auth_user_new {
  const char *name;
  auth_role role;
  const char *department, *layers, *password;
} auth_user_new;
err_code auth_user_add_gated(const char *db_path, const auth_user_new *u, const store_gate *gate,
                             err *e);
err_code auth_user_remove_gated(const char *db_path, const char *name, const store_gate *gate,
                                err *e);

/* A new token for `account`, written to out_token (shown to the user once, never stored).
 * ERR_NOT_FOUND (no such account), ERR_IO, ERR_DB. */
err_code auth_token_create(const char *db_path, const char *account, const char *label,
                           char out_token[AUTH_TOKEN_LEN], int64_t *out_id, err *e);
err_code auth_token_create_gated(const char *db_path, const char *account, const char *label,
                                 const store_gate *gate, char out_token[AUTH_TOKEN_LEN], err *e);

typedef enum auth_check {
  AUTH_CHECK_OK = 0,   /* *out filled */
  AUTH_CHECK_MISSING,  /* no Authorization header */
  AUTH_CHECK_INVALID   /* malformed, unknown or revoked token */
} auth_check;

/* The principal of an "Authorization: Bearer <token>" header value ("" or NULL: missing).
 * ERR_DB and ERR_IO from the database come back in e with AUTH_CHECK_INVALID. */
auth_check auth_bearer(const char *db_path, const char *authorization, auth_principal *out,
                       err *e);

/* True when p may do `a` to layer_id (NULL for actions on no layer). */
bool auth_may(const auth_principal *p, auth_action a, const char *layer_id);

/* Appends one line to the audit log; who is an account name, "cli", or NULL for "-" (no valid
 * credential). Never pass a secret. A failure to write is returned (callers refuse the action
 * rather than act unlogged). */
err_code auth_audit(const char *db_path, const char *who, const char *action, const char *target,
                    const char *result, const char *detail, err *e);

/* ---- password sign-in and sessions (session.c) ---- */

/* A session id: 43 base64url characters (256 bits) + NUL; a CSRF token has the same length. */
enum { AUTH_SESSION_LEN = 44 };

/* The principal of account `name` when `password` is its password (*out_known: whether an
 * account of that name with a password exists, for the audit log only). AUTH_CHECK_MISSING for an
 * empty password, AUTH_CHECK_INVALID for anything else wrong (no such account, no password, a
 * wrong one: one answer for all). Costs one Argon2id check whatever the outcome. */
auth_check auth_password(const char *db_path, const char *name, const char *password,
                         auth_principal *out, bool *out_known, err *e);
/* A new session of `account` for ttl_s seconds: its id (the cookie value, shown once) in out_id;
 * the database keeps only its hash. ERR_IO, ERR_DB. */
err_code auth_session_create(const char *db_path, const char *account, int64_t ttl_s,
                             char out_id[AUTH_SESSION_LEN], err *e);
/* The principal of a live session id (a cookie value; "" or NULL: missing). */
auth_check auth_session(const char *db_path, const char *id, auth_principal *out, err *e);
/* Ends the session (signs out); an id of the wrong shape is no session: ERR_OK. */
err_code auth_session_end(const char *db_path, const char *id, err *e);
/* The session's CSRF token, for its forms (derived from the id, never stored). */
void auth_csrf_token(const char *id, char out[AUTH_SESSION_LEN]);
/* True when token is the CSRF token of session id (constant-time comparison). */
bool auth_csrf_valid(const char *id, const char *token);

/* ---- failed sign-ins per account and per client address (throttle.c) ---- */

/* A table of n_slots keys, each allowed max_failures failures in window_s seconds from its first
 * one. Thread-safe (its own lock); owned by the server. NULL without memory. */
typedef struct auth_throttle auth_throttle;
auth_throttle *auth_throttle_create(size_t n_slots, int max_failures, int64_t window_s);
void auth_throttle_destroy(auth_throttle *t);
/* Seconds key must wait before trying again (0: it may try now). When the table is full of
 * blocked keys, a key not in it waits one window (see throttle.c). */
int64_t auth_throttle_wait(auth_throttle *t, const char *key, int64_t now);
/* Counts a failure of key. */
void auth_throttle_fail(auth_throttle *t, const char *key, int64_t now);
/* Forgets key (a success). */
void auth_throttle_clear(auth_throttle *t, const char *key);

#endif
