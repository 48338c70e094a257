/* linuxabi — the Linux core ABI the kernel answers itself (issue 4), exercised through musl as an
   ordinary static Linux program would: memory (mmap, mprotect, munmap, madvise, brk), threads
   (clone via pthreads, futexes via mutexes and condition variables, CLEARTID via join), signals
   (handlers, masks, tgkill, hardware faults with siginfo and a context the handler may change),
   time, the console and pipes, and the information calls. Prints "ok - NAME" / "not ok - NAME: why";
   exits with the number of failures. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include <fcntl.h>
#include <sched.h>
#include "biscuit.h"
#include "check.h"

#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129


static uint64_t free_frames(void)
{
    struct system_info s;
    bsys2(SYS_system_info, &s, sizeof s);
    return s.free_frames;
}

/* ---- memory ------------------------------------------------------------------------------ */

static int test_anonymous_mmap_is_zeroed_and_usable(void)
{
    size_t n = 1 << 20;
    unsigned char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    EXPECT(p != MAP_FAILED, "mmap: %d", errno);
    for (size_t i = 0; i < n; i += 4096) EXPECT_EQ(p[i], 0);
    memset(p, 0x5A, n);
    EXPECT_EQ(p[n - 1], 0x5A);
    EXPECT_EQ(munmap(p, n), 0);
    return 1;
}

