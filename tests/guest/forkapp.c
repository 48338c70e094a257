/* forkapp — the application forkhost.c (a miniature posix that serves fork with process_fork, issue 7)
   loads and serves. It forks with raw system calls (fork, clone without CLONE_VM), so each result is
   the kernel's or forkhost's RAX, and reports every check as a line written to fd 1 (appreport.h).
   Parent and child compare what each sees of a global, a MAP_PRIVATE page and MAP_SHARED|MAP_ANONYMOUS
   pages after both wrote; the child checks the registers, TLS, SSE state, signal handlers, blocked
   mask, program break and memory budget it inherited; clone runs a child on a new stack and with CHILD_SETTID;
   a child forks a grandchild with vfork; forks forkhost refuses (ENOMEM) leave the parent running; 1,000 forks run in a loop between two
   frame snapshots. Copy-on-write (issue 8): 64 pages written before a fork, then by both sides, each
   side seeing its own; the child's memory_info (0x854) shows the pages shared and counts the copies
   its writes made; a child started with no free frame dies of SIGSEGV at its first write. wait4 is polled with WNOHANG (forkhost is single-threaded and must go on serving
   the child while the parent waits). Exit status: the number of failed checks. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include "biscuit.h"
#include "appreport.h"

enum { SYS_mmap_ = 9, SYS_brk_ = 12, SYS_nanosleep_ = 35, SYS_getpid_ = 39, SYS_clone_ = 56, SYS_fork_ = 57,
       SYS_vfork_ = 58, SYS_wait4_ = 61, SYS_sysinfo_ = 99, SYS_gettid_ = 186, SYS_exit_group_ = 231, SYS_tgkill_ = 234 };
/* Forwarded numbers only forkhost knows: how to treat the next fork, and frame snapshots around the loop. */
enum { SYS_next_fork_ = 1010, SYS_snapshot_ = 1011, SYS_compare_ = 1012 };
enum { FORK_PLAIN = 0, FORK_BAD_INPUT = 1, FORK_NO_PROCESS_SLOTS = 2, FORK_NO_FRAMES = 3, FORK_FEW_FRAMES = 4,
       FORK_COW_STARVED = 5 };
enum { SYS_mprotect_ = 10, SYS_madvise_ = 28, SYS_memory_info_ = 0x854, COW_PAGES = 64, SIGSEGV_ = 11 };
/* The first fields of memory_info's answer (Syscalls.md "Memory"). */
struct memory_info_ { uint64_t resident_pages, shared_pages, page_faults, copies_on_write, quota_pages; };
enum { ENOMEM_ = 12, WNOHANG_ = 1, SIGCHLD_ = 17, CLONE_CHILD_CLEARTID_ = 0x200000, CLONE_CHILD_SETTID_ = 0x1000000 };
#define XMM_PATTERN 0x0123456789ABCDEFUL

static volatile long global_value = 10;
static volatile char *private_page, *private_untouched, *shared_page, *shared_untouched;
static volatile int handler_ran;

static void on_usr1(int signal) { handler_ran = signal; }

/* The thread pointer at %fs:0 (x86-64 TLS ABI), read afresh each time: pthread_self() is declared
   const, so the compiler may reuse the parent's result in the child. */
static uint64_t tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* "forkapp: WHAT costs N TSC cycles (mean of COUNT)": a figure for the report, not a check. */
static void figure(const char *what, uint64_t cycles, long count)
{
    char line[160], digits[24];
    int n = 0;
    uint64_t v = cycles / (uint64_t)count;
    do digits[n++] = (char)('0' + v % 10); while ((v /= 10) != 0);
    strcpy(line, "forkapp: ");
    strcat(line, what);
    strcat(line, " costs ");
    size_t l = strlen(line);
    while (n > 0) line[l++] = digits[--n];
    line[l] = 0;
    strcat(line, " TSC cycles\n");
    say(line);
}

