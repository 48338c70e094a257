/*
 * biscuit.h — Biscuit's native system calls for C programs (static, musl), as the kernel defines
 * them in microkernel/Kernel/Syscalls/Syscalls.md. Arguments go in rdi, rsi, rdx, r10, r8, r9,
 * the number in rax; the result comes back in rax, negative errno on failure.
 */
#ifndef BISCUIT_H
#define BISCUIT_H
#include <stdint.h>
#include <stddef.h>

static inline long bsys6(long n, long a, long b, long c, long d, long e, long f)
{
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9) : "rcx", "r11", "memory");
    return ret;
}
#define bsys0(n) bsys6(n, 0, 0, 0, 0, 0, 0)
#define bsys1(n, a) bsys6(n, (long)(a), 0, 0, 0, 0, 0)
#define bsys2(n, a, b) bsys6(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define bsys3(n, a, b, c) bsys6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define bsys4(n, a, b, c, d) bsys6(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define bsys5(n, a, b, c, d, e) bsys6(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

enum {
    SYS_debug_write = 0x800, SYS_thread_create, SYS_thread_exit, SYS_thread_yield, SYS_thread_sleep,
    SYS_thread_set_priority, SYS_ipc_buffer, SYS_clock_ticks, SYS_system_info,
    SYS_process_spawn = 0x810, SYS_process_watch, SYS_process_status, SYS_process_kill, SYS_process_exit,
    SYS_process_set_limits, SYS_module_read,
    SYS_process_create = 0x817, SYS_process_set_personality, SYS_process_read, SYS_process_write,
    SYS_process_mmap, SYS_process_mprotect, SYS_process_start, SYS_ipc_reply_pending, SYS_process_fork,
    SYS_endpoint_create = 0x820, SYS_ipc_call, SYS_ipc_send, SYS_ipc_recv, SYS_ipc_reply_recv, SYS_ipc_reply,
    SYS_notification_create = 0x830, SYS_notify_signal, SYS_notify_wait, SYS_notify_poll,
    SYS_handle_dup = 0x840, SYS_handle_close, SYS_handle_info,
    SYS_memory_map = 0x850, SYS_memory_unmap, SYS_grant_create, SYS_grant_revoke,
    SYS_memory_info, SYS_memory_set_quota, SYS_memory_census, SYS_memory_oom_kill, SYS_memory_fault_census,
    SYS_memory_pager_set, SYS_memory_page_supply, SYS_memory_pager_census,
    SYS_pci_info = 0x860, SYS_device_claim, SYS_irq_bind, SYS_irq_ack, SYS_mmio_map, SYS_ioport_read,
    SYS_ioport_write, SYS_dma_alloc, SYS_irq_claim, SYS_ioport_claim,
    SYS_console_claim = 0x86A, SYS_console_read, SYS_console_stats, SYS_dma_pin, SYS_dma_unpin,
    SYS_process_set_pid = 0x870, SYS_process_signal,
    SYS_process_inject = 0x872, SYS_cpu_census = 0x87C, SYS_orphans_kill,
};

#define FOREVER (~0UL)

/* Rights (microkernel/Kernel/Capabilities/Capability.cs) */
enum { R_SEND = 1, R_RECEIVE = 2, R_SIGNAL = 4, R_WAIT = 8, R_CONTROL = 16, R_TRANSFER = 32, R_DUPLICATE = 64 };
/* Capability types */
enum { CAP_ENDPOINT = 1, CAP_NOTIFICATION, CAP_PROCESS, CAP_GRANT, CAP_IRQ, CAP_MMIO, CAP_IOPORTS, CAP_DEVICE_MANAGER, CAP_CONSOLE };

/* The handle in slot i of a new process's table: the handles its spawner passed, in order
   (and, for the first process, the device manager in slot 0). */
static inline uint32_t initial_handle(int i) { return (1u << 12) | (uint32_t)i; }

