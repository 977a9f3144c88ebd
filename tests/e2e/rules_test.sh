#!/usr/bin/env bash
# End-to-end (issue 12, rules): what a new user types and is told. Dates where a time is
# meant (2027-01-01 is its 00:00:00Z; 2026-13-01 says what is wrong); `libro verify FILE`
# telling a compact JWS or an LB1 text file from an image by its bytes; a lapsed license's
# refusal saying what to do next; renewal keeping the days left; unknown evidence refused;
# the reason category over a registry URL. Prints "N passed, N failed".
# Usage: rules_test.sh PATH/TO/libro
set -uo pipefail
libro=${1:?usage: rules_test.sh PATH/TO/libro}
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro") # we cd below
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_start rules
at() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }

# --- dates ---------------------------------------------------------------------------------------
must "$libro" key new --out date.pem --public-out date.pub
check "a date is its midnight UTC" 0 '\(2027-01-01T00:00:00Z \.\. 2027-01-11T00:00:00Z\)' -- \
    "$libro" issue charter --self --key date.pem --id urn:libro:town-7 --name "Town 7" --level 2 \
    --allow nursing-general --valid-from 2027-01-01 --days 10 --out dated.jws
check "month 13" 1 '^libro: issue charter: --valid-from: timestamp: month 13 out of range$' -- \
    "$libro" issue charter --self --key date.pem --id urn:libro:town-7 --name "Town 7" --level 2 \
    --allow nursing-general --valid-from 2026-13-01 --days 10 --out never.jws
check "--valid-until: Feb 30" 1 '--valid-until: timestamp: day 30 out of range for 2027-02' -- \
    "$libro" issue charter --self --key date.pem --id urn:libro:town-7 --name "Town 7" --level 2 \
    --allow nursing-general --valid-from 2027-01-01 --valid-until 2027-02-30 --out never.jws
check "not a date" 1 '--valid-from: timestamp: want a date YYYY-MM-DD or an RFC 3339 time' -- \
    "$libro" issue charter --self --key date.pem --id urn:libro:town-7 --name "Town 7" --level 2 \
    --allow nursing-general --valid-from 2027/01/01 --days 10 --out never.jws
check "verify --at: a date" 2 '--at: timestamp: month 13 out of range' -- \
    "$libro" verify --at 2026-13-01 --jws dated.jws
[ -e never.jws ] && fail "a refused date wrote a credential"

# --- verify FILE: told by its bytes --------------------------------------------------------------
must "$libro" trust add --anchor dated.jws
want=$("$libro" verify --jws dated.jws 2>&1)
"$libro" qr encode --text dated.jws >lb.txt 2>/dev/null
"$libro" qr encode --png dated.png dated.jws 2>/dev/null
printf '  %s\n\n' "$(cat dated.jws)" >spaced.jws
for f in dated.jws lb.txt spaced.jws dated.png; do
    got=$("$libro" verify "$f" 2>&1)
    if [ "$got" = "$want" ]; then ok; else fail "verify $f: '$got', want '$want'"; fi
done
case $want in *"not a license"*) ok ;; *) fail "verify --jws of a charter: $want" ;; esac
printf 'hello, world\n' >junk.txt
check "verify junk" 2 '^libro: verify: junk.txt is neither an image \(PNG, JPEG, PGM or PPM\) nor a compact JWS or LB text \(LB1:, LB2:, LB3:, LBR:\)$' -- \
    "$libro" verify junk.txt
printf 'eyJhbGciOiJFZERTQSJ9.e30\n' >onedot.txt
check "verify: a JWS with one dot is not one" 2 'onedot.txt is neither an image' -- \
    "$libro" verify onedot.txt
printf 'GIF89a' >x.gif
check "verify: another image format says so" 8 'unsupported image format GIF' -- "$libro" verify x.gif

# --- terminal QR codes: they scan, and one too wide says so ----------------------------------------
# term2pgm.py IN OUT: what a terminal shows of IN (black glyphs on white cells where the output
# sets SGR 30;47, else glyphs as light on a dark terminal) as a PGM image, 4 pixels a module.
cat >term2pgm.py <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
rows = []
for line in text.split("\n")[:-1]:
    colored = "\x1b[30;47m" in line
    line = re.sub("\x1b\\[[0-9;]*m", "", line)
    ink, paper = (0, 255) if colored else (255, 0)
    top = [ink if c in "\u2580\u2588" else paper for c in line]
    bottom = [ink if c in "\u2584\u2588" else paper for c in line]
    rows += [top, bottom]
px = 4
w, h = len(rows[0]) * px, len(rows) * px
out = bytearray()
for r in rows:
    line = bytes(v for v in r for _ in range(px))
    out += line * px
open(sys.argv[2], "wb").write(b"P5 %d %d 255\n" % (w, h) + bytes(out))
PY
"$libro" qr encode --text dated.jws >want.txt 2>/dev/null
COLUMNS=200 "$libro" qr encode --terminal dated.jws >term.txt 2>/dev/null
check "terminal: black on white" 0 '' -- grep -q $'^\x1b\\[30;47m' term.txt
must python3 term2pgm.py term.txt term.pgm
same() { [ "$("$libro" qr decode "$1" 2>&1)" = "$(cat want.txt)" ]; } # the scan is the LB2 text
check "terminal code scans" 0 '' -- same term.pgm
COLUMNS=200 "$libro" qr encode --terminal --invert dated.jws >inv.txt 2>/dev/null
must python3 term2pgm.py inv.txt inv.pgm
check "inverted terminal code scans on a dark terminal" 0 '' -- same inv.pgm
check "NO_COLOR: no escape codes" 1 '' -- env COLUMNS=200 NO_COLOR=1 sh -c "'$libro' qr encode --terminal dated.jws 2>/dev/null | grep -q \$'\\x1b'"
check "terminal too narrow" 1 '^libro: qr encode: the QR code \(version [0-9]+\) needs [0-9]+ columns with its quiet zone, the terminal has 40: widen the terminal, or write an image with --png FILE$' -- \
    env COLUMNS=40 "$libro" qr encode --terminal dated.jws

