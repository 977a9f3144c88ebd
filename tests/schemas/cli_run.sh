#!/usr/bin/env bash
# ctest cli_json_ajv: every `--json` document libro prints, on success and on failure,
# matches its schema in schemas/cli/. Usage: cli_run.sh PATH/TO/libro
# Exit 0 all valid, 1 a mismatch, 77 skipped (no node_modules: `npm ci --prefix tests/schemas`).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
libro=${1:?usage: cli_run.sh PATH/TO/libro}
if [ ! -d "$here/node_modules/ajv" ] || ! command -v node >/dev/null 2>&1; then
    printf '\n*** SKIPPED: cli_json_ajv: node or %s/node_modules is missing; run `npm ci --prefix tests/schemas` ***\n\n' "$here" >&2
    [ -z "${LIBRO_TEST_STRICT:-}" ] || exit 1 # scripts/test installed it: missing is a failure
    exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
export XDG_DATA_HOME="$work/xdg"
# Run a command, keep what it printed on stdout in a new file, and name that file.
out() {
    local f
    f=$(mktemp "$work/doc.XXXXXX")
    "$@" >"$f" 2>/dev/null </dev/null
    echo "$f"
}
AT=2026-12-01T00:00:00Z

"$libro" key new --out ed.pem --jwk-out ed.jwk >/dev/null
"$libro" key new --alg es256 --out es.pem >/dev/null
printf '{"a":1}' >claims.json
"$libro" jws sign --key ed.pem --kid k --typ vc+jwt claims.json >ok.jws
printf 'not json' >plain.txt
"$libro" jws sign --key ed.pem plain.txt >plain.jws
key_docs=("$(out "$libro" key show --json ed.pem)" "$(out "$libro" key show --json es.pem)"
    "$(out "$libro" key show --json ed.jwk)" "$(out "$libro" key show --json missing.pem)")
jws_docs=("$(out "$libro" jws verify --json --key ed.jwk ok.jws)"
    "$(out "$libro" jws verify --json --key ed.jwk plain.jws)"
    "$(out "$libro" jws verify --json --key es.pem ok.jws)")

"$libro" key new --out town.pem >/dev/null
"$libro" key new --out board.pem --public-out board.pub >/dev/null
"$libro" issue charter --self --key town.pem --id urn:libro:t --name T --level 2 --allow a \
    --valid-from 2026-01-01T00:00:00Z --days 3650 --out town.jws 2>/dev/null
"$libro" issue authorization --key town.pem --charter town.jws --id urn:libro:t:b --name B \
    --subject-key board.pub --grant a:365 --valid-from 2026-01-01T00:00:00Z --days 1000 \
    --out auth.jws 2>/dev/null
"$libro" issue license --key board.pem --authorization auth.jws --community-charter town.jws \
    --holder H --number N-1 --profession P --type a --scope s \
    --valid-from 2026-06-01T00:00:00Z --out lic.jws --qr lic.png 2>/dev/null
"$libro" trust add --anchor town.jws >/dev/null
"$libro" trust add auth.jws >/dev/null
printf 'P5\n8 8\n255\n' >noise.pgm && head -c 64 /dev/zero >>noise.pgm
verify_docs=("$(out "$libro" verify --json --at $AT lic.png)"
    "$(out "$libro" verify --json --at 2030-01-01T00:00:00Z --jws lic.jws)"
    "$(out "$libro" verify --json --at 2026-02-01T00:00:00Z --jws lic.jws)"
    "$(out "$libro" verify --json --at $AT --trust-dir "$work/empty" --jws lic.jws)"
    "$(out "$libro" verify --json --at $AT --text 'LB1:%%')"
    "$(out "$libro" verify --json --at $AT noise.pgm)"
    "$(out "$libro" verify --json --at $AT --jws town.jws)")

# Status from cached lists (the registry on the real clock): STATUS UNKNOWN, VALID with
# status, SUSPENDED, REVOKED, and too old.
"$libro" key new --out reg.pem --public-out reg.pub >/dev/null
"$libro" issue registry-authorization --key town.pem --charter town.jws --id urn:libro:t:r \
    --name R --subject-key reg.pub --valid-from 2026-01-01T00:00:00Z --days 3000 \
    --out regauth.jws 2>/dev/null
"$libro" registry init --db reg.db --charter town.jws --authorization regauth.jws >/dev/null 2>&1
"$libro" registry type --db reg.db --id a --validity-days 365 --renewal-window-days 30 \
    --grace-days 0 --actor ops >/dev/null 2>&1
"$libro" issue license --key board.pem --authorization auth.jws --community-charter town.jws \
    --holder H --number N-2 --profession P --type a --scope s --out slic.jws --registry reg.db \
    --status-url-base https://r.example/v1/status >/dev/null 2>&1
publish() { # PURPOSE FILE
    sleep 1
    "$libro" registry status --db reg.db --key reg.pem --list 0 --purpose "$1" \
        --id "https://r.example/v1/status/0/$1" --days 30 --out "$2" 2>/dev/null
}
verify_docs+=("$(out "$libro" verify --json --jws slic.jws)")
"$libro" trust add regauth.jws >/dev/null
publish revocation rev1.jws
publish suspension sus1.jws
"$libro" trust add rev1.jws sus1.jws >/dev/null
verify_docs+=("$(out "$libro" verify --json --jws slic.jws)"
    "$(out "$libro" verify --json --at "$(date -u -d '2 days' +%Y-%m-%dT%H:%M:%SZ)" --jws slic.jws)"
    "$(out "$libro" verify --json --at "$(date -u -d '9 days' +%Y-%m-%dT%H:%M:%SZ)" --jws slic.jws)")
