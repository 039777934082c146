/*
 * simulate.c - `mtamon simulate`: realistic, repeatable mail traffic
 * written through libmtamon, for demos, tests and benchmarks.
 *
 * The model is a small MTA.  Inbound SMTP associations open on tcp_local
 * (the internet), tcp_intranet or tcp_submit (authenticated submission),
 * hand over one or more messages, and close.  Each message is enqueued to
 * a destination channel (ims-ms, lmtp, conversion, tcp_local for relay,
 * bitbucket) or rejected.  Every channel has its own queue; queued
 * messages are later delivered, mostly on the first attempt, some after
 * temporary failures, some fail for good.  Mail for tcp_local goes out
 * over outbound associations to remote hosts, which now and then cannot
 * be reached.  Conversion converts and re-enqueues to ims-ms.
 *
 * Each step writes exactly one event, so --events N writes N events; the
 * open associations are always closed before the budget runs out.
 * Addresses come from the documentation ranges (RFC 5737) only.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "cli.h"

/* ------------------------------------------------------------------------ */
/* Deterministic random numbers: xorshift64*, seeded through splitmix64.     */

struct rng {
    uint64_t state;
};

static void rng_seed(struct rng *r, uint64_t seed)
{
    uint64_t z = seed + UINT64_C(0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    z ^= z >> 31;
    r->state = z ? z : 1; /* xorshift must not start at 0 */
}

static uint64_t rng_next(struct rng *r)
{
    uint64_t x = r->state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->state = x;
    return x * UINT64_C(0x2545f4914f6cdd1d);
}

/* Uniform in [0, n), n > 0 (the modulo bias is irrelevant here). */
static uint32_t rng_below(struct rng *r, uint32_t n)
{
    return (uint32_t)((rng_next(r) >> 32) % n);
}

/* True with a probability of @p per_mille / 1000. */
static int chance(struct rng *r, uint32_t per_mille)
{
    return rng_below(r, 1000) < per_mille;
}

/* Uniform in [lo, hi]. */
static uint32_t rng_range(struct rng *r, uint32_t lo, uint32_t hi)
{
    return lo + rng_below(r, hi - lo + 1);
}

/* ------------------------------------------------------------------------ */
/* The model                                                                 */

enum sim_channel {
    CH_TCP_LOCAL, CH_TCP_INTRANET, CH_TCP_SUBMIT, CH_IMS_MS, CH_LMTP,
    CH_CONVERSION, CH_BITBUCKET, CH_COUNT
};

static const char *const channel_names[CH_COUNT] = {
    "tcp_local", "tcp_intranet", "tcp_submit", "ims-ms", "lmtp",
    "conversion", "bitbucket",
};

enum sim_event {
    EV_ENQUEUE, EV_REJECT, EV_DEQUEUE, EV_TEMPFAIL, EV_FAIL, EV_CONVERT,
    EV_LOOP, EV_ASSOC_OPEN, EV_ASSOC_CLOSE, EV_ASSOC_REJECT, EV_ASSOC_FAIL,
    EV_COUNT
};

static const char *const event_names[EV_COUNT] = {
    "enqueue", "reject", "dequeue", "tempfail", "fail", "convert",
    "loop", "assoc_open", "assoc_close", "assoc_reject", "assoc_fail",
};

/* What happens to a message the next time its queue is serviced. */
enum msg_next {
    NEXT_DELIVER,         /* a normal delivery attempt */
    NEXT_CONNECT_FAILED,  /* count the tempfail of a failed connection */
    NEXT_CONVERTED,       /* conversion done: re-enqueue the result */
    NEXT_REINJECTED,      /* result re-enqueued: dequeue the original */
    NEXT_CONVERT_FAILED,  /* conversion failed: return the message */
};

struct sim_msg {
    uint32_t recipients;
    uint32_t attempts;  /* failed delivery attempts so far */
    uint64_t volume;
    int64_t queue_ms;   /* simulated time spent in the queue so far */
    enum msg_next next;
};

/* One queue per channel, a ring of SIM_QUEUE_MAX messages. */
#define SIM_QUEUE_MAX 1024
struct sim_queue {
    struct sim_msg msg[SIM_QUEUE_MAX];
    uint32_t head, len;
};

/* Service queues whenever more than this many messages wait in all... */
#define SIM_BACKLOG_HIGH 60
/* ...and only now and then below it: a backlog stays (Stored > 0). */
#define SIM_BACKLOG_LOW 8
/* Failed attempts after which a message expires (is returned). */
#define SIM_MAX_ATTEMPTS 4

struct sim_session {
    int open;
    mtamon_assoc assoc;
    enum sim_channel channel;
    uint32_t left; /* messages still to transfer on it */
};

struct sim {
    mtamon_t *m;
    struct rng rng;
    mtamon_channel_t ch[CH_COUNT];
    struct sim_queue queue[CH_COUNT];
    struct sim_session in, out;
    uint64_t events[EV_COUNT];
    uint64_t total;
};

/* Count a written event; pass the library's result through. */
static mtamon_result wrote(struct sim *s, enum sim_event ev, mtamon_result rc)
{
    if (rc == MTAMON_OK) {
        s->events[ev]++;
        s->total++;
    }
    return rc;
}

static uint32_t queued_total(const struct sim *s)
{
    uint32_t n = 0;
    for (int c = 0; c < CH_COUNT; c++)
        n += s->queue[c].len;
    return n;
}

static struct sim_msg *queue_front(struct sim_queue *q)
{
    return &q->msg[q->head];
}

static void queue_pop(struct sim_queue *q)
{
    q->head = (q->head + 1) % SIM_QUEUE_MAX;
    q->len--;
}

static int queue_push(struct sim_queue *q, const struct sim_msg *msg)
{
    if (q->len == SIM_QUEUE_MAX)
        return -1;
    q->msg[(q->head + q->len) % SIM_QUEUE_MAX] = *msg;
    q->len++;
    return 0;
}

/* Put the front message back at the end of its queue (it waits to retry). */
static void queue_requeue_front(struct sim_queue *q)
{
    struct sim_msg msg = *queue_front(q);
    queue_pop(q);
    queue_push(q, &msg);
}

static uint32_t draw_recipients(struct rng *r)
{
    uint32_t roll = rng_below(r, 1000);
    if (roll < 700)
        return 1;
    if (roll < 900)
        return rng_range(r, 2, 3);
    if (roll < 980)
        return rng_range(r, 4, 10);
    return rng_range(r, 11, 50);
}

static uint64_t draw_volume(struct rng *r)
{
    uint32_t roll = rng_below(r, 1000);
    if (roll < 600)
        return rng_range(r, 1500, 10000);
    if (roll < 900)
        return rng_range(r, 10000, 100000);
    if (roll < 990)
        return rng_range(r, 100000, 1000000);
    return rng_range(r, 1000000, 10000000);
}

/* Time a delivery takes once it is tried: a few hundred ms to seconds,
 * most of them short. */
static int64_t draw_service_ms(struct rng *r)
{
    uint32_t a = rng_range(r, 120, 4000), b = rng_range(r, 120, 4000);
    return a < b ? a : b;
}

/* Time until the next attempt after a temporary failure. */
static int64_t draw_retry_ms(struct rng *r)
{
    return (int64_t)rng_range(r, 30, 900) * 1000;
}

/* A TEST-NET address: 192.0.2.x inside, 198.51.100.x / 203.0.113.x out. */
static void draw_address(struct rng *r, int internal, char *buf, size_t len)
{
    static const char *const outside[] = {"198.51.100", "203.0.113"};
    const char *net = internal ? "192.0.2" : outside[rng_below(r, 2)];
    snprintf(buf, len, "%s.%u", net, (unsigned)rng_range(r, 1, 254));
}

/* ------------------------------------------------------------------------ */
/* Associations                                                              */

static mtamon_result session_close(struct sim *s, struct sim_session *ses)
{
    ses->open = 0;
    return wrote(s, EV_ASSOC_CLOSE, mtamon_assoc_close(s->m, &ses->assoc));
}

/* A client connects to us.  @p may_open is 0 when the event budget has no
 * room left to close an association again: the client is refused then. */
static mtamon_result inbound_connect(struct sim *s, int may_open)
{
    struct rng *r = &s->rng;
    uint32_t roll = rng_below(r, 1000);
    enum sim_channel src = roll < 550 ? CH_TCP_LOCAL
                           : roll < 750 ? CH_TCP_INTRANET : CH_TCP_SUBMIT;
    char remote[MTAMON_REMOTE_MAX + 1];
    draw_address(r, src == CH_TCP_INTRANET || (src == CH_TCP_SUBMIT && chance(r, 500)),
                 remote, sizeof remote);

    if (!may_open || (src == CH_TCP_LOCAL && chance(r, 30))) {
        char reason[MTAMON_REASON_MAX + 1];
        snprintf(reason, sizeof reason,
                 "554 5.7.1 client host [%s] blocked using dnsbl.example.org", remote);
        return wrote(s, EV_ASSOC_REJECT,
                     mtamon_assoc_reject(s->m, s->ch[src], mtamon_status_make(5, 7, 1), reason));
    }
    s->in.channel = src;
    /* Mostly one message per connection, now and then a batch. */
    s->in.left = chance(r, 650) ? 1 : rng_range(r, 2, chance(r, 900) ? 4 : 12);
    mtamon_result rc = mtamon_assoc_open(s->m, s->ch[src], MTAMON_INBOUND, remote,
                                         &s->in.assoc);
    if (rc == MTAMON_OK)
        s->in.open = 1;
    return wrote(s, EV_ASSOC_OPEN, rc);
}

/* Where a message that arrived on @p src is going. */
static enum sim_channel draw_destination(struct rng *r, enum sim_channel src)
{
    uint32_t roll = rng_below(r, 1000);
    switch (src) {
    case CH_TCP_LOCAL:
        return roll < 800 ? CH_IMS_MS : roll < 860 ? CH_LMTP
               : roll < 970 ? CH_CONVERSION : CH_BITBUCKET;
    case CH_TCP_INTRANET:
        return roll < 500 ? CH_IMS_MS : roll < 900 ? CH_TCP_LOCAL : CH_CONVERSION;
    default: /* submission: mostly mail to the outside */
        return roll < 600 ? CH_TCP_LOCAL : roll < 930 ? CH_IMS_MS : CH_CONVERSION;
    }
}

/* The connected client hands over its next message. */
static mtamon_result inbound_message(struct sim *s)
{
    struct rng *r = &s->rng;
    enum sim_channel src = s->in.channel;
    mtamon_channel_t ch = s->ch[src];
    s->in.left--;

    struct sim_msg msg = {draw_recipients(r), 0, draw_volume(r), 0, NEXT_DELIVER};
    enum sim_channel dst = draw_destination(r, src);
    char reason[MTAMON_REASON_MAX + 1];

    if (src == CH_TCP_LOCAL && chance(r, 20)) {
        snprintf(reason, sizeof reason, "550 5.7.1 relaying denied: <user%u@example.net>",
                 (unsigned)rng_below(r, 1000));
        return wrote(s, EV_REJECT, mtamon_reject(s->m, ch, msg.recipients, msg.volume,
                                                 mtamon_status_make(5, 7, 1), reason));
    }
    if (src != CH_TCP_SUBMIT && chance(r, 25)) {
        snprintf(reason, sizeof reason,
                 "550 5.1.1 <user%u@example.com>: user unknown", (unsigned)rng_below(r, 1000));
        return wrote(s, EV_REJECT, mtamon_reject(s->m, ch, msg.recipients, msg.volume,
                                                 mtamon_status_make(5, 1, 1), reason));
    }
    if (src != CH_TCP_SUBMIT && chance(r, 2))
        return wrote(s, EV_LOOP, mtamon_loop(s->m, ch));
    if (s->queue[dst].len == SIM_QUEUE_MAX) {
        /* The model's queue is full: the MTA would be out of spool too. */
        return wrote(s, EV_REJECT, mtamon_reject(s->m, ch, msg.recipients, msg.volume,
                                                 mtamon_status_make(4, 3, 1),
                                                 "452 4.3.1 insufficient system storage"));
    }
    mtamon_result rc = mtamon_enqueue(s->m, ch, s->ch[dst], msg.recipients, msg.volume);
    if (rc == MTAMON_OK)
        queue_push(&s->queue[dst], &msg);
    return wrote(s, EV_ENQUEUE, rc);
}

/* ------------------------------------------------------------------------ */
/* Deliveries                                                                */

static mtamon_result deliver(struct sim *s, enum sim_channel c)
{
    struct sim_queue *q = &s->queue[c];
    struct sim_msg *msg = queue_front(q);
    int64_t queue_ms = msg->queue_ms + draw_service_ms(&s->rng);
    mtamon_result rc = mtamon_dequeue(s->m, s->ch[c], msg->recipients, msg->volume,
                                      msg->attempts == 0, queue_ms);
    if (rc == MTAMON_OK)
        queue_pop(q);
    return wrote(s, EV_DEQUEUE, rc);
}

static mtamon_result tempfail(struct sim *s, enum sim_channel c, mtamon_status_code code)
{
    struct sim_queue *q = &s->queue[c];
    struct sim_msg *msg = queue_front(q);
    mtamon_result rc = mtamon_tempfail(s->m, s->ch[c], msg->recipients, msg->volume, code);
    if (rc == MTAMON_OK) {
        msg->attempts++;
        msg->queue_ms += draw_retry_ms(&s->rng);
        msg->next = NEXT_DELIVER;
        queue_requeue_front(q);
    }
    return wrote(s, EV_TEMPFAIL, rc);
}

static mtamon_result fail(struct sim *s, enum sim_channel c, mtamon_status_code code)
{
    struct sim_queue *q = &s->queue[c];
    struct sim_msg *msg = queue_front(q);
    mtamon_result rc = mtamon_fail(s->m, s->ch[c], msg->recipients, msg->volume, code);
    if (rc == MTAMON_OK)
        queue_pop(q);
    return wrote(s, EV_FAIL, rc);
}

/* One attempt at the front of the tcp_local queue over the open outbound
 * association. */
static mtamon_result deliver_remote(struct sim *s)
{
    struct rng *r = &s->rng;
    s->out.left--;
    uint32_t roll = rng_below(r, 1000);
    if (roll < 30)
        return tempfail(s, CH_TCP_LOCAL, mtamon_status_make(4, 2, 2)); /* remote mailbox full */
    if (roll < 55)
        return tempfail(s, CH_TCP_LOCAL, mtamon_status_make(4, 7, 1)); /* greylisted */
    if (roll < 75)
        return fail(s, CH_TCP_LOCAL, mtamon_status_make(5, 1, 1));     /* remote user unknown */
    return deliver(s, CH_TCP_LOCAL);
}

/* The front of the tcp_local queue needs a connection to its remote host. */
static mtamon_result remote_connect(struct sim *s, int may_open)
{
    struct rng *r = &s->rng;
    struct sim_msg *msg = queue_front(&s->queue[CH_TCP_LOCAL]);
    char remote[MTAMON_REMOTE_MAX + 1];
    draw_address(r, 0, remote, sizeof remote);

    if (chance(r, 10)) /* no MX, no A: cannot be routed at all */
        return fail(s, CH_TCP_LOCAL, mtamon_status_make(5, 4, 4));
    if (!may_open)
        return tempfail(s, CH_TCP_LOCAL, mtamon_status_make(4, 4, 1));
    if (chance(r, 40)) {
        char reason[MTAMON_REASON_MAX + 1];
        snprintf(reason, sizeof reason, "connect to mx%u.example.net[%s]:25: %s",
                 (unsigned)rng_range(r, 1, 3), remote,
                 chance(r, 500) ? "Connection timed out" : "Connection refused");
        mtamon_result rc = mtamon_assoc_fail(s->m, s->ch[CH_TCP_LOCAL], mtamon_status_make(4, 4, 1),
                                             reason);
        if (rc == MTAMON_OK)
            msg->next = NEXT_CONNECT_FAILED; /* its tempfail is the next event */
        return wrote(s, EV_ASSOC_FAIL, rc);
    }
    s->out.channel = CH_TCP_LOCAL;
    s->out.left = rng_range(r, 1, 6);
    mtamon_result rc = mtamon_assoc_open(s->m, s->ch[CH_TCP_LOCAL], MTAMON_OUTBOUND,
                                         remote, &s->out.assoc);
    if (rc == MTAMON_OK)
        s->out.open = 1;
    return wrote(s, EV_ASSOC_OPEN, rc);
}

/* The conversion channel converts, re-enqueues the result to ims-ms, then
 * dequeues the original: three events for one message. */
static mtamon_result convert_step(struct sim *s)
{
    struct sim_queue *q = &s->queue[CH_CONVERSION];
    struct sim_msg *msg = queue_front(q);
    mtamon_channel_t conv = s->ch[CH_CONVERSION];
    mtamon_result rc;
    switch (msg->next) {
    case NEXT_CONVERTED:
        if (s->queue[CH_IMS_MS].len == SIM_QUEUE_MAX)
            return tempfail(s, CH_CONVERSION, mtamon_status_make(4, 3, 1));
        rc = mtamon_enqueue(s->m, conv, s->ch[CH_IMS_MS], msg->recipients, msg->volume);
        if (rc == MTAMON_OK) {
            struct sim_msg copy = {msg->recipients, 0, msg->volume, 0, NEXT_DELIVER};
            queue_push(&s->queue[CH_IMS_MS], &copy);
            msg->next = NEXT_REINJECTED;
        }
        return wrote(s, EV_ENQUEUE, rc);
    case NEXT_REINJECTED:
        return deliver(s, CH_CONVERSION);
    case NEXT_CONVERT_FAILED:
        return fail(s, CH_CONVERSION, mtamon_status_make(5, 6, 3));
    default: {
        int ok = !chance(&s->rng, 40);
        rc = mtamon_convert(s->m, conv, ok);
        if (rc == MTAMON_OK)
            msg->next = ok ? NEXT_CONVERTED : NEXT_CONVERT_FAILED;
        return wrote(s, EV_CONVERT, rc);
    }
    }
}

/* A queue, chosen with a weight of its length (there is mail queued). */
static enum sim_channel draw_queue(struct sim *s)
{
    uint32_t pick = rng_below(&s->rng, queued_total(s));
    int c = 0;
    while (pick >= s->queue[c].len) {
        pick -= s->queue[c].len;
        c++;
    }
    return (enum sim_channel)c;
}

/* The next attempt at the front message of one queue. */
static mtamon_result service_queue(struct sim *s, int may_open)
{
    struct rng *r = &s->rng;
    enum sim_channel c = draw_queue(s);
    struct sim_msg *msg = queue_front(&s->queue[c]);

    if (msg->next == NEXT_CONNECT_FAILED)
        return tempfail(s, c, mtamon_status_make(4, 4, 1));
    if (msg->attempts >= SIM_MAX_ATTEMPTS)
        return fail(s, c, mtamon_status_make(5, 4, 7)); /* delivery time expired */
    switch (c) {
    case CH_TCP_LOCAL:
        /* Reuse the connection that is open, as an MTA would. */
        return s->out.open ? deliver_remote(s) : remote_connect(s, may_open);
    case CH_CONVERSION:
        return convert_step(s);
    case CH_BITBUCKET:
        return deliver(s, c);
    default: { /* ims-ms, lmtp: the message store */
        uint32_t roll = rng_below(r, 1000);
        if (roll < 50)
            return tempfail(s, c, mtamon_status_make(4, 2, 2)); /* mailbox full */
        if (roll < 60)
            return fail(s, c, mtamon_status_make(5, 1, 1));     /* mailbox gone */
        return deliver(s, c);
    }
    }
}

/*
 * Write exactly one event.  @p remaining counts the events the budget still
 * allows, this one included: an association is only opened when there is
 * room to close it again.
 */
static mtamon_result sim_step(struct sim *s, uint64_t remaining)
{
    uint64_t open = (uint64_t)s->in.open + (uint64_t)s->out.open;
    int may_open = remaining > open + 1;

    if (open && remaining <= open)
        return session_close(s, s->out.open ? &s->out : &s->in);
    if (s->out.open && (s->out.left == 0 || s->queue[CH_TCP_LOCAL].len == 0 ||
                        queue_front(&s->queue[CH_TCP_LOCAL])->next != NEXT_DELIVER))
        return session_close(s, &s->out);
    if (s->out.open && chance(&s->rng, 500))
        return deliver_remote(s);
    if (s->in.open && s->in.left == 0)
        return session_close(s, &s->in);
    if (s->in.open && chance(&s->rng, 600))
        return inbound_message(s);

    uint32_t queued = queued_total(s);
    if (queued > SIM_BACKLOG_HIGH ||
        (queued > SIM_BACKLOG_LOW && chance(&s->rng, 400)) ||
        (queued > 0 && s->in.open == 0 && !may_open && chance(&s->rng, 900)))
        return service_queue(s, may_open);
    if (!s->in.open)
        return inbound_connect(s, may_open);
    return inbound_message(s);
}

/* ------------------------------------------------------------------------ */
/* Running                                                                   */

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: a signal must cut a sleep short. */
    if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0)
        return -1;
    return 0;
}

