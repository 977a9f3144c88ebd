#!/usr/bin/env bash
# End-to-end (issue 12): an employer watches a roster with `libro watch` against the real
# server on loopback (port 0). A roster of three licenses (and one number the registry does
# not hold); the first run prints the baseline; changes are made between runs (suspend,
# renew, lapse by the registry's clock, revoke) and each run's output is checked, as human
# lines and as --json validated against schemas/cli/watch.schema.json (ajv); a state file
# rewritten to another root (a forked log) and to a larger tree (a rolled-back log) is
# refused with exit 5 and left as it was; the Atom feed GET /v1/feed.atom is parsed by
# python3's XML parser and its entries checked. Prints "N passed, N failed".
# Usage: watch_test.sh PATH/TO/libro
set -uo pipefail
libro=${1:?usage: watch_test.sh PATH/TO/libro}
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro") # we cd below
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
e2e_require watch_test.sh python3 curl
e2e_start watch
DB=$(db_new reg.db) || exit 1
finish() {
    if grep -qE 'runtime error:|Sanitizer' "$work"/serve.log 2>/dev/null; then
        fail "sanitizer reports in the server:"
        grep -hE -A5 'runtime error:|Sanitizer' "$work"/serve.log | head -40
    fi
    printf '%d passed, %d failed\n' "$passed" "$failed"
    [ "$failed" -eq 0 ]
    exit
}
at() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }

FROM=$(at '30 days ago')
# A name that must be escaped in the feed.
e2e_town7 "$FROM" http://127.0.0.1 "Town 7 <&\"'>"
must "$libro" registry init --db "$DB" --charter town.jws --authorization regauth.jws
must "$libro" registry type --db "$DB" --id nursing-general --validity-days 1095 \
    --renewal-window-days 90 --grace-days 30 --actor "town clerk"
must "$libro" registry type --db "$DB" --id first-aid --validity-days 30 --renewal-window-days 5 \
    --grace-days 0 --actor "town clerk"
must "$libro" registry authorize --db "$DB" --authorization auth.jws --actor clerk --allow-unrecorded
e2e_serve "$DB" reg.pem
BOARD=(--key board.pem --authorization auth.jws --community-charter town.jws)
AS_BOARD=(--registry "$URL" --key board.pem --issuer urn:libro:town-7:board)
issue() { # NUMBER TYPE OUT [OPTIONS]
    local number=$1 type=$2 out=$3
    shift 3
    "$libro" issue license "${BOARD[@]}" --holder "Holder $number" --number "$number" \
        --profession "registered nurse" --type "$type" --scope "general care" \
        --out "$out" --registry "$URL" "$@"
}
must issue T7-N-0001 nursing-general ada.jws
# Renewable now: it ends in 20 days (an upcoming expiry within the default 30).
must issue T7-N-0002 nursing-general bo.jws --valid-from "$FROM" --valid-until "$(at '20 days')"
# A day's first aid that ended yesterday: the clock lapses it (no grace).
must issue T7-F-0001 first-aid cy.jws --valid-from "$(at '2 days ago')" --days 1
# Not on the roster until later.
must issue T7-N-0004 nursing-general di.jws
cat >roster.txt <<'EOF'
# nurses on the ward
T7-N-0001
  T7-N-0002
T7-N-0002

T7-F-0001	
T7-X-9999
EOF
W=("$libro" watch --registry "$URL" roster.txt)

# --- refusals before anything is trusted ------------------------------------------------------
check "before a sync: refused, naming libro sync" 1 "no registry synced from $URL: run 'libro sync" -- \
    "${W[@]}"
check "before a sync, --json" 1 '^\{"ok":false,"error":\{"code":"not_found"' -- "${W[@]}" --json
must "$libro" trust add --anchor town.jws
must "$libro" sync "$URL"
printf 'T7-N-0001\nT7 N 0002\n' >bad.txt
check "a roster line that is not a number" 1 'bad.txt: roster line 2: not a license number' -- \
    "$libro" watch --registry "$URL" bad.txt
check "--within out of range" 2 'within' -- "${W[@]}" --within 4000
check "--registry is required" 2 'registry' -- "$libro" watch roster.txt
check "a missing roster" 1 'missing.txt' -- "$libro" watch --registry "$URL" missing.txt

# --- run 1: the baseline ----------------------------------------------------------------------
out=$("${W[@]}" 2>&1)
rc=$?
[ "$rc" -eq 0 ] && ok || fail "run 1: exit $rc: $out"
want1="first run: the state of 4 rostered licenses now, as a baseline; changes are told from the next run"
if [ "$(head -1 <<<"$out")" = "$want1" ]; then ok; else fail "run 1 starts: $out"; fi
check "run 1: baselines in the roster's order" 0 '^T7-F-0001 T7-N-0001 T7-N-0002 T7-X-9999 T7-F-0001 T7-N-0002 $' -- \
    echo "$(sed -n '2,$s/:.*//p' <<<"$out" | tr '\n' ' ')"
