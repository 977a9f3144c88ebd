#!/usr/bin/env bash
# End-to-end test of a read-only server on a PostgreSQL hot standby (docs/scaling.md, "Replicas
# for reads"): the registry is written on the primary, and `libro registry serve --read-only`
# on the standby serves its status lists and records. A standby cannot LISTEN, so that server
# asks the database on each read whether anything was replayed: a revocation and a suspension
# on the primary are in its next GET once the standby has replayed them (waited for by
# comparing WAL positions, never by a sleep for a clock). PostgreSQL only: the cluster's
# standby is LIBRO_TEST_PG_STANDBY (scripts/pg-cluster standby DIR, which scripts/test runs).
# Prints "N passed, N failed". Loopback only.
set -uo pipefail
libro=${1:?usage: replica_test.sh PATH/TO/libro}
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro") # we cd below
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if ! db_is_pg; then
    echo "FAIL: a hot standby is PostgreSQL's: run with LIBRO_TEST_DB=postgresql (e2e_replica_pg)"
    exit 1
fi
e2e_require replica_test.sh python3 psql
e2e_start replica
if [ -z "${LIBRO_TEST_PG_STANDBY:-}" ]; then
    if [ -n "${LIBRO_TEST_STRICT:-}" ]; then
        echo "FAIL: LIBRO_TEST_PG_STANDBY is not set (scripts/pg-cluster standby DIR, then env DIR)"
        exit 1
    fi
    echo "SKIP: LIBRO_TEST_PG_STANDBY is not set (scripts/pg-cluster standby DIR, then env DIR)"
    exit 77
fi
DB=$(db_new reg) || exit 1
# The same schema on the standby: the location db_new made, on the standby's socket.
SDB=$LIBRO_TEST_PG_STANDBY${DB#"$LIBRO_TEST_PG"}
FROM=$(date -u -d '30 days ago' +%Y-%m-%dT%H:%M:%SZ)
BASE=https://registry.town-7.example/v1/status

# Wait until the standby has replayed everything the primary has written so far (bounded).
replayed() {
    local want got
    want=$(psql -X -At "$LIBRO_TEST_PG" -c "SELECT pg_current_wal_lsn()") || return 1
    for _ in $(seq 400); do
        got=$(psql -X -At "$LIBRO_TEST_PG_STANDBY" \
            -c "SELECT pg_last_wal_replay_lsn() >= '$want'::pg_lsn") || return 1
        [ "$got" = t ] && return 0
        sleep 0.05
    done
    echo "the standby did not replay up to $want in 20 s" >&2
    return 1
}

# --- a registry with two licenses, on the primary ------------------------------------------------
e2e_town7 "$FROM"
must "$libro" registry init --db "$DB" --charter town.jws --authorization regauth.jws
must "$libro" registry type --db "$DB" --id nursing-general --validity-days 365 \
    --renewal-window-days 30 --grace-days 30 --actor ops
for n in 1 2; do
    must "$libro" issue license --key board.pem --authorization auth.jws \
        --community-charter town.jws --holder "Holder $n" --number "T7-N-000$n" \
        --profession "registered nurse" --type nursing-general --scope "general care" \
        --out "lic$n.jws" --registry "$DB" --status-url-base $BASE
done
must replayed

# --- the standby refuses writes itself; a server on it must be --read-only -----------------------
check "the standby is read-only" 1 "hot standby, which is read-only" -- \
    "$libro" license revoke --db "$SDB" --actor registrar --reason x T7-N-0001
check "serve on the standby without --read-only" 1 'add --read-only' -- \
    "$libro" registry serve --db "$SDB" --key reg.pem --listen 127.0.0.1:0

"$libro" registry serve --db "$SDB" --key reg.pem --read-only --listen 127.0.0.1:0 \
    --base-url https://registry.town-7.example \
    --port-file "$work/reg.port" 2>"$work/serve.log" &
server_pid=$!
for _ in $(seq 200); do [ -s "$work/reg.port" ] && break; sleep 0.05; done
if [ ! -s "$work/reg.port" ]; then
    echo "setup failed: the server on the standby did not start"
    cat "$work/serve.log"
    exit 1
fi
port=$(cat "$work/reg.port")

# fetch.py PATH: GET PATH of the server; prints the status and writes the body to body.out
# (status_bit.py and status_index.py: lib.sh, e2e_status_tools).
cat >fetch.py <<'EOF'
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=30)
c.request("GET", sys.argv[2])
r = c.getresponse()
open("body.out", "wb").write(r.read())
print(r.status)
EOF
e2e_status_tools
get() { python3 fetch.py "$port" "$1"; }
i1=$(python3 status_index.py lic1.jws)
i2=$(python3 status_index.py lic2.jws)

# --- reads from the standby ----------------------------------------------------------------------
st=$(get /v1/status/0/revocation)
if [ "$st" = 200 ] && [ "$(python3 status_bit.py body.out "$i1")" = 0 ]; then ok; else fail "first GET: $st"; fi
st=$(get /v1/licenses/T7-N-0001)
if [ "$st" = 200 ] && grep -q '"state":"active"' body.out; then ok; else
    fail "record on the standby: $st $(head -c 200 body.out)"; fi
check "show on the standby" 0 'state +active' -- "$libro" license show --db "$SDB" T7-N-0001

# --- the primary revokes and suspends: the standby's server has it once replayed -----------------
check "revoke on the primary" 0 'T7-N-0001: active -> revoked' -- \
    "$libro" license revoke --db "$DB" --actor registrar --reason "struck off" T7-N-0001
must replayed
st=$(get /v1/status/0/revocation)
if [ "$st" = 200 ] && [ "$(python3 status_bit.py body.out "$i1")" = 1 ] &&
    [ "$(python3 status_bit.py body.out "$i2")" = 0 ]; then ok; else fail "the standby's next GET after the revocation was replayed: $st"; fi
st=$(get /v1/licenses/T7-N-0001)
if [ "$st" = 200 ] && grep -q '"state":"revoked"' body.out; then ok; else
    fail "record after the revocation: $st $(head -c 200 body.out)"; fi
check "suspend on the primary" 0 'T7-N-0002: active -> suspended' -- \
    "$libro" license suspend --db "$DB" --actor registrar --reason inquiry T7-N-0002
must replayed
st=$(get /v1/status/0/suspension)
if [ "$st" = 200 ] && [ "$(python3 status_bit.py body.out "$i2")" = 1 ]; then ok; else
    fail "the standby's next GET after the suspension was replayed: $st"; fi
st=$(get /v1/bundle)
if [ "$st" = 200 ]; then ok; else fail "bundle from the standby: $st"; fi

if grep -qE 'runtime error:|Sanitizer' "$work/serve.log"; then
    fail "sanitizer reports:"
    head -40 "$work/serve.log"
fi
printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
