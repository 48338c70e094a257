/* child — the helper processes ktest spawns, one behaviour per mode (argv[1]):
     echo       serve the endpoint in initial handle 0: label 1 echoes the payload (reply label =
                the badge the call came with), label 2 signals the notification passed in the
                message with the bits in the payload, label 3 exits
     dying      receive one call on endpoint 0, then exit without replying
     grantee    serve endpoint 0: label 10 sums `length` bytes at `address`, label 11 writes a
                pattern there, label 12 munmaps the range, label 13 mprotects it to `prot`, label
                14 maps anonymous memory there (MAP_FIXED) filled with 0x5A, label 3 exits
                (payload: address, length, prot; 12-14 reply the call's result)
     granter    serve endpoint 0: label 20 maps `pages` pages of its own (filled with i * 5) and
                grants them to the caller at `address`, writable if `writable` (payload: address,
                pages, writable; replies grant_create's result), label 3 exits
     fault KIND raise a CPU exception in ring 3: null, ud, divide, gp, kernel
     spin       loop forever without a system call
     sleep      sleep forever
     threadhog  make threads until the kernel refuses, report the count and error on endpoint 0,
                then wait to be killed
     endpointhog  make endpoints until the kernel refuses, report count and error on endpoint 0
                (a call), then wait to be killed
     (none)     exit at once with status 0 (process spawn benchmark) */
#include "biscuit.h"
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

static void serve_echo(uint32_t ep)
{
    struct ipc_message *m = ipc_buffer();
    long r = bsys2(SYS_ipc_recv, ep, FOREVER);
    for (;;) {
        if (r < 0) { printf("child echo: receive failed %ld\n", r); return; }
        if (m->label == 3) { m->label = 0; m->length = 0; m->handle_count = 0; bsys0(SYS_ipc_reply); return; }
        if (m->label == 2 && m->handle_count == 1) {
            uint64_t bits;
            memcpy(&bits, m->payload, 8);
            long s = bsys2(SYS_notify_signal, m->handles[0], bits);
            bsys1(SYS_handle_close, m->handles[0]);
            m->label = (uint64_t)s;
            m->length = 0;
        } else {
            m->label = m->badge;        /* the payload stays: echoed back as it came */
        }
        m->handle_count = 0;
        r = bsys2(SYS_ipc_reply_recv, ep, FOREVER);
    }
}

static void serve_grantee(uint32_t ep)
{
    struct ipc_message *m = ipc_buffer();
    long r = bsys2(SYS_ipc_recv, ep, FOREVER);
    while (r >= 0) {
        uint64_t address, length, sum = 0;
        memcpy(&address, m->payload, 8);
        memcpy(&length, m->payload + 8, 8);
        if (m->label == 3) { m->length = 0; bsys0(SYS_ipc_reply); return; }
        if (m->label == 10) for (uint64_t i = 0; i < length; i++) sum += ((volatile uint8_t *)address)[i];
        if (m->label == 11) for (uint64_t i = 0; i < length; i++) ((volatile uint8_t *)address)[i] = (uint8_t)(i * 7);
        if (m->label == 12) sum = (uint64_t)bsys2(11, address, length);                       /* munmap */
        if (m->label == 13) {
            uint64_t prot;
            memcpy(&prot, m->payload + 16, 8);
            sum = (uint64_t)bsys3(10, address, length, prot);                                /* mprotect */
        }
        if (m->label == 14) {
            long at = bsys6(9, address, length, 3, 0x32 /* MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED */, -1, 0);
            if (at == (long)address) for (uint64_t i = 0; i < length; i++) ((volatile uint8_t *)address)[i] = 0x5A;
            sum = (uint64_t)at;
        }
        m->label = sum;
        m->length = 0;
        m->handle_count = 0;
        r = bsys2(SYS_ipc_reply_recv, ep, FOREVER);
    }
}

/* Lends pages to its caller (process 0 of grant_create: the caller it owes a reply to), each call
   from fresh memory of its own: ktest pins them with dma_pin and then kills this process. */
