/*
 * make_seeds.c - write the seed corpus of fuzz_segment: real segments made
 * through the writer API, and corrupt variants of them.
 *
 *   tests/fuzz/make_seeds DIR
 *
 * Creates a private segment (/mtamon-seeds-<pid>, removed again) of 2
 * channels and 2 association entries, reports a known set of events,
 * writes the mapped bytes to DIR/<name>, and then patched copies.  The
 * generation id and times differ on each run; nothing else does.  See
 * tests/data/fuzz/README.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib_internal.h"

static const char *out_dir;

static void die(const char *what, const struct mtamon_error *err)
{
    fprintf(stderr, "make_seeds: %s: %s\n", what, err ? err->message : "failed");
    exit(1);
}

static void write_seed(const char *name, const void *data, size_t size)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", out_dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        die(path, NULL);
    printf("%s (%zu bytes)\n", path, size);
}

/* A copy of @p base's bytes to patch. */
static unsigned char *dup_bytes(const void *base, size_t size)
{
    unsigned char *p = malloc(size);
    if (!p)
        die("out of memory", NULL);
    memcpy(p, base, size);
    return p;
}

#define OFF(type, field) offsetof(type, field)
#define HDR(field) OFF(struct segment_header, field)

static void put32(unsigned char *b, size_t at, uint32_t v) { memcpy(b + at, &v, sizeof v); }
static void put64(unsigned char *b, size_t at, uint64_t v) { memcpy(b + at, &v, sizeof v); }

/* Write @p base with the @p vlen bytes of @p v at @p at. */
static void variant(const char *name, const void *base, size_t size, size_t at,
                    const void *v, size_t vlen)
{
    unsigned char *p = dup_bytes(base, size);
    memcpy(p + at, v, vlen);
    write_seed(name, p, size);
    free(p);
}

/* variant() with a 32- or 64-bit value. */
static void variant32(const char *name, const void *base, size_t size, size_t at,
                      uint32_t v)
{
    variant(name, base, size, at, &v, sizeof v);
}

static void variant64(const char *name, const void *base, size_t size, size_t at,
                      uint64_t v)
{
    variant(name, base, size, at, &v, sizeof v);
}

