/*
 * sim_model.c - the small MTA `mtamon simulate` plays (see sim_model.h):
 * sessions, queues, deliveries, each step one libmtamon event.
 */
#include <stdio.h>
#include <string.h>

#include "sim_model.h"

const char *const sim_model_channel_names[CH_COUNT] = {
    "tcp_local", "tcp_intranet", "tcp_submit", "ims-ms", "lmtp",
    "conversion", "bitbucket",
};


const char *const sim_model_event_names[EV_COUNT] = {
    "enqueue", "reject", "dequeue", "tempfail", "fail", "convert",
    "loop", "assoc_open", "assoc_close", "assoc_reject", "assoc_fail",
};




/* Service queues whenever more than this many messages wait in all... */
#define SIM_BACKLOG_HIGH 60
/* ...and only now and then below it: a backlog stays (Stored > 0). */
#define SIM_BACKLOG_LOW 8
/* Failed attempts after which a message expires (is returned). */
#define SIM_MAX_ATTEMPTS 4



/* Count a written event; pass the library's result through. */
static mtamon_result wrote(struct sim *s, enum sim_event ev, mtamon_result rc)
{
    if (rc == MTAMON_OK) {
        s->events[ev]++;
        s->total++;
    }
    return rc;
}

uint32_t sim_model_queued(const struct sim *s)
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

static uint32_t draw_recipients(struct sim_rng *r)
{
    uint32_t roll = sim_rng_below(r, 1000);
    if (roll < 700)
        return 1;
    if (roll < 900)
        return sim_rng_range(r, 2, 3);
    if (roll < 980)
        return sim_rng_range(r, 4, 10);
    return sim_rng_range(r, 11, 50);
}

static uint64_t draw_volume(struct sim_rng *r)
{
    uint32_t roll = sim_rng_below(r, 1000);
    if (roll < 600)
        return sim_rng_range(r, 1500, 10000);
    if (roll < 900)
        return sim_rng_range(r, 10000, 100000);
    if (roll < 990)
        return sim_rng_range(r, 100000, 1000000);
    return sim_rng_range(r, 1000000, 10000000);
}

/* Time a delivery takes once it is tried: a few hundred ms to seconds,
 * most of them short. */
static int64_t draw_service_ms(struct sim_rng *r)
{
    uint32_t a = sim_rng_range(r, 120, 4000), b = sim_rng_range(r, 120, 4000);
    return a < b ? a : b;
}

/* Time until the next attempt after a temporary failure. */
static int64_t draw_retry_ms(struct sim_rng *r)
{
    return (int64_t)sim_rng_range(r, 30, 900) * 1000;
}

/* A TEST-NET address: 192.0.2.x inside, 198.51.100.x / 203.0.113.x out. */
static void draw_address(struct sim_rng *r, int internal, char *buf, size_t len)
{
    static const char *const outside[] = {"198.51.100", "203.0.113"};
    const char *net = internal ? "192.0.2" : outside[sim_rng_below(r, 2)];
    snprintf(buf, len, "%s.%u", net, (unsigned)sim_rng_range(r, 1, 254));
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
    struct sim_rng *r = &s->rng;
    uint32_t roll = sim_rng_below(r, 1000);
    enum sim_channel src = roll < 550 ? CH_TCP_LOCAL
                           : roll < 750 ? CH_TCP_INTRANET : CH_TCP_SUBMIT;
    char remote[MTAMON_REMOTE_MAX + 1];
    draw_address(r, src == CH_TCP_INTRANET || (src == CH_TCP_SUBMIT && sim_rng_chance(r, 500)),
                 remote, sizeof remote);

    if (!may_open || (src == CH_TCP_LOCAL && sim_rng_chance(r, 30))) {
        char reason[MTAMON_REASON_MAX + 1];
        snprintf(reason, sizeof reason,
                 "554 5.7.1 client host [%s] blocked using dnsbl.example.org", remote);
        return wrote(s, EV_ASSOC_REJECT,
                     mtamon_assoc_reject(s->m, s->ch[src], mtamon_status_make(5, 7, 1), reason));
    }
    s->in.channel = src;
    /* Mostly one message per connection, now and then a batch. */
    s->in.left = sim_rng_chance(r, 650) ? 1 : sim_rng_range(r, 2, sim_rng_chance(r, 900) ? 4 : 12);
    mtamon_result rc = mtamon_assoc_open(s->m, s->ch[src], MTAMON_INBOUND, remote,
                                         &s->in.assoc);
    if (rc == MTAMON_OK)
        s->in.open = 1;
    return wrote(s, EV_ASSOC_OPEN, rc);
}

/* Where a message that arrived on @p src is going. */
static enum sim_channel draw_destination(struct sim_rng *r, enum sim_channel src)
{
    uint32_t roll = sim_rng_below(r, 1000);
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
    struct sim_rng *r = &s->rng;
    enum sim_channel src = s->in.channel;
    mtamon_channel_t ch = s->ch[src];
    s->in.left--;

