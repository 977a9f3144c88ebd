#!/usr/bin/env bash
# `libro registry serve` as a service: the request log (one line per request with time,
# address, method, path without its query, status, bytes and duration; never a query, header
# or body), the health check (200 while the database answers, 503 once it does not), and a
# clean stop on SIGTERM: a request received before the signal is still answered, the port
# file is removed and the exit status is 0. Requests go through bash's /dev/tcp, no clock is
# waited for. Prints "N passed, N failed". Loopback only. SQLite (the health check's 503 on
# PostgreSQL is the same code, reached by a lost connection).
set -uo pipefail
libro=${1:?usage: service_test.sh PATH/TO/libro}
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro") # we cd below
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_start service
e2e_require service_test.sh python3
FROM=$(date -u -d '30 days ago' +%Y-%m-%dT%H:%M:%SZ)
e2e_town7 "$FROM"
must "$libro" registry init --db reg.db --charter town.jws --authorization regauth.jws

# start LOG: serve reg.db on a free port (e2e_serve), the request log to LOG.
start() {
    e2e_serve reg.db reg.pem --request-log "$1"
    port=${URL##*:}
}
# get PATH: the whole answer, CRs removed.
get() {
    exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
    printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$1" >&3
    tr -d '\r' <&3
    exec 3<&-
}
expect() { # NAME PATTERN TEXT
    if grep -qE -- "$2" <<<"$3"; then ok; else fail "$1: no /$2/ in:"; printf '%s\n' "$3" | head -20; fi
}

# --- the request log and the health check -----------------------------------------------------
start req.log
r=$(get /v1/health)
expect "health" '^HTTP/1.1 200' "$r"
expect "health body" '"status":"ok".*"database":"ok"' "$r"
r=$(get '/v1/licenses/T7-X-9?token=s3cret-in-a-query')
expect "unknown license" '^HTTP/1.1 404' "$r"
r=$(get '/v1/no"such')
expect "unknown route" '^HTTP/1.1 404' "$r"
ts='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z'
expect "log: the health check's line" \
    "^$ts 127\.0\.0\.1 GET /v1/health 200 [0-9]+ [0-9]+\.[0-9]{3}ms\$" "$(cat req.log)"
expect "log: the path without its query" \
    "^$ts 127\.0\.0\.1 GET /v1/licenses/T7-X-9 404 [0-9]+ [0-9.]+ms\$" "$(cat req.log)"
expect "log: a quote escaped" '^.* GET /v1/no%22such 404 ' "$(cat req.log)"
if grep -q 's3cret' req.log serve.log; then fail "the query reached a log"; else ok; fi
if [ "$(wc -l <req.log)" -eq 3 ]; then ok; else fail "want 3 lines, got: $(cat req.log)"; fi
if grep -q 'GET /v1/' serve.log; then fail "request lines on stderr too: $(cat serve.log)"; else ok; fi

# --- SIGTERM: the request in flight is answered, then the process exits 0 ---------------------
# A signed write's head with Expect: 100-continue: the server's "100 Continue" says it holds
# the request. Then SIGTERM, and only then the body; the answer (a refusal of the junk body)
# must still come, on the same connection.
exec 4<>"/dev/tcp/127.0.0.1/$port"
printf 'POST /v1/licenses HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/jose\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n' >&4
IFS= read -r -t 10 line <&4
expect "100 Continue before the body" '^HTTP/1.1 100' "$line"
kill -TERM "$server_pid"
for _ in $(seq 200); do grep -q 'SIGTERM: stopping' serve.log && break; sleep 0.05; done
expect "stop message" 'SIGTERM: stopping' "$(cat serve.log)"
printf 'hello' >&4
r=$(timeout 10 cat <&4 | tr -d '\r')
exec 4<&-
expect "the request in flight answered" '^HTTP/1.1 4[0-9][0-9] ' "$(grep '^HTTP/1.1 [^1]' <<<"$r")"
wait "$server_pid"
rc=$?
server_pid=
if [ $rc -eq 0 ]; then ok; else fail "exit $rc after SIGTERM: $(cat serve.log)"; fi
if [ ! -e reg.port ]; then ok; else fail "the port file is left"; fi
expect "log: the write's line" '^.* POST /v1/licenses 4[0-9][0-9] [0-9]+ ' "$(cat req.log)"

# --- a database that stops answering: 503 -----------------------------------------------------
# The file replaced by one that is not a database, its WAL index reset: the next read of
# every handle (kept open between requests) meets it.
start -
r=$(get /v1/health)
expect "health before" '^HTTP/1.1 200' "$r"
expect "request log on stderr by default (-)" ' GET /v1/health 200 ' "$(cat serve.log)"
python3 - <<'EOF'
import os
for name, size in (("reg.db", None), ("reg.db-shm", None)):
    if os.path.exists(name):
        n = os.path.getsize(name)
        with open(name, "r+b") as f:
            f.write(b"\xff" * n)
if os.path.exists("reg.db-wal"):
    os.truncate("reg.db-wal", 0)
EOF
r=$(get /v1/health)
expect "dead database: 503" '^HTTP/1.1 503' "$r"
expect "dead database: body" '"status":"unavailable".*"database":"unavailable"' "$r"
expect "dead database: Retry-After" '^Retry-After: 1' "$r"
expect "dead database: the cause in the operator's log" 'registry serve: health: database' \
    "$(cat serve.log)"
kill -TERM "$server_pid"
wait "$server_pid"
rc=$?
server_pid=
if [ $rc -eq 0 ]; then ok; else fail "exit $rc after SIGTERM (dead database)"; fi

# --- --request-log: refusals -------------------------------------------------------------------
out=$("$libro" registry serve --db reg.db --key reg.pem --listen 127.0.0.1:0 \
    --request-log "$work/missing/dir/req.log" </dev/null 2>&1)
rc=$?
if [ $rc -eq 1 ] && grep -q -- '--request-log .*No such file' <<<"$out"; then ok; else
    fail "request log in a missing directory: exit $rc: $out"; fi
printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
