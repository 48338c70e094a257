/* netbench — one static program (musl-gcc -static) run unchanged on the Debian Linux guest and on
   Biscuit (as posix's first program), listening on TCP port 80 (what QEMU's hostfwd reaches) so that
   the host can measure the guest's TCP/IP stack and NIC from outside (`./biscuit bench net`,
   bench/README.md). Built by bench/linux/build.sh into the Linux guest's initramfs as /bin/netbench;
   the benchmark adds that very file to Biscuit's root disk at the same path.

   Each connection starts with one command line (at most 120 bytes, ending in '\n'):
     sink N          read exactly N bytes, answer "ok N A B\n" (A, B: the Fletcher sums below, hex)
                     and close: host -> guest throughput
     source N SEED   send the N bytes of the SplitMix64 stream of SEED, then close: guest -> host
     echo            send back every byte received, until the host closes: request/response latency
     conn            answer "ok\n" and close: accept-answer-close, connections per second
     stats           answer "tsc T\n", then for each of /proc/biscuit/gc and /proc/biscuit/cpu either
                     "file PATH LEN\n" and its LEN bytes or "file PATH missing ERRNO\n", then "end\n",
                     and close (Biscuit's GC and CPU figures between phases; Linux has no such files)
     quit            answer "bye\n", close, and end the program (exit status 0)
   Anything else is answered "error ...\n" and closed. All sockets are non-blocking under one
   level-triggered epoll loop, so any number of connections progress together.

   The byte stream of `source` (and of the host's `sink` data): word k (k = 0, 1, ...) is
   splitmix64(SEED + (k + 1) * 0x9E3779B97F4A7C15), written little-endian; N need not be a multiple
   of 8 (the last word is cut). The checksum of a stream: its bytes as little-endian 64-bit words
   (the last one padded with zero bytes), A += word, B += A, both modulo 2^64, from A = B = 0.
   Host side: bench/Biscuit.Bench/NetStream.cs computes the same.

   Serial output: "netbench listening on port P", one line per finished sink or source, notes such as
   "netbench note: setsockopt TCP_NODELAY: errno=..." (once each), every failed call as
   "netbench error: CALL: errno=NAME (message)", and "netbench done" at the end.
   Options: --port P (default 80; another port lets the program run on a development host). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define CHUNK 65536
#define LINE_MAX_BYTES 120

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static const char *errno_name(int e)
{
    switch (e) {
    case EPERM: return "EPERM"; case ENOENT: return "ENOENT"; case EINTR: return "EINTR";
    case EIO: return "EIO"; case EBADF: return "EBADF"; case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM"; case EFAULT: return "EFAULT"; case EINVAL: return "EINVAL";
    case ENFILE: return "ENFILE"; case EMFILE: return "EMFILE"; case EPIPE: return "EPIPE";
    case ENOSYS: return "ENOSYS"; case EACCES: return "EACCES"; case ENOTSOCK: return "ENOTSOCK";
    case EADDRINUSE: return "EADDRINUSE"; case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case ECONNRESET: return "ECONNRESET"; case ECONNABORTED: return "ECONNABORTED";
    case ENOTCONN: return "ENOTCONN"; case ENOPROTOOPT: return "ENOPROTOOPT";
    case EOPNOTSUPP: return "EOPNOTSUPP"; case ETIMEDOUT: return "ETIMEDOUT"; case ENOBUFS: return "ENOBUFS";
    default: return "E?";
    }
}

static void error_line(const char *call)
{
    int e = errno;
    printf("netbench error: %s: errno=%s (%s)\n", call, errno_name(e), strerror(e));
}

/* ------------------------------------------------------------------ the stream and its checksum */

