#!/usr/bin/env bash
# End-to-end test of storage faults under the real server (registry serve on 127.0.0.1, port
# 0), with tests/fault's libro_fault preloaded: while a flag file exists, pwrite fails with
# ENOSPC (a full disk) or fsync with EIO. Licenses are issued over HTTP (`libro issue license
# --registry URL`, which prints the server's status and JSON code when refused). Each fault:
# its HTTP status and code, its one log line on the server's stderr; a full disk refuses and
# recovers when space returns; a failed fsync stops every later write until a restart, which
# checks the database and finds every acknowledged license. A database the server cannot
# write is refused at start unless --read-only, which answers writes 503 read_only.
# Busy: another process holds the write lock past the 5 s wait (503 busy). Needs curl and
# python3 (exit 77, skipped, without them). Prints "N passed, N failed".
set -uo pipefail
libro=${1:?usage: storage_test.sh PATH/TO/libro PATH/TO/libro_fault.so}
fault=${2:?usage: storage_test.sh PATH/TO/libro PATH/TO/libro_fault.so}
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro") # we cd below
fault=$(cd "$(dirname "$fault")" && pwd)/$(basename "$fault")
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_require storage_test.sh curl python3
e2e_start storage
finish() {
    if grep -qE 'runtime error:|Sanitizer' serve.*.err issue.*.err 2>/dev/null; then
        fail "sanitizer reports:"
        grep -hE -A5 'runtime error:|Sanitizer' serve.*.err issue.*.err | head -40
    fi
    printf '%d passed, %d failed\n' "$passed" "$failed"
    [ "$failed" -eq 0 ]
    exit
}
FROM=$(date -u -d '30 days ago' +%Y-%m-%dT%H:%M:%SZ)

must "$libro" key new --out town.pem
must "$libro" key new --out board.pem --public-out board.pub
must "$libro" key new --out reg.pem --public-out reg.pub
must "$libro" issue charter --self --key town.pem --id urn:libro:town-7 --name "Town 7" --level 2 \
    --allow nursing-general --valid-from "$FROM" --days 3650 --out town.jws
must "$libro" issue authorization --key town.pem --charter town.jws --id urn:libro:town-7:board \
    --name "Health Board" --subject-key board.pub --grant nursing-general:1095 \
    --valid-from "$FROM" --days 3000 --out auth.jws
must "$libro" issue registry-authorization --key town.pem --charter town.jws \
    --id urn:libro:town-7:registry --name "Town 7 Registry" --subject-key reg.pub \
    --url http://127.0.0.1 --valid-from "$FROM" --days 3000 --out regauth.jws
DB=reg.db
must "$libro" registry init --db $DB --charter town.jws --authorization regauth.jws
must "$libro" registry type --db $DB --id nursing-general --validity-days 1095 \
    --renewal-window-days 90 --grace-days 30 --actor ops
must "$libro" registry authorize --db $DB --authorization auth.jws --actor ops --allow-unrecorded
mkdir lic

# The faults' flags, read by libro_fault at each call.
export LIBRO_FAULT_FSYNC="$work/fsync.flag" LIBRO_FAULT_ENOSPC="$work/enospc.flag"
# A sanitizer build's runtime must come first among the libraries; the fault library is
# preloaded ahead of it, which is harmless here (it allocates nothing).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

# start NAME [serve options...]: serve $DB with the fault library preloaded, on a port the
# system picks; its stderr in serve.NAME.err. Sets PORT and URL; 1 when it does not come up.
start() {
    local name=$1
    shift
    rm -f serve.port
    LD_PRELOAD="$fault" "$libro" registry serve --db $DB --listen 127.0.0.1:0 --key reg.pem \
        --port-file serve.port "$@" </dev/null 2>"serve.$name.err" &
    server_pid=$!
    for _ in $(seq 1 200); do
        [ -e serve.port ] && break
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.05
    done
    if [ ! -e serve.port ]; then
        echo "the server did not start:"
        cat "serve.$name.err"
        return 1
    fi
    PORT=$(cat serve.port)
    URL=http://127.0.0.1:$PORT
}
stop() {
    kill -TERM "$server_pid"
    wait "$server_pid"
    local rc=$?
    server_pid=
    if [ $rc -eq 0 ]; then ok; else fail "server exit $rc after SIGTERM"; fi
}
# issue NUMBER: a license over HTTP (a reservation, then the registration); stderr in
# issue.NUMBER.err. Acknowledged numbers are added to ./acked.
issue() {
    if "$libro" issue license --key board.pem --authorization auth.jws \
        --community-charter town.jws --holder "Holder $1" --number "$1" \
        --profession "registered nurse" --type nursing-general --scope "general care" \
        --out "lic/$1.jws" --registry "$URL" >/dev/null 2>"issue.$1.err"; then
        echo "$1" >>acked
        return 0
    fi
    return 1
}
# refused NUMBER WANT: issuing NUMBER fails and the client reports WANT ("507 storage_full").
refused() {
    if issue "$1"; then
        fail "$1 was acknowledged; want $2"
    elif grep -q "registry: $2" "issue.$1.err"; then ok; else
        fail "$1: want '$2', got: $(cat "issue.$1.err")"
    fi
}
# logged NAME PATTERN: the server's stderr has a line matching PATTERN (grep -E).
logged() {
    if grep -qE "$2" "serve.$1.err"; then ok; else
        fail "serve.$1.err lacks /$2/: $(cat "serve.$1.err")"
    fi
}
state() { curl -s "$URL/v1/licenses/$1" | sed -n 's/.*"state":"\([a-z]*\)".*/\1/p'; }

