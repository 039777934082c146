/*
 * test_process_watch.c - the process watch (src/collect/process_watch.c):
 * matching by executable (exe link, " (deleted)", comm fallback cut to
 * 15 bytes), by argument (argv[1..] only), by pidfile (trimmed,
 * validated); zombies and processes gone mid-scan; start times from
 * field 22 and btime with ") (" in a name; min/max; on a fake PROC tree,
 * then on the real /proc with a child of the test's own.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "unit_util.h"
#include "process_watch.h"

#define BTIME 1700000000LL

static char proc[64];        /* the fake PROC */
static char files[96];       /* pidfiles */

/* PROC/PID/NAME (pid 0: PROC/NAME). */
static void proc_file(int pid, const char *name, const char *text, size_t len)
{
    char path[256];
    if (pid)
        snprintf(path, sizeof path, "%s/%d/%s", proc, pid, name);
    else
        snprintf(path, sizeof path, "%s/%s", proc, name);
    ut_write_file(path, text, len);
}

/*
 * A fake process: PROC/PID with exe -> @p exe (NULL: none, as for another
 * user's process), comm, cmdline (@p cmd_len bytes) and a stat with state
 * @p state and start @p start (NULL stat_override: built; "" : no stat).
 */
static void fake(int pid, const char *exe, const char *comm, const char *cmd,
                 size_t cmd_len, char state, unsigned long long start,
                 const char *stat_override)
{
    char dir[128];
    snprintf(dir, sizeof dir, "%s/%d", proc, pid);
    CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0755), 0);
    if (exe) {
        char link[160];
        snprintf(link, sizeof link, "%s/exe", dir);
        CU_ASSERT_EQUAL_FATAL(symlink(exe, link), 0);
    }
    char text[1024];
    snprintf(text, sizeof text, "%s\n", comm);
    proc_file(pid, "comm", text, strlen(text));
    proc_file(pid, "cmdline", cmd, cmd_len);
    if (stat_override) {
        if (stat_override[0])
            proc_file(pid, "stat", stat_override, strlen(stat_override));
        return;
    }
    /* Fields 1..52 as the kernel prints them; 22 is the start. */
    snprintf(text, sizeof text,
             "%d (%s) %c 1 %d %d 0 -1 4194560 100 0 0 0 3 1 0 0 20 0 1 0 %llu "
             "10000000 200 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 17 1 0 0 "
             "0 0 0 0 0 0 0 0 0 0\n", pid, comm, state, pid, pid, start);
    proc_file(pid, "stat", text, strlen(text));
}

#define CMD(s) s, sizeof s - 1

