#!/usr/bin/env bash
# The pages people see, over HTTP (the browser tests in tests/browser check them in Chromium):
# content negotiation on /, escaping of untrusted catalog text, framing headers, the quality
# summary of a real import, the embedded assets (ETag, 304, gzip, immutable cache), bad names.
source "$(dirname "$0")/lib.sh"

DB=$(demo_db 2000)
# a layer whose metadata tries to inject markup, with a real import report
cat > "$TEST_TMP/evil.csv" <<'EOF'
nombre,lat,lon
"<img src=x onerror=alert(1)>",21.12,-101.68
Parque "Los Álamos",21.13,-101.67
EOF
"$TESELAS" import "$TEST_TMP/evil.csv" --db "$DB" --layer evil \
  --title '</script><script>alert(1)</script>' --description 'a & b <b>bold</b>' \
  --publisher "O'Brien \"&\" Co" --privacy 'generalize:grid=250' \
  >/dev/null 2>&1 || fail "import of the test layer"
# a policy whose description carries markup (the importer writes its own; this one is planted)
sqlite3 "$DB" "UPDATE teselas_layers SET privacy = json_set(privacy, '\$.description',
  'Ubicaciones aproximadas <250 m>') WHERE id = 'evil'"
start_server "$DB"

# --- / : HTML for browsers and curl, JSON when asked ---
http_get / -H 'Accept: text/html,application/xhtml+xml'
expect_status 200 "catalog"
expect_header Content-Type 'text/html; charset=utf-8'
expect_header Vary Accept
grep -q '<html lang="es">' "$TEST_TMP/body" || fail "catalog is not Spanish by default"
grep -q 'Parques y áreas verdes' "$TEST_TMP/body" || fail "catalog lacks a layer"
grep -q '&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;' "$TEST_TMP/body" || fail "title not escaped"
grep -q 'a &amp; b &lt;b&gt;bold&lt;/b&gt;' "$TEST_TMP/body" || fail "description not escaped"
grep -q 'O&#39;Brien &quot;&amp;&quot; Co' "$TEST_TMP/body" || fail "publisher not escaped"
! grep -q '<script>alert' "$TEST_TMP/body" || fail "markup from the catalog reached the page"
grep -q '2 registros publicados de 2' "$TEST_TMP/body" || fail "no quality summary of the import"
grep -q '<dt>Privacidad</dt><dd>Ubicaciones aproximadas &lt;250 m&gt;</dd>' "$TEST_TMP/body" \
  || fail "no privacy policy in the catalog"
grep -q "frame-ancestors 'self'" "$TEST_TMP/headers" || fail "catalog may be framed"
# a thumbnail is drawn at a zoom where the style draws its layer: styles/leon.json starts
# colonias at z11, although the zoom that fits the whole layer is 10
thumb=$(grep -o 'src="/styles/leon/static/[^"]*layers=colonias"' "$TEST_TMP/body" | head -1)
[[ "$thumb" =~ ,1[1-5]/320x180\.png ]] || fail "colonias thumbnail below the style's zoom: $thumb"
# every link of a layer's card answers (map, downloads, API)
links=$(grep -o 'href="/[^"]*parques[^"]*"' "$TEST_TMP/body" | sed 's/^href="//; s/"$//; s/&amp;/\&/g' | sort -u)
[ "$(echo "$links" | wc -l)" -ge 3 ] || fail "too few links for parques: $links"
for l in $links; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE$l")
  [ "$code" = 200 ] || fail "catalog link $l answers $code"
done
ok
http_get /
grep -q '<!doctype html>' "$TEST_TMP/body" || fail "curl's */* should get the catalog page"
http_get '/?f=json'
expect_json 'any(l["id"] == "parques" for l in d["layers"]) or "links" in d'
http_get / -H 'Accept: application/json'
expect_json 'isinstance(d, dict)'
http_get '/?lang=en'
grep -q '<html lang="en">' "$TEST_TMP/body" && grep -q 'Data layers' "$TEST_TMP/body" \
  || fail "English catalog"
