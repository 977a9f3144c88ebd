#!/usr/bin/env bash
# The chain a trust bundle carries: a town chartered by its region keeps the region's
# charter in its registry (libro registry chain), so an employer who pinned only the
# region syncs the town's registry and verifies its licenses; what the chain refuses.
# Usage: chain_test.sh PATH/TO/libro
set -uo pipefail
libro=${1:?usage: chain_test.sh PATH/TO/libro}
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro") # we cd below
work=$(mktemp -d "${TMPDIR:-/tmp}/libro-chain.XXXXXX")
server=
trap '[ -z "$server" ] || kill "$server" 2>/dev/null; db_cleanup; rm -rf "$work"' EXIT
cd "$work" || exit 1
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" # db_new: SQLite or PostgreSQL (LIBRO_TEST_DB)
e2e_require_db
DB=$(db_new town.db) || exit 1
export XDG_DATA_HOME="$work/employer"
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
# expect CODE WHAT MESSAGE-PART -- COMMAND...
expect() {
    local want=$1 what=$2 part=$3
    shift 4
    "$@" >out 2>&1
    local rc=$?
    if [ "$rc" -ne "$want" ]; then
        bad "$what: exit $rc, want $want: $(head -c 300 out)"
    elif [ -n "$part" ] && ! grep -q -- "$part" out; then
        bad "$what: output lacks '$part': $(head -c 300 out)"
    else
        ok
    fi
}
ago() { date -u -d "$1 ago" +%Y-%m-%dT%H:%M:%SZ; }
q() { "$@" >/dev/null 2>&1 || { echo "setup failed: $*" >&2; exit 1; }; }

q "$libro" key new --out region.pem
q "$libro" issue charter --self --key region.pem --id urn:libro:region-3 --name "Region 3" \
    --level 4 --level-name region --allow nursing-general --valid-from "$(ago '2 years')" \
    --days 7300 --out region.jws
q "$libro" key new --out town.pem --public-out town.pub.pem
q "$libro" issue charter --key region.pem --issuer urn:libro:region-3 --parent-charter region.jws \
    --id urn:libro:town-7 --name "Town 7" --level 2 --community-key town.pub.pem \
    --allow nursing-general --valid-from "$(ago '1 year')" --days 3650 --out town.jws
q "$libro" key new --out board.pem --public-out board.pub.pem
q "$libro" issue authorization --key town.pem --charter town.jws \
    --id urn:libro:town-7:health-board --name "Board" --subject-key board.pub.pem \
    --grant nursing-general:1095 --valid-from "$(ago '6 months')" --days 1825 --out board-auth.jws
q "$libro" key new --out registry.pem --public-out registry.pub.pem
q "$libro" issue registry-authorization --key town.pem --charter town.jws \
    --id urn:libro:town-7:registry --name "Registry" --subject-key registry.pub.pem \
    --url http://127.0.0.1 --valid-from "$(ago '6 months')" --days 1825 --out registry-auth.jws
q "$libro" registry init --db "$DB" --charter town.jws --authorization registry-auth.jws
q "$libro" registry type --db "$DB" --id nursing-general --validity-days 365 \
    --renewal-window-days 30 --grace-days 30 --actor clerk
q "$libro" registry authorize --db "$DB" --authorization board-auth.jws --actor clerk --allow-unrecorded

# One typ rule (RFC 7515 §4.1.9): the board's authorization signed again by the town with
# typ "application/vc+jwt" or "VC+JWT" is accepted by the trust store and the registry
# alike; with typ "jwt" both refuse it, for the same reason.
"$libro" jws verify --key town.pub.pem board-auth.jws >auth-payload.json 2>/dev/null ||
    { echo "setup failed: jws verify" >&2; exit 1; }
town_kid=$("$libro" jws verify --key town.pub.pem --json board-auth.jws |
    sed -n 's/.*"kid":"\([^"]*\)".*/\1/p')
[ -n "$town_kid" ] || { echo "setup failed: no kid" >&2; exit 1; }
for typ in application/vc+jwt VC+JWT jwt; do
    "$libro" jws sign --key town.pem --kid "$town_kid" --typ "$typ" auth-payload.json \
        >auth-typ.jws 2>/dev/null || { echo "setup failed: jws sign --typ $typ" >&2; exit 1; }
    if [ "$typ" = jwt ]; then
        expect 1 "trust add refuses typ $typ" "typ is not vc+jwt" -- \
            "$libro" trust add --trust-dir typ-store auth-typ.jws
        expect 1 "registry authorize refuses typ $typ" "typ is not vc+jwt" -- \
            "$libro" registry authorize --db "$DB" --authorization auth-typ.jws --actor clerk --allow-unrecorded
    else
        expect 0 "trust add accepts typ $typ" "" -- \
            "$libro" trust add --trust-dir typ-store auth-typ.jws
        expect 0 "registry authorize accepts typ $typ" "" -- \
            "$libro" registry authorize --db "$DB" --authorization auth-typ.jws --actor clerk --allow-unrecorded
    fi
done

# What the chain refuses: not a charter, a charter that did not charter the town, a
# second time the region (it is self-chartered: the top).
expect 1 "an authorization is no charter" "not a CommunityCharter" -- \
    "$libro" registry chain --db "$DB" --add board-auth.jws --actor clerk
"$libro" key new --out other.pem >/dev/null 2>&1
q "$libro" issue charter --self --key other.pem --id urn:libro:region-9 --name "Region 9" \
    --level 4 --level-name region --allow nursing-general --days 3650 --out other.jws
expect 1 "another region" \
    "chain: charter of urn:libro:town-7 is issued by urn:libro:region-3, not by urn:libro:region-9" -- \
    "$libro" registry chain --db "$DB" --add other.jws --actor clerk
expect 0 "the region that chartered the town" "" -- \
    "$libro" registry chain --db "$DB" --add region.jws --actor clerk
expect 1 "nothing above a self-chartered top" "self-chartered" -- \
    "$libro" registry chain --db "$DB" --add region.jws --actor clerk

# Port 0: the registry's URL names the port the system picked (written to its port file).
"$libro" registry serve --db "$DB" --listen 127.0.0.1:0 --key registry.pem \
    --port-file serve.port 2>serve.log &
server=$!
for _ in $(seq 100); do [ -e serve.port ] && break; sleep 0.1; done
[ -e serve.port ] || { echo "the registry did not start: $(cat serve.log)"; exit 1; }
URL=http://127.0.0.1:$(cat serve.port)

expect 0 "issue over HTTP" "" -- "$libro" issue license --key board.pem \
    --authorization board-auth.jws --community-charter town.jws --holder "Ada Example" \
    --number T7-1 --profession nurse --type nursing-general --scope care --out ada.jws \
    --registry "$URL"
expect 1 "sync without an anchor" "not trusted" -- "$libro" sync "$URL"
q "$libro" trust add --anchor region.jws
expect 0 "sync with only the region pinned" "synced" -- "$libro" sync "$URL"
expect 0 "the town's license verifies" "VALID" -- "$libro" verify --jws ada.jws
grep -q "Region 3" out && ok || bad "the chain reaches the region: $(cat out)"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
