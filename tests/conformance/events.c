/* events.c — descriptor and readiness conformance: pipes (POSIX.1-2017 pipe/read/write: end of
 * file, EAGAIN under O_NONBLOCK, EPIPE), dup/dup2/dup3 and fcntl's FD_CLOEXEC/O_NONBLOCK flags,
 * epoll(7) on pipes (level- vs edge-triggered, EPOLLONESHOT, EPOLLHUP/EPOLLERR on a closed end),
 * poll(2), select(2), readv/writev,
 * eventfd(2) counter and semaphore modes, identity calls and the stable fields of uname(2).
 * SIGPIPE is ignored first so a write to a closed pipe reports EPIPE instead of ending the program.
 * Output: check.h's lines. */
#define _GNU_SOURCE
#include "check.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>

const char *check_prefix = "events";

static void pipes(void)
{
    int p[2];
    CHECK("pipe", pipe(p));
    VALUE("write 3 bytes", write(p[1], "abc", 3));
    char buf[8] = {0};
    VALUE("read up to 8", read(p[0], buf, 8));
    say("bytes read: %s", buf);
    CHECK("O_NONBLOCK on the read end", fcntl(p[0], F_SETFL, O_NONBLOCK));
    CHECK("read of an empty non-blocking pipe", read(p[0], buf, 8));
    close(p[1]);
    VALUE("read after the write end closed (end of file)", read(p[0], buf, 8));
    close(p[0]);

    CHECK("pipe2 O_NONBLOCK", pipe2(p, O_NONBLOCK));
    static char chunk[4096];
    long total = 0, n;
    while ((n = write(p[1], chunk, sizeof chunk)) > 0) total += n;
    say("a full non-blocking pipe: %s, holds at least 4096: %d", outcome(n), total >= 4096);
    close(p[0]);
    CHECK("write with the read end closed", write(p[1], "x", 1));
    close(p[1]);
    CHECK("pipe2 with an unknown flag", pipe2(p, 0x40000000));
    CHECK("pipe into a bad pointer", syscall(SYS_pipe, (void *)8));
}

static void descriptors(void)
{
    int p[2];
    pipe(p);
    int copy = dup(p[1]);
    say("dup gives a new descriptor: %d", copy >= 0 && copy != p[1]);
    VALUE("FD_CLOEXEC of a dup", fcntl(copy, F_GETFD));
    int target = 100;
    say("dup2 returns its target: %d", dup2(p[1], target) == target);
    VALUE("FD_CLOEXEC after dup2", fcntl(target, F_GETFD));
    say("dup2 onto itself returns it: %d", dup2(p[1], p[1]) == p[1]);
    CHECK("dup3 onto itself", syscall(SYS_dup3, p[1], p[1], 0));
    say("dup3 O_CLOEXEC returns its target: %d", dup3(p[1], target, O_CLOEXEC) == target);
    VALUE("FD_CLOEXEC after dup3 O_CLOEXEC", fcntl(target, F_GETFD));
    CHECK("dup3 with a bad flag", syscall(SYS_dup3, p[1], 101, 0x1234));
    CHECK("dup2 of a bad fd", dup2(999, 102));
    CHECK("dup2 onto a negative fd", dup2(p[1], -1));
    CHECK("F_SETFD 0", fcntl(target, F_SETFD, 0));
    VALUE("FD_CLOEXEC after F_SETFD 0", fcntl(target, F_GETFD));
    int high = fcntl(p[1], F_DUPFD_CLOEXEC, 200);
    say("F_DUPFD_CLOEXEC 200 gives >= 200: %d", high >= 200);
    VALUE("its FD_CLOEXEC", fcntl(high, F_GETFD));
    VALUE("O_ACCMODE of the write end", fcntl(p[1], F_GETFL) & O_ACCMODE);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    say("O_NONBLOCK set on the read end: %d", (fcntl(p[0], F_GETFL) & O_NONBLOCK) != 0);
    CHECK("fcntl of a bad fd", fcntl(999, F_GETFD));
    CHECK("fcntl with an unknown command", fcntl(p[0], 9999));
    int piped[2];
    CHECK("pipe2 O_CLOEXEC", pipe2(piped, O_CLOEXEC));
    VALUE("FD_CLOEXEC of a pipe2 O_CLOEXEC end", fcntl(piped[0], F_GETFD));
    close(piped[0]); close(piped[1]);
    close(copy); close(target); close(high); close(p[0]); close(p[1]);
}

