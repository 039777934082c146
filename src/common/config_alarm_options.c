/*
 * config_alarm_options.c - the alarm_options: section of mtamon.yaml
 * (struct config_alarm_options): the notification rate and backlog, the
 * state file `mtamon alarms` reads, and the postmaster's mail.
 *
 * The mail command's program must exist and be runnable when the file is
 * loaded (check-config finds a typing mistake, not the first alarm).
 */
#include "config_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Defaults and bounds (documented in mtamon.yaml(5) and conf/mtamon.yaml). */
#define OPTIONS_PER_SECOND 20
#define OPTIONS_PER_SECOND_MAX 10000
#define OPTIONS_PENDING 1000
#define OPTIONS_PENDING_MAX 100000
#define DEFAULT_STATE_FILE "/var/lib/mtamon/alarms.json"
#define MAIL_TIMEOUT_MS 30000
#define MAIL_TIMEOUT_MIN_MS 100
#define MAIL_TIMEOUT_MAX_MS 600000
#define MAIL_TO_MAX 64
#define MAIL_DEFAULT_TO "postmaster"
#define MAIL_FROM_USER "mtamond"
#define SMTP_PORT 25

static void mail_free(struct config_alarm_mail *m)
{
    free(m->command);
    free(m->smtp);
    free(m->smtp_host);
    free(m->from);
    config_free_list(m->to, m->n_to);
    memset(m, 0, sizeof *m);
}

void config_alarm_options_free(struct config *c)
{
    free(c->alarm_options.state_file);
    c->alarm_options.state_file = NULL;
    mail_free(&c->alarm_options.mail);
}

/* "mtamond@HOSTNAME" ("localhost" when the name is unknown). */
static char *default_from(void)
{
    char host[256] = "";
    if (gethostname(host, sizeof host - 1) != 0 || !host[0])
        snprintf(host, sizeof host, "localhost");
    char *from = malloc(sizeof MAIL_FROM_USER + 1 + strlen(host));
    if (from)
        sprintf(from, "%s@%s", MAIL_FROM_USER, host);
    return from;
}

/* The mail defaults: off, from mtamond@HOSTNAME to postmaster, 30 s. */
static int mail_defaults(struct config_alarm_mail *m)
{
    memset(m, 0, sizeof *m);
    m->timeout_ms = MAIL_TIMEOUT_MS;
    m->command = config_strdup(NULL);
    m->smtp = config_strdup(NULL);
    m->smtp_host = config_strdup(NULL);
    m->from = default_from();
    m->to = calloc(1, sizeof *m->to);
    if (m->to && (m->to[0] = config_strdup(MAIL_DEFAULT_TO)) != NULL)
        m->n_to = 1;
    return m->command && m->smtp && m->smtp_host && m->from && m->n_to ? 0 : -1;
}

int config_alarm_options_defaults(struct config *c)
{
    struct config_alarm_options *o = &c->alarm_options;
    o->max_per_second = OPTIONS_PER_SECOND;
    o->pending_max = OPTIONS_PENDING;
    o->state_file = config_strdup(DEFAULT_STATE_FILE);
    return mail_defaults(&o->mail) == 0 && o->state_file ? 0 : -1;
}

/* Where the mail keys were, for the checks after all are read. */
struct mail_nodes {
    const struct node *command, *smtp;
};

struct mail_target {
    struct config_alarm_mail *m;
    struct mail_nodes *at;
};

/* to: one address or a sequence of them (replacing the default). */
static int mail_to(struct cfg_report *rep, struct config_alarm_mail *m, const struct node *v,
                   const char *path)
{
    size_t n = v->kind == NODE_SEQUENCE ? v->n_items : 1;
    if (v->kind == NODE_MAPPING)
        return cfg_fail_node(rep, v, path, "expected a string or a sequence, found %s",
                             ytree_kind_name(v));
    if (n == 0)
        return cfg_fail_node(rep, v, path, "must not be empty (leave it out for postmaster)");
    if (n > MAIL_TO_MAX)
        return cfg_fail_node(rep, v, path, "%zu recipients: at most %d", n, MAIL_TO_MAX);
    config_free_list(m->to, m->n_to);
    m->n_to = 0;
    m->to = calloc(n, sizeof *m->to);
    if (!m->to)
        return cfg_fail_nomem(rep);
    for (size_t i = 0; i < n; i++) {
        char ip[KEY_PATH_MAX];
        const struct node *item = v->kind == NODE_SEQUENCE ? v->items[i] : v;
        if (v->kind == NODE_SEQUENCE)
            cfg_path_index(ip, path, i);
        else
            cfg_path_join(ip, path, "", "");
        if (cfg_get_envelope(rep, item, ip, &m->to[m->n_to++]) != 0)
            return -1;
    }
    return 0;
}

/* command: a program given by its absolute path, runnable now, then its
 * arguments, separated by spaces. */
