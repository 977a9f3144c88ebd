#!/usr/bin/env bash
# End-to-end test of the registry's HTTP API with the real server process on loopback:
#  1. the journey over HTTP: an issuer authorized with `libro registry authorize` issues
#     licenses and suspends, reinstates and revokes them with signed requests; the license
#     resource shows each state; an employer syncs the trust bundle and `libro verify` says
#     VALID, SUSPENDED (5), REVOKED (4); the log grows by one leaf per write, and its
#     inclusion and consistency proofs verify against the checkpoints (RFC 9162);
#  2. every refusal of the write API, each by its status and its JSON error code (and Allow
#     or Retry-After where the answer carries one), and that no refusal writes to the log;
#  3. eight clients changing one license at once: one revocation, a consistent history;
#     sixteen clients revoking sixteen licenses at once: every one acknowledged and recorded
#     (the server's writes share the write queue's commits, and none waits for a lock);
#  4. the first second after a restart: a change is in the status list served next, at once.
# Needs curl and python3 (exit 77, skipped, without them). Prints "N passed, N failed".
set -uo pipefail
libro=${1:?usage: api_test.sh PATH/TO/libro}
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro") # we cd below
for tool in curl python3; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        if [ -n "${LIBRO_TEST_STRICT:-}" ]; then # scripts/test installs them: missing is a failure
            echo "FAIL: api_test.sh needs $tool, which is not installed"
            exit 1
        fi
        echo "SKIP: api_test.sh needs $tool, which is not installed"
        exit 77
    fi
done
# The registry's listening socket, on a port the system picks, is held by this script for its
# whole run (python opens it and runs the script again with it inherited): every server
# started here serves on it (--listen-fd), so a restart never frees the port.
if [ -z "${LIBRO_TEST_LISTEN_FD:-}" ]; then
    exec python3 -c '
