/* memhog — the application mm's out-of-memory policy must stop (issue 8), run by oomhost.c (a
   miniature posix). It maps 1 GiB (MAP_NORESERVE: more than the machine has) and touches it page by
   page, saying how far it got after every MiB (a forwarded write) and pausing 1 ms there, until it
   is killed. If it ever gets through the whole GiB it exits 0, which oomhost reports as a failure. */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <time.h>
#include "biscuit.h"

enum { SYS_write_ = 1, SYS_mmap_ = 9, SYS_nanosleep_ = 35, SYS_exit_group_ = 231 };

int main(void)
{
    const unsigned long bytes = 1UL << 30;
    volatile char *base = (volatile char *)bsys6(SYS_mmap_, 0, (long)bytes, PROT_READ | PROT_WRITE,
                                                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if ((long)base < 0) bsys1(SYS_exit_group_, 3);
    struct timespec pause = { 0, 1000 * 1000 };
    char line[] = "hog: 0000 MiB\n";
    for (unsigned long mib = 0; mib < bytes >> 20; mib++)
    {
        for (unsigned long page = 0; page < 256; page++) base[(mib << 20) + page * 4096] = 1;
        unsigned long n = mib + 1;
        for (int d = 8; d >= 5; d--) { line[d] = (char)('0' + n % 10); n /= 10; }
        bsys3(SYS_write_, 1, line, sizeof line - 1);
        bsys2(SYS_nanosleep_, &pause, 0);
    }
    bsys1(SYS_exit_group_, 0);
    return 0;
}
