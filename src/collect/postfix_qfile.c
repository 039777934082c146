/*
 * postfix_qfile.c - the arrival time and message size of a Postfix queue
 * file, as showq(8) reports them (see postfix_qfile.h).
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "postfix_qfile.h"

/* Record types (Postfix src/global/rec_type.h). */
#define REC_SIZE 'C'
#define REC_TIME 'T'
#define REC_FROM 'S'
#define REC_MESG 'M'
#define REC_END 'E'
#define REC_PTR 'p'
#define REC_DTXT 'w'

/* Data bytes of a record kept: a size record is six numbers of at most
 * 15 digits and a space each, a time or pointer record less. */
#define KEEP_MAX 127

/* rec_goto()'s bound on backward pointer jumps. */
#define REVERSE_JUMP_LIMIT 10000

/* Where the bytes come from: a file (pread) or memory. */
struct reader {
    int fd;                       /* -1: memory */
    const unsigned char *mem;
    uint64_t total;               /* bytes in the file (fstat) or memory */
    uint64_t pos;                 /* next byte to read */
    unsigned char buf[4096];      /* file: bytes buf_off .. buf_off+buf_len */
    uint64_t buf_off;
    size_t buf_len;
    int error;                    /* errno of a failed read, else 0 */
};

/* The next byte, or -1 at the end (or after a read error: r->error). */
static int next_byte(struct reader *r)
{
    if (r->fd < 0) {
        if (r->pos >= r->total)
            return -1;
        return r->mem[r->pos++];
    }
    if (r->pos < r->buf_off || r->pos >= r->buf_off + r->buf_len) {
        if (r->pos > (uint64_t)INT64_MAX)
            return -1;
        ssize_t n;
        do
            n = pread(r->fd, r->buf, sizeof r->buf, (off_t)r->pos);
        while (n < 0 && errno == EINTR);
        if (n <= 0) {
            if (n < 0)
                r->error = errno;
            r->buf_len = 0;
            return -1;
        }
        r->buf_off = r->pos;
        r->buf_len = (size_t)n;
    }
    return r->buf[r->pos++ - r->buf_off];
}

/* One record's type, length and first KEEP_MAX data bytes (NUL-ended). */
struct record {
    int type;
    uint64_t len;
    char data[KEEP_MAX + 1];
    int digits_spaces;            /* only digits and spaces before a NUL */
};

/* Read one record (rec_get_raw() without its flags).  0, or -1 at the end
 * of the file, on a malformed length or a short record.  Only the data
 * of the records the walk looks at is read; the rest is skipped. */
static int read_record(struct reader *r, struct record *rec)
{
    int c = next_byte(r);
    if (c < 0)
        return -1;
    rec->type = c;
    rec->len = 0;
    for (unsigned shift = 0;; shift += 7) {
        if (shift + 7 >= 32) /* NBBY * sizeof(int) */
            return -1;
        if ((c = next_byte(r)) < 0)
            return -1;
        rec->len |= (uint64_t)(c & 0177) << shift;
        if ((c & 0200) == 0)
            break;
    }
    rec->data[0] = '\0';
    rec->digits_spaces = 1;
    if (rec->type != REC_TIME && rec->type != REC_SIZE && rec->type != REC_PTR) {
        if (r->pos > r->total || rec->len > r->total - r->pos)
            return -1; /* "unexpected EOF in data" */
        r->pos += rec->len;
        return 0;
    }
    size_t kept = 0;
    int seen_nul = 0;
    for (uint64_t i = 0; i < rec->len; i++) {
        if ((c = next_byte(r)) < 0)
            return -1;
        if (kept < KEEP_MAX)
            rec->data[kept++] = (char)c;
        if (c == 0)
            seen_nul = 1;
        else if (!seen_nul && c != ' ' && (c < '0' || c > '9'))
            rec->digits_spaces = 0;
    }
    rec->data[kept] = '\0';
    return 0;
}

/* atol(3) without its undefined overflow: leading white space, a sign,
 * digits; saturates. */
