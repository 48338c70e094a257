/* gaps.c — thread ids (gettid(2), clone(2), tgkill(2)); once what Biscuit's output differed in from
 * Linux's (the main thread's tid was not the pid), now the same on both:
 *   - "in a single-threaded process, the thread ID is equal to the process ID" (gettid(2)), and
 *     tgkill(getpid(), gettid()) reaches the caller;
 *   - a thread made by clone(CLONE_VM|CLONE_THREAD|...) has a tid of its own, not the pid, while its
 *     getpid() is the pid; CLONE_PARENT_SETTID and CLONE_CHILD_SETTID store that tid, clone returns
 *     it, set_tid_address answers it; tgkill(pid, tid) runs the handler in that thread; its exit
 *     clears the CLONE_CHILD_CLEARTID word and wakes a futex waiter (what pthread_join waits for);
 *   - a pthread (musl's clone) reached by pthread_kill sees the tid the library cached;
 *   - a forked child's gettid() is its pid, and the CLONE_CHILD_SETTID / CLONE_PARENT_SETTID words of
 *     that fork hold it;
 *   - bad input: tid or tgid zero or negative EINVAL, a tid nobody has ESRCH, a thread's tid given
 *     as the tgid ESRCH, an invalid signal EINVAL.
 * Output: check.h's lines (only comparisons, never the ids themselves). */
#define _GNU_SOURCE
#include "check.h"
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>

const char *check_prefix = "gaps";

enum { FUTEX_WAIT_ = 0 };   /* linux/futex.h, which musl-gcc does not see */

static long raw_gettid(void) { return syscall(SYS_gettid); }

/* ---- a thread made by clone(2) itself ---- */

static volatile long thread_tid, thread_pid, thread_set_tid_answer, handler_tid;
static volatile int handled, release_thread;
static pid_t parent_word, child_word;    /* CLONE_PARENT_SETTID / CLONE_CHILD_SETTID|CLEARTID words */
static char thread_stack[64 * 1024] __attribute__((aligned(16)));

static void on_usr1(int signal) { (void)signal; handler_tid = raw_gettid(); handled = 1; }

/* Runs on thread_stack with the main thread's TLS (no CLONE_SETTLS): only raw system calls. */
static int cloned_thread(void *unused)
{
    (void)unused;
    thread_pid = syscall(SYS_getpid);
    thread_set_tid_answer = syscall(SYS_set_tid_address, &child_word);   /* the same word: CLEARTID still works */
    thread_tid = raw_gettid();                                           /* last: the main thread waits for it */
    while (!release_thread) syscall(SYS_sched_yield);
    return 0;
}

static void wait_for_cleared(volatile pid_t *word)
{
    pid_t seen;
    while ((seen = *word) != 0) syscall(SYS_futex, word, FUTEX_WAIT_, seen, NULL, NULL, 0);
}

static void clone_thread_checks(void)
{
    struct sigaction sa = { 0 };
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM
        | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID;
    long made = clone(cloned_thread, thread_stack + sizeof thread_stack, flags, NULL, &parent_word, NULL, &child_word);
    CHECK("clone a thread", made);
    if (made < 0) return;
    while (!thread_tid) sched_yield();
    long pid = getpid();
    say("thread: gettid is not the pid: %d", thread_tid != pid);
    say("thread: getpid is the pid: %d", thread_pid == pid);
    say("thread: clone returned its tid: %d", made == thread_tid);
    say("thread: CLONE_PARENT_SETTID holds its tid: %d", parent_word == thread_tid);
    say("thread: CLONE_CHILD_SETTID holds its tid: %d", child_word == thread_tid);
    say("thread: set_tid_address answers its tid: %d", thread_set_tid_answer == thread_tid);
    say("thread: tid differs from the main thread's: %d", thread_tid != raw_gettid());
    CHECK("tgkill(pid, thread, 0)", syscall(SYS_tgkill, pid, thread_tid, 0));
    CHECK("tgkill(pid, thread, SIGUSR1)", syscall(SYS_tgkill, pid, thread_tid, SIGUSR1));
    while (!handled) sched_yield();
    say("thread: the handler ran in the thread: %d", handler_tid == thread_tid);
    CHECK("tkill(thread, 0)", syscall(SYS_tkill, thread_tid, 0));
    CHECK("tgkill(thread as tgid, thread, 0)", syscall(SYS_tgkill, thread_tid, thread_tid, 0));
    CHECK("tgkill(pid, thread, 65)", syscall(SYS_tgkill, pid, thread_tid, 65));
    release_thread = 1;
    wait_for_cleared(&child_word);
    say("thread: exit cleared CLONE_CHILD_CLEARTID and woke the waiter: %d", child_word == 0);
    sa.sa_handler = SIG_DFL;
    sigaction(SIGUSR1, &sa, NULL);
}

