/* posixbench — one static program (musl-gcc -static) run unchanged on the Debian Linux guest and on
   Biscuit (as posix's first program), so that each POSIX operation has a Biscuit/Linux ratio measured
   on the same emulated machine in the same minutes (`./biscuit bench posix`, bench/README.md).
   Built by bench/linux/build.sh into the Linux guest's initramfs as /bin/posixbench; the benchmark
   adds that very file to Biscuit's root disk at the same path.

     pipe_rtt_1 / pipe_rtt_64   ping-pong through two pipes between two processes (1, 64 bytes)
     fork_exit_wait             fork, the child _exits at once, waitpid
     fork_exec_wait             fork, execve of this program with --exit, waitpid
     getpid                     a call every kernel answers itself (Biscuit: the kernel's core set)
     getppid / getuid           trivial calls that Biscuit's kernel forwards to posix and back
                                (kernel -> posix -> kernel: the cost of the personality)
     file_write_16k             one 16 KiB write(2) to a 1 MiB file being written (bytes=16384)
     file_read_16k              one 16 KiB read(2) of that file (bytes=16384)
     open_close                 open(O_RDONLY) + close of an existing file
     stat                       stat(2) of an existing file
     page_fault                 the first write to a fresh page of an anonymous private mapping

   Each operation is timed with rdtsc around it (after a discarded warm-up); the TSC rate is
   measured against CLOCK_MONOTONIC so figures are also given in ns. Output lines:
     posixbench NAME n=N median_cycles=M p99_cycles=P median_ns=X p99_ns=Y [bytes=B]
   then "posixbench done". A call that fails prints
     posixbench NAME failed: CALL: errno=NAME (message)
   and the program goes on with the next operation (so an ENOSYS on Biscuit is reported, not hidden);
   a failed clean-up between operations is reported the same way as pipe_cleanup or file_cleanup.
   Options: --quick (about a tenth of the iterations: a smoke run), --dir DIR (where the file
   operations work; default /tmp), --exit (exit 0 at once: the program fork_exec_wait executes). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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
    case EIO: return "EIO"; case EBADF: return "EBADF"; case ECHILD: return "ECHILD";
    case EAGAIN: return "EAGAIN"; case ENOMEM: return "ENOMEM"; case EFAULT: return "EFAULT";
    case EEXIST: return "EEXIST"; case ENOTDIR: return "ENOTDIR"; case EINVAL: return "EINVAL";
    case ENFILE: return "ENFILE"; case EMFILE: return "EMFILE"; case ENOSPC: return "ENOSPC";
    case EPIPE: return "EPIPE"; case ENOSYS: return "ENOSYS"; case ENODEV: return "ENODEV";
    case EROFS: return "EROFS"; case E2BIG: return "E2BIG"; case ENOEXEC: return "ENOEXEC";
    case EACCES: return "EACCES"; default: return "E?";
    }
}

/* Reports a failed call of operation `name` with errno; the caller then abandons that operation. */
static void failed(const char *name, const char *call)
{
    int e = errno;
    printf("posixbench %s failed: %s: errno=%s (%s)\n", name, call, errno_name(e), strerror(e));
}

static int compare(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static double cycles_per_ns;

static void report(const char *name, uint64_t *samples, int n, long bytes)
{
    qsort(samples, (size_t)n, sizeof samples[0], compare);
    uint64_t median = samples[n / 2], p99 = samples[(int)(n * 0.99)];
    printf("posixbench %s n=%d median_cycles=%lu p99_cycles=%lu median_ns=%.0f p99_ns=%.0f", name, n,
           (unsigned long)median, (unsigned long)p99, median / cycles_per_ns, p99 / cycles_per_ns);
    if (bytes > 0) printf(" bytes=%ld", bytes);
    printf("\n");
}

static uint64_t monotonic_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* TSC cycles per ns over a 200 ms busy wait on CLOCK_MONOTONIC. */
static void calibrate(void)
{
    uint64_t n0 = monotonic_ns(), c0 = rdtsc(), n1, c1;
    do { n1 = monotonic_ns(); c1 = rdtsc(); } while (n1 - n0 < 200000000u);
    cycles_per_ns = (double)(c1 - c0) / (double)(n1 - n0);
    printf("posixbench tsc_ghz=%.3f\n", cycles_per_ns);
}

#define MAX_SAMPLES 20000
static uint64_t samples[MAX_SAMPLES];
static int scale = 10;              /* tenths of the full iteration counts: 10 full, 1 with --quick */
static const char *self_path = "/proc/self/exe";
static const char *work_dir = "/tmp";

static int iterations(int full)
{
    int n = full * scale / 10;
    return n < 5 ? 5 : n;
}

/* ---------------------------------------------------------------- pipe ping-pong */

/* Reads exactly `length` bytes; 0 on success, -1 (errno set; EPIPE for an early end) otherwise. */
static int read_fully(int fd, char *buf, size_t length)
{
    for (size_t got = 0; got < length; ) {
        ssize_t r = read(fd, buf + got, length - got);
        if (r == 0) { errno = EPIPE; return -1; }
        if (r < 0) return -1;
        got += (size_t)r;
    }
    return 0;
}

/* The echo side: sends back every message it reads, until end of file or an error. */
static void echo(int in, int out)
{
    char buf[64];
    ssize_t r;
    while ((r = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)r) != r) return;
}

