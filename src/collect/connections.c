/*
 * connections.c - TCP connections per watched local port, state and
 * remote address, from PROC/net/tcp and PROC/net/tcp6 (see connections.h).
 *
 * Each line of those tables is "SL: LOCAL REMOTE ST ...".  The kernel
 * prints an address as the 32-bit words of the in_addr / in6_addr, each
 * with %08X of the word as the host reads it, so the bytes of the address
 * in network order are the host's memory image of those words (on x86
 * 127.0.0.1 reads "0100007F").  Ports are printed as numbers (%04X).
 *
 * Per port a read keeps an open-addressing hash table of remote addresses
 * (linear probing, FNV-1a, grown by doubling at half load, capped: see
 * CONNECTIONS_REMOTES_MAX), ranks it and frees it: between reads nothing
 * but the top lists is kept.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "connections.h"
#include "fnv1a.h"
#include "hex_digit.h"

/* A line is read into this much; the fields needed come first. */
#define LINE_MAX_READ 1024

/* Table sizes: slots, a power of two, at most twice the cap. */
#define TABLE_MIN_SLOTS 64u
#define TABLE_MAX_SLOTS (2u * CONNECTIONS_REMOTES_MAX)

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------------ */
/* One line                                                                  */

/* How many hex digits start at @p s (at most @p max, then stops). */
static size_t hex_run(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && hex_digit_value(s[n]) >= 0)
        n++;
    return n;
}

