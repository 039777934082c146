/*
 * probe_url.c - an ad hoc probe target written as a URL (see probe_url.h).
 */
#include "probe_url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct scheme {
    const char *name;
    enum config_probe_kind kind;
    enum config_probe_tls tls;
};

static const struct scheme schemes[] = {
    {"tcp", CONFIG_PROBE_TCP, CONFIG_TLS_NONE},
    {"smtp", CONFIG_PROBE_SMTP, CONFIG_TLS_NONE},
    {"smtps", CONFIG_PROBE_SMTP, CONFIG_TLS_IMPLICIT},
    {"lmtp", CONFIG_PROBE_LMTP, CONFIG_TLS_NONE},
    {"imap", CONFIG_PROBE_IMAP, CONFIG_TLS_NONE},
    {"imaps", CONFIG_PROBE_IMAP, CONFIG_TLS_IMPLICIT},
    {"pop3", CONFIG_PROBE_POP3, CONFIG_TLS_NONE},
    {"pop3s", CONFIG_PROBE_POP3, CONFIG_TLS_IMPLICIT},
    {"http", CONFIG_PROBE_HTTP, CONFIG_TLS_NONE},
    {"https", CONFIG_PROBE_HTTP, CONFIG_TLS_IMPLICIT},
    {"ldap", CONFIG_PROBE_LDAP, CONFIG_TLS_NONE},
    {"ldaps", CONFIG_PROBE_LDAP, CONFIG_TLS_IMPLICIT},
};

int probe_url_is_url(const char *arg)
{
    return arg && strstr(arg, "://") != NULL;
}

static int replace(char **dst, const char *src, size_t len)
{
    char *copy = malloc(len + 1);
    if (!copy)
        return -1;
    memcpy(copy, src, len);
    copy[len] = '\0';
    free(*dst);
    *dst = copy;
    return 0;
}

/* Printable ASCII without spaces: what a URL may hold here. */
static int url_chars_ok(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
            return 0;
    return 1;
}

/* The options of the command line on top of the URL's. */
static int apply_options(const char *url, const struct probe_url_options *o,
                         struct config_probe *p, char *err, size_t errlen)
{
    enum config_probe_kind k = p->kind;
    const char *kind = config_probe_kind_name(k);
    if (o->starttls) {
        if (p->server.tls == CONFIG_TLS_IMPLICIT) {
            snprintf(err, errlen, "%s: --starttls with a TLS scheme (use %s://)", url, kind);
            return -1;
        }
        if (k == CONFIG_PROBE_TCP || k == CONFIG_PROBE_HTTP) {
            snprintf(err, errlen, "%s: --starttls: a %s target has no STARTTLS", url, kind);
            return -1;
        }
        p->server.tls = CONFIG_TLS_STARTTLS;
    }
    if (o->insecure)
        p->server.tls_verify = 0;
    if (o->credentials) {
        if (k != CONFIG_PROBE_IMAP && k != CONFIG_PROBE_POP3 && k != CONFIG_PROBE_LDAP) {
            snprintf(err, errlen, "%s: --credentials: a %s target does not log in", url, kind);
            return -1;
        }
        char why[CONFIG_ERROR_MAX];
        if (config_probe_credentials(&p->server, o->credentials, why, sizeof why) != 0) {
            snprintf(err, errlen, "%s", why);
            return -1;
        }
    }
    if (o->timeout_ms) {
        p->timeout_ms = o->timeout_ms;
        p->slow_ms = config_probe_default_slow_ms(k, p->timeout_ms);
    }
    if (o->have_slow) {
        if (o->slow_ms && o->slow_ms >= p->timeout_ms) {
            snprintf(err, errlen, "%s: --slow %u ms is not below the timeout (%u ms)", url,
                     o->slow_ms, p->timeout_ms);
            return -1;
        }
        p->slow_ms = o->slow_ms;
    }
    return 0;
}

