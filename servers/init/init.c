/* init — the first process: starts the servers of the boot manifest in order and watches them.
 *
 * The manifest is the boot module named "manifest", one server per line (# starts a comment):
 *     NAME  BINARY  PRIORITY  MEMORY_MIB  USES  [wait]  [heartbeat=MS]  [inject=KIND@MS[/EVERYMS]]  [devices]  [-- ARGS...]
 * `devices` gives a driver a copy of the device manager capability, after its other handles.
 * `console` gives a server (posix) the Console capability (console_claim: the serial console's
 * input), after those; init claims it once, at the first such line, and passes copies.
 * USES is a comma-separated list of servers started earlier whose endpoints this one may call, or
 * "-". For every server init creates an endpoint and passes it as the server's initial handle 0
 * (to receive on); the endpoints of the servers it uses follow, in order, as handles 1.. with the
 * send right only. "wait" marks a program (a client, a test) whose exit ends init with the same
 * status. Every server gets a priority ceiling and a memory budget (process_set_limits).
 *
 * Reincarnation (MINIX 3's idea, DESIGN.md §7): when a server dies — a fault, an unhandled
 * exception, an exit, or no answer to its heartbeat (with `heartbeat=MS` in its line: a Stats call
 * every HEARTBEAT_MS that must be answered within MS; then init kills it) — init starts the same binary again
 * with the same handles. The endpoint outlives the dead server, so clients keep their handles: the
 * calls the dead server held fail with EOWNERDEAD (lib's client retries the idempotent ones), and
 * new calls wait on the endpoint until the new instance receives on it. Restarts back off
 * exponentially (RESTART_DELAY_MS doubling to RESTART_DELAY_MAX_MS) and stop after MAX_RESTARTS
 * within RESTART_WINDOW_MS ("left down"). Every event is one console line.
 *
 * Applications of a dead server: when a server dies, init ends (orphans_kill, with the device
 * manager) every application whose personality endpoint lost its server — posix's programs, whose
 * descriptor tables and pids died with posix and cannot be rebuilt. init does it rather than the
 * new instance because only init holds the authority (the dead posix created those processes and
 * made their endpoint; nobody else has a handle to them), because it learns of the death first
 * (the applications do not spin on failed calls during the back-off), and because it happens even
 * if the server is left down. The new posix starts its first program again.
 *
 * Fault injection (issue 9): `inject=KIND@MS[/EVERYMS]` makes init inject KIND (fault, hang,
 * corrupt-reply, exhaust: the kernel's process_inject; kill: process_kill) into the server MS after it
 * starts, then every EVERYMS (none: once). An injection that falls due while the server is down
 * waits until its new instance has run MS. Each injection is one console line
 * (`init: injected fault into echo`). A death that follows an injection into the same instance is
 * counted as injected and does not count towards the "left down" limit (the campaign asked for it).
 * `exhaust` freezes the server's memory budget at what it holds: its heap cannot grow; if it is
 * still alive EXHAUST_HOLD_MS later, init gives it its budget back (one line says so).
 *
 * History: per server, deaths (injected or not), their causes, restarts and restart latency (death
 * to new instance, back-off included). One `init: history NAME: ...` line per server is printed
 * when a "wait" program ends (shutdown), and the dying server's line after every HISTORY_EVERY-th
 * restart of it. Each restarted instance is also told its own history with lib's standard
 * Incarnation request (lib/Biscuit.Lib/Telemetry/Incarnation.cs), which its Stats and posix's
 * /proc/biscuit/gc then show: FIRST_HEARTBEAT_MS after the launch (its runtime is up by then) and
 * again every HEARTBEAT_MS until it answers within HISTORY_CALL_MS, at most HISTORY_TRIES times, so
 * init never waits long on a busy or dead server.
 *
 * Invariants: init never exits while servers run unless a "wait" program ended; a malformed line
 * is reported with its number and skipped, never a crash; init runs above every server
 * (priority 7), so a spinning server cannot starve it.
 */
#include "../../tests/guest/biscuit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SERVERS 32
#define MAX_USES 6
#define HEARTBEAT_MS 1000
#define FIRST_HEARTBEAT_MS 5000       /* a new instance's runtime needs time to start under emulation */
#define RESTART_DELAY_MS 10
#define RESTART_DELAY_MAX_MS 5000
#define MAX_RESTARTS 5
#define RESTART_WINDOW_MS 60000
#define HISTORY_EVERY 5
#define HISTORY_CALL_MS 200
#define HISTORY_TRIES 30
#define MAX_CAUSES 6

