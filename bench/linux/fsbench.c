/* fsbench — one static program (musl-gcc -static) run unchanged on the Debian Linux guest and on
   Biscuit (as posix's first program), on the same ext3 disk image over virtio-blk, so that each file
   system operation has a Biscuit/Linux ratio measured on the same emulated machine in the same
   minutes (`./biscuit bench fs`, bench/README.md). Built by bench/linux/build.sh into the Linux
   guest's initramfs as /bin/fsbench; the benchmark adds that very file to Biscuit's root disk.

   Phases, in this order, each on DIR (default /tmp):
     seq_write   write a file of SIZE MiB in 64 KiB write(2)s, then fsync(2); timed together
     seq_read    read it back in 64 KiB read(2)s (after the page cache was dropped where the system can)
     rand_read   OPS pread(2)s of 4 KiB at random 4 KiB-aligned offsets of that file (the cache
                 dropped again first); the file is SIZE MiB, so the span is larger than any cache
                 that is smaller than the file (the host says which caches are)
     create      FILES files in a fresh directory: open(O_CREAT|O_EXCL) + write 64 bytes + close
     stat        stat(2) of each of them
     unlink      unlink(2) of each of them (then the directory is removed)
   Every block of the large file carries its own offset in its first 8 bytes; reads check it, so a
   read that returns wrong data is an error, not a figure.

   Output lines (stdout, line-buffered):
     fsbench start dir=DIR size_mib=S files=F rand_ops=R
     fsbench tsc_ghz=G
     fsbench PHASE ops=N bytes=B cycles=C ns=T [fsync_cycles=F] [median_cycles=M p99_cycles=P]
     fsbench cache PHASE dropped | fsbench cache PHASE kept: CALL: errno=NAME (message)
     fsbench gc PHASE before|LINE   and   fsbench gc PHASE after|LINE   (each line of /proc/biscuit/gc)
     fsbench cpu PHASE before|LINE  and   fsbench cpu PHASE after|LINE  (each line of /proc/biscuit/cpu)
     fsbench done
   cycles are rdtsc around the phase (both guests read the same emulated TSC); ns are those cycles
   at the rate this guest measured against CLOCK_MONOTONIC (tsc_ghz). The /proc/biscuit files exist
   on Biscuit only (posix serves them; the host reads the fs server's GC and CPU figures from the
   dumps); where they do not exist nothing is printed for them. A call that fails prints
     fsbench PHASE failed: CALL: errno=NAME (message)
   and the program goes on with the next phase that does not depend on it.
   Options: --quick (smaller defaults: a smoke run), --size-mib N, --files N, --rand-ops N, --dir DIR. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (64 * 1024)
#define BLOCK 4096
#define SMALL_FILE_BYTES 64
#define MAX_RAND_OPS 100000

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
    case ENOMEM: return "ENOMEM"; case EFAULT: return "EFAULT"; case EEXIST: return "EEXIST";
    case ENOTDIR: return "ENOTDIR"; case EISDIR: return "EISDIR"; case EINVAL: return "EINVAL";
    case ENFILE: return "ENFILE"; case EMFILE: return "EMFILE"; case EFBIG: return "EFBIG";
    case ENOSPC: return "ENOSPC"; case EROFS: return "EROFS"; case ENOSYS: return "ENOSYS";
    case ENAMETOOLONG: return "ENAMETOOLONG"; case ENOTEMPTY: return "ENOTEMPTY";
    case EACCES: return "EACCES"; case EOVERFLOW: return "EOVERFLOW"; default: return "E?";
    }
}

/* Reports a failed call of phase `name` with errno. */
static void failed(const char *name, const char *call)
{
    int e = errno;
    printf("fsbench %s failed: %s: errno=%s (%s)\n", name, call, errno_name(e), strerror(e));
}

/* Reports data that came back wrong (errno is meaningless here). */
static void corrupt(const char *name, uint64_t offset, uint64_t found)
{
    printf("fsbench %s failed: bad data at offset %llu: block tagged %llu: errno=EIO (data check)\n", name,
           (unsigned long long)offset, (unsigned long long)found);
}

