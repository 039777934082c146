/*
 * sim_model.h - the small MTA that `mtamon simulate` plays.
 *
 * Inbound SMTP associations open on tcp_local (the internet),
 * tcp_intranet or tcp_submit (authenticated submission), hand over one or
 * more messages, and close.  Each message is enqueued to a destination
 * channel (ims-ms, lmtp, conversion, tcp_local for relay, bitbucket) or
 * rejected.  Every channel has its own queue; queued messages are later
 * delivered, mostly on the first attempt, some after temporary failures,
 * some fail for good.  Mail for tcp_local goes out over outbound
 * associations to remote hosts, which now and then cannot be reached.
 * Conversion converts and re-enqueues to ims-ms.  Each step writes
 * exactly one event.  Addresses come from the documentation ranges (RFC
 * 5737) only.
 */
#ifndef MTAMON_SIM_MODEL_H
#define MTAMON_SIM_MODEL_H

#include <stdint.h>

#include "mtamon.h"
#include "sim_rng.h"

enum sim_channel {
    CH_TCP_LOCAL, CH_TCP_INTRANET, CH_TCP_SUBMIT, CH_IMS_MS, CH_LMTP,
    CH_CONVERSION, CH_BITBUCKET, CH_COUNT
};

enum sim_event {
    EV_ENQUEUE, EV_REJECT, EV_DEQUEUE, EV_TEMPFAIL, EV_FAIL, EV_CONVERT,
    EV_LOOP, EV_ASSOC_OPEN, EV_ASSOC_CLOSE, EV_ASSOC_REJECT, EV_ASSOC_FAIL,
    EV_COUNT
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

struct sim_session {
    int open;
    mtamon_assoc assoc;
    enum sim_channel channel;
    uint32_t left; /* messages still to transfer on it */
};

struct sim {
    mtamon_t *m;
    struct sim_rng rng;
    mtamon_channel_t ch[CH_COUNT];
    struct sim_queue queue[CH_COUNT];
    struct sim_session in, out;
    uint64_t events[EV_COUNT];
    uint64_t total;
};

/** The names of the channels and of the events, by enum value. */
extern const char *const sim_model_channel_names[CH_COUNT];
extern const char *const sim_model_event_names[EV_COUNT];

/**
 * Write exactly one event.  @p remaining counts the events the budget
 * still allows, this one included: an association is only opened when
 * there is room to close it again.  The library's result.
 */
mtamon_result sim_model_step(struct sim *s, uint64_t remaining);

/** Messages waiting in every queue. */
uint32_t sim_model_queued(const struct sim *s);

/** Close the open associations (a run stopped early). */
mtamon_result sim_model_close_sessions(struct sim *s);

#endif /* MTAMON_SIM_MODEL_H */
