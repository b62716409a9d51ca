/* auth.c — accounts and tokens over store/accounts.c, with libsodium for every secret: Argon2id
 * for passwords, randombytes_buf for tokens, BLAKE2b for their stored hash and sodium_memcmp to
 * compare it. A token has 256 bits of entropy, so one unsalted hash suffices (no dictionary can
 * cover the space) and lookup by hash stays an index probe; a password is guessable, so it gets
 * Argon2id's salted, memory-hard string at the interactive limits (about 64 MiB, 0.1 s here). */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth/auth.h"

static const char TOKEN_PREFIX[] = "tsl_";

err_code auth_init(err *e) {
  if (sodium_init() < 0) return err_set(e, ERR_INTERNAL, "libsodium could not start");
  return ERR_OK;
}

static const char *const ROLE_NAMES[] = {"", "publisher", "reviewer", "admin"};

auth_role auth_role_parse(const char *s) {
  for (int r = AUTH_ROLE_PUBLISHER; s && r <= AUTH_ROLE_ADMIN; r++)
    if (strcmp(s, ROLE_NAMES[r]) == 0) return (auth_role)r;
  return AUTH_ROLE_NONE;
}

const char *auth_role_name(auth_role r) {
  return r >= AUTH_ROLE_PUBLISHER && r <= AUTH_ROLE_ADMIN ? ROLE_NAMES[r] : "";
}

/* An account name: 1..63 of [a-z0-9._-], starting with a letter (it appears in the audit log
 * and the CSV, so no separator or markup can hide in it). */
static bool name_valid(const char *n) {
  size_t len = strlen(n);
  if (len == 0 || len >= STORE_NAME_MAX || n[0] < 'a' || n[0] > 'z') return false;
  for (const char *p = n; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
          *p == '-'))
      return false;
  return true;
}

/* Comma-separated layer ids, each one a valid layer id; "" is valid (no layer). */
static bool layers_valid(const char *list) {
  char one[STORE_NAME_MAX];
  for (const char *p = list; *p;) {
    size_t n = strcspn(p, ",");
    if (n == 0 || n >= sizeof one) return false;
    memcpy(one, p, n);
    one[n] = '\0';
    if (!store_layer_id_valid(one)) return false;
    p += n + (p[n] == ',');
  }
  return true;
}

err_code auth_user_add(const char *db_path, const char *name, auth_role role,
                       const char *department, const char *layers, const char *password, err *e) {
  auth_user_new u = {name, role, department, layers, password};
  return auth_user_add_gated(db_path, &u, NULL, e);
}

