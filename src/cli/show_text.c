/*
 * show_text.c - `counters show` in the layout of Sun Messaging Server's
 * `imsimta counters -show`, plus what --all adds.
 */
#include <inttypes.h>

#include "cli.h"

static int is_selected(const struct show_request *req, uint32_t pos)
{
    return !req->selected || req->selected[pos];
}

/* Volume in blocks.  Stored volume can be negative: divide signed. */
static long long blocks_signed(int64_t volume, uint64_t block_size)
{
    return (long long)(volume / (int64_t)block_size);
}

static long long blocks(uint64_t volume, uint64_t block_size)
{
    return (long long)(volume / block_size);
}

static void row(FILE *out, const char *label, long long msgs, long long rcpts,
                long long blks)
{
    fprintf(out, "   %-9s%11lld%12lld%12lld", label, msgs, rcpts, blks);
}

/* One of the Received/Delivered/... rows from counters[first..first+2]. */
static void counter_row(FILE *out, const char *label, const uint64_t *c,
                        enum mtamon_counter first, uint64_t block_size)
{
    row(out, label, (long long)c[first], (long long)c[first + 1],
        blocks(c[first + 2], block_size));
    fputc('\n', out);
}

/* "Queue time/count  T/N = A": T in whole seconds, A the mean in seconds. */
static void queue_line(FILE *out, const char *label, uint64_t time_ms, uint64_t count)
{
    double average = count ? (double)time_ms / (double)count / 1000.0 : 0.0;
    fprintf(out, "   %-24s%llu/%llu = %.2f\n", label,
            (unsigned long long)(time_ms / 1000), (unsigned long long)count, average);
}

/* The --all extras of one channel, in the queue lines' label column. */
static void channel_extras(FILE *out, const struct mtamon_channel_stats *ch)
{
    char when[CLI_TIME_MAX];
    const uint64_t *c = ch->c;

    fputc('\n', out);
    fprintf(out, "   %-24s%" PRId64 "\n", "Current In Assocs", ch->in_assocs_current);
    fprintf(out, "   %-24s%" PRId64 "\n", "Current Out Assocs", ch->out_assocs_current);
    fprintf(out, "   %-24s%" PRIu64 "\n", "Rejected In Assocs", c[MTAMON_IN_ASSOCS_REJECTED]);
    fprintf(out, "   %-24s%" PRIu64 "\n", "Failed Out Assocs", c[MTAMON_OUT_ASSOCS_FAILED]);
    fprintf(out, "   %-24s%" PRIu64 "\n", "Converted OK", c[MTAMON_CONVERTED_OK]);
    fprintf(out, "   %-24s%" PRIu64 "\n", "Converted Failed", c[MTAMON_CONVERTED_FAILED]);
    fprintf(out, "   %-24s%" PRIu64 "\n", "Loops Detected", c[MTAMON_LOOPS]);
    cli_time_local(ch->last_inbound_ms, when, sizeof when);
    fprintf(out, "   %-24s%s\n", "Last Inbound Activity", when);
    cli_time_local(ch->last_outbound_ms, when, sizeof when);
    fprintf(out, "   %-24s%s\n", "Last Outbound Activity", when);
    cli_time_local(ch->last_outbound_attempt_ms, when, sizeof when);
    fprintf(out, "   %-24s%s\n", "Last Outbound Attempt", when);
    /* The library keeps reasons printable, so they are safe to print. */
    fprintf(out, "   %-24s%s\n", "Last Rejection Reason",
            ch->last_rejection_reason[0] ? ch->last_rejection_reason : "none");
    fprintf(out, "   %-24s%s\n", "Last Connect Failure",
            ch->last_connect_failure[0] ? ch->last_connect_failure : "none");
    for (unsigned i = 0; i < ch->n_status && i < MTAMON_STATUS_SLOTS; i++) {
        const struct mtamon_status_count *s = &ch->status[i];
        char code[16], label[32];
        cli_status_text(s->code, code, sizeof code);
        snprintf(label, sizeof label, "Status %s", code);
        fprintf(out, "   %-24sinbound %" PRIu64 ", internal %" PRIu64
                     ", outbound %" PRIu64 "\n",
                label, s->inbound, s->internal, s->outbound);
    }
}

