/* ktest — the kernel-core test suite, run as the first process (init=ktest exit=init).
   Every case prints "ok - NAME" or "not ok - NAME: why"; the exit status is the number of
   failures, which the kernel turns into QEMU's exit status (tests/Biscuit.Boot.Tests reads both).
   It holds the device manager capability in initial handle 0. */
#include "biscuit.h"
#include "check.h"
#include <stdio.h>
#include <string.h>
#include <stdarg.h>


enum { EPERM = 1, ENOENT = 2, ESRCH = 3, ENOEXEC = 8, EBADF = 9, EAGAIN = 11, ENOMEM = 12, EACCES = 13,
       EFAULT = 14, EBUSY = 16, EEXIST = 17, EINVAL = 22, EMFILE = 24, ENOSYS = 38, ENAMETOOLONG = 36,
       EMSGSIZE = 90, ETIMEDOUT = 110, ECANCELED = 125, EOWNERDEAD = 130 };
enum { SIGILL = 4, SIGFPE = 8, SIGKILL = 9, SIGSEGV = 11 };

static struct ipc_message *msg;
static uint32_t device_manager;

/* ---- helpers ---------------------------------------------------------------------------- */

static long spawn_child(const char *mode, const char *extra, const uint32_t *handles, int count)
{
    char args[128];
    size_t n = 0;
    const char *parts[3] = { "child", mode, extra };
    for (int i = 0; i < 3 && parts[i]; i++) {
        size_t l = strlen(parts[i]) + 1;
        memcpy(args + n, parts[i], l);
        n += l;
    }
    return spawn("child", args, n, handles, count);
}

/* Waits (up to `ms`) for a process to end; returns its wait status, or -ETIMEDOUT. */
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

static void message(uint64_t label, const void *payload, uint32_t length)
{
    msg->label = label;
    msg->length = length;
    msg->handle_count = 0;
    if (payload) memcpy(msg->payload, payload, length);
}

static struct system_info info(void)
{
    struct system_info s;
    bsys2(SYS_system_info, &s, sizeof s);
    return s;
}

/* ---- processes -------------------------------------------------------------------------- */

static int test_spawn_runs_a_static_linux_program_with_arguments(void)
{
    const char args[] = "hello\0first argument\0second";
    long p = spawn("hello", args, sizeof args, NULL, 0);
    EXPECT(p > 0, "spawn returned %ld", p);
    EXPECT_EQ(wait_exit(p, 5000), 0);
    EXPECT_EQ(bsys1(SYS_handle_close, p), 0);
    return 1;
}

static int test_spawn_of_an_unknown_module_is_ENOENT(void)
{
    EXPECT_EQ(spawn("no-such-program", NULL, 0, NULL, 0), -ENOENT);
    return 1;
}

static int test_malformed_ELF_modules_are_refused_with_ENOEXEC(void)
{
    EXPECT_EQ(spawn("bad.elf", NULL, 0, NULL, 0), -ENOEXEC);
    EXPECT_EQ(spawn("truncated.elf", NULL, 0, NULL, 0), -ENOEXEC);
    return 1;
}

static int test_a_faulting_process_dies_alone_with_the_right_signal(void)
{
    static const struct { const char *kind; long status; } cases[] = {
        { "null", SIGSEGV }, { "kernel", SIGSEGV }, { "ud", SIGILL }, { "divide", SIGFPE }, { "gp", SIGSEGV },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long p = spawn_child("fault", cases[i].kind, NULL, 0);
        EXPECT(p > 0, "spawn fault %s: %ld", cases[i].kind, p);
        long status = wait_exit(p, 5000);
        EXPECT(status == cases[i].status, "fault %s: status %ld, expected %ld", cases[i].kind, status, cases[i].status);
        bsys1(SYS_handle_close, p);
    }
    return 1;
}

static int test_process_status_is_EAGAIN_while_alive_and_kill_ends_it_with_SIGKILL(void)
{
    long p = spawn_child("sleep", NULL, NULL, 0);
    EXPECT(p > 0, "spawn: %ld", p);
    EXPECT_EQ(bsys1(SYS_process_status, p), -EAGAIN);
    EXPECT_EQ(bsys1(SYS_process_kill, p), 0);
    EXPECT_EQ(wait_exit(p, 1000), SIGKILL);
    EXPECT_EQ(bsys1(SYS_handle_close, p), 0);
    EXPECT_EQ(bsys1(SYS_process_status, p), -EBADF);
    return 1;
}

static int test_a_process_that_exits_gives_back_all_its_memory(void)
{
    struct system_info before = info();
    long p = spawn("hello", NULL, 0, NULL, 0);
    EXPECT(p > 0, "spawn: %ld", p);
    EXPECT_EQ(wait_exit(p, 5000), 0);
    bsys1(SYS_handle_close, p);
    struct system_info after = info();
    EXPECT(after.free_frames == before.free_frames, "free frames %lu before, %lu after", before.free_frames, after.free_frames);
    EXPECT_EQ(after.free_threads, before.free_threads);
    EXPECT_EQ(after.free_processes, before.free_processes);
    return 1;
}

/* ---- scheduling ------------------------------------------------------------------------- */

static int test_a_spinning_process_does_not_stop_others(void)
{
    /* Run at the spinner's priority so only preemption can bring us back. */
    EXPECT_EQ(bsys1(SYS_thread_set_priority, 2), 0);
    long p = spawn_child("spin", NULL, NULL, 0);
    EXPECT(p > 0, "spawn: %ld", p);
    long t0 = bsys0(SYS_clock_ticks);
    for (int i = 0; i < 5; i++) bsys1(SYS_thread_yield, 0);
    EXPECT_EQ(bsys1(SYS_thread_sleep, 50), 0);
    long t1 = bsys0(SYS_clock_ticks);
    EXPECT(t1 - t0 >= 5, "only %ld ticks passed", t1 - t0);
    EXPECT_EQ(bsys1(SYS_process_kill, p), 0);
    EXPECT_EQ(wait_exit(p, 1000), SIGKILL);
    bsys1(SYS_handle_close, p);
    EXPECT_EQ(bsys1(SYS_thread_set_priority, 5), 0);
    return 1;
}

static volatile int thread_flag;
static uint32_t thread_notification;
static void flag_thread(long value)
{
    thread_flag = (int)value;
    bsys2(SYS_notify_signal, thread_notification, 1);
    bsys1(SYS_thread_exit, 0);
}
static uint8_t thread_stack[4][16384] __attribute__((aligned(16)));

static int test_a_second_thread_runs_in_the_same_address_space(void)
{
    thread_notification = bsys0(SYS_notification_create);
    thread_flag = 0;
    long t = bsys4(SYS_thread_create, flag_thread, thread_stack[0] + sizeof thread_stack[0] - 8, 42, 5);
    EXPECT(t > 0, "thread_create: %ld", t);
    EXPECT_EQ(bsys2(SYS_notify_wait, thread_notification, 2000), 1);
    EXPECT_EQ(thread_flag, 42);
    bsys1(SYS_handle_close, thread_notification);
    return 1;
}

static volatile int fpu_errors, fpu_done;
static void fpu_thread(long seed)
{
    /* Long enough to be preempted many times; any lost x87/SSE state shows as a wrong sum. */
    for (int round = 0; round < 200; round++) {
        double x = (double)seed, sum = 0;
        for (int i = 0; i < 2000; i++) { sum += x * 0.5; x += 1.0; }
        double expected = 0.5 * (2000.0 * seed + 2000.0 * 1999.0 / 2);
        if (sum != expected) fpu_errors++;
    }
    __atomic_add_fetch(&fpu_done, 1, __ATOMIC_SEQ_CST);
    bsys2(SYS_notify_signal, thread_notification, 2);
    bsys1(SYS_thread_exit, 0);
}

static int test_FPU_and_SSE_state_survive_preemption(void)
{
    thread_notification = bsys0(SYS_notification_create);
    fpu_errors = 0;
    fpu_done = 0;
    for (int i = 0; i < 3; i++) {
        long t = bsys4(SYS_thread_create, fpu_thread, thread_stack[i] + sizeof thread_stack[i] - 8, 1000 * (i + 1), 2);
        EXPECT(t > 0, "thread_create: %ld", t);
    }
    uint64_t before = info().context_switches;
    while (fpu_done < 3) {
        long r = bsys2(SYS_notify_wait, thread_notification, 20000);
        EXPECT(r > 0, "wait: %ld", r);
    }
    EXPECT_EQ(fpu_errors, 0);
    EXPECT(info().context_switches > before + 3, "threads were not switched between");
    bsys1(SYS_handle_close, thread_notification);
    return 1;
}

static int test_sleep_waits_at_least_the_time_asked(void)
{
    long t0 = bsys0(SYS_clock_ticks);
    EXPECT_EQ(bsys1(SYS_thread_sleep, 100), 0);
    long t1 = bsys0(SYS_clock_ticks);
    EXPECT(t1 - t0 >= 10, "slept %ld ticks", t1 - t0);
    EXPECT_EQ(bsys1(SYS_thread_set_priority, 8), -EINVAL);
    return 1;
}

/* ---- IPC -------------------------------------------------------------------------------- */

static uint32_t server_endpoint;
static void server_thread(long unused)
{
    long r = bsys2(SYS_ipc_recv, server_endpoint, FOREVER);
    while (r == 0) {
        struct ipc_message *m = ipc_buffer();
        for (uint32_t i = 0; i < m->length; i++) m->payload[i] ^= 0xFF;
        m->label = m->label + 1;
        r = bsys2(SYS_ipc_reply_recv, server_endpoint, FOREVER);
    }
    bsys1(SYS_thread_exit, 0);
}

