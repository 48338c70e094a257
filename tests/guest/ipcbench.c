/* ipcbench — kernel-core micro-benchmarks, run as the first process (init=ipcbench exit=init):
     ipc_call_0 / ipc_call_64   call + reply_recv round trip to a server process, empty and
                                64-byte messages (N round trips)
     notify_wakeup              notify_signal to the wakeup of a higher-priority waiting thread
     yield_switch               one context switch: two threads of equal priority yielding
     spawn_exit                 process_spawn of a program that exits at once, to its death notice
     page_fault                 first write to a page of an anonymous private mapping (demand-zero),
                                timed around the store; then one line of where the time went, from
                                memory_fault_census around each fault (median cycles over faults of
                                each phase; FaultCensus.cs):
     bench page_fault_phases faults=F touch=T entry=E lookup=L frame=R zero=Z map=M exit=X outside=O
   Times are TSC cycles per operation (rdtsc around each one), reported as median and p99, with
   the TSC rate measured against the kernel's timer so they can be given in ns too. Output lines:
     bench NAME n=N median_cycles=M p99_cycles=P median_ns=X p99_ns=Y */
#include "biscuit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
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

static void calibrate(void)
{
    struct system_info info;
    bsys2(SYS_system_info, &info, sizeof info);
    long hz = (long)info.ticks_per_second, ticks = hz / 5;   /* 200 ms */
    long t0 = bsys0(SYS_clock_ticks);
    while (bsys0(SYS_clock_ticks) == t0) {}
    long start_tick = bsys0(SYS_clock_ticks);
    uint64_t c0 = rdtsc();
    while (bsys0(SYS_clock_ticks) < start_tick + ticks) {}
    uint64_t c1 = rdtsc();
    cycles_per_ns = (double)(c1 - c0) / 200e6;
    printf("bench tsc_ghz=%.3f\n", cycles_per_ns);
}

#define N 10000
static uint64_t samples[N];

static void ipc_round_trips(uint32_t ep, const char *name, uint32_t length)
{
    struct ipc_message *m = ipc_buffer();
    for (int i = -100; i < N; i++) {
        m->label = 1; m->length = length; m->handle_count = 0;
        uint64_t t0 = rdtsc();
        long r = bsys2(SYS_ipc_call, ep, FOREVER);
        uint64_t t1 = rdtsc();
        if (r != 0) { printf("bench %s failed: %ld\n", name, r); exit(1); }
        if (i >= 0) samples[i] = t1 - t0;
    }
    report(name, samples, N);
}

static volatile uint64_t signal_time;
static uint32_t wake_notification, done_notification;
static uint8_t stacks[2][16384] __attribute__((aligned(16)));

static void waiter(long unused)
{
    for (int i = -10; i < 2000; i++) {
        bsys2(SYS_notify_wait, wake_notification, FOREVER);
        uint64_t now = rdtsc();
        if (i >= 0) samples[i] = now - signal_time;
    }
    bsys2(SYS_notify_signal, done_notification, 1);
    bsys1(SYS_thread_exit, 0);
}

static volatile int yield_stop;
static void yielder(long unused)
{
    while (!yield_stop) bsys0(SYS_thread_yield);
    bsys2(SYS_notify_signal, done_notification, 2);
    bsys1(SYS_thread_exit, 0);
}

/* Demand-zero faults: FAULT_PAGES first writes, one per page, each timed, with the kernel's census
   read before and after each one (outside the timed store), so every fault has its own phases and
   each figure is a median over faults, robust to the host's hiccups. "outside" is, per fault, the
   store's time less the kernel's phases: exception entry, iretq and the assembly stub. */
#define FAULT_PAGES 4000
struct fault_census { uint64_t faults, entry, lookup, frame, zero, map, exit; };
enum { PHASES = 8 };   /* touch, entry, lookup, frame, zero, map, exit, outside */
static uint64_t phase_samples[PHASES][FAULT_PAGES];

static uint64_t median_of(uint64_t *values, int n)
{
    qsort(values, n, sizeof values[0], compare);
    return values[n / 2];
}