import os, socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(128)
s.set_inheritable(True)
os.environ["LIBRO_TEST_LISTEN_FD"] = str(s.fileno())
os.execvp("bash", ["bash"] + sys.argv[1:])' "$0" "$libro"
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/libro-e2e-api.XXXXXX")
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
    fi
    db_cleanup
    rm -rf "$work"
}
trap cleanup EXIT
cd "$work" || exit 1
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" # db_new: SQLite or PostgreSQL (LIBRO_TEST_DB)
e2e_require_db
export XDG_DATA_HOME="$work/employer" # the employer's trust store
passed=0
failed=0
ok() { passed=$((passed + 1)); }
fail() {
    printf 'FAIL %s\n' "$*"
    failed=$((failed + 1))
}
finish() {
    # The server's diagnostics: a sanitizer build reports there (and keeps running after UBSan).
    cat serve.err >>serve.all 2>/dev/null
    if grep -qE 'runtime error:|Sanitizer' serve.all "$work"/*.san 2>/dev/null; then
        fail "sanitizer reports:"
        grep -hE -A5 'runtime error:|Sanitizer' serve.all "$work"/*.san | head -40
    fi
    printf '%d passed, %d failed\n' "$passed" "$failed"
    [ "$failed" -eq 0 ]
    exit
}
must() { "$@" >/dev/null 2>"$work/must.err" || { echo "setup failed: $*"; cat "$work/must.err"; exit 1; }; }
check() { # NAME WANT_EXIT PATTERN -- COMMAND...
    local name=$1 want=$2 pattern=$3
    shift 4
    local out rc
    out=$("$@" 2>&1 </dev/null)
    rc=$?
    grep -E 'runtime error:|Sanitizer' <<<"$out" >>"$work/cli.san"
    if [ "$rc" -ne "$want" ]; then
        fail "$name: exit $rc, want $want"
        printf '%s\n' "$out"
    elif [ -n "$pattern" ] && ! grep -qE -- "$pattern" <<<"$out"; then
        fail "$name: output lacks /$pattern/"
        printf '%s\n' "$out"
    else
        ok
    fi
}
ago() { date -u -d "$1 ago" +%Y-%m-%dT%H:%M:%SZ; }
FROM=$(ago '30 days')

# --- python helpers: ports, JSON, forged credentials, Merkle proofs (RFC 9162) ----------------
cat >h.py <<'EOF'
import base64, hashlib, json, sys, urllib.request

def H(b): return hashlib.sha256(b).digest()

def get(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read()

def checkpoint(base):
    lines = get(base + "/v1/log/checkpoint").decode().split("\n")
    return int(lines[1]), base64.b64decode(lines[2])

def proof(url):
    return [base64.b64decode(p) for p in json.loads(get(url))["proof"]]

def inclusion_ok(index, size, leaf, path, root):  # RFC 9162 2.1.3.2
    if index >= size: return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0: return False
        if fn & 1 or fn == sn:
            r = H(b"\x01" + p + r)
            if not fn & 1:
                while True:
                    fn >>= 1; sn >>= 1
                    if fn & 1 or fn == 0: break
        else:
            r = H(b"\x01" + r + p)
        fn >>= 1; sn >>= 1
    return sn == 0 and r == root

def consistency_ok(n1, n2, h1, h2, path):  # RFC 9162 2.1.4.2
    if n1 == n2: return not path and h1 == h2
    if n1 == 0 or n1 > n2 or not path and n1 & (n1 - 1): return False
    if n1 & (n1 - 1) == 0: path = [h1] + path
    fn, sn = n1 - 1, n2 - 1
    while fn & 1: fn >>= 1; sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0: return False
        if fn & 1 or fn == sn:
            fr = H(b"\x01" + c + fr); sr = H(b"\x01" + c + sr)
            if not fn & 1:
                while True:
                    fn >>= 1; sn >>= 1
                    if fn & 1 or fn == 0: break
        else:
            sr = H(b"\x01" + sr + c)
        fn >>= 1; sn >>= 1
    return fr == h1 and sr == h2 and sn == 0

def b64url(s): return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))

cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "json":  # FILE NAME.NAME...: the member, strings raw
    v = json.load(open(args[0]))
    for k in args[1].split("."): v = v[int(k)] if isinstance(v, list) else v[k]
    print(v if isinstance(v, str) else json.dumps(v))
elif cmd == "payload":  # FILE.JWS: its payload
    sys.stdout.write(b64url(open(args[0]).read().strip().split(".")[1]).decode())
elif cmd == "list":  # STATUS_LIST.JWS INDEX: its validFrom (epoch seconds) and the bit at INDEX
    import calendar, gzip, time
    p = json.loads(b64url(open(args[0]).read().strip().split(".")[1]))
    enc = p["credentialSubject"]["encodedList"][1:]  # 'u' + base64url of gzip
    bits, i = gzip.decompress(b64url(enc)), int(args[1])
    # validFrom to the millisecond (YYYY-MM-DDTHH:MM:SS.mmmZ); the seconds are what is shown.
    when = calendar.timegm(time.strptime(p["validFrom"][:19] + "Z", "%Y-%m-%dT%H:%M:%SZ"))
    print(when, (bits[i // 8] >> (7 - i % 8)) & 1)
elif cmd == "cred":  # LICENSE.JWS NUMBER LIST INDEX TYPE ISSUER [LISTS_BASE]: its payload, changed
    c = json.loads(b64url(open(args[0]).read().strip().split(".")[1]))
    c["issuer"] = args[5]
    c["credentialSubject"]["licenseNumber"] = args[1]
    c["credentialSubject"]["licenseType"] = args[4]
    for e in c["credentialStatus"]:
        base = args[6] if len(args) > 6 else e["statusListCredential"].rsplit("/", 2)[0]
        url = base + "/" + args[2] + "/" + e["statusPurpose"]
        e["statusListCredential"], e["statusListIndex"] = url, args[3]
        e["id"] = url + "#" + args[3]
    sys.stdout.write(json.dumps(c, separators=(",", ":")))
elif cmd == "register":  # AUD IAT JTI CREDENTIAL.JWS LIST INDEX: register claims
    print(json.dumps({"aud": args[0], "iat": int(args[1]), "jti": args[2], "op": "register",
                      "credential": open(args[3]).read().strip(), "list": int(args[4]),
                      "index": int(args[5])}, separators=(",", ":")))
elif cmd == "proofs":  # BASE OLD_SIZE OLD_ROOT_B64: the newest leaf's inclusion, old->new consistency
    base, n1, h1 = args[0], int(args[1]), base64.b64decode(args[2])
    n2, h2 = checkpoint(base)
    leaf = H(b"\x00" + get("%s/v1/log/leaves/%d" % (base, n2 - 1)))
    if not inclusion_ok(n2 - 1, n2, leaf, proof("%s/v1/log/inclusion/%d/%d" % (base, n2 - 1, n2)), h2):
        sys.exit("inclusion proof of leaf %d in %d does not verify" % (n2 - 1, n2))
    if not inclusion_ok(0, n2, H(b"\x00" + get(base + "/v1/log/leaves/0")),
                        proof("%s/v1/log/inclusion/0/%d" % (base, n2)), h2):
        sys.exit("inclusion proof of leaf 0 in %d does not verify" % n2)
    if not consistency_ok(n1, n2, h1, h2, proof("%s/v1/log/consistency/%d/%d" % (base, n1, n2))):
        sys.exit("consistency proof %d -> %d does not verify" % (n1, n2))
    print("ok", n1, n2)
elif cmd == "busy":  # PORT DB READ_PATH WRITE_PATH WARM.JWS COLD.JWS: requests while DB is locked
    import http.client, sqlite3, subprocess, threading
    port, db, rpath, wpath = int(args[0]), args[1], args[2], args[3]
    jose = {"Content-Type": "application/jose"}
    out = {}
    warm = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    warm.request("GET", rpath); warm.getresponse().read()  # this connection's handle is open
    if db.startswith(("postgresql://", "postgres://")):  # psql holds the sequencer, as a writer
        lock = subprocess.Popen(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", db], text=True,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        lock.stdin.write("BEGIN; LOCK TABLE libro_sequencer IN EXCLUSIVE MODE;\n\\echo locked\n")
        lock.stdin.flush()
        if lock.stdout.readline().strip() != "locked":
            sys.exit("psql could not lock the sequencer")
    else:
        lock = sqlite3.connect(db, isolation_level=None); lock.execute("BEGIN IMMEDIATE")
    def run(name, method, path, body=None):
        c = warm if name == "warm-write" else http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        c.request(method, path, body, jose if body else {})
        r = c.getresponse()
        out[name] = "%d %s" % (r.status, r.read().decode())
        out[name + "-retry"] = r.getheader("Retry-After") or "none"
    ts = [threading.Thread(target=run, args=a) for a in
          (("warm-write", "POST", wpath, open(args[4], "rb").read()), ("cold-read", "GET", rpath),
           ("cold-write", "POST", wpath, open(args[5], "rb").read()))]
    for t in ts: t.start()
    for t in ts: t.join()
    if isinstance(lock, subprocess.Popen):
        lock.communicate("ROLLBACK;\n")
    else:
        lock.execute("ROLLBACK")
    for k, v in out.items(): print(k, v)
elif cmd == "history":  # SHOW.JSON EVENTS_BEFORE SUCCESSES: the concurrent changes' history
    h = json.load(open(args[0]))["history"]
    before, succeeded = int(args[1]), int(args[2])
    new, problems = h[before:], []
    for a, b in zip(h, h[1:]):
        if b["from"] != a["to"]:
            problems.append("%s from %s follows a change to %s" % (b["action"], b["from"], a["to"]))
    revokes = [e for e in new if e["action"] == "revoke"]
    if len(revokes) != 1: problems.append("%d revoke events" % len(revokes))
    if h[-1]["action"] != "revoke" or h[-1]["to"] != "revoked":
        problems.append("the last event is %s -> %s" % (h[-1]["action"], h[-1]["to"]))
    if len(new) != succeeded:
        problems.append("%d events added, %d clients succeeded" % (len(new), succeeded))
    print("; ".join(problems) if problems else "ok " + " ".join(e["action"] for e in new))
EOF
py() { python3 "$work/h.py" "$@"; }

# --- the world: Town 7, its board and clinic (issuers), its registry ---------------------------
# The registry serves on the held socket, at the URL that names its port (read back from the
# server's port file at its first start); its URL is part of its licenses.
PORT=0
URL=
for k in town board reg clinic mallory late; do
    must "$libro" key new --out $k.pem --public-out $k.pub
done
must "$libro" issue charter --self --key town.pem --id urn:libro:town-7 --name "Town 7" --level 2 \
    --allow nursing-general --allow first-aid --valid-from "$FROM" --days 3650 --out town.jws
must "$libro" issue authorization --key town.pem --charter town.jws --id urn:libro:town-7:board \
    --name "Health Board" --subject-key board.pub --grant nursing-general:1095 \
    --valid-from "$FROM" --days 3000 --out board-auth.jws
must "$libro" issue authorization --key town.pem --charter town.jws --id urn:libro:town-7:clinic \
    --name "First Aid Clinic" --subject-key clinic.pub --grant first-aid:30 \
    --valid-from "$FROM" --days 3000 --out clinic-auth.jws
must "$libro" issue authorization --key town.pem --charter town.jws --id urn:libro:town-7:late \
    --name "Not Yet" --subject-key late.pub --grant nursing-general:1095 \
    --valid-from "$(date -u -d '2 days' +%Y-%m-%dT%H:%M:%SZ)" --days 300 --out late-auth.jws
must "$libro" issue registry-authorization --key town.pem --charter town.jws \
    --id urn:libro:town-7:registry --name "Town 7 Registry" --subject-key reg.pub \
    --url http://127.0.0.1 --valid-from "$FROM" --days 3000 --out regauth.jws
DB=$(db_new reg.db) || exit 1
must "$libro" registry init --db "$DB" --charter town.jws --authorization regauth.jws
must "$libro" registry type --db "$DB" --id nursing-general --validity-days 1095 \
    --renewal-window-days 90 --grace-days 30 --actor "town clerk"
must "$libro" registry type --db "$DB" --id first-aid --validity-days 30 --renewal-window-days 5 \
    --grace-days 5 --actor "town clerk"
check "authorize the board" 0 'accepts requests' -- "$libro" registry authorize --db "$DB" \
    --authorization board-auth.jws --actor clerk --allow-unrecorded
check "authorize the clinic" 0 'accepts requests' -- "$libro" registry authorize --db "$DB" \
    --authorization clinic-auth.jws --actor clerk --allow-unrecorded
# Valid from the day after tomorrow: recorded now, refused (401 unknown_key) until then.
check "authorize an issuer from the day after tomorrow" 0 '' -- "$libro" registry authorize \
    --db "$DB" --authorization late-auth.jws --actor clerk --allow-unrecorded
thumb() { "$libro" key show --json "$1" | sed -n 's/.*"thumbprint":"\([^"]*\)".*/\1/p'; }
KID="urn:libro:town-7:board#$(thumb board.pem)"
CLINIC_KID="urn:libro:town-7:clinic#$(thumb clinic.pem)"
BOARD=(--key board.pem --authorization board-auth.jws --community-charter town.jws)

# start_server [OPTIONS...]: serve $DB on the held socket (the first time, PORT and URL are set
# from its port file); 1 when it does not come up.
start_server() {
    cat serve.err >>serve.all 2>/dev/null
    : >serve.err
    rm -f serve.port
    "$libro" registry serve --db "$DB" --listen 127.0.0.1:0 --listen-fd "$LIBRO_TEST_LISTEN_FD" \
        --key reg.pem --port-file serve.port "$@" </dev/null 2>>serve.err &
    server_pid=$!
    for _ in $(seq 1 200); do
        [ -e serve.port ] && break
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.05
    done
    if [ ! -e serve.port ] || { [ "$PORT" != 0 ] && [ "$(cat serve.port)" != "$PORT" ]; }; then
        echo "the server did not listen on 127.0.0.1:$PORT:"
        cat serve.err
        return 1
    fi
    PORT=$(cat serve.port)
    URL=http://127.0.0.1:$PORT
}
stop_server() {
    kill -TERM "$server_pid"
    wait "$server_pid"
    local rc=$?
    server_pid=
    return $rc
}

# http METHOD PATH [CURL OPTIONS...]: sets $status; the body is in ./body, the headers in ./hdr.
http() {
    local method=$1 path=$2
    shift 2
    status=$(curl -s -o body -D hdr -w '%{http_code}' -X "$method" "$@" "$URL$path")
}
post() { http POST "$1" -H "Content-Type: ${3:-application/jose}" --data-binary "@$2"; }
errcode() { sed -n 's/^{"error":{"code":"\([a-z_]*\)".*/\1/p' body; }
expect_error() { # NAME STATUS CODE: the last answer
    local got
    got=$(errcode)
    if [ "$status" = "$2" ] && [ "$got" = "$3" ]; then ok; else
        fail "$1: $status $got, want $2 $3: $(head -c 300 body)"; fi
}
expect_status() { # NAME STATUS [PATTERN]: the last answer
    if [ "$status" != "$2" ]; then
        fail "$1: status $status, want $2: $(head -c 300 body)"
    elif [ -n "${3:-}" ] && ! grep -qE -- "$3" body; then
        fail "$1: body lacks /$3/: $(head -c 300 body)"
    else
        ok
    fi
}
header() { tr -d '\r' <hdr | sed -n "s/^$1: //Ip"; }
now() { date +%s; }
hms() { date -u -d "@$1" +%T; }
new_jti() { printf 'api-%s' "$(tr -d - </proc/sys/kernel/random/uuid)"; }
# claims OP LICENSE [EXTRA MEMBERS]: the usual claims with a fresh jti.
claims() {
    local lic=
    [ -n "$2" ] && lic=",\"license\":\"$2\""
    printf '{"aud":"%s","iat":%d,"jti":"%s","op":"%s"%s%s}' "$URL" "$(now)" "$(new_jti)" "$1" \
        "$lic" "${3:-}"
}
# sign OUT CLAIMS [KEY [KID]]: the signed request (one line, no newline).
sign() {
    printf '%s' "$2" >claims.json
    "$libro" jws sign --key "${3:-board.pem}" --kid "${4:-$KID}" --typ libro-request+jwt claims.json |
        tr -d '\n' >"$1"
}
cp_size() { curl -s "$URL/v1/log/checkpoint" | sed -n 2p; }
cp_root() { curl -s "$URL/v1/log/checkpoint" | sed -n 3p; }
expect_size() { # NAME SIZE
    local got
    got=$(cp_size)
    if [ "$got" = "$2" ]; then ok; else fail "$1: checkpoint size $got, want $2"; fi
}
license_state() { curl -s "$URL/v1/licenses/$1" | sed -n 's/.*"state":"\([a-z]*\)".*/\1/p'; }
expect_state() { # NAME NUMBER STATE
    local got
    got=$(license_state "$2")
    if [ "$got" = "$3" ]; then ok; else fail "$1: GET /v1/licenses/$2 state '$got', want $3"; fi
}
issue() { # NUMBER OUT [OPTIONS]
    local number=$1 out=$2
    shift 2
    "$libro" issue license "${BOARD[@]}" --holder "Holder $number" --number "$number" \
        --profession "registered nurse" --type nursing-general --scope "general care" \
        --out "$out" --registry "$URL" "$@"
}

start_server --write-rate 1000 --write-burst 1000 || { fail "serve"; finish; }
AS_BOARD=(--registry "$URL" --key board.pem --issuer urn:libro:town-7:board)
ok

# === 1. the journey over HTTP =================================================================
size0=$(cp_size)
root0=$(cp_root)
# two license types and three authorizations: five leaves
if [ "$size0" = 5 ]; then ok; else fail "checkpoint of the new registry: size '$size0', want 5"; fi
check "issue license over HTTP" 0 'registered T7-N-0001' -- issue T7-N-0001 ada.jws
expect_size "issue: one leaf" $((size0 + 1))
check "issue a second license" 0 'registered T7-N-0002' -- issue T7-N-0002 bo.jws
expect_size "second issue: one leaf" $((size0 + 2))
check "the license names the server's status lists" 0 "\"statusListCredential\":\"$URL/v1/status/0/revocation\"" -- \
    py payload ada.jws
http GET /v1/licenses/T7-N-0001
expect_status "GET license" 200 '"number":"T7-N-0001","version":1,"state":"active","type":"nursing-general"'
expect_status "GET license: issuer" 200 '"issuer":"urn:libro:town-7:board"'
if grep -q "$(tr -d '\n' <ada.jws)" body; then ok; else fail "GET license: credential is not ada.jws"; fi

thumb_town=$(thumb town.pem)
check "employer pins the town" 0 'pinned anchor' -- "$libro" trust add --anchor \
    --expect-thumbprint "$thumb_town" town.jws
check "sync" 0 'synced bundle' -- "$libro" sync "$URL"
check "verify: VALID" 0 '^VALID' -- "$libro" verify --jws ada.jws
check "sync again: up to date" 0 '^up to date' -- "$libro" sync "$URL"

check "suspend over HTTP" 0 'T7-N-0001: suspend recorded' -- "$libro" license suspend \
    "${AS_BOARD[@]}" --reason "complaint under review" T7-N-0001
expect_state "suspended" T7-N-0001 suspended
expect_size "suspend: one leaf" $((size0 + 3))
# Read your writes: the very next sync has the change (lists and bundles are dated to the
# millisecond, each after the last).
check "sync after suspend" 0 'synced bundle' -- "$libro" sync "$URL"
check "verify: SUSPENDED" 5 '^SUSPENDED' -- "$libro" verify --jws ada.jws
# --json: the registry's answer names no states, so from and to are null.
check "reinstate over HTTP --json" 0 '^\{"ok":true,"number":"T7-N-0001","action":"reinstate","from":null,"to":null\}$' \
    -- bash -c '"$0" license reinstate "${@:1}" 2>/dev/null' "$libro" "${AS_BOARD[@]}" \
    --json --reason "complaint dismissed" T7-N-0001
expect_state "reinstated" T7-N-0001 active
expect_size "reinstate: one leaf" $((size0 + 4))
check "sync after reinstate" 0 'synced bundle' -- "$libro" sync "$URL"
check "verify: VALID again" 0 '^VALID' -- "$libro" verify --jws ada.jws
check "revoke over HTTP" 0 'T7-N-0001: revoke recorded' -- "$libro" license revoke \
    "${AS_BOARD[@]}" --reason "struck off" T7-N-0001
expect_state "revoked" T7-N-0001 revoked
expect_size "revoke: one leaf" $((size0 + 5))
check "sync after revoke" 0 'synced bundle' -- "$libro" sync "$URL"
check "verify: REVOKED" 4 '^REVOKED' -- "$libro" verify --jws ada.jws
check "the other license is still VALID" 0 '^VALID' -- "$libro" verify --jws bo.jws
check "a second sync without change" 0 '^up to date' -- "$libro" sync "$URL"
check "revoke over HTTP: the CLI reports the conflict" 1 '409 conflict' -- "$libro" license \
    revoke "${AS_BOARD[@]}" --reason again T7-N-0001
check "show --db: the history" 0 '"action":"issue".*"action":"suspend".*"action":"reinstate".*"action":"revoke"' -- \
    "$libro" license show --db "$DB" --json T7-N-0001
check "the log's proofs verify" 0 "^ok $size0 $((size0 + 5))" -- py proofs "$URL" "$size0" "$root0"
http GET "/v1/log/consistency/$size0/$((size0 + 5))"
expect_status "consistency proof" 200 '^\{"proof":\['
http GET "/v1/log/inclusion/0/$((size0 + 5))"
expect_status "inclusion proof" 200 '^\{"proof":\['
http GET "/v1/log/leaves/$((size0 + 4))"
expect_status "the last leaf is the revocation" 200 \
    '"license":"T7-N-0001","action":"revoke","from":"active","to":"revoked"'
http GET "/v1/log/inclusion/$((size0 + 5))/$((size0 + 5))"
expect_error "inclusion of a leaf past the tree" 400 bad_request
http GET "/v1/log/consistency/1/$((size0 + 99))"
expect_error "consistency with a larger tree than the log" 404 not_found
http GET "/v1/log/leaves/$((size0 + 5))"
expect_error "a leaf past the log" 404 not_found

# === 2. every refusal of the write API ========================================================
# A hand-signed request first: the same path the CLI takes, accepted.
sign req.jws "$(claims suspend T7-N-0002 ',"reason":"hand-signed"')"
post /v1/licenses/T7-N-0002/suspend req.jws
expect_status "hand-signed suspend" 200 '^\{"license":"T7-N-0002","version":1,"state":"suspended"\}$'
cp req.jws done.jws # an accepted request, for the replay
sign req.jws "$(claims reinstate T7-N-0002 ',"reason":"hand-signed"')"
post /v1/licenses/T7-N-0002/reinstate req.jws
expect_status "hand-signed reinstate" 200 '"state":"active"'
size=$(cp_size)

# 400 bad_request
printf 'this is not a JWS' >garbage
post /v1/licenses/T7-N-0002/suspend garbage
expect_error "400: garbage body" 400 bad_request
printf '' >empty
post /v1/reservations empty
expect_error "400: empty body" 400 bad_request
printf 'not json at all' >notjson.txt
"$libro" jws sign --key board.pem --kid "$KID" --typ libro-request+jwt notjson.txt | tr -d '\n' >req.jws
post /v1/reservations req.jws
expect_error "400: payload not JSON" 400 bad_request
sign req.jws '["aud","iat","jti","op"]'
post /v1/reservations req.jws
expect_error "400: payload a JSON array" 400 bad_request
sign req.jws "$(claims reserve '' ',"extra":1')"
post /v1/reservations req.jws
expect_error "400: unknown member" 400 bad_request
sign req.jws "$(claims suspend T7-N-0002 ',"reason":"x","evidence":{}')"
post /v1/licenses/T7-N-0002/suspend req.jws
expect_error "400: a member of another operation" 400 bad_request
sign req.jws "$(claims suspend T7-N-0002 ',"reason":"x"')"
post /v1/licenses/T7-N-0002/revoke req.jws
expect_error "400: op is not the route's" 400 bad_request
sign req.jws "$(claims revoke T7-N-0001 ',"reason":"x"')"
post /v1/licenses/T7-N-0002/revoke req.jws
expect_error "400: license is not the path's" 400 bad_request
sign req.jws "$(claims revoke T7-N-0002)"
post /v1/licenses/T7-N-0002/revoke req.jws
expect_error "400: no reason" 400 bad_request
sign req.jws "{\"aud\":\"$URL\",\"iat\":\"$(now)\",\"jti\":\"api-test-iat-string\",\"op\":\"reserve\"}"
post /v1/reservations req.jws
expect_error "400: iat a string" 400 bad_request
sign req.jws "{\"aud\":\"$URL\",\"iat\":$(now),\"op\":\"reserve\"}"
post /v1/reservations req.jws
expect_error "400: no jti" 400 bad_request
sign req.jws "{\"aud\":\"$URL\",\"iat\":$(now),\"jti\":\"api-test-15-chr\",\"op\":\"reserve\"}"
post /v1/reservations req.jws
expect_error "400: jti of 15 characters" 400 bad_request
sign req.jws "{\"aud\":\"$URL\",\"iat\":$(now),\"jti\":\"api-test-with.dot\",\"op\":\"reserve\"}"
post /v1/reservations req.jws
expect_error "400: jti with a dot" 400 bad_request
jti65=$(printf 'j%.0s' $(seq 1 65))
sign req.jws "{\"aud\":\"$URL\",\"iat\":$(now),\"jti\":\"$jti65\",\"op\":\"reserve\"}"
post /v1/reservations req.jws
expect_error "400: jti of 65 characters" 400 bad_request
sign req.jws "{\"aud\":\"$URL\",\"iat\":$(now),\"jti\":\"api-test-16-char\",\"op\":\"reserve\"}"
post /v1/reservations req.jws
lists="\"revocation\":\"$URL/v1/status/0/revocation\",\"suspension\":\"$URL/v1/status/0/suspension\",\"message\":\"$URL/v1/status/0/message\""
expect_status "jti of 16 characters" 201 "^\\{\"list\":0,\"index\":[0-9]+,$lists\\}\$"
sign req.jws "{\"aud\":\"$URL\",\"iat\":$(now),\"jti\":\"${jti65:1}\",\"op\":\"reserve\"}"
post /v1/reservations req.jws
expect_status "jti of 64 characters" 201 '"list":0'
printf '%s' "$(claims reserve '')" >claims.json
"$libro" jws sign --key board.pem --kid "$KID" --typ vc+jwt claims.json | tr -d '\n' >req.jws
post /v1/reservations req.jws
expect_error "400: typ vc+jwt" 400 bad_request
expect_size "no refusal wrote to the log" "$size"

# 401
sign req.jws "$(claims suspend T7-N-0002 ',"reason":"x"')" mallory.pem "urn:libro:town-7:board#$(thumb mallory.pem)"
post /v1/licenses/T7-N-0002/suspend req.jws
expect_error "401: a key the registry does not know (board's id)" 401 unknown_key
sign req.jws "$(claims suspend T7-N-0002 ',"reason":"x"')" mallory.pem "urn:libro:mallory#$(thumb mallory.pem)"
post /v1/licenses/T7-N-0002/suspend req.jws
expect_error "401: an unknown issuer" 401 unknown_key
sign req.jws "$(claims suspend T7-N-0002 ',"reason":"x"')" mallory.pem "$KID"
post /v1/licenses/T7-N-0002/suspend req.jws
expect_error "401: another key under the board's kid" 401 bad_signature
sign req.jws "$(claims suspend T7-N-0002 ',"reason":"x"')" late.pem "urn:libro:town-7:late#$(thumb late.pem)"
post /v1/licenses/T7-N-0002/suspend req.jws
expect_error "401: an authorization not valid yet" 401 unknown_key
sign good.jws "$(claims suspend T7-N-0002 ',"reason":"x"')"
# Swap one character in the middle of the signature: still canonical base64url, other bytes.
swap() { # FIELD POSITION: change one character of a JWS's field (1 header, 2 payload, 3 signature)
    awk -F. -v f="$1" -v i="$2" '{ c = substr($f, i, 1); r = (c == "A") ? "B" : "A"
        $f = substr($f, 1, i - 1) r substr($f, i + 1); printf "%s.%s.%s", $1, $2, $3 }'
}
swap 3 20 <good.jws >bad.jws
post /v1/licenses/T7-N-0002/suspend bad.jws
expect_error "401: tampered signature" 401 bad_signature
swap 2 30 <good.jws >bad.jws
post /v1/licenses/T7-N-0002/suspend bad.jws
expect_error "401: tampered payload" 401 bad_signature
for aud in "$URL/" "http://127.0.0.1:1" "https://registry.town-7.example"; do
    sign req.jws "$(claims suspend T7-N-0002 ',"reason":"x"' | sed "s|\"aud\":\"$URL\"|\"aud\":\"$aud\"|")"
    post /v1/licenses/T7-N-0002/suspend req.jws
    expect_error "401: aud $aud" 401 wrong_audience