    struct sim_msg msg = {draw_recipients(r), 0, draw_volume(r), 0, NEXT_DELIVER};
    enum sim_channel dst = draw_destination(r, src);
    char reason[MTAMON_REASON_MAX + 1];

    if (src == CH_TCP_LOCAL && sim_rng_chance(r, 20)) {
        snprintf(reason, sizeof reason, "550 5.7.1 relaying denied: <user%u@example.net>",
                 (unsigned)sim_rng_below(r, 1000));
        return wrote(s, EV_REJECT, mtamon_reject(s->m, ch, msg.recipients, msg.volume,
                                                 mtamon_status_make(5, 7, 1), reason));
    }
    if (src != CH_TCP_SUBMIT && sim_rng_chance(r, 25)) {
        snprintf(reason, sizeof reason,
                 "550 5.1.1 <user%u@example.com>: user unknown", (unsigned)sim_rng_below(r, 1000));
        return wrote(s, EV_REJECT, mtamon_reject(s->m, ch, msg.recipients, msg.volume,
                                                 mtamon_status_make(5, 1, 1), reason));
    }
    if (src != CH_TCP_SUBMIT && sim_rng_chance(r, 2))
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
    struct sim_rng *r = &s->rng;
    s->out.left--;
    uint32_t roll = sim_rng_below(r, 1000);
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
    struct sim_rng *r = &s->rng;
    struct sim_msg *msg = queue_front(&s->queue[CH_TCP_LOCAL]);
    char remote[MTAMON_REMOTE_MAX + 1];
    draw_address(r, 0, remote, sizeof remote);

    if (sim_rng_chance(r, 10)) /* no MX, no A: cannot be routed at all */
        return fail(s, CH_TCP_LOCAL, mtamon_status_make(5, 4, 4));
    if (!may_open)
        return tempfail(s, CH_TCP_LOCAL, mtamon_status_make(4, 4, 1));
    if (sim_rng_chance(r, 40)) {
        char reason[MTAMON_REASON_MAX + 1];
        snprintf(reason, sizeof reason, "connect to mx%u.example.net[%s]:25: %s",
                 (unsigned)sim_rng_range(r, 1, 3), remote,
                 sim_rng_chance(r, 500) ? "Connection timed out" : "Connection refused");
        mtamon_result rc = mtamon_assoc_fail(s->m, s->ch[CH_TCP_LOCAL], mtamon_status_make(4, 4, 1),
                                             reason);
        if (rc == MTAMON_OK)
            msg->next = NEXT_CONNECT_FAILED; /* its tempfail is the next event */
        return wrote(s, EV_ASSOC_FAIL, rc);
    }
    s->out.channel = CH_TCP_LOCAL;
    s->out.left = sim_rng_range(r, 1, 6);
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
        int ok = !sim_rng_chance(&s->rng, 40);
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
    uint32_t pick = sim_rng_below(&s->rng, sim_model_queued(s));
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
    struct sim_rng *r = &s->rng;
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
        uint32_t roll = sim_rng_below(r, 1000);
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
mtamon_result sim_model_step(struct sim *s, uint64_t remaining)
{
    uint64_t open = (uint64_t)s->in.open + (uint64_t)s->out.open;
    int may_open = remaining > open + 1;

    if (open && remaining <= open)
        return session_close(s, s->out.open ? &s->out : &s->in);
    if (s->out.open && (s->out.left == 0 || s->queue[CH_TCP_LOCAL].len == 0 ||
                        queue_front(&s->queue[CH_TCP_LOCAL])->next != NEXT_DELIVER))
        return session_close(s, &s->out);
    if (s->out.open && sim_rng_chance(&s->rng, 500))
        return deliver_remote(s);
    if (s->in.open && s->in.left == 0)
        return session_close(s, &s->in);
    if (s->in.open && sim_rng_chance(&s->rng, 600))
        return inbound_message(s);

    uint32_t queued = sim_model_queued(s);
    if (queued > SIM_BACKLOG_HIGH ||
        (queued > SIM_BACKLOG_LOW && sim_rng_chance(&s->rng, 400)) ||
        (queued > 0 && s->in.open == 0 && !may_open && sim_rng_chance(&s->rng, 900)))
        return service_queue(s, may_open);
    if (!s->in.open)
        return inbound_connect(s, may_open);
    return inbound_message(s);
}

mtamon_result sim_model_close_sessions(struct sim *s)
{
    mtamon_result rc = s->out.open ? session_close(s, &s->out) : MTAMON_OK;
    if (s->in.open && rc == MTAMON_OK)
        rc = session_close(s, &s->in);
    return rc;
}