static double monotonic_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_seconds(double secs)
{
    struct timespec ts;
    ts.tv_sec = (time_t)secs;
    ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
    nanosleep(&ts, NULL); /* EINTR: a signal; the loop checks it */
}

struct sim_options {
    uint64_t events;  /* budget; UINT64_MAX = until the duration ends */
    double duration;  /* seconds, 0 = no limit */
    double rate;      /* events per second, 0 = as fast as possible */
    uint64_t seed;
    int create;
};

/* Write events until the budget, the duration or a signal ends the run. */
static mtamon_result sim_run(struct sim *s, const struct sim_options *o)
{
    double start = monotonic_seconds();
    while (s->total < o->events && !stop_requested) {
        uint64_t due = o->events;
        double elapsed = monotonic_seconds() - start;
        if (o->duration > 0.0 && elapsed >= o->duration)
            break;
        if (o->rate > 0.0) {
            double want = o->rate * elapsed;
            due = want < (double)o->events ? (uint64_t)want : o->events;
        }
        /* A batch; check for signals every few thousand events. */
        for (unsigned n = 0; s->total < due && n < 4096 && !stop_requested; n++) {
            mtamon_result rc = sim_step(s, o->events - s->total);
            if (rc != MTAMON_OK)
                return rc;
        }
        if (o->rate > 0.0 && s->total >= due) {
            double next = (double)(s->total + 1) / o->rate - elapsed;
            sleep_seconds(next > 0.1 ? 0.1 : next < 0.001 ? 0.001 : next);
        }
    }
    /* Stopped early (signal, duration): leave no association open. */
    mtamon_result rc = s->out.open ? session_close(s, &s->out) : MTAMON_OK;
    if (s->in.open && rc == MTAMON_OK)
        rc = session_close(s, &s->in);
    return rc;
}

