/* Unit tests of auth/: a token authenticates its account until revoked, and only in its exact
 * form; the database keeps neither token nor password in the clear (the password's Argon2id
 * string verifies with libsodium's own check); what each role may do; the audit log refuses
 * UPDATE and DELETE. */
#include <sodium.h>
#include <sqlite3.h>

#include "check.h"
#include "auth/auth.h"

static char *scalar(const char *db, const char *sql) {
  sqlite3 *s = NULL;
  sqlite3_stmt *st = NULL;
  char *out = NULL;
  if (sqlite3_open(db, &s) == SQLITE_OK && sqlite3_prepare_v2(s, sql, -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
    out = strdup((const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(s);
  return out;
}

static void tokens_authenticate_until_revoked(void **state) {
  char db[256];
  check_tmp_path("auth.db", db, sizeof db);
  err e = {0};
  assert_int_equal(auth_init(&e), ERR_OK);
  assert_int_equal(auth_user_add(db, "ana", AUTH_ROLE_PUBLISHER, "obras", "parques,agua", NULL, &e),
                   ERR_OK);
  assert_int_equal(auth_user_add(db, "ana", AUTH_ROLE_ADMIN, NULL, NULL, NULL, &e), ERR_INVALID);
  assert_int_equal(auth_user_add(db, "x", AUTH_ROLE_ADMIN, NULL, "bad id!", NULL, &e), ERR_INVALID);
  char tok[AUTH_TOKEN_LEN], hdr[80];
  int64_t id = 0;
  assert_int_equal(auth_token_create(db, "nadie", "", tok, &id, &e), ERR_NOT_FOUND);
  assert_int_equal(auth_token_create(db, "ana", "ci", tok, &id, &e), ERR_OK);
  assert_int_equal(strlen(tok), AUTH_TOKEN_LEN - 1);
  snprintf(hdr, sizeof hdr, "Bearer %s", tok);
  auth_principal p;
  assert_int_equal(auth_bearer(db, hdr, &p, &e), AUTH_CHECK_OK);
  assert_string_equal(p.account.name, "ana");
  assert_int_equal(p.role, AUTH_ROLE_PUBLISHER);
  assert_int_equal(auth_bearer(db, "", &p, &e), AUTH_CHECK_MISSING);
  assert_int_equal(auth_bearer(db, tok, &p, &e), AUTH_CHECK_INVALID); /* no scheme */
  hdr[strlen(hdr) - 1] ^= 1;                                          /* one bit off */
  assert_int_equal(auth_bearer(db, hdr, &p, &e), AUTH_CHECK_INVALID);
  hdr[strlen(hdr) - 1] ^= 1;
  /* the stored row is a 32-byte hash, never the token */
  char *stored = scalar(db, "SELECT hex(hash) FROM teselas_tokens");
  assert_non_null(stored);
  assert_int_equal(strlen(stored), 64);
  free(stored);
  assert_null(scalar(db, "SELECT 1 FROM teselas_tokens WHERE instr(CAST(hash AS TEXT), 'tsl_')"));
  assert_int_equal(store_token_revoke(db, id, &e), ERR_OK);
  assert_int_equal(auth_bearer(db, hdr, &p, &e), AUTH_CHECK_INVALID);
  assert_int_equal(store_token_revoke(db, id, &e), ERR_NOT_FOUND);
}

static void password_is_argon2id(void **state) {
  char db[256];
  check_tmp_path("pw.db", db, sizeof db);
  err e = {0};
  assert_int_equal(auth_init(&e), ERR_OK);
  assert_int_equal(auth_user_add(db, "root", AUTH_ROLE_ADMIN, NULL, NULL, "corta", &e), ERR_INVALID);
  const char *pw = "una contraseña larga";
  assert_int_equal(auth_user_add(db, "root", AUTH_ROLE_ADMIN, NULL, NULL, pw, &e), ERR_OK);
  char *h = scalar(db, "SELECT password_hash FROM teselas_accounts WHERE name='root'");
  assert_non_null(h);
  assert_int_equal(strncmp(h, "$argon2id$", 10), 0);
  assert_null(strstr(h, pw));
  assert_int_equal(crypto_pwhash_str_verify(h, pw, strlen(pw)), 0);
  assert_int_not_equal(crypto_pwhash_str_verify(h, "otra contraseña", 16), 0);
  free(h);
}

static void roles(void **state) {
  auth_principal pub = {.role = AUTH_ROLE_PUBLISHER}, rev = {.role = AUTH_ROLE_REVIEWER},
                 adm = {.role = AUTH_ROLE_ADMIN}, none = {0};
  snprintf(pub.account.layers, sizeof pub.account.layers, "parques,agua");
  assert_true(auth_may(&pub, AUTH_UPLOAD, "agua"));
  assert_false(auth_may(&pub, AUTH_UPLOAD, "agu"));       /* a prefix is another layer */
  assert_false(auth_may(&pub, AUTH_UPLOAD, "parques,agua"));
  assert_true(auth_may(&pub, AUTH_ROLLBACK, "parques"));
  assert_false(auth_may(&pub, AUTH_REMOVE, "parques"));
  assert_false(auth_may(&pub, AUTH_AUDIT, NULL));
  assert_false(auth_may(&rev, AUTH_UPLOAD, "parques"));
  assert_true(auth_may(&adm, AUTH_REMOVE, "parques"));
  assert_true(auth_may(&adm, AUTH_AUDIT, NULL));
  assert_false(auth_may(&none, AUTH_JOBS, NULL));
  assert_false(auth_may(NULL, AUTH_UPLOAD, "parques"));
}

static void audit_is_append_only(void **state) {
  char db[256];
  check_tmp_path("audit.db", db, sizeof db);
  err e = {0};
  assert_int_equal(auth_audit(db, NULL, "upload", "parques", "refused", "no token", &e), ERR_OK);
  assert_int_equal(auth_audit(db, "ana", "upload", "parques", "ok", "job 1", &e), ERR_OK);
  assert_int_equal(access(db, F_OK), -1); /* the log has its own file: the database is untouched */
  strcat(db, ".audit");
  sqlite3 *s = NULL;
  assert_int_equal(sqlite3_open(db, &s), SQLITE_OK);
  assert_int_not_equal(sqlite3_exec(s, "UPDATE teselas_audit SET who='x'", NULL, NULL, NULL),
                       SQLITE_OK);
  assert_int_not_equal(sqlite3_exec(s, "DELETE FROM teselas_audit", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(s);
  char *n = scalar(db, "SELECT count(*) || ' ' || group_concat(who) FROM teselas_audit");
  assert_string_equal(n, "2 -,ana");
  free(n);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(tokens_authenticate_until_revoked),
                                     cmocka_unit_test(password_is_argon2id),
                                     cmocka_unit_test(roles),
                                     cmocka_unit_test(audit_is_append_only)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
