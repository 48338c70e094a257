/* memtest — the kernel's memory accounting and page quotas (issue 8), run as the first process.
   memory_info (0x854) is read for the caller and for a child through its handle; memory_set_quota
   (0x855) is set by the holder of a child's handle. The child is this same program with argument
   "hog": it checks that mmap refuses a mapping larger than its quota, then touches page after page
   of one as large as its quota until the kernel kills it (SIGKILL) for going beyond the quota.
   Prints "ok - NAME" / "not ok - NAME: why"; exits with the number of failures. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include "biscuit.h"
#include "check.h"

enum { EPERM_ = 1, ESRCH_ = 3, EBADF_ = 9, ENOMEM_ = 12, EFAULT_ = 14, EINVAL_ = 22, SIGKILL_ = 9 };
enum { SYS_mmap_ = 9, SYS_munmap_ = 11 };
enum { CENSUS_APPLICATION = 1, CENSUS_INIT = 2 };
enum { PAGE = 4096, HOG_QUOTA_PAGES = 400 };
#define GIB (1UL << 30)

/* memory_info's answer (Syscalls.md "Memory"). */
struct memory_info {
    uint64_t resident_pages, shared_pages, page_faults, copies_on_write, quota_pages;
    uint64_t free_frames, used_frames, total_frames;
    uint64_t cow_faults, pages_copied, demand_zero_faults, quota_kills;
};

/* One process in memory_census's answer. */
struct census_entry {
    uint64_t id, resident_pages, quota_pages, page_faults, copies_on_write, flags;
    char name[32];
};

static struct memory_info info_of(uint32_t process)
{
    struct memory_info m;
    memset(&m, 0xFF, sizeof m);
    bsys3(SYS_memory_info, process, &m, sizeof m);
    return m;
}

static uint64_t tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static struct system_info system(void)
{
    struct system_info s;
    bsys2(SYS_system_info, &s, sizeof s);
    return s;
}

static long map(size_t length, int prot, int flags)
{
    return bsys6(SYS_mmap_, 0, (long)length, prot, flags, -1, 0);
}

/* Waits for a process to end; returns its wait status or a negative errno. */
static long wait_exit(uint32_t process, long ms)
{
    long n = bsys0(SYS_notification_create);
    if (n < 0) return n;
    long r = bsys3(SYS_process_watch, process, n, 1);
    if (r == 0) r = bsys2(SYS_notify_wait, n, ms);
    bsys1(SYS_handle_close, n);
    if (r < 0) return r;
    return bsys1(SYS_process_status, process);
}

static int t_caller(void)
{
    struct memory_info m = info_of(0);
    struct system_info s = system();
    EXPECT_EQ(bsys3(SYS_memory_info, 0, &m, sizeof m), sizeof m);
    EXPECT(m.resident_pages > 10 && m.resident_pages < 4096, "resident pages %lu", (unsigned long)m.resident_pages);
    EXPECT_EQ(m.quota_pages, (256UL << 20) / PAGE);              /* the kernel's default budget */
    EXPECT_EQ(m.total_frames, s.total_frames);
    EXPECT_EQ(m.free_frames + m.used_frames, m.total_frames);
    EXPECT_EQ(m.free_frames, s.free_frames);
    EXPECT_EQ(m.shared_pages, 0);                                 /* nothing forked */
    return 1;
}

/* 1 GiB of address space (MAP_NORESERVE: larger than the quota, so not accounted up front, as on
   Linux), one page touched in every 262: 1,000 pages. */
static int t_sparse(void)
{
    long base = map(GIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE);
    EXPECT(base > 0, "mmap of 1 GiB: %ld", base);
    struct memory_info before = info_of(0);
    uint64_t start = tsc();
    for (unsigned long i = 0; i < 1000; i++) ((volatile char *)base)[i * 262 * PAGE] = 1;
    uint64_t cycles = tsc() - start;
    struct memory_info after = info_of(0);
    /* A figure, not a check: what a demand-zero fault costs here (QEMU TCG: emulated cycles). */
    printf("memtest: a demand-zero fault costs %lu TSC cycles (mean of 1,000 spread over 1 GiB, page tables included)\n",
           (unsigned long)(cycles / 1000));
    start = tsc();
    for (unsigned long i = 0; i < 256; i++) ((volatile char *)base)[(1 + i) * PAGE] = 1;   /* pages 1..256: none touched yet */
    printf("memtest: a demand-zero fault costs %lu TSC cycles (mean of 256 consecutive pages)\n", (unsigned long)((tsc() - start) / 256));
    unsigned long resident = after.resident_pages - before.resident_pages;
    unsigned long faults = after.page_faults - before.page_faults;
    unsigned long used = after.used_frames - before.used_frames;
    EXPECT(resident >= 1000 && resident <= 1002, "resident pages grew by %lu", resident);
    EXPECT(faults >= 1000 && faults <= 1002, "page faults grew by %lu", faults);
    /* 1,000 frames and the page tables over 1 GiB (at most 512 + 2 of them). */
    EXPECT(used >= 1000 && used <= 1000 + 514 + 2, "used frames grew by %lu", used);
    EXPECT_EQ(bsys2(SYS_munmap_, base, GIB), 0);
    EXPECT_EQ(info_of(0).resident_pages, before.resident_pages);
    return 1;
}

