/* oomhost — the other side of mm's out-of-memory test (issue 8; tests/manifests/mm): a miniature
   posix, started by init as a server, that builds the application "memhog" (appload.h) with its own
   endpoint (initial handle 0) as memhog's personality, lifts memhog's page quota to the whole machine
   (so that only mm's policy can stop it), and serves its forwarded writes while memhog eats memory.
   Then it checks that memhog was killed with SIGKILL, that memory came back, and that it itself —
   a server — keeps working: it maps and touches 8 MiB. Prints "ok - NAME" / "not ok - NAME: why";
   exits with the number of failures. With the argument "idle" it only sleeps 3 s and exits 0 (the
   wait program of tests/manifests/mm-noauth, where mm is started without its authority).
   With the argument "reserve" (tests/manifests/reserve: no mm at all) it checks the kernel's servers'
   reserve (microkernel/Kernel/Memory/UserFrames.cs: the last 1/256 of memory is for servers): it
   first eats memory itself, a server, well into the reserve and gives it back; then memhog, its
   quota lifted, eats until the kernel refuses it a frame with only the reserve left, and dies of
   SIGSEGV (nothing else stops it: there is no mm). */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include "biscuit.h"
#include "check.h"

enum { EPERM_ = 1, ESRCH_ = 3, EIO_ = 5, EBADF_ = 9, EAGAIN_ = 11, EFAULT_ = 14, EINVAL_ = 22, ENOSYS_ = 38,
       ETIMEDOUT_ = 110, SIGKILL_ = 9 };
#define APP_MODULE "memhog"
#include "appload.h"

enum { SYS_write_ = 1, SYS_memory_info_ = 0x854 };
#define OWN_BASE 0x0000300000000000UL

static uint32_t hog;
static long hog_status = -1, hog_mib, writes_served;
static struct system_info before, after;

static long answer(struct ipc_message *m, long value)
{
    m->label = 0; m->length = 8; m->handle_count = 0;
    memcpy(m->payload, &value, 8);
    return bsys0(SYS_ipc_reply);
}

/* A forwarded write of "hog: NNNN MiB\n": remembered (not printed: 200 lines of progress). */
static void serve_one(struct ipc_message *m)
{
    struct forwarded_call c;
    memcpy(&c, m->payload, sizeof c);
    if ((m->label & LNX_LABEL_MASK) != LNX_LABEL || c.number != SYS_write_ || c.args[0] != 1) { answer(m, -ENOSYS_); return; }
    char text[32];
    size_t length = c.args[2] < sizeof text - 1 ? c.args[2] : sizeof text - 1;
    long n = process_read(hog, c.args[1], text, length);
    if (n > 0)
    {
        text[n] = 0;
        long mib;
        if (sscanf(text, "hog: %ld MiB", &mib) == 1) hog_mib = mib;
    }
    writes_served++;
    answer(m, n < 0 ? n : (long)c.args[2]);
}

/* Launches memhog with its quota lifted to the whole machine and serves its forwarded writes until
   it dies; hog_status, hog_mib, before and after say how it went. */
static int run_hog(void)
{
    bsys2(SYS_system_info, &before, sizeof before);
    struct loaded l;
    long tid;
    EXPECT_EQ(launch("hog", initial_handle(0), 1, &l, &tid), 0);
    hog = l.process;
    EXPECT_EQ(bsys2(SYS_memory_set_quota, hog, before.total_frames), 0);
    struct ipc_message *m = ipc_buffer();
    for (int idle = 0; idle < 3000; )
    {
        long got = bsys2(SYS_ipc_recv, initial_handle(0), 20);
        if (got == -ETIMEDOUT_)
        {
            if (bsys1(SYS_process_status, hog) != -EAGAIN_) break;
            idle++;
            continue;
        }
        if (got < 0) return fail("ipc_recv: %ld", got);
        idle = 0;
        serve_one(m);
    }
    hog_status = bsys1(SYS_process_status, hog);
    bsys1(SYS_handle_close, hog);
    bsys2(SYS_system_info, &after, sizeof after);
    printf("oomhost: memhog reached %ld MiB in %ld writes; status %ld; %lu frames free before, %lu after\n",
           hog_mib, writes_served, hog_status, (unsigned long)before.free_frames, (unsigned long)after.free_frames);
    return 1;
}

static int t_hog_runs_and_is_killed(void)
{
    if (!run_hog()) return 0;
    EXPECT_EQ(hog_status, SIGKILL_);
    return 1;
}

/* It got far: most of what was free (at most the low-water mark and the servers' growth short). */
static int t_hog_ate_most_memory(void)
{
    EXPECT(hog_mib * 256 > (long)before.free_frames / 2, "memhog reached only %ld MiB of %lu free frames", hog_mib,
           (unsigned long)before.free_frames);
    return 1;
}

