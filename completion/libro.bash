# bash completion for libro and libro-verify.
# The words are read at completion time from the programs' own help: the "commands:" list of
# `libro --help` and `libro CMD --help` (then `libro CMD SUB --help`, and so on), and the
# "options:" list of the command being typed. A new command or option completes without
# any edit here. After an option that takes a FILE, DIR or IMAGE, file names complete; after
# any other option value, nothing is offered.

# _libro_help PROG WORD...: the --help text of PROG WORD... (nothing when it fails).
_libro_help() {
    LC_ALL=C "$@" --help 2>/dev/null
}

# _libro_section NAME: the first words of the lines of the "NAME:" section of the help on
# stdin (two spaces, then the word).
_libro_section() {
    local name=$1 line in=0
    while IFS= read -r line; do
        if [[ $line == "$name:" ]]; then
            in=1
        elif [[ $in == 1 && $line =~ ^\ \ ([a-z][a-z0-9-]*)\  ]]; then
            printf '%s\n' "${BASH_REMATCH[1]}"
        elif [[ $in == 1 && -z $line ]]; then
            in=0
        fi
    done
}

# _libro_options: each option of the help on stdin as "NAME METAVAR" (METAVAR "-" for a
# switch), from lines such as "  --db FILE   the registry..." and "  -h, --help   show...".
_libro_options() {
    local line in=0
    while IFS= read -r line; do
        if [[ $line == "options:" ]]; then
            in=1
        elif [[ $in == 1 && $line =~ ^\ \ (-[a-zA-Z],\ )?(--[a-z0-9-]+)(\ ([A-Z][A-Z0-9:_|.-]*))? ]]; then
            printf '%s %s\n' "${BASH_REMATCH[2]}" "${BASH_REMATCH[4]:--}"
        fi
    done
}

_libro() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local prog=${COMP_WORDS[0]} help word i opts subs name meta
    local -a path=()

    COMPREPLY=()
    # The command path typed so far: each word that is a command of the level above.
    help=$(_libro_help "$prog")
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        [[ $word == -* ]] && break
        subs=$(_libro_section commands <<<"$help")
        grep -qxF -- "$word" <<<"$subs" || break
        [[ $word == help ]] && break
        path+=("$word")
        help=$(_libro_help "$prog" "${path[@]}")
    done
    opts=$(_libro_options <<<"$help")
    # A value after an option that takes one.
    if [[ $prev == --* ]]; then
        while read -r name meta; do
            [[ $name == "$prev" ]] || continue
            case $meta in
            -) ;;
            FILE | DIR | IMAGE | *FILE | *DIR)
                compopt -o filenames 2>/dev/null
                if [[ $meta == *DIR ]]; then
                    mapfile -t COMPREPLY < <(compgen -d -- "$cur")
                else
                    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
                fi
                return 0
                ;;
            *) return 0 ;;
            esac
        done <<<"$opts"
    fi
    if [[ $cur == -* ]]; then
        word=--help
        [[ ${#path[@]} -eq 0 ]] && word+=" --version"
        mapfile -t COMPREPLY < <(compgen -W "$(cut -d' ' -f1 <<<"$opts") $word" -- "$cur")
        return 0
    fi
    subs=$(_libro_section commands <<<"$help")
    if [[ -n $subs && $COMP_CWORD -eq $((${#path[@]} + 1)) ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$subs" -- "$cur")
        return 0
    fi
    # `libro help CMD`: the commands.
    if [[ ${COMP_WORDS[COMP_CWORD - 1]} == help ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$(_libro_section commands <<<"$(_libro_help "$prog")")" -- "$cur")
        return 0
    fi
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}
complete -F _libro libro libro-verify