static void *thread_pointer(void)
{
    void *p;
    __asm__ volatile("mov %%fs:0, %0" : "=r"(p));
    return p;
}

static void sleep_a_tick(void)
{
    struct timespec tick = { 0, 5 * 1000 * 1000 };
    bsys2(SYS_nanosleep_, &tick, 0);
}

/* wait4(pid, &status, WNOHANG) until the child is reaped (bounded: about 20 s). */
static long wait_for(long pid, int *status)
{
    for (int i = 0; i < 2000; i++)
    {
        long r = bsys4(SYS_wait4_, pid, status, WNOHANG_, 0);
        if (r != 0) return r;
        sleep_a_tick();
    }
    return 0;
}

static volatile char *map_page(int flags)
{
    return (volatile char *)bsys6(SYS_mmap_, 0, 4096, PROT_READ | PROT_WRITE, flags, -1, 0);
}

/* The child's side of the first fork: its own writes, then (once the parent has written its own)
   what it sees; then what it inherited. Exits with 42. */
static unsigned long memory_budget(void)
{
    struct sysinfo_ { long uptime; unsigned long loads[3], totalram, freeram, rest[8]; } s;
    memset(&s, 0, sizeof s);
    bsys1(SYS_sysinfo_, &s);
    return s.totalram;
}

static void first_child(uint64_t xmm_after, void *parent_tls, long parent_brk, unsigned long parent_budget)
{
    shared_page[2] = 1;                 /* fork returned 0 here */
    global_value = 20;
    private_page[0] = 20;
    private_untouched[0] = 20;
    shared_page[0] = 20;
    shared_untouched[0] = 20;
    for (int i = 0; i < 2000 && shared_page[1] != 1; i++) sleep_a_tick();
    check("child: the child keeps its own global and MAP_PRIVATE values after the parent wrote its own",
          shared_page[1] == 1 && global_value == 20 && private_page[0] == 20 && private_untouched[0] == 20, global_value);
    check("child: the child has the parent's FS base (TLS) and SSE registers",
          thread_pointer() == parent_tls && xmm_after == XMM_PATTERN, (long)(xmm_after >> 32));
    handler_ran = 0;
    bsys3(SYS_tgkill_, bsys0(SYS_getpid_), bsys0(SYS_gettid_), SIGUSR1);
    sigset_t blocked;
    sigemptyset(&blocked);
    sigprocmask(SIG_BLOCK, 0, &blocked);
    long brk_now = bsys1(SYS_brk_, 0);
    check("child: the child inherits signal handlers, the blocked mask and the program break",
          handler_ran == SIGUSR1 && sigismember(&blocked, SIGUSR2) == 1 && brk_now == parent_brk, brk_now);
    unsigned long budget = memory_budget();
    check("child: the child inherits the parent's memory budget (forkhost set it to 64 MiB)",
          budget == parent_budget && budget == 64UL << 20, (long)(budget >> 10));
    bsys1(SYS_exit_group_, 42);
}