# --- busy: another process holds the write lock past the wait: 503 busy, logged -------------
start faults || { fail "serve"; finish; }
ok
issue S-0001 || fail "a write before the faults: $(cat issue.S-0001.err)"
cat >hold.py <<'EOF'
import os, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
db.execute("BEGIN IMMEDIATE")
open("locked", "w").close()
while not os.path.exists("release"):
    time.sleep(0.02)
db.execute("ROLLBACK")
EOF
python3 hold.py $DB &
holder=$!
for _ in $(seq 1 200); do [ -e locked ] && break; sleep 0.02; done
refused S-BUSY "503 busy"
touch release
wait $holder
logged faults '^libro: registry serve: reserve refused \(503 busy\): begin: database is busy$'

# --- a full disk: 507 storage_full, logged; nothing changes; writes resume with space ---------
issue S-0002 && ok || fail "a write before the faults: $(cat issue.S-0002.err)"
touch enospc.flag
refused S-FULL "507 storage_full"
logged faults '^libro: registry serve: reserve refused \(507 storage_full\): .*database or disk is full$'
rm enospc.flag
issue S-0003 && ok || fail "a write once space is back: $(cat issue.S-0003.err)"

# --- a failed fsync: 500 io_error, logged; no write acknowledged after it, even once the
# disk answers again; reads go on ---------------------------------------------------------------
touch fsync.flag
refused S-EIO "500 io_error"
logged faults 'refused \(500 io_error\): .*disk I/O error \(fsync failed\)$'
rm fsync.flag
refused S-AFTER "500 io_error"
logged faults 'refused \(500 io_error\): writes stopped after an earlier I/O error; restart the server$'
[ "$(state S-0001)" = active ] && ok || fail "a read after the fsync failure: '$(state S-0001)'"
[ "$(grep -c 'refused' serve.faults.err)" = 4 ] && ok ||
    fail "want one log line per refused write (4): $(cat serve.faults.err)"
if grep -qE -- '-----BEGIN|PRIVATE KEY|eyJ' serve.faults.err; then
    fail "a log line carries key or token text"
else ok; fi
stop

# --- the restart checks the database and holds every acknowledged write -----------------------
start restart || { fail "restart"; finish; }
ok
while read -r n; do
    [ "$(state "$n")" = active ] && ok || fail "acknowledged $n after the restart: '$(state "$n")'"
done <acked
[ "$(wc -l <acked)" = 3 ] && ok || fail "want 3 acknowledged licenses: $(cat acked)"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/v1/licenses/S-AFTER")" = 404 ] && ok ||
    fail "S-AFTER, refused after the fault, is on record"
issue S-0004 && ok || fail "a write after the restart: $(cat issue.S-0004.err)"
stop

# --- read-only on purpose: reads served, writes 503 read_only, logged ------------------------
start readonly --read-only || { fail "serve --read-only"; finish; }
ok
[ "$(state S-0004)" = active ] && ok || fail "a read of a read-only server"
for path in /v1/bundle /v1/status/0/revocation /v1/log/checkpoint /v1/types/nursing-general; do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$URL$path")
    [ "$code" = 200 ] && ok || fail "GET $path of a read-only server: $code"
done
refused S-RO "503 read_only"
logged readonly 'reserve refused \(503 read_only\): .*read-only$'
stop

# --- a database the server cannot write: refused at start, unless --read-only ----------------
# Root writes any file whatever its mode: the server then runs as nobody (setpriv), as a
# service account would; its key is copied for it.
chmod 0755 "$work"
chmod 0444 $DB
cp reg.pem nobody.pem
as=()
if [ "$(id -u)" = 0 ]; then
    chown 65534 nobody.pem
    as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
"${as[@]}" "$libro" registry serve --db $DB --listen 127.0.0.1:0 --key nobody.pem \
    </dev/null >/dev/null 2>serve.unwritable.err &
pid=$!
for _ in $(seq 1 100); do kill -0 $pid 2>/dev/null || break; sleep 0.05; done
if kill -0 $pid 2>/dev/null; then
    kill $pid
    fail "the server started on a database it cannot write"
else
    wait $pid
    rc=$?
    [ $rc = 1 ] && ok || fail "exit $rc on an unwritable database, want 1"
fi
logged unwritable 'reg\.db cannot be written \(file mode or a read-only mount\)'
logged unwritable 'add --read-only to serve reads only'
chmod 0644 $DB
rm -f nobody.pem
finish