/* The tree most tests share. */
static void make_tree(int with_btime)
{
    ut_make_dir(proc, sizeof proc, "pw");
    snprintf(files, sizeof files, "%s/run", proc);
    CU_ASSERT_EQUAL_FATAL(mkdir(files, 0755), 0);

    /* PROC/stat: a long intr line first, btime after it. */
    size_t cap = 64 * 1024, len = 0;
    char *st = malloc(cap);
    CU_ASSERT_PTR_NOT_NULL_FATAL(st);
    len += (size_t)snprintf(st + len, cap - len,
                            "cpu  1 2 3 4 5 6 7 8 9 10\ncpu0 1 2 3 4 5 6 7 8 9 10\nintr 12345");
    for (int i = 0; i < 4000; i++)
        len += (size_t)snprintf(st + len, cap - len, " %d", i);
    /* A decoy: "btime" not at the start of a line. */
    len += (size_t)snprintf(st + len, cap - len, " btime 42\nctxt 99\n");
    if (with_btime)
        len += (size_t)snprintf(st + len, cap - len, "btime %lld\n", BTIME);
    len += (size_t)snprintf(st + len, cap - len, "processes 1000\nprocs_running 1\n");
    proc_file(0, "stat", st, len);
    free(st);

    fake(100, "/usr/lib/mta/dispatcher", "dispatcher",
         CMD("/usr/lib/mta/dispatcher\0-d\0--config=/etc/mta.cnf\0"), 'S', 5000, NULL);
    fake(101, "/usr/lib/mta/job_controller", "job_controller",
         CMD("/usr/lib/mta/job_controller\0"), 'S', 3000, NULL);
    /* Replaced by an upgrade: still the dispatcher, and the older one. */
    fake(102, "/usr/lib/mta/dispatcher (deleted)", "dispatcher",
         CMD("/usr/lib/mta/dispatcher\0"), 'S', 4000, NULL);
    /* Another user's: no exe, comm cut to 15 bytes. */
    fake(103, NULL, "a_very_long_pro",
         CMD("/opt/a_very_long_program_name\0--serve\0"), 'R', 6000, NULL);
    /* ") (" in the name. */
    fake(104, "/usr/bin/tricky ) (x", "tricky ) (x",
         CMD("tricky\0"), 'S', 777, NULL);
    /* A zombie dispatcher: no exe, comm remains. */
    fake(105, NULL, "dispatcher", CMD(""), 'Z', 100, NULL);
    /* Gone mid-scan: exe readable, stat not. */
    fake(106, "/usr/lib/mta/dispatcher", "dispatcher", CMD("dispatcher\0"), 'S', 1, "");
    /* Scripts: argv[0] is the interpreter. */
    fake(107, "/usr/bin/python3.11", "python3.11",
         CMD("python3\0/usr/lib/mta/monitor.py\0--queue\0"), 'S', 8000, NULL);
    fake(108, "/usr/bin/python3.11", "python3.11",
         CMD("python3\0other.py\0"), 'S', 9000, NULL);
    /* An argument cut short of its NUL at the end. */
    fake(109, "/usr/bin/python3.11", "python3.11",
         CMD("python3\0tail-without-nul"), 'S', 9100, NULL);
    /* Malformed stats: skipped. */
    fake(110, "/usr/lib/mta/job_controller", "job_controller", CMD(""), 'S', 0,
         "110 (job_controller S 1 2 3\n");                    /* no ')' */
    fake(111, "/usr/lib/mta/job_controller", "job_controller", CMD(""), 'S', 0,
         "111 (job_controller) S 1 2 3\n");                   /* too short */
    fake(112, "/usr/lib/mta/job_controller", "job_controller", CMD(""), 'S', 0,
         "112 (job_controller) S 1 112 112 0 -1 4194560 100 0 0 0 3 1 0 0 20 0 1 0 "
         "12x 1 2\n");                                         /* bad start */
    fake(113, "/usr/lib/mta/job_controller", "job_controller", CMD(""), 'S', 0,
         "113 (job_controller) SS 1 112 112 0 -1 4194560 100 0 0 0 3 1 0 0 20 0 1 0 "
         "12 1 2\n");                                          /* bad state */
    /* Not processes. */
    char d[128];
    snprintf(d, sizeof d, "%s/net", proc);
    mkdir(d, 0755);
    snprintf(d, sizeof d, "%s/0100", proc);                    /* leading 0 */
    mkdir(d, 0755);
    snprintf(d, sizeof d, "%s/99999999999", proc);             /* > int32 */
    mkdir(d, 0755);
}

static struct config_process exec_watch(const char *name, const char *exe,
                                        const char *arg, unsigned min, unsigned max)
{
    struct config_process w = {.name = (char *)name, .pidfile = (char *)"",
                               .executable = (char *)exe, .argument = (char *)arg,
                               .min = min, .max = max, .line = 1};
    return w;
}

static struct config_process pid_watch(const char *name, const char *pidfile)
{
    struct config_process w = {.name = (char *)name, .pidfile = (char *)pidfile,
                               .executable = (char *)"", .argument = (char *)"", .min = 1,
                               .max = 0, .line = 1};
    return w;
}

