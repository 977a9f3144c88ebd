#!/usr/bin/env bash
# End-to-end tests of libro issue license --batch (CSV and JSON lines: every line reported
# with its number, bad lines failing alone, exit codes 0, 4 and 1, a file refused whole before
# anything is issued, groups of a transaction) and of libro license expiring streaming what
# the batch registered, in order, as one JSON document. Prints "N passed, N failed".
set -uo pipefail
libro=${1:?usage: batch_test.sh PATH/TO/libro}
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro") # we cd below
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_require batch_test.sh python3 date
e2e_start batch
ago() { date -u -d "$1 ago" +%Y-%m-%dT%H:%M:%SZ; }
FROM=$(ago '30 days')
BASE=https://registry.town-7.example/v1/status

# --- the world: Town 7, its board (issuer) and its registry ----------------------------------
e2e_town7 "$FROM"
DB=$(db_new reg.db) || exit 1
must "$libro" registry init --db "$DB" --charter town.jws --authorization regauth.jws
must "$libro" registry type --db "$DB" --id nursing-general --validity-days 1095 \
    --renewal-window-days 90 --grace-days 30 --actor ops
must "$libro" registry type --db "$DB" --id first-aid --validity-days 30 --renewal-window-days 10 \
    --grace-days 5 --actor ops
BATCH=(--key board.pem --authorization auth.jws --community-charter town.jws --registry "$DB"
    --status-url-base $BASE)
# The decoded payload of license NUMBER's credential as the registry holds it.
payload_of() {
    "$libro" license show --db "$DB" --json "$1" | python3 -c '
import base64, json, sys
jws = json.load(sys.stdin)["license"]["credential"]
p = jws.split(".")[1]
print(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)).decode())'
}
# Each line of report FILE against the patterns that follow, in order.
expect_report() { # FILE PATTERN...
    local file=$1 i=0 line
    shift
    for want in "$@"; do
        i=$((i + 1))
        line=$(sed -n "${i}p" "$file")
        grep -qE -- "$want" <<<"$line" && ok || fail "$file line $i: '$line', want /$want/"
    done
}
count() { db_sql "$DB" "SELECT count(*) FROM license"; }

# --- CSV: good lines issued, bad lines failing alone with their line numbers ------------------
long=$(head -c 5000 /dev/zero | tr '\0' x)
cat >good.csv <<EOF
holder,number,profession,type,scope,days
Ada Example,T7-N-0001,registered nurse,nursing-general,general care;night shifts,20

"Example, Bo",T7-N-0002,registered nurse,nursing-general,general care,40
Cy Example,T7-F-0001,first aider,first-aid,first aid,10
EOF
mkdir out
check "csv: every line issued" 0 '^line 5: issued T7-F-0001 \(status list 0, index [0-9]+\)$' -- \
    "$libro" issue license --batch good.csv "${BATCH[@]}" --out-dir out
check "csv: quoted field with a comma" 0 'holder +Example, Bo' -- "$libro" license show --db "$DB" \
    T7-N-0002
check "csv: scope items" 0 '"general care","night shifts"' -- payload_of T7-N-0001
check "--out-dir: one file per license" 0 '' -- test -s out/T7-N-0001.jws
"$libro" license show --db "$DB" --json T7-F-0001 >show.json
python3 - show.json out/T7-F-0001.jws <<'EOF' && ok || fail "--out-dir: not the registered credential"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["license"]["credential"] + "\n" == open(sys.argv[2]).read(), doc
EOF

cat >mixed.csv <<EOF
holder,number,profession,type,scope
Di Example,T7-N-0010,registered nurse,nursing-general,general care
Ed Example,T7-N-0011,registered nurse,plumbing,general care
Fa Example,T7-N-0012,registered nurse
Gi Example,T7-N-0010,registered nurse,nursing-general,general care
"Ha Example,T7-N-0013,registered nurse,nursing-general,general care
$long
Io Example,T7-N-0014,registered nurse,nursing-general,
Jo Example,T7-N-0015,registered nurse,nursing-general,general care
EOF
"$libro" issue license --batch mixed.csv "${BATCH[@]}" >mixed.out 2>mixed.err
rc=$?
[ $rc -eq 4 ] && ok || fail "csv with bad lines: exit $rc, want 4: $(cat mixed.err)"
expect_report mixed.out \
    '^line 2: issued T7-N-0010 ' \
    '^line 3: .*plumbing' \
    '^line 4: 3 fields, the header has 5$' \
    '^line 5: .*already registered' \
    '^line 6: a quoted field is not closed$' \
    '^line 7: longer than 4096 bytes$' \
    '^line 8: no scope$' \
    '^line 9: issued T7-N-0015 '
