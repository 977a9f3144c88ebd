#!/usr/bin/env bash
# End-to-end test of the lean verifier process: `libro verify --text` and `libro-verify verify
# --text` (a registry-issued license with its two status lists cached) map none of zbar,
# libpng, libjpeg, libcurl or the libraries those pull in (the dynamic loader's own account,
# LD_DEBUG=files), nor OpenSSL's libcrypto, which only a P-256 key or a key file loads;
# verifying the QR image loads zbar and libpng, writing one loads libpng, a
# sync loads libcurl, so the check can tell. Where libzbar.so.0 cannot be loaded, verifying an
# image exits 10 naming the Debian package, and text still verifies.
# Prints "N passed, N failed".
set -uo pipefail
libro=${1:?usage: lean_test.sh PATH/TO/libro PATH/TO/libro-verify}
lv=${2:?usage: lean_test.sh PATH/TO/libro PATH/TO/libro-verify}
libro=$(cd "$(dirname "$libro")" && pwd)/$(basename "$libro") # we cd below
lv=$(cd "$(dirname "$lv")" && pwd)/$(basename "$lv")
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/world.sh" # world_make, world_trust
e2e_start lean
world_make
world_trust

# The libraries a command makes the dynamic loader open (needed or dlopen'ed), one per line.
loaded() { # COMMAND...
    LD_DEBUG=files "$@" 2>&1 >/dev/null </dev/null | grep -oE 'file=[^ ]+ \[' | sort -u |
        sed 's/^file=//; s/ \[$//'
}
# What must stay out of a process that verifies text: the on-demand libraries, and what they
# would bring (X11 and D-Bus for zbar; TLS, HTTP/2, IDN, LDAP and SSH for libcurl; GnuTLS and
# p11-kit for libmicrohttpd; libpq, which only a postgresql:// registry database loads).
HEAVY='libzbar|libpng|libjpeg|libcurl|libmicrohttpd|libpq|libX11|libdbus|libv4l|libnghttp2|libidn2|libldap|libssh2|librtmp|libgssapi|libpsl|libgnutls|libp11-kit'
lean() { # NAME COMMAND...
    local name=$1 libs
    shift
    libs=$(loaded "$@")
    if [ -z "$libs" ]; then
        fail "$name: LD_DEBUG=files reported no library at all"
    elif grep -qE "^($HEAVY)" <<<"$libs"; then
        fail "$name: loads $(grep -E "^($HEAVY)" <<<"$libs" | tr '\n' ' ')"
    else
        ok
    fi
}
loads() { # NAME LIBRARY COMMAND...
    local name=$1 lib=$2 libs
    shift 2
    libs=$(loaded "$@") # not piped into grep -q: under pipefail its early exit is a failure
    if grep -qx "$lib" <<<"$libs"; then
        ok
    else
        fail "$name: $lib was not loaded"
    fi
}

# --- text and JWS: nothing heavy ---------------------------------------------------------------
"$libro" qr encode --text ada.jws >ada.txt 2>/dev/null || fail "qr encode --text"
T=$(cat ada.txt)
check "libro-verify --text: VALID with status" 0 'status +not revoked, not suspended' -- \
    "$lv" verify --text "$T"
check "libro --text: VALID with status" 0 'status +not revoked, not suspended' -- \
    "$libro" verify --text "$T"
lean "libro-verify verify --text" "$lv" verify --text "$T"
lean "libro verify --text" "$libro" verify --text "$T"
lean "libro-verify verify --jws" "$lv" verify --jws ada.jws
lean "libro-verify --version" "$lv" --version
lean "libro --version" "$libro" --version
lean "libro issue license without --qr" "$libro" issue license --key board.pem \
    --authorization auth.jws --community-charter town.jws --holder "Bo Example" \
    --number T7-N-0002 --profession "registered nurse" --type nursing-general \
    --scope "general care" --out bo.jws

# No OpenSSL for an Ed25519 chain; a P-256 issuer loads libcrypto, and so does a key file.
for b in "$lv" "$libro"; do
    libs=$(loaded "$b" verify --text "$T")
    if grep -q '^libcrypto' <<<"$libs"; then fail "$b verify --text loads libcrypto"; else ok; fi
