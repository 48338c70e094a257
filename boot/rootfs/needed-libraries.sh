#!/usr/bin/env bash
# boot/rootfs/needed-libraries.sh — does a staged root tree hold everything its programs need to load?
#
#   needed-libraries.sh STAGE [GUEST_PATH...]
#
# For each ELF file (default: every ELF under the tree's bin, sbin and library folders), reads its
# program interpreter (PT_INTERP) and its DT_NEEDED entries with readelf (ELF gABI, "Dynamic
# Section"; System V AMD64 psABI for the x86-64 interpreter name) and looks each needed name up the
# way glibc's loader does when there is no /etc/ld.so.cache: in its DT_RUNPATH or DT_RPATH (with
# $ORIGIN), then in
# /lib/x86_64-linux-gnu, /usr/lib/x86_64-linux-gnu, /lib, /usr/lib. Symbolic links are followed
# inside STAGE, never on the host (an absolute link target starts again at STAGE).
# Output: one line per problem, "missing NAME needed-by GUEST_PATH" (or "interpreter ..."), and
# the exit status 1; nothing and 0 when every name resolves; 2 on bad usage.
# Invariant kept: the host's own libraries are never consulted, so a clean answer means the tree
# is self-sufficient.
set -euo pipefail

usage() { echo "usage: needed-libraries.sh STAGE [GUEST_PATH...]" >&2; exit 2; }
[ $# -ge 1 ] || usage
STAGE=${1%/}
[ -d "$STAGE" ] || { echo "needed-libraries: '$1' is not a directory" >&2; exit 2; }
shift
command -v readelf >/dev/null 2>&1 || { echo "needed-libraries: readelf is missing (Debian package binutils)" >&2; exit 2; }

SEARCH_DIRS=(/lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /lib /usr/lib)

# Prints the staged path that guest path $1 names, following symbolic links as the guest would
# (at most 40, like Linux's ELOOP limit); fails if a component is missing or the links loop.
resolve_in_stage() {
    local rest=${1#/} resolved= component target hops=0
    while [ -n "$rest" ]; do
        component=${rest%%/*}
        if [[ $rest == */* ]]; then rest=${rest#*/}; else rest=; fi
        case $component in
            ''|.) continue ;;
            ..) resolved=${resolved%/*}; continue ;;
        esac
        if [ -L "$STAGE$resolved/$component" ]; then
            hops=$((hops + 1))
            [ $hops -le 40 ] || return 1
            target=$(readlink "$STAGE$resolved/$component")
            if [[ $target == /* ]]; then resolved=; rest=${target#/}${rest:+/$rest}
            else rest=$target${rest:+/$rest}; fi
        elif [ -e "$STAGE$resolved/$component" ]; then
            resolved=$resolved/$component
        else
            return 1
        fi
    done
    echo "$STAGE$resolved"
}

find_library() { # $1 = a DT_NEEDED name; succeeds when a search folder holds it
    local dir
    [[ $1 == */* ]] && { resolve_in_stage "$1" >/dev/null; return; }   # a path is used as it is
    for dir in "${SEARCH_DIRS[@]}"; do
        resolve_in_stage "$dir/$1" >/dev/null && return 0
    done
    return 1
}

# The files to check, as staged paths.
files=()
if [ $# -gt 0 ]; then
    for guest in "$@"; do
        staged=$(resolve_in_stage "$guest") || { echo "missing $guest needed-by (command line)"; exit 1; }
        files+=("$staged")
    done
else
    mapfile -t files < <(find "$STAGE" -type f \( -path "$STAGE/bin/*" -o -path "$STAGE/sbin/*" \
        -o -path "$STAGE/usr/bin/*" -o -path "$STAGE/usr/sbin/*" -o -path "$STAGE/lib/*" \
        -o -path "$STAGE/lib64/*" -o -path "$STAGE/usr/lib/*" \) | LC_ALL=C sort)
fi
[ ${#files[@]} -gt 0 ] || exit 0

problems=0
# Checks one file's needs, gathered from its readelf lines (the dynamic section lists DT_NEEDED
# and DT_RUNPATH in any order, so a file is judged once all its lines are read).
judge() { # $1 = staged file, $2 = interpreter, $3 = run path (":"-separated), rest = needed names
    local file=$1 interp=$2 runpath=$3 name dir found origin
    shift 3
    origin=${file#"$STAGE"}; origin=${origin%/*}
    if [ -n "$interp" ] && ! resolve_in_stage "$interp" >/dev/null; then
        echo "interpreter $interp needed-by ${file#"$STAGE"}"; problems=1
    fi
    for name in "$@"; do
        found=
        IFS=: read -r -a dirs <<< "$runpath"
        for dir in "${dirs[@]}"; do   # DT_RUNPATH / DT_RPATH, with $ORIGIN (ld.so(8))
            dir=${dir//\$\{ORIGIN\}/$origin}; dir=${dir//\$ORIGIN/$origin}
            [ -n "$dir" ] && resolve_in_stage "$dir/$name" >/dev/null && { found=1; break; }
        done
        [ -n "$found" ] || find_library "$name" || { echo "missing $name needed-by ${file#"$STAGE"}"; problems=1; }
    done
}

current=${files[0]}   # readelf names each file only when given several
interp= runpath= needed=()
while IFS= read -r line; do
    case $line in
        File:\ *)
            judge "$current" "$interp" "$runpath" "${needed[@]}"
            current=${line#File: } interp= runpath= needed=() ;;
        *"Requesting program interpreter: "*)
            interp=${line#*interpreter: }; interp=${interp%]} ;;
        *"(NEEDED)"*)
            name=${line#*\[}; needed+=("${name%]}") ;;
        *"(RUNPATH)"*|*"(RPATH)"*)
            path=${line#*\[}; runpath=${runpath:+$runpath:}${path%]} ;;
    esac
done < <({ readelf -d -l -W "${files[@]}" 2>/dev/null || true; } \
         | grep -E '^File: |program interpreter: |\((NEEDED|RUNPATH|RPATH)\)')   # bash reads a pipe byte by byte: keep it short
judge "$current" "$interp" "$runpath" "${needed[@]}"
exit $problems
