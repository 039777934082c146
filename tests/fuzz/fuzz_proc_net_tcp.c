/*
 * fuzz_proc_net_tcp.c - fuzz target for connections_parse_line()
 * (src/collect/connections.c), the reader of the kernel's socket tables
 * PROC/net/tcp and PROC/net/tcp6.  The kernel writes them, but a test or
 * a foreign PROC_ROOT can hold anything, and mtamond reads them as root.
 *
 * The input is split at '\n'; every line, copied into a buffer of exactly
 * its length (so ASan sees any read past it), is parsed.
 *
 * Invariants: a parsed line has a state 1..11 and a family AF_INET (bytes
 * 4..15 of the address 0) or AF_INET6 (not IPv4-mapped); parsing is a pure
 * function of the bytes; a parsed line with more fields appended after a
 * blank parses the same (only the first four fields are read).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "connections.h"
#include "fuzz.h"

const char fuzz_corpus[] = "proc_net_tcp";

#define CHECK FUZZ_CHECK

static const uint8_t v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* For fuzz_each_line(): the line, copied into a buffer of exactly its
 * length. */
static void check_line(const char *data, size_t len, void *ctx)
{
    (void)ctx;
    char *line = fuzz_copy(data, len);
    struct connections_socket a, b;
    int rc = connections_parse_line(line, len, &a);
    CHECK(rc == 0 || rc == -1);
    CHECK(connections_parse_line(line, len, &b) == rc);
    if (rc == 0) {
        CHECK(a.state >= CONN_ESTABLISHED && a.state <= CONN_STATE_MAX);
        CHECK(memcmp(&a, &b, sizeof a) == 0);
        if (a.family == AF_INET) {
            static const uint8_t zero[12];
            CHECK(memcmp(a.remote + 4, zero, sizeof zero) == 0);
        } else {
            CHECK(a.family == AF_INET6);
            CHECK(memcmp(a.remote, v4_mapped, sizeof v4_mapped) != 0);
        }
        /* A tail after a blank changes nothing (a line ending in "\r"
         * or a blank already: the tail follows it). */
        static const char tail[] = " 00000000:00000000 00:00000000 zz";
        char *longer = malloc(len + sizeof tail - 1);
        CHECK(longer != NULL);
        memcpy(longer, line, len);
        memcpy(longer + len, tail, sizeof tail - 1);
        CHECK(connections_parse_line(longer, len + sizeof tail - 1, &b) == 0);
        CHECK(memcmp(&a, &b, sizeof a) == 0);
        free(longer);
    }
    free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_each_line(data, size, check_line, NULL);
    if (size == 0)
        check_line("", 0, NULL);
    return 0;
}
