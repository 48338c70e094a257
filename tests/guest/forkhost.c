/* forkhost — a miniature posix that serves fork (issue 7) with process_fork, as Syscalls.md's "fork"
   section tells posix to: it builds the application "forkapp" (appload.h), serves its forwarded
   fork / clone without CLONE_VM (process_fork with a personality badged with the new pid, then
   process_start), wait4 with WNOHANG (process_status; the status written into the parent), and
   write to fd 1 (collected and printed: the application's "ok - child: ..." lines). forkapp tells it
   how to treat the next fork (a forwarded number 1010): plainly; after the bad-input checks of
   process_fork (ESRCH, EPERM, EBADF, EINVAL, EFAULT) and of process_start on a forked child, made
   with the waiting thread of a real forwarded fork; with every process slot taken; with physical
   memory exhausted, entirely or but for 8 frames (the copy then fails midway). Each refusal must be
   ENOMEM and leave the free frames, threads and process slots exactly as they were. Numbers 1011 and
   1012 bracket forkapp's 1,000-fork loop with system_info snapshots. Copy-on-write (issue 8): one
   fork's child is started with physical memory exhausted, so that its first write to a page it
   shares with its parent finds no frame to copy into: it must die of SIGSEGV alone, and every frame
   must come back. Prints "ok - NAME" /
   "not ok - NAME: why"; exits with the number of failures. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include "biscuit.h"
#include "check.h"

enum { EPERM_ = 1, ESRCH_ = 3, EIO_ = 5, EBADF_ = 9, ECHILD_ = 10, EAGAIN_ = 11, ENOMEM_ = 12, EFAULT_ = 14,
       EBUSY_ = 16, EINVAL_ = 22, ENOSYS_ = 38, ETIMEDOUT_ = 110 };
#define KERNEL_ADDRESS 0xFFFF800000100000UL
#define APP_MODULE "forkapp"
#include "appload.h"

enum { APP_PID = 1, MAX_CHILDREN = 8, CLONE_VM_ = 0x100 };
enum { SYS_write_ = 1, SYS_clone_ = 56, SYS_fork_ = 57, SYS_vfork_ = 58, SYS_wait4_ = 61,
       SYS_next_fork_ = 1010, SYS_snapshot_ = 1011, SYS_compare_ = 1012 };
enum { FORK_PLAIN = 0, FORK_BAD_INPUT = 1, FORK_NO_PROCESS_SLOTS = 2, FORK_NO_FRAMES = 3, FORK_FEW_FRAMES = 4,
       FORK_COW_STARVED = 5 };
enum { SIGSEGV_ = 11 };
#define EAT_BASE 0x0000200000000000UL      /* where forkhost maps the memory it eats */

static uint32_t endpoint;                   /* the personality endpoint forkhost receives on */
static uint32_t app;                        /* forkapp's process handle (pid APP_PID) */
static struct child { long pid; uint32_t handle; } children[MAX_CHILDREN];
static long next_pid = APP_PID + 1, main_child_pid, main_child_status = -1;
static int next_fork_mode, forks_served, calls_from_children, unexpected_call;
static struct system_info before_loop, after_loop;
static int loop_measured;
static char collected[16384];
static size_t collected_length;

/* The fork being served when a mode's checks run. */
static uint32_t g_parent;
static struct forwarded_call g_call;
static uint32_t g_child;
static long g_refused;

/* ---------- checks made while serving, reported after ---------- */

enum { C_ESRCH, C_EPERM, C_EBADF, C_EINVAL, C_START, C_UNSTARTED, C_SLOTS, C_NO_FRAMES, C_FEW_FRAMES, C_COW_STARVED, C_COUNT };
static int outcome[C_COUNT];                /* 0 never ran, 1 passed, -1 failed */
static char reason[C_COUNT][sizeof why];

static void judge(int c, int (*test)(void))
{
    why[0] = 0;
    outcome[c] = test() ? 1 : -1;
    memcpy(reason[c], why, sizeof why);
}

static int reported(int c)
{
    if (outcome[c] == 0) return fail("the check never ran (forkapp did not ask for it)");
    memcpy(why, reason[c], sizeof why);
    return outcome[c] > 0;
}

static long answer(struct ipc_message *m, long value)
{
    m->label = 0; m->length = 8; m->handle_count = 0;
    memcpy(m->payload, &value, 8);
    return bsys0(SYS_ipc_reply);
}