static int wait_events(int ep, struct epoll_event *out)
{
    int n = epoll_wait(ep, out, 4, 0);
    return n;
}

static void epoll_on_pipes(void)
{
    int p[2];
    pipe2(p, O_NONBLOCK);
    int level = epoll_create1(EPOLL_CLOEXEC);
    int edge = epoll_create1(0);
    VALUE("FD_CLOEXEC of epoll_create1(EPOLL_CLOEXEC)", fcntl(level, F_GETFD));
    struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.u64 = 7 };
    CHECK("EPOLL_CTL_ADD level-triggered", epoll_ctl(level, EPOLL_CTL_ADD, p[0], &ev));
    CHECK("EPOLL_CTL_ADD twice", epoll_ctl(level, EPOLL_CTL_ADD, p[0], &ev));
    ev.events = EPOLLIN | EPOLLET;
    CHECK("EPOLL_CTL_ADD edge-triggered", epoll_ctl(edge, EPOLL_CTL_ADD, p[0], &ev));
    struct epoll_event out[4];
    VALUE("level: nothing to read", wait_events(level, out));
    write(p[1], "ab", 2);
    int n = wait_events(level, out);
    say("level: after a write: %d event(s), events %#x, data %llu", n, n > 0 ? out[0].events : 0, n > 0 ? (unsigned long long)out[0].data.u64 : 0ULL);
    VALUE("level: again without reading", wait_events(level, out));
    VALUE("edge: after the write", wait_events(edge, out));
    VALUE("edge: again without reading", wait_events(edge, out));
    write(p[1], "c", 1);
    VALUE("edge: after a second write", wait_events(edge, out));
    char buf[8];
    read(p[0], buf, sizeof buf);
    VALUE("level: after draining", wait_events(level, out));
    close(p[1]);
    n = wait_events(level, out);
    say("level: write end closed: %d event(s), events %#x", n, n > 0 ? out[0].events : 0);
    n = wait_events(edge, out);
    say("edge: write end closed: %d event(s), events %#x", n, n > 0 ? out[0].events : 0);
    CHECK("EPOLL_CTL_DEL", epoll_ctl(level, EPOLL_CTL_DEL, p[0], NULL));
    CHECK("EPOLL_CTL_DEL again", epoll_ctl(level, EPOLL_CTL_DEL, p[0], NULL));
    CHECK("EPOLL_CTL_MOD of an unwatched fd", epoll_ctl(level, EPOLL_CTL_MOD, p[0], &ev));
    CHECK("epoll_ctl on a non-epoll fd", epoll_ctl(p[0], EPOLL_CTL_ADD, p[0], &ev));
    CHECK("epoll watching itself", epoll_ctl(level, EPOLL_CTL_ADD, level, &ev));
    CHECK("epoll_wait with maxevents 0", epoll_wait(level, out, 0, 0));
    CHECK("epoll_create1 with a bad flag", epoll_create1(0x1234));
    close(p[0]);

    int q[2];
    pipe2(q, O_NONBLOCK);
    ev.events = EPOLLOUT;
    epoll_ctl(edge, EPOLL_CTL_ADD, q[1], &ev);
    n = wait_events(edge, out);
    say("write end: %d event(s), events %#x", n, n > 0 ? out[0].events : 0);
    close(q[0]);
    n = wait_events(edge, out);
    say("write end after the reader closed: %d event(s), events %#x", n, n > 0 ? out[0].events : 0);
    close(q[1]); close(level); close(edge);
}