static int test_a_PROT_NONE_reservation_costs_nothing_until_committed(void)
{
    uint64_t before = free_frames();
    size_t n = 1UL << 30;                              /* 1 GiB of address space */
    unsigned char *p = mmap(NULL, n, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    EXPECT(p != MAP_FAILED, "mmap: %d", errno);
    EXPECT(before - free_frames() < 16, "reserving took %lu frames", (unsigned long)(before - free_frames()));
    EXPECT_EQ(mprotect(p + (256 << 20), 64 << 10, PROT_READ | PROT_WRITE), 0);
    uint64_t committed = free_frames();
    for (int i = 0; i < 16; i++) p[(256 << 20) + i * 4096] = 1;     /* touch the 64 KiB */
    EXPECT(committed - free_frames() >= 16 && committed - free_frames() < 24, "touching 16 pages took %lu frames",
           (unsigned long)(committed - free_frames()));
    EXPECT_EQ(munmap(p, n), 0);
    EXPECT(before - free_frames() < 16, "unmapping left %lu frames used", (unsigned long)(before - free_frames()));
    return 1;
}

static sigjmp_buf fault_jump;
static volatile siginfo_t last_fault;
static void fault_handler(int sig, siginfo_t *info, void *context)
{
    last_fault = *info;
    siglongjmp(fault_jump, sig);
}

static int catch_fault(void (*action)(void *), void *arg)
{
    struct sigaction sa = { 0 };
    sa.sa_sigaction = fault_handler;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    int sig = sigsetjmp(fault_jump, 1);
    if (sig == 0) { action(arg); return 0; }
    return sig;
}

static void touch(void *p) { *(volatile int *)p = 1; }
static void read_at(void *p) { (void)*(volatile int *)p; }

static int test_touching_unmapped_or_PROT_NONE_memory_raises_SIGSEGV_with_the_address(void)
{
    unsigned char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    EXPECT_EQ(munmap(p, 8192), 0);
    EXPECT_EQ(catch_fault(touch, p + 8), SIGSEGV);
    EXPECT(last_fault.si_addr == p + 8, "si_addr %p, expected %p", last_fault.si_addr, p + 8);
    EXPECT_EQ(last_fault.si_code, SEGV_MAPERR);
    unsigned char *q = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    EXPECT_EQ(catch_fault(read_at, q), 0);                 /* readable: no fault */
    EXPECT_EQ(catch_fault(touch, q), SIGSEGV);             /* but not writable */
    EXPECT_EQ(last_fault.si_code, SEGV_ACCERR);
    EXPECT_EQ(mprotect(q, 4096, PROT_NONE), 0);
    EXPECT_EQ(catch_fault(read_at, q), SIGSEGV);
    EXPECT_EQ(mprotect(q, 4096, PROT_READ | PROT_WRITE), 0);
    EXPECT_EQ(catch_fault(touch, q), 0);
    munmap(q, 4096);
    return 1;
}

static int test_MAP_FIXED_replaces_and_MADV_DONTNEED_zeroes(void)
{
    unsigned char *p = mmap(NULL, 16384, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(p, 7, 16384);
    unsigned char *q = mmap(p + 4096, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    EXPECT(q == p + 4096, "MAP_FIXED moved to %p", q);
    EXPECT_EQ(q[0], 0);
    EXPECT_EQ(p[0], 7);
    EXPECT(mmap(p, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) == MAP_FAILED && errno == EEXIST,
           "MAP_FIXED_NOREPLACE over a mapping must be EEXIST");
    EXPECT_EQ(madvise(p, 16384, MADV_DONTNEED), 0);
    for (int i = 0; i < 16384; i++) EXPECT_EQ(p[i], 0);
    EXPECT(mmap(NULL, 4096, PROT_READ, MAP_SHARED, 3, 0) == MAP_FAILED && errno == ENODEV, "file mmap must be ENODEV");
    EXPECT(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == EINVAL, "length 0");
    munmap(p, 16384);
    return 1;
}

static int test_brk_grows_and_shrinks_the_heap(void)
{
    char *start = (char *)syscall(SYS_brk, 0);
    char *grown = (char *)syscall(SYS_brk, start + (1 << 20));
    EXPECT(grown == start + (1 << 20), "brk did not grow");
    memset(start, 3, 1 << 20);
    EXPECT((char *)syscall(SYS_brk, start) == start, "brk did not shrink");
    EXPECT((char *)syscall(SYS_brk, start - 4096) == start, "brk below its start must fail (returns the break)");
    void *big = malloc(8 << 20);
    EXPECT(big != NULL, "malloc(8 MiB)");
    memset(big, 1, 8 << 20);
    free(big);
    return 1;
}

/* ---- threads and futexes ----------------------------------------------------------------- */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static long counter;
static __thread long thread_local_value;

static void *count_up(void *arg)
{
    thread_local_value = (long)arg;
    for (int i = 0; i < 20000; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
        if (i % 1000 == 0) sched_yield();
    }
    return (void *)(thread_local_value * 2);
}

static int test_threads_share_memory_and_mutexes_and_join_returns_their_result(void)
{
    pthread_t t[4];
    counter = 0;
    thread_local_value = 99;
    for (long i = 0; i < 4; i++) EXPECT_EQ(pthread_create(&t[i], NULL, count_up, (void *)(i + 1)), 0);
    for (long i = 0; i < 4; i++) {
        void *result;
        EXPECT_EQ(pthread_join(t[i], &result), 0);
        EXPECT_EQ((long)result, (i + 1) * 2);
    }
    EXPECT_EQ(counter, 80000);
    EXPECT_EQ(thread_local_value, 99);                 /* TLS is per thread (FS base) */
    return 1;
}

static int ready_flag;
static void *signal_later(void *arg)
{
    struct timespec ts = { 0, 20 * 1000 * 1000 };
    nanosleep(&ts, NULL);
    pthread_mutex_lock(&lock);
    ready_flag = 1;
    pthread_cond_signal(&changed);
    pthread_mutex_unlock(&lock);
    return NULL;
}

static int test_condition_variables_wait_and_wake(void)
{
    pthread_t t;
    ready_flag = 0;
    pthread_create(&t, NULL, signal_later, NULL);
    pthread_mutex_lock(&lock);
    while (!ready_flag) pthread_cond_wait(&changed, &lock);
    pthread_mutex_unlock(&lock);
    pthread_join(t, NULL);
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_nsec += 30 * 1000 * 1000;
    if (deadline.tv_nsec >= 1000000000) { deadline.tv_sec++; deadline.tv_nsec -= 1000000000; }
    pthread_mutex_lock(&lock);
    int r = pthread_cond_timedwait(&changed, &lock, &deadline);
    pthread_mutex_unlock(&lock);
    EXPECT_EQ(r, ETIMEDOUT);
    return 1;
}

static int test_futex_wait_checks_the_word_and_times_out(void)
{
    static int word = 5;
    struct timespec ts = { 0, 10 * 1000 * 1000 };
    EXPECT(syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 4, &ts) == -1 && errno == EAGAIN, "wrong value must be EAGAIN");
    EXPECT(syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 5, &ts) == -1 && errno == ETIMEDOUT, "must time out");
    EXPECT(syscall(SYS_futex, (char *)&word + 1, FUTEX_WAIT_PRIVATE, 5, &ts) == -1 && errno == EINVAL, "misaligned");
    EXPECT(syscall(SYS_futex, (void *)0x10, FUTEX_WAIT_PRIVATE, 5, &ts) == -1 && errno == EFAULT, "bad address");
    EXPECT_EQ(syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1), 0);
    return 1;
}

