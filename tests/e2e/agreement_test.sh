#!/usr/bin/env bash
# Responsibility agreements end to end, on the real server: Neighborhood 3's registry; Ada and
# Bob draft, sign in either order and register an agreement (PARTIAL until both signed); the
# documents a verifier must refuse or count right (each party missing, a stripped signature,
# a duplicate signer, a non-party signer, a payload swapped); seven parties sign in a shuffled
# order (the document's size is printed for the note); an amendment every party re-signed
# supersedes the first version; one party gives notice, seven end theirs mutually; an
# employer syncs the registry's trust bundle and verifies offline, from files and from the
# reference QR code. Prints "N passed, N failed".
# Usage: agreement_test.sh PATH/TO/libro
set -uo pipefail
libro=${1:?usage: agreement_test.sh PATH/TO/libro}
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro") # we cd below
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_require agreement_test.sh sha256sum date base64
e2e_start agreement
# The registries: files here on SQLite, fresh schemas on PostgreSQL (LIBRO_TEST_DB).
N3_DB=$(db_new n3.db) || exit 1

at() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; } # GNU date: "1 year ago", "now"
hash_of() { printf 'sha256:%s' "$(sha256sum <"$1" | cut -c1-64)"; }
N=urn:libro:neighborhood-3

# --- every command has its --help -----------------------------------------------------------------
for c in draft sign verify register amend end show; do
    check "agreement $c --help" 0 "^usage: libro agreement $c " -- "$libro" agreement $c --help
    check "libro help agreement $c" 0 "^usage: libro agreement $c " -- "$libro" help agreement $c
done
check "agreement without a command" 2 'usage: libro agreement <command>' -- "$libro" agreement
check "libro help lists agreement" 0 '^  agreement +draft, sign' -- "$libro" help

# --- the neighborhood, its registry, the parties --------------------------------------------------
must "$libro" key new --out n3.pem
must "$libro" issue charter --self --key n3.pem --id $N --name "Neighborhood 3" --level 1 \
    --allow civic --valid-from "$(at '1 year ago')" --days 3650 --out n3.jws
must "$libro" registry init --db "$N3_DB" --charter n3.jws --community-key n3.pem \
    --registry-key reg.pem --authorization reg-auth.jws --registry-id $N:registry \
    --registry-name "Neighborhood 3 Registry" --url http://127.0.0.1
for p in ada bob carla p1 p2 p3 p4 p5 p6 p7; do
    must "$libro" key new --out $p.pem --public-out $p.pub
done

# --- drafting -------------------------------------------------------------------------------------
draft2() { # OUT [options]: Ada (tenant) and Bob (owner), by options
    local out=$1
    shift
    "$libro" agreement draft --title "${TITLE:-Shared use of the Tribe 2 workshop}" \
        --community "${COMMUNITY:-$N}" --community-level 1 --party "ada.pub:tenant:Ada Example" \
        --party "bob.pem:owner:Bob Example" --responsibility "1:keep the workshop tidy" \
        --responsibility "1:pay 40 a month" --responsibility "2:keep the roof sound" \
        --notice-days 30 --days 365 --out "$out" "$@"
}
check "draft: two parties from options" 0 'DRAFT: "Shared use of the Tribe 2 workshop", 0 of 2' \
    -- draft2 a.json
check "draft: the file is not overwritten" 1 'exists' -- draft2 a.json
check "draft: one party is not an agreement" 1 'at least two parties' -- "$libro" agreement \
    draft --title T --community $N --community-level 1 --party "ada.pub:tenant:Ada" \
    --responsibility "1:r" --notice-days 30 --days 10 --out one.json
check "draft: no ending" 1 'how it may end' -- "$libro" agreement draft --title T \
    --community $N --community-level 1 --party "ada.pub:tenant:Ada" --party "bob.pub:owner:Bob" \
    --responsibility "1:r" --responsibility "2:s" --days 10 --out no-end.json