static uint64_t splitmix_word(uint64_t seed, uint64_t k)
{
    uint64_t z = seed + (k + 1) * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

struct fletcher {
    uint64_t a, b;
    unsigned char pending[8];   /* bytes of a word not yet complete */
    int npending;
};

static void fletcher_word(struct fletcher *f, uint64_t w) { f->a += w; f->b += f->a; }

static void fletcher_update(struct fletcher *f, const unsigned char *p, size_t n)
{
    while (f->npending > 0 && n > 0) {
        f->pending[f->npending++] = *p++; n--;
        if (f->npending == 8) { uint64_t w; memcpy(&w, f->pending, 8); fletcher_word(f, w); f->npending = 0; }
    }
    for (; n >= 8; p += 8, n -= 8) { uint64_t w; memcpy(&w, p, 8); fletcher_word(f, w); }
    while (n > 0) { f->pending[f->npending++] = *p++; n--; }
}

static void fletcher_finish(struct fletcher *f)
{
    if (f->npending == 0) return;
    memset(f->pending + f->npending, 0, (size_t)(8 - f->npending));
    uint64_t w; memcpy(&w, f->pending, 8); fletcher_word(f, w);
    f->npending = 0;
}

/* ------------------------------------------------------------------ connections */

enum state { READING_COMMAND, SINKING, ECHOING, SENDING };

struct conn {
    int fd;
    enum state state;
    char line[LINE_MAX_BYTES + 1];
    int line_len;
    uint64_t sink_total, sink_left;
    struct fletcher sum;
    unsigned char *out;          /* bytes to send: out[out_off..out_len) (malloc'd, CHUNK or more) */
    size_t out_len, out_off, out_room;
    uint64_t source_left, source_seed, source_word, source_total;
    int close_when_sent;
    int quit_when_closed;        /* the "quit" connection: the program ends once it is closed */
    int want_out;                /* registered for EPOLLOUT (else EPOLLIN) */
};

static int epfd;
static int quitting;             /* 1: "quit" received; 2: its answer sent, the loop ends */
static int nodelay_noted;

static void conn_close(struct conn *c)
{
    epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
    if (c->quit_when_closed) quitting = 2;
    if (close(c->fd) < 0) error_line("close");
    free(c->out);
    free(c);
}

static int interest(struct conn *c, int out)
{
    if (c->want_out == out) return 0;
    struct epoll_event ev = { .events = out ? EPOLLOUT : EPOLLIN, .data.ptr = c };
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0) { error_line("epoll_ctl MOD"); return -1; }
    c->want_out = out;
    return 0;
}

static int out_reserve(struct conn *c, size_t room)
{
    if (c->out_room >= room) return 0;
    unsigned char *p = realloc(c->out, room);
    if (!p) { errno = ENOMEM; error_line("realloc"); return -1; }
    c->out = p; c->out_room = room;
    return 0;
}

static int out_append(struct conn *c, const void *p, size_t n)
{
    if (c->out_off == c->out_len) c->out_off = c->out_len = 0;
    if (out_reserve(c, c->out_len + n < CHUNK ? CHUNK : c->out_len + n) < 0) return -1;
    memcpy(c->out + c->out_len, p, n);
    c->out_len += n;
    return 0;
}

static int out_printf(struct conn *c, const char *format, ...) __attribute__((format(printf, 2, 3)));
static int out_printf(struct conn *c, const char *format, ...)
{
    char text[256];
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(text, sizeof text, format, ap);
    va_end(ap);
    return out_append(c, text, (size_t)(n < (int)sizeof text ? n : (int)sizeof text - 1));
}

/* The next CHUNK (or fewer) bytes of the source stream into out; words stay aligned because every
   refill but the last is a whole CHUNK, a multiple of 8. */
static void source_refill(struct conn *c)
{
    size_t n = c->source_left < CHUNK ? (size_t)c->source_left : CHUNK;
    c->out_off = 0; c->out_len = n;
    for (size_t i = 0; i < n; i += 8) {
        uint64_t w = splitmix_word(c->source_seed, c->source_word++);
        memcpy(c->out + i, &w, n - i < 8 ? n - i : 8);
    }
    c->source_left -= n;
}

/* Sends what is pending; returns -1 if the connection was closed here, else 0. */
static int flush(struct conn *c)
{
    for (;;) {
        if (c->out_off == c->out_len && c->source_left > 0) source_refill(c);
        if (c->out_off == c->out_len) break;
        ssize_t n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return interest(c, 1) < 0 ? (conn_close(c), -1) : 0;
        if (n <= 0) { error_line("write"); conn_close(c); return -1; }
        c->out_off += (size_t)n;
    }
    if (c->source_total > 0 && c->source_left == 0) {
        printf("netbench source n=%llu seed=%llu\n", (unsigned long long)c->source_total, (unsigned long long)c->source_seed);
        c->source_total = 0;
    }
    if (c->close_when_sent) { conn_close(c); return -1; }
    return interest(c, 0) < 0 ? (conn_close(c), -1) : 0;
}

