#!/usr/bin/env bash
# The whole verifier process: `libro verify --text` and `libro-verify verify --text` on a
# registry-issued license whose two status lists (revocation and suspension, 1% of their
# 131,072 bits set) are cached in the trust store, against `--version` of the same binary,
# alternated by bench_process (wall and CPU time, medians, ratios per run). With a second
# build directory (an older checkout, say) its binaries run in the same rounds, so before and
# after come from one run. Prints the libraries each binary maps, then the figures.
#
#   bench/bench_process.sh BUILD_DIR [BEFORE_BUILD_DIR] [RUNS]
#
# BUILD_DIR holds cli/libro, cli/libro-verify and bench/bench_process (a Release build:
# cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release). Needs python3 (its sqlite3 module
# sets the 1% of bits straight in the registry's database, as that many revocations would).
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "${1:?usage: bench_process.sh BUILD_DIR [BEFORE_BUILD_DIR] [RUNS]}" && pwd)
before=${2:-}
[ -n "$before" ] && before=$(cd "$before" && pwd)
runs=${3:-200}
libro=$build/cli/libro
lv=$build/cli/libro-verify
work=$(mktemp -d "${TMPDIR:-/tmp}/libro-bench-process.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
export XDG_DATA_HOME=$work/xdg
must() { "$@" >/dev/null 2>&1 || { echo "bench_process.sh: failed: $*" >&2; exit 1; }; }
. "$src/tests/e2e/world.sh" # world_make, world_trust
world_make
# 1% of list 0 revoked and another 1% suspended, none of them Ada's index.
python3 - <<'EOF'
import json, base64, random, sqlite3
payload = open("ada.jws").read().split(".")[1]
claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
status = claims["credentialStatus"]
mine = {int(s["statusListIndex"]) for s in (status if isinstance(status, list) else [status])}
pick = random.Random(13).sample([i for i in range(131072) if i not in mine], 2 * 1311)
db = sqlite3.connect("reg.db")
with db:
    db.executemany("INSERT INTO status_slot (list, idx) VALUES (0, ?)", [(i,) for i in pick])
    db.executemany("INSERT INTO status_bit (list, idx, purpose) VALUES (0, ?, 1)",
                   [(i,) for i in pick[:1311]])
    db.executemany("INSERT INTO status_bit (list, idx, purpose) VALUES (0, ?, 2)",
                   [(i,) for i in pick[1311:]])
EOF
world_trust
"$libro" qr encode --text ada.jws >ada.txt 2>/dev/null
T=$(cat ada.txt)
"$lv" verify --text "$T" | grep -q 'not revoked, not suspended' ||
    { echo "bench_process.sh: the license does not verify with its status" >&2; exit 1; }

libs() { LD_DEBUG=files "$@" 2>&1 >/dev/null </dev/null | grep -cE 'file=[^ ]+ \[0\]; +(needed|dynamically)' || true; }
echo "libraries the dynamic loader opens (LD_DEBUG=files):"
for b in "$build" ${before:+"$before"}; do
    printf '  %-60s libro-verify verify --text: %3s   libro verify --text: %3s\n' "$b" \
        "$(libs "$b/cli/libro-verify" verify --text "$T")" "$(libs "$b/cli/libro" verify --text "$T")"
done
cmds=(-- "libro-verify --version" "$lv" --version
    -- "libro-verify verify --text" "$lv" verify --text "$T"
    -- "libro --version" "$libro" --version
    -- "libro verify --text" "$libro" verify --text "$T")
if [ -n "$before" ]; then
    "$before/cli/libro-verify" verify --text "$T" >/dev/null ||
        { echo "bench_process.sh: the BEFORE build does not verify the license" >&2; exit 1; }
    cmds+=(-- "before: libro-verify --version" "$before/cli/libro-verify" --version
        -- "before: libro-verify verify --text" "$before/cli/libro-verify" verify --text "$T"
        -- "before: libro --version" "$before/cli/libro" --version
        -- "before: libro verify --text" "$before/cli/libro" verify --text "$T")
fi
echo "command: bench/bench_process.sh $* (bench_process --runs $runs)"
"$build/bench/bench_process" --runs "$runs" "${cmds[@]}"