static void print_summary(const struct sim *s, const char *segment, uint64_t seed)
{
    printf("simulated %llu events on %s (seed %llu):",
           (unsigned long long)s->total, segment, (unsigned long long)seed);
    for (int e = 0; e < EV_COUNT; e++)
        printf(" %s=%llu", event_names[e], (unsigned long long)s->events[e]);
    printf("; %u messages left queued; reattached=%llu\n", (unsigned)queued_total(s),
           (unsigned long long)mtamon_reattached(s->m));
}

void cli_simulate_usage(FILE *out)
{
    fprintf(out,
            "usage: mtamon [--segment NAME] simulate [--events N] [--duration SECONDS]\n"
            "                                [--rate EVENTS_PER_SEC] [--seed N] [--create]\n"
            "\n"
            "  --events N        write N events and stop (default 10000; with\n"
            "                    --duration: no limit)\n"
            "  --duration SECS   run that long at --rate, then stop\n"
            "  --rate N          events per second (default 1000 with --duration)\n"
            "  --seed N          random seed: the same seed writes the same traffic\n"
            "  --create          create the segment if it does not exist\n");
}

static int parse_options(int argc, char **argv, struct sim_options *o)
{
    static const struct option opts[] = {
        {"events", required_argument, NULL, 'n'},
        {"duration", required_argument, NULL, 'd'},
        {"rate", required_argument, NULL, 'r'},
        {"seed", required_argument, NULL, 's'},
        {"create", no_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int have_events = 0, have_rate = 0;
    int c;
    optind = 0; /* full getopt re-initialisation (GNU) */
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (parse_uint_range(optarg, 0, UINT64_MAX - 1, &o->events) != 0)
                return cli_usage_error(cli_simulate_usage,
                                       "--events must be a count, not '%s'", optarg);
            have_events = 1;
            break;
        case 'd':
            if (cli_parse_positive(optarg, &o->duration) != 0)
                return cli_usage_error(cli_simulate_usage,
                                       "--duration must be seconds > 0, not '%s'", optarg);
            break;
        case 'r':
            if (cli_parse_positive(optarg, &o->rate) != 0)
                return cli_usage_error(cli_simulate_usage,
                                       "--rate must be events per second > 0, not '%s'",
                                       optarg);
            have_rate = 1;
            break;
        case 's':
            if (parse_uint_range(optarg, 0, UINT64_MAX, &o->seed) != 0)
                return cli_usage_error(cli_simulate_usage,
                                       "--seed must be a number, not '%s'", optarg);
            break;
        case 'c':
            o->create = 1;
            break;
        case 'h':
            cli_simulate_usage(stdout);
            return -1;
        default:
            return cli_option_error(cli_simulate_usage, "simulate", c, argv);
        }
    }
    if (optind < argc)
        return cli_usage_error(cli_simulate_usage, "simulate: unexpected argument '%s'",
                               argv[optind]);
    if (!have_events)
        o->events = o->duration > 0.0 ? UINT64_MAX : 10000;
    if (o->duration > 0.0 && !have_rate)
        o->rate = 1000.0;
    return EX_OK;
}

