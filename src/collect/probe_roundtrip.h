/*
 * probe_roundtrip.h - what the round trip's parts share
 * (probe_dialog_roundtrip.c submits, probe_roundtrip_imap.c and
 * probe_roundtrip_pop3.c watch the mailbox): the tag that marks a
 * round's message, telling this round's message from an earlier one's,
 * and the wait between polls.  Internal to src/collect.
 *
 * A tag is "NAME.RUN.SEQ": the probe's name, its run id (random per
 * probe, no '.') and the round's sequence number.  It is the value of
 * the message's X-Mtamon-Probe header.
 */
#ifndef MTAMON_PROBE_ROUNDTRIP_H
#define MTAMON_PROBE_ROUNDTRIP_H

#include <stddef.h>
#include <stdint.h>

#include "mtamon_config.h"
#include "probe.h"
#include "probe_conn.h"

/** The header that carries the tag. */
#define PROBE_ROUNDTRIP_HEADER "X-Mtamon-Probe"

/** Longest tag, with its NUL. */
#define PROBE_ROUNDTRIP_TAG_MAX 128

/** Most messages of this probe looked at in one poll. */
#define PROBE_ROUNDTRIP_HITS_MAX 100

/** What a message found in the mailbox is to this round. */
enum probe_roundtrip_match {
    PROBE_ROUNDTRIP_OTHER, /**< not this probe's: left alone */
    PROBE_ROUNDTRIP_THIS,  /**< this round's message */
    PROBE_ROUNDTRIP_STALE, /**< this probe's, from an earlier round: deleted */
};

/** Write the tag of round @p seq into @p buf; -1 when it does not fit. */
int probe_roundtrip_tag(char *buf, size_t len, const char *name, const char *run_id,
                        uint64_t seq);

/**
 * Compare @p found (a tag read from a message) with this round's tag
 * @p tag of the probe @p name.  A tag whose name part differs (another
 * probe, e.g. "a.b" when this is "a") is OTHER.
 */
enum probe_roundtrip_match probe_roundtrip_match(const char *found, const char *name,
                                                 const char *tag);

/**
 * The tag in the header line @p line ("X-Mtamon-Probe: TAG", name
 * case-insensitive, value trimmed) into @p buf; 0, or -1 when the line
 * is another header.
 */
int probe_roundtrip_header(const char *line, char *buf, size_t len);

/**
 * Sleep until @p until_ms or @p deadline_ms, whichever comes first
 * (monotonic); 0 when @p until_ms was reached before the deadline, -1
 * when the deadline has passed.
 */
int probe_roundtrip_wait(int64_t until_ms, int64_t deadline_ms);

/** What a mailbox watcher is given. */
struct probe_roundtrip_poll {
    const struct config_probe *conf;
    probe_tls *tls;              /**< for conf->mailbox */
    const char *tag;             /**< this round's */
    int64_t sent_ms;             /**< end of DATA (monotonic): "deliver" starts */
    int64_t deadline_ms;
    struct probe_check *out;
};

/**
 * Fail "deliver" the way a round that ran out of time fails: "deliver:
 * not delivered within N ms" (N since the end of DATA).
 */
void probe_roundtrip_late(const struct probe_roundtrip_poll *p);

/**
 * Watch an IMAP mailbox (LOGIN, SELECT INBOX, UID SEARCH on the tag's
 * header every conf->poll_ms) until this round's message is there, then
 * delete it; delete earlier rounds' messages on the way.  Adds the
 * steps "deliver" and "delete"; 0, or -1 with out->error set.
 */
int probe_roundtrip_imap(const struct probe_roundtrip_poll *p);

/** The same over POP3 (a session per poll: STAT, TOP n 0, DELE, QUIT). */
int probe_roundtrip_pop3(const struct probe_roundtrip_poll *p);

#endif /* MTAMON_PROBE_ROUNDTRIP_H */
