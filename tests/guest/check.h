/* check.h — the few lines every guest test suite shares: run a named case, print "ok - NAME" or
   "not ok - NAME: why", and EXPECT macros that say what differed and where. */
#ifndef CHECK_H
#define CHECK_H
#include <stdarg.h>
#include <stdio.h>

static int passed, failed;
static char why[256];

static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return 0;
}

#define EXPECT(cond, ...) do { if (!(cond)) return fail(__VA_ARGS__); } while (0)
#define EXPECT_EQ(actual, expected) do { long a_ = (long)(actual), e_ = (long)(expected); \
    if (a_ != e_) return fail("%s = %ld, expected %ld (line %d)", #actual, a_, e_, __LINE__); } while (0)

static void run(const char *name, int (*test)(void))
{
    why[0] = 0;
    if (test()) { passed++; printf("ok - %s\n", name); }
    else { failed++; printf("not ok - %s: %s\n", name, why); }
}

#endif