/* Open the segment and register the model's channels. */
static int sim_open(struct sim *s, const char *segment, int create)
{
    struct mtamon_error err = {MTAMON_OK, ""};
    s->m = mtamon_open(segment, create ? MTAMON_OPEN_CREATE : 0, NULL, &err);
    if (!s->m)
        return cli_report(&err);
    for (int c = 0; c < CH_COUNT; c++) {
        if (mtamon_channel(s->m, channel_names[c], &s->ch[c], &err) != MTAMON_OK) {
            mtamon_close(s->m);
            s->m = NULL;
            return cli_report(&err);
        }
    }
    return EX_OK;
}

int cli_simulate(const char *segment, int argc, char **argv)
{
    struct sim_options o = {0, 0.0, 0.0, 1, 0};
    int status = parse_options(argc, argv, &o);
    if (status < 0)
        return EX_OK; /* --help */
    if (status != EX_OK)
        return status;

    struct sim *s = calloc(1, sizeof *s);
    if (!s) {
        cli_errorf("out of memory");
        return EX_OSERR;
    }
    rng_seed(&s->rng, o.seed);
    status = sim_open(s, segment, o.create);
    if (status != EX_OK) {
        free(s);
        return status;
    }
    if (install_signals() != 0) {
        cli_errorf("cannot install signal handlers: %s", strerror(errno));
        mtamon_close(s->m);
        free(s);
        return EX_OSERR;
    }

    mtamon_result rc = sim_run(s, &o);
    if (rc != MTAMON_OK) {
        /* Only a channel that stopped being valid gets here: the segment
         * was damaged under us. */
        cli_errorf("simulate: writing an event to %s failed: %s",
                   mtamon_segment_name(segment), mtamon_strerror(rc));
        status = EX_SOFTWARE;
    }
    print_summary(s, mtamon_segment_name(segment), o.seed);
    mtamon_close(s->m);
    free(s);
    return status;
}