static int test_call_and_reply_between_threads_carry_label_and_payload(void)
{
    server_endpoint = bsys0(SYS_endpoint_create);
    EXPECT((long)server_endpoint > 0, "endpoint_create: %ld", (long)server_endpoint);
    long t = bsys4(SYS_thread_create, server_thread, thread_stack[3] + sizeof thread_stack[3] - 8, 0, 5);
    EXPECT(t > 0, "thread_create: %ld", t);
    for (int i = 0; i < 100; i++) {
        uint8_t data[64];
        for (int j = 0; j < 64; j++) data[j] = (uint8_t)(i + j);
        message(1000 + i, data, 64);
        EXPECT_EQ(bsys2(SYS_ipc_call, server_endpoint, 2000), 0);
        EXPECT_EQ(msg->label, 1001 + i);
        EXPECT_EQ(msg->length, 64);
        for (int j = 0; j < 64; j++) EXPECT_EQ(msg->payload[j], (uint8_t)((i + j) ^ 0xFF));
    }
    return 1;
}

static uint32_t echo_endpoint, echo_process;

static int test_call_to_another_process_shows_the_badge_of_the_callers_capability(void)
{
    echo_endpoint = bsys0(SYS_endpoint_create);
    uint32_t handles[1] = { echo_endpoint };
    long p = spawn_child("echo", NULL, handles, 1);
    EXPECT(p > 0, "spawn echo: %ld", p);
    echo_process = p;
    long badged = bsys3(SYS_handle_dup, echo_endpoint, R_SEND | R_TRANSFER, 0xBAD6E);
    EXPECT(badged > 0, "handle_dup: %ld", badged);
    message(1, "ping", 4);
    EXPECT_EQ(bsys2(SYS_ipc_call, badged, 2000), 0);
    EXPECT_EQ(msg->label, 0xBAD6E);
    EXPECT(msg->length == 4 && !memcmp(msg->payload, "ping", 4), "payload not echoed");
    message(1, "pong", 4);
    EXPECT_EQ(bsys2(SYS_ipc_call, echo_endpoint, 2000), 0);
    EXPECT_EQ(msg->label, 0);
    bsys1(SYS_handle_close, badged);
    return 1;
}

static int test_a_handle_passed_in_a_message_works_in_the_receiver(void)
{
    long n = bsys0(SYS_notification_create);
    uint64_t bits = 0x50;
    message(2, &bits, 8);
    msg->handle_count = 1;
    msg->handles[0] = n;
    EXPECT_EQ(bsys2(SYS_ipc_call, echo_endpoint, 2000), 0);
    EXPECT_EQ(msg->label, 0);                  /* the server's notify_signal succeeded */
    EXPECT_EQ(bsys1(SYS_notify_poll, n), 0x50);
    bsys1(SYS_handle_close, n);
    return 1;
}

static int test_a_handle_without_the_transfer_right_cannot_be_sent(void)
{
    long n = bsys0(SYS_notification_create);
    long weak = bsys3(SYS_handle_dup, n, R_SIGNAL, 0);
    message(2, NULL, 0);
    msg->handle_count = 1;
    msg->handles[0] = weak;
    EXPECT_EQ(bsys2(SYS_ipc_call, echo_endpoint, 2000), -EPERM);
    bsys1(SYS_handle_close, weak);
    bsys1(SYS_handle_close, n);
    return 1;
}

static int test_malformed_messages_are_refused_before_anything_moves(void)
{
    message(1, NULL, 0);
    msg->length = 5000;
    EXPECT_EQ(bsys2(SYS_ipc_call, echo_endpoint, 2000), -EMSGSIZE);
    message(1, NULL, 0);
    msg->handle_count = 5;
    EXPECT_EQ(bsys2(SYS_ipc_call, echo_endpoint, 2000), -EINVAL);
    message(1, NULL, 0);
    msg->handle_count = 1;
    msg->handles[0] = 0x7777;
    EXPECT_EQ(bsys2(SYS_ipc_call, echo_endpoint, 2000), -EBADF);
    message(1, "ok", 2);
    EXPECT_EQ(bsys2(SYS_ipc_call, echo_endpoint, 2000), 0);   /* the server is unharmed */
    return 1;
}

static int test_receive_and_send_without_a_partner_time_out_or_fail_at_once(void)
{
    long ep = bsys0(SYS_endpoint_create);
    EXPECT_EQ(bsys2(SYS_ipc_recv, ep, 0), -EAGAIN);
    message(1, NULL, 0);
    EXPECT_EQ(bsys2(SYS_ipc_send, ep, 0), -EAGAIN);
    long t0 = bsys0(SYS_clock_ticks);
    EXPECT_EQ(bsys2(SYS_ipc_recv, ep, 50), -ETIMEDOUT);
    EXPECT_EQ(bsys2(SYS_ipc_call, ep, 50), -ETIMEDOUT);
    EXPECT_EQ(bsys2(SYS_ipc_call, ep, 0), -EINVAL);
    EXPECT(bsys0(SYS_clock_ticks) - t0 >= 10, "timeouts returned too early");
    bsys1(SYS_handle_close, ep);
    return 1;
}

static int test_a_caller_whose_server_dies_gets_EOWNERDEAD_at_once(void)
{
    long ep = bsys0(SYS_endpoint_create);
    uint32_t handles[1] = { (uint32_t)ep };
    long p = spawn_child("dying", NULL, handles, 1);
    EXPECT(p > 0, "spawn: %ld", p);
    message(1, "x", 1);
    long t0 = bsys0(SYS_clock_ticks);
    EXPECT_EQ(bsys2(SYS_ipc_call, ep, 10000), -EOWNERDEAD);
    EXPECT(bsys0(SYS_clock_ticks) - t0 < 500, "the error took %ld ticks", bsys0(SYS_clock_ticks) - t0);
    EXPECT_EQ(wait_exit(p, 2000), 0);
    bsys1(SYS_handle_close, p);
    /* The endpoint survives its server, for a restarted one to take over. */
    EXPECT_EQ(bsys2(SYS_ipc_recv, ep, 0), -EAGAIN);
    bsys1(SYS_handle_close, ep);
    return 1;
}

static uint32_t abandon_endpoint;
static volatile long abandoned_result = 1;
static void abandoned_caller(long unused)
{
    struct ipc_message *m = ipc_buffer();
    m->label = 1; m->length = 0; m->handle_count = 0;
    abandoned_result = bsys2(SYS_ipc_call, abandon_endpoint, 5000);
    bsys2(SYS_notify_signal, thread_notification, 4);
    bsys1(SYS_thread_exit, 0);
}

static int test_a_server_that_receives_again_without_replying_releases_its_caller(void)
{
    abandon_endpoint = bsys0(SYS_endpoint_create);
    thread_notification = bsys0(SYS_notification_create);
    long t = bsys4(SYS_thread_create, abandoned_caller, thread_stack[0] + sizeof thread_stack[0] - 8, 0, 5);
    EXPECT(t > 0, "thread_create: %ld", t);
    EXPECT_EQ(bsys2(SYS_ipc_recv, abandon_endpoint, 2000), 0);
    EXPECT_EQ(bsys2(SYS_ipc_recv, abandon_endpoint, 0), -EAGAIN);
    EXPECT_EQ(bsys2(SYS_notify_wait, thread_notification, 2000), 4);
    EXPECT_EQ(abandoned_result, -ECANCELED);
    EXPECT_EQ(bsys0(SYS_ipc_reply), -ESRCH);
    bsys1(SYS_handle_close, abandon_endpoint);
    bsys1(SYS_handle_close, thread_notification);
    return 1;
}

/* ---- notifications ---------------------------------------------------------------------- */

static void signal_later(long handle)
{
    bsys1(SYS_thread_sleep, 30);
    bsys2(SYS_notify_signal, handle, 0x8);
    bsys1(SYS_thread_exit, 0);
}

static int test_notifications_accumulate_bits_and_wake_a_waiter(void)
{
    long n = bsys0(SYS_notification_create);
    EXPECT_EQ(bsys1(SYS_notify_poll, n), 0);
    EXPECT_EQ(bsys2(SYS_notify_signal, n, 1), 0);
    EXPECT_EQ(bsys2(SYS_notify_signal, n, 4), 0);
    EXPECT_EQ(bsys1(SYS_notify_poll, n), 5);
    EXPECT_EQ(bsys1(SYS_notify_poll, n), 0);
    EXPECT_EQ(bsys2(SYS_notify_wait, n, 0), 0);
    EXPECT_EQ(bsys2(SYS_notify_wait, n, 30), -ETIMEDOUT);
    EXPECT_EQ(bsys2(SYS_notify_signal, n, 0), -EINVAL);
    EXPECT_EQ(bsys2(SYS_notify_signal, n, 1UL << 63), -EINVAL);
    long t = bsys4(SYS_thread_create, signal_later, thread_stack[1] + sizeof thread_stack[1] - 8, n, 5);
    EXPECT(t > 0, "thread_create: %ld", t);
    EXPECT_EQ(bsys2(SYS_notify_wait, n, 5000), 0x8);
    bsys1(SYS_handle_close, n);
    return 1;
}

/* ---- capabilities ----------------------------------------------------------------------- */

