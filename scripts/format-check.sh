#!/usr/bin/env bash
# Fails when a C file is not formatted as .clang-format says (clang-format 14).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "clang-format not installed" >&2; exit 1; }
bad=()
while IFS= read -r f; do
    clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done < <(find core cli bench tests issuer registry verifier \( -name '*.c' -o -name '*.h' \) \
    -not -path '*/corpus/*' 2>/dev/null)
if [ ${#bad[@]} -gt 0 ]; then
    printf 'not clang-formatted (run clang-format -i):\n'; printf '  %s\n' "${bad[@]}"
    exit 1
fi
echo "all C files formatted"
