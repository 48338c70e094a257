#!/usr/bin/env bash
# boot/rootfs/build.sh — builds Biscuit's root disk: an ext3 image holding Debian 12's unmodified
# nginx, every library it loads (all from the Debian archive, never from the host's /usr), its
# configuration and a docroot. `./biscuit image` and `./biscuit run` call it; QEMU attaches the
# result as a virtio-blk disk. Outputs, under $ROOTFS_OUT (default build/):
#   rootfs/           the staging tree (the image holds exactly this)
#   rootfs.ext3       the image: mke2fs -t ext3 -d rootfs/, 4 KiB blocks, only the features
#                     servers/fs/Biscuit.Fs mounts read-write (checked), e2fsck -fn clean (checked)
#   rootfs.packages   "package version" of every Debian package staged
#   www.sha256        sha256 of the docroot's benchmark files (the host checks what nginx serves)
#   fingerprint       what the outputs were built from
# Incremental: the fingerprint covers this folder's files (not the README), the candidate version apt would fetch of
# every package (so a Debian security update rebuilds) and mke2fs's version; when it matches, the
# run does nothing. Downloads are cached in $ROOTFS_CACHE (default build/debian-cache/).
# Env: ROOTFS_OUT, ROOTFS_CACHE, ROOTFS_PACKAGES (root packages instead of the file `packages`),
#      ROOTFS_ADD="HOSTPATH:GUESTPATH ..." (host files or folders copied into the tree last, over
#      everything else; space-separated, so no spaces or colons in the paths).
# Errors (exit status 2): a missing tool (named with its Debian package), a package apt does not
# know, a library no dependency ships, an nginx that rejects its configuration, a bad image.
set -euo pipefail
umask 022   # the image's modes do not depend on the builder's umask

