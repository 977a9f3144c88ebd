#!/usr/bin/env bash
# End-to-end durability test of the registry server: four clients issue licenses over HTTP
# (`libro issue license --registry URL`), each noting a number only when the command exited 0;
# the server is killed with SIGKILL in the middle of their writes, then restarted on the same
# database. Three times. After each kill: every acknowledged license is there and active, the
# database passes its check (SQLite's PRAGMA integrity_check; on PostgreSQL the sequencer's
# size is the number of leaves), the log has one leaf per license event, license type
# and issuer authorization, and its root (recomputed from the leaves) is the checkpoint's; the
# restarted server still takes writes. No client may be refused while the server is up.
# Needs curl and python3 (exit 77, skipped, without them). Prints "N passed, N failed".
set -uo pipefail
libro=${1:?usage: durability_test.sh PATH/TO/libro}
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro") # we cd below
for tool in curl python3; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        if [ -n "${LIBRO_TEST_STRICT:-}" ]; then # scripts/test installs them: missing is a failure
            echo "FAIL: durability_test.sh needs $tool, which is not installed"
            exit 1
        fi
        echo "SKIP: durability_test.sh needs $tool, which is not installed"
        exit 77
    fi
done
CYCLES=${LIBRO_DURABILITY_CYCLES:-3}
CLIENTS=4
SECONDS_OF_WRITES=5
work=$(mktemp -d "${TMPDIR:-/tmp}/libro-e2e-durability.XXXXXX")
server_pid=
client_pids=()
cleanup() {
    touch "$work/stop"
    for p in "${client_pids[@]}"; do kill "$p" 2>/dev/null; done
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
    fi
    wait 2>/dev/null
    db_cleanup
    rm -rf "$work"
}
trap cleanup EXIT
cd "$work" || exit 1
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" # db_new: SQLite or PostgreSQL (LIBRO_TEST_DB)
e2e_require_db
export XDG_DATA_HOME="$work/xdg"
passed=0
failed=0
ok() { passed=$((passed + 1)); }
fail() {
    printf 'FAIL %s\n' "$*"
    failed=$((failed + 1))
}
finish() {
    # The server's diagnostics: a sanitizer build reports there (and keeps running after UBSan).
    cat serve.err >>serve.all 2>/dev/null
    if grep -qE 'runtime error:|Sanitizer' serve.all "$work"/*.san 2>/dev/null; then
        fail "sanitizer reports:"
        grep -hE -A5 'runtime error:|Sanitizer' serve.all "$work"/*.san | head -40
    fi
    printf '%d passed, %d failed\n' "$passed" "$failed"
    [ "$failed" -eq 0 ]
    exit
}
must() { "$@" >/dev/null 2>"$work/must.err" || { echo "setup failed: $*"; cat "$work/must.err"; exit 1; }; }
ago() { date -u -d "$1 ago" +%Y-%m-%dT%H:%M:%SZ; }
FROM=$(ago '30 days')

cat >h.py <<'EOF'
import base64, hashlib, http.client, json, sqlite3, subprocess, sys

def H(b): return hashlib.sha256(b).digest()

def rows(db, sql):  # the rows of sql on db: a SQLite file, or a PostgreSQL URI (through psql)
    if not db.startswith(("postgresql://", "postgres://")):
        c = sqlite3.connect(db)
        r = c.execute(sql).fetchall()
        c.close()
        return r
    out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", db,
                          "-c", sql], check=True, capture_output=True, text=True).stdout
    return [tuple(int(v) if v.lstrip("-").isdigit() else v for v in line.split("\t"))
            for line in out.splitlines()]

def mth(hashes):  # RFC 9162 2.1.1, over leaf hashes
    if len(hashes) == 1: return hashes[0]
    k = 1
    while k * 2 < len(hashes): k *= 2
    return H(b"\x01" + mth(hashes[:k]) + mth(hashes[k:]))

cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "integrity":  # DB: SQLite's check of the file; PostgreSQL's sequencer against its leaves
    if args[0].startswith(("postgresql://", "postgres://")):
        print(rows(args[0], "SELECT CASE WHEN (SELECT size FROM libro_sequencer) ="
                   " (SELECT count(*) FROM log_leaf) THEN 'ok' ELSE 'the sequencer''s size is not"
                   " the number of leaves' END")[0][0])
    else:
        print(rows(args[0], "PRAGMA integrity_check")[0][0])
elif cmd == "acked":  # PORT ACKED_FILE...: each acknowledged license answers 200, active
    c = http.client.HTTPConnection("127.0.0.1", int(args[0]), timeout=30)
    n, problems = 0, []
    for f in args[1:]:
        for number in open(f).read().split():
            c.request("GET", "/v1/licenses/" + number)
            r = c.getresponse()
            body = r.read()
            n += 1
            if r.status != 200 or json.loads(body).get("state") != "active":
                problems.append("%s: %d %s" % (number, r.status, body[:120]))
    print("; ".join(problems[:5]) if problems else "ok %d" % n)
elif cmd == "log":  # PORT DB: the log against the tables and the served checkpoint
    c = http.client.HTTPConnection("127.0.0.1", int(args[0]), timeout=30)
    c.request("GET", "/v1/log/checkpoint")
    lines = c.getresponse().read().decode().split("\n")
    size, root = int(lines[1]), base64.b64decode(lines[2])
    q = lambda sql: rows(args[1], sql)[0][0]
    leaves = [r[0] for r in rows(args[1], "SELECT data FROM log_leaf ORDER BY idx")]
    events, types, auths = q("SELECT count(*) FROM license_event"), \
        q("SELECT count(*) FROM license_type"), q("SELECT count(*) FROM issuer_authorization")
    licenses = q("SELECT count(*) FROM license")
    kinds = {}
    for leaf in leaves:
        t = json.loads(leaf)["type"]
        kinds[t] = kinds.get(t, 0) + 1
    problems = []
    if q("SELECT count(*) FROM log_leaf") != q("SELECT COALESCE(MAX(idx) + 1, 0) FROM log_leaf"):
        problems.append("the leaves' indexes have gaps")
    if size != len(leaves):
        problems.append("checkpoint size %d, %d leaves" % (size, len(leaves)))
    if len(leaves) != events + types + auths:
        problems.append("%d leaves, %d events + %d types + %d authorizations"
                        % (len(leaves), events, types, auths))
    if kinds.get("license", 0) != events:
        problems.append("%d license leaves, %d events" % (kinds.get("license", 0), events))
    if licenses != events:
        problems.append("%d licenses, %d events (each was issued once)" % (licenses, events))
    if leaves and mth([H(b"\x00" + l.encode()) for l in leaves]) != root:
        problems.append("the root of the leaves is not the checkpoint's")
    print("; ".join(problems) if problems else "ok %d leaves, %d events" % (len(leaves), events))
EOF
py() { python3 "$work/h.py" "$@"; }

# --- the world: Town 7, its board (an issuer writing over HTTP), its registry --------------------
# The registry serves on a port the system picks at its first start (PORT=0), at the URL that
# names it; each restart comes back on that port, its URL being part of its licenses.
PORT=0
URL=
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
DB=$(db_new reg.db) || exit 1
must "$libro" registry init --db "$DB" --charter town.jws --authorization regauth.jws
must "$libro" registry type --db "$DB" --id nursing-general --validity-days 1095 \
    --renewal-window-days 90 --grace-days 30 --actor ops
must "$libro" registry authorize --db "$DB" --authorization auth.jws --actor ops --allow-unrecorded
mkdir lic

issue() { # NUMBER
    "$libro" issue license --key board.pem --authorization auth.jws --community-charter town.jws \
        --holder "Holder $1" --number "$1" --profession "registered nurse" \
        --type nursing-general --scope "general care" --out "lic/$1.jws" --registry "$URL"
}

# start_server: serve $DB on $PORT (0 the first time: then PORT and URL are set from its port
# file; after that the port of the URL the clients sign for); 1 when it does not come up. A
# port just released by a killed server may take a moment to be free again. A killed server
# leaves its port file behind: it is removed before each start.
start_server() {
    for _ in $(seq 1 20); do
        cat serve.err >>serve.all 2>/dev/null
        : >serve.err
        rm -f serve.port
        "$libro" registry serve --db "$DB" --listen "127.0.0.1:$PORT" --key reg.pem \
            --port-file serve.port --write-rate 100000 --write-burst 100000 </dev/null \
            2>serve.err &
        server_pid=$!
        for _ in $(seq 1 200); do
            [ -e serve.port ] && break
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.05
        done
        if [ -e serve.port ] && { [ "$PORT" = 0 ] || [ "$(cat serve.port)" = "$PORT" ]; }; then
            PORT=$(cat serve.port)
            URL=http://127.0.0.1:$PORT
            return 0
        fi
        kill "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
        server_pid=
        sleep 0.25
    done
    echo "the server did not listen on 127.0.0.1:$PORT:"
    cat serve.err
    return 1
}

# client C CYCLE: issue licenses one after another until ./stop appears; a number goes to
# acked.CYCLE.C only when the command exited 0. A failure while the server is still up (before
# ./killing appears) is noted in refused.CYCLE.C.
client() {
    local c=$1 cycle=$2 i=0 n
    while [ ! -e stop ]; do
        n=$(printf 'D%d-C%d-%05d' "$cycle" "$c" "$i")
        if issue "$n" >/dev/null 2>"err.$cycle.$c"; then
            echo "$n" >>"acked.$cycle.$c"
        elif [ ! -e killing ]; then
            printf '%s: %s\n' "$n" "$(cat "err.$cycle.$c")" >>"refused.$cycle.$c"
        fi
        grep -E 'runtime error:|Sanitizer' "err.$cycle.$c" >>"client.$c.san"
        i=$((i + 1))
    done
}

start_server || { fail "serve"; finish; }
ok
total_acked=0
for cycle in $(seq 1 "$CYCLES"); do
    rm -f stop killing
    client_pids=()
    for c in $(seq 1 $CLIENTS); do
        : >"acked.$cycle.$c"
        client "$c" "$cycle" &
        client_pids+=($!)
    done
    sleep $SECONDS_OF_WRITES
    touch killing
    kill -KILL "$server_pid"
    wait "$server_pid" 2>/dev/null
    server_pid=
    touch stop
    wait "${client_pids[@]}"
    client_pids=()
    acked=$(cat acked."$cycle".* | wc -l)
    total_acked=$((total_acked + acked))
    if [ "$acked" -ge $CLIENTS ]; then ok; else
        fail "cycle $cycle: only $acked licenses acknowledged in ${SECONDS_OF_WRITES}s"; fi
    if cat refused."$cycle".* >refused 2>/dev/null; then
        fail "cycle $cycle: $(wc -l <refused) writes refused while the server was up, e.g.: $(head -n 3 refused)"
    else
        ok
    fi

    r=$(py integrity "$DB" 2>&1)
    if [ "$r" = ok ]; then ok; else fail "cycle $cycle: integrity_check after SIGKILL: $r"; fi
    start_server || { fail "cycle $cycle: restart"; finish; }
    ok
    r=$(py acked "$PORT" acked."$cycle".* 2>&1)
    if [ "$r" = "ok $acked" ]; then ok; else fail "cycle $cycle: acknowledged licenses: $r"; fi
    r=$(py log "$PORT" "$DB" 2>&1)
    if [[ $r == ok* ]]; then ok; else fail "cycle $cycle: log: $r"; fi
    size=$(curl -s "$URL/v1/log/checkpoint" | sed -n 2p)
    if issue "D$cycle-after" >after.out 2>&1; then ok; else
        fail "cycle $cycle: a write after the restart: $(cat after.out)"; fi
    grep -E 'runtime error:|Sanitizer' after.out >>after.san
    state=$(curl -s "$URL/v1/licenses/D$cycle-after" | sed -n 's/.*"state":"\([a-z]*\)".*/\1/p')
    if [ "$state" = active ]; then ok; else fail "cycle $cycle: the license written after the restart: '$state'"; fi
    size2=$(curl -s "$URL/v1/log/checkpoint" | sed -n 2p)
    if [ "$size2" = $((size + 1)) ]; then ok; else
        fail "cycle $cycle: checkpoint $size -> $size2 after one write"; fi
done

# A clean stop at the end, and the database once more.
kill -TERM "$server_pid"
wait "$server_pid"
rc=$?
server_pid=
if [ $rc -eq 0 ]; then ok; else fail "exit $rc after SIGTERM"; fi
r=$(py integrity "$DB" 2>&1)
if [ "$r" = ok ]; then ok; else fail "integrity_check at the end: $r"; fi
echo "($total_acked licenses acknowledged in $CYCLES kill cycles)"
finish