enum { INJECT_NONE, INJECT_FAULT, INJECT_HANG, INJECT_CORRUPT_REPLY, INJECT_KILL, INJECT_EXHAUST };
static const char *const inject_names[] = { "", "fault", "hang", "corrupt-reply", "kill", "exhaust" };
#define KERNEL_INJECT_EXHAUST 4     /* process_inject's kind (fault, hang, corrupt-reply are 1-3, as here) */
#define EXHAUST_HOLD_MS 10000       /* how long an exhausted server's budget stays frozen if it lives */

struct cause { long status; long count; };   /* a wait status (Linux encoding) and how often */

struct server {
    char name[32];
    char binary[32];
    uint32_t endpoint;          /* created by init; the server receives on it */
    long process;               /* handle, or < 0 while down */
    int wait;                   /* a program whose exit ends init */
    long priority, mib;
    char args[1024];
    size_t args_length;
    uint32_t handles[1 + MAX_USES];
    int handle_count;
    long died_at, restart_at;   /* ticks; restart_at 0 = no restart pending */
    long next_heartbeat;
    long delay_ms;              /* the next restart's back-off */
    long restarts, window_start;
    int left_down;
    long heartbeat_deadline;    /* ms; 0 = this server is not pinged */
    int inject_kind;            /* INJECT_*; INJECT_NONE = no injection */
    long inject_first_ms, inject_every_ms;   /* from inject=KIND@FIRST/EVERY; every 0 = once */
    long next_inject;           /* ms; 0 = no injection due any more */
    long started_at;            /* ms: when the current instance was launched */
    int injected;               /* an injection was made into the current instance */
    /* history (all since boot) */
    long deaths, injected_deaths, restarts_done;
    long latency_last, latency_max, latency_total;   /* ms from death to the new instance */
    struct cause causes[MAX_CAUSES];
    long other_causes;          /* deaths whose cause did not fit in causes[] */
    long last_status;           /* wait status of the last death */
    long history_due;           /* ms: when to tell the current instance its history; 0 = told or never */
    int history_tries;          /* Incarnation calls made to the current instance */
    long budget_back_at;        /* ms: when an exhausted instance that lived gets its budget back; 0 = none */
};

static long ticks_per_ms = 1;

static long now_ms(void) { return bsys0(SYS_clock_ticks) / ticks_per_ms; }

static struct server servers[MAX_SERVERS];
static int count;
static char manifest[16384];

static int find(const char *name)
{
    for (int i = 0; i < count; i++)
        if (!strcmp(servers[i].name, name)) return i;
    return -1;
}

static long deaths;              /* notification: bit i = server i died */

/* Spawns a server's binary with its handles and limits, and watches its death. */
static long launch(struct server *s)
{
    s->process = spawn(s->binary, s->args, s->args_length, s->handles, s->handle_count);
    if (s->process < 0) { printf("init: cannot start %s (%s): error %ld\n", s->name, s->binary, s->process); return -1; }
    long r = bsys4(SYS_process_set_limits, s->process, s->priority, (unsigned long)s->mib << 20, s->priority);
    if (r < 0) printf("init: %s: limits refused (%ld)\n", s->name, r);
    bsys3(SYS_process_watch, s->process, deaths, 1UL << (s - servers));
    s->started_at = now_ms();
    s->next_heartbeat = s->started_at + FIRST_HEARTBEAT_MS;
    s->injected = 0;
    s->budget_back_at = 0;
    if (s->next_inject && s->next_inject < s->started_at + s->inject_first_ms) s->next_inject = s->started_at + s->inject_first_ms;
    return 0;
}

/* One line: what has happened to this server since boot. */
static void print_history(struct server *s)
{
    char causes[256];
    size_t n = 0;
    causes[0] = 0;
    for (int i = 0; i < MAX_CAUSES && s->causes[i].count; i++) {
        long st = s->causes[i].status;
        if ((st & 0x7f) == 0) n += snprintf(causes + n, sizeof causes - n, "%sexit %ld x%ld", n ? ", " : "", (st >> 8) & 0xff, s->causes[i].count);
        else n += snprintf(causes + n, sizeof causes - n, "%ssignal %ld x%ld", n ? ", " : "", st & 0x7f, s->causes[i].count);
        if (n >= sizeof causes) break;
    }
    if (s->other_causes && n < sizeof causes) snprintf(causes + n, sizeof causes - n, "%sother x%ld", n ? ", " : "", s->other_causes);
    printf("init: history %s: %ld deaths (%ld injected), %ld restarts%s; causes: %s; restart latency ms: last %ld, max %ld, mean %ld\n",
           s->name, s->deaths, s->injected_deaths, s->restarts_done, s->left_down ? ", left down" : "",
           s->deaths ? causes : "none", s->latency_last, s->latency_max, s->restarts_done ? s->latency_total / s->restarts_done : 0);
}