check "draft: a party without a responsibility" 1 'responsibility' -- "$libro" agreement draft \
    --title T --community $N --community-level 1 --party "ada.pub:tenant:Ada" \
    --party "bob.pub:owner:Bob" --responsibility "1:r" --notice-days 3 --days 10 --out nr.json
check "draft: one key for two parties" 1 '' -- "$libro" agreement draft --title T \
    --community $N --community-level 1 --party "ada.pub:tenant:Ada" --party "ada.pem:owner:Bob" \
    --responsibility "1:r" --responsibility "2:s" --notice-days 3 --days 10 --out same.json
check "draft: --party without a name" 2 'KEYFILE:ROLE:NAME' -- "$libro" agreement draft \
    --party "ada.pub:tenant" --out x.json
check "draft: --responsibility of party 3 of 2" 2 'N:TEXT' -- "$libro" agreement draft \
    --party "ada.pub:tenant:Ada" --party "bob.pub:owner:Bob" --responsibility "3:r" --out x.json
check "draft: notice and mutual only" 2 'at most one of --notice-days, --mutual-only' -- \
    "$libro" agreement draft --party "ada.pub:t:A" --party "bob.pub:o:B" --notice-days 3 \
    --mutual-only --out x.json
check "verify: a draft is PARTIAL, nobody signed" 9 'missing +Ada Example, Bob Example' -- \
    "$libro" agreement verify a.json

# --- signing in any order -------------------------------------------------------------------------
cp a.json a-bob-first.json
check "sign: Bob first" 0 'PARTIAL: .*1 of 2' -- "$libro" agreement sign --key bob.pem \
    a-bob-first.json
check "verify: Ada missing" 9 'missing +Ada Example$' -- "$libro" agreement verify a-bob-first.json
check "sign: Bob twice" 1 'signed already' -- "$libro" agreement sign --key bob.pem \
    a-bob-first.json
check "sign: Carla is no party" 1 'no party' -- "$libro" agreement sign --key carla.pem \
    a-bob-first.json
check "sign: a public key cannot sign" 1 '' -- "$libro" agreement sign --key ada.pub \
    a-bob-first.json
check "sign: Ada second" 0 'COMPLETE: .*2 of 2' -- "$libro" agreement sign --key ada.pem \
    a-bob-first.json
cp a.json a-ada-only.json
check "sign: Ada first, to a new file" 0 'PARTIAL' -- "$libro" agreement sign --key ada.pem \
    --out a-ada-first.json a.json
check "verify: the draft is untouched by --out" 9 '0 of 2' -- "$libro" agreement verify a.json
must "$libro" agreement sign --key ada.pem a-ada-only.json
check "verify: Bob missing" 9 'missing +Bob Example$' -- "$libro" agreement verify a-ada-only.json
check "sign: Bob second" 0 'COMPLETE' -- "$libro" agreement sign --key bob.pem a-ada-first.json
# A party whose key is encrypted signs with its passphrase from a descriptor, never argv.
must "$libro" key new --out dora.pem --public-out dora.pub --passphrase-fd 3 3<<<"dora's secret"
printf '{"title":"T","community":{"id":"%s","level":1},"parties":[%s,%s],%s}' $N \
    '{"name":"Ada","role":"r","key":"ada.pub","responsibilities":["x"]}' \
    '{"name":"Dora","role":"r","key":"dora.pub","responsibilities":["y"]}' \
    "\"ending\":{\"noticeDays\":7},\"validUntil\":\"$(at '1 year')\"" >dora.spec.json
must "$libro" agreement draft --spec dora.spec.json --out dora.json
check "sign: an encrypted key without its passphrase" 1 'passphrase' -- "$libro" agreement sign \
    --key dora.pem dora.json
check "sign: an encrypted key, its passphrase from a descriptor" 0 'PARTIAL.*1 of 2' -- \
    "$libro" agreement sign --key dora.pem --passphrase-fd 3 dora.json 3<<<"dora's secret"