HERE=${BASH_SOURCE[0]%/*}; [ "$HERE" != "${BASH_SOURCE[0]}" ] || HERE=.
HERE=$(cd "$HERE" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${ROOTFS_OUT:-$ROOT/build}
CACHE=${ROOTFS_CACHE:-$ROOT/build/debian-cache}
STAGE=$OUT/rootfs
IMAGE=$OUT/rootfs.ext3
die() { echo "rootfs: $*" >&2; exit 2; }
say() { echo "rootfs: $*" >&2; }

# ---------------------------------------------------------------- prerequisites
# (Only shell built-ins until every tool is known to be there.)
missing=()
declare -A named=()
for tool in apt-get:apt apt-cache:apt dpkg-deb:dpkg readelf:binutils mke2fs:e2fsprogs e2fsck:e2fsprogs \
            debugfs:e2fsprogs dumpe2fs:e2fsprogs openssl:openssl awk:mawk sha256sum:coreutils \
            chroot:coreutils unshare:util-linux find:findutils sed:sed grep:grep; do
    package=${tool#*:}
    command -v "${tool%%:*}" >/dev/null 2>&1 || [ -n "${named[$package]+set}" ] || { named[$package]=1; missing+=("$package"); }
done
if [ ${#missing[@]} -gt 0 ]; then
    die "missing Debian packages: ${missing[*]}; install them with: apt-get install --no-install-recommends ${missing[*]}"
fi
if [ -n "${ROOTFS_PACKAGES:-}" ]; then read -r -a ROOTS <<< "$ROOTFS_PACKAGES"
else mapfile -t ROOTS < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$HERE/packages"); fi
[ ${#ROOTS[@]} -gt 0 ] || die "no root packages (boot/rootfs/packages is empty)"
read -r -a ADDS <<< "${ROOTFS_ADD:-}"
for add in "${ADDS[@]}"; do
    [[ $add == *:* && $add != *:*:* ]] || die "ROOTFS_ADD: '$add' is not HOSTPATH:GUESTPATH"
    [ -e "${add%%:*}" ] || die "ROOTFS_ADD: host path '${add%%:*}' does not exist"
    [[ ${add#*:} == /* && ${add#*:} != / ]] || die "ROOTFS_ADD: guest path '${add#*:}' is not absolute (or is /)"
done
if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then   # a fresh container: no package lists
    [ "$(id -u)" = 0 ] || die "apt has no package lists; run: apt-get update"
    say "apt has no package lists: apt-get update"
    apt-get -q -o DPkg::Lock::Timeout=600 update >/dev/null || die "apt-get update failed"
fi
mkdir -p "$OUT" "$CACHE"

# shellcheck source=debian-packages.sh
. "$HERE/debian-packages.sh"

# ---------------------------------------------------------------- up to date?
fingerprint() { # $@ = every package name to cover
    (cd "$HERE" && find . -type f ! -name '*.md' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)   # docs do not shape the disk
    apt-cache "${APT_OPTS[@]}" show --no-all-versions "$@" 2>/dev/null | awk '$1 == "Package:" || $1 == "Version:"'
    mke2fs -V 2>&1 | sed -n 1p   # sed reads to the end: no SIGPIPE under pipefail
    echo "roots ${ROOTS[*]}"
    for add in "${ADDS[@]}"; do   # what is added, by content
        echo "add $add"
        find "${add%%:*}" -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
    done
}
previous=()
[ -f "$OUT/rootfs.packages" ] && mapfile -t previous < <(cut -d' ' -f1 "$OUT/rootfs.packages")
FINGERPRINT=$(fingerprint "${ROOTS[@]}" "${previous[@]}" tzdata | sha256sum | cut -d' ' -f1)
up_to_date=1
for f in rootfs.ext3 rootfs.packages www.sha256; do [ -s "$OUT/$f" ] || up_to_date=; done
if [ -n "$up_to_date" ] && [ "$(cat "$OUT/fingerprint" 2>/dev/null)" = "$FINGERPRINT" ]; then
    say "up to date ($IMAGE)"
    exit 0
fi
say "building the root disk $IMAGE from Debian packages: ${ROOTS[*]} (and the libraries they need)"
rm -f "$OUT/fingerprint"

# ---------------------------------------------------------------- the tree
rm -rf "$STAGE"
mkdir -p "$STAGE"
stage_closure "${ROOTS[@]}"

# /etc/localtime: UTC, the zone file from Debian's tzdata (RFC 8536 TZif).
fetch_deb tzdata
zones=$(mktemp -d)
dpkg-deb -x "$DEB" "$zones"
cp -L "$zones/usr/share/zoneinfo/Etc/UTC" "$STAGE/etc/localtime" || die "tzdata has no Etc/UTC"
rm -rf "$zones"
echo "Etc/UTC" > "$STAGE/etc/timezone"
STAGED+=("tzdata $(field tzdata Version) (only Etc/UTC, as /etc/localtime)")

# Our files (passwd, group, nsswitch.conf, hosts, nginx.conf, index.html) over the packages'.
cp -R --no-preserve=ownership "$HERE/overlay/." "$STAGE/"
mkdir -p "$STAGE"/{proc,dev,sys,run/lock,tmp,root,var/tmp,var/log/nginx,var/www/html} \
         "$STAGE"/var/lib/nginx/{body,proxy,fastcgi,uwsgi,scgi}
[ -e "$STAGE/var/lock" ] || ln -s ../run/lock "$STAGE/var/lock"
chmod 1777 "$STAGE/tmp" "$STAGE/var/tmp"
chmod 700 "$STAGE/root" "$STAGE"/var/lib/nginx/{body,proxy,fastcgi,uwsgi,scgi}
# busybox (Debian's busybox-static) answers to the applet names in busybox-links, as /bin/NAME ->
# busybox links (the package ships /bin/busybox alone; a name already in the tree is left alone).
if [ -x "$STAGE/bin/busybox" ]; then
    while read -r applet; do
        [ -e "$STAGE/bin/$applet" ] || [ -L "$STAGE/bin/$applet" ] || ln -s busybox "$STAGE/bin/$applet"
    done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$HERE/busybox-links")
fi
"$HERE/docroot.sh" "$STAGE/var/www/html" || die "the docroot was not made (see above)"
(cd "$STAGE/var/www/html" && sha256sum small.html big.bin) > "$OUT/www.sha256.tmp"

# The caller's files, last: a file replaces what is there, a folder's contents merge into it.
for add in "${ADDS[@]}"; do
    host=${add%%:*} guest=${add#*:}
    mkdir -p "$STAGE$(dirname "$guest")"
    if [ -d "$host" ]; then mkdir -p "$STAGE$guest" && cp -R --no-preserve=ownership "$host/." "$STAGE$guest/"
    else rm -rf "$STAGE$guest" && cp --no-preserve=ownership "$host" "$STAGE$guest"; fi || die "ROOTFS_ADD: could not copy $host to $guest"
done

# Every library every staged program needs is in the tree (the closure ensured it; this says so).
"$HERE/needed-libraries.sh" "$STAGE" >&2 || die "the tree lacks libraries (listed above)"

# ---------------------------------------------------------------- nginx accepts its configuration
# Debian's nginx from the tree itself, the tree as its root, in a network namespace of its own
# (nginx -t binds its listen ports: no clash with the host's port 80, and no privilege needed for
# it): `unshare --net --root` as root, `unshare --map-root-user --net --root` otherwise. Where
# namespaces are refused, root falls back to chroot and others cannot run the check (it says so).
nginx_in_tree=(/usr/sbin/nginx -t -q -c /etc/nginx/nginx.conf)
if [ "$(id -u)" = 0 ]; then as_tree_root=(unshare --net --root="$STAGE")
else as_tree_root=(unshare --map-root-user --net --root="$STAGE"); fi
if "${as_tree_root[@]}" /usr/sbin/nginx -v >/dev/null 2>&1; then
    "${as_tree_root[@]}" "${nginx_in_tree[@]}" || die "nginx -t failed inside $STAGE (see above)"
elif [ "$(id -u)" = 0 ]; then
    chroot "$STAGE" "${nginx_in_tree[@]}" || die "nginx -t failed inside $STAGE (see above)"
else
    say "nginx -t not run: it needs root or unprivileged user namespaces (unshare -r)"
fi

# ---------------------------------------------------------------- the image
used_kib=$(du -sk "$STAGE" | cut -f1)
size_mib=$(( (used_kib * 2 / 1024 + 64 + 15) / 16 * 16 ))   # twice the files, 64 MiB more; 16 MiB steps
rm -f "$IMAGE.tmp"
mke2fs -q -F -t ext3 -b 4096 -I 256 -O ^metadata_csum,^64bit -E root_owner=0:0 -L biscuit-root \
    -d "$STAGE" "$IMAGE.tmp" "${size_mib}M" >/dev/null || die "mke2fs failed (see above)"

# Owners: mke2fs -d copies the builder's; every file of the guest belongs to root. Set in the
# image, so a build by an ordinary user gives the same disk as one by root.
script=$(mktemp)
while IFS= read -r -d '' path; do
    guest=${path#"$STAGE"}
    [[ $guest != *[\"\\]* ]] || die "a staged path holds a quote or backslash: $guest"
    printf 'sif "%s" uid 0\nsif "%s" gid 0\n' "$guest" "$guest"
done < <(find "$STAGE" -mindepth 1 -print0) > "$script"
debugfs -w -f "$script" "$IMAGE.tmp" >/dev/null 2>"$script.err" || { cat "$script.err" >&2; die "debugfs could not set owners"; }
# debugfs -f reports a failed command on stderr but still exits 0; its banner is the only good line.
if [ -n "$(grep -v '^debugfs ' "$script.err" || true)" ]; then cat "$script.err" >&2; die "debugfs could not set owners"; fi
rm -f "$script" "$script.err"

# Only the features Biscuit.Fs mounts read-write (servers/fs/README.md, "On-disk format coverage").
supported=" has_journal ext_attr resize_inode dir_index filetype sparse_super large_file flex_bg extra_isize "
features=$(dumpe2fs -h "$IMAGE.tmp" 2>/dev/null | sed -n 's/^Filesystem features: *//p')
for feature in $features; do
    [[ $supported == *" $feature "* ]] || die "mke2fs made an image with '$feature', which Biscuit.Fs does not mount read-write"
done
[[ " $features " == *" has_journal "* ]] || die "the image has no journal (not ext3)"
check=$(e2fsck -fn "$IMAGE.tmp" 2>&1) || { echo "$check" >&2; die "e2fsck -fn finds the new image unclean"; }

mv "$IMAGE.tmp" "$IMAGE"
printf '%s\n' "${STAGED[@]}" > "$OUT/rootfs.packages"
mv "$OUT/www.sha256.tmp" "$OUT/www.sha256"
mapfile -t now < <(cut -d' ' -f1 "$OUT/rootfs.packages")
fingerprint "${ROOTS[@]}" "${now[@]}" tzdata | sha256sum | cut -d' ' -f1 > "$OUT/fingerprint"
say "root disk $IMAGE: ${size_mib} MiB ext3, ${used_kib} KiB of files from ${#STAGED[@]} Debian packages" \
    "($(cut -d' ' -f1-2 "$OUT/rootfs.packages" | paste -sd, - | sed 's/,/, /g'))"
