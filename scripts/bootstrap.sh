# Sourced by scripts/demo and scripts/test: install what is missing on Debian 12.
# Usage: libro_install_packages PKG...   (only missing packages are installed)

libro_install_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed"; then
            missing+=("$pkg")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "libro: need root or sudo to install: ${missing[*]}" >&2; return 1; }
        sudo=(sudo)
    fi
    echo "==> installing: ${missing[*]}" >&2
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}

# What building libro needs (design: every library is a Debian package).
LIBRO_BUILD_PACKAGES=(ca-certificates gcc libc6-dev make cmake pkg-config
    libssl-dev libsodium-dev libjansson-dev zlib1g-dev libqrencode-dev libpng-dev
    libzbar-dev libjpeg62-turbo-dev libsqlite3-dev libmicrohttpd-dev libcurl4-openssl-dev
    libpq-dev libzbar0 libpng16-16 libjpeg62-turbo libcurl4 libmicrohttpd12 libssl3 libpq5)
# The last seven are the runtime packages of the libraries libro loads on demand (dlopen by
# SONAME, docs/dependencies.md): the -dev packages bring them too, but they are named so that
# they stay installed on their own, and so that core/internal/libro/dl_int.h's names are
# checked by every install.
# What the test suite needs on top: check, clang with its sanitizer/fuzzer runtime, curl
# and python3 for the API's end-to-end tests (raw requests, JSON, Merkle proofs, SQLite), and
# faketime for the verifier's clock set back (tests/e2e/clock_test.sh), mount and
# util-linux's unshare for a really full filesystem (tests/e2e/fullfs_test.sh), PostgreSQL's
# server and psql for the suites on PostgreSQL (scripts/pg-cluster; util-linux's runuser).
# Chromium for the public pages' browser tests (tests/browser), python3-aiosmtpd for a real
# SMTP server on loopback (the reminders' test), python3-nacl for an independent Ed25519
# check of webhook signatures, and build-essential (dpkg-buildpackage checks for it),
# debhelper, dpkg-dev, fakeroot and mmdebstrap to build the Debian packages and install them
# in a fresh root (scripts/package-test, which copies a git checkout's files with git).
LIBRO_TEST_PACKAGES=(check clang libclang-rt-14-dev clang-format curl faketime mount python3
    util-linux postgresql postgresql-client chromium python3-aiosmtpd python3-nacl
    build-essential debhelper dpkg-dev fakeroot mmdebstrap git)

# Installing postgresql on Debian creates a default cluster and may start it: the tests run
# their own (scripts/pg-cluster), so stop any default cluster that runs. Needs root or sudo.
libro_stop_default_pg() {
    local ver name port status rest sudo=()
    command -v pg_lsclusters >/dev/null || return 0
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    while read -r ver name port status rest; do
        if [ "$status" = online ]; then
            echo "==> stopping the default PostgreSQL cluster $ver/$name (the tests start their own)" >&2
            "${sudo[@]}" pg_ctlcluster "$ver" "$name" stop || return 1
        fi
    done < <(pg_lsclusters --no-header 2>/dev/null)
}

# Node.js and npm run the independent JSON Schema validator (ajv) over what libro issues.
# Any Node.js >= 18 with npm will do (Debian's, or one installed otherwise).
libro_install_node() {
    command -v node >/dev/null && command -v npm >/dev/null && return 0
    libro_install_packages nodejs npm
}

libro_jobs() { nproc 2>/dev/null || echo 2; }