/* Appends the file's bytes as "file PATH LEN\n" + bytes, or "file PATH missing ERRNO\n". */
static int append_file(struct conn *c, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return out_printf(c, "file %s missing %s\n", path, errno_name(errno));
    size_t room = 16384, len = 0;
    char *text = malloc(room);
    for (;;) {
        if (!text) { close(fd); errno = ENOMEM; error_line("malloc"); return -1; }
        if (len == room) { char *bigger = realloc(text, room * 2); if (!bigger) { free(text); text = NULL; continue; } text = bigger; room *= 2; }
        ssize_t n = read(fd, text + len, room - len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) { int e = errno; error_line("read of a /proc/biscuit file"); close(fd); free(text); return out_printf(c, "file %s missing %s\n", path, errno_name(e)); }
        if (n == 0) break;
        len += (size_t)n;
    }
    close(fd);
    int r = out_printf(c, "file %s %zu\n", path, len);
    if (r == 0) r = out_append(c, text, len);
    free(text);
    return r;
}

/* The sink has all its bytes: answer the count and the checksum, then close. `extra`: bytes the host
   sent beyond them (a protocol error, reported). -1: closed here. */
static int sink_done(struct conn *c, size_t extra)
{
    fletcher_finish(&c->sum);
    printf("netbench sink n=%llu\n", (unsigned long long)c->sink_total);
    if (extra > 0) printf("netbench error: %zu bytes after the sink's %llu\n", extra, (unsigned long long)c->sink_total);
    c->state = SENDING; c->close_when_sent = 1;
    if (out_printf(c, "ok %llu %016llx %016llx\n", (unsigned long long)c->sink_total,
                   (unsigned long long)c->sum.a, (unsigned long long)c->sum.b) < 0) { conn_close(c); return -1; }
    return flush(c);
}

/* One command line: sets the connection's state and what it answers. -1: closed here. */
static int command(struct conn *c)
{
    unsigned long long n, seed;
    char extra;
    c->close_when_sent = 1;
    if (sscanf(c->line, "sink %llu %c", &n, &extra) == 1) {
        c->state = SINKING; c->sink_total = c->sink_left = n; c->close_when_sent = 0;
        memset(&c->sum, 0, sizeof c->sum);
        return n == 0 ? sink_done(c, 0) : 0;
    }
    if (sscanf(c->line, "source %llu %llu %c", &n, &seed, &extra) == 2) {
        c->state = SENDING; c->source_left = c->source_total = n; c->source_seed = seed; c->source_word = 0;
        if (n == 0) printf("netbench source n=0 seed=%llu\n", seed);
        return out_reserve(c, CHUNK) < 0 ? (conn_close(c), -1) : flush(c);
    }
    if (strcmp(c->line, "echo") == 0) { c->state = ECHOING; c->close_when_sent = 0; return 0; }
    c->state = SENDING;
    int r;
    if (strcmp(c->line, "conn") == 0) r = out_printf(c, "ok\n");
    else if (strcmp(c->line, "stats") == 0) {
        r = out_printf(c, "tsc %llu\n", (unsigned long long)rdtsc());
        if (r == 0) r = append_file(c, "/proc/biscuit/gc");
        if (r == 0) r = append_file(c, "/proc/biscuit/cpu");
        if (r == 0) r = out_printf(c, "end\n");
    } else if (strcmp(c->line, "quit") == 0) { quitting = 1; c->quit_when_closed = 1; r = out_printf(c, "bye\n"); }
    else {
        printf("netbench error: unknown command '%s'\n", c->line);
        r = out_printf(c, "error unknown command '%s'\n", c->line);
    }
    if (r < 0) { conn_close(c); return -1; }
    return flush(c);
}