static int t_memory_came_back(void)
{
    EXPECT(after.free_frames + 1024 >= before.free_frames, "%lu frames free before memhog, %lu after",
           (unsigned long)before.free_frames, (unsigned long)after.free_frames);
    return 1;
}

static int t_server_keeps_working(void)
{
    EXPECT_EQ(bsys3(SYS_memory_map, OWN_BASE, 2048, 1), 0);
    for (unsigned long i = 0; i < 2048; i++) ((volatile char *)OWN_BASE)[i * 4096] = (char)i;
    for (unsigned long i = 0; i < 2048; i++) EXPECT_EQ(((volatile char *)OWN_BASE)[i * 4096], (char)i);
    EXPECT_EQ(bsys2(SYS_memory_unmap, OWN_BASE, 2048), 0);
    return 1;
}

/* The servers' reserve, as the kernel computes it (UserFrames.ServerReserveFrames). */
static unsigned long reserve_frames(void)
{
    struct system_info info;
    bsys2(SYS_system_info, &info, sizeof info);
    return info.total_frames / 256;
}

/* A server may take the reserve's frames: map and touch 1 MiB at a time until fewer than half the
   reserve's frames are free, then give everything back. */
static int t_server_takes_frames_from_the_reserve(void)
{
    struct system_info info;
    unsigned long reserve = reserve_frames(), pages = 0;
    bsys2(SYS_system_info, &info, sizeof info);
    unsigned long start = info.free_frames;
    while (info.free_frames >= reserve / 2)
    {
        unsigned long step = info.free_frames - reserve / 2 > 256 ? 256 : info.free_frames - reserve / 2 + 1;
        long r = bsys3(SYS_memory_map, OWN_BASE + pages * 4096, step, 1);
        if (r != 0) { printf("oomhost: memory_map of %lu pages after %lu: %ld\n", step, pages, r); break; }
        for (unsigned long i = 0; i < step; i++) ((volatile char *)OWN_BASE)[(pages + i) * 4096] = 1;
        pages += step;
        bsys2(SYS_system_info, &info, sizeof info);
    }
    unsigned long lowest = info.free_frames;
    for (unsigned long done = 0; done < pages; done += 65536)
        bsys2(SYS_memory_unmap, OWN_BASE + done * 4096, pages - done < 65536 ? pages - done : 65536);
    bsys2(SYS_system_info, &info, sizeof info);
    printf("oomhost: the server took %lu pages: free frames %lu -> %lu (reserve %lu) -> %lu\n", pages, start, lowest, reserve,
           (unsigned long)info.free_frames);
    EXPECT(lowest < reserve / 2, "free frames went down only to %lu (reserve %lu)", lowest, reserve);
    /* Page tables made for the mapping stay with oomhost's address space: one per 2 MiB, 512 pages. */
    EXPECT(info.free_frames + pages / 512 + 64 >= start, "%lu frames free before, %lu after giving back %lu pages", start,
           (unsigned long)info.free_frames, pages);
    return 1;
}

/* An application may not: memhog, its quota the whole machine, stops with the reserve free. */
static int t_application_stops_at_the_reserve_with_SIGSEGV(void)
{
    if (!run_hog()) return 0;
    EXPECT_EQ(hog_status, 11 /* SIGSEGV */);
    EXPECT(hog_mib * 256 + 2 * (long)reserve_frames() + 1024 > (long)before.free_frames, "memhog stopped early: %ld MiB of %lu free frames",
           hog_mib, (unsigned long)before.free_frames);
    return 1;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, 0, _IONBF, 0);
    if (argc > 1 && !strcmp(argv[1], "idle"))     /* tests/manifests/mm-noauth: outlive mm's start, then end */
    {
        bsys1(SYS_thread_sleep, 3000);
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "reserve"))  /* tests/manifests/reserve: the kernel's servers' reserve */
    {
        run("a server takes frames from the servers' reserve and gives them back", t_server_takes_frames_from_the_reserve);
        run("an application stops at the servers' reserve with SIGSEGV", t_application_stops_at_the_reserve_with_SIGSEGV);
        run("the memory memhog held came back", t_memory_came_back);
        run("a server keeps working after it: 8 MiB mapped, written and read back", t_server_keeps_working);
        printf("oomhost: %d passed, %d failed\n", passed, failed);
        return failed;
    }
    run("memhog, an application eating memory, is killed with SIGKILL", t_hog_runs_and_is_killed);
    run("memhog ate most of the free memory before it was stopped", t_hog_ate_most_memory);
    run("the memory memhog held came back", t_memory_came_back);
    run("a server keeps working after the kill: 8 MiB mapped, written and read back", t_server_keeps_working);
    printf("oomhost: %d passed, %d failed\n", passed, failed);
    return failed;
}
