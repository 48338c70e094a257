/* pagerhost — the other side of the user-space pager tests (issue 8 option; Syscalls.md 0x859-0x85B;
   microkernel/Kernel/Memory/PagerFaults.cs): a miniature posix, started by init as a server with
   its endpoint (initial handle 0) and the device manager (initial handle 1, the manifest's
   `devices`), that runs the application pagerapp (appload.h) and serves its forwarded calls: its
   reports (1100, 1101), fork (process_fork) and wait4. Prints "ok - NAME" / "not ok - NAME: why"
   and the figures of each path; exits with the number of failures.
   Mode "mm" (tests/manifests/mm-pager, mm started with `pager`): mm serves 1,000 first touches of a
   1 GiB mapping; fork and copy-on-write stay right; then pagerhost registers its own endpoint as
   the pager and checks the mechanism: refused supplies, a plain reply (SIGSEGV), a pager that does
   not answer (the kernel serves the fault and drops it); last, the 1,000 touches again with the
   kernel as pager, for the comparison of the two paths.
   Mode "kill" (tests/manifests/mm-pager-kill: init kills mm once, 8 s after it starts): an
   application faulting all along finishes (the kernel serves its faults once mm is gone), and mm,
   restarted by init, registers again and serves faults. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include "biscuit.h"
#include "check.h"

enum { EPERM_ = 1, ESRCH_ = 3, EIO_ = 5, EBADF_ = 9, ECHILD_ = 10, EAGAIN_ = 11, EFAULT_ = 14, EINVAL_ = 22, ENOSYS_ = 38,
       ETIMEDOUT_ = 110, SIGSEGV_ = 11 };
#define APP_MODULE "pagerapp"
#include "appload.h"

enum { SYS_fork_ = 57, SYS_wait4_ = 61, SYS_report_ = 1100, SYS_round_ = 1101 };
enum { APP_PID = 100 };
#define PGF_LABEL 0x5047460000000000UL

struct pager_census { uint64_t forwarded, supplied, signalled, kernel, registrations, fallbacks,
                      entry, to_pager, decision, check, frame, zero, map, resume; };
struct fault_census { uint64_t faults, entry, lookup, frame, zero, map, exit; };
struct pager_fault { uint64_t process, thread, address, access, rip, resident, quota, free, reserve, zero; };

static uint32_t endpoint, authority;

static void pager_census(struct pager_census *c) { bsys1(SYS_memory_pager_census, c); }

static long answer(struct ipc_message *m, long value)
{
    m->label = 0; m->length = 8; m->handle_count = 0;
    memcpy(m->payload, &value, 8);
    return bsys0(SYS_ipc_reply);
}

/* ---- running pagerapp, serving its forwarded calls ---- */

struct run {
    const char *mode;
    long status, child_status, touches, cycles, resident, rounds;
    int (*go_on)(long round);       /* "long": 1 while it should go on */
    int forks, unexpected;
};
static uint32_t app, child;
static long child_pid;

static void serve_fork(struct ipc_message *m, const struct forwarded_call *c)
{
    if (child_pid != 0) { answer(m, -EAGAIN_); return; }
    long badged = bsys3(SYS_handle_dup, endpoint, R_SEND, APP_PID + 1);
    long r = badged < 0 ? badged : process_fork(app, c->thread_id, (uint32_t)badged, 0, 0, 0);
    if (badged >= 0) bsys1(SYS_handle_close, badged);
    if (r < 0) { answer(m, r); return; }
    child = (uint32_t)r;
    if (process_start(child, 0, 0, 0) <= 0) { bsys1(SYS_process_kill, child); answer(m, -EIO_); return; }
    child_pid = APP_PID + 1;
    answer(m, child_pid);
}

static void serve_wait4(struct ipc_message *m, const struct forwarded_call *c, struct run *run)
{
    if (child_pid == 0 || (long)c->args[0] != child_pid) { answer(m, -ECHILD_); return; }
    long status = bsys1(SYS_process_status, child);
    if (status == -EAGAIN_) { answer(m, 0); return; }
    int s = (int)status;
    run->child_status = status;
    if (c->args[1] != 0 && process_write(app, c->args[1], &s, 4) != 4) { answer(m, -EFAULT_); return; }
    bsys1(SYS_handle_close, child);
    long pid = child_pid;
    child_pid = 0;
    answer(m, pid);
}

