#!/usr/bin/env bash
# ctest browser: the public pages of a real `libro registry serve` (loopback, port 0) in
# headless Chromium (Debian's /usr/bin/chromium, driven by the pinned playwright-core).
# Town 7's registry holds a license in each state (active, suspended, revoked, surrendered,
# expired, lapsed: the last two by `license tick` on licenses that ended 5 and 60 days ago),
# one renewed early (its next term not begun),
# one whose holder's name is HTML, two seated communities with their representatives and a
# chair, a law adopted by consent and an agreement two of them signed. pages.mjs then loads
# every public page at phone (390x844) and desktop (1280x900) widths with JavaScript
# disabled, saves a full-page PNG to SHOTS/<page>-<width>.png, checks each page's <h1>,
# viewport meta and (on a phone) the absence of a horizontal scroll, that no word in a table
# and no date is broken across lines, that the hostile name is
# shown as text, and runs axe-core (WCAG 2.1 A and AA) on it: any violation fails. Prints a
# summary.
# Usage: browser_test.sh PATH/TO/libro SHOTS (LIBRO_CHROMIUM: a browser other than
# /usr/bin/chromium)
# Exit 0 all held, 1 a failure, 77 skipped (no chromium, node or node_modules; a failure
# under LIBRO_TEST_STRICT: scripts/test installs them).
set -uo pipefail
libro=${1:?usage: browser_test.sh PATH/TO/libro SHOTS}
shots=${2:?usage: browser_test.sh PATH/TO/libro SHOTS}
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro") # we cd below
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../e2e/lib.sh"
chromium=${LIBRO_CHROMIUM:-/usr/bin/chromium}

skip() {
    printf '\n*** SKIPPED: browser: %s ***\n\n' "$*" >&2
    [ -z "${LIBRO_TEST_STRICT:-}" ] || exit 1 # scripts/test installed it: missing is a failure
    exit 77
}
command -v node >/dev/null 2>&1 || skip "node is not installed"
[ -x "$chromium" ] || skip "$chromium is missing (apt-get install chromium)"
if [ ! -d "$here/node_modules/playwright-core" ] || [ ! -d "$here/node_modules/axe-core" ]; then
    skip "$here/node_modules is missing; run \`npm ci --prefix tests/browser\`"
