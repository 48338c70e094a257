/* files.c — file I/O conformance (POSIX.1-2017 open/read/write/lseek/pread/pwrite/ftruncate/rename/
 * unlink/link/symlink/readlink/chdir/openat; Linux getdents64(2), /dev/null and /dev/zero). Works in the fresh directory argv[1] (created here, must not exist;
 * default /tmp/conformance-files) and removes everything it made. Output: check.h's lines. */
#define _GNU_SOURCE
#include "check.h"
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>

const char *check_prefix = "files";
static char dir[256];

static const char *at(const char *name)
{
    static char paths[4][320];
    static int next;
    char *p = paths[next++ % 4];
    snprintf(p, 320, "%s/%s", dir, name);
    return p;
}

static void exclusive_create(void)
{
    int fd = open(at("a"), O_CREAT | O_EXCL | O_WRONLY, 0644);
    say("O_CREAT|O_EXCL on a new name: %s", outcome(fd));
    CHECK("O_CREAT|O_EXCL on an existing name", open(at("a"), O_CREAT | O_EXCL | O_WRONLY, 0644));
    CHECK("write 5 bytes", write(fd, "hello", 5));
    close(fd);
    struct stat st;
    stat(at("a"), &st);
    say("size after write: %ld, mode %o, regular %d", (long)st.st_size, st.st_mode & 0777, S_ISREG(st.st_mode));
}

static void append(void)
{
    int fd = open(at("a"), O_WRONLY | O_APPEND);
    lseek(fd, 0, SEEK_SET);
    CHECK("O_APPEND write after lseek 0", write(fd, "XY", 2));
    VALUE("O_APPEND offset after write", lseek(fd, 0, SEEK_CUR));
    close(fd);
    char buf[16] = {0};
    fd = open(at("a"), O_RDONLY);
    VALUE("read back", read(fd, buf, sizeof buf));
    say("contents: %s", buf);
    CHECK("write to a read-only fd", write(fd, "z", 1));
    close(fd);
}

static void hole(void)
{
    int fd = open(at("hole"), O_CREAT | O_RDWR | O_TRUNC, 0600);
    VALUE("lseek 10000 past end", lseek(fd, 10000, SEEK_SET));
    CHECK("write after the hole", write(fd, "end", 3));
    struct stat st;
    fstat(fd, &st);
    say("size with hole: %ld", (long)st.st_size);
    static char buf[10003];
    memset(buf, 'x', sizeof buf);
    VALUE("pread whole file", pread(fd, buf, sizeof buf, 0));
    int zeros = 0;
    for (int i = 0; i < 10000; i++) zeros += buf[i] == 0;
    say("hole bytes reading zero: %d, tail %.3s", zeros, buf + 10000);
    VALUE("read at end of file", read(fd, buf, 10));
    CHECK("lseek to a negative offset", lseek(fd, -1, SEEK_SET));
    CHECK("lseek with a bad whence", lseek(fd, 0, 42));
    close(fd);
}

static void positional(void)
{
    int fd = open(at("p"), O_CREAT | O_RDWR | O_TRUNC, 0600);
    write(fd, "0123456789", 10);
    VALUE("pwrite at 3", pwrite(fd, "abc", 3, 3));
    VALUE("offset unchanged by pwrite", lseek(fd, 0, SEEK_CUR));
    char buf[11] = {0};
    VALUE("pread 4 at 2", pread(fd, buf, 4, 2));
    say("pread bytes: %s", buf);
    VALUE("pread past end", pread(fd, buf, 4, 100));
    CHECK("pread at a negative offset", pread(fd, buf, 4, -5));
    int pipefd[2];
    pipe(pipefd);
    CHECK("pread on a pipe", pread(pipefd[0], buf, 1, 0));
    CHECK("lseek on a pipe", lseek(pipefd[0], 0, SEEK_SET));
    close(pipefd[0]); close(pipefd[1]);

    CHECK("ftruncate to 4", ftruncate(fd, 4));
    memset(buf, 0, sizeof buf);
    VALUE("pread after shrink", pread(fd, buf, 10, 0));
    say("bytes after shrink: %s", buf);
    CHECK("ftruncate to 8", ftruncate(fd, 8));
    memset(buf, 'x', sizeof buf);
    VALUE("pread after grow", pread(fd, buf, 10, 0));
    say("grown bytes 4..7 zero: %d", buf[4] == 0 && buf[5] == 0 && buf[6] == 0 && buf[7] == 0);
    CHECK("ftruncate to a negative length", ftruncate(fd, -1));
    close(fd);
    fd = open(at("p"), O_RDONLY);
    CHECK("ftruncate on a read-only fd", ftruncate(fd, 0));
    close(fd);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void directory_listing(void)
{
    CHECK("mkdir d", mkdir(at("d"), 0755));
    CHECK("mkdir d again", mkdir(at("d"), 0755));
    const char *names[] = { "d/zeta", "d/alpha", "d/mid" };
    for (int i = 0; i < 3; i++) close(open(at(names[i]), O_CREAT | O_WRONLY, 0644));
    int fd = open(at("d"), O_RDONLY | O_DIRECTORY);
    static char buf[4096];
    char *found[16];
    int count = 0;
    long n;
    while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0)
        for (long off = 0; off < n;) {
            struct dirent64 *e = (struct dirent64 *)(buf + off);
            if (count < 16) found[count++] = strdup(e->d_name);
            off += e->d_reclen;
        }
    say("getdents64 end: %s", outcome(n));
    qsort(found, count, sizeof found[0], by_name);
    char line[256] = "";
    for (int i = 0; i < count; i++) { strcat(line, found[i]); strcat(line, " "); free(found[i]); }
    say("getdents64 sorted: %s", line);
    CHECK("getdents64 on a regular file", syscall(SYS_getdents64, open(at("a"), O_RDONLY), buf, sizeof buf));
    CHECK("getdents64 on a bad fd", syscall(SYS_getdents64, 999, buf, sizeof buf));
    close(fd);
    CHECK("rmdir of a non-empty directory", rmdir(at("d")));
    for (int i = 0; i < 3; i++) unlink(at(names[i]));
    CHECK("rmdir of the emptied directory", rmdir(at("d")));
}

