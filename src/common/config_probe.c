/*
 * config_probe.c - the probes: section of mtamon.yaml (server-response
 * probes, see struct config_probe), applications[].probe, and the parts
 * of a probe `mtamon probe` also builds from a URL: addresses, default
 * ports, the credentials file.
 *
 * A credentials file is read when the file is loaded (mtamond loads it as
 * root, before dropping privileges) and refused, like ssh refuses a
 * private key, when its group or others may read or write it.  The
 * password is never printed, and is zeroed before its memory is freed.
 */
#include "config_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "parse_number.h"

/* Defaults and bounds (documented in mtamon.yaml(5) and conf/mtamon.yaml). */
#define PROBE_INTERVAL_S 60
#define PROBE_INTERVAL_MAX_S 86400
#define PROBE_TIMEOUT_MS 10000
#define PROBE_SLOW_MS 2000
#define ROUNDTRIP_TIMEOUT_MS 120000
#define ROUNDTRIP_SLOW_MS 60000
#define PROBE_TIMEOUT_MAX_MS 3600000
#define PROBE_POLL_MS 1000
#define PROBE_POLL_MIN_MS 10
#define PROBE_POLL_MAX_MS 60000
#define HTTP_EXPECT_DEFAULT 200
/* A credentials file is one line; more is a mistake (a key file?). */
#define CREDENTIALS_MAX 4096

static const struct enum_value probe_kinds[] = {
    {"tcp", CONFIG_PROBE_TCP},   {"smtp", CONFIG_PROBE_SMTP}, {"lmtp", CONFIG_PROBE_LMTP},
    {"imap", CONFIG_PROBE_IMAP}, {"pop3", CONFIG_PROBE_POP3}, {"http", CONFIG_PROBE_HTTP},
    {"ldap", CONFIG_PROBE_LDAP}, {"roundtrip", CONFIG_PROBE_ROUNDTRIP}, {NULL, 0},
};

static const struct enum_value mailbox_kinds[] = {
    {"imap", CONFIG_PROBE_IMAP}, {"pop3", CONFIG_PROBE_POP3}, {NULL, 0},
};

static const struct enum_value tls_modes[] = {
    {"none", CONFIG_TLS_NONE}, {"implicit", CONFIG_TLS_IMPLICIT},
    {"starttls", CONFIG_TLS_STARTTLS}, {NULL, 0},
};

const char *config_probe_kind_name(enum config_probe_kind kind)
{
    for (const struct enum_value *e = probe_kinds; e->name; e++)
        if (e->value == (int)kind)
            return e->name;
    return "?";
}

const char *config_probe_tls_name(enum config_probe_tls tls)
{
    for (const struct enum_value *e = tls_modes; e->name; e++)
        if (e->value == (int)tls)
            return e->name;
    return "?";
}

uint16_t config_probe_default_port(enum config_probe_kind kind, enum config_probe_tls tls)
{
    int implicit = tls == CONFIG_TLS_IMPLICIT;
    switch (kind) {
    case CONFIG_PROBE_TCP: return 0;
    case CONFIG_PROBE_SMTP:
    case CONFIG_PROBE_ROUNDTRIP: return implicit ? 465 : 25;
    case CONFIG_PROBE_LMTP: return 24;
    case CONFIG_PROBE_IMAP: return implicit ? 993 : 143;
    case CONFIG_PROBE_POP3: return implicit ? 995 : 110;
    case CONFIG_PROBE_HTTP: return implicit ? 443 : 80;
    case CONFIG_PROBE_LDAP: return implicit ? 636 : 389;
    }
    return 0;
}

static unsigned default_timeout_ms(enum config_probe_kind kind)
{
    return kind == CONFIG_PROBE_ROUNDTRIP ? ROUNDTRIP_TIMEOUT_MS : PROBE_TIMEOUT_MS;
}

unsigned config_probe_default_slow_ms(enum config_probe_kind kind, unsigned timeout_ms)
{
    unsigned slow = kind == CONFIG_PROBE_ROUNDTRIP ? ROUNDTRIP_SLOW_MS : PROBE_SLOW_MS;
    return slow < timeout_ms ? slow : 0;
}

/* ------------------------------------------------------------------------ */
/* Allocation                                                                */