static void serve_granter(uint32_t ep)
{
    struct ipc_message *m = ipc_buffer();
    uint64_t next = 0x44000000UL;
    long r = bsys2(SYS_ipc_recv, ep, FOREVER);
    while (r >= 0) {
        if (m->label == 3) { m->length = 0; bsys0(SYS_ipc_reply); return; }
        uint64_t args[3];
        memcpy(args, m->payload, 24);
        long result = bsys3(SYS_memory_map, next, args[1], 1);
        if (result == 0) {
            for (uint64_t i = 0; i < args[1] * 4096; i++) ((volatile uint8_t *)next)[i] = (uint8_t)(i * 5);
            result = bsys5(SYS_grant_create, 0, next, args[1], args[0], args[2]);
        }
        next += 0x100000;
        m->label = (uint64_t)result;
        m->length = 0;
        m->handle_count = 0;
        r = bsys2(SYS_ipc_reply_recv, ep, FOREVER);
    }
}

/* A thread body that needs no stack: sleep forever. */
__asm__(".globl hog_entry\nhog_entry:\n mov $0x804, %eax\n mov $-1, %rdi\n syscall\n jmp hog_entry\n");
extern void hog_entry(void);

/* Reports how many objects a hog made and the error that stopped it, then waits to be killed. */
static void report_and_wait(uint32_t ep, uint64_t label, long count, long error)
{
    struct ipc_message *m = ipc_buffer();
    m->label = label;
    m->length = 16;
    m->handle_count = 0;
    memcpy(m->payload, &count, 8);
    memcpy(m->payload + 8, &error, 8);
    bsys2(SYS_ipc_call, ep, FOREVER);
    for (;;) bsys1(SYS_thread_sleep, FOREVER);
}

static void threadhog(uint32_t ep)
{
    long count = 0, r;
    while ((r = bsys4(SYS_thread_create, (long)hog_entry, 0, 0, 2)) > 0) count++;
    report_and_wait(ep, 20, count, r);
}

static void endpointhog(uint32_t ep)
{
    long count = 0, r;
    while ((r = bsys0(SYS_endpoint_create)) > 0) count++;
    report_and_wait(ep, 21, count, r);
}

/* Claims PCI device `index` with the device manager it was given, reports the count and passes the
 * first capability back, then waits to be killed (ktest: a dead holder's claim is released). */
static void claimer(uint32_t manager, uint32_t ep, long index)
{
    uint32_t handles[8];
    long n = bsys4(SYS_device_claim, manager, index, handles, 8);
    struct ipc_message *m = ipc_buffer();
    m->label = 22;
    m->length = 8;
    memcpy(m->payload, &n, 8);
    m->handle_count = n > 0 ? 1 : 0;
    if (n > 0) m->handles[0] = handles[0];
    bsys2(SYS_ipc_call, ep, FOREVER);
    for (;;) bsys1(SYS_thread_sleep, FOREVER);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (!strcmp(mode, "echo")) serve_echo(initial_handle(0));
    else if (!strcmp(mode, "dying")) { bsys2(SYS_ipc_recv, initial_handle(0), FOREVER); return 0; }
    else if (!strcmp(mode, "grantee")) serve_grantee(initial_handle(0));
    else if (!strcmp(mode, "granter")) serve_granter(initial_handle(0));
    else if (!strcmp(mode, "spin")) for (;;) __asm__ volatile("");
    else if (!strcmp(mode, "sleep")) for (;;) bsys1(SYS_thread_sleep, FOREVER);
    else if (!strcmp(mode, "threadhog")) threadhog(initial_handle(0));
    else if (!strcmp(mode, "endpointhog")) endpointhog(initial_handle(0));
    else if (!strcmp(mode, "claim") && argc > 2) claimer(initial_handle(0), initial_handle(1), atol(argv[2]));
    else if (!strcmp(mode, "fault") && argc > 2) {
        const char *kind = argv[2];
        if (!strcmp(kind, "null")) *(volatile int *)0 = 1;
        if (!strcmp(kind, "kernel")) *(volatile int *)0xffffffff80100000UL = 1;
        if (!strcmp(kind, "ud")) __asm__ volatile("ud2");
        if (!strcmp(kind, "gp")) __asm__ volatile("hlt");
        if (!strcmp(kind, "divide")) { volatile int zero = 0; volatile int x = 10 / zero; (void)x; }
        return 99;
    }
    return 0;
}