static void rename_and_unlink(void)
{
    int fd = open(at("old"), O_CREAT | O_WRONLY | O_TRUNC, 0644);
    write(fd, "new contents", 12); close(fd);
    fd = open(at("target"), O_CREAT | O_WRONLY | O_TRUNC, 0644);
    write(fd, "stale", 5); close(fd);
    CHECK("rename over an existing file", rename(at("old"), at("target")));
    CHECK("the old name is gone", access(at("old"), F_OK));
    char buf[32] = {0};
    fd = open(at("target"), O_RDONLY);
    read(fd, buf, sizeof buf - 1); close(fd);
    say("target now holds: %s", buf);
    CHECK("rename of a missing file", rename(at("missing"), at("x")));

    fd = open(at("target"), O_RDONLY);
    CHECK("unlink of an open file", unlink(at("target")));
    CHECK("stat after unlink", access(at("target"), F_OK));
    memset(buf, 0, sizeof buf);
    VALUE("read of the unlinked open file", read(fd, buf, sizeof buf - 1));
    say("it still holds: %s", buf);
    struct stat st;
    fstat(fd, &st);
    say("fstat of the unlinked file: size %ld, links %ld", (long)st.st_size, (long)st.st_nlink);
    close(fd);
}

static void errors(void)
{
    CHECK("open of a missing file", open(at("missing"), O_RDONLY));
    CHECK("open under a regular file", open(at("a/x"), O_RDONLY));
    CHECK("open of a directory for writing", open(dir, O_WRONLY));
    CHECK("O_DIRECTORY on a regular file", open(at("a"), O_RDONLY | O_DIRECTORY));
    CHECK("mkdir of an existing file", mkdir(at("a"), 0755));
    CHECK("unlink of a directory", unlink(dir));
    CHECK("read on a bad fd", read(999, (char[1]){0}, 1));
    CHECK("write on a closed fd", write(500, "x", 1));
    CHECK("close of a bad fd", close(-1));
    int fd = open(at("a"), O_RDWR);
    CHECK("write from a bad pointer", write(fd, (void *)8, 4));
    CHECK("read into a bad pointer", read(fd, (void *)8, 4));
    close(fd);
    CHECK("open with a bad path pointer", open((const char *)8, O_RDONLY));
    CHECK("stat with a bad buffer", syscall(SYS_stat, at("a"), (void *)8));
}