static mtamon_channel_t channel(mtamon_t *m, const char *name)
{
    mtamon_channel_t ch;
    struct mtamon_error err;
    if (mtamon_channel(m, name, &ch, &err) != MTAMON_OK)
        die(name, &err);
    return ch;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_seeds DIR\n");
        return 64;
    }
    out_dir = argv[1];
    char seg[64];
    snprintf(seg, sizeof seg, "/mtamon-seeds-%ld", (long)getpid());
    struct mtamon_error err;
    struct mtamon_create_params params = {.channel_capacity = 2, .assoc_capacity = 2};
    mtamon_t *m = mtamon_open(seg, MTAMON_OPEN_CREATE | MTAMON_OPEN_EXCL, &params, &err);
    if (!m)
        die(seg, &err);
    const void *base = writer_map(m)->base;
    const size_t size = writer_map(m)->size;

    write_seed("empty", base, size);

    /* Two channels with every kind of event, status codes and reasons. */
    mtamon_channel_t tcp = channel(m, "tcp_local"), local = channel(m, "l");
    mtamon_enqueue(m, tcp, local, 2, 4096);
    mtamon_enqueue(m, tcp, local, 1, 1000);
    mtamon_dequeue(m, local, 2, 4096, 1, 1500);
    mtamon_tempfail(m, local, 1, 1000, mtamon_status_parse("451 4.2.2 mailbox full"));
    mtamon_reject(m, tcp, 1, 800, mtamon_status_parse("550 5.7.1 relaying denied"),
                  "550 5.7.1 relaying denied");
    mtamon_fail(m, local, 1, 1000, mtamon_status_parse("5.1.1"));
    mtamon_convert(m, local, 0);
    mtamon_loop(m, tcp);
    mtamon_assoc_reject(m, tcp, mtamon_status_parse("554"), "554 no service");
    mtamon_assoc_fail(m, tcp, mtamon_status_parse("4.4.1"), "connection refused");
    write_seed("channels", base, size);

    /* After a clear: baselines and the clear time set. */
    if (mtamon_clear(m, &err) != MTAMON_OK)
        die("clear", &err);
    mtamon_enqueue(m, 0, tcp, 3, 3000);
    write_seed("cleared", base, size);

    /* An open association.  Its writer (this process) is gone when the
     * seed is read, so a copy gives it to pid 1, which is always there. */
    mtamon_assoc a;
    mtamon_assoc_open(m, tcp, MTAMON_INBOUND, "192.0.2.1", &a);
    mtamon_assoc b;
    mtamon_assoc_open(m, local, MTAMON_OUTBOUND, "[2001:db8::1]:25", &b);
    const size_t assoc0 = writer_map(m)->header->assocs_offset;
    const size_t assoc1 = assoc0 + sizeof(struct assoc_entry);
    const size_t pid_at = OFF(struct assoc_entry, pid);
    {
        unsigned char *p = dup_bytes(base, size);
        put32(p, assoc0 + pid_at, 1);
        put32(p, assoc1 + pid_at, 1);
        write_seed("assocs", p, size);
        /* Corrupt association entries. */
        put32(p, assoc0 + OFF(struct assoc_entry, direction), 7);
        put32(p, assoc1 + OFF(struct assoc_entry, channel), 3);
        write_seed("assoc-bad-direction-channel", p, size);
        free(p);
    }
    {
        unsigned char *p = dup_bytes(base, size);
        put32(p, assoc0 + pid_at, 0);
        put32(p, assoc1 + pid_at, (uint32_t)-1);
        memset(p + assoc0 + OFF(struct assoc_entry, remote), 'x',
               MTAMON_REMOTE_MAX + 1);
        write_seed("assoc-pid-0-unterminated-remote", p, size);
        free(p);
    }
    mtamon_assoc_close(m, &a);
    mtamon_assoc_close(m, &b);

    /* Everything below is a copy of the two-channel segment. */
    unsigned char *full = dup_bytes(base, size);
    const size_t ch0 = writer_map(m)->header->channels_offset;
    const size_t ch1 = ch0 + sizeof(struct channel_slot);

    /* A clear in progress: abandoned (no clearer), and by a live clearer. */
    {
        unsigned char *p = dup_bytes(full, size);
        put32(p, HDR(clear_seq), 3);
        write_seed("clearing-abandoned", p, size);
        put32(p, HDR(clear_pid), 1);
        /* Started "in the future": never stale, whenever the seed is read. */
        put64(p, HDR(clear_started_ms), (uint64_t)INT64_MAX);
        write_seed("clearing-live", p, size);
        free(p);
    }

    /* Header. */
    variant64("bad-magic", full, size, HDR(magic), UINT64_C(0x4d41544d4f4e5347));
    variant64("no-magic", full, size, HDR(magic), 0);
    variant32("newer-version", full, size, HDR(layout_version), MTAMON_LAYOUT_VERSION + 1);
    variant32("version-0", full, size, HDR(layout_version), 0);
    variant32("header-size", full, size, HDR(header_size), 88);
    variant32("slot-size", full, size, HDR(channel_slot_size),
              (uint32_t)sizeof(struct channel_slot) + 64);
    variant32("capacity-too-large", full, size, HDR(channel_capacity),
              MTAMON_MAX_CHANNELS + 1);
    variant32("capacity-mismatch", full, size, HDR(channel_capacity), 3);
    variant32("assoc-capacity-0", full, size, HDR(assoc_capacity), 0);
    variant64("offset-mismatch", full, size, HDR(assocs_offset),
              writer_map(m)->header->assocs_offset + 64);
    variant64("size-claims-more", full, size, HDR(segment_size), size * 2);
    write_seed("truncated", full, size / 2);
    write_seed("header-only", full, sizeof(struct segment_header));
    write_seed("shorter-than-header", full, 40);
    /* Valid: `delete` marks a segment retired in the header's padding. */
    variant32("retired", full, size, sizeof(struct segment_header), SEGMENT_RETIRED);
    variant32("channels-used-over-capacity", full, size, HDR(channels_used), 3);
    variant32("assocs-used-over-capacity", full, size, HDR(assocs_used), 0xffffffffu);

    /* Channel slots. */
    {
        unsigned char *p = dup_bytes(full, size);
        memcpy(p + ch1 + OFF(struct channel_slot, name), "bad name", 9);
        write_seed("slot-name-space", p, size);
        memset(p + ch1 + OFF(struct channel_slot, name), 'n', MTAMON_CHANNEL_NAME_MAX + 1);
        write_seed("slot-name-unterminated", p, size);
        free(p);
    }
    variant32("slot-bad-index", full, size, ch0 + OFF(struct channel_slot, index), 2);
    variant32("slot-claiming", full, size, ch1 + OFF(struct channel_slot, state),
              claim_state(1));
    {
        /* Garbage status codes and reason rings mid-write. */
        unsigned char *p = dup_bytes(full, size);
        for (int j = 0; j < MTAMON_STATUS_SLOTS; j++)
            put32(p, ch0 + OFF(struct channel_slot, status) +
                         (size_t)j * sizeof(struct status_slot),
                  j % 2 ? 6000000u + (uint32_t)j : 4000000u + (uint32_t)j);
        size_t ring = ch0 + OFF(struct channel_slot, rejection_reason);
        for (int k = 0; k < REASON_RING; k++) {
            size_t e = ring + OFF(struct reason_ring, entry) +
                       (size_t)k * sizeof(struct reason_entry);
            put64(p, e + OFF(struct reason_entry, seq), 2 * (uint64_t)k + 1);
            memset(p + e + OFF(struct reason_entry, text), 0xff, MTAMON_REASON_MAX + 1);
        }
        /* A complete entry with no NUL and control characters. */
        size_t e0 = ch0 + OFF(struct channel_slot, connect_failure) +
                    OFF(struct reason_ring, entry);
        put64(p, e0 + OFF(struct reason_entry, seq), 10);
        memset(p + e0 + OFF(struct reason_entry, text), '\n', MTAMON_REASON_MAX + 1);
        write_seed("status-and-reasons-garbage", p, size);
        free(p);
    }
    free(full);

    mtamon_close(m);
    if (mtamon_unlink(seg, &err) != MTAMON_OK)
        die(seg, &err);
    return 0;
}
