#!/usr/bin/env bash
# Roundtables and mandates end to end, on the real server: Neighborhood 3 charters three
# tribes and gives them seats; each tribe elects its representative, the neighborhood its
# chair (mandates issued into the registry by signed requests, one through the database);
# one representative is replaced by a newer mandate, one resigns (signed by the holder's own
# key), one is recalled (signed by the tribe's key); `roundtable show --at` at several times
# matches that history; an employer syncs the registry's trust bundle and verifies each
# mandate offline (from its QR code too): VALID, EXPIRED, ENDED (resigned, recalled,
# replaced) and UNTRUSTED, with their exit codes. Prints "N passed, N failed".
# Usage: mandate_test.sh PATH/TO/libro
set -uo pipefail
libro=${1:?usage: mandate_test.sh PATH/TO/libro}
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro") # we cd below
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_require mandate_test.sh sha256sum date
e2e_start mandate
# The registries: files here on SQLite, fresh schemas on PostgreSQL (LIBRO_TEST_DB).
N3_DB=$(db_new n3.db) || exit 1
T4_DB=$(db_new t4.db) || exit 1

at() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; } # GNU date: "4 years ago", "now"
day() { date -u -d "$1" +%Y-%m-%d; }
thumb() { "$libro" key show --json "$1" | sed -n 's/.*"thumbprint":"\([^"]*\)".*/\1/p'; }
N=urn:libro:neighborhood-3
START=$(at '6 years ago')

# --- every command has its --help -----------------------------------------------------------------
for c in "mandate issue" "mandate show" "mandate end" "mandate expiring" "roundtable show" \
    "roundtable seat"; do
    check "$c --help" 0 "^usage: libro $c " -- "$libro" $c --help
    check "libro help $c" 0 "^usage: libro $c " -- "$libro" help $c
done
check "mandate without a command" 2 'usage: libro mandate <command>' -- "$libro" mandate
check "libro help lists mandate and roundtable" 0 '^  roundtable +who sits' -- "$libro" help

# --- the neighborhood, its three tribes, its registry ---------------------------------------------
must "$libro" key new --out n3.pem
# Its chair serves 3 years, not the seed's 4, and nobody serves two terms in a row.
check "charter: shorter chair terms, one term in a row" 0 '' -- "$libro" issue charter --self \
    --key n3.pem --id $N --name "Neighborhood 3" --level 1 --allow civic --valid-from "$START" \
    --days 7300 --chair-term 3 --consecutive-terms 1 --out n3.jws
check "charter: a chair term longer than the seed's" 1 'chairTermYears' -- "$libro" issue \
    charter --self --key n3.pem --id $N --name "Neighborhood 3" --level 1 --allow civic \
    --days 7300 --chair-term 5 --out n3-bad.jws
for t in 1 2 3 4; do
    must "$libro" key new --out t$t.pem --public-out t$t.pub
    must "$libro" issue charter --key n3.pem --issuer $N --parent-charter n3.jws \
        --id urn:libro:tribe-$t --name "Tribe $t" --level 0 --community-key t$t.pub \
        --allow civic --valid-from "$START" --days 7300 --out t$t.jws
done
must "$libro" registry init --db "$N3_DB" --charter n3.jws --community-key n3.pem \
    --registry-key reg.pem --authorization reg-auth.jws --registry-id $N:registry \
    --registry-name "Neighborhood 3 Registry" --url http://127.0.0.1
for p in ann bob cleo dan eve carla zed; do
    must "$libro" key new --out $p.pem
done

# --- seats ----------------------------------------------------------------------------------------
check "seat: tribe 1 by the database" 0 'has a seat' -- "$libro" roundtable seat --db "$N3_DB" \
    --actor clerk --charter t1.jws
check "seat: tribe 2 by the database" 0 '' -- "$libro" roundtable seat --db "$N3_DB" --actor clerk \
    --charter t2.jws
