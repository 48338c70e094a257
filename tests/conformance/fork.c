/* fork.c — process conformance: fork(2) and wait4(2) exit statuses (POSIX.1-2017 wait: WIFEXITED,
 * WEXITSTATUS, WIFSIGNALED, WTERMSIG), ECHILD with no children, WNOHANG on a running child, a pipe
 * shared across fork, descriptors inherited, and a parent blocked in read/poll/epoll_wait woken by
 * its child, and execve closing FD_CLOEXEC descriptors only. Kept apart from the other programs: fork on Biscuit is
 * served by posix over the kernel's process_fork. Output: check.h's lines. */
#define _GNU_SOURCE
#include "check.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>

const char *check_prefix = "fork";

static void describe(const char *what, int status)
{
    if (WIFEXITED(status)) say("%s: exited with %d", what, WEXITSTATUS(status));
    else if (WIFSIGNALED(status)) say("%s: killed by signal %d", what, WTERMSIG(status));
    else say("%s: status %#x", what, status);
}


/* A parent blocked in read, poll or epoll_wait is woken by what a child does to a shared pipe. */
static void blocking_wakeups(void)
{
    int p[2], status;
    pipe(p);
    pid_t child = fork();
    if (child == 0) { close(p[0]); (void)!write(p[1], "w", 1); _exit(0); }
    close(p[1]);
    char c = 0;
    long got = read(p[0], &c, 1);
    say("blocking read woken by the child's write: %ld byte(s) '%c'", got, c);
    VALUE("then end of file once the child exited", read(p[0], &c, 1));
    close(p[0]);
    wait4(child, &status, 0, NULL);

    pipe(p);
    child = fork();
    if (child == 0) { close(p[0]); (void)!write(p[1], "p", 1); _exit(0); }
    close(p[1]);
    struct pollfd pfd = { p[0], POLLIN, 0 };
    VALUE("poll with no timeout woken by the child", poll(&pfd, 1, -1));
    say("its revents include POLLIN: %d", (pfd.revents & POLLIN) != 0);
    wait4(child, &status, 0, NULL);
    close(p[0]);

    pipe(p);
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 9 }, out[2];
    epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
    child = fork();
    if (child == 0) { close(p[0]); close(p[1]); _exit(0); }
    close(p[1]);
    int n = epoll_wait(ep, out, 2, -1);
    say("epoll_wait with no timeout woken when the last writer exits: %d event(s), EPOLLHUP %d", n, n > 0 && (out[0].events & EPOLLHUP) != 0);
    wait4(child, &status, 0, NULL);
    close(p[0]); close(ep);
}


/* execve(2): descriptors with FD_CLOEXEC are closed in the new image, the others stay open;
 * argv arrives intact. The new image is this program again (/proc/self/exe) with argv[1] "probe". */
static void exec_keeps_only_descriptors_without_cloexec(void)
{
    int p[2], status;
    pipe(p);
    dup2(p[0], 40);
    dup3(p[1], 41, O_CLOEXEC);
    pid_t child = fork();
    if (child == 0) {
        char *args[] = { "fork", "probe", "second argument", NULL };
        char *env[] = { "CONFORMANCE=1", NULL };
        execve("/proc/self/exe", args, env);
        say("execve failed: %s", outcome(-1));
        _exit(99);
    }
    wait4(child, &status, 0, NULL);
    describe("the exec'd probe", status);
    CHECK("execve of a missing file", execve("/no/such/program", (char *[]){ "x", NULL }, (char *[]){ NULL }));
    CHECK("execve of a directory", execve("/", (char *[]){ "x", NULL }, (char *[]){ NULL }));
    close(40); close(41); close(p[0]); close(p[1]);
}

static int probe(int argc, char **argv)
{
    say("probe: argc %d, argv[2] '%s', CONFORMANCE=%s", argc, argv[2], getenv("CONFORMANCE") ? getenv("CONFORMANCE") : "(unset)");
    VALUE("probe: fd 40 without FD_CLOEXEC is open, flags", fcntl(40, F_GETFD));
    CHECK("probe: fd 41 with FD_CLOEXEC is closed", fcntl(41, F_GETFD));
    return 5;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "probe") == 0) return probe(argc, argv);
    int status = 0;
    CHECK("wait4 with no children", wait4(-1, &status, 0, NULL));

    int codes[] = { 0, 1, 42, 255 };
    for (int i = 0; i < 4; i++) {
        pid_t child = fork();
        if (child == 0) _exit(codes[i]);
        say("fork returned a pid: %d", child > 0);
        pid_t reaped = wait4(child, &status, 0, NULL);
        say("wait4 returned that pid: %d", reaped == child);
        char what[64];
        snprintf(what, sizeof what, "child exiting with %d", codes[i]);
        describe(what, status);
    }

    pid_t child = fork();
    if (child == 0) { raise(SIGKILL); _exit(3); }
    wait4(child, &status, 0, NULL);
    describe("child sending itself SIGKILL", status);

    child = fork();
    if (child == 0) { *(volatile int *)8 = 1; _exit(3); }
    wait4(child, &status, 0, NULL);
    describe("child writing to address 8", status);

    int p[2];
    pipe(p);
    child = fork();
    if (child == 0) {
        close(p[0]);
        (void)!write(p[1], "from the child", 14);
        _exit(0);
    }
    close(p[1]);
    char buf[32] = {0};
    long got = 0, n;
    while ((n = read(p[0], buf + got, sizeof buf - 1 - got)) > 0) got += n;
    say("parent read through the inherited pipe: %s, then end of file: %ld", buf, n);
    close(p[0]);
    wait4(child, &status, 0, NULL);
    describe("pipe writer", status);

    int go[2];
    pipe(go);
    child = fork();
    if (child == 0) { char c; close(go[1]); (void)!read(go[0], &c, 1); _exit(7); }
    close(go[0]);
    say("WNOHANG on a child still running: %ld", (long)wait4(child, &status, WNOHANG, NULL));
    close(go[1]);
    say("then wait4 returns the child: %d", wait4(child, &status, 0, NULL) == child);
    describe("released child", status);

    int value = 1;
    child = fork();
    if (child == 0) { value = 2; _exit(value == 2 ? 0 : 1); }
    wait4(child, &status, 0, NULL);
    say("the child's write stays its own: parent sees %d, child exited %d", value, WEXITSTATUS(status));

    blocking_wakeups();
    exec_keeps_only_descriptors_without_cloexec();

    CHECK("wait4 of a pid that is not a child", wait4(1, &status, 0, NULL));
    CHECK("wait4 with unknown options", wait4(-1, &status, 0x1000, NULL));
    CHECK("wait4 after every child was reaped", wait4(-1, &status, 0, NULL));
    say("end");
    return 0;
}