static int mail_command(struct cfg_report *rep, struct config_alarm_mail *m,
                        const struct node *v, const char *path)
{
    if (cfg_get_text(rep, v, path, CONFIG_PATH_MAX, TEXT_REQUIRED, &m->command) != 0)
        return -1;
    const char *cmd = m->command;
    size_t len = strcspn(cmd, " ");
    if (cmd[0] != '/')
        return cfg_fail_node(rep, v, path,
                             "'%s': the command starts with the program's absolute path",
                             cmd);
    char program[CONFIG_PATH_MAX + 1];
    memcpy(program, cmd, len);
    program[len] = '\0';
    struct stat st;
    if (stat(program, &st) != 0 || access(program, X_OK) != 0)
        return cfg_fail_node(rep, v, path, "cannot run %s: %s", program, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return cfg_fail_node(rep, v, path, "cannot run %s: not a regular file", program);
    return 0;
}

/* smtp: host:port, [v6]:port or host (port 25); no Unix socket. */
static int mail_smtp(struct cfg_report *rep, struct config_alarm_mail *m, const struct node *v,
                     const char *path)
{
    if (cfg_get_text(rep, v, path, CONFIG_PATH_MAX, TEXT_REQUIRED | TEXT_NO_SPACE,
                     &m->smtp) != 0)
        return -1;
    struct config_probe_endpoint ep = {0};
    char msg[CONFIG_ERROR_MAX];
    int rc = config_probe_parse_address(&ep, m->smtp, 0, msg, sizeof msg);
    if (rc == 0) {
        free(m->smtp_host);
        m->smtp_host = ep.host;
        ep.host = NULL;
        m->smtp_port = ep.port ? ep.port : SMTP_PORT;
    }
    free(ep.address);
    free(ep.host);
    free(ep.unix_path);
    return rc == 0 ? 0 : cfg_fail_node(rep, v, path, "%s", msg);
}

static int mail_pair(struct cfg_report *rep, void *target, const char *key,
                     const struct node *v, const char *path)
{
    struct mail_target *t = target;
    struct config_alarm_mail *m = t->m;
    if (strcmp(key, "command") == 0) {
        t->at->command = v;
        return mail_command(rep, m, v, path);
    }
    if (strcmp(key, "smtp") == 0) {
        t->at->smtp = v;
        return mail_smtp(rep, m, v, path);
    }
    if (strcmp(key, "from") == 0)
        return cfg_get_envelope(rep, v, path, &m->from);
    if (strcmp(key, "to") == 0)
        return mail_to(rep, m, v, path);
    if (strcmp(key, "timeout") == 0)
        return cfg_get_ms(rep, v, path, MAIL_TIMEOUT_MIN_MS, MAIL_TIMEOUT_MAX_MS,
                          &m->timeout_ms);
    return 1;
}

static int options_mail(struct cfg_report *rep, struct config_alarm_mail *m,
                        const struct node *v, const char *path)
{
    if (ytree_is_null(v))
        return 0;
    struct mail_nodes at = {0};
    struct mail_target t = {m, &at};
    if (config_each_pair(rep, v, path, mail_pair, &t) != 0)
        return -1;
    if (at.command && at.smtp) {
        char kp[KEY_PATH_MAX];
        int smtp_last = ytree_after(at.smtp, at.command);
        return cfg_fail_node(rep, smtp_last ? at.smtp : at.command,
                             cfg_path_field(kp, path, smtp_last ? "smtp" : "command"),
                             "only one of 'command' and 'smtp' may be given");
    }
    if (!at.command && !at.smtp)
        return cfg_fail_node(rep, v, path,
                             "one of 'command' and 'smtp' is required (leave mail out "
                             "for no mail)");
    return 0;
}

static int options_pair(struct cfg_report *rep, void *target, const char *key,
                        const struct node *v, const char *path)
{
    struct config_alarm_options *o = target;
    if (strcmp(key, "max_notifications_per_second") == 0)
        return cfg_get_unsigned(rep, v, path, 0, OPTIONS_PER_SECOND_MAX, &o->max_per_second);
    if (strcmp(key, "pending_max") == 0)
        return cfg_get_unsigned(rep, v, path, 1, OPTIONS_PENDING_MAX, &o->pending_max);
    if (strcmp(key, "state_file") == 0) {
        if (cfg_get_text(rep, v, path, CONFIG_PATH_MAX, 0, &o->state_file) != 0)
            return -1;
        if (o->state_file[0] && o->state_file[0] != '/')
            return cfg_fail_node(rep, v, path, "'%s' is not an absolute path (\"\" = none)",
                                 o->state_file);
        return 0;
    }
    if (strcmp(key, "mail") == 0)
        return options_mail(rep, &o->mail, v, path);
    return 1;
}

int config_alarm_options_load(struct cfg_report *rep, struct config *c, const struct node *v,
                         const char *path)
{
    if (ytree_is_null(v))
        return 0;
    return config_each_pair(rep, v, path, options_pair, &c->alarm_options);
}