done
for skew in -600 600 -310 310; do
    sign req.jws "$(claims suspend T7-N-0002 ',"reason":"x"' | sed "s/\"iat\":[0-9]*/\"iat\":$(($(now) + skew))/")"
    post /v1/licenses/T7-N-0002/suspend req.jws
    expect_error "401: iat $skew s from now" 401 stale_request
done
for skew in -280 280; do # inside the 5 minutes (a few seconds of margin for a slow machine)
    sign req.jws "$(claims reserve '' | sed "s/\"iat\":[0-9]*/\"iat\":$(($(now) + skew))/")"
    post /v1/reservations req.jws
    expect_status "iat $skew s from now is accepted" 201 '"index"'
done
expect_size "no refusal wrote to the log (401)" "$size"

# 403 out_of_scope
check "the clinic issues a first-aid license" 0 'registered T7-F-0001' -- "$libro" issue license \
    --key clinic.pem --authorization clinic-auth.jws --community-charter town.jws \
    --holder "Cy Example" --number T7-F-0001 --profession "first aider" --type first-aid \
    --scope "first aid" --out cy.jws --registry "$URL"
size=$(cp_size)
sign req.jws "$(claims revoke T7-N-0002 ',"reason":"not ours"')" clinic.pem "$CLINIC_KID"
post /v1/licenses/T7-N-0002/revoke req.jws
expect_error "403: revoke another issuer's license" 403 out_of_scope
sign req.jws "$(claims suspend T7-F-0001 ',"reason":"not ours"')"
post /v1/licenses/T7-F-0001/suspend req.jws
expect_error "403: the board suspends the clinic's license" 403 out_of_scope
check "403 through the CLI" 1 '403 out_of_scope' -- "$libro" license revoke --registry "$URL" \
    --key clinic.pem --issuer urn:libro:town-7:clinic --reason "not ours" T7-N-0002
