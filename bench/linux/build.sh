#!/usr/bin/env bash
# bench/linux/build.sh — builds the Linux guest that `./biscuit bench` compares Biscuit with, from
# Debian's own packages, under build/linux/ (or $LINUX_GUEST_OUT):
#   vmlinuz             Debian's kernel (linux-image-amd64; not the -cloud- flavour, which has no
#                       e1000/e1000e driver)
#   initramfs.cpio.gz   busybox-static, Debian's unmodified nginx with the libraries ldd lists, the
#                       e1000/e1000e modules and those that mount an ext3 virtio-blk disk (from
#                       modules.dep), nginx.conf, the docroot (small.html, 4096 bytes; big.bin, 1 MiB;
#                       fixed content), linux-ipcbench, posixbench (the very file `./biscuit bench
#                       posix` also puts on Biscuit's root disk: rootfs/bin/), fsbench and netbench
#                       (likewise, for `./biscuit bench fs` and `net`), and init.sh as /init
#   www.sha256          sha256 of the two docroot files (the host checks what nginx serves)
#   kver                the kernel version used
# Incremental: a fingerprint of every input (this folder's files, and size + mtime of the kernel,
# modules.dep, nginx, its libraries, busybox, mime.types, musl) is kept in build/linux/fingerprint;
# when it matches, nothing is rebuilt. A missing package is reported by name, exit status 2.
# Env: LINUX_KVER (default: newest non-cloud /boot/vmlinuz-*), LINUX_GUEST_OUT.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${LINUX_GUEST_OUT:-$ROOT/build/linux}
die() { echo "bench/linux: $*" >&2; exit 2; }
say() { echo "bench/linux: $*" >&2; }

# ---------------------------------------------------------------- prerequisites
missing=()
KVER=${LINUX_KVER:-}
if [ -z "$KVER" ]; then   # the newest generic kernel that has its modules
    KVER=$(for k in /boot/vmlinuz-*; do
               v=${k#/boot/vmlinuz-}
               case $v in *-cloud-*|'*') continue ;; esac
               [ -r "/lib/modules/$v/modules.dep" ] && echo "$v"
           done | sort -V | tail -n 1)
