#!/usr/bin/env bash
# End-to-end (issue 14): a verifier's clock cannot be set back past what its trust store has
# seen. The real server on loopback (port 0), a real `libro sync`, then `libro verify` under
# a clock faked 3 days back with faketime(1) (libfaketime): a license that expired yesterday
# is refused (STATUS UNKNOWN, exit 7, "set the clock right"), not VALID; a clock a little
# slow (within the skew) still verifies; an explicit --at is answered as before, with a note
# that status data is as of the last sync. Prints "N passed, N failed".
# Usage: clock_test.sh PATH/TO/libro
set -uo pipefail
libro=${1:?usage: clock_test.sh PATH/TO/libro}
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro") # we cd below
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_require clock_test.sh faketime
e2e_start clock
DB=$(db_new reg.db) || exit 1
finish() {
    if grep -qE 'runtime error:|Sanitizer' serve.err "$work"/cli.san 2>/dev/null; then
        fail "sanitizer reports:"
        grep -hE -A5 'runtime error:|Sanitizer' serve.err "$work"/cli.san | head -40
    fi
    printf '%d passed, %d failed\n' "$passed" "$failed"
    [ "$failed" -eq 0 ]
    exit
}
# check NAME WANT_EXIT PATTERN -- COMMAND...: quiet unless it fails.
check() {
    local name=$1 want=$2 pattern=$3
    shift 4
    local out rc
    out=$("$@" 2>&1 </dev/null)
    rc=$?
    grep -E 'runtime error:|Sanitizer' <<<"$out" >>"$work/cli.san"
    if [ "$rc" -ne "$want" ]; then
        fail "$name: exit $rc, want $want: $out"
    elif [ -n "$pattern" ] && ! grep -qE -- "$pattern" <<<"$out"; then
        fail "$name: output lacks /$pattern/: $out"
    else
        passed=$((passed + 1))
    fi
}
at() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }

# --- the world: Town 7, its board, its registry on loopback, on a port the system picks -------
FROM=$(at '30 days ago')
for k in town board reg; do
    must "$libro" key new --out $k.pem --public-out $k.pub
done
must "$libro" issue charter --self --key town.pem --id urn:libro:town-7 --name "Town 7" --level 2 \
    --allow nursing-general --valid-from "$FROM" --days 3650 --out town.jws
must "$libro" issue authorization --key town.pem --charter town.jws --id urn:libro:town-7:board \
    --name "Health Board" --subject-key board.pub --grant nursing-general:1095 \
    --valid-from "$FROM" --days 3000 --out board-auth.jws
must "$libro" issue registry-authorization --key town.pem --charter town.jws \
    --id urn:libro:town-7:registry --name "Town 7 Registry" --subject-key reg.pub \
    --url http://127.0.0.1 --valid-from "$FROM" --days 3000 --out regauth.jws
must "$libro" registry init --db "$DB" --charter town.jws --authorization regauth.jws
must "$libro" registry type --db "$DB" --id nursing-general --validity-days 1095 \
    --renewal-window-days 90 --grace-days 30 --actor "town clerk"
must "$libro" registry authorize --db "$DB" --authorization board-auth.jws --actor clerk --allow-unrecorded
BOARD=(--key board.pem --authorization board-auth.jws --community-charter town.jws)
"$libro" registry serve --db "$DB" --listen 127.0.0.1:0 --port-file serve.port --key reg.pem \
    </dev/null 2>serve.err &