"$libro" license suspend --db reg.db N-2 --actor ops --reason r --category health >/dev/null 2>&1
publish suspension sus2.jws
"$libro" trust add sus2.jws >/dev/null
verify_docs+=("$(out "$libro" verify --json --jws slic.jws)")
"$libro" license revoke --db reg.db N-2 --actor ops --reason r >/dev/null 2>&1
publish revocation rev2.jws
"$libro" trust add rev2.jws >/dev/null
verify_docs+=("$(out "$libro" verify --json --jws slic.jws)")
# The words: a surrendered license, and one that lapsed (valid 30 days from 2026-01-01, no
# grace: `license tick` lapses it).
"$libro" issue license --key board.pem --authorization auth.jws --community-charter town.jws \
    --holder H --number N-3 --profession P --type a --scope s --out surrendered.jws \
    --registry reg.db --status-url-base https://r.example/v1/status >/dev/null 2>&1
"$libro" issue license --key board.pem --authorization auth.jws --community-charter town.jws \
    --holder H --number N-4 --profession P --type a --scope s --out lapsed.jws \
    --valid-from 2026-01-01T00:00:00Z --days 30 --registry reg.db \
    --status-url-base https://r.example/v1/status >/dev/null 2>&1
"$libro" license surrender --db reg.db N-3 --actor H --reason r >/dev/null 2>&1
"$libro" license tick --db reg.db >/dev/null 2>&1
publish revocation rev3.jws
publish message msg1.jws
"$libro" trust add rev3.jws msg1.jws >/dev/null
verify_docs+=("$(out "$libro" verify --json --jws surrendered.jws)"
    "$(out "$libro" verify --json --jws lapsed.jws)")
# A clock before what the store has seen (here its `seen` is written ahead by hand;
# tests/e2e/clock_test.sh fakes the clock instead): a refusal with no license read.
cp -R "$XDG_DATA_HOME/libro" ahead && printf '2099-01-01T00:00:00.000Z\n' >ahead/seen
verify_docs+=("$(out "$libro" verify --json --trust-dir ahead --jws slic.jws)")
# Mandates (issue 9): Neighborhood N (level 1), chartered by the town, signs the mandate of
# its representative at the town's roundtable with `libro jws sign`; the town registry's
# mandate lists (the mandate words) are written by mandate_list.mjs and signed with the
# registry key the same way. STATUS UNKNOWN before the lists, then VALID with its sentence,
# EXPIRED, UNTRUSTED for a term a second too long, ENDED resigned.
"$libro" key new --out nb.pem --public-out nb.pub >/dev/null
"$libro" issue charter --key town.pem --issuer urn:libro:t --parent-charter town.jws \
    --id urn:libro:t:n --name N --level 1 --community-key nb.pub --allow a \
    --valid-from 2026-01-01T00:00:00Z --days 3000 --out nb.jws 2>/dev/null
"$libro" trust add nb.jws >/dev/null
"$libro" key new --out holder.pem >/dev/null
field() { "$libro" key show --json "$1" | node -pe "JSON.parse(require('fs').readFileSync(0)).$2"; }
nb_tp=$(field nb.pem thumbprint)
reg_tp=$(field reg.pem thumbprint)
holder=$(field holder.pem did)
ms=https://r.example/v1/status/mandates/0
entry() { # PURPOSE
    printf '{"id":"%s/%s#7","type":"BitstringStatusListEntry","statusPurpose":"%s","statusListIndex":"7","statusListCredential":"%s/%s"' \
        "$ms" "$1" "$1" "$ms" "$1"
}
mandate() { # VALID-UNTIL OUT
    {
        printf '{"@context":["https://www.w3.org/ns/credentials/v2","https://w3id.org/libro/v1"],'
        printf '"type":["VerifiableCredential","RoundtableMandate"],"issuer":"urn:libro:t:n",'
        printf '"validFrom":"2026-01-01T00:00:00Z","validUntil":"%s",' "$1"
        printf '"credentialSchema":{"id":"https://w3id.org/libro/schemas/roundtable-mandate.json","type":"JsonSchema"},'
        printf '"credentialSubject":{"id":"%s","name":"Jane Doe","office":"representative",' "$holder"
        printf '"roundtable":{"id":"urn:libro:t","level":2},"seat":"urn:libro:t:n","voting":true,'
        printf '"election":{"record":"sha256:%s","date":"2025-11-16T00:00:00Z","electorate":1012,' \
            60983a2a14fee4035c6aa0b77efba9ee84ff3a4cbaff70b3e56b7672d588443a
        printf '"result":"elected with 612 of 987 votes"}},"credentialStatus":['
        entry revocation && printf '},' && entry suspension && printf '},' && entry message
        printf ',"statusSize":2,"statusMessage":[{"status":"0x0","message":"in office"},'
        printf '{"status":"0x1","message":"resigned"},{"status":"0x2","message":"recalled"},'
        printf '{"status":"0x3","message":"replaced"}]}]}'
    } >"$2.json"
    "$libro" jws sign --key nb.pem --kid "urn:libro:t:n#$nb_tp" --typ vc+jwt "$2.json" >"$2"
}
mandate_lists() { # REVOKED WORD
    for p in revocation suspension message; do
        v=0
        [ "$p" = revocation ] && v=$1
        [ "$p" = message ] && v=$2
        node "$here/mandate_list.mjs" "$ms/$p" urn:libro:t:r "$p" 7 "$v" >"m$p.json"
        "$libro" jws sign --key reg.pem --kid "urn:libro:t:r#$reg_tp" --typ vc+jwt "m$p.json" \
            >"m$p.jws"
        "$libro" trust add "m$p.jws" >/dev/null
    done
}
mandate 2027-12-31T23:59:59Z m1.jws
mandate 2031-01-01T00:00:00Z m2.jws
verify_docs+=("$(out "$libro" verify --json --jws m1.jws)")
mandate_lists 0 0
verify_docs+=("$(out "$libro" verify --json --jws m1.jws)"
    "$(out "$libro" verify --json --at 2028-06-01T00:00:00Z --jws m1.jws)"
    "$(out "$libro" verify --json --jws m2.jws)")