/* Zero @p s (a password) in a way the compiler keeps. */
static void wipe(char *s)
{
    if (!s)
        return;
    for (volatile char *v = s; *v; v++)
        *v = '\0';
}

static void endpoint_clear(struct config_probe_endpoint *ep)
{
    free(ep->address);
    free(ep->host);
    free(ep->unix_path);
    free(ep->tls_ca);
    free(ep->tls_name);
    free(ep->credentials);
    free(ep->user);
    wipe(ep->password);
    free(ep->password);
    memset(ep, 0, sizeof *ep);
}

void config_probe_clear(struct config_probe *p)
{
    if (!p)
        return;
    free(p->name);
    endpoint_clear(&p->server);
    free(p->helo);
    free(p->http_path);
    free(p->http_host);
    free(p->ldap_search);
    endpoint_clear(&p->mailbox);
    free(p->mail_from);
    free(p->mail_to);
    memset(p, 0, sizeof *p);
}

/* Every string of @p ep that is still NULL becomes "". */
static int endpoint_fill(struct config_probe_endpoint *ep)
{
    char **s[] = {&ep->address, &ep->host, &ep->unix_path, &ep->tls_ca,
                  &ep->tls_name, &ep->credentials, &ep->user, &ep->password};
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        if (!*s[i] && !(*s[i] = config_strdup(NULL)))
            return -1;
    return 0;
}

static int probe_fill(struct config_probe *p)
{
    char **s[] = {&p->name, &p->helo, &p->http_path, &p->http_host,
                  &p->ldap_search, &p->mail_from, &p->mail_to};
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        if (!*s[i] && !(*s[i] = config_strdup(NULL)))
            return -1;
    return endpoint_fill(&p->server) | endpoint_fill(&p->mailbox);
}

/* The defaults of a probe of @p kind that has no strings yet. */
static void probe_defaults(struct config_probe *p, enum config_probe_kind kind)
{
    p->kind = kind;
    p->interval_s = PROBE_INTERVAL_S;
    p->timeout_ms = default_timeout_ms(kind);
    p->slow_ms = config_probe_default_slow_ms(kind, p->timeout_ms);
    p->server.tls_verify = 1;
    p->mailbox.tls_verify = 1;
    p->http_expect = HTTP_EXPECT_DEFAULT;
    p->mailbox_kind = CONFIG_PROBE_IMAP;
    p->poll_ms = PROBE_POLL_MS;
}

int config_probe_init(struct config_probe *p, enum config_probe_kind kind)
{
    memset(p, 0, sizeof *p);
    probe_defaults(p, kind);
    return probe_fill(p);
}

/* Replace *@p dst by a copy of @p src. */
static int set_text(char **dst, const char *src)
{
    char *copy = strdup(src);
    if (!copy)
        return -1;
    free(*dst);
    *dst = copy;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Addresses                                                                 */

/* A host name or address: printable ASCII, no space, '/', '@' or bracket. */
static int host_ok(const char *h, size_t len)
{
    if (len == 0 || len > CONFIG_PROBE_HOST_MAX)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)h[i];
        if (ch <= 0x20 || ch >= 0x7f || strchr("/@[]", ch))
            return 0;
    }
    return 1;
}