# --- a registry: renewal keeps the days left, unknown evidence, a lapsed license ------------------
ago() { date -u -d "$1 ago" +%Y-%m-%dT%H:%M:%SZ; }
epoch() { date -u -d "$1" +%s; }
b64url_decode() {
    local p
    p=$(tr '_-' '/+')
    while [ $((${#p} % 4)) -ne 0 ]; do p="$p="; done
    printf '%s' "$p" | base64 -d
}
field() { cut -d. -f2 "$1" | b64url_decode | sed -n "s/.*\"$2\":\"\([^\"]*\)\".*/\1/p"; } # FILE NAME
e2e_town7 "$(ago '1100 days')" http://127.0.0.1
DB=$(db_new reg.db) || exit 1
BASE=http://127.0.0.1/v1/status
ISSUER=(--key board.pem --authorization auth.jws --community-charter town.jws)
lic() { e2e_license "$DB" "$@"; } # NUMBER TYPE OUT [extra options]
must "$libro" registry init --db "$DB" --charter town.jws --authorization regauth.jws
must "$libro" registry type --db "$DB" --id nursing-general --validity-days 1095 \
    --renewal-window-days 90 --grace-days 30 --requires 'cpd_hours >= 60' --actor clerk
check "type: renewals from now" 0 'license type first-aid: .*renewed terms running from now' -- \
    "$libro" registry type --db "$DB" --id first-aid --validity-days 30 --renewal-window-days 30 \
    --grace-days 0 --renewal-from now --actor clerk
check "type: --renewal-from is expiry or now" 2 '--renewal-from: want expiry or now' -- \
    "$libro" registry type --db "$DB" --id first-aid --validity-days 30 --renewal-window-days 30 \
    --grace-days 0 --renewal-from later --actor clerk
must "$libro" registry authorize --db "$DB" --authorization auth.jws --actor clerk --allow-unrecorded
# Ada's license ends in 30 days: in its renewal window.
must lic T7-N-0001 nursing-general ada.jws --valid-from "$(ago '1065 days')" --days 1095
check "renew: unknown evidence refused" 1 'evidence cpd_hour: license type nursing-general does not ask for it \(it accepts cpd_hours\)' -- \
    "$libro" license renew --db "$DB" "${ISSUER[@]}" --evidence cpd_hour=60 --actor ops \
    --out never.jws T7-N-0001
check "renew: refused, nothing recorded" 0 'T7-N-0001 \(version 1\)' -- \
    "$libro" license show --db "$DB" T7-N-0001
check "renew 30 days early" 0 'T7-N-0001: renewed, version 2, valid from ' -- \
    "$libro" license renew --db "$DB" "${ISSUER[@]}" --evidence cpd_hours=60 --actor ops \
    --out ada2.jws T7-N-0001
if [ "$(epoch "$(field ada2.jws validFrom)")" -eq $(($(epoch "$(field ada.jws validUntil)") + 1)) ]; then
    ok
else
    fail "renewed early: validFrom $(field ada2.jws validFrom), old validUntil $(field ada.jws validUntil)"
fi
if [ $(($(epoch "$(field ada2.jws validUntil)") - $(epoch "$(field ada2.jws validFrom)"))) -eq $((1095 * 86400)) ]; then
    ok
else
    fail "renewed early: not 1095 days"
fi
# A type that renews from now forfeits the days left.
must lic T7-F-0001 first-aid fa.jws --valid-from "$(ago '10 days')"
before=$(date -u +%s)
check "renew from now" 0 'T7-F-0001: renewed, version 2' -- "$libro" license renew --db "$DB" \
    "${ISSUER[@]}" --actor ops --out fa2.jws T7-F-0001
from=$(epoch "$(field fa2.jws validFrom)")
if [ "$from" -ge "$before" ] && [ "$from" -le "$(date -u +%s)" ]; then ok; else fail "renew from now: validFrom $from"; fi
# A license 10 days past its end with no grace period lapses; its renewal says what to do.
must lic T7-F-0002 first-aid old.jws --valid-from "$(ago '40 days')"
check "tick: expire and lapse" 0 '^2 changes$' -- "$libro" license tick --db "$DB"
check "renew a lapsed license" 1 'a lapsed license cannot be renewed: its grace period ended [0-9T:Z-]+; apply for a new license \(libro issue license\)' -- \
    "$libro" license renew --db "$DB" "${ISSUER[@]}" --actor ops --out never.jws T7-F-0002
check "show: the clock's category" 0 'lapse .*by registry \(non-renewal\)' -- \
    "$libro" license show --db "$DB" T7-F-0002

# --- the reason category over the registry's URL ------------------------------------------------
e2e_serve "$DB" reg.pem
check "suspend --registry --category" 0 'T7-N-0001: suspend recorded by the registry' -- \
    "$libro" license suspend --registry "$URL" --key board.pem --issuer urn:libro:town-7:board \
    --reason "on leave" --category health T7-N-0001
check "the registry recorded the category" 0 'suspend .*: on leave \(health\)' -- \
    "$libro" license show --db "$DB" T7-N-0001
check "--registry: unknown category refused before sending" 2 'unknown reason category "mood"' -- \
    "$libro" license revoke --registry "$URL" --key board.pem --issuer urn:libro:town-7:board \
    --reason x --category mood T7-N-0001
[ -e never.jws ] && fail "a refused renewal wrote a credential"

printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