mandate_lists 1 1
verify_docs+=("$(out "$libro" verify --json --jws m1.jws)")

# Agreements and laws (issue 10): an agreement framed by Neighborhood N, its payload made
# from the schema's example with two new parties' keys, each signature made with `libro jws
# sign` over the same payload and assembled into JWS JSON; a law of N from the example,
# signed with N's key; an LBR reference to the agreement (base45 in node), which no synced
# index lists. COMPLETE, PARTIAL, INVALID, IN FORCE, UNDER REVIEW, UNTRUSTED, STATUS UNKNOWN.
"$libro" key new --out pa.pem >/dev/null
"$libro" key new --out pb.pem >/dev/null
node -e '
const fs = require("fs");
const ex = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
const keys = [JSON.parse(process.argv[2]), JSON.parse(process.argv[3])];
ex.issuer = keys[0].did;
ex.credentialSubject.community = {id: "urn:libro:t:n", level: 1};
ex.credentialSubject.parties.forEach((p, i) => {
    p.id = keys[i].did;
    p.publicKeyJwk = {kty: "OKP", crv: "Ed25519", x: keys[i].jwk.x};
});
fs.writeFileSync("agreement.payload.json", JSON.stringify(ex));
' "$here/../../schemas/examples/responsibility-agreement.json" \
    "$("$libro" key show --json pa.pem)" "$("$libro" key show --json pb.pem)"
for p in pa pb; do
    "$libro" jws sign --key $p.pem --kid "$(field $p.pem did)#$(field $p.pem thumbprint)" \
        --typ vc+jwt agreement.payload.json >$p.sig.jws
done
"$libro" jws sign --key holder.pem --kid "urn:libro:x#$(field holder.pem thumbprint)" \
    --typ vc+jwt agreement.payload.json >px.sig.jws
assemble() { # OUT SIG...
    local out=$1
    shift
    node -e '
const fs = require("fs");
const toks = process.argv.slice(1).map((f) => fs.readFileSync(f, "utf8").trim().split("."));
process.stdout.write(JSON.stringify({payload: toks[0][1],
    signatures: toks.map((t) => ({protected: t[0], signature: t[2]}))}));
' "$@" >"$out"
}
assemble complete.json pa.sig.jws pb.sig.jws
assemble partial.json pa.sig.jws
assemble outsider.json pa.sig.jws pb.sig.jws px.sig.jws
sed -e 's/"urn:libro:neighborhood-3"/"urn:libro:t:n"/g' \
    -e 's/urn:libro:neighborhood-3:law/urn:libro:t:n:law/' \
    "$here/../../schemas/examples/community-law.json" >law.json
"$libro" jws sign --key nb.pem --kid "urn:libro:t:n#$nb_tp" --typ vc+jwt law.json >law.jws
"$libro" jws sign --key holder.pem --kid "urn:libro:t:n#$(field holder.pem thumbprint)" \
    --typ vc+jwt law.json >forged-law.jws