check "403 through the CLI --json" 1 '^\{"ok":false,"error":\{"code":"[a-z_]+","message":"[^"]*403 out_of_scope' \
    -- bash -c '"$0" license revoke "${@:1}" 2>/dev/null' "$libro" --registry "$URL" --json \
    --key clinic.pem --issuer urn:libro:town-7:clinic --reason "not ours" T7-N-0002
expect_state "the board's license untouched" T7-N-0002 active
# A license of a type the board is not granted, signed by hand with the board's key.
reserve() { # sets LIST and INDEX from a fresh reservation
    sign req.jws "$(claims reserve '')"
    post /v1/reservations req.jws
    LIST=$(py json body list)
    INDEX=$(py json body index)
}
register() { # NUMBER TYPE [KEY KID [LISTS_BASE]]: reserve, sign a credential, register it
    [ -n "${KEEP_SLOT:-}" ] || reserve
    local kid=${4:-$KID}
    py cred bo.jws "$1" "$LIST" "$INDEX" "$2" "${kid%%#*}" ${5:+"$5"} >cred.json
    "$libro" jws sign --key "${3:-board.pem}" --kid "${4:-$KID}" --typ vc+jwt cred.json |
        tr -d '\n' >cred.jws
    sign req.jws "$(py register "$URL" "$(now)" "$(new_jti)" cred.jws "$LIST" "$INDEX")" \
        "${3:-board.pem}" "$kid"
    post /v1/licenses req.jws
}
register T7-N-0100 nursing-general
expect_status "hand-made register" 201 '^\{"license":"T7-N-0100","version":1,"state":"active"\}$'
register T7-F-0100 first-aid
expect_error "403: register a type the board is not granted" 403 out_of_scope
register T7-N-0101 nursing-general clinic.pem "$CLINIC_KID"
expect_error "403: the clinic registers a nursing license" 403 out_of_scope
expect_state "the refused registration left no license" T7-F-0100 ''
http GET /v1/licenses/T7-F-0100
expect_error "404: the refused registration" 404 not_found
# 409: the number or the status index is taken; status lists that are not this registry's
register T7-N-0100 nursing-general
expect_error "409: a number taken" 409 exists
KEEP_SLOT=1 register T7-N-0102 nursing-general
expect_status "the same slot for another number (the index is free again)" 201 '"license":"T7-N-0102"'
KEEP_SLOT=1 register T7-N-0103 nursing-general
expect_error "409: a status index taken" 409 exists
register T7-N-0104 nursing-general board.pem "$KID" https://registry.elsewhere.example/v1/status
expect_error "409: status entries naming another registry's lists" 409 conflict
expect_size "403 and 409 wrote nothing; the registrations one leaf each" $((size + 2))