struct ipc_message {
    uint64_t label;
    uint32_t length;
    uint32_t handle_count;
    uint32_t handles[4];
    uint64_t badge;
    uint64_t dropped;
    uint64_t reserved[2];
    uint8_t payload[4096 - 64];
};

static inline struct ipc_message *ipc_buffer(void) { return (struct ipc_message *)bsys0(SYS_ipc_buffer); }

struct system_info {
    uint64_t total_frames, free_frames, ticks, ticks_per_second, context_switches, syscalls;
    uint64_t free_threads, free_endpoints, free_notifications, free_processes, free_grants;
};

struct pci_device {
    uint8_t bus, slot, function, interrupt_line;
    uint16_t vendor, device;
    uint8_t class_code, subclass, prog_if, claimed;
    uint32_t reserved;
    uint64_t bar_base[6];
    uint64_t bar_size[6];
    uint8_t bar_is_port[6];
};

static inline long spawn(const char *name, const char *args, size_t args_len, const uint32_t *handles, int count)
{
    size_t n = 0;
    while (name[n]) n++;
    return bsys6(SYS_process_spawn, (long)name, (long)n, (long)args, (long)args_len, (long)handles, count);
}

/* Application processes (Syscalls.md "Application processes"): what posix uses to build and serve them. */
static inline long process_create(const char *name, const uint32_t *handles, int count)
{
    size_t n = 0;
    while (name[n]) n++;
    return bsys4(SYS_process_create, name, n, handles, count);
}
static inline long process_set_personality(uint32_t process, uint32_t endpoint)
{ return bsys2(SYS_process_set_personality, process, endpoint); }
static inline long process_read(uint32_t process, uint64_t remote, void *local, size_t length)
{ return bsys4(SYS_process_read, process, remote, local, length); }
static inline long process_write(uint32_t process, uint64_t remote, const void *local, size_t length)
{ return bsys4(SYS_process_write, process, remote, local, length); }
static inline long process_mmap(uint32_t process, uint64_t address, size_t length, int prot, int flags)
{ return bsys5(SYS_process_mmap, process, address, length, prot, flags); }
static inline long process_mprotect(uint32_t process, uint64_t address, size_t length, int prot)
{ return bsys4(SYS_process_mprotect, process, address, length, prot); }
static inline long process_start(uint32_t process, uint64_t entry, uint64_t stack_pointer, uint64_t brk_base)
{ return bsys4(SYS_process_start, process, entry, stack_pointer, brk_base); }
static inline long ipc_reply_pending(void) { return bsys0(SYS_ipc_reply_pending); }
/* process_fork: a copy of `process` for its thread `thread_id` (waiting in a forwarded call); runs after
   process_start(child, 0, 0, 0). flags: 0 or FORK_CHILD_SETTID / FORK_CHILD_CLEARTID at child_tid. */
enum { FORK_CHILD_CLEARTID = 0x00200000, FORK_CHILD_SETTID = 0x01000000 };
static inline long process_fork(uint32_t process, uint64_t thread_id, uint32_t personality, uint64_t stack,
                                uint64_t flags, uint64_t child_tid)
{ return bsys6(SYS_process_fork, process, (long)thread_id, personality, (long)stack, (long)flags, (long)child_tid); }

/* process_set_pid: getpid() answers `pid` in `process`; process_signal: a process-directed signal with
   si_code `code`, si_pid `sender_pid`, si_status `status` (kill(2), SIGCHLD). */
static inline long process_set_pid(uint32_t process, long pid) { return bsys2(SYS_process_set_pid, process, pid); }
static inline long process_signal(uint32_t process, long signal, long code, long sender_pid, long status, long flags)
{ return bsys6(SYS_process_signal, process, signal, code, sender_pid, status, flags); }

/* A forwarded Linux call (kernel -> personality): label = LNX_LABEL | number, payload below. */
#define LNX_LABEL 0x4C4E580000000000UL
#define LNX_LABEL_MASK 0xFFFFFFFF00000000UL
struct forwarded_call {
    uint64_t number, args[6], kernel_process_id, thread_id, flags;
};

#endif