static int test_bad_handles_are_EBADF_and_missing_rights_EPERM(void)
{
    EXPECT_EQ(bsys2(SYS_notify_signal, 0, 1), -EBADF);
    EXPECT_EQ(bsys2(SYS_notify_signal, 0xFFF, 1), -EBADF);
    EXPECT_EQ(bsys2(SYS_notify_signal, 0x100000000L | initial_handle(0), 1), -EBADF);
    long ep = bsys0(SYS_endpoint_create);
    EXPECT_EQ(bsys2(SYS_notify_signal, ep, 1), -EBADF);            /* wrong type */
    long send_only = bsys3(SYS_handle_dup, ep, R_SEND, 0);
    EXPECT(send_only > 0, "dup: %ld", send_only);
    EXPECT_EQ(bsys2(SYS_ipc_recv, send_only, 0), -EPERM);
    EXPECT_EQ(bsys3(SYS_handle_dup, send_only, R_SEND, 0), -EPERM);  /* no Duplicate right */
    EXPECT_EQ(bsys3(SYS_handle_dup, ep, R_SEND | 0x80, 0), -EPERM);
    long badged = bsys3(SYS_handle_dup, ep, R_SEND | R_DUPLICATE, 7);
    EXPECT(badged > 0, "badged dup: %ld", badged);
    EXPECT_EQ(bsys3(SYS_handle_dup, badged, R_SEND, 8), -EPERM);     /* badges are set once */
    EXPECT_EQ(bsys1(SYS_handle_info, send_only), CAP_ENDPOINT | (R_SEND << 8));
    EXPECT_EQ(bsys1(SYS_handle_close, send_only), 0);
    EXPECT_EQ(bsys1(SYS_handle_close, send_only), -EBADF);
    /* A handle to a freed slot stays dead even when the slot is reused. */
    long reused = bsys0(SYS_notification_create);
    EXPECT_EQ(bsys2(SYS_ipc_recv, send_only, 0), -EBADF);
    bsys1(SYS_handle_close, reused);
    bsys1(SYS_handle_close, badged);
    bsys1(SYS_handle_close, ep);
    return 1;
}

static int test_a_full_handle_table_is_EMFILE_and_recovers(void)
{
    static long made[300];
    int n = 0;
    long r;
    while ((r = bsys0(SYS_notification_create)) > 0 && n < 300) made[n++] = r;
    EXPECT_EQ(r, -EMFILE);
    EXPECT(n > 200, "only %d handles", n);
    for (int i = 0; i < n; i++) EXPECT_EQ(bsys1(SYS_handle_close, made[i]), 0);
    r = bsys0(SYS_notification_create);
    EXPECT(r > 0, "after closing: %ld", r);
    bsys1(SYS_handle_close, r);
    return 1;
}

static int test_exhausting_the_thread_pool_is_ENOMEM_and_the_system_keeps_running(void)
{
    struct system_info before = info();
    long ep = bsys0(SYS_endpoint_create);
    uint32_t handles[1] = { (uint32_t)ep };
    long p = spawn_child("threadhog", NULL, handles, 1);
    EXPECT(p > 0, "spawn: %ld", p);
    EXPECT_EQ(bsys2(SYS_ipc_recv, ep, 20000), 0);
    long count, error;
    memcpy(&count, msg->payload, 8);
    memcpy(&error, msg->payload + 8, 8);
    EXPECT_EQ(error, -ENOMEM);
    EXPECT(count > 100, "only %ld threads", count);
    EXPECT_EQ(info().free_threads, 0);
    /* Everything else still works while the pool is empty. */
    message(1, "alive", 5);
    EXPECT_EQ(bsys2(SYS_ipc_call, echo_endpoint, 2000), 0);
    EXPECT_EQ(bsys4(SYS_thread_create, flag_thread, thread_stack[0] + 1000, 0, 2), -ENOMEM);
    bsys0(SYS_ipc_reply);
    EXPECT_EQ(bsys1(SYS_process_kill, p), 0);
    EXPECT_EQ(wait_exit(p, 5000), SIGKILL);
    bsys1(SYS_handle_close, p);
    bsys1(SYS_handle_close, ep);
    EXPECT_EQ(info().free_threads, before.free_threads);
    return 1;
}

static int test_exhausting_the_endpoint_pool_is_ENOMEM_and_the_system_keeps_running(void)
{
    struct system_info before = info();
    long ep = bsys0(SYS_endpoint_create);
    uint32_t handles[1] = { (uint32_t)ep };
    long hogs[16];
    int n = 0, saw_enomem = 0;
    /* Each hog fills its own handle table (EMFILE) or finds the kernel pool empty (ENOMEM). */
    while (n < 16 && !saw_enomem) {
        long p = spawn_child("endpointhog", NULL, handles, 1);
        EXPECT(p > 0, "spawn: %ld", p);
        hogs[n++] = p;
        EXPECT_EQ(bsys2(SYS_ipc_recv, ep, 20000), 0);
        long count, error;
        memcpy(&count, msg->payload, 8);
        memcpy(&error, msg->payload + 8, 8);
        EXPECT(error == -EMFILE || error == -ENOMEM, "hog %d stopped with %ld after %ld", n, error, count);
        if (error == -ENOMEM) saw_enomem = 1;
        bsys0(SYS_ipc_reply);
    }
    EXPECT(saw_enomem, "the endpoint pool never ran out (%d hogs)", n);
    EXPECT_EQ(info().free_endpoints, 0);
    EXPECT_EQ(bsys0(SYS_endpoint_create), -ENOMEM);
    message(1, "alive", 5);
    EXPECT_EQ(bsys2(SYS_ipc_call, echo_endpoint, 2000), 0);     /* existing endpoints still work */
    for (int i = 0; i < n; i++) {
        EXPECT_EQ(bsys1(SYS_process_kill, hogs[i]), 0);
        EXPECT_EQ(wait_exit(hogs[i], 5000), SIGKILL);
        bsys1(SYS_handle_close, hogs[i]);
    }
    bsys1(SYS_handle_close, ep);
    EXPECT_EQ(info().free_endpoints, before.free_endpoints);
    return 1;
}

static uint32_t send_endpoint;
static volatile long received_label;
static void receiver_thread(long unused)
{
    long r = bsys2(SYS_ipc_recv, send_endpoint, 5000);
    received_label = r == 0 ? (long)ipc_buffer()->label : r;
    bsys2(SYS_notify_signal, thread_notification, 8);
    bsys1(SYS_thread_exit, 0);
}

static int test_send_delivers_to_a_waiting_receiver_without_a_reply(void)
{
    send_endpoint = bsys0(SYS_endpoint_create);
    thread_notification = bsys0(SYS_notification_create);
    long t = bsys4(SYS_thread_create, receiver_thread, thread_stack[2] + sizeof thread_stack[2] - 8, 0, 6);
    EXPECT(t > 0, "thread_create: %ld", t);
    message(77, NULL, 0);
    EXPECT_EQ(bsys2(SYS_ipc_send, send_endpoint, 2000), 0);
    EXPECT_EQ(bsys2(SYS_notify_wait, thread_notification, 2000), 8);
    EXPECT_EQ(received_label, 77);
    bsys1(SYS_handle_close, send_endpoint);
    bsys1(SYS_handle_close, thread_notification);
    return 1;
}

static int test_death_watches_are_bounded_and_fire_for_every_watcher(void)
{
    long p = spawn_child("sleep", NULL, NULL, 0);
    long n = bsys0(SYS_notification_create);
    for (int i = 0; i < 4; i++) EXPECT_EQ(bsys3(SYS_process_watch, p, n, 1L << i), 0);
    EXPECT_EQ(bsys3(SYS_process_watch, p, n, 16), -EBUSY);
    EXPECT_EQ(bsys1(SYS_process_kill, p), 0);
    EXPECT_EQ(bsys2(SYS_notify_wait, n, 2000), 0xF);
    EXPECT_EQ(bsys3(SYS_process_watch, p, n, 32), 0);           /* already dead: signalled at once */
    EXPECT_EQ(bsys1(SYS_notify_poll, n), 32);
    bsys1(SYS_handle_close, p);
    bsys1(SYS_handle_close, n);
    return 1;
}

/* ---- user pointers ---------------------------------------------------------------------- */

static const char text_constant[] = "read-only";

static int test_bad_user_pointers_are_EFAULT_never_a_kernel_fault(void)
{
    EXPECT_EQ(bsys3(1, 1, 0xffffffff80100000UL, 10), -EFAULT);     /* write() from kernel memory */
    EXPECT_EQ(bsys3(1, 1, 0x1000, 10), -EFAULT);                   /* unmapped */
    EXPECT_EQ(bsys3(1, 1, (long)text_constant, ~0UL - 8), -EFAULT);/* length wraps */
    EXPECT_EQ(bsys3(1, 1, 0x00007ffffffff000UL, 0x2000), -EFAULT); /* runs past user space */
    EXPECT_EQ(bsys2(SYS_system_info, (long)text_constant, 64), -EFAULT);  /* read-only page */
    EXPECT_EQ(bsys2(SYS_system_info, 0xffff800000000000UL, 64), -EFAULT);
    EXPECT_EQ(bsys6(SYS_process_spawn, 0xffffffff80100000UL, 5, 0, 0, 0, 0), -EFAULT);
    EXPECT_EQ(bsys6(SYS_process_spawn, (long)"hello", 5, 0x10, 10, 0, 0), -EFAULT);
    EXPECT_EQ(bsys2(158, 0x1003, 0x2000), -EFAULT);                /* arch_prctl(ARCH_GET_FS) */
    EXPECT_EQ(bsys3(20, 1, 0x3000, 1), -EFAULT);                   /* writev with a bad iovec */
    EXPECT_EQ(bsys4(SYS_thread_create, 0xffffffff80100000UL, 0, 0, 2), -EFAULT);
    EXPECT_EQ(bsys3(SYS_memory_map, 0xffffffff80000000UL, 1, 1), -EFAULT);
    EXPECT_EQ(bsys3(SYS_memory_map, 0x40001001, 1, 1), -EINVAL);
    EXPECT_EQ(bsys6(SYS_process_spawn, (long)"hello", 5, 0, 3000, 0, 0), -7);   /* E2BIG */
    EXPECT_EQ(bsys6(SYS_process_spawn, (long)"hello-with-a-name-longer-than-32", 33, 0, 0, 0, 0), -ENAMETOOLONG);
    EXPECT_EQ(bsys0(0x7ff), -ENOSYS);
    EXPECT_EQ(bsys0(0x8ff), -ENOSYS);
    EXPECT_EQ(bsys2(SYS_debug_write, "debug_write works\n", 18), 18);
    EXPECT_EQ(bsys2(SYS_debug_write, 0x1000, 18), -EFAULT);
    return 1;
}

