#!/usr/bin/env bash
# End-to-end test of webhooks with the real processes: `libro registry serve` delivering to
# receivers on loopback (webhook_receiver.py, which checks each Standard Webhooks signature
# with PyNaCl against the key `libro registry webhook key` prints, and the timestamp within 5
# minutes). A suspension and a revocation made over HTTP reach the subscriber of every license
# (whose first answer is a 500: the retry carries the same webhook-id) and the one of a single
# license only its own; no body holds the free-text reason; a dead endpoint is listed as
# retrying, and as failing a day later (faketime); while an endpoint that never answers holds
# the delivery thread, writes are still answered at once. Then license.expiring: a license
# 10 days (its subscription's horizon) from its validUntil is told once, under a server whose
# clock faketime moves (the receiver's clock moved with it), not again a day later, and again
# after a renewal once its new validUntil comes within 10 days. No sleep waits for a clock: the
# deliveries are awaited by a bounded poll of the receivers' logs. Prints "N passed, N failed".
set -uo pipefail
libro=${1:?usage: webhook_test.sh PATH/TO/libro}
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro") # we cd below
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
e2e_require webhook_test.sh python3 faketime
# PyNaCl is Debian's python3-nacl: the system python3, should another one come first in PATH.
py=python3
if ! "$py" -c 'import nacl.signing' 2>/dev/null; then
    py=/usr/bin/python3
fi
if ! "$py" -c 'import nacl.signing' 2>/dev/null; then
    if [ -n "${LIBRO_TEST_STRICT:-}" ]; then
        echo "FAIL: webhook_test.sh needs PyNaCl (python3-nacl), which is not installed"
        exit 1
    fi
    echo "SKIP: webhook_test.sh needs PyNaCl (python3-nacl), which is not installed"
    exit 77
fi
e2e_start webhook
DB=$(db_new reg.db) || exit 1
FROM=$(date -u -d '30 days ago' +%Y-%m-%dT%H:%M:%SZ)
receivers=()
stop_receivers() {
    local pid
    for pid in "${receivers[@]}"; do
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    receivers=()
}
server2_pid=
trap 'stop_receivers; [ -z "$server2_pid" ] || { kill "$server2_pid"; wait "$server2_pid"; } 2>/dev/null; e2e_cleanup' EXIT

# --- a registry with three licenses, the board allowed to write over HTTP ------------------------
e2e_town7 "$FROM" http://127.0.0.1
must "$libro" registry init --db "$DB" --charter town.jws --authorization regauth.jws
must "$libro" registry type --db "$DB" --id nursing-general --validity-days 365 \
    --renewal-window-days 30 --grace-days 30 --actor ops
must "$libro" registry authorize --db "$DB" --authorization auth.jws --actor ops --allow-unrecorded
for n in 1 2 3; do
    must "$libro" issue license --key board.pem --authorization auth.jws \
        --community-charter town.jws --holder "Holder $n" --number "T7-N-000$n" \
        --profession "registered nurse" --type nursing-general --scope "general care" \
        --out "lic$n.jws" --registry "$DB" --status-url-base http://127.0.0.1/v1/status
done
check "webhook key: the registry key as whpk_" 0 '^whpk_[A-Za-z0-9+/]{43}=$' -- \
    "$libro" registry webhook key --db "$DB"
WHPK=$("$libro" registry webhook key --db "$DB")

# receiver NAME [STATUS...|hang]: start one; its port in NAME.port, its log NAME.log.
receiver() {
    local name=$1
    shift
    "$py" "$here/webhook_receiver.py" "$name.port" "$name.log" "$WHPK" "$@" 2>"$name.err" &
    receivers+=($!)
    for _ in $(seq 200); do [ -s "$name.port" ] && break; sleep 0.05; done
    [ -s "$name.port" ] || { echo "setup failed: receiver $name did not start"; cat "$name.err"; exit 1; }
    touch "$name.log"
}
receiver all 500
receiver one
dead=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

check "add: every license" 0 '^wh_[0-9a-f]{16}$' -- "$libro" registry webhook add --db "$DB" \
    --url "http://127.0.0.1:$(cat all.port)/hook" --all
check "add: one license" 0 '^wh_[0-9a-f]{16}$' -- "$libro" registry webhook add --db "$DB" \
    --url "http://127.0.0.1:$(cat one.port)/hook?token=s3cret" --license T7-N-0002
check "add: a dead endpoint" 0 '^wh_' -- "$libro" registry webhook add --db "$DB" \
    --url "http://127.0.0.1:$dead/" --all
