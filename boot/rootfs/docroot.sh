#!/usr/bin/env bash
# boot/rootfs/docroot.sh — writes the benchmark files of the docroot into a folder:
#   small.html  exactly 4096 bytes of HTML
#   big.bin     exactly 1 MiB of AES-128-CTR keystream under a fixed key and a zero IV
#               (incompressible, and the same bytes on every build)
# bench/linux/build.sh calls this script for the Linux guest's docroot too, so that the
# nginx benchmarks compare like with like (tests/Biscuit.Boot.Tests/RootDiskTests.cs holds their
# SHA-256 and fails if either side changes). Exit status 2 if a file does not come out the right size.
#
#   docroot.sh FOLDER
set -euo pipefail
[ $# -eq 1 ] && [ -d "$1" ] || { echo "usage: docroot.sh EXISTING_FOLDER" >&2; exit 2; }
OUT=$1

awk 'BEGIN {
    head = "<!DOCTYPE html>\n<html><head><title>small</title></head><body>\n"
    tail = "</body></html>\n"
    line = "<p>Biscuit bench: a 4096-byte page with fixed content.</p>\n"
    room = 4096 - length(head) - length(tail)
    body = ""; while (length(body) < room) body = body line
    printf "%s%s\n%s", head, substr(body, 1, room - 1), tail }' > "$OUT/small.html"
head -c 1048576 /dev/zero | openssl enc -aes-128-ctr -K 42697363756974204c696e7578206265 \
    -iv 00000000000000000000000000000000 > "$OUT/big.bin"

for f in small.html:4096 big.bin:1048576; do
    size=$(stat -c %s "$OUT/${f%:*}")
    [ "$size" = "${f#*:}" ] || { echo "docroot: ${f%:*} is $size bytes, expected ${f#*:}" >&2; exit 2; }
done