check "verify: complete, either order" 0 '^COMPLETE: "Shared use' -- "$libro" agreement verify \
    a-ada-first.json
check "verify --json: complete" 0 '"outcome":"COMPLETE".*"signed":2' -- "$libro" agreement \
    verify --json a-ada-first.json
A=a-ada-first.json

# --- documents a verifier must count right or refuse ----------------------------------------------
b64url_decode() {
    local p
    p=$(tr '_-' '/+')
    while [ $((${#p} % 4)) -ne 0 ]; do p="$p="; done
    printf '%s' "$p" | base64 -d
}
payload_of() { sed 's/^{"payload":"\([^"]*\)".*/\1/' "$1"; }
sig() { # DOC N: the Nth signature object (1-based), as written
    grep -o '{"protected":"[^"]*","signature":"[^"]*"}' "$1" | sed -n "${2}p"
}
doc() { # PAYLOAD SIGNATURE...: a General Serialization document
    local p=$1 s
    shift
    s=$(IFS=,; printf '%s' "$*")
    printf '{"payload":"%s","signatures":[%s]}' "$p" "$s"
}
doc "$(payload_of $A)" "$(sig $A 1)" >stripped.json
check "stripped signature: PARTIAL, never COMPLETE" 9 'PARTIAL.*1 of 2' -- "$libro" agreement \
    verify stripped.json
doc "$(payload_of $A)" "$(sig $A 1)" "$(sig $A 1)" >dup.json
check "duplicate signer: counted once" 9 'PARTIAL.*1 of 2' -- "$libro" agreement verify dup.json
doc "$(payload_of $A)" "$(sig $A 1)" "$(sig $A 2)" "$(sig $A 1)" >dup3.json
check "duplicate signer beside the other: COMPLETE" 0 'COMPLETE.*2 of 2' -- "$libro" agreement \
    verify dup3.json
# Carla signs the same payload with `libro jws sign` (the same base64url payload segment).
payload_of $A | b64url_decode >payload.json
field() { "$libro" key show --json "$1" | sed "s/.*\"$2\":\"\([^\"]*\)\".*/\1/"; }
"$libro" jws sign --key carla.pem --kid "$(field carla.pem did)#$(field carla.pem thumbprint)" \
    --typ vc+jwt payload.json >carla.jws 2>/dev/null
if [ "$(cut -d. -f2 carla.jws)" = "$(payload_of $A)" ]; then ok; else fail "carla.jws: payload"; fi
doc "$(payload_of $A)" "$(sig $A 1)" "$(sig $A 2)" \
    "{\"protected\":\"$(cut -d. -f1 carla.jws)\",\"signature\":\"$(cut -d. -f3 carla.jws)\"}" \
    >nonparty.json
check "non-party signer: INVALID" 1 'INVALID: .*not a party' -- "$libro" agreement verify \
    nonparty.json
TITLE="Another agreement" must draft2 b.json
must "$libro" agreement sign --key ada.pem b.json
must "$libro" agreement sign --key bob.pem b.json
doc "$(payload_of b.json)" "$(sig $A 1)" "$(sig $A 2)" >swapped.json
check "payload swapped: INVALID" 1 'INVALID' -- "$libro" agreement verify swapped.json
check "verify --json: INVALID is a failure document" 1 '"ok":false' -- "$libro" agreement \
    verify --json swapped.json
check "sign: a document with a bad signature" 1 'signature' -- "$libro" agreement sign \
    --key ada.pem swapped.json

# --- seven parties, from a spec, signed in a shuffled order ---------------------------------------
{
    printf '{"title":"The Tribe 2 garden","community":{"id":"%s","level":1},"parties":[' $N
    for i in 1 2 3 4 5 6 7; do
        [ $i -gt 1 ] && printf ','
        printf '{"name":"Gardener %s","role":"gardener","key":"p%s.pub","responsibilities":' $i $i
        printf '["water the beds on day %s of the week","share the harvest"]}' $i
    done
    printf '],"ending":{"mutualOnly":true},"validFrom":"%s","validUntil":"%s"}' \
        "$(at '1 day ago')" "$(at '2 years')"
} >garden.spec.json
check "draft: seven parties from a spec" 0 'DRAFT: "The Tribe 2 garden", 0 of 7' -- "$libro" \
    agreement draft --spec garden.spec.json --out g.json
k=0
for i in 5 2 7 1 3 6 4; do
    k=$((k + 1))
    want=PARTIAL
    [ $k -eq 7 ] && want=COMPLETE
    check "seven: party $i signs ($k of 7)" 0 "$want: .*$k of 7" -- "$libro" agreement sign \
        --key p$i.pem g.json
done
printf 'agreement_test: a 7-party agreement document is %s bytes\n' "$(wc -c <g.json)"
printf '{"title":"T","community":{"id":"%s","level":1},"parties":[%s,%s]}' $N \
    '{"name":"A","role":"r","key":"p1.pub","did":"did:key:z6Mkx","responsibilities":["x"]}' \
    '{"name":"B","role":"r","key":"p2.pub","responsibilities":["y"]}' >two-keys.spec.json
check "spec: a party with two keys" 1 'exactly one of' -- "$libro" agreement draft --spec \
    two-keys.spec.json --out spec-bad.json
printf '{"title":"T","colour":"red"}' >colour.spec.json
check "spec: an unknown member" 1 'unexpected member "colour"' -- "$libro" agreement draft \
    --spec colour.spec.json --out spec-bad2.json

# --- the registry ---------------------------------------------------------------------------------
check "register: PARTIAL is refused, naming who is missing" 1 'PARTIAL.*missing: Bob Example' -- \
    "$libro" agreement register --db "$N3_DB" --actor clerk a-ada-only.json
check "register: the garden by the database" 0 "^$(hash_of g.json)\$" -- "$libro" agreement \
    register --db "$N3_DB" --actor clerk g.json
e2e_serve "$N3_DB" reg.pem
H1=$(hash_of $A)
check "register over HTTP, with the reference QR" 0 "reference QR code version [1-9]," -- \
    "$libro" agreement register --registry "$URL" --qr a.png $A
check "register: twice" 1 '' -- "$libro" agreement register --registry "$URL" $A
check "register --json: a PARTIAL one" 1 '"ok":false' -- "$libro" agreement register --json \
    --registry "$URL" a-ada-only.json
check "show: in force" 0 '^state +in force' -- "$libro" agreement show --registry "$URL" "$H1"
TITLE="Elsewhere" COMMUNITY=urn:libro:neighborhood-4 must draft2 other.json
must "$libro" agreement sign --key ada.pem other.json
must "$libro" agreement sign --key bob.pem other.json
check "register: framed by another community's law" 1 '' -- "$libro" agreement register \
    --registry "$URL" other.json
check "show --json" 0 '"stateNow":"in force"' -- "$libro" agreement show --json --db "$N3_DB" "$H1"
check "show: an unknown agreement" 1 '' -- "$libro" agreement show --registry "$URL" \
    "sha256:$(printf x | sha256sum | cut -c1-64)"

# --- an amendment, re-signed by every party -------------------------------------------------------
check "amend: a new draft that supersedes the first" 0 "supersedes +$H1" -- "$libro" agreement \
    amend --title "Shared use of the Tribe 2 workshop, with weekends" --out a2.json $A
check "amend: a PARTIAL version cannot be amended" 1 'PARTIAL' -- "$libro" agreement amend \
    --days 10 --out a3.json a-ada-only.json
must "$libro" agreement sign --key bob.pem a2.json
check "register: an amendment only Bob signed" 1 'missing: Ada Example' -- "$libro" agreement \
    register --registry "$URL" a2.json
must "$libro" agreement sign --key ada.pem a2.json
H2=$(hash_of a2.json)
check "register: the amendment" 0 "$H2" -- "$libro" agreement register --registry "$URL" a2.json
check "show: the first version is superseded" 0 "superseded +by $H2" -- "$libro" agreement show \
    --registry "$URL" "$H1"
check "show: the history has both versions" 0 '2 versions, oldest first' -- "$libro" agreement \
    show --registry "$URL" "$H2"
check "register: the superseded version again" 1 '' -- "$libro" agreement register \
    --registry "$URL" "$A"

# --- ending ---------------------------------------------------------------------------------------
check "end: notice on a mutual-only agreement" 1 'only mutually' -- "$libro" agreement end \
    --key p1.pem --notice --reason "moving" --registry "$URL" g.json
check "end: by a non-party" 1 'no party' -- "$libro" agreement end --key carla.pem --notice \
    --reason "no" --registry "$URL" a2.json
check "end: Bob gives notice" 0 'notice end, 1 of 2 parties signed, recorded' -- "$libro" \
    agreement end --key bob.pem --notice --reason "selling the building" --registry "$URL" a2.json
check "show: ending in 30 days, by Bob" 0 "takes effect $(date -u -d '30 days' +%Y-%m-%d)" -- \
    "$libro" agreement show --registry "$URL" "$H2"
check "end: notice twice" 1 '' -- "$libro" agreement end --key ada.pem --notice --reason "x" \
    --registry "$URL" a2.json
k=0
for i in 3 1 4 7 2 6 5; do
    k=$((k + 1))
    want="to be signed by the others"
    [ $k -eq 7 ] && want=recorded
    check "mutual end: party $i signs ($k of 7)" 0 "mutual end, $k of 7 parties signed, $want" \
        -- "$libro" agreement end --key p$i.pem --mutual --reason "the garden is sold" \
        --statement end7.json --registry "$URL" g.json
done
if [ "$(grep -o '"protected"' end7.json | wc -l)" -eq 7 ]; then ok; else
    fail "the mutual end statement does not carry seven signatures: $(head -c 300 end7.json)"
fi
check "mutual end: needs a statement file" 2 'needs --statement' -- "$libro" agreement end \
    --key p1.pem --mutual --reason "x" g.json
check "mutual end: signed twice" 1 'signed this end already' -- "$libro" agreement end \
    --key p3.pem --mutual --statement end7.json g.json
check "show: the garden ended" 0 '^state +ended' -- "$libro" agreement show --registry "$URL" \
    "$(hash_of g.json)"

# --- an employer verifies offline -----------------------------------------------------------------
check "trust add: the neighborhood as anchor" 0 '' -- "$libro" trust add --anchor n3.jws
check "sync" 0 '' -- "$libro" sync "$URL"
kill "$server_pid" && wait "$server_pid" 2>/dev/null
server_pid=
check "verify: the amendment, COMPLETE and in force (notice running)" 0 'COMPLETE' -- "$libro" \
    verify --jws a2.json
check "verify: the first version, SUPERSEDED" 4 'SUPERSEDED' -- "$libro" verify --jws $A
check "verify: the garden, ENDED" 4 'ENDED' -- "$libro" verify --jws g.json
check "verify: a PARTIAL document" 9 'PARTIAL' -- "$libro" verify --jws a-ada-only.json
check "verify: payload swapped, INVALID" 1 'INVALID' -- "$libro" verify --jws swapped.json
check "verify: the reference QR of the first version" 4 'SUPERSEDED' -- "$libro" verify a.png
check "verify: the reference text of the garden" 4 'ENDED' -- "$libro" verify --text \
    "$("$libro" agreement show --db "$N3_DB" --qr g-ref.png "$(hash_of g.json)" 2>/dev/null |
        sed -n 's/^reference *//p')"

printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