# 404 not_found
http GET /v1/licenses/T7-N-9999
expect_error "404: unknown license number" 404 not_found
sign req.jws "$(claims revoke T7-N-9999 ',"reason":"x"')"
post /v1/licenses/T7-N-9999/revoke req.jws
expect_error "404: revoke an unknown license" 404 not_found
http GET /v1/nothing-here
expect_error "404: unknown path" 404 not_found
http POST /v2/licenses -H 'Content-Type: application/jose' --data-binary @good.jws
expect_error "404: unknown path (POST)" 404 not_found
http GET /v1/licenses/T7-N-0002/frobnicate
expect_error "404: unknown operation" 404 not_found

# 405 method_not_allowed with Allow
http GET /v1/reservations
expect_error "405: GET /v1/reservations" 405 method_not_allowed
if [ "$(header Allow)" = "POST" ]; then ok; else fail "405 GET reservations: Allow '$(header Allow)'"; fi
http GET /v1/licenses/T7-N-0002/revoke
expect_error "405: GET a write route" 405 method_not_allowed
if [ "$(header Allow)" = "POST" ]; then ok; else fail "405 GET revoke: Allow '$(header Allow)'"; fi
http POST /v1/bundle -H 'Content-Type: application/jose' --data-binary @good.jws
expect_error "405: POST /v1/bundle" 405 method_not_allowed
if [ "$(header Allow)" = "GET, HEAD" ]; then ok; else fail "405 POST bundle: Allow '$(header Allow)'"; fi
http DELETE /v1/licenses/T7-N-0002
expect_error "405: DELETE a license" 405 method_not_allowed
if [ "$(header Allow)" = "GET, HEAD" ]; then ok; else fail "405 DELETE license: Allow '$(header Allow)'"; fi