static void channel_block(FILE *out, const struct mtamon_channel_stats *ch,
                          const struct show_request *req)
{
    const uint64_t *c = ch->c;
    uint64_t bs = req->block_size;

    fprintf(out, "%s\n", ch->name);
    counter_row(out, "Received", c, MTAMON_RECEIVED_MSGS, bs);
    row(out, "Stored", (long long)ch->stored_msgs, (long long)ch->stored_rcpts,
        blocks_signed(ch->stored_volume, bs));
    fputc('\n', out);
    row(out, "Delivered", (long long)c[MTAMON_DELIVERED_MSGS],
        (long long)c[MTAMON_DELIVERED_RCPTS], blocks(c[MTAMON_DELIVERED_VOLUME], bs));
    fprintf(out, " (%llu first time)\n", (unsigned long long)c[MTAMON_DELIVERED_FIRST_MSGS]);
    counter_row(out, "Submitted", c, MTAMON_SUBMITTED_MSGS, bs);
    counter_row(out, "Attempted", c, MTAMON_ATTEMPTED_MSGS, bs);
    counter_row(out, "Rejected", c, MTAMON_REJECTED_MSGS, bs);
    counter_row(out, "Failed", c, MTAMON_FAILED_MSGS, bs);
    fputc('\n', out);
    queue_line(out, "Queue time/count", c[MTAMON_QUEUE_TIME_MS], c[MTAMON_QUEUE_COUNT]);
    queue_line(out, "Queue first time/count", c[MTAMON_QUEUE_FIRST_TIME_MS],
               c[MTAMON_QUEUE_FIRST_COUNT]);
    if (req->associations) {
        fputc('\n', out);
        fprintf(out, "   %-16s%16llu\n", "Total In Assocs",
                (unsigned long long)c[MTAMON_IN_ASSOCS]);
        fprintf(out, "   %-16s%16llu\n", "Total Out Assocs",
                (unsigned long long)c[MTAMON_OUT_ASSOCS]);
    }
    if (req->all)
        channel_extras(out, ch);
}

static void segment_line(FILE *out, const struct mtamon_snapshot *snap,
                         const struct show_request *req)
{
    char created[CLI_TIME_MAX], cleared[CLI_TIME_MAX];
    cli_time_local(snap->created_ms, created, sizeof created);
    cli_time_local(snap->cleared_ms, cleared, sizeof cleared);
    fprintf(out, "Segment %s  generation %016" PRIx64 "  created %s  cleared %s  "
                 "channels %" PRIu32 "/%" PRIu32 "  associations %" PRIu32 "/%" PRIu32 "\n\n",
            req->segment, snap->generation, created, cleared, snap->n_channels,
            snap->channel_capacity, snap->n_assocs, snap->assoc_capacity);
}

/* The table of current associations; @p separate: a blank line first. */
static void assoc_table(FILE *out, const struct mtamon_snapshot *snap,
                        const struct show_request *req, int separate)
{
    const char *gap = separate ? "\n" : "";
    int any = 0;
    for (uint32_t i = 0; i < snap->n_assocs; i++) {
        const struct mtamon_assoc_stats *a = &snap->assocs[i];
        const struct mtamon_channel_stats *ch = cli_channel_by_index(snap, a->channel);
        if (!ch || !is_selected(req, (uint32_t)(ch - snap->channels)))
            continue;
        if (!any) {
            fprintf(out, "%sCurrent associations\n", gap);
            fprintf(out, "%7s  %-20s %-9s %-24s %8s  %s\n", "Entry", "Channel",
                    "Direction", "Remote", "PID", "Started");
            any = 1;
        }
        char started[CLI_TIME_MAX];
        cli_time_local(a->start_ms, started, sizeof started);
        fprintf(out, "%7" PRIu32 "  %-20s %-9s %-24s %8" PRId32 "  %s\n", a->entry,
                ch->name, a->direction == MTAMON_INBOUND ? "inbound" : "outbound",
                a->remote[0] ? a->remote : "-", a->pid, started);
    }
    if (!any)
        fprintf(out, "%sCurrent associations: none\n", gap);
}

int show_text(FILE *out, const struct mtamon_snapshot *snap,
              const struct show_request *req)
{
    if (req->all)
        segment_line(out, snap, req);
    if (req->headers) {
        fprintf(out, "Channel          Messages    Recipients    Blocks\n");
        fprintf(out, "-------          --------    ----------    -------\n");
    }
    int first = 1;
    for (uint32_t i = 0; req->channels && i < snap->n_channels; i++) {
        if (!is_selected(req, i))
            continue;
        if (!first)
            fputc('\n', out);
        channel_block(out, &snap->channels[i], req);
        first = 0;
    }
    if (req->all && req->associations)
        assoc_table(out, snap, req, req->headers || !first);
    return ferror(out) ? -1 : 0;
}
