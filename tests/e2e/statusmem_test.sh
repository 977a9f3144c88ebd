#!/usr/bin/env bash
# End-to-end test of the status lists the server serves from memory, with the real processes:
# `libro registry serve` on a loopback ephemeral port, and `libro license revoke --db` /
# `suspend --db` run as processes of their own on the same database file while the server
# runs. Each change is in the very next GET (the server notices other processes' commits with
# PRAGMA data_version and reads only the lists whose version changed); with nothing changed the
# ETag stays and If-None-Match gets 304; the bundle follows. No sleep waits for a change.
# Prints "N passed, N failed". Loopback only.
set -uo pipefail
libro=${1:?usage: statusmem_test.sh PATH/TO/libro}
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro") # we cd below
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_require statusmem_test.sh python3
e2e_start statusmem
DB=$(db_new reg.db) || exit 1
FROM=$(date -u -d '30 days ago' +%Y-%m-%dT%H:%M:%SZ)
BASE=http://127.0.0.1/v1/status

# --- a registry with two licenses ----------------------------------------------------------------
e2e_town7 "$FROM" http://127.0.0.1
must "$libro" registry init --db "$DB" --charter town.jws --authorization regauth.jws
must "$libro" registry type --db "$DB" --id nursing-general --validity-days 365 \
    --renewal-window-days 30 --grace-days 30 --actor ops
for n in 1 2; do
    must "$libro" issue license --key board.pem --authorization auth.jws \
        --community-charter town.jws --holder "Holder $n" --number "T7-N-000$n" \
        --profession "registered nurse" --type nursing-general --scope "general care" \
        --out "lic$n.jws" --registry "$DB" --status-url-base $BASE
done
e2e_serve "$DB" reg.pem

# fetch.py PATH [ETAG]: GET PATH of the server; prints "STATUS ETAG" and writes the body to
# body.out (status_bit.py and status_index.py: lib.sh, e2e_status_tools).
cat >fetch.py <<'EOF'
import http.client, sys
port, path = int(sys.argv[1]), sys.argv[2]
c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
headers = {"If-None-Match": sys.argv[3]} if len(sys.argv) > 3 else {}
c.request("GET", path, headers=headers)
r = c.getresponse()
open("body.out", "wb").write(r.read())
print(r.status, r.getheader("ETag") or "-")
EOF
e2e_status_tools
port=${URL##*:}
get() { python3 fetch.py "$port" "$@"; }
i1=$(python3 status_index.py lic1.jws)
i2=$(python3 status_index.py lic2.jws)

# --- nothing changed: the same ETag, 304 ---------------------------------------------------------
read -r st etag < <(get /v1/status/0/revocation)
if [ "$st" = 200 ] && [ "$(python3 status_bit.py body.out "$i1")" = 0 ]; then ok; else fail "first GET: $st"; fi
read -r st etag2 < <(get /v1/status/0/revocation)
if [ "$st" = 200 ] && [ "$etag2" = "$etag" ]; then ok; else
    fail "unchanged list: $st, ETag $etag2 after $etag"; fi
read -r st _ < <(get /v1/status/0/revocation "$etag")
if [ "$st" = 304 ]; then ok; else fail "If-None-Match of an unchanged list: $st, want 304"; fi
read -r st betag < <(get /v1/bundle)
read -r st2 _ < <(get /v1/bundle "$betag")
if [ "$st" = 200 ] && [ "$st2" = 304 ]; then ok; else fail "bundle: $st then $st2"; fi

# --- another process revokes: the next GET has it ------------------------------------------------
check "revoke --db while the server runs" 0 'T7-N-0001: active -> revoked' -- \
    "$libro" license revoke --db "$DB" --actor registrar --reason "struck off" T7-N-0001
read -r st etag3 < <(get /v1/status/0/revocation "$etag")
if [ "$st" = 200 ] && [ "$etag3" != "$etag" ] && [ "$(python3 status_bit.py body.out "$i1")" = 1 ] &&
    [ "$(python3 status_bit.py body.out "$i2")" = 0 ]; then ok; else
    fail "the next GET after revoke --db: $st, ETag $etag3 (was $etag)"; fi
read -r st _ < <(get /v1/bundle "$betag")
if [ "$st" = 200 ]; then ok; else fail "bundle after revoke --db: $st, want 200"; fi
check "suspend --db while the server runs" 0 'T7-N-0002: active -> suspended' -- \
    "$libro" license suspend --db "$DB" --actor registrar --reason "inquiry" T7-N-0002
read -r st _ < <(get /v1/status/0/suspension)
if [ "$st" = 200 ] && [ "$(python3 status_bit.py body.out "$i2")" = 1 ]; then ok; else
    fail "the next GET after suspend --db: $st"; fi
read -r st _ < <(get /v1/status/0/revocation "$etag3")
if [ "$st" = 304 ]; then ok; else fail "revocation list untouched by a suspension: $st"; fi

if grep -qE 'runtime error:|Sanitizer' "$work/serve.log"; then
    fail "sanitizer reports:"
    head -40 "$work/serve.log"
fi
printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
