# bench/frames/timeline.py CAPTURE [-v] — reads the pcap QEMU's filter-dump wrote (bench/frames/
# record.sh; libpcap format, Ethernet, IPv4) and prints, per TCP connection to the guest's port 80
# that starts with a SYN: with -v the timeline of its frames (ms from its first frame, direction,
# flags, payload bytes); then medians over connections of: the guest's answer to the SYN, the GET's
# delivery after the SYN-ACK, the first and last response byte after the GET, and the time spent
# waiting on the guest (from a frame to the guest until the guest's next frame) and on slirp (the
# reverse); then every such gap binned. Standard library only.
import struct, sys, statistics
if len(sys.argv) < 2: sys.exit('usage: timeline.py CAPTURE [-v]')
try:
    data = open(sys.argv[1], 'rb').read()
except OSError as e:
    sys.exit(f'timeline.py: {e}')
magic, = struct.unpack('<I', data[:4]) if len(data) >= 24 else (0,)
if magic not in (0xa1b2c3d4, 0xa1b23c4d):
    sys.exit(f'timeline.py: {sys.argv[1]} is not a little-endian libpcap capture (magic {magic:#x})')
nano = magic == 0xa1b23c4d
pos = 24
frames = []
while pos + 16 <= len(data):
    sec, frac, incl, orig = struct.unpack('<IIII', data[pos:pos+16]); pos += 16
    pkt = data[pos:pos+incl]; pos += incl
    t = sec + frac / (1e9 if nano else 1e6)
    if len(pkt) < 14 or struct.unpack('!H', pkt[12:14])[0] != 0x0800: continue
    ip = pkt[14:]
    ihl = (ip[0] & 15) * 4
    if ip[9] != 6: continue
    total = struct.unpack('!H', ip[2:4])[0]
    tcp = ip[ihl:]
    if len(tcp) < 20: continue   # a truncated frame
    sport, dport, seq, ack = struct.unpack('!HHII', tcp[:12])
    off = (tcp[12] >> 4) * 4
    flags = tcp[13]
    plen = total - ihl - off
    to_guest = dport == 80
    if not (to_guest or sport == 80): continue
    peer = sport if to_guest else dport
    frames.append((t, to_guest, peer, flags, plen))
conns = {}
for f in frames: conns.setdefault(f[2], []).append(f)
def fl(x): return ''.join(c for b, c in [(2,'S'),(16,'A'),(8,'P'),(1,'F'),(4,'R')] if x & b)
rows = []
for peer, fs in conns.items():
    t0 = fs[0][0]
    if not fs[0][3] & 2: continue   # not starting with a SYN: partial
    if '-v' in sys.argv:
        print(f'connection {peer}')
        for t, g, _, f, n in fs: print(f'  {1000*(t-t0):8.3f} ms {"->guest" if g else "<-guest"} {fl(f):4} {n}')
    # waited on the guest: from a frame to the guest until the guest's next frame; on slirp: the reverse
    guest_wait = slirp_wait = 0.0
    for a, b in zip(fs, fs[1:]):
        if a[1] and not b[1]: guest_wait += b[0] - a[0]
        elif not a[1] and b[1]: slirp_wait += b[0] - a[0]
    synack = next((t for t, g, _, f, n in fs if not g and f & 2), None)
    get = next((t for t, g, _, f, n in fs if g and n > 0), None)
    first = next((t for t, g, _, f, n in fs if not g and n > 0), None)
    last = max((t for t, g, _, f, n in fs if not g and n > 0), default=None)
    hs_ack = next((t for t, g, _, f, n in fs if g and f == 16 and synack and t > synack), None)
    if None in (synack, get, first, last): continue
    rows.append(dict(syn_answer=1000*(synack-t0), get_after_synack=1000*(get-synack), first_byte=1000*(first-get),
                     last_byte=1000*(last-get), guest_wait=1000*guest_wait, slirp_wait=1000*slirp_wait, frames=len(fs),
                     total=1000*(fs[-1][0]-t0)))
if not rows: sys.exit('timeline.py: no complete connection to port 80 in the capture')
print(f'{len(rows)} connections')
for k in rows[0].keys():
    v = [r[k] for r in rows]
    print(f'{k:18} median {statistics.median(v):8.3f}  min {min(v):8.3f}  max {max(v):8.3f}')
# every interval from a frame to the guest until the guest's next frame, binned
gaps = []
for peer, fs in conns.items():
    for a, b in zip(fs, fs[1:]):
        if a[1] and not b[1]: gaps.append(1000 * (b[0] - a[0]))
bins = [1, 2, 5, 10, 15, 19, 21, 30, 50, 100, 1e9]
counts = [0] * len(bins)
for g in gaps: counts[next(i for i, b in enumerate(bins) if g < b)] += 1
print('guest answer gaps (ms, upper bounds):', ', '.join(f'<{b:g}: {c}' for b, c in zip(bins, counts)), f'(total {sum(gaps):.0f} ms in {len(gaps)} gaps)')
slirp = [1000 * (b[0] - a[0]) for fs in conns.values() for a, b in zip(fs, fs[1:]) if not a[1] and b[1]]
print(f'slirp answer gaps: {len(slirp)}, median {statistics.median(slirp):.3f} ms, total {sum(slirp):.0f} ms')
