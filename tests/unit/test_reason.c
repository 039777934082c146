/*
 * test_reason.c - the last-reason rings (reason.c): texts published and
 * read back, cut, made printable, and never torn by concurrent writers.
 */
#include <pthread.h>
#include <stdlib.h>

#include "lib_internal.h"
#include "unit_util.h"

static struct reason_ring *new_ring(void)
{
    struct reason_ring *r = calloc(1, sizeof *r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    return r;
}

static void test_empty(void)
{
    struct reason_ring *r = new_ring();
    UT_REQUIRE(r);
    char out[MTAMON_REASON_MAX + 1];
    memset(out, 'Z', sizeof out);
    mtamon__reason_read(r, out, sizeof out);
    for (size_t i = 0; i < sizeof out; i++)
        CU_ASSERT_EQUAL(out[i], '\0');
    /* outlen 0 writes nothing. */
    char sentinel = 'S';
    mtamon__reason_read(r, &sentinel, 0);
    CU_ASSERT_EQUAL(sentinel, 'S');
    free(r);
}

static void test_latest_wins(void)
{
    struct reason_ring *r = new_ring();
    UT_REQUIRE(r);
    char out[MTAMON_REASON_MAX + 1];
    mtamon__reason_publish(r, "5.1.1 User unknown");
    mtamon__reason_read(r, out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "5.1.1 User unknown");
    CU_ASSERT_EQUAL(atomic_load(&r->latest), 1);

    /* Around the ring more than once; each read the newest. */
    char text[32];
    for (int i = 0; i < 3 * REASON_RING + 1; i++) {
        snprintf(text, sizeof text, "reason %d", i);
        mtamon__reason_publish(r, text);
        mtamon__reason_read(r, out, sizeof out);
        CU_ASSERT_STRING_EQUAL(out, text);
    }
    CU_ASSERT_EQUAL(atomic_load(&r->latest), 3 * REASON_RING + 2);

    /* A short text in an entry that held a longer one: no leftovers. */
    char longtext[MTAMON_REASON_MAX + 1];
    memset(longtext, 'L', MTAMON_REASON_MAX);
    longtext[MTAMON_REASON_MAX] = '\0';
    mtamon__reason_publish(r, longtext);
    for (int i = 0; i < REASON_RING - 1; i++)
        mtamon__reason_publish(r, "filler");
    mtamon__reason_publish(r, "b"); /* the entry of longtext */
    mtamon__reason_read(r, out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "b");

    /* An empty text is a text: it replaces the last one. */
    mtamon__reason_publish(r, "");
    memset(out, 'Z', sizeof out);
    mtamon__reason_read(r, out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "");
    CU_ASSERT_EQUAL(out[sizeof out - 1], '\0');
    free(r);
}

static void test_cut_and_printable(void)
{
    struct reason_ring *r = new_ring();
    UT_REQUIRE(r);
    char out[MTAMON_REASON_MAX + 1];
    char longtext[MTAMON_REASON_MAX + 100];
    for (size_t i = 0; i < sizeof longtext - 1; i++)
        longtext[i] = (char)('a' + i % 26);
    longtext[sizeof longtext - 1] = '\0';

    mtamon__reason_publish(r, longtext);
    mtamon__reason_read(r, out, sizeof out);
    CU_ASSERT_EQUAL(strlen(out), MTAMON_REASON_MAX);
    CU_ASSERT_EQUAL(strncmp(out, longtext, MTAMON_REASON_MAX), 0);

    /* Exactly the longest: kept whole. */
    longtext[MTAMON_REASON_MAX] = '\0';
    mtamon__reason_publish(r, longtext);
    mtamon__reason_read(r, out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, longtext);

    /* Control, DEL and non-ASCII bytes become '?'. */
    mtamon__reason_publish(r, "a\tb\x01\x7f\xc3\xa9 c\r\n~");
    mtamon__reason_read(r, out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "a?b???? c??~");

    /* A smaller buffer: cut to fit, NUL-terminated, rest zeroed. */
    char small[5];
    memset(small, 'Z', sizeof small);
    mtamon__reason_publish(r, "abcdefgh");
    mtamon__reason_read(r, small, sizeof small);
    CU_ASSERT_EQUAL(memcmp(small, "abcd", sizeof small), 0);
    char one[1] = {'Z'};
    mtamon__reason_read(r, one, sizeof one);
    CU_ASSERT_EQUAL(one[0], '\0');
    mtamon__reason_publish(r, "ab");
    memset(small, 'Z', sizeof small);
    mtamon__reason_read(r, small, sizeof small);
    CU_ASSERT_EQUAL(memcmp(small, "ab\0\0", sizeof small), 0);
    free(r);
}

static void test_copy_printable(void)
{
    char buf[8];
    memset(buf, 'Z', sizeof buf);
    CU_ASSERT_EQUAL(mtamon__copy_printable_text(buf, sizeof buf, "abc\x1f"), 4);
    CU_ASSERT_EQUAL(memcmp(buf, "abc?\0ZZZ", sizeof buf), 0);
    CU_ASSERT_EQUAL(mtamon__copy_printable_text(buf, sizeof buf, "0123456789"), 7);
    CU_ASSERT_STRING_EQUAL(buf, "0123456");
    CU_ASSERT_EQUAL(mtamon__copy_printable_text(buf, sizeof buf, ""), 0);
    CU_ASSERT_STRING_EQUAL(buf, "");
    buf[0] = 'Z';
    CU_ASSERT_EQUAL(mtamon__copy_printable_text(buf, 0, "x"), 0);
    CU_ASSERT_EQUAL(buf[0], 'Z');

    memset(buf, 'Z', sizeof buf);
    mtamon__copy_printable(buf, sizeof buf, "a\x80");
    CU_ASSERT_EQUAL(memcmp(buf, "a?\0\0\0\0\0\0", sizeof buf), 0);
}

static void test_dead_writer(void)
{
    struct reason_ring *r = new_ring();
    UT_REQUIRE(r);
    char out[MTAMON_REASON_MAX + 1];
    pid_t dead = ut_dead_pid();

    mtamon__reason_publish(r, "one"); /* number 1, entry 1 */
    /* Number 2 was started by a writer that died mid-copy. */
    atomic_store(&r->latest, 2);
    atomic_store(&r->entry[2].seq, reason_seq_writing(2, dead));
    memcpy(r->entry[2].text, "half", 5);
    mtamon__reason_read(r, out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "one");

    mtamon__reason_publish(r, "three");
    mtamon__reason_publish(r, "four");
    mtamon__reason_publish(r, "five");
    mtamon__reason_read(r, out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "five");
    /* Number 6 takes the dead writer's entry over. */
    mtamon__reason_publish(r, "six");
    mtamon__reason_read(r, out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "six");
    CU_ASSERT_EQUAL(atomic_load(&r->entry[2].seq), reason_seq_done(6));

    /* A live writer's entry is never taken over: that text is dropped. */
    atomic_store(&r->entry[3].seq, reason_seq_writing(3, getpid()));
    mtamon__reason_publish(r, "seven"); /* number 7, entry 3: dropped */
    mtamon__reason_read(r, out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "six");
    CU_ASSERT_EQUAL(atomic_load(&r->entry[3].seq), reason_seq_writing(3, getpid()));
    free(r);
}

/* Concurrent writers, each publishing its own text; a reader checks every
 * read is one of them whole.  Fewer writers than entries, so one entry is
 * always complete and no read may come back empty. */
#define WRITERS (REASON_RING - 1)
#define WRITES 20000

struct writer_arg {
    struct reason_ring *ring;
    char text[MTAMON_REASON_MAX + 1];
};

static char expected[WRITERS][MTAMON_REASON_MAX + 1];
static atomic_int writers_done;

static void *writer_thread(void *p)
{
    struct writer_arg *a = p;
    for (int i = 0; i < WRITES; i++)
        mtamon__reason_publish(a->ring, a->text);
    atomic_fetch_add(&writers_done, 1);
    return NULL;
}

static void test_concurrent(void)
{
    struct reason_ring *r = new_ring();
    UT_REQUIRE(r);
    struct writer_arg args[WRITERS];
    pthread_t th[WRITERS];
    atomic_store(&writers_done, 0);
    mtamon__reason_publish(r, "initial");
    for (int k = 0; k < WRITERS; k++) {
        /* Different letters and lengths: a mix shows either way. */
        size_t len = 20 + (size_t)k * (MTAMON_REASON_MAX - 20) / (WRITERS - 1);
        memset(expected[k], 'A' + k, len);
        expected[k][len] = '\0';
        args[k].ring = r;
        memcpy(args[k].text, expected[k], sizeof args[k].text);
    }
    int started = 0;
    for (int k = 0; k < WRITERS; k++)
        if (pthread_create(&th[k], NULL, writer_thread, &args[k]) == 0)
            started++;
    CU_ASSERT_EQUAL_FATAL(started, WRITERS);

    long reads = 0, torn = 0, empty = 0;
    char out[MTAMON_REASON_MAX + 1];
    while (atomic_load(&writers_done) < WRITERS || reads < 1000) {
        mtamon__reason_read(r, out, sizeof out);
        reads++;
        if (out[0] == '\0') {
            empty++;
            continue;
        }
        int ok = strcmp(out, "initial") == 0;
        for (int k = 0; k < WRITERS && !ok; k++)
            ok = strcmp(out, expected[k]) == 0;
        if (!ok && torn++ == 0)
            fprintf(stderr, "\n    torn read: '%s'\n", out);
    }
    for (int k = 0; k < WRITERS; k++)
        pthread_join(th[k], NULL);
    CU_ASSERT_EQUAL(torn, 0);
    CU_ASSERT_EQUAL(empty, 0);
    CU_ASSERT(reads >= 1000);
    /* Every publish took a number. */
    CU_ASSERT_EQUAL(atomic_load(&r->latest), 1 + (uint64_t)WRITERS * WRITES);
    /* At rest: one of the texts. */
    mtamon__reason_read(r, out, sizeof out);
    int ok = 0;
    for (int k = 0; k < WRITERS; k++)
        ok |= strcmp(out, expected[k]) == 0;
    CU_ASSERT(ok);
    free(r);
}

static void test_through_events(void)
{
    /* End to end: the reasons of mtamon_reject and mtamon_assoc_fail. */
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 2, 2);
    mtamon_channel_t ch = ut_channel(m, "ch");
    CU_ASSERT_EQUAL(mtamon_reject(m, ch, 1, 1, 0, "first\x01"), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_assoc_fail(m, ch, 0, "refused"), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_reject(m, ch, 1, 1, 0, NULL), MTAMON_OK);
    struct mtamon_channel_stats c;
    ut_channel_stats(name, "ch", 0, &c);
    CU_ASSERT_STRING_EQUAL(c.last_rejection_reason, "first?");
    CU_ASSERT_STRING_EQUAL(c.last_connect_failure, "refused");
    mtamon_close(m);
}

UT_MAIN("reason",
        {"nothing published", test_empty},
        {"the latest text wins", test_latest_wins},
        {"texts cut and made printable", test_cut_and_printable},
        {"copying printable text", test_copy_printable},
        {"a writer that died mid-copy", test_dead_writer},
        {"concurrent writers never tear a text", test_concurrent},
        {"reasons through the event calls", test_through_events})