/* Start @p ticks after the fake boot, in ms. */
static int64_t start_ms(unsigned long long ticks)
{
    long hz = sysconf(_SC_CLK_TCK);
    return BTIME * 1000 + (int64_t)(ticks / (unsigned long long)hz) * 1000 +
           (int64_t)(ticks % (unsigned long long)hz) * 1000 / hz;
}

/* Assert @p o's status, count, oldest pid and its start (@p start ticks
 * after the fake boot; 0 with pid 0 or without btime), and no error; a
 * difference is named on stderr with @p what. */
static void check_stats(const struct process_watch_stats *o, const char *what,
                        enum process_watch_status status, uint32_t count,
                        int32_t pid, unsigned long long start, int with_btime)
{
    int64_t want_ms = pid && with_btime ? start_ms(start) : 0;
    CU_ASSERT_EQUAL(o->status, status);
    CU_ASSERT_EQUAL(o->count, count);
    CU_ASSERT_EQUAL(o->oldest_pid, pid);
    CU_ASSERT_EQUAL(o->oldest_start_ms, want_ms);
    CU_ASSERT_STRING_EQUAL(o->error, "");
    if (o->status != status || o->count != count || o->oldest_pid != pid ||
        o->oldest_start_ms != want_ms || o->error[0])
        fprintf(stderr, "\n    %s: status %d count %u pid %d start %lld '%s'\n", what,
                (int)o->status, o->count, (int)o->oldest_pid,
                (long long)o->oldest_start_ms, o->error);
}

#define RUNNING PROCESS_WATCH_RUNNING
#define NOT_RUNNING PROCESS_WATCH_NOT_RUNNING

/* An executable watch and what a scan of the tree finds for it: status,
 * count, the oldest's pid (0: none) and start (clock ticks after boot). */
struct exec_case {
    const char *name, *exe, *arg;
    unsigned min, max;
    enum process_watch_status status;
    uint32_t count;
    int32_t pid;
    unsigned long long start;
};

#define CASES_MAX 16

/* Scan the tree (made with or without btime) for the @p n watches of
 * @p cases at once, and check each result. */
static void scan_cases(const struct exec_case *cases, size_t n, int with_btime)
{
    struct config_process w[CASES_MAX];
    struct process_watch_stats out[CASES_MAX];
    CU_ASSERT_FATAL(n <= CASES_MAX);
    for (size_t i = 0; i < n; i++)
        w[i] = exec_watch(cases[i].name, cases[i].exe, cases[i].arg, cases[i].min,
                          cases[i].max);
    memset(out, 0xa5, sizeof out);
    int64_t before = ut_now_ms();
    CU_ASSERT_EQUAL_FATAL(process_watch_scan(proc, w, n, out), 0);
    int64_t after = ut_now_ms();
    for (size_t i = 0; i < n; i++) {
        const struct exec_case *c = &cases[i];
        check_stats(&out[i], c->name, c->status, c->count, c->pid, c->start, with_btime);
        CU_ASSERT_TRUE(out[i].read_ms >= before && out[i].read_ms <= after);
    }
}

static void test_executable(void)
{
    make_tree(1);
    static const struct exec_case cases[] = {
        /* 100 and 102 (deleted); not 105 (zombie) nor 106 (gone). */
        {"dispatcher", "dispatcher", "", 1, 0, RUNNING, 2, 102, 4000},
        /* 101 only: 110..113 have broken stats. */
        {"job_controller", "job_controller", "", 1, 1, RUNNING, 1, 101, 3000},
        /* Two where at most one may run. */
        {"one dispatcher", "dispatcher", "", 1, 1, NOT_RUNNING, 2, 102, 4000},
        /* comm: the first 15 bytes compared. */
        {"long name", "a_very_long_program_name", "", 1, 0, RUNNING, 1, 103, 6000},
        {"long name, other tail", "a_very_long_proXXX", "", 1, 0, RUNNING, 1, 103, 6000},
        {"comm itself", "a_very_long_pro", "", 1, 0, RUNNING, 1, 103, 6000},
        /* ") (" in the name: the start is field 22 after the last ')'. */
        {"tricky", "tricky ) (x", "", 1, 0, RUNNING, 1, 104, 777},
        /* None. */
        {"none", "postfix", "", 1, 0, NOT_RUNNING, 0, 0, 0},
        {"none is fine", "postfix", "", 0, 0, RUNNING, 0, 0, 0},
        {"three wanted", "dispatcher", "", 3, 0, NOT_RUNNING, 2, 102, 4000},
        {"prefix is not a match", "dispatch", "", 1, 0, NOT_RUNNING, 0, 0, 0},
    };
    scan_cases(cases, sizeof cases / sizeof cases[0], 1);
    ut_remove_tree(proc);
}

