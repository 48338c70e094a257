/* apphost — a miniature posix (issue 7): it builds an application process from the boot module
   "app" with process_create, process_mmap, process_mprotect and process_write (the ELF's PT_LOAD
   segments and a System V initial stack: argc, argv, envp, auxv), gives it a personality endpoint,
   starts it with process_start, and serves its forwarded Linux calls: openat (the path read with
   process_read), read (answered with process_write), write to fd 1 (collected and printed), an
   unknown number, an error answer, a short reply (EIO), mmap of a file descriptor, and a read held
   until a signal interrupts it (ipc_reply_pending 0, late reply ESRCH). A helper copy of itself
   ("apphost die") receives one forwarded call and dies, so that the waiting child gets EIO. Then
   the bad-input paths of the new calls. The loader itself is in appload.h (shared with forkhost.c).
   Prints "ok - NAME" / "not ok - NAME: why" (the child's own lines come through its forwarded
   writes); exits with the number of failures. */
#define _GNU_SOURCE
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "biscuit.h"
#include "check.h"

enum { EPERM_ = 1, ENOENT_ = 2, ESRCH_ = 3, EIO_ = 5, EBADF_ = 9, ENOMEM_ = 12, EACCES_ = 13, EFAULT_ = 14,
       EBUSY_ = 16, EINVAL_ = 22, ENAMETOOLONG_ = 36, ENOSYS_ = 38, ETIMEDOUT_ = 110 };
#define BADGE 0x77
#define KERNEL_ADDRESS 0xFFFF800000100000UL
#define APP_MODULE "app"
#include "appload.h"

/* ---------- serving the forwarded calls ---------- */

static struct {
    long main_tid; uint64_t process_id;
    int openat_ok, read_ok, write_ok, unknown_ok, error_ok, short_ok, mmap_ok, message_ok, core_leaked, kill_forwarded;
    long still_waits_after_post;
    long pending_while_held, pending_after_signal, late_reply;
    char collected[4096]; size_t collected_length;
    char why[160];
} served;

static long answer(struct ipc_message *m, long value)
{
    m->label = 0; m->length = 8; m->handle_count = 0;
    memcpy(m->payload, &value, 8);
    return bsys0(SYS_ipc_reply);
}

/* read(4, flag, 1): hold it, tell the child through its own memory, then watch ipc_reply_pending. */
static void hold_until_interrupted(struct ipc_message *m, uint32_t process, uint64_t flag)
{
    served.pending_while_held = ipc_reply_pending();
    char one = 1;
    process_write(process, flag, &one, 1);
    served.pending_after_signal = -1;
    for (int i = 0; i < 500; i++)
    {
        bsys1(SYS_thread_sleep, 10);
        long p = ipc_reply_pending();
        if (p != 1) { served.pending_after_signal = p; break; }
    }
    served.late_reply = answer(m, 0);
}

