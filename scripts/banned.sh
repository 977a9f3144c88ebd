#!/usr/bin/env bash
# A small checksrc: functions and constructs style.md §13 bans, in our C sources.
# Usage: scripts/banned.sh [ROOT]; prints each offence and exits 1 if there is any.
set -euo pipefail
root=${1:-$(dirname "$0")/..}
cd "$root"
pattern='\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|atoll|strtok|sscanf|alloca|mktime|timegm|json_loads)[[:space:]]*\('
files=$(find core cli bench tests issuer registry verifier -name '*.c' -o -name '*.h' 2>/dev/null |
    grep -v '/corpus/' || true)
# shellcheck disable=SC2086
hits=$(grep -nE "$pattern" $files 2>/dev/null | grep -v 'banned-ok' || true)
flags=$(grep -nE 'JSON_DISABLE_EOF_CHECK' $files 2>/dev/null || true)
if [ -n "$hits$flags" ]; then
    printf 'banned constructs (style.md §13):\n%s\n%s\n' "$hits" "$flags"
    exit 1
fi
echo "no banned functions in $(echo "$files" | wc -w) files"