static void snapshot(struct system_info *s) { bsys2(SYS_system_info, s, sizeof *s); }

/* process_fork for the forwarded call `c` of `parent`, the child's personality badged `pid`. */
static long fork_for(uint32_t parent, const struct forwarded_call *c, long pid, uint32_t *child)
{
    uint64_t stack = 0, flags = 0, child_tid = 0;
    if (c->number == SYS_clone_)
    {
        stack = c->args[1];
        flags = c->args[0] & (FORK_CHILD_SETTID | FORK_CHILD_CLEARTID);
        child_tid = c->args[3];
    }
    long badged = bsys3(SYS_handle_dup, endpoint, R_SEND, pid);
    if (badged < 0) return badged;
    long r = process_fork(parent, c->thread_id, (uint32_t)badged, stack, flags, child_tid);
    bsys1(SYS_handle_close, badged);
    if (r < 0) return r;
    *child = (uint32_t)r;
    return 0;
}

/* A fork expected to fail: the result, with a child that was made anyway closed (ended). */
static long refused_fork(void)
{
    uint32_t child;
    long r = fork_for(g_parent, &g_call, 999, &child);
    if (r == 0) bsys1(SYS_handle_close, child);
    return r;
}

static long badged_personality(void) { return bsys3(SYS_handle_dup, endpoint, R_SEND, 999); }

static int t_esrch(void)
{
    long b = badged_personality();
    EXPECT_EQ(process_fork(g_parent, g_call.thread_id + 100000, (uint32_t)b, 0, 0, 0), -ESRCH_);
    EXPECT_EQ(process_fork(g_parent, 0, (uint32_t)b, 0, 0, 0), -ESRCH_);
    /* A thread that exists but is not in a forwarded call: a process spinning on `jmp .` (EB FE). */
    long p = process_create("spinner", 0, 0);
    EXPECT(p > 0, "process_create: %ld", p);
    EXPECT_EQ(process_mmap((uint32_t)p, 0x400000, 4096, PROT_R | PROT_X, MAP_PRIV | MAP_FIX), 0x400000);
    EXPECT_EQ(process_write((uint32_t)p, 0x400000, "\xEB\xFE", 2), 2);
    long tid = process_start((uint32_t)p, 0x400000, 0, 0);
    EXPECT(tid > 0, "process_start: %ld", tid);
    EXPECT_EQ(process_fork((uint32_t)p, (uint64_t)tid, (uint32_t)b, 0, 0, 0), -ESRCH_);
    EXPECT_EQ(bsys1(SYS_process_kill, p), 0);
    EXPECT_EQ(process_fork((uint32_t)p, (uint64_t)tid, (uint32_t)b, 0, 0, 0), -ESRCH_);   /* a dead process */
    bsys1(SYS_handle_close, p);
    bsys1(SYS_handle_close, b);
    return 1;
}

static int t_eperm(void)
{
    long b = badged_personality();
    long weak = bsys3(SYS_handle_dup, g_parent, R_TRANSFER, 0);
    long receive_only = bsys3(SYS_handle_dup, endpoint, R_RECEIVE, 0);
    EXPECT(weak > 0 && receive_only > 0, "handle_dup: %ld %ld", weak, receive_only);
    EXPECT_EQ(process_fork((uint32_t)weak, g_call.thread_id, (uint32_t)b, 0, 0, 0), -EPERM_);
    EXPECT_EQ(process_fork(g_parent, g_call.thread_id, (uint32_t)receive_only, 0, 0, 0), -EPERM_);
    bsys1(SYS_handle_close, weak);
    bsys1(SYS_handle_close, receive_only);
    bsys1(SYS_handle_close, b);
    return 1;
}

static int t_ebadf(void)
{
    long b = badged_personality(), notification = bsys0(SYS_notification_create);
    EXPECT_EQ(process_fork(endpoint, g_call.thread_id, (uint32_t)b, 0, 0, 0), -EBADF_);        /* not a process */
    EXPECT_EQ(process_fork(0, g_call.thread_id, (uint32_t)b, 0, 0, 0), -EBADF_);
    EXPECT_EQ(bsys6(SYS_process_fork, 1L << 40, (long)g_call.thread_id, b, 0, 0, 0), -EBADF_);
    EXPECT_EQ(process_fork(g_parent, g_call.thread_id, (uint32_t)notification, 0, 0, 0), -EBADF_);   /* not an endpoint */
    bsys1(SYS_handle_close, notification);
    bsys1(SYS_handle_close, b);
    return 1;
}

