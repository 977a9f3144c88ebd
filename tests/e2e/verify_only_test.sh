#!/usr/bin/env bash
# End-to-end test of libro-verify, the binary without signing code: credentials made with
# libro are checked by libro-verify's verify, trust and sync, with the same output and exit
# codes as libro's, and libro-verify offers nothing that signs. Prints "N passed, N failed".
set -uo pipefail
libro=${1:?usage: verify_only_test.sh PATH/TO/libro PATH/TO/libro-verify}
lv=${2:?usage: verify_only_test.sh PATH/TO/libro PATH/TO/libro-verify}
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro") # we cd below
lv=$(cd "$(dirname "$lv")" && pwd)/$(basename "$lv")
work=$(mktemp -d "${TMPDIR:-/tmp}/libro-e2e-verify-only.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
export XDG_DATA_HOME="$work/xdg"
passed=0
failed=0
AT=2026-12-01T00:00:00Z
FROM=2026-01-01T00:00:00Z
UNTIL=2036-01-01T00:00:00Z

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" # check, must, ok, fail
# The same command through libro and libro-verify: same exit code, same stdout.
same() { # NAME -- ARGS...
    local name=$1
    shift 2
    local a b ra rb
    a=$("$libro" "$@" 2>/dev/null </dev/null)
    ra=$?
    b=$("$lv" "$@" 2>/dev/null </dev/null)
    rb=$?
    if [ "$ra" -ne "$rb" ] || [ "$a" != "$b" ]; then
        printf 'FAIL %s: libro exit %d, libro-verify exit %d\n--- libro\n%s\n--- libro-verify\n%s\n' \
            "$name" "$ra" "$rb" "$a" "$b"
        failed=$((failed + 1))
    else
        passed=$((passed + 1))
    fi
}

# --- made with libro: a community, an Ed25519 and a P-256 issuer, two licenses ---------------
must "$libro" key new --out town.pem
must "$libro" key new --out board.pem --public-out board.pub.pem
must "$libro" key new --alg es256 --out board2.pem --public-out board2.pub.pem
must "$libro" issue charter --self --key town.pem --id urn:libro:town-7 --name "Town 7" --level 2 \
    --allow nursing-general --valid-from $FROM --valid-until $UNTIL --out town.jws
must "$libro" issue authorization --key town.pem --charter town.jws --id urn:libro:town-7:board \
    --name "Health Board" --subject-key board.pub.pem --grant nursing-general:1095 \
    --valid-from $FROM --valid-until 2031-01-01T00:00:00Z --out auth.jws
must "$libro" issue authorization --key town.pem --charter town.jws --id urn:libro:town-7:board2 \
    --name "Health Board (P-256)" --subject-key board2.pub.pem --grant nursing-general:1095 \
    --valid-from $FROM --valid-until 2031-01-01T00:00:00Z --out auth2.jws
lic() { # KEY AUTH OUT [extra options]
    local key=$1 auth=$2 out=$3
    shift 3
    "$libro" issue license --key "$key" --authorization "$auth" --community-charter town.jws \
        --holder "Ada Example" --number T7-N-0001 --profession "registered nurse" \
        --type nursing-general --scope "general care" --valid-from 2026-06-01T00:00:00Z \
        --out "$out" "$@"
}
must lic board.pem auth.jws ada.jws --days 1095 --qr ada.png
must lic board2.pem auth2.jws ada2.jws --days 365
awk -F. '{ p=$2; c=substr(p,30,1); r=(c=="A")?"B":"A"; print $1 "." substr(p,1,29) r substr(p,31) "." $3 }' ada.jws >tampered.jws

# --- the trust store, filled by libro-verify ---------------------------------------------------
S=$work/store
check "trust add anchor" 0 '^pinned anchor' -- "$lv" trust add --trust-dir "$S" --anchor town.jws
check "trust add authorizations" 0 'added' -- "$lv" trust add --trust-dir "$S" auth.jws auth2.jws
same "trust list" -- trust list --trust-dir "$S"
same "trust list --json" -- trust list --json --trust-dir "$S"

# --- verify: each outcome as libro gives it ------------------------------------------------------
check "verify PNG" 0 '^VALID' -- "$lv" verify --trust-dir "$S" --at $AT ada.png
check "verify ES256 issuer" 0 '^VALID' -- "$lv" verify --trust-dir "$S" --at $AT --jws ada2.jws
check "expired" 3 '^EXPIRED' -- "$lv" verify --trust-dir "$S" --at 2030-01-01T00:00:00Z ada.png
check "tampered" 1 '^INVALID' -- "$lv" verify --trust-dir "$S" --at $AT --jws tampered.jws
check "untrusted" 6 '^UNTRUSTED' -- "$lv" verify --trust-dir "$work/empty" --at $AT ada.png
same "same VALID" -- verify --trust-dir "$S" --at $AT ada.png
same "same --json" -- verify --json --trust-dir "$S" --at $AT --jws ada2.jws
same "same EXPIRED" -- verify --trust-dir "$S" --at 2030-01-01T00:00:00Z ada.png
same "same INVALID --json" -- verify --json --trust-dir "$S" --at $AT --jws tampered.jws
same "same verify --help" -- verify --help
same "same sync usage error" -- sync --no-such-option

# --- only the verifier's commands ------------------------------------------------------------
check "help lists verify, trust, sync" 0 'verify .*trust .*sync ' -- bash -c "'$lv' --help | tr '\n' ' '"
check "version" 0 '^libro-verify [0-9]' -- "$lv" --version
check "-V" 0 '^libro-verify [0-9]' -- "$lv" -V
check "did you mean verify" 2 "unknown command 'verfy'; did you mean 'verify'\?" -- "$lv" verfy
same "same verify --json, file missing" -- verify --json --jws missing.jws
check "no help for key" 2 "unknown command 'key'" -- "$lv" help key
for verb in key jws issue qr registry license; do
    check "no $verb command" 2 "unknown command '$verb'" -- "$lv" "$verb" --help
done
check "no command" 2 'usage: libro-verify' -- "$lv"

printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