static void record_death(struct server *s, long status)
{
    s->deaths++;
    s->last_status = status;
    if (s->injected) s->injected_deaths++;
    for (int i = 0; i < MAX_CAUSES; i++) {
        if (s->causes[i].count && s->causes[i].status != status) continue;
        s->causes[i].status = status;
        s->causes[i].count++;
        return;
    }
    s->other_causes++;
}

/* Makes the injection that is due now into s (alive), and schedules the next one. */
static void inject(struct server *s, long now)
{
    long r = s->inject_kind == INJECT_KILL ? bsys1(SYS_process_kill, s->process)
           : s->inject_kind == INJECT_EXHAUST ? bsys2(SYS_process_inject, s->process, KERNEL_INJECT_EXHAUST)
           : bsys2(SYS_process_inject, s->process, s->inject_kind);
    if (r == 0 && s->inject_kind == INJECT_EXHAUST) s->budget_back_at = now + EXHAUST_HOLD_MS;
    if (r < 0) printf("init: cannot inject %s into %s (%ld)\n", inject_names[s->inject_kind], s->name, r);
    else { s->injected = 1; printf("init: injected %s into %s\n", inject_names[s->inject_kind], s->name); }
    s->next_inject = s->inject_every_ms ? now + s->inject_every_ms : 0;
}

/* Parses KIND@MS[/EVERYMS]; 0 if well formed. */
static int parse_inject(struct server *s, const char *spec)
{
    const char *at = strchr(spec, '@');
    if (!at) return -1;
    int kind = INJECT_NONE;
    for (int k = INJECT_FAULT; k <= INJECT_EXHAUST; k++)
        if ((size_t)(at - spec) == strlen(inject_names[k]) && !strncmp(spec, inject_names[k], at - spec)) kind = k;
    if (kind == INJECT_NONE) return -1;
    char *end;
    long first = strtol(at + 1, &end, 10), every = 0;
    if (end == at + 1 || first < 0) return -1;
    if (*end == '/') {
        const char *e = end + 1;
        every = strtol(e, &end, 10);
        if (end == e || every < 100) return -1;
    }
    if (*end) return -1;
    s->inject_kind = kind;
    s->inject_first_ms = first;
    s->inject_every_ms = every;
    s->next_inject = 1;        /* due at the first launch + first (launch moves it there) */
    return 0;
}

/* A Stats request in lib's envelope: [version 1, code 1, nil] (lib/Biscuit.Lib/Messages). */
static long heartbeat(struct server *s)
{
    struct ipc_message *m = ipc_buffer();
    m->label = 1;
    m->length = 4;
    m->handle_count = 0;
    m->payload[0] = 0x93; m->payload[1] = 0x01; m->payload[2] = 0x01; m->payload[3] = 0xC0;
    return bsys2(SYS_ipc_call, s->endpoint, s->heartbeat_deadline);
}

/* One MessagePack uint64 (0xCF, big-endian), as lib's reader accepts for any integer field. */
static uint8_t *put_uint64(uint8_t *p, unsigned long v)
{
    *p++ = 0xCF;
    for (int shift = 56; shift >= 0; shift -= 8) *p++ = (uint8_t)(v >> shift);
    return p;
}

/* Tells the current instance of s its history: lib's Incarnation request in lib's envelope,
 * [version 1, code 3, [incarnation, deaths, injected deaths, last death's wait status, last and
 * largest restart latency in ms]]. 0 when it answered within HISTORY_CALL_MS. */
static long tell_history(struct server *s)
{
    struct ipc_message *m = ipc_buffer();
    uint8_t *p = m->payload;
    *p++ = 0x93; *p++ = 0x01; *p++ = 0x03; *p++ = 0x96;
    p = put_uint64(p, s->restarts_done + 1);
    p = put_uint64(p, s->deaths);
    p = put_uint64(p, s->injected_deaths);
    p = put_uint64(p, s->last_status);
    p = put_uint64(p, s->latency_last);
    p = put_uint64(p, s->latency_max);
    m->label = 3;
    m->length = (uint32_t)(p - m->payload);
    m->handle_count = 0;
    long r = bsys2(SYS_ipc_call, s->endpoint, HISTORY_CALL_MS);
    return r == 0 && m->label == 0 ? 0 : (r < 0 ? r : -1);
}