static void serve_one(struct ipc_message *m, struct run *run)
{
    struct forwarded_call c;
    memcpy(&c, m->payload, sizeof c);
    if ((m->label & LNX_LABEL_MASK) != LNX_LABEL) { run->unexpected++; answer(m, -ENOSYS_); return; }
    switch (c.number)
    {
        case SYS_report_:
        {
            uint64_t info[12];
            run->touches = (long)c.args[0];
            run->cycles = (long)c.args[1];
            if (bsys3(SYS_memory_info, app, info, sizeof info) > 0) run->resident = (long)info[0];
            answer(m, 0);
            return;
        }
        case SYS_round_:
            run->rounds = (long)c.args[0] + 1;
            answer(m, run->go_on && run->go_on((long)c.args[0]) ? 0 : 1);
            return;
        case SYS_fork_: run->forks++; serve_fork(m, &c); return;
        case SYS_wait4_: serve_wait4(m, &c, run); return;
        default: run->unexpected++; answer(m, -ENOSYS_); return;
    }
}

/* Launches pagerapp MODE and serves it until it (and its child) ended; 0 if it did not end in 120 s. */
static int run_app(struct run *run)
{
    struct loaded l;
    long tid;
    run->status = run->child_status = -1;
    long r = launch(run->mode, endpoint, APP_PID, &l, &tid);
    if (r != 0) return fail("launch %s: %ld", run->mode, r);
    app = l.process;
    struct ipc_message *m = ipc_buffer();
    for (int idle = 0; idle < 6000; )
    {
        long got = bsys2(SYS_ipc_recv, endpoint, 20);
        if (got == -ETIMEDOUT_)
        {
            if (bsys1(SYS_process_status, app) != -EAGAIN_ && child_pid == 0) break;
            idle++;
            continue;
        }
        if (got < 0) return fail("ipc_recv: %ld", got);
        serve_one(m, run);
    }
    run->status = bsys1(SYS_process_status, app);
    bsys1(SYS_handle_close, app);
    if (run->status == -EAGAIN_) return fail("pagerapp %s did not end within 120 s", run->mode);
    return 1;
}

static int wait_for_registrations(uint64_t n)
{
    struct pager_census c;
    for (int i = 0; i < 600; i++)
    {
        pager_census(&c);
        if (c.registrations >= n) return 1;
        bsys1(SYS_thread_sleep, 50);
    }
    return fail("%lu pager registrations after 30 s, expected %lu", (unsigned long)c.registrations, (unsigned long)n);
}

/* ---- mode "mm" ---- */

static struct run touched_by_mm;
static struct pager_census mm_before, mm_after;

static int t_mm_registers(void) { return wait_for_registrations(1); }

static int t_mm_serves_1000_touches(void)
{
    touched_by_mm = (struct run){ .mode = "touch" };
    pager_census(&mm_before);
    if (!run_app(&touched_by_mm)) return 0;
    pager_census(&mm_after);
    EXPECT_EQ(touched_by_mm.status, 0);
    EXPECT_EQ(touched_by_mm.touches, 1000);
    long forwarded = (long)(mm_after.forwarded - mm_before.forwarded), supplied = (long)(mm_after.supplied - mm_before.supplied);
    printf("pagerhost: mm as pager: %ld faults sent to mm, %ld supplied; %ld pages resident after 1000 touches\n", forwarded, supplied,
           touched_by_mm.resident);
    EXPECT(forwarded >= 1000 && forwarded <= 1100, "%ld faults went to the pager, expected 1,000 and a few for the program itself", forwarded);
    EXPECT(supplied >= 1000 && supplied <= forwarded, "%ld faults supplied of %ld", supplied, forwarded);
    EXPECT_EQ(mm_after.signalled - mm_before.signalled, 0);
    EXPECT_EQ(mm_after.kernel - mm_before.kernel, 0);
    EXPECT(touched_by_mm.resident >= 1000 && touched_by_mm.resident <= 1300, "%ld pages resident", touched_by_mm.resident);
    uint64_t n = mm_after.supplied - mm_before.supplied;
#define PER(f) (unsigned long)((mm_after.f - mm_before.f) / n)
    printf("pagerhost: mm as pager: first touch %lu cycles (timed in the application, mean of %ld); per fault: entry %lu, to mm %lu, "
           "mm's decision %lu, check %lu, frame %lu, zero %lu, map %lu, resume %lu\n",
           (unsigned long)(touched_by_mm.cycles / touched_by_mm.touches), touched_by_mm.touches, PER(entry), PER(to_pager), PER(decision),
           PER(check), PER(frame), PER(zero), PER(map), PER(resume));
#undef PER
    return 1;
}