fi
KIMG=/boot/vmlinuz-$KVER
MODDIR=/lib/modules/$KVER
if [ -z "$KVER" ] || [ ! -r "$KIMG" ] || [ ! -r "$MODDIR/modules.dep" ]; then missing+=(linux-image-amd64); fi
{ [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; } || missing+=(busybox-static)  # ldd fails on static programs
{ [ -x /usr/sbin/nginx ] && [ -r /etc/nginx/mime.types ]; } || missing+=(nginx)
for tool in cpio:cpio gzip:gzip musl-gcc:musl-tools openssl:openssl ldd:libc-bin sha256sum:coreutils; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
    die "missing Debian packages: ${missing[*]}; install them with: apt-get install --no-install-recommends ${missing[*]}${LINUX_KVER:+ (or LINUX_KVER=$LINUX_KVER names no installed kernel)}"
fi
if [ -n "${LINUX_KVER:-}" ] && [[ $KVER == *-cloud-* ]]; then
    die "LINUX_KVER=$KVER is the cloud flavour, which has no e1000/e1000e driver; use a generic kernel"
fi

# nginx's shared libraries (and the dynamic loader), as ldd resolves them on this host
mapfile -t LIBS < <(ldd /usr/sbin/nginx | awk '/=> \//{print $3} /^[[:space:]]*\//{print $1}' | sort -u)
[ ${#LIBS[@]} -gt 0 ] || die "ldd lists no libraries for /usr/sbin/nginx"

# ---------------------------------------------------------------- up to date?
SOURCES=(build.sh init.sh nginx.conf linux-ipcbench.c posixbench.c fsbench.c netbench.c)
fingerprint() {
    (cd "$HERE" && sha256sum "${SOURCES[@]}")
    sha256sum "$ROOT/boot/rootfs/docroot.sh"
    stat -L -c '%n %s %Y' "$KIMG" "$MODDIR/modules.dep" /usr/sbin/nginx /bin/busybox /etc/nginx/mime.types \
        "$(command -v musl-gcc)" "${LIBS[@]}"
    echo "kver $KVER"
}
FINGERPRINT=$(fingerprint | sha256sum | cut -d' ' -f1)
OUTPUTS=(vmlinuz initramfs.cpio.gz www.sha256 kver)
up_to_date=1
for f in "${OUTPUTS[@]}"; do [ -s "$OUT/$f" ] || up_to_date=; done
if [ -n "$up_to_date" ] && [ "$(cat "$OUT/fingerprint" 2>/dev/null)" = "$FINGERPRINT" ]; then
    say "up to date ($OUT, kernel $KVER)"
    exit 0
fi
say "building the Linux guest in $OUT (kernel $KVER)"

# ---------------------------------------------------------------- the tree
mkdir -p "$OUT"
rm -f "$OUT/fingerprint"
ROOTFS=$OUT/rootfs
rm -rf "$ROOTFS"
mkdir -p "$ROOTFS"/{bin,sbin,usr/bin,usr/sbin,etc/nginx,proc,sys,dev,tmp,run,root,www,lib/modules,lib64} \
         "$ROOTFS"/var/{lib/nginx,log/nginx}

cp /bin/busybox "$ROOTFS/bin/busybox"
for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$ROOTFS/bin/$applet"
done

cp /usr/sbin/nginx "$ROOTFS/usr/sbin/nginx"
for lib in "${LIBS[@]}"; do              # same paths as PT_INTERP and the loader's search use
    mkdir -p "$ROOTFS$(dirname "$lib")"
    cp -L "$lib" "$ROOTFS$lib"
done
cp /etc/nginx/mime.types "$ROOTFS/etc/nginx/mime.types"
cp "$HERE/nginx.conf" "$ROOTFS/etc/nginx/nginx.conf"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$ROOTFS/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$ROOTFS/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files\n' > "$ROOTFS/etc/nsswitch.conf"   # else glibc wants libnss_compat
printf '127.0.0.1 localhost\n' > "$ROOTFS/etc/hosts"

# ---------------------------------------------------------------- docroot (same bytes on every build)
# The very files of Biscuit's root disk: one script makes both (boot/rootfs/docroot.sh).
"$ROOT/boot/rootfs/docroot.sh" "$ROOTFS/www" || die "boot/rootfs/docroot.sh failed"
(cd "$ROOTFS/www" && sha256sum small.html big.bin) > "$OUT/www.sha256.tmp"

# ---------------------------------------------------------------- modules, in load order
# modules.dep: "path: dependency paths"; a module's dependencies are loaded first (listed last first).
# One list per use, /etc/modules.USE: the NIC drivers (e1000, e1000e) and "disk", what mounting
# Biscuit's ext3 root disk on virtio-blk takes (`posix` benchmark: init.sh's disk=vda; ext4 wants the
# crc32c algorithm even without metadata checksums, a soft dependency modules.dep does not list); a module
# shared by two of a list's roots is listed once.
module_path() { awk -F: -v want="$1.ko" '{ n = $1; sub(/.*\//, "", n); sub(/\.(xz|zst|gz)$/, "", n)
                                          if (n == want) { print $1; exit } }' "$MODDIR/modules.dep"; }
load_order() { awk -F: -v p="$1" '$1 == p { n = split($2, d, " "); for (i = n; i >= 1; i--) print d[i]; print p }' "$MODDIR/modules.dep"; }
for use in e1000:e1000 e1000e:e1000e disk:virtio_pci,virtio_blk,crc32c_generic,ext4; do
    : > "$ROOTFS/etc/modules.${use%%:*}"
    IFS=, read -r -a roots <<< "${use#*:}"
    for root in "${roots[@]}"; do
        path=$(module_path "$root")
        [ -n "$path" ] || die "kernel $KVER has no $root module (is it the -cloud- flavour?)"
        load_order "$path"
    done | awk '!seen[$0]++' | while read -r m; do
        name=$(basename "$m"); name=${name%.xz}; name=${name%.zst}; name=${name%.gz}   # busybox insmod wants a plain .ko
        case $m in
            *.xz)  xz -dc "$MODDIR/$m" ;;
            *.zst) zstd -qdc "$MODDIR/$m" ;;
            *.gz)  gzip -dc "$MODDIR/$m" ;;
            *)     cat "$MODDIR/$m" ;;
        esac > "$ROOTFS/lib/modules/$name"
        echo "$name" >> "$ROOTFS/etc/modules.${use%%:*}"
    done
done

# ---------------------------------------------------------------- benchmark programs, /init
musl-gcc -static -O2 -Wall -Wextra -Werror -o "$ROOTFS/bin/linux-ipcbench" "$HERE/linux-ipcbench.c" \
    || die "linux-ipcbench.c did not compile (see above)"
musl-gcc -static -O2 -Wall -Wextra -Werror -o "$ROOTFS/bin/posixbench" "$HERE/posixbench.c" \
    || die "posixbench.c did not compile (see above)"
musl-gcc -static -O2 -Wall -Wextra -Werror -o "$ROOTFS/bin/fsbench" "$HERE/fsbench.c" \
    || die "fsbench.c did not compile (see above)"
musl-gcc -static -O2 -Wall -Wextra -Werror -o "$ROOTFS/bin/netbench" "$HERE/netbench.c" \
    || die "netbench.c did not compile (see above)"
cp "$HERE/init.sh" "$ROOTFS/init"
chmod 755 "$ROOTFS/init"

# The packed nginx must accept its configuration with only what the image holds (needs root).
if [ "$(id -u)" = 0 ]; then
    chroot "$ROOTFS" /usr/sbin/nginx -t -q -c /etc/nginx/nginx.conf \
        || die "nginx -t failed inside the image tree $ROOTFS (see above)"
fi

# ---------------------------------------------------------------- pack
(cd "$ROOTFS" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet --owner=0:0) \
    | gzip -6 -n > "$OUT/initramfs.cpio.gz.tmp"
mv "$OUT/initramfs.cpio.gz.tmp" "$OUT/initramfs.cpio.gz"
mv "$OUT/www.sha256.tmp" "$OUT/www.sha256"
cp "$KIMG" "$OUT/vmlinuz"
echo "$KVER" > "$OUT/kver"
echo "$FINGERPRINT" > "$OUT/fingerprint"
say "kernel $KVER ($(stat -c %s "$OUT/vmlinuz") bytes), initramfs $(stat -c %s "$OUT/initramfs.cpio.gz") bytes" \
    "($(du -sk "$ROOTFS" | cut -f1) KiB unpacked)"
