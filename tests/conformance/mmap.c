/* mmap.c — file mappings (POSIX.1-2017 mmap, msync, munmap; Linux mmap(2) ERRORS): a MAP_SHARED
 * mapping sees a write(2) another process makes, a store through it is read back by read(2) and stays
 * in the file after msync and munmap, a MAP_PRIVATE mapping keeps its own copy once it stores, two
 * MAP_SHARED mappings in parent and child (one inherited by fork, one made by the child) see each
 * other's stores, ftruncate zeroes the mapped bytes past the new end, a write that extends the file
 * inside a mapped page is seen; EINVAL, EACCES, ENODEV, EBADF. Pages past the end of the file are
 * not touched (Linux raises SIGBUS there, Biscuit SIGSEGV: tests/conformance/README.md).
 * Works in the fresh directory argv[1] (default /tmp/conformance-mmap). Output: check.h's lines. */
#define _GNU_SOURCE
#include "check.h"
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

const char *check_prefix = "mmap";
static char dir[256], path[300];

#define PAGE 4096
#define FILE_SIZE (PAGE + 10)

static void say_bytes(const char *what, const char *bytes, int n)
{
    char shown[64];
    for (int i = 0; i < n && i < 63; i++) shown[i] = bytes[i] >= 32 && bytes[i] < 127 ? bytes[i] : '.';
    shown[n < 63 ? n : 63] = 0;
    say("%s: %s", what, shown);
}

static void say_read(const char *what, int fd, int n, off_t offset)
{
    char buffer[64] = { 0 };
    long got = pread(fd, buffer, n, offset);
    if (got < 0) say("%s: %s", what, outcome(got));
    else say_bytes(what, buffer, (int)got);
}

static int child_status(pid_t child)
{
    int status = 0;
    waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void shared_sees_writes_and_stores(int fd)
{
    char *m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    say("mmap MAP_SHARED of a file: %s", m == MAP_FAILED ? outcome(-1) : "ok");
    if (m == MAP_FAILED) return;
    say_bytes("the mapping shows the file", m, 8);

    pid_t child = fork();
    if (child == 0) {
        int own = open(path, O_RDWR);
        _exit(own >= 0 && pwrite(own, "child", 5, 0) == 5 ? 0 : 1);
    }
    say("the writer child exited with %d", child_status(child));
    say_bytes("the mapping sees the child's write()", m, 8);

    memcpy(m + 100, "STORE", 5);
    say_read("read() sees a store through the mapping", fd, 5, 100);
    CHECK("msync MS_SYNC", msync(m, 2 * PAGE, MS_SYNC));
    int again = open(path, O_RDONLY);
    say_read("a new descriptor reads the store after msync", again, 5, 100);
    close(again);

    CHECK("pwrite that extends the file inside the mapped page", pwrite(fd, "EXT", 3, PAGE + 100));
    say_bytes("the mapping sees the extension", m + PAGE + 100, 3);
    say_bytes("and zeroes between the old end and it", m + PAGE + 10, 4);
    struct stat st;
    fstat(fd, &st);
    say("the size counts the write, not the stores: %ld", (long)st.st_size);

    CHECK("ftruncate to 50 bytes", ftruncate(fd, 50));
    say("the mapped byte 60 reads %d", m[60]);
    CHECK("ftruncate back to the size", ftruncate(fd, FILE_SIZE));
    say_read("read() of byte 100 after shrinking and growing", fd, 1, 100);
    memcpy(m + 100, "AGAIN", 5);
    CHECK("munmap", munmap(m, 2 * PAGE));
    say_read("after munmap the file has the store", fd, 5, 100);
}

static void private_keeps_its_copy(int fd)
{
    char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    say("mmap MAP_PRIVATE: %s", p == MAP_FAILED ? outcome(-1) : "ok");
    if (p == MAP_FAILED) return;
    p[0] = 'P';
    CHECK("pwrite after the private store", pwrite(fd, "WRITE", 5, 0));
    say_bytes("the private mapping keeps its copy", p, 5);
    say_read("the file has the write, not the private store", fd, 5, 0);
    CHECK("munmap of the private mapping", munmap(p, PAGE));
}

static void parent_and_child_share(int fd)
{
    char *m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) { say("mmap for fork: %s", outcome(-1)); return; }
    memcpy(m + 300, "mom", 3);
    pid_t child = fork();
    if (child == 0) {
        char *own = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (own == MAP_FAILED) _exit(2);
        if (memcmp(own + 300, "mom", 3) != 0 || memcmp(m + 300, "mom", 3) != 0) _exit(3);
        memcpy(own + 200, "kid", 3);     /* through its own mapping */
        memcpy(m + 400, "inh", 3);       /* through the one fork gave it */
        _exit(0);
    }
    say("the child saw the parent's store through both of its mappings: exit %d", child_status(child));
    say_bytes("the parent sees the child's store through its own mapping", m + 200, 3);
    say_bytes("and the one made through the inherited mapping", m + 400, 3);
    CHECK("munmap in the parent", munmap(m, PAGE));
    say_read("the file has both after the child exited and the parent unmapped", fd, 3, 200);
    say_read("  and", fd, 3, 400);
}

static void bad_input(int fd)
{
    int ro = open(path, O_RDONLY), wo = open(path, O_WRONLY), p[2];
    (void)!pipe(p);
    errno = 0;
    say("length 0: %s", outcome(mmap(NULL, 0, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED ? -1 : 0));
    say("an offset not page aligned: %s", outcome(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 100) == MAP_FAILED ? -1 : 0));
    say("MAP_SHARED|PROT_WRITE of an O_RDONLY descriptor: %s", outcome(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) == MAP_FAILED ? -1 : 0));
    say("MAP_SHARED of an O_WRONLY descriptor: %s", outcome(mmap(NULL, PAGE, PROT_WRITE, MAP_SHARED, wo, 0) == MAP_FAILED ? -1 : 0));
    say("MAP_SHARED of a pipe: %s", outcome(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, p[0], 0) == MAP_FAILED ? -1 : 0));
    say("a closed descriptor: %s", outcome(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, 999, 0) == MAP_FAILED ? -1 : 0));

    char *r = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, ro, 0);
    say("MAP_SHARED|PROT_READ of an O_RDONLY descriptor: %s", r == MAP_FAILED ? outcome(-1) : "ok");
    if (r != MAP_FAILED) {
        CHECK("mprotect PROT_WRITE of it", mprotect(r, PAGE, PROT_READ | PROT_WRITE));
        CHECK("msync with MS_SYNC|MS_ASYNC", msync(r, PAGE, MS_SYNC | MS_ASYNC));
        CHECK("msync of an address not page aligned", msync(r + 1, PAGE, MS_SYNC));
        CHECK("munmap of it", munmap(r, PAGE));
    }
    close(ro); close(wo); close(p[0]); close(p[1]);
}

int main(int argc, char **argv)
{
    snprintf(dir, sizeof dir, "%s", argc > 1 ? argv[1] : "/tmp/conformance-mmap");
    CHECK("mkdir of the work directory", mkdir(dir, 0755));
    snprintf(path, sizeof path, "%s/f", dir);
    int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
    char contents[FILE_SIZE];
    for (int i = 0; i < FILE_SIZE; i++) contents[i] = 'a' + i % 26;
    VALUE("write the file", write(fd, contents, FILE_SIZE));

    shared_sees_writes_and_stores(fd);
    private_keeps_its_copy(fd);
    parent_and_child_share(fd);
    bad_input(fd);

    close(fd);
    unlink(path);
    rmdir(dir);
    say("end");
    return 0;
}