fi
e2e_require browser_test.sh sha256sum date curl
e2e_start browser
mkdir -p "$shots" || exit 1
rm -f "$shots"/*.png

at() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
FROM=$(at '3 years ago')
N=urn:libro:town-7
DB=$(db_new reg.db) || exit 1

# --- Town 7's registry, its license types, its board ---------------------------------------------
e2e_town7 "$FROM" http://127.0.0.1
must "$libro" registry init --db "$DB" --charter town.jws --authorization regauth.jws
must "$libro" registry type --db "$DB" --id nursing-general --validity-days 1095 \
    --renewal-window-days 90 --grace-days 30 --actor clerk
must "$libro" registry type --db "$DB" --id first-aid --validity-days 30 \
    --renewal-window-days 10 --grace-days 30 --actor clerk
must "$libro" registry authorize --db "$DB" --authorization auth.jws --actor clerk \
    --allow-unrecorded
e2e_serve "$DB" reg.pem

# --- a license in each state ----------------------------------------------------------------------
# The hostile holder: markup that would show an image, run a script and break out of an
# attribute, were it not escaped (pages.mjs looks for what it would have made).
HOSTILE='Zoë <img src=x id=libro-injected alt="x"><script>window.libroInjected=1</script> O'"'"'Brien & "Co" </dd><h1 id=libro-h1>'
lic() { # NUMBER HOLDER TYPE [options]
    local number=$1 holder=$2 type=$3
    shift 3
    must "$libro" issue license --key board.pem --authorization auth.jws \
        --community-charter town.jws --holder "$holder" --number "$number" \
        --profession "registered nurse" --type "$type" --scope "general care" \
        --out "$number.jws" --registry "$URL" "$@"
}
lic T7-N-0001 "Ada Lovelace" nursing-general
lic T7-N-0002 "$HOSTILE" nursing-general
lic T7-N-0003 "Bo Example" nursing-general
lic T7-N-0004 "Cy Example" nursing-general
lic T7-N-0005 "Di Example" nursing-general
lic T7-F-0006 "Ed Example" first-aid --valid-from "$(at '35 days ago')" --days 30
lic T7-F-0007 "Fa Example" first-aid --valid-from "$(at '90 days ago')" --days 30
lic T7-F-0008 "Gu Example" first-aid --valid-from "$(at '25 days ago')" --days 30
must "$libro" license suspend --db "$DB" --actor clerk --category conduct \
    --reason "complaint under review" T7-N-0003
must "$libro" license revoke --db "$DB" --actor clerk --category competence \
    --reason "struck off" T7-N-0004
must "$libro" license surrender --db "$DB" --actor "Di Example" --category holder-request \
    --reason retired T7-N-0005
# Renewed early (5 days left, in its 10-day window): the new version starts where this one
# ends, so the page shows the term in force and the next one.
must "$libro" license renew --db "$DB" --key board.pem --authorization auth.jws \
    --community-charter town.jws --actor clerk --out T7-F-0008-2.jws T7-F-0008
# The clock: T7-F-0006 ended 5 days ago (in its 30 days' grace), T7-F-0007 60 days ago.
must "$libro" license tick --db "$DB"
check "renewed early: the page names the next term" 0 \
    "<p>Renewed: the next term runs from <span class=\"d\">$(date -u -d '5 days' +%Y-%m-%d)</span>" \
    -- curl -sS "$URL/licenses/T7-F-0008"
for want in T7-N-0001:active T7-N-0003:suspended T7-N-0004:revoked T7-N-0005:surrendered \
    T7-F-0006:expired T7-F-0007:lapsed; do
    check "${want%%:*} is ${want#*:}" 0 "state +${want#*:}" -- \
        "$libro" license show --db "$DB" "${want%%:*}"
done

# --- the roundtable: two seated communities, their representatives, a chair -----------------------
for t in 1 2; do
    must "$libro" key new --out t$t.pem --public-out t$t.pub
    must "$libro" issue charter --key town.pem --issuer $N --parent-charter town.jws \
        --id $N:tribe-$t --name "Tribe $t" --level 1 --community-key t$t.pub \
        --allow first-aid --valid-from "$FROM" --days 3000 --out t$t.jws
    must "$libro" roundtable seat --db "$DB" --actor clerk --charter t$t.jws
done
elect() { # NAME PERSON TRIBE (0: the chair)
    local signer=(--key t$3.pem --charter t$3.jws --roundtable-charter town.jws
        --office representative)
    [ "$3" = 0 ] && signer=(--key town.pem --charter town.jws --office chair)
    must "$libro" key new --out "$2.pem"
    "$libro" mandate issue "${signer[@]}" --holder "$1" --holder-key "$2.pem" \
        --valid-from "$(at '1 year ago')" --election-date "$(at '1 year ago')" \
        --election-record "sha256:$(printf '%s' "$1" | sha256sum | cut -c1-64)" \
        --electorate 1000 --election-result "elected with 600 of 900 votes" \
        --registry "$URL" --out "$2.jws" 2>"$work/must.err" </dev/null
}
MANDATE=$(elect "Ines Ito" ines 1) || { echo "setup failed: a mandate"; cat "$work/must.err"; exit 1; }
must elect "Jane Doe" jane 2
must elect "Lena Lopez" lena 0

# --- a law, adopted by consent ------------------------------------------------------------------
LAW=$N:law:quiet-hours
step() { # WHO SUBCOMMAND [options]
    local who=$1 sub=$2
    shift 2
    "$libro" law "$sub" --registry "$URL" --key "$who.pem" "$@" "$LAW"
}
must step ines propose --title "Quiet hours" --aim "that every household can rest" \
    --text "No amplified music between 22:00 and 07:00." --review-date "$(at '1 year')"
must step ines respond --consent
must step jane respond --consent
must "$libro" law adopt --registry "$URL" --key town.pem --charter town.jws --out law.jws "$LAW"

# --- an agreement two members signed, registered ---------------------------------------------------
must "$libro" agreement draft --title "Shared use of the Tribe 2 workshop" --community $N \
    --community-level 2 --party "ines.pem:tenant:Ines Ito" --party "jane.pem:owner:Jane Doe" \
    --responsibility "1:keep the workshop tidy" --responsibility "2:keep the roof sound" \
    --notice-days 30 --days 365 --out agreement.json
must "$libro" agreement sign --key ines.pem agreement.json
must "$libro" agreement sign --key jane.pem agreement.json
AGREEMENT=$("$libro" agreement register --registry "$URL" agreement.json 2>"$work/must.err" </dev/null) ||
    { echo "setup failed: agreement register"; cat "$work/must.err"; exit 1; }

# --- the pages, in Chromium ----------------------------------------------------------------------
# NAME STATUS PATH [hostile]: the answer's status (after a redirect); the hostile ones show
# $HOSTILE.
cat >pages.txt <<EOF
home 200 /
search-number 200 /licenses?number=T7-N-0001
search-holder 200 /licenses?holder=example
search-holder-hostile 200 /licenses?holder=zo%C3%AB hostile
search-none 404 /licenses?number=T7-X-9999
license-active 200 /licenses/T7-N-0001
license-hostile 200 /licenses/T7-N-0002 hostile
license-suspended 200 /licenses/T7-N-0003
license-revoked 200 /licenses/T7-N-0004
license-surrendered 200 /licenses/T7-N-0005
license-expired 200 /licenses/T7-F-0006
license-lapsed 200 /licenses/T7-F-0007
license-renewed 200 /licenses/T7-F-0008
license-v1 200 /v1/licenses/T7-N-0004
not-found 404 /no/such/page
roundtable 200 /v1/roundtable
mandate 200 /v1/mandates/$MANDATE
laws 200 /v1/laws
law 200 /v1/laws/$LAW
law-record 200 /v1/laws/$LAW/record
agreement 200 /v1/agreements/$AGREEMENT
EOF
printf '%s' "$HOSTILE" >hostile.txt
out=$(node "$here/pages.mjs" "$URL" "$chromium" "$shots" pages.txt hostile.txt 2>&1)
rc=$?
printf '%s\n' "$out"
if [ "$rc" -eq 0 ]; then ok; else fail "pages.mjs: exit $rc"; fi
if grep -qE 'runtime error:|Sanitizer' serve.log; then
    fail "sanitizer reports from the server:"
    grep -E -A5 'runtime error:|Sanitizer' serve.log | head -40
fi
printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
