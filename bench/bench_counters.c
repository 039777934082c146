/*
 * bench_counters.c - cost of libmtamon's event calls, against a raw
 * relaxed atomic add measured in the same run on the same machine.
 *
 *   bench_counters [--events N] [--runs R]
 *
 * Prints, per event kind, the median and best ns per call of one writer,
 * then aggregate events/s of 1, 2 and 4 writer processes on one channel,
 * each next to the raw reference and as a ratio.  Nothing is asserted:
 * this is a benchmark, not a test.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mtamon.h"

#define MAX_RUNS 31

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct fixture {
    mtamon_t *m;
    mtamon_channel_t in, out;
    _Atomic uint64_t *raw; /* the reference counter, in shared memory */
};

enum kind {
    RAW_ADD, ENQUEUE, DEQUEUE_FIRST, DEQUEUE_RETRY, TEMPFAIL, REJECT_BARE, REJECT,
    FAIL, ASSOC_OPEN_CLOSE, MIX, KIND_COUNT
};

static const char *const kind_names[KIND_COUNT] = {
    [RAW_ADD] = "raw atomic add (reference)",
    [ENQUEUE] = "enqueue",
    [DEQUEUE_FIRST] = "dequeue, first attempt",
    [DEQUEUE_RETRY] = "dequeue, after retries",
    [TEMPFAIL] = "tempfail (with status)",
    [REJECT_BARE] = "reject (status, no reason)",
    [REJECT] = "reject (status + reason text)",
    [FAIL] = "fail (with status)",
    [ASSOC_OPEN_CLOSE] = "association open+close (pair)",
    [MIX] = "typical mix per event",
};

/* Run @p n events of @p kind; returns the number of library calls. */
static long run_events(const struct fixture *f, enum kind kind, long n)
{
    const mtamon_status_code busy = 4002002, unknown = 5001001;
    long calls = 0;
    for (long i = 0; i < n; i++) {
        switch (kind) {
        case RAW_ADD:
            atomic_fetch_add_explicit(f->raw, 1, memory_order_relaxed);
            calls++;
            break;
        case ENQUEUE:
            mtamon_enqueue(f->m, f->in, f->out, 2, 4096);
            calls++;
            break;
        case DEQUEUE_FIRST:
            mtamon_dequeue(f->m, f->out, 2, 4096, 1, 350);
            calls++;
            break;
        case DEQUEUE_RETRY:
            mtamon_dequeue(f->m, f->out, 2, 4096, 0, 90000);
            calls++;
            break;
        case TEMPFAIL:
            mtamon_tempfail(f->m, f->out, 1, 4096, busy);
            calls++;
            break;
        case REJECT_BARE:
            mtamon_reject(f->m, f->in, 1, 0, unknown, NULL);
            calls++;
            break;
        case REJECT:
            mtamon_reject(f->m, f->in, 1, 0, unknown, "5.1.1 user unknown");
            calls++;
            break;
        case FAIL:
            mtamon_fail(f->m, f->out, 1, 4096, unknown);
            calls++;
            break;
        case ASSOC_OPEN_CLOSE: {
            mtamon_assoc a;
            mtamon_assoc_open(f->m, f->in, MTAMON_INBOUND, "192.0.2.1", &a);
            mtamon_assoc_close(f->m, &a);
            calls++;
            break;
        }
        case MIX:
            /* A message's life: enqueue, then delivery; every 8th is retried
             * once first.  Counted as the events it is made of. */
            mtamon_enqueue(f->m, f->in, f->out, 2, 4096);
            if ((i & 7) == 0) {
                mtamon_tempfail(f->m, f->out, 2, 4096, busy);
                mtamon_dequeue(f->m, f->out, 2, 4096, 0, 60000);
                calls += 3;
            } else {
                mtamon_dequeue(f->m, f->out, 2, 4096, 1, 200);
                calls += 2;
            }
            break;
        case KIND_COUNT:
            break;
        }
    }
    return calls;
}

