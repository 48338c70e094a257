/* linux-ipcbench — the Linux counterparts of tests/guest/ipcbench.c, so that every kernel-core
   figure Biscuit reports has a Linux figure measured in the same QEMU minutes. Built static with
   musl-gcc by bench/linux/build.sh; the guest's /init runs it when the kernel command line says
   run=linux-ipcbench, then powers off.

     pipe_rtt_1 / pipe_rtt_64   ping-pong through two pipes between two processes, 1- and 64-byte
                                messages (the Biscuit paper's IPC comparison; Biscuit: ipc_call_0/_64)
     pipe_rtt_1_threads         the same between two threads of one process (no address-space switch)
     futex_wakeup               FUTEX_WAKE to the wake-up of a higher-priority thread waiting in
                                FUTEX_WAIT (Biscuit: notify_wakeup)
     yield_switch               one context switch: two SCHED_FIFO threads of equal priority
                                calling sched_yield (Biscuit: yield_switch)
     fork_exit_wait             fork, the child _exits at once, waitpid (Biscuit: spawn_exit)
     fork_exec_wait             fork, execve of this program that exits at once, waitpid

   Every operation is timed with rdtsc around it (a warm-up is discarded); the TSC rate is measured
   against CLOCK_MONOTONIC so the figures are also given in ns. Output lines have ipcbench's format:
     bench NAME n=N median_cycles=M p99_cycles=P median_ns=X p99_ns=Y
   and the run ends with "bench done". Any failed call prints "bench NAME failed: ..." and exits 1.
   Invoked as "linux-ipcbench --exit" it exits at once (the program fork_exec_wait executes). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* From the Linux UAPI <linux/futex.h> (musl-gcc does not see the kernel headers). */
#define FUTEX_WAIT_PRIVATE 128   /* FUTEX_WAIT (0) | FUTEX_PRIVATE_FLAG (128) */
#define FUTEX_WAKE_PRIVATE 129   /* FUTEX_WAKE (1) | FUTEX_PRIVATE_FLAG */

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static void fail(const char *name, const char *what)
{
    printf("bench %s failed: %s: %s\n", name, what, strerror(errno));
    exit(1);
}

static int compare(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static double cycles_per_ns;

static void report(const char *name, uint64_t *samples, int n)
{
    qsort(samples, n, sizeof samples[0], compare);
    uint64_t median = samples[n / 2], p99 = samples[(int)(n * 0.99)];
    printf("bench %s n=%d median_cycles=%lu p99_cycles=%lu median_ns=%.0f p99_ns=%.0f\n", name, n,
           (unsigned long)median, (unsigned long)p99, median / cycles_per_ns, p99 / cycles_per_ns);
}

static uint64_t monotonic_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* TSC cycles per ns over a 200 ms busy wait on CLOCK_MONOTONIC. */
static void calibrate(void)
{
    uint64_t n0 = monotonic_ns(), c0 = rdtsc(), n1, c1;
    do { n1 = monotonic_ns(); c1 = rdtsc(); } while (n1 - n0 < 200000000u);
    cycles_per_ns = (double)(c1 - c0) / (double)(n1 - n0);
    printf("bench tsc_ghz=%.3f\n", cycles_per_ns);
}

#define N 10000
#define WARMUP 100
static uint64_t samples[N];

/* ---------------------------------------------------------------- pipe ping-pong */

static void read_fully(int fd, char *buf, size_t length, const char *name)
{
    for (size_t got = 0; got < length; ) {
        ssize_t r = read(fd, buf + got, length - got);
        if (r <= 0) fail(name, "read");
        got += (size_t)r;
    }
}

/* The echo side: sends back every message it reads, until end of file or an error. */
static void echo(int in, int out)
{
    char buf[64];
    ssize_t r;
    while ((r = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)r) != r) return;
}

static int thread_pipe_ends[2];   /* the echo thread's read and write ends; set before it starts */

static void *echo_thread(void *unused)
{
    (void)unused;
    echo(thread_pipe_ends[0], thread_pipe_ends[1]);
    return NULL;
}

static void pipe_round_trips(int to_echo, int from_echo, size_t length, const char *name)
{
    char buf[64];
    memset(buf, 'x', sizeof buf);
    for (int i = -WARMUP; i < N; i++) {
        uint64_t t0 = rdtsc();
        if (write(to_echo, buf, length) != (ssize_t)length) fail(name, "write");
        read_fully(from_echo, buf, length, name);
        uint64_t t1 = rdtsc();
        if (i >= 0) samples[i] = t1 - t0;
    }
    report(name, samples, N);
}

