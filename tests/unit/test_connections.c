/*
 * test_connections.c - the TCP connection collector
 * (src/collect/connections.c): the line parser on hand-encoded kernel
 * lines (byte order of IPv4 and IPv6, IPv4-mapped, states, malformed
 * lines), counts per port and state, distinct and top remotes (ties,
 * LISTEN left out, a flood beyond the cap) on fake PROC trees, errors,
 * copy and free, and the real /proc with sockets the test opens itself.
 *
 * The hand-encoded addresses are the kernel's on a little-endian host
 * (x86, arm64): each 32-bit word printed as the host reads it, so
 * 127.0.0.1 is "0100007F".  On a big-endian host those suites skip; the
 * real-/proc suites hold everywhere.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit_util.h"
#include "connections.h"

static char proc[64];       /* the fake PROC of the current test */

/* The tail the kernel prints after the state (not read by the parser). */
#define TAIL " 00000000:00000000 00:00000000 00000000  1000        0 4242 1 " \
             "0000000000000000 20 4 30 10 -1\n"
#define HEAD4 "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when " \
              "retrnsmt   uid  timeout inode\n"
#define HEAD6 "  sl  local_address                         remote_address" \
              "                        st tx_queue rx_queue tr tm->when retrnsmt" \
              "   uid  timeout inode\n"

static int little_endian(void)
{
    return htonl(1) != 1;
}

/* Skip a test that uses little-endian hand encodings on a big-endian host. */
#define NEED_LITTLE_ENDIAN()                                                 \
    do {                                                                     \
        if (!little_endian()) {                                              \
            fprintf(stderr, "\n    big-endian host: hand encodings skipped\n"); \
            return;                                                          \
        }                                                                    \
    } while (0)

/* A fresh fake PROC with an empty net/ directory. */
static void make_proc(void)
{
    ut_make_dir(proc, sizeof proc, "conn");
    char net[96];
    snprintf(net, sizeof net, "%s/net", proc);
    CU_ASSERT_EQUAL_FATAL(mkdir(net, 0755), 0);
}

/* Write PROC/net/NAME with @p len bytes of @p text. */
static void write_net(const char *name, const char *text, size_t len)
{
    char path[128];
    snprintf(path, sizeof path, "%s/net/%s", proc, name);
    ut_write_file(path, text, len);
}

static void write_net_str(const char *name, const char *text)
{
    write_net(name, text, strlen(text));
}

static struct config_connections conf(unsigned top, size_t n, const uint16_t *ports)
{
    struct config_connections c;
    memset(&c, 0, sizeof c);
    for (size_t i = 0; i < n; i++)
        c.ports[i] = ports[i];
    c.n_ports = n;
    c.top = top;
    c.interval_s = 10;
    return c;
}

static const struct connections_port *find_port(const struct connections_stats *s,
                                                uint16_t port)
{
    for (size_t i = 0; i < s->n_ports; i++) {
        if (s->ports[i].port == port)
            return &s->ports[i];
    }
    return NULL;
}

/* Is @p r the address @p text (of @p family: AF_INET or AF_INET6) with
 * @p count connections? */
static int is_remote(const struct connections_remote *r, int family, const char *text,
                     uint32_t count)
{
    uint8_t want[16];
    size_t size = family == AF_INET ? 4 : 16;
    if (inet_pton(family, text, want) != 1)
        return 0;
    int ok = r->family == family && memcmp(r->addr, want, size) == 0 && r->count == count;
    if (!ok) {
        char got[INET6_ADDRSTRLEN] = "?";
        inet_ntop(r->family, r->addr, got, sizeof got);
        fprintf(stderr, "\n    remote %s x%u, wanted %s x%u\n", got, r->count, text, count);
    }
    return ok;
}

static int is_v4(const struct connections_remote *r, const char *text, uint32_t count)
{
    return is_remote(r, AF_INET, text, count);
}

static int is_v6(const struct connections_remote *r, const char *text, uint32_t count)
{
    return is_remote(r, AF_INET6, text, count);
}

/* Read the fake PROC for port 25 alone, the top @p top remotes, into
 * @p s (zeroed first; fails the test fatally if the read does); port 25's
 * figures, NULL if it is not listed. */
static const struct connections_port *read_port25(unsigned top,
                                                  struct connections_stats *s)
{
    static const uint16_t ports[] = {25};
    struct config_connections c = conf(top, 1, ports);
    memset(s, 0, sizeof *s);
    CU_ASSERT_EQUAL_FATAL(connections_read(proc, &c, s), 0);
    return find_port(s, 25);
}

/* Write @p text (@p len bytes, allocated; freed here) as the tcp file,
 * then read_port25(). */
static const struct connections_port *read_port25_of(char *text, size_t len, unsigned top,
                                                     struct connections_stats *s)
{
    write_net("tcp", text, len);
    free(text);
    return read_port25(top, s);
}

/* ------------------------------------------------------------------------ */
/* The line parser                                                           */

static int parse(const char *line, struct connections_socket *s)
{
    return connections_parse_line(line, strlen(line), s);
}