static void names_and_paths(void)
{
    int fd = open(at("t"), O_CREAT | O_WRONLY | O_TRUNC, 0644);
    write(fd, "123456", 6); close(fd);
    fd = open(at("t"), O_WRONLY | O_TRUNC);
    struct stat st;
    fstat(fd, &st);
    say("O_TRUNC empties the file: size %ld", (long)st.st_size);
    write(fd, "xyz", 3);
    VALUE("lseek SEEK_END -1", lseek(fd, -1, SEEK_END));
    VALUE("lseek SEEK_CUR +5", lseek(fd, 5, SEEK_CUR));
    close(fd);

    CHECK("link to a second name", link(at("t"), at("t2")));
    stat(at("t"), &st);
    say("links after link: %ld", (long)st.st_nlink);
    CHECK("link onto an existing name", link(at("t"), at("t2")));
    CHECK("symlink", symlink("t", at("s")));
    char target[64] = {0};
    VALUE("readlink length", readlink(at("s"), target, sizeof target - 1));
    say("readlink text: %s", target);
    CHECK("readlink of a regular file", readlink(at("t"), target, sizeof target));
    struct stat through, of_link;
    stat(at("s"), &through);
    lstat(at("s"), &of_link);
    say("stat follows the link: regular %d; lstat does not: link %d", S_ISREG(through.st_mode), S_ISLNK(of_link.st_mode));
    CHECK("O_NOFOLLOW on a symlink", open(at("s"), O_RDONLY | O_NOFOLLOW));

    char before[512], now[512];
    getcwd(before, sizeof before);
    CHECK("chdir to the work directory", chdir(dir));
    getcwd(now, sizeof now);
    say("getcwd is the work directory: %d", strcmp(now, dir) == 0);
    fd = open("t2", O_RDONLY);
    char buf[8] = {0};
    read(fd, buf, sizeof buf - 1);
    say("a relative open reads: %s", buf);
    close(fd);
    CHECK("chdir to a regular file", chdir("t"));
    chdir(before);
    int dirfd = open(dir, O_RDONLY | O_DIRECTORY);
    fd = openat(dirfd, "t", O_RDONLY);
    say("openat relative to a directory fd: %s", outcome(fd));
    close(fd);
    CHECK("openat relative to a regular file fd", openat(fd = open(at("t"), O_RDONLY), "x", O_RDONLY));
    close(fd);
    CHECK("unlinkat AT_REMOVEDIR of a regular file", unlinkat(dirfd, "t", AT_REMOVEDIR));
    close(dirfd);

    mkdir(at("da"), 0755); mkdir(at("db"), 0755);
    CHECK("rename a directory over an empty one", rename(at("da"), at("db")));
    CHECK("rename a directory into itself", rename(at("db"), at("db/inner")));
    CHECK("rename a file over a directory", rename(at("t"), at("db")));
    fstat(open(at("db"), O_RDONLY), &st);
    say("fstat of a directory: directory %d", S_ISDIR(st.st_mode));
    rmdir(at("db"));
    char longname[300];
    memset(longname, 'n', 299); longname[299] = 0;
    CHECK("open of a 299-byte name", open(at(longname), O_RDONLY));

    fd = open("/dev/null", O_RDWR);
    VALUE("write to /dev/null", write(fd, "abc", 3));
    VALUE("read from /dev/null", read(fd, buf, 8));
    close(fd);
    fd = open("/dev/zero", O_RDONLY);
    memset(buf, 7, sizeof buf);
    VALUE("read from /dev/zero", read(fd, buf, 8));
    say("/dev/zero bytes are zero: %d", buf[0] == 0 && buf[7] == 0);
    close(fd);
    unlink(at("t")); unlink(at("t2")); unlink(at("s"));
}


/* A directory of 60 entries read with a 256-byte getdents64 buffer: every name exactly once across
 * many calls; a buffer too small for one entry is EINVAL; read(2) of a directory is EISDIR. */
static void large_directory(void)
{
    mkdir(at("big"), 0755);
    char name[64];
    for (int i = 0; i < 60; i++) {
        snprintf(name, sizeof name, "big/entry-%02d", i);
        close(open(at(name), O_CREAT | O_WRONLY, 0644));
    }
    int fd = open(at("big"), O_RDONLY | O_DIRECTORY);
    char small[8];
    CHECK("getdents64 with a buffer smaller than an entry", syscall(SYS_getdents64, fd, small, sizeof small));
    CHECK("read of a directory", read(fd, small, sizeof small));
    static char buf[256];
    int seen[60] = {0}, others = 0, calls = 0;
    long n;
    while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
        calls++;
        for (long off = 0; off < n;) {
            struct dirent64 *e = (struct dirent64 *)(buf + off);
            int k;
            if (sscanf(e->d_name, "entry-%d", &k) == 1 && k >= 0 && k < 60) seen[k]++;
            else others++;
            off += e->d_reclen;
        }
    }
    int once = 0;
    for (int i = 0; i < 60; i++) once += seen[i] == 1;
    say("60 entries through a 256-byte buffer: %d seen exactly once, %d other names (. and ..), more than one call %d, end %s",
        once, others, calls > 1, outcome(n));
    VALUE("lseek of a directory back to 0", lseek(fd, 0, SEEK_SET));
    n = syscall(SYS_getdents64, fd, buf, sizeof buf);
    say("getdents64 after rewinding returns entries again: %d", n > 0);
    close(fd);
    for (int i = 0; i < 60; i++) { snprintf(name, sizeof name, "big/entry-%02d", i); unlink(at(name)); }
    CHECK("rmdir after removing all 60", rmdir(at("big")));
}