# 409 conflict and replay
size=$(cp_size)
sign req.jws "$(claims revoke T7-N-0100 ',"reason":"first"')"
post /v1/licenses/T7-N-0100/revoke req.jws
expect_status "revoke" 200 '"state":"revoked"'
sign req.jws "$(claims revoke T7-N-0100 ',"reason":"second"')"
post /v1/licenses/T7-N-0100/revoke req.jws
expect_error "409: revoke twice" 409 conflict
sign req.jws "$(claims reinstate T7-N-0100 ',"reason":"undo"')"
post /v1/licenses/T7-N-0100/reinstate req.jws
expect_error "409: reinstate a revoked license" 409 conflict
post /v1/licenses/T7-N-0002/suspend done.jws
expect_error "409: replay of an accepted request" 409 replay
sign req.jws "$(claims suspend T7-N-0002 ',"reason":"once"')"
post /v1/licenses/T7-N-0002/suspend req.jws
expect_status "a request" 200 '"state":"suspended"'
post /v1/licenses/T7-N-0002/suspend req.jws
expect_error "409: the same bytes again" 409 replay
sign req.jws "$(claims reinstate T7-N-0002 ',"reason":"once"')"
post /v1/licenses/T7-N-0002/reinstate req.jws
expect_status "another request" 200 '"state":"active"'
# The jti of the request just accepted, in a new request: the id is spent.
used=$(py payload req.jws | sed -n 's/.*"jti":"\([^"]*\)".*/\1/p')
sign req.jws "$(claims suspend T7-N-0002 ',"reason":"x"' | sed "s/\"jti\":\"[^\"]*\"/\"jti\":\"$used\"/")"
post /v1/licenses/T7-N-0002/suspend req.jws
expect_error "409: a used jti in a new request" 409 replay
expect_size "conflicts and replays wrote nothing" $((size + 3))
# An authenticated request that was refused is spent: sent again, it is a replay (so that it
# can never take effect later, once the license has changed).
sign refused.jws "$(claims reinstate T7-N-0002 ',"reason":"too early"')"
post /v1/licenses/T7-N-0002/reinstate refused.jws
expect_error "409: reinstate an active license" 409 conflict
post /v1/licenses/T7-N-0002/reinstate refused.jws
expect_error "409: the refused request again: a replay" 409 replay
sign bad.jws "$(claims suspend T7-N-0002 ',"reason":"x"')" clinic.pem "$CLINIC_KID"
post /v1/licenses/T7-N-0002/suspend bad.jws
expect_error "403 first" 403 out_of_scope
post /v1/licenses/T7-N-0002/suspend bad.jws
expect_error "403 replayed: a replay" 409 replay
expect_state "refusals changed nothing" T7-N-0002 active