static void pipe_round_trips(int to_echo, int from_echo, size_t length, const char *name)
{
    char buf[64];
    memset(buf, 'x', sizeof buf);
    int n = iterations(2000);
    for (int i = -20; i < n; i++) {
        uint64_t t0 = rdtsc();
        if (write(to_echo, buf, length) != (ssize_t)length) { failed(name, "write"); return; }
        if (read_fully(from_echo, buf, length) != 0) { failed(name, "read"); return; }
        uint64_t t1 = rdtsc();
        if (i >= 0) samples[i] = t1 - t0;
    }
    report(name, samples, n, 0);
}

static void pipe_benchmarks(void)
{
    int down[2], up[2];
    if (pipe(down) != 0) { failed("pipe_rtt_1", "pipe"); return; }
    if (pipe(up) != 0) { failed("pipe_rtt_1", "pipe"); close(down[0]); close(down[1]); return; }
    pid_t child = fork();
    if (child < 0) { failed("pipe_rtt_1", "fork"); return; }
    if (child == 0) { close(down[1]); close(up[0]); echo(down[0], up[1]); _exit(0); }
    close(down[0]); close(up[1]);
    pipe_round_trips(down[1], up[0], 1, "pipe_rtt_1");
    pipe_round_trips(down[1], up[0], 64, "pipe_rtt_64");
    close(down[1]);                                  /* the echo child reads end of file and exits */
    if (waitpid(child, NULL, 0) != child) failed("pipe_cleanup", "waitpid");
    close(up[0]);
}

/* ---------------------------------------------------------------- process creation */

static void spawn_benchmark(const char *name, int exec, int full)
{
    int n = iterations(full);
    for (int i = -3; i < n; i++) {
        uint64_t t0 = rdtsc();
        pid_t p = fork();
        if (p < 0) { failed(name, "fork"); return; }
        if (p == 0) {
            if (exec) {
                char *argv[] = { "posixbench", "--exit", NULL }, *envp[] = { NULL };
                execve(self_path, argv, envp);
                _exit(100 + (errno & 0x1f));         /* the parent reports the errno (below) */
            }
            _exit(0);
        }
        int status;
        if (waitpid(p, &status, 0) != p) { failed(name, "waitpid"); return; }
        uint64_t t1 = rdtsc();
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            if (exec && WIFEXITED(status) && WEXITSTATUS(status) >= 100) {
                errno = WEXITSTATUS(status) - 100;
                failed(name, "execve");
            } else {
                printf("posixbench %s failed: child wait status 0x%x\n", name, (unsigned)status);
            }
            return;
        }
        if (i >= 0) samples[i] = t1 - t0;
    }
    report(name, samples, n, 0);
}

/* ---------------------------------------------------------------- trivial system calls */

static void syscall_benchmark(const char *name, long number)
{
    int n = iterations(5000);
    for (int i = -50; i < n; i++) {
        uint64_t t0 = rdtsc();
        long r = syscall(number);
        uint64_t t1 = rdtsc();
        if (r < 0) { failed(name, name); return; }
        if (i >= 0) samples[i] = t1 - t0;
    }
    report(name, samples, n, 0);
}

/* ---------------------------------------------------------------- files */

#define CHUNK 16384
#define FILE_BYTES (1024 * 1024)
static char chunk[CHUNK];

