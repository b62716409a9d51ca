/* session.c — password sign-in and the sessions of the pages for publishers.
 *
 * A session id is 256 random bits (randombytes_buf) sent as a cookie in base64url; the database
 * keeps only its BLAKE2b hash, as for API tokens (auth.c says why one unsalted hash suffices).
 * The CSRF token of a session is derived from it, BLAKE2b keyed by the session id over a fixed
 * label: nothing more to store, it changes with each sign-in, and a page can only learn it from
 * the server (SameSite=Strict already keeps other sites' forms from carrying the cookie; the
 * token is the second lock). A password is checked with crypto_pwhash_str_verify; an unknown
 * account costs the same Argon2id work, so the answer's time does not say which names exist. */
#include <sodium.h>
#include <string.h>
#include <time.h>

#include "auth/auth.h"

static const char CSRF_LABEL[] = "teselas csrf v1";

static void id_hash(const char *id, uint8_t out[32]) {
  crypto_generichash(out, 32, (const unsigned char *)id, strlen(id), NULL, 0);
}

/* The exact shape of a session id: 43 base64url characters. */
static bool id_valid(const char *id) {
  if (!id || strlen(id) != AUTH_SESSION_LEN - 1) return false;
  for (const char *p = id; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
          *p == '-' || *p == '_'))
      return false;
  return true;
}

auth_check auth_password(const char *db_path, const char *name, const char *password,
                         auth_principal *out, bool *out_known, err *e) {
  *out = (auth_principal){0};
  *out_known = false;
  char hash[crypto_pwhash_STRBYTES] = "";
  bool found = false;
  size_t n = password ? strlen(password) : 0;
  if (name && *name && n > 0 && n <= AUTH_PASSWORD_MAX &&
      store_account_password(db_path, name, &out->account, hash, sizeof hash, &found, e) !=
          ERR_OK)
    return AUTH_CHECK_INVALID;
  bool good = false;
  *out_known = found;
  if (found) {
    good = crypto_pwhash_str_verify(hash, password, n) == 0;
  } else if (n > 0 && n <= AUTH_PASSWORD_MAX) {
    /* the same work as a real check: the time of a refusal does not tell a name exists */
    char waste[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(waste, password, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0)
      sodium_memzero(waste, sizeof waste);
  }
  sodium_memzero(hash, sizeof hash);
  if (!good) {
    *out = (auth_principal){0};
    return n == 0 ? AUTH_CHECK_MISSING : AUTH_CHECK_INVALID;
  }
  out->role = auth_role_parse(out->account.role);
  return out->role == AUTH_ROLE_NONE ? AUTH_CHECK_INVALID : AUTH_CHECK_OK;
}

err_code auth_session_create(const char *db_path, const char *account, int64_t ttl_s,
                             char out_id[AUTH_SESSION_LEN], err *e) {
  uint8_t raw[32], hash[32];
  randombytes_buf(raw, sizeof raw);
  sodium_bin2base64(out_id, AUTH_SESSION_LEN, raw, sizeof raw,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(raw, sizeof raw);
  id_hash(out_id, hash);
  int64_t now = (int64_t)time(NULL);
  err_code rc = store_session_add(db_path, hash, account, now, now + ttl_s, e);
  if (rc != ERR_OK) sodium_memzero(out_id, AUTH_SESSION_LEN);
  return rc;
}

auth_check auth_session(const char *db_path, const char *id, auth_principal *out, err *e) {
  *out = (auth_principal){0};
  if (!id || !*id) return AUTH_CHECK_MISSING;
  if (!id_valid(id)) return AUTH_CHECK_INVALID;
  uint8_t hash[32];
  id_hash(id, hash);
  bool found = false;
  if (store_session_lookup(db_path, hash, (int64_t)time(NULL), &out->account, &found, e) !=
          ERR_OK ||
      !found || sodium_memcmp(hash, out->account.token_hash, 32) != 0) {
    *out = (auth_principal){0};
    return AUTH_CHECK_INVALID;
  }
  out->role = auth_role_parse(out->account.role);
  return out->role == AUTH_ROLE_NONE ? AUTH_CHECK_INVALID : AUTH_CHECK_OK;
}

err_code auth_session_end(const char *db_path, const char *id, err *e) {
  if (!id_valid(id)) return ERR_OK;
  uint8_t hash[32];
  id_hash(id, hash);
  return store_session_remove(db_path, hash, e);
}

void auth_csrf_token(const char *id, char out[AUTH_SESSION_LEN]) {
  uint8_t mac[32];
  crypto_generichash(mac, sizeof mac, (const unsigned char *)CSRF_LABEL, sizeof CSRF_LABEL - 1,
                     (const unsigned char *)id, strlen(id));
  sodium_bin2base64(out, AUTH_SESSION_LEN, mac, sizeof mac,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool auth_csrf_valid(const char *id, const char *token) {
  if (!id_valid(id) || !token || strlen(token) != AUTH_SESSION_LEN - 1) return false;
  char want[AUTH_SESSION_LEN];
  auth_csrf_token(id, want);
  bool same = sodium_memcmp(want, token, AUTH_SESSION_LEN - 1) == 0;
  sodium_memzero(want, sizeof want);
  return same;
}
