#!/usr/bin/env bash
# Laws by consent end to end, on the real server: Neighborhood 3's roundtable (three tribes'
# representatives and a chair, from their mandates) adopts a law after one objection and an
# amendment (and a second round the chair opens), each step signed with the member's own key.
# Refused on the way: an objection without its reason, the chair's response, a response by a
# member whose mandate ended, a ruling or a round by someone not the chair, a withdrawal by
# someone not the author, the adoption while an objection stands or a response is missing. Then `law record` prints and checks the record (and finds a tampered
# copy out), `law list|show|review-due` show the law and its review date, and an employer
# who synced verifies the law offline: IN FORCE, UNDER REVIEW past its review date, REPEALED
# once a newer version was adopted. Prints "N passed, N failed".
# Usage: law_test.sh PATH/TO/libro
set -uo pipefail
libro=${1:?usage: law_test.sh PATH/TO/libro}
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro") # we cd below
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_require law_test.sh sha256sum date base64
e2e_start law
# The registries: files here on SQLite, fresh schemas on PostgreSQL (LIBRO_TEST_DB).
N3_DB=$(db_new n3.db) || exit 1

at() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; } # GNU date: "4 years ago", "now"
thumb() { "$libro" key show --json "$1" | sed -n 's/.*"thumbprint":"\([^"]*\)".*/\1/p'; }
N=urn:libro:neighborhood-3
LAW=$N:law:quiet-hours
START=$(at '3 years ago')
REVIEW=$(at '1 year')

# --- every command has its --help -----------------------------------------------------------------
for c in propose respond rule amend withdraw round adopt record show list review-due; do
    check "law $c --help" 0 "^usage: libro law $c " -- "$libro" law $c --help
done
check "law without a command" 2 'usage: libro law <command>' -- "$libro" law
check "libro help lists law" 0 '^  law +laws adopted' -- "$libro" help

# --- the neighborhood, its tribes and their seats, its registry ----------------------------------
must "$libro" key new --out n3.pem
must "$libro" issue charter --self --key n3.pem --id $N --name "Neighborhood 3" --level 1 \
    --allow civic --valid-from "$START" --days 7300 --out n3.jws
for t in 1 2 3; do
    must "$libro" key new --out t$t.pem --public-out t$t.pub
    must "$libro" issue charter --key n3.pem --issuer $N --parent-charter n3.jws \
        --id urn:libro:tribe-$t --name "Tribe $t" --level 0 --community-key t$t.pub \
        --allow civic --valid-from "$START" --days 7300 --out t$t.jws
done
# Whoever checks a record offline pins the neighborhood and knows the tribes' charters (a sync
# of the registry brings them too).
check "trust add: the neighborhood as anchor" 0 '' -- "$libro" trust add --anchor \
    --expect-thumbprint "$(thumb n3.pem)" n3.jws
must "$libro" trust add t1.jws t2.jws t3.jws
must "$libro" registry init --db "$N3_DB" --charter n3.jws --community-key n3.pem \
    --registry-key reg.pem --authorization reg-auth.jws --registry-id $N:registry \
    --registry-name "Neighborhood 3 Registry" --url http://127.0.0.1
for t in 1 2 3; do
    must "$libro" roundtable seat --db "$N3_DB" --actor clerk --charter t$t.jws
done
for p in ines jane omar pia lena; do
    must "$libro" key new --out $p.pem
done
e2e_serve "$N3_DB" reg.pem

# elect NAME PERSON TRIBE FROM: tribe TRIBE's representative (0: the chair), over HTTP.
elect() {
    local name=$1 who=$2 tribe=$3 from=$4 signer=(--key t$3.pem --charter t$3.jws
        --roundtable-charter n3.jws --office representative)
    [ "$tribe" = 0 ] && signer=(--key n3.pem --charter n3.jws --office chair)
    "$libro" mandate issue "${signer[@]}" --holder "$name" --holder-key $who.pem \
        --valid-from "$from" --election-record "sha256:$(printf '%s' "$name" | sha256sum | cut -c1-64)" \
        --election-date "$from" --electorate 1000 --election-result "elected" \
        --registry "$URL" --out $who.jws
}
must elect "Ines Ito" ines 1 "$(at '1 year ago')"
must elect "Jane Doe" jane 2 "$(at '1 year ago')"
must elect "Pia Park" pia 3 "$(at '2 years ago')"
must elect "Omar Ortiz" omar 3 "$(at '1 month ago')" # replaces Pia: her mandate ended
must elect "Lena Lopez" lena 0 "$(at '1 year ago')"

# step WHO SUBCOMMAND [options]: a step over HTTP with WHO's key, for the law.
step() {
    local who=$1 sub=$2
    shift 2
    "$libro" law "$sub" --registry "$URL" --key "$who.pem" "$@" "$LAW"
}
H='^sha256:[0-9a-f]{64}$'