int config_probe_parse_address(struct config_probe_endpoint *ep, const char *text,
                               int unix_ok, char *err, size_t errlen)
{
    const char *forms = unix_ok ? "host:port, [IPv6]:port, host or /absolute/socket"
                                : "host:port, [IPv6]:port or host";
    size_t len = strlen(text);
    if (len == 0) {
        snprintf(err, errlen, "must not be empty (%s)", forms);
        return -1;
    }
    if (text[0] == '/' && unix_ok) {
        size_t room = sizeof ((struct sockaddr_un *)0)->sun_path - 1;
        if (len > room) {
            snprintf(err, errlen, "socket path too long: %zu bytes, at most %zu", len, room);
            return -1;
        }
        if (set_text(&ep->address, text) || set_text(&ep->host, "") ||
            set_text(&ep->unix_path, text)) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        ep->port = 0;
        return 0;
    }
    const char *host = text, *port = NULL;
    size_t host_len;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || close == text + 1 || !memchr(text + 1, ':', (size_t)(close - text - 1))) {
            snprintf(err, errlen, "'%s' is not %s", text, forms);
            return -1;
        }
        host = text + 1;
        host_len = (size_t)(close - host);
        if (close[1] == ':')
            port = close + 2;
        else if (close[1] != '\0') {
            snprintf(err, errlen, "'%s' is not %s", text, forms);
            return -1;
        }
    } else {
        const char *colon = strchr(text, ':');
        if (colon && strchr(colon + 1, ':')) {
            snprintf(err, errlen, "'%s': an IPv6 address is written in brackets, "
                     "such as [::1]:25", text);
            return -1;
        }
        host_len = colon ? (size_t)(colon - text) : len;
        if (colon)
            port = colon + 1;
    }
    if (!host_ok(host, host_len)) {
        snprintf(err, errlen, "'%s' is not %s", text, forms);
        return -1;
    }
    uint64_t pn = 0;
    if (port) {
        if (parse_number_uint(port, 0, UINT64_MAX, &pn) != 0) {
            snprintf(err, errlen, "'%s' is not a port number", port);
            return -1;
        }
        if (pn < 1 || pn > 65535) {
            snprintf(err, errlen, "port %s is out of range (1..65535)", port);
            return -1;
        }
    }
    char hostbuf[CONFIG_PROBE_HOST_MAX + 1];
    memcpy(hostbuf, host, host_len);
    hostbuf[host_len] = '\0';
    if (set_text(&ep->address, text) || set_text(&ep->host, hostbuf) ||
        set_text(&ep->unix_path, "")) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    ep->port = (uint16_t)pn;
    return 0;
}

int config_probe_address(struct config_probe_endpoint *ep, const char *text,
                         char *err, size_t errlen)
{
    return config_probe_parse_address(ep, text, 1, err, errlen);
}

/* ------------------------------------------------------------------------ */
/* Credentials                                                               */