# 413 payload_too_large: 64 KiB is the cap (a body of exactly 64 KiB is read, and refused
# as a JWS; one byte more is refused unread).
head -c 65536 /dev/zero | tr '\0' 'a' >max.body
head -c 65537 /dev/zero | tr '\0' 'a' >over.body
post /v1/reservations max.body
expect_error "a body of 64 KiB is read" 400 bad_request
post /v1/reservations over.body
expect_error "413: 64 KiB + 1" 413 payload_too_large
http POST /v1/reservations -H 'Content-Type: application/jose' -H 'Transfer-Encoding: chunked' \
    --data-binary @over.body
expect_error "413: 64 KiB + 1, chunked" 413 payload_too_large
head -c 1048576 /dev/zero | tr '\0' 'a' >big.body
post /v1/licenses/T7-N-0002/revoke big.body
expect_error "413: 1 MiB" 413 payload_too_large

# 415 unsupported_media_type
sign req.jws "$(claims suspend T7-N-0002 ',"reason":"x"')"
post /v1/licenses/T7-N-0002/suspend req.jws application/json
expect_error "415: application/json" 415 unsupported_media_type
post /v1/licenses/T7-N-0002/suspend req.jws text/plain
expect_error "415: text/plain" 415 unsupported_media_type
post /v1/licenses/T7-N-0002/suspend req.jws application/jose+json
expect_error "415: application/jose+json (another serialization)" 415 unsupported_media_type
http POST /v1/licenses/T7-N-0002/suspend --data-binary @req.jws -H 'Content-Type:'
expect_error "415: no Content-Type" 415 unsupported_media_type
post /v1/licenses/T7-N-0002/suspend req.jws 'application/jose; charset=us-ascii'
expect_status "application/jose with a parameter" 200 '"state":"suspended"'

# 503 busy: another writer holds the database longer than the 5 s busy timeout. Three
# requests wait together: a write on a connection that has read before (its registry handle is
# open), a read and a write each on a new connection.
sign warm.jws "$(claims reinstate T7-N-0002 ',"reason":"busy"')"
sign cold.jws "$(claims reinstate T7-N-0002 ',"reason":"busy"')"
py busy "$PORT" "$DB" /v1/licenses/T7-N-0002 /v1/licenses/T7-N-0002/reinstate warm.jws cold.jws >busy.out
for what in warm-write cold-read cold-write; do
    sed -n "s/^$what //p" busy.out >body
    status=$(head -c 3 body)
    sed -i '1s/^... //' body
    case $what in
    warm-write) expect_error "503: a write while the database is locked" 503 busy ;;
    cold-read) expect_status "a read on a new connection while the database is locked" 200 '"state":"suspended"' ;;
    cold-write) expect_error "503: a write on a new connection while the database is locked" 503 busy ;;
    esac
done
for what in warm-write cold-write; do
    retry=$(sed -n "s/^$what-retry //p" busy.out)
    [ "$retry" = 1 ] && ok || fail "503 busy ($what): Retry-After '$retry', want 1"
done
post /v1/licenses/T7-N-0002/reinstate warm.jws
expect_status "the lock released: writes go on" 200 '"state":"active"'