check "seat: the neighborhood's own charter is no member" 1 '' -- "$libro" roundtable seat \
    --db "$N3_DB" --actor clerk --charter n3.jws
check "seat: --db needs --actor" 2 'goes with --actor' -- "$libro" roundtable seat --db "$N3_DB" \
    --charter t3.jws
check "seat --help" 0 'at most 7 member communities|At most 7 member communities' -- \
    "$libro" roundtable seat --help

"$libro" registry serve --db "$N3_DB" --key reg.pem --listen 127.0.0.1:0 --port-file reg.port \
    2>"$work/serve.log" &
server_pid=$!
for _ in $(seq 200); do [ -s reg.port ] && break; sleep 0.05; done
if [ ! -s reg.port ]; then
    echo "setup failed: the registry did not start"
    cat "$work/serve.log"
    exit 1
fi
URL=http://127.0.0.1:$(cat reg.port)

check "seat: tribe 3 over HTTP, signed by the neighborhood's key" 0 '' -- "$libro" roundtable \
    seat --registry "$URL" --key n3.pem --charter t3.jws
check "seat: signed by a tribe's key, refused" 1 '' -- "$libro" roundtable seat \
    --registry "$URL" --key t1.pem --charter t4.jws

# --- elections ------------------------------------------------------------------------------------
# elect NAME PERSON TRIBE FROM [extra options]: tribe TRIBE's representative, over HTTP.
elect() {
    local name=$1 who=$2 tribe=$3 from=$4
    shift 4
    "$libro" mandate issue --key t$tribe.pem --charter t$tribe.jws --roundtable-charter n3.jws \
        --office representative --holder "$name" --holder-key $who.pem --valid-from "$from" \
        --election-record "sha256:$(printf '%s' "$name $from" | sha256sum | cut -c1-64)" \
        --election-date "$from" --electorate 1000 \
        --election-result "elected with 600 of 900 votes" \
        --registry "$URL" --out $who.jws --qr $who.png "$@"
}
T_ANN=$(at '4 years ago')
T_BOB=$(at '1 year ago')
T_CLEO=$(at '2 years ago')
T_DAN=$(at '6 months ago')
T_EVE=$(at '1 year ago')
check "elect: Ann for tribe 1, four years ago" 0 '^sha256:[0-9a-f]{64}$' -- elect "Ann Archer" \
    ann 1 "$T_ANN"
check "elect: Bob for tribe 1, a year ago (Ann's term is over)" 0 '' -- elect "Bob Baker" bob 1 \
    "$T_BOB"
check "elect: Cleo for tribe 2, two years ago" 0 '' -- elect "Cleo Clark" cleo 2 "$T_CLEO"
check "elect: Eve for tribe 3, a year ago" 0 '' -- elect "Eve Evans" eve 3 "$T_EVE"
# Dan replaces Cleo six months ago: through the database this time, as the clerk.
printf 'Tribe 2 assembly, by-election minutes\n' >minutes.txt
check "elect: Dan for tribe 2 (database), replacing Cleo" 0 '' -- "$libro" mandate issue \
    --key t2.pem --charter t2.jws --roundtable-charter n3.jws --office representative \
    --holder "Dan Dell" --holder-key dan.pem --valid-from "$T_DAN" --election-file minutes.txt \
    --election-date "$T_DAN" --electorate 980 --election-result "elected with 501 of 870 votes" \
    --registry "$N3_DB" --status-url-base "$URL/v1/status/mandates" --actor clerk --out dan.jws \
    --qr dan.png
check "elect: the chair, by the neighborhood" 0 '' -- "$libro" mandate issue --key n3.pem \
    --charter n3.jws --office chair --holder "Carla Chen" --holder-key carla.pem \
    --valid-from "$T_BOB" --election-record "sha256:$(printf chair | sha256sum | cut -c1-64)" \
    --election-date "$T_BOB" --electorate 7000 --election-result "elected with 4100 of 6000 votes" \
    --registry "$URL" --out carla.jws --qr carla.png

