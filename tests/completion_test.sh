#!/usr/bin/env bash
# The bash completion (completion/libro.bash) against the real programs: the words it offers
# for a few prefixes, read from their --help. Usage: completion_test.sh COMPLETION LIBRO_DIR
# (LIBRO_DIR holds libro and libro-verify). Prints "N passed, N failed".
set -uo pipefail
completion=${1:?usage: completion_test.sh COMPLETION LIBRO_DIR}
completion=$(cd "$(dirname "$completion")" && pwd)/$(basename "$completion") # we cd below
PATH=$(cd "${2:?usage: completion_test.sh COMPLETION LIBRO_DIR}" && pwd):$PATH
work=$(mktemp -d "${TMPDIR:-/tmp}/libro-completion.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
. "$completion"
passed=0
failed=0

# offers "LINE TYPED SO FAR" WANT...: completing the last word of the line offers exactly the
# words WANT (sorted; none for an empty list).
offers() {
    local line=$1 got want
    shift
    read -r -a COMP_WORDS <<<"$line"
    [[ $line == *' ' ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE=$line
    COMP_POINT=${#line}
    _libro
    got=$(printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort | tr '\n' ' ')
    want=$(printf '%s\n' "$@" | sed '/^$/d' | sort | tr '\n' ' ')
    if [ "$got" = "$want" ]; then
        passed=$((passed + 1))
    else
        printf 'FAIL "%s": want [%s] got [%s]\n' "$line" "$want" "$got"
        failed=$((failed + 1))
    fi
}
if complete -p libro >/dev/null 2>&1 && complete -p libro-verify >/dev/null 2>&1; then
    passed=$((passed + 1))
else
    echo "FAIL not registered for libro and libro-verify"
    failed=$((failed + 1))
fi

touch town.pem town.jws reg.db
mkdir keys
offers "libro reg" registry
offers "libro rem" reminders
offers "libro l" law license
offers "libro registry s" serve status
offers "libro registry serve --re" --read-only --request-log
offers "libro registry serve --db " keys reg.db town.jws town.pem
offers "libro registry serve --db reg.db --key t" town.jws town.pem
offers "libro registry serve --threads " # a number: nothing to offer
offers "libro key new --o" --out
offers "libro help reg" registry
offers "libro --v" --version
offers "libro-verify s" sync
offers "libro-verify verify --js" --json
printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