check "run 1: baseline of T7-N-0001" 0 '^T7-N-0001: active, valid until 20[0-9-]+T' -- echo "$out"
check "run 1: the unknown number" 0 '^T7-X-9999: not found at the registry$' -- echo "$out"
check "run 1: upcoming expiry in 19 or 20 days" 0 '^T7-N-0002: expires [0-9TZ:-]+, in (19|20) days$' -- \
    echo "$out"
check "run 1: a validUntil that has passed" 0 '^T7-F-0001: validUntil [0-9TZ:-]+ has passed; the registry has not yet expired it$' -- \
    echo "$out"
if [ "$(wc -l <<<"$out")" -eq 7 ]; then ok; else fail "run 1: want 7 lines: $out"; fi
state=$(ls "$XDG_DATA_HOME"/libro/watch/*.json 2>/dev/null)
if [ "$(wc -l <<<"$state")" -eq 1 ] && [ "$(stat -c %a "$state")" = 600 ]; then ok; else
    fail "one state file of mode 600 in the trust store: '$state'"
fi

# --- run 2: nothing changed: nothing printed (a cron job mails nothing) -----------------------
out=$("${W[@]}" 2>&1)
rc=$?
if [ "$rc" -eq 0 ] && [ -z "$out" ]; then ok; else fail "run 2: exit $rc, want 0 and silence: $out"; fi

# --- changes: suspend, renew, the clock (expire and lapse) -------------------------------------
must "$libro" license suspend "${AS_BOARD[@]}" --reason "complaint under review" T7-N-0001
must "$libro" license renew --registry "$URL" "${BOARD[@]}" --out bo2.jws T7-N-0002
must issue T7-X-9999 nursing-general ed.jws
must "$libro" license tick --db "$DB"
out=$("${W[@]}" 2>&1)
rc=$?
[ "$rc" -eq 0 ] && ok || fail "run 3: exit $rc: $out"
want3="T7-N-0001: suspend [0-9TZ:-]+, now suspended
T7-N-0002: renew [0-9TZ:-]+, now active
T7-X-9999: issue [0-9TZ:-]+, now active
T7-F-0001: expire [0-9TZ:-]+, now expired
T7-F-0001: lapse [0-9TZ:-]+, now lapsed"
if [[ $out =~ ^${want3}$ ]]; then ok; else fail "run 3: want suspend, renew, issue, expire, lapse: $out"; fi
check "run 4: nothing new" 0 '^$' -- "${W[@]}"
# Two numbers added to the roster: a baseline of each on the next run, and nothing else.
printf 'T7-N-0004\nT7-Z-0000\n' >>roster.txt
out=$("${W[@]}" 2>&1)
if [[ $out =~ ^T7-N-0004:\ active,\ valid\ until\ [0-9TZ:-]+$'\n'T7-Z-0000:\ not\ found\ at\ the\ registry$ ]]; then
    ok
else
    fail "run 4b: want the baselines of the two numbers added: $out"
fi

# --- run 5: a revocation, as JSON --------------------------------------------------------------
must "$libro" license revoke "${AS_BOARD[@]}" --reason "struck off" T7-N-0001
"${W[@]}" --json >run5.json 2>run5.err
rc=$?
[ "$rc" -eq 0 ] && ok || fail "run 5 --json: exit $rc: $(cat run5.err)"
check "run 5: the revocation" 0 '"events":\[\{"kind":"change","license":"T7-N-0001","state":"revoked","action":"revoke","at":"[0-9TZ:-]+","version":1,"leaf":[0-9]+,"category":null\}\]\}$' -- \
    cat run5.json
check "run 5: the log's sizes" 0 '^\{"ok":true,"registry":"http://127.0.0.1:[0-9]+","first":false,"log":\{"from":[0-9]+,"to":[0-9]+\}' -- \
    cat run5.json
# A first run as JSON, from a state of its own: baseline, not-found and upcoming events.
"${W[@]}" --json --state first.json >first.json.out 2>/dev/null
check "a first run --json" 0 '"first":true,.*"kind":"baseline","license":"T7-F-0001","state":"lapsed".*"kind":"not-found","license":"T7-Z-0000"\}' -- \
    cat first.json.out
"${W[@]}" --json --state "$work/none/x.json" >err.json 2>/dev/null
check "a state that cannot be written --json" 0 '^\{"ok":false,"error":\{"code":"io"' -- cat err.json
if [ -d "$here/../schemas/node_modules/ajv" ] && command -v node >/dev/null; then
    check "the --json documents match schemas/cli/watch.schema.json" 0 '3 valid, 0 not' -- \
        node "$here/../schemas/cli.mjs" watch.schema.json run5.json first.json.out err.json
elif [ -n "${LIBRO_TEST_STRICT:-}" ]; then
    fail "node or tests/schemas/node_modules is missing (npm ci --prefix tests/schemas)"
fi

# --- a forked or rolled-back log: refused loudly, the state left as it was ---------------------
cp "$state" saved.json
python3 - "$state" <<'EOF'
import base64, json, sys
s = json.load(open(sys.argv[1]))
s["root"] = base64.b64encode(bytes(32)).decode()
open(sys.argv[1], "w").write(json.dumps(s))
EOF
cp "$state" forked.json
must "$libro" license surrender "${AS_BOARD[@]}" --reason "moved away" T7-N-0002
check "a forked log: exit 5" 5 'does not extend the one of [0-9]+ seen before: it forked' -- "${W[@]}"
if cmp -s "$state" forked.json; then ok; else fail "a refused run rewrote the state file"; fi
check "a forked log --json" 5 '^\{"ok":false,"error":\{"code":"bad_proof"' -- "${W[@]}" --json
python3 - "$state" saved.json <<'EOF'
import json, sys
s = json.load(open(sys.argv[2]))
s["size"] += 1000
open(sys.argv[1], "w").write(json.dumps(s))
EOF
check "a rolled-back log: exit 5" 5 'fewer than the [0-9]+ seen before: refusing a rolled-back log' -- \
    "${W[@]}"
cp saved.json "$state"
check "the state restored: the surrender is told" 0 '^T7-N-0002: surrender [0-9TZ:-]+, now surrendered$' -- \
    "${W[@]}"
printf '{"v":1}' >"$state"
check "a damaged state file" 1 'watch state .* is damaged: remove it' -- "${W[@]}"

# --- pages of leaves: GET /v1/log/leaves?start=N&count=M ---------------------------------------
curl -sS -o page.json "$URL/v1/log/leaves?start=1&count=2"
curl -sS -o leaf1.json "$URL/v1/log/leaves/1"
curl -sS -o leaf2.json "$URL/v1/log/leaves/2"
check "a page of two leaves: their exact texts" 0 '^same$' -- python3 -c '
import json, sys
page = json.load(open("page.json"))
want = [open("leaf1.json", "rb").read().decode(), open("leaf2.json", "rb").read().decode()]
print("same" if page == want else "differ: %r %r" % (page, want))'
size=$(curl -sS "$URL/v1/log/checkpoint" | sed -n 2p)
check "a page cut short by the log's end" 0 '^1$' -- python3 -c '
import json, sys, urllib.request
print(len(json.load(urllib.request.urlopen(sys.argv[1]))))' "$URL/v1/log/leaves?start=$((size - 1))&count=256"
for q in "start=0&count=0" "start=0&count=257" "count=2" "start=x"; do
    check "a page: $q refused" 0 '^400$' -- curl -sS -o /dev/null -w '%{http_code}' "$URL/v1/log/leaves?$q"
done
check "a page past the log's end" 0 '^404$' -- curl -sS -o /dev/null -w '%{http_code}' \
    "$URL/v1/log/leaves?start=$size"

# --- the Atom feed of public license changes ---------------------------------------------------
curl -sS -D feed.h -o feed.xml "$URL/v1/feed.atom"
check "feed: 200 application/atom+xml" 0 '' -- grep -qiE '^content-type: application/atom\+xml' feed.h
etag=$(sed -n 's/^[Ee][Tt][Aa][Gg]: *\(.*\)\r$/\1/p' feed.h)
check "feed: 304 for its ETag" 0 '^304$' -- curl -sS -o /dev/null -w '%{http_code}' \
    -H "If-None-Match: $etag" "$URL/v1/feed.atom"
cat >feed.py <<'EOF'
import sys, xml.etree.ElementTree as ET
A = "{http://www.w3.org/2005/Atom}"
feed = ET.parse(sys.argv[1]).getroot()
assert feed.tag == A + "feed", feed.tag
for need in ("id", "title", "updated"):
    assert feed.find(A + need) is not None and feed.find(A + need).text, need
entries = feed.findall(A + "entry")
ids = set()
for e in entries:
    for need in ("id", "title", "updated"):
        assert e.find(A + need) is not None and e.find(A + need).text, need
    assert e.find(A + "id").text.startswith("urn:libro:"), e.find(A + "id").text
    ids.add(e.find(A + "id").text)
assert len(ids) == len(entries)
assert feed.find(A + "title").text == "Town 7 <&\"'>: license changes", feed.find(A + "title").text
assert feed.find(A + "author").find(A + "name").text == "Town 7 <&\"'>"
titles = [e.find(A + "title").text for e in entries]
assert titles[0] == "T7-N-0002 surrendered", titles
assert "T7-N-0001 revoked" in titles and "T7-F-0001 lapsed" in titles, titles
assert not any("struck off" in ET.tostring(e, encoding="unicode") for e in entries)
print("ok", len(entries))
EOF
check "feed: well-formed Atom with its entries" 0 '^ok 11$' -- python3 feed.py feed.xml
finish