static void fork_and_compare(void)
{
    private_page = map_page(MAP_PRIVATE | MAP_ANONYMOUS);
    private_untouched = map_page(MAP_PRIVATE | MAP_ANONYMOUS);
    shared_page = map_page(MAP_SHARED | MAP_ANONYMOUS);
    shared_untouched = map_page(MAP_SHARED | MAP_ANONYMOUS);
    private_page[0] = 10;
    shared_page[0] = 10;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, 0);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR2);
    sigprocmask(SIG_BLOCK, &block, 0);
    long parent_brk = bsys1(SYS_brk_, 0);
    void *tls = thread_pointer();
    unsigned long budget = memory_budget();

    /* fork, with a pattern in xmm6 before the call and read back from it after. */
    long pid;
    uint64_t xmm_after;
    __asm__ volatile("movq %[pattern], %%xmm6\n\tsyscall\n\tmovq %%xmm6, %[after]"
                     : "=a"(pid), [after] "=r"(xmm_after)
                     : "a"((long)SYS_fork_), [pattern] "r"(XMM_PATTERN)
                     : "rcx", "r11", "memory", "xmm6");
    if (pid == 0) first_child(xmm_after, tls, parent_brk, budget);

    global_value = 11;
    private_page[0] = 11;
    shared_page[1] = 1;                 /* tell the child the parent has written */
    int status = -1;
    long reaped = wait_for(pid, &status);
    check("child: fork returns the child's pid to the parent and 0 to the child", pid > 0 && shared_page[2] == 1, pid);
    check("child: wait4 returns the child's pid and its exit status 42",
          reaped == pid && WIFEXITED(status) && WEXITSTATUS(status) == 42, status);
    check("child: the parent keeps its own global and MAP_PRIVATE values after the child wrote its own",
          global_value == 11 && private_page[0] == 11 && private_untouched[0] == 0, global_value);
    check("child: MAP_SHARED|MAP_ANONYMOUS pages the child wrote are seen by the parent, touched before fork or not",
          shared_page[0] == 20 && shared_untouched[0] == 20, shared_page[0] * 100 + shared_untouched[0]);
}

/* clone(SIGCHLD, new stack): the child compares RSP with r12, which held the new stack in the parent,
   and exits 61 if they agree (its stack is the new one and its registers are the parent's), else 60. */
static void clone_on_a_new_stack(void)
{
    static char stack[8192] __attribute__((aligned(16)));
    uint64_t top = (uint64_t)(stack + sizeof stack - 64);
    register long r10 __asm__("r10") = 0;
    register long r8 __asm__("r8") = 0;
    long pid;
    __asm__ volatile("mov %[top], %%r12\n\t"
                     "syscall\n\t"
                     "test %%rax, %%rax\n\t"
                     "jnz 1f\n\t"
                     "xor %%edi, %%edi\n\t"
                     "cmp %%rsp, %%r12\n\t"
                     "sete %%dil\n\t"
                     "add $60, %%edi\n\t"
                     "mov $231, %%eax\n\t"
                     "syscall\n"
                     "1:"
                     : "=a"(pid)
                     : "a"((long)SYS_clone_), "D"((long)SIGCHLD_), "S"(top), "d"(0L), "r"(r10), "r"(r8), [top] "r"(top)
                     : "rcx", "r11", "r12", "memory");
    int status = -1;
    long reaped = wait_for(pid, &status);
    check("child: clone with a new stack runs the child on it with the parent's other registers",
          pid > 0 && reaped == pid && WIFEXITED(status) && WEXITSTATUS(status) == 61, status);
}

/* clone(CHILD_SETTID|CHILD_CLEARTID|SIGCHLD, 0, 0, &tid_word), as glibc's fork makes it: the child
   finds its own thread id in tid_word, and that id is its pid (exit 62); the parent's word stays 0. */
static void clone_with_child_settid(void)
{
    static volatile uint32_t tid_word;
    tid_word = 0;
    long pid = bsys5(SYS_clone_, CLONE_CHILD_SETTID_ | CLONE_CHILD_CLEARTID_ | SIGCHLD_, 0, 0, &tid_word, 0);
    if (pid == 0)
    {
        long tid = bsys0(SYS_gettid_);
        bsys1(SYS_exit_group_, tid_word == (uint32_t)tid && tid == bsys0(SYS_getpid_) ? 62 : 63);
    }
    int status = -1;
    long reaped = wait_for(pid, &status);
    check("child: clone with CLONE_CHILD_SETTID writes the child's thread id in the child only",
          reaped == pid && WIFEXITED(status) && WEXITSTATUS(status) == 62 && tid_word == 0, status);
}

/* A child forks in turn, with vfork (which forkhost serves as a fork: the copy spares the parent
   the wait): the grandchild exits 7, the child 70 once it has reaped it with that status. */