static void test_parse_ipv4(void)
{
    NEED_LITTLE_ENDIAN();
    struct connections_socket s;
    CU_ASSERT_EQUAL_FATAL(parse("   1: 0100007F:0019 0A00020C:D431 01" TAIL, &s), 0);
    CU_ASSERT_EQUAL(s.local_port, 25);
    CU_ASSERT_EQUAL(s.remote_port, 54321);
    CU_ASSERT_EQUAL(s.state, CONN_ESTABLISHED);
    CU_ASSERT_EQUAL(s.family, AF_INET);
    static const uint8_t want[4] = {12, 2, 0, 10};   /* 12.2.0.10 */
    CU_ASSERT_EQUAL(memcmp(s.remote, want, 4), 0);

    /* Lower-case hex, no newline, no tail: the four fields suffice. */
    CU_ASSERT_EQUAL_FATAL(parse("0: 00000000:024b c0a80001:0000 0a", &s), 0);
    CU_ASSERT_EQUAL(s.local_port, 587);
    CU_ASSERT_EQUAL(s.state, CONN_LISTEN);
    static const uint8_t want2[4] = {1, 0, 0xa8, 0xc0};   /* 1.0.168.192 */
    CU_ASSERT_EQUAL(memcmp(s.remote, want2, 4), 0);

    /* The length is the bound, not a NUL: "01" cut to "0" is malformed. */
    const char *line = "0: 0100007F:0019 0100007F:0019 01";
    CU_ASSERT_EQUAL(connections_parse_line(line, strlen(line) - 1, &s), -1);
    CU_ASSERT_EQUAL(connections_parse_line(line, strlen(line), &s), 0);
}

static void test_parse_ipv6(void)
{
    NEED_LITTLE_ENDIAN();
    struct connections_socket s;
    /* 2001:db8::1:2 port 25 from 2001:db8:0:0:0:0:a:b. */
    CU_ASSERT_EQUAL_FATAL(parse("   0: B80D0120000000000000000002000100:0019 "
                                "B80D012000000000000000000B000A00:8000 01" TAIL, &s), 0);
    CU_ASSERT_EQUAL(s.local_port, 25);
    CU_ASSERT_EQUAL(s.remote_port, 0x8000);
    CU_ASSERT_EQUAL(s.family, AF_INET6);
    uint8_t want[16];
    inet_pton(AF_INET6, "2001:db8::a:b", want);
    CU_ASSERT_EQUAL(memcmp(s.remote, want, 16), 0);

    /* ::ffff:192.0.2.1 is IPv4 192.0.2.1. */
    CU_ASSERT_EQUAL_FATAL(parse("   1: 0000000000000000FFFF00000100007F:0019 "
                                "0000000000000000FFFF0000010200C0:C350 01" TAIL, &s), 0);
    CU_ASSERT_EQUAL(s.family, AF_INET);
    static const uint8_t want4[4] = {192, 0, 2, 1};
    CU_ASSERT_EQUAL(memcmp(s.remote, want4, 4), 0);

    /* ::1 stays IPv6, and so does ::192.0.2.1 (not mapped). */
    CU_ASSERT_EQUAL_FATAL(parse("2: 00000000000000000000000001000000:0019 "
                                "00000000000000000000000001000000:1000 06", &s), 0);
    CU_ASSERT_EQUAL(s.family, AF_INET6);
    CU_ASSERT_EQUAL(s.state, CONN_TIME_WAIT);
    inet_pton(AF_INET6, "::1", want);
    CU_ASSERT_EQUAL(memcmp(s.remote, want, 16), 0);
    CU_ASSERT_EQUAL_FATAL(parse("3: 00000000000000000000000001000000:0019 "
                                "000000000000000000000000010200C0:1000 01", &s), 0);
    CU_ASSERT_EQUAL(s.family, AF_INET6);
}

static void test_parse_states(void)
{
    static const struct { const char *hex; enum connections_state st; } states[] = {
        {"01", CONN_ESTABLISHED}, {"02", CONN_SYN_SENT}, {"03", CONN_SYN_RECV},
        {"04", CONN_FIN_WAIT1}, {"05", CONN_FIN_WAIT2}, {"06", CONN_TIME_WAIT},
        {"07", CONN_CLOSE}, {"08", CONN_CLOSE_WAIT}, {"09", CONN_LAST_ACK},
        {"0A", CONN_LISTEN}, {"0B", CONN_CLOSING},
    };
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
        char line[128];
        snprintf(line, sizeof line, "0: 0100007F:0019 0100007F:0400 %s 0", states[i].hex);
        struct connections_socket s;
        CU_ASSERT_EQUAL(parse(line, &s), 0);
        CU_ASSERT_EQUAL(s.state, states[i].st);
        CU_ASSERT_EQUAL((int)s.state, (int)(i + 1));   /* Linux's numbering */
    }
}