static void serve_one(struct ipc_message *m, uint32_t process)
{
    struct forwarded_call c;
    memcpy(&c, m->payload, sizeof c);
    if ((m->label & LNX_LABEL_MASK) != LNX_LABEL || m->length != 80 || (m->label & 0xFFFFFFFF) != c.number || m->badge != BADGE
        || c.kernel_process_id == 0 || c.thread_id == 0 || c.flags != 0)
    {
        served.message_ok = 0;
        snprintf(served.why, sizeof served.why, "label %lx length %u badge %lx pid %lu tid %lu", (unsigned long)m->label,
                 m->length, (unsigned long)m->badge, (unsigned long)c.kernel_process_id, (unsigned long)c.thread_id);
    }
    if (c.number == 0 && c.args[0] == 4) { hold_until_interrupted(m, process, c.args[1]); return; }
    if (c.thread_id == (uint64_t)served.main_tid && served.process_id == 0) served.process_id = c.kernel_process_id;
    char path[64];
    switch (c.number)
    {
        case 257:   /* openat(dirfd, path, flags, mode) */
        {
            long n = process_read(process, c.args[1], path, sizeof path);
            path[sizeof path - 1] = 0;
            int known = n > 0 && strcmp(path, "/etc/motd") == 0;
            served.openat_ok += n == (long)sizeof path && (known || strcmp(path, "/no/such/file") == 0);
            answer(m, known ? 3 : -ENOENT_);
            return;
        }
        case 0:     /* read(3, buffer, length) */
        {
            static const char text[] = "hello from posix\n";
            long n = c.args[0] == 3 ? process_write(process, c.args[1], text, 17) : -EBADF_;
            served.read_ok = n == 17;
            answer(m, n);
            return;
        }
        case 1:     /* write(1, buffer, length): collected */
        {
            size_t room = sizeof served.collected - served.collected_length, length = c.args[2];
            if (length > room) length = room;
            long n = c.args[0] == 1 ? process_read(process, c.args[1], served.collected + served.collected_length, length) : -EBADF_;
            if (n > 0) { served.collected_length += (size_t)n; served.write_ok = 1; }
            answer(m, n);
            return;
        }
        case 9:     /* mmap(address, length, prot, flags, fd 3, offset): a "file" page */
        {
            long at = process_mmap(process, 0, c.args[1], PROT_R | PROT_W, MAP_PRIV);
            long w = at > 0 ? process_write(process, (uint64_t)at, "file page", 9) : at;
            long p = w == 9 ? process_mprotect(process, (uint64_t)at, c.args[1], (int)c.args[2]) : w;
            served.mmap_ok = c.args[4] == 3 && (c.args[3] & MAP_ANON) == 0 && p == 0;
            answer(m, p == 0 ? at : p);
            return;
        }
        case 1000: served.unknown_ok = 1; answer(m, -ENOSYS_); return;
        case 62:    /* kill(777, SIGTERM): another pid is the personality's to resolve */
            served.kill_forwarded = c.args[0] == 777 && c.args[1] == 15;
            answer(m, -ESRCH_);
            return;
        case 1001:  /* post SIGCHLD (blocked by the child) as a child's exit would: CLD_EXITED, pid 99, status 3 */
            answer(m, process_signal(process, 17, 1, 99, 3, 0));
            return;
        case 1002:  /* post SIGUSR2 to the thread whose call this is, then answer 5: the call is not cancelled */
        {
            long r = process_signal(process, 12, 0, 1, 0, 0);
            served.still_waits_after_post = ipc_reply_pending();
            answer(m, r == 0 ? 5 : r);
            return;
        }
        case 102: served.error_ok = 1; answer(m, -EACCES_); return;
        case 110:   /* getppid: a 4-byte reply, too short */
            served.short_ok = 1;
            m->label = 0; m->length = 4; m->handle_count = 0;
            bsys0(SYS_ipc_reply);
            return;
        default:
            /* Anything else here is a core call the kernel should have answered, or a musl surprise. */
            served.core_leaked = (int)c.number;
            answer(m, -ENOSYS_);
            return;
    }
}

static void print_collected(void)
{
    fwrite(served.collected, 1, served.collected_length, stdout);
    fflush(stdout);
}

static int t_serve(void)
{
    served.message_ok = 1;
    long endpoint = bsys0(SYS_endpoint_create), death = bsys0(SYS_notification_create);
    EXPECT(endpoint > 0 && death > 0, "endpoint %ld notification %ld", endpoint, death);
    struct loaded l;
    long r = launch("serve", (uint32_t)endpoint, BADGE, &l, &served.main_tid);
    EXPECT_EQ(r, 0);
    EXPECT_EQ(served.main_tid, BADGE);   /* process_start answers the first thread's Linux tid: the pid set before */
    EXPECT_EQ(bsys3(SYS_process_watch, l.process, death, 1), 0);
    struct ipc_message *m = ipc_buffer();
    int calls = 0;
    for (int idle = 0; idle < 1000; )
    {
        long got = bsys2(SYS_ipc_recv, endpoint, 20);
        if (got == -ETIMEDOUT_)
        {
            if (bsys1(SYS_notify_poll, death) != 0) break;
            idle++;
            continue;
        }
        EXPECT_EQ(got, 0);
        idle = 0;          /* the bound is 20 s without any call, not 20 s in all */
        calls++;
        serve_one(m, l.process);
    }
    long status = bsys1(SYS_process_status, l.process);
    print_collected();
    EXPECT(calls >= 10, "only %d forwarded calls", calls);
    EXPECT(served.message_ok, "a forwarded message was malformed: %s", served.why);
    EXPECT(served.process_id != 0, "no call from the main thread (tid %ld)", served.main_tid);
    EXPECT(served.core_leaked == 0, "core call %d was forwarded", served.core_leaked);
    EXPECT_EQ(status, 0);
    return 1;
}