static void test_argument(void)
{
    make_tree(1);
    static const struct exec_case cases[] = {
        {"monitor", "python3.11", "monitor.py", 1, 0, RUNNING, 1, 107, 8000},
        {"any python", "python3.11", "", 1, 0, RUNNING, 3, 107, 8000},
        {"argv[0] not searched", "python3.11", "python3", 1, 0, NOT_RUNNING, 0, 0, 0},
        {"substring", "dispatcher", "config=/etc", 1, 0, RUNNING, 1, 100, 5000},
        {"whole argument", "python3.11", "--queue", 1, 0, RUNNING, 1, 107, 8000},
        {"no NUL at the end", "python3.11", "without-nul", 1, 0, RUNNING, 1, 109, 9100},
        /* The C string ends at its NUL: "py", in 107's and 108's script. */
        {"across arguments", "python3.11", "py\0--", 1, 0, RUNNING, 2, 107, 8000},
        {"comm and argument", "a_very_long_program_name", "--serve", 1, 0,
         RUNNING, 1, 103, 6000},
    };
    scan_cases(cases, sizeof cases / sizeof cases[0], 1);
    ut_remove_tree(proc);
}

static void test_pidfile(void)
{
    make_tree(1);
    static const struct { const char *file, *text; } pf[] = {
        {"ok", " 101\n"},
        {"zombie", "105\n"},
        {"gone", "106"},
        {"nosuch", "4242\n"},
        {"word", "abc\n"},
        {"negative", "-5\n"},
        {"zero", "0\n"},
        {"two", "101 102\n"},
        {"huge", "99999999999\n"},
        {"empty", ""},
        {"long", "101                                                              \n"},
        {"binary", "1\x01\n"},
        {"leading zero", "0101\n"},
    };
    size_t n = sizeof pf / sizeof pf[0];
    struct config_process w[16];
    char paths[16][128];
    for (size_t i = 0; i < n; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/%s.pid", files, pf[i].file);
        ut_write_file(paths[i], pf[i].text, strlen(pf[i].text));
        w[i] = pid_watch(pf[i].file, paths[i]);
    }
    snprintf(paths[n], sizeof paths[n], "%s/missing.pid", files);
    w[n] = pid_watch("missing", paths[n]);
    n++;
    struct process_watch_stats out[16];
    CU_ASSERT_EQUAL_FATAL(process_watch_scan(proc, w, n, out), 0);

    check_stats(&out[0], "ok", RUNNING, 1, 101, 3000, 1);

    char want[PROCESS_WATCH_ERROR_MAX];
    static const struct { size_t i; const char *what; } errs[] = {
        {1, "pid 105 is not running"},
        {2, "pid 106 is not running"},
        {3, "pid 4242 is not running"},
        {4, "holds no pid: \"abc\""},
        {5, "holds no pid: \"-5\""},
        {6, "holds no pid: \"0\""},
        {7, "holds no pid: \"101 102\""},
        {8, "holds no pid: \"99999999999\""},
        {9, "holds no pid: \"\""},
        {10, "longer than 63 bytes: not a pidfile"},
        {11, "holds no pid: \"1?\""},
        {12, "holds no pid: \"0101\""},
        {13, "No such file or directory"},
    };
    for (size_t k = 0; k < sizeof errs / sizeof errs[0]; k++) {
        size_t i = errs[k].i;
        snprintf(want, sizeof want, "%s: %s", paths[i], errs[k].what);
        CU_ASSERT_EQUAL(out[i].status, PROCESS_WATCH_NOT_RUNNING);
        CU_ASSERT_EQUAL(out[i].count, 0);
        CU_ASSERT_EQUAL(out[i].oldest_pid, 0);
        CU_ASSERT_STRING_EQUAL(out[i].error, want);
        if (strcmp(out[i].error, want) != 0)
            fprintf(stderr, "\n    got  '%s'\n    want '%s'\n", out[i].error, want);
    }
    ut_remove_tree(proc);
}

