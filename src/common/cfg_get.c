/*
 * cfg_get.c - the scalar values of mtamon.yaml: strings, integers,
 * names from a list and mail protocols (see cfg_get.h).
 */
#include "cfg_get.h"

#include "parse_number.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "utf8.h"


/*
 * A string value: a scalar of valid UTF-8 without control characters, at
 * most @p max bytes.  Null gives "".  Replaces *@p out (malloc'd).
 */
int cfg_get_text(struct cfg_report *rep, const struct node *n, const char *path,
                 size_t max, unsigned flags, char **out)
{
    if (n->kind != NODE_SCALAR)
        return cfg_fail_node(rep, n, path, "expected a string, found %s", ytree_kind_name(n));
    const char *v = ytree_is_null(n) ? "" : n->value;
    size_t len = ytree_is_null(n) ? 0 : n->len;
    for (size_t i = 0; i < len;) {
        uint32_t cp = 0;
        size_t step = utf8_decode((const unsigned char *)v + i, len - i, &cp);
        if (step == 0)
            return cfg_fail_node(rep, n, path, "not valid UTF-8 (byte %zu)", i + 1);
        if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
            return cfg_fail_node(rep, n, path, "contains a control character (U+%04X)",
                                 (unsigned)cp);
        if ((flags & TEXT_NO_SPACE) && (cp == ' ' || cp == 0xa0))
            return cfg_fail_node(rep, n, path, "must not contain spaces");
        i += step;
    }
    if (len > max)
        return cfg_fail_node(rep, n, path, "too long: %zu bytes, at most %zu", len, max);
    if ((flags & TEXT_REQUIRED) && len == 0)
        return cfg_fail_node(rep, n, path, "must not be empty");
    char *copy = malloc(len + 1);
    if (!copy)
        return cfg_fail_nomem(rep);
    memcpy(copy, v, len);
    copy[len] = '\0';
    free(*out);
    *out = copy;
    return 0;
}

int cfg_get_plain(struct cfg_report *rep, const struct node *n, const char *path,
                  const char *what, char shown[CFG_SHOWN_MAX])
{
    if (n->kind != NODE_SCALAR)
        return cfg_fail_node(rep, n, path, "expected %s, found %s", what, ytree_kind_name(n));
    cfg_fail_printable(n->value, n->len, shown, CFG_SHOWN_MAX);
    if (!n->plain)
        return cfg_fail_node(rep, n, path, "expected %s, found the quoted string '%s'", what,
                             shown);
    return 0;
}

int cfg_get_envelope(struct cfg_report *rep, const struct node *n, const char *path,
                     char **out)
{
    if (cfg_get_text(rep, n, path, CONFIG_TEXT_MAX, TEXT_REQUIRED | TEXT_NO_SPACE, out) != 0)
        return -1;
    if (strpbrk(*out, "<>"))
        return cfg_fail_node(rep, n, path, "'%s': the address without '<' and '>'", *out);
    return 0;
}

/*
 * A decimal integer in [@p min, @p max]: an unquoted scalar of digits,
 * with a '-' only when @p min is negative, no leading zeros, nothing else.
 */
int cfg_get_integer(struct cfg_report *rep, const struct node *n, const char *path,
                    int64_t min, int64_t max, int64_t *out)
{
    char shown[CFG_SHOWN_MAX];
    if (cfg_get_plain(rep, n, path, "a number", shown) != 0)
        return -1;
    const char *s = n->value;
    int neg = s[0] == '-' && min < 0;
    const char *d = s + neg;
    size_t digits = strspn(d, "0123456789");
    if (digits == 0 || d[digits] != '\0' || (size_t)(d + digits - s) != n->len ||
        (digits > 1 && d[0] == '0'))
        return cfg_fail_node(rep, n, path, "'%s' is not a decimal integer", shown);
    /* Accumulate as a magnitude with overflow detection. */
    uint64_t mag = 0;
    int overflow = 0;
    for (size_t i = 0; i < digits; i++) {
        uint64_t dv = (uint64_t)(d[i] - '0');
        if (mag > (UINT64_MAX - dv) / 10) {
            overflow = 1;
            break;
        }
        mag = mag * 10 + dv;
    }
    int64_t v = 0;
    if (!overflow) {
        if (neg) {
            if (mag > (uint64_t)INT64_MAX + 1)
                overflow = 1;
            else
                v = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
        } else if (mag > (uint64_t)INT64_MAX) {
            overflow = 1;
        } else {
            v = (int64_t)mag;
        }
    }
    if (overflow || v < min || v > max)
        return cfg_fail_node(rep, n, path, "%s is out of range (%lld..%lld)", shown,
                             (long long)min, (long long)max);
    *out = v;
    return 0;
}

