/*
 * counter_names.c - stable names of the per-channel counters.
 */
#include "mtamon.h"

static const char *const counter_names[MTAMON_COUNTER_COUNT] = {
    [MTAMON_RECEIVED_MSGS] = "received_messages",
    [MTAMON_RECEIVED_RCPTS] = "received_recipients",
    [MTAMON_RECEIVED_VOLUME] = "received_volume",
    [MTAMON_DELIVERED_MSGS] = "delivered_messages",
    [MTAMON_DELIVERED_RCPTS] = "delivered_recipients",
    [MTAMON_DELIVERED_VOLUME] = "delivered_volume",
    [MTAMON_DELIVERED_FIRST_MSGS] = "delivered_first_messages",
    [MTAMON_SUBMITTED_MSGS] = "submitted_messages",
    [MTAMON_SUBMITTED_RCPTS] = "submitted_recipients",
    [MTAMON_SUBMITTED_VOLUME] = "submitted_volume",
    [MTAMON_ATTEMPTED_MSGS] = "attempted_messages",
    [MTAMON_ATTEMPTED_RCPTS] = "attempted_recipients",
    [MTAMON_ATTEMPTED_VOLUME] = "attempted_volume",
    [MTAMON_REJECTED_MSGS] = "rejected_messages",
    [MTAMON_REJECTED_RCPTS] = "rejected_recipients",
    [MTAMON_REJECTED_VOLUME] = "rejected_volume",
    [MTAMON_FAILED_MSGS] = "failed_messages",
    [MTAMON_FAILED_RCPTS] = "failed_recipients",
    [MTAMON_FAILED_VOLUME] = "failed_volume",
    [MTAMON_QUEUE_TIME_MS] = "queue_time_ms",
    [MTAMON_QUEUE_COUNT] = "queue_count",
    [MTAMON_QUEUE_FIRST_TIME_MS] = "queue_first_time_ms",
    [MTAMON_QUEUE_FIRST_COUNT] = "queue_first_count",
    [MTAMON_IN_ASSOCS] = "inbound_associations",
    [MTAMON_OUT_ASSOCS] = "outbound_associations",
    [MTAMON_IN_ASSOCS_CLOSED] = "inbound_associations_closed",
    [MTAMON_OUT_ASSOCS_CLOSED] = "outbound_associations_closed",
    [MTAMON_IN_ASSOCS_REJECTED] = "inbound_associations_rejected",
    [MTAMON_OUT_ASSOCS_FAILED] = "outbound_associations_failed",
    [MTAMON_CONVERTED_OK] = "converted_ok",
    [MTAMON_CONVERTED_FAILED] = "converted_failed",
    [MTAMON_LOOPS] = "loops_detected",
};

const char *mtamon_counter_name(enum mtamon_counter c)
{
    if ((unsigned)c >= MTAMON_COUNTER_COUNT)
        return "unknown";
    return counter_names[c];
}
