#!/usr/bin/env bash
# End-to-end test of a really full filesystem under the real server (registry serve on
# 127.0.0.1, port 0): the registry's database lives on a small tmpfs mounted for this test in
# a mount namespace of its own (`unshare -m`, or `unshare -rm` for a user that is not root;
# root in a chroot mounts in place), so no fault is injected: the kernel itself answers ENOSPC. Licenses are issued over HTTP
# until the disk is full; the write that does not fit is answered 507 storage_full and
# logged; the server stops cleanly; once space is freed (a ballast file removed) a
# restart holds every acknowledged license and takes new writes. Prints "N passed, N failed".
set -uo pipefail
libro=${1:?usage: fullfs_test.sh PATH/TO/libro}
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro") # we cd below
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Into a mount namespace of our own, once: the tmpfs is private to this test and goes with it.
# Root where no namespace can be made (a chroot, whose root is no mount point) mounts it in
# place; the exit trap unmounts it either way.
if [ -z "${LIBRO_FULLFS_NS:-}" ]; then
    e2e_require fullfs_test.sh unshare mount umount curl
    as_root=(-m)
    [ "$(id -u)" = 0 ] || as_root=(-r -m)
    if unshare "${as_root[@]}" true 2>/dev/null; then
        LIBRO_FULLFS_NS=1 exec unshare "${as_root[@]}" bash "${BASH_SOURCE[0]}" "$libro"
    elif [ "$(id -u)" != 0 ]; then
        if [ -n "${LIBRO_TEST_STRICT:-}" ]; then
            echo "FAIL: fullfs_test.sh can neither make a mount namespace nor mount as root"
            exit 1
        fi
        echo "SKIP: fullfs_test.sh can neither make a mount namespace nor mount as root"
        exit 77
    fi
fi

e2e_start fullfs
fs="$work/fs"
unmount_then_clean() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
        server_pid=
    fi
    umount "$fs" 2>/dev/null
    e2e_cleanup
}
trap unmount_then_clean EXIT
finish() {
    if grep -qE 'runtime error:|Sanitizer' serve.*.err issue.*.err 2>/dev/null; then
        fail "sanitizer reports:"
        grep -hE -A5 'runtime error:|Sanitizer' serve.*.err issue.*.err | head -40
    fi
    printf '%d passed, %d failed\n' "$passed" "$failed"
    [ "$failed" -eq 0 ]
    exit
}
FROM=$(date -u -d '30 days ago' +%Y-%m-%dT%H:%M:%SZ)

mkdir "$fs"
# 2 MiB, half of it taken by a ballast file: the new database with its write-ahead log fits in
# the other half, a dozen licenses later it does not. Removing the ballast frees the disk.
if ! mount -t tmpfs -o size=2m,mode=0700 libro-fullfs "$fs" 2>mount.err; then
    echo "FAIL: cannot mount a tmpfs: $(cat mount.err)"
    exit 1
fi
must dd if=/dev/zero of="$fs/ballast" bs=64k count=16
must "$libro" key new --out town.pem
must "$libro" key new --out board.pem --public-out board.pub
must "$libro" issue charter --self --key town.pem --id urn:libro:town-7 --name "Town 7" --level 2 \
    --allow nursing-general --valid-from "$FROM" --days 3650 --out town.jws
DB="$fs/reg.db"
must "$libro" registry init --db "$DB" --charter town.jws --community-key town.pem \
    --registry-key reg.pem --authorization regauth.jws --registry-id urn:libro:town-7:registry \
    --registry-name "Town 7 Registry" --url http://127.0.0.1
must "$libro" registry type --db "$DB" --id nursing-general --validity-days 1095 \
    --renewal-window-days 90 --grace-days 30 --actor ops
mkdir lic