[ "$(wc -l <mixed.out)" -eq 8 ] && ok || fail "csv report: $(wc -l <mixed.out) lines, want 8"
grep -q '^libro: 2 of 8 lines issued, 6 failed$' mixed.err && ok || fail "csv summary: $(cat mixed.err)"
check "a failed line left nothing" 1 'no license T7-N-0011' -- "$libro" license show --db "$DB" \
    T7-N-0011

# --- JSON lines ------------------------------------------------------------------------------
cat >lines.jsonl <<'EOF'
{"holder":"Ko Example","number":"T7-N-0020","profession":"registered nurse","type":"nursing-general","scope":["general care","wards"],"days":60}
{"holder":"Lu Example","number":"T7-N-0021","profession":"registered nurse","type":"nursing-general","scope":"general care","colour":"blue"}
{"holder":"Mo Example","number":"T7-N-0022","holder":"twice","profession":"registered nurse","type":"nursing-general","scope":"general care"}
{"holder":"No\u0007Example","number":"T7-N-0023","profession":"registered nurse","type":"nursing-general","scope":"general care"}
{"holder":"Oz Example","number":"T7-N-0024","profession":"registered nurse","type":"nursing-general","scope":"general care","days":-3}
not json at all
{"holder":"Pi Example","number":"T7-N-0025","profession":"registered nurse","type":"nursing-general","scope":"general care","validUntil":"soon"}
{"holder":"Qu Example","number":"T7-N-0026","profession":"registered nurse","type":"nursing-general","scope":["general care"],"days":70}
EOF
"$libro" issue license --batch lines.jsonl "${BATCH[@]}" >lines.out 2>lines.err
rc=$?
[ $rc -eq 4 ] && ok || fail "jsonl with bad lines: exit $rc, want 4: $(cat lines.err)"
expect_report lines.out \
    '^line 1: issued T7-N-0020 ' \
    '^line 2: unknown member "colour"$' \
    '^line 3: .*duplicate' \
    '^line 4: holder: control character$' \
    '^line 5: days: want 1 to 36600$' \
    '^line 6: ' \
    '^line 7: valid_until: ' \
    '^line 8: issued T7-N-0026 '
check "jsonl: scope array" 0 '"general care","wards"' -- payload_of T7-N-0020

# --- refused whole: nothing issued -----------------------------------------------------------
before=$(count)
printf 'holder,number,colour\nA,B,C\n' >header.csv
check "unknown column" 1 'unknown column "colour"' -- "$libro" issue license --batch header.csv \
    "${BATCH[@]}"
printf 'holder,number,profession,type\n' >short.csv
check "missing column" 1 'no column scope' -- "$libro" issue license --batch short.csv "${BATCH[@]}"
{
    echo 'holder,number,profession,type,scope'
    yes 'Zed Example,T7-N-9999,registered nurse,nursing-general,general care' | head -n 1000001
} >huge.csv
check "too many lines" 1 'more than 1000000 records' -- "$libro" issue license --batch huge.csv \
    "${BATCH[@]}"
check "no such file" 1 'nope.csv' -- "$libro" issue license --batch nope.csv "${BATCH[@]}"
[ "$(count)" -eq "$before" ] && ok || fail "a refused file issued licenses: $before, then $(count)"
check "--batch needs --registry" 2 'registry' -- "$libro" issue license --batch good.csv \
    --key board.pem --authorization auth.jws --community-charter town.jws
check "--batch: no single-license options" 2 'holder' -- "$libro" issue license --batch good.csv \
    "${BATCH[@]}" --holder X
check "--out-dir: a directory" 1 'not a directory' -- "$libro" issue license --batch good.csv \
    "${BATCH[@]}" --out-dir good.csv
check "--group: a number" 2 'group' -- "$libro" issue license --batch good.csv "${BATCH[@]}" \
    --group 0

# --- groups: many lines per transaction, a bad one undone alone -------------------------------
{
    echo 'holder,number,profession,type,scope,days'
    for i in $(seq 100 129); do
        if [ "$i" -eq 117 ]; then
            echo "Bad Line,T7-N-0$i,registered nurse,plumbing,general care,5"
        else
            echo "Holder $i,T7-N-0$i,registered nurse,nursing-general,general care,$((i - 50))"
        fi
    done
} >group.csv
"$libro" issue license --batch group.csv "${BATCH[@]}" --group 7 >group.out 2>group.err
rc=$?
[ $rc -eq 4 ] && ok || fail "groups: exit $rc, want 4: $(cat group.err)"
[ "$(grep -c ': issued ' group.out)" -eq 29 ] && ok || fail "groups: $(grep -c ': issued ' group.out) issued, want 29"
grep -q '^line 19: .*plumbing' group.out && ok || fail "groups: line 19 not reported: $(cat group.out)"
check "groups: the line after the bad one" 0 'state +active' -- "$libro" license show --db "$DB" \
    T7-N-0118