static int t_openat(void) { EXPECT_EQ(served.openat_ok, 2); return 1; }
static int t_read(void) { EXPECT(served.read_ok, "read not answered"); return 1; }
static int t_write(void)
{
    EXPECT(served.write_ok && strstr(served.collected, "ok - child: openat") != 0, "collected: %.60s", served.collected);
    return 1;
}
static int t_unknown(void) { EXPECT(served.unknown_ok, "number 1000 never came"); return 1; }
static int t_error(void) { EXPECT(served.error_ok && served.short_ok, "getuid %d getppid %d", served.error_ok, served.short_ok); return 1; }
static int t_mmap(void) { EXPECT(served.mmap_ok, "mmap with fd 3 not served"); return 1; }
static long fresh(void);

static int t_kill_forwarded(void)
{
    EXPECT(served.kill_forwarded, "kill(777, SIGTERM) did not reach the personality");
    EXPECT_EQ(served.still_waits_after_post, 1);
    return 1;
}

/* process_set_pid and process_signal refuse bad arguments and handles. */
static int t_signal_errors(void)
{
    long p = fresh(), endpoint = bsys0(SYS_endpoint_create);
    long weak = bsys3(SYS_handle_dup, p, R_TRANSFER, 0);
    EXPECT_EQ(process_set_pid((uint32_t)p, 0), -EINVAL_);
    EXPECT_EQ(process_set_pid((uint32_t)p, 1L << 31), -EINVAL_);
    EXPECT_EQ(process_set_pid((uint32_t)p, 42), 0);
    EXPECT_EQ(process_signal((uint32_t)p, 65, 0, 1, 0, 0), -EINVAL_);
    EXPECT_EQ(process_signal((uint32_t)p, 15, 0, 1, 0, 2), -EINVAL_);          /* unknown flag */
    EXPECT_EQ(process_signal((uint32_t)p, 15, 0, 1L << 31, 0, 0), -EINVAL_);   /* sender pid out of range */
    EXPECT_EQ(process_signal((uint32_t)p, 0, 0, 1, 0, 0), 0);                  /* signal 0: it lives */
    EXPECT_EQ(process_signal((uint32_t)p, 15, 0, 1, 0, 0), 0);                 /* no thread yet: nothing to deliver to */
    EXPECT_EQ(process_signal((uint32_t)endpoint, 15, 0, 1, 0, 0), -EBADF_);
    EXPECT_EQ(process_set_pid((uint32_t)endpoint, 42), -EBADF_);
    EXPECT_EQ(process_signal((uint32_t)weak, 15, 0, 1, 0, 0), -EPERM_);
    EXPECT_EQ(process_set_pid((uint32_t)weak, 42), -EPERM_);
    EXPECT_EQ(bsys1(SYS_process_kill, p), 0);
    EXPECT_EQ(process_signal((uint32_t)p, 0, 0, 1, 0, 0), -ESRCH_);
    EXPECT_EQ(process_set_pid((uint32_t)p, 42), -ESRCH_);
    bsys1(SYS_handle_close, weak);
    bsys1(SYS_handle_close, p);
    bsys1(SYS_handle_close, endpoint);
    return 1;
}

static int t_signal(void)
{
    EXPECT_EQ(served.pending_while_held, 1);
    EXPECT_EQ(served.pending_after_signal, 0);
    EXPECT_EQ(served.late_reply, -ESRCH_);
    return 1;
}

/* The personality dies while the child's call waits: the child gets EIO (its exit status). */
static int t_eio(void)
{
    long endpoint = bsys0(SYS_endpoint_create), death = bsys0(SYS_notification_create);
    struct loaded l;
    long tid;
    EXPECT_EQ(launch("eio", (uint32_t)endpoint, BADGE, &l, &tid), 0);
    EXPECT_EQ(bsys3(SYS_process_watch, l.process, death, 1), 0);
    static const char args[] = "apphost\0die";
    uint32_t handles[1] = { (uint32_t)endpoint };
    long helper = spawn("apphost", args, sizeof args, handles, 1);
    EXPECT(helper > 0, "spawn of the helper: %ld", helper);
    long bits = bsys2(SYS_notify_wait, death, 20000);
    EXPECT_EQ(bits, 1);
    EXPECT_EQ(bsys1(SYS_process_status, l.process), EIO_ << 8);
    /* A call made after the personality died (nobody took its endpoint over) fails at once. */
    long death2 = bsys0(SYS_notification_create);
    EXPECT_EQ(launch("eio", (uint32_t)endpoint, BADGE, &l, &tid), 0);
    EXPECT_EQ(bsys3(SYS_process_watch, l.process, death2, 1), 0);
    EXPECT_EQ(bsys2(SYS_notify_wait, death2, 20000), 1);
    EXPECT_EQ(bsys1(SYS_process_status, l.process), EIO_ << 8);
    return 1;
}

