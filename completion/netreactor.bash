# bash completion for the netreactor tools (nr-*).
#
# Written once for every tool: the options, their value types and choices, and
# the subcommands are read from the tool's own --help (CLI11's format) the
# first time it is completed in a shell, so completion never lags behind the
# tool. Installed as share/bash-completion/completions/<tool> for each tool,
# where bash-completion loads it on demand; or source it from ~/.bashrc.
#
#   --host          host names (and :: / 127.0.0.1)
#   --opt {a,b,c}   the listed choices (e.g. --proto tcp,udp)
#   --file/-f/...   file names for options whose name or type says file
#   other values    nothing (numbers, durations in seconds)

declare -gA _netreactor_help_cache

# Prints the --help of "$@" (a tool, maybe a subcommand), cached per shell.
_netreactor_help() {
    local key="$*"
    if [[ -z ${_netreactor_help_cache[$key]+set} ]]; then
        _netreactor_help_cache[$key]=$("$@" --help 2>/dev/null)
    fi
    printf '%s\n' "${_netreactor_help_cache[$key]}"
}

# Option lines of CLI11's help, one "NAMES<TAB>VALUE" per option: NAMES is
# "-h --help", VALUE is empty for a flag, else the value type ("TEXT=127.0.0.1",
# "TEXT:{tcp,udp}=tcp").
_netreactor_options() {
    _netreactor_help "$@" | sed -nE \
        -e 's/^ {1,4}((-[A-Za-z0-9],)?--?[A-Za-z0-9][A-Za-z0-9-]*(,--?[A-Za-z0-9][A-Za-z0-9-]*)*)( ([A-Z][^ ]*))?( .*)?$/\1\t\5/p' |
        sed -E ':a; s/^([^\t]*),/\1 /; ta'
}

# The subcommands listed under "Subcommands:".
_netreactor_subcommands() {
    _netreactor_help "$@" | sed -n '/^Subcommands:/,/^$/{/^  [a-z]/{s/^  \([a-z][a-z0-9-]*\).*/\1/p}}'
}

_netreactor() {
    local cur prev tool="$1" sub="" i word
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    COMPREPLY=()
    command -v "$tool" >/dev/null 2>&1 || return 0

    # The subcommand already typed, if the tool has any.
    local subs
    subs=$(_netreactor_subcommands "$tool")
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        if [[ $word != -* ]] && grep -qx -- "$word" <<<"$subs"; then
            sub=$word
            break
        fi
    done
    local cmd=("$tool")
    [[ -n $sub ]] && cmd+=("$sub")

    local options line names value
    options=$(_netreactor_options "${cmd[@]}")

    # The value of the option before the cursor.
    if [[ $prev == -* ]]; then
        while IFS=$'\t' read -r names value; do
            [[ " $names " == *" $prev "* ]] || continue
            [[ -z $value ]] && break  # a flag: complete normally
            if [[ $value =~ \{([^}]*)\} ]]; then
                COMPREPLY=($(compgen -W "$(tr ',' '\n' <<<"${BASH_REMATCH[1]}" | sort -u)" -- "$cur"))
            elif [[ $prev == --host || $prev == --bind || $prev == --dns-server ]]; then
                COMPREPLY=($(compgen -A hostname -W "127.0.0.1 ::1 ::" -- "$cur"))
            elif [[ $prev =~ file|path|output|input || $value =~ FILE|PATH ]] || [[ $prev == -f ]]; then
                compopt -o filenames 2>/dev/null
                COMPREPLY=($(compgen -f -- "$cur"))
            fi
            return 0
        done <<<"$options"
    fi

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(cut -f1 <<<"$options" | tr ' ' '\n')" -- "$cur"))
    elif [[ -z $sub && -n $subs ]]; then
        COMPREPLY=($(compgen -W "$subs" -- "$cur"))
    fi
    return 0
}

complete -F _netreactor nr-echo-server nr-echo-client nr-resolve nr-sntp nr-sntp-server nr-netinfo nr-sockopt nr-fetch