/* ---- memory and grants ------------------------------------------------------------------ */

static int test_anonymous_memory_is_zeroed_owned_and_freed(void)
{
    uint8_t *p = (uint8_t *)0x40000000UL;
    EXPECT_EQ(bsys3(SYS_memory_map, p, 4, 1), 0);
    struct system_info mapped = info();
    for (int i = 0; i < 4 * 4096; i++) EXPECT_EQ(p[i], 0);
    memset(p, 0xAB, 4 * 4096);
    EXPECT_EQ(bsys3(SYS_memory_map, p + 4096, 1, 1), -EEXIST);
    EXPECT_EQ(bsys2(SYS_memory_unmap, p, 4), 0);
    EXPECT_EQ(bsys2(SYS_system_info, p, 64), -EFAULT);
    /* The four frames come back (the page tables that held them stay, as on Linux). */
    EXPECT_EQ(info().free_frames, mapped.free_frames + 4);
    /* Mapping again reuses them: no frame is lost per cycle, and the new pages are zero again. */
    EXPECT_EQ(bsys3(SYS_memory_map, p, 4, 1), 0);
    EXPECT_EQ(info().free_frames, mapped.free_frames);
    EXPECT_EQ(p[5], 0);
    EXPECT_EQ(bsys2(SYS_memory_unmap, p, 4), 0);
    return 1;
}

static int test_grants_share_pages_read_only_or_writable_until_revoked(void)
{
    uint8_t *mine = (uint8_t *)0x41000000UL;
    const uint64_t theirs = 0x50000000UL;
    EXPECT_EQ(bsys3(SYS_memory_map, mine, 2, 1), 0);
    uint64_t expected = 0;
    for (int i = 0; i < 8192; i++) { mine[i] = (uint8_t)(i * 3); expected += (uint8_t)(i * 3); }
    long ep = bsys0(SYS_endpoint_create);
    uint32_t handles[1] = { (uint32_t)ep };
    long p = spawn_child("grantee", NULL, handles, 1);
    EXPECT(p > 0, "spawn: %ld", p);

    long g = bsys5(SYS_grant_create, p, mine, 2, theirs, 0);
    EXPECT(g > 0, "grant_create: %ld", g);
    uint64_t args[2] = { theirs, 8192 };
    message(10, args, 16);
    EXPECT_EQ(bsys2(SYS_ipc_call, ep, 5000), 0);
    EXPECT(msg->label == expected, "the grantee read sum %lu, expected %lu", (unsigned long)msg->label, (unsigned long)expected);
    EXPECT_EQ(bsys2(SYS_memory_unmap, mine, 2), -EBUSY);          /* granted pages stay */
    EXPECT_EQ(bsys5(SYS_grant_create, p, mine, 2, theirs, 0), -EEXIST);
    EXPECT_EQ(bsys1(SYS_grant_revoke, g), 0);

    long w = bsys5(SYS_grant_create, p, mine, 1, theirs, 1);
    EXPECT(w > 0, "writable grant: %ld", w);
    message(11, args, 16);
    args[1] = 4096;
    memcpy(msg->payload, args, 16);
    EXPECT_EQ(bsys2(SYS_ipc_call, ep, 5000), 0);
    for (int i = 0; i < 4096; i++) EXPECT_EQ(mine[i], (uint8_t)(i * 7));
    EXPECT_EQ(bsys1(SYS_grant_revoke, w), 0);
    EXPECT_EQ(bsys1(SYS_grant_revoke, w), -EBADF);

    /* After revocation the grantee's access faults and kills it; our pages are untouched. */
    message(10, args, 16);
    EXPECT_EQ(bsys2(SYS_ipc_call, ep, 5000), -EOWNERDEAD);
    EXPECT_EQ(wait_exit(p, 2000), SIGSEGV);
    bsys1(SYS_handle_close, p);
    EXPECT_EQ(mine[1], 7);
    EXPECT_EQ(bsys5(SYS_grant_create, initial_handle(0), mine, 1, theirs, 0), -EBADF);
    EXPECT_EQ(bsys5(SYS_grant_create, echo_process, mine + 1, 1, theirs, 0), -EINVAL);      /* misaligned */
    EXPECT_EQ(bsys5(SYS_grant_create, echo_process, (uint64_t)text_constant & ~0xFFFUL, 1, theirs, 1), -EACCES);
    EXPECT_EQ(bsys5(SYS_grant_create, echo_process, 0x7000000, 1, theirs, 0), -EFAULT);    /* not mapped */
    EXPECT_EQ(bsys2(SYS_memory_unmap, mine, 2), 0);
    bsys1(SYS_handle_close, ep);
    return 1;
}

/* The grantee's own munmap of granted pages (a core Linux call) frees none of our frames; a revoke
   after it has mapped its own memory there leaves that memory alone; mprotect(PROT_WRITE) of a page
   granted read-only is EACCES, of one granted writable is allowed (issue 8, MAP_SHARED). */
static long grantee_call(long ep, uint64_t label, uint64_t address, uint64_t length, uint64_t prot)
{
    uint64_t args[3] = { address, length, prot };
    message(label, args, 24);
    long r = bsys2(SYS_ipc_call, ep, 5000);
    return r < 0 ? r : (long)msg->label;
}

static int test_a_grantee_unmapping_granted_pages_frees_nothing_and_a_later_revoke_spares_its_own_memory(void)
{
    uint8_t *mine = (uint8_t *)0x42000000UL;
    const uint64_t theirs = 0x51000000UL;
    EXPECT_EQ(bsys3(SYS_memory_map, mine, 2, 1), 0);
    uint64_t expected = 0;
    for (int i = 0; i < 8192; i++) { mine[i] = (uint8_t)(i * 3); expected += (uint8_t)(i * 3); }
    long ep = bsys0(SYS_endpoint_create);
    uint32_t handles[1] = { (uint32_t)ep };
    long p = spawn_child("grantee", NULL, handles, 1);
    EXPECT(p > 0, "spawn: %ld", p);

    long g = bsys5(SYS_grant_create, p, mine, 2, theirs, 0);
    EXPECT(g > 0, "grant_create: %ld", g);
    EXPECT_EQ(grantee_call(ep, 13, theirs, 4096, 3), -EACCES);    /* PROT_READ|PROT_WRITE: granted read-only */
    EXPECT_EQ(grantee_call(ep, 13, theirs, 4096, 0), 0);          /* PROT_NONE and back keep the page */
    EXPECT_EQ(grantee_call(ep, 13, theirs, 4096, 1), 0);
    EXPECT_EQ((uint64_t)grantee_call(ep, 10, theirs, 8192, 0), expected);
    uint64_t free_before = info().free_frames;
    EXPECT_EQ(grantee_call(ep, 12, theirs, 8192, 0), 0);          /* its munmap: our frames are not its to free */
    EXPECT_EQ(info().free_frames, free_before);
    uint64_t sum = 0;
    for (int i = 0; i < 8192; i++) sum += mine[i];
    EXPECT_EQ(sum, expected);
    EXPECT_EQ(grantee_call(ep, 14, theirs, 8192, 0), (long)theirs); /* its own memory at the same place */
    EXPECT_EQ(bsys1(SYS_grant_revoke, g), 0);                      /* the revoke finds it there and leaves it */
    EXPECT_EQ((uint64_t)grantee_call(ep, 10, theirs, 8192, 0), 0x5AUL * 8192);

    long w = bsys5(SYS_grant_create, p, mine, 1, theirs + 0x100000, 1);
    EXPECT(w > 0, "writable grant: %ld", w);
    EXPECT_EQ(grantee_call(ep, 13, theirs + 0x100000, 4096, 1), 0);
    EXPECT_EQ(grantee_call(ep, 13, theirs + 0x100000, 4096, 3), 0); /* granted writable: may write again */
    EXPECT_EQ(grantee_call(ep, 11, theirs + 0x100000, 4096, 0), 0);
    EXPECT_EQ(mine[1], 7);
    EXPECT_EQ(bsys1(SYS_grant_revoke, w), 0);

    message(3, NULL, 0);
    EXPECT_EQ(bsys2(SYS_ipc_call, ep, 5000), 0);
    EXPECT_EQ(wait_exit(p, 2000), 0);
    bsys1(SYS_handle_close, p);
    EXPECT_EQ(bsys2(SYS_memory_unmap, mine, 2), 0);
    bsys1(SYS_handle_close, ep);
    return 1;
}

/* ---- devices ---------------------------------------------------------------------------- */