/* The scheme before "://" (at @p sep) in @p url, or NULL (err set). */
static const struct scheme *find_scheme(const char *url, const char *sep, char *err,
                                        size_t errlen)
{
    size_t slen = (size_t)(sep - url);
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
        if (strlen(schemes[i].name) == slen && strncmp(schemes[i].name, url, slen) == 0)
            return &schemes[i];
    snprintf(err, errlen, "%.200s: unknown scheme '%.*s' (tcp, smtp, smtps, lmtp, imap, "
             "imaps, pop3, pop3s, http, https, ldap, ldaps)", url, (int)(slen > 20 ? 20 : slen),
             url);
    return NULL;
}

/* HOST[:PORT][/PATH] after "://" (@p rest) into @p out: the address, and
 * the path where the scheme has one (an HTTP path, an LDAP search base). */
static int parse_network(const char *url, const struct scheme *sc, const char *rest,
                         struct config_probe *out, char *err, size_t errlen)
{
    char msg[CONFIG_ERROR_MAX];
    size_t alen = strcspn(rest, "/");
    const char *path = rest + alen;
    if (memchr(rest, '@', alen)) {
        snprintf(err, errlen, "%.200s: no user or password in the URL (every user can "
                 "read a command line): use --credentials FILE", url);
        return -1;
    }
    char *authority = NULL;
    if (replace(&authority, rest, alen) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = config_probe_address(&out->server, authority, msg, sizeof msg);
    free(authority);
    if (rc != 0) {
        snprintf(err, errlen, "%.200s: %s", url, msg);
        return -1;
    }
    if (sc->kind == CONFIG_PROBE_HTTP) {
        if (path[0] && replace(&out->http_path, path, strlen(path)) != 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    } else if (sc->kind == CONFIG_PROBE_LDAP) {
        if (path[0] && path[1] && replace(&out->ldap_search, path + 1, strlen(path + 1))) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    } else if (path[0] && strcmp(path, "/") != 0) {
        snprintf(err, errlen, "%.200s: a %s URL has no path", url, sc->name);
        return -1;
    }
    if (sc->kind == CONFIG_PROBE_TCP && out->server.port == 0) {
        snprintf(err, errlen, "%.200s: a tcp target needs a port (tcp://HOST:PORT)", url);
        return -1;
    }
    return 0;
}

/* HOST:PORT as connected to, whether the URL wrote the port or not. */
static int set_address_text(struct config_probe *out)
{
    char addr[CONFIG_PROBE_HOST_MAX + 16];
    int v6 = strchr(out->server.host, ':') != NULL;
    snprintf(addr, sizeof addr, "%s%s%s:%u", v6 ? "[" : "", out->server.host,
             v6 ? "]" : "", (unsigned)out->server.port);
    return replace(&out->server.address, addr, strlen(addr));
}

int probe_url_parse(const char *url, const struct probe_url_options *opts,
                    struct config_probe *out, char *err, size_t errlen)
{
    static const struct probe_url_options none = {0};
    const struct probe_url_options *o = opts ? opts : &none;
    memset(out, 0, sizeof *out);
    const char *sep = strstr(url, "://");
    if (!sep || !url_chars_ok(url)) {
        snprintf(err, errlen, "%.200s: not a URL such as smtp://HOST:PORT", url);
        return -1;
    }
    const struct scheme *sc = find_scheme(url, sep, err, errlen);
    if (!sc)
        return -1;
    const char *kind = config_probe_kind_name(sc->kind);
    if (config_probe_init(out, sc->kind) != 0 || replace(&out->name, kind, strlen(kind)) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    out->server.tls = sc->tls;
    const char *rest = sep + 3;
    if (rest[0] == '/') {
        /* scheme:///socket */
        char msg[CONFIG_ERROR_MAX];
        if (config_probe_address(&out->server, rest, msg, sizeof msg) != 0) {
            snprintf(err, errlen, "%.200s: %s", url, msg);
            return -1;
        }
    } else if (parse_network(url, sc, rest, out, err, errlen) != 0) {
        return -1;
    }
    if (apply_options(url, o, out, err, errlen) != 0)
        return -1;
    if (config_probe_complete(out) != 0 ||
        (!out->server.unix_path[0] && set_address_text(out) != 0)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}
