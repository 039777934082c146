/*
 * show_interval.c - `counters show --interval`: one line per channel and
 * report with the per-second rates since the previous report (text), or
 * one JSON document per report (JSON Lines); and how two snapshots are
 * compared: a re-created segment or a clear restarts every counter, a
 * channel that went down restarts its own, a new channel counted from
 * zero.
 */
#include <inttypes.h>
#include <string.h>

#include "cli.h"
#include "interval.h"

const char *show_interval_restart(const struct mtamon_snapshot *before,
                                  const struct mtamon_snapshot *now, int restarted)
{
    if (restarted || before->generation != now->generation)
        return "the segment was re-created";
    if (before->cleared_ms != now->cleared_ms)
        return "the counters were cleared";
    return NULL;
}

const struct mtamon_channel_stats *
show_interval_before(const struct mtamon_snapshot *before,
                     const struct mtamon_channel_stats *ch)
{
    const struct mtamon_channel_stats *b = cli_channel_by_index(before, ch->index);
    /* A retired slot used again holds another channel. */
    if (!b || b->created_ms != ch->created_ms || strcmp(b->name, ch->name) != 0)
        return NULL;
    return b;
}

int show_interval_rates(const struct mtamon_channel_stats *before,
                        const struct mtamon_channel_stats *now, int64_t elapsed_ms,
                        double rates[MTAMON_COUNTER_COUNT])
{
    for (int k = 0; k < MTAMON_COUNTER_COUNT; k++)
        if (interval_rate(before ? before->c[k] : 0, now->c[k], elapsed_ms, &rates[k]) != 0)
            return -1;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Text                                                                      */

/* The rate columns, and the totals after them. */
static const struct {
    const char *heading;
    enum mtamon_counter counter;
} rate_columns[] = {
    {"RCVD/S", MTAMON_RECEIVED_MSGS},
    {"DLVD/S", MTAMON_DELIVERED_MSGS},
    {"FAIL/S", MTAMON_FAILED_MSGS},
    {"RJCT/S", MTAMON_REJECTED_MSGS},
    {"ATMP/S", MTAMON_ATTEMPTED_MSGS},
};
#define N_RATE_COLUMNS (sizeof rate_columns / sizeof rate_columns[0])

static int is_shown(const struct show_interval_report *r, uint32_t i)
{
    return !r->selected || r->selected[i];
}

static void text_header(FILE *out, int name_w)
{
    fprintf(out, "%-8s  %-*s", "TIME", name_w, "CHANNEL");
    for (size_t k = 0; k < N_RATE_COLUMNS; k++)
        fprintf(out, " %8s", rate_columns[k].heading);
    fprintf(out, " %8s %10s %10s %8s\n", "STORED", "RECEIVED", "DELIVERED", "FAILED");
}

int show_interval_text(FILE *out, const struct show_interval_report *r, int *name_w)
{
    char clock[INTERVAL_CLOCK_MAX];
    interval_clock(r->wall_ms, clock, sizeof clock);
    if (r->deleted) {
        fprintf(out, "%-8s  segment %s was deleted: waiting for a new one\n", clock,
                r->segment);
        return ferror(out) ? -1 : 0;
    }
    if (r->restart)
        fprintf(out, "%-8s  counters restarted: %s\n", clock, r->restart);
    for (size_t g = 0; g < r->n_gone; g++)
        fprintf(out, "%-8s  channel %s is gone\n", clock, r->gone[g]);
    for (uint32_t i = 0; i < r->snap->n_channels; i++)
        if (is_shown(r, i) && r->rows[i].went_down)
            fprintf(out, "%-8s  counters restarted: channel %s's counters went down\n",
                    clock, r->snap->channels[i].name);

    const struct mtamon_snapshot *s = r->snap;
    int w = *name_w < 7 ? 7 : *name_w;   /* "CHANNEL" */
    for (uint32_t i = 0; i < s->n_channels; i++)
        if (is_shown(r, i) && (int)strlen(s->channels[i].name) > w)
            w = (int)strlen(s->channels[i].name);
    /* The heading at the start, and again when a longer name widens it. */
    if (r->headers && w != *name_w)
        text_header(out, w);
    *name_w = w;
    for (uint32_t i = 0; i < s->n_channels; i++) {
        if (!is_shown(r, i))
            continue;
        const struct mtamon_channel_stats *ch = &s->channels[i];
        const struct show_interval_row *row = &r->rows[i];
        fprintf(out, "%-8s  %-*s", clock, w, ch->name);
        for (size_t k = 0; k < N_RATE_COLUMNS; k++) {
            if (row->have_rates)
                fprintf(out, " %8.2f", row->rates[rate_columns[k].counter]);
            else
                fprintf(out, " %8s", "-");
        }
        fprintf(out, " %8" PRId64 " %10" PRIu64 " %10" PRIu64 " %8" PRIu64 "\n",
                ch->stored_msgs, ch->c[MTAMON_RECEIVED_MSGS], ch->c[MTAMON_DELIVERED_MSGS],
                ch->c[MTAMON_FAILED_MSGS]);
    }
    return ferror(out) ? -1 : 0;
}

/* ------------------------------------------------------------------------ */
/* JSON Lines                                                                */

static void json_rates(FILE *out, const struct show_interval_row *row)
{
    if (!row->have_rates) {
        fputs("null", out);
        return;
    }
    fputc('{', out);
    for (int k = 0; k < MTAMON_COUNTER_COUNT; k++) {
        fputs(k ? ", " : "", out);
        show_json_string(out, mtamon_counter_name((enum mtamon_counter)k));
        fprintf(out, ": %.3f", row->rates[k]);
    }
    fputc('}', out);
}

static void json_channel(FILE *out, const struct mtamon_channel_stats *ch,
                         const struct show_interval_row *row)
{
    fprintf(out, "{\"index\": %" PRIu32 ", \"name\": ", ch->index);
    show_json_string(out, ch->name);
    fputs(", \"counters\": {", out);
    for (int k = 0; k < MTAMON_COUNTER_COUNT; k++) {
        fputs(k ? ", " : "", out);
        show_json_string(out, mtamon_counter_name((enum mtamon_counter)k));
        fprintf(out, ": %" PRIu64, ch->c[k]);
    }
    fprintf(out, "}, \"stored\": {\"messages\": %" PRId64 ", \"recipients\": %" PRId64
                 ", \"volume\": %" PRId64 "}, \"rates\": ",
            ch->stored_msgs, ch->stored_rcpts, ch->stored_volume);
    json_rates(out, row);
    fputc('}', out);
}

int show_interval_json(FILE *out, const struct show_interval_report *r)
{
    char when[CLI_TIME_MAX];
    cli_time_utc(r->wall_ms, when, sizeof when);
    fputs("{\"time\": ", out);
    show_json_string(out, when);
    fprintf(out, ", \"report\": %" PRIu64 ", \"elapsed_s\": ", r->number);
    if (r->elapsed_ms < 0)
        fputs("null", out);
    else
        fprintf(out, "%" PRId64 ".%03d", r->elapsed_ms / 1000, (int)(r->elapsed_ms % 1000));
    fputs(", \"segment\": ", out);
    show_json_string(out, r->segment);
    fprintf(out, ", \"deleted\": %s", r->deleted ? "true" : "false");
    if (r->deleted || !r->snap)
        fputs(", \"generation\": null", out);
    else
        fprintf(out, ", \"generation\": \"%016" PRIx64 "\"", r->snap->generation);
    fputs(", \"restart\": ", out);
    if (r->restart)
        show_json_string(out, r->restart);
    else
        fputs("null", out);
    fputs(", \"channels\": [", out);
    int first = 1;
    for (uint32_t i = 0; !r->deleted && r->snap && i < r->snap->n_channels; i++) {
        if (!is_shown(r, i))
            continue;
        fputs(first ? "" : ", ", out);
        json_channel(out, &r->snap->channels[i], &r->rows[i]);
        first = 0;
    }
    fputs("], \"gone\": [", out);
    for (size_t g = 0; g < r->n_gone; g++) {
        fputs(g ? ", " : "", out);
        show_json_string(out, r->gone[g]);
    }
    fputs("]}\n", out);
    return ferror(out) ? -1 : 0;
}
