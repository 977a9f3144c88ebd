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
must "$libro" key new --out town.pem --public-out town.pub
check "a date is its midnight UTC" 0 '\(2027-01-01T00:00:00Z \.\. 2027-01-11T00:00:00Z\)' -- \
    "$libro" issue charter --self --key town.pem --id urn:libro:town-7 --name "Town 7" --level 2 \
    --allow nursing-general --valid-from 2027-01-01 --days 10 --out dated.jws
check "month 13" 1 '^libro: issue charter: --valid-from: timestamp: month 13 out of range$' -- \
    "$libro" issue charter --self --key town.pem --id urn:libro:town-7 --name "Town 7" --level 2 \
    --allow nursing-general --valid-from 2026-13-01 --days 10 --out never.jws
check "--valid-until: Feb 30" 1 '--valid-until: timestamp: day 30 out of range for 2027-02' -- \
    "$libro" issue charter --self --key town.pem --id urn:libro:town-7 --name "Town 7" --level 2 \
    --allow nursing-general --valid-from 2027-01-01 --valid-until 2027-02-30 --out never.jws
check "not a date" 1 '--valid-from: timestamp: want a date YYYY-MM-DD or an RFC 3339 time' -- \
    "$libro" issue charter --self --key town.pem --id urn:libro:town-7 --name "Town 7" --level 2 \
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

printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