static void pipe_benchmarks(void)
{
    int down[2], up[2];
    if (pipe(down) != 0 || pipe(up) != 0) fail("pipe_rtt", "pipe");
    pid_t child = fork();
    if (child < 0) fail("pipe_rtt", "fork");
    if (child == 0) { close(down[1]); close(up[0]); echo(down[0], up[1]); _exit(0); }
    close(down[0]); close(up[1]);
    pipe_round_trips(down[1], up[0], 1, "pipe_rtt_1");
    pipe_round_trips(down[1], up[0], 64, "pipe_rtt_64");
    close(down[1]);
    if (waitpid(child, NULL, 0) != child) fail("pipe_rtt", "waitpid");
    close(up[0]);

    /* The same between two threads of one process: no address-space switch, which under TCG
       costs a flush of QEMU's software TLB; the difference shows what that switch costs. */
    if (pipe(down) != 0 || pipe(up) != 0) fail("pipe_rtt_1_threads", "pipe");
    thread_pipe_ends[0] = down[0]; thread_pipe_ends[1] = up[1];
    pthread_t t;
    if (pthread_create(&t, NULL, echo_thread, NULL) != 0) fail("pipe_rtt_1_threads", "pthread_create");
    pipe_round_trips(down[1], up[0], 1, "pipe_rtt_1_threads");
    close(down[1]);
    pthread_join(t, NULL);
    close(down[0]); close(up[0]); close(up[1]);
}

/* ---------------------------------------------------------------- futex wake-up */

#define WAKEUPS 2000
static volatile uint32_t wake_word, ack_word;   /* futex words: the waker bumps wake_word, the waiter ack_word */
static volatile uint64_t signal_time;           /* written by the waker just before FUTEX_WAKE */

static long futex(volatile uint32_t *word, int op, uint32_t value)
{
    return syscall(SYS_futex, word, op, value, NULL, NULL, 0);
}

static int set_fifo(int priority)
{
    struct sched_param p = { .sched_priority = priority };
    return pthread_setschedparam(pthread_self(), SCHED_FIFO, &p);
}

static void *waiter(void *unused)
{
    (void)unused;
    set_fifo(2);                                /* above the waker, as Biscuit's waiter is */
    for (int i = -10; i < WAKEUPS; i++) {
        uint32_t seen = (uint32_t)(i + 10);
        while (wake_word == seen) futex(&wake_word, FUTEX_WAIT_PRIVATE, seen);
        uint64_t now = rdtsc();
        if (i >= 0) samples[i] = now - signal_time;
        __atomic_store_n(&ack_word, seen + 1, __ATOMIC_RELEASE);
        futex(&ack_word, FUTEX_WAKE_PRIVATE, 1);
    }
    return NULL;
}

static void futex_benchmark(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, waiter, NULL) != 0) fail("futex_wakeup", "pthread_create");
    usleep(20000);                              /* let the waiter block */
    for (int i = -10; i < WAKEUPS; i++) {
        uint32_t next = (uint32_t)(i + 11);
        signal_time = rdtsc();
        __atomic_store_n(&wake_word, next, __ATOMIC_RELEASE);
        if (futex(&wake_word, FUTEX_WAKE_PRIVATE, 1) < 0) fail("futex_wakeup", "FUTEX_WAKE");
        while (ack_word != next) futex(&ack_word, FUTEX_WAIT_PRIVATE, next - 1);
    }
    pthread_join(t, NULL);
    report("futex_wakeup", samples, WAKEUPS);
}

/* ---------------------------------------------------------------- sched_yield switch */

#define YIELDS 5000
static volatile int yield_stop;

static void *yielder(void *unused)
{
    (void)unused;
    while (!yield_stop) sched_yield();
    return NULL;
}

static void yield_benchmark(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, yielder, NULL) != 0) fail("yield_switch", "pthread_create");
    for (int i = -10; i < YIELDS; i++) {
        uint64_t t0 = rdtsc();
        sched_yield();
        uint64_t t1 = rdtsc();
        if (i >= 0) samples[i] = (t1 - t0) / 2;   /* there and back */
    }
    yield_stop = 1;
    pthread_join(t, NULL);
    report("yield_switch", samples, YIELDS);
}

/* ---------------------------------------------------------------- process creation */

#define SPAWNS 200
static void spawn_benchmark(const char *name, int exec)
{
    for (int i = -5; i < SPAWNS; i++) {
        uint64_t t0 = rdtsc();
        pid_t p = fork();
        if (p < 0) fail(name, "fork");
        if (p == 0) {
            if (exec) {
                char *argv[] = { "linux-ipcbench", "--exit", NULL }, *envp[] = { NULL };
                execve("/proc/self/exe", argv, envp);
            }
            _exit(exec ? 127 : 0);
        }
        int status;
        if (waitpid(p, &status, 0) != p) fail(name, "waitpid");
        uint64_t t1 = rdtsc();
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) { errno = ECHILD; fail(name, "child exit status"); }
        if (i >= 0) samples[i] = t1 - t0;
    }
    report(name, samples, SPAWNS);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--exit") == 0) return 0;
    setvbuf(stdout, NULL, _IOLBF, 0);
    calibrate();
    pipe_benchmarks();
    /* Real-time priorities make the wake-up and the yield deterministic switches, like Biscuit's
       priority scheduler; without them (not root) the figures are CFS's and a note says so. */
    if (set_fifo(1) != 0) printf("bench note: SCHED_FIFO refused, futex_wakeup and yield_switch run under CFS\n");
    futex_benchmark();
    yield_benchmark();
    struct sched_param normal = { .sched_priority = 0 };
    pthread_setschedparam(pthread_self(), SCHED_OTHER, &normal);
    spawn_benchmark("fork_exit_wait", 0);
    spawn_benchmark("fork_exec_wait", 1);
    printf("bench done\n");
    return 0;
}