static void page_faults(void)
{
    long base = bsys6(9 /* mmap */, 0, FAULT_PAGES * 4096L, 3 /* PROT_READ|PROT_WRITE */, 0x22 /* MAP_PRIVATE|MAP_ANONYMOUS */, -1, 0);
    if (base < 0) { printf("bench page_fault failed: mmap %ld\n", base); exit(1); }
    struct fault_census before, after;
    uint64_t counted = 0;
    for (int i = 0; i < FAULT_PAGES; i++) {
        volatile char *page = (volatile char *)(base + i * 4096L);
        long r = bsys1(SYS_memory_fault_census, &before);
        if (r != 0) { printf("bench page_fault failed: memory_fault_census %ld\n", r); exit(1); }
        uint64_t t0 = rdtsc();
        *page = 1;
        uint64_t t1 = rdtsc();
        bsys1(SYS_memory_fault_census, &after);
        counted += after.faults - before.faults;
        uint64_t kernel[6] = { after.entry - before.entry, after.lookup - before.lookup, after.frame - before.frame,
                               after.zero - before.zero, after.map - before.map, after.exit - before.exit };
        uint64_t in_kernel = 0;
        samples[i] = phase_samples[0][i] = t1 - t0;
        for (int k = 0; k < 6; k++) { phase_samples[1 + k][i] = kernel[k]; in_kernel += kernel[k]; }
        phase_samples[7][i] = t1 - t0 > in_kernel ? t1 - t0 - in_kernel : 0;
    }
    report("page_fault", samples, FAULT_PAGES);
    if (counted != FAULT_PAGES) { printf("bench page_fault failed: the census saw %lu faults for %d first touches\n", (unsigned long)counted, FAULT_PAGES); exit(1); }
    printf("bench page_fault_phases faults=%lu", (unsigned long)counted);
    static const char *const names[PHASES] = { "touch", "entry", "lookup", "frame", "zero", "map", "exit", "outside" };
    for (int k = 0; k < PHASES; k++) printf(" %s=%lu", names[k], (unsigned long)median_of(phase_samples[k], FAULT_PAGES));
    printf("\n");
    bsys6(11 /* munmap */, base, FAULT_PAGES * 4096L, 0, 0, 0, 0);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    calibrate();

    long ep = bsys0(SYS_endpoint_create);
    uint32_t handles[1] = { (uint32_t)ep };
    const char args[] = "child\0echo";
    long server = spawn("child", args, sizeof args, handles, 1);
    if (server < 0) { printf("bench: spawn failed %ld\n", server); return 1; }
    bsys1(SYS_thread_set_priority, 5);
    ipc_round_trips(ep, "ipc_call_0", 0);
    ipc_round_trips(ep, "ipc_call_64", 64);
    bsys1(SYS_process_kill, server);

    wake_notification = bsys0(SYS_notification_create);
    done_notification = bsys0(SYS_notification_create);
    bsys4(SYS_thread_create, waiter, stacks[0] + sizeof stacks[0] - 8, 0, 6);
    bsys1(SYS_thread_sleep, 20);
    for (int i = -10; i < 2000; i++) {
        signal_time = rdtsc();
        bsys2(SYS_notify_signal, wake_notification, 1);   /* the waiter runs before this returns */
    }
    bsys2(SYS_notify_wait, done_notification, FOREVER);
    report("notify_wakeup", samples, 2000);

    /* Two threads at the same priority: each yield is one switch to the other. */
    bsys1(SYS_thread_set_priority, 2);
    bsys4(SYS_thread_create, yielder, stacks[1] + sizeof stacks[1] - 8, 0, 2);
    for (int i = -10; i < 5000; i++) {
        uint64_t t0 = rdtsc();
        bsys0(SYS_thread_yield);
        uint64_t t1 = rdtsc();
        if (i >= 0) samples[i] = (t1 - t0) / 2;          /* there and back */
    }
    yield_stop = 1;
    bsys2(SYS_notify_wait, done_notification, FOREVER);
    report("yield_switch", samples, 5000);
    bsys1(SYS_thread_set_priority, 5);

    long n = bsys0(SYS_notification_create);
    for (int i = 0; i < 100; i++) {
        uint64_t t0 = rdtsc();
        long p = spawn("child", "child", 6, NULL, 0);
        bsys3(SYS_process_watch, p, n, 1);
        bsys2(SYS_notify_wait, n, FOREVER);
        uint64_t t1 = rdtsc();
        bsys1(SYS_handle_close, p);
        samples[i] = t1 - t0;
    }
    report("spawn_exit", samples, 100);
    page_faults();
    printf("bench done\n");
    return 0;
}