/* ---- a pthread: musl caches the tid from clone's CLONE_PARENT_SETTID ---- */

static volatile long pthread_tid, pthread_handler_tid;
static volatile int pthread_handled;
static void on_usr2(int signal) { (void)signal; pthread_handler_tid = raw_gettid(); pthread_handled = 1; }

static void *pthread_body(void *unused)
{
    (void)unused;
    pthread_tid = raw_gettid();
    while (!pthread_handled) sched_yield();
    return NULL;
}

static void pthread_checks(void)
{
    struct sigaction sa = { 0 };
    sa.sa_handler = on_usr2;
    sigaction(SIGUSR2, &sa, NULL);
    pthread_t t;
    CHECK("pthread_create", -pthread_create(&t, NULL, pthread_body, NULL));
    while (!pthread_tid) sched_yield();
    CHECK("pthread_kill(SIGUSR2)", -pthread_kill(t, SIGUSR2));
    CHECK("pthread_join", -pthread_join(t, NULL));
    say("pthread: the handler ran in that thread: %d", pthread_handler_tid == pthread_tid);
    say("pthread: its tid is not the pid: %d", pthread_tid != getpid());
}

/* ---- fork: the child's main thread is numbered with its pid ---- */

static void fork_checks(void)
{
    pid_t parent_tid_word = 0, child_tid_word = 0;
    long child = syscall(SYS_clone, (long)(SIGCHLD | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID), 0L, &parent_tid_word,
        &child_tid_word, 0L);
    if (child == 0) {
        long tid = raw_gettid(), pid = syscall(SYS_getpid);
        say("fork child: gettid is its pid: %d", tid == pid);
        say("fork child: CLONE_CHILD_SETTID holds it: %d", child_tid_word == pid);
        say("fork child: tgkill(pid, tid, 0): %s", outcome(syscall(SYS_tgkill, pid, tid, 0)));
        syscall(SYS_exit_group, 0);
    }
    if (child < 0) {
        CHECK("fork with CLONE_PARENT_SETTID|CLONE_CHILD_SETTID", child);
        return;
    }
    int status = 0;
    long waited = wait4((pid_t)child, &status, 0, NULL);   /* first: the child's lines come before ours */
    CHECK("fork with CLONE_PARENT_SETTID|CLONE_CHILD_SETTID", child);
    CHECK("wait4", waited);
    say("fork child exited 0: %d", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    say("fork: CLONE_PARENT_SETTID holds the child's pid: %d", parent_tid_word == child);
    say("fork: the parent's CLONE_CHILD_SETTID word untouched: %d", child_tid_word == 0);
}

int main(void)
{
    long pid = getpid();
    say("gettid of the only thread is the pid: %d", raw_gettid() == pid);
    CHECK("getpid", pid > 0 ? 0 : -1);
    CHECK("tgkill(pid, gettid, 0)", syscall(SYS_tgkill, pid, raw_gettid(), 0));
    CHECK("tkill(gettid, 0)", syscall(SYS_tkill, raw_gettid(), 0));
    CHECK("tkill(0, 0)", syscall(SYS_tkill, 0, 0));
    CHECK("tkill(-1, 0)", syscall(SYS_tkill, -1, 0));
    CHECK("tgkill(0, gettid, 0)", syscall(SYS_tgkill, 0, raw_gettid(), 0));
    CHECK("tgkill(pid, -5, 0)", syscall(SYS_tgkill, pid, -5, 0));
    CHECK("tgkill(pid, nobody's tid, 0)", syscall(SYS_tgkill, pid, 0x3FFFFFFF, 0));
    CHECK("tkill(nobody's tid, 0)", syscall(SYS_tkill, 0x3FFFFFFF, 0));
    CHECK("set_tid_address(NULL)", syscall(SYS_set_tid_address, NULL) == raw_gettid() ? 0 : -1);
    clone_thread_checks();
    pthread_checks();
    fork_checks();
    say("gettid of the main thread is still the pid: %d", raw_gettid() == getpid());
    say("end");
    return 0;
}
