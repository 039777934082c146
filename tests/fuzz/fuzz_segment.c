/*
 * fuzz_segment.c - fuzz target for the reader's view of a counter segment:
 * mtamon__segment_validate() then mtamon__snapshot_copy(), the code every reader runs over
 * bytes another process (maybe hostile, buggy or of another version) wrote.
 *
 * Each input is tried as it is and, when the header claims a larger size,
 * also zero-padded to that size (up to GROW_MAX), so that mutations of the
 * slots are not all stopped by the size check.  Either way it must give a
 * clear error or a snapshot whose every field is within its bounds; the
 * buffer is exactly as large as the segment, so AddressSanitizer sees any
 * read past it.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lib_internal.h"

const char fuzz_corpus[] = "segment";

/* Largest size an input is grown to: about 280 channel slots. */
#define GROW_MAX ((size_t)1 << 20)

#define CHECK FUZZ_CHECK

/* A failure must come with its own code and a one-line message. */
static void check_error(mtamon_result st, const struct mtamon_error *err)
{
    CHECK(st < 0 && err->code == st);
    CHECK(memchr(err->message, '\0', sizeof err->message) != NULL);
    CHECK(err->message[0] != '\0' && strchr(err->message, '\n') == NULL);
}

static void check_snapshot(const struct segment_map *map,
                           const struct mtamon_snapshot *snap)
{
    CHECK(snap->channel_capacity == map->channel_capacity);
    CHECK(snap->assoc_capacity == map->assoc_capacity);
    CHECK(snap->n_channels <= map->channel_capacity);
    CHECK(snap->n_assocs <= map->assoc_capacity);
    for (uint32_t i = 0; i < snap->n_channels; i++) {
        const struct mtamon_channel_stats *c = &snap->channels[i];
        CHECK(c->index >= 1 && c->index <= map->channel_capacity);
        CHECK(i == 0 || c->index > snap->channels[i - 1].index);
        CHECK(memchr(c->name, '\0', sizeof c->name) != NULL);
        CHECK(mtamon_channel_name_check(c->name, NULL) == MTAMON_OK);
        fuzz_check_printable(c->last_rejection_reason, sizeof c->last_rejection_reason);
        fuzz_check_printable(c->last_connect_failure, sizeof c->last_connect_failure);
        CHECK(c->n_status <= MTAMON_STATUS_SLOTS);
        for (unsigned j = 0; j < c->n_status; j++) {
            CHECK(c->status[j].code >= 4000000 && c->status[j].code <= 5999999);
            CHECK(j == 0 || c->status[j].code >= c->status[j - 1].code);
        }
    }
    for (uint32_t i = 0; i < snap->n_assocs; i++) {
        const struct mtamon_assoc_stats *a = &snap->assocs[i];
        CHECK(a->entry >= 1 && a->entry <= map->assoc_capacity);
        CHECK(i == 0 || a->entry > snap->assocs[i - 1].entry);
        CHECK(a->channel >= 1 && a->channel <= map->channel_capacity);
        CHECK(a->direction == MTAMON_INBOUND || a->direction == MTAMON_OUTBOUND);
        fuzz_check_printable(a->remote, sizeof a->remote);
    }
}

/* Validate and snapshot @p data as a segment of @p bufsize bytes. */
static void run(const uint8_t *data, size_t size, size_t bufsize)
{
    void *buf = NULL;
    if (posix_memalign(&buf, MTAMON_CACHELINE, bufsize ? bufsize : 1) != 0)
        abort();
    size_t n = size < bufsize ? size : bufsize;
    if (n)
        memcpy(buf, data, n);
    memset((char *)buf + n, 0, bufsize - n);

    struct segment_map map;
    struct mtamon_error err = {0};
    mtamon_result st = mtamon__segment_validate("/fuzz", buf, bufsize, &map, &err);
    if (st != MTAMON_OK) {
        check_error(st, &err);
        free(buf);
        return;
    }
    /* Everything the map points at lies inside the buffer. */
    const char *base = buf;
    CHECK(map.base == buf && map.size == bufsize);
    CHECK((const char *)map.header == base);
    CHECK((const char *)(map.channels + map.channel_capacity) <= base + bufsize);
    CHECK((const char *)(map.assocs + map.assoc_capacity) <= base + bufsize);
    CHECK((const char *)map.channels >= base + sizeof(struct segment_header));
    CHECK((const char *)map.assocs >=
          (const char *)(map.channels + map.channel_capacity));

    /* Both flag values, into one snapshot: its buffers are reused. */
    struct mtamon_snapshot snap;
    memset(&snap, 0, sizeof snap);
    const unsigned flags[2] = {0, MTAMON_SNAP_LIFETIME};
    for (int k = 0; k < 2; k++) {
        st = mtamon__snapshot_copy(&map, flags[k], 0, &snap, &err);
        if (st == MTAMON_OK)
            check_snapshot(&map, &snap);
        else
            check_error(st, &err);
    }
    mtamon_snapshot_free(&snap);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run(data, size, size);

    const size_t at = offsetof(struct segment_header, segment_size);
    uint64_t claimed;
    if (size < at + sizeof claimed)
        return 0;
    memcpy(&claimed, data + at, sizeof claimed);
    if (claimed > size && claimed <= GROW_MAX)
        run(data, size, (size_t)claimed);
    return 0;
}