# What the issuer refuses before asking the registry for anything.
# A term of 3 years from midnight ends one second before midnight 3 years later.
FROM="$(day '1 day ago')T00:00:00Z"
check "refused: a term one second longer than 3 years" 1 'longer than the 3 years' -- elect \
    "Zed Zane" zed 1 "$FROM" \
    --valid-until "$(date -u -d "$(day '1 day ago') + 3 years" +%Y-%m-%dT%H:%M:%SZ)"
check "refused: nothing written" 1 '' -- test -e zed.jws
check "refused: tribe 4 has no seat" 1 '' -- "$libro" mandate issue --key t4.pem --charter t4.jws \
    --roundtable-charter n3.jws --office representative --holder "Zed Zane" --holder-key zed.pem \
    --election-record "sha256:$(printf z | sha256sum | cut -c1-64)" --election-date "$T_BOB" \
    --electorate 10 --election-result "unopposed" --registry "$URL" --out zed.jws
check "refused: signed by another tribe's key" 1 'not the community key' -- "$libro" mandate \
    issue --key t1.pem --charter t2.jws --roundtable-charter n3.jws --office representative \
    --holder "Zed Zane" --holder-key zed.pem \
    --election-record "sha256:$(printf z | sha256sum | cut -c1-64)" --election-date "$T_BOB" \
    --electorate 10 --election-result "unopposed" --registry "$URL" --out zed.jws
must "$libro" key new --alg es256 --out p256.pem
check "refused: a holder key that is not Ed25519" 1 'Ed25519' -- elect "Zed Zane" p256 1 "$T_BOB"
check "usage: a chair has no --roundtable-charter" 2 'does not go with a chair' -- "$libro" \
    mandate issue --key n3.pem --charter n3.jws --roundtable-charter n3.jws --office chair \
    --holder X --holder-key zed.pem --election-record sha256:00 --election-date "$T_BOB" \
    --electorate 1 --election-result r --registry "$URL" --out x.jws
check "usage: an unknown office" 2 'want representative, chair or leader' -- "$libro" mandate \
    issue --key n3.pem --charter n3.jws --office mayor --holder X --holder-key zed.pem \
    --election-record sha256:00 --election-date "$T_BOB" --electorate 1 --election-result r \
    --registry "$URL" --out x.jws

id_of() { printf 'sha256:%s' "$(tr -d '\n' <"$1.jws" | sha256sum | cut -c1-64)"; }
ANN=$(id_of ann)
BOB=$(id_of bob)
CLEO=$(id_of cleo)
DAN=$(id_of dan)
EVE=$(id_of eve)
CARLA=$(id_of carla)

# The chair's term: the charter's 3 years.
check "the chair serves the charter's 3 years" 0 \
    "term +$T_BOB \.\. $(date -u -d "$T_BOB + 3 years - 1 second" +%Y-%m-%dT%H:%M:%SZ)" -- \
    "$libro" mandate show --db "$N3_DB" "$CARLA"
# Dan again for the term after his: the charter allows one term in a row.
check "term limit: Dan's second term in a row" 1 'allows 1 consecutive terms in one seat' -- \
    "$libro" mandate issue --key t2.pem --charter t2.jws --roundtable-charter n3.jws \
    --office representative --holder "Dan Dell" \
    --holder-key dan.pem --valid-from "$(date -u -d "$T_DAN + 3 years" +%Y-%m-%dT%H:%M:%SZ)" \
    --election-record "sha256:$(printf again | sha256sum | cut -c1-64)" --election-date "$T_DAN" \
    --electorate 980 --election-result "re-elected" --registry "$URL" --out dan-2.jws

# --- early ends -----------------------------------------------------------------------------------
check "resign: Eve, signed by her own key" 0 "$EVE: resigned" -- "$libro" mandate end \
    --registry "$URL" --key eve.pem --reason resigned --why "moved away" "$EVE"
