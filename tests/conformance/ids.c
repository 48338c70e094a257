/* ids.c — process ids and the descriptor limit, where the kernel and posix must agree: getpid(2) is
 * answered by the kernel with the pid posix gave (process_set_pid), which is the id fork(2) returned
 * to the parent and the name of /proc/self (proc(5)); setrlimit(2) RLIMIT_NOFILE, which the kernel
 * forwards to posix (the descriptors are posix's), bounds the descriptors open(2) creates (EMFILE
 * past it) and dup(2). Works in the fresh directory argv[1] (default /tmp/conformance-ids).
 * Output: check.h's lines. */
#define _GNU_SOURCE
#include "check.h"
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

const char *check_prefix = "ids";

static void process_ids(void)
{
    char self[32] = {0}, mine[32];
    VALUE("readlink /proc/self succeeds", readlink("/proc/self", self, sizeof self - 1) > 0);
    snprintf(mine, sizeof mine, "%d", (int)getpid());
    say("/proc/self names getpid(): %d", strcmp(self, mine) == 0);
    int p[2];
    pipe(p);
    pid_t child = fork();
    if (child == 0) {
        pid_t own = getpid();
        (void)!write(p[1], &own, sizeof own);
        _exit(0);
    }
    pid_t reported = -1;
    (void)!read(p[0], &reported, sizeof reported);
    waitpid(child, NULL, 0);
    say("the child's getpid() is what fork returned: %d", reported == child);
    close(p[0]); close(p[1]);
}

/* setsid(2): the caller becomes the leader of a new session and of a new process group, both named
 * by its pid; a group leader may not do it (EPERM). The child reports through its exit status. */
static void sessions(void)
{
    pid_t child = fork();
    if (child == 0) {
        int leader = setsid() == getpid();
        int session = getsid(0) == getpid();
        int group = getpgrp() == getpid();
        int again = setsid() == -1 && errno == EPERM;
        _exit(leader | session << 1 | group << 2 | again << 3);
    }
    int status = 0;
    waitpid(child, &status, 0);
    int bits = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
    say("setsid returns the caller's pid: %d", bits & 1);
    say("getsid(0) is then the caller's pid: %d", bits >> 1 & 1);
    say("getpgrp() is then the caller's pid: %d", bits >> 2 & 1);
    say("a second setsid (a group leader): EPERM %d", bits >> 3 & 1);
    say("getsid of a missing process: %s", outcome(getsid(0x3fffffff)));
}

static void descriptor_limit(const char *file)
{
    struct rlimit limit = { 32, 32 };
    CHECK("setrlimit RLIMIT_NOFILE 32", setrlimit(RLIMIT_NOFILE, &limit));
    struct rlimit now;
    getrlimit(RLIMIT_NOFILE, &now);
    say("getrlimit RLIMIT_NOFILE: %ld %ld", (long)now.rlim_cur, (long)now.rlim_max);
    int highest = -1, fd;
    while ((fd = open(file, O_RDONLY)) >= 0) if (fd > highest) highest = fd;
    say("open until it fails: %s, highest fd %d", outcome(fd), highest);
    CHECK("dup at the limit", dup(0));
    for (int i = 3; i <= highest; i++) close(i);
    fd = open(file, O_RDONLY);
    say("an open after closing succeeds: %d", fd >= 0);
    close(fd);
}

int main(int argc, char **argv)
{
    char dir[256], file[300];
    snprintf(dir, sizeof dir, "%s", argc > 1 ? argv[1] : "/tmp/conformance-ids");
    snprintf(file, sizeof file, "%s/f", dir);
    CHECK("mkdir of the work directory", mkdir(dir, 0755));
    close(open(file, O_CREAT | O_WRONLY, 0644));
    process_ids();
    sessions();
    descriptor_limit(file);
    unlink(file);
    CHECK("rmdir of the work directory", rmdir(dir));
    say("end");
    return 0;
}