check "add: plain http elsewhere refused" 1 'add --insecure-http' -- \
    "$libro" registry webhook add --db "$DB" --url http://192.0.2.1/hook --all
check "add: neither --license nor --all" 2 'or give --all' -- \
    "$libro" registry webhook add --db "$DB" --url https://hr.example/hook
check "add: userinfo refused" 1 'userinfo' -- \
    "$libro" registry webhook add --db "$DB" --url https://u:p@hr.example/hook --all

e2e_serve "$DB" reg.pem --webhook-backoff 1
# A second server on the same database: each subscription is delivered by one of the two at a
# time (a lease), so no event reaches a receiver twice but for a retry.
"$libro" registry serve --db "$DB" --key reg.pem --listen 127.0.0.1:0 --port-file reg2.port \
    --webhook-backoff 1 2>serve2.log &
server2_pid=$!
for _ in $(seq 200); do [ -s reg2.port ] && break; sleep 0.05; done
[ -s reg2.port ] || { echo "setup failed: the second server did not start"; cat serve2.log; exit 1; }
AS_BOARD=(--registry "$URL" --key board.pem --issuer urn:libro:town-7:board)

# write NAME CMD...: one check that the write succeeds within 2 s.
write() {
    local name=$1 start end
    shift
    start=$(date +%s%N)
    if "$@" >write.out 2>&1; then
        end=$(date +%s%N)
        ms=$(((end - start) / 1000000))
        if [ "$ms" -lt 2000 ]; then ok; else fail "$name took $ms ms"; fi
        echo "  $name: $ms ms"
    else
        fail "$name failed: $(cat write.out)"
    fi
}
write "suspend over HTTP" "$libro" license suspend "${AS_BOARD[@]}" \
    --reason "complaint by a named patient" T7-N-0002
write "revoke over HTTP" "$libro" license revoke "${AS_BOARD[@]}" --reason "struck off" T7-N-0001

# await NAME LINES: a bounded poll (15 s at most) for NAME.log to hold LINES requests.
await() {
    for _ in $(seq 300); do
        [ "$(wc -l <"$1.log")" -ge "$2" ] && return 0
        sleep 0.05
    done
    return 1
}
if await all 3; then ok; else fail "every-license receiver got $(wc -l <all.log) requests, want 3"; fi
if await one 1; then ok; else fail "one-license receiver got $(wc -l <one.log) requests, want 1"; fi

# field LOG LINE EXPR: a Python expression over the record r of line LINE (1-based).
field() {
    "$py" -c 'import json, sys
r = json.loads(open(sys.argv[1]).read().splitlines()[int(sys.argv[2]) - 1])
print(eval(sys.argv[3]))' "$@"
}
if [ "$(field all.log 1 'r["ok"] and r["status"]')" = 500 ] &&
    [ "$(field all.log 2 'r["ok"] and r["status"]')" = 200 ]; then ok; else
    fail "first delivery: $(head -2 all.log)"; fi
if [ "$(field all.log 1 'r["id"]')" = "$(field all.log 2 'r["id"]')" ]; then ok; else
    fail "the retry after a 500 has another webhook-id: $(head -2 all.log)"; fi
check "every signature checked" 0 '' -- "$py" -c 'import json, sys
for name in sys.argv[1:]:
    for line in open(name):
        r = json.loads(line)
        assert r["ok"], (name, r)' all.log one.log
if [ "$(field all.log 2 'r["body"]["type"], r["body"]["data"]["license"], r["body"]["data"]["status"]')" = \
    "('license.suspended', 'T7-N-0002', 'suspended')" ]; then ok; else fail "event 1: $(sed -n 2p all.log)"; fi
if [ "$(field all.log 3 'r["body"]["type"], r["body"]["data"]["license"], r["body"]["data"]["action"]')" = \
    "('license.revoked', 'T7-N-0001', 'revoke')" ]; then ok; else fail "event 2: $(sed -n 3p all.log)"; fi
if [ "$(field one.log 1 'r["body"]["type"], r["body"]["data"]["license"]')" = \
    "('license.suspended', 'T7-N-0002')" ] && [ "$(wc -l <one.log)" = 1 ]; then ok; else
    fail "one-license receiver: $(cat one.log)"; fi
if [ "$(field all.log 3 'r["id"]')" != "$(field all.log 2 'r["id"]')" ]; then ok; else
    fail "two events share a webhook-id"; fi
if grep -qE 'named patient|struck off|registrar' all.log one.log; then
    fail "a body holds the free-text reason or the actor"; else ok; fi

