/* gaps.c — what Biscuit's output still differs in from Linux's: gettid(2) "in a single-threaded
 * process, the thread ID is equal to the process ID". On Biscuit getpid() answers the pid posix gave
 * (process_set_pid) but gettid() the kernel's thread id, a separate number space (the kernel's
 * thread ids are global; making the main thread's id the pid needs the kernel to renumber it at
 * process_set_pid, after fork has already written it for CLONE_CHILD_SETTID). ConformanceTests runs
 * this program on the host only; tests/conformance/README.md says how Biscuit differs.
 * Output: check.h's lines. */
#define _GNU_SOURCE
#include "check.h"

const char *check_prefix = "gaps";

int main(void)
{
    say("gettid of the only thread is the pid: %d", gettid() == getpid());
    CHECK("getpid", getpid() > 0 ? 0 : -1);
    say("end");
    return 0;
}
