/*
 * segment.c - create, attach, validate and remove counter segments.
 *
 * Nothing here trusts the object it maps: every size, offset and capacity
 * in the header is checked against the size of the mapping before any slot
 * is touched.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib_internal.h"

/* How long an attach waits for a segment another process is initialising. */
#define INIT_WAIT_MS 1000
#define INIT_POLL_MS 2

static uint64_t round_up(uint64_t v, uint64_t to)
{
    return (v + to - 1) / to * to;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

mtamon_result mtamon__segment_name_check(const char *name, struct mtamon_error *err)
{
    size_t len = name ? strlen(name) : 0;
    if (len < 2 || name[0] != '/')
        return mtamon__set_error(err, MTAMON_ERR_INVALID,
                                 "segment name '%s' must start with '/' and have a "
                                 "name after it", name ? name : "");
    if (len > SEGMENT_NAME_MAX)
        return mtamon__set_error(err, MTAMON_ERR_INVALID,
                                 "segment name is %zu bytes long, the limit is %d", len,
                                 SEGMENT_NAME_MAX);
    if (mtamon__first_bad_byte(name, 1, len, '/') < len)
        return mtamon__set_error(err, MTAMON_ERR_INVALID,
                                 "segment name '%s': only one leading '/' and "
                                 "printable characters are allowed", name);
    return MTAMON_OK;
}

const char *mtamon_segment_name(const char *name)
{
    /* Only NULL means "the default": an empty name is an invalid name, not
     * a silent redirection to the production segment. */
    if (name)
        return name;
    const char *env = getenv(MTAMON_SEGMENT_ENV);
    if (env && *env)
        return env;
    return MTAMON_DEFAULT_SEGMENT;
}

struct segment_geometry mtamon__segment_geometry_for(uint32_t channels, uint32_t assocs)
{
    struct segment_geometry g;
    g.channel_capacity = channels;
    g.assoc_capacity = assocs;
    g.channels_offset = round_up(sizeof(struct segment_header), MTAMON_CACHELINE);
    g.assocs_offset = round_up(g.channels_offset +
                                   (uint64_t)channels * sizeof(struct channel_slot),
                               MTAMON_CACHELINE);
    g.size = round_up(g.assocs_offset + (uint64_t)assocs * sizeof(struct assoc_entry),
                      4096);
    return g;
}

mtamon_result mtamon__errno_status(int e)
{
    switch (e) {
    case ENOENT: return MTAMON_ERR_NOENT;
    case EEXIST: return MTAMON_ERR_EXISTS;
    case EACCES:
    case EPERM: return MTAMON_ERR_PERM;
    default: return MTAMON_ERR_SYSTEM;
    }
}

static uint64_t new_generation(void)
{
    uint64_t g = 0;
    if (getrandom(&g, sizeof g, GRND_NONBLOCK) != (ssize_t)sizeof g) {
        /* No entropy yet (early boot): time and pid still differ per run. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        g = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^
            ((uint64_t)getpid() << 16);
    }
    return g ? g : 1;
}

mtamon_result mtamon__segment_create(const char *name,
                                     const struct mtamon_create_params *params,
                                     struct mtamon_error *err)
{
    uint32_t channels = params && params->channel_capacity
                            ? params->channel_capacity : MTAMON_DEFAULT_CHANNELS;
    uint32_t assocs = params && params->assoc_capacity
                          ? params->assoc_capacity : MTAMON_DEFAULT_ASSOCS;
    if (channels > MTAMON_MAX_CHANNELS)
        return mtamon__set_error(err, MTAMON_ERR_INVALID,
                                 "channel capacity %u is above the limit of %u",
                                 channels, MTAMON_MAX_CHANNELS);
    if (assocs > MTAMON_MAX_ASSOCS)
        return mtamon__set_error(err, MTAMON_ERR_INVALID,
                                 "association capacity %u is above the limit of %u",
                                 assocs, MTAMON_MAX_ASSOCS);
    mode_t mode = params && params->mode ? (mode_t)params->mode : 0660;
    if ((mode & ~(mode_t)0777) || (mode & 0600) != 0600)
        return mtamon__set_error(err, MTAMON_ERR_INVALID,
                                 "mode %04o: only permission bits, and the owner needs "
                                 "read and write", (unsigned)mode);
    mtamon_result st = mtamon__segment_name_check(name, err);
    if (st != MTAMON_OK)
        return st;

    struct segment_geometry g = mtamon__segment_geometry_for(channels, assocs);
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0660);
    if (fd < 0) {
        int e = errno;
        return mtamon__set_error(err, mtamon__errno_status(e),
                                 "cannot create segment %s: %s",
                                 name, strerror(e));
    }
    /* shm_open applies the umask; the segment is meant for a mail group. */
    if (fchmod(fd, mode) != 0 ||
        (params && (params->flags & MTAMON_CREATE_SET_GROUP) &&
         fchown(fd, (uid_t)-1, (gid_t)params->gid) != 0)) {
        int e = errno;
        close(fd);
        shm_unlink(name);
        return mtamon__set_error(err, mtamon__errno_status(e),
                                 "cannot set mode %04o / group of segment %s: %s",
                                 (unsigned)mode, name, strerror(e));
    }
    if (ftruncate(fd, (off_t)g.size) != 0) {
        int e = errno;
        close(fd);
        shm_unlink(name);
        return mtamon__set_error(err, mtamon__errno_status(e),
                                 "cannot size segment %s to %llu bytes: %s",
                                 name, (unsigned long long)g.size, strerror(e));
    }
    /* Reserve the memory now: on a full tmpfs the create fails here with a
     * message, instead of a writer dying of SIGBUS on its first update. */
    int fa = posix_fallocate(fd, 0, (off_t)g.size);
    if (fa != 0 && fa != EOPNOTSUPP && fa != EINVAL) {
        close(fd);
        shm_unlink(name);
        return mtamon__set_error(err, fa == ENOSPC ? MTAMON_ERR_FULL : MTAMON_ERR_SYSTEM,
                                 "cannot reserve %llu bytes of shared memory for segment "
                                 "%s: %s", (unsigned long long)g.size, name, strerror(fa));
    }
    void *base = mmap(NULL, g.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    int map_errno = errno;
    close(fd);
    if (base == MAP_FAILED) {
        shm_unlink(name);
        return mtamon__set_error(err, mtamon__errno_status(map_errno),
                                 "cannot map segment %s: %s",
                                 name, strerror(map_errno));
    }

    /* ftruncate zero-filled it: every slot is FREE, every counter 0. */
    mtamon__segment_format(base, &g);
    munmap(base, g.size);
    return MTAMON_OK;
}

void mtamon__segment_format(void *base, const struct segment_geometry *g)
{
    struct segment_header *h = base;
    h->layout_version = MTAMON_LAYOUT_VERSION;
    h->header_size = sizeof *h;
    h->segment_size = g->size;
    h->channel_capacity = g->channel_capacity;
    h->channel_slot_size = sizeof(struct channel_slot);
    h->assoc_capacity = g->assoc_capacity;
    h->assoc_entry_size = sizeof(struct assoc_entry);
    h->channels_offset = g->channels_offset;
    h->assocs_offset = g->assocs_offset;
    h->generation = new_generation();
    h->created_ms = now_ms_precise();
    /* The magic makes it valid; everything above is visible before it. */
    atomic_store_explicit(&h->magic, MTAMON_MAGIC, memory_order_release);
}

/* Validate a copy of the header of a mapping of @p size bytes. */
static mtamon_result header_check(const char *name, const struct segment_header *h,
                                  size_t size, struct mtamon_error *err)
{
    uint32_t v = h->layout_version;
    if (v > MTAMON_LAYOUT_VERSION)
        return mtamon__set_error(err, MTAMON_ERR_VERSION,
                                 "segment %s has layout version %u, newer than this "
                                 "build supports (%u): upgrade mtamon",
                                 name, v, MTAMON_LAYOUT_VERSION);
    if (v != MTAMON_LAYOUT_VERSION)
        return mtamon__set_error(err, MTAMON_ERR_CORRUPT,
                                 "segment %s: invalid layout version %u", name, v);
    if (h->header_size != sizeof *h)
        return mtamon__set_error(err, MTAMON_ERR_CORRUPT,
                                 "segment %s: header size %u, expected %zu", name,
                                 h->header_size, sizeof *h);
    if (h->segment_size > size)
        return mtamon__set_error(err, MTAMON_ERR_CORRUPT,
                                 "segment %s is truncated: header says %llu bytes, "
                                 "the object has %zu", name,
                                 (unsigned long long)h->segment_size, size);
    if (h->channel_slot_size != sizeof(struct channel_slot) ||
        h->assoc_entry_size != sizeof(struct assoc_entry))
        return mtamon__set_error(err, MTAMON_ERR_CORRUPT,
                                 "segment %s: slot sizes %u/%u, expected %zu/%zu", name,
                                 h->channel_slot_size, h->assoc_entry_size,
                                 sizeof(struct channel_slot), sizeof(struct assoc_entry));
    if (h->channel_capacity == 0 || h->channel_capacity > MTAMON_MAX_CHANNELS ||
        h->assoc_capacity == 0 || h->assoc_capacity > MTAMON_MAX_ASSOCS)
        return mtamon__set_error(err, MTAMON_ERR_CORRUPT,
                                 "segment %s: capacity %u channels / %u associations "
                                 "is out of range", name, h->channel_capacity,
                                 h->assoc_capacity);
    struct segment_geometry g = mtamon__segment_geometry_for(h->channel_capacity,
                                                             h->assoc_capacity);
    if (g.size != h->segment_size)
        return mtamon__set_error(err, MTAMON_ERR_CORRUPT,
                                 "segment %s: capacity %u channels / %u associations "
                                 "needs %llu bytes, the header says %llu", name,
                                 h->channel_capacity, h->assoc_capacity,
                                 (unsigned long long)g.size,
                                 (unsigned long long)h->segment_size);
    if (g.channels_offset != h->channels_offset || g.assocs_offset != h->assocs_offset)
        return mtamon__set_error(err, MTAMON_ERR_CORRUPT,
                                 "segment %s: channel / association tables at offsets "
                                 "%llu / %llu, expected %llu / %llu", name,
                                 (unsigned long long)h->channels_offset,
                                 (unsigned long long)h->assocs_offset,
                                 (unsigned long long)g.channels_offset,
                                 (unsigned long long)g.assocs_offset);
    return MTAMON_OK;
}

/* A mapping smaller than a header: empty (being created) or foreign. */
static mtamon_result size_check(const char *name, size_t size,
                                struct mtamon_error *err)
{
    if (size >= sizeof(struct segment_header))
        return MTAMON_OK;
    return mtamon__set_error(err, size == 0 ? MTAMON_ERR_BUSY : MTAMON_ERR_FOREIGN,
                             "segment %s is not an mtamon segment: %zu bytes, "
                             "smaller than a header", name, size);
}

mtamon_result mtamon__segment_validate(const char *name, void *base, size_t size,
                                       struct segment_map *map, struct mtamon_error *err)
{
    mtamon_result st = size_check(name, size, err);
    if (st != MTAMON_OK)
        return st;
    struct segment_header *h = base;
    uint64_t magic = atomic_load_explicit(&h->magic, memory_order_acquire);
    if (magic == 0)
        return mtamon__set_error(err, MTAMON_ERR_BUSY,
                                 "segment %s is not an mtamon segment: no magic "
                                 "number (uninitialised)", name);
    if (magic != MTAMON_MAGIC)
        return mtamon__set_error(err, MTAMON_ERR_FOREIGN,
                                 "segment %s is not an mtamon segment: bad magic "
                                 "number 0x%016llx", name, (unsigned long long)magic);
    /* One copy through a volatile pointer: another process may be
     * rewriting the header, and what is checked must be exactly what is
     * then used, never loaded again from shared memory. */
    const struct segment_header f = *(const volatile struct segment_header *)base;
    st = header_check(name, &f, size, err);
    if (st != MTAMON_OK)
        return st;

    memset(map, 0, sizeof *map);
    snprintf(map->name, sizeof map->name, "%s", name);
    map->base = base;
    map->size = size;
    map->channel_capacity = f.channel_capacity;
    map->assoc_capacity = f.assoc_capacity;
    map->header = h;
    map->channels = (struct channel_slot *)((char *)base + f.channels_offset);
    map->assocs = (struct assoc_entry *)((char *)base + f.assocs_offset);
    return MTAMON_OK;
}

/* One attempt; MTAMON_ERR_BUSY means "looks like it is being initialised". */
static mtamon_result attach_once(const char *name, int writable,
                                 struct segment_map *map, struct mtamon_error *err)
{
    int fd = shm_open(name, writable ? O_RDWR : O_RDONLY, 0);
    if (fd < 0)
        return mtamon__segment_errno(err, errno, "open", name);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return mtamon__set_error(err, MTAMON_ERR_SYSTEM, "cannot stat segment %s: %s",
                                 name,
                                 strerror(e));
    }
    size_t size = (size_t)st.st_size;
    /* Checked before mmap too: an empty object cannot be mapped. */
    mtamon_result st_code = size_check(name, size, err);
    if (st_code != MTAMON_OK) {
        close(fd);
        return st_code;
    }
    void *base = mmap(NULL, size, writable ? PROT_READ | PROT_WRITE : PROT_READ,
                      MAP_SHARED, fd, 0);
    int map_errno = errno;
    close(fd);
    if (base == MAP_FAILED)
        return mtamon__set_error(err, mtamon__errno_status(map_errno),
                                 "cannot map segment %s: %s",
                                 name, strerror(map_errno));

    st_code = mtamon__segment_validate(name, base, size, map, err);
    if (st_code != MTAMON_OK) {
        munmap(base, size);
        return st_code;
    }
    map->dev = st.st_dev;
    map->ino = st.st_ino;
    map->uid = st.st_uid;
    map->gid = st.st_gid;
    map->mode = st.st_mode & 07777;
    map->writable = writable;
    return MTAMON_OK;
}

mtamon_result mtamon__segment_attach(const char *name, int writable, int nowait,
                                     struct segment_map *map, struct mtamon_error *err)
{
    mtamon_result st = mtamon__segment_name_check(name, err);
    if (st != MTAMON_OK)
        return st;
    for (int waited = 0;; waited += INIT_POLL_MS) {
        st = attach_once(name, writable, map, err);
        if (st != MTAMON_ERR_BUSY)
            return st;
        if (nowait)
            return mtamon__set_error(err, MTAMON_ERR_BUSY,
                                     "segment %s is being initialised (or its creator "
                                     "died before finishing)", name);
        if (waited >= INIT_WAIT_MS)
            break;
        sleep_ms(INIT_POLL_MS);
    }
    /* Still empty after the wait: nobody is initialising it. */
    return mtamon__set_error(err, MTAMON_ERR_FOREIGN,
                             "segment %s is not an mtamon segment: it was never "
                             "initialised (did its creator die?); delete it, or let a "
                             "writer that may create it replace it", name);
}

int mtamon__segment_uninitialised(const char *name)
{
    int fd = shm_open(name, O_RDONLY, 0);
    if (fd < 0)
        return 0;
    struct stat st;
    uint64_t magic = 1;
    int empty = fstat(fd, &st) == 0 &&
                (st.st_size == 0 ||
                 ((size_t)st.st_size >= sizeof(struct segment_header) &&
                  pread(fd, &magic, sizeof magic, 0) == (ssize_t)sizeof magic &&
                  magic == 0));
    close(fd);
    return empty;
}

void mtamon__segment_detach(struct segment_map *map)
{
    if (map->base)
        munmap(map->base, map->size);
    map->base = NULL;
}

int mtamon__segment_same_object(const struct segment_map *map)
{
    int fd = shm_open(map->name, O_RDONLY, 0);
    if (fd < 0)
        return errno == ENOENT ? 0 : -1;
    struct stat st;
    int rc = fstat(fd, &st);
    close(fd);
    if (rc != 0)
        return -1;
    if (st.st_dev != map->dev || st.st_ino != map->ino)
        return 0;
    /* Shrunk under our mapping: touching the lost pages would be SIGBUS. */
    return (uint64_t)st.st_size < (uint64_t)map->size ? -2 : 1;
}

int mtamon__process_gone(pid_t pid)
{
    /* Only a single process is probed: pid 0, -1 and negative values name
     * process groups or "every process" to kill(), and in a segment they
     * are garbage, never a writer that could be gone. */
    if (pid <= 0)
        return 0;
    return kill(pid, 0) != 0 && errno == ESRCH;
}
