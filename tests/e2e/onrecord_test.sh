#!/usr/bin/env bash
# End-to-end tests of "a credential must be on record where the issuer says so" with the real
# binary: an issuer authorization made with --status-registry, the issuer and the registry
# keeping to it, and a license signed directly with the issuer's key (as a thief holding it
# would) without that registry's status entries: verify exits 6 (UNTRUSTED).
# Prints "N passed, N failed".
set -uo pipefail
libro=${1:?usage: onrecord_test.sh PATH/TO/libro}
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro") # we cd below
work=$(mktemp -d "${TMPDIR:-/tmp}/libro-e2e-onrecord.XXXXXX")
trap 'db_cleanup; rm -rf "$work"' EXIT
cd "$work" || exit 1
export XDG_DATA_HOME="$work/xdg"
passed=0
failed=0
REG=https://registry.town-7.example

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" # check, must, ok, fail, db_new
e2e_require_db
DB=$(db_new reg.db) || exit 1
b64url_decode() {
    local p
    p=$(tr '_-' '/+')
    while [ $((${#p} % 4)) -ne 0 ]; do p="$p="; done
    printf '%s' "$p" | base64 -d
}
# What a thief with KEY does: sign the payload of JWS, edited with sed, under KID.
steal() { # JWS SED_EXPR KEY KID OUT
    cut -d. -f2 "$1" | b64url_decode | sed "$2" >"$work/stolen-payload.json"
    "$libro" jws sign --key "$3" --kid "$4" --typ vc+jwt "$work/stolen-payload.json" >"$5"
}
kid_of() { # ID KEY
    printf '%s#%s' "$1" "$("$libro" key show --json "$2" | sed -n 's/.*"thumbprint":"\([^"]*\)".*/\1/p')"
}

# --- Town 7, its registry, a board whose authorization requires the registry's entries -----
must "$libro" key new --out town.pem
must "$libro" key new --out reg.pem --public-out reg.pub
must "$libro" key new --out board.pem --public-out board.pub
must "$libro" key new --out plain.pem --public-out plain.pub
must "$libro" issue charter --self --key town.pem --id urn:libro:town-7 --name "Town 7" --level 2 \
    --allow nursing-general --days 3650 --out town.jws
must "$libro" issue registry-authorization --key town.pem --charter town.jws \
    --id urn:libro:town-7:registry --name "Town 7 Registry" --subject-key reg.pub --url $REG \
    --days 3000 --out regauth.jws
check "authorization with --status-registry" 0 '' -- "$libro" issue authorization --key town.pem \
    --charter town.jws --id urn:libro:town-7:board --name "Health Board" --subject-key board.pub \
    --grant nursing-general:1095 --status-registry $REG --days 3000 --out auth.jws
check "the authorization names the registry" 0 "\"statusRegistry\":\"$REG\"" -- \
    bash -c "cut -d. -f2 auth.jws | tr '_-' '/+' | base64 -d 2>/dev/null"
check "--status-registry: a trailing slash is refused" 1 "statusRegistry: ends with '/'" -- \
    "$libro" issue authorization --key town.pem --charter town.jws --id urn:libro:town-7:board \
    --name "Health Board" --subject-key board.pub --grant nursing-general:1095 \
    --status-registry $REG/ --days 3000 --out bad.jws
check "--status-registry: not a URL" 1 'statusRegistry: not an https URL' -- \
    "$libro" issue authorization --key town.pem --charter town.jws --id urn:libro:town-7:board \
    --name "Health Board" --subject-key board.pub --grant nursing-general:1095 \
    --status-registry http://registry.town-7.example --days 3000 --out bad.jws
must "$libro" issue authorization --key town.pem --charter town.jws --id urn:libro:town-7:other \
    --name "Other Board" --subject-key plain.pub --grant nursing-general:1095 \
    --status-registry https://registry.town-8.example --days 3000 --out other-auth.jws
# An authorization without the member: licenses under it verify as before.
must "$libro" issue authorization --key town.pem --charter town.jws --id urn:libro:town-7:plain \
    --name "Plain Board" --subject-key plain.pub --grant nursing-general:1095 --days 3000 \
    --out plain-auth.jws
must "$libro" registry init --db "$DB" --charter town.jws --authorization regauth.jws
must "$libro" registry type --db "$DB" --id nursing-general --validity-days 365 \
    --renewal-window-days 30 --grace-days 30 --actor clerk

# --- the registry's policy ---------------------------------------------------------------------
check "registry authorize: its own registry" 0 'accepts requests' -- "$libro" registry authorize \
    --db "$DB" --authorization auth.jws --actor clerk
check "registry authorize: another registry's" 1 \
    "requires status entries from https://registry.town-8.example, not from this registry" -- \
    "$libro" registry authorize --db "$DB" --authorization other-auth.jws --actor clerk
check "registry authorize: another registry's, even --allow-unrecorded" 1 \
    "requires status entries from https://registry.town-8.example, not from this registry" -- \
    "$libro" registry authorize --db "$DB" --authorization other-auth.jws --actor clerk \
    --allow-unrecorded
check "registry authorize: none required, refused by default" 1 \
    'the issuer authorization requires no status entries .statusRegistry.' -- \
    "$libro" registry authorize --db "$DB" --authorization plain-auth.jws --actor clerk
check "registry authorize: none required, --allow-unrecorded" 0 'accepts requests' -- \
    "$libro" registry authorize --db "$DB" --authorization plain-auth.jws --actor clerk \
    --allow-unrecorded
check "--help names --allow-unrecorded" 0 '--allow-unrecorded' -- \
    "$libro" registry authorize --help

# --- the issuer keeps to it --------------------------------------------------------------------
lic() { # OUT [extra options]
    local out=$1
    shift
    "$libro" issue license --key board.pem --authorization auth.jws --community-charter town.jws \
        --holder "Ada Example" --number T7-N-0001 --profession "registered nurse" \
        --type nursing-general --scope "general care" --days 300 --out "$out" "$@"
}
check "issue license without a registry: refused" 1 \
    "requires status entries from $REG: issue the license with that registry" -- lic none.jws
check "nothing written" 1 '' -- test -e none.jws
check "issue license with another registry's lists: refused" 1 \
    "requires status entries from $REG; this license names https://registry.town-8.example/v1/status/" -- \
    lic other.jws --registry "$DB" --status-url-base https://registry.town-8.example/v1/status
check "issue license with the registry" 0 '' -- lic ada.jws --registry "$DB" \
    --status-url-base $REG/v1/status

S="$work/store"
must "$libro" trust add --trust-dir "$S" --anchor town.jws
must "$libro" trust add --trust-dir "$S" auth.jws plain-auth.jws regauth.jws
# Registered, with the registry's entries: past the chain to its status (no lists synced here).
check "registered license: to its status" 7 'no status list cached for' -- "$libro" verify \
    --trust-dir "$S" --jws ada.jws

# --- the thief: the board's key, no registry ---------------------------------------------------
KID=$(kid_of urn:libro:town-7:board board.pem)
steal ada.jws 's/"licenseNumber":"T7-N-0001"/"licenseNumber":"T7-N-9999"/; s/,"credentialStatus":.*$/}/' \
    board.pem "$KID" stolen.jws
check "unregistered license, no status entries: UNTRUSTED" 6 \
    "UNTRUSTED.*the issuer's authorization requires status entries from $REG; this license has none" -- \
    "$libro" verify --trust-dir "$S" --jws stolen.jws
steal ada.jws "s#$REG/v1/status#https://registry.town-8.example/v1/status#g" board.pem "$KID" \
    elsewhere.jws
check "another registry's lists: UNTRUSTED" 6 \
    "this license names https://registry.town-8.example/v1/status/" -- \
    "$libro" verify --trust-dir "$S" --jws elsewhere.jws
check "--json says UNTRUSTED" 6 '"outcome":"UNTRUSTED"' -- "$libro" verify --json \
    --trust-dir "$S" --jws stolen.jws
# The same license without entries under an authorization without the member verifies.
steal ada.jws 's/urn:libro:town-7:board"/urn:libro:town-7:plain"/; s/,"credentialStatus":.*$/}/' \
    plain.pem "$(kid_of urn:libro:town-7:plain plain.pem)" plain.jws
check "no requirement: VALID as before" 0 'no status data present' -- "$libro" verify \
    --trust-dir "$S" --jws plain.jws
check "--help names --status-registry" 0 '--status-registry URL' -- "$libro" issue authorization \
    --help

printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