lbr=$(node -e '
const fs = require("fs");
const h = require("crypto").createHash("sha256").update(fs.readFileSync("complete.json")).digest();
const b = Buffer.concat([Buffer.from([1]), h]);
const A = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
let s = "";
for (let i = 0; i + 1 < b.length; i += 2) {
    let n = b[i] * 256 + b[i + 1];
    s += A[n % 45] + A[Math.floor(n / 45) % 45] + A[Math.floor(n / 2025)];
}
if (b.length % 2) { const n = b[b.length - 1]; s += A[n % 45] + A[Math.floor(n / 45)]; }
process.stdout.write("LBR:" + s);
')
verify_docs+=("$(out "$libro" verify --json --at 2027-06-01T00:00:00Z --jws complete.json)"
    "$(out "$libro" verify --json --at 2027-06-01T00:00:00Z --jws partial.json)"
    "$(out "$libro" verify --json --trust-dir "$work/none" --jws partial.json)"
    "$(out "$libro" verify --json --at 2027-06-01T00:00:00Z --jws outsider.json)"
    "$(out "$libro" verify --json --at 2027-06-01T00:00:00Z --jws law.jws)"
    "$(out "$libro" verify --json --at 2028-06-01T00:00:00Z --jws law.jws)"
    "$(out "$libro" verify --json --at 2027-06-01T00:00:00Z --jws forged-law.jws)"
    "$(out "$libro" verify --json --at 2027-06-01T00:00:00Z --text "$lbr")")
for want in '"outcome":"COMPLETE"' '"outcome":"PARTIAL","exit_code":9' \
    'is not a party' '"outcome":"IN FORCE"' '"outcome":"UNDER REVIEW"' \
    'the community that signed the law' '"reference":{"kind":"agreement"' \
    '"communityTrusted":true' '"registered":false' 'urn:libro:t:n is not in the trust store'; do
    if ! grep -qF -- "$want" "${verify_docs[@]}"; then
        echo "cli_run: no verify document with $want" >&2
        exit 1
    fi
done

# Each status outcome was produced (an empty document would fail the schema anyway).
for want in '"outcome":"STATUS UNKNOWN"' '"checked":true,"revoked":false,"suspended":false' \
    '"warning":' '"outcome":"SUSPENDED"' '"outcome":"REVOKED"' '"outcome":"SURRENDERED"' \
    '"outcome":"LAPSED"' '"word":"surrendered"' '"word":"lapsed"' '"code":"not_a_license"' \
    '"note":"status data is as of the last sync' "is before data already seen" \
    '"sentence":"Jane Doe represents N at the roundtable of T (voting), 2026-01-01 to 2027-12-31"' \
    '"outcome":"ENDED"' '"word":"resigned"' '"office":"representative"' \
    'longer than the 5 years of a representative'; do
    if ! grep -qF -- "$want" "${verify_docs[@]}"; then
        echo "cli_run: no verify document with $want" >&2
        exit 1
    fi
done

# The registry's and the trust store's documents.
license_docs=("$(out "$libro" license show --json --db reg.db N-2)"
    "$(out "$libro" license show --json --db reg.db NO-SUCH-LICENSE)")
expiring_docs=("$(out "$libro" license expiring --json --db reg.db --within 3650)")
# Webhook subscriptions (no server: only the database changes): added (every license with the
# default horizon; two numbers and none), refused, listed, removed, and the key.
webhook_add_docs=("$(out "$libro" registry webhook add --json --db reg.db --url https://hr.example/h --all)"
    "$(out "$libro" registry webhook add --json --db reg.db --url http://127.0.0.1:9/h \
        --license N-2 --license N-3 --expiring-within 0)"
    "$(out "$libro" registry webhook add --json --db reg.db --url http://192.0.2.1/h --all)")
wh=$(node -pe 'JSON.parse(require("fs").readFileSync(process.argv[1])).webhook.id' \
    "${webhook_add_docs[0]}")
webhook_list_docs=("$(out "$libro" registry webhook list --json --db reg.db)")
webhook_remove_docs=("$(out "$libro" registry webhook remove --json --db reg.db "$wh")"
    "$(out "$libro" registry webhook remove --json --db reg.db "$wh")")
webhook_list_docs+=("$(out "$libro" registry webhook list --json --db reg.db)"
    "$(out "$libro" registry webhook list --json --db missing.db)")
webhook_key_docs=("$(out "$libro" registry webhook key --json --db reg.db)"
    "$(out "$libro" registry webhook key --json --db missing.db)")
for want in '"expiringWithinDays":30' '"licenses":["N-2","N-3"],"insecureHttp":false,"expiringWithinDays":0' \
    '"licenses":null' '"code":"denied"'; do
    if ! grep -qF -- "$want" "${webhook_add_docs[@]}"; then
        echo "cli_run: no webhook add document with $want" >&2
        exit 1
    fi
done
for want in "\"removed\":\"$wh\"" '"code":"not_found"'; do
    if ! grep -qF -- "$want" "${webhook_remove_docs[@]}"; then
        echo "cli_run: no webhook remove document with $want" >&2
        exit 1
    fi
done
if grep -qF "$wh" "${webhook_list_docs[1]}" || ! grep -qF "$wh" "${webhook_list_docs[0]}"; then
    echo "cli_run: webhook list --json: $wh not listed before its removal, or after it" >&2
    exit 1
fi
# A roundtable: the town seats a neighborhood, which records its representative; the
# town its chair; the representative resigns.
"$libro" key new --out n.pem --public-out n.pub >/dev/null
"$libro" issue charter --key town.pem --issuer urn:libro:t --parent-charter town.jws \
    --id urn:libro:n --name N --level 1 --community-key n.pub --allow a \
    --valid-from 2026-02-01T00:00:00Z --days 3000 --out n.jws 2>/dev/null
seat_docs=("$(out "$libro" roundtable seat --json --db reg.db --actor ops --charter n.jws)"
    "$(out "$libro" roundtable seat --json --db reg.db --actor ops --charter town.jws)")
mandate() { # KEY CHARTER OUT [options]
    local key=$1 charter=$2 file=$3
    shift 3
    "$libro" mandate issue --key "$key" --charter "$charter" --holder H --holder-key holder.pem \
        --election-record "sha256:$(printf '%064d' 0)" --election-date 2026-03-01T00:00:00Z \
        --electorate 100 --election-result r --registry reg.db \
        --status-url-base https://r.example/v1/status/mandates --actor ops --out "$file" "$@" \
        2>/dev/null
}
rep_id=$(mandate n.pem n.jws rep.jws --office representative --roundtable-charter town.jws)
chair_id=$(mandate town.pem town.jws chair.jws --office chair)
issue_docs=("$(out mandate n.pem n.jws rep2.jws --json --office representative \
    --roundtable-charter town.jws --valid-from 2026-02-01T00:00:00Z --valid-until 2099-01-01T00:00:00Z)"
    "$(out mandate town.pem town.jws chair2.jws --json --office chair \
        --valid-from "$(date -u -d '30 days' +%Y-%m-%dT%H:%M:%SZ)")")
end_docs=("$(out "$libro" mandate end --json --db reg.db --actor ops --reason resigned --why w \
    "$rep_id")"
    "$(out "$libro" mandate end --json --db reg.db --actor ops --reason resigned --why w \
        "$rep_id")")
mandate_docs=("$(out "$libro" mandate show --json --db reg.db "$rep_id")"
    "$(out "$libro" mandate show --json --db reg.db "$chair_id")"
    "$(out "$libro" mandate show --json --db reg.db "sha256:$(printf '%064d' 1)")")
mandate_expiring_docs=("$(out "$libro" mandate expiring --json --db reg.db --within 3650)"
    "$(out "$libro" mandate expiring --json --db missing.db --within 1)")
roundtable_docs=("$(out "$libro" roundtable show --json --db reg.db urn:libro:t)"
    "$(out "$libro" roundtable show --json --db reg.db --at 2026-06-01T00:00:00Z urn:libro:t)"
    "$(out "$libro" roundtable show --json --db reg.db urn:libro:other)")
for want in '"state":"resigned"' '"office":"chair"' '"code":"not_found"'; do
    if ! grep -qF -- "$want" "${mandate_docs[@]}"; then
        echo "cli_run: no mandate show document with $want" >&2
        exit 1
    fi
done
for want in '"code":"denied"' '"office":"chair"' '"state":"resigned"' '"community":"urn:libro:n"'; do
    if ! grep -qF -- "$want" "${issue_docs[@]}" "${end_docs[@]}" "${seat_docs[@]}"; then
        echo "cli_run: no mandate issue, end or seat document with $want" >&2
        exit 1
    fi
done
grep -qF '"vacant":true' "${roundtable_docs[@]}" || {
    echo "cli_run: roundtable show --json shows no vacant seat" >&2
    exit 1
}
# Laws by consent (issue 10): the town's roundtable in a registry of its own, the
# neighborhood's representative and the town's chair; a proposal, a refused response (the
# chair's), a consent, the adoption; what the registry shows; the record, checked.
"$libro" registry init --db law.db --charter town.jws --authorization regauth.jws >/dev/null 2>&1
"$libro" roundtable seat --db law.db --actor ops --charter n.jws >/dev/null 2>&1
"$libro" trust add n.jws >/dev/null # the representative's mandate chains through it
"$libro" key new --out rep.pem >/dev/null
"$libro" key new --out chair.pem >/dev/null
law_mandate() { # KEY CHARTER HOLDER OUT [options]
    local key=$1 charter=$2 holder=$3 file=$4
    shift 4
    "$libro" mandate issue --key "$key" --charter "$charter" --holder H --holder-key "$holder" \
        --election-record "sha256:$(printf '%064d' 0)" --election-date 2026-03-01T00:00:00Z \
        --electorate 100 --election-result r --registry law.db \
        --status-url-base https://r.example/v1/status/mandates --actor ops --out "$file" "$@" \
        >/dev/null 2>&1
}
law_mandate n.pem n.jws rep.pem law-rep.jws --office representative --roundtable-charter town.jws
law_mandate town.pem town.jws chair.pem law-chair.jws --office chair
L=urn:libro:t:law:l
law_step() { # KEY SUBCOMMAND [options]
    local key=$1 sub=$2
    shift 2
    out "$libro" law "$sub" --json --db law.db --key "$key" "$@" "$L"
}
step_docs=("$(law_step rep.pem propose --title T --aim A --text "a text" \
    --review-date "$(date -u -d '1 year' +%Y-%m-%dT%H:%M:%SZ)")"
    "$(law_step chair.pem respond --consent)"
    "$(law_step rep.pem respond --object --harm h)"
    "$(law_step rep.pem respond --consent)")
adopt_docs=("$(out "$libro" law adopt --json --db law.db --actor ops --key town.pem \
    --charter town.jws --out law.jws "$L")"
    "$(out "$libro" law adopt --json --db law.db --actor ops --key town.pem \
        --charter town.jws --out law-2.jws "$L")")
law_list_docs=("$(out "$libro" law list --json --db law.db)"
    "$(out "$libro" law review-due --json --db law.db --within 400)"
    "$(out "$libro" law list --json --db missing.db)")
law_show_docs=("$(out "$libro" law show --json --db law.db "$L")"
    "$(out "$libro" law show --json --db law.db urn:libro:t:law:none)")
record_docs=("$(out "$libro" law record --json --db law.db --out law-record.json "$L")"
    "$(out "$libro" law record --json missing.json)")
for want in '"kind":"propose"' '"kind":"respond"' '"code":"denied"' '"code":"schema"'; do
    if ! grep -qF -- "$want" "${step_docs[@]}"; then
        echo "cli_run: no law step document with $want" >&2
        exit 1
    fi
done
grep -qF '"holds":true' "${record_docs[@]}" && grep -qF '"version":1' "${adopt_docs[@]}" || {
    echo "cli_run: law adopt or law record --json shows no adopted law" >&2
    exit 1
}
trust_docs=("$(out "$libro" trust list --json)")
grep -qF '"kind":"status-list"' "${trust_docs[@]}" || {
    echo "cli_run: trust list --json shows no status list" >&2
    exit 1
}

# Agreements (issue 10): draft, sign, verify (COMPLETE, PARTIAL, INVALID), a notice statement
# without a registry, register (refused PARTIAL, then COMPLETE with its reference QR), show
# (found, not found).
"$libro" key new --out bob.pem --public-out bob.pub >/dev/null
"$libro" key new --out ada.pem >/dev/null
agreement_docs=("$(out "$libro" agreement draft --json --title T --community urn:libro:t \
    --community-level 2 --party "ada.pem:tenant:Ada" --party "bob.pub:owner:Bob" \
    --responsibility "1:sweep" --responsibility "2:repair" --notice-days 30 --days 365 \
    --out ag.json)")
cp ag.json ag-bob.json
agreement_docs+=("$(out "$libro" agreement sign --json --key bob.pem ag-bob.json)"
    "$(out "$libro" agreement verify --json ag-bob.json)"
    "$(out "$libro" agreement sign --json --key ed.pem ag-bob.json)")
"$libro" agreement sign --key ada.pem --out ag-full.json ag-bob.json >/dev/null 2>&1
# The first signature's first letter changed: to B when it is an A (1 in 64 are), else to A.
sed 's/"signature":"A/"signature":"B/;t;s/"signature":"./"signature":"A/' ag-full.json >ag-bad.json
cmp -s ag-full.json ag-bad.json && { echo "cli_run: ag-bad.json is not changed" >&2; exit 1; }
agreement_docs+=("$(out "$libro" agreement verify --json ag-full.json)"
    "$(out "$libro" agreement verify --json ag-bad.json)"
    "$(out "$libro" agreement draft --json --party "ada.pem:t:A" --out ag-one.json)")
ag_register_docs=("$(out "$libro" agreement register --json --db reg.db --actor ops ag-bob.json)"
    "$(out "$libro" agreement register --json --db reg.db --actor ops --qr ag.png ag-full.json)")
ag_show_docs=("$(out "$libro" agreement show --json --db reg.db "$(printf 'sha256:%s' \
    "$(sha256sum <ag-full.json | cut -c1-64)")")"
    "$(out "$libro" agreement show --json --db reg.db "sha256:$(printf '%064d' 7)")")
ag_end_docs=("$(out "$libro" agreement end --json --key bob.pem --notice --reason r ag-full.json)"
    "$(out "$libro" agreement end --json --key ed.pem --notice --reason r ag-full.json)"
    "$(out "$libro" agreement end --json --key bob.pem --notice --reason r --db reg.db \
        --actor ops ag-full.json)")
for want in '"outcome":"DRAFT"' '"outcome":"PARTIAL"' '"outcome":"COMPLETE"' '"code":"denied"' \
    '"code":"bad_signature"'; do
    if ! grep -qF -- "$want" "${agreement_docs[@]}"; then
        echo "cli_run: no agreement document with $want" >&2
        exit 1
    fi
done
for want in '"qrVersion":' '"stateNow":"in force"' '"recorded":true' '"recorded":false'; do
    if ! grep -qF -- "$want" "${ag_register_docs[@]}" "${ag_show_docs[@]}" "${ag_end_docs[@]}"; then
        echo "cli_run: no agreement register, show or end document with $want" >&2
        exit 1
    fi
done

# Issue 12: --json on every command that prints a result (each also on a failure).
expect() { # WHAT PATTERN FILE...: some document of WHAT holds the fixed string PATTERN
    local what=$1 want=$2
    shift 2
    grep -qF -- "$want" "$@" || {
        echo "cli_run: no $what document with $want" >&2
        exit 1
    }
}
"$libro" key new --out j.pem --public-out j.pub >/dev/null
key_docs+=("$(out "$libro" key new --json --out jk.pem)" "$(out "$libro" key new --json --out jk.pem)")
expect "key new" '"out":"jk.pem"' "${key_docs[@]}"
key_public_docs=("$(out "$libro" key public --json j.pem)" "$(out "$libro" key public --json es.pem)"
    "$(out "$libro" key public --json missing.pem)")
expect "key public" '"pem":"-----BEGIN PUBLIC KEY-----\n' "${key_public_docs[@]}"
jws_sign_docs=("$(out "$libro" jws sign --json --key ed.pem --kid k claims.json)"
    "$(out "$libro" jws sign --json --key missing.pem claims.json)")
expect "jws sign" '"jws":"ey' "${jws_sign_docs[@]}"
# Issue: a charter, both authorizations, licenses (on file, with a QR code, recorded with its
# status entries), one refused (its file exists) and a usage error (--out - with --json).
issued_docs=("$(out "$libro" issue charter --json --key town.pem --issuer urn:libro:t \
    --parent-charter town.jws --id urn:libro:t:j --name J --level 1 --community-key j.pub \
    --allow a --valid-from 2026-02-01T00:00:00Z --days 300 --out j-charter.jws)"
    "$(out "$libro" issue authorization --json --key town.pem --charter town.jws \
        --id urn:libro:t:jb --name JB --subject-key j.pub --grant a:365 \
        --status-registry https://r.example --valid-from 2026-01-01T00:00:00Z --days 900 \
        --out j-auth.jws)"
    "$(out "$libro" issue registry-authorization --json --key town.pem --charter town.jws \
        --id urn:libro:t:jr --name JR --subject-key j.pub --url https://jr.example \
        --valid-from 2026-01-01T00:00:00Z --days 900 --out j-regauth.jws)"
    "$(out "$libro" issue license --json --key board.pem --authorization auth.jws \
        --community-charter town.jws --holder H --number J-1 --profession P --type a \
        --scope s --scope t --valid-from 2026-06-01T00:00:00Z --out j1.jws --qr j1.png)"
    "$(out "$libro" issue license --json --key board.pem --authorization auth.jws \
        --community-charter town.jws --holder H --number J-2 --profession P --type a --scope s \
        --out j2.jws --registry reg.db --status-url-base https://r.example/v1/status)"
    "$(out "$libro" issue license --json --key board.pem --authorization auth.jws \
        --community-charter town.jws --holder H --number J-1 --profession P --type a --scope s \
        --out j1.jws)"
    "$(out "$libro" issue license --json --key board.pem --authorization auth.jws \
        --community-charter town.jws --holder H --number J-1 --profession P --type a --scope s \
        --out -)")
for want in '"type":"CommunityCharter"' '"type":"IssuerAuthorization"' \
    '"type":"RegistryAuthorization"' '"qr":"j1.png"' '"registered":true' '"status":{"list":0,' \
    '"code":"exists"' '"code":"invalid_argument"'; do
    expect "issue" "$want" "${issued_docs[@]}"
done
printf 'holder,number,profession,type,scope\nA,JB-1,P,a,s\nB,JB-2,P,zz,s\nC,JB-3,P,a,s;t\n' >batch.csv
batch() { # FILE
    out "$libro" issue license --json --batch "$1" --key board.pem --authorization auth.jws \
        --community-charter town.jws --registry reg.db --status-url-base https://r.example/v1/status
}
batch_docs=("$(batch batch.csv)" "$(batch missing.csv)")
for want in '"number":"JB-1","issued":true,"status":{' '"issued":false,"error":{"code":"denied"' \
    '"total":3,"issued":2,"failed":1,"notWritten":0' '"code":"not_found"'; do
    expect "issue --batch" "$want" "${batch_docs[@]}"
done
# A license's changes, the clock, and a renewal (a registry whose type opens renewal at once).
change_docs=("$(out "$libro" license suspend --json --db reg.db --actor ops --reason r J-2)"
    "$(out "$libro" license reinstate --json --db reg.db --actor ops --reason r J-2)"
    "$(out "$libro" license revoke --json --db reg.db --actor ops --reason r J-2)"
    "$(out "$libro" license reinstate --json --db reg.db --actor ops --reason r J-2)"
    "$(out "$libro" license surrender --json --db reg.db --actor ops --reason r NO-SUCH)")
for want in '"action":"suspend","from":"active","to":"suspended"' \
    '"action":"revoke","from":"active","to":"revoked"' '"code":"not_found"'; do
    expect "license change" "$want" "${change_docs[@]}"
done
tick_docs=("$(out "$libro" license tick --json --db reg.db)"
    "$(out "$libro" license tick --json --db missing.db)")
expect "license tick" '"changed":0' "${tick_docs[@]}"
registry_docs=("$(out "$libro" registry init --json --db renew.db --charter town.jws \
    --authorization regauth.jws)"
    "$(out "$libro" registry init --json --db new.db --charter new-charter.jws \
        --authorization new-auth.jws --community-key new-town.pem --registry-key new-reg.pem \
        --id urn:libro:new --name New --level 1 --allow a --registry-id urn:libro:new:r \
        --registry-name NR --url https://nr.example)"
    "$(out "$libro" registry init --json --db renew.db --charter town.jws \
        --authorization regauth.jws)"
    "$(out "$libro" registry init --json --db half.db --charter absent.jws \
        --authorization absent-auth.jws)")
for want in '"registry":{"id":"urn:libro:t:r","name":"R"}' '"created":{}' \
    '"charter":"new-charter.jws"' '"code":"exists"' 'creating the charter needs'; do
    expect "registry init" "$want" "${registry_docs[@]}"
done
type_docs=("$(out "$libro" registry type --json --db renew.db --id a --validity-days 365 \
    --renewal-window-days 365 --grace-days 30 --requires 'cpd_hours >= 10' --actor ops)"
    "$(out "$libro" registry type --json --db renew.db --id a --validity-days 365 \
        --renewal-window-days 365 --grace-days 30 --requires 'cpd_hours >= ten' --actor ops)")
expect "registry type" '"requires":[{"evidence":"cpd_hours","op":">=","value":10}]' "${type_docs[@]}"
"$libro" issue license --key board.pem --authorization auth.jws --community-charter town.jws \
    --holder H --number R-1 --profession P --type a --scope s --out r1.jws --registry renew.db \
    --status-url-base https://r.example/v1/status >/dev/null 2>&1
renew() { # OUT [options]
    local file=$1
    shift
    out "$libro" license renew --json --db renew.db --actor ops --key board.pem \
        --authorization auth.jws --community-charter town.jws --out "$file" "$@" R-1
}
renew_docs=("$(renew r1-2.jws --evidence cpd_hours=12 --qr r1-2.png)"
    "$(renew r1-3.jws --evidence cpd_hours=2)")
expect "license renew" '"version":2' "${renew_docs[@]}"
"$libro" issue authorization --key town.pem --charter town.jws --id urn:libro:t:jb2 --name JB2 \
    --subject-key j.pub --grant a:365 --valid-from 2026-01-01T00:00:00Z --days 900 \
    --out j-auth-unrecorded.jws 2>/dev/null
registry_record_docs=("$(out "$libro" registry authorize --json --db renew.db --actor ops \
    --authorization j-auth-unrecorded.jws --allow-unrecorded)"
    "$(out "$libro" registry authorize --json --db renew.db --actor ops \
        --authorization j-auth-unrecorded.jws)"
    "$(out "$libro" registry chain --json --db renew.db --actor ops --add town.jws)")
expect "registry authorize" '"id":"urn:libro:t:jb2"' "${registry_record_docs[@]}"
status_docs=("$(out "$libro" registry status --json --db renew.db --key reg.pem --list 0 \
    --purpose revocation --id https://r.example/v1/status/0/revocation --out jrev.jws)"
    "$(out "$libro" registry status --json --db renew.db --key board.pem --list 0 \
        --purpose revocation --id https://r.example/v1/status/0/revocation --out jrev2.jws)")
expect "registry status" '"purpose":"revocation"' "${status_docs[@]}"
audit_docs=("$(out "$libro" registry audit --json --db renew.db)"
    "$(out "$libro" registry audit --json --db missing.db)")
expect "registry audit" '"root":"' "${audit_docs[@]}"
# The trust store: an anchor pinned, a list added, one refused; removed by id.
trust_change_docs=("$(out "$libro" trust add --json --trust-dir jt --anchor town.jws)"
    "$(out "$libro" trust add --json --trust-dir jt regauth.jws auth.jws)"
    "$(out "$libro" trust add --json --trust-dir jt claims.json)"
    "$(out "$libro" trust remove --json --trust-dir jt urn:libro:t:b)")
for want in '"anchor":true,"thumbprint":"' '"file":"auth.jws","anchor":false,"thumbprint":null' \
    '"removed":1' 'claims.json: '; do
    expect "trust add or remove" "$want" "${trust_change_docs[@]}"
done
# Sync from a registry served on loopback (port 0, read back), then nothing newer; and one
# that cannot be reached.
"$libro" registry serve --db renew.db --key reg.pem --listen 127.0.0.1:0 --port-file port \
    2>serve.log &
serve_pid=$!
for _ in $(seq 400); do [ -s port ] && break; sleep 0.05; done
[ -s port ] || {
    echo "cli_run: the registry did not start: $(cat serve.log)" >&2
    exit 1
}
sync_docs=("$(out "$libro" sync --json --trust-dir jt "http://127.0.0.1:$(cat port)")"
    "$(out "$libro" sync --json --trust-dir jt "http://127.0.0.1:$(cat port)")")
kill "$serve_pid" && wait "$serve_pid" 2>/dev/null
sync_docs+=("$(out "$libro" sync --json --trust-dir jt "http://127.0.0.1:$(cat port)")")
for want in '"upToDate":false' '"upToDate":true' '"code":"network"'; do
    expect "sync" "$want" "${sync_docs[@]}"
done
qr_docs=("$(out "$libro" qr encode --json --png jq.png lic.jws)"
    "$(out "$libro" qr encode --json --svg jq.svg --ecc Q lic.jws)"
    "$(out "$libro" qr decode --json lic.png)" "$(out "$libro" qr decode --json --jws lic.png)"
    "$(out "$libro" qr decode --json noise.pgm)" "$(out "$libro" qr encode --json --text lic.jws)")
for want in '"version":' '"ecc":"Q"' '"text":"LB2:' '"jws":"ey' '"code":"no_qr_code"' \
    '"code":"invalid_argument"'; do
    expect "qr" "$want" "${qr_docs[@]}"
done

status=0
node "$here/cli.mjs" issue.schema.json "${issued_docs[@]}" "${renew_docs[@]}" || status=1
node "$here/cli.mjs" license-change.schema.json "${change_docs[@]}" || status=1
node "$here/cli.mjs" license-tick.schema.json "${tick_docs[@]}" || status=1
node "$here/cli.mjs" registry-init.schema.json "${registry_docs[@]}" || status=1
node "$here/cli.mjs" registry-type.schema.json "${type_docs[@]}" || status=1
node "$here/cli.mjs" registry-record.schema.json "${registry_record_docs[@]}" || status=1
node "$here/cli.mjs" registry-status.schema.json "${status_docs[@]}" || status=1
node "$here/cli.mjs" registry-audit.schema.json "${audit_docs[@]}" || status=1
node "$here/cli.mjs" trust-change.schema.json "${trust_change_docs[@]}" || status=1
node "$here/cli.mjs" sync.schema.json "${sync_docs[@]}" || status=1
node "$here/cli.mjs" qr.schema.json "${qr_docs[@]}" || status=1
node "$here/cli.mjs" jws-sign.schema.json "${jws_sign_docs[@]}" || status=1
node "$here/cli.mjs" key-public.schema.json "${key_public_docs[@]}" || status=1
node "$here/cli.mjs" issue-batch.schema.json "${batch_docs[@]}" || status=1
node "$here/cli.mjs" license-show.schema.json "${license_docs[@]}" || status=1
node "$here/cli.mjs" license-expiring.schema.json "${expiring_docs[@]}" || status=1
node "$here/cli.mjs" webhook-add.schema.json "${webhook_add_docs[@]}" || status=1
node "$here/cli.mjs" webhook-list.schema.json "${webhook_list_docs[@]}" || status=1
node "$here/cli.mjs" webhook-remove.schema.json "${webhook_remove_docs[@]}" || status=1
node "$here/cli.mjs" webhook-key.schema.json "${webhook_key_docs[@]}" || status=1
node "$here/cli.mjs" mandate-show.schema.json "${mandate_docs[@]}" || status=1
node "$here/cli.mjs" mandate-expiring.schema.json "${mandate_expiring_docs[@]}" || status=1
node "$here/cli.mjs" roundtable-show.schema.json "${roundtable_docs[@]}" || status=1
node "$here/cli.mjs" mandate-issue.schema.json "${issue_docs[@]}" || status=1
node "$here/cli.mjs" mandate-end.schema.json "${end_docs[@]}" || status=1
node "$here/cli.mjs" roundtable-seat.schema.json "${seat_docs[@]}" || status=1
node "$here/cli.mjs" trust-list.schema.json "${trust_docs[@]}" || status=1
node "$here/cli.mjs" law-step.schema.json "${step_docs[@]}" || status=1
node "$here/cli.mjs" law-adopt.schema.json "${adopt_docs[@]}" || status=1
node "$here/cli.mjs" law-list.schema.json "${law_list_docs[@]}" || status=1
node "$here/cli.mjs" law-show.schema.json "${law_show_docs[@]}" || status=1
node "$here/cli.mjs" law-consent-record.schema.json "${record_docs[@]}" || status=1
node "$here/cli.mjs" key-show.schema.json "${key_docs[@]}" || status=1
node "$here/cli.mjs" jws-verify.schema.json "${jws_docs[@]}" || status=1
node "$here/cli.mjs" verify.schema.json "${verify_docs[@]}" || status=1
node "$here/cli.mjs" agreement-status.schema.json "${agreement_docs[@]}" || status=1
node "$here/cli.mjs" agreement-register.schema.json "${ag_register_docs[@]}" || status=1
node "$here/cli.mjs" agreement-show.schema.json "${ag_show_docs[@]}" || status=1
node "$here/cli.mjs" agreement-end.schema.json "${ag_end_docs[@]}" || status=1
exit $status