/* ---- signals ----------------------------------------------------------------------------- */

static volatile int usr1_count;
static volatile pid_t usr1_thread;
static void on_usr1(int sig) { usr1_count++; usr1_thread = (pid_t)syscall(SYS_gettid); }

static int test_a_handler_runs_and_masked_signals_wait_until_unblocked(void)
{
    struct sigaction sa = { 0 };
    sa.sa_handler = on_usr1;
    EXPECT_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
    usr1_count = 0;
    EXPECT_EQ(raise(SIGUSR1), 0);
    EXPECT_EQ(usr1_count, 1);
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    EXPECT_EQ(sigprocmask(SIG_BLOCK, &set, &old), 0);
    raise(SIGUSR1);
    EXPECT_EQ(usr1_count, 1);
    EXPECT_EQ(sigprocmask(SIG_SETMASK, &old, NULL), 0);
    EXPECT_EQ(usr1_count, 2);
    EXPECT(sigaction(SIGKILL, &sa, NULL) == -1 && errno == EINVAL, "SIGKILL cannot be caught");
    return 1;
}

static int sleeping_tid;
static volatile int woke_with;
static void *sleep_long(void *arg)
{
    sleeping_tid = (int)syscall(SYS_gettid);
    struct timespec ts = { 5, 0 };
    woke_with = nanosleep(&ts, NULL) == -1 ? errno : 0;
    return NULL;
}

static int test_tgkill_interrupts_a_sleeping_thread_with_EINTR(void)
{
    struct sigaction sa = { 0 };
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    pthread_t t;
    sleeping_tid = 0;
    usr1_count = 0;
    pthread_create(&t, NULL, sleep_long, NULL);
    while (!sleeping_tid) sched_yield();
    struct timespec ts = { 0, 10 * 1000 * 1000 };
    nanosleep(&ts, NULL);
    EXPECT_EQ(syscall(SYS_tgkill, getpid(), sleeping_tid, SIGUSR1), 0);
    pthread_join(t, NULL);
    EXPECT_EQ(woke_with, EINTR);
    EXPECT_EQ(usr1_count, 1);
    EXPECT_EQ(usr1_thread, sleeping_tid);
    EXPECT(syscall(SYS_tgkill, getpid(), 99999, SIGUSR1) == -1 && errno == ESRCH, "no such thread");
    return 1;
}

/* Linux thread ids (microkernel/Kernel/Linux/LinuxThreadIds.cs): the main thread's tid is the pid,
   another thread's lies in [2^22, 2^30) (above every Linux pid, inside FUTEX_TID_MASK) and is the
   one clone stored for pthread (pthread_kill reaches it); an exited thread's tid is gone. */
static volatile long other_tid;
static volatile int other_may_exit;
static void *note_own_tid(void *arg)
{
    other_tid = syscall(SYS_gettid);
    while (!other_may_exit) sched_yield();
    return arg;
}

static int test_the_main_threads_tid_is_the_pid_and_other_threads_lie_above_every_pid(void)
{
    EXPECT_EQ(syscall(SYS_gettid), getpid());
    EXPECT_EQ(syscall(SYS_tgkill, getpid(), getpid(), 0), 0);
    pthread_t t;
    other_tid = 0;
    other_may_exit = 0;
    EXPECT_EQ(pthread_create(&t, NULL, note_own_tid, NULL), 0);
    while (!other_tid) sched_yield();
    EXPECT(other_tid >= (1L << 22) && other_tid <= 0x3FFFFFFF, "tid %ld", other_tid);
    EXPECT_EQ(syscall(SYS_tgkill, getpid(), other_tid, 0), 0);
    EXPECT_EQ(syscall(SYS_tkill, other_tid, 0), 0);
    EXPECT_EQ(pthread_kill(t, 0), 0);
    EXPECT(syscall(SYS_tgkill, other_tid, other_tid, 0) == -1 && errno == ESRCH, "a tid is not a tgid");
    other_may_exit = 1;
    EXPECT_EQ(pthread_join(t, NULL), 0);
    EXPECT(syscall(SYS_tkill, other_tid, 0) == -1 && errno == ESRCH, "an exited thread's tid");
    EXPECT(syscall(SYS_tkill, 0, 0) == -1 && errno == EINVAL, "tid 0");
    EXPECT(syscall(SYS_tgkill, getpid(), -1, 0) == -1 && errno == EINVAL, "tid -1");
    EXPECT(syscall(SYS_tgkill, 0, getpid(), 0) == -1 && errno == EINVAL, "tgid 0");
    EXPECT(syscall(SYS_tgkill, getpid(), getpid(), 65) == -1 && errno == EINVAL, "signal 65");
    return 1;
}

