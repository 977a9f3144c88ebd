#!/usr/bin/env bash
# End-to-end test of the log's self-audit with the real binary: `libro registry audit` on an
# intact database (exit 0) and on damaged ones (exit 1, naming the leaf or node); `libro
# registry serve` answering 503 log_damaged for the checkpoint and the bundle when a leaf
# written while it runs is edited on disk, then refusing to start on that database and on one
# whose top node was zeroed; a restored backup audits and serves again. The damage is done
# with python3's sqlite3 module, as a failing disk or a stray edit would. Loopback, port 0.
# Needs python3 (exit 77, skipped, without it). Prints "N passed, N failed".
set -uo pipefail
libro=${1:?usage: audit_test.sh PATH/TO/libro}
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro") # we cd below
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_require audit_test.sh python3
e2e_start audit
ago() { date -u -d "$1 ago" +%Y-%m-%dT%H:%M:%SZ; }
# sql DB STATEMENT: run one statement with python3's sqlite3; prints the rows, one a line.
sql() {
    python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for row in db.execute(sys.argv[2]):
    print(*row)
db.commit()' "$1" "$2"
}
# backup FROM TO: an online backup, as an operator would take one.
backup() {
    python3 -c 'import sqlite3, sys
sqlite3.connect(sys.argv[1]).backup(sqlite3.connect(sys.argv[2]))' "$1" "$2"
}
FROM=$(ago '30 days')
types() { # DB N: N more license type leaves
    for _ in $(seq 1 "$2"); do
        must "$libro" registry type --db "$1" --id nursing-general --validity-days 365 \
            --renewal-window-days 30 --grace-days 30 --actor ops
    done
}

# --- a registry with a few leaves ------------------------------------------------------------
must "$libro" key new --out town.pem
must "$libro" key new --out reg.pem --public-out reg.pub
must "$libro" issue charter --self --key town.pem --id urn:libro:town-7 --name "Town 7" --level 2 \
    --allow nursing-general --valid-from "$FROM" --days 3650 --out town.jws
must "$libro" issue registry-authorization --key town.pem --charter town.jws \
    --id urn:libro:town-7:registry --name "Town 7 Registry" --subject-key reg.pub \
    --url http://127.0.0.1 --valid-from "$FROM" --days 3000 --out regauth.jws
must "$libro" registry init --db reg.db --charter town.jws --authorization regauth.jws
types reg.db 11

