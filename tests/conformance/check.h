/* check.h — the output conventions of every conformance program (tests/conformance/README.md).
 * Each line is "<prefix>: <name>: <outcome>", written with one write(2) to fd 1 so lines never
 * interleave or sit in a stdio buffer. Outcomes are values that are the same on every correct
 * Linux: return values as "ok"/"-1 ENAME", byte contents, counts. Never pids, addresses or times.
 * The last line is "<prefix>: end", so a program that dies early is seen as incomplete. */
#ifndef CONFORMANCE_CHECK_H
#define CONFORMANCE_CHECK_H
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

extern const char *check_prefix;   /* set once by main, read by every line */

static void say(const char *format, ...)
{
    char line[512];
    int n = snprintf(line, sizeof line, "%s: ", check_prefix);
    va_list args;
    va_start(args, format);
    n += vsnprintf(line + n, sizeof line - n - 1, format, args);
    va_end(args);
    if (n > (int)sizeof line - 2) n = sizeof line - 2;
    line[n++] = '\n';
    (void)!write(1, line, n);
}

/* The symbolic name of an errno value: the numbers are the same on every x86-64 Linux, the names
 * make a difference readable. */
static const char *errno_name(int e)
{
    switch (e) {
    case 0: return "0";
    case EPERM: return "EPERM"; case ESRCH: return "ESRCH"; case ENOENT: return "ENOENT"; case EBADF: return "EBADF";
    case EAGAIN: return "EAGAIN"; case EFAULT: return "EFAULT"; case EEXIST: return "EEXIST";
    case ENOTDIR: return "ENOTDIR"; case EISDIR: return "EISDIR"; case EINVAL: return "EINVAL";
    case EMFILE: return "EMFILE"; case ESPIPE: return "ESPIPE"; case EPIPE: return "EPIPE";
    case ECHILD: return "ECHILD"; case ENOTEMPTY: return "ENOTEMPTY"; case ENOSYS: return "ENOSYS";
    case ENAMETOOLONG: return "ENAMETOOLONG"; case EINTR: return "EINTR"; case ELOOP: return "ELOOP"; case EACCES: return "EACCES"; case ENOTTY: return "ENOTTY";
    case ENODEV: return "ENODEV"; case ENOMEM: return "ENOMEM";
    case ENOTSOCK: return "ENOTSOCK"; case EADDRINUSE: return "EADDRINUSE"; case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case ECONNREFUSED: return "ECONNREFUSED"; case EINPROGRESS: return "EINPROGRESS"; case ENOTCONN: return "ENOTCONN";
    case EISCONN: return "EISCONN"; case EOPNOTSUPP: return "EOPNOTSUPP"; case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case ECONNRESET: return "ECONNRESET"; case EDESTADDRREQ: return "EDESTADDRREQ";
    default: { static char other[32]; snprintf(other, sizeof other, "errno %d", e); return other; }
    }
}

/* "ok" for a call that returned >= 0, "-1 ENAME" otherwise; the result for a value-returning call is
 * printed separately when it is deterministic. */
static const char *outcome(long result)
{
    static char text[64];
    if (result >= 0) return "ok";
    snprintf(text, sizeof text, "-1 %s", errno_name(errno));
    return text;
}

#define CHECK(name, call) do { errno = 0; long r_ = (long)(call); say("%s: %s", name, outcome(r_)); } while (0)
#define VALUE(name, call) do { errno = 0; long r_ = (long)(call); \
    if (r_ >= 0) say("%s: %ld", name, r_); else say("%s: %s", name, outcome(r_)); } while (0)

#endif