# start NAME: serve $DB on a port the system picks; stderr in serve.NAME.err; sets URL.
start() {
    rm -f serve.port
    "$libro" registry serve --db "$DB" --listen 127.0.0.1:0 --key reg.pem \
        --port-file serve.port </dev/null 2>"serve.$1.err" &
    server_pid=$!
    for _ in $(seq 1 200); do
        [ -e serve.port ] && break
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.05
    done
    if [ ! -e serve.port ]; then
        echo "the server did not start: $(cat "serve.$1.err")"
        return 1
    fi
    URL=http://127.0.0.1:$(cat serve.port)
}
stop() {
    kill -TERM "$server_pid"
    wait "$server_pid"
    local rc=$?
    server_pid=
    [ $rc -eq 0 ] && ok || fail "server exit $rc after SIGTERM"
}
# issue NUMBER: a license over HTTP; acknowledged numbers are added to ./acked.
issue() {
    if "$libro" issue license --key board.pem --authorization auth.jws \
        --community-charter town.jws --holder "Holder $1" --number "$1" \
        --profession "registered nurse" --type nursing-general --scope "general care" \
        --out "lic/$1.jws" --registry "$URL" >/dev/null 2>"issue.$1.err"; then
        echo "$1" >>acked
        return 0
    fi
    return 1
}
state() { curl -s "$URL/v1/licenses/$1" | sed -n 's/.*"state":"\([a-z]*\)".*/\1/p'; }

# authorize_board: the board, requiring the entries of the registry at $URL (the registry's
# default policy); a restart on another port is another URL, so it is authorized anew.
authorize_board() {
    rm -f auth.jws
    must "$libro" issue authorization --key town.pem --charter town.jws \
        --id urn:libro:town-7:board --name "Health Board" --subject-key board.pub \
        --grant nursing-general:1095 --status-registry "$URL" --valid-from "$FROM" --days 3000 \
        --out auth.jws
    must "$libro" registry authorize --db "$DB" --authorization auth.jws --actor ops
}

start fill || { fail "serve"; finish; }
ok
authorize_board

# --- fill the disk: licenses until one is refused (at most 400) ----------------------------------
: >acked
refused=
for i in $(seq -w 1 400); do
    if ! issue "F-$i"; then
        refused="F-$i"
        break
    fi
done
n_acked=$(wc -l <acked)
if [ -z "$refused" ]; then
    fail "400 licenses fitted on a 1 MiB filesystem"
    finish
fi
[ "$n_acked" -ge 1 ] && ok || fail "no license fitted before the disk was full"
grep -q 'registry: 507 storage_full' "issue.$refused.err" && ok ||
    fail "$refused: want 507 storage_full, got: $(cat "issue.$refused.err")"
grep -qE '^libro: registry serve: (reserve|register) refused \(507 storage_full\): .*(database or disk is full|No space left)' \
    serve.fill.err && ok || fail "no storage_full log line: $(cat serve.fill.err)"
# A second write on the full disk: refused the same way, not a crash and not an I/O error.
issue F-AGAIN && fail "F-AGAIN was acknowledged on a full disk" ||
    { grep -q 'registry: 507 storage_full' issue.F-AGAIN.err && ok ||
        fail "F-AGAIN: want 507 storage_full, got: $(cat issue.F-AGAIN.err)"; }
[ "$(state "$(head -n 1 acked)")" = active ] && ok || fail "a read on a full disk"
if grep -qE -- '-----BEGIN|PRIVATE KEY|eyJ' serve.fill.err; then
    fail "a log line carries key or token text"
else ok; fi
stop

# --- the disk has room again; the restart holds every acknowledged license and takes writes ---------------
rm "$fs/ballast" && ok || fail "remove the ballast"
start grown || { fail "restart"; finish; }
ok
authorize_board
lost=0
while read -r n; do
    [ "$(state "$n")" = active ] || { lost=$((lost + 1)); fail "acknowledged $n lost"; }
done <acked
[ "$lost" = 0 ] && ok
"$libro" registry audit --db "$DB" >audit.out 2>&1 && ok || fail "audit after the full disk: $(cat audit.out)"
issue F-AFTER && ok || fail "a write once the disk has room: $(cat issue.F-AFTER.err)"
stop
echo "filled after $n_acked licenses; refused $refused"
finish