static void polling(void)
{
    int p[2];
    pipe(p);
    struct pollfd fds[3] = { { p[0], POLLIN, 0 }, { p[1], POLLOUT, 0 }, { 999, POLLIN, 0 } };
    VALUE("poll: ready descriptors", poll(fds, 3, 0));
    say("poll revents: %#x %#x %#x", fds[0].revents, fds[1].revents, fds[2].revents);
    write(p[1], "z", 1);
    VALUE("poll after a write", poll(fds, 1, 0));
    say("poll revents of the read end: %#x", fds[0].revents);
    close(p[1]);
    poll(fds, 1, 0);
    say("poll revents with the write end closed: %#x", fds[0].revents);
    struct pollfd negative = { -1, POLLIN, 0x55 };
    VALUE("poll ignores a negative fd", poll(&negative, 1, 0));
    say("its revents: %#x", negative.revents);
    CHECK("poll with a bad array", poll((struct pollfd *)8, 1, 0));
    close(p[0]);
}

static void event_counters(void)
{
    int fd = eventfd(3, EFD_NONBLOCK);
    uint64_t v = 0;
    VALUE("eventfd read size", read(fd, &v, 8));
    say("eventfd value: %llu", (unsigned long long)v);
    CHECK("eventfd read when zero", read(fd, &v, 8));
    v = 5; write(fd, &v, 8); v = 6; write(fd, &v, 8);
    read(fd, &v, 8);
    say("eventfd sums writes: %llu", (unsigned long long)v);
    CHECK("eventfd read into 4 bytes", read(fd, &v, 4));
    v = 0xffffffffffffffffULL;
    CHECK("eventfd write of 2^64-1", write(fd, &v, 8));
    v = 0xfffffffffffffffeULL;
    CHECK("eventfd write of the maximum", write(fd, &v, 8));
    v = 1;
    CHECK("eventfd write past the maximum", write(fd, &v, 8));
    close(fd);
    fd = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
    read(fd, &v, 8);
    say("semaphore read: %llu", (unsigned long long)v);
    read(fd, &v, 8);
    say("semaphore read again: %llu", (unsigned long long)v);
    CHECK("semaphore read at zero", read(fd, &v, 8));
    close(fd);
    CHECK("eventfd with a bad flag", eventfd(0, 0x1234));
}

static void identity(void)
{
    say("getpid positive and stable: %d", getpid() > 0 && getpid() == getpid());
    say("getppid differs from getpid: %d", getppid() != getpid());
    say("uid equals euid, gid equals egid: %d %d", getuid() == geteuid(), getgid() == getegid());
    uid_t r, e, s;
    CHECK("getresuid", getresuid(&r, &e, &s));
    say("getresuid agrees with getuid: %d", r == getuid() && e == geteuid() && s == geteuid());
    CHECK("getresuid into a bad pointer", syscall(SYS_getresuid, (void *)8, (void *)8, (void *)8));
    say("getpgid(0) is getpgrp(): %d", getpgid(0) == getpgrp());
    CHECK("getpgid of a missing process", getpgid(0x3fffffff));
    /* getsid(0) is 0 when the session leader lives outside the caller's pid namespace (CI containers), so only success is checked here; ids.c checks a session the program made itself. */
    say("getsid(0) succeeds: %d", getsid(0) >= 0);
    struct utsname u;
    CHECK("uname", uname(&u));
    say("uname sysname %s machine %s", u.sysname, u.machine);
    CHECK("uname into a bad pointer", syscall(SYS_uname, (void *)8));
}