static int test_PCI_devices_are_listed_and_claimed_once_with_a_capability(void)
{
    struct pci_device d;
    long count = bsys2(SYS_pci_info, 0, &d);
    EXPECT(count >= 2, "pci_info: %ld", count);
    EXPECT(d.vendor == 0x8086 && d.device == 0x1237, "device 0 is %04x:%04x, expected the i440FX host bridge", d.vendor, d.device);
    EXPECT_EQ(bsys2(SYS_pci_info, count, &d), -ENOENT);
    int vga = -1;
    for (long i = 0; i < count; i++) {
        bsys2(SYS_pci_info, i, &d);
        if (d.class_code == 3) vga = (int)i;
    }
    EXPECT(vga >= 0, "no display controller found");
    long weak = bsys3(SYS_handle_dup, device_manager, R_TRANSFER | R_DUPLICATE, 0);
    uint32_t handles[8];
    EXPECT_EQ(bsys4(SYS_device_claim, weak, vga, handles, 8), -EPERM);
    long n = bsys4(SYS_device_claim, device_manager, vga, handles, 8);
    EXPECT(n >= 1, "device_claim: %ld", n);
    EXPECT_EQ(bsys4(SYS_device_claim, device_manager, vga, handles, 8), -EBUSY);
    EXPECT_EQ(bsys1(SYS_handle_info, handles[0]) & 0xFF, CAP_MMIO);
    volatile uint8_t *fb = (volatile uint8_t *)0x60000000UL;
    EXPECT_EQ(bsys2(SYS_mmio_map, handles[0], fb), 0);
    fb[100] = 0x5A;
    EXPECT_EQ(fb[100], 0x5A);
    bsys1(SYS_handle_close, weak);
    return 1;
}

/* A claim lasts as long as its holder: when the claiming process dies, the device can be claimed
 * again (a restarted driver), and the capabilities the dead holder made, even ones it passed on,
 * are stale (EBADF). The device here is the first unclaimed one with a BAR that is not a bridge. */
static int test_a_dead_holders_device_claim_is_released_and_its_capabilities_go_stale(void)
{
    struct pci_device d;
    long count = bsys2(SYS_pci_info, 0, &d), device = -1;
    for (long i = 0; i < count && device < 0; i++) {
        bsys2(SYS_pci_info, i, &d);
        int has_bar = 0;
        for (int b = 0; b < 6; b++) if (d.bar_size[b]) has_bar = 1;
        if (!d.claimed && has_bar && d.class_code != 6) device = i;
    }
    EXPECT(device >= 0, "no unclaimed PCI device with a BAR");
    long ep = bsys0(SYS_endpoint_create);
    long manager = bsys3(SYS_handle_dup, device_manager, R_CONTROL | R_TRANSFER | R_DUPLICATE, 0);
    uint32_t handles[2] = { (uint32_t)manager, (uint32_t)ep };
    char index[24];
    snprintf(index, sizeof index, "%ld", device);
    long p = spawn_child("claim", index, handles, 2);
    EXPECT(p > 0, "spawn: %ld", p);
    EXPECT_EQ(bsys2(SYS_ipc_recv, ep, 20000), 0);
    long claimed;
    memcpy(&claimed, msg->payload, 8);
    EXPECT(claimed >= 1, "the child's device_claim: %ld", claimed);
    EXPECT_EQ(msg->handle_count, 1);
    uint32_t passed = msg->handles[0];
    bsys0(SYS_ipc_reply);
    uint32_t again[8];
    EXPECT_EQ(bsys4(SYS_device_claim, device_manager, device, again, 8), -EBUSY);
    bsys2(SYS_pci_info, device, &d);
    EXPECT_EQ(d.claimed, 1);

    EXPECT_EQ(bsys1(SYS_process_kill, p), 0);
    EXPECT_EQ(wait_exit(p, 5000), SIGKILL);
    bsys2(SYS_pci_info, device, &d);
    EXPECT_EQ(d.claimed, 0);
    int is_port = (bsys1(SYS_handle_info, passed) & 0xFF) == CAP_IOPORTS;
    volatile uint8_t *window = (volatile uint8_t *)0x61000000UL;
    if (is_port) EXPECT_EQ(bsys3(SYS_ioport_read, passed, 0, 1), -EBADF);   /* stale before any range check */
    else EXPECT_EQ(bsys2(SYS_mmio_map, passed, window), -EBADF);

    long n = bsys4(SYS_device_claim, device_manager, device, again, 8);
    EXPECT(n >= 1, "device_claim after the holder died: %ld", n);
    bsys2(SYS_pci_info, device, &d);
    EXPECT_EQ(d.claimed, 1);
    long kind = bsys1(SYS_handle_info, again[0]) & 0xFF;
    if (kind == CAP_MMIO) EXPECT_EQ(bsys2(SYS_mmio_map, again[0], window), 0);
    if (is_port) EXPECT_EQ(bsys3(SYS_ioport_read, passed, 0, 1), -EBADF);   /* still stale after the new claim */
    else EXPECT_EQ(bsys2(SYS_mmio_map, passed, window + 0x100000), -EBADF);
    bsys1(SYS_handle_close, passed);
    bsys1(SYS_handle_close, p);
    bsys1(SYS_handle_close, ep);
    return 1;
}

static int test_an_IRQ_bound_to_a_notification_wakes_the_driver(void)
{
    /* COM2 (ports 0x2F8-0x2FF, IRQ 3): its "transmitter empty" interrupt fires as soon as enabled. */
    EXPECT_EQ(bsys3(SYS_ioport_claim, device_manager, 0x3F8, 8), -EPERM);   /* the kernel's console */
    EXPECT_EQ(bsys3(SYS_ioport_claim, device_manager, 0x40, 1), -EPERM);    /* the timer */
    EXPECT_EQ(bsys2(SYS_irq_claim, device_manager, 0), -EPERM);
    long ports = bsys3(SYS_ioport_claim, device_manager, 0x2F8, 8);
    EXPECT(ports > 0, "ioport_claim: %ld", ports);
    long irq = bsys2(SYS_irq_claim, device_manager, 3);
    EXPECT(irq > 0, "irq_claim: %ld", irq);
    EXPECT_EQ(bsys2(SYS_irq_claim, device_manager, 3), -EBUSY);
    EXPECT_EQ(bsys3(SYS_ioport_read, ports, 0x3F8, 1), -EPERM);             /* outside the capability */
    EXPECT_EQ(bsys3(SYS_ioport_read, ports, 0x2F8, 3), -EINVAL);
    long n = bsys0(SYS_notification_create);
    EXPECT_EQ(bsys3(SYS_irq_bind, irq, n, 0x2), 0);
    EXPECT_EQ(bsys4(SYS_ioport_write, ports, 0x2F8 + 4, 1, 0x08), 0);       /* MCR: OUT2 gates the IRQ */
    EXPECT_EQ(bsys4(SYS_ioport_write, ports, 0x2F8 + 1, 1, 0x02), 0);       /* IER: THR empty */
    EXPECT_EQ(bsys2(SYS_notify_wait, n, 2000), 0x2);
    long iir = bsys3(SYS_ioport_read, ports, 0x2F8 + 2, 1);                 /* reading IIR clears it */
    EXPECT((iir & 0x0F) == 0x02 || (iir & 1) == 1, "IIR %lx", iir);
    EXPECT_EQ(bsys4(SYS_ioport_write, ports, 0x2F8 + 1, 1, 0x00), 0);
    EXPECT_EQ(bsys1(SYS_irq_ack, irq), 0);
    bsys1(SYS_handle_close, n);
    return 1;
}

static int test_the_console_is_read_only_through_the_console_capability_claimed_once(void)
{
    /* QEMU's stdin is closed by the test: nothing is ever typed. */
    uint64_t stats[3] = { 9, 9, 9 };
    char buf[16];
    EXPECT_EQ(bsys2(SYS_irq_claim, device_manager, 4), -EPERM);             /* the console's IRQ is the kernel's */
    EXPECT_EQ(bsys4(SYS_console_read, device_manager, buf, sizeof buf, 0), -EBADF);
    long weak = bsys3(SYS_handle_dup, device_manager, R_TRANSFER | R_DUPLICATE, 0);
    EXPECT_EQ(bsys1(SYS_console_claim, weak), -EPERM);
    EXPECT_EQ(bsys1(SYS_console_claim, 0), -EBADF);
    long console = bsys1(SYS_console_claim, device_manager);
    EXPECT(console > 0, "console_claim: %ld", console);
    EXPECT_EQ(bsys1(SYS_handle_info, console) & 0xFF, CAP_CONSOLE);
    EXPECT_EQ(bsys1(SYS_console_claim, device_manager), -EBUSY);
    EXPECT_EQ(bsys4(SYS_console_read, console, buf, 0, 0), 0);
    EXPECT_EQ(bsys4(SYS_console_read, console, buf, sizeof buf, 0), -EAGAIN);
    EXPECT_EQ(bsys4(SYS_console_read, console, buf, sizeof buf, 30), -ETIMEDOUT);
    EXPECT_EQ(bsys2(SYS_console_stats, console, stats), 0);
    EXPECT_EQ(stats[0], 0);
    EXPECT_EQ(stats[1], 0);
    EXPECT_EQ(stats[2], 0);
    EXPECT_EQ(bsys2(SYS_console_stats, console, 0x10), -EFAULT);
    long reader = bsys3(SYS_handle_dup, console, R_TRANSFER, 0);              /* no Control: may not read */
    EXPECT_EQ(bsys4(SYS_console_read, reader, buf, sizeof buf, 0), -EPERM);
    bsys1(SYS_handle_close, reader);
    bsys1(SYS_handle_close, weak);
    bsys1(SYS_handle_close, console);
    return 1;
}

