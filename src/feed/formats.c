/*
 * formats.c - the log formats `mtamon feed --format` knows, by name.
 */
#include <string.h>

#include "feed.h"

const struct feed_format *feed_format_find(const char *name)
{
    static const struct feed_format *const formats[] = {
        &feed_format_sunmta,
        &feed_format_postfix,
        &feed_format_exim,
        &feed_format_sendmail,
    };
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(formats[i]->name, name) == 0)
            return formats[i];
    return NULL;
}
