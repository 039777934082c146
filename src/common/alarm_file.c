/*
 * alarm_file.c - the alarm state file as JSON: writing a document, and
 * reading one back through the YAML tree (JSON is YAML's flow syntax;
 * ytree refuses anchors, aliases, tags and deep nesting), with every
 * key's type and range checked (see alarm_file.h).
 */
#include "alarm_file.h"
#include "utf8.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_fail.h"
#include "cfg_path.h"
#include "ytree.h"

const char *alarm_file_state_name(enum alarm_file_state s)
{
    switch (s) {
    case ALARM_FILE_CLEAR: return "clear";
    case ALARM_FILE_PENDING: return "pending";
    case ALARM_FILE_ACTIVE: return "active";
    }
    return "?";
}

/* ------------------------------------------------------------------------ */
/* Writing                                                                   */


/* Code points a YAML reader refuses raw (C1 controls, U+FFFE, U+FFFF) or
 * reads as something else (NEL, LS and PS are line breaks, folded inside
 * a quoted scalar; a BOM): written as \uXXXX. */
static int needs_escape(uint32_t cp)
{
    return cp < 0xa0 || cp == 0x2028 || cp == 0x2029 || cp == 0xfeff || cp == 0xfffe ||
           cp == 0xffff;
}

/* @p s as a JSON string: always valid UTF-8 (see alarm_file.h). */
static void json_string(FILE *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s);
    fputc('"', out);
    for (size_t i = 0; i < len;) {
        unsigned c = p[i];
        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc((int)c, out);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            fprintf(out, "\\u%04x", c);
            i++;
        } else if (c < 0x80) {
            fputc((int)c, out);
            i++;
        } else {
            uint32_t cp = 0;
            size_t n = utf8_decode(p + i, len - i, &cp);
            if (n == 0) {
                /* Not UTF-8: the Latin-1 character of the byte. */
                fprintf(out, "\\u%04x", c);
                i++;
            } else if (needs_escape(cp)) {
                fprintf(out, "\\u%04x", (unsigned)cp);
                i += n;
            } else {
                fwrite(p + i, 1, n, out);
                i += n;
            }
        }
    }
    fputc('"', out);
}

/* The shortest decimal text that reads back as @p v (null if not
 * finite); whole numbers below 10^17 without an exponent ("10", not
 * "1e+01"). */