# A line refused after its reservation (a number already registered) took it back with it.
slots=$(db_sql "$DB" "SELECT count(*) FROM status_slot")
[ "$slots" -eq "$(count)" ] && ok || fail "reservations without a license: $slots slots, $(count) licenses"

# --- over HTTP: each line a signed request, committed by the registry before it answers ------
must "$libro" issue registry-authorization --key town.pem --charter town.jws \
    --id urn:libro:town-7:registry --name "Town 7 Registry" --subject-key reg.pub \
    --url http://127.0.0.1 --valid-from "$FROM" --days 3000 --out regauth-local.jws
must "$libro" registry init --db served.db --charter town.jws --authorization regauth-local.jws
must "$libro" registry type --db served.db --id nursing-general --validity-days 1095 \
    --renewal-window-days 90 --grace-days 30 --actor ops
must "$libro" registry authorize --db served.db --authorization auth.jws --actor ops \
    --allow-unrecorded
e2e_serve served.db reg.pem
cat >remote.csv <<EOF
holder,number,profession,type,scope,days
Ra Example,T7-N-0500,registered nurse,nursing-general,general care,30
Sa Example,T7-N-0501,registered nurse,plumbing,general care,30
Ta Example,T7-N-0502,registered nurse,nursing-general,general care,31
EOF
for i in $(seq 503 514); do
    echo "Holder $i,T7-N-0$i,registered nurse,nursing-general,general care,$((i - 450))" >>remote.csv
done
"$libro" issue license --batch remote.csv --key board.pem --authorization auth.jws \
    --community-charter town.jws --registry "$URL" >remote.out 2>remote.err
rc=$?
[ $rc -eq 4 ] && ok || fail "over HTTP: exit $rc, want 4: $(cat remote.err)"
expect_report remote.out \
    '^line 2: issued T7-N-0500 \(status list 0, index [0-9]+\)$' \
    '^line 3: .*plumbing' \
    '^line 4: issued T7-N-0502 '
check "over HTTP: registered" 0 'state +active' -- "$libro" license show --db served.db T7-N-0502
# Fourteen licenses of about 2.5 KiB each: several pages of the query, each after the last.
"$libro" license expiring --registry "$URL" --key board.pem --issuer urn:libro:town-7:board \
    --within 100 --json >remote-exp.json 2>remote-exp.err
rc=$?
[ $rc -eq 0 ] && ok || fail "expiring over HTTP: exit $rc: $(cat remote-exp.err)"
python3 - remote-exp.json <<'EOF' && ok || fail "expiring over HTTP: $(head -c 300 remote-exp.json)"
import json, sys
lics = json.load(open(sys.argv[1]))["licenses"]
numbers = [l["number"] for l in lics]
assert numbers == ["T7-N-0500", "T7-N-0502"] + ["T7-N-0%d" % i for i in range(503, 515)], numbers
EOF

# --- libro license expiring streams what is there, soonest first -----------------------------
"$libro" license expiring --db "$DB" --within 100 --json >exp.json 2>exp.err
rc=$?
[ $rc -eq 0 ] && ok || fail "expiring --json: exit $rc: $(cat exp.err)"
python3 - exp.json <<'EOF' && ok || fail "expiring --json: $(head -c 300 exp.json)"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["ok"] is True, doc
lics = doc["licenses"]
# 2 + 2 (days 20, 40, 10 and none) from good.csv..., all active within 100 days
until = [l["validUntil"] for l in lics]
assert until == sorted(until), until
numbers = {l["number"] for l in lics}
assert {"T7-N-0001", "T7-N-0002", "T7-F-0001", "T7-N-0020", "T7-N-0026"} <= numbers, numbers
assert "T7-N-0010" not in numbers  # the type's full validity: years away
assert all("credential" not in l for l in lics)
assert len(lics) == len(numbers)
EOF
check "expiring: text, soonest first" 0 '^T7-F-0001 ' -- bash -c \
    "'$libro' license expiring --db '$DB' --within 100 2>/dev/null | head -n 1"
check "expiring: none" 0 '^\{"ok":true,"licenses":\[\]\}$' -- "$libro" license expiring --db "$DB" \
    --within 0 --json

printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
