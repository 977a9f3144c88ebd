#!/usr/bin/env bash
# End-to-end tests of the registry in embedded mode (a local SQLite file) with the real
# binary: libro registry init|type|status, libro issue license --registry, and
# libro license show|expiring|suspend|reinstate|revoke|surrender|renew|tick, each refusal
# with its exit code and message. Prints "N passed, N failed".
set -uo pipefail
libro=${1:?usage: registry_test.sh PATH/TO/libro}
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro") # we cd below
work=$(mktemp -d "${TMPDIR:-/tmp}/libro-e2e-registry.XXXXXX")
trap 'db_cleanup; rm -rf "$work"' EXIT
cd "$work" || exit 1
export XDG_DATA_HOME="$work/xdg"
passed=0
failed=0
# The registry works on the real clock (renewals start now), so the world is built around it.
ago() { date -u -d "$1 ago" +%Y-%m-%dT%H:%M:%SZ; }
FROM=$(ago '30 days')
BASE=https://registry.town-7.example/v1/status

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" # check, must, ok, fail, db_new
e2e_require_db
b64url_decode() {
    local p
    p=$(tr '_-' '/+')
    while [ $((${#p} % 4)) -ne 0 ]; do p="$p="; done
    printf '%s' "$p" | base64 -d
}
payload() { cut -d. -f2 "$1" | b64url_decode; }
# The bit at INDEX of a signed status list FILE (its encodedList: 'u' + base64url of gzip).
bit_at() { # FILE INDEX
    local enc byte
    enc=$(payload "$1" | sed -n 's/.*"encodedList":"u\([^"]*\)".*/\1/p')
    byte=$(printf '%s' "$enc" | b64url_decode | gzip -dc | od -An -tu1 -j $(($2 / 8)) -N1 | tr -d ' ')
    echo $(((byte >> (7 - $2 % 8)) & 1))
}

# --- the world: Town 7, its board (issuer) and its registry ----------------------------------
e2e_town7 "$FROM"
DB=$(db_new reg.db) || exit 1
ODB=$(db_new other.db) || exit 1
BAD=$(db_new bad.db) || exit 1
NOPE=$(db_new nope.db) || exit 1
ISSUER=(--key board.pem --authorization auth.jws --community-charter town.jws)
lic() { e2e_license "$DB" "$@"; } # NUMBER TYPE OUT [extra options]

# --- registry init ---------------------------------------------------------------------------
check "init" 0 "created registry $(db_re "$DB")" -- "$libro" registry init --db "$DB" --charter town.jws \
    --authorization regauth.jws
check "init names the registry" 0 'urn:libro:town-7:registry' -- "$libro" registry init \
    --db "$ODB" --charter town.jws --authorization regauth.jws
check "init refuses to overwrite" 1 'exists' -- "$libro" registry init --db "$DB" \
    --charter town.jws --authorization regauth.jws
check "init: an issuer authorization is not a registry's" 1 'RegistryAuthorization|IssuerAuthorization' -- \
    "$libro" registry init --db "$BAD" --charter town.jws --authorization auth.jws
check "init: nothing left behind" 1 '' -- db_exists "$BAD"
check "a missing database" 1 "no registry at $(db_re "$NOPE")" -- "$libro" license show --db "$NOPE" X-1

# --- registry type ---------------------------------------------------------------------------
check "type" 0 'license type nursing-general: validity 365 days' -- "$libro" registry type --db "$DB" \
    --id nursing-general --validity-days 365 --renewal-window-days 365 --grace-days 30 \
    --requires 'cpd_hours >= 60, supervised_hours >= 10' --actor "registrar Bo"
check "type lists requirements" 0 'requires supervised_hours >= 10' -- "$libro" registry type \
    --db "$DB" --id nursing-general --validity-days 365 --renewal-window-days 365 --grace-days 30 \
    --requires 'cpd_hours >= 60, supervised_hours >= 10' --actor "registrar Bo"
check "type: bad requirement" 1 'requires.*requirement 1' -- "$libro" registry type --db "$DB" \
    --id x --validity-days 10 --renewal-window-days 1 --grace-days 1 --requires 'cpd_hours 60' \
    --actor ops
check "type: window longer than validity" 1 'renewal window' -- "$libro" registry type --db "$DB" \
    --id x --validity-days 10 --renewal-window-days 11 --grace-days 1 --actor ops
# Two one-day types for the clock: one lapses at once, one keeps a grace period.
must "$libro" registry type --db "$DB" --id first-aid --validity-days 1 --renewal-window-days 1 \
    --grace-days 0 --actor ops
must "$libro" registry type --db "$ODB" --id first-aid --validity-days 1 --renewal-window-days 1 \
    --grace-days 30 --actor ops

# --- issue --registry --------------------------------------------------------------------------
check "issue --registry" 0 'registered T7-N-0001 \(status list 0, index [0-9]+\)' -- \
    lic T7-N-0001 nursing-general ada.jws --qr ada.png
check "license carries credentialStatus" 0 '"credentialStatus":\[\{"id":"https://registry.town-7.example/v1/status/0/revocation#[0-9]+"' -- payload ada.jws
check "suspension entry" 0 '"statusPurpose":"suspension","statusListIndex":"[0-9]+","statusListCredential":"https://registry.town-7.example/v1/status/0/suspension"' -- payload ada.jws
INDEX=$(payload ada.jws | sed -n 's/.*"statusListIndex":"\([0-9]*\)".*/\1/p')
check "default validity is the registry type's" 0 '' -- test "$(payload ada.jws | sed -n 's/.*"validUntil":"\([0-9-]*\)T.*/\1/p')" = "$(date -u -d '365 days' +%Y-%m-%d)"
check "issue --registry: number taken" 1 'already registered' -- lic T7-N-0001 nursing-general ada-dup.jws
check "issue --registry: refused license not written" 1 '' -- test -e ada-dup.jws
check "issue --registry: longer than the type" 1 'longer than the 365 days' -- \
    lic T7-N-0009 nursing-general x9.jws --days 400
check "issue --registry: type not in the registry" 1 'not defined in the registry' -- \
    "$libro" issue license "${ISSUER[@]}" --holder H --number T7-X-1 --profession p \
    --type nursing-general --scope s --out x1.jws --registry "$ODB" --status-url-base $BASE
check "issue --registry: output exists" 1 'exists' -- lic T7-N-0010 nursing-general ada.jws
check "issue --registry: status lists not on https" 1 'https|URL|url' -- "$libro" issue license \
    "${ISSUER[@]}" --holder H --number T7-N-0011 --profession p --type nursing-general --scope s \
    --out x11.jws --registry "$DB" --status-url-base http://registry.example/status
check "issue without a registry still works" 0 'issued ProfessionalLicense' -- \
    "$libro" issue license "${ISSUER[@]}" --holder H --number T7-OFF-1 --profession p \
    --type nursing-general --scope s --days 30 --out offline.jws
payload offline.jws >offline.json
check "offline license has no status" 1 '' -- grep -q credentialStatus offline.json

# --- show ------------------------------------------------------------------------------------
check "show" 0 'state +active' -- "$libro" license show --db "$DB" T7-N-0001
check "show: status index" 0 "status +list 0, index $INDEX" -- "$libro" license show --db "$DB" T7-N-0001
check "show: issue event" 0 'issue +v1 +- +-> active +by urn:libro:town-7:board' -- "$libro" license show --db "$DB" T7-N-0001
check "show --json" 0 '^\{"ok":true,"license":\{"number":"T7-N-0001","version":1,"state":"active"' -- \
    "$libro" license show --db "$DB" --json T7-N-0001
check "show --json: history" 0 '"history":\[\{"at":"[^"]*","action":"issue","actor":"urn:libro:town-7:board","reason":"","category":null,"from":null,"to":"active","version":1,"evidence":null\}\]' -- \
    "$libro" license show --db "$DB" --json T7-N-0001
check "show: unknown number" 1 'no license' -- "$libro" license show --db "$DB" T7-N-9999
check "show --json: unknown number" 1 '^\{"ok":false,"error":\{"code":"not_found"' -- \
    "$libro" license show --db "$DB" --json T7-N-9999

# --- suspend, publish, reinstate -------------------------------------------------------------
check "suspend" 0 'T7-N-0001: active -> suspended' -- "$libro" license suspend --db "$DB" T7-N-0001 \
    --actor "registrar Bo" --reason "complaint under review"
check "show: suspended" 0 'state +suspended' -- "$libro" license show --db "$DB" T7-N-0001
check "show: who and why" 0 'suspend .*by registrar Bo: complaint under review' -- \
    "$libro" license show --db "$DB" T7-N-0001
check "suspend again" 1 'suspend' -- "$libro" license suspend --db "$DB" T7-N-0001 --actor ops --reason again
check "renew a suspended license" 1 'reinstate it first' -- "$libro" license renew --db "$DB" \
    "${ISSUER[@]}" --evidence cpd_hours=60 --evidence supervised_hours=10 --actor ops \
    --out never.jws T7-N-0001
check "publish suspension list" 0 'published suspension list 0' -- "$libro" registry status \
    --db "$DB" --key reg.pem --list 0 --purpose suspension --id $BASE/0/suspension --days 7 --out sus1.jws
check "status list verifies with the registry key" 0 '"statusPurpose":"suspension"' -- \
    "$libro" jws verify --key reg.pub --typ vc+jwt sus1.jws
check "status list: issuer is the registry" 0 '"issuer":"urn:libro:town-7:registry"' -- payload sus1.jws
check "status list: its id" 0 "\"id\":\"$BASE/0/suspension\"" -- payload sus1.jws
check "status list: suspended bit set" 0 '^1$' -- bit_at sus1.jws "$INDEX"
check "status list: another key" 1 'not the key' -- "$libro" registry status --db "$DB" \
    --key board.pem --list 0 --purpose suspension --id $BASE/0/suspension --days 7 --out x.jws
check "status list: never overwrites" 1 'exists' -- "$libro" registry status --db "$DB" \
    --key reg.pem --list 0 --purpose suspension --id $BASE/0/suspension --days 7 --out sus1.jws
check "reinstate" 0 'suspended -> active' -- "$libro" license reinstate --db "$DB" T7-N-0001 \
    --actor "registrar Bo" --reason "complaint dismissed"
must "$libro" registry status --db "$DB" --key reg.pem --list 0 --purpose suspension \
    --id $BASE/0/suspension --days 7 --out sus2.jws
check "status list: bit cleared after reinstate" 0 '^0$' -- bit_at sus2.jws "$INDEX"

# --- renew -----------------------------------------------------------------------------------
check "renew: requirement not met" 1 'requirement cpd_hours >= 60 not met \(40 recorded\)' -- \
    "$libro" license renew --db "$DB" "${ISSUER[@]}" --evidence cpd_hours=40 \
    --evidence supervised_hours=10 --actor ops --out never.jws T7-N-0001
check "renew: requirement missing" 1 'supervised_hours >= 10 not met \(none recorded\)' -- \
    "$libro" license renew --db "$DB" "${ISSUER[@]}" --evidence cpd_hours=60 --actor ops \
    --out never.jws T7-N-0001
check "renew: refused renewal not written" 1 '' -- test -e never.jws
check "renew" 0 'T7-N-0001: renewed, version 2' -- "$libro" license renew --db "$DB" "${ISSUER[@]}" \
    --evidence cpd_hours=64 --evidence supervised_hours=12 --actor "registrar Bo" \
    --reason "annual renewal" --out ada2.jws --qr ada2.png T7-N-0001
check "renewed: same number" 0 '"licenseNumber":"T7-N-0001"' -- payload ada2.jws
check "renewed: same status entry" 0 "\"id\":\"$BASE/0/revocation#$INDEX\"" -- payload ada2.jws
check "renewed: same scope" 0 '"scope":\["general care"\]' -- payload ada2.jws
check "renewed: QR written" 0 '' -- test -s ada2.png
check "show: version 2" 0 'T7-N-0001 \(version 2\)' -- "$libro" license show --db "$DB" T7-N-0001
check "show: renewal evidence" 0 'renew +v2 .*by registrar Bo: annual renewal \[cpd_hours=64,supervised_hours=12\]' -- \
    "$libro" license show --db "$DB" T7-N-0001
must "$libro" trust add --trust-dir trust --anchor town.jws
must "$libro" trust add --trust-dir trust auth.jws
# The license carries credentialStatus: the verifier needs the registry and its lists.
must "$libro" registry status --db "$DB" --key reg.pem --list 0 --purpose revocation \
    --id $BASE/0/revocation --days 7 --out rev0.jws
must "$libro" trust add --trust-dir trust regauth.jws sus2.jws rev0.jws
# Renewed early, the new version starts the second after the old one ends (the days left are
# kept): until then the old version is the valid one, and the new one is not yet.
ADA_UNTIL=$(payload ada.jws | sed -n 's/.*"validUntil":"\([^"]*\)".*/\1/p')
ADA2_FROM=$(payload ada2.jws | sed -n 's/.*"validFrom":"\([^"]*\)".*/\1/p')
if [ "$(date -u -d "$ADA2_FROM" +%s)" -eq $(($(date -u -d "$ADA_UNTIL" +%s) + 1)) ]; then
    ok
else
    fail "renewed: validFrom $ADA2_FROM is not the second after $ADA_UNTIL"
fi
check "old license still verifies" 0 '^VALID' -- "$libro" verify --trust-dir trust --jws ada.jws
check "renewed license: not before the old one ends" 3 "^NOT YET VALID: license is not valid before $ADA2_FROM" -- \
    "$libro" verify --trust-dir trust --jws ada2.jws
check "renewed license QR: the same" 3 '^NOT YET VALID' -- "$libro" verify --trust-dir trust ada2.png
check "renew: output exists" 1 'exists' -- "$libro" license renew --db "$DB" "${ISSUER[@]}" \
    --evidence cpd_hours=64 --evidence supervised_hours=12 --actor ops --out ada2.jws T7-N-0001
check "renew: unknown number" 1 'no license' -- "$libro" license renew --db "$DB" "${ISSUER[@]}" \
    --actor ops --out never.jws T7-N-9999

# --- revoke, surrender -------------------------------------------------------------------------
check "revoke" 0 'active -> revoked' -- "$libro" license revoke --db "$DB" T7-N-0001 \
    --actor "registrar Bo" --reason "struck off" --category conduct
check "show: the category" 0 'revoke .*by registrar Bo: struck off \(conduct\)' -- \
    "$libro" license show --db "$DB" T7-N-0001
check "show --json: the category" 0 '"action":"revoke","actor":"registrar Bo","reason":"struck off","category":"conduct"' -- \
    "$libro" license show --db "$DB" --json T7-N-0001
check "show --json: none given is other" 0 '"action":"suspend","actor":"registrar Bo","reason":"complaint under review","category":"other"' -- \
    "$libro" license show --db "$DB" --json T7-N-0001
check "revoke again: final" 1 'revoked' -- "$libro" license revoke --db "$DB" T7-N-0001 \
    --actor ops --reason again
check "reinstate a revoked license" 1 'revoked' -- "$libro" license reinstate --db "$DB" T7-N-0001 \
    --actor ops --reason "try"
check "renew a revoked license" 1 'a revoked license cannot be renewed' -- "$libro" license renew \
    --db "$DB" "${ISSUER[@]}" --evidence cpd_hours=64 --evidence supervised_hours=12 --actor ops \
    --out never.jws T7-N-0001
must "$libro" registry status --db "$DB" --key reg.pem --list 0 --purpose revocation \
    --id $BASE/0/revocation --days 7 --out rev1.jws
check "revocation list: bit set" 0 '^1$' -- bit_at rev1.jws "$INDEX"
check "revocation list verifies" 0 '"statusPurpose":"revocation"' -- \
    "$libro" jws verify --key reg.pub --typ vc+jwt rev1.jws
must lic T7-N-0002 nursing-general bo.jws
check "surrender" 0 'T7-N-0002: active -> surrendered' -- "$libro" license surrender --db "$DB" \
    T7-N-0002 --actor "Bo Example" --reason "retired"
check "surrender again: final" 1 'surrender' -- "$libro" license surrender --db "$DB" T7-N-0002 \
    --actor ops --reason again
check "change needs a reason" 1 'reason' -- "$libro" license suspend --db "$DB" T7-N-0002 \
    --actor ops --reason ''

# --- the clock: tick, expiring ---------------------------------------------------------------
# One-day licenses that started two days ago (registration checks the span, not the start).
must lic T7-F-0001 first-aid fa1.jws --valid-from "$(ago '2 days')" --days 1
must "$libro" issue license "${ISSUER[@]}" --holder "Cy Example" --number T7-F-0002 \
    --profession "first aider" --type first-aid --scope "first aid" --out fa2.jws \
    --registry "$ODB" --status-url-base $BASE --valid-from "$(ago '2 days')" --days 1
must lic T7-N-0003 nursing-general cy.jws --days 20
check "expiring: soon" 0 'T7-N-0003 +active' -- "$libro" license expiring --db "$DB" --within 30
check "expiring: not yet" 0 '^libro: 0 licenses to renew within 10 days' -- "$libro" license expiring \
    --db "$DB" --within 10
check "expiring --json" 0 '^\{"ok":true,"licenses":\[\{"number":"T7-N-0003"' -- \
    "$libro" license expiring --db "$DB" --within 30 --json
check "tick: expire and lapse (no grace)" 0 '^2 changes$' -- "$libro" license tick --db "$DB"
check "show: lapsed" 0 'state +lapsed' -- "$libro" license show --db "$DB" T7-F-0001
check "show: the clock's events" 0 'lapse .*by registry' -- "$libro" license show --db "$DB" T7-F-0001
check "tick again: nothing" 0 '^0 changes$' -- "$libro" license tick --db "$DB"
check "renew a lapsed license" 1 'lapsed' -- "$libro" license renew --db "$DB" "${ISSUER[@]}" \
    --actor ops --out never.jws T7-F-0001
check "tick: expire (in grace)" 0 '^1 change$' -- "$libro" license tick --db "$ODB"
check "expiring: expired in grace" 0 'T7-F-0002 +expired' -- "$libro" license expiring --db "$ODB" --within 0
check "renew in the grace period" 0 'renewed, version 2' -- "$libro" license renew --db "$ODB" \
    "${ISSUER[@]}" --actor ops --out fa2-renewed.jws T7-F-0002
check "renewed: active again" 0 'state +active' -- "$libro" license show --db "$ODB" T7-F-0002

# --- usage errors ----------------------------------------------------------------------------
check "registry: no subcommand" 2 'usage: libro registry' -- "$libro" registry
check "registry: unknown subcommand" 2 'unknown command' -- "$libro" registry frob
check "license: no subcommand" 2 'usage: libro license' -- "$libro" license
check "license: unknown subcommand" 2 'unknown command' -- "$libro" license frob
check "init: missing options" 2 'required' -- "$libro" registry init --db x.db
check "type: bad days" 2 'days' -- "$libro" registry type --db "$DB" --id x --validity-days 0 \
    --renewal-window-days 1 --grace-days 1 --actor ops
check "type: days not a number" 2 'days' -- "$libro" registry type --db "$DB" --id x \
    --validity-days ten --renewal-window-days 1 --grace-days 1 --actor ops
check "status: bad purpose" 2 'purpose' -- "$libro" registry status --db "$DB" --key reg.pem \
    --list 0 --purpose refresh --id $BASE/0/refresh --days 7 --out x.jws
check "status: bad days" 2 'days' -- "$libro" registry status --db "$DB" --key reg.pem \
    --list 0 --purpose revocation --id $BASE/0/revocation --days 0 --out x.jws
check "status: bad list" 2 'list' -- "$libro" registry status --db "$DB" --key reg.pem \
    --list -1 --purpose revocation --id $BASE/0/revocation --days 7 --out x.jws
check "show: no number" 2 'missing argument' -- "$libro" license show --db "$DB"
check "show: two numbers" 2 'unexpected argument' -- "$libro" license show --db "$DB" A B
check "show: no --db" 2 'db' -- "$libro" license show T7-N-0001
check "suspend: no reason" 2 'reason' -- "$libro" license suspend --db "$DB" --actor ops T7-N-0003
check "suspend: unknown option" 2 "unknown option '--why'" -- "$libro" license suspend --db "$DB" \
    --actor ops --why x T7-N-0003
check "suspend: unknown category" 2 'unknown reason category "mood" \(one of conduct, competence, health, administrative, holder-request, non-renewal, other\)' -- \
    "$libro" license suspend --db "$DB" --actor ops --reason r --category mood T7-N-0003
check "reinstate: no category" 2 'a reinstatement takes no --category' -- \
    "$libro" license reinstate --db "$DB" --actor ops --reason r --category other T7-N-0003
check "expiring: bad --within" 2 'within' -- "$libro" license expiring --db "$DB" --within soon
check "renew: bad evidence" 2 'evidence' -- "$libro" license renew --db "$DB" "${ISSUER[@]}" \
    --evidence cpd_hours --actor ops --out x.jws T7-N-0003
check "renew: negative evidence" 2 'evidence' -- "$libro" license renew --db "$DB" "${ISSUER[@]}" \
    --evidence cpd_hours=-5 --actor ops --out x.jws T7-N-0003
check "renew: no --out" 2 'required' -- "$libro" license renew --db "$DB" "${ISSUER[@]}" \
    --actor ops T7-N-0003
check "tick: repeated --db" 2 'given twice' -- "$libro" license tick --db "$DB" --db "$DB"
check "issue: --registry without --status-url-base" 2 'go together' -- "$libro" issue license \
    "${ISSUER[@]}" --holder H --number N --profession p --type nursing-general --scope s \
    --out x.jws --registry "$DB"

# --- help ------------------------------------------------------------------------------------
for sub in "registry init" "registry type" "registry status" "license show" "license expiring" \
    "license suspend" "license reinstate" "license revoke" "license surrender" "license renew" \
    "license tick"; do
    # shellcheck disable=SC2086
    check "$sub --help" 0 "^usage: libro $sub" -- "$libro" $sub --help
done
check "registry --help" 0 'status +publish a signed status list' -- "$libro" registry --help
check "license --help" 0 'renew +sign and record' -- "$libro" license --help
check "help license renew" 0 '^usage: libro license renew' -- "$libro" help license renew
check "issue license --help: --registry" 0 '--registry DB' -- "$libro" issue license --help

# --- registry init creating what is missing ---------------------------------------------------
mkdir -p "$work/boot"
TDB=$(db_new boot/t.db) || exit 1
check "init creates keys, charter, authorization" 0 'created registry' -- "$libro" registry init \
    --db "$TDB" --charter "$work/boot/t.jws" --authorization "$work/boot/a.jws" \
    --community-key "$work/boot/t.pem" --registry-key "$work/boot/r.pem" --id urn:libro:town-9 \
    --name "Town 9" --level 2 --allow nursing-general --registry-id urn:libro:town-9:registry \
    --registry-name "Town 9 Registry" --url https://registry.town-9.example
if [ "$(stat -c %a "$work/boot/t.pem")" = 600 ] && [ "$(stat -c %a "$work/boot/r.pem")" = 600 ] &&
    "$libro" trust add --trust-dir "$work/boot/store" --anchor "$work/boot/t.jws" >/dev/null &&
    "$libro" trust add --trust-dir "$work/boot/store" "$work/boot/a.jws" >/dev/null; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    echo "FAIL: created keys are 0600, the charter an anchor, the authorization addable"
fi
check "init never overwrites the database" 1 'never overwritten' -- "$libro" registry init \
    --db "$TDB" --charter "$work/boot/t.jws" --authorization "$work/boot/a.jws"
check "init: a missing authorization needs its fields" 1 'needs --registry-id' -- "$libro" \
    registry init --db "$work/boot/u.db" --charter "$work/boot/t.jws" \
    --authorization "$work/boot/b.jws" --community-key "$work/boot/t.pem" \
    --registry-key "$work/boot/r.pem"
check "init: a missing charter needs the community key" 1 'needs --community-key' -- "$libro" \
    registry init --db "$work/boot/v.db" --charter "$work/boot/none.jws" \
    --authorization "$work/boot/a.jws"
check "init: the charter must name the community key" 1 'another key' -- "$libro" registry init \
    --db "$work/boot/w.db" --charter "$work/boot/t.jws" --authorization "$work/boot/c.jws" \
    --community-key "$work/boot/other.pem" --registry-key "$work/boot/r.pem" \
    --registry-id urn:libro:town-9:registry --registry-name R --url https://r.example
check "libro --help lists registry" 0 'registry +create a registry' -- "$libro" --help

printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