static void more_readiness(void)
{
    int p[2];
    pipe2(p, O_NONBLOCK);
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT, .data.u64 = 1 }, out[4];
    epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
    write(p[1], "a", 1);
    VALUE("oneshot: first wait", epoll_wait(ep, out, 4, 0));
    VALUE("oneshot: disarmed after one event", epoll_wait(ep, out, 4, 0));
    CHECK("oneshot: EPOLL_CTL_MOD re-arms", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
    VALUE("oneshot: after re-arming", epoll_wait(ep, out, 4, 0));
    ev.events = EPOLLIN | EPOLLET;
    epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev);
    char buf[8];
    read(p[0], buf, sizeof buf);
    CHECK("edge: drained to EAGAIN", read(p[0], buf, sizeof buf));
    write(p[1], "b", 1);
    VALUE("edge: a new write after EAGAIN is a new edge", epoll_wait(ep, out, 4, 0));
    VALUE("epoll_pwait with a null mask", epoll_pwait(ep, out, 4, 0, NULL));
    close(ep);

    fd_set readable, writable;
    FD_ZERO(&readable); FD_ZERO(&writable);
    FD_SET(p[0], &readable); FD_SET(p[1], &writable);
    struct timeval zero = { 0, 0 };
    VALUE("select: both ends ready", select(p[1] + 1, &readable, &writable, NULL, &zero));
    say("select: read end set %d, write end set %d", FD_ISSET(p[0], &readable) != 0, FD_ISSET(p[1], &writable) != 0);
    read(p[0], buf, sizeof buf);
    FD_ZERO(&readable); FD_SET(p[0], &readable);
    zero.tv_sec = 0; zero.tv_usec = 0;
    VALUE("select: an empty pipe", select(p[0] + 1, &readable, NULL, NULL, &zero));
    close(p[0]); close(p[1]);
    FD_ZERO(&readable); FD_SET(p[0], &readable);
    zero.tv_sec = 0; zero.tv_usec = 0;
    CHECK("select on a just-closed fd", select(p[0] + 1, &readable, NULL, NULL, &zero));

    int e = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    say("eventfd flags: O_NONBLOCK %d, FD_CLOEXEC %d", (fcntl(e, F_GETFL) & O_NONBLOCK) != 0, fcntl(e, F_GETFD));
    struct pollfd pfd = { e, POLLIN | POLLOUT, 0 };
    poll(&pfd, 1, 0);
    say("eventfd at zero: revents %#x", pfd.revents);
    uint64_t one = 1;
    write(e, &one, 8);
    poll(&pfd, 1, 0);
    say("eventfd at one: revents %#x", pfd.revents);
    close(e);

    struct iovec parts[3] = { { "ab", 2 }, { "", 0 }, { "cde", 3 } };
    pipe(p);
    VALUE("writev of 3 parts", writev(p[1], parts, 3));
    char x[2] = {0}, y[4] = {0};
    struct iovec into[2] = { { x, 1 }, { y, 3 } };
    VALUE("readv into 1 + 3 bytes", readv(p[0], into, 2));
    say("readv bytes: %s | %s", x, y);
    CHECK("writev with a negative length", writev(p[1], (struct iovec[]){ { "a", (size_t)-1 } }, 1));
    close(p[0]); close(p[1]);
}


/* Regular files are always ready: poll(2) reports POLLIN|POLLOUT, and epoll_ctl(2) refuses them
 * (EPERM: "the target file fd does not support epoll"). /dev/null is a regular case of the same. */
static void files_and_readiness(void)
{
    int fd = open("/dev/null", O_RDWR);
    struct pollfd pfd = { fd, POLLIN | POLLOUT, 0 };
    VALUE("poll on /dev/null", poll(&pfd, 1, 0));
    say("its revents: %#x", pfd.revents);
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN };
    CHECK("epoll_ctl ADD of /dev/null", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
    close(fd);
    fd = open("/proc/self/exe", O_RDONLY);
    pfd.fd = fd; pfd.events = POLLIN | POLLOUT; pfd.revents = 0;
    VALUE("poll on a regular file", poll(&pfd, 1, 0));
    say("its revents: %#x", pfd.revents);
    CHECK("epoll_ctl ADD of a regular file", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
    close(fd);
    int e = eventfd(9, 0);
    uint64_t big[2] = { 0, 0 };
    VALUE("eventfd read into 16 bytes", read(e, big, sizeof big));
    say("value %llu", (unsigned long long)big[0]);
    CHECK("eventfd write of 4 bytes", write(e, big, 4));
    close(e); close(ep);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    pipes();
    descriptors();
    epoll_on_pipes();
    polling();
    event_counters();
    more_readiness();
    files_and_readiness();
    identity();
    say("end");
    return 0;
}