static int t_overcommit(void)
{
    size_t quota = info_of(0).quota_pages * PAGE;
    EXPECT_EQ(map(quota + PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS), -ENOMEM_);
    EXPECT_EQ(map(quota + PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS), -ENOMEM_);
    long a = map(quota + PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE);
    long b = map(quota + PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS);
    long c = map(quota, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
    EXPECT(a > 0 && b > 0 && c > 0, "mmap: %ld, %ld, %ld", a, b, c);
    EXPECT_EQ(bsys2(SYS_munmap_, a, quota + PAGE), 0);
    EXPECT_EQ(bsys2(SYS_munmap_, b, quota + PAGE), 0);
    EXPECT_EQ(bsys2(SYS_munmap_, c, quota), 0);
    return 1;
}

static int t_info_bad_input(void)
{
    struct memory_info m;
    EXPECT_EQ(bsys3(SYS_memory_info, 12345, &m, sizeof m), -EBADF_);
    long n = bsys0(SYS_notification_create);
    EXPECT_EQ(bsys3(SYS_memory_info, n, &m, sizeof m), -EBADF_);          /* not a process */
    bsys1(SYS_handle_close, n);
    EXPECT_EQ(bsys3(SYS_memory_info, 0, 0x10, sizeof m), -EFAULT_);
    EXPECT_EQ(bsys3(SYS_memory_info, 0, 0xFFFF800000100000UL, sizeof m), -EFAULT_);
    uint64_t two[3] = { 7, 7, 7 };
    EXPECT_EQ(bsys3(SYS_memory_info, 0, two, 16), 16);                   /* what fits, nothing more */
    EXPECT(two[0] > 0 && two[2] == 7, "short answer: %lu, %lu", (unsigned long)two[0], (unsigned long)two[2]);
    return 1;
}

static long spawn_hog(void)
{
    static const char args[] = "memtest\0hog";
    return spawn("memtest", args, sizeof args, NULL, 0);
}

static int t_quota_bad_input(void)
{
    long child = spawn_hog();
    EXPECT(child > 0, "spawn: %ld", child);
    struct memory_info m = info_of((uint32_t)child);
    EXPECT(m.resident_pages > 0, "the child holds %lu pages", (unsigned long)m.resident_pages);
    EXPECT_EQ(bsys2(SYS_memory_set_quota, child, 0), -EINVAL_);
    EXPECT_EQ(bsys2(SYS_memory_set_quota, child, m.resident_pages - 1), -EINVAL_);
    EXPECT_EQ(bsys2(SYS_memory_set_quota, child, m.total_frames + 1), -EINVAL_);
    EXPECT_EQ(bsys2(SYS_memory_set_quota, 12345, 1000), -EBADF_);
    long weak = bsys3(SYS_handle_dup, child, R_DUPLICATE, 0);
    EXPECT(weak > 0, "handle_dup: %ld", weak);
    EXPECT_EQ(bsys2(SYS_memory_set_quota, weak, 1000), -EPERM_);
    EXPECT_EQ(info_of((uint32_t)weak).quota_pages, m.quota_pages);       /* reading needs no right */
    EXPECT_EQ(bsys2(SYS_memory_set_quota, child, 5000), 0);
    EXPECT_EQ(info_of((uint32_t)child).quota_pages, 5000);
    bsys1(SYS_process_kill, child);
    EXPECT_EQ(bsys3(SYS_memory_info, child, &m, sizeof m), -ESRCH_);      /* dead */
    bsys1(SYS_handle_close, weak);
    bsys1(SYS_handle_close, child);
    return 1;
}

static struct memory_info quota_killed;
static int t_quota_kill(void)
{
    struct system_info before = system();
    struct memory_info counters = info_of(0);
    long child = spawn_hog();
    EXPECT(child > 0, "spawn: %ld", child);
    EXPECT_EQ(bsys2(SYS_memory_set_quota, child, HOG_QUOTA_PAGES), 0);
    long status = wait_exit((uint32_t)child, 20000);
    EXPECT_EQ(status, SIGKILL_);
    bsys1(SYS_handle_close, child);
    struct system_info after = system();
    EXPECT_EQ(after.free_frames, before.free_frames);
    EXPECT_EQ(after.free_processes, before.free_processes);
    quota_killed = info_of(0);
    EXPECT_EQ(quota_killed.quota_kills, counters.quota_kills + 1);
    return 1;
}

/* The child: waits for its parent to set its quota, checks it, then hogs. Exit codes say what
   went wrong if it is not killed: 2 quota not seen, 3 mmap beyond the quota allowed, 4 survived. */
static int hog(void)
{
    bsys1(SYS_thread_sleep, 200);
    struct memory_info m = info_of(0);
    if (m.quota_pages != HOG_QUOTA_PAGES) return 2;
    if (map((HOG_QUOTA_PAGES + 1) * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS) != -ENOMEM_) return 3;
    long base = map(HOG_QUOTA_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
    if (base < 0) return 5;
    for (unsigned long i = 0; i < HOG_QUOTA_PAGES; i++) ((volatile char *)base)[i * PAGE] = 1;
    return 4;
}

/* The device manager: the first process's handle 0, the census's proof of authority. */
static uint32_t authority(void) { return initial_handle(0); }

static int t_census(void)
{
    long child = spawn_hog();
    EXPECT(child > 0, "spawn: %ld", child);
    static struct census_entry entries[64];
    long n = bsys3(SYS_memory_census, authority(), entries, 64);
    struct memory_info mine = info_of(0);
    bsys1(SYS_process_kill, child);
    bsys1(SYS_handle_close, child);
    EXPECT(n >= 2, "census: %ld", n);
    int found_self = 0, found_child = 0;
    for (long i = 0; i < n; i++)
    {
        EXPECT(strcmp(entries[i].name, "memtest") == 0, "an unexpected process: %s", entries[i].name);
        EXPECT((entries[i].flags & CENSUS_APPLICATION) == 0, "%s is called an application", entries[i].name);
        if (entries[i].flags & CENSUS_INIT)
        {
            found_self++;
            EXPECT_EQ(entries[i].resident_pages, mine.resident_pages);
            EXPECT_EQ(entries[i].quota_pages, mine.quota_pages);
        }
        else found_child++;
    }
    EXPECT(found_self == 1 && found_child == 1, "init %d times, its child %d times", found_self, found_child);
    EXPECT_EQ(bsys3(SYS_memory_census, authority(), entries, 1), 1);     /* no more than asked */
    return 1;
}

static int t_census_bad_input(void)
{
    static struct census_entry entries[4];
    long weak = bsys3(SYS_handle_dup, authority(), R_DUPLICATE, 0);
    long notification = bsys0(SYS_notification_create);
    EXPECT(weak > 0 && notification > 0, "handles: %ld %ld", weak, notification);
    EXPECT_EQ(bsys3(SYS_memory_census, weak, entries, 4), -EPERM_);
    EXPECT_EQ(bsys3(SYS_memory_census, notification, entries, 4), -EBADF_);
    EXPECT_EQ(bsys3(SYS_memory_census, authority(), entries, 0), -EINVAL_);
    EXPECT_EQ(bsys3(SYS_memory_census, authority(), 0x10, 4), -EFAULT_);
    EXPECT_EQ(bsys2(SYS_memory_oom_kill, weak, 1), -EPERM_);
    EXPECT_EQ(bsys2(SYS_memory_oom_kill, notification, 1), -EBADF_);
    long child = spawn_hog();
    EXPECT(child > 0, "spawn: %ld", child);
    long n = bsys3(SYS_memory_census, authority(), entries, 4);
    uint64_t self = 0, other = 0;
    for (long i = 0; i < n; i++)
        if (entries[i].flags & CENSUS_INIT) self = entries[i].id; else other = entries[i].id;
    EXPECT_EQ(bsys2(SYS_memory_oom_kill, authority(), self), -EPERM_);    /* never init */
    EXPECT_EQ(bsys2(SYS_memory_oom_kill, authority(), other), -EPERM_);   /* never a server */
    EXPECT_EQ(bsys2(SYS_memory_oom_kill, authority(), 999999), -ESRCH_);
    EXPECT_EQ(bsys1(SYS_process_status, child), -11);                      /* EAGAIN: still alive */
    bsys1(SYS_process_kill, child);
    bsys1(SYS_handle_close, child);
    bsys1(SYS_handle_close, weak);
    bsys1(SYS_handle_close, notification);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "hog")) return hog();
    setvbuf(stdout, 0, _IONBF, 0);
    run("memory_info of the caller reports its resident pages, its quota and the system's frames", t_caller);
    run("a 1 GiB mapping touched at 1,000 pages (1 in 262) adds 1,000 resident pages and 1,000 page faults", t_sparse);
    run("mmap of a mapping larger than the page quota is ENOMEM unless MAP_NORESERVE or PROT_NONE", t_overcommit);
    run("memory_info with a bad handle is EBADF, with a bad buffer EFAULT, and a short buffer gets what fits", t_info_bad_input);
    run("memory_set_quota refuses 0, less than resident, more than the machine (EINVAL) and a handle without Control (EPERM)", t_quota_bad_input);
    run("a process that faults beyond its quota is killed with SIGKILL and gives back every frame", t_quota_kill);
    run("memory_census lists every live process with its resident pages and quota, and marks init", t_census);
    run("memory_census and memory_oom_kill need the device manager with Control; oom_kill refuses init and servers (EPERM) and unknown ids (ESRCH)", t_census_bad_input);
    printf("memtest: %d passed, %d failed\n", passed, failed);
    return failed;
}