static void json_number(FILE *out, double v)
{
    char buf[40];
    if (!isfinite(v)) {
        fputs("null", out);
        return;
    }
    if (v > -1e17 && v < 1e17 && v == (double)(long long)v) {
        fprintf(out, "%.0f", v);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    fputs(buf, out);
}

static void json_optional(FILE *out, int has, double v)
{
    if (has)
        json_number(out, v);
    else
        fputs("null", out);
}

static void write_row(FILE *out, const struct alarm_file_row *r)
{
    fputs("{\"object\": ", out);
    json_string(out, r->object ? r->object : "");
    fprintf(out, ", \"state\": \"%s\", \"value\": ", alarm_file_state_name(r->state));
    json_optional(out, r->has_value, r->value);
    fputs(", \"last_value\": ", out);
    json_optional(out, r->has_last_value, r->last_value);
    fprintf(out,
            ", \"raises\": %" PRIu64 ", \"clears\": %" PRIu64 ", \"resends\": %" PRIu64
            ", \"last_raise_ms\": %" PRId64 ", \"last_clear_ms\": %" PRId64
            ", \"last_check_ms\": %" PRId64 ", \"sent\": %" PRIu64 ", \"failed\": %" PRIu64
            ", \"suppressed\": %" PRIu64 ", \"present\": %s}",
            r->raises, r->clears, r->resends, r->last_raise_ms, r->last_clear_ms,
            r->last_check_ms, r->sent, r->failed, r->suppressed,
            r->present ? "true" : "false");
}

static void write_alarm(FILE *out, const struct alarm_file_alarm *a)
{
    fprintf(out, "  {\"index\": %" PRIu32 ", \"name\": ", a->index);
    json_string(out, a->name ? a->name : "");
    fputs(", \"kind\": ", out);
    json_string(out, a->kind ? a->kind : "");
    fputs(", \"severity\": ", out);
    json_string(out, a->severity ? a->severity : "");
    fputs(",\n   \"raise\": ", out);
    json_number(out, a->raise);
    fputs(", \"clear\": ", out);
    json_number(out, a->clear);
    fprintf(out, ", \"interval\": %" PRIu32 ", \"for\": %" PRIu32 ", \"resend\": %" PRIu32
                 ",\n   \"rows\": [",
            a->interval_s, a->for_s, a->resend_s);
    for (size_t i = 0; i < a->n_rows; i++) {
        fputs(i ? ",\n    " : "\n    ", out);
        write_row(out, &a->rows[i]);
    }
    fputs("]}", out);
}

int alarm_file_write_json(FILE *out, const struct alarm_file *doc)
{
    fprintf(out, "{\"version\": %d, \"written_ms\": %" PRId64 ", \"host\": ",
            ALARM_FILE_VERSION, doc->written_ms);
    json_string(out, doc->host ? doc->host : "");
    fprintf(out,
            ",\n \"notifications\": {\"sent\": %" PRIu64 ", \"failed\": %" PRIu64
            ", \"suppressed\": %" PRIu64 ", \"summaries\": %" PRIu64 ", \"pending\": %" PRIu64
            ", \"last_sequence\": %" PRIu32 "},\n \"alarms\": [",
            doc->sent, doc->failed, doc->suppressed, doc->summaries, doc->pending,
            doc->last_sequence);
    for (size_t i = 0; i < doc->n_alarms; i++) {
        fputs(i ? ",\n" : "\n", out);
        write_alarm(out, &doc->alarms[i]);
    }
    fputs("]}\n", out);
    return ferror(out) ? -1 : 0;
}

/* ------------------------------------------------------------------------ */
/* Reading                                                                   */

void alarm_file_free(struct alarm_file *doc)
{
    if (!doc)
        return;
    for (size_t i = 0; i < doc->n_alarms; i++) {
        struct alarm_file_alarm *a = &doc->alarms[i];
        for (size_t j = 0; j < a->n_rows; j++)
            free(a->rows[j].object);
        free(a->rows);
        free(a->name);
        free(a->kind);
        free(a->severity);
    }
    free(doc->alarms);
    free(doc->host);
    free(doc);
}

/* The value of key @p key in mapping @p m (at @p path), or NULL after
 * "PATH: missing key 'KEY'". */
static const struct node *member(struct cfg_report *rep, const struct node *m,
                                 const char *path, const char *key)
{
    for (size_t i = 0; i < map_size(m); i++) {
        const struct node *k = map_key(m, i);
        if (k->len == strlen(key) && memcmp(k->value, key, k->len) == 0)
            return map_value(m, i);
    }
    cfg_fail_node(rep, m, path, "missing key '%s'", key);
    return NULL;
}

/* Key @p key of @p m as node *@p n, and its path in @p p. */
static int field(struct cfg_report *rep, const struct node *m, const char *path,
                 const char *key, const struct node **n, char p[KEY_PATH_MAX])
{
    cfg_path_join(p, path, *path ? "." : "", key);
    *n = member(rep, m, path, key);
    return *n ? 0 : -1;
}

/* What @p n is, for "expected X, found Y". */
static const char *found(const struct node *n, char *buf, size_t len)
{
    if (n->kind != NODE_SCALAR)
        return ytree_kind_name(n);
    char shown[48];
    cfg_fail_printable(n->value, n->len, shown, sizeof shown);
    if (!n->plain)
        snprintf(buf, len, "the string \"%s\"", shown);
    else if (ytree_is_null(n))
        snprintf(buf, len, "null");
    else
        snprintf(buf, len, "%s", shown);
    return buf;
}

static int wrong_type(struct cfg_report *rep, const struct node *n, const char *path,
                      const char *expected)
{
    char buf[80];
    return cfg_fail_node(rep, n, path, "expected %s, found %s", expected,
                         found(n, buf, sizeof buf));
}

/* A JSON string (a quoted scalar) of at most @p max bytes without NUL. */
static int get_string(struct cfg_report *rep, const struct node *m, const char *path,
                      const char *key, size_t max, char **out)
{
    const struct node *n;
    char p[KEY_PATH_MAX];
    if (field(rep, m, path, key, &n, p) != 0)
        return -1;
    if (n->kind != NODE_SCALAR || n->plain)
        return wrong_type(rep, n, p, "a string");
    if (memchr(n->value, '\0', n->len))
        return cfg_fail_node(rep, n, p, "contains a NUL character");
    if (n->len > max)
        return cfg_fail_node(rep, n, p, "too long: %zu bytes, at most %zu", n->len, max);
    char *copy = malloc(n->len + 1);
    if (!copy)
        return cfg_fail_nomem(rep);
    memcpy(copy, n->value, n->len + 1);
    *out = copy;
    return 0;
}

/* Is @p s JSON's number grammar, -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
 * (@p integer: the first part only)? */
static int json_number_text(const char *s, int integer)
{
    if (*s == '-')
        s++;
    if (*s == '0')
        s++;
    else if (*s >= '1' && *s <= '9')
        s += strspn(s, "0123456789");
    else
        return 0;
    if (integer)
        return *s == '\0';
    if (*s == '.') {
        size_t d = strspn(++s, "0123456789");
        if (d == 0)
            return 0;
        s += d;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        size_t d = strspn(s, "0123456789");
        if (d == 0)
            return 0;
        s += d;
    }
    return *s == '\0';
}

/* A JSON integer in @p min..@p max. */
static int get_unsigned(struct cfg_report *rep, const struct node *m, const char *path,
                        const char *key, uint64_t min, uint64_t max, uint64_t *out)
{
    const struct node *n;
    char p[KEY_PATH_MAX];
    if (field(rep, m, path, key, &n, p) != 0)
        return -1;
    if (n->kind != NODE_SCALAR || !n->plain || ytree_is_null(n) ||
        strlen(n->value) != n->len || !json_number_text(n->value, 0))
        return wrong_type(rep, n, p, "a number");
    char shown[48];
    cfg_fail_printable(n->value, n->len, shown, sizeof shown);
    if (n->value[0] == '-' && !(n->value[1] == '0' && n->value[2] == '\0'))
        return cfg_fail_node(rep, n, p, "%s is out of range (%" PRIu64 "..%" PRIu64 ")",
                             shown, min, max);
    if (!json_number_text(n->value, 1))
        return cfg_fail_node(rep, n, p, "expected a whole number, found %s", shown);
    uint64_t v = 0;
    for (const char *d = n->value + (n->value[0] == '-'); *d; d++) {
        uint64_t dv = (uint64_t)(*d - '0');
        if (v > max / 10 || (v == max / 10 && dv > max % 10))
            return cfg_fail_node(rep, n, p, "%s is out of range (%" PRIu64 "..%" PRIu64 ")",
                                 shown, min, max);
        v = v * 10 + dv;
    }
    if (v < min)
        return cfg_fail_node(rep, n, p, "%s is out of range (%" PRIu64 "..%" PRIu64 ")",
                             shown, min, max);
    *out = v;
    return 0;
}

static int get_u32(struct cfg_report *rep, const struct node *m, const char *path,
                   const char *key, uint32_t min, uint32_t max, uint32_t *out)
{
    uint64_t v;
    if (get_unsigned(rep, m, path, key, min, max, &v) != 0)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static int get_time(struct cfg_report *rep, const struct node *m, const char *path,
                    const char *key, int64_t *out)
{
    uint64_t v;
    if (get_unsigned(rep, m, path, key, 0, INT64_MAX, &v) != 0)
        return -1;
    *out = (int64_t)v;
    return 0;
}

/* A finite JSON number; null too when @p has is not NULL (*has = 0). */
static int get_double(struct cfg_report *rep, const struct node *m, const char *path,
                      const char *key, int *has, double *out)
{
    const struct node *n;
    char p[KEY_PATH_MAX];
    if (field(rep, m, path, key, &n, p) != 0)
        return -1;
    if (has && n->kind == NODE_SCALAR && n->plain && strcmp(n->value, "null") == 0) {
        *has = 0;
        *out = 0;
        return 0;
    }
    if (n->kind != NODE_SCALAR || !n->plain || strlen(n->value) != n->len ||
        !json_number_text(n->value, 0))
        return wrong_type(rep, n, p, has ? "a number or null" : "a number");
    double v = strtod(n->value, NULL);
    if (!isfinite(v)) {
        char shown[48];
        cfg_fail_printable(n->value, n->len, shown, sizeof shown);
        return cfg_fail_node(rep, n, p, "%s is out of range", shown);
    }
    if (has)
        *has = 1;
    *out = v;
    return 0;
}

static int get_bool(struct cfg_report *rep, const struct node *m, const char *path,
                    const char *key, int *out)
{
    const struct node *n;
    char p[KEY_PATH_MAX];
    if (field(rep, m, path, key, &n, p) != 0)
        return -1;
    if (n->kind == NODE_SCALAR && n->plain && strcmp(n->value, "true") == 0)
        *out = 1;
    else if (n->kind == NODE_SCALAR && n->plain && strcmp(n->value, "false") == 0)
        *out = 0;
    else
        return wrong_type(rep, n, p, "true or false");
    return 0;
}

static int get_state(struct cfg_report *rep, const struct node *m, const char *path,
                     enum alarm_file_state *out)
{
    static const enum alarm_file_state states[] = {ALARM_FILE_CLEAR, ALARM_FILE_PENDING,
                                                   ALARM_FILE_ACTIVE};
    const struct node *n;
    char p[KEY_PATH_MAX];
    if (field(rep, m, path, "state", &n, p) != 0)
        return -1;
    for (size_t i = 0; n->kind == NODE_SCALAR && !n->plain && i < 3; i++) {
        const char *name = alarm_file_state_name(states[i]);
        if (n->len == strlen(name) && memcmp(n->value, name, n->len) == 0) {
            *out = states[i];
            return 0;
        }
    }
    return wrong_type(rep, n, p, "\"clear\", \"pending\" or \"active\"");
}

/* A sequence at key @p key: its node, its path in @p p. */
static int get_sequence(struct cfg_report *rep, const struct node *m, const char *path,
                        const char *key, const struct node **n, char p[KEY_PATH_MAX])
{
    if (field(rep, m, path, key, n, p) != 0)
        return -1;
    if ((*n)->kind != NODE_SEQUENCE)
        return wrong_type(rep, *n, p, "an array");
    return 0;
}

static int read_row(struct cfg_report *rep, const struct node *n, const char *path,
                    struct alarm_file_row *r)
{
    if (ytree_expect_mapping(rep, n, path) != 0)
        return -1;
    if (get_string(rep, n, path, "object", ALARM_FILE_OBJECT_MAX, &r->object) != 0 ||
        get_state(rep, n, path, &r->state) != 0 ||
        get_double(rep, n, path, "value", &r->has_value, &r->value) != 0 ||
        get_double(rep, n, path, "last_value", &r->has_last_value, &r->last_value) != 0 ||
        get_unsigned(rep, n, path, "raises", 0, UINT64_MAX, &r->raises) != 0 ||
        get_unsigned(rep, n, path, "clears", 0, UINT64_MAX, &r->clears) != 0 ||
        get_unsigned(rep, n, path, "resends", 0, UINT64_MAX, &r->resends) != 0 ||
        get_time(rep, n, path, "last_raise_ms", &r->last_raise_ms) != 0 ||
        get_time(rep, n, path, "last_clear_ms", &r->last_clear_ms) != 0 ||
        get_time(rep, n, path, "last_check_ms", &r->last_check_ms) != 0 ||
        get_unsigned(rep, n, path, "sent", 0, UINT64_MAX, &r->sent) != 0 ||
        get_unsigned(rep, n, path, "failed", 0, UINT64_MAX, &r->failed) != 0 ||
        get_unsigned(rep, n, path, "suppressed", 0, UINT64_MAX, &r->suppressed) != 0 ||
        get_bool(rep, n, path, "present", &r->present) != 0)
        return -1;
    return 0;
}

static int read_alarm(struct cfg_report *rep, const struct node *n, const char *path,
                      struct alarm_file_alarm *a)
{
    if (ytree_expect_mapping(rep, n, path) != 0)
        return -1;
    const struct node *rows;
    char rows_path[KEY_PATH_MAX];
    if (get_u32(rep, n, path, "index", 1, INT32_MAX, &a->index) != 0 ||
        get_string(rep, n, path, "name", ALARM_FILE_NAME_MAX, &a->name) != 0 ||
        get_string(rep, n, path, "kind", ALARM_FILE_NAME_MAX, &a->kind) != 0 ||
        get_string(rep, n, path, "severity", ALARM_FILE_NAME_MAX, &a->severity) != 0 ||
        get_double(rep, n, path, "raise", NULL, &a->raise) != 0 ||
        get_double(rep, n, path, "clear", NULL, &a->clear) != 0 ||
        get_u32(rep, n, path, "interval", 0, UINT32_MAX, &a->interval_s) != 0 ||
        get_u32(rep, n, path, "for", 0, UINT32_MAX, &a->for_s) != 0 ||
        get_u32(rep, n, path, "resend", 0, UINT32_MAX, &a->resend_s) != 0 ||
        get_sequence(rep, n, path, "rows", &rows, rows_path) != 0)
        return -1;
    if (rows->n_items > 0) {
        a->rows = calloc(rows->n_items, sizeof *a->rows);
        if (!a->rows)
            return cfg_fail_nomem(rep);
    }
    for (size_t i = 0; i < rows->n_items; i++) {
        char p[KEY_PATH_MAX];
        cfg_path_index(p, rows_path, i);
        a->n_rows = i + 1;   /* what is to be freed */
        if (read_row(rep, rows->items[i], p, &a->rows[i]) != 0)
            return -1;
    }
    return 0;
}

static int read_doc(struct cfg_report *rep, const struct node *root, struct alarm_file *doc)
{
    if (!root)
        return cfg_fail_file(rep, "empty file");
    if (ytree_expect_mapping(rep, root, "") != 0)
        return -1;
    uint64_t version;
    if (get_unsigned(rep, root, "", "version", 0, UINT64_MAX, &version) != 0)
        return -1;
    if (version != ALARM_FILE_VERSION)
        return cfg_fail_node(rep, member(rep, root, "", "version"), "version",
                             "version %" PRIu64 " is not supported (this mtamon reads "
                             "version %d)", version, ALARM_FILE_VERSION);
    const struct node *notes, *alarms;
    char p[KEY_PATH_MAX], alarms_path[KEY_PATH_MAX];
    uint64_t last_sequence;
    if (get_time(rep, root, "", "written_ms", &doc->written_ms) != 0 ||
        get_string(rep, root, "", "host", ALARM_FILE_NAME_MAX, &doc->host) != 0 ||
        field(rep, root, "", "notifications", &notes, p) != 0 ||
        ytree_expect_mapping(rep, notes, p) != 0 ||
        get_unsigned(rep, notes, p, "sent", 0, UINT64_MAX, &doc->sent) != 0 ||
        get_unsigned(rep, notes, p, "failed", 0, UINT64_MAX, &doc->failed) != 0 ||
        get_unsigned(rep, notes, p, "suppressed", 0, UINT64_MAX, &doc->suppressed) != 0 ||
        get_unsigned(rep, notes, p, "summaries", 0, UINT64_MAX, &doc->summaries) != 0 ||
        get_unsigned(rep, notes, p, "pending", 0, UINT64_MAX, &doc->pending) != 0 ||
        get_unsigned(rep, notes, p, "last_sequence", 0, UINT32_MAX, &last_sequence) != 0 ||
        get_sequence(rep, root, "", "alarms", &alarms, alarms_path) != 0)
        return -1;
    doc->last_sequence = (uint32_t)last_sequence;
    if (alarms->n_items > 0) {
        doc->alarms = calloc(alarms->n_items, sizeof *doc->alarms);
        if (!doc->alarms)
            return cfg_fail_nomem(rep);
    }
    for (size_t i = 0; i < alarms->n_items; i++) {
        cfg_path_index(p, alarms_path, i);
        doc->n_alarms = i + 1;   /* what is to be freed */
        if (read_alarm(rep, alarms->items[i], p, &doc->alarms[i]) != 0)
            return -1;
    }
    return 0;
}

int alarm_file_parse(const char *name, const char *text, size_t len,
                     struct alarm_file **out, char *err, size_t errlen)
{
    struct cfg_report rep = {name, err, errlen};
    struct node *root = NULL;
    *out = NULL;
    if (err && errlen)
        err[0] = '\0';
    if (ytree_read(&rep, text, len, &root) != 0)
        return -1;
    struct alarm_file *doc = calloc(1, sizeof *doc);
    if (!doc) {
        ytree_free(root);
        return cfg_fail_nomem(&rep);
    }
    int rc = read_doc(&rep, root, doc);
    ytree_free(root);
    if (rc != 0) {
        alarm_file_free(doc);
        return -1;
    }
    *out = doc;
    return 0;
}
