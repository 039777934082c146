/*
 * fuzz_postqueue_json.c - fuzz target for the two readers of what the
 * queue scanner cannot trust: the JSON Lines of `postqueue -j`
 * (postqueue_parse_line) and the records of a Postfix queue file
 * (postfix_qfile_parse).
 *
 * The first byte chooses: even, the rest is postqueue output, split at
 * '\n', each line copied into a buffer of exactly its length (so reading
 * past it is caught) and parsed whole and as if cut there; odd, the rest
 * is a queue file (bit 1: in maildrop).
 *
 * Invariants: a line is a message (0), blank (1) or malformed (-1, with a
 * reason); a message's strings end within their arrays and are printable
 * ASCII; a complete message parses the same when said to be cut; parsing
 * is a pure function of the bytes.  A queue file is a message (1) or not
 * (0), never a read error; a maildrop message's size is the file's size;
 * reading is a pure function of the bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "postfix_qfile.h"
#include "postqueue.h"

const char fuzz_corpus[] = "postqueue_json";

#define CHECK FUZZ_CHECK

static void check_line(const char *line, size_t len)
{
    struct postqueue_msg m, again;
    char err[200], err2[200];
    int r = postqueue_parse_line(line, len, 0, &m, err, sizeof err);
    CHECK(r == -1 || r == 0 || r == 1);
    CHECK(r != -1 || err[0] != '\0');
    int r2 = postqueue_parse_line(line, len, 0, &again, err2, sizeof err2);
    CHECK(r2 == r && strcmp(err, err2) == 0);
    if (r != 0)
        return;
    fuzz_check_printable(m.queue_name, sizeof m.queue_name);
    fuzz_check_printable(m.queue_id, sizeof m.queue_id);
    CHECK(m.size <= (uint64_t)INT64_MAX);
    CHECK(memcmp(&m, &again, sizeof m) == 0);
    CHECK(postqueue_parse_line(line, len, 1, &again, err2, sizeof err2) == 0);
    CHECK(memcmp(&m, &again, sizeof m) == 0);
}

/* For fuzz_each_line(): check a copy of exactly the line's length. */
static void one_line(const char *line, size_t len, void *ctx)
{
    (void)ctx;
    char *copy = fuzz_copy(line, len);
    check_line(copy, len);
    free(copy);
}

static void qfile(const uint8_t *data, size_t size, int maildrop)
{
    uint8_t *copy = fuzz_copy(data, size);
    struct postfix_qfile m, again;
    uint64_t file_size = size * 7 + 3; /* what fstat would say */
    int r = postfix_qfile_parse(copy, size, 1234, file_size, maildrop, &m);
    CHECK(r == 0 || r == 1);
    CHECK(postfix_qfile_parse(copy, size, 1234, file_size, maildrop, &again) == r);
    if (r == 1) {
        CHECK(m.arrival_s == again.arrival_s && m.size == again.size);
        CHECK(m.arrival_s > 0);
        CHECK(!maildrop || m.size == file_size);
    }
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] & 1)
        qfile(data + 1, size - 1, (data[0] & 2) != 0);
    else
        fuzz_each_line(data + 1, size - 1, one_line, NULL);
    return 0;
}