/* Bytes received in state READING_COMMAND, SINKING or ECHOING. -1: closed here. */
static int consume(struct conn *c, unsigned char *p, size_t n)
{
    while (n > 0) {
        switch (c->state) {
        case READING_COMMAND: {
            unsigned char ch = *p++; n--;
            if (ch == '\n') {
                c->line[c->line_len] = 0;
                if (c->line_len > 0 && c->line[c->line_len - 1] == '\r') c->line[c->line_len - 1] = 0;
                if (command(c) < 0) return -1;
            } else if (c->line_len == LINE_MAX_BYTES) {
                printf("netbench error: a command line longer than %d bytes\n", LINE_MAX_BYTES);
                c->state = SENDING; c->close_when_sent = 1;
                return out_printf(c, "error command line too long\n") < 0 ? (conn_close(c), -1) : flush(c);
            } else c->line[c->line_len++] = (char)ch;
            break;
        }
        case SINKING: {
            size_t take = n < c->sink_left ? n : (size_t)c->sink_left;
            fletcher_update(&c->sum, p, take);
            c->sink_left -= take; p += take; n -= take;
            if (c->sink_left == 0) return sink_done(c, n);
            break;
        }
        case ECHOING:
            if (out_append(c, p, n) < 0) { conn_close(c); return -1; }
            return flush(c);
        case SENDING:   /* the host sends nothing while the guest answers */
            printf("netbench error: %zu unexpected bytes while answering '%s'\n", n, c->line);
            return 0;
        }
    }
    return 0;
}

static unsigned char inbuf[CHUNK];

static void readable(struct conn *c)
{
    for (int round = 0; round < 16; round++) {   /* then let other connections run */
        ssize_t n = read(c->fd, inbuf, sizeof inbuf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        if (n < 0) { error_line("read"); conn_close(c); return; }
        if (n == 0) {
            if (c->state == SINKING)
                printf("netbench error: the host closed after %llu of the sink's %llu bytes\n",
                       (unsigned long long)(c->sink_total - c->sink_left), (unsigned long long)c->sink_total);
            else if (c->state == READING_COMMAND && c->line_len > 0)
                printf("netbench error: the host closed in the middle of a command line\n");
            conn_close(c);
            return;
        }
        if (consume(c, inbuf, (size_t)n) < 0) return;
        if (c->want_out || c->state == SENDING) return;   /* reading resumes once the answer is sent */
    }
}

static void accept_all(int listener)
{
    for (;;) {
        int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno != EAGAIN && errno != EINTR) error_line("accept4");
            return;
        }
        int one = 1;
        if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0 && !nodelay_noted) {
            int e = errno;
            printf("netbench note: setsockopt TCP_NODELAY: errno=%s (%s); going on without it\n", errno_name(e), strerror(e));
            nodelay_noted = 1;
        }
        struct conn *c = calloc(1, sizeof *c);
        if (!c) { errno = ENOMEM; error_line("calloc"); close(fd); continue; }
        c->fd = fd;
        struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) { error_line("epoll_ctl ADD"); close(fd); free(c); }
    }
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    int port = 80;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--port") == 0 && i + 1 < argc && atoi(argv[i + 1]) > 0 && atoi(argv[i + 1]) < 65536) port = atoi(argv[++i]);
        else { printf("netbench error: unknown argument '%s' (usage: netbench [--port P])\n", argv[i]); return 2; }
    }
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (listener < 0) { error_line("socket"); return 1; }
    int one = 1;
    if (setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) {
        int e = errno;
        printf("netbench note: setsockopt SO_REUSEADDR: errno=%s (%s); going on without it\n", errno_name(e), strerror(e));
    }
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_ANY) };
    if (bind(listener, (struct sockaddr *)&address, sizeof address) < 0) { error_line("bind"); return 1; }
    if (listen(listener, 128) < 0) { error_line("listen"); return 1; }
    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) { error_line("epoll_create1"); return 1; }
    struct epoll_event lev = { .events = EPOLLIN, .data.ptr = NULL };
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, listener, &lev) < 0) { error_line("epoll_ctl ADD listener"); return 1; }
    printf("netbench listening on port %d\n", port);

    struct epoll_event events[64];
    while (quitting != 2) {
        int n = epoll_wait(epfd, events, 64, -1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) { error_line("epoll_wait"); return 1; }
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (c == NULL) { accept_all(listener); continue; }
            /* A connection closed earlier in this batch cannot appear again: each is closed only from
               its own event, and every event of a batch names a different descriptor. */
            if (c->want_out) flush(c);
            else readable(c);
        }
    }
    close(listener);
    printf("netbench done\n");
    return 0;
}