static double cycles_per_ns;

static uint64_t monotonic_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* TSC cycles per ns over a 200 ms busy wait on CLOCK_MONOTONIC (as posixbench does). */
static void calibrate(void)
{
    uint64_t n0 = monotonic_ns(), c0 = rdtsc(), n1, c1;
    do { n1 = monotonic_ns(); c1 = rdtsc(); } while (n1 - n0 < 200000000u);
    cycles_per_ns = (double)(c1 - c0) / (double)(n1 - n0);
    printf("fsbench tsc_ghz=%.3f\n", cycles_per_ns);
}

static void figure(const char *name, long ops, uint64_t bytes, uint64_t cycles)
{
    printf("fsbench %s ops=%ld bytes=%llu cycles=%llu ns=%.0f", name, ops, (unsigned long long)bytes,
           (unsigned long long)cycles, cycles / cycles_per_ns);
}

/* ---------------------------------------------------------------- Biscuit's /proc dumps */

/* Prints every line of `path` prefixed "fsbench KIND PHASE WHEN|"; nothing if it cannot be opened
   (the Linux guest has no /proc/biscuit). */
static void dump(const char *path, const char *kind, const char *phase, const char *when)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) return;
    char line[512];
    while (fgets(line, sizeof line, f) != NULL) {
        size_t n = strlen(line);
        if (n > 0 && line[n - 1] == '\n') line[--n] = '\0';
        printf("fsbench %s %s %s|%s\n", kind, phase, when, line);
    }
    fclose(f);
}

static void server_figures(const char *phase, const char *when)
{
    dump("/proc/biscuit/gc", "gc", phase, when);
    dump("/proc/biscuit/cpu", "cpu", phase, when);
}

/* Empties Linux's page cache (clean pages, dentries, inodes) so the next read goes to the disk;
   elsewhere (Biscuit) says why it could not, and the host reports what caches there are. */
static void drop_caches(const char *phase)
{
    int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
    if (fd < 0) {
        int e = errno;
        printf("fsbench cache %s kept: open /proc/sys/vm/drop_caches: errno=%s (%s)\n", phase, errno_name(e), strerror(e));
        return;
    }
    sync();   /* only dirty pages written back can be dropped (the file itself was fsynced already) */
    if (write(fd, "3\n", 2) != 2) {
        int e = errno;
        printf("fsbench cache %s kept: write /proc/sys/vm/drop_caches: errno=%s (%s)\n", phase, errno_name(e), strerror(e));
    } else {
        printf("fsbench cache %s dropped\n", phase);
    }
    close(fd);
}

/* ---------------------------------------------------------------- the large file */

static char chunk[CHUNK];

/* Fills `chunk` as the file holds it at `offset`: each 4 KiB block starts with its offset. */
static void fill(uint64_t offset)
{
    for (int b = 0; b < CHUNK; b += BLOCK) memcpy(chunk + b, &offset, sizeof offset), offset += BLOCK;
}

/* 0 if every block of `buf` (`length` bytes read at `offset`) carries its offset; else reports. */
static int check(const char *name, const char *buf, size_t length, uint64_t offset)
{
    for (size_t b = 0; b < length; b += BLOCK, offset += BLOCK) {
        uint64_t tag;
        memcpy(&tag, buf + b, sizeof tag);
        if (tag != offset) { corrupt(name, offset, tag); return -1; }
    }
    return 0;
}

/* Writes `bytes` to `path` then fsyncs; 0 on success. */
static int sequential_write(const char *path, uint64_t bytes)
{
    memset(chunk, 'f', sizeof chunk);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) { failed("seq_write", "open"); return -1; }
    uint64_t t0 = rdtsc();
    for (uint64_t at = 0; at < bytes; at += CHUNK) {
        fill(at);
        ssize_t w = write(fd, chunk, CHUNK);
        if (w != CHUNK) { if (w >= 0) errno = ENOSPC; failed("seq_write", "write"); close(fd); return -1; }
    }
    uint64_t t1 = rdtsc();
    if (fsync(fd) != 0) { failed("seq_write", "fsync"); close(fd); return -1; }
    uint64_t t2 = rdtsc();
    if (close(fd) != 0) { failed("seq_write", "close"); return -1; }
    figure("seq_write", (long)(bytes / CHUNK), bytes, t2 - t0);
    printf(" fsync_cycles=%llu\n", (unsigned long long)(t2 - t1));
    return 0;
}