err_code auth_user_add_gated(const char *db_path, const auth_user_new *u, const store_gate *gate,
                             err *e) {
  const char *name = u->name, *department = u->department, *layers = u->layers;
  const char *password = u->password;
  auth_role role = u->role;
  store_account a = {0};
  if (!name_valid(name))
    return err_set(e, ERR_INVALID, "an account name is 1 to 63 of a-z, 0-9, '.', '_', '-', "
                   "starting with a letter");
  if (role == AUTH_ROLE_NONE) return err_set(e, ERR_INVALID, "role is publisher, reviewer or admin");
  if (!department) department = "";
  if (!layers) layers = "";
  if (strlen(department) >= sizeof a.department || strlen(layers) >= sizeof a.layers ||
      !layers_valid(layers))
    return err_set(e, ERR_INVALID, "layers are layer ids separated by commas; the department "
                   "and the list are at most %d and %d bytes", STORE_DEPT_MAX - 1,
                   STORE_LAYERS_MAX - 1);
  snprintf(a.name, sizeof a.name, "%s", name);
  snprintf(a.role, sizeof a.role, "%s", auth_role_name(role));
  snprintf(a.department, sizeof a.department, "%s", department);
  snprintf(a.layers, sizeof a.layers, "%s", layers);
  char hash[crypto_pwhash_STRBYTES];
  if (password) {
    size_t n = strlen(password);
    if (n < AUTH_PASSWORD_MIN || n > AUTH_PASSWORD_MAX)
      return err_set(e, ERR_INVALID, "a password is %d to %d bytes", AUTH_PASSWORD_MIN,
                     AUTH_PASSWORD_MAX);
    if (crypto_pwhash_str(hash, password, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
      return err_set(e, ERR_NOMEM, "not enough memory to hash the password");
  }
  err_code rc = store_account_add_gated(db_path, &a, password ? hash : NULL, gate, e);
  sodium_memzero(hash, sizeof hash);
  return rc;
}

err_code auth_user_remove(const char *db_path, const char *name, err *e) {
  return store_account_remove(db_path, name, e);
}

err_code auth_user_remove_gated(const char *db_path, const char *name, const store_gate *gate,
                                err *e) {
  return store_account_remove_gated(db_path, name, gate, e);
}

static void token_hash(const char *token, uint8_t out[32]) {
  crypto_generichash(out, 32, (const unsigned char *)token, strlen(token), NULL, 0);
}

/* A new token in out_token and its hash in out_hash. */
static void token_new(char out_token[AUTH_TOKEN_LEN], uint8_t out_hash[32]);

err_code auth_token_create(const char *db_path, const char *account, const char *label,
                           char out_token[AUTH_TOKEN_LEN], int64_t *out_id, err *e) {
  uint8_t hash[32];
  token_new(out_token, hash);
  err_code rc = store_token_add(db_path, account, hash, label, out_id, e);
  if (rc != ERR_OK) sodium_memzero(out_token, AUTH_TOKEN_LEN);
  return rc;
}

err_code auth_token_create_gated(const char *db_path, const char *account, const char *label,
                                 const store_gate *gate, char out_token[AUTH_TOKEN_LEN], err *e) {
  uint8_t hash[32];
  token_new(out_token, hash);
  err_code rc = store_token_add_gated(db_path, account, hash, label, gate, e);
  if (rc != ERR_OK) sodium_memzero(out_token, AUTH_TOKEN_LEN);
  return rc;
}

static void token_new(char out_token[AUTH_TOKEN_LEN], uint8_t out_hash[32]) {
  uint8_t raw[32];
  randombytes_buf(raw, sizeof raw);
  memcpy(out_token, TOKEN_PREFIX, sizeof TOKEN_PREFIX - 1);
  sodium_bin2base64(out_token + sizeof TOKEN_PREFIX - 1, AUTH_TOKEN_LEN - (sizeof TOKEN_PREFIX - 1),
                    raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(raw, sizeof raw);
  token_hash(out_token, out_hash);
}

auth_check auth_bearer(const char *db_path, const char *authorization, auth_principal *out,
                       err *e) {
  *out = (auth_principal){0};
  if (!authorization || !*authorization) return AUTH_CHECK_MISSING;
  if (strncasecmp(authorization, "Bearer ", 7) != 0) return AUTH_CHECK_INVALID;
  const char *tok = authorization + 7;
  while (*tok == ' ') tok++;
  /* exact shape before any database work: "tsl_" and 43 base64url characters */
  if (strlen(tok) != AUTH_TOKEN_LEN - 1 || strncmp(tok, TOKEN_PREFIX, 4) != 0)
    return AUTH_CHECK_INVALID;
  uint8_t hash[32];
  token_hash(tok, hash);
  bool found = false;
  if (store_token_lookup(db_path, hash, &out->account, &found, e) != ERR_OK || !found)
    return AUTH_CHECK_INVALID;
  /* the row was found by its hash; the constant-time comparison keeps a future lookup that
   * scans (another backend) from leaking how many bytes matched */
  if (sodium_memcmp(hash, out->account.token_hash, 32) != 0) return AUTH_CHECK_INVALID;
  out->role = auth_role_parse(out->account.role);
  return out->role == AUTH_ROLE_NONE ? AUTH_CHECK_INVALID : AUTH_CHECK_OK;
}

/* True when layer_id is one of the comma-separated ids of list. */
static bool list_has(const char *list, const char *layer_id) {
  size_t n = strlen(layer_id);
  for (const char *p = list; *p;) {
    size_t k = strcspn(p, ",");
    if (k == n && memcmp(p, layer_id, n) == 0) return true;
    p += k + (p[k] == ',');
  }
  return false;
}

bool auth_may(const auth_principal *p, auth_action a, const char *layer_id) {
  if (!p || p->role == AUTH_ROLE_NONE) return false;
  if (p->role == AUTH_ROLE_ADMIN) return true;
  switch (a) {
    case AUTH_UPLOAD:
    case AUTH_ROLLBACK:
      return p->role == AUTH_ROLE_PUBLISHER && layer_id && list_has(p->account.layers, layer_id);
    case AUTH_JOBS: return true; /* the job's own account: checked by the caller */
    case AUTH_REVIEW: return p->role == AUTH_ROLE_REVIEWER; /* nobody decides on their own
                                                              upload: checked by the caller */
    case AUTH_REMOVE:            /* unpublishing every version is an admin's decision */
    case AUTH_AUDIT: return false;
  }
  return false;
}

err_code auth_audit(const char *db_path, const char *who, const char *action, const char *target,
                    const char *result, const char *detail, err *e) {
  store_audit_entry a = {.who = who && *who ? who : "-",
                         .action = action, .target = target ? target : "",
                         .result = result, .detail = detail ? detail : ""};
  return store_audit_add(db_path, &a, e);
}
