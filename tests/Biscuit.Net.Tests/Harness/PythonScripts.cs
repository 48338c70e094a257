// The Linux-side programs of the tests, run with python3 inside the test's namespace. They use only
// Linux's own socket implementation, so they judge our stack from the outside.
namespace Biscuit.Net.Tests.Harness;

internal static class PythonScripts
{
    /// <summary>argv: block-file port. Serves "UP n" (reply "sha256 count") and "DOWN n" (send n pattern bytes).</summary>
    public const string PatternServer = """
import socket, sys, hashlib, threading
block = open(sys.argv[1], 'rb').read()
def handle(c):
    try:
        f = c.makefile('rb')
        words = f.readline().split()
        n = int(words[1])
        if words[0] == b'UP':
            h = hashlib.sha256(); got = 0
            while True:
                d = f.read1(262144)
                if not d: break
                h.update(d); got += len(d)
            c.sendall(('%s %d\n' % (h.hexdigest(), got)).encode())
        else:
            off = 0
            while off < n:
                i = off % len(block)
                chunk = block[i:i + min(len(block) - i, n - off, 262144)]
                c.sendall(chunk); off += len(chunk)
        c.shutdown(socket.SHUT_WR)
        while c.recv(65536): pass
    finally:
        c.close()
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('10.77.0.1', int(sys.argv[2])))
srv.listen(512)
print('ready', flush=True)
while True:
    c, _ = srv.accept()
    threading.Thread(target=handle, args=(c,), daemon=True).start()
""";

    /// <summary>argv: block-file host port length. Uploads length pattern bytes, prints the server's answer.</summary>
    public const string Upload = """
import socket, sys
block = open(sys.argv[1], 'rb').read()
n = int(sys.argv[4])
s = socket.create_connection((sys.argv[2], int(sys.argv[3])), timeout=60)
off = 0
while off < n:
    i = off % len(block)
    chunk = block[i:i + min(len(block) - i, n - off, 262144)]
    s.sendall(chunk); off += len(chunk)
s.shutdown(socket.SHUT_WR)
reply = b''
while True:
    d = s.recv(65536)
    if not d: break
    reply += d
print(reply.decode().strip())
""";

    /// <summary>argv: host port connections bytes. Opens all connections at once, sends random bytes on
    /// each, reads the echo back and prints "ok N" when every echo matched.</summary>
    public const string ConcurrentEcho = """
import socket, sys, os, threading
host, port, conns, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
socks = [socket.create_connection((host, port), timeout=60) for _ in range(conns)]
ok = [0]; bad = []; lock = threading.Lock()
def run(s, i):
    data = os.urandom(size)
    t = threading.Thread(target=s.sendall, args=(data,)); t.start()
    got = bytearray()
    while len(got) < size:
        d = s.recv(65536)
        if not d: break
        got += d
    t.join(); s.shutdown(socket.SHUT_WR)
    rest = s.recv(1); s.close()
    with lock:
        if bytes(got) == data and rest == b'': ok[0] += 1
        else: bad.append((i, len(got)))
threads = [threading.Thread(target=run, args=(s, i)) for i, s in enumerate(socks)]
for t in threads: t.start()
for t in threads: t.join()
print('ok %d bad %s' % (ok[0], bad[:5]))
""";

    /// <summary>argv: host port count. Makes count HTTP requests one after another, each on a new
    /// connection, and prints "ok N bytes" with the total body bytes received.</summary>
    public const string SequentialRequests = """
import socket, sys
host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ok = 0; total = 0
for i in range(count):
    s = socket.create_connection((host, port), timeout=30)
    s.sendall(b'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    data = b''
    while True:
        d = s.recv(65536)
        if not d: break
        data += d
    s.close()
    head, _, body = data.partition(b'\r\n\r\n')
    length = int([l for l in head.split(b'\r\n') if l.lower().startswith(b'content-length')][0].split(b':')[1])
    if len(body) == length: ok += 1
    total += len(body)
print('ok %d bytes %d' % (ok, total))
""";

    /// <summary>argv: host port. GETs from our HTTP server through a tiny receive buffer, reading slowly,
    /// so that our sender meets zero windows; prints "sha256 bodylength".</summary>
    public const string SlowHttpReader = """
import socket, sys, hashlib, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.settimeout(60)
s.connect((sys.argv[1], int(sys.argv[2])))
s.sendall(b'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
data = b''
while b'\r\n\r\n' not in data:
    data += s.recv(1024)
head, _, body = data.partition(b'\r\n\r\n')
h = hashlib.sha256(); h.update(body); n = len(body)
time.sleep(1.0)                          # let the window close completely: the sender must probe
i = 0
while True:
    d = s.recv(2048)
    if not d: break
    h.update(d); n += len(d); i += 1
    if i % 2 == 0: time.sleep(0.01)
print('%s %d' % (h.hexdigest(), n))
""";

    /// <summary>argv: host port. A UDP echo round trip, then a datagram to a closed port, which must be
    /// refused by our ICMP port unreachable (Linux reports it on the connected socket).</summary>
    public const string UdpProbe = """
import socket, sys
host, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(5)
s.sendto(b'hello biscuit', (host, port))
data, addr = s.recvfrom(2048)
print('echo', data.decode(), addr[1])
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); c.settimeout(5)
c.connect((host, port + 1))
c.send(b'anyone?')
try:
    c.recv(2048); print('no-error')
except ConnectionRefusedError:
    print('refused')
""";
}
