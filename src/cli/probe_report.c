/*
 * probe_report.c - what `mtamon probe` prints (see probe_report.h).
 */
#include "probe_report.h"

#include <inttypes.h>
#include <string.h>

#include "cli.h"

enum probe_report_status probe_report_status(const struct probe_report_row *rows, size_t n)
{
    enum probe_report_status st = PROBE_REPORT_OK;
    for (size_t i = 0; i < n; i++) {
        if (rows[i].result.state == PROBE_SLOW)
            st = PROBE_REPORT_WARNING;
        else if (rows[i].result.state != PROBE_UP)
            return PROBE_REPORT_CRITICAL;
    }
    return st;
}

const char *probe_report_state(enum probe_state state)
{
    switch (state) {
    case PROBE_UP: return "up";
    case PROBE_SLOW: return "slow";
    case PROBE_NOT_YET:
    case PROBE_DOWN: break;
    }
    return "down";
}

static size_t max_len(size_t a, const char *s)
{
    size_t n = strlen(s);
    return n > a ? n : a;
}

int probe_report_text(FILE *out, const struct probe_report_row *rows, size_t n)
{
    size_t wn = strlen("NAME"), wk = strlen("KIND"), wa = strlen("ADDRESS");
    char times[64];
    size_t wt = strlen("TIME");
    for (size_t i = 0; i < n; i++) {
        const struct config_probe *c = rows[i].conf;
        wn = max_len(wn, c->name);
        wk = max_len(wk, config_probe_kind_name(c->kind));
        wa = max_len(wa, c->server.address);
        snprintf(times, sizeof times, "%" PRIu32 " ms", rows[i].result.last.total_ms);
        wt = max_len(wt, times);
    }
    fprintf(out, "%-*s  %-*s  %-*s  %-5s  %*s  %s\n", (int)wn, "NAME", (int)wk, "KIND",
            (int)wa, "ADDRESS", "STATE", (int)wt, "TIME", "ERROR");
    for (size_t i = 0; i < n; i++) {
        const struct config_probe *c = rows[i].conf;
        const struct probe_check *k = &rows[i].result.last;
        snprintf(times, sizeof times, "%" PRIu32 " ms", k->total_ms);
        /* The error column last: no padding after it. */
        fprintf(out, "%-*s  %-*s  %-*s  %-5s  %*s", (int)wn, c->name, (int)wk,
                config_probe_kind_name(c->kind), (int)wa, c->server.address,
                probe_report_state(rows[i].result.state), (int)wt, times);
        if (k->error[0])
            fprintf(out, "  %s", k->error);
        fputc('\n', out);
        if (k->n_steps) {
            fprintf(out, "%*s", (int)wn + 2, "");
            for (size_t s = 0; s < k->n_steps && s < PROBE_STEPS_MAX; s++)
                fprintf(out, "%s%s %" PRIu32 " ms", s ? ", " : "", k->steps[s].name,
                        k->steps[s].ms);
            fputc('\n', out);
        }
    }
    return ferror(out) ? -1 : 0;
}

int probe_report_compact(FILE *out, const char *clock, const struct probe_report_row *rows,
                         size_t n, int headings)
{
    size_t wn = strlen("NAME"), wk = strlen("KIND"), wa = strlen("ADDRESS");
    for (size_t i = 0; i < n; i++) {
        const struct config_probe *c = rows[i].conf;
        wn = max_len(wn, c->name);
        wk = max_len(wk, config_probe_kind_name(c->kind));
        wa = max_len(wa, c->server.address);
    }
    if (headings)
        fprintf(out, "%-8s  %-*s  %-*s  %-*s  %-5s  %8s  %s\n", "TIME", (int)wn, "NAME",
                (int)wk, "KIND", (int)wa, "ADDRESS", "STATE", "MS", "ERROR");
    for (size_t i = 0; i < n; i++) {
        const struct config_probe *c = rows[i].conf;
        const struct probe_check *k = &rows[i].result.last;
        fprintf(out, "%-8s  %-*s  %-*s  %-*s  %-5s  %8" PRIu32, clock, (int)wn, c->name,
                (int)wk, config_probe_kind_name(c->kind), (int)wa, c->server.address,
                probe_report_state(rows[i].result.state), k->total_ms);
        if (k->error[0])
            fprintf(out, "  %s", k->error);
        fputc('\n', out);
    }
    return ferror(out) ? -1 : 0;
}