int cfg_get_unsigned(struct cfg_report *rep, const struct node *n, const char *path,
                     unsigned min, unsigned max, unsigned *out)
{
    int64_t v;
    if (cfg_get_integer(rep, n, path, min, max, &v) != 0)
        return -1;
    *out = (unsigned)v;
    return 0;
}

/* "0.25" for 250 ms, "3" for 3000 ms. */
static void seconds_text(unsigned ms, char *out, size_t len)
{
    if (ms % 1000 == 0)
        snprintf(out, len, "%u", ms / 1000);
    else if (ms % 100 == 0)
        snprintf(out, len, "%u.%u", ms / 1000, ms % 1000 / 100);
    else if (ms % 10 == 0)
        snprintf(out, len, "%u.%02u", ms / 1000, ms % 1000 / 10);
    else
        snprintf(out, len, "%u.%03u", ms / 1000, ms % 1000);
}

int cfg_get_ms(struct cfg_report *rep, const struct node *n, const char *path,
               unsigned min_ms, unsigned max_ms, unsigned *out)
{
    char shown[CFG_SHOWN_MAX];
    if (cfg_get_plain(rep, n, path, "a number of seconds", shown) != 0)
        return -1;
    uint64_t ms;
    if (strlen(n->value) != n->len || parse_number_ms(n->value, 0, UINT64_MAX, &ms) != 0)
        return cfg_fail_node(rep, n, path,
                             "'%s' is not a number of seconds (such as 10 or 0.25, "
                             "at most 3 decimals)", shown);
    if (ms < min_ms || ms > max_ms) {
        char lo[24], hi[24];
        seconds_text(min_ms, lo, sizeof lo);
        seconds_text(max_ms, hi, sizeof hi);
        return cfg_fail_node(rep, n, path, "%s is out of range (%s..%s seconds)", shown, lo,
                             hi);
    }
    *out = (unsigned)ms;
    return 0;
}