static void test_parse_malformed(void)
{
    static const char *const bad[] = {
        "",
        "\n",
        "      \n",
        HEAD4,
        HEAD6,
        "garbage",
        "0 0100007F:0019 0100007F:0400 01",          /* no colon after sl */
        ": 0100007F:0019 0100007F:0400 01",          /* no sl */
        "x: 0100007F:0019 0100007F:0400 01",
        "0:0100007F:0019 0100007F:0400 01",          /* no blank after sl */
        "0: 0100007F:0019 0100007F:0400",            /* no state */
        "0: 0100007F:0019 0100007F:0400 ",
        "0: 0100007F:0019 0100007F:0400 1",          /* one digit */
        "0: 0100007F:0019 0100007F:0400 010",        /* three */
        "0: 0100007F:0019 0100007F:0400 00",         /* state 0 */
        "0: 0100007F:0019 0100007F:0400 0C",         /* 12: not shown */
        "0: 0100007F:0019 0100007F:0400 FF",
        "0: 0100007F:0019 0100007F:0400 1G",
        "0: 0100007F:0019 0100007F:0400 01x",
        "0: 100007F:0019 0100007F:0400 01",          /* 7 digits */
        "0: 00100007F:0019 0100007F:0400 01",        /* 9 digits */
        "0: 0100007F:019 0100007F:0400 01",          /* 3-digit port */
        "0: 0100007F:00019 0100007F:0400 01",        /* 5-digit port */
        "0: 0100007F0019 0100007F:0400 01",          /* no colon */
        "0: 0100007F:0019 0100007F:0400",
        "0: 0100007F:0019",
        "0: 0100007F:",
        "0: 0100007F",
        "0: ",
        "0:",
        "0: 0100007F:0019 00000000000000000000000001000000:0400 01",  /* mixed */
        "0: 0000000000000000000000000100000:0019 0100007F:0400 01",   /* 31 */
        "0: 000000000000000000000000010000000:0019 0100007F:0400 01", /* 33 */
        "0: 0100007F:0019\t0100007F:0400\x01" "01",
        "0: 0100007F:0019 0100007F:0400 -1",
        "0: 0100007F:0019 0100007F:0400 +1",
        "0: 0100007F:001g 0100007F:0400 01",
        "0: 0x00007F:0019 0100007F:0400 01",
        "123456789012345678901234: 0100007F:0019 0100007F:0400 01",
        "\xff\xfe: 0100007F:0019 0100007F:0400 01",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct connections_socket s;
        int rc = parse(bad[i], &s);
        CU_ASSERT_EQUAL(rc, -1);
        if (rc != -1)
            fprintf(stderr, "\n    accepted: '%s'\n", bad[i]);
    }
    /* Tabs for blanks and leading blanks are fine. */
    struct connections_socket s;
    CU_ASSERT_EQUAL(parse("\t 7:\t0100007F:0019\t0100007F:0400\t01\r\n", &s), 0);
    /* Every prefix of a good line but the whole is refused, none read
     * past its length (ASan watches the copy). */
    const char *good = "   1: 0000000000000000FFFF00000100007F:0019 "
                       "0000000000000000FFFF0000010200C0:C350 01";
    size_t n = strlen(good);
    for (size_t len = 0; len <= n; len++) {
        char *copy = malloc(len ? len : 1);
        CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
        memcpy(copy, good, len);
        CU_ASSERT_EQUAL(connections_parse_line(copy, len, &s), len == n ? 0 : -1);
        free(copy);
    }
}

/* ------------------------------------------------------------------------ */
/* Reads of fake tables                                                      */

