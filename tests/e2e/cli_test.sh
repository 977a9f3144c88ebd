#!/usr/bin/env bash
# End-to-end tests of the libro command: exit codes, messages, files, and the JWS round trip,
# run against the real binary in a scratch directory. Prints "N passed, N failed".
set -uo pipefail
libro=${1:?usage: cli_test.sh PATH/TO/libro}
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro") # we cd below
work=$(mktemp -d "${TMPDIR:-/tmp}/libro-e2e.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
passed=0
failed=0

# check NAME WANT_EXIT [GREP_PATTERN] -- COMMAND...: run, compare exit code, and grep the
# combined stdout+stderr for the pattern.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" # check, must, ok, fail

# --- the command line ---------------------------------------------------------------------
check "version" 0 '^libro [0-9]+\.[0-9]+\.[0-9]+$' -- "$libro" --version
check "no arguments" 2 'usage: libro' -- "$libro"
check "help" 0 'commands:' -- "$libro" help
check "--help" 0 'commands:' -- "$libro" --help
check "help key" 0 'new' -- "$libro" help key
check "help jws verify" 0 'usage: libro jws verify' -- "$libro" help jws verify
check "unknown command" 2 "unknown command 'frobnicate'" -- "$libro" frobnicate
check "help unknown" 2 "unknown command" -- "$libro" help frobnicate
check "key without subcommand" 2 'usage: libro key' -- "$libro" key
check "key unknown subcommand" 2 "unknown command 'bake'" -- "$libro" key bake
for sub in "key new" "key show" "key public" "jws sign" "jws verify"; do
    # shellcheck disable=SC2086
    check "$sub --help" 0 "^usage: libro $sub" -- "$libro" $sub --help
done
check "unknown option" 2 "unknown option '--frob'" -- "$libro" key new --frob --out x.pem
check "repeated option" 2 "given twice" -- "$libro" key new --out a.pem --out b.pem
check "missing option value" 2 "needs FILE" -- "$libro" key new --out
check "missing --out" 2 "--out FILE is required" -- "$libro" key new
check "bad --alg" 2 "rsa" -- "$libro" key new --alg rsa --out r.pem
check "extra argument" 2 "unexpected argument" -- "$libro" key show a b
check "flag with value" 2 "takes no value" -- "$libro" key show --json=yes k.pem
[ ! -e x.pem ] && [ ! -e a.pem ] && ok || fail "a usage error created a file"
# -V is --version; a misspelt command, subcommand or option gets the one near name.
check "-V" 0 '^libro [0-9]+\.[0-9]+\.[0-9]+$' -- "$libro" -V
check "did you mean: command" 2 "unknown command 'isue'; did you mean 'issue'\?" -- "$libro" isue
check "did you mean: help topic" 2 "did you mean 'verify'\?" -- "$libro" help verfy
check "did you mean: subcommand" 2 "unknown command 'shwo'; did you mean 'show'\?" -- "$libro" license shwo
check "did you mean: option" 2 "unknown option '--josn'; did you mean '--json'\?" -- "$libro" key show --josn k.pem
check "did you mean: --help" 2 "did you mean '--help'\?" -- "$libro" key show --helpp
check "nothing near: no suggestion" 2 "unknown command 'frobnicate' \(see" -- "$libro" frobnicate
"$libro" frobnicate 2>&1 | grep -q 'did you mean' && fail "a suggestion for frobnicate" || ok
check "usage error with --json" 2 '^\{"ok":false,"error":\{"code":"invalid_argument","message":"unknown option .--frob."\}\}$' \
    -- bash -c "'$libro' key show --json --frob k.pem 2>/dev/null"

# --- keys ---------------------------------------------------------------------------------
check "key new ed25519" 0 'did:key:z6Mk' -- "$libro" key new --out ed.pem --public-out ed.pub.pem --jwk-out ed.jwk
[ "$(stat -c %a ed.pem)" = 600 ] && ok || fail "private key mode is $(stat -c %a ed.pem)"
check "key new never overwrites" 1 'exists' -- "$libro" key new --out ed.pem
check "key new es256" 0 'es256' -- "$libro" key new --alg es256 --out es.pem --jwk-out es.jwk
printf 's3cret passphrase\n' >pass
check "key new encrypted" 0 'thumbprint' -- bash -c "'$libro' key new --out enc.pem --passphrase-fd 3 3<pass"
grep -q 'ENCRYPTED PRIVATE KEY' enc.pem && ok || fail "encrypted key is not PKCS#8 encrypted"
check "encrypted key without passphrase" 1 'passphrase' -- "$libro" key show enc.pem
check "encrypted key wrong passphrase" 1 'passphrase' -- bash -c "'$libro' key show --passphrase-fd 3 enc.pem 3<<<'wrong'"
check "encrypted key right passphrase" 0 'private: +yes' -- bash -c "'$libro' key show --passphrase-fd 3 enc.pem 3<pass"
check "passphrase-fd not open" 1 'not open' -- "$libro" key show --passphrase-fd 9 enc.pem
check "passphrase-fd not a number" 1 'passphrase-fd' -- "$libro" key show --passphrase-fd x enc.pem
check "key show text" 0 'thumbprint: [A-Za-z0-9_-]{43}' -- "$libro" key show ed.pem
check "key show jwk file" 0 'private: +no' -- "$libro" key show ed.jwk
check "key show public pem" 0 'private: +no' -- "$libro" key show ed.pub.pem
check "key show --json" 0 '^\{"ok":true,"alg":"ed25519","jose_alg":"EdDSA","private":true' -- "$libro" key show --json ed.pem
t1=$("$libro" key show --json ed.pem | sed -n 's/.*"thumbprint":"\([^"]*\)".*/\1/p')
t2=$("$libro" key show --json ed.jwk | sed -n 's/.*"thumbprint":"\([^"]*\)".*/\1/p')
[ -n "$t1" ] && [ "$t1" = "$t2" ] && ok || fail "thumbprint of PEM ($t1) and JWK ($t2) differ"
check "key show es256 has no did" 0 '"alg":"es256"' -- "$libro" key show --json es.pem
"$libro" key show --json es.pem | grep -q '"did"' && fail "es256 key shows a did" || ok
cp ed.pem open.pem && chmod 644 open.pem
check "private key readable by others" 1 'permissions' -- "$libro" key show open.pem
ln -s ed.pem link.pem
check "symlinked key" 1 'symbolic link' -- "$libro" key show link.pem
check "missing key file" 1 'no such file' -- "$libro" key show nope.pem
check "key show --json failure" 1 '"ok":false,"error":\{"code":"not_found"' -- "$libro" key show --json nope.pem
printf -- '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2Vw\n' >trunc.pem && chmod 600 trunc.pem
check "truncated PEM" 1 '' -- "$libro" key show trunc.pem
check "key public pem" 0 'BEGIN PUBLIC KEY' -- "$libro" key public ed.pem
check "key public jwk" 0 '"kty":"OKP"' -- "$libro" key public --jwk ed.pem
printf '{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}' >priv.jwk
check "private JWK refused" 1 'private' -- "$libro" key show priv.jwk

# --- JWS ----------------------------------------------------------------------------------
printf '{"sub":"did:example:ada","licenseNumber":"T7-N-0001"}' >claims.json
for alg in ed es; do
    "$libro" jws sign --key $alg.pem --kid "did:example:town#k1" --typ vc+jwt claims.json >$alg.jws
    check "jws sign $alg" 0 '' -- test -s $alg.jws
    check "jws verify $alg (jwk)" 0 'T7-N-0001' -- "$libro" jws verify --key $alg.jwk $alg.jws
    "$libro" jws verify --key $alg.jwk $alg.jws >$alg.out && cmp -s $alg.out claims.json && ok ||
        fail "jws verify $alg: payload differs"
done
check "jws verify (public pem)" 0 'T7-N-0001' -- "$libro" jws verify --key ed.pub.pem ed.jws
check "jws verify (private pem)" 0 'T7-N-0001' -- "$libro" jws verify --key ed.pem ed.jws
check "jws verify stdin" 0 'T7-N-0001' -- bash -c "'$libro' jws verify --key ed.jwk - <ed.jws"
check "jws verify --typ" 0 'T7-N-0001' -- "$libro" jws verify --key ed.jwk --typ vc+jwt ed.jws
check "jws verify wrong --typ" 1 'typ' -- "$libro" jws verify --key ed.jwk --typ other ed.jws
check "jws verify --json" 0 '^\{"ok":true,"alg":"EdDSA","kid":"did:example:town#k1","typ":"vc\+jwt","payload":\{"sub"' -- "$libro" jws verify --json --key ed.jwk ed.jws
check "header alg is EdDSA" 0 '"alg":"EdDSA"' -- bash -c "cut -d. -f1 ed.jws | tr '_-' '/+' | base64 -d 2>/dev/null; true"
check "jws verify other key type" 1 'does not match the key' -- "$libro" jws verify --key es.jwk ed.jws
"$libro" key new --out ed2.pem --jwk-out ed2.jwk >/dev/null
check "jws verify same alg other key" 1 'signature' -- "$libro" jws verify --key ed2.jwk ed.jws
awk -F. '{ p=$2; c=substr(p,5,1); r=(c=="A")?"B":"A"; print $1 "." substr(p,1,4) r substr(p,6) "." $3 }' ed.jws >tampered.jws
check "tampered payload" 1 'signature' -- "$libro" jws verify --key ed.jwk tampered.jws
check "tampered --json" 1 '"ok":false,"error":\{"code":"bad_signature"' -- "$libro" jws verify --json --key ed.jwk tampered.jws
printf 'eyJhbGciOiJub25lIn0.%s.\n' "$(cut -d. -f2 ed.jws)" >none.jws
check "alg none" 1 'none' -- "$libro" jws verify --key ed.jwk none.jws
printf 'eyJhbGciOiJIUzI1NiJ9.%s.%s\n' "$(cut -d. -f2 ed.jws)" "$(cut -d. -f3 ed.jws)" >hs.jws
check "alg HS256" 1 'HS256' -- "$libro" jws verify --key ed.jwk hs.jws
check "two segments" 1 'segments' -- bash -c "cut -d. -f1,2 ed.jws >two.jws; '$libro' jws verify --key ed.jwk two.jws"
head -c 20000 /dev/zero | tr '\0' 'A' >big.jws
check "oversized token" 1 'exceeds|larger' -- "$libro" jws verify --key ed.jwk big.jws
head -c 9000 /dev/zero | tr '\0' 'a' >big.json
check "oversized payload" 1 'exceeds|larger' -- "$libro" jws sign --key ed.pem big.json
check "sign with public key" 1 'private' -- "$libro" jws sign --key ed.jwk claims.json
check "stdout full" 3 'cannot write' -- bash -c "'$libro' jws verify --key ed.jwk ed.jws >/dev/full"

# RFC 8037 A.4: the published Ed25519 JWS verifies with the published public key.
printf '{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}' >rfc.jwk
printf 'eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg' >rfc.jws
check "RFC 8037 A.4 via CLI" 0 '^Example of Ed25519 signing$' -- "$libro" jws verify --key rfc.jwk rfc.jws
check "RFC 8037 thumbprint via CLI" 0 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k' -- "$libro" key show rfc.jwk

printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
