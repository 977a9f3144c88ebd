#!/usr/bin/env bash
# End-to-end test of many server processes on one database: three `libro registry serve`
# processes (each on port 0, its port read back from its port file, at the URL that names
# it) share one database, and eight clients write through all of them at once with signed requests as the CLI makes them
# (`libro issue license --registry`, `libro license suspend|reinstate|revoke --registry`),
# each recording every write acknowledged (exit 0) with what it was. While they write, one
# server is killed with SIGKILL and started again, and on PostgreSQL the database server is
# restarted once ($LIBRO_TEST_PG_RESTART): clients see 503s or connection errors there, note
# them, drop the licenses whose last change has an unknown outcome, and go on. Each phase
# waits on a condition (so many writes acknowledged, through such a server), never on a
# clock. Afterwards, with every writer stopped:
#  - every server answers the same checkpoint, and `libro registry audit` recomputes from the
#    leaves the same size and root; the leaves served (/v1/log/leaves/<i>) are gap-free (the
#    one past the checkpoint is 404) and their root, computed here, is the checkpoint's;
#  - every license's history (`libro license show --db --json`) is its leaves in log order,
#    and a chain: issued from nothing, each event's `from` the previous event's `to`, the
#    last `to` the license's state; every acknowledged write is in the history of its
#    license, in the order its client made them;
#  - every bit of every status list each server serves matches the states (revocation for
#    revoked, suspension for suspended, no message), and no bit is set that no license owns;
#  - no refusal other than a 503 or a connection error reached a client.
# With LIBRO_TEST_DB=postgresql the database is a fresh schema of $LIBRO_TEST_PG (db_new);
# else a SQLite file, where there is no database server to restart. Needs python3, curl and
# timeout. Prints "N passed, N failed".
set -uo pipefail
libro=${1:?usage: multiproc_test.sh PATH/TO/libro}
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro") # we cd below
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_require multiproc_test.sh python3 curl timeout
e2e_start multiproc
SERVERS=3
CLIENTS=8
spid=()
client_pids=()
multiproc_cleanup() {
    touch "$work/stop"
    for p in "${client_pids[@]}" "${spid[@]}"; do
        [ -n "$p" ] && kill "$p" 2>/dev/null
    done
    wait 2>/dev/null
    e2e_cleanup
}
trap multiproc_cleanup EXIT
finish() {
    if grep -qE 'runtime error:|Sanitizer' serve.*.err failed.* 2>/dev/null; then
        fail "sanitizer reports:"
        grep -hE -A5 'runtime error:|Sanitizer' serve.*.err failed.* | head -40
    fi
    printf '%d passed, %d failed\n' "$passed" "$failed"
    [ "$failed" -eq 0 ]
    exit
}

if db_is_pg && [ -z "${LIBRO_TEST_PG_RESTART:-}" ]; then
    if [ -n "${LIBRO_TEST_STRICT:-}" ]; then
        echo "FAIL: multiproc_test.sh on PostgreSQL needs LIBRO_TEST_PG_RESTART (scripts/pg-cluster env DIR)"
        exit 1
    fi
    echo "SKIP: multiproc_test.sh on PostgreSQL needs LIBRO_TEST_PG_RESTART (scripts/pg-cluster env DIR)"
    exit 77
fi
DB=$(db_new reg.db) || { echo "setup failed: db_new"; exit 1; }

# --- the world: Town 7, its board (the issuer writing over HTTP), its registry ---------------
FROM=$(date -u -d '30 days ago' +%Y-%m-%dT%H:%M:%SZ)
e2e_town7 "$FROM" http://127.0.0.1
must "$libro" registry init --db "$DB" --charter town.jws --authorization regauth.jws
must "$libro" registry type --db "$DB" --id nursing-general --validity-days 1095 \
    --renewal-window-days 90 --grace-days 30 --actor ops
# Each server is at its own URL (http://127.0.0.1:PORT): the licenses name the lists of the
# one they were issued through, so the authorization names no single status registry.
must "$libro" registry authorize --db "$DB" --authorization auth.jws --actor ops --allow-unrecorded
mkdir lic show

# poll LIMIT_SECONDS COMMAND...: run COMMAND every 50 ms until it succeeds (0) or LIMIT passes
# (1). A bounded wait on a condition, as the other e2e tests wait for a port file.
poll() {
    local n=$(($1 * 20))
    shift
    for _ in $(seq "$n"); do
        "$@" && return 0
        sleep 0.05
    done
    "$@"
}

