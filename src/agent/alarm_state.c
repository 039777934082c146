/*
 * alarm_state.c - the alarm engine as mtamond's state file (see
 * alarm_state.h): a document of alarm_file.h that borrows the engine's
 * and the configuration's strings, written to memory, then to the file.
 */
#include "alarm_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alarm_file.h"
#include "atomic_file.h"

static void fill_row(struct alarm_file_row *out, struct alarm_row *r)
{
    *out = (struct alarm_file_row){
        .object = r->object,
        .state = (enum alarm_file_state)r->state,
        .has_value = r->has_value,
        .value = r->value,
        .has_last_value = r->raised_ms != 0 || r->cleared_ms != 0,
        .last_value = r->last_value,
        .raises = r->raises,
        .clears = r->clears,
        .resends = r->resends,
        .last_raise_ms = r->raised_ms,
        .last_clear_ms = r->cleared_ms,
        .last_check_ms = r->last_check_ms,
        .sent = r->sent,
        .failed = r->failed,
        .suppressed = r->suppressed,
        .present = r->present != 0,
    };
}

static void fill_alarm(struct alarm_file_alarm *out, size_t i, const struct config_alarm *c)
{
    *out = (struct alarm_file_alarm){
        .index = (uint32_t)(i + 1),
        .name = c->name,
        .kind = (char *)config_alarm_kind_name(c->kind),
        .severity = (char *)config_alarm_severity_name(c->severity),
        .raise = c->raise,
        .clear = c->clear,
        .interval_s = c->interval_s,
        .for_s = c->for_s,
        .resend_s = c->resend_s,
    };
}

/* The JSON text of the state (malloc'd), or NULL on ENOMEM. */
static char *state_text(const alarm_engine *e, const struct config *conf, int64_t wall_ms,
                        unsigned pending, size_t *len)
{
    struct alarm_row *const *rows;
    size_t n_rows = alarm_engine_rows(e, &rows);
    struct alarm_totals t = alarm_engine_totals(e);
    char host[ALARM_FILE_NAME_MAX + 1] = "";
    if (gethostname(host, sizeof host) != 0)
        host[0] = '\0';
    host[sizeof host - 1] = '\0';

    struct alarm_file doc = {
        .written_ms = wall_ms,
        .host = host,
        .sent = t.sent,
        .failed = t.failed,
        .suppressed = t.suppressed,
        .summaries = t.summaries,
        .pending = pending,
        .last_sequence = t.last_sequence,
        .n_alarms = conf->n_alarms,
    };
    /* Each alarm's rows: a slice of one array, in the engine's order. */
    doc.alarms = calloc(conf->n_alarms ? conf->n_alarms : 1, sizeof *doc.alarms);
    struct alarm_file_row *all = calloc(n_rows ? n_rows : 1, sizeof *all);
    char *text = NULL;
    FILE *f = NULL;
    if (!doc.alarms || !all)
        goto out;
    for (size_t i = 0; i < conf->n_alarms; i++)
        fill_alarm(&doc.alarms[i], i, &conf->alarms[i]);
    size_t used = 0;
    for (size_t i = 0; i < conf->n_alarms; i++) {
        doc.alarms[i].rows = all + used;
        for (size_t k = 0; k < n_rows; k++)
            if (rows[k]->alarm == i)
                fill_row(&all[used + doc.alarms[i].n_rows++], rows[k]);
        used += doc.alarms[i].n_rows;
    }
    f = open_memstream(&text, len);
    if (!f)
        goto out;
    if (alarm_file_write_json(f, &doc) != 0) {
        fclose(f);
        free(text);
        text = NULL;
        goto out;
    }
    if (fclose(f) != 0) {
        free(text);
        text = NULL;
    }
out:
    free(all);
    free(doc.alarms);
    return text;
}

int alarm_state_write(const char *path, const alarm_engine *e, const struct config *conf,
                      int64_t wall_ms, unsigned pending, char *err, size_t errlen)
{
    size_t len = 0;
    char *text = state_text(e, conf, wall_ms, pending, &len);
    if (!text) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    int rc = atomic_file_write(path, 0644, text, len, err, errlen);
    free(text);
    return rc;
}