/* The helper: receive one forwarded call and die without answering. */
static int die_with_a_call(void)
{
    long r = bsys2(SYS_ipc_recv, initial_handle(0), FOREVER);
    bsys1(SYS_process_exit, r == 0 ? 0 : 1);
    return 0;
}

/* ---------- bad input ---------- */

static long fresh(void) { return process_create("victim", 0, 0); }

static int t_create(void)
{
    long p = fresh();
    EXPECT(p > 0, "process_create: %ld", p);
    EXPECT_EQ(bsys1(SYS_handle_info, p) & 0xFF, CAP_PROCESS);
    EXPECT_EQ((bsys1(SYS_handle_info, p) >> 8) & 0xFF, R_CONTROL | R_TRANSFER | R_DUPLICATE);
    EXPECT_EQ(bsys1(SYS_process_status, p), -11);          /* alive (EAGAIN) although it has no thread */
    char page[16];
    EXPECT_EQ(process_read((uint32_t)p, 0x400000, page, sizeof page), -EFAULT_);   /* empty address space */
    EXPECT_EQ(bsys4(SYS_process_create, "0123456789012345678901234567890123", 34, 0, 0), -ENAMETOOLONG_);
    EXPECT_EQ(bsys4(SYS_process_create, "x", 1, 0, 9), -EINVAL_);
    EXPECT_EQ(bsys4(SYS_process_create, (void *)16, 1, 0, 0), -EFAULT_);
    EXPECT_EQ(bsys1(SYS_process_kill, p), 0);
    EXPECT_EQ(bsys1(SYS_process_status, p), 9);
    EXPECT_EQ(bsys1(SYS_handle_close, p), 0);
    return 1;
}

static int t_efault(void)
{
    long p = fresh();
    char buffer[64];
    EXPECT_EQ(process_mmap((uint32_t)p, 0x500000, 8192, PROT_R | PROT_W, MAP_PRIV | MAP_FIX), 0x500000);
    EXPECT_EQ(process_write((uint32_t)p, 0x500ff0, "across a page", 13), 13);    /* demand pages faulted in */
    EXPECT_EQ(process_read((uint32_t)p, 0x500ff0, buffer, 13), 13);
    EXPECT(memcmp(buffer, "across a page", 13) == 0, "read back %.13s", buffer);
    memset(buffer, 0x55, sizeof buffer);
    EXPECT_EQ(process_mmap((uint32_t)p, 0x520000, 4096, PROT_R, MAP_PRIV | MAP_FIX), 0x520000);
    EXPECT_EQ(process_read((uint32_t)p, 0x520000, buffer, 8), 8);           /* never touched: faulted in, zero */
    EXPECT(buffer[0] == 0 && buffer[7] == 0, "untouched page read %d %d", buffer[0], buffer[7]);
    EXPECT_EQ(process_read((uint32_t)p, KERNEL_ADDRESS, buffer, 8), -EFAULT_);
    EXPECT_EQ(process_write((uint32_t)p, KERNEL_ADDRESS, buffer, 8), -EFAULT_);
    EXPECT_EQ(process_read((uint32_t)p, 0x00007FFFFFFFFFF8UL, buffer, 16), -EFAULT_);  /* runs into the kernel half */
    EXPECT_EQ(process_read((uint32_t)p, 0x501ff8, buffer, 16), -EFAULT_);   /* runs past the mapping */
    EXPECT_EQ(process_write((uint32_t)p, 0x700000, buffer, 8), -EFAULT_);   /* unmapped */
    EXPECT_EQ(process_read((uint32_t)p, 0x500000, (void *)KERNEL_ADDRESS, 8), -EFAULT_);  /* bad local buffer */
    EXPECT_EQ(process_write((uint32_t)p, 0x500000, (void *)16, 8), -EFAULT_);
    bsys1(SYS_handle_close, p);
    return 1;
}