int config_probe_credentials(struct config_probe_endpoint *ep, const char *file,
                             char *err, size_t errlen)
{
    /* Non-blocking: a FIFO must not hang the load (it is refused below). */
    int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        snprintf(err, errlen, "credentials file %s: %s", file, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "credentials file %s: %s", file, strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "credentials file %s: not a regular file", file);
        close(fd);
        return -1;
    }
    if (st.st_mode & 077) {
        snprintf(err, errlen,
                 "credentials file %s has mode %04o: its group or others may read or "
                 "write it; refused (run chmod 600 %s)",
                 file, (unsigned)(st.st_mode & 07777), file);
        close(fd);
        return -1;
    }
    char buf[CREDENTIALS_MAX + 1];
    size_t n = 0;
    while (n < CREDENTIALS_MAX) {
        ssize_t r = read(fd, buf + n, CREDENTIALS_MAX - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(err, errlen, "credentials file %s: %s", file, strerror(errno));
            close(fd);
            memset(buf, 0, sizeof buf);
            return -1;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    size_t line = strcspn(buf, "\r\n");
    int rc = -1;
    char *colon = memchr(buf, ':', line);
    if (strlen(buf) < line || (line == n && n == CREDENTIALS_MAX))
        snprintf(err, errlen, "credentials file %s: the first line is not text of at most "
                 "%d bytes", file, CREDENTIALS_MAX);
    else if (!colon)
        snprintf(err, errlen, "credentials file %s: the first line is not USER:PASSWORD", file);
    else if (colon == buf)
        snprintf(err, errlen, "credentials file %s: no USER before the ':' of its first line",
                 file);
    else {
        buf[line] = '\0';
        *colon = '\0';
        if (set_text(&ep->credentials, file) || set_text(&ep->user, buf)) {
            snprintf(err, errlen, "out of memory");
        } else {
            wipe(ep->password);
            if (set_text(&ep->password, colon + 1))
                snprintf(err, errlen, "out of memory");
            else
                rc = 0;
        }
    }
    /* The copy on the stack holds the password too. */
    for (volatile char *v = buf; v < buf + sizeof buf; v++)
        *v = '\0';
    return rc;
}

int config_probe_complete(struct config_probe *p)
{
    struct config_probe_endpoint *eps[] = {&p->server, &p->mailbox};
    enum config_probe_kind kinds[] = {p->kind, p->mailbox_kind};
    size_t n = p->kind == CONFIG_PROBE_ROUNDTRIP ? 2 : 1;
    for (size_t i = 0; i < n; i++) {
        struct config_probe_endpoint *ep = eps[i];
        if (!ep->unix_path[0] && ep->port == 0)
            ep->port = config_probe_default_port(kinds[i], ep->tls);
        if (!ep->tls_name[0] && ep->host[0] && set_text(&ep->tls_name, ep->host))
            return -1;
    }
    if (p->kind == CONFIG_PROBE_HTTP) {
        if (!p->http_path[0] && set_text(&p->http_path, "/"))
            return -1;
        if (!p->http_host[0] &&
            set_text(&p->http_host, p->server.host[0] ? p->server.host : "localhost"))
            return -1;
    }
    if (!p->helo[0] && (p->kind == CONFIG_PROBE_SMTP || p->kind == CONFIG_PROBE_LMTP ||
                        p->kind == CONFIG_PROBE_ROUNDTRIP)) {
        char name[256] = "";
        if (gethostname(name, sizeof name - 1) != 0 || !name[0])
            snprintf(name, sizeof name, "localhost");
        if (set_text(&p->helo, name))
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The section                                                               */

/* Where each key of an endpoint was, for the checks after all are read. */
struct endpoint_nodes {
    const struct node *entry, *kind, *address, *tls, *tls_verify, *tls_ca, *tls_name,
        *credentials;
};

struct probe_nodes {
    struct endpoint_nodes server, mailbox;
    const struct node *name, *interval, *timeout, *slow, *helo, *path, *host_header,
        *expect, *search, *from, *to, *poll;
};

/* An absolute path, at most CONFIG_PATH_MAX bytes. */
static int get_absolute(struct cfg_report *rep, const struct node *v, const char *path,
                        char **out)
{
    if (cfg_get_text(rep, v, path, CONFIG_PATH_MAX, TEXT_REQUIRED, out) != 0)
        return -1;
    if ((*out)[0] != '/')
        return cfg_fail_node(rep, v, path, "'%s' is not an absolute path", *out);
    return 0;
}

/* The keys every endpoint has (a probe's server, a round trip's mailbox). */
static int endpoint_pair(struct cfg_report *rep, struct config_probe_endpoint *ep,
                         struct endpoint_nodes *at, const char *key, const struct node *v,
                         const char *path)
{
    char msg[CONFIG_ERROR_MAX];
    if (strcmp(key, "address") == 0) {
        at->address = v;
        char *text = NULL;
        if (cfg_get_text(rep, v, path, CONFIG_PATH_MAX, TEXT_REQUIRED | TEXT_NO_SPACE,
                         &text) != 0)
            return -1;
        int rc = config_probe_address(ep, text, msg, sizeof msg);
        free(text);
        return rc == 0 ? 0 : cfg_fail_node(rep, v, path, "%s", msg);
    }
    if (strcmp(key, "tls") == 0) {
        int e;
        at->tls = v;
        if (cfg_get_enum(rep, v, path, tls_modes, &e) != 0)
            return -1;
        ep->tls = (enum config_probe_tls)e;
        return 0;
    }
    if (strcmp(key, "tls_verify") == 0) {
        at->tls_verify = v;
        return cfg_get_enum(rep, v, path, config_booleans, &ep->tls_verify);
    }
    if (strcmp(key, "tls_ca") == 0) {
        at->tls_ca = v;
        if (get_absolute(rep, v, path, &ep->tls_ca) != 0)
            return -1;
        struct stat st;
        if (stat(ep->tls_ca, &st) != 0 || access(ep->tls_ca, R_OK) != 0)
            return cfg_fail_node(rep, v, path, "cannot read %s: %s", ep->tls_ca,
                                 strerror(errno));
        if (!S_ISREG(st.st_mode))
            return cfg_fail_node(rep, v, path, "%s: not a regular file", ep->tls_ca);
        return 0;
    }
    if (strcmp(key, "tls_name") == 0) {
        at->tls_name = v;
        return cfg_get_text(rep, v, path, CONFIG_PROBE_HOST_MAX, TEXT_REQUIRED | TEXT_NO_SPACE,
                            &ep->tls_name);
    }
    if (strcmp(key, "credentials") == 0) {
        at->credentials = v;
        char *file = NULL;
        if (get_absolute(rep, v, path, &file) != 0) {
            free(file);
            return -1;
        }
        int rc = config_probe_credentials(ep, file, msg, sizeof msg);
        free(file);
        return rc == 0 ? 0 : cfg_fail_node(rep, v, path, "%s", msg);
    }
    return 1;
}

struct probe_target {
    struct config_probe *p;
    struct probe_nodes *at;
};

static int mailbox_pair(struct cfg_report *rep, void *target, const char *key,
                        const struct node *v, const char *path)
{
    struct probe_target *t = target;
    if (strcmp(key, "kind") == 0) {
        int e;
        t->at->mailbox.kind = v;
        if (cfg_get_enum(rep, v, path, mailbox_kinds, &e) != 0)
            return -1;
        t->p->mailbox_kind = (enum config_probe_kind)e;
        return 0;
    }
    return endpoint_pair(rep, &t->p->mailbox, &t->at->mailbox, key, v, path);
}

static int probe_pair(struct cfg_report *rep, void *target, const char *key,
                      const struct node *v, const char *path)
{
    struct probe_target *t = target;
    struct config_probe *p = t->p;
    struct probe_nodes *at = t->at;
    if (strcmp(key, "name") == 0) {
        at->name = v;
        return config_collect_name(rep, v, path, &p->name);
    }
    if (strcmp(key, "kind") == 0) {
        int e;
        at->server.kind = v;
        if (cfg_get_enum(rep, v, path, probe_kinds, &e) != 0)
            return -1;
        p->kind = (enum config_probe_kind)e;
        return 0;
    }
    if (strcmp(key, "interval") == 0) {
        at->interval = v;
        return cfg_get_unsigned(rep, v, path, 1, PROBE_INTERVAL_MAX_S, &p->interval_s);
    }
    if (strcmp(key, "timeout") == 0) {
        at->timeout = v;
        return cfg_get_ms(rep, v, path, 1, PROBE_TIMEOUT_MAX_MS, &p->timeout_ms);
    }
    if (strcmp(key, "slow") == 0) {
        at->slow = v;
        return cfg_get_ms(rep, v, path, 0, PROBE_TIMEOUT_MAX_MS, &p->slow_ms);
    }
    if (strcmp(key, "helo") == 0) {
        at->helo = v;
        return cfg_get_text(rep, v, path, CONFIG_PROBE_HOST_MAX, TEXT_REQUIRED | TEXT_NO_SPACE,
                            &p->helo);
    }
    if (strcmp(key, "path") == 0) {
        at->path = v;
        if (cfg_get_text(rep, v, path, CONFIG_TEXT_MAX, TEXT_REQUIRED | TEXT_NO_SPACE,
                         &p->http_path) != 0)
            return -1;
        if (p->http_path[0] != '/')
            return cfg_fail_node(rep, v, path, "'%s' does not start with '/'", p->http_path);
        return 0;
    }
    if (strcmp(key, "host_header") == 0) {
        at->host_header = v;
        return cfg_get_text(rep, v, path, CONFIG_PROBE_HOST_MAX, TEXT_REQUIRED | TEXT_NO_SPACE,
                            &p->http_host);
    }
    if (strcmp(key, "expect") == 0) {
        at->expect = v;
        return cfg_get_unsigned(rep, v, path, 100, 599, &p->http_expect);
    }
    if (strcmp(key, "search") == 0) {
        at->search = v;
        return cfg_get_text(rep, v, path, CONFIG_TEXT_MAX, TEXT_REQUIRED, &p->ldap_search);
    }
    if (strcmp(key, "mailbox") == 0) {
        at->mailbox.entry = v;
        return config_each_pair(rep, v, path, mailbox_pair, t);
    }
    if (strcmp(key, "from") == 0) {
        at->from = v;
        return cfg_get_envelope(rep, v, path, &p->mail_from);
    }
    if (strcmp(key, "to") == 0) {
        at->to = v;
        return cfg_get_envelope(rep, v, path, &p->mail_to);
    }
    if (strcmp(key, "poll") == 0) {
        at->poll = v;
        return cfg_get_ms(rep, v, path, PROBE_POLL_MIN_MS, PROBE_POLL_MAX_MS, &p->poll_ms);
    }
    return endpoint_pair(rep, &p->server, &at->server, key, v, path);
}

/* Key @p n (KEY of entry path @p ep) is not one a @p kind probe uses. */
static int only_for(struct cfg_report *rep, const struct node *n, const char *ep,
                    const char *key, enum config_probe_kind kind, int used, const char *which)
{
    char kp[KEY_PATH_MAX];
    if (!n || used)
        return 0;
    return cfg_fail_node(rep, n, cfg_path_field(kp, ep, key),
                         "not used by a %s probe (only by %s)", config_probe_kind_name(kind),
                         which);
}

/* Checks of an endpoint that need all its keys (@p ep path, e.g.
 * "probes[2]" or "probes[2].mailbox"). */
static int endpoint_finish(struct cfg_report *rep, const struct config_probe_endpoint *e,
                           const struct endpoint_nodes *at, const char *ep,
                           enum config_probe_kind kind)
{
    char kp[KEY_PATH_MAX];
    if (!at->address)
        return cfg_fail_node(rep, at->entry, ep, "missing required key 'address'");
    if (kind == CONFIG_PROBE_TCP && !e->unix_path[0] && e->port == 0)
        return cfg_fail_node(rep, at->address, cfg_path_field(kp, ep, "address"),
                             "'%s': a tcp probe needs a port (host:port)", e->address);
    if (e->tls == CONFIG_TLS_STARTTLS &&
        (kind == CONFIG_PROBE_TCP || kind == CONFIG_PROBE_HTTP))
        return cfg_fail_node(rep, at->tls, cfg_path_field(kp, ep, "tls"),
                             "a %s probe has no STARTTLS (none or implicit)",
                             config_probe_kind_name(kind));
    const struct node *tls_keys[] = {at->tls_verify, at->tls_ca, at->tls_name};
    static const char *const tls_names[] = {"tls_verify", "tls_ca", "tls_name"};
    for (size_t i = 0; i < 3; i++)
        if (tls_keys[i] && e->tls == CONFIG_TLS_NONE)
            return cfg_fail_node(rep, tls_keys[i], cfg_path_field(kp, ep, tls_names[i]),
                                 "only with tls: implicit or starttls");
    return 0;
}

/* Checks of one probe that need all its keys, then its defaults. */
static int probe_finish(struct cfg_report *rep, struct config_probe *p,
                        const struct probe_nodes *at, const char *ep)
{
    char kp[KEY_PATH_MAX];
    enum config_probe_kind k = p->kind;
    int mail = k == CONFIG_PROBE_SMTP || k == CONFIG_PROBE_LMTP || k == CONFIG_PROBE_ROUNDTRIP;
    int login = k == CONFIG_PROBE_IMAP || k == CONFIG_PROBE_POP3 || k == CONFIG_PROBE_LDAP ||
                k == CONFIG_PROBE_ROUNDTRIP;
    int http = k == CONFIG_PROBE_HTTP, rt = k == CONFIG_PROBE_ROUNDTRIP;
    if (!at->name)
        return cfg_fail_node(rep, at->server.entry, ep, "missing required key 'name'");
    if (!at->server.kind)
        return cfg_fail_node(rep, at->server.entry, ep,
                             "missing required key 'kind' (tcp, smtp, lmtp, imap, pop3, "
                             "http, ldap or roundtrip)");
    if (only_for(rep, at->helo, ep, "helo", k, mail, "smtp, lmtp and roundtrip") ||
        only_for(rep, at->server.credentials, ep, "credentials", k, login,
                 "imap, pop3, ldap and roundtrip") ||
        only_for(rep, at->path, ep, "path", k, http, "http") ||
        only_for(rep, at->host_header, ep, "host_header", k, http, "http") ||
        only_for(rep, at->expect, ep, "expect", k, http, "http") ||
        only_for(rep, at->search, ep, "search", k, k == CONFIG_PROBE_LDAP, "ldap") ||
        only_for(rep, at->mailbox.entry, ep, "mailbox", k, rt, "roundtrip") ||
        only_for(rep, at->from, ep, "from", k, rt, "roundtrip") ||
        only_for(rep, at->to, ep, "to", k, rt, "roundtrip") ||
        only_for(rep, at->poll, ep, "poll", k, rt, "roundtrip"))
        return -1;
    if (endpoint_finish(rep, &p->server, &at->server, ep, k) != 0)
        return -1;
    if (rt) {
        char mp[KEY_PATH_MAX];
        if (!at->mailbox.entry)
            return cfg_fail_node(rep, at->server.entry, ep,
                                 "missing required key 'mailbox' (where the message is read)");
        cfg_path_field(mp, ep, "mailbox");
        if (!at->mailbox.kind)
            return cfg_fail_node(rep, at->mailbox.entry, mp,
                                 "missing required key 'kind' (imap or pop3)");
        if (endpoint_finish(rep, &p->mailbox, &at->mailbox, mp, p->mailbox_kind) != 0)
            return -1;
        if (!at->mailbox.credentials)
            return cfg_fail_node(rep, at->mailbox.entry, mp,
                                 "missing required key 'credentials' (the mailbox's login)");
        if (!at->from)
            return cfg_fail_node(rep, at->server.entry, ep,
                                 "missing required key 'from' (the envelope sender)");
        if (!at->to)
            return cfg_fail_node(rep, at->server.entry, ep,
                                 "missing required key 'to' (the mailbox's address)");
    }
    if (!at->timeout)
        p->timeout_ms = default_timeout_ms(k);
    if (!at->slow)
        p->slow_ms = config_probe_default_slow_ms(k, p->timeout_ms);
    else if (p->slow_ms && p->slow_ms >= p->timeout_ms)
        return cfg_fail_node(rep, at->slow, cfg_path_field(kp, ep, "slow"),
                             "%s s is not below the timeout (%u ms): it could never be slow",
                             at->slow->value, p->timeout_ms);
    if (probe_fill(p) != 0 || config_probe_complete(p) != 0)
        return cfg_fail_nomem(rep);
    return 0;
}

static int probe_read(struct cfg_report *rep, void *entry, size_t i, const struct node *v,
                      const char *ep, void *ctx, const struct node **name)
{
    struct config_probe *p = entry;
    struct probe_nodes at = {.server.entry = v};
    struct probe_target t = {p, &at};
    (void)i, (void)ctx;
    probe_defaults(p, CONFIG_PROBE_TCP);
    p->line = v->line;
    if (config_each_pair(rep, v, ep, probe_pair, &t) != 0 || probe_finish(rep, p, &at, ep) != 0)
        return -1;
    *name = at.name;
    return 0;
}

static const struct config_list probe_list = {
    "probe", sizeof(struct config_probe), offsetof(struct config_probe, name), probe_read,
};

int config_probe_load(struct cfg_report *rep, struct config *c, const struct node *v,
                      const char *path)
{
    void *items;
    int rc = config_list_load(rep, v, path, &probe_list, NULL, &items, &c->n_probes);
    c->probes = items;
    return rc;
}

int config_probe_check_refs(struct cfg_report *rep, const struct config *c)
{
    for (size_t i = 0; i < c->n_apps; i++) {
        const struct config_app *a = &c->apps[i];
        if (!a->probe || !a->probe[0])
            continue;
        char ep[KEY_PATH_MAX], kp[KEY_PATH_MAX];
        config_collect_app_path(ep, c, i);
        cfg_path_field(kp, ep, "probe");
        if (a->kind != CONFIG_APP_SERVICE)
            return cfg_fail_at(rep, a->probe_pos.line, a->probe_pos.col, kp,
                               "only on a service row (type: service): the mta row's "
                               "status is the counter segment's");
        if (!config_probe_find(c, a->probe))
            return cfg_fail_at(rep, a->probe_pos.line, a->probe_pos.col, kp,
                               "no probe '%s' in probes", a->probe);
    }
    return 0;
}

void config_probe_free_all(struct config *c)
{
    for (size_t i = 0; i < c->n_probes; i++)
        config_probe_clear(&c->probes[i]);
    free(c->probes);
    c->probes = NULL;
    c->n_probes = 0;
}

const struct config_probe *config_probe_find(const struct config *conf, const char *name)
{
    for (size_t i = 0; conf && name && i < conf->n_probes; i++)
        if (strcmp(conf->probes[i].name, name) == 0)
            return &conf->probes[i];
    return NULL;
}
