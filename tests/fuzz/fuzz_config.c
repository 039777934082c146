/*
 * fuzz_config.c - fuzz target for config_load(), which reads mtamon.yaml
 * (written by an administrator, but read by a daemon started as root).
 *
 * config_load() takes a path, so each input is written to one memfd and
 * loaded through /proc/self/fd/N: no file system is touched and no API is
 * added for the fuzzer.
 *
 * Invariants: a failure leaves *out NULL and gives one line that starts
 * with the file name; a success gives a configuration whose every
 * documented promise holds (strings set, exactly one MTA row, applIndexes
 * unique and sorted, channels sorted by name with unique names and pinned
 * indexes, each found by config_channel_find(), values within range;
 * alarms with unique names, a known kind and its source, thresholds in
 * range and in the order their kind needs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "mtamon.h"
#include "mtamon_config.h"

const char fuzz_corpus[] = "config";

#define CHECK FUZZ_CHECK

/* UTF-8 text without C0 controls or DEL, at most @p max bytes. */
static void check_text(const char *s, size_t max)
{
    fuzz_check_string(s, max);
    for (; *s; s++)
        CHECK((unsigned char)*s >= 0x20 && *s != 0x7f);
}

static void check_config(const struct config *c, const char *path)
{
    CHECK(strcmp(c->path, path) == 0);
    check_text(c->segment, 255);
    CHECK(c->segment[0] == '/' && c->segment[1] && !strchr(c->segment + 1, '/'));
    CHECK(c->trust_any_owner == 0 || c->trust_any_owner == 1);
    check_text(c->agentx_socket, 4095);
    CHECK(c->ping_interval_s >= 1 && c->ping_interval_s <= 3600);
    CHECK(c->timeout_ms >= 1000 && c->timeout_ms <= 60000 && c->timeout_ms % 1000 == 0);
    CHECK(c->retries <= 10);
    CHECK(c->refresh_ms >= 10 && c->refresh_ms <= 60000);
    check_text(c->pidfile, 4095);
    check_text(c->user, 255);
    check_text(c->group, 255);
    check_text(c->index_file, 4095);
    CHECK(c->index_file[0] != '\0');
    CHECK(c->log == CONFIG_LOG_SYSLOG || c->log == CONFIG_LOG_STDERR);

    size_t mta = 0;
    CHECK(c->n_apps >= 1);
    for (size_t i = 0; i < c->n_apps; i++) {
        const struct config_app *a = &c->apps[i];
        CHECK(a->index >= 1 && a->index <= 2147483647u);
        CHECK(i == 0 || a->index > c->apps[i - 1].index);
        mta += a->kind == CONFIG_APP_MTA;
        CHECK(a->kind == CONFIG_APP_MTA || a->kind == CONFIG_APP_SERVICE);
        check_text(a->name, 255);
        CHECK(a->name[0] != '\0');
        check_text(a->version, 255);
        check_text(a->description, 255);
        check_text(a->url, 255);
        CHECK(!strchr(a->url, ' '));
        check_text(a->directory_name, 255);
    }
    CHECK(mta == 1);
    const struct config_app *m = config_mta_app(c);
    CHECK(m && m->kind == CONFIG_APP_MTA);

    for (size_t i = 0; i < c->n_channels; i++) {
        const struct config_channel *ch = &c->channels[i];
        CHECK(mtamon_channel_name_check(ch->name, NULL) == MTAMON_OK);
        CHECK(i == 0 || strcmp(c->channels[i - 1].name, ch->name) < 0);
        CHECK(config_channel_find(c, ch->name) == ch);
        CHECK(ch->group_index <= 2147483647u);
        check_text(ch->group_name, 255);
        CHECK(ch->group_name[0] != '\0');
        check_text(ch->description, 255);
        check_text(ch->url, 255);
        CHECK(ch->protocol_len == 0 ||
              (ch->protocol_len >= 2 && ch->protocol_len <= CONFIG_OID_MAX &&
               ch->protocol[0] <= 2));
        /* Pinned indexes are unique (quadratic, but inputs are small). */
        for (size_t j = 0; j < i && ch->group_index; j++)
            CHECK(c->channels[j].group_index != ch->group_index);
    }
    CHECK(config_channel_find(c, "") == NULL);

    for (size_t i = 0; i < c->n_alarms; i++) {
        const struct config_alarm *a = &c->alarms[i];
        check_text(a->name, CONFIG_NAME_MAX);
        CHECK(a->name[0] != '\0' && !strchr(a->name, '/'));
        CHECK(config_alarm_find(c, a->name) == a);
        CHECK(strcmp(config_alarm_kind_name(a->kind), "?") != 0);
        CHECK(a->source <= CONFIG_ALARM_ON_PROCESSES);
        int segment_kind = a->kind >= CONFIG_ALARM_SEGMENT_MISSING;
        CHECK((a->source == CONFIG_ALARM_ON_SEGMENT) == segment_kind);
        CHECK(!segment_kind || a->n_objects == 0);
        for (size_t k = 0; k < a->n_objects; k++)
            check_text(a->objects[k], 4095);
        CHECK(a->raise >= 0 && a->clear >= 0 && a->raise < 1e16 && a->clear < 1e16);
        if (config_alarm_kind_below(a->kind))
            CHECK(a->clear >= a->raise && a->clear < 100);
        else
            CHECK(a->clear <= a->raise && a->clear > 0);
        CHECK(a->interval_s >= 1 && a->interval_s <= 86400);
        CHECK(a->window_s >= a->interval_s || (a->kind != CONFIG_ALARM_FAILURE_RATE &&
                                               a->kind != CONFIG_ALARM_DELIVERY_TIME));
        CHECK(a->severity >= CONFIG_SEVERITY_CRITICAL && a->severity <= CONFIG_SEVERITY_WARNING);
        CHECK(a->mail == 0 || a->mail == 1);
    }
    const struct config_alarm_options *o = &c->alarm_options;
    CHECK(o->max_per_second <= 10000);
    CHECK(o->pending_max >= 1 && o->pending_max <= 100000);
    check_text(o->state_file, 4095);
    CHECK(o->state_file[0] == '\0' || o->state_file[0] == '/');
    CHECK(!(o->mail.command[0] && o->mail.smtp[0]));
    CHECK(!o->mail.smtp[0] || (o->mail.smtp_host[0] && o->mail.smtp_port));
    check_text(o->mail.from, 255);
    CHECK(o->mail.n_to >= 1);
    for (size_t k = 0; k < o->mail.n_to; k++)
        check_text(o->mail.to[k], 255);
    CHECK(o->mail.timeout_ms >= 100 && o->mail.timeout_ms <= 600000);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("fuzz_config", 0);
        CHECK(fd >= 0);
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    CHECK(ftruncate(fd, 0) == 0);
    CHECK(pwrite(fd, data, size, 0) == (ssize_t)size);

    struct config *c = (struct config *)&c;
    char err[CONFIG_ERROR_MAX];
    memset(err, 'x', sizeof err);
    if (config_load(path, &c, err, sizeof err) == 0) {
        CHECK(c != NULL && err[0] == '\0');
        check_config(c, path);
        config_free(c);
    } else {
        CHECK(c == NULL);
        CHECK(memchr(err, '\0', sizeof err) != NULL);
        CHECK(strncmp(err, path, strlen(path)) == 0 && err[strlen(path)] == ':');
        CHECK(strchr(err, '\n') == NULL);
        CHECK(strlen(err) > strlen(path) + 2);
    }
    return 0;
}
