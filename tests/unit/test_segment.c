/*
 * test_segment.c - creating, attaching, validating and removing segments.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib_internal.h"
#include "unit_util.h"

#define HDR(field) offsetof(struct segment_header, field)

/* A reader of @p name is refused with @p code and a message containing
 * @p word, and the object still holds the @p len bytes of @p before
 * (which is freed). */
static void check_reader_refused(const char *name, mtamon_result code, const char *word,
                                 unsigned char *before, size_t len)
{
    struct mtamon_error err = {0};
    mtamon_reader *r = mtamon_reader_open(name, &err);
    CU_ASSERT_PTR_NULL(r);
    mtamon_reader_close(r);
    UT_ASSERT_ERR(err, code, word);
    CU_ASSERT(ut_bytes_equal(name, before, len));
    free(before);
}

/* Every way of opening @p name must be refused with @p code and a message
 * containing @p word, and none may change a byte of the object. */
static void check_refused(const char *name, mtamon_result code, const char *word)
{
    size_t len = 0;
    unsigned char *before = ut_read_bytes(name, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(before);

    static const unsigned flags[] = {0, MTAMON_OPEN_CREATE};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        struct mtamon_error err = {0};
        mtamon_t *m = mtamon_open(name, flags[i], NULL, &err);
        CU_ASSERT_PTR_NULL(m);
        mtamon_close(m);
        UT_ASSERT_ERR(err, code, word);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, name));
    }
    check_reader_refused(name, code, word, before, len);
}

/* A valid, closed segment with @p channels slots and one channel "a". */
static const char *make_segment(uint32_t channels)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, channels, 4);
    mtamon_channel_t ch = ut_channel(m, "a");
    CU_ASSERT_EQUAL(mtamon_enqueue(m, 0, ch, 1, 100), MTAMON_OK);
    mtamon_close(m);
    return name;
}