# --- version 1: a proposal, one round, one objection ruled out and one that stands ---------------
check "propose: Ines, a voting member" 0 "$H" -- step ines propose --title "Quiet hours" \
    --aim "that every household can rest" \
    --text "No amplified music between 22:00 and 07:00." --review-date "$REVIEW"
check "propose: a second process while one is under way" 1 '' -- step jane propose \
    --title "Loud hours" --aim a --text t --review-date "$REVIEW"
check "respond: the chair takes part in no round" 1 'chair' -- step lena respond --consent
check "respond: Ines consents" 0 "$H" -- step ines respond --consent
check "respond: an objection without its reason" 1 'reason' -- step jane respond --object \
    --harm "shift workers sleep by day"
check "respond: an objection without its harm" 1 'harm' -- step jane respond --object \
    --reason "it ignores the day sleepers"
check "usage: --reason with --consent" 2 'go with --object' -- step jane respond --consent \
    --reason r
JANE_OBJ=$(step jane respond --object --reason "it ignores the day sleepers" \
    --harm "shift workers in tribe 2 sleep by day and cannot rest" 2>/dev/null)
if [[ "$JANE_OBJ" =~ $H ]]; then ok; else fail "Jane's objection: '$JANE_OBJ'"; fi
check "respond: Pia's mandate ended (Omar replaced her)" 1 '' -- step pia respond --consent
check "respond: Jane twice in a round" 1 '' -- step jane respond --consent
OMAR_OBJ=$(step omar respond --object --reason "I like music at night" \
    --harm "none really" 2>/dev/null)
if [[ "$OMAR_OBJ" =~ $H ]]; then ok; else fail "Omar's objection: '$OMAR_OBJ'"; fi
check "rule: only the chair rules" 1 '' -- step ines rule --objection "$OMAR_OBJ" --ruling out \
    --reason "not tied to the aim"
check "rule: --ruling is valid or out" 2 'want valid or out' -- step lena rule \
    --objection "$OMAR_OBJ" --ruling maybe --reason r
check "rule: the chair rules Omar's objection out" 0 "$H" -- step lena rule \
    --objection "$OMAR_OBJ" --ruling out --reason "it names no harm to the aim"
check "adopt: refused while Jane's objection stands" 1 'not adoptable.*stands' -- "$libro" law \
    adopt --registry "$URL" --key n3.pem --charter n3.jws --out law.jws "$LAW"
check "adopt: nothing written" 1 '' -- test -e law.jws
check "record: so far, and what stands" 0 "standing: the objection $JANE_OBJ by Jane Doe" -- \
    "$libro" law record --registry "$URL" "$LAW"

# --- version 2: the amendment answers Jane's objection; a new round ------------------------------
check "amend: Ines answers Jane's objection" 0 "$H" -- step ines amend \
    --text "No amplified music between 22:00 and 07:00, nor between 09:00 and 15:00 in the
courtyard of tribe 2's housing." --answers "$JANE_OBJ"
check "respond: the old version's response is void (Ines again)" 0 "$H" -- step ines respond \
    --consent
check "respond: Jane consents" 0 "$H" -- step jane respond --consent
OMAR_OBJ2=$(step omar respond --object --reason "the courtyard hours are too long" \
    --harm "families with children cannot use the courtyard" 2>/dev/null)
if [[ "$OMAR_OBJ2" =~ $H ]]; then ok; else fail "Omar's second objection: '$OMAR_OBJ2'"; fi
check "withdraw: only the author" 1 '' -- step jane withdraw --objection "$OMAR_OBJ2"
check "withdraw: Omar withdraws his objection" 0 "$H" -- step omar withdraw \
    --objection "$OMAR_OBJ2"
# The chair hears everyone once more: round 2 of version 2.
check "round: only the chair opens one" 1 'only the chair' -- step ines round
check "round: the chair opens round 2" 0 "$H" -- step lena round
check "adopt: round 2 has no response yet" 1 'not responded in round 2' -- "$libro" law adopt \
    --registry "$URL" --key n3.pem --charter n3.jws --out law.jws "$LAW"
for p in ines jane omar; do
    check "respond: $p consents in round 2" 0 "$H" -- step $p respond --consent
done
check "adopt: signed by a tribe's key, refused" 1 'community key' -- "$libro" law adopt \
    --registry "$URL" --key t1.pem --charter n3.jws --out law.jws "$LAW"
check "adopt: by the community key" 0 "$H" -- "$libro" law adopt --registry "$URL" \
    --key n3.pem --charter n3.jws --out law.jws "$LAW"
check "respond: the process is closed" 1 '' -- step ines respond --consent