static int64_t leading_number(const char *s)
{
    while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
        s++;
    int neg = *s == '-';
    if (*s == '-' || *s == '+')
        s++;
    int64_t v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        int d = *s - '0';
        if (v > (INT64_MAX - d) / 10)
            return neg ? INT64_MIN : INT64_MAX;
        v = v * 10 + d;
    }
    return neg ? -v : v;
}

/* Follow a pointer record the way rec_goto() does.  0, or -1 when it is
 * malformed or loops. */
static int follow_pointer(struct reader *r, const struct record *rec,
                          uint64_t *saved, unsigned *reverse)
{
    const char *s = rec->data;
    while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
        s++;
    uint64_t off = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || off > (uint64_t)INT64_MAX / 10)
            return -1;
        off = off * 10 + (uint64_t)(*s - '0');
    }
    if (rec->len > KEEP_MAX)
        return -1; /* longer than any offset */
    if (off == 0)
        return 0;  /* a dummy pointer */
    if (off <= *saved && ++*reverse > REVERSE_JUMP_LIMIT)
        return -1;
    *saved = off;
    r->pos = off;
    return 0;
}

/* The record walk of showq_report() up to the sender record. */
static int scan(struct reader *r, int64_t mtime_s, uint64_t file_size,
                int maildrop, struct postfix_qfile *out)
{
    struct record rec;
    int64_t arrival = 0;
    uint64_t size = file_size;
    int size_ok = 0;
    uint64_t saved_ptr = 0;
    unsigned reverse = 0;

    for (unsigned n = 0; n < POSTFIX_QFILE_RECORDS_MAX; n++) {
        if (read_record(r, &rec) != 0)
            return r->error ? -1 : 0;
        switch (rec.type) {
        case REC_PTR:
            if (follow_pointer(r, &rec, &saved_ptr, &reverse) != 0)
                return 0;
            break;
        case REC_END:
            return 0; /* rec_get() seeks to the end: nothing follows */
        case REC_TIME:
            if (arrival == 0)
                arrival = leading_number(rec.data);
            break;
        case REC_SIZE:
            if (!size_ok && !maildrop) {
                int64_t v = leading_number(rec.data);
                /* (A record longer than any real one, 6 numbers of 15
                 * digits, counts as malformed: its first number is not
                 * read whole.) */
                size_ok = rec.digits_spaces && rec.len <= KEEP_MAX && v >= 0;
                size = size_ok ? (uint64_t)v : file_size;
            }
            break;
        case REC_MESG:
            if (size_ok)
                r->pos += size;
            break;
        case REC_FROM:
            out->arrival_s = arrival > 0 ? arrival : mtime_s;
            out->size = size;
            return 1;
        default:
            break;
        }
    }
    return 0;
}

/* A reader at the start of file @p fd, or (@p fd -1) of @p mem; either
 * holds @p total bytes. */
static void reader_init(struct reader *r, int fd, const unsigned char *mem,
                        uint64_t total)
{
    r->fd = fd;
    r->mem = mem;
    r->total = total;
    r->pos = 0;
    r->buf_off = 0;
    r->buf_len = 0;
    r->error = 0;
}

int postfix_qfile_read(int fd, int64_t mtime_s, uint64_t file_size,
                       int maildrop, struct postfix_qfile *out)
{
    struct reader r;
    reader_init(&r, fd, NULL, file_size);
    int ret = scan(&r, mtime_s, file_size, maildrop, out);
    if (ret < 0)
        errno = r.error;
    return ret;
}

int postfix_qfile_parse(const unsigned char *data, size_t len, int64_t mtime_s,
                        uint64_t file_size, int maildrop,
                        struct postfix_qfile *out)
{
    struct reader r;
    reader_init(&r, -1, data, len);
    return scan(&r, mtime_s, file_size, maildrop, out);
}

int postfix_qfile_id_ok(const char *name)
{
    size_t n = 0;
    for (; name[n]; n++) {
        char c = name[n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return n >= 1 && n <= 255;
}
