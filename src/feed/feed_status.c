/*
 * feed_status.c - SMTP statuses of log lines (feed_status.h).
 */
#include "feed_status.h"
#include "feed_text.h"

mtamon_status_code feed_status_of(const char *p, const char *end)
{
    char buf[24];
    feed_text_copy_bounded(buf, sizeof buf, p, (size_t)(end - p));
    return mtamon_status_parse(buf);
}