/* Median and best of @p runs timings of @p n events: ns per call. */
static void time_single(const struct fixture *f, enum kind kind, long n, int runs,
                        double *median, double *best)
{
    double t[MAX_RUNS] = {0};
    run_events(f, kind, n / 10); /* warm caches and page tables */
    for (int r = 0; r < runs; r++) {
        double t0 = now_ns();
        long calls = run_events(f, kind, n);
        t[r] = (now_ns() - t0) / (double)calls;
    }
    qsort(t, (size_t)runs, sizeof t[0], compare_double);
    *median = t[runs / 2];
    *best = t[0];
}

/* Aggregate events/s of @p writers processes doing @p n events each. */
static double time_parallel(const struct fixture *f, enum kind kind, int writers, long n)
{
    int go[2];
    if (pipe(go) != 0)
        return 0;
    pid_t pid[8];
    for (int w = 0; w < writers; w++) {
        pid[w] = fork();
        if (pid[w] == 0) {
            char c;
            close(go[1]);
            if (read(go[0], &c, 1) < 0)
                _exit(2);
            run_events(f, kind, n);
            _exit(0);
        }
    }
    close(go[0]);
    double t0 = now_ns();
    close(go[1]); /* EOF releases every writer at once */
    int ok = 1;
    for (int w = 0; w < writers; w++) {
        int status;
        if (pid[w] < 0 || waitpid(pid[w], &status, 0) < 0 || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0)
            ok = 0;
    }
    double secs = (now_ns() - t0) / 1e9;
    return ok ? (double)writers * (double)n / secs : 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_counters [--events N] [--runs R]\n");
}

int main(int argc, char **argv)
{
    long events = 5000000;
    int runs = 9;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--events") == 0 && i + 1 < argc)
            events = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
            runs = (int)strtol(argv[++i], NULL, 10);
        else {
            usage();
            return 64;
        }
    }
    if (events < 1000 || runs < 1 || runs > MAX_RUNS) {
        usage();
        return 64;
    }

    char name[64];
    snprintf(name, sizeof name, "/mtamon-bench-%d", (int)getpid());
    struct mtamon_error err;
    struct fixture f = {0};
    f.m = mtamon_open(name, MTAMON_OPEN_CREATE | MTAMON_OPEN_EXCL, NULL, &err);
    if (!f.m) {
        fprintf(stderr, "bench_counters: %s\n", err.message);
        return 1;
    }
    f.raw = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (f.raw == MAP_FAILED || mtamon_channel(f.m, "tcp_local", &f.in, &err) != MTAMON_OK ||
        mtamon_channel(f.m, "ims-ms", &f.out, &err) != MTAMON_OK) {
        fprintf(stderr, "bench_counters: setup failed: %s\n", err.message);
        mtamon_unlink(name, NULL);
        return 1;
    }

    printf("libmtamon event cost, one writer (%ld events x %d runs)\n", events, runs);
    printf("%-32s %12s %12s %10s\n", "event", "median ns", "best ns", "x raw add");
    double raw_median = 0, raw_best = 0;
    time_single(&f, RAW_ADD, events, runs, &raw_median, &raw_best);
    for (int k = 0; k < KIND_COUNT; k++) {
        double median = raw_median, best = raw_best;
        if (k != RAW_ADD)
            time_single(&f, (enum kind)k, events, runs, &median, &best);
        printf("%-32s %12.2f %12.2f %10.2f\n", kind_names[k], median, best,
               median / raw_median);
    }

    printf("\nAggregate throughput, writers on one channel (%ld events each)\n", events);
    printf("%-10s %18s %18s %10s\n", "writers", "enqueue ev/s", "raw add ev/s",
           "x raw add");
    const int counts[] = {1, 2, 4};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        double lib = time_parallel(&f, ENQUEUE, counts[i], events);
        double raw = time_parallel(&f, RAW_ADD, counts[i], events);
        printf("%-10d %18.0f %18.0f %10.2f\n", counts[i], lib, raw,
               lib > 0 ? raw / lib : 0.0);
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    printf("(%ld online CPUs: with more writers than CPUs the writers take turns)\n",
           cores);

    mtamon_close(f.m);
    mtamon_unlink(name, NULL);
    return 0;
}
