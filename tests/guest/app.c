/* app — the small static Linux program that apphost.c (a miniature posix) loads into a process it
   builds with process_create / process_mmap / process_write and serves through forwarded calls
   (issue 7). It makes raw system calls, so that each result is the kernel's or the personality's
   RAX and not musl's errno translation, and reports each check as a line written to fd 1 — which
   is itself a forwarded call that apphost collects and prints. Its exit status is its failures.
   argv[1] "serve": the full script; "eio": one call, made while the personality dies (-EIO). */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include "biscuit.h"
#include "appreport.h"

enum { SYS_read_ = 0, SYS_mmap_ = 9, SYS_getpid_ = 39, SYS_getuid_ = 102, SYS_getppid_ = 110,
       SYS_gettid_ = 186, SYS_tgkill_ = 234, SYS_openat_ = 257, SYS_exit_group_ = 231, SYS_unknown_ = 1000 };
enum { EIO_ = 5, EINTR_ = 4, EACCES_ = 13, ENOSYS_ = 38 };

static volatile int handler_ran;
static volatile char held_flag;     /* apphost writes 1 here (process_write) once it holds our read */
static long main_tid;

static void on_usr1(int signal) { handler_ran = signal; }

/* Waits (bounded) until the personality holds the main thread's read, then interrupts it. */
static void *interrupter(void *unused)
{
    struct timespec tick = { 0, 10 * 1000 * 1000 };
    for (int i = 0; i < 1000 && !held_flag; i++) nanosleep(&tick, 0);
    bsys3(SYS_tgkill_, bsys0(SYS_getpid_), main_tid, SIGUSR1);
    return unused;
}

static int serve_script(void)
{
    char buffer[64];
    long fd = bsys4(SYS_openat_, -100, "/etc/motd", 0, 0);
    check("child: openat of a path the personality knows returns its descriptor", fd == 3, fd);
    long missing = bsys4(SYS_openat_, -100, "/no/such/file", 0, 0);
    check("child: openat of another path returns ENOENT", missing == -2, missing);

    memset(buffer, 0, sizeof buffer);
    long n = bsys3(SYS_read_, 3, buffer, sizeof buffer);
    check("child: read returns the bytes the personality wrote into its buffer",
          n == 17 && memcmp(buffer, "hello from posix\n", 17) == 0, n);

    long unknown = bsys0(SYS_unknown_);
    check("child: an unknown system call number is answered by the personality", unknown == -ENOSYS_, unknown);
    long uid = bsys0(SYS_getuid_);
    check("child: a forwarded call answered with an error returns that error", uid == -EACCES_, uid);
    long ppid = bsys0(SYS_getppid_);
    check("child: a reply shorter than 8 bytes gives EIO", ppid == -EIO_, ppid);

    long pid = bsys0(SYS_getpid_);
    check("child: getpid is answered by the kernel", pid > 0, pid);
    char *anonymous = (char *)bsys6(SYS_mmap_, 0, 8192, 3, 0x22, -1, 0);
    check("child: anonymous mmap is answered by the kernel", (long)anonymous > 0 && anonymous[0] == 0, (long)anonymous);

    char *mapped = (char *)bsys6(SYS_mmap_, 0, 4096, 1, 2, 3, 0);    /* PROT_READ, MAP_PRIVATE, fd 3 */
    check("child: mmap of a file descriptor is forwarded and maps the personality's bytes",
          (long)mapped > 0 && memcmp(mapped, "file page", 9) == 0, (long)mapped);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, 0);
    main_tid = bsys0(SYS_gettid_);
    pthread_t thread;
    int made = pthread_create(&thread, 0, interrupter, 0);
    check("child: a thread (clone with CLONE_VM) is made by the kernel", made == 0, made);
    long blocked = bsys3(SYS_read_, 4, &held_flag, 1);
    check("child: a signal interrupts a waiting forwarded call with EINTR and its handler runs",
          blocked == -EINTR_ && handler_ran == SIGUSR1 && held_flag == 1, blocked);
    pthread_join(thread, 0);
    return failures;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "eio") == 0)
    {
        char c;
        long r = bsys3(SYS_read_, 0, &c, 1);
        bsys1(SYS_exit_group_, r < 0 ? -r : 100);
    }
    int f = serve_script();
    bsys1(SYS_exit_group_, f);
    return f;
}
