# boot/rootfs/debian-packages.sh — Debian packages from the archive into a staging tree (sourced by
# build.sh; needs STAGE, CACHE, HERE and the functions die and say).
#
# Every file staged comes from a .deb that apt-get downloaded from the configured Debian archive,
# never from the host's own /usr. Downloads are kept in CACHE and reused only while their SHA256
# equals the one in apt's package index (so a stale or truncated file is fetched again). The
# packages staged are the roots the caller names plus those of their dependencies (followed
# transitively) that ship a library an ELF file in the tree needs (needed-libraries.sh): a
# dependency is examined only while some library is missing, and staged only if it ships one. So
# nginx's "Depends: iproute2" (a helper for its init script) is never staged, while libc6,
# libssl3, ... are, and nothing is hard-coded but the roots.
# After stage_closure, STAGED holds "package version" lines, in the order staged.

# apt's binary caches of the package lists, kept here: Debian's container images switch the
# system's off (docker-clean), and without them each apt-cache call parses every list (~1 s).
mkdir -p "$CACHE/apt"
APT_OPTS=(-o Dir::Cache::pkgcache="$CACHE/apt/pkgcache.bin" -o Dir::Cache::srcpkgcache="$CACHE/apt/srcpkgcache.bin")

declare -A FIELDS_OF=()   # package -> its candidate's control fields (apt-cache show), memoised
STAGED=()

# The control fields of the candidate version apt would install (Debian Policy §5.3, binary
# package control fields); fails if apt knows no such package.
candidate_fields() { # $1 = package
    if [ -z "${FIELDS_OF[$1]+set}" ]; then
        local text
        text=$(apt-cache "${APT_OPTS[@]}" show --no-all-versions "$1" 2>/dev/null) && [ -n "$text" ] || return 1
        FIELDS_OF[$1]=$text
    fi
    printf '%s\n' "${FIELDS_OF[$1]}"
}

field() { # $1 = package, $2 = field name; prints the field's (first line of) value
    candidate_fields "$1" | awk -v f="$2:" '$1 == f && !done { sub(/^[^:]*: */, ""); print; done = 1 }'
}

# Sets DEB to the path of the package's .deb in CACHE, downloading it when it is absent or its
# SHA256 differs from the archive index's. (A variable, not output: it runs in this shell, so a
# failure stops the build and the memo of fields is kept.)
fetch_deb() { # $1 = package
    local pkg=$1 version arch sha deb tmp log
    candidate_fields "$pkg" >/dev/null \
        || die "apt knows no package '$pkg' (are the package lists current? run: apt-get update)"
    version=$(field "$pkg" Version); arch=$(field "$pkg" Architecture); sha=$(field "$pkg" SHA256)
    [ -n "$version" ] && [ -n "$sha" ] || die "apt's index has no version or SHA256 for '$pkg'"
    deb="$CACHE/${pkg}_${version//:/%3a}_${arch}.deb"
    DEB=$deb
    if [ -f "$deb" ] && [ "$(sha256sum < "$deb" | cut -d' ' -f1)" = "$sha" ]; then return 0; fi
    say "downloading $pkg $version from the Debian archive"
    tmp=$(mktemp -d "$CACHE/download.XXXXXX")
    log=$tmp/apt.log
    # As root, apt-get hands downloads to the _apt user, which cannot write into a private folder.
    (cd "$tmp" && apt-get "${APT_OPTS[@]}" download -q -o APT::Sandbox::User="$(id -un)" "$pkg=$version") >"$log" 2>&1 \
        || { cat "$log" >&2; rm -rf "$tmp"; die "apt-get download $pkg=$version failed (see above)"; }
    local got=("$tmp"/*.deb)
    [ ${#got[@]} -eq 1 ] && [ -f "${got[0]}" ] || { rm -rf "$tmp"; die "apt-get download $pkg left no single .deb"; }
    [ "$(sha256sum < "${got[0]}" | cut -d' ' -f1)" = "$sha" ] \
        || { rm -rf "$tmp"; die "the download of $pkg $version does not match the archive's SHA256"; }
    mv "${got[0]}" "$deb"
    rm -rf "$tmp"
}

# The package names in a .deb's Depends and Pre-Depends (every alternative; versions and
# architecture qualifiers dropped), in the order written (Debian Policy §7.1).
depends_of() { # $1 = .deb
    dpkg-deb -f "$1" Pre-Depends Depends | sed 's/^[A-Za-z-]*: *//' | tr ',|' '\n\n' \
        | sed -e 's/([^)]*)//g' -e 's/:[a-z0-9]*//' -e 's/[[:space:]]//g' | awk 'NF && !seen[$0]++'
}

# Unpacks a .deb into STAGE and records it in the staged tree's dpkg database the way dpkg would
# after unpacking (Status "install ok unpacked": the maintainer scripts never ran), with its
# md5sums, so the tree says which Debian package each file came from.
stage_deb() { # $1 = package, $2 = .deb
    local pkg=$1 deb=$2 control
    dpkg-deb -x "$deb" "$STAGE" || die "dpkg-deb -x $deb failed"
    mkdir -p "$STAGE/var/lib/dpkg/info"
    dpkg-deb -f "$deb" | awk '{ print } NR == 1 { print "Status: install ok unpacked" }' >> "$STAGE/var/lib/dpkg/status"
    echo >> "$STAGE/var/lib/dpkg/status"
    control=$(mktemp -d)
    dpkg-deb -e "$deb" "$control"
    [ -f "$control/md5sums" ] && cp "$control/md5sums" "$STAGE/var/lib/dpkg/info/$pkg.md5sums"
    rm -rf "$control"
    STAGED+=("$pkg $(field "$pkg" Version)")
}

# The file names needed-libraries.sh reports missing (libraries, and the interpreter without its
# folder), one per line.
missing_libraries() {
    "$HERE/needed-libraries.sh" "$STAGE" \
        | awk '$1 == "missing" || $1 == "interpreter" { name = $2; sub(/.*\//, "", name); print name }' | sort -u || true
}

ships_one_of() { # $1 = .deb, $2 = newline-separated library names; succeeds if the .deb holds one
    dpkg-deb -c "$1" | awk '{ print $6 }' | sed 's|.*/||' | grep -xF -f <(printf '%s\n' "$2") >/dev/null
}

# Stages the root packages, then dependencies until no ELF file lacks a library.
stage_closure() { # $@ = root packages
    local pkg missing candidate candidates found staged_pkg
    for pkg in "$@"; do fetch_deb "$pkg"; stage_deb "$pkg" "$DEB"; done
    declare -A looked_at=()
    for pkg in "$@"; do looked_at[$pkg]=1; done
    while missing=$(missing_libraries) && [ -n "$missing" ]; do
        found=
        for staged_pkg in "${STAGED[@]%% *}"; do
            fetch_deb "$staged_pkg"
            candidates=$(depends_of "$DEB")
            for candidate in $candidates; do
                [ -z "${looked_at[$candidate]+set}" ] || continue
                looked_at[$candidate]=1
                candidate_fields "$candidate" >/dev/null || continue   # a virtual package: provides no file
                fetch_deb "$candidate"
                if ships_one_of "$DEB" "$missing"; then stage_deb "$candidate" "$DEB"; found=1; break 2; fi
            done
        done
        [ -n "$found" ] || die "no dependency of the staged packages ships: $(echo $missing)" \
            "($("$HERE/needed-libraries.sh" "$STAGE" | head -n 5 | paste -sd';' -))"
    done
}