static void fork_a_grandchild(void)
{
    long pid = bsys0(SYS_fork_);
    if (pid == 0)
    {
        long grandchild = bsys0(SYS_vfork_);
        if (grandchild == 0) bsys1(SYS_exit_group_, 7);
        int status = -1;
        long reaped = grandchild > 0 ? wait_for(grandchild, &status) : grandchild;
        bsys1(SYS_exit_group_, reaped == grandchild && WIFEXITED(status) && WEXITSTATUS(status) == 7 ? 70 : 71);
    }
    int status = -1;
    long reaped = wait_for(pid, &status);
    check("child: a forked child forks in turn with vfork and reaps its own child",
          pid > 0 && reaped == pid && WIFEXITED(status) && WEXITSTATUS(status) == 70, status);
}

/* A fork forkhost treats as `mode`; a child (if any) exits 0 at once. Returns fork's result. */
static long fork_as(int mode)
{
    bsys1(SYS_next_fork_, mode);
    long pid = bsys0(SYS_fork_);
    if (pid == 0) bsys1(SYS_exit_group_, 0);
    if (pid > 0)
    {
        int status;
        wait_for(pid, &status);
    }
    return pid;
}

static void refused_forks(void)
{
    long slots = fork_as(FORK_NO_PROCESS_SLOTS);
    check("child: a fork refused for want of process slots returns ENOMEM and the parent goes on", slots == -ENOMEM_, slots);
    long none = fork_as(FORK_NO_FRAMES), few = fork_as(FORK_FEW_FRAMES);
    check("child: a fork refused for want of memory returns ENOMEM and the parent goes on",
          none == -ENOMEM_ && few == -ENOMEM_, none * 100 + few);
    long after = fork_as(FORK_PLAIN);
    check("child: after refused forks a fork succeeds again", after > 0, after);
}

/* COW_PAGES private pages, each holding its index, written before the fork. The child checks it
   sees them shared (memory_info), makes them read-only and writable again with mprotect (which must
   not make a shared frame writable), writes its own values to the even ones (each write a copy),
   drops the last page with MADV_DONTNEED (it reads zero then, in the child only), tells the parent,
   and checks that every page holds its own value; the parent writes its values to the odd ones
   meanwhile and checks the same on its side once the child has exited. Exit 50 if the child saw
   everything right; 51 + what failed otherwise. */
static int cow_page_value(volatile uint32_t *page) { return (int)page[0] + (int)page[1000]; }
static void many_pages_each_side_its_own(void)
{
    volatile uint32_t *pages = (volatile uint32_t *)bsys6(SYS_mmap_, 0, COW_PAGES * 4096, PROT_READ | PROT_WRITE,
                                                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < COW_PAGES; i++) { pages[i * 1024] = i; pages[i * 1024 + 1000] = 1000; }
    shared_page[3] = 0;
    long pid = bsys0(SYS_fork_);
    if (pid == 0)
    {
        struct memory_info_ before, after;
        bsys3(SYS_memory_info_, 0, &before, sizeof before);
        long protect = bsys3(SYS_mprotect_, pages, COW_PAGES * 4096, PROT_READ)
                     | bsys3(SYS_mprotect_, pages, COW_PAGES * 4096, PROT_READ | PROT_WRITE);
        uint64_t start = tsc();
        for (int i = 0; i < COW_PAGES; i += 2) pages[i * 1024] = 5000 + i;
        uint64_t cycles = tsc() - start;
        bsys3(SYS_memory_info_, 0, &after, sizeof after);
        figure("a copy-on-write fault (copy of 4 KiB, mean of 32)", cycles, COW_PAGES / 2);
        long dropped = bsys3(SYS_madvise_, pages + (COW_PAGES - 1) * 1024, 4096, MADV_DONTNEED);
        shared_page[3] = 1;                 /* the parent may write now */
        for (int i = 0; i < 2000 && shared_page[3] != 2; i++) sleep_a_tick();
        int wrong = 0;
        for (int i = 0; i < COW_PAGES - 1; i++)
            if (cow_page_value(pages + i * 1024) != (i % 2 == 0 ? 5000 + i : i) + 1000) wrong++;
        if (dropped != 0 || cow_page_value(pages + (COW_PAGES - 1) * 1024) != 0) wrong++;
        unsigned long copies = after.copies_on_write - before.copies_on_write;
        int code = 50;
        if (wrong || protect != 0) code = 51;
        else if (before.shared_pages < COW_PAGES) code = 52;
        else if (copies < COW_PAGES / 2 || copies > COW_PAGES / 2 + 2) code = 53;
        else if (after.resident_pages != before.resident_pages) code = 54;   /* a copy moves the charge, adds none */
        bsys1(SYS_exit_group_, code);
    }
    for (int i = 0; i < 2000 && pid > 0 && shared_page[3] != 1; i++) sleep_a_tick();
    for (int i = 1; i < COW_PAGES; i += 2) pages[i * 1024] = 7000 + i;
    shared_page[3] = 2;
    int status = -1;
    long reaped = pid > 0 ? wait_for(pid, &status) : pid;
    int wrong = 0;
    for (int i = 0; i < COW_PAGES; i++)
        if (cow_page_value(pages + i * 1024) != (i % 2 == 1 ? 7000 + i : i) + 1000) wrong++;
    check("child: parent and child each see their own writes at 64 pages written before the fork",
          reaped == pid && WIFEXITED(status) && WEXITSTATUS(status) != 51 && wrong == 0, wrong * 1000 + WEXITSTATUS(status));
    check("child: a forked child shares the parent's pages copy-on-write and copies only the pages it writes",
          reaped == pid && WIFEXITED(status) && WEXITSTATUS(status) == 50, WEXITSTATUS(status));
}

