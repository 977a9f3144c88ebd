#!/usr/bin/env bash
# End-to-end test of the public register (docs/operations.md "Public pages"): the real
# `libro registry serve` on a loopback ephemeral port, read as a person would (python3's
# urllib): the home page, the searches, a revoked license's page with its reason category and
# not its reason, an unknown number's 404 page, and the signed record checked as the docs say,
# with `libro jws verify --key reg.pub --typ libro-record+jwt`.
# Prints "N passed, N failed". Loopback only.
set -uo pipefail
libro=${1:?usage: public_test.sh PATH/TO/libro}
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro") # we cd below
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_require public_test.sh python3
e2e_start public
FROM=$(date -u -d '30 days ago' +%Y-%m-%dT%H:%M:%SZ)
DB=$(db_new reg.db) || exit 1

e2e_town7 "$FROM"
must "$libro" key new --out other.pem --public-out other.pub
must "$libro" registry init --db "$DB" --charter town.jws --authorization regauth.jws
must "$libro" registry type --db "$DB" --id nursing-general --validity-days 365 \
    --renewal-window-days 30 --grace-days 30 --actor ops
for n in 1 2; do
    holder=$([ $n = 1 ] && echo "Ada <b>Example</b>" || echo "Bo Lee-Smith")
    must "$libro" issue license --key board.pem --authorization auth.jws \
        --community-charter town.jws --holder "$holder" --number "T7-N-000$n" \
        --profession "registered nurse" --type nursing-general --scope "general care" \
        --out "lic$n.jws" --registry "$DB" \
        --status-url-base https://registry.town-7.example/v1/status
done
must "$libro" license revoke --db "$DB" --actor registrar --reason "letter of 3 May: fraud" \
    --category conduct T7-N-0002
e2e_serve "$DB" reg.pem

# GET PATH: prints "STATUS CONTENT-TYPE" then the body (redirects not followed).
cat >get.py <<'EOF'
import sys, urllib.error, urllib.request
class Keep(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None
opener = urllib.request.build_opener(Keep)
req = urllib.request.Request(sys.argv[1], headers={"Accept": sys.argv[2]} if len(sys.argv) > 2 else {})
try:
    r = opener.open(req, timeout=10)
except urllib.error.HTTPError as e:
    r = e
sys.stdout.write("%d %s %s\n" % (r.status if hasattr(r, "status") else r.code,
                 r.headers.get("Content-Type"), r.headers.get("Location")))
sys.stdout.write(r.read().decode())
EOF
get() { python3 get.py "$URL$1" "${@:2}"; }

check "home" 0 '<h1>Public register of Town 7</h1>' -- get /
check "home form" 0 '<label for="holder">Holder.s name</label>' -- get /
check "search by number" 0 '^303 .* /licenses/T7-N-0001$' -- get '/licenses?number=T7-N-0001'
check "search by name" 0 '<a href="/licenses/T7-N-0002">T7-N-0002</a>' -- get '/licenses?holder=smith'
check "search escapes" 0 '<td>Ada &lt;b&gt;Example&lt;/b&gt;</td>' -- get '/licenses?holder=ADA'
check "empty search" 0 '^400 text/html' -- get '/licenses?holder=+'
page=$(get /licenses/T7-N-0002)
if grep -q '<p class="status no">Revoked on <span class="d">[0-9-]*</span> — not valid</p>' <<<"$page" &&
    grep -q '<td>Revoked</td><td>Conduct</td>' <<<"$page" &&
    grep -q '<dt>Community</dt><dd>Town 7 (town, level 2)</dd>' <<<"$page" &&
    ! grep -q 'fraud\|registrar' <<<"$page"; then ok; else fail "revoked page: $page"; fi
check "browser at the API" 0 '<dt>Holder</dt><dd>Ada &lt;b&gt;Example&lt;/b&gt;</dd>' -- \
    get /v1/licenses/T7-N-0001 'text/html'
check "JSON stays" 0 '"state":"revoked"' -- get /v1/licenses/T7-N-0002
check "unknown number" 0 'No license with the number' -- get /licenses/T7-N-0404
check "unknown number status" 0 '^404 text/html' -- get /licenses/T7-N-0404

# The signed record, checked as docs/operations.md says.
get /v1/licenses/T7-N-0002/public.jwt | tail -n +2 >record.jwt
check "record verifies" 0 '"status":"revoked"' -- \
    "$libro" jws verify --key reg.pub --typ libro-record+jwt record.jwt
check "record category" 0 '"action":"revoke","category":"conduct"' -- \
    "$libro" jws verify --key reg.pub --typ libro-record+jwt record.jwt
check "record no reason" 1 '' -- \
    grep -q fraud <("$libro" jws verify --key reg.pub --typ libro-record+jwt record.jwt)
check "record other key" 1 'invalid' -- \
    "$libro" jws verify --key other.pub --typ libro-record+jwt record.jwt

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
