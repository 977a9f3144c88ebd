#!/usr/bin/env bash
# ctest schemas_ajv: validate what libro issues with ajv, a JSON Schema validator written
# independently of libro's parser. Usage: run.sh PATH/TO/emit_credentials
# Exit 0 all as expected, 1 a mismatch, 77 skipped (no node_modules: run `npm ci --prefix
# tests/schemas` first).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
emit=${1:?usage: run.sh PATH/TO/emit_credentials}

if [ ! -d "$here/node_modules/ajv" ] || [ ! -d "$here/node_modules/ajv-formats" ]; then
    printf '\n*** SKIPPED: schemas_ajv: %s/node_modules is missing; run `npm ci --prefix tests/schemas` ***\n\n' "$here" >&2
    [ -z "${LIBRO_TEST_STRICT:-}" ] || exit 1 # scripts/test installed it: missing is a failure
    exit 77
fi
if ! command -v node >/dev/null 2>&1; then
    printf '\n*** SKIPPED: schemas_ajv: node is not installed ***\n\n' >&2
    [ -z "${LIBRO_TEST_STRICT:-}" ] || exit 1 # scripts/test installed it: missing is a failure
    exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$emit" "$work"
shopt -s nullglob
valid=("$work"/valid/*.json "$root"/schemas/examples/*.json)
invalid=("$work"/invalid/*.json)
if [ "${#valid[@]}" -lt 5 ] || [ "${#invalid[@]}" -lt 5 ]; then
    echo "schemas_ajv: too few documents (${#valid[@]} valid, ${#invalid[@]} invalid)" >&2
    exit 1
fi
status=0
echo "valid documents (${#valid[@]}):"
node "$here/validate.mjs" "${valid[@]}" || status=1
echo "invalid documents (${#invalid[@]}):"
node "$here/validate.mjs" --expect-invalid "${invalid[@]}" || status=1
exit $status
