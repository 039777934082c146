/*
 * log_msg.c - log_msg() for both log backends (see log_msg.h).
 */
#include "log_msg.h"

#include <stdarg.h>
#include <stdio.h>

static int log_min_priority = LOG_INFO;

void log_msg_threshold(int min_priority)
{
    log_min_priority = min_priority;
}

void log_msg(int priority, const char *fmt, ...)
{
    if (priority > log_min_priority)
        return;
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    log_msg_write(priority, text);
}