static void died(struct server *s)
{
    long status = bsys1(SYS_process_status, s->process);
    bsys1(SYS_handle_close, s->process);
    s->process = -1;
    s->died_at = now_ms();
    char how[64];
    if ((status & 0x7f) == 0) snprintf(how, sizeof how, "exited with status %ld", (status >> 8) & 0xff);
    else snprintf(how, sizeof how, "killed by signal %ld", status & 0x7f);
    if (s->wait) { printf("init: %s %s\n", s->name, how); return; }
    record_death(s, status);
    /* A personality server's applications cannot outlive it: their descriptors, pids and parentage
     * were its state (issue 9 item 3). End them now (orphans_kill: every application whose
     * personality endpoint lost its server), so that none spins on failed calls while the server
     * is down; the new instance starts its first program again. Nothing for other servers. */
    long ended = bsys1(SYS_orphans_kill, initial_handle(0));
    if (ended > 0) printf("init: %s died: ended %ld application process%s it served\n", s->name, ended, ended == 1 ? "" : "es");
    else if (ended < 0) printf("init: %s died: cannot end the applications it served (%ld)\n", s->name, ended);
    if (s->died_at - s->window_start > RESTART_WINDOW_MS) { s->window_start = s->died_at; s->restarts = 0; }
    if (!s->injected && ++s->restarts > MAX_RESTARTS) {
        printf("init: %s %s; %d restarts within %d s: left down\n", s->name, how, MAX_RESTARTS, RESTART_WINDOW_MS / 1000);
        s->left_down = 1;
        return;
    }
    s->restart_at = s->died_at + s->delay_ms;
    printf("init: %s %s; restarting in %ld ms\n", s->name, how, s->delay_ms);
    s->delay_ms = s->delay_ms * 2 > RESTART_DELAY_MAX_MS ? RESTART_DELAY_MAX_MS : s->delay_ms * 2;
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
    int devices = 0, console = 0;
    for (; next < n && strcmp(fields[next], "--"); next++) {
        if (!strcmp(fields[next], "wait")) s->wait = 1;
        else if (!strcmp(fields[next], "devices")) devices = 1;
        else if (!strcmp(fields[next], "console")) console = 1;
        else if (!strncmp(fields[next], "inject=", 7)) {
            if (parse_inject(s, fields[next] + 7) < 0) { printf("init: manifest line %d: bad '%s' (inject=fault|hang|corrupt-reply|kill@MS[/EVERYMS])\n", line, fields[next]); return -1; }
        }
        else if (!strncmp(fields[next], "heartbeat=", 10)) {
            s->heartbeat_deadline = strtol(fields[next] + 10, &end, 10);
            if (*end || s->heartbeat_deadline < 100) { printf("init: manifest line %d: bad '%s'\n", line, fields[next]); return -1; }
        }
        else { printf("init: manifest line %d: unknown option '%s'\n", line, fields[next]); return -1; }
    }
    if (next < n) next++;   /* past "--" */
    if (devices) {          /* a driver: the device manager (init's handle 0) follows its other handles */
        long dm = bsys3(SYS_handle_dup, initial_handle(0), R_CONTROL | R_TRANSFER | R_DUPLICATE, 0);
        if (dm < 0 || handle_count > MAX_USES) { printf("init: %s: cannot pass the device manager (%ld)\n", s->name, dm); return -1; }
        handles[handle_count++] = (uint32_t)dm;
    }
    if (console) {          /* the console reader: the Console capability follows */
        static long console_input;
        if (console_input <= 0) console_input = bsys1(SYS_console_claim, initial_handle(0));
        long copy = console_input < 0 ? console_input : bsys3(SYS_handle_dup, console_input, R_CONTROL | R_TRANSFER | R_DUPLICATE, 0);
        if (copy < 0 || handle_count > MAX_USES) { printf("init: %s: cannot pass the console (%ld)\n", s->name, copy); return -1; }
        handles[handle_count++] = (uint32_t)copy;
    }
    char args[1024];
    size_t length = 0;
    for (int i = next - 1; i < n; i++) {
        const char *a = i == next - 1 ? s->binary : fields[i];
        size_t l = strlen(a) + 1;
        if (length + l > sizeof args) { printf("init: manifest line %d: arguments too long\n", line); return -1; }
        memcpy(args + length, a, l);
        length += l;
    }
    memcpy(s->args, args, length);
    s->args_length = length;
    memcpy(s->handles, handles, sizeof handles);
    s->handle_count = handle_count;
    s->priority = priority;
    s->mib = mib;
    s->delay_ms = RESTART_DELAY_MS;
    if (launch(s) < 0) return -1;
    count++;
    printf("init: started %s (%s), priority %ld, %ld MiB\n", s->name, s->binary, priority, mib);
    return 0;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    bsys1(SYS_thread_set_priority, 7);
    struct system_info info;
    if (bsys2(SYS_system_info, &info, sizeof info) > 0 && info.ticks_per_second >= 1000) ticks_per_ms = (long)info.ticks_per_second / 1000;
    long size = bsys5(SYS_module_read, "manifest", 8, 0, manifest, sizeof manifest - 1);
    if (size < 0) { printf("init: no boot manifest (%ld)\n", size); return 1; }
    manifest[size] = 0;
    deaths = bsys0(SYS_notification_create);

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
        start(line, fields, n);
    }
    if (count == 0) { printf("init: the manifest starts nothing\n"); return 1; }

    for (;;) {
        long now = now_ms(), wake = now + HEARTBEAT_MS;
        for (int i = 0; i < count; i++) {
            struct server *s = &servers[i];
            if (s->restart_at && s->restart_at < wake) wake = s->restart_at;
            if (s->next_inject && s->process >= 0 && s->next_inject < wake) wake = s->next_inject;
            if (s->history_due && s->process >= 0 && s->history_due < wake) wake = s->history_due;
            if (s->budget_back_at && s->process >= 0 && s->budget_back_at < wake) wake = s->budget_back_at;
        }
        long bits = bsys2(SYS_notify_wait, deaths, wake > now ? wake - now : 0);
        if (bits < 0 && bits != -110 /* ETIMEDOUT */) { printf("init: waiting failed (%ld)\n", bits); return 1; }
        for (int i = 0; i < count && bits > 0; i++) {
            struct server *s = &servers[i];
            if (!(bits & (1L << i)) || s->process < 0) continue;
            long status = bsys1(SYS_process_status, s->process);
            died(s);
            if (s->wait) {
                for (int j = 0; j < count; j++) if (!servers[j].wait) print_history(&servers[j]);
            }
            if (s->wait) return (status & 0x7f) ? 128 + (int)(status & 0x7f) : (int)((status >> 8) & 0xff);
        }
        now = now_ms();
        for (int i = 0; i < count; i++) {
            struct server *s = &servers[i];
            if (s->restart_at && now >= s->restart_at) {
                s->restart_at = 0;
                if (launch(s) == 0) {
                    long latency = now_ms() - s->died_at;
                    printf("init: %s restarted %ld ms after it died\n", s->name, latency);
                    s->restarts_done++;
                    s->latency_last = latency;
                    s->latency_total += latency;
                    if (latency > s->latency_max) s->latency_max = latency;
                    if (s->restarts_done % HISTORY_EVERY == 0) print_history(s);
                    s->history_due = s->started_at + FIRST_HEARTBEAT_MS;
                    s->history_tries = 0;
                }
                else s->restart_at = now_ms() + s->delay_ms;
            }
            if (s->next_inject && s->process >= 0 && now >= s->next_inject) inject(s, now);
            if (s->budget_back_at && s->process >= 0 && now >= s->budget_back_at) {
                s->budget_back_at = 0;
                long r = bsys4(SYS_process_set_limits, s->process, s->priority, (unsigned long)s->mib << 20, s->priority);
                if (r == 0) printf("init: %s lived through its exhaustion; its memory budget is back\n", s->name);
                else printf("init: %s: budget refused after its exhaustion (%ld)\n", s->name, r);
            }
            if (s->history_due && s->process >= 0 && now >= s->history_due) {
                if (tell_history(s) == 0) s->history_due = 0;
                else if (++s->history_tries >= HISTORY_TRIES) {
                    printf("init: %s did not take its history in %d tries\n", s->name, HISTORY_TRIES);
                    s->history_due = 0;
                }
                else s->history_due = now_ms() + HEARTBEAT_MS;
            }
            if (s->process >= 0 && s->heartbeat_deadline && now >= s->next_heartbeat) {
                s->next_heartbeat = now + HEARTBEAT_MS;
                long r = heartbeat(s);
                if (r == -110 /* ETIMEDOUT */) {
                    printf("init: %s missed its heartbeat (no answer within %ld ms): killing it\n", s->name, s->heartbeat_deadline);
                    bsys1(SYS_process_kill, s->process);
                }
            }
        }
    }
}