static void skip_instruction(int sig, siginfo_t *info, void *context)
{
    ucontext_t *uc = context;
    last_fault = *info;
    uc->uc_mcontext.gregs[REG_RIP] += 2;        /* the faulting instruction is 2 bytes long */
    uc->uc_mcontext.gregs[REG_RAX] = 1234;
}

static int test_a_fault_handler_can_repair_the_context_and_resume(void)
{
    struct sigaction sa = { 0 };
    sa.sa_sigaction = skip_instruction;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGFPE, &sa, NULL);
    long result;
    __asm__ volatile("xor %%edx, %%edx\n\tmov $10, %%eax\n\txor %%ecx, %%ecx\n\tdiv %%ecx\n\t"   /* div ecx: 2 bytes */
                     : "=a"(result) : : "rcx", "rdx");
    EXPECT_EQ(result, 1234);
    EXPECT_EQ(last_fault.si_signo, SIGFPE);
    EXPECT_EQ(last_fault.si_code, FPE_INTDIV);
    signal(SIGFPE, SIG_DFL);
    return 1;
}

static int test_null_dereference_is_SIGSEGV_at_address_zero(void)
{
    EXPECT_EQ(catch_fault(touch, NULL), SIGSEGV);
    EXPECT(last_fault.si_addr == NULL, "si_addr %p", last_fault.si_addr);
    EXPECT_EQ(last_fault.si_code, SEGV_MAPERR);
    signal(SIGSEGV, SIG_DFL);
    return 1;
}

static int test_floating_point_state_survives_a_signal_handler(void)
{
    struct sigaction sa = { 0 };
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    volatile double x = 1.5;
    double before = x * 3.25;
    raise(SIGUSR1);
    double after = x * 3.25;
    EXPECT(before == after && after == 4.875, "x87/SSE state changed");
    return 1;
}

/* ---- time, files, information ------------------------------------------------------------ */

static int test_clocks_advance_and_sleep_lasts_at_least_as_asked(void)
{
    struct timespec a, b, real;
    EXPECT_EQ(clock_gettime(CLOCK_MONOTONIC, &a), 0);
    struct timespec ts = { 0, 20 * 1000 * 1000 };
    EXPECT_EQ(nanosleep(&ts, NULL), 0);
    EXPECT_EQ(clock_gettime(CLOCK_MONOTONIC, &b), 0);
    long ns = (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec);
    EXPECT(ns >= 20 * 1000 * 1000, "slept %ld ns", ns);
    EXPECT_EQ(clock_gettime(CLOCK_REALTIME, &real), 0);
    EXPECT(real.tv_sec > 1700000000L, "realtime %ld is before 2023", (long)real.tv_sec);
    EXPECT_EQ(clock_gettime(CLOCK_MONOTONIC_COARSE, &a), 0);
    EXPECT(clock_gettime(99, &a) == -1 && errno == EINVAL, "unknown clock");
    EXPECT(time(NULL) >= real.tv_sec, "time()");
    return 1;
}

static void *write_later(void *arg)
{
    struct timespec ts = { 0, 10 * 1000 * 1000 };
    nanosleep(&ts, NULL);
    write((int)(long)arg, "late", 4);
    return NULL;
}

