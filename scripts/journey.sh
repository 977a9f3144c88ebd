#!/usr/bin/env bash
# The journey libro runs end to end (it grows with each capability):
#   a town pins itself as an anchor community and names its registry, which serves on
#   loopback; it authorizes its health board, whose licenses must be on record in that
#   registry; the board issues a nurse's license with a QR
#   code into the registry by signed requests; an employer syncs the registry's trust bundle
#   and verifies the QR offline; the refusals a verifier must make; then the board revokes
#   the license, the employer syncs again and the same QR code says REVOKED; then a
#   neighborhood chartered by the town keeps its roundtable: three tribes with seats elect
#   their representatives, the neighborhood its chair, the employer checks a representative's
#   mandate from its QR code, offline; she resigns, and after a sync the QR code says ENDED;
#   two members sign an agreement (PARTIAL until both did) and register it; the roundtable
#   adopts a law by consent after one objection and an amendment, and the employer verifies
#   the law (IN FORCE until its review date) and the agreement's reference QR code offline.
# Usage: scripts/journey.sh [PATH/TO/libro]   (default: the libro on PATH, e.g. the one the
# Debian package installed: scripts/package-test runs it so)
set -euo pipefail
libro=${1:-libro}
if [[ $libro != */* ]]; then
    libro=$(command -v "$libro") || { echo "journey.sh: no ${1:-libro} on PATH" >&2; exit 2; }
fi
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro") # we cd below
work=$(mktemp -d "${TMPDIR:-/tmp}/libro-demo.XXXXXX")
server=
trap '[ -z "$server" ] || kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"
export XDG_DATA_HOME="$work/employer" # the employer's trust store lives here

ago() { date -u -d "$1 ago" +%Y-%m-%dT%H:%M:%SZ; } # GNU date
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

say "1. Town 7 creates its community key and charters itself as an anchor community"
run "$libro" key new --out town.pem
run "$libro" issue charter --self --key town.pem --id urn:libro:town-7 --name "Town 7" \
    --level 2 --allow nursing-general --allow midwifery --valid-from "$(ago '1 year')" \
    --days 3650 --out town-charter.jws

say "2. Town 7 names its registry, opens it (a SQLite file) and serves it on loopback (in
   production: behind a TLS proxy at its https URL)"
run "$libro" key new --out registry.pem --public-out registry.pub.pem
run "$libro" issue registry-authorization --key town.pem --charter town-charter.jws \
    --id urn:libro:town-7:registry --name "Town 7 Registry" --subject-key registry.pub.pem \
    --url http://127.0.0.1 --valid-from "$(ago '6 months')" --days 1825 --out registry-auth.jws
run "$libro" registry init --db town.db --charter town-charter.jws --authorization registry-auth.jws
run "$libro" registry type --db town.db --id nursing-general --validity-days 1095 \
    --renewal-window-days 90 --grace-days 30 --requires "cpd_hours >= 60" --actor "town clerk"
# Port 0: the system picks a free port; the registry's URL is http://127.0.0.1:<that port>.
printf '$ %s &\n' "$libro registry serve --db town.db --listen 127.0.0.1:0 --key registry.pem --port-file registry.port"
"$libro" registry serve --db town.db --listen 127.0.0.1:0 --key registry.pem \
    --port-file registry.port 2>"$work/serve.log" &
server=$!
for _ in $(seq 100); do [ -e registry.port ] && break; sleep 0.1; done
cat "$work/serve.log"
URL=http://127.0.0.1:$(cat registry.port)

say "3. Town 7 authorizes its health board to issue nursing licenses (3 years at most), each on
   record in its registry (--status-registry), and lets the board write to the registry"
run "$libro" key new --out board.pem --public-out board.pub.pem
run "$libro" issue authorization --key town.pem --charter town-charter.jws \
    --id urn:libro:town-7:health-board --name "Town 7 Health Board" \
    --subject-key board.pub.pem --grant nursing-general:1095 --status-registry "$URL" \
    --valid-from "$(ago '6 months')" --days 1825 --out board-auth.jws
run "$libro" registry authorize --db town.db --authorization board-auth.jws --actor "town clerk"

say "4. The health board issues Ada's license into the registry (signed requests), with its QR code"
"$libro" key new --out ada.pem >/dev/null
ada_did=$("$libro" key show --json ada.pem | sed -n 's/.*"did":"\([^"]*\)".*/\1/p')
run "$libro" issue license --key board.pem --authorization board-auth.jws \
    --community-charter town-charter.jws --holder "Ada Example" --holder-did "$ada_did" \
    --number T7-N-0001 --profession "registered nurse" --type nursing-general \
    --scope "general care" --scope "medication administration" --out ada.jws --qr ada.png \
    --registry "$URL"
printf '$ %s\n' "$libro qr encode --terminal ada.jws"
"$libro" qr encode --terminal ada.jws >ada.txt 2>/dev/null
cat ada.txt

run "$libro" license show --db town.db T7-N-0001

say "5. An employer pins Town 7 (comparing the thumbprint out of band), then syncs the registry:
   its signed trust bundle brings the authorizations, the status lists and the log checkpoint"
thumb=$("$libro" key show --json town.pem | sed -n 's/.*"thumbprint":"\([^"]*\)".*/\1/p')
run "$libro" trust add --anchor --expect-thumbprint "$thumb" town-charter.jws
run "$libro" sync "$URL"
run "$libro" trust list

say "6. The employer scans Ada's QR code, offline"
run "$libro" verify ada.png
echo
run "$libro" verify --json ada.png | cut -c1-160
echo "   ..."

say "7. What the verifier refuses"
expect() {
    local want=$1 what=$2
    shift 2
    set +e
    "$@" >"$work/out" 2>&1
    local rc=$?
    set -e
    if [ "$rc" -eq "$want" ]; then
        printf '   exit %d  %-30s %s\n' "$rc" "$what" "$(head -n 1 "$work/out")"
    else
        printf '   UNEXPECTED exit %d (want %d): %s\n' "$rc" "$want" "$what" >&2
        cat "$work/out" >&2
        exit 1
    fi
}
expect 3 "in 2031" "$libro" verify --at 2031-01-01T00:00:00Z ada.png
expect 3 "the day before it was issued" "$libro" verify --at "$(ago '1 day')" ada.png
# A payload changed after signing: swap one character of the middle segment.
awk -F. '{ p=$2; c=substr(p,20,1); r=(c=="A")?"B":"A"; print $1 "." substr(p,1,19) r substr(p,21) "." $3 }' ada.jws >forged.jws
expect 1 "a tampered license" "$libro" verify --jws forged.jws
# Someone else signs a license in the board's name.
"$libro" key new --out mallory.pem >/dev/null
b64url_decode() {
    local p
    p=$(tr '_-' '/+')
    while [ $((${#p} % 4)) -ne 0 ]; do p="$p="; done
    printf '%s' "$p" | base64 -d
}
kid=$(cut -d. -f1 ada.jws | b64url_decode | sed -n 's/.*"kid":"\([^"]*\)".*/\1/p')
cut -d. -f2 ada.jws | b64url_decode >payload.json
"$libro" jws sign --key mallory.pem --kid "$kid" --typ vc+jwt payload.json >mallory.jws
expect 1 "signed by another key" "$libro" verify --jws mallory.jws
# The board's own key (stolen, say) signs a license that was never recorded: no status entries.
sed 's/,"credentialStatus":\[.*\]}$/}/' payload.json >unrecorded.json
"$libro" jws sign --key board.pem --kid "$kid" --typ vc+jwt unrecorded.json >unrecorded.jws
expect 6 "never recorded in the registry" "$libro" verify --jws unrecorded.jws
expect 6 "an employer without the anchor" "$libro" verify --trust-dir "$work/empty" ada.png
printf 'P5\n64 64\n255\n' >noise.pgm && head -c 4096 /dev/urandom >>noise.pgm
expect 8 "a photo without a QR code" "$libro" verify noise.pgm

say "8. The board revokes the license at the registry; the employer syncs; the next check"
run "$libro" license revoke --registry "$URL" --key board.pem \
    --issuer urn:libro:town-7:health-board --reason "struck off the register" T7-N-0001
sleep 2 # a registry dates each bundle strictly after the last (whole seconds, the first a
        # second after it starts): a change shows in the next second's bundle
run "$libro" sync "$URL"
expect 4 "the same QR code, now" "$libro" verify ada.png

say "9. Town 7 charters Neighborhood 3, which keeps its own registry (its roundtable) and
   charters three tribes; each tribe gets a seat at the neighborhood's roundtable"
run "$libro" key new --out n3.pem --public-out n3.pub.pem
run "$libro" issue charter --key town.pem --issuer urn:libro:town-7 \
    --parent-charter town-charter.jws --id urn:libro:neighborhood-3 --name "Neighborhood 3" \
    --level 1 --community-key n3.pub.pem --allow nursing-general \
    --valid-from "$(ago '6 months')" --days 3000 --out n3-charter.jws
run "$libro" registry init --db n3.db --charter n3-charter.jws --community-key n3.pem \
    --registry-key n3-registry.pem --authorization n3-registry-auth.jws \
    --registry-id urn:libro:neighborhood-3:registry --registry-name "Neighborhood 3 Registry" \
    --url http://127.0.0.1
run "$libro" registry chain --db n3.db --add town-charter.jws --actor clerk
for t in 1 2 3; do
    "$libro" key new --out tribe-$t.pem --public-out tribe-$t.pub.pem >/dev/null
    run "$libro" issue charter --key n3.pem --issuer urn:libro:neighborhood-3 \
        --parent-charter n3-charter.jws --id urn:libro:tribe-$t --name "Tribe $t" --level 0 \
        --community-key tribe-$t.pub.pem --allow nursing-general \
        --valid-from "$(ago '6 months')" --days 2900 --out tribe-$t.jws
    run "$libro" roundtable seat --db n3.db --actor clerk --charter tribe-$t.jws
done
printf '$ %s &\n' "$libro registry serve --db n3.db --listen 127.0.0.1:0 --key n3-registry.pem --port-file n3.port"
"$libro" registry serve --db n3.db --listen 127.0.0.1:0 --key n3-registry.pem \
    --port-file n3.port 2>"$work/n3-serve.log" &
n3_server=$!
trap '[ -z "$server" ] || kill "$server" 2>/dev/null; kill "$n3_server" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -s n3.port ] && break; sleep 0.1; done
N3=http://127.0.0.1:$(cat n3.port)

say "10. Each tribe elects its representative (3 years), the neighborhood its chair (4 years, no
   vote): each mandate signed by the electing community's key, recorded by signed requests"
elected() { # TRIBE NAME PERSON VOTES
    "$libro" key new --out "$3.pem" >/dev/null
    echo "Tribe $1 assembly: $2 elected with $4 votes" >"minutes-$1.txt"
    run "$libro" mandate issue --key tribe-$1.pem --charter tribe-$1.jws \
        --roundtable-charter n3-charter.jws --office representative --holder "$2" \
        --holder-key "$3.pem" --election-file "minutes-$1.txt" \
        --election-date "$(ago '2 days')" --electorate 1000 \
        --election-result "elected with $4 votes" --registry "$N3" --out "$3.jws" --qr "$3.png"
}
elected 1 "Ines Ito" ines "512 of 901"
elected 2 "Jane Doe" jane "612 of 987"
elected 3 "Omar Ortiz" omar "455 of 870"
"$libro" key new --out lena.pem >/dev/null
echo "Neighborhood 3 chair election: Lena Lopez" >minutes-chair.txt
run "$libro" mandate issue --key n3.pem --charter n3-charter.jws --office chair \
    --holder "Lena Lopez" --holder-key lena.pem --election-file minutes-chair.txt \
    --election-date "$(ago '2 days')" --electorate 7000 \
    --election-result "elected with 4100 of 6020 votes" --registry "$N3" --out lena.jws
run "$libro" roundtable show --registry "$N3" urn:libro:neighborhood-3

say "11. The employer (who pinned Town 7 only) syncs the neighborhood's registry, whose bundle
   carries the chain up to Town 7 and the tribes' seat charters, and checks Jane's QR code"
run "$libro" sync "$N3"
run "$libro" verify jane.png

say "12. Jane resigns (the request signed with her own member key); after the employer's next
   sync the same QR code says ENDED, and the roundtable shows her seat vacant"
jane_id="sha256:$(tr -d '\n' <jane.jws | sha256sum | cut -c1-64)"
run "$libro" mandate end --registry "$N3" --key jane.pem --reason resigned \
    --why "moved to another tribe" "$jane_id"
run "$libro" sync "$N3"
expect 4 "Jane's QR code, now" "$libro" verify jane.png
run "$libro" roundtable show --registry "$N3" --at "$(date -u -d '1 minute' +%Y-%m-%dT%H:%M:%SZ)" \
    urn:libro:neighborhood-3

say "13. Two parties sign an agreement framed by the neighborhood's law: Ines lends the Tribe 1
   workshop to Omar; each names the responsibilities they accept, each signs with their own
   key (in any order); half signed, it verifies PARTIAL; complete, the registry records it"
run "$libro" agreement draft --title "Shared use of the Tribe 1 workshop" \
    --community urn:libro:neighborhood-3 --community-level 1 \
    --party ines.pem:owner:"Ines Ito" --party omar.pem:tenant:"Omar Ortiz" \
    --responsibility 1:"keep the workshop's tools in repair" \
    --responsibility 2:"leave the workshop tidy after each use" \
    --responsibility 2:"pay for what he breaks" --notice-days 30 --days 365 --out workshop.json
run "$libro" agreement sign --key omar.pem workshop.json
expect 9 "signed by Omar alone" "$libro" agreement verify workshop.json
run "$libro" agreement sign --key ines.pem workshop.json
run "$libro" agreement register --registry "$N3" --qr workshop.png workshop.json

say "14. The neighborhood's roundtable adopts a law by consent. Ines proposes quiet hours (each
   step signed with the member's own key); Omar objects, with his reason and the harm to the
   circle's aim; the chair cannot respond; Ines amends, answering the objection; both consent"
LAW=urn:libro:neighborhood-3:law:quiet-hours
REVIEW=$(date -u -d '1 year' +%Y-%m-%dT00:00:00Z)
run "$libro" law propose --registry "$N3" --key ines.pem --title "Quiet hours" \
    --aim "that every household can rest" \
    --text "No amplified music between 22:00 and 07:00." --review-date "$REVIEW" "$LAW"
run "$libro" law respond --registry "$N3" --key ines.pem --consent "$LAW"
expect 1 "the chair does not respond" "$libro" law respond --registry "$N3" --key lena.pem \
    --consent "$LAW"
printf '$ %s\n' "objection=\$($libro law respond --registry $N3 --key omar.pem --object ...)"
objection=$("$libro" law respond --registry "$N3" --key omar.pem --object \
    --reason "it ignores the night shift" \
    --harm "workers of the night shift cannot rest by day" "$LAW")
echo "$objection"
expect 1 "no adoption while it stands" "$libro" law adopt --registry "$N3" --key n3.pem \
    --charter n3-charter.jws --out quiet-hours.jws "$LAW"
run "$libro" law amend --registry "$N3" --key ines.pem \
    --text "No amplified music between 22:00 and 07:00, nor between 09:00 and 14:00 next to
the night shift's housing." --answers "$objection" "$LAW"
run "$libro" law respond --registry "$N3" --key ines.pem --consent "$LAW"
run "$libro" law respond --registry "$N3" --key omar.pem --consent "$LAW"
run "$libro" law adopt --registry "$N3" --key n3.pem --charter n3-charter.jws \
    --out quiet-hours.jws "$LAW"

say "15. The law in force and its review date; its consent record, checked; the employer syncs
   and verifies the law, and the agreement from its reference QR code, offline"
run "$libro" law list --registry "$N3"
run "$libro" law record --registry "$N3" "$LAW"
sleep 2 # the next bundle is dated a second after the last (see step 8)
run "$libro" sync "$N3"
run "$libro" verify --jws quiet-hours.jws
run "$libro" verify workshop.png

say "Done: an anchor community, an authorized issuer, a registry serving signed writes and a
   trust bundle, a license in a QR code verified offline, then revoked and synced; a
   neighborhood's roundtable of three tribes and a chair, a representative's mandate verified
   offline from its QR code, then ended by her resignation; an agreement two parties signed;
   a law adopted by the roundtable's consent after an objection and an amendment, in force
   until its review."