/* No btime: the oldest is still found, its start unknown (0). */
static void test_no_btime(void)
{
    make_tree(0);
    static const struct exec_case cases[] = {
        {"dispatcher", "dispatcher", "", 1, 0, RUNNING, 2, 102, 4000},
    };
    scan_cases(cases, 1, 0);
    ut_remove_tree(proc);
}

/* A PROC that cannot be read: -1, every watch NOT_RUNNING with why. */
static void test_no_proc(void)
{
    struct config_process w[] = {
        exec_watch("dispatcher", "dispatcher", "", 0, 0),
        pid_watch("pidfile", "/etc/hostname"),
    };
    struct process_watch_stats out[2];
    CU_ASSERT_EQUAL(process_watch_scan("/nonexistent-mtamon-proc", w, 2, out), -1);
    for (int i = 0; i < 2; i++) {
        CU_ASSERT_EQUAL(out[i].status, PROCESS_WATCH_NOT_RUNNING);
        CU_ASSERT_EQUAL(out[i].count, 0);
        CU_ASSERT_STRING_EQUAL(out[i].error,
                               "/nonexistent-mtamon-proc: No such file or directory");
    }
    /* No watches: nothing to fill, still 0. */
    CU_ASSERT_EQUAL(process_watch_scan("/proc", w, 0, out), 0);
    /* Neither pidfile nor executable (the loader refuses it): never running. */
    struct config_process bad = exec_watch("bad", "", "", 0, 0);
    CU_ASSERT_EQUAL(process_watch_scan("/proc", &bad, 1, out), 0);
    CU_ASSERT_EQUAL(out[0].status, PROCESS_WATCH_RUNNING);   /* min 0 */
    CU_ASSERT_EQUAL(out[0].count, 0);
    CU_ASSERT_STRING_EQUAL(out[0].error, "bad: neither pidfile nor executable given");
}

/* ------------------------------------------------------------------------ */
/* The real /proc                                                            */

/* Scan the real /proc for sleep with @p arg until its count is @p want
 * (5 s at most); returns the last result. */