# === 3. eight clients change one license at once ==============================================
check "issue the contested license" 0 'registered T7-N-0003' -- issue T7-N-0003 contested.jws
"$libro" license show --db "$DB" --json T7-N-0003 >before.json
events_before=$(grep -o '"action":' before.json | wc -l)
size=$(cp_size)
pids=()
for i in 1 2 3 4; do
    for action in revoke suspend; do
        (
            while [ ! -e go ]; do sleep 0.01; done
            "$libro" license $action "${AS_BOARD[@]}" --reason "client $i" T7-N-0003 \
                >"$action.$i.out" 2>&1 </dev/null
            echo $? >"$action.$i.rc"
        ) &
        pids+=($!)
    done
done
sleep 0.2
touch go
wait "${pids[@]}"
revokes=0
suspends=0
for i in 1 2 3 4; do
    for action in revoke suspend; do
        rc=$(cat "$action.$i.rc")
        if [ "$rc" = 0 ]; then
            [ $action = revoke ] && revokes=$((revokes + 1))
            [ $action = suspend ] && suspends=$((suspends + 1))
        elif ! grep -q '409 conflict' "$action.$i.out"; then
            fail "concurrent $action $i: exit $rc, not a conflict: $(cat "$action.$i.out")"
        fi
    done
done
if [ $revokes -eq 1 ]; then ok; else fail "concurrent: $revokes revokes succeeded, want 1"; fi
if [ $suspends -le 1 ]; then ok; else fail "concurrent: $suspends suspends succeeded, want at most 1"; fi
expect_state "concurrent: the final state" T7-N-0003 revoked
"$libro" license show --db "$DB" --json T7-N-0003 >after.json
r=$(py history after.json "$events_before" $((revokes + suspends)))
if [[ $r == ok* ]]; then ok; else fail "concurrent: history: $r"; fi
expect_size "concurrent: one leaf per success" $((size + revokes + suspends))

# Sixteen clients, each on its own connection, revoke sixteen licenses at once: each write is
# acknowledged (200), none meets a busy database, and each is on record.
for i in $(seq -w 1 16); do
    must issue "T7-P-00$i" "p$i.jws"
done
size=$(cp_size)
pids=()
for i in $(seq -w 1 16); do
    (
        while [ ! -e go16 ]; do sleep 0.01; done
        "$libro" license revoke "${AS_BOARD[@]}" --reason "client $i" "T7-P-00$i" \
            >"revoke16.$i.out" 2>&1 </dev/null
        echo $? >"revoke16.$i.rc"
    ) &
    pids+=($!)
done
touch go16
wait "${pids[@]}"
revoked=0
for i in $(seq -w 1 16); do
    if [ "$(cat "revoke16.$i.rc")" = 0 ] && grep -q "T7-P-00$i: revoke recorded" "revoke16.$i.out"; then
        revoked=$((revoked + 1))
    else
        fail "sixteen at once: revoke $i: $(cat "revoke16.$i.out")"
    fi
    expect_state "sixteen at once: $i revoked" "T7-P-00$i" revoked
done
if [ $revoked -eq 16 ]; then ok; else fail "sixteen at once: $revoked of 16 revokes succeeded"; fi
expect_size "sixteen at once: one leaf each" $((size + 16))

# === the first second after a start ==========================================================
# Status lists are dated to the millisecond, each strictly after the last, and the first list
# after a start after the start (so that it is newer than any the previous process signed).
# Start at the beginning of a second, fetch the suspension list, suspend a license, and fetch
# the list again at once, within the same second: it must carry the suspension (read your
# writes; a list dated after a change that it does not show would tell verifiers the license
# was not suspended at that time).
if stop_server; then ok; else fail "the server did not exit 0 on SIGTERM"; fi
INDEX=$("$libro" license show --db "$DB" --json T7-N-0002 | sed -n 's/.*"statusIndex":\([0-9]*\).*/\1/p')
while [ "$(date +%N | cut -c1)" -ge 2 ]; do sleep 0.01; done
start_server --write-rate 1000 --write-burst 1000 || { fail "serve again"; finish; }
http GET /v1/status/0/suspension
cp body list1.jws
served=$(date -u -d "$(header Date)" +%s)
read -r from1 bit1 <<<"$(py list list1.jws "$INDEX")"
sign req.jws "$(claims suspend T7-N-0002 ',"reason":"first second"')"
post /v1/licenses/T7-N-0002/suspend req.jws
expect_status "first second: suspend" 200 '"state":"suspended"'
changed=$(date +%s)
http GET /v1/status/0/suspension
cp body list2.jws
read -r from2 bit2 <<<"$(py list list2.jws "$INDEX")"
if [ "$bit1 $bit2" = "0 1" ]; then ok; else
    fail "first second: a suspension at $(hms "$changed") is not in the list served next" \
        "(bit $bit1 -> $bit2; validFrom $(hms "$from1") -> $(hms "$from2"); the first" \
        "list served at $(hms "$served"))"
fi
sign req.jws "$(claims reinstate T7-N-0002 ',"reason":"first second"')"
post /v1/licenses/T7-N-0002/reinstate req.jws
expect_status "first second: reinstate" 200 '"state":"active"'

# === 429: a server with a write budget of 1 per second, 2 at once ==============================
if stop_server; then ok; else fail "the server did not exit 0 on SIGTERM"; fi
start_server --write-rate 1 --write-burst 2 || { fail "serve with a write budget"; finish; }
for n in 1 2; do
    sign req$n.jws "$(claims reserve '')"
done
sign req3.jws "$(claims reserve '')"
post /v1/reservations req1.jws
s1=$status
post /v1/reservations req2.jws
s2=$status
post /v1/reservations req3.jws
expect_error "429: the third quick write" 429 rate_limited
if [ "$s1 $s2" = "201 201" ]; then ok; else fail "429: the burst: $s1 $s2, want 201 201"; fi
if [ "$(header Retry-After)" = 1 ]; then ok; else fail "429: Retry-After '$(header Retry-After)'"; fi
http GET /v1/health
expect_status "429: reads are not limited" 200 '"status":"ok"'
sleep 1.2
post /v1/reservations req3.jws
expect_status "429: a second later the refused request goes through" 201 '"index"'
if stop_server; then ok; else fail "the server did not exit 0 on SIGTERM"; fi
if sqlite_only "PRAGMA integrity_check of the database file"; then
    check "the database is sound" 0 '^ok$' -- python3 -c \
        'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchone()[0])' "$DB"
fi
finish
