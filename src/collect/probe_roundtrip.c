/*
 * probe_roundtrip.c - the round trip's tags, their matching, and the
 * wait between polls.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "monotonic.h"
#include "probe_roundtrip.h"

int probe_roundtrip_tag(char *buf, size_t len, const char *name, const char *run_id,
                        uint64_t seq)
{
    int n = snprintf(buf, len, "%s.%s.%" PRIu64, name, run_id, seq);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

enum probe_roundtrip_match probe_roundtrip_match(const char *found, const char *name,
                                                 const char *tag)
{
    if (strcmp(found, tag) == 0)
        return PROBE_ROUNDTRIP_THIS;
    /* NAME.RUN.SEQ: the name is what is left of the last two dots */
    const char *last = strrchr(found, '.');
    if (!last || last == found)
        return PROBE_ROUNDTRIP_OTHER;
    const char *second = last - 1;
    while (second > found && *second != '.')
        second--;
    if (*second != '.' || second == last - 1)
        return PROBE_ROUNDTRIP_OTHER;
    size_t n = (size_t)(second - found);
    if (n != strlen(name) || strncmp(found, name, n) != 0 || last[1] == '\0')
        return PROBE_ROUNDTRIP_OTHER;
    for (const char *p = last + 1; *p; p++)
        if (*p < '0' || *p > '9')
            return PROBE_ROUNDTRIP_OTHER;
    return PROBE_ROUNDTRIP_STALE;
}

int probe_roundtrip_header(const char *line, char *buf, size_t len)
{
    size_t h = strlen(PROBE_ROUNDTRIP_HEADER);
    if (strncasecmp(line, PROBE_ROUNDTRIP_HEADER, h) != 0)
        return -1;
    const char *p = line + h;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p != ':')
        return -1;
    p++;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t n = strlen(p);
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
        n--;
    snprintf(buf, len, "%.*s", (int)n, p);
    return 0;
}

int probe_roundtrip_wait(int64_t until_ms, int64_t deadline_ms)
{
    int64_t end = until_ms < deadline_ms ? until_ms : deadline_ms;
    for (;;) {
        int64_t left = end - monotonic_ms();
        if (left <= 0)
            break;
        struct timespec ts = {(time_t)(left / 1000), (long)(left % 1000) * 1000000L};
        if (nanosleep(&ts, NULL) < 0 && errno != EINTR)
            break;
    }
    return until_ms < deadline_ms ? 0 : -1;
}

void probe_roundtrip_late(const struct probe_roundtrip_poll *p)
{
    p->out->reply_code = 0;
    probe_fail(p->out, "deliver", "not delivered within %lld ms",
               (long long)(monotonic_ms() - p->sent_ms));
}
