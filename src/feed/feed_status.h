/*
 * feed_status.h - an SMTP status written in a log line, as libmtamon's
 * mtamon_status_code.
 */
#ifndef MTAMON_FEED_STATUS_H
#define MTAMON_FEED_STATUS_H

#include "mtamon.h"

/** The status [p, end) writes ("554 5.7.1", "5.7.1", "550"; only its
 * first 23 bytes are read), as mtamon_status_parse() reads it: 0 if none. */
mtamon_status_code feed_status_of(const char *p, const char *end);

#endif /* MTAMON_FEED_STATUS_H */