check "resign: Bob cannot resign for Dan" 1 'only the holder resigns' -- "$libro" mandate end \
    --registry "$URL" --key bob.pem --reason resigned --why "x" "$DAN"
check "recall: tribe 2 cannot recall tribe 1's representative" 1 '' -- "$libro" mandate end \
    --registry "$URL" --key t2.pem --reason recalled --why "x" "$BOB"
check "recall: Bob, by tribe 1" 0 "$BOB: recalled" -- "$libro" mandate end --registry "$URL" \
    --key t1.pem --reason recalled --why "lost the tribe's confidence" "$BOB"
check "end: twice is refused" 1 '' -- "$libro" mandate end --registry "$URL" --key t1.pem \
    --reason recalled --why "again" "$BOB"
check "end: an unknown reason" 2 'want resigned or recalled' -- "$libro" mandate end \
    --registry "$URL" --key t1.pem --reason fired --why "x" "$BOB"

# --- the registry's record ------------------------------------------------------------------------
check "show: Cleo was replaced" 0 'replaced' -- "$libro" mandate show --registry "$URL" "$CLEO"
check "show: Eve resigned, and why" 0 'resigned.*moved away' -- "$libro" mandate show --db "$N3_DB" \
    "$EVE"
check "show --json: Bob recalled" 0 '"state":"recalled"' -- "$libro" mandate show --json \
    --registry "$URL" "$BOB"
check "show: an unknown mandate" 1 '' -- "$libro" mandate show --db "$N3_DB" \
    "sha256:$(printf x | sha256sum | cut -c1-64)"
check "expiring: the chair within four years, not the resigned" 0 'Carla Chen' -- "$libro" \
    mandate expiring --registry "$URL" --within 1500
"$libro" mandate expiring --db "$N3_DB" --within 1500 >expiring.txt 2>/dev/null
if grep -q 'Eve Evans\|Bob Baker' expiring.txt; then
    fail "expiring lists a mandate ended early: $(cat expiring.txt)"
else
    ok
fi

# --- the roundtable at several times matches the history ------------------------------------------
# members WHEN: "office seat name" of each member then, sorted, one per line.
members() {
    "$libro" roundtable show --registry "$URL" --at "$1" $N 2>&1 |
        awk 'NR > 1 && $1 != "vacant" { print $1, $2, $3 }' | sort | tr '\n' ';'
}
want_members() { # NAME WHEN EXPECTED
    local got
    got=$(members "$2")
    if [ "$got" = "$3" ]; then ok; else fail "roundtable $1: got '$got', want '$3'"; fi
}
rep() { printf 'representative urn:libro:tribe-%s %s;' "$1" "$2"; } # TRIBE FIRST-NAME
want_members "three years ago" "$(at '3 years ago')" "$(rep 1 Ann)"
want_members "eighteen months ago" "$(at '18 months ago')" "$(rep 1 Ann)$(rep 2 Cleo)"
want_members "nine months ago" "$(at '9 months ago')" \
    "chair - Carla;$(rep 1 Bob)$(rep 2 Cleo)$(rep 3 Eve)"
want_members "a month ago" "$(at '1 month ago')" \
    "chair - Carla;$(rep 1 Bob)$(rep 2 Dan)$(rep 3 Eve)"
want_members "in a minute" "$(at '1 minute')" "chair - Carla;$(rep 2 Dan)"
check "roundtable: vacant seats now" 0 'vacant +urn:libro:tribe-1' -- "$libro" roundtable show \
    --db "$N3_DB" --at "$(at '1 minute')" $N
check "roundtable: one vote short of three" 0 '2 members \(1 voting\), 3 seats' -- "$libro" \
    roundtable show --registry "$URL" --at "$(at '1 minute')" $N
check "roundtable: another community" 1 'keeps the roundtable of' -- "$libro" roundtable show \
    --db "$N3_DB" urn:libro:neighborhood-4
