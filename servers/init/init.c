/* init — the first process: starts the servers of the boot manifest in order and watches them.
 *
 * The manifest is the boot module named "manifest", one server per line (# starts a comment):
 *     NAME  BINARY  PRIORITY  MEMORY_MIB  USES  [wait]  [-- ARGS...]
 * USES is a comma-separated list of servers started earlier whose endpoints this one may call, or
 * "-". For every server init creates an endpoint and passes it as the server's initial handle 0
 * (to receive on); the endpoints of the servers it uses follow, in order, as handles 1.. with the
 * send right only. "wait" marks a program (a client, a test) whose exit ends init with the same
 * status. Every server gets a priority ceiling and a memory budget (process_set_limits).
 *
 * Invariants: init never exits while servers run unless a "wait" program ended; a malformed line
 * is reported with its number and skipped, never a crash. Restarting servers that die (with
 * back-off, taking over their endpoints) is issue 9: today a death is logged, not repaired.
 */
#include "../../tests/guest/biscuit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SERVERS 32
#define MAX_USES 6

struct server {
    char name[32];
    char binary[32];
    uint32_t endpoint;          /* created by init; the server receives on it */
    long process;               /* handle, or < 0 */
    int wait;
};

static struct server servers[MAX_SERVERS];
static int count;
static char manifest[16384];

static int find(const char *name)
{
    for (int i = 0; i < count; i++)
        if (!strcmp(servers[i].name, name)) return i;
    return -1;
}

static long start(int line, char *fields[], int n)
{
    if (n < 5) { printf("init: manifest line %d: expected NAME BINARY PRIORITY MEMORY_MIB USES\n", line); return -1; }
    if (count == MAX_SERVERS) { printf("init: manifest line %d: more than %d servers\n", line, MAX_SERVERS); return -1; }
    if (strlen(fields[0]) >= 32 || strlen(fields[1]) >= 32) { printf("init: manifest line %d: name too long\n", line); return -1; }
    char *end;
    long priority = strtol(fields[2], &end, 10);
    if (*end || priority < 0 || priority > 7) { printf("init: manifest line %d: bad priority '%s'\n", line, fields[2]); return -1; }
    long mib = strtol(fields[3], &end, 10);
    if (*end || mib <= 0 || mib > 4096) { printf("init: manifest line %d: bad memory '%s'\n", line, fields[3]); return -1; }

    struct server *s = &servers[count];
    memset(s, 0, sizeof *s);
    strcpy(s->name, fields[0]);
    strcpy(s->binary, fields[1]);
    uint32_t handles[1 + MAX_USES];
    int handle_count = 0;
    long ep = bsys0(SYS_endpoint_create);
    if (ep < 0) { printf("init: %s: cannot create its endpoint (%ld)\n", s->name, ep); return -1; }
    s->endpoint = (uint32_t)ep;
    handles[handle_count++] = s->endpoint;
    if (strcmp(fields[4], "-")) {
        char uses[256];
        snprintf(uses, sizeof uses, "%s", fields[4]);
        char *save;
        for (char *u = strtok_r(uses, ",", &save); u; u = strtok_r(NULL, ",", &save)) {
            int d = find(u);
            if (d < 0 || handle_count > MAX_USES) { printf("init: manifest line %d: unknown or too many uses '%s'\n", line, u); return -1; }
            long send = bsys3(SYS_handle_dup, servers[d].endpoint, R_SEND | R_TRANSFER | R_DUPLICATE, 0);
            if (send < 0) { printf("init: %s: cannot pass %s (%ld)\n", s->name, u, send); return -1; }
            handles[handle_count++] = (uint32_t)send;
        }
    }
    int next = 5;
    if (next < n && !strcmp(fields[next], "wait")) { s->wait = 1; next++; }
    if (next < n && !strcmp(fields[next], "--")) next++;
    char args[1024];
    size_t length = 0;
    for (int i = next - 1; i < n; i++) {
        const char *a = i == next - 1 ? s->binary : fields[i];
        size_t l = strlen(a) + 1;
        if (length + l > sizeof args) { printf("init: manifest line %d: arguments too long\n", line); return -1; }
        memcpy(args + length, a, l);
        length += l;
    }
    s->process = spawn(s->binary, args, length, handles, handle_count);
    for (int i = 1; i < handle_count; i++) bsys1(SYS_handle_close, handles[i]);
    if (s->process < 0) { printf("init: cannot start %s (%s): error %ld\n", s->name, s->binary, s->process); return -1; }
    long r = bsys4(SYS_process_set_limits, s->process, priority, (unsigned long)mib << 20, priority);
    if (r < 0) printf("init: %s: limits refused (%ld)\n", s->name, r);
    count++;
    printf("init: started %s (%s), priority %ld, %ld MiB\n", s->name, s->binary, priority, mib);
    return 0;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    long size = bsys5(SYS_module_read, "manifest", 8, 0, manifest, sizeof manifest - 1);
    if (size < 0) { printf("init: no boot manifest (%ld)\n", size); return 1; }
    manifest[size] = 0;
    long deaths = bsys0(SYS_notification_create);

    int line = 0;
    char *lines;
    for (char *text = strtok_r(manifest, "\n", &lines); text; text = strtok_r(NULL, "\n", &lines)) {
        line++;
        char *hash = strchr(text, '#');
        if (hash) *hash = 0;
        char copy[512];
        snprintf(copy, sizeof copy, "%s", text);
        char *fields[64];
        int n = 0;
        char *save;
        for (char *f = strtok_r(copy, " \t", &save); f && n < 64; f = strtok_r(NULL, " \t", &save)) fields[n++] = f;
        if (n == 0) continue;
        if (start(line, fields, n) == 0)
            bsys3(SYS_process_watch, servers[count - 1].process, deaths, 1UL << (count - 1));
    }
    if (count == 0) { printf("init: the manifest starts nothing\n"); return 1; }

    for (;;) {
        long bits = bsys2(SYS_notify_wait, deaths, FOREVER);
        if (bits < 0) { printf("init: waiting failed (%ld)\n", bits); return 1; }
        for (int i = 0; i < count; i++) {
            if (!(bits & (1L << i))) continue;
            long status = bsys1(SYS_process_status, servers[i].process);
            if ((status & 0x7f) == 0) printf("init: %s exited with status %ld\n", servers[i].name, (status >> 8) & 0xff);
            else printf("init: %s died (signal %ld); not restarted (issue 9)\n", servers[i].name, status & 0x7f);
            if (servers[i].wait) return (status & 0x7f) ? 128 + (int)(status & 0x7f) : (int)((status >> 8) & 0xff);
        }
    }
}