# --- the state of each subscription ---------------------------------------------------------------
check "list: the dead endpoint is retrying" 0 "^wh_[0-9a-f]{16}  retrying .*127\.0\.0\.1:$dead/" -- \
    "$libro" registry webhook list --db "$DB"
check "list: its last failure" 0 'failed attempts, next at .*: http: ' -- \
    "$libro" registry webhook list --db "$DB"
check "list: the others are ok" 0 "ok +leaf [0-9]+  expiring 30d  T7-N-0002  http://127.0.0.1:$(cat one.port)/hook" -- \
    "$libro" registry webhook list --db "$DB"
check "list a day later: failing" 0 "^wh_[0-9a-f]{16}  failing .*127\.0\.0\.1:$dead/" -- \
    faked +25h "$libro" registry webhook list --db "$DB"
if grep -qE "webhook wh_[0-9a-f]{16}: event msg_[0-9]+ failed \(attempt 1\): .*next attempt in 1 s" \
    "$work/serve.log"; then ok; else fail "no log line of the failed delivery: $(cat "$work/serve.log")"; fi
if grep -q 's3cret' "$work/serve.log"; then fail "the log names a webhook URL"; else ok; fi

# --- an endpoint that never answers holds the delivery thread; writes do not wait ---------------
receiver hang hang
check "add: an endpoint that hangs" 0 '^wh_' -- "$libro" registry webhook add --db "$DB" \
    --url "http://127.0.0.1:$(cat hang.port)/" --all
write "reinstate over HTTP" "$libro" license reinstate "${AS_BOARD[@]}" --reason ok T7-N-0002
if await hang 1; then ok; else fail "the hanging endpoint was never called"; fi
write "revoke while a delivery hangs" "$libro" license revoke "${AS_BOARD[@]}" --reason x T7-N-0003
write "suspend while a delivery hangs" "$libro" license suspend "${AS_BOARD[@]}" --reason y T7-N-0002
check "remove a subscription" 0 'removed webhook' -- "$libro" registry webhook remove --db "$DB" \
    "$("$libro" registry webhook list --db "$DB" | awk -v p="$(cat hang.port)" 'index($0, ":" p "/") { print $1 }')"
check "remove it again" 1 'no webhook' -- "$libro" registry webhook remove --db "$DB" wh_0000000000000000
# While one server waited on the hanging endpoint, the every-license subscription still got
# the three later events: one 500, then each of the five events once.
if await all 6; then ok; else fail "every-license receiver got $(wc -l <all.log) requests, want 6"; fi
check "each event delivered once (a retry aside)" 0 '' -- "$py" -c 'import collections, json, sys
ok = collections.Counter(json.loads(l)["id"] for l in open("all.log") if json.loads(l)["status"] == 200)
assert len(ok) == 5 and set(ok.values()) == {1}, ok' all.log
stop_receivers # the hanging connection closes: the thread's attempt ends now

if grep -qE 'runtime error:|Sanitizer' "$work/serve.log" serve2.log; then
    fail "sanitizer reports:"
    cat serve2.log
    cat "$work/serve.log"
fi

# --- upcoming expiry: license.expiring once per validUntil, and again after a renewal ------------
# Both servers stop; from here one server at a time runs with its clock moved by faketime, and
# the receiver's clock moves with it (exp.clock, seconds).
kill "$server2_pid" "$server_pid" 2>/dev/null
wait "$server2_pid" "$server_pid" 2>/dev/null
server2_pid=
server_pid=
wrapper_pid=
# serve_at OFFSET: the server alone, at now + OFFSET.
serve_at() {
    if [ -n "$wrapper_pid" ]; then
        kill "$server_pid"
        wait "$wrapper_pid" 2>/dev/null # faketime waits for the server it started
    fi
    rm -f "$work/reg.port"
    # faketime itself, not the faked function (a subshell between): the server is its child.
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
        FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "$1" "$libro" registry serve --db "$DB" \
        --key reg.pem --listen 127.0.0.1:0 --port-file "$work/reg.port" --webhook-backoff 1 \
        2>>serve-faked.log &
    wrapper_pid=$!
    for _ in $(seq 200); do [ -s "$work/reg.port" ] && break; sleep 0.05; done
    [ -s "$work/reg.port" ] || { echo "setup failed: the server at $1 did not start"; cat serve-faked.log; exit 1; }
    server_pid=$(pgrep -P "$wrapper_pid")
    [ -n "$server_pid" ] || { echo "setup failed: no server under faketime $wrapper_pid"; exit 1; }
}
# expiry_checked OFFSET: when the expiry receiver's subscription last walked the expiring
# licenses (its expiryChecked in webhook list --json; null before the first).
expiry_checked() {
    faked "$1" "$libro" registry webhook list --json --db "$DB" |
        "$py" -c 'import json, sys
print([w for w in json.load(sys.stdin)["webhooks"] if w["licenses"] == ["T7-F-0001"]][0]["expiryChecked"])'
}
must "$libro" registry type --db "$DB" --id first-aid --validity-days 20 --renewal-window-days 20 \
    --grace-days 0 --actor ops
