/* fdpass.c — SCM_RIGHTS over AF_UNIX socketpairs (unix(7), cmsg(3)): open file descriptions passed
 * with sendmsg arrive with recvmsg as new descriptors of the same descriptions; a pipe passed to a
 * forked child carries the child's bytes back; a socketpair end is passed and used; descriptions in
 * flight count as open and are released when the receiving end closes unread; MSG_CMSG_CLOEXEC;
 * MSG_CTRUNC when the control buffer or RLIMIT_NOFILE leaves no room (the rest closed); the
 * descriptions arrive with the first byte of their write and a read that takes them stops at that
 * write's end. Bad input: a cmsg_len too short or past the buffer (EINVAL), a descriptor that is not
 * open (EBADF) — nothing is sent.
 * Output: check.h's lines; descriptor numbers are never printed. */
#define _GNU_SOURCE
#include "check.h"
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

const char *check_prefix = "fdpass";

#define MAX_PASSED 200

/* sendmsg of `text` with an SCM_RIGHTS message of `count` descriptors; `cmsg_len` overrides the
 * header's length when not 0. */
static long send_fds(int socket, const char *text, const int *fds, int count, size_t cmsg_len)
{
    static union { char bytes[CMSG_SPACE(sizeof(int) * MAX_PASSED)]; struct cmsghdr align; } control;
    struct iovec v = { (void *)text, strlen(text) };
    struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1, .msg_control = control.bytes, .msg_controllen = CMSG_SPACE(sizeof(int) * count) };
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = cmsg_len ? cmsg_len : CMSG_LEN(sizeof(int) * count);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * count);
    return sendmsg(socket, &m, 0);
}

/* recvmsg into `text` (up to 63 bytes) with `room` bytes of control; the descriptors received go to
 * `fds` and their count is answered through `count`. */