static int t_ebadf(void)
{
    long endpoint = bsys0(SYS_endpoint_create);
    char buffer[8];
    EXPECT_EQ(process_read((uint32_t)endpoint, 0x400000, buffer, 8), -EBADF_);
    EXPECT_EQ(process_write(0, 0x400000, buffer, 8), -EBADF_);
    EXPECT_EQ(process_mmap((uint32_t)endpoint, 0, 4096, PROT_R, MAP_PRIV), -EBADF_);
    EXPECT_EQ(process_start((uint32_t)endpoint, 0x401000, 0x7000, 0), -EBADF_);
    EXPECT_EQ(bsys6(SYS_process_start, 1UL << 40, 0x401000, 0x7000, 0, 0, 0), -EBADF_);
    long p = fresh();
    EXPECT_EQ(process_set_personality((uint32_t)p, (uint32_t)p), -EBADF_);     /* a process is not an endpoint */
    bsys1(SYS_handle_close, p);
    bsys1(SYS_handle_close, endpoint);
    return 1;
}

static int t_eperm(void)
{
    long p = fresh(), endpoint = bsys0(SYS_endpoint_create);
    long weak = bsys3(SYS_handle_dup, p, R_TRANSFER, 0);
    long receive_only = bsys3(SYS_handle_dup, endpoint, R_RECEIVE, 0);
    char buffer[8];
    EXPECT(weak > 0 && receive_only > 0, "dup %ld %ld", weak, receive_only);
    EXPECT_EQ(process_read((uint32_t)weak, 0x400000, buffer, 8), -EPERM_);
    EXPECT_EQ(process_write((uint32_t)weak, 0x400000, buffer, 8), -EPERM_);
    EXPECT_EQ(process_mmap((uint32_t)weak, 0, 4096, PROT_R, MAP_PRIV), -EPERM_);
    EXPECT_EQ(process_mprotect((uint32_t)weak, 0x400000, 4096, PROT_R), -EPERM_);
    EXPECT_EQ(process_start((uint32_t)weak, 0x401000, 0x7000, 0), -EPERM_);
    EXPECT_EQ(process_set_personality((uint32_t)weak, (uint32_t)endpoint), -EPERM_);
    EXPECT_EQ(process_set_personality((uint32_t)p, (uint32_t)receive_only), -EPERM_);
    bsys1(SYS_handle_close, weak);
    bsys1(SYS_handle_close, receive_only);
    bsys1(SYS_handle_close, p);
    bsys1(SYS_handle_close, endpoint);
    return 1;
}

static int t_mmap_errors(void)
{
    long p = fresh();
    EXPECT_EQ(process_mmap((uint32_t)p, KERNEL_ADDRESS, 4096, PROT_R, MAP_PRIV | MAP_FIX), -ENOMEM_);
    EXPECT_EQ(process_mmap((uint32_t)p, 0x00007FFFFFFFF000UL, 8192, PROT_R, MAP_PRIV | MAP_FIX), -ENOMEM_);
    EXPECT_EQ(process_mmap((uint32_t)p, 0x500001, 4096, PROT_R, MAP_PRIV | MAP_FIX), -EINVAL_);
    EXPECT_EQ(process_mmap((uint32_t)p, 0, 0, PROT_R, MAP_PRIV), -EINVAL_);
    EXPECT_EQ(process_mmap((uint32_t)p, 0, 4096, 0x40, MAP_PRIV), -EINVAL_);
    EXPECT_EQ(process_mmap((uint32_t)p, 0, 4096, PROT_R, 0), -EINVAL_);
    long hinted = process_mmap((uint32_t)p, KERNEL_ADDRESS, 4096, PROT_R, MAP_PRIV);   /* a hint is only a hint */
    EXPECT(hinted > 0 && (uint64_t)hinted < 0x0000800000000000UL, "hinted mmap at %lx", hinted);
    EXPECT_EQ(process_mprotect((uint32_t)p, KERNEL_ADDRESS, 4096, PROT_R), -ENOMEM_);
    EXPECT_EQ(process_mprotect((uint32_t)p, 0x900000, 4096, PROT_R), -ENOMEM_);     /* nothing mapped there */
    bsys1(SYS_handle_close, p);
    return 1;
}

