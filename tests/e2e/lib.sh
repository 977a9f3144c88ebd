# Sourced by the end-to-end scripts: what each of them needs before its first check.
#   e2e_require SCRIPT TOOL...  a missing tool fails under LIBRO_TEST_STRICT (scripts/test
#                               installs them all), else skips the script (exit 77)
#   e2e_start NAME              a scratch directory $work (removed at exit, with the server
#                               $server_pid stopped), entered, its own trust store, counters
#   ok, fail MESSAGE, must COMMAND...   count a check; count and print a failure; a set-up
#                               step that must work (else the script stops)
#   e2e_serve DB KEY [OPTION...]  serve registry DB signed by KEY on 127.0.0.1 port 0 in the
#                               background ($server_pid, stderr to $work/serve.log), with
#                               OPTIONs of registry serve, the port read back: sets $URL
#   e2e_town7 FROM              Town 7 from FROM on: keys town.pem, board.pem (board.pub) and
#                               reg.pem (reg.pub); its charter town.jws (nursing-general,
#                               first-aid), the board's authorization auth.jws and its
#                               registry's regauth.jws (https://registry.town-7.example)
#   faked OFFSET COMMAND...     run COMMAND with the clock moved by OFFSET ("-3d", "+25h";
#                               faketime(1), which the script e2e_requires)
#   check NAME WANT_EXIT PATTERN -- COMMAND...   run COMMAND (stdin closed): one check that it
#                               exits WANT_EXIT and, unless PATTERN is empty, prints (stdout
#                               or stderr) a line matching PATTERN (grep -E)
# Both backends (LIBRO_TEST_DB: unset or sqlite, or postgresql on the cluster $LIBRO_TEST_PG;
# e2e_start skips, or fails under LIBRO_TEST_STRICT, when postgresql has no LIBRO_TEST_PG):
#   db_new NAME                 echo a new registry location: $work/NAME on SQLite, or
#                               $LIBRO_TEST_PG on a fresh schema (psql creates it; dropped at
#                               exit) for `--db`
#   db_is_pg                    true on PostgreSQL
#   e2e_require_db              (e2e_start runs it) the backend's checks, for a script that
#                               makes its own $work; its exit trap then runs db_cleanup
#   db_sql LOCATION SQL         run SQL on the location (python3's sqlite3, or psql on its
#                               schema); prints the rows, one a line, columns joined by |
#   db_exists LOCATION          true when a registry is there (the file, or the schema's meta)
#   db_re LOCATION              the location as a grep -E pattern matching it literally
#   sqlite_only REASON          true on SQLite; on PostgreSQL prints "SKIP (SQLite only):
#                               REASON" and is false: `if sqlite_only "file mode"; then ...; fi`

e2e_require() {
    local script=$1 tool
    shift
    for tool in "$@"; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            if [ -n "${LIBRO_TEST_STRICT:-}" ]; then
                echo "FAIL: $script needs $tool, which is not installed"
                exit 1
            fi
            echo "SKIP: $script needs $tool, which is not installed"
            exit 77
        fi
    done
}

e2e_cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
    fi
    db_cleanup
    rm -rf "$work"
}

# Drop the schemas db_new made (a script with a cleanup of its own calls it before rm -rf).
db_cleanup() {
    local schema
    if db_is_pg && [ -s "$work/.db_schemas" ]; then
        while read -r schema; do
            psql -X -q -v ON_ERROR_STOP=1 "$LIBRO_TEST_PG" -c "DROP SCHEMA IF EXISTS $schema CASCADE" \
                >/dev/null 2>&1
        done <"$work/.db_schemas"
    fi
}

db_is_pg() { [ "${LIBRO_TEST_DB:-}" = postgresql ]; }

# The backend the script runs on, checked before anything else is done.
e2e_require_db() {
    case "${LIBRO_TEST_DB:-}" in
    "" | sqlite) return 0 ;;
    postgresql) ;;
    *)
        echo "FAIL: LIBRO_TEST_DB=$LIBRO_TEST_DB: want sqlite or postgresql"
        exit 1
        ;;
    esac
    if [ -z "${LIBRO_TEST_PG:-}" ]; then
        if [ -n "${LIBRO_TEST_STRICT:-}" ]; then
            echo "FAIL: LIBRO_TEST_DB=postgresql but LIBRO_TEST_PG is not set (scripts/pg-cluster env DIR prints it)"
            exit 1
        fi
        echo "SKIP: LIBRO_TEST_DB=postgresql but LIBRO_TEST_PG is not set (start a cluster with scripts/pg-cluster start DIR, then eval \"\$(scripts/pg-cluster env DIR)\")"
        exit 77
    fi
    case "$LIBRO_TEST_PG" in
    *options=*)
        echo "FAIL: LIBRO_TEST_PG must not set options= (db_new sets search_path): $LIBRO_TEST_PG"
        exit 1
        ;;
    esac
    e2e_require "$(basename "$0")" psql
}

db_new() {
    local schema sep
    if ! db_is_pg; then
        echo "${work:-$PWD}/$1"
        return 0
    fi
    schema=t_$$_${BASHPID}_$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
    if ! psql -X -q -v ON_ERROR_STOP=1 "$LIBRO_TEST_PG" -c "CREATE SCHEMA $schema" >&2; then
        echo "setup failed: db_new $1: cannot create a schema on $LIBRO_TEST_PG" >&2
        return 1
    fi
    if [ -n "${work:-}" ]; then
        echo "$schema" >>"$work/.db_schemas"
    fi
    case "$LIBRO_TEST_PG" in *\?*) sep='&' ;; *) sep='?' ;; esac
    echo "$LIBRO_TEST_PG${sep}options=-csearch_path%3D$schema"
}