/* The value of exactly @p n (<= 8) hex digits at @p s. */
static uint32_t hex_word(const char *s, size_t n)
{
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 4 | (uint32_t)hex_digit_value(s[i]);
    return v;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/*
 * "ADDR:PORT" at @p s (@p n bytes left): ADDR of 8 or 32 hex digits into
 * @p addr (network order, 4 or 16 bytes) and its length in *@p addr_len,
 * PORT of 4 hex digits.  Returns the bytes taken, 0 when malformed.
 */
static size_t parse_endpoint(const char *s, size_t n, uint8_t addr[16],
                             size_t *addr_len, uint16_t *port)
{
    size_t digits = hex_run(s, n < 33 ? n : 33);
    if (digits != 8 && digits != 32)
        return 0;
    for (size_t w = 0; w < digits / 8; w++) {
        /* The word as the kernel's host held it: its memory image is the
         * address's bytes. */
        uint32_t word = hex_word(s + 8 * w, 8);
        memcpy(addr + 4 * w, &word, 4);
    }
    *addr_len = digits / 2;
    if (n < digits + 5 || s[digits] != ':')
        return 0;
    /* Exactly 4 digits: look at a fifth only when there is one. */
    size_t rest = n - digits - 1;
    if (hex_run(s + digits + 1, rest < 5 ? rest : 5) != 4)
        return 0;
    *port = (uint16_t)hex_word(s + digits + 1, 4);
    return digits + 5;
}

int connections_parse_line(const char *line, size_t len,
                           struct connections_socket *out)
{
    size_t i = 0;
    while (i < len && is_blank(line[i]))
        i++;
    /* SL: decimal digits and a colon. */
    size_t start = i;
    while (i < len && line[i] >= '0' && line[i] <= '9' && i - start < 20)
        i++;
    if (i == start || i >= len || line[i] != ':')
        return -1;
    i++;

    uint8_t local[16], remote[16];
    size_t local_len, remote_len;
    uint16_t local_port, remote_port;
    for (int field = 0; field < 2; field++) {
        if (i >= len || !is_blank(line[i]))
            return -1;
        while (i < len && is_blank(line[i]))
            i++;
        size_t took = field == 0
            ? parse_endpoint(line + i, len - i, local, &local_len, &local_port)
            : parse_endpoint(line + i, len - i, remote, &remote_len, &remote_port);
        if (took == 0)
            return -1;
        i += took;
    }
    if (local_len != remote_len)
        return -1;

    /* ST: two hex digits, then a blank or the end. */
    if (i >= len || !is_blank(line[i]))
        return -1;
    while (i < len && is_blank(line[i]))
        i++;
    if (i + 2 > len || hex_run(line + i, 2) != 2)
        return -1;
    uint32_t st = hex_word(line + i, 2);
    i += 2;
    if (i < len && !isspace((unsigned char)line[i]))
        return -1;
    if (st < CONN_ESTABLISHED || st > CONN_STATE_MAX)
        return -1;

    memset(out, 0, sizeof *out);
    out->local_port = local_port;
    out->remote_port = remote_port;
    out->state = (enum connections_state)st;
    static const uint8_t v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (remote_len == 4) {
        out->family = AF_INET;
        memcpy(out->remote, remote, 4);
    } else if (memcmp(remote, v4_mapped, sizeof v4_mapped) == 0) {
        out->family = AF_INET;
        memcpy(out->remote, remote + 12, 4);
    } else {
        out->family = AF_INET6;
        memcpy(out->remote, remote, 16);
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Remotes of one port                                                       */

struct remote_slot {
    uint32_t count;          /* 0 = empty slot */
    uint8_t family;          /* 4 or 6 */
    uint8_t addr[16];        /* unused bytes 0 */
};

struct remote_table {
    struct remote_slot *slots;
    size_t n_slots;          /* 0 or a power of two */
    size_t n_used;
    uint32_t unranked;
};

static uint64_t slot_hash(const struct remote_slot *r)
{
    uint64_t h = fnv1a_add(FNV1A_INIT, &r->family, 1);
    return fnv1a_add(h, r->addr, r->family == 4 ? 4 : 16);
}

static int slot_same(const struct remote_slot *a, const struct remote_slot *b)
{
    return a->family == b->family && memcmp(a->addr, b->addr, 16) == 0;
}

/* The slot holding @p key, or the empty slot where it belongs. */
static struct remote_slot *table_find(struct remote_slot *slots, size_t n_slots,
                                      const struct remote_slot *key)
{
    size_t mask = n_slots - 1;
    for (size_t i = (size_t)slot_hash(key) & mask;; i = (i + 1) & mask) {
        if (slots[i].count == 0 || slot_same(&slots[i], key))
            return &slots[i];
    }
}

/* Double the table (or make its first); -1 on ENOMEM. */
static int table_grow(struct remote_table *t)
{
    size_t n = t->n_slots ? t->n_slots * 2 : TABLE_MIN_SLOTS;
    struct remote_slot *slots = calloc(n, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < t->n_slots; i++) {
        if (t->slots[i].count)
            *table_find(slots, n, &t->slots[i]) = t->slots[i];
    }
    free(t->slots);
    t->slots = slots;
    t->n_slots = n;
    return 0;
}

/* Count one connection of @p s; -1 on ENOMEM. */
static int table_add(struct remote_table *t, const struct connections_socket *s)
{
    struct remote_slot key = {.count = 1, .family = s->family == AF_INET ? 4 : 6};
    memcpy(key.addr, s->remote, s->family == AF_INET ? 4 : 16);
    if (t->n_slots) {
        struct remote_slot *slot = table_find(t->slots, t->n_slots, &key);
        if (slot->count) {
            if (slot->count < UINT32_MAX)
                slot->count++;
            return 0;
        }
    }
    if (t->n_used >= CONNECTIONS_REMOTES_MAX) {
        if (t->unranked < UINT32_MAX)
            t->unranked++;
        return 0;
    }
    /* Keep the load at most one half, so probes stay short. */
    if ((t->n_used + 1) * 2 > t->n_slots && t->n_slots < TABLE_MAX_SLOTS &&
        table_grow(t) != 0)
        return -1;
    *table_find(t->slots, t->n_slots, &key) = key;
    t->n_used++;
    return 0;
}

/* Most connections first; ties: IPv4 before IPv6, then the lower address. */
static int slot_rank(const void *a, const void *b)
{
    const struct remote_slot *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    if (x->family != y->family)
        return x->family < y->family ? -1 : 1;
    return memcmp(x->addr, y->addr, 16);
}

/* The @p top best of @p t into @p p (t's slots are reordered). */
static int table_rank(struct remote_table *t, unsigned top,
                      struct connections_port *p)
{
    p->n_remotes = (uint32_t)t->n_used;
    p->unranked = t->unranked;
    size_t n = 0;
    for (size_t i = 0; i < t->n_slots; i++) {
        if (t->slots[i].count)
            t->slots[n++] = t->slots[i];
    }
    if (n == 0 || top == 0)
        return 0;
    qsort(t->slots, n, sizeof *t->slots, slot_rank);
    size_t keep = n < top ? n : top;
    p->top = calloc(keep, sizeof *p->top);
    if (!p->top)
        return -1;
    for (size_t i = 0; i < keep; i++) {
        struct connections_remote *r = &p->top[i];
        r->family = t->slots[i].family == 4 ? AF_INET : AF_INET6;
        memcpy(r->addr, t->slots[i].addr, 16);
        r->count = t->slots[i].count;
    }
    p->n_top = keep;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* A read                                                                    */

static int port_order(const void *a, const void *b)
{
    const struct connections_port *x = a, *y = b;
    return (x->port > y->port) - (x->port < y->port);
}

/* Free the ports' top lists, keep the ports. */
static void free_tops(struct connections_stats *s)
{
    for (size_t i = 0; i < s->n_ports; i++) {
        free(s->ports[i].top);
        s->ports[i].top = NULL;
        s->ports[i].n_top = 0;
    }
}

/* The ports of @p cfg, sorted, without duplicates, figures 0. */
static int make_ports(const struct config_connections *cfg,
                      struct connections_stats *s)
{
    size_t n = cfg->n_ports;
    if (n > CONFIG_PORTS_MAX)
        n = CONFIG_PORTS_MAX;
    if (n == 0)
        return 0;
    s->ports = calloc(n, sizeof *s->ports);
    if (!s->ports)
        return -1;
    for (size_t i = 0; i < n; i++)
        s->ports[i].port = cfg->ports[i];
    qsort(s->ports, n, sizeof *s->ports, port_order);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (kept == 0 || s->ports[kept - 1].port != s->ports[i].port)
            s->ports[kept++] = s->ports[i];
    }
    s->n_ports = kept;
    return 0;
}

/* One socket into its port's figures (if the port is watched). */
static int count_socket(struct connections_stats *s, struct remote_table *tables,
                        const struct connections_socket *sock)
{
    struct connections_port key = {.port = sock->local_port};
    struct connections_port *p = bsearch(&key, s->ports, s->n_ports,
                                         sizeof *s->ports, port_order);
    if (!p)
        return 0;
    if (p->by_state[sock->state] < UINT32_MAX)
        p->by_state[sock->state]++;
    if (sock->state == CONN_LISTEN)
        return 0;
    return table_add(&tables[p - s->ports], sock);
}

/*
 * The next line of @p f into @p buf (without its newline; it may hold
 * NULs), its length in *@p len.  Of a line longer than @p size only the
 * head up to its last blank is kept (so no field is cut) and the rest is
 * skipped.  Returns 1, 0 for a last line without a newline, -1 at the end.
 */
static int read_line(FILE *f, char *buf, size_t size, size_t *len)
{
    size_t n = 0;
    int c, cut = 0;
    while ((c = getc_unlocked(f)) != EOF && c != '\n') {
        if (n < size)
            buf[n++] = (char)c;
        else
            cut = 1;
    }
    if (c == EOF && n == 0 && !cut)
        return -1;
    if (cut) {
        while (n > 0 && !is_blank(buf[n - 1]))
            n--;
    }
    *len = n;
    return c != EOF;
}

/*
 * Every line of @p path into @p s.  Returns 0, 1 when the file does not
 * exist and @p optional, -1 with the reason in s->error.
 */
static int read_table(const char *path, int optional,
                      struct connections_stats *s, struct remote_table *tables)
{
    FILE *f = fopen(path, "re");
    if (!f) {
        if (optional && errno == ENOENT)
            return 1;
        snprintf(s->error, sizeof s->error, "%.200s: %s", path, strerror(errno));
        return -1;
    }
    char buf[LINE_MAX_READ];
    size_t len;
    int more, rc = 0;
    while (rc == 0 && (more = read_line(f, buf, sizeof buf, &len)) >= 0) {
        struct connections_socket sock;
        if (connections_parse_line(buf, len, &sock) == 0 &&
            count_socket(s, tables, &sock) != 0) {
            snprintf(s->error, sizeof s->error, "%.200s: %s", path, strerror(ENOMEM));
            rc = -1;
        }
        if (!more)
            break;
    }
    if (rc == 0 && ferror(f)) {
        snprintf(s->error, sizeof s->error, "%.200s: %s", path,
                 strerror(errno ? errno : EIO));
        rc = -1;
    }
    fclose(f);
    return rc;
}

/* The read itself, into @p s (fresh, zeroed). */
static int read_all(const char *proc_root, const struct config_connections *cfg,
                    struct connections_stats *s)
{
    if (make_ports(cfg, s) != 0) {
        snprintf(s->error, sizeof s->error, "connections: %s", strerror(ENOMEM));
        return -1;
    }
    if (s->n_ports == 0)
        return 0;
    struct remote_table *tables = calloc(s->n_ports, sizeof *tables);
    if (!tables) {
        snprintf(s->error, sizeof s->error, "connections: %s", strerror(ENOMEM));
        return -1;
    }
    char path[4096];
    int rc = 0;
    static const char *const files[] = {"tcp", "tcp6"};
    for (size_t f = 0; rc == 0 && f < 2; f++) {
        int n = snprintf(path, sizeof path, "%s/net/%s", proc_root, files[f]);
        if (n < 0 || (size_t)n >= sizeof path) {
            snprintf(s->error, sizeof s->error, "%.200s...: path too long",
                     proc_root);
            rc = -1;
        } else if (read_table(path, f == 1, s, tables) < 0) {
            rc = -1;
        }
    }
    for (size_t i = 0; i < s->n_ports; i++) {
        if (rc == 0 && table_rank(&tables[i], cfg->top, &s->ports[i]) != 0) {
            snprintf(s->error, sizeof s->error, "connections: %s", strerror(ENOMEM));
            rc = -1;
        }
        free(tables[i].slots);
    }
    free(tables);
    return rc;
}

int connections_read(const char *proc_root,
                     const struct config_connections *cfg,
                     struct connections_stats *out)
{
    struct connections_stats fresh;
    memset(&fresh, 0, sizeof fresh);
    fresh.read_ms = wall_ms();
    if (read_all(proc_root, cfg, &fresh) == 0) {
        fresh.ok = 1;
    } else {
        /* The ports stay listed, every figure 0. */
        free_tops(&fresh);
        for (size_t i = 0; i < fresh.n_ports; i++) {
            struct connections_port *p = &fresh.ports[i];
            memset(p->by_state, 0, sizeof p->by_state);
            p->n_remotes = 0;
            p->unranked = 0;
        }
    }
    connections_free(out);
    *out = fresh;
    return fresh.ok ? 0 : -1;
}

int connections_copy(struct connections_stats *dst,
                     const struct connections_stats *src)
{
    struct connections_stats copy = *src;
    copy.ports = NULL;
    copy.n_ports = 0;
    if (src->n_ports) {
        copy.ports = calloc(src->n_ports, sizeof *copy.ports);
        if (!copy.ports)
            return -1;
        copy.n_ports = src->n_ports;
        for (size_t i = 0; i < src->n_ports; i++) {
            copy.ports[i] = src->ports[i];
            copy.ports[i].top = NULL;
            copy.ports[i].n_top = 0;
            size_t n = src->ports[i].n_top;
            if (n == 0)
                continue;
            copy.ports[i].top = malloc(n * sizeof *copy.ports[i].top);
            if (!copy.ports[i].top) {
                connections_free(&copy);
                return -1;
            }
            memcpy(copy.ports[i].top, src->ports[i].top,
                   n * sizeof *copy.ports[i].top);
            copy.ports[i].n_top = n;
        }
    }
    connections_free(dst);
    *dst = copy;
    return 0;
}

void connections_free(struct connections_stats *s)
{
    free_tops(s);
    free(s->ports);
    memset(s, 0, sizeof *s);
}