static int test_pipes_carry_bytes_block_and_report_end_of_file(void)
{
    int fds[2];
    EXPECT_EQ(pipe2(fds, O_CLOEXEC), 0);
    EXPECT_EQ(write(fds[1], "hello", 5), 5);
    char buf[16];
    EXPECT_EQ(read(fds[0], buf, sizeof buf), 5);
    EXPECT(memcmp(buf, "hello", 5) == 0, "bytes differ");
    EXPECT_EQ(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
    EXPECT(read(fds[0], buf, sizeof buf) == -1 && errno == EAGAIN, "non-blocking read of an empty pipe");
    EXPECT_EQ(fcntl(fds[0], F_SETFL, 0), 0);
    pthread_t t;
    pthread_create(&t, NULL, write_later, (void *)(long)fds[1]);
    EXPECT_EQ(read(fds[0], buf, sizeof buf), 4);       /* blocks until the other thread writes */
    pthread_join(t, NULL);
    int copy = fcntl(fds[1], F_DUPFD_CLOEXEC, 10);
    EXPECT(copy >= 10, "F_DUPFD_CLOEXEC gave %d", copy);
    EXPECT_EQ(close(fds[1]), 0);
    EXPECT_EQ(close(copy), 0);
    EXPECT_EQ(read(fds[0], buf, sizeof buf), 0);       /* no writer left: end of file */
    EXPECT_EQ(close(fds[0]), 0);
    EXPECT(close(fds[0]) == -1 && errno == EBADF, "double close");
    EXPECT(write(fds[1], "x", 1) == -1 && errno == EBADF, "write to a closed fd");
    EXPECT(read(0, (void *)0xffffffff80000000UL, 4) == -1 && errno == EFAULT, "read into kernel memory");
    return 1;
}

static int test_information_calls_describe_this_process(void)
{
    struct sysinfo si;
    EXPECT_EQ(sysinfo(&si), 0);
    EXPECT((unsigned long)si.totalram * si.mem_unit == 256UL << 20, "totalram %lu", (unsigned long)si.totalram);
    EXPECT(si.freeram > 0 && si.freeram < si.totalram, "freeram %lu", (unsigned long)si.freeram);
    struct utsname u;
    EXPECT_EQ(uname(&u), 0);
    EXPECT(!strcmp(u.sysname, "Linux") && !strcmp(u.machine, "x86_64"), "uname %s %s", u.sysname, u.machine);
    struct rlimit rl;
    EXPECT_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
    EXPECT_EQ(rl.rlim_cur, 64);
    unsigned char r1[32] = { 0 }, r2[32] = { 0 };
    EXPECT_EQ(getrandom(r1, 32, 0), 32);
    EXPECT_EQ(getrandom(r2, 32, 0), 32);
    EXPECT(memcmp(r1, r2, 32) != 0, "getrandom repeated itself");
    cpu_set_t cpus;
    EXPECT_EQ(sched_getaffinity(0, sizeof cpus, &cpus), 0);
    EXPECT_EQ(CPU_COUNT(&cpus), 1);
    EXPECT(syscall(SYS_membarrier, 0, 0) > 0, "membarrier QUERY");
    EXPECT_EQ(syscall(SYS_gettid), syscall(SYS_gettid));
    EXPECT(syscall(SYS_fork) == -1 && errno == ENOSYS, "fork is not the kernel's");
    return 1;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("linuxabi: Linux core ABI tests\n");
    run("anonymous mmap is zeroed and usable", test_anonymous_mmap_is_zeroed_and_usable);
    run("a PROT_NONE reservation costs nothing until committed", test_a_PROT_NONE_reservation_costs_nothing_until_committed);
    run("touching unmapped or PROT_NONE memory raises SIGSEGV with the address", test_touching_unmapped_or_PROT_NONE_memory_raises_SIGSEGV_with_the_address);
    run("MAP_FIXED replaces and MADV_DONTNEED zeroes", test_MAP_FIXED_replaces_and_MADV_DONTNEED_zeroes);
    run("brk grows and shrinks the heap", test_brk_grows_and_shrinks_the_heap);
    run("threads share memory and mutexes, and join returns their result", test_threads_share_memory_and_mutexes_and_join_returns_their_result);
    run("condition variables wait and wake", test_condition_variables_wait_and_wake);
    run("futex wait checks the word and times out", test_futex_wait_checks_the_word_and_times_out);
    run("a handler runs and masked signals wait until unblocked", test_a_handler_runs_and_masked_signals_wait_until_unblocked);
    run("tgkill interrupts a sleeping thread with EINTR", test_tgkill_interrupts_a_sleeping_thread_with_EINTR);
    run("the main thread's tid is the pid and other threads lie above every pid", test_the_main_threads_tid_is_the_pid_and_other_threads_lie_above_every_pid);
    run("a fault handler can repair the context and resume", test_a_fault_handler_can_repair_the_context_and_resume);
    run("a null dereference is SIGSEGV at address zero", test_null_dereference_is_SIGSEGV_at_address_zero);
    run("floating-point state survives a signal handler", test_floating_point_state_survives_a_signal_handler);
    run("clocks advance and sleep lasts at least as asked", test_clocks_advance_and_sleep_lasts_at_least_as_asked);
    run("pipes carry bytes, block, and report end of file", test_pipes_carry_bytes_block_and_report_end_of_file);
    run("information calls describe this process", test_information_calls_describe_this_process);
    printf("linuxabi: %d passed, %d failed\n", passed, failed);
    return failed;
}