# serve I: start server I on a port of its own (port.I holds it once it listens); 1 when it
# did not come up.
serve() {
    local i=$1
    rm -f "port.$i"
    "$libro" registry serve --db "$DB" --key reg.pem --listen 127.0.0.1:0 \
        --port-file "port.$i" --write-rate 100000 --write-burst 100000 </dev/null \
        2>>"serve.$i.err" &
    spid[$i]=$!
    listening() { [ -s "port.$i" ] || ! kill -0 "${spid[$i]}" 2>/dev/null; }
    poll 20 listening
    if [ ! -s "port.$i" ]; then
        echo "server $i did not start:"
        cat "serve.$i.err"
        return 1
    fi
}

# client C: writes until ./stop appears, through server (C + i) mod 3 for its i-th write (the
# next one when that one has no port file). Of every three writes two issue a license and one
# changes one of its own licenses whose state it knows: suspend an active one, reinstate a
# suspended one, revoke either. Each write acknowledged (exit 0) goes to acked.C as "PORT
# ACTION NUMBER", each failure to failed.C with the CLI's message; a license whose change
# failed has an unknown state (the write may have committed) and is left alone from then on.
client() {
    local c=$1 i=0 s k port n op out rc
    local -a active=() suspended=() keep=()
    while [ ! -e stop ]; do
        port=
        for k in $(seq 0 $((SERVERS - 1))); do
            s=$(((c + i + k) % SERVERS))
            port=$(cat "port.$s" 2>/dev/null) && [ -n "$port" ] && break
        done
        op=issue
        n=
        case $((i % 6)) in
        1) [ ${#active[@]} -gt 0 ] && op=suspend && n=${active[$((i % ${#active[@]}))]} ;;
        3) [ ${#suspended[@]} -gt 0 ] && op=reinstate && n=${suspended[$((i % ${#suspended[@]}))]} ;;
        5)
            if [ ${#suspended[@]} -gt 0 ] && [ $((i % 12)) = 5 ]; then
                op=revoke && n=${suspended[0]}
            elif [ ${#active[@]} -gt 0 ]; then
                op=revoke && n=${active[0]}
            fi
            ;;
        esac
        if [ "$op" = issue ]; then
            n=$(printf 'M-C%d-%05d' "$c" "$i")
            out=$(timeout 30 "$libro" issue license --key board.pem --authorization auth.jws \
                --community-charter town.jws --holder "Holder $n" --number "$n" \
                --profession "registered nurse" --type nursing-general --scope "general care" \
                --out "lic/$n.jws" --registry "http://127.0.0.1:$port" 2>&1 </dev/null)
        else
            out=$(timeout 30 "$libro" license "$op" --registry "http://127.0.0.1:$port" \
                --key board.pem --issuer urn:libro:town-7:board --reason "client $c" "$n" \
                2>&1 </dev/null)
        fi
        rc=$?
        # The license leaves the lists it was in; on success it joins the one its state says.
        keep=()
        for k in "${active[@]}"; do [ "$k" != "$n" ] && keep+=("$k"); done
        active=("${keep[@]}")
        keep=()
        for k in "${suspended[@]}"; do [ "$k" != "$n" ] && keep+=("$k"); done
        suspended=("${keep[@]}")
        if [ $rc -eq 0 ]; then
            echo "$port $op $n" >>"acked.$c"
            case $op in
            issue | reinstate) active+=("$n") ;;
            suspend) suspended+=("$n") ;;
            esac
        else
            printf '%s %s %s exit %d: %s\n' "$port" "$op" "$n" "$rc" "$(tr '\n' ' ' <<<"$out")" \
                >>"failed.$c"
        fi
        i=$((i + 1))
    done
}

acked_total() { cat acked.* 2>/dev/null | wc -l; }
acked_via() { cat acked.* 2>/dev/null | grep -c "^$1 "; } # PORT
# at_least N COMMAND...: COMMAND prints a number of at least N
at_least() {
    local want=$1
    shift
    [ "$("$@")" -ge "$want" ]
}

# --- three servers, eight clients ------------------------------------------------------------
for i in $(seq 0 $((SERVERS - 1))); do
    serve "$i" || finish
done
ok
for c in $(seq 1 $CLIENTS); do
    client "$c" &
    client_pids+=($!)
done
port1=$(cat port.1)
if poll 30 at_least 40 acked_total && poll 30 at_least 5 acked_via "$port1"; then ok; else
    fail "writes through three servers: $(acked_total) acknowledged, $(acked_via "$port1") through server 1"
fi

# --- server 1 killed mid-write, the others go on; then it starts again -----------------------
kill -KILL "${spid[1]}"
wait "${spid[1]}" 2>/dev/null
rm -f port.1 # a killed server leaves its port file behind
spid[1]=
before=$(acked_total)
if poll 30 at_least $((before + 30)) acked_total; then ok; else
    fail "after the kill: $(($(acked_total) - before)) more writes acknowledged, want 30"
fi
serve 1 || finish
port1b=$(cat port.1)
if poll 30 at_least 5 acked_via "$port1b"; then ok; else
    fail "server 1 started again: $(acked_via "$port1b") writes through it"
fi

# --- the database restarted while they write (PostgreSQL) -------------------------------------
# After it, each server must acknowledge three more writes: each reconnected on its own.
ports=$(cat port.0 port.1 port.2)
if db_is_pg; then
    if bash -c "${LIBRO_TEST_PG_RESTART:?}" >restart.out 2>&1; then ok; else
        fail "restarting the database: $(cat restart.out)"
    fi
else
    echo "(SQLite: no database server to restart)"
fi
for p in $ports; do
    was=$(acked_via "$p")
    if poll 30 at_least $((was + 3)) acked_via "$p"; then ok; else
        fail "server on port $p after the database restart: $(($(acked_via "$p") - was)) writes"
    fi
done
touch stop
wait "${client_pids[@]}"
client_pids=()
echo "($(acked_total) writes acknowledged by $CLIENTS clients, $(cat failed.* 2>/dev/null | wc -l) failed:)"
cat failed.* 2>/dev/null | sed -E 's/^[0-9]+ [a-z]+ [^ ]+ //; s/M-C[0-9]+-[0-9]+/N/g' | sort | uniq -c

# --- no refusal but 503s and lost connections ------------------------------------------------
# The CLI says "503" for an answer of the server, "connect"/"connection"/"reset"/"empty reply"
# when the server went away (curl's messages), "timed out" for a request cut off by timeout.
if cat failed.* 2>/dev/null | grep -vE ': .*(503|[Cc]onnect|reset|[Ee]mpty reply|timed out)' >unexpected; then
    fail "$(wc -l <unexpected) writes refused otherwise, e.g.: $(head -n 3 unexpected)"
else
    ok
fi
for i in $(seq 0 $((SERVERS - 1))); do
    if kill -0 "${spid[$i]}" 2>/dev/null; then ok; else fail "server $i died: $(tail -5 "serve.$i.err")"; fi
done

# --- the log: the same checkpoint everywhere, the audit's root, gap-free leaves ---------------
cat >h.py <<'EOF'
import base64, glob, gzip, hashlib, http.client, json, sys

def H(b): return hashlib.sha256(b).digest()

def mth(hashes):  # RFC 9162 2.1.1, over leaf hashes
    if len(hashes) == 1: return hashes[0]
    k = 1
    while k * 2 < len(hashes): k *= 2
    return H(b"\x01" + mth(hashes[:k]) + mth(hashes[k:]))

class Server:
    def __init__(self, port): self.c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=30)
    def get(self, path):
        self.c.request("GET", path)
        r = self.c.getresponse()
        return r.status, r.read()

def b64(s): return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))