static void file_benchmarks(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/posixbench.data", work_dir);
    memset(chunk, 'p', sizeof chunk);
    int passes = scale >= 10 ? 4 : 1, per_pass = FILE_BYTES / CHUNK;
    int n = passes * per_pass, written = 0;
    for (int pass = 0; pass < passes; pass++) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) { failed("file_write_16k", "open"); return; }
        for (int i = 0; i < per_pass; i++) {
            uint64_t t0 = rdtsc();
            ssize_t w = write(fd, chunk, CHUNK);
            uint64_t t1 = rdtsc();
            if (w != CHUNK) { if (w >= 0) errno = ENOSPC; failed("file_write_16k", "write"); close(fd); return; }
            samples[written++] = t1 - t0;
        }
        if (close(fd) != 0) { failed("file_write_16k", "close"); return; }
    }
    report("file_write_16k", samples, n, CHUNK);

    int got = 0;
    for (int pass = 0; pass < passes; pass++) {
        int fd = open(path, O_RDONLY);
        if (fd < 0) { failed("file_read_16k", "open"); return; }
        for (int i = 0; i < per_pass; i++) {
            uint64_t t0 = rdtsc();
            ssize_t r = read(fd, chunk, CHUNK);
            uint64_t t1 = rdtsc();
            if (r != CHUNK) { if (r >= 0) errno = EIO; failed("file_read_16k", "read"); close(fd); return; }
            if (chunk[0] != 'p' || chunk[CHUNK - 1] != 'p') { errno = EIO; failed("file_read_16k", "read (wrong bytes)"); close(fd); return; }
            samples[got++] = t1 - t0;
        }
        close(fd);
    }
    report("file_read_16k", samples, n, CHUNK);

    int m = iterations(500);
    for (int i = -10; i < m; i++) {
        uint64_t t0 = rdtsc();
        int fd = open(path, O_RDONLY);
        if (fd < 0) { failed("open_close", "open"); break; }
        if (close(fd) != 0) { failed("open_close", "close"); break; }
        uint64_t t1 = rdtsc();
        if (i >= 0) samples[i] = t1 - t0;
        if (i == m - 1) report("open_close", samples, m, 0);
    }
    for (int i = -10; i < m; i++) {
        struct stat st;
        uint64_t t0 = rdtsc();
        int r = stat(path, &st);
        uint64_t t1 = rdtsc();
        if (r != 0) { failed("stat", "stat"); break; }
        if (st.st_size != FILE_BYTES) { errno = EIO; failed("stat", "stat (wrong size)"); break; }
        if (i >= 0) samples[i] = t1 - t0;
        if (i == m - 1) report("stat", samples, m, 0);
    }
    if (unlink(path) != 0) failed("file_cleanup", "unlink");
}

/* ---------------------------------------------------------------- anonymous page faults */

#define FAULT_PAGES 256
static void page_fault_benchmark(void)
{
    long page = sysconf(_SC_PAGESIZE);
    int rounds = scale >= 10 ? 8 : 1, n = 0;
    for (int round = 0; round < rounds; round++) {
        char *p = mmap(NULL, (size_t)(FAULT_PAGES * page), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) { failed("page_fault", "mmap"); return; }
        for (int i = 0; i < FAULT_PAGES; i++) {
            volatile char *at = p + (long)i * page;
            uint64_t t0 = rdtsc();
            *at = 1;
            uint64_t t1 = rdtsc();
            samples[n++] = t1 - t0;
        }
        if (munmap(p, (size_t)(FAULT_PAGES * page)) != 0) { failed("page_fault", "munmap"); return; }
    }
    report("page_fault", samples, n, 0);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--exit") == 0) return 0;
        else if (strcmp(argv[i], "--quick") == 0) scale = 1;
        else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) work_dir = argv[++i];
        else { fprintf(stderr, "posixbench: unknown argument '%s'\n", argv[i]); return 2; }
    }
    if (argc > 0 && argv[0][0] == '/') self_path = argv[0];
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("posixbench start self=%s dir=%s scale=%d\n", self_path, work_dir, scale);
    calibrate();
    pipe_benchmarks();
    spawn_benchmark("fork_exit_wait", 0, 100);
    spawn_benchmark("fork_exec_wait", 1, 50);
    syscall_benchmark("getpid", SYS_getpid);
    syscall_benchmark("getppid", SYS_getppid);
    syscall_benchmark("getuid", SYS_getuid);
    file_benchmarks();
    page_fault_benchmark();
    printf("posixbench done\n");
    return 0;
}