static int t_fork_and_copy_on_write(void)
{
    struct pager_census before, after;
    pager_census(&before);
    struct run run = { .mode = "fork" };
    if (!run_app(&run)) return 0;
    pager_census(&after);
    EXPECT_EQ(run.forks, 1);
    EXPECT_EQ(run.child_status, 0);
    EXPECT_EQ(run.status, 0);
    EXPECT_EQ(run.unexpected, 0);
    EXPECT(after.forwarded - before.forwarded >= 20, "only %lu faults went to mm (16 in the parent, 4 in the child at least)",
           (unsigned long)(after.forwarded - before.forwarded));
    return 1;
}

/* pagerhost's own endpoint as the pager (it replaces mm's registration). */
static uint32_t own_pager;

static int register_own(void)
{
    if (own_pager == 0)
    {
        long e = bsys0(SYS_endpoint_create);
        EXPECT(e > 0, "endpoint_create: %ld", e);
        own_pager = (uint32_t)e;
    }
    EXPECT_EQ(bsys2(SYS_memory_pager_set, authority, own_pager), 0);
    return 1;
}

/* Receives the next fault on own_pager within 10 s. */
static int next_fault(struct pager_fault *f)
{
    long r = bsys2(SYS_ipc_recv, own_pager, 10000);
    EXPECT_EQ(r, 0);
    struct ipc_message *m = ipc_buffer();
    EXPECT(m->label == PGF_LABEL && m->length == 80, "label %lx, length %u", (unsigned long)m->label, m->length);
    memcpy(f, m->payload, sizeof *f);
    return 1;
}

/* Answers every fault of the running app with a zeroed page until it ends; its status. */
static long serve_faults_until_exit(void)
{
    for (int i = 0; i < 2000; i++)
    {
        long r = bsys2(SYS_ipc_recv, own_pager, 20);
        if (r == -ETIMEDOUT_)
        {
            long s = bsys1(SYS_process_status, app);
            if (s != -EAGAIN_) return s;
            continue;
        }
        struct pager_fault f;
        memcpy(&f, ipc_buffer()->payload, sizeof f);
        bsys3(SYS_memory_page_supply, f.process, f.address, 0);
    }
    return -EAGAIN_;
}

static long launch_three(void)
{
    struct loaded l;
    long tid;
    long r = launch("three", endpoint, APP_PID, &l, &tid);
    app = l.process;
    return r;
}