db_sql() {
    case "$1" in
    postgresql://* | postgres://*)
        psql -X -q -A -t -F '|' -v ON_ERROR_STOP=1 "$1" -c "$2"
        ;;
    *)
        python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
for row in db.execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in row))
db.close()' "$1" "$2"
        ;;
    esac
}

db_exists() {
    case "$1" in
    postgresql://* | postgres://*)
        [ "$(db_sql "$1" "SELECT to_regclass('meta') IS NOT NULL")" = t ]
        ;;
    *) [ -e "$1" ] ;;
    esac
}

db_re() { printf '%s' "$1" | sed 's/[][\.*^$?+(){}|/]/\\&/g'; }

sqlite_only() {
    db_is_pg || return 0
    echo "SKIP (SQLite only): $*"
    return 1
}

e2e_start() {
    e2e_require_db
    work=$(mktemp -d "${TMPDIR:-/tmp}/libro-e2e-$1.XXXXXX")
    server_pid=
    trap e2e_cleanup EXIT
    cd "$work" || exit 1
    export XDG_DATA_HOME="$work/xdg" # this test's trust store
    passed=0
    failed=0
}

# libfaketime is preloaded, so an ASan build must not insist on coming first.
faked() {
    local offset=$1
    shift
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
        FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "$offset" "$@"
}

e2e_serve() {
    local db=$1 key=$2
    shift 2
    "$libro" registry serve --db "$db" --key "$key" --listen 127.0.0.1:0 \
        --port-file "$work/reg.port" "$@" </dev/null 2>"$work/serve.log" &
    server_pid=$!
    for _ in $(seq 200); do [ -s "$work/reg.port" ] && break; sleep 0.05; done
    if [ ! -s "$work/reg.port" ]; then
        echo "setup failed: the registry did not start"
        cat "$work/serve.log"
        exit 1
    fi
    URL=http://127.0.0.1:$(cat "$work/reg.port")
}

# e2e_town7 FROM [URL [NAME]]: Town 7's keys, charter, board authorization and registry
# authorization (its url URL, https://registry.town-7.example by default; the town's name
# NAME, "Town 7" by default).
e2e_town7() {
    local from=$1 url=${2:-https://registry.town-7.example} name=${3:-Town 7}
    must "$libro" key new --out town.pem
    must "$libro" key new --out board.pem --public-out board.pub
    must "$libro" key new --out reg.pem --public-out reg.pub
    must "$libro" issue charter --self --key town.pem --id urn:libro:town-7 --name "$name" \
        --level 2 --allow nursing-general --allow first-aid --valid-from "$from" --days 3650 \
        --out town.jws
    must "$libro" issue authorization --key town.pem --charter town.jws \
        --id urn:libro:town-7:board --name "Health Board" --subject-key board.pub \
        --grant nursing-general:1095 --grant first-aid:30 --valid-from "$from" --days 3000 \
        --out auth.jws
    must "$libro" issue registry-authorization --key town.pem --charter town.jws \
        --id urn:libro:town-7:registry --name "Town 7 Registry" --subject-key reg.pub \
        --url "$url" --valid-from "$from" --days 3000 --out regauth.jws
}

# Readers of served status lists, written into the work directory: status_bit.py FILE INDEX
# prints status INDEX (1 or 0) of the signed status list in FILE; status_index.py FILE prints
# the status index the first credentialStatus of the license in FILE names.
e2e_status_tools() {
    cat >status_bit.py <<'EOF'
import base64, gzip, json, sys
def b64(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
payload = json.loads(b64(open(sys.argv[1]).read().split(".")[1]))
bits = gzip.decompress(b64(payload["credentialSubject"]["encodedList"][1:]))
i = int(sys.argv[2])
print(1 if bits[i // 8] & (0x80 >> (i % 8)) else 0)
EOF
    cat >status_index.py <<'EOF'
import base64, json, sys
s = open(sys.argv[1]).read().strip().split(".")[1]
c = json.loads(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))
st = c["credentialStatus"]
print(int((st[0] if isinstance(st, list) else st)["statusListIndex"]))
EOF
}

# e2e_license DB NUMBER TYPE OUT [option...]: Ada Example's license NUMBER of TYPE, issued by
# the board ("${ISSUER[@]}": its key, authorization and charter) and registered in DB with its
# status lists under $BASE, written to OUT.
e2e_license() {
    local db=$1 number=$2 type=$3 out=$4
    shift 4
    "$libro" issue license "${ISSUER[@]}" --holder "Ada Example" --number "$number" \
        --profession "registered nurse" --type "$type" --scope "general care" --out "$out" \
        --registry "$db" --status-url-base "$BASE" "$@"
}

ok() { passed=$((passed + 1)); }
fail() {
    printf 'FAIL %s\n' "$*"
    failed=$((failed + 1))
}
must() { "$@" >/dev/null 2>"$work/must.err" || { echo "setup failed: $*"; cat "$work/must.err"; exit 1; }; }
check() {
    local name=$1 want=$2 pattern=$3
    shift 4
    local out rc
    out=$("$@" 2>&1 </dev/null)
    rc=$?
    if [ "$rc" -ne "$want" ]; then
        fail "$name: exit $rc, want $want: $(head -c 600 <<<"$out")"
    elif [ -n "$pattern" ] && ! grep -qE -- "$pattern" <<<"$out"; then
        fail "$name: output lacks /$pattern/: $(head -c 600 <<<"$out")"
    else
        ok
    fi
}
