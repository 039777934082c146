/*
 * cfg_get.h - the scalar values of mtamon.yaml (internal to
 * src/common): strings, integers, names from a list and mail protocols.
 *
 * Each cfg_get_*() checks node @p n, found at key path @p path, and on
 * success returns 0 and stores the value; otherwise it returns -1 after
 * one message to @p rep.
 */
#ifndef MTAMON_CFG_GET_H
#define MTAMON_CFG_GET_H

#include <stddef.h>
#include <stdint.h>

#include "cfg_fail.h"
#include "cfg_path.h"
#include "mtamon_config.h"
#include "ytree.h"

enum text_flags {
    TEXT_REQUIRED = 1, /* must not be empty */
    TEXT_NO_SPACE = 2, /* no white space (URLs) */
};

/* A name and what it stands for; a list ends with {NULL, 0}. */
struct enum_value {
    const char *name;
    int value;
};

/*
 * A string value: a scalar of valid UTF-8 without control characters, at
 * most @p max bytes (@p flags: enum text_flags).  Null gives "".  Replaces
 * *@p out (malloc'd).
 */
int cfg_get_text(struct cfg_report *rep, const struct node *n, const char *path,
                 size_t max, unsigned flags, char **out);

/*
 * A decimal integer in [@p min, @p max]: an unquoted scalar of digits,
 * with a '-' only when @p min is negative, no leading zeros, nothing else.
 */
int cfg_get_integer(struct cfg_report *rep, const struct node *n, const char *path,
                    int64_t min, int64_t max, int64_t *out);

/* cfg_get_integer() for an unsigned int in [@p min, @p max]. */
int cfg_get_unsigned(struct cfg_report *rep, const struct node *n, const char *path,
                     unsigned min, unsigned max, unsigned *out);

/*
 * A duration in decimal seconds ("10", "0.25": at most three decimals, an
 * unquoted scalar) into milliseconds in [@p min_ms, @p max_ms].
 */
int cfg_get_ms(struct cfg_report *rep, const struct node *n, const char *path,
               unsigned min_ms, unsigned max_ms, unsigned *out);

/* Size of the printable copy of a value cfg_get_plain() makes. */
#define CFG_SHOWN_MAX 48

/*
 * What every number starts with: @p n is an unquoted scalar ("expected
 * WHAT, found ..." if not); its value, made printable and cut for
 * messages, into @p shown.
 */
int cfg_get_plain(struct cfg_report *rep, const struct node *n, const char *path,
                  const char *what, char shown[CFG_SHOWN_MAX]);

/*
 * An envelope address (a mail's sender or recipient): a string of at most
 * CONFIG_TEXT_MAX bytes, not empty, without spaces or '<' and '>' (they
 * are added).
 */
int cfg_get_envelope(struct cfg_report *rep, const struct node *n, const char *path,
                     char **out);

/* One of the names in @p values (terminated by {NULL, 0}): its value. */
int cfg_get_enum(struct cfg_report *rep, const struct node *n, const char *path,
                 const struct enum_value *values, int *out);

/*
 * A channel's mail protocol into @p ch->protocol: a well-known name (smtp,
 * imaps, ...) or tcp/PORT, udp/PORT (applTCPProtoID.PORT,
 * applUDPProtoID.PORT), or a numeric OBJECT IDENTIFIER.
 */
int cfg_get_protocol(struct cfg_report *rep, const struct node *n, const char *path,
                     struct config_channel *ch);

#endif /* MTAMON_CFG_GET_H */