static int t_poke(void)
{
    long p = fresh();
    char buffer[8] = { 0 };
    EXPECT_EQ(process_mmap((uint32_t)p, 0x600000, 4096, PROT_R, MAP_PRIV | MAP_FIX), 0x600000);
    EXPECT_EQ(process_write((uint32_t)p, 0x600000, "rodata", 6), 6);
    EXPECT_EQ(process_read((uint32_t)p, 0x600000, buffer, 6), 6);
    EXPECT(memcmp(buffer, "rodata", 6) == 0, "read back %.6s", buffer);
    EXPECT_EQ(process_mprotect((uint32_t)p, 0x600000, 4096, 0), 0);
    EXPECT_EQ(process_read((uint32_t)p, 0x600000, buffer, 6), -EFAULT_);            /* PROT_NONE */
    /* A page another process granted read-only is readable but never written: it is not the target's. */
    static char granted[4096] __attribute__((aligned(4096))) = "granted";
    long grant = bsys5(SYS_grant_create, p, granted, 1, 0x610000, 0);
    EXPECT(grant > 0, "grant_create: %ld", grant);
    EXPECT_EQ(process_read((uint32_t)p, 0x610000, buffer, 7), 7);
    EXPECT(memcmp(buffer, "granted", 7) == 0, "read back %.7s", buffer);
    EXPECT_EQ(process_write((uint32_t)p, 0x610000, "changed", 7), -EFAULT_);
    EXPECT(memcmp(granted, "granted", 7) == 0, "the granter's page changed: %.7s", granted);
    bsys1(SYS_handle_close, grant);
    bsys1(SYS_handle_close, p);
    return 1;
}

static int t_start_errors(void)
{
    long p = fresh();
    EXPECT_EQ(process_mmap((uint32_t)p, 0x400000, 4096, PROT_R | PROT_X, MAP_PRIV | MAP_FIX), 0x400000);
    EXPECT_EQ(process_start((uint32_t)p, KERNEL_ADDRESS, 0x7000, 0), -EFAULT_);
    EXPECT_EQ(process_start((uint32_t)p, 0, 0x7000, 0), -EFAULT_);
    EXPECT_EQ(process_start((uint32_t)p, 0x400000, 0x7000, 0x1234), -EINVAL_);
    /* A process started on a page of `jmp .` (EB FE) runs; a second start is EBUSY. */
    EXPECT_EQ(process_write((uint32_t)p, 0x400000, "\xEB\xFE", 2), 2);
    long tid = process_start((uint32_t)p, 0x400000, 0, 0);
    EXPECT(tid > 0, "process_start: %ld", tid);
    EXPECT_EQ(process_start((uint32_t)p, 0x400000, 0, 0), -EBUSY_);
    EXPECT_EQ(bsys1(SYS_process_kill, p), 0);
    EXPECT_EQ(process_start((uint32_t)p, 0x400000, 0, 0), -ESRCH_);
    bsys1(SYS_handle_close, p);
    return 1;
}

static int t_reply_pending(void)
{
    EXPECT_EQ(ipc_reply_pending(), -ESRCH_);
    EXPECT_EQ(bsys0(SYS_ipc_reply), -ESRCH_);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "die") == 0) return die_with_a_call();
    setvbuf(stdout, 0, _IONBF, 0);
    run("process_create makes a live process with no thread; bad names are refused", t_create);
    run("an application built with process_mmap and process_write is started and served", t_serve);
    run("openat's path is read from the child with process_read", t_openat);
    run("read is answered with process_write into the child's buffer", t_read);
    run("the child's writes to fd 1 are collected by the personality", t_write);
    run("an unknown system call number reaches the personality", t_unknown);
    run("error answers and short replies reach the child", t_error);
    run("mmap of a file descriptor is forwarded and served with process_mmap", t_mmap);
    run("a signal cancels a held call: ipc_reply_pending 0, late reply ESRCH", t_signal);
    run("kill of another pid is forwarded; a signal posted to the served thread leaves its call waiting", t_kill_forwarded);
    run("a call waiting when the personality dies, or made after, gets EIO", t_eio);
    run("process_read and process_write refuse kernel and unmapped addresses with EFAULT", t_efault);
    run("a handle that is not a process is EBADF", t_ebadf);
    run("a process handle without Control, or an endpoint without Send, is EPERM", t_eperm);
    run("process_mmap over the kernel half and with bad arguments gets Linux errors", t_mmap_errors);
    run("process_write writes a read-only page the process owns, not a PROT_NONE or granted one", t_poke);
    run("process_start checks entry, stack and brk_base, and starts once", t_start_errors);
    run("ipc_reply_pending with no call received is ESRCH", t_reply_pending);
    run("process_set_pid and process_signal check pid, signal, flags, handle type, rights and liveness", t_signal_errors);
    printf("%d passed, %d failed\n", passed, failed);
    return failed;
}