/* A fork whose child forkhost starts with physical memory exhausted: the child's first write to a
   page it shares with the parent cannot be copied; it dies of SIGSEGV and the parent goes on with
   its own value. */
static volatile long cow_target = 5;
static void cow_fault_without_frames(void)
{
    cow_target = 6;                     /* present and private in the parent before the fork */
    bsys1(SYS_next_fork_, FORK_COW_STARVED);
    long pid = bsys0(SYS_fork_);
    if (pid == 0)
    {
        cow_target = 7;
        bsys1(SYS_exit_group_, 0);
    }
    int status = -1;
    long reaped = pid > 0 ? wait_for(pid, &status) : pid;
    check("child: a child whose copy-on-write fault finds no free frame dies of SIGSEGV and the parent goes on",
          reaped == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV_ && cow_target == 6, status);
}

/* 1,000 forks, each child exiting at once with its own status, between forkhost's frame snapshots. */
static void fork_loop(void)
{
    fork_as(FORK_PLAIN);                /* warm-up: every path below has run once */
    bsys0(SYS_snapshot_);
    int right = 0;
    uint64_t forking = 0;
    for (int i = 0; i < 1000; i++)
    {
        uint64_t start = tsc();
        long pid = bsys0(SYS_fork_);
        forking += tsc() - start;
        if (pid == 0) bsys1(SYS_exit_group_, i & 0x7F);
        int status = -1;
        if (pid > 0 && wait_for(pid, &status) == pid && WIFEXITED(status) && WEXITSTATUS(status) == (i & 0x7F)) right++;
    }
    bsys0(SYS_compare_);
    figure("fork (forwarded to forkhost, process_fork copy-on-write, process_start, reply; mean of 1,000)", forking, 1000);
    check("child: 1000 forks in a loop each return their child's exit status", right == 1000, right);
}

int main(void)
{
    fork_and_compare();
    clone_on_a_new_stack();
    clone_with_child_settid();
    fork_a_grandchild();
    long checked = fork_as(FORK_BAD_INPUT);
    check("child: a fork served after forkhost's bad-input checks succeeds", checked > 0, checked);
    refused_forks();
    many_pages_each_side_its_own();
    cow_fault_without_frames();
    fork_loop();
    bsys1(SYS_exit_group_, failures);
    return failures;
}
