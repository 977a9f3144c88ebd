#!/usr/bin/env bash
# The journey libro runs end to end (grows with each capability):
#   keys for a town community and its health board, a signed JWS, verification,
#   and the refusals a verifier must make.
# Usage: scripts/journey.sh PATH/TO/libro
set -euo pipefail
libro=${1:?usage: journey.sh PATH/TO/libro}
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro")   # we cd below
work=$(mktemp -d "${TMPDIR:-/tmp}/libro-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

say "1. The town creates its community key (Ed25519, PKCS#8 file, mode 0600)"
run "$libro" key new --out town.pem --public-out town.pub.pem
ls -l town.pem | awk '{print "   " $1 "  " $NF}'

say "2. The town's health board creates an ES256 issuer key, encrypted with a passphrase"
printf 'correct horse battery staple\n' >pass.txt
run "$libro" key new --alg es256 --out board.pem --passphrase-fd 3 --jwk-out board.jwk 3<pass.txt
run "$libro" key show board.jwk

say "3. The board signs a payload as a compact JWS (typ vc+jwt)"
thumb=$("$libro" key show --json board.jwk | sed -n 's/.*"thumbprint":"\([^"]*\)".*/\1/p')
cat >claims.json <<JSON
{"type":["VerifiableCredential","ProfessionalLicense"],"issuer":"did:example:town-7","credentialSubject":{"name":"Ada Example","profession":"nurse","licenseNumber":"T7-N-0001"},"validFrom":"2026-12-01T00:00:00Z","validUntil":"2029-11-30T23:59:59Z"}
JSON
printf '$ %s\n' "$libro jws sign --key board.pem --kid did:example:town-7#$thumb --typ vc+jwt --passphrase-fd 3 claims.json"
"$libro" jws sign --key board.pem --kid "did:example:town-7#$thumb" --typ vc+jwt \
    --passphrase-fd 3 claims.json 3<pass.txt >license.jws
cut -c1-100 license.jws | sed 's/$/.../'

say "4. An employer verifies it with the board's public key"
run "$libro" jws verify --key board.jwk --typ vc+jwt license.jws
echo
run "$libro" jws verify --key board.jwk --json license.jws

say "5. What a verifier refuses"
expect_refusal() {
    local what=$1; shift
    set +e
    "$@" >/dev/null 2>"$work/err"
    local rc=$?
    set -e
    if [ "$rc" -eq 1 ]; then
        printf '   refused (exit %d): %-28s %s\n' "$rc" "$what" "$(cat "$work/err")"
    else
        printf '   NOT REFUSED (exit %d): %s\n' "$rc" "$what" >&2
        exit 1
    fi
}
# A payload changed after signing: swap one character of the middle segment.
tampered=$(awk -F. '{ p=$2; c=substr(p,10,1); r=(c=="A")?"B":"A"; print $1 "." substr(p,1,9) r substr(p,11) "." $3 }' license.jws)
printf '%s\n' "$tampered" >tampered.jws
expect_refusal "tampered payload" "$libro" jws verify --key board.jwk tampered.jws
"$libro" key new --alg es256 --out impostor.pem --jwk-out impostor.jwk >/dev/null
expect_refusal "another ES256 key" "$libro" jws verify --key impostor.jwk license.jws
expect_refusal "a key of another type" "$libro" jws verify --key town.pub.pem license.jws
# alg "none" with an empty signature: {"alg":"none"} . payload . (nothing)
printf 'eyJhbGciOiJub25lIn0.%s.\n' "$(cut -d. -f2 license.jws)" >none.jws
expect_refusal "alg none" "$libro" jws verify --key board.jwk none.jws
expect_refusal "wrong passphrase" "$libro" key show --passphrase-fd 3 board.pem 3<<<"guess"

say "Done: keys, a signed credential payload, and an offline check that refuses forgeries."
