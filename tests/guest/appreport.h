/* appreport.h — how an application under a miniature posix (app.c, forkapp.c) reports: each check is
   an "ok - NAME" / "not ok - NAME: got VALUE" line written to fd 1 with a raw write — itself a
   forwarded call, which the posix collects and prints. `failures` counts the "not ok" lines. */
#ifndef APPREPORT_H
#define APPREPORT_H
#include <string.h>
#include "biscuit.h"

enum { SYS_write_ = 1 };

static int failures;

static void say(const char *text)
{
    bsys3(SYS_write_, 1, text, strlen(text));
}

static void check(const char *name, int ok, long value)
{
    char line[160];
    char number[24];
    int n = 0;
    long v = value < 0 ? -value : value;
    do number[n++] = (char)('0' + v % 10); while ((v /= 10) != 0 && n < 20);
    if (value < 0) number[n++] = '-';
    strcpy(line, ok ? "ok - " : "not ok - ");
    strcat(line, name);
    if (!ok)
    {
        size_t l = strlen(line);
        strcpy(line + l, ": got ");
        l += 6;
        while (n > 0) line[l++] = number[--n];
        line[l++] = 0;
    }
    strcat(line, "\n");
    if (!ok) failures++;
    say(line);
}

#endif