static int t_bad_input(void)
{
    struct pager_census c;
    EXPECT_EQ(bsys2(SYS_memory_pager_set, initial_handle(9), endpoint), -EBADF_);        /* no such handle */
    EXPECT_EQ(bsys2(SYS_memory_pager_set, endpoint, endpoint), -EBADF_);                 /* not the device manager */
    long send_only = bsys3(SYS_handle_dup, endpoint, R_SEND, 0);
    EXPECT(send_only > 0, "handle_dup: %ld", send_only);
    EXPECT_EQ(bsys2(SYS_memory_pager_set, authority, send_only), -EPERM_);               /* cannot receive on it */
    bsys1(SYS_handle_close, send_only);
    EXPECT_EQ(bsys3(SYS_memory_page_supply, APP_PID, 0x10000, 0), -ESRCH_);              /* owes no fault */
    EXPECT_EQ(bsys1(SYS_memory_pager_census, 16), -EFAULT_);
    EXPECT_EQ(bsys1(SYS_memory_pager_census, &c), 0);
    if (!register_own()) return 0;
    EXPECT_EQ(launch_three(), 0);
    struct pager_fault f;
    if (!next_fault(&f)) return 0;
    EXPECT(f.address != 0 && f.resident > 0, "fault at %lx, %lu resident", (unsigned long)f.address, (unsigned long)f.resident);
    EXPECT_EQ(bsys3(SYS_memory_page_supply, f.process + 1, f.address, 0), -EINVAL_);     /* another process */
    EXPECT_EQ(bsys3(SYS_memory_page_supply, f.process, f.address + 4096, 0), -EINVAL_);  /* another page */
    EXPECT_EQ(bsys3(SYS_memory_page_supply, f.process, f.address, 5), -EINVAL_);         /* no such answer */
    EXPECT_EQ(bsys3(SYS_memory_page_supply, f.process, f.address | 0xFFF, 0), 0);        /* any address in the page */
    EXPECT_EQ(bsys3(SYS_memory_page_supply, f.process, f.address, 0), -ESRCH_);          /* answered already */
    long status = serve_faults_until_exit();
    bsys1(SYS_handle_close, app);
    EXPECT_EQ(status, 0);
    return 1;
}

static int t_plain_reply_is_sigsegv(void)
{
    struct pager_census before, after;
    pager_census(&before);
    EXPECT_EQ(launch_three(), 0);
    struct pager_fault f;
    if (!next_fault(&f)) return 0;
    EXPECT_EQ(bsys0(SYS_ipc_reply), 0);
    long status = serve_faults_until_exit();
    bsys1(SYS_handle_close, app);
    pager_census(&after);
    EXPECT_EQ(status, SIGSEGV_);
    EXPECT_EQ(after.signalled - before.signalled, 1);
    return 1;
}

static int t_silent_pager_is_dropped(void)
{
    struct pager_census before, after;
    pager_census(&before);
    EXPECT_EQ(launch_three(), 0);
    struct pager_fault f;
    if (!next_fault(&f)) return 0;
    bsys1(SYS_thread_sleep, 1500);                       /* the kernel's bound is 1000 ms */
    EXPECT_EQ(bsys3(SYS_memory_page_supply, f.process, f.address, 0), -ESRCH_);   /* the wait is over */
    long status = -EAGAIN_;
    for (int i = 0; i < 500 && status == -EAGAIN_; i++)
    {
        bsys1(SYS_thread_sleep, 20);
        status = bsys1(SYS_process_status, app);
    }
    bsys1(SYS_handle_close, app);
    pager_census(&after);
    EXPECT_EQ(status, 0);
    EXPECT_EQ(after.fallbacks - before.fallbacks, 1);
    EXPECT_EQ(after.kernel - before.kernel, 1);
    EXPECT_EQ(after.forwarded - before.forwarded, 1);    /* the rest went to the kernel at once */
    return 1;
}

static int t_kernel_pager_for_comparison(void)
{
    struct pager_census before, after;
    struct fault_census kbefore, kafter;
    pager_census(&before);
    bsys1(SYS_memory_fault_census, &kbefore);
    struct run run = { .mode = "touch" };
    if (!run_app(&run)) return 0;
    pager_census(&after);
    bsys1(SYS_memory_fault_census, &kafter);
    EXPECT_EQ(run.status, 0);
    EXPECT_EQ(after.forwarded - before.forwarded, 0);
    uint64_t n = kafter.faults - kbefore.faults;
    EXPECT(n >= 1000, "the kernel served %lu faults", (unsigned long)n);
#define PER(f) (unsigned long)((kafter.f - kbefore.f) / n)
    printf("pagerhost: kernel as pager: first touch %lu cycles (timed in the application, mean of %ld); per fault: entry %lu, "
           "lookup %lu, frame %lu, zero %lu, map %lu, exit %lu\n",
           (unsigned long)(run.cycles / (run.touches ? run.touches : 1)), run.touches, PER(entry), PER(lookup), PER(frame), PER(zero),
           PER(map), PER(exit));
#undef PER
    printf("pagerhost: first touch, mm / kernel: %lu / %lu cycles\n", (unsigned long)(touched_by_mm.cycles / (touched_by_mm.touches ? touched_by_mm.touches : 1)),
           (unsigned long)(run.cycles / (run.touches ? run.touches : 1)));
    return 1;
}