/* EINVAL and EFAULT; the last EFAULT is found only after the copy (the child's child_tid is not
   mapped), so it also checks that a fork undone late leaves nothing behind. */
static int t_einval(void)
{
    long b = badged_personality();
    struct system_info before, after;
    snapshot(&before);
    EXPECT_EQ(process_fork(g_parent, g_call.thread_id, (uint32_t)b, 0, CLONE_VM_, 0), -EINVAL_);
    EXPECT_EQ(process_fork(g_parent, g_call.thread_id, (uint32_t)b, KERNEL_ADDRESS, 0, 0), -EINVAL_);
    EXPECT_EQ(process_fork(g_parent, g_call.thread_id, (uint32_t)b, 0, FORK_CHILD_SETTID, KERNEL_ADDRESS), -EFAULT_);
    EXPECT_EQ(process_fork(g_parent, g_call.thread_id, (uint32_t)b, 0, FORK_CHILD_SETTID, 0), -EFAULT_);
    EXPECT_EQ(process_fork(g_parent, g_call.thread_id, (uint32_t)b, 0, FORK_CHILD_SETTID, 0x10000), -EFAULT_);
    snapshot(&after);
    bsys1(SYS_handle_close, b);
    EXPECT_EQ(after.free_frames, before.free_frames);
    EXPECT_EQ(after.free_threads, before.free_threads);
    EXPECT_EQ(after.free_processes, before.free_processes);
    return 1;
}

/* A forked child that is never started ends when its handle is closed, giving everything back.
   Its CLONE_CHILD_SETTID word gets its tid at process_start: made read-only since, it is EFAULT
   there, and the child stays unstarted. */
static int t_unstarted(void)
{
    struct system_info before, made, after;
    long word = process_mmap(g_parent, 0, 4096, PROT_R | PROT_W, MAP_PRIV);
    EXPECT(word > 0, "process_mmap: %ld", word);
    snapshot(&before);
    long b = badged_personality();
    long forked = process_fork(g_parent, g_call.thread_id, (uint32_t)b, 0, FORK_CHILD_SETTID, (uint64_t)word);
    bsys1(SYS_handle_close, b);
    EXPECT(forked > 0, "process_fork: %ld", forked);
    uint32_t child = (uint32_t)forked;
    EXPECT_EQ(process_mprotect(child, (uint64_t)word, 4096, PROT_R), 0);
    EXPECT_EQ(process_start(child, 0, 0, 0), -EFAULT_);
    snapshot(&made);
    EXPECT(made.free_frames < before.free_frames, "the child holds no frames: %lu free before, %lu after",
           (unsigned long)before.free_frames, (unsigned long)made.free_frames);
    EXPECT_EQ(made.free_processes, before.free_processes - 1);
    EXPECT_EQ(made.free_threads, before.free_threads - 1);
    EXPECT_EQ(bsys1(SYS_process_status, child), -EAGAIN_);      /* alive, not running */
    /* The copied frames are charged to the child: its budget cannot go below them (1 page). */
    EXPECT_EQ(bsys4(SYS_process_set_limits, child, 2, 4096, 2), -EINVAL_);
    EXPECT_EQ(bsys4(SYS_process_set_limits, child, 2, 64UL << 20, 2), 0);
    EXPECT_EQ(bsys1(SYS_handle_close, child), 0);
    snapshot(&after);
    EXPECT_EQ(after.free_frames, before.free_frames);
    EXPECT_EQ(after.free_threads, before.free_threads);
    EXPECT_EQ(after.free_processes, before.free_processes);
    return 1;
}

/* process_start of a forked child: entry, stack and brk must be 0; it starts once. */
static int t_start(void)
{
    EXPECT_EQ(process_start(g_child, 0x401000, 0, 0), -EINVAL_);
    EXPECT_EQ(process_start(g_child, 0, 0x7000, 0), -EINVAL_);
    EXPECT_EQ(process_start(g_child, 0, 0, 0x1000), -EINVAL_);
    long tid = process_start(g_child, 0, 0, 0);
    EXPECT(tid > 0, "process_start: %ld", tid);
    EXPECT_EQ(process_start(g_child, 0, 0, 0), -EBUSY_);
    return 1;
}