static int test_DMA_memory_is_contiguous_zeroed_and_its_physical_address_known(void)
{
    uint8_t *p = (uint8_t *)0x42000000UL;
    long phys = bsys2(SYS_dma_alloc, p, 4);
    EXPECT(phys > 0 && phys % 4096 == 0, "dma_alloc: %lx", phys);
    for (int i = 0; i < 4 * 4096; i++) EXPECT_EQ(p[i], 0);
    EXPECT_EQ(bsys2(SYS_dma_alloc, p, 1), -EEXIST);
    EXPECT_EQ(bsys2(SYS_dma_alloc, 0x43000000UL, 0), -EINVAL);
    EXPECT_EQ(bsys2(SYS_memory_unmap, p, 4), 0);
    return 1;
}

/* ---- DMA into granted pages (dma_pin, dma_unpin; issue 5 item 3) ------------------------ */

/* Run before ktest claims any device: pinning is a device claimant's right only. */
static int test_dma_pin_without_a_device_claim_is_EPERM(void)
{
    uint64_t phys[1];
    EXPECT_EQ(bsys3(SYS_dma_pin, 0x45000000UL, 1, phys), -EPERM);
    return 1;
}

/* Run after ktest claimed a device. A child lends ktest pages; ktest pins them, the child dies,
   and the frames stay in use until the unpin frees exactly them. Every bad argument is refused. */
static int test_dma_pin_holds_granted_frames_past_the_granters_death_until_unpinned(void)
{
    const uint64_t theirs = 0x52000000UL, readonly = 0x52100000UL, own = 0x45000000UL;
    uint64_t phys[4] = { 0, 0, 0, 0 };
    long ep = bsys0(SYS_endpoint_create);
    uint32_t handles[1] = { (uint32_t)ep };
    long p = spawn_child("granter", NULL, handles, 1);
    EXPECT(p > 0, "spawn: %ld", p);
    uint64_t args[3] = { theirs, 2, 1 };
    message(20, args, 24);
    EXPECT_EQ(bsys2(SYS_ipc_call, ep, 5000), 0);
    EXPECT((long)msg->label > 0, "the granter's writable grant_create: %ld", (long)msg->label);
    EXPECT_EQ(((volatile uint8_t *)theirs)[4097], (uint8_t)(4097 * 5));
    uint64_t ro[3] = { readonly, 1, 0 };
    message(20, ro, 24);
    EXPECT_EQ(bsys2(SYS_ipc_call, ep, 5000), 0);
    EXPECT((long)msg->label > 0, "the granter's read-only grant_create: %ld", (long)msg->label);
    EXPECT_EQ(bsys3(SYS_memory_map, own, 1, 1), 0);

    EXPECT_EQ(bsys3(SYS_dma_pin, theirs + 1, 1, phys), -EINVAL);            /* misaligned */
    EXPECT_EQ(bsys3(SYS_dma_pin, theirs, 0, phys), -EINVAL);                /* no pages */
    EXPECT_EQ(bsys3(SYS_dma_pin, theirs, 257, phys), -EINVAL);              /* more than a pin holds */
    EXPECT_EQ(bsys3(SYS_dma_pin, own, 1, phys), -EINVAL);                   /* its own memory, not a grant */
    EXPECT_EQ(bsys3(SYS_dma_pin, 0x46000000UL, 1, phys), -EFAULT);          /* nothing mapped */
    EXPECT_EQ(bsys3(SYS_dma_pin, theirs, 3, phys), -EFAULT);                /* runs past the grant */
    EXPECT_EQ(bsys3(SYS_dma_pin, 0xFFFF800000000000UL, 1, phys), -EFAULT);  /* the kernel's half */
    EXPECT_EQ(bsys3(SYS_dma_pin, theirs, 2, 0x10), -EFAULT);                /* nowhere to write the addresses */
    EXPECT_EQ(bsys3(SYS_dma_pin, readonly, 1, phys), -EACCES);              /* the device would write it */
    EXPECT_EQ(bsys1(SYS_dma_unpin, 0), -EINVAL);
    EXPECT_EQ(bsys1(SYS_dma_unpin, 99), -EINVAL);

    long pin = bsys3(SYS_dma_pin, theirs, 2, phys);
    EXPECT(pin > 0, "dma_pin: %ld", pin);
    EXPECT(phys[0] != 0 && phys[0] % 4096 == 0 && phys[1] != 0 && phys[1] % 4096 == 0 && phys[0] != phys[1],
           "physical addresses %lx %lx", (unsigned long)phys[0], (unsigned long)phys[1]);
    EXPECT_EQ(phys[2], 0);

    EXPECT_EQ(bsys1(SYS_process_kill, p), 0);
    EXPECT_EQ(wait_exit(p, 5000), SIGKILL);
    bsys1(SYS_handle_close, p);
    EXPECT_EQ(bsys3(SYS_memory_map, theirs, 2, 1), 0);                      /* the grant is gone from here */
    EXPECT_EQ(bsys2(SYS_memory_unmap, theirs, 2), 0);
    uint64_t free_before = info().free_frames;
    EXPECT_EQ(bsys1(SYS_dma_unpin, pin), 0);
    EXPECT_EQ(info().free_frames, free_before + 2);                         /* the pin held the last share */
    EXPECT_EQ(bsys1(SYS_dma_unpin, pin), -EINVAL);
    EXPECT_EQ(bsys2(SYS_memory_unmap, own, 1), 0);
    bsys1(SYS_handle_close, ep);
    return 1;
}

/* grant_create to an endpoint: the pages go to the server receiving on it, only where that server
   has nothing; a handle without Send, or an endpoint nobody serves, is refused. */
static int test_a_client_lends_pages_to_the_server_behind_an_endpoint(void)
{
    uint8_t *mine = (uint8_t *)0x47000000UL;
    const uint64_t theirs = 0x53000000UL;
    EXPECT_EQ(bsys3(SYS_memory_map, mine, 1, 1), 0);
    uint64_t expected = 0;
    for (int i = 0; i < 4096; i++) { mine[i] = (uint8_t)(i * 3); expected += (uint8_t)(i * 3); }
    long ep = bsys0(SYS_endpoint_create);
    uint32_t handles[1] = { (uint32_t)ep };
    long p = spawn_child("grantee", NULL, handles, 1);
    EXPECT(p > 0, "spawn: %ld", p);
    EXPECT_EQ(grantee_call(ep, 10, theirs, 0, 0), 0);                       /* it serves the endpoint now */
    long nobody = bsys0(SYS_endpoint_create);
    EXPECT_EQ(bsys5(SYS_grant_create, nobody, mine, 1, theirs, 0), -ESRCH);
    long weak = bsys3(SYS_handle_dup, ep, R_TRANSFER | R_DUPLICATE, 0);
    EXPECT_EQ(bsys5(SYS_grant_create, weak, mine, 1, theirs, 0), -EPERM);
    long g = bsys5(SYS_grant_create, ep, mine, 1, theirs, 0);
    EXPECT(g > 0, "grant_create to the endpoint's server: %ld", g);
    EXPECT_EQ((uint64_t)grantee_call(ep, 10, theirs, 4096, 0), expected);
    EXPECT_EQ(bsys5(SYS_grant_create, ep, mine, 1, theirs, 0), -EEXIST);   /* something is there */
    EXPECT_EQ(grantee_call(ep, 14, theirs + 0x100000, 4096, 0), (long)(theirs + 0x100000));
    EXPECT_EQ(bsys5(SYS_grant_create, ep, mine, 1, theirs + 0x100000, 0), -EEXIST);   /* its own memory */
    EXPECT_EQ(bsys1(SYS_grant_revoke, g), 0);
    message(3, NULL, 0);
    EXPECT_EQ(bsys2(SYS_ipc_call, ep, 5000), 0);
    EXPECT_EQ(wait_exit(p, 2000), 0);
    bsys1(SYS_handle_close, p);
    bsys1(SYS_handle_close, weak);
    bsys1(SYS_handle_close, nobody);
    bsys1(SYS_handle_close, ep);
    EXPECT_EQ(bsys2(SYS_memory_unmap, mine, 1), 0);
    return 1;
}

/* ---- fault injection (process_inject, issue 9) ------------------------------------------ */

enum { INJECT_FAULT = 1, INJECT_HANG = 2, INJECT_CORRUPT_REPLY = 3 };

/* Spawns child echo on a new endpoint and checks it answers once; returns its process handle. */
static long injectable_echo(long *endpoint)
{
    *endpoint = bsys0(SYS_endpoint_create);
    uint32_t handles[1] = { (uint32_t)*endpoint };
    long p = spawn_child("echo", NULL, handles, 1);
    message(1, "ping", 4);
    if (p < 0 || bsys2(SYS_ipc_call, *endpoint, 5000) != 0) return -1;
    return p;
}