static long receive_fds(int socket, char *text, size_t room, int flags, int *fds, int *count, struct msghdr *out)
{
    static union { char bytes[CMSG_SPACE(sizeof(int) * 8)]; struct cmsghdr align; } control;
    static struct iovec v;
    v.iov_base = text; v.iov_len = 63;
    memset(out, 0, sizeof *out);
    out->msg_iov = &v; out->msg_iovlen = 1;
    out->msg_control = room ? control.bytes : NULL; out->msg_controllen = room;
    long n = recvmsg(socket, out, flags);
    text[n > 0 ? n : 0] = 0;
    *count = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(out); c; c = CMSG_NXTHDR(out, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
            for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) memcpy(&fds[(*count)++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
    return n;
}

static void say_received(const char *what, long n, const char *text, int count, const struct msghdr *m)
{
    say("%s: %ld bytes \"%s\", %d fds, msg_controllen %zu, MSG_CTRUNC %d", what, n, text, count,
        (size_t)m->msg_controllen, (m->msg_flags & MSG_CTRUNC) != 0);
}

/* Whether nothing is queued on `socket` (recv MSG_DONTWAIT answers EAGAIN). */
static void say_nothing_sent(const char *what, int socket)
{
    char byte;
    CHECK(what, recv(socket, &byte, 1, MSG_DONTWAIT));
}

static long read_all(int fd, char *buffer, long size)
{
    long total = 0, n;
    while (total < size - 1 && (n = read(fd, buffer + total, size - 1 - total)) > 0) total += n;
    buffer[total] = 0;
    return total;
}

static void pipe_to_a_child(void)
{
    int s[2], p[2], fds[8], count, status;
    char text[64];
    struct msghdr m;
    CHECK("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, s));
    pid_t child = fork();
    if (child == 0) {
        close(s[0]);
        long n = receive_fds(s[1], text, CMSG_SPACE(sizeof(int)), 0, fds, &count, &m);
        if (n != 4 || count != 1) _exit(1);
        const char *greeting = "hello through the passed pipe";
        _exit(write(fds[0], greeting, strlen(greeting)) == (long)strlen(greeting) ? 0 : 2);
    }
    close(s[1]);
    CHECK("pipe", pipe(p));
    say("sendmsg of the pipe's write end to the child: %ld", send_fds(s[0], "pipe", &p[1], 1, 0));
    CHECK("close the sender's write end", close(p[1]));
    say("the parent reads what the child wrote: \"%s\"", (read_all(p[0], text, sizeof text), text));
    waitpid(child, &status, 0);
    say("the child exited with %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    close(p[0]);
    close(s[0]);
}

static void in_one_process(void)
{
    int s[2], p[2], q[2], fds[8], count;
    char text[64];
    struct msghdr m;
    socketpair(AF_UNIX, SOCK_STREAM, 0, s);
    pipe(p);

    send_fds(s[0], "a", &p[1], 1, 0);
    long n = receive_fds(s[1], text, CMSG_SPACE(sizeof(int)), 0, fds, &count, &m);
    say_received("one fd, room for one", n, text, count, &m);
    say("FD_CLOEXEC without MSG_CMSG_CLOEXEC: %d", fcntl(fds[0], F_GETFD));
    say("write through the received fd: %ld", write(fds[0], "xyz", 3));
    say("read from the pipe: %ld", read(p[0], text, sizeof text));
    close(fds[0]);

    send_fds(s[0], "b", &p[1], 1, 0);
    n = receive_fds(s[1], text, CMSG_SPACE(sizeof(int)), MSG_CMSG_CLOEXEC, fds, &count, &m);
    say_received("MSG_CMSG_CLOEXEC", n, text, count, &m);
    say("FD_CLOEXEC with MSG_CMSG_CLOEXEC: %d", fcntl(fds[0], F_GETFD));
    close(fds[0]);

    /* Two fds, room for one: MSG_CTRUNC, and the second is closed (its pipe sees end of file). */
    pipe(q);
    int two[2] = { p[1], q[1] };
    send_fds(s[0], "cd", two, 2, 0);
    close(q[1]);
    n = receive_fds(s[1], text, CMSG_LEN(sizeof(int)), 0, fds, &count, &m);
    say_received("two fds, room for one", n, text, count, &m);
    say("the fd that did not fit was closed: read gives %ld", read(q[0], text, sizeof text));
    close(fds[0]);
    close(q[0]);

    send_fds(s[0], "e", &p[1], 1, 0);
    n = receive_fds(s[1], text, 0, 0, fds, &count, &m);
    say_received("no control buffer", n, text, count, &m);

    /* The fds come with the first byte of their write; the read that takes them ends with that write. */
    write(s[0], "ab", 2);
    send_fds(s[0], "cd", &p[1], 1, 0);
    write(s[0], "ef", 2);
    n = receive_fds(s[1], text, CMSG_SPACE(sizeof(int)), 0, fds, &count, &m);
    say_received("bytes before, with and after the fd", n, text, count, &m);
    if (count) close(fds[0]);
    n = receive_fds(s[1], text, CMSG_SPACE(sizeof(int)), 0, fds, &count, &m);
    say_received("what follows", n, text, count, &m);

    /* A socketpair end passed and used. */
    int t[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, t);
    send_fds(s[0], "s", &t[1], 1, 0);
    close(t[1]);
    n = receive_fds(s[1], text, CMSG_SPACE(sizeof(int)), 0, fds, &count, &m);
    say_received("a socket end", n, text, count, &m);
    say("write through the passed socket: %ld", write(fds[0], "ping", 4));
    say("the other end reads: %ld", read(t[0], text, sizeof text));
    close(fds[0]);
    close(t[0]);

    /* Bad input: nothing is sent. */
    errno = 0; say("cmsg_len below the header: %s", outcome(send_fds(s[0], "x", &p[1], 1, 8)));
    say_nothing_sent("nothing queued after it", s[1]);
    errno = 0; say("cmsg_len past the control buffer: %s", outcome(send_fds(s[0], "x", &p[1], 1, 64)));
    say_nothing_sent("nothing queued after it", s[1]);
    int bad[2] = { p[1], 999 };
    errno = 0; say("a descriptor that is not open: %s", outcome(send_fds(s[0], "x", bad, 2, 0)));
    say_nothing_sent("nothing queued after it", s[1]);
    static int many[MAX_PASSED];
    for (int i = 0; i < MAX_PASSED; i++) many[i] = p[1];
    /* (SCM_MAX_FD, 253, is not checked here: the host's Linux refuses control buffers above 1 KiB
     * with ENOMEM before counting; tests/Biscuit.Posix.Tests checks Biscuit's EINVAL.) */
    errno = 0; say("200 descriptors: %s", outcome(send_fds(s[0], "x", many, 200, 0)));
    n = receive_fds(s[1], text, CMSG_SPACE(sizeof(int) * 8), 0, fds, &count, &m);
    say_received("200 fds, room for 8", n, text, count, &m);
    for (int i = 0; i < count; i++) close(fds[i]);

    /* RLIMIT_NOFILE leaves room for two of three: MSG_CTRUNC. */
    int free_fd = dup(0);
    close(free_fd);
    close(free_fd + 1);
    struct rlimit old, low;
    getrlimit(RLIMIT_NOFILE, &old);
    low = old;
    low.rlim_cur = free_fd + 2;
    int three[3] = { p[1], p[1], p[1] };
    send_fds(s[0], "r", three, 3, 0);
    CHECK("setrlimit RLIMIT_NOFILE to two free descriptors", setrlimit(RLIMIT_NOFILE, &low));
    n = receive_fds(s[1], text, CMSG_SPACE(sizeof(int) * 8), 0, fds, &count, &m);
    setrlimit(RLIMIT_NOFILE, &old);
    say_received("three fds, two free descriptors", n, text, count, &m);
    for (int i = 0; i < count; i++) close(fds[i]);

    /* In flight counts as open; the receiving end closed unread releases them. */
    send_fds(s[0], "f", &p[1], 1, 0);
    close(p[1]);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    CHECK("read the pipe while its write end is in flight", read(p[0], text, sizeof text));
    fcntl(p[0], F_SETFL, 0);
    CHECK("close the receiving end with the fd unread", close(s[1]));
    say("then the pipe reads end of file: %ld", read(p[0], text, sizeof text));
    close(p[0]);
    close(s[0]);
}

int main(void)
{
    pipe_to_a_child();
    in_one_process();
    say("end");
    return 0;
}
