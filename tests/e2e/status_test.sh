#!/usr/bin/env bash
# End-to-end test of docs/credentials.md, "Status from cached lists" with the real binary: a registry (embedded mode)
# issues a license with credentialStatus and publishes its status lists; the verifier caches
# them in its trust store (libro trust add) and reads revocation and suspension from them,
# offline: VALID, SUSPENDED (exit 5), REVOKED (exit 4), STATUS UNKNOWN (exit 7) for a missing,
# expired or too old list; a rolled-back or forged list is refused at trust add. The words:
# a surrendered license is SURRENDERED (exit 4), one that lapsed (expired past its grace
# period, `license tick`) is LAPSED (exit 3), from the cached message list.
# Prints "N passed, N failed".
set -uo pipefail
libro=${1:?usage: status_test.sh PATH/TO/libro}
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro") # we cd below
work=$(mktemp -d "${TMPDIR:-/tmp}/libro-e2e-status.XXXXXX")
trap 'db_cleanup; rm -rf "$work"' EXIT
cd "$work" || exit 1
export XDG_DATA_HOME="$work/xdg"
passed=0
failed=0
ago() { date -u -d "$1 ago" +%Y-%m-%dT%H:%M:%SZ; }
later() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
FROM=$(ago '400 days')
BASE=https://registry.town-7.example/v1/status

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" # check, must, ok, fail, db_new
e2e_require_db
DB=$(db_new reg.db) || exit 1
b64url_decode() {
    local p
    p=$(tr '_-' '/+')
    while [ $((${#p} % 4)) -ne 0 ]; do p="$p="; done
    printf '%s' "$p" | base64 -d
}
# Publish list 0 for PURPOSE into FILE, valid DAYS. Lists carry whole seconds: wait for the
# next one so that each publication is newer than the last.
publish() { # PURPOSE FILE DAYS
    sleep 1
    must "$libro" registry status --db "$DB" --key reg.pem --list 0 --purpose "$1" \
        --id "$BASE/0/$1" --days "$3" --out "$2"
}

# --- the world: Town 7, its board (issuer), its registry --------------------------------------
must "$libro" key new --out town.pem
must "$libro" key new --out board.pem --public-out board.pub
must "$libro" key new --out reg.pem --public-out reg.pub
must "$libro" key new --out other.pem --public-out other.pub
must "$libro" issue charter --self --key town.pem --id urn:libro:town-7 --name "Town 7" --level 2 \
    --allow nursing-general --valid-from "$FROM" --days 3650 --out town.jws
must "$libro" issue authorization --key town.pem --charter town.jws --id urn:libro:town-7:board \
    --name "Health Board" --subject-key board.pub --grant nursing-general:1095 \
    --valid-from "$FROM" --days 3000 --out auth.jws
must "$libro" issue registry-authorization --key town.pem --charter town.jws \
    --id urn:libro:town-7:registry --name "Town 7 Registry" --subject-key reg.pub \
    --url https://registry.town-7.example --valid-from "$FROM" --days 3000 --out regauth.jws
must "$libro" registry init --db "$DB" --charter town.jws --authorization regauth.jws
must "$libro" registry type --db "$DB" --id nursing-general --validity-days 365 \
    --renewal-window-days 60 --grace-days 30 --actor ops
must "$libro" issue license --key board.pem --authorization auth.jws --community-charter town.jws \
    --holder "Ada Example" --number T7-N-0001 --profession "registered nurse" \
    --type nursing-general --scope "general care" --out ada.jws --registry "$DB" \
    --status-url-base $BASE
must "$libro" issue license --key board.pem --authorization auth.jws --community-charter town.jws \
    --holder "Bo Example" --number T7-N-0002 --profession "registered nurse" \
    --type nursing-general --scope "general care" --out plain.jws
publish revocation rev1.jws 30
publish suspension sus1.jws 30
T=(--trust-dir trust)
must "$libro" trust add "${T[@]}" --anchor town.jws
must "$libro" trust add "${T[@]}" auth.jws

# --- caching lists ---------------------------------------------------------------------------
check "a list before its registry" 1 'no registry authorization for urn:libro:town-7:registry#' -- \
    "$libro" trust add "${T[@]}" rev1.jws
check "no list cached" 7 '^STATUS UNKNOWN: no status list cached for https://registry.town-7.example/v1/status/0/revocation' -- \
    "$libro" verify "${T[@]}" --jws ada.jws
check "no list cached --json" 7 '"status":\{"checked":false,"revoked":false,"suspended":false,"age_seconds":null,"message":"unknown: no status list cached' -- \
    "$libro" verify "${T[@]}" --json --jws ada.jws
check "a license without status" 0 'status +no status data present' -- \
    "$libro" verify "${T[@]}" --jws plain.jws
check "trust add registry authorization and lists" 0 'added rev1.jws' -- \
    "$libro" trust add "${T[@]}" regauth.jws rev1.jws sus1.jws
check "trust list shows the lists" 0 'status-list +revocation +https://registry.town-7.example/v1/status/0/revocation' -- \
    "$libro" trust list "${T[@]}"
check "trust list --json" 0 '"kind":"status-list","type":"BitstringStatusListCredential","id":"https://registry.town-7.example/v1/status/0/suspension"' -- \
    "$libro" trust list "${T[@]}" --json
check "stored under status/" 0 '' -- test "$(find trust/status -name '*.jws' | wc -l)" -eq 2
check "re-adding is a no-op" 0 'added' -- "$libro" trust add "${T[@]}" rev1.jws

# --- VALID with status ----------------------------------------------------------------------
check "valid, status checked" 0 'status +not revoked, not suspended \(list of [0-9T:-]+Z, [0-9]+ min old\)' -- \
    "$libro" verify "${T[@]}" --jws ada.jws
check "valid --json" 0 '"status":\{"checked":true,"revoked":false,"suspended":false,"age_seconds":[0-9]+,"listFrom":"[^"]+","message":"not revoked, not suspended' -- \
    "$libro" verify "${T[@]}" --json --jws ada.jws
check "two days later: a warning" 0 'libro: warning: status data is (47|48) hours old' -- \
    "$libro" verify "${T[@]}" --at "$(later '2 days')" --jws ada.jws
check "two days later --json: the warning" 0 '"warning":"status data is' -- \
    "$libro" verify "${T[@]}" --json --at "$(later '2 days')" --jws ada.jws
check "eight days later: too old" 7 '^STATUS UNKNOWN: status data is 8(\.[0-9])? days old \(maximum 7\)' -- \
    "$libro" verify "${T[@]}" --at "$(later '8 days')" --jws ada.jws
check "eight days later, --max-status-age 10d" 0 '^VALID' -- \
    "$libro" verify "${T[@]}" --at "$(later '8 days')" --max-status-age 10d --jws ada.jws
check "--max-status-age in seconds" 7 'status data is 2[45] hours old \(maximum 1 hours\)' -- \
    "$libro" verify "${T[@]}" --at "$(later '1 day')" --max-status-age 3600 --jws ada.jws
check "past the lists' validUntil" 7 '^STATUS UNKNOWN: status list https://registry.town-7.example/v1/status/0/revocation expired' -- \
    "$libro" verify "${T[@]}" --at "$(later '40 days')" --max-status-age 60d --jws ada.jws

# --- suspend, reinstate ---------------------------------------------------------------------
must "$libro" license suspend --db "$DB" T7-N-0001 --actor ops --reason "complaint"
publish suspension sus2.jws 30
must "$libro" trust add "${T[@]}" sus2.jws
check "suspended" 5 '^SUSPENDED: license suspended \(suspension list of' -- \
    "$libro" verify "${T[@]}" --jws ada.jws
check "suspended: status line" 5 'status +SUSPENDED \(list of' -- \
    "$libro" verify "${T[@]}" --jws ada.jws
check "suspended --json" 5 '"outcome":"SUSPENDED","exit_code":5,"error":\{"code":"suspended".*"status":\{"checked":true,"revoked":false,"suspended":true' -- \
    "$libro" verify "${T[@]}" --json --jws ada.jws
check "rollback refused" 1 'status list https://registry.town-7.example/v1/status/0/suspension of .* is not newer than the one stored .*: not replaced' -- \
    "$libro" trust add "${T[@]}" sus1.jws
check "still suspended after the refused rollback" 5 '^SUSPENDED' -- \
    "$libro" verify "${T[@]}" --jws ada.jws
must "$libro" license reinstate --db "$DB" T7-N-0001 --actor ops --reason "dismissed"
publish suspension sus3.jws 30
must "$libro" trust add "${T[@]}" sus3.jws
check "reinstated" 0 '^VALID' -- "$libro" verify "${T[@]}" --jws ada.jws

# --- a forged list: another key under the registry's kid ------------------------------------
kid=$(cut -d. -f1 sus3.jws | b64url_decode | sed -n 's/.*"kid":"\([^"]*\)".*/\1/p')
cut -d. -f2 sus2.jws | b64url_decode >sus2.json
"$libro" jws sign --key other.pem --kid "$kid" --typ vc+jwt sus2.json >forged.jws
check "forged list refused" 1 'status list: jws: signature does not verify' -- \
    "$libro" trust add "${T[@]}" forged.jws
check "forged list not cached" 0 '^VALID' -- "$libro" verify "${T[@]}" --jws ada.jws

# --- revoke ---------------------------------------------------------------------------------
must "$libro" license revoke --db "$DB" T7-N-0001 --actor ops --reason "struck off"
publish revocation rev2.jws 30
must "$libro" trust add "${T[@]}" rev2.jws
check "revoked" 4 '^REVOKED: license revoked \(revocation list of' -- \
    "$libro" verify "${T[@]}" --jws ada.jws
check "revoked --json" 4 '"outcome":"REVOKED","exit_code":4,"error":\{"code":"revoked".*"status":\{"checked":true,"revoked":true' -- \
    "$libro" verify "${T[@]}" --json --jws ada.jws
check "revoked, even from old data" 4 '^REVOKED' -- \
    "$libro" verify "${T[@]}" --at "$(later '8 days')" --jws ada.jws
check "trust remove a list" 0 'removed 1 entry' -- \
    "$libro" trust remove "${T[@]}" $BASE/0/revocation
check "removed: unknown again" 7 'no status list cached' -- "$libro" verify "${T[@]}" --jws ada.jws

# --- the words: surrendered and lapsed, offline ------------------------------------------------
must "$libro" issue license --key board.pem --authorization auth.jws --community-charter town.jws \
    --holder "Cy Example" --number T7-N-0003 --profession "registered nurse" \
    --type nursing-general --scope "general care" --out cy.jws --registry "$DB" \
    --status-url-base $BASE
# Valid for a year from 400 days ago: expired 35 days ago, past its 30 days of grace.
must "$libro" issue license --key board.pem --authorization auth.jws --community-charter town.jws \
    --holder "Di Example" --number T7-N-0004 --profession "registered nurse" \
    --type nursing-general --scope "general care" --valid-from "$(ago '400 days')" --days 365 \
    --out di.jws --registry "$DB" --status-url-base $BASE
cut -d. -f2 cy.jws | b64url_decode >cy.json
check "the third status entry" 0 '"statusPurpose":"message","statusListIndex":"[0-9]+","statusListCredential":"https://registry.town-7.example/v1/status/0/message","statusSize":2,"statusMessage":\[\{"status":"0x0","message":"active"\},\{"status":"0x1","message":"surrendered"\},\{"status":"0x2","message":"lapsed"\},\{"status":"0x3","message":"undefined"\}\]\}\]\}$' -- \
    cat cy.json
must "$libro" license surrender --db "$DB" --actor "Cy Example" --reason "retiring" T7-N-0003
check "tick: expire and lapse" 0 '' -- "$libro" license tick --db "$DB"
check "the registry's record: lapsed" 0 'lapsed' -- "$libro" license show --db "$DB" T7-N-0004
publish revocation rev3.jws 30
publish message msg1.jws 30
check "registry status --purpose message" 0 'published message list 0 \(valid until' -- \
    "$libro" registry status --db "$DB" --key reg.pem --list 0 --purpose message \
    --id "$BASE/0/message" --days 30 --out msg-extra.jws
check "trust add the message list" 0 'added msg1.jws' -- "$libro" trust add "${T[@]}" rev3.jws msg1.jws
check "trust list shows it" 0 'status-list +message +https://registry.town-7.example/v1/status/0/message' -- \
    "$libro" trust list "${T[@]}"
check "surrendered" 4 '^SURRENDERED: license surrendered by its holder \(message list of' -- \
    "$libro" verify "${T[@]}" --jws cy.jws
check "surrendered: status line" 4 'status +SURRENDERED \(list of' -- \
    "$libro" verify "${T[@]}" --jws cy.jws
check "surrendered --json" 4 '"outcome":"SURRENDERED","exit_code":4,"error":\{"code":"surrendered".*"status":\{"checked":true,"revoked":true,"suspended":false,.*"word":"surrendered"' -- \
    "$libro" verify "${T[@]}" --json --jws cy.jws
check "surrendered, even from old data" 4 '^SURRENDERED' -- \
    "$libro" verify "${T[@]}" --at "$(later '8 days')" --jws cy.jws
check "lapsed" 3 '^LAPSED: license lapsed: not renewed within its grace period \(message list of' -- \
    "$libro" verify "${T[@]}" --jws di.jws
check "lapsed: status line" 3 'status +LAPSED \(message list\)' -- \
    "$libro" verify "${T[@]}" --jws di.jws
check "lapsed --json" 3 '"outcome":"LAPSED","exit_code":3,"error":\{"code":"lapsed".*"word":"lapsed"' -- \
    "$libro" verify "${T[@]}" --json --jws di.jws
check "revoked stays revoked" 4 '^REVOKED: license revoked \(revocation list of [0-9T:-]+Z\)$' -- \
    "$libro" verify "${T[@]}" --jws ada.jws
check "without the message list: revoked, word unknown" 4 '^REVOKED: .*word unknown: no status list cached for https://registry.town-7.example/v1/status/0/message' -- \
    bash -c '"$1" trust remove --trust-dir trust "$2" >/dev/null && "$1" verify --trust-dir trust --jws cy.jws' _ "$libro" "$BASE/0/message"
check "without the message list: expired" 3 '^EXPIRED' -- \
    "$libro" verify "${T[@]}" --jws di.jws

# --- usage ----------------------------------------------------------------------------------
check "--max-status-age 0" 2 'max-status-age' -- "$libro" verify "${T[@]}" --max-status-age 0 --jws ada.jws
check "--max-status-age junk" 2 'max-status-age' -- "$libro" verify "${T[@]}" --max-status-age 7x --jws ada.jws
check "--max-status-age too long" 2 'max-status-age' -- "$libro" verify "${T[@]}" --max-status-age 367d --jws ada.jws
check "verify --help: --max-status-age" 0 'max-status-age AGE' -- "$libro" verify --help
check "trust add --help: status lists" 0 'status list' -- "$libro" trust add --help

printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
