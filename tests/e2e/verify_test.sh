#!/usr/bin/env bash
# End-to-end tests of issuing and verifying licenses with the real binary: the journey
# (issue -> PNG -> verify VALID) and each refusal with its exit code and message.
# Prints "N passed, N failed".
set -uo pipefail
libro=${1:?usage: verify_test.sh PATH/TO/libro}
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro") # we cd below
work=$(mktemp -d "${TMPDIR:-/tmp}/libro-e2e-verify.XXXXXX")
server_pid=
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT
cd "$work" || exit 1
export XDG_DATA_HOME="$work/xdg"
passed=0
failed=0
AT=2026-12-01T00:00:00Z # every verification happens at this time, unless a case says otherwise
FROM=2026-01-01T00:00:00Z
UNTIL=2036-01-01T00:00:00Z

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" # check, must, ok, fail
b64url_decode() {
    local p
    p=$(tr '_-' '/+')
    while [ $((${#p} % 4)) -ne 0 ]; do p="$p="; done
    printf '%s' "$p" | base64 -d
}
b64url_encode() { base64 -w0 | tr '/+' '_-' | tr -d '='; }
# Re-sign a license payload after editing it with sed, with KEY, keeping the kid of JWS.
forge() { # JWS SED_EXPR KEY OUT
    local kid
    kid=$(cut -d. -f1 "$1" | b64url_decode | sed -n 's/.*"kid":"\([^"]*\)".*/\1/p')
    cut -d. -f2 "$1" | b64url_decode | sed "$2" >"$work/forged-payload.json"
    "$libro" jws sign --key "$3" --kid "$kid" --typ vc+jwt "$work/forged-payload.json" >"$4"
}
store() { echo "$work/store-$1"; }

# --- the world: Town 7 anchor, its health board, Ada's license -----------------------------
must "$libro" key new --out town.pem
must "$libro" key new --out board.pem --public-out board.pub.pem
must "$libro" key new --alg es256 --out board2.pem --public-out board2.pub.pem
must "$libro" key new --out other.pem
must "$libro" issue charter --self --key town.pem --id urn:libro:town-7 --name "Town 7" --level 2 \
    --allow nursing-general --allow midwifery --valid-from $FROM --valid-until $UNTIL --out town.jws
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
        --type nursing-general --scope "general care" --out "$out" "$@"
}
must lic board.pem auth.jws ada.jws --valid-from 2026-06-01T00:00:00Z --days 1095 --qr ada.png
must lic board2.pem auth2.jws ada2.jws --valid-from 2026-06-01T00:00:00Z --days 365
S=$(store main)
thumb=$("$libro" key show --json town.pem | sed -n 's/.*"thumbprint":"\([^"]*\)".*/\1/p')
check "trust add anchor" 0 "$thumb" -- "$libro" trust add --trust-dir "$S" --anchor town.jws
check "trust add authorizations" 0 'added' -- "$libro" trust add --trust-dir "$S" auth.jws auth2.jws
check "trust list" 0 'anchor +CommunityCharter +urn:libro:town-7' -- "$libro" trust list --trust-dir "$S"
check "trust list --json" 0 '^\[\{"kind":"anchor"' -- "$libro" trust list --json --trust-dir "$S"

# --- VALID ----------------------------------------------------------------------------------
check "verify PNG" 0 '^VALID' -- "$libro" verify --trust-dir "$S" --at $AT ada.png
check "verify shows holder" 0 'holder +Ada Example' -- "$libro" verify --trust-dir "$S" --at $AT ada.png
check "verify shows community" 0 'community +Town 7, town \(level 2\)' -- "$libro" verify --trust-dir "$S" --at $AT ada.png
check "verify shows status" 0 'no status data present' -- "$libro" verify --trust-dir "$S" --at $AT ada.png
check "verify shows chain" 0 'pinned anchor' -- "$libro" verify --trust-dir "$S" --at $AT ada.png
check "verify --jws" 0 '^VALID' -- "$libro" verify --trust-dir "$S" --at $AT --jws ada.jws
check "verify ES256 issuer" 0 '^VALID' -- "$libro" verify --trust-dir "$S" --at $AT --jws ada2.jws
text=$("$libro" qr encode --text ada.jws 2>/dev/null)
check "qr encode --text is LB2" 0 '^LB2:' -- echo "$text"
check "verify --text" 0 '^VALID' -- "$libro" verify --trust-dir "$S" --at $AT --text "$text"
check "verify stdin" 0 '^VALID' -- bash -c "printf '%s\n' '$text' | '$libro' verify --trust-dir '$S' --at $AT -"
check "qr decode" 0 '^LB2:' -- "$libro" qr decode ada.png
check "qr decode --jws" 0 '^eyJ' -- "$libro" qr decode --jws ada.png
check "verify --json" 0 '^\{"ok":true,"outcome":"VALID","exit_code":0' -- "$libro" verify --json --trust-dir "$S" --at $AT ada.png
check "default trust dir" 1 '' -- test -d "$XDG_DATA_HOME/libro/anchors"
check "qr encode svg" 0 'version' -- "$libro" qr encode --svg ada.svg ada.jws
check "svg written" 0 '^<svg|<\?xml' -- head -c 200 ada.svg
check "qr encode terminal" 0 '▀|▄|█' -- "$libro" qr encode --terminal ada.jws

# --- refusals, each with its exit code -------------------------------------------------------
check "expired" 3 '^EXPIRED' -- "$libro" verify --trust-dir "$S" --at 2030-01-01T00:00:00Z ada.png
check "not yet valid" 3 '^NOT YET VALID' -- "$libro" verify --trust-dir "$S" --at 2026-05-01T00:00:00Z ada.png
check "verify --json expired" 3 '"outcome":"EXPIRED","exit_code":3' -- "$libro" verify --json --trust-dir "$S" --at 2030-01-01T00:00:00Z ada.png
awk -F. '{ p=$2; c=substr(p,30,1); r=(c=="A")?"B":"A"; print $1 "." substr(p,1,29) r substr(p,31) "." $3 }' ada.jws >tampered.jws
check "tampered payload" 1 '^INVALID' -- "$libro" verify --trust-dir "$S" --at $AT --jws tampered.jws
forge ada.jws 's/x/x/' other.pem other-key.jws
check "signature by another key" 1 '^INVALID' -- "$libro" verify --trust-dir "$S" --at $AT --jws other-key.jws
check "untrusted anchor" 6 '^UNTRUSTED' -- "$libro" verify --trust-dir "$(store empty)" --at $AT ada.png
forge ada.jws 's/"nursing-general"/"midwifery"/' board.pem midwife.jws
check "license type outside the issuer's scope" 6 '^UNTRUSTED' -- "$libro" verify --trust-dir "$S" --at $AT --jws midwife.jws
forge ada.jws 's/"validUntil":"[^"]*"/"validUntil":"2030-12-31T00:00:00Z"/' board.pem long.jws
check "license longer than its type allows" 6 '^UNTRUSTED' -- "$libro" verify --trust-dir "$S" --at $AT --jws long.jws

must "$libro" issue authorization --key town.pem --charter town.jws --id urn:libro:town-7:old-board \
    --name "Old Board" --subject-key board.pub.pem --grant nursing-general:1095 \
    --valid-from 2026-01-01T00:00:00Z --valid-until 2026-06-01T00:00:00Z --out old-auth.jws
must lic board.pem old-auth.jws old.jws --valid-from 2026-02-01T00:00:00Z --days 30
S2=$(store old)
must "$libro" trust add --trust-dir "$S2" --anchor town.jws
must "$libro" trust add --trust-dir "$S2" old-auth.jws
check "authorization expired" 6 '^UNTRUSTED' -- "$libro" verify --trust-dir "$S2" --at $AT --jws old.jws

# A region (level 2) charters "Town 8" at level 2: a child not below its parent.
must "$libro" key new --out region.pem
must "$libro" key new --out town8.pem --public-out town8.pub.pem
must "$libro" issue charter --self --key region.pem --id urn:libro:region --name Region --level 2 \
    --allow nursing-general --valid-from $FROM --valid-until $UNTIL --out region.jws
# The issuer refuses such a charter, so forge one: a valid level-1 charter re-signed at level 2.
must "$libro" issue charter --key region.pem --issuer urn:libro:region --parent-charter region.jws \
    --id urn:libro:town-8 --name "Town 8" --level 1 --community-key town8.pub.pem \
    --allow nursing-general --valid-from $FROM --valid-until $UNTIL --out town8-l1.jws
forge town8-l1.jws 's/"level":1/"level":2/' region.pem town8.jws
check "issuer refuses --issuer without --parent-charter" 2 'parent-charter' -- "$libro" issue charter \
    --key region.pem --issuer urn:libro:region --id urn:libro:town-10 --name "Town 10" --level 1 \
    --community-key town8.pub.pem --allow nursing-general --days 10 --out town10.jws
check "issuer refuses a level not below the parent" 1 'level' -- "$libro" issue charter --key region.pem \
    --issuer urn:libro:region --parent-charter region.jws --id urn:libro:town-9 --name "Town 9" \
    --level 2 --community-key town8.pub.pem --allow nursing-general --valid-from $FROM \
    --valid-until $UNTIL --out town9.jws
must "$libro" issue authorization --key town8.pem --charter town8.jws --id urn:libro:town-8:board \
    --name "Board 8" --subject-key board.pub.pem --grant nursing-general:365 --valid-from $FROM \
    --valid-until $UNTIL --out auth8.jws
"$libro" issue license --key board.pem --authorization auth8.jws --community-charter town8.jws \
    --holder "Bo Example" --number T8-1 --profession nurse --type nursing-general --scope care \
    --valid-from 2026-06-01T00:00:00Z --days 365 --out bo.jws 2>/dev/null
S3=$(store region)
must "$libro" trust add --trust-dir "$S3" --anchor region.jws
must "$libro" trust add --trust-dir "$S3" town8.jws auth8.jws
check "charter level not above its child" 6 '^UNTRUSTED.*level' -- "$libro" verify --trust-dir "$S3" --at $AT --jws bo.jws

# A chain of 11 links: world (8) -> 7 -> ... -> 0, an authorization, a license.
build_chain() { # TOP_LEVEL STORE -> writes chain-license.jws
    local top=$1 st=$2 level prev_id prev_key prev_charter id
    must "$libro" key new --out "c$top.pem"
    must "$libro" issue charter --self --key "c$top.pem" --id "urn:libro:c$top" --name "C$top" \
        --level "$top" --level-name "l$top" --allow nursing-general --valid-from $FROM \
        --valid-until $UNTIL --out "c$top.jws"
    must "$libro" trust add --trust-dir "$st" --anchor "c$top.jws"
    prev_id="urn:libro:c$top"
    prev_key="c$top.pem"
    prev_charter="c$top.jws"
    for level in $(seq $((top - 1)) -1 0); do
        id="urn:libro:c$top-$level"
        [ -f "k$top-$level.pem" ] || must "$libro" key new --out "k$top-$level.pem" --public-out "k$top-$level.pub"
        must "$libro" issue charter --key "$prev_key" --issuer "$prev_id" --parent-charter "$prev_charter" \
            --id "$id" --name "C$level" \
            --level "$level" --level-name "l$level" --community-key "k$top-$level.pub" \
            --allow nursing-general --valid-from $FROM --valid-until $UNTIL --out "c$top-$level.jws"
        must "$libro" trust add --trust-dir "$st" "c$top-$level.jws"
        prev_id=$id
        prev_key="k$top-$level.pem"
        prev_charter="c$top-$level.jws"
    done
    must "$libro" issue authorization --key "$prev_key" --charter "c$top-0.jws" --id "urn:libro:b$top" \
        --name "Board" --subject-key board.pub.pem --grant nursing-general:365 --valid-from $FROM \
        --valid-until $UNTIL --out "b$top.jws"
    must "$libro" trust add --trust-dir "$st" "b$top.jws"
    must "$libro" issue license --key board.pem --authorization "b$top.jws" --community-charter "c$top-0.jws" \
        --holder "Cy Example" --number "C$top-1" --profession nurse --type nursing-general --scope care \
        --valid-from 2026-06-01T00:00:00Z --days 365 --out "chain$top.jws"
}
build_chain 8 "$(store chain8)"
check "chain too long (11 links)" 6 '^UNTRUSTED.*10' -- "$libro" verify --trust-dir "$(store chain8)" --at $AT --jws chain8.jws
build_chain 7 "$(store chain7)"
check "chain of 10 links" 0 '^VALID' -- "$libro" verify --trust-dir "$(store chain7)" --at $AT --jws chain7.jws

# --- the wrong credential: "not a license" (exit 1) from the envelope, before any key ----------
must "$libro" key new --out reg.pem --public-out reg.pub.pem
must "$libro" issue registry-authorization --key town.pem --charter town.jws \
    --id urn:libro:town-7:registry --name "Town 7 Registry" --subject-key reg.pub.pem \
    --url http://127.0.0.1 --valid-from $FROM --days 3000 --out regauth.jws
must "$libro" registry init --db reg.db --charter town.jws --authorization regauth.jws
must "$libro" registry status --db reg.db --key reg.pem --list 0 --purpose revocation \
    --id http://127.0.0.1/v1/status/0/revocation --days 10 --out list.jws
# The trust bundle as the real server serves it (loopback, port 0 read from its port file).
"$libro" registry serve --db reg.db --listen 127.0.0.1:0 --key reg.pem --port-file reg.port \
    --base-url http://127.0.0.1 </dev/null 2>serve.err &
server_pid=$!
until [ -s reg.port ] || ! kill -0 "$server_pid" 2>/dev/null; do sleep 0.05; done
[ -s reg.port ] || { echo "setup failed: registry serve"; cat serve.err; exit 1; }
exec 3<>"/dev/tcp/127.0.0.1/$(cat reg.port)" || exit 1
printf 'GET /v1/bundle HTTP/1.0\r\n\r\n' >&3
sed '1,/^\r$/d' <&3 >bundle.jws
exec 3<&-
kill "$server_pid" && wait "$server_pid" 2>/dev/null
server_pid=
grep -q '^eyJ' bundle.jws || { echo "setup failed: no bundle"; exit 1; }
for c in "charter:town.jws:CommunityCharter" "issuer authorization:auth.jws:IssuerAuthorization" \
    "registry authorization:regauth.jws:RegistryAuthorization" \
    "status list:list.jws:BitstringStatusListCredential" "bundle:bundle.jws:trust bundle"; do
    IFS=: read -r what file word <<<"$c"
    check "$what is not a license" 1 "^INVALID: not a license: .*$word" -- \
        "$libro" verify --trust-dir "$S" --at $AT --jws "$file"
    check "$what is not a license (signer not trusted)" 1 '^INVALID: not a license' -- \
        "$libro" verify --trust-dir "$S3" --at $AT --jws "$file"
    check "$what --json not_a_license" 1 '"exit_code":1,"error":\{"code":"not_a_license","message":"not a license: ' -- \
        "$libro" verify --json --trust-dir "$S" --at $AT --jws "$file"
done
check "a license after them is VALID" 0 '^VALID' -- "$libro" verify --trust-dir "$S" --at $AT --jws ada.jws

printf 'P5\n64 64\n255\n' >noise.pgm && head -c 4096 /dev/urandom >>noise.pgm
check "image without a QR" 8 'NO QR|no QR' -- "$libro" verify --trust-dir "$S" --at $AT noise.pgm
check "verify --json no QR" 8 '"exit_code":8' -- "$libro" verify --json --trust-dir "$S" --at $AT noise.pgm
check "missing image" 2 'no such file' -- "$libro" verify --trust-dir "$S" nope.png
# --json answers with one document even when there is nothing to read (exit 2 all the same).
check "missing image --json" 2 '^\{"ok":false,"error":\{"code":"not_found","message":"nope.png: no such file"\}\}$' \
    -- bash -c "'$libro' verify --json --trust-dir '$S' nope.png 2>/dev/null"
check "missing --jws --json" 2 '"code":"not_found"' -- bash -c "'$libro' verify --json --jws nope.jws 2>/dev/null"
check "directory --json" 2 '"code":"io","message":"[^"]*: not a regular file"' \
    -- bash -c "'$libro' verify --json --jws . 2>/dev/null"
check "no input --json" 2 '^\{"ok":false,"error":\{"code":"invalid_argument"' \
    -- bash -c "'$libro' verify --json 2>/dev/null"
check "two inputs" 2 'one of' -- "$libro" verify --text x --jws ada.jws
check "no input" 2 'one of' -- "$libro" verify
check "bad --at" 2 'at' -- "$libro" verify --at yesterday ada.png
check "malformed LB1 text" 1 '^INVALID' -- "$libro" verify --trust-dir "$S" --text 'LB1:%%%'
check "malformed LB2 text" 1 '^INVALID' -- "$libro" verify --trust-dir "$S" --text 'LB2:%%%'
check "not libro text" 1 '^INVALID' -- "$libro" verify --trust-dir "$S" --text 'https://example.org'

# --- the issuer's own refusals ----------------------------------------------------------------
check "issue: type not granted" 1 'midwifery' -- "$libro" issue license --key board.pem \
    --authorization auth.jws --community-charter town.jws --holder "Ada Example" --number T7-N-0002 \
    --profession "midwife" --type midwifery --scope "births" --out x1.jws
check "issue: longer than the type allows" 1 '1095|days' -- lic board.pem auth.jws x2.jws --valid-from 2026-06-01T00:00:00Z --days 2000
check "issue: signer not the authorized key" 1 'key' -- lic other.pem auth.jws x3.jws
check "issue: never overwrites" 1 'exists' -- lic board.pem auth.jws ada.jws
check "trust add: a license is not a trust credential" 1 '' -- "$libro" trust add --trust-dir "$S" ada.jws
check "trust add --anchor: not self-chartered" 1 '' -- "$libro" trust add --trust-dir "$S" --anchor town8.jws
check "trust add --anchor: wrong thumbprint" 1 'thumbprint' -- "$libro" trust add --trust-dir "$(store t)" --anchor --expect-thumbprint AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA town.jws
check "trust remove" 0 'removed' -- "$libro" trust remove --trust-dir "$S" urn:libro:town-7:board2
check "trust remove again" 1 '' -- "$libro" trust remove --trust-dir "$S" urn:libro:town-7:board2
check "removed issuer is untrusted" 6 '^UNTRUSTED' -- "$libro" verify --trust-dir "$S" --at $AT --jws ada2.jws
for sub in "issue charter" "issue authorization" "issue registry-authorization" "issue license" \
    "qr encode" "qr decode" "trust add" "trust list" "trust remove" verify; do
    # shellcheck disable=SC2086
    check "$sub --help" 0 "^usage: libro $sub" -- "$libro" $sub --help
done
check "verify --help lists exit codes" 0 '8  no QR code' -- "$libro" verify --help

printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
