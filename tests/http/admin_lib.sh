# admin_lib.sh — sessions of the /admin pages from the shell, for tests that source lib.sh first.

# signin NAME PASSWORD [curl args]: the session cookie ("teselas_sesion=...") in $COOKIE, or ""
# when refused
signin() {
  http_get /admin/entrar -X POST --data-urlencode "usuario=$1" --data-urlencode "contraseña=$2" \
    "${@:3}"
  COOKIE=$(sed -n 's/^Set-Cookie: \(teselas_sesion=[^;]*\);.*/\1/Ip' "$TEST_TMP/headers" | tr -d '\r')
}

# csrf_of COOKIE: the CSRF token the pages give that session
csrf_of() {
  curl -s -H "Cookie: $1" "$BASE/admin" | grep -o 'name="csrf" value="[^"]*"' | head -1 \
    | sed 's/.*value="\([^"]*\)"/\1/'
}

# expect_body_has TEXT [what]: the last body contains TEXT
expect_body_has() {
  grep -qF -- "$1" "$TEST_TMP/body" || fail "${2:-body} lacks «$1»: $(head -c 300 "$TEST_TMP/body")"
  ok
}