done
loads "key new: libcrypto" libcrypto.so.3 "$libro" key new --out extra.pem
must "$libro" key new --alg es256 --out board2.pem --public-out board2.pub
must "$libro" issue authorization --key town.pem --charter town.jws --id urn:libro:town-7:board2 \
    --name "Health Board (P-256)" --subject-key board2.pub --grant nursing-general:1095 \
    --valid-from "$(date -u -d '1 day ago' +%Y-%m-%dT%H:%M:%SZ)" --days 1000 --out auth2.jws
must "$libro" trust add auth2.jws
must "$libro" issue license --key board2.pem --authorization auth2.jws --community-charter town.jws \
    --holder "Cy Example" --number T7-N-0003 --profession "registered nurse" \
    --type nursing-general --scope "general care" --out cy.jws
check "libro-verify: a P-256 issuer" 0 '^VALID' -- "$lv" verify --jws cy.jws
loads "P-256 issuer: libcrypto" libcrypto.so.3 "$lv" verify --jws cy.jws

# --- what does need them loads them (so the checks above can fail) -----------------------------
check "libro-verify verify PNG" 0 '^VALID' -- "$lv" verify ada.png
loads "verify PNG: zbar" libzbar.so.0 "$lv" verify ada.png
loads "verify PNG: libpng" libpng16.so.16 "$lv" verify ada.png
loads "qr encode --png: libpng" libpng16.so.16 "$libro" qr encode --png ada2.png ada.jws
# Nothing listens on port 1 of loopback: the sync fails, after libcurl was loaded for it.
loads "sync: libcurl" libcurl.so.4 "$lv" sync http://127.0.0.1:1
# A running registry server has libmicrohttpd mapped, and answers (bash's /dev/tcp: no curl).
e2e_serve reg.db reg.pem
if grep -q '/libmicrohttpd\.so\.12' "/proc/$server_pid/maps"; then
    ok
else
    fail "serve: libmicrohttpd is not mapped"
fi
# A registry on SQLite never maps libpq; a postgresql:// database loads it (here one whose
# server is not there), and a URI with a password is refused before any connection.
if grep -q '/libpq\.so' "/proc/$server_pid/maps"; then
    fail "serve on SQLite: libpq is mapped"
else
    ok
fi
loads "registry on PostgreSQL: libpq" libpq.so.5 \
    "$libro" registry audit --db "postgresql:///libro?host=$PWD/no-server"
check "registry on PostgreSQL: no password in the URI" 1 \
    'registry audit: a password in the database URI would show in the process list: use PGPASSFILE' \
    -- "$libro" registry audit --db 'postgresql://libro:secret@localhost/libro'
get_list() {
    exec 3<>"/dev/tcp/127.0.0.1/${URL##*:}" || return 1
    printf 'GET /v1/status/0/revocation HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
    cat <&3
    exec 3<&-
}
check "serve: a status list is served" 0 '^HTTP/1.1 200' -- get_list

# --- zbar that cannot be loaded: an image cannot be verified (exit 10, the package named), text
# can. The dynamic loader searches LD_LIBRARY_PATH first and finds there a libzbar.so.0 that is
# not a library (as a removed or broken package leaves it): no namespace or root needed. ------
mkdir broken-libs && : >broken-libs/libzbar.so.0
hidden() { # COMMAND...: run where libzbar.so.0 cannot be loaded
    LD_LIBRARY_PATH=$PWD/broken-libs "$@"
}
check "zbar missing: image" 10 'libzbar\.so\.0, needed to find QR codes in images, cannot be loaded \(install the Debian package libzbar0\)' -- \
    hidden "$lv" verify ada.png
# With --json the failure is the error document on stdout (exit 10 all the same).
check "zbar missing: --json image" 10 '^\{"ok":false,"error":\{"code":"missing_library","message":"[^"]*install the Debian package libzbar0' -- \
    bash -c 'LD_LIBRARY_PATH=$PWD/broken-libs "$0" verify --json ada.png 2>/dev/null' "$libro"
check "zbar missing: text still verifies" 0 '^VALID' -- hidden "$lv" verify --text "$T"

printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