static void test_counts_and_top(void)
{
    NEED_LITTLE_ENDIAN();
    make_proc();
    write_net_str("tcp", HEAD4
        "   0: 00000000:0019 00000000:0000 0A" TAIL      /* LISTEN *:25 */
        "   1: 0100007F:0019 0100007F:D431 01" TAIL      /* 127.0.0.1 */
        "   2: 0100007F:0019 0100007F:D432 01" TAIL      /* 127.0.0.1 */
        "   3: 0A00000A:0019 0200000A:C000 01" TAIL      /* 10.0.0.2 */
        "   4: 0A00000A:0019 0200000A:C001 06" TAIL      /* 10.0.0.2 TIME_WAIT */
        "   5: 0A00000A:0019 0200000A:C002 08" TAIL      /* 10.0.0.2 CLOSE_WAIT */
        "   6: 0A00000A:0019 010200C0:C003 03" TAIL      /* 192.0.2.1 SYN_RECV */
        "   7: 0A00000A:024B 0300000A:C004 01" TAIL      /* 587 <- 10.0.0.3 */
        "   8: 0A00000A:C005 0200000A:0019 01" TAIL      /* outbound to :25 */
        "   9: 0A00000A:0050 0200000A:C006 01" TAIL);    /* port 80: not watched */
    write_net_str("tcp6", HEAD6
        "   0: 00000000000000000000000000000000:0019 "
        "00000000000000000000000000000000:0000 0A" TAIL                /* LISTEN [::]:25 */
        "   1: 0000000000000000FFFF00000A00000A:0019 "
        "0000000000000000FFFF0000010200C0:C350 01" TAIL                /* ::ffff:192.0.2.1 */
        "   2: B80D0120000000000000000001000000:0019 "
        "B80D0120000000000000000002000000:C351 01" TAIL                /* 2001:db8::2 */
        "   3: B80D0120000000000000000001000000:0019 "
        "B80D0120000000000000000002000000:C352 01" TAIL                /* 2001:db8::2 */
        "   4: B80D0120000000000000000001000000:0019 "
        "B80D0120000000000000000002000000:C353 01" TAIL);              /* 2001:db8::2 */

    /* Unsorted, with a duplicate: the result is sorted, once each. */
    static const uint16_t ports[] = {587, 25, 465, 25};
    struct config_connections c = conf(10, 4, ports);
    struct connections_stats s;
    memset(&s, 0, sizeof s);
    int64_t before = ut_now_ms();
    CU_ASSERT_EQUAL_FATAL(connections_read(proc, &c, &s), 0);
    CU_ASSERT_EQUAL(s.ok, 1);
    CU_ASSERT_STRING_EQUAL(s.error, "");
    CU_ASSERT_TRUE(s.read_ms >= before && s.read_ms <= ut_now_ms());
    CU_ASSERT_EQUAL_FATAL(s.n_ports, 3);
    CU_ASSERT_EQUAL(s.ports[0].port, 25);
    CU_ASSERT_EQUAL(s.ports[1].port, 465);
    CU_ASSERT_EQUAL(s.ports[2].port, 587);

    const struct connections_port *p = find_port(&s, 25);
    UT_REQUIRE(p);
    CU_ASSERT_EQUAL(p->by_state[CONN_LISTEN], 2);
    CU_ASSERT_EQUAL(p->by_state[CONN_ESTABLISHED], 3 + 1 + 3);
    CU_ASSERT_EQUAL(p->by_state[CONN_TIME_WAIT], 1);
    CU_ASSERT_EQUAL(p->by_state[CONN_CLOSE_WAIT], 1);
    CU_ASSERT_EQUAL(p->by_state[CONN_SYN_RECV], 1);
    CU_ASSERT_EQUAL(p->by_state[0], 0);
    /* 127.0.0.1, 10.0.0.2, 192.0.2.1 (IPv4 and mapped), 2001:db8::2. */
    CU_ASSERT_EQUAL(p->n_remotes, 4);
    CU_ASSERT_EQUAL(p->unranked, 0);
    CU_ASSERT_EQUAL_FATAL(p->n_top, 4);
    /* 3 each: 10.0.0.2 before 2001:db8::2 (IPv4 first); then 2 each:
     * 127.0.0.1 before 192.0.2.1. */
    CU_ASSERT_TRUE(is_v4(&p->top[0], "10.0.0.2", 3));
    CU_ASSERT_TRUE(is_v6(&p->top[1], "2001:db8::2", 3));
    CU_ASSERT_TRUE(is_v4(&p->top[2], "127.0.0.1", 2));
    CU_ASSERT_TRUE(is_v4(&p->top[3], "192.0.2.1", 2));

    p = find_port(&s, 465);
    UT_REQUIRE(p);
    CU_ASSERT_EQUAL(p->n_remotes, 0);
    CU_ASSERT_EQUAL(p->n_top, 0);
    CU_ASSERT_PTR_NULL(p->top);
    for (int st = 0; st <= CONN_STATE_MAX; st++)
        CU_ASSERT_EQUAL(p->by_state[st], 0);

    p = find_port(&s, 587);
    UT_REQUIRE(p);
    CU_ASSERT_EQUAL(p->by_state[CONN_ESTABLISHED], 1);
    CU_ASSERT_EQUAL_FATAL(p->n_top, 1);
    CU_ASSERT_TRUE(is_v4(&p->top[0], "10.0.0.3", 1));

    /* top 2: the first two only; read again into the filled struct. */
    c.top = 2;
    CU_ASSERT_EQUAL_FATAL(connections_read(proc, &c, &s), 0);
    p = find_port(&s, 25);
    UT_REQUIRE(p);
    CU_ASSERT_EQUAL(p->n_remotes, 4);
    CU_ASSERT_EQUAL_FATAL(p->n_top, 2);
    CU_ASSERT_TRUE(is_v4(&p->top[0], "10.0.0.2", 3));
    CU_ASSERT_TRUE(is_v6(&p->top[1], "2001:db8::2", 3));

    /* top 0: counts, no list. */
    c.top = 0;
    CU_ASSERT_EQUAL_FATAL(connections_read(proc, &c, &s), 0);
    p = find_port(&s, 25);
    UT_REQUIRE(p);
    CU_ASSERT_EQUAL(p->n_remotes, 4);
    CU_ASSERT_EQUAL(p->n_top, 0);

    /* No ports: the collector is off, nothing listed. */
    c.n_ports = 0;
    CU_ASSERT_EQUAL(connections_read(proc, &c, &s), 0);
    CU_ASSERT_EQUAL(s.ok, 1);
    CU_ASSERT_EQUAL(s.n_ports, 0);
    connections_free(&s);
    ut_remove_tree(proc);
}