# --- registry audit: intact ------------------------------------------------------------------
out=$("$libro" registry audit --db reg.db 2>&1)
rc=$?
# 11 leaves: 11 leaf hashes and 5 + 2 + 1 nodes above them; the root, computed here from the
# leaves' text (RFC 9162 2.1.1), in standard base64.
root=$(python3 -c 'import base64, hashlib, sqlite3, sys
H = lambda b: hashlib.sha256(b).digest()
def mth(h):
    if len(h) == 1: return h[0]
    k = 1
    while k * 2 < len(h): k *= 2
    return H(b"\x01" + mth(h[:k]) + mth(h[k:]))
leaves = [r[0] for r in sqlite3.connect(sys.argv[1]).execute("SELECT data FROM log_leaf ORDER BY idx")]
print(base64.b64encode(mth([H(b"\x00" + l.encode()) for l in leaves])).decode())' reg.db)
if [ $rc -eq 0 ] && [ "$out" = "log intact: 11 leaves, 19 stored hashes checked
root of 11 leaves: $root" ]; then ok; else
    fail "intact audit: exit $rc: $out (root $root)"; fi
out=$("$libro" registry audit 2>&1)
rc=$?
if [ $rc -eq 2 ] && grep -q -- '--db' <<<"$out"; then ok; else fail "audit without --db: exit $rc"; fi
out=$("$libro" help registry audit 2>&1)
rc=$?
if [ $rc -eq 0 ] && grep -q 'restore the database from a' <<<"$out"; then ok; else
    fail "help registry audit: exit $rc: $out"; fi
backup reg.db good.db

# --- serve: a leaf written while serving, edited on disk before a checkpoint is signed -------
serve() { # DB ERRFILE: start in the background, set $port (empty when it did not listen)
    "$libro" registry serve --db "$1" --listen 127.0.0.1:0 --key reg.pem --port-file serve.port \
        </dev/null 2>"$2" &
    server_pid=$!
    port=
    for _ in $(seq 1 200); do
        [ -e serve.port ] && break
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.05
    done
    port=$(cat serve.port 2>/dev/null)
}
# After serve: the exit status of a server that refused to start, or 0 (and it is stopped)
# when it listened, so that a refusal that fails does not leave the test waiting.
refused_rc() {
    if [ -n "$port" ]; then
        stop
        rm -f serve.port
        return 0
    fi
    wait "$server_pid"
    local rc=$?
    server_pid=
    return $rc
}
stop() {
    kill -TERM "$server_pid"
    wait "$server_pid"
    server_pid=
}
# GET PATH: the whole response (headers and body) on stdout.
get() {
    local resp
    exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
    printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$1" >&3
    resp=$(cat <&3)
    exec 3<&-
    printf '%s' "$resp" | tr -d '\r'
}
expect() { # NAME PATTERN RESPONSE
    if grep -qE -- "$2" <<<"$3"; then ok; else fail "$1: no /$2/ in:"; printf '%s\n' "$3" | head -20; fi
}

serve reg.db serve.err
if [ -n "$port" ]; then ok; else fail "serve on an intact log: $(cat serve.err)"; exit 1; fi
r=$(get /v1/log/checkpoint)
expect "checkpoint of an intact log" '^HTTP/1.1 200' "$r"
# Its size and root, what the audit printed (the note text follows the headers' blank line).
if [ "$(sed '1,/^$/d' <<<"$r" | sed -n '2,3p' | tr '\n' ' ')" = "11 $root " ]; then ok; else
    fail "checkpoint of an intact log: not the audit's 11 leaves and root $root: $r"; fi
expect "bundle of an intact log" '^HTTP/1.1 200' "$(get /v1/bundle)"
types reg.db 1 # leaf 11, written while the server runs
sql reg.db "UPDATE log_leaf SET data = replace(data, '\"actor\":\"ops\"', '\"actor\":\"eve\"')
            WHERE idx = 11"
r=$(get /v1/log/checkpoint)
expect "checkpoint over an edited leaf" '^HTTP/1.1 503' "$r"
expect "checkpoint error code" '"code":"log_damaged"' "$r"
r=$(get /v1/bundle)
expect "bundle over an edited leaf" '^HTTP/1.1 503' "$r"
expect "bundle error code" '"code":"log_damaged"' "$r"
expect "other reads still answer" '^HTTP/1.1 200' "$(get /v1/health)"
stop
rm -f serve.port
expect "the server logged the damage" \
    'registry serve: the registry log is damaged: leaf 11 .*restore the database from a backup' \
    "$(cat serve.err)"

# --- the damaged database: audit and serve refuse it -----------------------------------------
out=$("$libro" registry audit --db reg.db 2>&1)
rc=$?
want='libro: registry audit: the registry log is damaged: leaf 11 does not match its stored hash; restore the database from a backup (docs/operations.md)'
if [ $rc -eq 1 ] && [ "$out" = "$want" ]; then ok; else fail "audit of an edited leaf: exit $rc: $out"; fi
serve reg.db refused.err
refused_rc
rc=$?
if [ $rc -eq 1 ] && [ -z "$port" ] && grep -q 'leaf 11 does not match its stored hash' refused.err &&
    ! grep -q 'listening on' refused.err; then ok; else
    fail "serve on an edited leaf: exit $rc, port '$port': $(cat refused.err)"; fi

# --- a zeroed node of a tree already audited: the root recorded with the audit finds it ------
cp good.db zeroed.db
top=$(sql zeroed.db "SELECT level || '/' || idx FROM log_node ORDER BY level DESC LIMIT 1")
sql zeroed.db "UPDATE log_node SET hash = zeroblob(32) WHERE level || '/' || idx = '$top'"
serve zeroed.db zeroed.err
refused_rc
rc=$?
if [ $rc -eq 1 ] && [ -z "$port" ] &&
    grep -q 'the registry log is damaged: the root over leaves 0..10 is not the one audited' \
        zeroed.err; then ok; else fail "serve on a zeroed node: exit $rc: $(cat zeroed.err)"; fi
out=$("$libro" registry audit --db zeroed.db 2>&1)
rc=$?
if [ $rc -eq 1 ] && grep -q "node $top over leaves 0..7 does not match" <<<"$out"; then ok; else
    fail "audit of a zeroed node ($top): exit $rc: $out"; fi

# --- recovery: the backup audits and serves --------------------------------------------------
cp good.db reg.db
rm -f reg.db-wal reg.db-shm
out=$("$libro" registry audit --db reg.db 2>&1)
rc=$?
if [ $rc -eq 0 ]; then ok; else fail "audit of the restored backup: exit $rc: $out"; fi
serve reg.db restored.err
if [ -n "$port" ]; then ok; else fail "serve on the restored backup: $(cat restored.err)"; fi
expect "checkpoint after the restore" '^HTTP/1.1 200' "$(get /v1/log/checkpoint)"
stop

printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
