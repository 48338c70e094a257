/* signals.c — signals between processes (signal(7), kill(2), sigsuspend(2), wait(2)): kill of a child
 * with a handler and without one, kill(0) reaching the caller's own group, kill of a process group,
 * SIGCHLD with si_code/si_status from a child's exit, sigsuspend waking on a signal sent by a child and
 * restoring the mask, a blocked signal delivered when unblocked, the default action of SIGPIPE, and
 * kill's errors. On Biscuit signals inside a process are the kernel's and between processes posix's
 * (it resolves pids and groups and posts with process_signal). Every wait for a signal is bounded by
 * the signal itself being sent before or by a child that exits, never by a sleep.
 * Output: check.h's lines. */
#define _GNU_SOURCE
#include "check.h"
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

const char *check_prefix = "signals";

static volatile sig_atomic_t got_usr1, got_usr2, got_chld, chld_code, chld_status, chld_from_child;
static volatile pid_t expected_child;

static void on_usr1(int s) { (void)s; got_usr1++; }
static void on_usr2(int s) { (void)s; got_usr2++; }
static void on_term_exit7(int s) { (void)s; _exit(7); }
static void on_chld(int s, siginfo_t *info, void *context)
{
    (void)s; (void)context;
    got_chld++;
    chld_code = info->si_code;
    chld_status = info->si_status;
    chld_from_child = info->si_pid == expected_child;
}

static void handle(int signal, void (*handler)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigaction(signal, &sa, NULL);
}

static void describe(const char *what, int status)
{
    if (WIFEXITED(status)) say("%s: exited with %d", what, WEXITSTATUS(status));
    else if (WIFSIGNALED(status)) say("%s: killed by signal %d", what, WTERMSIG(status));
    else say("%s: status %#x", what, status);
}

/* A child that tells the parent it is ready (one byte on `ready`), then waits in pause(). */
static pid_t waiting_child(void (*setup)(void))
{
    int p[2];
    (void)!pipe(p);
    pid_t child = fork();
    if (child == 0) {
        close(p[0]);
        if (setup) setup();
        (void)!write(p[1], "r", 1);
        for (;;) pause();
    }
    close(p[1]);
    char c;
    (void)!read(p[0], &c, 1);   /* the child is past its setup */
    close(p[0]);
    return child;
}

static void term_exits_7(void) { handle(SIGTERM, on_term_exit7); }

static void kill_children(void)
{
    int status;
    pid_t child = waiting_child(term_exits_7);
    CHECK("kill SIGTERM to a child with a handler", kill(child, SIGTERM));
    waitpid(child, &status, 0);
    describe("that child", status);

    child = waiting_child(NULL);
    CHECK("kill SIGTERM to a child without one", kill(child, SIGTERM));
    waitpid(child, &status, 0);
    describe("that child", status);

    child = waiting_child(NULL);
    CHECK("kill SIGKILL", kill(child, SIGKILL));
    waitpid(child, &status, 0);
    describe("that child", status);

    child = waiting_child(NULL);
    CHECK("setpgid of the child into a group of its own", setpgid(child, child));
    CHECK("kill of that process group", kill(-child, SIGTERM));
    waitpid(child, &status, 0);
    describe("the group's member", status);
}

static void child_exit_brings_sigchld(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_chld;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGCHLD, &sa, NULL);
    sigset_t chld, old;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, &old);
    pid_t child = fork();
    if (child == 0) _exit(3);
    expected_child = child;
    sigset_t wait_mask = old;
    sigdelset(&wait_mask, SIGCHLD);
    while (!got_chld) sigsuspend(&wait_mask);   /* SIGCHLD is blocked until here: no lost wake-up */
    say("SIGCHLD arrived once: %d, si_code CLD_EXITED: %d, si_status: %d, si_pid is the child: %d",
        got_chld == 1, chld_code == CLD_EXITED, (int)chld_status, (int)chld_from_child);
    int status;
    say("waitpid finds the child after the handler ran: %d", waitpid(child, &status, 0) == child);
    describe("the child", status);
    sigprocmask(SIG_SETMASK, &old, NULL);
    handle(SIGCHLD, SIG_DFL);
}

static void sigsuspend_woken_by_a_child(void)
{
    handle(SIGUSR1, on_usr1);
    sigset_t usr1, old, now;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, &old);
    pid_t child = fork();
    if (child == 0) { kill(getppid(), SIGUSR1); _exit(0); }
    sigset_t wait_mask = old;
    sigdelset(&wait_mask, SIGUSR1);
    got_usr1 = 0;
    CHECK("sigsuspend until the child's SIGUSR1", sigsuspend(&wait_mask));
    say("the handler ran: %d", (int)got_usr1);
    sigprocmask(SIG_BLOCK, NULL, &now);
    say("after sigsuspend SIGUSR1 is blocked again: %d", sigismember(&now, SIGUSR1));
    int status;
    waitpid(child, &status, 0);
    describe("the signalling child", status);
    sigprocmask(SIG_SETMASK, &old, NULL);
}

static void blocked_then_unblocked(void)
{
    handle(SIGUSR2, on_usr2);
    sigset_t usr2, old;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    sigprocmask(SIG_BLOCK, &usr2, &old);
    got_usr2 = 0;
    CHECK("kill(0, SIGUSR2): the caller's own group, the caller included", kill(0, SIGUSR2));
    say("blocked: the handler has not run: %d", got_usr2 == 0);
    sigprocmask(SIG_SETMASK, &old, NULL);
    say("unblocked: it ran once: %d", (int)got_usr2);
    got_usr2 = 0;
    CHECK("kill of its own pid", kill(getpid(), SIGUSR2));
    say("its handler ran before kill returned: %d", (int)got_usr2);
}

static void broken_pipe(void)
{
    int p[2], status;
    (void)!pipe(p);
    close(p[0]);
    pid_t child = fork();
    if (child == 0) {
        handle(SIGPIPE, SIG_DFL);   /* whoever started us may ignore SIGPIPE (the .NET test host does) */
        (void)!write(p[1], "x", 1);
        _exit(0);
    }
    waitpid(child, &status, 0);
    describe("a child writing to a pipe nobody reads (SIGPIPE's default action)", status);
    close(p[1]);
}

static void errors(void)
{
    CHECK("kill with signal 0 of itself", kill(getpid(), 0));
    CHECK("kill of a pid that does not exist", kill(999999, SIGTERM));
    CHECK("kill with signal 65", kill(getpid(), 65));
    CHECK("kill of a process group that does not exist", kill(-999999, SIGTERM));
    pid_t child = fork();
    if (child == 0) _exit(0);
    int status;
    waitpid(child, &status, 0);
    CHECK("kill of a reaped child", kill(child, SIGTERM));
}

int main(void)
{
    /* The checks run in a child in a process group of its own, so that kill(0) reaches it and its
     * children only, not whatever started this program (and a session leader — posix's first
     * program is one — could not change its own group: setpgid's EPERM). */
    pid_t worker = fork();
    if (worker == 0) {
        CHECK("setpgid into a process group of its own", setpgid(0, 0));
        kill_children();
        child_exit_brings_sigchld();
        sigsuspend_woken_by_a_child();
        blocked_then_unblocked();
        broken_pipe();
        errors();
        _exit(0);
    }
    int status;
    waitpid(worker, &status, 0);
    describe("the worker", status);
    say("end");
    return 0;
}