echo 0 >exp.clock
WEBHOOK_RECEIVER_CLOCK_FILE=$work/exp.clock receiver exp
check "add --json: one license, expiring within 10 days" 0 '"licenses":\["T7-F-0001"\].*"expiringWithinDays":10' -- \
    "$libro" registry webhook add --json --db "$DB" --url "http://127.0.0.1:$(cat exp.port)/hook" \
    --license T7-F-0001 --expiring-within 10
must "$libro" issue license --key board.pem --authorization auth.jws --community-charter town.jws \
    --holder "Holder F" --number T7-F-0001 --profession "first aider" --type first-aid \
    --scope "first aid" --out licf.jws --registry "$DB" --status-url-base http://127.0.0.1/v1/status
until_of() { "$libro" license show --json --db "$DB" T7-F-0001 | "$py" -c 'import json, sys
print(json.load(sys.stdin)["license"]["validUntil"])'; }
until1=$(until_of)
# 11 days on, 9 days are left: the issue, then license.expiring.
echo $((11 * 86400)) >exp.clock
serve_at +11d
if await exp 2; then ok; else fail "expiry receiver got $(wc -l <exp.log) requests, want 2"; fi
if [ "$(field exp.log 1 'r["body"]["type"]')" = license.issued ] &&
    [ "$(field exp.log 2 'r["body"]["type"], r["body"]["data"]["license"], r["body"]["data"]["validUntil"], r["body"]["data"]["status"]')" = \
        "('license.expiring', 'T7-F-0001', '$until1', 'active')" ]; then ok; else
    fail "issue and expiry: $(cat exp.log)"; fi
if [[ "$(field exp.log 2 'r["id"]')" =~ ^exp_[0-9a-f]{64}$ ]]; then ok; else
    fail "license.expiring's webhook-id: $(field exp.log 2 'r["id"]')"; fi
# A day later the walk runs again (its stamp moves) and sends nothing more.
walked=$(expiry_checked +11d)
echo $((12 * 86400)) >exp.clock
serve_at +12d
for _ in $(seq 300); do [ "$(expiry_checked +12d)" != "$walked" ] && break; sleep 0.05; done
if [ "$(expiry_checked +12d)" != "$walked" ] && [ "$(wc -l <exp.log)" = 2 ]; then ok; else
    fail "a day later: walked at $(expiry_checked +12d) (before: $walked), $(wc -l <exp.log) requests"; fi
# Renewed: its new validUntil is beyond the horizon; 31 days on it is within it again.
must faked +12d "$libro" license renew --db "$DB" --actor ops --key board.pem \
    --authorization auth.jws --community-charter town.jws --out licf2.jws T7-F-0001
until2=$(until_of)
if await exp 3 && [ "$(field exp.log 3 'r["body"]["type"]')" = license.renewed ]; then ok; else
    fail "the renewal: $(cat exp.log)"; fi
echo $((31 * 86400)) >exp.clock
serve_at +31d
if await exp 4; then ok; else fail "expiry receiver got $(wc -l <exp.log) requests, want 4"; fi
if [ "$until2" != "$until1" ] &&
    [ "$(field exp.log 4 'r["body"]["type"], r["body"]["data"]["validUntil"]')" = \
        "('license.expiring', '$until2')" ] &&
    [ "$(field exp.log 4 'r["id"]')" != "$(field exp.log 2 'r["id"]')" ]; then ok; else
    fail "after the renewal ($until1 to $until2): $(sed -n 4p exp.log)"; fi
check "every expiry delivery signed and timely" 0 '' -- "$py" -c 'import json
for line in open("exp.log"):
    assert json.loads(line)["ok"], line' exp.log
kill "$server_pid"
wait "$wrapper_pid" 2>/dev/null
server_pid=
stop_receivers
if grep -qE 'runtime error:|Sanitizer' serve-faked.log; then
    fail "sanitizer reports:"
    cat serve-faked.log
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