/* Every process slot taken (process_create until ENOMEM): the fork is ENOMEM, nothing moves. */
static int t_slots(void)
{
    static uint32_t made[512];
    int n = 0;
    long p = 0;
    while (n < 512 && (p = process_create("filler", 0, 0)) > 0) made[n++] = (uint32_t)p;
    struct system_info before, after;
    snapshot(&before);
    g_refused = refused_fork();
    snapshot(&after);
    for (int i = 0; i < n; i++) bsys1(SYS_handle_close, made[i]);
    EXPECT_EQ(p, -ENOMEM_);
    EXPECT_EQ(before.free_processes, 0);
    EXPECT_EQ(g_refused, -ENOMEM_);
    EXPECT_EQ(after.free_frames, before.free_frames);
    EXPECT_EQ(after.free_threads, before.free_threads);
    return 1;
}

/* Maps forkhost's own memory until no frame is left (all or nothing per call, so ever smaller
   requests); returns the pages eaten. */
static long eat_memory(void)
{
    long eaten = 0;
    for (long chunk = 4096; chunk >= 1; chunk /= 4)
        while (bsys3(SYS_memory_map, EAT_BASE + (uint64_t)eaten * 4096, chunk, 1) == 0) eaten += chunk;
    return eaten;
}

static void give_back(long eaten)
{
    for (long done = 0; done < eaten; done += 65536)
        bsys2(SYS_memory_unmap, EAT_BASE + (uint64_t)done * 4096, eaten - done < 65536 ? eaten - done : 65536);
}

/* Physical memory exhausted, but for `spare` frames: the fork is ENOMEM (with 8 spare frames it
   fails midway through the copy) and the free frames are exactly those before it. */
static int starved_fork(long spare)
{
    long eaten = eat_memory();
    if (spare > 0 && eaten > spare)
    {
        bsys2(SYS_memory_unmap, EAT_BASE + (uint64_t)(eaten - spare) * 4096, spare);
        eaten -= spare;
    }
    struct system_info before, after;
    snapshot(&before);
    g_refused = refused_fork();
    snapshot(&after);
    give_back(eaten);
    EXPECT(eaten > 1000, "only %ld pages could be eaten", eaten);
    EXPECT(before.free_frames <= (uint64_t)spare + 8, "%lu frames still free", (unsigned long)before.free_frames);
    EXPECT_EQ(g_refused, -ENOMEM_);
    EXPECT_EQ(after.free_frames, before.free_frames);
    EXPECT_EQ(after.free_threads, before.free_threads);
    EXPECT_EQ(after.free_processes, before.free_processes);
    return 1;
}
static int t_no_frames(void) { return starved_fork(0); }

/* The forked child g_child (not started yet) runs with no free frame: its first write to a page it
   shares copy-on-write with its parent cannot be copied, so it dies of SIGSEGV (the kernel logs
   "out of memory ... copy-on-write"); its parent, waiting for this fork's answer, never runs
   meanwhile. Then every frame comes back: the child's and the ones eaten. */
static int t_cow_starved(void)
{
    struct system_info before, after;
    snapshot(&before);
    long eaten = eat_memory();
    struct system_info starved;
    snapshot(&starved);
    long notification = bsys0(SYS_notification_create);
    EXPECT_EQ(bsys3(SYS_process_watch, g_child, notification, 1), 0);
    long tid = process_start(g_child, 0, 0, 0);
    long woke = bsys2(SYS_notify_wait, notification, 20000);
    long status = bsys1(SYS_process_status, g_child);
    bsys1(SYS_handle_close, notification);
    give_back(eaten);
    snapshot(&after);
    EXPECT(tid > 0, "process_start: %ld", tid);
    EXPECT(starved.free_frames == 0, "%lu frames still free", (unsigned long)starved.free_frames);
    EXPECT(woke >= 0, "the child did not end: %ld", woke);
    EXPECT_EQ(status, SIGSEGV_);
    /* The child's page tables and copies are gone; what it shared stays with its parent. */
    EXPECT(after.free_frames >= before.free_frames, "%lu frames free before, %lu after",
           (unsigned long)before.free_frames, (unsigned long)after.free_frames);
    return 1;
}
static int t_few_frames(void) { return starved_fork(8); }

/* ---------- serving ---------- */

static uint32_t handle_of(uint64_t badge)
{
    if (badge == APP_PID) return app;
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (children[i].pid == (long)badge) return children[i].handle;
    return 0;
}

