/* pagerapp — the application of the user-space pager tests (issue 8 option; pagerhost.c, a
   miniature posix, runs it; tests/manifests/mm-pager, mm-pager-kill). Its demand-zero faults go to
   whichever pager the kernel has (mm, pagerhost itself, or none). Modes (argv[1]):
     touch  maps 1 GiB (MAP_NORESERVE) and touches 1,000 pages spread evenly over it (one every 262
            pages: 1 GiB / 1,000, in pages), each first read (must be 0: a zeroed page), then
            written; times each first touch with RDTSC; checks every value; reports (forwarded
            call 1100: touches, total cycles) and exits 0 (2 if a page was not zero, 3 if a value
            was lost);
     three  maps 3 pages and writes and checks each (the mechanism's cases), exits 0 or 3;
     fork   writes 16 pages, forks (forwarded fork): the child sees the parent's values, writes its
            own (copy-on-write), touches 4 fresh pages, exits 0; the parent waits (forwarded wait4,
            polled), checks its values survived and exits 0 (4 if the child failed, 5 if its own
            values changed);
     long   rounds of 256 fresh pages (1 MiB mapped, touched, checked, unmapped); after each round
            a forwarded call 1101 whose answer says go on (0) or stop (1); exits 0 or 3. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include "biscuit.h"

enum { SYS_mmap_ = 9, SYS_munmap_ = 11, SYS_nanosleep_ = 35, SYS_fork_ = 57, SYS_wait4_ = 61, SYS_exit_group_ = 231,
       SYS_report_ = 1100, SYS_round_ = 1101 };

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
    return ((uint64_t)hi << 32) | lo;
}

static volatile char *map(unsigned long bytes)
{
    long r = bsys6(SYS_mmap_, 0, (long)bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (r < 0) bsys1(SYS_exit_group_, 6);
    return (volatile char *)r;
}

static void quit(int status) { bsys1(SYS_exit_group_, status); }

static int touch(void)
{
    const unsigned long bytes = 1UL << 30, touches = 1000, stride = (bytes / touches) & ~4095UL;
    volatile char *base = map(bytes);
    uint64_t cycles = 0;
    for (unsigned long i = 0; i < touches; i++)
    {
        uint64_t before = rdtsc();
        char first = base[i * stride];
        cycles += rdtsc() - before;
        if (first != 0) return 2;
        base[i * stride] = (char)(i | 1);
    }
    for (unsigned long i = 0; i < touches; i++)
        if (base[i * stride] != (char)(i | 1)) return 3;
    bsys2(SYS_report_, touches, cycles);
    return 0;
}

static int three(void)
{
    volatile char *base = map(3 * 4096);
    for (int i = 0; i < 3; i++) base[i * 4096] = (char)(0x40 + i);
    for (int i = 0; i < 3; i++) if (base[i * 4096] != (char)(0x40 + i)) return 3;
    return 0;
}

static int fork_case(void)
{
    volatile char *mine = map(16 * 4096);
    for (int i = 0; i < 16; i++) mine[i * 4096] = 'P';
    long pid = bsys0(SYS_fork_);
    if (pid < 0) return 7;
    if (pid == 0)
    {
        for (int i = 0; i < 16; i++) if (mine[i * 4096] != 'P') quit(8);
        for (int i = 0; i < 16; i++) mine[i * 4096] = 'C';
        for (int i = 0; i < 16; i++) if (mine[i * 4096] != 'C') quit(9);
        volatile char *fresh = map(4 * 4096);
        for (int i = 0; i < 4; i++) { if (fresh[i * 4096] != 0) quit(10); fresh[i * 4096] = 'F'; }
        quit(0);
    }
    struct timespec pause = { 0, 2 * 1000 * 1000 };
    int status = -1;
    for (;;)
    {
        long r = bsys4(SYS_wait4_, pid, &status, 1 /* WNOHANG */, 0);
        if (r == pid) break;
        if (r < 0) return 11;
        bsys2(SYS_nanosleep_, &pause, 0);
    }
    if (status != 0) return 4;
    for (int i = 0; i < 16; i++) if (mine[i * 4096] != 'P') return 5;
    return 0;
}

static int long_case(void)
{
    for (unsigned long round = 0;; round++)
    {
        volatile char *base = map(1UL << 20);
        for (int i = 0; i < 256; i++) base[i * 4096] = (char)(round + i);
        for (int i = 0; i < 256; i++) if (base[i * 4096] != (char)(round + i)) return 3;
        bsys2(SYS_munmap_, base, 1UL << 20);
        if (bsys1(SYS_round_, round) != 0) return 0;
    }
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    int status = !strcmp(mode, "touch") ? touch() : !strcmp(mode, "three") ? three() : !strcmp(mode, "fork") ? fork_case()
               : !strcmp(mode, "long") ? long_case() : 12;
    quit(status);
    return status;
}