/* Ties among many remotes: the lower addresses win, in order. */
static void test_ties(void)
{
    NEED_LITTLE_ENDIAN();
    make_proc();
    /* 200 remotes 10.0.X.Y with 2 connections each, written from the
     * highest down, and one with 3. */
    size_t cap = 200 * 2 * 64 + 256, len = 0;
    char *text = malloc(cap);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    for (int i = 199; i >= 0; i--) {
        for (int k = 0; k < 2; k++) {
            /* 10.0.(i/100).(i%100+1): bytes 0A 00 i/100 i%100+1. */
            len += (size_t)snprintf(text + len, cap - len,
                                    "%d: 0100000A:0019 %02X%02X000A:%04X 01\n",
                                    i, i % 100 + 1, i / 100, 1000 + k);
        }
    }
    len += (size_t)snprintf(text + len, cap - len,
                            "0: 0100000A:0019 FE00000A:2000 01\n"
                            "0: 0100000A:0019 FE00000A:2001 01\n"
                            "0: 0100000A:0019 FE00000A:2002 01\n");

    struct connections_stats s;
    const struct connections_port *p = read_port25_of(text, len, 5, &s);
    UT_REQUIRE(p);
    CU_ASSERT_EQUAL(p->by_state[CONN_ESTABLISHED], 403);
    CU_ASSERT_EQUAL(p->n_remotes, 201);
    CU_ASSERT_EQUAL_FATAL(p->n_top, 5);
    CU_ASSERT_TRUE(is_v4(&p->top[0], "10.0.0.254", 3));
    CU_ASSERT_TRUE(is_v4(&p->top[1], "10.0.0.1", 2));
    CU_ASSERT_TRUE(is_v4(&p->top[2], "10.0.0.2", 2));
    CU_ASSERT_TRUE(is_v4(&p->top[3], "10.0.0.3", 2));
    CU_ASSERT_TRUE(is_v4(&p->top[4], "10.0.0.4", 2));
    connections_free(&s);
    ut_remove_tree(proc);
}

/* Malformed lines among good ones are skipped; the good ones count. */
static void test_malformed_lines(void)
{
    NEED_LITTLE_ENDIAN();
    make_proc();
    static const char text[] =
        HEAD4
        "garbage\n"
        "\n"
        "   1: 0100007F:0019 0100007F:D431 01" TAIL     /* good */
        "   2: 0100007F:0019 0100007F:D431 0C" TAIL     /* state 12 */
        "   3: 0100007F:0019 0100007F:D431\n"           /* cut */
        "   4: 100007F:0019 0100007F:D431 01" TAIL      /* 7 digits */
        "   5: 0100007F:0019 0100007F:D431 01 \x01\x02\xff binary tail\n"  /* good */
        "   6: 0100007F:0019 0100007\0F:D431 01" TAIL   /* a NUL inside */
        "   7: 0100007F:0019 0100007F:D431 01" TAIL     /* good */
        "   8: 0100007F:0019 0100007F:D431 01";         /* good, no newline */
    write_net("tcp", text, sizeof text - 1);
    write_net_str("tcp6", "\x00\x01\x02 not a table at all\n");

    struct connections_stats s;
    const struct connections_port *p = read_port25(10, &s);
    UT_REQUIRE(p);
    CU_ASSERT_EQUAL(p->by_state[CONN_ESTABLISHED], 4);
    CU_ASSERT_EQUAL(p->n_remotes, 1);
    CU_ASSERT_EQUAL_FATAL(p->n_top, 1);
    CU_ASSERT_TRUE(is_v4(&p->top[0], "127.0.0.1", 4));
    connections_free(&s);
    ut_remove_tree(proc);
}

/* Long lines: a good line with a long tail counts, a long garbage line
 * never merges with the next, a line whose fields lie beyond the first
 * KiB is skipped. */
static void test_long_lines(void)
{
    NEED_LITTLE_ENDIAN();
    make_proc();
    size_t cap = 64 * 1024, len = 0;
    char *text = malloc(cap);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    len += (size_t)snprintf(text + len, cap - len, "%s", HEAD4);
    /* Good, with a 20 KB tail. */
    len += (size_t)snprintf(text + len, cap - len, "1: 0100007F:0019 0100007F:D431 01 ");
    memset(text + len, 'z', 20000);
    len += 20000;
    text[len++] = '\n';
    /* 10 KB of garbage ending in what looks like a line. */
    memset(text + len, 'q', 10000);
    len += 10000;
    len += (size_t)snprintf(text + len, cap - len, " 2: 0100007F:0019 0200007F:D431 01\n");
    /* The fields after 2000 blanks. */
    memset(text + len, ' ', 2000);
    len += 2000;
    len += (size_t)snprintf(text + len, cap - len, "3: 0100007F:0019 0300007F:D431 01\n");
    /* A field cut at the 1 KiB boundary: 1000 blanks, then the fields. */
    memset(text + len, ' ', 1000);
    len += 1000;
    len += (size_t)snprintf(text + len, cap - len, "4: 0100007F:0019 0400007F:D431 01\n");
    /* Good, short. */
    len += (size_t)snprintf(text + len, cap - len, "5: 0100007F:0019 0100007F:D432 06\n");

    struct connections_stats s;
    const struct connections_port *p = read_port25_of(text, len, 10, &s);
    UT_REQUIRE(p);
    CU_ASSERT_EQUAL(p->by_state[CONN_ESTABLISHED], 1);
    CU_ASSERT_EQUAL(p->by_state[CONN_TIME_WAIT], 1);
    CU_ASSERT_EQUAL(p->n_remotes, 1);
    connections_free(&s);
    ut_remove_tree(proc);
}

