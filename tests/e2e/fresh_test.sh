#!/usr/bin/env bash
# End-to-end: read your writes, and a week offline, with the real server on loopback.
#  1. 50 licenses: each revoked over HTTP, then at once `libro sync` and `libro verify`:
#     REVOKED every time (docs/formats.md: an acknowledged write is in the very next read);
#  2. 50 suspend / reinstate cycles on one license, each followed at once by a sync and a
#     verify: SUSPENDED, then VALID;
#  3. a sync, then `libro verify --at` six days later: VALID with the warning that names
#     `libro sync <URL>`; eight days later: STATUS UNKNOWN (exit 7) with that advice, in text
#     and in --json;
#  4. `libro registry status --days 30` under a registry authorization ending in two days: the
#     list ends with the authorization, and `libro verify` takes it (VALID);
#  5. a license issued over HTTP (no --status-url-base: the reservation's three list URLs),
#     surrendered over HTTP, synced: SURRENDERED (exit 4), not REVOKED.
# Prints the time each loop took (for the record). Usage: fresh_test.sh PATH/TO/libro
set -uo pipefail
libro=${1:?usage: fresh_test.sh PATH/TO/libro}
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro") # we cd below
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_require fresh_test.sh python3
e2e_start fresh
finish() {
    if grep -qE 'runtime error:|Sanitizer' serve.err "$work"/*.san 2>/dev/null; then
        fail "sanitizer reports:"
        grep -hE -A5 'runtime error:|Sanitizer' serve.err "$work"/*.san | head -40
    fi
    printf '%d passed, %d failed\n' "$passed" "$failed"
    [ "$failed" -eq 0 ]
    exit
}
# run NAME WANT_EXIT PATTERN -- COMMAND...: quiet unless it fails.
run() {
    local name=$1 want=$2 pattern=$3
    shift 4
    local out rc
    out=$("$@" 2>&1 </dev/null)
    rc=$?
    grep -E 'runtime error:|Sanitizer' <<<"$out" >>"$work/cli.san"
    if [ "$rc" -ne "$want" ]; then
        fail "$name: exit $rc, want $want: $out"
        return 1
    elif [ -n "$pattern" ] && ! grep -qE -- "$pattern" <<<"$out"; then
        fail "$name: output lacks /$pattern/: $out"
        return 1
    fi
    ok
}
ms() { date +%s%3N; }

# --- the world: Town 7, its board, its registry on loopback, on a port the system picks --------
FROM=$(date -u -d '30 days ago' +%Y-%m-%dT%H:%M:%SZ)
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
DB=$(db_new reg.db) || exit 1
must "$libro" registry init --db "$DB" --charter town.jws --authorization regauth.jws
must "$libro" registry type --db "$DB" --id nursing-general --validity-days 1095 \
    --renewal-window-days 90 --grace-days 30 --actor "town clerk"
must "$libro" registry authorize --db "$DB" --authorization board-auth.jws --actor clerk --allow-unrecorded
BOARD=(--key board.pem --authorization board-auth.jws --community-charter town.jws)

# Port 0: the registry's URL is http://127.0.0.1:<the port it bound>, read from its port file
# (written whole once it listens; waited for at most 10 s, or until the server exits).
"$libro" registry serve --db "$DB" --listen 127.0.0.1:0 --port-file serve.port --key reg.pem \
    --write-rate 1000 --write-burst 1000 </dev/null 2>serve.err &
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
if ! grep -qxF "libro: listening on $URL" serve.err; then
    fail "the server does not say it listens on $URL: $(cat serve.err)"
    finish
fi
AS_BOARD=(--registry "$URL" --key board.pem --issuer urn:libro:town-7:board)

N=50
t=$(ms)
for i in $(seq -w 1 $N); do
    "$libro" issue license "${BOARD[@]}" --holder "Holder $i" --number "T7-N-00$i" \
        --profession "registered nurse" --type nursing-general --scope "general care" \
        --out "lic$i.jws" --registry "$URL" >/dev/null 2>issue.err ||
        { fail "issue T7-N-00$i: $(cat issue.err)"; finish; }
done
issue_ms=$(($(ms) - t))
must "$libro" trust add --anchor town.jws
run "first sync" 0 'synced bundle' -- "$libro" sync "$URL"
run "verify before any change" 0 '^VALID' -- "$libro" verify --jws lic01.jws

# === 1. revoke, then at once sync and verify: REVOKED, 50 times ================================
t=$(ms)
for i in $(seq -w 1 $N); do
    run "revoke $i" 0 "T7-N-00$i: revoke recorded" -- "$libro" license revoke "${AS_BOARD[@]}" \
        --reason "struck off $i" "T7-N-00$i" &&
        run "sync after revoke $i" 0 'synced bundle' -- "$libro" sync "$URL" &&
        run "verify after revoke $i" 4 '^REVOKED' -- "$libro" verify --jws "lic$i.jws" ||
        break
done
revoke_ms=$(($(ms) - t))

# === 2. suspend / reinstate, each at once synced and verified, 50 cycles ==========================
must "$libro" issue license "${BOARD[@]}" --holder "Holder S" --number T7-N-0100 \
    --profession "registered nurse" --type nursing-general --scope "general care" \
    --out s.jws --registry "$URL"
run "sync for the cycles" 0 'synced bundle' -- "$libro" sync "$URL"
t=$(ms)
for i in $(seq 1 $N); do
    run "suspend $i" 0 'T7-N-0100: suspend recorded' -- "$libro" license suspend \
        "${AS_BOARD[@]}" --reason "review $i" T7-N-0100 &&
        run "sync after suspend $i" 0 'synced bundle' -- "$libro" sync "$URL" &&
        run "verify after suspend $i" 5 '^SUSPENDED' -- "$libro" verify --jws s.jws &&
        run "reinstate $i" 0 'T7-N-0100: reinstate recorded' -- "$libro" license reinstate \
            "${AS_BOARD[@]}" --reason "cleared $i" T7-N-0100 &&
        run "sync after reinstate $i" 0 'synced bundle' -- "$libro" sync "$URL" &&
        run "verify after reinstate $i" 0 '^VALID' -- "$libro" verify --jws s.jws ||
        break
done
cycle_ms=$(($(ms) - t))

# === 5. surrendered over HTTP: SURRENDERED, not REVOKED =========================================
# The license names its lists as the reservation answered them (no --status-url-base): all
# three, the message list too, so the surrender's word reaches the employer.
must "$libro" issue license "${BOARD[@]}" --holder "Holder G" --number T7-N-0150 \
    --profession "registered nurse" --type nursing-general --scope "general care" \
    --out g.jws --registry "$URL"
run "the license names the message list" 0 "\"statusPurpose\":\"message\".*\"statusListCredential\":\"$URL/v1/status/[0-9]+/message\"" -- \
    "$libro" jws verify --key board.pub g.jws
run "surrender over HTTP" 0 'T7-N-0150: surrender recorded' -- "$libro" license surrender \
    "${AS_BOARD[@]}" --reason "retired" T7-N-0150
run "sync after the surrender" 0 'synced bundle' -- "$libro" sync "$URL"
run "verify after the surrender: SURRENDERED" 4 '^SURRENDERED: license surrendered by its holder' \
    -- "$libro" verify --jws g.jws

# === 3. a week offline ===========================================================================
run "sync before going offline" 0 '' -- "$libro" sync "$URL"
kill -TERM "$server_pid"
wait "$server_pid"
server_pid=
at() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
run "offline 6 days: VALID" 0 '^VALID' -- "$libro" verify --jws s.jws --at "$(at '6 days')"
run "offline 6 days: the warning names the sync" 0 \
    "status data is 14[0-9] hours old \(more than 24\): run libro sync $URL" -- \
    "$libro" verify --jws s.jws --at "$(at '6 days')"
run "offline 6 days: revoked stays revoked" 4 '^REVOKED' -- "$libro" verify --jws lic01.jws \
    --at "$(at '6 days')"
run "offline 8 days: STATUS UNKNOWN with the advice" 7 \
    "status data is 8(\.[0-9])? days old \(maximum 7\): run libro sync $URL, then verify again" -- \
    "$libro" verify --jws s.jws --at "$(at '8 days')"
run "offline 8 days: --json carries the advice" 7 \
    "\"code\":\"status_unknown\",\"message\":\"status data is [0-9.]+ days old \(maximum 7\): run libro sync $URL, then verify again\"" -- \
    "$libro" verify --json --jws s.jws --at "$(at '8 days')"

# === 4. libro registry status under an authorization ending in two days =======================
# Issue 8, point 2: `--days 30` used to sign a list past the authorization, which `libro trust
# add` took and `libro verify` then refused (STATUS UNKNOWN). Now the list ends with it.
SBASE=https://registry.town-7.example/v1/status
must "$libro" issue registry-authorization --key town.pem --charter town.jws \
    --id urn:libro:town-7:registry --name "Town 7 Registry" --subject-key reg.pub \
    --url https://registry.town-7.example --valid-from "$FROM" --days 32 --out short-auth.jws
SDB=$(db_new short.db) || exit 1
must "$libro" registry init --db "$SDB" --charter town.jws --authorization short-auth.jws
must "$libro" registry type --db "$SDB" --id nursing-general --validity-days 1095 \
    --renewal-window-days 90 --grace-days 30 --actor "town clerk"
must "$libro" issue license "${BOARD[@]}" --holder "Holder Short" --number T7-N-0200 \
    --profession "registered nurse" --type nursing-general --scope "general care" \
    --out short.jws --registry "$SDB" --status-url-base $SBASE
ends=$(date -u -d "$FROM 32 days" +%Y-%m-%dT%H:%M:%SZ)
for purpose in revocation suspension; do
    run "registry status --days 30 under a 2-day authorization: $purpose" 0 \
        "published $purpose list 0 \(valid until $ends\)" -- "$libro" registry status \
        --db "$SDB" --key reg.pem --list 0 --purpose $purpose --id "$SBASE/0/$purpose" \
        --days 30 --out "short-$purpose.jws"
done
run "registry status --days 32: refused" 2 '--days: want 1 to 31' -- "$libro" registry status \
    --db "$SDB" --key reg.pem --list 0 --purpose revocation --id "$SBASE/0/revocation" \
    --days 32 --out never.jws
must "$libro" trust add --trust-dir strust --anchor town.jws
run "trust add the short lists" 0 '' -- "$libro" trust add --trust-dir strust board-auth.jws \
    short-auth.jws short-revocation.jws short-suspension.jws
run "verify under the short authorization: VALID" 0 '^VALID' -- "$libro" verify \
    --trust-dir strust --jws short.jws

printf 'timing: %d licenses issued in %d ms; %d revoke+sync+verify in %d ms (%d ms each); ' \
    "$N" "$issue_ms" "$N" "$revoke_ms" $((revoke_ms / N))
printf '%d suspend+sync+verify+reinstate+sync+verify cycles in %d ms (%d ms each)\n' \
    "$N" "$cycle_ms" $((cycle_ms / N))
finish