static int test_process_inject_refuses_bad_handles_rights_kinds_and_dead_processes(void)
{
    long ep;
    long p = injectable_echo(&ep);
    EXPECT(p > 0, "echo child: %ld", p);
    EXPECT_EQ(bsys2(SYS_process_inject, 0, INJECT_FAULT), -EBADF);
    EXPECT_EQ(bsys2(SYS_process_inject, 4000, INJECT_FAULT), -EBADF);
    EXPECT_EQ(bsys2(SYS_process_inject, ep, INJECT_FAULT), -EBADF);              /* an endpoint, not a process */
    long weak = bsys3(SYS_handle_dup, p, R_TRANSFER | R_DUPLICATE, 0);            /* no Control */
    EXPECT(weak > 0, "handle_dup: %ld", weak);
    EXPECT_EQ(bsys2(SYS_process_inject, weak, INJECT_HANG), -EPERM);
    EXPECT_EQ(bsys2(SYS_process_inject, p, 0), -EINVAL);
    EXPECT_EQ(bsys2(SYS_process_inject, p, 5), -EINVAL);
    EXPECT_EQ(bsys2(SYS_process_inject, p, ~0UL), -EINVAL);
    message(1, "ping", 4);                                                        /* refused calls changed nothing */
    EXPECT_EQ(bsys2(SYS_ipc_call, ep, 5000), 0);
    EXPECT(msg->length == 4 && !memcmp(msg->payload, "ping", 4), "payload changed");
    EXPECT_EQ(bsys1(SYS_process_kill, p), 0);
    EXPECT_EQ(wait_exit(p, 2000), SIGKILL);
    EXPECT_EQ(bsys2(SYS_process_inject, p, INJECT_FAULT), -ESRCH);
    bsys1(SYS_handle_close, weak);
    bsys1(SYS_handle_close, p);
    bsys1(SYS_handle_close, ep);
    return 1;
}

static int test_an_injected_fault_kills_the_server_at_its_next_call_with_SIGSEGV(void)
{
    long ep;
    long p = injectable_echo(&ep);
    EXPECT(p > 0, "echo child: %ld", p);
    EXPECT_EQ(bsys2(SYS_process_inject, p, INJECT_FAULT), 0);
    message(1, "ping", 4);
    EXPECT_EQ(bsys2(SYS_ipc_call, ep, 5000), -EOWNERDEAD);   /* received, then faulted before replying */
    EXPECT_EQ(wait_exit(p, 2000), SIGSEGV);
    bsys1(SYS_handle_close, p);
    bsys1(SYS_handle_close, ep);
    return 1;
}

static int test_an_injected_hang_stops_answering_until_killed(void)
{
    long ep;
    long p = injectable_echo(&ep);
    EXPECT(p > 0, "echo child: %ld", p);
    EXPECT_EQ(bsys2(SYS_process_inject, p, INJECT_HANG), 0);
    message(1, "ping", 4);
    EXPECT_EQ(bsys2(SYS_ipc_call, ep, 300), -ETIMEDOUT);
    EXPECT_EQ(bsys1(SYS_process_status, p), -EAGAIN);         /* alive, but not answering */
    message(1, "ping", 4);
    EXPECT_EQ(bsys2(SYS_ipc_call, ep, 300), -ETIMEDOUT);
    EXPECT_EQ(bsys1(SYS_process_kill, p), 0);
    EXPECT_EQ(wait_exit(p, 2000), SIGKILL);
    bsys1(SYS_handle_close, p);
    bsys1(SYS_handle_close, ep);
    return 1;
}

static int test_an_injected_corrupt_reply_inverts_one_reply_payload(void)
{
    long ep;
    long p = injectable_echo(&ep);
    EXPECT(p > 0, "echo child: %ld", p);
    EXPECT_EQ(bsys2(SYS_process_inject, p, INJECT_CORRUPT_REPLY), 0);
    message(1, "ping", 4);
    EXPECT_EQ(bsys2(SYS_ipc_call, ep, 5000), 0);
    const unsigned char inverted[4] = { 'p' ^ 0xFF, 'i' ^ 0xFF, 'n' ^ 0xFF, 'g' ^ 0xFF };
    EXPECT(msg->length == 4 && !memcmp(msg->payload, inverted, 4), "reply not inverted");
    message(1, "ping", 4);
    EXPECT_EQ(bsys2(SYS_ipc_call, ep, 5000), 0);               /* once only */
    EXPECT(msg->length == 4 && !memcmp(msg->payload, "ping", 4), "second reply changed too");
    EXPECT_EQ(bsys1(SYS_process_kill, p), 0);
    EXPECT_EQ(wait_exit(p, 2000), SIGKILL);
    bsys1(SYS_handle_close, p);
    bsys1(SYS_handle_close, ep);
    return 1;
}

/* ---- applications of a dead personality server (orphans_kill, issue 9) ------------------ */

static long sleeping_application(long personality, unsigned long badge)
{
    long p = spawn_child("sleep", NULL, NULL, 0);
    if (p < 0 || personality < 0) return p;
    long badged = bsys3(SYS_handle_dup, personality, R_SEND, badge);
    long r = badged < 0 ? badged : bsys2(SYS_process_set_personality, p, badged);
    if (badged > 0) bsys1(SYS_handle_close, badged);
    return r < 0 ? r : p;
}

static int test_orphans_kill_ends_exactly_the_applications_whose_personality_server_died(void)
{
    long dead = bsys0(SYS_endpoint_create), unserved = bsys0(SYS_endpoint_create), live = 0;
    uint32_t served[1] = { (uint32_t)dead };
    long server = spawn_child("dying", NULL, served, 1);            /* receives once, then exits */
    long echo = injectable_echo(&live);                               /* a personality server that lives */
    EXPECT(server > 0 && echo > 0, "servers: %ld %ld", server, echo);
    long a1 = sleeping_application(dead, 1), a2 = sleeping_application(dead, 2);   /* two badges, one endpoint */
    long of_live = sleeping_application(live, 1), of_unserved = sleeping_application(unserved, 1);
    long no_personality = sleeping_application(-1, 0);
    EXPECT(a1 > 0 && a2 > 0 && of_live > 0 && of_unserved > 0 && no_personality > 0, "children: %ld %ld %ld %ld %ld",
           a1, a2, of_live, of_unserved, no_personality);
    message(1, "bye", 3);
    EXPECT_EQ(bsys2(SYS_ipc_send, dead, 5000), 0);                   /* the server takes it and exits */
    EXPECT_EQ(wait_exit(server, 2000), 0);

    long weak = bsys3(SYS_handle_dup, device_manager, R_TRANSFER | R_DUPLICATE, 0);   /* no Control */
    EXPECT_EQ(bsys1(SYS_orphans_kill, weak), -EPERM);
    EXPECT_EQ(bsys1(SYS_orphans_kill, dead), -EBADF);                  /* an endpoint is no authority */
    EXPECT_EQ(bsys1(SYS_orphans_kill, 0), -EBADF);
    EXPECT_EQ(bsys1(SYS_process_status, a1), -EAGAIN);                /* refused calls ended nothing */

    EXPECT_EQ(bsys1(SYS_orphans_kill, device_manager), 2);
    EXPECT_EQ(wait_exit(a1, 2000), SIGKILL);
    EXPECT_EQ(wait_exit(a2, 2000), SIGKILL);
    EXPECT_EQ(bsys1(SYS_process_status, of_live), -EAGAIN);           /* its server lives */
    EXPECT_EQ(bsys1(SYS_process_status, of_unserved), -EAGAIN);       /* never served: not orphaned */
    EXPECT_EQ(bsys1(SYS_process_status, no_personality), -EAGAIN);    /* a server, not an application */
    EXPECT_EQ(bsys1(SYS_orphans_kill, device_manager), 0);             /* nothing left: a second call ends nothing */

    long again = sleeping_application(dead, 3);                        /* a new server takes the endpoint over */
    EXPECT_EQ(bsys2(SYS_ipc_recv, dead, 0), -EAGAIN);
    EXPECT_EQ(bsys1(SYS_orphans_kill, device_manager), 0);
    EXPECT_EQ(bsys1(SYS_process_status, again), -EAGAIN);

    long rest[] = { again, of_live, of_unserved, no_personality, echo };
    for (int i = 0; i < 5; i++) {
        EXPECT_EQ(bsys1(SYS_process_kill, rest[i]), 0);
        EXPECT_EQ(wait_exit(rest[i], 2000), SIGKILL);
    }
    long handles[] = { again, of_live, of_unserved, no_personality, echo, a1, a2, server, weak, dead, unserved, live };
    for (int i = 0; i < 12; i++) bsys1(SYS_handle_close, handles[i]);
    return 1;
}

/* memory_fault_census (Memory/FaultCensus.cs): one count per demand-zero fault taken in ring 3, none for
   the kernel's own copies into a lazy page, the zeroing measured; a bad buffer is EFAULT. */
struct fault_census { uint64_t faults, entry, lookup, frame, zero, map, exit; };

static int test_the_fault_census_counts_each_demand_zero_fault_from_ring_3_and_not_the_kernels_copies(void)
{
    struct fault_census before, after, again;
    long base = bsys6(9 /* mmap */, 0, 4 * 4096L, 3, 0x22 /* MAP_PRIVATE|MAP_ANONYMOUS */, -1, 0);
    EXPECT(base > 0, "mmap: %ld", base);
    EXPECT_EQ(bsys1(SYS_memory_fault_census, &before), 0);
    for (int i = 0; i < 3; i++) ((volatile char *)base)[i * 4096L] = 1;
    EXPECT_EQ(bsys1(SYS_memory_fault_census, &after), 0);
    EXPECT_EQ(after.faults - before.faults, 3);
    EXPECT(after.zero > before.zero, "zeroing three frames took no cycles: %lu then %lu", (unsigned long)before.zero, (unsigned long)after.zero);
    /* The fourth page is still lazy: the kernel faults it in to copy the census there (not counted). */
    struct fault_census *lazy = (struct fault_census *)(base + 3 * 4096L);
    EXPECT_EQ(bsys1(SYS_memory_fault_census, lazy), 0);
    EXPECT_EQ(bsys1(SYS_memory_fault_census, &again), 0);
    EXPECT_EQ(again.faults, lazy->faults);
    EXPECT_EQ(lazy->faults, after.faults);
    EXPECT_EQ(bsys1(SYS_memory_fault_census, 0xffffffff80000000UL), -EFAULT);
    EXPECT_EQ(bsys1(SYS_memory_fault_census, 0x10), -EFAULT);
    EXPECT_EQ(bsys6(11 /* munmap */, base, 4 * 4096L, 0, 0, 0, 0), 0);
    return 1;
}