/* More distinct remotes than the cap: every connection counted, the
 * remotes seen first ranked, the rest unranked. */
static void test_flood(void)
{
    NEED_LITTLE_ENDIAN();
    make_proc();
    const uint32_t extra = 1000;
    const uint32_t n = CONNECTIONS_REMOTES_MAX + extra;
    size_t cap = (size_t)(n + 16) * 40, len = 0;
    char *text = malloc(cap);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    /* 11.0.0.1 first, with 5 connections. */
    for (int k = 0; k < 5; k++)
        len += (size_t)snprintf(text + len, cap - len,
                                "0: 0100000A:0019 0100000B:%04X 01\n", k);
    /* 12.x.y.z: one connection each, distinct. */
    for (uint32_t i = 1; i < n; i++) {
        /* Address bytes 12, i>>16, i>>8, i: the word is their image. */
        uint32_t word = (uint32_t)12 | (i >> 16 & 0xff) << 8 |
                        (i >> 8 & 0xff) << 16 | (i & 0xff) << 24;
        len += (size_t)snprintf(text + len, cap - len,
                                "0: 0100000A:0019 %08X:1000 01\n", word);
    }
    /* Past the cap: 13.0.0.1 with 10 connections, 11.0.0.1 once more. */
    for (int k = 0; k < 10; k++)
        len += (size_t)snprintf(text + len, cap - len,
                                "0: 0100000A:0019 0100000D:%04X 01\n", k);
    len += (size_t)snprintf(text + len, cap - len,
                            "0: 0100000A:0019 0100000B:1000 01\n");

    struct connections_stats s;
    const struct connections_port *p = read_port25_of(text, len, 3, &s);
    UT_REQUIRE(p);
    CU_ASSERT_EQUAL(p->by_state[CONN_ESTABLISHED], 5 + (n - 1) + 10 + 1);
    CU_ASSERT_EQUAL(p->n_remotes, CONNECTIONS_REMOTES_MAX);
    /* 11.0.0.1 and the first cap - 1 of 12.x are told apart; the rest
     * of 12.x (n - cap of them, one each) and 13.0.0.1 (10) are not. */
    CU_ASSERT_EQUAL(p->unranked, (n - CONNECTIONS_REMOTES_MAX) + 10);
    CU_ASSERT_EQUAL_FATAL(p->n_top, 3);
    CU_ASSERT_TRUE(is_v4(&p->top[0], "11.0.0.1", 6));
    CU_ASSERT_TRUE(is_v4(&p->top[1], "12.0.0.1", 1));
    CU_ASSERT_TRUE(is_v4(&p->top[2], "12.0.0.2", 1));
    connections_free(&s);
    ut_remove_tree(proc);
}

/* A missing tcp6 is no error; a missing or unreadable tcp is, naming it. */
static void test_files_missing(void)
{
    NEED_LITTLE_ENDIAN();
    make_proc();
    static const uint16_t ports[] = {25, 587};
    struct config_connections c = conf(10, 2, ports);
    struct connections_stats s;
    memset(&s, 0, sizeof s);

    write_net_str("tcp", HEAD4 "   1: 0100007F:0019 0100007F:D431 01" TAIL);
    CU_ASSERT_EQUAL(connections_read(proc, &c, &s), 0);
    CU_ASSERT_EQUAL(s.ok, 1);
    CU_ASSERT_EQUAL_FATAL(s.n_ports, 2);
    CU_ASSERT_EQUAL(s.ports[0].by_state[CONN_ESTABLISHED], 1);
    CU_ASSERT_EQUAL(s.ports[0].n_top, 1);

    /* tcp6 a directory: reading it fails. */
    char path[128], want[CONNECTIONS_ERROR_MAX];
    snprintf(path, sizeof path, "%s/net/tcp6", proc);
    CU_ASSERT_EQUAL_FATAL(mkdir(path, 0755), 0);
    CU_ASSERT_EQUAL(connections_read(proc, &c, &s), -1);
    CU_ASSERT_EQUAL(s.ok, 0);
    snprintf(want, sizeof want, "%s/net/tcp6: Is a directory", proc);
    CU_ASSERT_STRING_EQUAL(s.error, want);
    /* The ports stay listed, figures 0. */
    CU_ASSERT_EQUAL_FATAL(s.n_ports, 2);
    CU_ASSERT_EQUAL(s.ports[0].port, 25);
    CU_ASSERT_EQUAL(s.ports[0].by_state[CONN_ESTABLISHED], 0);
    CU_ASSERT_EQUAL(s.ports[0].n_top, 0);
    CU_ASSERT_PTR_NULL(s.ports[0].top);
    rmdir(path);

    /* No tcp. */
    snprintf(path, sizeof path, "%s/net/tcp", proc);
    unlink(path);
    CU_ASSERT_EQUAL(connections_read(proc, &c, &s), -1);
    CU_ASSERT_EQUAL(s.ok, 0);
    snprintf(want, sizeof want, "%s/net/tcp: No such file or directory", proc);
    CU_ASSERT_STRING_EQUAL(s.error, want);
    CU_ASSERT_EQUAL(s.n_ports, 2);

    /* It comes back: ok again, the error cleared. */
    write_net_str("tcp", HEAD4);
    CU_ASSERT_EQUAL(connections_read(proc, &c, &s), 0);
    CU_ASSERT_EQUAL(s.ok, 1);
    CU_ASSERT_STRING_EQUAL(s.error, "");

    /* An empty tcp: no sockets. */
    write_net("tcp", "", 0);
    CU_ASSERT_EQUAL(connections_read(proc, &c, &s), 0);
    CU_ASSERT_EQUAL(s.ports[0].by_state[CONN_ESTABLISHED], 0);

    /* No PROC at all. */
    CU_ASSERT_EQUAL(connections_read("/nonexistent-mtamon-proc", &c, &s), -1);
    CU_ASSERT_STRING_EQUAL(s.error,
                           "/nonexistent-mtamon-proc/net/tcp: No such file or directory");
    connections_free(&s);
    ut_remove_tree(proc);
}