check "roundtable --json" 0 '"members":\[' -- "$libro" roundtable show --json --db "$N3_DB" $N

# --- a leader: the neighborhood appoints one into tribe 4's circle, kept by tribe 4's own
# registry (a tribe has a circle, no roundtable), with the neighborhood's charter in its chain.
must "$libro" registry init --db "$T4_DB" --charter t4.jws --community-key t4.pem \
    --registry-key t4-reg.pem --authorization t4-reg-auth.jws \
    --registry-id urn:libro:tribe-4:registry \
    --registry-name "Tribe 4 Registry" --url https://t4.example
must "$libro" registry chain --db "$T4_DB" --add n3.jws --actor clerk
leader() { # KEY CHARTER OUT
    "$libro" mandate issue --key "$1" --charter "$2" --roundtable-charter t4.jws --office leader \
        --holder "Lee Lane" --holder-key zed.pem \
        --election-record "sha256:$(printf appointment | sha256sum | cut -c1-64)" \
        --election-date "$T_BOB" --electorate 7 --election-result "appointed by the roundtable" \
        --registry "$T4_DB" --status-url-base https://t4.example/v1/status/mandates --actor clerk \
        --out "$3"
}
check "leader: appointed by the neighborhood into tribe 4's circle" 0 '' -- leader n3.pem n3.jws \
    lee.jws
check "leader: not by another tribe" 1 'issuer: ' -- leader t1.pem t1.jws lee-2.jws
check "leader: in tribe 4's circle, no vote, for 5 years" 0 \
    "^leader +$N +Lee Lane +no vote .*$(date -u -d '5 years' +%Y)-" -- "$libro" roundtable show \
    --db "$T4_DB" urn:libro:tribe-4

# --- an employer verifies offline -----------------------------------------------------------------
check "trust add: the neighborhood as anchor" 0 '' -- "$libro" trust add --anchor \
    --expect-thumbprint "$(thumb n3.pem)" n3.jws
check "sync" 0 '' -- "$libro" sync "$URL"
check "verify: Dan from his QR code, VALID" 0 \
    "Dan Dell represents Tribe 2 at the roundtable of Neighborhood 3 \(voting\), $(day "$T_DAN")" \
    -- "$libro" verify dan.png
check "verify: the chair, VALID, no vote" 0 \
    'Carla Chen chairs the roundtable of Neighborhood 3 \(chair, no vote\)' -- "$libro" verify \
    --jws carla.jws
check "verify: Ann's term is over, EXPIRED" 3 'EXPIRED' -- "$libro" verify --jws ann.jws
check "verify: Eve resigned, ENDED" 4 'ENDED.*resigned' -- "$libro" verify eve.png
check "verify: Bob recalled, ENDED" 4 'ENDED.*recalled' -- "$libro" verify bob.png
check "verify: Cleo replaced, ENDED" 4 'ENDED.*replaced' -- "$libro" verify --jws cleo.jws
check "verify --json: Dan" 0 '"outcome":"VALID"' -- "$libro" verify --json dan.png
# Tribe 4 has a charter from the neighborhood but no seat: a mandate it signs for itself is
# in no trust bundle, whatever it claims.
b64url_decode() {
    local p
    p=$(tr '_-' '/+')
    while [ $((${#p} % 4)) -ne 0 ]; do p="$p="; done
    printf '%s' "$p" | base64 -d
}
cut -d. -f2 dan.jws | b64url_decode | sed 's/urn:libro:tribe-2/urn:libro:tribe-4/g' >forged.json
"$libro" jws sign --key t4.pem --kid "urn:libro:tribe-4#$(thumb t4.pem)" --typ vc+jwt \
    forged.json >forged.jws 2>/dev/null
check "verify: a mandate from an unseated tribe, UNTRUSTED" 6 'UNTRUSTED' -- "$libro" verify \
    --jws forged.jws

printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
