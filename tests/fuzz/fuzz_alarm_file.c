/*
 * fuzz_alarm_file.c - fuzz target for alarm_file_parse(), which reads
 * mtamond's alarm state file for `mtamon alarms` (written by mtamond, but
 * read by whoever runs the command, and holding channel names from the
 * counter segment).
 *
 * Invariants: a failure leaves *out NULL and gives one line that starts
 * with the file name; a success gives a document within the documented
 * bounds which, written with alarm_file_write_json() and parsed again,
 * gives the same document and, written again, the same text.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alarm_file.h"
#include "fuzz.h"

const char fuzz_corpus[] = "alarm_file";

#define CHECK FUZZ_CHECK

static void check_doc(const struct alarm_file *d)
{
    fuzz_check_string(d->host, ALARM_FILE_NAME_MAX);
    CHECK(d->written_ms >= 0);
    CHECK(d->n_alarms == 0 || d->alarms != NULL);
    for (size_t i = 0; i < d->n_alarms; i++) {
        const struct alarm_file_alarm *a = &d->alarms[i];
        CHECK(a->index >= 1 && a->index <= 2147483647u);
        fuzz_check_string(a->name, ALARM_FILE_NAME_MAX);
        fuzz_check_string(a->kind, ALARM_FILE_NAME_MAX);
        fuzz_check_string(a->severity, ALARM_FILE_NAME_MAX);
        CHECK(isfinite(a->raise) && isfinite(a->clear));
        CHECK(a->n_rows == 0 || a->rows != NULL);
        for (size_t j = 0; j < a->n_rows; j++) {
            const struct alarm_file_row *r = &a->rows[j];
            fuzz_check_string(r->object, ALARM_FILE_OBJECT_MAX);
            CHECK(r->state >= ALARM_FILE_CLEAR && r->state <= ALARM_FILE_ACTIVE);
            CHECK(!r->has_value || isfinite(r->value));
            CHECK(!r->has_last_value || isfinite(r->last_value));
            CHECK(r->last_raise_ms >= 0 && r->last_clear_ms >= 0 && r->last_check_ms >= 0);
            CHECK(r->present == 0 || r->present == 1);
        }
    }
}

/* @p d as text (malloc'd). */
static char *text_of(const struct alarm_file *d, size_t *len)
{
    char *text = NULL;
    FILE *f = open_memstream(&text, len);
    CHECK(f != NULL);
    CHECK(alarm_file_write_json(f, d) == 0);
    CHECK(fclose(f) == 0);
    return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct alarm_file *d = (struct alarm_file *)&d;
    char err[512];
    memset(err, 'x', sizeof err);
    if (alarm_file_parse("fuzz.json", (const char *)data, size, &d, err, sizeof err) != 0) {
        CHECK(d == NULL);
        CHECK(memchr(err, '\0', sizeof err) != NULL);
        CHECK(strncmp(err, "fuzz.json: ", 11) == 0 || strncmp(err, "fuzz.json:", 10) == 0);
        CHECK(strchr(err, '\n') == NULL);
        return 0;
    }
    CHECK(d != NULL);
    check_doc(d);

    /* Out and back: the same document, and the same text again. */
    size_t len, len2;
    char *text = text_of(d, &len);
    struct alarm_file *back = NULL;
    if (alarm_file_parse("again.json", text, len, &back, err, sizeof err) != 0) {
        fprintf(stderr, "fuzz_alarm_file: its own output refused: %s\n", err);
        abort();
    }
    char *text2 = text_of(back, &len2);
    CHECK(len == len2 && memcmp(text, text2, len) == 0);
    CHECK(back->n_alarms == d->n_alarms && back->written_ms == d->written_ms &&
          strcmp(back->host, d->host) == 0 && back->sent == d->sent &&
          back->last_sequence == d->last_sequence);
    free(text);
    free(text2);
    alarm_file_free(back);
    alarm_file_free(d);
    return 0;
}