/* connections_copy is deep; copy and free leave nothing shared. */
static void test_copy_free(void)
{
    NEED_LITTLE_ENDIAN();
    make_proc();
    write_net_str("tcp", HEAD4
        "   1: 0100007F:0019 0100007F:D431 01" TAIL
        "   2: 0100007F:0019 0200007F:D431 01" TAIL
        "   3: 0100007F:024B 0300007F:D431 01" TAIL);
    static const uint16_t ports[] = {25, 587};
    struct config_connections c = conf(10, 2, ports);
    struct connections_stats s, d, e;
    memset(&s, 0, sizeof s);
    memset(&d, 0, sizeof d);
    memset(&e, 0, sizeof e);
    CU_ASSERT_EQUAL_FATAL(connections_read(proc, &c, &s), 0);

    CU_ASSERT_EQUAL_FATAL(connections_copy(&d, &s), 0);
    CU_ASSERT_EQUAL(d.ok, 1);
    CU_ASSERT_EQUAL(d.read_ms, s.read_ms);
    CU_ASSERT_EQUAL_FATAL(d.n_ports, 2);
    CU_ASSERT_PTR_NOT_EQUAL(d.ports, s.ports);
    CU_ASSERT_PTR_NOT_EQUAL(d.ports[0].top, s.ports[0].top);
    CU_ASSERT_EQUAL_FATAL(d.ports[0].n_top, 2);
    CU_ASSERT_EQUAL(memcmp(d.ports[0].top, s.ports[0].top, 2 * sizeof *d.ports[0].top), 0);
    CU_ASSERT_TRUE(is_v4(&d.ports[1].top[0], "127.0.0.3", 1));

    /* Copy over a filled one (its arrays freed: ASan's leak check). */
    CU_ASSERT_EQUAL_FATAL(connections_copy(&d, &s), 0);
    /* The source freed: the copy stands on its own. */
    connections_free(&s);
    CU_ASSERT_EQUAL(s.n_ports, 0);
    CU_ASSERT_PTR_NULL(s.ports);
    CU_ASSERT_TRUE(is_v4(&d.ports[0].top[0], "127.0.0.1", 1));
    CU_ASSERT_TRUE(is_v4(&d.ports[0].top[1], "127.0.0.2", 1));

    /* An empty source empties the destination. */
    CU_ASSERT_EQUAL(connections_copy(&d, &e), 0);
    CU_ASSERT_EQUAL(d.n_ports, 0);
    CU_ASSERT_PTR_NULL(d.ports);
    /* A copy onto itself keeps it. */
    CU_ASSERT_EQUAL_FATAL(connections_read(proc, &c, &s), 0);
    CU_ASSERT_EQUAL(connections_copy(&s, &s), 0);
    CU_ASSERT_EQUAL_FATAL(s.n_ports, 2);
    CU_ASSERT_TRUE(is_v4(&s.ports[1].top[0], "127.0.0.3", 1));
    connections_free(&s);
    connections_free(&s);      /* twice is fine: zeroed */
    connections_free(&d);
    ut_remove_tree(proc);
}

/* ------------------------------------------------------------------------ */
/* The real /proc                                                            */

#define N_CLIENTS 5

/* A listener on @p addr (family of it), port chosen by the kernel; its
 * port in *@p port.  -1 if the family is not there. */
