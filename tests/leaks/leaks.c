/* leaks.c — a program that dies holding resources leaves none behind in the servers (issue 7, "Bad
 * input": no leaked fds, sockets or memory in the servers after a crash or a kill). It reads
 * /proc/biscuit/resources (posix's processes, descriptors and open files by kind, fs's open files,
 * net's open sockets) before anything, then, twice, forks a child that opens files, sockets, pipes, an
 * epoll and an eventfd and then dies — once killed by SIGKILL, once of its own null dereference
 * (SIGSEGV). While the child holds them the figures must have grown (the counters count); after
 * waitpid they must come back to the first reading (a server may finish its clean-up just after the
 * wait returns, so the program reads again for up to 5 s before it calls it a leak).
 * Biscuit only (Linux has no /proc/biscuit). Output: "leaks: ..." lines, then "leaks: end". */
#define _GNU_SOURCE
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void say(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *format, ...)
{
    char line[512];
    va_list a;
    va_start(a, format);
    int n = vsnprintf(line, sizeof line - 1, format, a);
    va_end(a);
    if (n < 0) return;
    if (n > (int)sizeof line - 2) n = sizeof line - 2;
    line[n++] = '\n';
    (void)!write(1, line, n);
}

static void read_resources(char *into, size_t size)
{
    int fd = open("/proc/biscuit/resources", O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, into, size - 1);
    if (fd >= 0) close(fd);
    into[n > 0 ? n : 0] = 0;
}

/* The value of the line "NAME value" in a reading, or -1. */
static long figure(const char *reading, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = reading; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (!strncmp(p, name, len) && p[len] == ' ') return strtol(p + len + 1, NULL, 10);
    return -1;
}

/* Opens what a busy program holds, tells the parent, then dies as `how` says. */
static void hold_and_die(int ready, int go, const char *how, int round)
{
    char path[64];
    for (int i = 0; i < 6; i++) {
        snprintf(path, sizeof path, "/tmp/leaks-%d-%d", round, i);
        (void)!open(path, O_CREAT | O_RDWR, 0644);
    }
    for (int i = 0; i < 4; i++) (void)!open("/etc/passwd", O_RDONLY);
    (void)!open("/etc", O_RDONLY | O_DIRECTORY);
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(7000 + round), .sin_addr.s_addr = htonl(INADDR_ANY) };
    if (bind(listener, (struct sockaddr *)&a, sizeof a) == 0) listen(listener, 8);
    int datagram = socket(AF_INET, SOCK_DGRAM, 0);
    a.sin_port = htons(7100 + round);
    (void)!bind(datagram, (struct sockaddr *)&a, sizeof a);
    (void)!socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int p[2];
    for (int i = 0; i < 2; i++) (void)!pipe(p);
    int ep = epoll_create1(0);
    struct epoll_event e = { .events = EPOLLIN, .data.fd = listener };
    epoll_ctl(ep, EPOLL_CTL_ADD, listener, &e);
    (void)!eventfd(0, 0);
    (void)!write(ready, "r", 1);
    char c;
    (void)!read(go, &c, 1);            /* the parent has read the figures (a killed child dies here) */
    if (!strcmp(how, "crash")) *(volatile int *)0 = 1;
    for (;;) pause();
}

static void one_death(const char *how, int round, const char *before)
{
    int sync[2], go[2];
    if (pipe(sync) != 0 || pipe(go) != 0) { say("leaks: %s: pipe failed", how); return; }
    pid_t child = fork();
    if (child == 0) { close(sync[0]); close(go[1]); hold_and_die(sync[1], go[0], how, round); }
    close(sync[1]);
    close(go[0]);
    char c, during[4096], after[4096];
    (void)!read(sync[0], &c, 1);
    read_resources(during, sizeof during);
    say("leaks: %s: while the child holds them: posix fs_files +%ld, sockets +%ld, pipes +%ld; fs open_files +%ld; net sockets_open +%ld",
        how, figure(during, "posix fs_files") - figure(before, "posix fs_files"),
        figure(during, "posix sockets") - figure(before, "posix sockets"),
        figure(during, "posix pipes") - figure(before, "posix pipes") - 4,   /* the sync and go pipes' ends */
        figure(during, "fs open_files") - figure(before, "fs open_files"),
        figure(during, "net sockets_open") - figure(before, "net sockets_open"));
    if (!strcmp(how, "kill")) kill(child, SIGKILL);
    else (void)!write(go[1], "g", 1);
    int status = 0;
    waitpid(child, &status, 0);
    close(sync[0]);
    close(go[1]);
    say("leaks: %s: the child died of signal %d", how, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    int tries = 0;
    for (; tries < 50; tries++) {
        read_resources(after, sizeof after);
        if (!strcmp(after, before)) break;
        struct timespec t = { 0, 100 * 1000 * 1000 };
        nanosleep(&t, NULL);
    }
    if (!strcmp(after, before)) say("leaks: %s: afterwards every figure is as before: none leaked", how);
    else say("leaks: %s: LEAK: before\n%safter\n%s", how, before, after);
}

int main(void)
{
    char before[4096];
    read_resources(before, sizeof before);
    if (!before[0]) { say("leaks: /proc/biscuit/resources cannot be read"); return 1; }
    (void)!write(1, before, strlen(before));
    one_death("kill", 1, before);
    one_death("crash", 2, before);
    char path[64];
    for (int round = 1; round <= 2; round++)
        for (int i = 0; i < 6; i++) { snprintf(path, sizeof path, "/tmp/leaks-%d-%d", round, i); unlink(path); }
    say("leaks: end");
    return 0;
}