int probe_report_json(FILE *out, const struct probe_report_row *rows, size_t n)
{
    fputs("{\"probes\":", out);
    probe_report_json_array(out, rows, n);
    fputs("}\n", out);
    return ferror(out) ? -1 : 0;
}

void probe_report_json_array(FILE *out, const struct probe_report_row *rows, size_t n)
{
    fputs("[", out);
    for (size_t i = 0; i < n; i++) {
        const struct config_probe *c = rows[i].conf;
        const struct probe_check *k = &rows[i].result.last;
        fputs(i ? ",{\"name\":" : "{\"name\":", out);
        show_json_string(out, c->name);
        fputs(",\"kind\":", out);
        show_json_string(out, config_probe_kind_name(c->kind));
        fputs(",\"address\":", out);
        show_json_string(out, c->server.address);
        fputs(",\"tls\":", out);
        show_json_string(out, config_probe_tls_name(c->server.tls));
        fputs(",\"state\":", out);
        show_json_string(out, probe_report_state(rows[i].result.state));
        fprintf(out, ",\"ok\":%s,\"total_ms\":%" PRIu32 ",\"reply_code\":%d,\"error\":",
                k->ok ? "true" : "false", k->total_ms, k->reply_code);
        show_json_string(out, k->error);
        fputs(",\"steps\":{", out);
        for (size_t s = 0; s < k->n_steps && s < PROBE_STEPS_MAX; s++) {
            if (s)
                fputc(',', out);
            show_json_string(out, k->steps[s].name);
            fprintf(out, ":%" PRIu32, k->steps[s].ms);
        }
        fputs("}}", out);
    }
    fputs("]", out);
}

/* A perfdata label: quoted when it holds '=' or a quote (doubled). */
static void nagios_label(FILE *out, const char *name)
{
    if (!strpbrk(name, "='")) {
        fputs(name, out);
        return;
    }
    fputc('\'', out);
    for (const char *p = name; *p; p++) {
        if (*p == '\'')
            fputc('\'', out);
        fputc(*p, out);
    }
    fputc('\'', out);
}

/* A status text: no '|' (it starts the perfdata) and no line breaks. */
static void nagios_text(FILE *out, const char *s)
{
    for (; *s; s++)
        fputc(*s == '|' ? '/' : (*s == '\n' || *s == '\r') ? ' ' : *s, out);
}

int probe_report_nagios(FILE *out, const struct probe_report_row *rows, size_t n)
{
    static const char *const names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
    enum probe_report_status st = probe_report_status(rows, n);
    fprintf(out, "MTAMON PROBE %s - ", names[st]);
    if (st == PROBE_REPORT_OK) {
        fprintf(out, "%zu up", n);
    } else {
        int first = 1;
        /* Down ones first, then slow ones. */
        for (int pass = 0; pass < 2; pass++) {
            for (size_t i = 0; i < n; i++) {
                enum probe_state s = rows[i].result.state;
                const struct probe_check *k = &rows[i].result.last;
                int down = s != PROBE_UP && s != PROBE_SLOW;
                if ((pass == 0 && !down) || (pass == 1 && s != PROBE_SLOW))
                    continue;
                fputs(first ? "" : ", ", out);
                first = 0;
                nagios_text(out, rows[i].conf->name);
                if (down) {
                    fputs(" down: ", out);
                    nagios_text(out, k->error[0] ? k->error : "failed");
                } else {
                    fprintf(out, " slow (%" PRIu32 " ms)", k->total_ms);
                }
            }
        }
    }
    fputs(" |", out);
    for (size_t i = 0; i < n; i++) {
        const struct config_probe *c = rows[i].conf;
        fputc(' ', out);
        nagios_label(out, c->name);
        fprintf(out, "=%" PRIu32 "ms;", rows[i].result.last.total_ms);
        if (c->slow_ms)
            fprintf(out, "%u", c->slow_ms);
        fprintf(out, ";%u;0", c->timeout_ms);
    }
    fputc('\n', out);
    return ferror(out) ? -1 : 0;
}