static void serve_fork(struct ipc_message *m, uint32_t parent, const struct forwarded_call *c)
{
    int mode = next_fork_mode;
    next_fork_mode = FORK_PLAIN;
    g_parent = parent;
    g_call = *c;
    switch (mode)
    {
        case FORK_NO_PROCESS_SLOTS: judge(C_SLOTS, t_slots); answer(m, g_refused); return;
        case FORK_NO_FRAMES: judge(C_NO_FRAMES, t_no_frames); answer(m, g_refused); return;
        case FORK_FEW_FRAMES: judge(C_FEW_FRAMES, t_few_frames); answer(m, g_refused); return;
        case FORK_COW_STARVED: break;
        case FORK_BAD_INPUT:
            judge(C_ESRCH, t_esrch);
            judge(C_EPERM, t_eperm);
            judge(C_EBADF, t_ebadf);
            judge(C_EINVAL, t_einval);
            judge(C_UNSTARTED, t_unstarted);
            break;
    }
    int slot = -1;
    for (int i = 0; i < MAX_CHILDREN && slot < 0; i++)
        if (children[i].pid == 0) slot = i;
    if (slot < 0) { answer(m, -EAGAIN_); return; }
    long pid = next_pid++;
    uint32_t child;
    long r = fork_for(parent, c, pid, &child);
    if (r < 0) { answer(m, r); return; }
    /* Known before it runs, so its first forwarded call finds it. */
    children[slot].pid = pid;
    children[slot].handle = child;
    if (mode == FORK_BAD_INPUT)
    {
        g_child = child;
        judge(C_START, t_start);
    }
    else if (mode == FORK_COW_STARVED)
    {
        g_child = child;
        judge(C_COW_STARVED, t_cow_starved);
    }
    else if (process_start(child, 0, 0, 0) <= 0)
    {
        bsys1(SYS_process_kill, child);
        answer(m, -EIO_);
        return;
    }
    if (main_child_pid == 0) main_child_pid = pid;
    forks_served++;
    answer(m, pid);
}

/* wait4(pid or -1, status, WNOHANG): 0 while the child lives; once dead its status is written into
   the caller, its handle closed and its pid returned. */
static void serve_wait4(struct ipc_message *m, uint32_t caller, const struct forwarded_call *c)
{
    long want = (long)c->args[0];
    for (int i = 0; i < MAX_CHILDREN; i++)
    {
        if (children[i].pid == 0 || (want != -1 && children[i].pid != want)) continue;
        long status = bsys1(SYS_process_status, children[i].handle);
        if (status == -EAGAIN_) { answer(m, 0); return; }
        int s = (int)status;
        if (c->args[1] != 0 && process_write(caller, c->args[1], &s, 4) != 4) { answer(m, -EFAULT_); return; }
        if (children[i].pid == main_child_pid) main_child_status = status;
        long pid = children[i].pid;
        bsys1(SYS_handle_close, children[i].handle);
        children[i].pid = 0;
        answer(m, pid);
        return;
    }
    answer(m, -ECHILD_);
}

static void serve_one(struct ipc_message *m)
{
    struct forwarded_call c;
    memcpy(&c, m->payload, sizeof c);
    uint32_t process = handle_of(m->badge);
    if (process == 0 || (m->label & LNX_LABEL_MASK) != LNX_LABEL) { answer(m, -ESRCH_); return; }
    if (m->badge != APP_PID) calls_from_children++;
    switch (c.number)
    {
        case SYS_write_:
        {
            size_t room = sizeof collected - collected_length, length = c.args[2];
            if (length > room) length = room;
            long n = c.args[0] == 1 ? process_read(process, c.args[1], collected + collected_length, length) : -EBADF_;
            if (n > 0) collected_length += (size_t)n;
            answer(m, n);
            return;
        }
        case SYS_clone_:
            if (c.args[0] & CLONE_VM_) { answer(m, -EINVAL_); return; }   /* threads are the kernel's */
            serve_fork(m, process, &c);
            return;
        case SYS_fork_: case SYS_vfork_: serve_fork(m, process, &c); return;
        case SYS_wait4_: serve_wait4(m, process, &c); return;
        case SYS_next_fork_: next_fork_mode = (int)c.args[0]; answer(m, 0); return;
        case SYS_snapshot_: snapshot(&before_loop); answer(m, 0); return;
        case SYS_compare_: snapshot(&after_loop); loop_measured = 1; answer(m, 0); return;
        default: unexpected_call = (int)c.number; answer(m, -ENOSYS_); return;
    }
}