static int listen_on(const struct sockaddr *addr, socklen_t len, int v6only,
                     uint16_t *port)
{
    int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (addr->sa_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (bind(fd, addr, len) != 0 || listen(fd, 16) != 0 ||
        getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                          : ((struct sockaddr_in6 *)&ss)->sin6_port);
    return fd;
}

/* N_CLIENTS connections to @p port at @p addr, accepted: fds into
 * @p fds[0 .. 2*N_CLIENTS-1].  0 on success. */
static int connect_clients(int family, const char *addr, uint16_t port, int lfd,
                           int *fds)
{
    for (int i = 0; i < 2 * N_CLIENTS; i++)
        fds[i] = -1;
    for (int i = 0; i < N_CLIENTS; i++) {
        struct sockaddr_storage ss;
        memset(&ss, 0, sizeof ss);
        socklen_t len;
        if (family == AF_INET) {
            struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
            sin->sin_family = AF_INET;
            sin->sin_port = htons(port);
            inet_pton(AF_INET, addr, &sin->sin_addr);
            len = sizeof *sin;
        } else {
            struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
            sin6->sin6_family = AF_INET6;
            sin6->sin6_port = htons(port);
            inet_pton(AF_INET6, addr, &sin6->sin6_addr);
            len = sizeof *sin6;
        }
        fds[2 * i] = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fds[2 * i] < 0 || connect(fds[2 * i], (struct sockaddr *)&ss, len) != 0)
            return -1;
        fds[2 * i + 1] = accept(lfd, NULL, NULL);
        if (fds[2 * i + 1] < 0)
            return -1;
    }
    return 0;
}

static void close_all(int *fds, int n)
{
    for (int i = 0; i < n; i++) {
        if (fds[i] >= 0)
            close(fds[i]);
    }
}

/* Check the real tables for @p port: one LISTEN, N_CLIENTS ESTABLISHED,
 * all from @p remote (of @p family). */
static void check_real(uint16_t port, int family, const char *remote)
{
    struct config_connections c = conf(10, 1, &port);
    struct connections_stats s;
    memset(&s, 0, sizeof s);
    CU_ASSERT_EQUAL_FATAL(connections_read("/proc", &c, &s), 0);
    CU_ASSERT_EQUAL(s.ok, 1);
    const struct connections_port *p = find_port(&s, port);
    if (!p) {
        CU_FAIL("port not listed");
        connections_free(&s);
        return;
    }
    CU_ASSERT_EQUAL(p->by_state[CONN_LISTEN], 1);
    CU_ASSERT_EQUAL(p->by_state[CONN_ESTABLISHED], N_CLIENTS);
    CU_ASSERT_EQUAL(p->n_remotes, 1);
    CU_ASSERT_EQUAL_FATAL(p->n_top, 1);
    CU_ASSERT_TRUE(is_remote(&p->top[0], family, remote, N_CLIENTS));
    connections_free(&s);
}

/* A listener on @p addr (@p v6only for IPv6), N_CLIENTS clients of
 * @p family from @p remote, and the real tables checked for its port.  A
 * listener that cannot be had fails the test, or with @p skip (why) skips
 * it. */
static void real_clients(const struct sockaddr *addr, socklen_t len, int v6only,
                         int family, const char *remote, const char *skip)
{
    uint16_t port = 0;
    int lfd = listen_on(addr, len, v6only, &port);
    if (lfd < 0 && skip) {
        fprintf(stderr, "\n    %s: skipped\n", skip);
        return;
    }
    CU_ASSERT_FATAL(lfd >= 0);
    int fds[2 * N_CLIENTS];
    CU_ASSERT_EQUAL(connect_clients(family, remote, port, lfd, fds), 0);
    check_real(port, family, remote);
    close_all(fds, 2 * N_CLIENTS);
    close(lfd);
}

/* 127.0.0.1: tcp. */
static void test_real_ipv4(void)
{
    struct sockaddr_in sin = {.sin_family = AF_INET};
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    real_clients((struct sockaddr *)&sin, sizeof sin, 0, AF_INET, "127.0.0.1", NULL);
}

/* ::1: tcp6, an IPv6 remote. */
static void test_real_ipv6(void)
{
    struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6};
    sin6.sin6_addr = in6addr_loopback;
    real_clients((struct sockaddr *)&sin6, sizeof sin6, 1, AF_INET6, "::1",
                 "no IPv6 loopback here");
}

/* An IPv6 socket bound to ::ffff:127.0.0.1, IPv4 clients: tcp6 lists
 * them as ::ffff:127.0.0.1, counted as IPv4 127.0.0.1. */
static void test_real_mapped(void)
{
    struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6};
    inet_pton(AF_INET6, "::ffff:127.0.0.1", &sin6.sin6_addr);
    real_clients((struct sockaddr *)&sin6, sizeof sin6, 0, AF_INET, "127.0.0.1",
                 "no dual-stack IPv6 here");
}

int main(void)
{
    static const struct unit_test tests[] = {
        {"parse: IPv4 line, byte order, bounds", test_parse_ipv4},
        {"parse: IPv6 and IPv4-mapped", test_parse_ipv6},
        {"parse: hex states are Linux's numbers", test_parse_states},
        {"parse: malformed lines refused", test_parse_malformed},
        {"read: per port and state, remotes, top", test_counts_and_top},
        {"read: ties go to the lower address", test_ties},
        {"read: malformed lines skipped", test_malformed_lines},
        {"read: long lines", test_long_lines},
        {"read: a flood beyond the cap", test_flood},
        {"read: missing and unreadable tables", test_files_missing},
        {"copy and free", test_copy_free},
        {"real /proc: 127.0.0.1", test_real_ipv4},
        {"real /proc: ::1", test_real_ipv6},
        {"real /proc: ::ffff:127.0.0.1", test_real_mapped},
        {NULL, NULL},
    };
    return unit_main("connections", tests);
}
