/*
 * postfix_qfile.h - what a Postfix queue file says about its message: the
 * arrival time and the message size, exactly as showq(8) reports them to
 * `postqueue -j` (arrival_time, message_size), read from the file's first
 * records.
 *
 * The record format (Postfix src/global/record.c): a type byte, the data
 * length as a base-128 number, low 7 bits first, 0x80 = more bytes follow
 * (at most 4 bytes), then the data.  Like showq's rec_get(), pointer
 * records ('p') are followed, padding ('w') is skipped, and nothing is read
 * after the end record ('E').
 *
 * What showq does, and so what this does, record by record until the
 * sender record ('S'), where showq prints the message's attributes:
 *   'T' time   the first non-zero "SECONDS[ MICROSECONDS]" is the arrival
 *              time (seconds: postqueue -j has no finer unit); none or
 *              not > 0: the file's mtime.
 *   'C' size   the first valid one (only digits and spaces) gives the
 *              message size, its first number; an invalid one: the file's
 *              size until a valid one comes.  Ignored in maildrop, whose
 *              files may have a preliminary size record: the message size
 *              of a maildrop file is the file's size.  No valid size
 *              record: the file's size.
 *   'M'        content follows: with a valid size, skipped (showq seeks).
 * A file without a sender record before its end (a corrupt file, or one
 * still being written) is not a message: showq lists nothing for it.
 * Unlike showq, the reader gives up (not a message) after
 * POSTFIX_QFILE_RECORDS_MAX records, so a hostile file costs bounded time.
 */
#ifndef MTAMON_POSTFIX_QFILE_H
#define MTAMON_POSTFIX_QFILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/** Records read at most before a file counts as having no sender. */
#define POSTFIX_QFILE_RECORDS_MAX 4096

/** The message of a queue file, as `postqueue -j` reports it. */
struct postfix_qfile {
    int64_t arrival_s;   /**< arrival_time: seconds since the epoch */
    uint64_t size;       /**< message_size: octets of content */
};

/**
 * Read the queue file open on @p fd (from its start, with pread(2): the
 * file offset is not used).  @p mtime_s and @p file_size are the file's
 * (fstat), used where showq uses them; @p maildrop: the file is in the
 * maildrop queue.  Returns 1 and fills *@p out when the file holds a
 * message, 0 when it does not (no sender record: malformed, truncated or
 * unfinished), -1 on a read error (errno set).
 */
int postfix_qfile_read(int fd, int64_t mtime_s, uint64_t file_size,
                       int maildrop, struct postfix_qfile *out);

/** The same over the @p len bytes at @p data (never -1). */
int postfix_qfile_parse(const unsigned char *data, size_t len, int64_t mtime_s,
                        uint64_t file_size, int maildrop,
                        struct postfix_qfile *out);

/**
 * Is @p name a queue id Postfix would open (mail_queue_id_ok()): 1 to 255
 * letters, digits and '_'?  Other files in a queue directory are skipped.
 */
int postfix_qfile_id_ok(const char *name);

#endif /* MTAMON_POSTFIX_QFILE_H */
