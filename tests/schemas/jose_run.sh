#!/usr/bin/env bash
# ctest agreement_jose: an independent JOSE implementation (npm `jose`, jose_agreement.mjs)
# reads and writes libro's agreements, JWS JSON General Serialization. jose verifies every
# signature of documents `libro agreement` signed (two Ed25519 parties and a P-256 one; seven
# parties) and of the mutual end statement the seven collect, refuses a payload swapped; libro
# finds what jose signed COMPLETE, and PARTIAL when jose signed for one party only.
# Usage: jose_run.sh PATH/TO/libro
# Exit 0 all as expected, 1 a mismatch, 77 skipped (no node_modules: `npm ci --prefix
# tests/schemas`).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
libro=${1:?usage: jose_run.sh PATH/TO/libro}
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro")
if [ ! -d "$here/node_modules/jose" ] || ! command -v node >/dev/null 2>&1; then
    printf '\n*** SKIPPED: agreement_jose: node or %s/node_modules/jose is missing; run `npm ci --prefix tests/schemas` ***\n\n' "$here" >&2
    [ -z "${LIBRO_TEST_STRICT:-}" ] || exit 1 # scripts/test installed it: missing is a failure
    exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
passed=0
failed=0
expect() { # NAME WANT-EXIT COMMAND...
    local name=$1 want=$2 out rc
    shift 2
    out=$("$@" 2>&1 </dev/null)
    rc=$?
    if [ "$rc" -eq "$want" ]; then
        passed=$((passed + 1))
    else
        printf 'FAIL %s: exit %s, want %s: %s\n' "$name" "$rc" "$want" "$(head -c 600 <<<"$out")"
        failed=$((failed + 1))
    fi
}
jose() { node "$here/jose_agreement.mjs" "$@"; }

for p in ada bob p1 p2 p3 p4 p5 p6 p7; do
    "$libro" key new --out $p.pem --public-out $p.pub >/dev/null 2>&1
done
"$libro" key new --alg es256 --out es.pem --public-out es.pub >/dev/null 2>&1
until=$(date -u -d '1 year' +%Y-%m-%dT%H:%M:%SZ)
party() { # NAME KEYFILE [ID]
    printf '{"name":"%s","role":"member","key":"%s",%s"responsibilities":["keep the peace"]}' \
        "$1" "$2" "${3:+\"id\":\"$3\",}"
}
{
    printf '{"title":"Three parties","community":{"id":"urn:libro:n","level":1},"parties":['
    printf '%s,%s,%s],' "$(party Ada ada.pub)" "$(party Bob bob.pub)" \
        "$(party Esther es.pub urn:libro:n:esther)"
    printf '"ending":{"noticeDays":30},"validUntil":"%s"}' "$until"
} >three.spec.json
expect "draft: three parties, one P-256" 0 "$libro" agreement draft --spec three.spec.json \
    --out three-draft.json
cp three-draft.json three.json
for p in es ada bob; do
    expect "libro signs: $p" 0 "$libro" agreement sign --key $p.pem three.json
done
expect "jose verifies each signature libro made (three)" 0 jose verify three.json
{
    printf '{"title":"Seven","community":{"id":"urn:libro:n","level":1},"parties":['
    for i in 1 2 3 4 5 6 7; do
        [ $i -gt 1 ] && printf ','
        party "P $i" p$i.pub
    done
    printf '],"ending":{"mutualOnly":true},"validUntil":"%s"}' "$until"
} >seven.spec.json
expect "draft: seven parties" 0 "$libro" agreement draft --spec seven.spec.json --out seven.json
for i in 4 1 7 2 6 3 5; do
    "$libro" agreement sign --key p$i.pem seven.json >/dev/null 2>&1
done
expect "libro: seven COMPLETE" 0 "$libro" agreement verify seven.json
expect "jose verifies each signature libro made (seven)" 0 jose verify seven.json
# The mutual end statement the seven collect, one signature added at a time (no registry).
for i in 2 5 1 7 3 6 4; do
    "$libro" agreement end --key p$i.pem --mutual --reason "the garden is sold" \
        --statement end7.json seven.json >/dev/null 2>&1
done
jose verify-end seven.json end7.json >end7.out 2>&1 || cat end7.out
expect "jose verifies the seven signatures of the mutual end" 0 grep -q '7 of 7 parties' end7.out
# A payload swapped under libro's signatures: jose refuses them too.
sed 's/^{"payload":"[^"]*"/{"payload":"'"$(sed 's/^{"payload":"\([^"]*\)".*/\1/' seven.json)"'"/' \
    three.json >swapped.json
expect "jose refuses a swapped payload" 0 jose expect-bad swapped.json
expect "libro refuses a swapped payload" 1 "$libro" agreement verify swapped.json
# jose writes, libro reads.
expect "jose signs for every party" 0 jose sign three-draft.json jose-three.json bob.pem es.pem \
    ada.pem
expect "libro: what jose signed is COMPLETE" 0 "$libro" agreement verify jose-three.json
expect "jose signs for Bob only" 0 jose sign three-draft.json jose-bob.json bob.pem
expect "libro: what jose signed for Bob is PARTIAL" 9 "$libro" agreement verify jose-bob.json
expect "libro adds Ada's signature to jose's document" 0 "$libro" agreement sign --key ada.pem \
    jose-bob.json
expect "jose verifies the mixed document" 0 jose verify jose-bob.json

printf 'agreement_jose: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
