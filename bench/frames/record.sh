#!/usr/bin/env bash
# bench/frames/record.sh — a manual measurement (not run by ./biscuit bench, no test): boots Biscuit
# as ./biscuit run does (the script's own attach_root_disk and qemu_args, like BiscuitGuest.cs), with
# QEMU's filter-dump recording every frame between slirp and the guest's e1000e with host timestamps
# (OUTDIR/frames.pcap), sends N single GETs of small.html one at a time (each a fresh curl, so a new
# connection; 0.7 s apart), then stops QEMU. Read the capture with bench/frames/timeline.py.
# Usage: bench/frames/record.sh ROOT PORT N OUTDIR   (after ./biscuit image; PORT a free local port)
set -euo pipefail
ROOT=$1 PORT=$2 N=$3 OUT=$4
mkdir -p "$OUT"
mapfile -t ARGS < <(bash -c "set -euo pipefail; source <(sed '/^main \"\\\$@\"\$/d' '$ROOT/biscuit'); BUILD='$ROOT/build'; PORT=$PORT; attach_root_disk; qemu_args 1G stdio \"\$BUILD/modules/manifest\"; printf '%s\n' \"\${QEMU_ARGS[@]}\"")
qemu-system-x86_64 "${ARGS[@]}" -object filter-dump,id=fd0,netdev=n0,file="$OUT/frames.pcap" > "$OUT/serial.log" 2>&1 &
QPID=$!
trap 'kill $QPID 2>/dev/null || true' EXIT
for i in $(seq 1 600); do
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://127.0.0.1:$PORT/small.html" || true)
  [ "$code" = 200 ] && break
  sleep 0.5
done
[ "$code" = 200 ] || { echo "record.sh: no HTTP 200 from the guest within 5 minutes (serial log: $OUT/serial.log)" >&2; exit 1; }
sleep 3
: > "$OUT/curl.txt"
for i in $(seq 1 "$N"); do
  curl -s -o /dev/null -w '%{local_port} %{time_connect} %{time_starttransfer} %{time_total}\n' "http://127.0.0.1:$PORT/small.html" >> "$OUT/curl.txt"
  sleep 0.7
done
sleep 1
kill $QPID; wait $QPID 2>/dev/null || true
rm -f "$ROOT/build/run/rootfs-$PORT.ext3" 2>/dev/null || true
echo "record.sh: $N requests recorded in $OUT/frames.pcap (curl timings: $OUT/curl.txt)"