static long app_status = -1;

static int t_served(void)
{
    long e = bsys0(SYS_endpoint_create);
    EXPECT(e > 0, "endpoint_create: %ld", e);
    endpoint = (uint32_t)e;
    struct loaded l;
    long tid;
    EXPECT_EQ(launch("fork", endpoint, APP_PID, &l, &tid), 0);
    app = l.process;
    EXPECT_EQ(bsys4(SYS_process_set_limits, app, 2, 64UL << 20, 2), 0);   /* the budget forkapp's children inherit */
    struct ipc_message *m = ipc_buffer();
    for (int idle = 0; idle < 1000; )
    {
        long got = bsys2(SYS_ipc_recv, endpoint, 20);
        if (got == -ETIMEDOUT_)
        {
            if (bsys1(SYS_process_status, app) != -EAGAIN_) break;
            idle++;
            continue;
        }
        EXPECT_EQ(got, 0);
        idle = 0;
        serve_one(m);
    }
    app_status = bsys1(SYS_process_status, app);
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (children[i].pid != 0) { bsys1(SYS_process_kill, children[i].handle); bsys1(SYS_handle_close, children[i].handle); }
    fwrite(collected, 1, collected_length, stdout);
    fflush(stdout);
    /* forkapp: the first fork, 2 clones, a child and its grandchild, after the bad-input checks, after
       the refusals, the copy-on-write ones (many pages, no frame), the warm-up, 1,000 in the loop */
    EXPECT_EQ(forks_served, 1010);
    EXPECT(calls_from_children > 0, "no forwarded call came from a child");
    EXPECT(unexpected_call == 0, "unexpected forwarded call %d", unexpected_call);
    EXPECT_EQ(app_status, 0);
    return 1;
}

static int t_status(void) { EXPECT_EQ(main_child_status, 42 << 8); return 1; }

static int t_loop(void)
{
    EXPECT(loop_measured, "forkapp never finished its loop");
    EXPECT_EQ(after_loop.free_frames, before_loop.free_frames);
    EXPECT_EQ(after_loop.free_threads, before_loop.free_threads);
    EXPECT_EQ(after_loop.free_processes, before_loop.free_processes);
    return 1;
}

static int r_esrch(void) { return reported(C_ESRCH); }
static int r_eperm(void) { return reported(C_EPERM); }
static int r_ebadf(void) { return reported(C_EBADF); }
static int r_einval(void) { return reported(C_EINVAL); }
static int r_start(void) { return reported(C_START); }
static int r_unstarted(void) { return reported(C_UNSTARTED); }
static int r_slots(void) { return reported(C_SLOTS); }
static int r_frames(void) { return reported(C_NO_FRAMES) && reported(C_FEW_FRAMES); }
static int r_cow_starved(void) { return reported(C_COW_STARVED); }

int main(void)
{
    setvbuf(stdout, 0, _IONBF, 0);
    run("an application forks and parent and children are served: process_fork, then process_start", t_served);
    run("the first child's exit status 42 is read with process_status", t_status);
    run("1000 forks in a loop leave no frames, threads or process slots behind", t_loop);
    run("process_fork with a bad thread id, a thread not in a forwarded call, or a dead process is ESRCH", r_esrch);
    run("process_fork with a process handle without Control, or a personality without Send, is EPERM", r_eperm);
    run("process_fork with a handle that is not a process, or a personality that is not an endpoint, is EBADF", r_ebadf);
    run("process_fork with unknown flags or a kernel stack is EINVAL; a bad child_tid is EFAULT, leaving nothing behind", r_einval);
    run("process_start of a forked child refuses entry, stack or brk and starts it once", r_start);
    run("a forked child holds its frames on its own budget, and never started ends when its handle is closed, giving everything back", r_unstarted);
    run("process_fork with every process slot taken is ENOMEM and leaves nothing behind", r_slots);
    run("process_fork with no frames, or too few for the copy, is ENOMEM and leaves nothing behind", r_frames);
    run("a forked child whose copy-on-write fault finds no free frame dies of SIGSEGV alone, and its frames come back", r_cow_starved);
    printf("%d passed, %d failed\n", passed, failed);
    return failed;
}
