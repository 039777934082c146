/*
 * show_json.c - `counters show --json`: the whole snapshot as one JSON
 * object, for scripts and monitoring glue.
 */
#include <inttypes.h>

#include "cli.h"

void show_json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7f)
            fprintf(out, "\\u%04x", (unsigned)*p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

/* @p before (the text up to the value: ",\n  \"key\": "), then @p s as a
 * JSON string. */
static void json_string(FILE *out, const char *before, const char *s)
{
    fputs(before, out);
    show_json_string(out, s);
}

/* @p before (the text up to the value: ",\n  \"key\": "), then the time
 * @p ms as an ISO-8601 UTC string, or null for "never". */
static void json_time(FILE *out, const char *before, int64_t ms)
{
    char buf[CLI_TIME_MAX];
    fputs(before, out);
    if (cli_time_utc(ms, buf, sizeof buf) != 0)
        fputs("null", out);
    else
        show_json_string(out, buf);
}

static void json_counters(FILE *out, const uint64_t *c)
{
    fputs("{", out);
    for (int k = 0; k < MTAMON_COUNTER_COUNT; k++) {
        fputs(k ? ", " : "", out);
        show_json_string(out, mtamon_counter_name((enum mtamon_counter)k));
        fprintf(out, ": %" PRIu64, c[k]);
    }
    fputs("}", out);
}

static void json_status_codes(FILE *out, const struct mtamon_channel_stats *ch)
{
    fputs("[", out);
    for (unsigned i = 0; i < ch->n_status && i < MTAMON_STATUS_SLOTS; i++) {
        const struct mtamon_status_count *s = &ch->status[i];
        char code[16];
        cli_status_text(s->code, code, sizeof code);
        fprintf(out, "%s\n        {\"code\": ", i ? "," : "");
        show_json_string(out, code);
        fprintf(out, ", \"mta_status_code\": %" PRIu32 ", \"inbound\": %" PRIu64
                     ", \"internal\": %" PRIu64 ", \"outbound\": %" PRIu64 "}",
                s->code, s->inbound, s->internal, s->outbound);
    }
    fputs(ch->n_status ? "\n      ]" : "]", out);
}

static void json_channel(FILE *out, const struct mtamon_channel_stats *ch)
{
    fprintf(out, "    {\n      \"index\": %" PRIu32 ",\n      \"name\": ", ch->index);
    show_json_string(out, ch->name);
    json_time(out, ",\n      \"created\": ", ch->created_ms);
    fputs(",\n      \"counters\": ", out);
    json_counters(out, ch->c);
    fprintf(out, ",\n      \"stored\": {\"messages\": %" PRId64 ", \"recipients\": %" PRId64
                 ", \"volume\": %" PRId64 "}",
            ch->stored_msgs, ch->stored_rcpts, ch->stored_volume);
    fprintf(out, ",\n      \"associations\": {\"inbound_current\": %" PRId64
                 ", \"outbound_current\": %" PRId64 "}",
            ch->in_assocs_current, ch->out_assocs_current);
    json_time(out, ",\n      \"last_inbound_activity\": ", ch->last_inbound_ms);
    json_time(out, ",\n      \"last_outbound_activity\": ", ch->last_outbound_ms);
    json_time(out, ",\n      \"last_outbound_attempt\": ", ch->last_outbound_attempt_ms);
    json_string(out, ",\n      \"last_rejection_reason\": ", ch->last_rejection_reason);
    json_string(out, ",\n      \"last_connect_failure\": ", ch->last_connect_failure);
    fputs(",\n      \"status_codes\": ", out);
    json_status_codes(out, ch);
    fputs("\n    }", out);
}

static void json_assoc(FILE *out, const struct mtamon_assoc_stats *a,
                       const struct mtamon_channel_stats *ch)
{
    fprintf(out, "    {\"entry\": %" PRIu32 ", \"channel\": ", a->entry);
    show_json_string(out, ch->name);
    fprintf(out, ", \"direction\": \"%s\", \"remote\": ",
            a->direction == MTAMON_INBOUND ? "inbound" : "outbound");
    show_json_string(out, a->remote);
    fprintf(out, ", \"pid\": %" PRId32, a->pid);
    json_time(out, ", \"started\": ", a->start_ms);
    fputs("}", out);
}

int show_json(FILE *out, const struct mtamon_snapshot *snap,
              const struct show_request *req)
{
    json_string(out, "{\n  \"segment\": ", req->segment);
    fprintf(out, ",\n  \"generation\": \"%016" PRIx64 "\"", snap->generation);
    json_time(out, ",\n  \"created\": ", snap->created_ms);
    json_time(out, ",\n  \"cleared\": ", snap->cleared_ms);
    json_time(out, ",\n  \"taken\": ", snap->taken_ms);
    fprintf(out, ",\n  \"channel_capacity\": %" PRIu32
                 ",\n  \"association_capacity\": %" PRIu32
                 ",\n  \"block_size\": %" PRIu64 ",\n  \"channels\": [",
            snap->channel_capacity, snap->assoc_capacity, req->block_size);
    int first = 1;
    for (uint32_t i = 0; i < snap->n_channels; i++) {
        if (req->selected && !req->selected[i])
            continue;
        fputs(first ? "\n" : ",\n", out);
        json_channel(out, &snap->channels[i]);
        first = 0;
    }
    fputs(first ? "],\n  \"associations\": [" : "\n  ],\n  \"associations\": [", out);
    first = 1;
    for (uint32_t i = 0; i < snap->n_assocs; i++) {
        const struct mtamon_assoc_stats *a = &snap->assocs[i];
        const struct mtamon_channel_stats *ch = cli_channel_by_index(snap, a->channel);
        if (!ch || (req->selected && !req->selected[ch - snap->channels]))
            continue;
        fputs(first ? "\n" : ",\n", out);
        json_assoc(out, a, ch);
        first = 0;
    }
    fputs(first ? "]\n}\n" : "\n  ]\n}\n", out);
    return ferror(out) ? -1 : 0;
}