static void sequential_read(const char *path, uint64_t bytes)
{
    static char buf[CHUNK];
    int fd = open(path, O_RDONLY);
    if (fd < 0) { failed("seq_read", "open"); return; }
    uint64_t t0 = rdtsc(), at = 0;
    while (at < bytes) {
        ssize_t r = read(fd, buf, CHUNK);
        if (r < 0) { failed("seq_read", "read"); close(fd); return; }
        if (r == 0) { errno = EIO; failed("seq_read", "read (early end of file)"); close(fd); return; }
        if (r % BLOCK != 0) { errno = EIO; failed("seq_read", "read (not whole blocks)"); close(fd); return; }
        if (check("seq_read", buf, (size_t)r, at) != 0) { close(fd); return; }
        at += (uint64_t)r;
    }
    uint64_t t1 = rdtsc();
    close(fd);
    figure("seq_read", (long)(bytes / CHUNK), bytes, t1 - t0);
    printf("\n");
}

static int compare(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t samples[MAX_RAND_OPS];

static void random_read(const char *path, uint64_t bytes, int ops)
{
    static char buf[BLOCK];
    uint64_t blocks = bytes / BLOCK, state = 0x9E3779B97F4A7C15ull, total = 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0) { failed("rand_read", "open"); return; }
    for (int i = 0; i < ops; i++) {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17;   /* xorshift64: the same offsets on both guests */
        uint64_t offset = (state % blocks) * BLOCK;
        uint64_t t0 = rdtsc();
        ssize_t r = pread(fd, buf, BLOCK, (off_t)offset);
        uint64_t t1 = rdtsc();
        if (r != BLOCK) { if (r >= 0) errno = EIO; failed("rand_read", "pread"); close(fd); return; }
        if (check("rand_read", buf, BLOCK, offset) != 0) { close(fd); return; }
        samples[i] = t1 - t0;
        total += t1 - t0;
    }
    close(fd);
    qsort(samples, (size_t)ops, sizeof samples[0], compare);
    figure("rand_read", ops, (uint64_t)ops * BLOCK, total);
    printf(" median_cycles=%llu p99_cycles=%llu\n", (unsigned long long)samples[ops / 2],
           (unsigned long long)samples[(int)(ops * 0.99)]);
}

/* ---------------------------------------------------------------- small files */

static void name_of(char *out, size_t size, const char *dir, int i) { snprintf(out, size, "%.400s/f%05d", dir, i % 100000); }

/* Creates `files` files in `dir`; returns how many exist afterwards (all of them on success). */
static int create_files(const char *dir, int files)
{
    char path[512], data[SMALL_FILE_BYTES];
    memset(data, 's', sizeof data);
    uint64_t t0 = rdtsc();
    for (int i = 0; i < files; i++) {
        name_of(path, sizeof path, dir, i);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (fd < 0) { failed("create", "open"); return i; }
        if (write(fd, data, sizeof data) != (ssize_t)sizeof data) { failed("create", "write"); close(fd); return i + 1; }
        if (close(fd) != 0) { failed("create", "close"); return i + 1; }
    }
    uint64_t t1 = rdtsc();
    figure("create", files, (uint64_t)files * SMALL_FILE_BYTES, t1 - t0);
    printf("\n");
    return files;
}

static void stat_files(const char *dir, int files)
{
    char path[512];
    struct stat st;
    uint64_t t0 = rdtsc();
    for (int i = 0; i < files; i++) {
        name_of(path, sizeof path, dir, i);
        if (stat(path, &st) != 0) { failed("stat", "stat"); return; }
        if (st.st_size != SMALL_FILE_BYTES) { errno = EIO; failed("stat", "stat (wrong size)"); return; }
    }
    uint64_t t1 = rdtsc();
    figure("stat", files, 0, t1 - t0);
    printf("\n");
}

