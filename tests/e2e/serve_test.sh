#!/usr/bin/env bash
# End-to-end test of `libro registry serve`, the real process on a loopback ephemeral port:
# it prints the port, answers a few requests (made with bash's /dev/tcp, since curl may be
# absent), refuses header values with NUL, CR or LF and bare-LF lines (400 bad_header), refuses
# a public address without --public, and exits 0 on SIGTERM.
# Prints "N passed, N failed". Loopback only.
set -uo pipefail
libro=${1:?usage: serve_test.sh PATH/TO/libro}
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro") # we cd below
work=$(mktemp -d "${TMPDIR:-/tmp}/libro-e2e-serve.XXXXXX")
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
    fi
    db_cleanup
    rm -rf "$work"
}
trap cleanup EXIT
cd "$work" || exit 1
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" # db_new: SQLite or PostgreSQL (LIBRO_TEST_DB)
e2e_require_db
DB=$(db_new reg.db) || exit 1
export XDG_DATA_HOME="$work/xdg"
passed=0
failed=0
ok() { passed=$((passed + 1)); }
fail() {
    printf 'FAIL %s\n' "$*"
    failed=$((failed + 1))
}
must() { "$@" >/dev/null 2>"$work/must.err" || { echo "setup failed: $*"; cat "$work/must.err"; exit 1; }; }
ago() { date -u -d "$1 ago" +%Y-%m-%dT%H:%M:%SZ; }
FROM=$(ago '30 days')
BASE=http://127.0.0.1/v1/status

# --- a registry with one license ---------------------------------------------------------------
must "$libro" key new --out town.pem
must "$libro" key new --out board.pem --public-out board.pub
must "$libro" key new --out reg.pem --public-out reg.pub
must "$libro" key new --out other.pem
must "$libro" issue charter --self --key town.pem --id urn:libro:town-7 --name "Town 7" --level 2 \
    --allow nursing-general --valid-from "$FROM" --days 3650 --out town.jws
must "$libro" issue authorization --key town.pem --charter town.jws --id urn:libro:town-7:board \
    --name "Health Board" --subject-key board.pub --grant nursing-general:1095 \
    --valid-from "$FROM" --days 3000 --out auth.jws
must "$libro" issue registry-authorization --key town.pem --charter town.jws \
    --id urn:libro:town-7:registry --name "Town 7 Registry" --subject-key reg.pub \
    --url http://127.0.0.1 --valid-from "$FROM" --days 3000 --out regauth.jws
must "$libro" registry init --db "$DB" --charter town.jws --authorization regauth.jws
must "$libro" registry type --db "$DB" --id nursing-general --validity-days 365 \
    --renewal-window-days 30 --grace-days 30 --actor ops
must "$libro" issue license --key board.pem --authorization auth.jws --community-charter town.jws \
    --holder "Ada <Example>" --number T7-N-0001 --profession "registered nurse" \
    --type nursing-general --scope "general care" --out ada.jws --registry "$DB" \
    --status-url-base $BASE