/* The pager option (Memory/Pager.cs, PagerFaults.cs; Syscalls.md 0x859-0x85B), as far as a server can
   see it: registering needs the device manager and an endpoint the caller receives on; a server's own
   faults never go to the pager (only applications'); supplying with no fault owed is ESRCH;
   unregistering is one fallback; the census is 112 bytes or EFAULT. */
struct pager_census { uint64_t forwarded, supplied, signalled, kernel, registrations, fallbacks, phases[8]; };

static int test_the_pager_calls_check_their_authority_and_a_servers_faults_stay_in_the_kernel(void)
{
    struct pager_census before, after;
    EXPECT_EQ(bsys1(SYS_memory_pager_census, &before), 0);
    long ep = bsys0(SYS_endpoint_create);
    EXPECT(ep > 0, "endpoint_create: %ld", ep);
    long send_only = bsys3(SYS_handle_dup, ep, R_SEND, 0);
    long weak = bsys3(SYS_handle_dup, device_manager, R_TRANSFER | R_DUPLICATE, 0);
    EXPECT(send_only > 0 && weak > 0, "handle_dup: %ld, %ld", send_only, weak);
    EXPECT_EQ(bsys2(SYS_memory_pager_set, ep, ep), -EBADF);                 /* not the device manager */
    EXPECT_EQ(bsys2(SYS_memory_pager_set, weak, ep), -EPERM);               /* without Control */
    EXPECT_EQ(bsys2(SYS_memory_pager_set, device_manager, send_only), -EPERM);   /* cannot receive on it */
    EXPECT_EQ(bsys2(SYS_memory_pager_set, device_manager, 0x7777), -EBADF);
    EXPECT_EQ(bsys2(SYS_memory_pager_set, device_manager, ep), 0);
    long base = bsys6(9 /* mmap */, 0, 2 * 4096L, 3, 0x22 /* MAP_PRIVATE|MAP_ANONYMOUS */, -1, 0);
    EXPECT(base > 0, "mmap: %ld", base);
    for (int i = 0; i < 2; i++) ((volatile char *)base)[i * 4096L] = 1;   /* a server: the kernel serves these */
    EXPECT_EQ(bsys3(SYS_memory_page_supply, 1, base, 0), -ESRCH);
    EXPECT_EQ(bsys2(SYS_memory_pager_set, device_manager, 0), 0);
    EXPECT_EQ(bsys2(SYS_memory_pager_set, device_manager, 0), 0);          /* none registered: nothing to drop */
    EXPECT_EQ(bsys1(SYS_memory_pager_census, &after), 0);
    EXPECT_EQ(after.forwarded - before.forwarded, 0);
    EXPECT_EQ(after.registrations - before.registrations, 1);
    EXPECT_EQ(after.fallbacks - before.fallbacks, 1);
    EXPECT_EQ(bsys1(SYS_memory_pager_census, 0xffffffff80000000UL), -EFAULT);
    EXPECT_EQ(bsys1(SYS_memory_pager_census, 0x10), -EFAULT);
    EXPECT_EQ(bsys6(11 /* munmap */, base, 2 * 4096L, 0, 0, 0, 0), 0);
    long handles[] = { ep, send_only, weak };
    for (int i = 0; i < 3; i++) bsys1(SYS_handle_close, handles[i]);
    return 1;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    msg = ipc_buffer();
    device_manager = initial_handle(0);
    printf("ktest: kernel core tests\n");
    run("spawn runs a static Linux program with arguments", test_spawn_runs_a_static_linux_program_with_arguments);
    run("spawn of an unknown module is ENOENT", test_spawn_of_an_unknown_module_is_ENOENT);
    run("malformed ELF modules are refused with ENOEXEC", test_malformed_ELF_modules_are_refused_with_ENOEXEC);
    run("a faulting process dies alone with the right signal", test_a_faulting_process_dies_alone_with_the_right_signal);
    run("process status is EAGAIN while alive and kill ends it with SIGKILL", test_process_status_is_EAGAIN_while_alive_and_kill_ends_it_with_SIGKILL);
    run("a process that exits gives back all its memory", test_a_process_that_exits_gives_back_all_its_memory);
    run("a spinning process does not stop others", test_a_spinning_process_does_not_stop_others);
    run("a second thread runs in the same address space", test_a_second_thread_runs_in_the_same_address_space);
    run("FPU and SSE state survive preemption", test_FPU_and_SSE_state_survive_preemption);
    run("sleep waits at least the time asked", test_sleep_waits_at_least_the_time_asked);
    run("call and reply between threads carry label and payload", test_call_and_reply_between_threads_carry_label_and_payload);
    run("call to another process shows the badge of the caller's capability", test_call_to_another_process_shows_the_badge_of_the_callers_capability);
    run("a handle passed in a message works in the receiver", test_a_handle_passed_in_a_message_works_in_the_receiver);
    run("a handle without the transfer right cannot be sent", test_a_handle_without_the_transfer_right_cannot_be_sent);
    run("malformed messages are refused before anything moves", test_malformed_messages_are_refused_before_anything_moves);
    run("receive and send without a partner time out or fail at once", test_receive_and_send_without_a_partner_time_out_or_fail_at_once);
    run("a caller whose server dies gets EOWNERDEAD at once", test_a_caller_whose_server_dies_gets_EOWNERDEAD_at_once);
    run("a server that receives again without replying releases its caller", test_a_server_that_receives_again_without_replying_releases_its_caller);
    run("notifications accumulate bits and wake a waiter", test_notifications_accumulate_bits_and_wake_a_waiter);
    run("bad handles are EBADF and missing rights EPERM", test_bad_handles_are_EBADF_and_missing_rights_EPERM);
    run("a full handle table is EMFILE and recovers", test_a_full_handle_table_is_EMFILE_and_recovers);
    run("exhausting the thread pool is ENOMEM and the system keeps running", test_exhausting_the_thread_pool_is_ENOMEM_and_the_system_keeps_running);
    run("exhausting the endpoint pool is ENOMEM and the system keeps running", test_exhausting_the_endpoint_pool_is_ENOMEM_and_the_system_keeps_running);
    run("send delivers to a waiting receiver without a reply", test_send_delivers_to_a_waiting_receiver_without_a_reply);
    run("death watches are bounded and fire for every watcher", test_death_watches_are_bounded_and_fire_for_every_watcher);
    run("bad user pointers are EFAULT, never a kernel fault", test_bad_user_pointers_are_EFAULT_never_a_kernel_fault);
    run("anonymous memory is zeroed, owned and freed", test_anonymous_memory_is_zeroed_owned_and_freed);
    run("the pager calls check their authority and a server's faults stay in the kernel",
        test_the_pager_calls_check_their_authority_and_a_servers_faults_stay_in_the_kernel);
    run("the fault census counts each demand-zero fault from ring 3 and not the kernel's copies",
        test_the_fault_census_counts_each_demand_zero_fault_from_ring_3_and_not_the_kernels_copies);
    run("grants share pages read-only or writable until revoked", test_grants_share_pages_read_only_or_writable_until_revoked);
    run("a grantee unmapping granted pages frees nothing and a later revoke spares its own memory",
        test_a_grantee_unmapping_granted_pages_frees_nothing_and_a_later_revoke_spares_its_own_memory);
    run("dma_pin without a device claim is EPERM", test_dma_pin_without_a_device_claim_is_EPERM);
    run("a client lends pages to the server behind an endpoint", test_a_client_lends_pages_to_the_server_behind_an_endpoint);
    run("PCI devices are listed and claimed once with a capability", test_PCI_devices_are_listed_and_claimed_once_with_a_capability);
    run("a dead holder's device claim is released and its capabilities go stale", test_a_dead_holders_device_claim_is_released_and_its_capabilities_go_stale);
    run("an IRQ bound to a notification wakes the driver", test_an_IRQ_bound_to_a_notification_wakes_the_driver);
    run("the console is read only through the console capability, claimed once", test_the_console_is_read_only_through_the_console_capability_claimed_once);
    run("DMA memory is contiguous, zeroed and its physical address known", test_DMA_memory_is_contiguous_zeroed_and_its_physical_address_known);
    run("dma_pin holds granted frames past the granter's death until unpinned", test_dma_pin_holds_granted_frames_past_the_granters_death_until_unpinned);
    run("process_inject refuses bad handles, rights, kinds and dead processes", test_process_inject_refuses_bad_handles_rights_kinds_and_dead_processes);
    run("an injected fault kills the server at its next call with SIGSEGV", test_an_injected_fault_kills_the_server_at_its_next_call_with_SIGSEGV);
    run("an injected hang stops answering until killed", test_an_injected_hang_stops_answering_until_killed);
    run("an injected corrupt reply inverts one reply payload", test_an_injected_corrupt_reply_inverts_one_reply_payload);
    run("orphans_kill ends exactly the applications whose personality server died", test_orphans_kill_ends_exactly_the_applications_whose_personality_server_died);
    message(3, NULL, 0);
    bsys2(SYS_ipc_call, echo_endpoint, 2000);
    printf("ktest: %d passed, %d failed\n", passed, failed);
    return failed > 255 ? 255 : failed;
}