/* Unlinks the first `files` files of `dir` (timed only if all go), then the directory. */
static void unlink_files(const char *dir, int files, int timed)
{
    char path[512];
    uint64_t t0 = rdtsc();
    for (int i = 0; i < files; i++) {
        name_of(path, sizeof path, dir, i);
        if (unlink(path) != 0) { failed("unlink", "unlink"); timed = 0; }
    }
    uint64_t t1 = rdtsc();
    if (timed) { figure("unlink", files, 0, t1 - t0); printf("\n"); }
    if (rmdir(dir) != 0) failed("files_cleanup", "rmdir");
}

/* ---------------------------------------------------------------- main */

static int positive(const char *s, long max)
{
    char *end;
    long v = strtol(s, &end, 10);
    return *s != '\0' && *end == '\0' && v > 0 && v <= max ? (int)v : -1;
}

int main(int argc, char **argv)
{
    const char *dir = "/tmp";
    int size_mib = 1024, files = 2000, rand_ops = 4000;
    for (int i = 1; i < argc; i++)   /* --quick sets smaller defaults; the options below override them */
        if (strcmp(argv[i], "--quick") == 0) size_mib = 32, files = 200, rand_ops = 400;
    for (int i = 1; i < argc; i++) {
        int *target = NULL;
        long max = 0;
        if (strcmp(argv[i], "--quick") == 0) continue;
        if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc && strlen(argv[i + 1]) <= 400) { dir = argv[++i]; continue; }
        if (strcmp(argv[i], "--size-mib") == 0) target = &size_mib, max = 1 << 20;
        else if (strcmp(argv[i], "--files") == 0) target = &files, max = 99999;
        else if (strcmp(argv[i], "--rand-ops") == 0) target = &rand_ops, max = MAX_RAND_OPS;
        if (target == NULL || i + 1 >= argc || (*target = positive(argv[i + 1], max)) < 0) {
            fprintf(stderr, "fsbench: bad argument '%s'%s%s (options: --quick, --dir DIR (at most 400 bytes), --size-mib N, --files N, --rand-ops N)\n",
                    argv[i], i + 1 < argc ? " " : "", i + 1 < argc ? argv[i + 1] : "");
            return 2;
        }
        i++;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("fsbench start dir=%s size_mib=%d files=%d rand_ops=%d\n", dir, size_mib, files, rand_ops);
    calibrate();

    char big[512], small[512];
    snprintf(big, sizeof big, "%s/fsbench.dat", dir);
    snprintf(small, sizeof small, "%s/fsbench-files", dir);
    uint64_t bytes = (uint64_t)size_mib << 20;

    server_figures("seq_write", "before");
    int written = sequential_write(big, bytes) == 0;
    server_figures("seq_write", "after");
    if (written) {
        drop_caches("seq_read");
        server_figures("seq_read", "before");
        sequential_read(big, bytes);
        server_figures("seq_read", "after");
        drop_caches("rand_read");
        server_figures("rand_read", "before");
        random_read(big, bytes, rand_ops);
        server_figures("rand_read", "after");
    } else {
        printf("fsbench seq_read failed: not run: seq_write failed\n");
        printf("fsbench rand_read failed: not run: seq_write failed\n");
    }
    if (unlink(big) != 0 && errno != ENOENT) failed("file_cleanup", "unlink");

    if (mkdir(small, 0755) != 0) {
        failed("create", "mkdir");
    } else {
        server_figures("create", "before");
        int created = create_files(small, files);
        server_figures("create", "after");
        if (created == files) {
            server_figures("stat", "before");
            stat_files(small, files);
            server_figures("stat", "after");
        } else {
            printf("fsbench stat failed: not run: create failed\n");
        }
        server_figures("unlink", "before");
        unlink_files(small, created, created == files);
        server_figures("unlink", "after");
    }
    printf("fsbench done\n");
    return 0;
}