# --- what the registry shows -----------------------------------------------------------------
check "list: in force, with its review date" 0 "^$LAW +v1 +in force +review ${REVIEW:0:10}" -- \
    "$libro" law list --registry "$URL"
check "show: the version and its record" 0 'consent record sha256:' -- "$libro" law show \
    --db "$N3_DB" "$LAW"
check "review-due: within 400 days" 0 "$LAW" -- "$libro" law review-due --registry "$URL" \
    --within 400
check "review-due: not within 30 days" 0 '^libro: 0 laws due' -- "$libro" law review-due \
    --db "$N3_DB" --within 30
check "show: an unknown law" 1 '' -- "$libro" law show --db "$N3_DB" $N:law:none

# --- the record, printed and checked --------------------------------------------------------------
"$libro" law record --registry "$URL" --out record.json "$LAW" >record.txt 2>&1
rc=$?
if [ "$rc" -ne 0 ]; then fail "law record: exit $rc: $(head -c 600 record.txt)"; else ok; fi
for want in '^version 1 round 1' '^version 2 round 1' '^version 2 round 2, opened by Lena Lopez' 'Ines Ito +consent' 'Jane Doe +object' \
    'reason: it ignores the day sleepers' 'harm: shift workers' \
    'Lena Lopez \(chair\) ruled the objection sha256:[0-9a-f]{64} out: it names no harm' \
    'withdrawn by its author, Omar Ortiz' "answers the objection $JANE_OBJ" \
    '^RECORD HOLDS: .* adopted by consent'; do
    if grep -qE -- "$want" record.txt; then ok; else fail "law record lacks /$want/"; fi
done
check "record: the saved copy checks offline" 0 '^RECORD HOLDS: .*adoptable by consent' -- \
    "$libro" law record record.json
check "record: the saved copy with its law" 0 '^RECORD HOLDS: .* adopted by consent' -- \
    "$libro" law record --law law.jws record.json
# A tampered copy: one response's reason changed (its signature no longer holds).
b64url_decode() {
    local p
    p=$(tr '_-' '/+')
    while [ $((${#p} % 4)) -ne 0 ]; do p="$p="; done
    printf '%s' "$p" | base64 -d
}
b64url_encode() { base64 -w0 | tr '/+' '_-' | tr -d '='; }
tok=$(grep -o '"[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*"' record.json | tr -d '"' |
    while read -r t; do
        if printf '%s' "$t" | cut -d. -f2 | b64url_decode | grep -q 'day sleepers'; then
            echo "$t"
            break
        fi
    done)
forged_payload=$(printf '%s' "$tok" | cut -d. -f2 | b64url_decode |
    sed 's/it ignores the day sleepers/it is fine/' | b64url_encode)
forged="$(printf '%s' "$tok" | cut -d. -f1).$forged_payload.$(printf '%s' "$tok" | cut -d. -f3)"
sed "s/$tok/$forged/" record.json >tampered.json
check "record: a tampered copy is refused" 1 'step' -- "$libro" law record tampered.json
# A record with a step dropped: the chain breaks.
check "record: a copy that is not JSON" 1 '' -- "$libro" law record n3.jws

# --- offline: an employer syncs and verifies the law -----------------------------------------
# A newer version first (re-consented before the review): version 1 is then repealed.
LAW1=$(printf 'sha256:%s' "$(tr -d '\n' <law.jws | sha256sum | cut -c1-64)")
check "propose: version 2 of the law, superseding version 1" 0 "$H" -- step jane propose \
    --title "Quiet hours" --aim "that every household can rest" \
    --text "No amplified music between 22:00 and 07:00." --review-date "$(at '2 years')" \
    --supersedes "$LAW1"
for p in ines jane omar; do
    must step $p respond --consent
done
check "adopt: version 2" 0 "$H" -- "$libro" law adopt --db "$N3_DB" --actor clerk --key n3.pem \
    --charter n3.jws --out law2.jws "$LAW"
check "record: another law is not what it adopted" 1 '^RECORD DOES NOT HOLD: law' -- \
    "$libro" law record --law law2.jws record.json
check "show: version 1 repealed" 0 'v1 +repealed' -- "$libro" law show --registry "$URL" "$LAW"

check "sync" 0 '' -- "$libro" sync "$URL"
check "verify: version 2 IN FORCE" 0 'IN FORCE' -- "$libro" verify --jws law2.jws
check "verify: version 2 past its review date, UNDER REVIEW" 3 'UNDER REVIEW' -- "$libro" \
    verify --at "$(at '2 years + 1 day')" --jws law2.jws
check "verify: version 1, REPEALED" 4 'REPEALED' -- "$libro" verify --jws law.jws
check "verify --json: version 2" 0 '"outcome":"IN FORCE"' -- "$libro" verify --json \
    --jws law2.jws

printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