static void open_flags(void)
{
    int fd = open(at("flags"), O_CREAT | O_RDWR | O_APPEND, 0600);
    int flags = fcntl(fd, F_GETFL);
    say("F_GETFL: O_RDWR %d, O_APPEND %d", (flags & O_ACCMODE) == O_RDWR, (flags & O_APPEND) != 0);
    CHECK("F_SETFL clearing O_APPEND", fcntl(fd, F_SETFL, 0));
    write(fd, "abcd", 4);
    lseek(fd, 0, SEEK_SET);
    write(fd, "X", 1);
    char buf[8] = {0};
    pread(fd, buf, 4, 0);
    say("without O_APPEND a write lands at the offset: %s", buf);
    struct stat st;
    int p[2];
    pipe(p);
    fstat(p[0], &st);
    say("fstat of a pipe: FIFO %d", S_ISFIFO(st.st_mode));
    close(p[0]); close(p[1]);
    CHECK("fstat of a bad fd", fstat(999, &st));
    close(fd);
    unlink(at("flags"));
}


/* Offsets belong to the open file description (POSIX.1-2017 dup: "share ... file offset"); Linux's
 * pwrite on an O_APPEND descriptor appends (pwrite(2) BUGS); modes follow umask and chmod. */
static void shared_offsets_and_modes(void)
{
    int fd = open(at("shared"), O_CREAT | O_RDWR | O_TRUNC, 0600);
    int copy = dup(fd);
    write(fd, "12345", 5);
    VALUE("a dup sees the original's offset", lseek(copy, 0, SEEK_CUR));
    lseek(copy, 1, SEEK_SET);
    write(fd, "A", 1);
    char buf[8] = {0};
    pread(fd, buf, 5, 0);
    say("a write through the original lands at the dup's offset: %s", buf);
    int other = open(at("shared"), O_RDONLY);
    VALUE("a second open has its own offset", lseek(other, 0, SEEK_CUR));
    close(other); close(copy); close(fd);

    fd = open(at("shared"), O_WRONLY | O_APPEND);
    VALUE("pwrite at 0 on O_APPEND", pwrite(fd, "Z", 1, 0));
    close(fd);
    fd = open(at("shared"), O_RDONLY);
    memset(buf, 0, sizeof buf);
    read(fd, buf, 7);
    say("Linux appends it: %s", buf);
    close(fd);

    umask(022);
    fd = open(at("moded"), O_CREAT | O_WRONLY, 0666);
    struct stat st;
    fstat(fd, &st);
    say("0666 under umask 022: %o", st.st_mode & 07777);
    VALUE("umask returns the previous mask", umask(077));
    CHECK("fchmod 0600", fchmod(fd, 0600));
    stat(at("moded"), &st);
    say("after fchmod: %o", st.st_mode & 07777);
    CHECK("chmod 04755", chmod(at("moded"), 04755));
    stat(at("moded"), &st);
    say("after chmod: %o", st.st_mode & 07777);
    CHECK("chmod of a missing file", chmod(at("missing"), 0644));
    close(fd);
    umask(022);
    CHECK("symlink to a missing target", symlink("created-through-link", at("dangling")));
    fd = open(at("dangling"), O_CREAT | O_WRONLY, 0644);
    say("O_CREAT through a dangling symlink: %s", outcome(fd));
    close(fd);
    CHECK("the link's target now exists", access(at("created-through-link"), F_OK));
    CHECK("O_CREAT|O_EXCL on a dangling symlink", open(at("dangling"), O_CREAT | O_EXCL | O_WRONLY, 0644));
    unlink(at("dangling")); unlink(at("created-through-link"));
    unlink(at("moded")); unlink(at("shared"));
}

int main(int argc, char **argv)
{
    snprintf(dir, sizeof dir, "%s", argc > 1 ? argv[1] : "/tmp/conformance-files");
    CHECK("mkdir of the work directory", mkdir(dir, 0755));
    exclusive_create();
    append();
    hole();
    positional();
    directory_listing();
    rename_and_unlink();
    errors();
    names_and_paths();
    large_directory();
    open_flags();
    shared_offsets_and_modes();
    const char *left[] = { "a", "hole", "p" };
    for (int i = 0; i < 3; i++) unlink(at(left[i]));
    CHECK("rmdir of the work directory", rmdir(dir));
    say("end");
    return 0;
}