# --- refusals before listening -----------------------------------------------------------------
out=$("$libro" registry serve --db "$DB" --listen 0.0.0.0:0 --key reg.pem \
    --base-url http://127.0.0.1 2>&1 </dev/null)
rc=$?
if [ $rc -eq 1 ] && grep -q 'not a loopback address' <<<"$out"; then ok; else
    fail "public address without --public: exit $rc: $out"; fi
out=$("$libro" registry serve --db "$DB" --listen 127.0.0.1:0 --key other.pem \
    --base-url http://127.0.0.1 2>&1 </dev/null)
rc=$?
if [ $rc -eq 1 ] && grep -q 'registry authorization names' <<<"$out"; then ok; else
    fail "wrong key: exit $rc: $out"; fi
out=$("$libro" registry serve --db "$DB" --listen 127.0.0.1 --key reg.pem \
    --base-url http://127.0.0.1 2>&1 </dev/null)
rc=$?
if [ $rc -eq 2 ]; then ok; else fail "--listen without a port: exit $rc: $out"; fi

# --- serve -------------------------------------------------------------------------------------
"$libro" registry serve --db "$DB" --listen 127.0.0.1:0 --key reg.pem \
    --base-url http://127.0.0.1 </dev/null 2>serve.err &
server_pid=$!
port=
for _ in $(seq 1 100); do
    port=$(sed -n 's|^libro: listening on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' serve.err)
    [ -n "$port" ] && break
    sleep 0.05
done
if [ -z "$port" ]; then
    fail "no 'listening on' line"
    cat serve.err
    printf '%d passed, %d failed\n' "$passed" "$failed"
    exit 1
fi
ok

# GET PATH [EXTRA-HEADER]: the whole response (headers and body) on stdout.
get() {
    local resp extra=
    [ -n "${2:-}" ] && extra="$2"$'\r\n'
    exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
    printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s\r\n' "$1" "$extra" >&3
    resp=$(cat <&3)
    exec 3<&-
    printf '%s' "$resp" | tr -d '\r'
}
expect() { # NAME PATTERN RESPONSE
    if grep -qE -- "$2" <<<"$3"; then ok; else fail "$1: no /$2/ in:"; printf '%s\n' "$3" | head -20; fi
}

r=$(get /v1/health)
expect "health" '^HTTP/1.1 200' "$r"
expect "health body" '"status":"ok"' "$r"
r=$(get /v1/status/0/revocation)
expect "status list" '^HTTP/1.1 200' "$r"
expect "status list type" '^Content-Type: application/vc\+jwt' "$r"
etag=$(sed -n 's/^ETag: //p' <<<"$r")
body=$(tail -n1 <<<"$r")
printf '%s\n' "$body" >list.jws
if "$libro" jws verify --key reg.pub list.jws >list.json 2>list.err &&
    grep -q '"id":"http://127.0.0.1/v1/status/0/revocation"' list.json; then ok; else
    fail "status list does not verify with the registry key: $(cat list.err)"; fi
r=$(get /v1/status/0/revocation "If-None-Match: $etag")
expect "304 on If-None-Match" '^HTTP/1.1 304' "$r"
r=$(get /v1/licenses/T7-N-0001)
expect "license" '"number":"T7-N-0001"' "$r"
expect "license state" '"state":"active"' "$r"
r=$(get /v1/licenses/T7-N-0001 "Accept: text/html")
expect "license html" 'Ada &lt;Example&gt;' "$r"
r=$(get /v1/licenses/nope)
expect "unknown license" '^HTTP/1.1 404' "$r"

# RAW: send printf FORMAT RAW as it is (NUL, CR and LF bytes included); the response on stdout.
# The request goes out in one write (a file, since bash strings hold no NUL): the server may
# answer and close as soon as it has the head, and a later write would end the subshell on
# SIGPIPE.
raw() {
    local resp
    # shellcheck disable=SC2059 # the request is the format: its \0, \r and \n are the point
    printf "$1" >raw.req
    exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
    cat raw.req >&3
    resp=$(cat <&3)
    exec 3<&-
    printf '%s' "$resp" | tr -d '\r'
}
# Header values with NUL, CR or LF (RFC 9110 §5.5), and lines not ended by CRLF: 400 bad_header
# before routing, where libmicrohttpd's C strings had read "a", "5" and "chunked".
for req in 'GET /v1/health HTTP/1.1\r\nHost: a\0b\r\nConnection: close\r\n\r\n' \
    'POST /v1/health HTTP/1.1\r\nHost: a\r\nContent-Length: 5\099\r\n\r\nhello' \
    'POST /v1/health HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\0gzip\r\n\r\n0\r\n\r\n' \
    'GET /v1/health HTTP/1.1\r\nHost: a\rb\r\nConnection: close\r\n\r\n' \
    'GET /v1/health HTTP/1.1\r\nHost: a\nHost: b\r\nConnection: close\r\n\r\n'; do
    r=$(raw "$req")
    if grep -q '^HTTP/1.1 400 ' <<<"$r" && grep -q '"code":"bad_header"' <<<"$r" &&
        grep -q '^Connection: close' <<<"$r"; then ok; else
        fail "$req: not refused as bad_header:"; printf '%s\n' "$r" | head -5; fi
done
r=$(raw 'GET /v1/health HTTP/1.1\r\nHost: a\r\nAccept:  application/json \r\nConnection: close\r\n\r\n')
expect "clean header values" '^HTTP/1.1 200' "$r"

# --- a clean stop ------------------------------------------------------------------------------
kill -TERM "$server_pid"
wait "$server_pid"
rc=$?
server_pid=
if [ $rc -eq 0 ]; then ok; else fail "exit $rc after SIGTERM"; fi
if grep -q 'SIGTERM: stopping' serve.err; then ok; else fail "no stop message: $(cat serve.err)"; fi

# --- --port-file, and a base URL derived from the port bound ---------------------------------------
out=$("$libro" registry serve --db "$DB" --listen '[::1]:0' --key reg.pem 2>&1 </dev/null)
rc=$?
if [ $rc -eq 2 ] && grep -q 'base-url is required unless --listen is 127.0.0.1' <<<"$out"; then ok
else fail "::1 without --base-url: exit $rc: $out"; fi
out=$("$libro" registry serve --db "$DB" --listen 127.0.0.1:65536 --key reg.pem 2>&1 </dev/null)
rc=$?
if [ $rc -eq 2 ] && grep -q -- '--listen: want ADDR:PORT' <<<"$out"; then ok; else
    fail "port 65536: exit $rc: $out"; fi
out=$("$libro" registry serve --db "$DB" --listen 127.0.0.1.5:0 --key reg.pem --public \
    --base-url http://127.0.0.1 2>&1 </dev/null)
rc=$?
if [ $rc -eq 1 ] && grep -q 'listen address must be a numeric IPv4 or IPv6 address' <<<"$out"; then
    ok; else fail "bad address: exit $rc: $out"; fi
out=$("$libro" registry serve --db "$DB" --listen 127.0.0.1:0 --key reg.pem --listen-fd x 2>&1 \
    </dev/null)
rc=$?
if [ $rc -eq 2 ] && grep -q -- '--listen-fd: want a descriptor number' <<<"$out"; then ok; else
    fail "--listen-fd x: exit $rc: $out"; fi
out=$("$libro" registry serve --db "$DB" --listen 127.0.0.1:0 --key reg.pem --listen-fd 0 2>&1 \
    </dev/null)
rc=$?
if [ $rc -eq 1 ] && grep -q 'listen_fd is not a listening socket' <<<"$out"; then ok; else
    fail "--listen-fd on /dev/null: exit $rc: $out"; fi
printf 'taken\n' >taken.port
out=$("$libro" registry serve --db "$DB" --listen 127.0.0.1:0 --key reg.pem \
    --port-file taken.port 2>&1 </dev/null)
rc=$?
if [ $rc -eq 1 ] && grep -q -- '--port-file taken.port exists' <<<"$out" &&
    [ "$(cat taken.port)" = taken ]; then ok; else fail "existing port file: exit $rc: $out"; fi
out=$("$libro" registry serve --db "$DB" --listen 127.0.0.1:0 --key reg.pem \
    --port-file nowhere/serve.port 2>&1 </dev/null)
rc=$?
if [ $rc -eq 1 ] && grep -q 'nowhere/serve.port' <<<"$out"; then ok; else
    fail "port file in a missing directory: exit $rc: $out"; fi

"$libro" registry serve --db "$DB" --listen 127.0.0.1:0 --key reg.pem --port-file serve.port \
    </dev/null 2>serve2.err &
server_pid=$!
for _ in $(seq 1 200); do [ -e serve.port ] && break; sleep 0.05; done
port=$(cat serve.port 2>/dev/null)
if [[ "$port" =~ ^[1-9][0-9]*$ ]] && [ "$port" -le 65535 ]; then ok; else
    fail "port file: '$port'"; cat serve2.err; fi
if grep -qx "libro: listening on http://127.0.0.1:$port" serve2.err; then ok; else
    fail "the port file and the listening line differ: $(cat serve2.err)"; fi
r=$(get /v1/health)
expect "health on the port of the port file" '^HTTP/1.1 200' "$r"
r=$(get /v1/status/0/revocation)
printf '%s\n' "$(tail -n1 <<<"$r")" >list2.jws
if "$libro" jws verify --key reg.pub list2.jws >list2.json 2>list2.err &&
    grep -q "\"id\":\"http://127.0.0.1:$port/v1/status/0/revocation\"" list2.json; then ok; else
    fail "the derived base URL is not http://127.0.0.1:$port: $(cat list2.json list2.err)"; fi
kill -TERM "$server_pid"
wait "$server_pid"
rc=$?
server_pid=
if [ $rc -eq 0 ] && [ ! -e serve.port ]; then ok; else
    fail "after SIGTERM: exit $rc, port file $(ls serve.port 2>&1)"; fi

printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