static struct process_watch_stats wait_count(const char *arg, uint32_t want)
{
    struct config_process w[] = {exec_watch("sleeper", "sleep", arg, 1, 1)};
    struct process_watch_stats out[1];
    memset(out, 0, sizeof out);
    for (int i = 0; i < 500; i++) {
        CU_ASSERT_EQUAL(process_watch_scan("/proc", w, 1, out), 0);
        if (out[0].count == want)
            break;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return out[0];
}

/* Is our child @p pid a zombie yet (5 s at most)? */
static int wait_zombie(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    for (int i = 0; i < 500; i++) {
        FILE *f = fopen(path, "r");
        if (f) {
            size_t n = fread(buf, 1, sizeof buf - 1, f);
            fclose(f);
            buf[n] = '\0';
            char *p = strrchr(buf, ')');
            if (p && p[1] == ' ' && p[2] == 'Z')
                return 1;
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return 0;
}

static void test_real_child(void)
{
    /* An argument no other process has: sleep takes fractional seconds. */
    char arg[64];
    snprintf(arg, sizeof arg, "3600.%d", (int)getpid());
    int64_t before = ut_now_ms();
    pid_t pid = ut_fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        execlp("sleep", "sleep", arg, (char *)NULL);
        _exit(127);
    }
    struct process_watch_stats s = wait_count(arg, 1);
    CU_ASSERT_EQUAL(s.count, 1);
    CU_ASSERT_EQUAL(s.status, PROCESS_WATCH_RUNNING);
    CU_ASSERT_EQUAL(s.oldest_pid, pid);
    /* Its start: clock ticks, so within a tick or two of the fork. */
    CU_ASSERT_TRUE(s.oldest_start_ms >= before - 1000);
    CU_ASSERT_TRUE(s.oldest_start_ms <= ut_now_ms() + 1000);

    /* The argument must be one of sleep's. */
    struct config_process w[] = {exec_watch("other", "sleep", "3600.x", 0, 0)};
    struct process_watch_stats o[1];
    CU_ASSERT_EQUAL(process_watch_scan("/proc", w, 1, o), 0);
    CU_ASSERT_EQUAL(o[0].count, 0);

    /* Killed, not reaped: a zombie does not count. */
    CU_ASSERT_EQUAL(kill(pid, SIGKILL), 0);
    CU_ASSERT_TRUE(wait_zombie(pid));
    s = wait_count(arg, 0);
    CU_ASSERT_EQUAL(s.count, 0);
    CU_ASSERT_EQUAL(s.status, PROCESS_WATCH_NOT_RUNNING);
    CU_ASSERT_EQUAL(s.oldest_pid, 0);

    /* Reaped: gone. */
    CU_ASSERT_EQUAL(ut_wait(pid), 128 + SIGKILL);
    s = wait_count(arg, 0);
    CU_ASSERT_EQUAL(s.count, 0);
    CU_ASSERT_EQUAL(s.status, PROCESS_WATCH_NOT_RUNNING);
}

/* Our own pid in a pidfile: running, started before now. */
static void test_real_pidfile(void)
{
    char dir[] = "/tmp/mtamon-ut-pw.XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char path[64], text[32];
    snprintf(path, sizeof path, "%s/self.pid", dir);
    snprintf(text, sizeof text, "%d\n", (int)getpid());
    ut_write_file(path, text, strlen(text));
    struct config_process w[] = {pid_watch("self", path)};
    struct process_watch_stats out[1];
    CU_ASSERT_EQUAL(process_watch_scan("/proc", w, 1, out), 0);
    CU_ASSERT_EQUAL(out[0].status, PROCESS_WATCH_RUNNING);
    CU_ASSERT_EQUAL(out[0].count, 1);
    CU_ASSERT_EQUAL(out[0].oldest_pid, getpid());
    CU_ASSERT_TRUE(out[0].oldest_start_ms > 0);
    CU_ASSERT_TRUE(out[0].oldest_start_ms <= ut_now_ms() + 1000);
    CU_ASSERT_TRUE(out[0].oldest_start_ms >= ut_now_ms() - 3600 * 1000);

    /* A reaped child's pid: not running. */
    snprintf(text, sizeof text, "%d\n", (int)ut_dead_pid());
    ut_write_file(path, text, strlen(text));
    CU_ASSERT_EQUAL(process_watch_scan("/proc", w, 1, out), 0);
    CU_ASSERT_EQUAL(out[0].status, PROCESS_WATCH_NOT_RUNNING);
    CU_ASSERT_PTR_NOT_NULL(strstr(out[0].error, "is not running"));
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    static const struct unit_test tests[] = {
        {"executable: exe, deleted, comm, zombie, gone, min/max", test_executable},
        {"argument: argv[1..] only", test_argument},
        {"pidfile: trimmed, validated, zombie, errors", test_pidfile},
        {"no btime: start unknown", test_no_btime},
        {"unreadable PROC and bad watches", test_no_proc},
        {"real /proc: a child by name and argument, zombie, reaped", test_real_child},
        {"real /proc: our own pidfile", test_real_pidfile},
        {NULL, NULL},
    };
    return unit_main("process_watch", tests);
}