server_pid=$!
for _ in $(seq 1 200); do
    [ -s serve.port ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.05
done
if [ ! -s serve.port ]; then
    fail "the server wrote no port file: $(cat serve.err)"
    finish
fi
URL=http://127.0.0.1:$(cat serve.port)

# A license that expired yesterday (no status entries: only its dates speak), and one issued
# over HTTP today (with status lists, served in the bundle).
must "$libro" issue license "${BOARD[@]}" --holder "Old Example" --number T7-N-0001 \
    --profession "registered nurse" --type nursing-general --scope "general care" \
    --valid-from "$FROM" --valid-until "$(at '1 day ago')" --out old.jws
must "$libro" issue license "${BOARD[@]}" --holder "Ada Example" --number T7-N-0002 \
    --profession "registered nurse" --type nursing-general --scope "general care" \
    --out ada.jws --registry "$URL"
must "$libro" trust add --anchor town.jws
must "$libro" trust add board-auth.jws

# --- before any sync the store has seen nothing: a clock set back is not caught yet -----------
check "no sync yet: 3 days back, the old license reads VALID" 0 '^VALID' -- \
    faked -3d "$libro" verify --jws old.jws

# --- sync today, then the clock set back ------------------------------------------------------
synced=$("$libro" sync "$URL" 2>&1 </dev/null)
check "sync today" 0 'synced bundle' -- echo "$synced"
issued=$(sed -n 's/^synced bundle of \([^:]*:[^:]*:[0-9]*\).*/\1/p' <<<"$synced")
check "the store records the bundle's issued as seen" 0 '' -- \
    grep -qxE "${issued%Z}\.[0-9]{3}Z" "$XDG_DATA_HOME/libro/seen"
check "right clock: the old license is EXPIRED" 3 '^EXPIRED: license expired' -- \
    "$libro" verify --jws old.jws
check "right clock: today's license is VALID" 0 '^VALID' -- "$libro" verify --jws ada.jws
check "3 days back: the old license is refused, not VALID" 7 \
    "^STATUS UNKNOWN: this computer's clock \([0-9T:-]+Z\) is before data already seen \([0-9T:.-]+Z\); set the clock right" -- \
    faked -3d "$libro" verify --jws old.jws
out=$(faked -3d "$libro" verify --jws old.jws 2>&1 </dev/null)
if [ "$(wc -l <<<"$out")" -eq 1 ]; then
    passed=$((passed + 1))
else
    fail "3 days back: only the refusal is printed, no license details: $out"
fi
check "3 days back: today's license is refused too" 7 'is before data already seen' -- \
    faked -3d "$libro" verify --jws ada.jws
check "3 days back --json" 7 \
    '"ok":false,"outcome":"STATUS UNKNOWN","exit_code":7,"error":\{"code":"status_unknown","message":"this computer.s clock' -- \
    faked -3d "$libro" verify --json --jws old.jws
check "2 minutes slow (within the 300 s skew): VALID" 0 '^VALID' -- \
    faked -2m "$libro" verify --jws ada.jws
check "10 minutes slow, --skew 900: VALID" 0 '^VALID' -- \
    faked -10m "$libro" verify --skew 900 --jws ada.jws
check "10 minutes slow: refused" 7 'set the clock right' -- \
    faked -10m "$libro" verify --jws ada.jws
check "3 days back, a sync changes nothing" 0 'up to date' -- faked -3d "$libro" sync "$URL"
check "... and the clock is still refused" 7 'set the clock right' -- \
    faked -3d "$libro" verify --jws old.jws

# --- --at: a question about a moment, answered as before ---------------------------------------
check "--at 3 days ago: VALID, as before" 0 '^VALID' -- \
    "$libro" verify --at "$(at '3 days ago')" --jws old.jws
check "--at: the note says status data is as of the last sync" 0 \
    'libro: note: status data is as of the last sync \([0-9T:.-]+Z\), not of the time asked about' -- \
    "$libro" verify --at "$(at '3 days ago')" --jws old.jws
check "--at under a clock set back: answered too" 0 '^VALID' -- \
    faked -3d "$libro" verify --at "$(at '3 days ago')" --jws old.jws
check "--at --json carries the note" 0 '"note":"status data is as of the last sync \(' -- \
    "$libro" verify --json --at "$(at '3 days ago')" --jws old.jws
out=$("$libro" verify --jws old.jws 2>&1 </dev/null)
if grep -q 'note:' <<<"$out"; then
    fail "without --at there is no note: $out"
else
    passed=$((passed + 1))
fi
# --- the clock set right again -------------------------------------------------------------------
check "clock right again: EXPIRED" 3 '^EXPIRED' -- "$libro" verify --jws old.jws
finish