/* One of the names in @p values (terminated by {NULL, 0}). */
int cfg_get_enum(struct cfg_report *rep, const struct node *n, const char *path,
                 const struct enum_value *values, int *out)
{
    if (n->kind != NODE_SCALAR)
        return cfg_fail_node(rep, n, path, "expected a name, found %s", ytree_kind_name(n));
    for (const struct enum_value *e = values; e->name; e++) {
        if (strlen(e->name) == n->len && strcmp(e->name, n->value) == 0) {
            *out = e->value;
            return 0;
        }
    }
    char list[CONFIG_ERROR_MAX / 2] = "";
    size_t used = 0;
    for (const struct enum_value *e = values; e->name && used < sizeof list; e++) {
        int w = snprintf(list + used, sizeof list - used, "%s%s",
                         e == values ? "" : ", ", e->name);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    char shown[48];
    cfg_fail_printable(n->value, n->len, shown, sizeof shown);
    return cfg_fail_node(rep, n, path, "'%s' is not one of %s", shown, list);
}

/* ------------------------------------------------------------------------ */
/* Mail protocols                                                            */

/* Well-known mail protocols: their TCP port (applTCPProtoID.port). */
static const struct enum_value mail_protocols[] = {
    {"smtp", 25},   {"submission", 587}, {"smtps", 465}, {"submissions", 465},
    {"lmtp", 24},   {"pop3", 110},       {"pop3s", 995}, {"imap", 143},
    {"imaps", 993}, {NULL, 0},
};

/* applTCPProtoID and applUDPProtoID (NETWORK-SERVICES-MIB). */
#define APPL_TCP_PROTO_ID 1, 3, 6, 1, 2, 1, 27, 4
#define APPL_UDP_PROTO_ID 1, 3, 6, 1, 2, 1, 27, 5

static void set_port_oid(struct config_channel *ch, int udp, uint32_t port)
{
    static const uint32_t tcp[] = {APPL_TCP_PROTO_ID};
    static const uint32_t udpo[] = {APPL_UDP_PROTO_ID};
    const uint32_t *base = udp ? udpo : tcp;
    size_t n = sizeof tcp / sizeof tcp[0];
    memcpy(ch->protocol, base, n * sizeof base[0]);
    ch->protocol[n] = port;
    ch->protocol_len = n + 1;
}

/* "1.3.6.1.2.1.27.4.25" (a leading '.' is allowed, as Net-SNMP writes it). */
static int parse_oid(const char *s, uint32_t *oid, size_t *len)
{
    size_t n = 0;
    if (*s == '.')
        s++;
    for (;;) {
        if (*s < '0' || *s > '9' || n == CONFIG_OID_MAX)
            return -1;
        if (s[0] == '0' && s[1] >= '0' && s[1] <= '9')
            return -1; /* no leading zeros */
        uint64_t v = 0;
        while (*s >= '0' && *s <= '9') {
            v = v * 10 + (uint64_t)(*s++ - '0');
            if (v > UINT32_MAX)
                return -1;
        }
        oid[n++] = (uint32_t)v;
        if (*s == '\0')
            break;
        if (*s++ != '.')
            return -1;
    }
    if (n < 2 || oid[0] > 2)
        return -1;
    *len = n;
    return 0;
}

int cfg_get_protocol(struct cfg_report *rep, const struct node *v, const char *path,
                     struct config_channel *ch)
{
    if (v->kind != NODE_SCALAR)
        return cfg_fail_node(rep, v, path, "expected a protocol name, found %s",
                             ytree_kind_name(v));
    char shown[48];
    cfg_fail_printable(v->value, v->len, shown, sizeof shown);
    if (strlen(v->value) != v->len)
        goto bad;
    for (const struct enum_value *p = mail_protocols; p->name; p++) {
        if (strcmp(p->name, v->value) == 0) {
            set_port_oid(ch, 0, (uint32_t)p->value);
            return 0;
        }
    }
    if (strncmp(v->value, "tcp/", 4) == 0 || strncmp(v->value, "udp/", 4) == 0) {
        const char *port = v->value + 4;
        size_t digits = strspn(port, "0123456789");
        unsigned long p = digits > 0 && digits <= 5 && port[digits] == '\0' &&
                                  (port[0] != '0' || digits == 1)
                              ? strtoul(port, NULL, 10)
                              : 0;
        if (p < 1 || p > 65535)
            return cfg_fail_node(rep, v, path, "'%s': the port must be a number from 1 to 65535",
                                 shown);
        set_port_oid(ch, v->value[0] == 'u', (uint32_t)p);
        return 0;
    }
    if ((v->value[0] >= '0' && v->value[0] <= '9') || v->value[0] == '.') {
        if (parse_oid(v->value, ch->protocol, &ch->protocol_len) == 0)
            return 0;
        ch->protocol_len = 0;
        return cfg_fail_node(rep, v, path,
                             "'%s' is not an OBJECT IDENTIFIER: 2 to %d numbers "
                             "up to 4294967295 joined by '.', the first 0, 1 or 2",
                             shown, CONFIG_OID_MAX);
    }
bad:
    return cfg_fail_node(rep, v, path,
                         "'%s' is not a mail protocol: smtp, submission, smtps, "
                         "submissions, lmtp, pop3, pop3s, imap, imaps, tcp/PORT, "
                         "udp/PORT or a numeric OID", shown);
}
