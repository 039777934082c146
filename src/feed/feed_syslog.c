/*
 * feed_syslog.c - the syslog header of a log line (feed_syslog.h).
 */
#include "feed_syslog.h"
#include "feed_text.h"

enum feed_line_result feed_syslog_header(struct feed_time_classic *classic,
                                         const char *line, const char *end,
                                         int (*ours)(const char *tag, size_t n),
                                         struct feed_syslog *h)
{
    const char *p = line;
    if (p == end)
        return FEED_LINE_UNPARSED;
    int ok = feed_text_is_digit(*p)
                 ? feed_time_rfc3339(&p, end, &h->time_ms)
                 : feed_time_classic(classic, &p, end, &h->time_ms);
    if (!ok || p == end || *p++ != ' ')
        return FEED_LINE_UNPARSED;
    const char *host = p;
    while (p < end && *p != ' ')
        p++;
    if (p == host || p == end)
        return FEED_LINE_UNPARSED;
    p++;
    const char *tag = p;
    while (p < end && *p != '[' && *p != ':' && *p != ' ')
        p++;
    if (p == end)
        return FEED_LINE_UNPARSED;
    h->tag = tag;
    h->tag_len = (size_t)(p - tag);
    if (!ours(tag, h->tag_len))
        return FEED_LINE_SKIPPED;
    if (*p == '[') {
        const char *pid = ++p;
        while (p < end && feed_text_is_digit(*p))
            p++;
        if (p == pid || p == end || *p != ']')
            return FEED_LINE_UNPARSED;
        p++;
    }
    if (end - p < 2 || p[0] != ':' || p[1] != ' ')
        return FEED_LINE_UNPARSED;
    h->key_len = (size_t)(p - tag);
    h->msg = p + 2;
    return FEED_LINE_KNOWN;
}