static void test_create_defaults(void)
{
    const char *name = ut_name();
    int64_t t0 = ut_now_ms();
    mtamon_t *m = ut_create(name, 0, 0);
    mtamon_close(m);

    struct mtamon_snapshot snap = {0};
    ut_snapshot(name, 0, &snap);
    CU_ASSERT_EQUAL(snap.channel_capacity, MTAMON_DEFAULT_CHANNELS);
    CU_ASSERT_EQUAL(snap.assoc_capacity, MTAMON_DEFAULT_ASSOCS);
    CU_ASSERT_EQUAL(snap.n_channels, 0);
    CU_ASSERT_EQUAL(snap.n_assocs, 0);
    CU_ASSERT_NOT_EQUAL(snap.generation, 0);
    CU_ASSERT_EQUAL(snap.cleared_ms, 0);
    CU_ASSERT(snap.created_ms >= t0 - 1000 && snap.created_ms <= ut_now_ms() + 1000);
    mtamon_snapshot_free(&snap);

    /* The header as the layout defines it. */
    struct segment_geometry g = mtamon__segment_geometry_for(MTAMON_DEFAULT_CHANNELS,
                                                             MTAMON_DEFAULT_ASSOCS);
    uint64_t magic = 0, size = 0;
    uint32_t version = 0, cap = 0;
    CU_ASSERT_EQUAL(ut_peek(name, HDR(magic), &magic, sizeof magic), 0);
    CU_ASSERT_EQUAL(ut_peek(name, HDR(layout_version), &version, sizeof version), 0);
    CU_ASSERT_EQUAL(ut_peek(name, HDR(segment_size), &size, sizeof size), 0);
    CU_ASSERT_EQUAL(ut_peek(name, HDR(channel_capacity), &cap, sizeof cap), 0);
    CU_ASSERT_EQUAL(magic, MTAMON_MAGIC);
    CU_ASSERT_EQUAL(version, MTAMON_LAYOUT_VERSION);
    CU_ASSERT_EQUAL(size, g.size);
    CU_ASSERT_EQUAL(cap, MTAMON_DEFAULT_CHANNELS);
    size_t len = 0;
    unsigned char *bytes = ut_read_bytes(name, &len);
    CU_ASSERT_EQUAL(len, g.size);
    free(bytes);

    /* A NULL params pointer is the defaults too. */
    const char *name2 = ut_name();
    struct mtamon_error err = {0};
    m = mtamon_open(name2, MTAMON_OPEN_CREATE | MTAMON_OPEN_EXCL, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    mtamon_close(m);
    ut_snapshot(name2, 0, &snap);
    CU_ASSERT_EQUAL(snap.channel_capacity, MTAMON_DEFAULT_CHANNELS);
    CU_ASSERT_EQUAL(snap.assoc_capacity, MTAMON_DEFAULT_ASSOCS);
    mtamon_snapshot_free(&snap);
}

static void test_create_params(void)
{
    const char *name = ut_name();
    mtamon_t *m = ut_create(name, 3, 5);
    mtamon_close(m);
    struct mtamon_snapshot snap = {0};
    ut_snapshot(name, 0, &snap);
    CU_ASSERT_EQUAL(snap.channel_capacity, 3);
    CU_ASSERT_EQUAL(snap.assoc_capacity, 5);
    mtamon_snapshot_free(&snap);
    size_t len = 0;
    unsigned char *bytes = ut_read_bytes(name, &len);
    CU_ASSERT_EQUAL(len, mtamon__segment_geometry_for(3, 5).size);
    free(bytes);

    /* One zero field takes its default, the other is kept. */
    const char *name2 = ut_name();
    m = ut_create(name2, 0, 1);
    mtamon_close(m);
    ut_snapshot(name2, 0, &snap);
    CU_ASSERT_EQUAL(snap.channel_capacity, MTAMON_DEFAULT_CHANNELS);
    CU_ASSERT_EQUAL(snap.assoc_capacity, 1);
    mtamon_snapshot_free(&snap);

    const char *name3 = ut_name();
    m = ut_create(name3, 1, 0);
    mtamon_close(m);
    ut_snapshot(name3, 0, &snap);
    CU_ASSERT_EQUAL(snap.channel_capacity, 1);
    CU_ASSERT_EQUAL(snap.assoc_capacity, MTAMON_DEFAULT_ASSOCS);
    mtamon_snapshot_free(&snap);

    /* Opening an existing segment (no EXCL) keeps its geometry. */
    struct mtamon_create_params other = {.channel_capacity = 7, .assoc_capacity = 7};
    struct mtamon_error err = {0};
    m = mtamon_open(name, MTAMON_OPEN_CREATE, &other, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    mtamon_close(m);
    ut_snapshot(name, 0, &snap);
    CU_ASSERT_EQUAL(snap.channel_capacity, 3);
    CU_ASSERT_EQUAL(snap.assoc_capacity, 5);
    mtamon_snapshot_free(&snap);
}

static void test_capacity_out_of_range(void)
{
    static const struct mtamon_create_params bad[] = {
        {.channel_capacity = MTAMON_MAX_CHANNELS + 1},
        {.assoc_capacity = MTAMON_MAX_ASSOCS + 1},
        {.channel_capacity = UINT32_MAX, .assoc_capacity = 1},
        {.channel_capacity = 1, .assoc_capacity = UINT32_MAX},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *name = ut_name();
        struct mtamon_error err = {0};
        mtamon_t *m = mtamon_open(name, MTAMON_OPEN_CREATE | MTAMON_OPEN_EXCL,
                                  &bad[i], &err);
        CU_ASSERT_PTR_NULL(m);
        mtamon_close(m);
        UT_ASSERT_ERR(err, MTAMON_ERR_INVALID, "capacity");
        CU_ASSERT(!ut_exists(name));
        m = mtamon_open(name, MTAMON_OPEN_CREATE, &bad[i], &err);
        CU_ASSERT_PTR_NULL(m);
        mtamon_close(m);
        CU_ASSERT_EQUAL(err.code, MTAMON_ERR_INVALID);
        CU_ASSERT(!ut_exists(name));
    }
}

static void test_exclusive_create_exists(void)
{
    const char *name = make_segment(4);
    size_t len = 0;
    unsigned char *before = ut_read_bytes(name, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(before);
    struct mtamon_error err = {0};
    mtamon_t *m = mtamon_open(name, MTAMON_OPEN_CREATE | MTAMON_OPEN_EXCL, NULL, &err);
    CU_ASSERT_PTR_NULL(m);
    mtamon_close(m);
    UT_ASSERT_ERR(err, MTAMON_ERR_EXISTS, name);
    CU_ASSERT(ut_bytes_equal(name, before, len));
    free(before);

    /* Without EXCL the existing segment and its counters are kept. */
    m = mtamon_open(name, MTAMON_OPEN_CREATE, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    mtamon_close(m);
    struct mtamon_channel_stats c;
    ut_channel_stats(name, "a", 0, &c);
    CU_ASSERT_EQUAL(c.c[MTAMON_RECEIVED_MSGS], 1);
    CU_ASSERT_EQUAL(c.c[MTAMON_RECEIVED_VOLUME], 100);
}

static void test_invalid_names(void)
{
    char too_long[SEGMENT_NAME_MAX + 2];
    too_long[0] = '/';
    memset(too_long + 1, 'x', SEGMENT_NAME_MAX);
    too_long[SEGMENT_NAME_MAX + 1] = '\0';
    const char *bad[] = {
        "mtamon-ut-no-slash", "/mtamon-ut/second", "", "/", "//x",
        "/mtamon ut", "/mtamon\x01ut", "/mtamon\xc3\xa9", too_long,
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct mtamon_error err = {0};
        mtamon_t *m = mtamon_open(bad[i], MTAMON_OPEN_CREATE | MTAMON_OPEN_EXCL,
                                  NULL, &err);
        CU_ASSERT_PTR_NULL(m);
        if (m) {
            fprintf(stderr, "\n    name '%s' accepted\n", bad[i]);
            mtamon_close(m);
            mtamon_unlink(bad[i], NULL);
        }
        UT_ASSERT_ERR(err, MTAMON_ERR_INVALID, "segment name");
        m = mtamon_open(bad[i], 0, NULL, &err);
        CU_ASSERT_PTR_NULL(m);
        mtamon_close(m);
        CU_ASSERT_EQUAL(err.code, MTAMON_ERR_INVALID);
        mtamon_reader *r = mtamon_reader_open(bad[i], &err);
        CU_ASSERT_PTR_NULL(r);
        mtamon_reader_close(r);
        CU_ASSERT_EQUAL(err.code, MTAMON_ERR_INVALID);
        CU_ASSERT_EQUAL(mtamon_unlink(bad[i], &err), MTAMON_ERR_INVALID);
        CU_ASSERT_EQUAL(err.code, MTAMON_ERR_INVALID);
    }
    /* The longest valid name is accepted. */
    char longest[SEGMENT_NAME_MAX + 1];
    snprintf(longest, sizeof longest, "%s-", ut_name());
    size_t have = strlen(longest);
    memset(longest + have, 'y', SEGMENT_NAME_MAX - have);
    longest[SEGMENT_NAME_MAX] = '\0';
    CU_ASSERT_EQUAL(strlen(longest), SEGMENT_NAME_MAX);
    struct mtamon_error err = {0};
    ut_track(longest);
    mtamon_t *m = mtamon_open(longest, MTAMON_OPEN_CREATE | MTAMON_OPEN_EXCL,
                              NULL, &err);
    CU_ASSERT_PTR_NOT_NULL(m);
    mtamon_close(m);
    CU_ASSERT_EQUAL(mtamon_unlink(longest, &err), MTAMON_OK);
}

static void test_missing(void)
{
    const char *name = ut_name();
    struct mtamon_error err = {0};
    mtamon_t *m = mtamon_open(name, 0, NULL, &err);
    CU_ASSERT_PTR_NULL(m);
    mtamon_close(m);
    UT_ASSERT_ERR(err, MTAMON_ERR_NOENT, name);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "does not exist"));
    mtamon_reader *r = mtamon_reader_open(name, &err);
    CU_ASSERT_PTR_NULL(r);
    mtamon_reader_close(r);
    UT_ASSERT_ERR(err, MTAMON_ERR_NOENT, name);
    CU_ASSERT_EQUAL(mtamon_unlink(name, &err), MTAMON_ERR_NOENT);
    CU_ASSERT(!ut_exists(name));
}

static void test_foreign_random(void)
{
    const char *name = ut_name();
    unsigned char junk[sizeof(struct segment_header)];
    srand(12345);
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)(rand() & 0xff);
    junk[0] |= 1; /* a non-zero magic: not "being initialised" */
    CU_ASSERT_EQUAL_FATAL(ut_write_bytes(name, junk, sizeof junk), 0);
    check_refused(name, MTAMON_ERR_FOREIGN, "not an mtamon segment");

    /* A big object of random bytes too. */
    size_t big = 65536;
    unsigned char *buf = malloc(big);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    for (size_t i = 0; i < big; i++)
        buf[i] = (unsigned char)(rand() & 0xff);
    buf[0] |= 1;
    CU_ASSERT_EQUAL_FATAL(ut_write_bytes(name, buf, big), 0);
    check_refused(name, MTAMON_ERR_FOREIGN, "not an mtamon segment");
    free(buf);
}

static void test_foreign_short(void)
{
    const char *name = ut_name();
    CU_ASSERT_EQUAL_FATAL(ut_write_bytes(name, "0123456789", 10), 0);
    check_refused(name, MTAMON_ERR_FOREIGN, "not an mtamon segment");
    check_refused(name, MTAMON_ERR_FOREIGN, "10 bytes");
}

/* Refused by readers and by writers that may not create, unchanged. */
static void check_refused_without_create(const char *name, const char *word)
{
    size_t len = 0;
    unsigned char *before = ut_read_bytes(name, &len);
    struct mtamon_error err = {0};
    CU_ASSERT_PTR_NULL(mtamon_open(name, 0, NULL, &err));
    UT_ASSERT_ERR(err, MTAMON_ERR_FOREIGN, word);
    CU_ASSERT_PTR_NULL(mtamon_open(name, MTAMON_OPEN_CREATE | MTAMON_OPEN_EXCL, NULL, &err));
    UT_ASSERT_ERR(err, MTAMON_ERR_EXISTS, "");
    check_reader_refused(name, MTAMON_ERR_FOREIGN, word, before, len);
}

/* An empty object, or a full-size one without magic, is what a creator
 * that died leaves: attaches wait about a second for the magic, then call
 * it foreign ("never initialised"); a writer that may create replaces it. */
static void test_foreign_empty(void)
{
    const char *name = ut_name();
    CU_ASSERT_EQUAL_FATAL(ut_write_bytes(name, "", 0), 0);
    check_refused_without_create(name, "never initialised");

    struct segment_geometry g = mtamon__segment_geometry_for(4, 4);
    unsigned char *zeros = calloc(1, g.size);
    UT_REQUIRE(zeros);
    CU_ASSERT_EQUAL_FATAL(ut_write_bytes(name, zeros, g.size), 0);
    free(zeros);
    check_refused_without_create(name, "never initialised");

    struct mtamon_error err = {0};
    mtamon_t *m = mtamon_open(name, MTAMON_OPEN_CREATE, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(err.code, MTAMON_OK);
    CU_ASSERT_EQUAL(writer_map(m)->channel_capacity, MTAMON_DEFAULT_CHANNELS);
    CU_ASSERT_EQUAL(ut_channel(m, "again"), 1);
    mtamon_close(m);
}

static void test_bad_magic(void)
{
    const char *name = make_segment(4);
    CU_ASSERT_EQUAL(ut_patch_u64(name, HDR(magic), MTAMON_MAGIC ^ 0x100), 0);
    check_refused(name, MTAMON_ERR_FOREIGN, "not an mtamon segment");
    check_refused(name, MTAMON_ERR_FOREIGN, "magic");
}

static void test_newer_version(void)
{
    const char *name = make_segment(4);
    CU_ASSERT_EQUAL(ut_patch_u32(name, HDR(layout_version), MTAMON_LAYOUT_VERSION + 1), 0);
    check_refused(name, MTAMON_ERR_VERSION, "newer");
    char theirs[32], ours[32];
    snprintf(theirs, sizeof theirs, "version %u", MTAMON_LAYOUT_VERSION + 1);
    snprintf(ours, sizeof ours, "(%u)", MTAMON_LAYOUT_VERSION);
    check_refused(name, MTAMON_ERR_VERSION, theirs);
    check_refused(name, MTAMON_ERR_VERSION, ours);

    CU_ASSERT_EQUAL(ut_patch_u32(name, HDR(layout_version), 0xffffffffu), 0);
    check_refused(name, MTAMON_ERR_VERSION, "newer");
}

static void test_version_zero(void)
{
    const char *name = make_segment(4);
    CU_ASSERT_EQUAL(ut_patch_u32(name, HDR(layout_version), 0), 0);
    check_refused(name, MTAMON_ERR_CORRUPT, "layout version 0");
}

static void test_truncated(void)
{
    const char *name = make_segment(4);
    uint64_t size = 0;
    CU_ASSERT_EQUAL(ut_peek(name, HDR(segment_size), &size, sizeof size), 0);
    CU_ASSERT_FATAL(size > 4096);
    CU_ASSERT_EQUAL(ut_truncate(name, (size_t)size - 4096), 0);
    check_refused(name, MTAMON_ERR_CORRUPT, "truncated");
    CU_ASSERT_EQUAL(ut_truncate(name, sizeof(struct segment_header) + 8), 0);
    check_refused(name, MTAMON_ERR_CORRUPT, "truncated");
    /* Shorter than a header: not even a segment. */
    CU_ASSERT_EQUAL(ut_truncate(name, sizeof(struct segment_header) - 1), 0);
    check_refused(name, MTAMON_ERR_FOREIGN, "not an mtamon segment");
}

static void test_capacity_beyond_mapping(void)
{
    const char *name = make_segment(4);
    /* Only the capacity grows: inconsistent with the recorded size. */
    CU_ASSERT_EQUAL(ut_patch_u32(name, HDR(channel_capacity), 100000), 0);
    check_refused(name, MTAMON_ERR_CORRUPT, "100000");

    /* A header consistent in itself that describes more than the object. */
    const char *name2 = make_segment(4);
    struct segment_geometry g = mtamon__segment_geometry_for(100000, 4);
    CU_ASSERT_EQUAL(ut_patch_u32(name2, HDR(channel_capacity), 100000), 0);
    CU_ASSERT_EQUAL(ut_patch_u64(name2, HDR(segment_size), g.size), 0);
    CU_ASSERT_EQUAL(ut_patch_u64(name2, HDR(channels_offset), g.channels_offset), 0);
    CU_ASSERT_EQUAL(ut_patch_u64(name2, HDR(assocs_offset), g.assocs_offset), 0);
    check_refused(name2, MTAMON_ERR_CORRUPT, "truncated");

    /* Capacities 0 and beyond the maximum. */
    const char *name3 = make_segment(4);
    CU_ASSERT_EQUAL(ut_patch_u32(name3, HDR(channel_capacity), 0), 0);
    check_refused(name3, MTAMON_ERR_CORRUPT, "out of range");
    CU_ASSERT_EQUAL(ut_patch_u32(name3, HDR(channel_capacity), MTAMON_MAX_CHANNELS + 1), 0);
    check_refused(name3, MTAMON_ERR_CORRUPT, "out of range");
    CU_ASSERT_EQUAL(ut_patch_u32(name3, HDR(channel_capacity), 4), 0);
    CU_ASSERT_EQUAL(ut_patch_u32(name3, HDR(assoc_capacity), 0), 0);
    check_refused(name3, MTAMON_ERR_CORRUPT, "out of range");
    CU_ASSERT_EQUAL(ut_patch_u32(name3, HDR(assoc_capacity), 1000), 0);
    check_refused(name3, MTAMON_ERR_CORRUPT, "needs");

    /* Offsets that do not match the geometry. */
    const char *name4 = make_segment(4);
    uint64_t off = 0;
    CU_ASSERT_EQUAL(ut_peek(name4, HDR(assocs_offset), &off, sizeof off), 0);
    CU_ASSERT_EQUAL(ut_patch_u64(name4, HDR(assocs_offset), off + 64), 0);
    check_refused(name4, MTAMON_ERR_CORRUPT, name4);
    CU_ASSERT_EQUAL(ut_patch_u64(name4, HDR(assocs_offset), off), 0);
    CU_ASSERT_EQUAL(ut_patch_u64(name4, HDR(channels_offset), UINT64_MAX - 63), 0);
    check_refused(name4, MTAMON_ERR_CORRUPT, name4);
}

static void test_slot_size_mismatch(void)
{
    const char *name = make_segment(4);
    CU_ASSERT_EQUAL(ut_patch_u32(name, HDR(channel_slot_size),
                                 (uint32_t)sizeof(struct channel_slot) + 64), 0);
    check_refused(name, MTAMON_ERR_CORRUPT, "slot sizes");

    const char *name2 = make_segment(4);
    CU_ASSERT_EQUAL(ut_patch_u32(name2, HDR(assoc_entry_size),
                                 (uint32_t)sizeof(struct assoc_entry) - 8), 0);
    check_refused(name2, MTAMON_ERR_CORRUPT, "slot sizes");

    const char *name3 = make_segment(4);
    CU_ASSERT_EQUAL(ut_patch_u32(name3, HDR(header_size), 4096), 0);
    check_refused(name3, MTAMON_ERR_CORRUPT, "header size");
}

static void test_mode_0660(void)
{
    mode_t old = umask(077);
    const char *name = ut_name();
    struct mtamon_error err = {0};
    mtamon_t *m = mtamon_open(name, MTAMON_OPEN_CREATE, NULL, &err);
    umask(old);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    mtamon_close(m);
    CU_ASSERT_EQUAL(ut_mode(name), 0660);
}

/* An explicit mode and group, for MTAs running under a mail group. */
static void test_mode_and_group(void)
{
    const char *name = ut_name();
    struct mtamon_error err = {0};
    struct mtamon_create_params p = {.mode = 0640,
                                     .flags = MTAMON_CREATE_SET_GROUP,
                                     .gid = (uint32_t)getegid()};
    mtamon_t *m = mtamon_open(name, MTAMON_OPEN_CREATE | MTAMON_OPEN_EXCL, &p, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    mtamon_close(m);
    CU_ASSERT_EQUAL(ut_mode(name), 0640);
    char path[512];
    ut_shm_path(name, path, sizeof path);
    struct stat st;
    CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
    CU_ASSERT_EQUAL(st.st_gid, getegid());

    /* The owner must keep read and write; only permission bits. */
    static const uint32_t bad_modes[] = {0400, 0200, 04660, 01660, 010660};
    for (size_t i = 0; i < sizeof bad_modes / sizeof bad_modes[0]; i++) {
        const char *bad = ut_name();
        struct mtamon_create_params q = {.mode = bad_modes[i]};
        CU_ASSERT_PTR_NULL(mtamon_open(bad, MTAMON_OPEN_CREATE, &q, &err));
        UT_ASSERT_ERR(err, MTAMON_ERR_INVALID, "mode");
        CU_ASSERT(!ut_exists(bad));
    }
}

static void test_generation(void)
{
    const char *a = ut_name(), *b = ut_name();
    mtamon_t *ma = ut_create(a, 2, 2);
    mtamon_t *mb = ut_create(b, 2, 2);
    mtamon_close(ma);
    mtamon_close(mb);
    struct mtamon_error err = {0};
    mtamon_reader *ra = mtamon_reader_open(a, &err);
    mtamon_reader *rb = mtamon_reader_open(b, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ra);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rb);
    uint64_t ga = mtamon_reader_generation(ra), gb = mtamon_reader_generation(rb);
    CU_ASSERT_NOT_EQUAL(ga, 0);
    CU_ASSERT_NOT_EQUAL(gb, 0);
    CU_ASSERT_NOT_EQUAL(ga, gb);
    mtamon_reader_close(ra);
    mtamon_reader_close(rb);

    /* Re-created under the same name: a new generation. */
    CU_ASSERT_EQUAL(mtamon_unlink(a, &err), MTAMON_OK);
    ma = ut_create(a, 2, 2);
    mtamon_close(ma);
    ra = mtamon_reader_open(a, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ra);
    CU_ASSERT_NOT_EQUAL(mtamon_reader_generation(ra), 0);
    CU_ASSERT_NOT_EQUAL(mtamon_reader_generation(ra), ga);
    mtamon_reader_close(ra);
}

static void test_unlink(void)
{
    const char *name = make_segment(2);
    struct mtamon_error err = {0};
    mtamon_t *m = mtamon_open(name, 0, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(mtamon_unlink(name, &err), MTAMON_OK);
    CU_ASSERT(!ut_exists(name));
    memset(&err, 0, sizeof err);
    CU_ASSERT_EQUAL(mtamon_unlink(name, &err), MTAMON_ERR_NOENT);
    UT_ASSERT_ERR(err, MTAMON_ERR_NOENT, name);
    CU_ASSERT_EQUAL(mtamon_unlink(name, NULL), MTAMON_ERR_NOENT);
    /* A mapping already open stays usable. */
    mtamon_channel_t ch = 0;
    CU_ASSERT_EQUAL(mtamon_channel_find(m, "a", &ch, &err), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_loop(m, ch), MTAMON_OK);
    mtamon_close(m);
    mtamon_reader *r = mtamon_reader_open(name, &err);
    CU_ASSERT_PTR_NULL(r);
    mtamon_reader_close(r);
    CU_ASSERT_EQUAL(err.code, MTAMON_ERR_NOENT);
}

static void test_env_name(void)
{
    const char *saved = getenv(MTAMON_SEGMENT_ENV);
    char *saved_copy = saved ? strdup(saved) : NULL;
    const char *name = ut_name();

    unsetenv(MTAMON_SEGMENT_ENV);
    CU_ASSERT_STRING_EQUAL(mtamon_segment_name(NULL), MTAMON_DEFAULT_SEGMENT);
    CU_ASSERT_STRING_EQUAL(mtamon_segment_name("/explicit"), "/explicit");
    setenv(MTAMON_SEGMENT_ENV, "", 1);
    CU_ASSERT_STRING_EQUAL(mtamon_segment_name(NULL), MTAMON_DEFAULT_SEGMENT);
    setenv(MTAMON_SEGMENT_ENV, name, 1);
    CU_ASSERT_STRING_EQUAL(mtamon_segment_name(NULL), name);
    CU_ASSERT_STRING_EQUAL(mtamon_segment_name("/explicit"), "/explicit");
    /* An empty name is not "the default": it is invalid. */
    CU_ASSERT_STRING_EQUAL(mtamon_segment_name(""), "");

    /* Every entry point resolves NULL through the variable. */
    struct mtamon_error err = {0};
    mtamon_t *m = mtamon_open(NULL, MTAMON_OPEN_CREATE | MTAMON_OPEN_EXCL, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL(m);
    mtamon_close(m);
    CU_ASSERT(ut_exists(name));
    mtamon_reader *r = mtamon_reader_open(NULL, &err);
    CU_ASSERT_PTR_NOT_NULL(r);
    mtamon_reader_close(r);
    CU_ASSERT_EQUAL(mtamon_unlink(NULL, &err), MTAMON_OK);
    CU_ASSERT(!ut_exists(name));

    if (saved_copy)
        setenv(MTAMON_SEGMENT_ENV, saved_copy, 1);
    else
        unsetenv(MTAMON_SEGMENT_ENV);
    free(saved_copy);
}

/* Many processes opening with CREATE at once: one segment, one
 * generation, nobody refused (late ones wait for the initialisation). */
static void test_concurrent_create(void)
{
    enum { PROCS = 8, ROUNDS = 10 };
    for (int round = 0; round < ROUNDS; round++) {
        const char *name = ut_name();
        struct ut_barrier b;
        CU_ASSERT_EQUAL_FATAL(ut_barrier_init(&b), 0);
        pid_t pids[PROCS];
        for (int i = 0; i < PROCS; i++) {
            pids[i] = ut_fork();
            if (pids[i] == 0) {
                ut_barrier_wait(&b);
                mtamon_t *m = mtamon_open(name, MTAMON_OPEN_CREATE, NULL, NULL);
                if (!m)
                    _exit(2);
                mtamon_channel_t ch = 0;
                int rc = mtamon_channel(m, "shared", &ch, NULL) == MTAMON_OK &&
                                 ch == 1 && mtamon_loop(m, ch) == MTAMON_OK
                             ? 0 : 3;
                mtamon_close(m);
                _exit(rc);
            }
        }
        ut_barrier_release(&b);
        for (int i = 0; i < PROCS; i++)
            CU_ASSERT_EQUAL(ut_wait(pids[i]), 0);
        struct mtamon_channel_stats c;
        ut_channel_stats(name, "shared", 0, &c);
        CU_ASSERT_EQUAL(c.index, 1);
        CU_ASSERT_EQUAL(c.c[MTAMON_LOOPS], PROCS);
    }
}

static void test_strerror_and_names(void)
{
    static const mtamon_result codes[] = {
        MTAMON_OK, MTAMON_ERR_INVALID, MTAMON_ERR_NOENT, MTAMON_ERR_EXISTS,
        MTAMON_ERR_FOREIGN, MTAMON_ERR_VERSION, MTAMON_ERR_CORRUPT,
        MTAMON_ERR_FULL, MTAMON_ERR_PERM, MTAMON_ERR_BUSY, MTAMON_ERR_SYSTEM,
        MTAMON_ERR_STALE,
    };
    size_t n = sizeof codes / sizeof codes[0];
    for (size_t i = 0; i < n; i++) {
        const char *s = mtamon_strerror(codes[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        CU_ASSERT(strlen(s) > 0);
        CU_ASSERT(strcmp(s, "unknown error") != 0);
        for (size_t j = 0; j < i; j++)
            CU_ASSERT(strcmp(s, mtamon_strerror(codes[j])) != 0);
    }
    CU_ASSERT_STRING_EQUAL(mtamon_strerror((mtamon_result)-99), "unknown error");
    CU_ASSERT_STRING_EQUAL(mtamon_strerror(MTAMON_ERR_FOREIGN), "not an mtamon segment");

    for (int k = 0; k < MTAMON_COUNTER_COUNT; k++) {
        const char *s = mtamon_counter_name((enum mtamon_counter)k);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        CU_ASSERT(strlen(s) > 0 && strcmp(s, "unknown") != 0);
        for (int j = 0; j < k; j++)
            CU_ASSERT(strcmp(s, mtamon_counter_name((enum mtamon_counter)j)) != 0);
    }
    CU_ASSERT_STRING_EQUAL(mtamon_counter_name(MTAMON_RECEIVED_MSGS), "received_messages");
    CU_ASSERT_STRING_EQUAL(mtamon_counter_name(MTAMON_LOOPS), "loops_detected");
    CU_ASSERT_STRING_EQUAL(mtamon_counter_name(MTAMON_COUNTER_COUNT), "unknown");
}

UT_MAIN("segment",
        {"create with defaults", test_create_defaults},
        {"create with params", test_create_params},
        {"capacities out of range", test_capacity_out_of_range},
        {"exclusive create on existing", test_exclusive_create_exists},
        {"invalid segment names", test_invalid_names},
        {"missing segment", test_missing},
        {"foreign object: random bytes", test_foreign_random},
        {"foreign object: 10 bytes", test_foreign_short},
        {"foreign object: empty", test_foreign_empty},
        {"bad magic", test_bad_magic},
        {"newer layout version", test_newer_version},
        {"layout version 0", test_version_zero},
        {"truncated object", test_truncated},
        {"capacity beyond the mapping", test_capacity_beyond_mapping},
        {"slot size mismatch", test_slot_size_mismatch},
        {"mode 0660 under umask 077", test_mode_0660},
        {"explicit mode and group", test_mode_and_group},
        {"generation", test_generation},
        {"unlink", test_unlink},
        {"MTAMON_SEGMENT", test_env_name},
        {"concurrent create", test_concurrent_create},
        {"strerror and counter names", test_strerror_and_names})