/* ---- mode "kill" ---- */

static uint64_t fallbacks_at_launch;
static long rounds_after_fallback = -1;

static int until_after_fallback(long round)
{
    struct pager_census c;
    pager_census(&c);
    if (c.fallbacks > fallbacks_at_launch && rounds_after_fallback < 0) rounds_after_fallback = 0;
    else if (rounds_after_fallback >= 0) rounds_after_fallback++;
    return rounds_after_fallback < 3 && round < 2000;
}

static int t_app_finishes_when_mm_dies(void)
{
    struct pager_census before, after;
    struct fault_census kbefore, kafter;
    pager_census(&before);
    bsys1(SYS_memory_fault_census, &kbefore);
    fallbacks_at_launch = before.fallbacks;
    EXPECT_EQ(before.fallbacks, 0);                     /* mm was not killed before the application started */
    struct run run = { .mode = "long", .go_on = until_after_fallback };
    if (!run_app(&run)) return 0;
    pager_census(&after);
    bsys1(SYS_memory_fault_census, &kafter);
    printf("pagerhost: %ld rounds of 256 faults; %lu sent to mm, %lu served by the kernel after mm failed them, %lu by the kernel "
           "directly; %lu fallback(s)\n", run.rounds, (unsigned long)(after.forwarded - before.forwarded), (unsigned long)(after.kernel - before.kernel),
           (unsigned long)(kafter.faults - kbefore.faults), (unsigned long)(after.fallbacks - before.fallbacks));
    EXPECT_EQ(run.status, 0);
    EXPECT(rounds_after_fallback >= 3, "the application stopped %ld rounds after the fallback", rounds_after_fallback);
    EXPECT(after.forwarded > before.forwarded, "no fault went to mm before it died");
    /* Between mm's death and its restart's registration the kernel serves every fault (how many depends
       on how fast mm starts again); a fault mm held when it died is served by the kernel too. */
    EXPECT((after.kernel - before.kernel) + (kafter.faults - kbefore.faults) >= 1, "the kernel served no fault itself");
    return 1;
}

static int t_restarted_mm_registers_again(void)
{
    if (!wait_for_registrations(2)) return 0;
    struct pager_census before, after;
    pager_census(&before);
    struct run run = { .mode = "touch" };
    if (!run_app(&run)) return 0;
    pager_census(&after);
    EXPECT_EQ(run.status, 0);
    EXPECT(after.forwarded - before.forwarded >= 1000, "%lu faults went to the restarted mm", (unsigned long)(after.forwarded - before.forwarded));
    return 1;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, 0, _IONBF, 0);
    endpoint = initial_handle(0);
    authority = initial_handle(1);
    if (argc > 1 && !strcmp(argv[1], "kill"))
    {
        run("mm registers as the pager of applications", t_mm_registers);
        run("mm killed while an application faults: the kernel serves its faults and it finishes", t_app_finishes_when_mm_dies);
        run("mm, restarted by init, registers again and serves faults", t_restarted_mm_registers_again);
    }
    else
    {
        run("mm registers as the pager of applications", t_mm_registers);
        run("mm serves 1,000 first touches in a 1 GiB mapping and the application holds about 1,000 pages", t_mm_serves_1000_touches);
        run("fork and copy-on-write stay right with mm as the pager", t_fork_and_copy_on_write);
        run("memory_pager_set, memory_page_supply and memory_pager_census refuse bad input", t_bad_input);
        run("a pager's plain reply is the faulting thread's SIGSEGV", t_plain_reply_is_sigsegv);
        run("a pager silent for 1 s: the kernel serves the fault, drops the pager, the application finishes", t_silent_pager_is_dropped);
        run("the same 1,000 touches with the kernel as pager", t_kernel_pager_for_comparison);
    }
    printf("pagerhost: %d passed, %d failed\n", passed, failed);
    return failed;
}
