# Sourced by the end-to-end scripts: what each of them needs before its first check.
#   e2e_require SCRIPT TOOL...  a missing tool fails under LIBRO_TEST_STRICT (scripts/test
#                               installs them all), else skips the script (exit 77)
#   e2e_start NAME              a scratch directory $work (removed at exit, with the server
#                               $server_pid stopped), entered, its own trust store, counters
#   ok, fail MESSAGE, must COMMAND...   count a check; count and print a failure; a set-up
#                               step that must work (else the script stops)
#   e2e_serve DB KEY            serve registry DB signed by KEY on 127.0.0.1 port 0 in the
#                               background ($server_pid), the port read back: sets $URL
#   e2e_town7 FROM              Town 7 from FROM on: keys town.pem, board.pem (board.pub) and
#                               reg.pem (reg.pub); its charter town.jws (nursing-general,
#                               first-aid), the board's authorization auth.jws and its
#                               registry's regauth.jws (https://registry.town-7.example)
#   check NAME WANT_EXIT PATTERN -- COMMAND...   run COMMAND (stdin closed): one check that it
#                               exits WANT_EXIT and, unless PATTERN is empty, prints (stdout
#                               or stderr) a line matching PATTERN (grep -E)

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
    rm -rf "$work"
}

e2e_start() {
    work=$(mktemp -d "${TMPDIR:-/tmp}/libro-e2e-$1.XXXXXX")
    server_pid=
    trap e2e_cleanup EXIT
    cd "$work" || exit 1
    export XDG_DATA_HOME="$work/xdg" # this test's trust store
    passed=0
    failed=0
}

e2e_serve() {
    "$libro" registry serve --db "$1" --key "$2" --listen 127.0.0.1:0 --port-file "$work/reg.port" \
        2>"$work/serve.log" &
    server_pid=$!
    for _ in $(seq 200); do [ -s "$work/reg.port" ] && break; sleep 0.05; done
    if [ ! -s "$work/reg.port" ]; then
        echo "setup failed: the registry did not start"
        cat "$work/serve.log"
        exit 1
    fi
    URL=http://127.0.0.1:$(cat "$work/reg.port")
}

e2e_town7() {
    local from=$1
    must "$libro" key new --out town.pem
    must "$libro" key new --out board.pem --public-out board.pub
    must "$libro" key new --out reg.pem --public-out reg.pub
    must "$libro" issue charter --self --key town.pem --id urn:libro:town-7 --name "Town 7" \
        --level 2 --allow nursing-general --allow first-aid --valid-from "$from" --days 3650 \
        --out town.jws
    must "$libro" issue authorization --key town.pem --charter town.jws \
        --id urn:libro:town-7:board --name "Health Board" --subject-key board.pub \
        --grant nursing-general:1095 --grant first-aid:30 --valid-from "$from" --days 3000 \
        --out auth.jws
    must "$libro" issue registry-authorization --key town.pem --charter town.jws \
        --id urn:libro:town-7:registry --name "Town 7 Registry" --subject-key reg.pub \
        --url https://registry.town-7.example --valid-from "$from" --days 3000 --out regauth.jws
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