ok

# --- the map pages ---
http_get /maps/leon
expect_status 200 "viewer"
expect_header X-Frame-Options SAMEORIGIN
grep -q 'id="teselas-config"' "$TEST_TMP/body" || fail "viewer has no configuration"
# the configuration is JSON inside <script>: no raw '<' may appear in it
python3 - "$TEST_TMP/body" <<'PY' || fail "page configuration is not safe JSON"
import json, re, sys
html = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<script type="application/json" id="teselas-config">(.*?)</script>', html, re.S)
assert m and "<" not in m.group(1), "raw < in the configuration"
cfg = json.loads(m.group(1))
titles = {l["id"]: l["title"] for l in cfg["layers"]}
assert titles["evil"] == "</script><script>alert(1)</script>", titles["evil"]
assert [l["privacy"] for l in cfg["layers"] if l["id"] == "evil"] == ["Ubicaciones aproximadas <250 m>"]
assert any(f["label"] == "Superficie (m²)" for l in cfg["layers"] if l["id"] == "parques" for f in l["fields"])
PY
http_get '/embed/leon?layers=parques&lang=en'
expect_status 200 "embed"
grep -q "frame-ancestors \*" "$TEST_TMP/headers" || fail "the embed page must allow framing"
grep -qi '^X-Frame-Options' "$TEST_TMP/headers" && fail "the embed page must not deny framing"
grep -q '<html lang="en">' "$TEST_TMP/body" || fail "embed lang=en"
http_get '/maps/no%20such'
expect_status 404 "bad style name"
http_get '/embed/nosuchstyle'
expect_status 404 "unknown style"
expect_json 'd["code"] == "not_found"'
ok

# --- assets: embedded, cached by build id, gzip when asked, 304 on a matching ETag ---
http_get /maps/leon
css=$(grep -o '/assets/[0-9a-f]*/teselas.css' "$TEST_TMP/body" | head -1 || true)
[ -n "$css" ] || fail "no stylesheet link"
http_get "$css"
expect_status 200 "$css"
expect_header Content-Type 'text/css'
expect_header Cache-Control 'public, max-age=31536000, immutable'
len=$(stat -c %s "$TEST_TMP/body")
etag=$(etag)
expect_304 "$css" "$etag" "$len"
expect_304 "$css" "$etag" "$len" -I
# gzip: the 304 carries the length of the gzip copy the 200 sends (RFC 9110 §8.6)
http_get "$css" -H 'Accept-Encoding: gzip'
expect_header Content-Encoding gzip
expect_304 "$css" "$etag" "$(stat -c %s "$TEST_TMP/body")" -H 'Accept-Encoding: gzip'
js=${css%teselas.css}maplibre-gl.mjs
http_get "$js" -H 'Accept-Encoding: gzip'
expect_header Content-Encoding gzip
size=$(stat -c %s "$TEST_TMP/body")
[ "$size" -lt 600000 ] || fail "maplibre-gl.mjs gzip is $size bytes"
http_get /assets/0000/viewer.js
expect_status 200 "an old build id still answers"
expect_header Cache-Control no-cache
http_get /assets/0000/no-such.js
expect_status 404 "unknown asset"
ok

# --- /favicon.ico, where browsers look for the icon of a page that names none (the API's HTML):
# the page's own icon, the same bytes, cached for a day ---
http_get /maps/leon
icon=$(grep -o '/assets/[0-9a-f]*/favicon.svg' "$TEST_TMP/body" | head -1 || true)
[ -n "$icon" ] || fail "no icon link"
http_get "$icon"
cp "$TEST_TMP/body" "$TEST_TMP/icon.svg"
http_get /favicon.ico
expect_status 200 /favicon.ico
expect_header Content-Type 'image/svg+xml'
expect_header Cache-Control 'public, max-age=86400'
cmp -s "$TEST_TMP/body" "$TEST_TMP/icon.svg" || fail "/favicon.ico is not the pages' icon"
ok

stop_server || fail "server did not stop cleanly"
done_checks
