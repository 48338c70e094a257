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

enum { SYS_read_ = 0, SYS_mmap_ = 9, SYS_rt_sigprocmask_ = 14, SYS_getpid_ = 39, SYS_kill_ = 62, SYS_getuid_ = 102,
       SYS_getppid_ = 110, SYS_rt_sigsuspend_ = 130, SYS_gettid_ = 186, SYS_tgkill_ = 234, SYS_openat_ = 257,
       SYS_exit_group_ = 231, SYS_unknown_ = 1000, SYS_post_blocked_ = 1001, SYS_post_to_me_ = 1002 };
enum { ESRCH_ = 3, EIO_ = 5, EINTR_ = 4, EACCES_ = 13, ENOSYS_ = 38 };
enum { APP_PID = 0x77, CLD_EXITED_ = 1 };   /* the pid apphost gives (process_set_pid) */

static volatile int handler_ran;
static volatile char held_flag;     /* apphost writes 1 here (process_write) once it holds our read */
static long main_tid;

static void on_usr1(int signal) { handler_ran = signal; }

/* What the last SA_SIGINFO handler saw. */
static volatile int seen_signal, seen_code, seen_pid, seen_status;
static void on_info(int signal, siginfo_t *info, void *context)
{
    (void)context;
    seen_signal = signal; seen_code = info->si_code; seen_pid = info->si_pid; seen_status = info->si_status;
}

static void catch_with_info(int signal)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_info;
    sa.sa_flags = SA_SIGINFO;
    sigaction(signal, &sa, 0);
}

static unsigned long current_mask(void)
{
    unsigned long mask = 0;
    bsys4(SYS_rt_sigprocmask_, SIG_BLOCK, 0, &mask, 8);
    return mask;
}

/* Signals posted by the personality (process_signal), kill within and beyond the process, rt_sigsuspend. */
static void signal_script(void)
{
    long pid = bsys0(SYS_getpid_);
    check("child: getpid answers the pid the personality set (process_set_pid)", pid == APP_PID, pid);

    catch_with_info(SIGUSR2);
    seen_signal = 0;
    long own = bsys2(SYS_kill_, APP_PID, SIGUSR2);
    check("child: kill of its own pid is the kernel's: the handler runs with si_pid = its pid",
          own == 0 && seen_signal == SIGUSR2 && seen_pid == APP_PID && seen_code == SI_USER, own);
    long other = bsys2(SYS_kill_, 777, SIGTERM);
    check("child: kill of another pid is forwarded to the personality (which answers ESRCH)", other == -ESRCH_, other);

    catch_with_info(SIGCHLD);
    unsigned long chld = 1UL << (SIGCHLD - 1), before;
    bsys4(SYS_rt_sigprocmask_, SIG_BLOCK, &chld, 0, 8);
    before = current_mask();
    seen_signal = 0;
    long posted = bsys0(SYS_post_blocked_);      /* the personality posts SIGCHLD, blocked here */
    check("child: a signal the personality posts while it is blocked stays pending", posted == 0 && seen_signal == 0, posted);
    unsigned long open_mask = before & ~chld;
    long suspended = bsys2(SYS_rt_sigsuspend_, &open_mask, 8);
    check("child: rt_sigsuspend returns EINTR after the handler ran, with si_code, si_pid and si_status as posted",
          suspended == -EINTR_ && seen_signal == SIGCHLD && seen_code == CLD_EXITED_ && seen_pid == 99 && seen_status == 3, suspended);
    check("child: rt_sigsuspend's mask ends with it: the old mask is back", current_mask() == before, (long)current_mask());
    bsys4(SYS_rt_sigprocmask_, SIG_UNBLOCK, &chld, 0, 8);

    seen_signal = 0;
    long answered = bsys0(SYS_post_to_me_);       /* posted to this very thread while its call is served */
    check("child: a signal posted to the thread whose call is being served does not cancel that call",
          answered == 5 && seen_signal == SIGUSR2, answered);
}

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
    signal_script();
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