def entries(jwt):  # a status list credential's entries: (statusSize, bytes of the bitstring)
    payload = json.loads(b64(jwt.split(".")[1]))
    s = payload["credentialSubject"]
    return int(s.get("statusSize", 1)), gzip.decompress(b64(s["encodedList"][1:]))

def value(bits, size, i):  # entry i, most significant bit first (statusSize bits)
    v = 0
    for b in range(i * size, i * size + size):
        v = v << 1 | (1 if bits[b // 8] & (0x80 >> (b % 8)) else 0)
    return v

cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "checkpoint":  # PORT: "SIZE ROOT" of the checkpoint it serves
    st, body = Server(args[0]).get("/v1/log/checkpoint")
    lines = body.decode().split("\n")
    print("%s %s" % (lines[1], lines[2]) if st == 200 else "HTTP %d" % st)
elif cmd == "leaves":  # PORT SIZE ROOT: the leaves, gap-free, their root; licenses.txt
    s, size, root = Server(args[0]), int(args[1]), base64.b64decode(args[2])
    leaves, problems = [], []
    for i in range(size):
        st, body = s.get("/v1/log/leaves/%d" % i)
        if st != 200:
            problems.append("leaf %d: HTTP %d" % (i, st))
            break
        leaves.append(body)
    st, _ = s.get("/v1/log/leaves/%d" % size)
    if st != 404: problems.append("leaf %d past the checkpoint: HTTP %d, want 404" % (size, st))
    if not problems and (mth([H(b"\x00" + l) for l in leaves]) if leaves else H(b"")) != root:
        problems.append("the root of the %d leaves served is not the checkpoint's" % size)
    json.dump([json.loads(l) for l in leaves], open("leaves.json", "w"))
    with open("licenses.txt", "w") as f:
        for n in sorted({l["license"] for l in map(json.loads, leaves) if l["type"] == "license"}):
            f.write(n + "\n")
    print("; ".join(problems) if problems else "ok %d leaves" % size)
elif cmd == "histories":  # PORT: each license's history against its leaves, the chain, the acks
    s, problems = Server(args[0]), []
    events = {}
    for l in json.load(open("leaves.json")):
        if l["type"] == "license":
            events.setdefault(l["license"], []).append((l["action"], l["from"], l["to"]))
    states = {}
    for n, from_log in events.items():
        doc = json.load(open("show/%s.json" % n))
        hist = [(e["action"], e["from"], e["to"]) for e in doc["history"]]
        states[n] = doc["license"]["state"]
        if hist != from_log:
            problems.append("%s: history %s, leaves %s" % (n, hist, from_log))
        if not hist or hist[0][:2] != ("issue", None):
            problems.append("%s: the history does not start with an issue: %s" % (n, hist))
        for a, b in zip(hist, hist[1:]):
            if b[1] != a[2]:
                problems.append("%s: %s from %s after %s to %s" % (n, b[0], b[1], a[0], a[2]))
        if hist and hist[-1][2] != states[n]:
            problems.append("%s: state %s, last event to %s" % (n, states[n], hist[-1][2]))
        st, body = s.get("/v1/licenses/" + n)
        served = json.loads(body) if st == 200 else {}
        if served.get("state") != states[n]:
            problems.append("%s: served %d %s, state %s" % (n, st, body[:80], states[n]))
        states[n] = (states[n], served.get("statusList"), served.get("statusIndex"))
    acked = 0
    for f in sorted(glob.glob("acked.*")):
        mine = {}
        for line in open(f):
            _, action, n = line.split()
            mine.setdefault(n, []).append(action)
            acked += 1
        for n, actions in mine.items():  # in the order the client made them, in the history
            hist = iter(e[0] for e in events.get(n, []))
            if not all(a in hist for a in actions):
                problems.append("%s of %s: acknowledged %s, history %s"
                                % (f, n, actions, [e[0] for e in events.get(n, [])]))
    json.dump(states, open("states.json", "w"))
    print("; ".join(problems[:5]) if problems else "ok %d licenses, %d acknowledged writes" % (len(events), acked))
elif cmd == "bits":  # PORT: every status list it serves against the states
    s, problems = Server(args[0]), []
    states = json.load(open("states.json"))
    owner = {}
    for n, (state, lst, idx) in states.items():
        owner[(lst, idx)] = state
    for lst in sorted({k[0] for k in owner}):
        want = {"revocation": lambda st: 1 if st in ("revoked", "surrendered") else 0,
                "suspension": lambda st: 1 if st == "suspended" else 0,
                "message": lambda st: {"surrendered": 1, "lapsed": 2}.get(st, 0)}
        for purpose, fn in want.items():
            st, body = s.get("/v1/status/%d/%s" % (lst, purpose))
            if st != 200:
                problems.append("list %d %s: HTTP %d" % (lst, purpose, st))
                continue
            size, bits = entries(body.decode())
            for i in range(len(bits) * 8 // size):
                have = value(bits, size, i)
                w = fn(owner[(lst, i)]) if (lst, i) in owner else 0
                if have != w:
                    problems.append("list %d %s index %d: %d, want %d (%s)"
                                    % (lst, purpose, i, have, w, owner.get((lst, i), "no license")))
    print("; ".join(problems[:5]) if problems else "ok %d lists" % len({k[0] for k in owner}))
EOF
py() { python3 "$work/h.py" "$@"; }

cp0=$(py checkpoint "$(cat port.0)")
for p in $ports; do
    r=$(py checkpoint "$p")
    if [ "$r" = "$cp0" ]; then ok; else fail "checkpoint of the server on $p: $r, server 0: $cp0"; fi
done
read -r size root <<<"$cp0"
r=$("$libro" registry audit --db "$DB" 2>&1)
if grep -qxF "root of $size leaves: $root" <<<"$r"; then ok; else
    fail "registry audit: $r; the checkpoint: $cp0"
fi
r=$(py leaves "$(cat port.0)" "$size" "$root" 2>&1)
if [ "$r" = "ok $size leaves" ]; then ok; else fail "leaves: $r"; fi

# --- every license's history: its leaves, a chain, every acknowledged write -------------------
while read -r n; do
    "$libro" license show --db "$DB" --json "$n" >"show/$n.json" 2>>show.err ||
        fail "license show $n: $(tail -1 show.err)"
done <licenses.txt
r=$(py histories "$(cat port.2)" 2>&1)
if [[ $r == ok* ]]; then ok; else fail "histories: $r"; fi
echo "($r)"

# --- every status bit, as each server serves it -----------------------------------------------
for p in $ports; do
    r=$(py bits "$p" 2>&1)
    if [[ $r == ok* ]]; then ok; else fail "status lists of the server on $p: $r"; fi
done

for i in $(seq 0 $((SERVERS - 1))); do
    kill -TERM "${spid[$i]}"
    wait "${spid[$i]}"
    rc=$?
    spid[$i]=
    if [ $rc -eq 0 ]; then ok; else fail "server $i: exit $rc after SIGTERM"; fi
done
finish
