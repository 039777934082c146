/*
 * test_alarm_file.c - the alarm state file's JSON (src/common/alarm_file.c):
 * a document written and read back is the same document (hostile strings,
 * extreme numbers, nulls), what is written is valid UTF-8, and every kind
 * of malformed input gives its one exact message.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "unit_util.h"
#include "alarm_file.h"

/* Write @p doc into a new string (free() it). */
static char *write_doc(const struct alarm_file *doc, size_t *len)
{
    char *text = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&text, &n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(alarm_file_write_json(f, doc), 0);
    CU_ASSERT_EQUAL(fclose(f), 0);
    *len = n;
    return text;
}

/* Parse @p text, which must be good. */
static struct alarm_file *parse_ok(const char *text, size_t len)
{
    struct alarm_file *doc = NULL;
    char err[512] = "";
    int rc = alarm_file_parse("t.json", text, len, &doc, err, sizeof err);
    CU_ASSERT_EQUAL(rc, 0);
    if (rc != 0)
        fprintf(stderr, "\n    parse: %s\n    text: %s\n", err, text);
    CU_ASSERT_STRING_EQUAL(err, "");
    return doc;
}

/* Same double, -0 and 0 told apart. */
static int same_double(double a, double b)
{
    return a == b && signbit(a) == signbit(b);
}

static void assert_same_row(const struct alarm_file_row *a, const struct alarm_file_row *b)
{
    CU_ASSERT_STRING_EQUAL(a->object, b->object);
    CU_ASSERT_EQUAL(a->state, b->state);
    CU_ASSERT_EQUAL(a->has_value, b->has_value);
    CU_ASSERT(!a->has_value || same_double(a->value, b->value));
    CU_ASSERT_EQUAL(a->has_last_value, b->has_last_value);
    CU_ASSERT(!a->has_last_value || same_double(a->last_value, b->last_value));
    CU_ASSERT_EQUAL(a->raises, b->raises);
    CU_ASSERT_EQUAL(a->clears, b->clears);
    CU_ASSERT_EQUAL(a->resends, b->resends);
    CU_ASSERT_EQUAL(a->last_raise_ms, b->last_raise_ms);
    CU_ASSERT_EQUAL(a->last_clear_ms, b->last_clear_ms);
    CU_ASSERT_EQUAL(a->last_check_ms, b->last_check_ms);
    CU_ASSERT_EQUAL(a->sent, b->sent);
    CU_ASSERT_EQUAL(a->failed, b->failed);
    CU_ASSERT_EQUAL(a->suppressed, b->suppressed);
    CU_ASSERT_EQUAL(a->present, b->present);
}

static void assert_same_doc(const struct alarm_file *a, const struct alarm_file *b)
{
    CU_ASSERT_EQUAL(a->written_ms, b->written_ms);
    CU_ASSERT_STRING_EQUAL(a->host, b->host);
    CU_ASSERT_EQUAL(a->sent, b->sent);
    CU_ASSERT_EQUAL(a->failed, b->failed);
    CU_ASSERT_EQUAL(a->suppressed, b->suppressed);
    CU_ASSERT_EQUAL(a->summaries, b->summaries);
    CU_ASSERT_EQUAL(a->pending, b->pending);
    CU_ASSERT_EQUAL(a->last_sequence, b->last_sequence);
    UT_REQUIRE(a->n_alarms == b->n_alarms);
    for (size_t i = 0; i < a->n_alarms; i++) {
        const struct alarm_file_alarm *x = &a->alarms[i], *y = &b->alarms[i];
        CU_ASSERT_EQUAL(x->index, y->index);
        CU_ASSERT_STRING_EQUAL(x->name, y->name);
        CU_ASSERT_STRING_EQUAL(x->kind, y->kind);
        CU_ASSERT_STRING_EQUAL(x->severity, y->severity);
        CU_ASSERT(same_double(x->raise, y->raise));
        CU_ASSERT(same_double(x->clear, y->clear));
        CU_ASSERT_EQUAL(x->interval_s, y->interval_s);
        CU_ASSERT_EQUAL(x->for_s, y->for_s);
        CU_ASSERT_EQUAL(x->resend_s, y->resend_s);
        UT_REQUIRE(x->n_rows == y->n_rows);
        for (size_t j = 0; j < x->n_rows; j++)
            assert_same_row(&x->rows[j], &y->rows[j]);
    }
}

/* Is every byte of @p s (@p len) part of valid UTF-8, without raw controls? */
static int clean_utf8(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        if (p[i] < 0x80) {
            if ((p[i] < 0x20 && p[i] != '\n') || p[i] == 0x7f)
                return 0;
            i++;
            continue;
        }
        size_t n = (p[i] & 0xe0) == 0xc0 ? 2 : (p[i] & 0xf0) == 0xe0 ? 3
                 : (p[i] & 0xf8) == 0xf0 ? 4 : 0;
        if (n == 0 || i + n > len)
            return 0;
        for (size_t k = 1; k < n; k++)
            if ((p[i + k] & 0xc0) != 0x80)
                return 0;
        i += n;
    }
    return 1;
}

/* ------------------------------------------------------------------------ */

static char s_host[] = "mx1.example", s_kind[] = "disk_free", s_major[] = "major",
            s_warning[] = "warning", s_queue_length[] = "queue_length";

/* Two alarms, hostile names, extreme numbers: out and back. */
static void test_round_trip(void)
{
    static char hostile_name[] = "q\"uote\\back/slash",
                obj_controls[] = "a\001b\037c\177d\ne\tf",
                obj_utf8[] = "caf\xc3\xa9-\xe2\x82\xac-\xf0\x9f\x98\x80-\xc2\x80\xc2\x85"
                             "\xe2\x80\xa8\xe2\x80\xa9\xef\xbb\xbf\xef\xbf\xbe\xef\xbf\xbf\xc2\xa0",
                obj_quotes[] = "\"\\\"\\\\",
                obj_empty[] = "";
    struct alarm_file_row rows1[] = {
        {obj_controls, ALARM_FILE_ACTIVE, 1, 4.7, 1, 4.7, 1, 0, 2, 1764896500123,
         0, 1764896550999, 3, 1, 0, 1},
        {obj_utf8, ALARM_FILE_PENDING, 1, 0.1 + 0.2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 7, 0},
        {obj_quotes, ALARM_FILE_CLEAR, 0, 0, 1, -0.0, UINT64_MAX, UINT64_MAX - 1, 0,
         INT64_MAX, INT64_MAX, INT64_MAX, UINT64_MAX, 0, UINT64_MAX, 1},
    };
    struct alarm_file_row rows2[] = {
        {obj_empty, ALARM_FILE_ACTIVE, 1, 1e300, 1, 5e-324, 1, 1, 0, 1, 2, 3, 4, 5, 6, 1},
        {obj_empty + 0, ALARM_FILE_CLEAR, 1, -123456789.125, 1, 1234567, 0, 0, 0, 0, 0,
         0, 0, 0, 0, 1},
    };
    struct alarm_file_alarm alarms[] = {
        {1, hostile_name, s_kind, s_major, 10, 15.5, 30, 0, 3600, rows1, 3},
        {2, s_queue_length, s_queue_length, s_warning, 1000, 800, 60, 120, 0, rows2, 2},
        {3, s_kind, s_kind, s_warning, 0.001, 0.002, UINT32_MAX, UINT32_MAX, UINT32_MAX,
         NULL, 0},
    };
    struct alarm_file doc = {1764896553000, s_host, 12, 1, 3, 1, 7, UINT32_MAX, alarms, 3};

    size_t len;
    char *text = write_doc(&doc, &len);
    UT_REQUIRE(text);
    CU_ASSERT(clean_utf8(text, len));
    CU_ASSERT_EQUAL(strlen(text), len);   /* no NUL byte */
    CU_ASSERT(len > 0 && text[len - 1] == '\n');
    struct alarm_file *back = parse_ok(text, len);
    if (back)
        assert_same_doc(&doc, back);

    /* Written again, the same text. */
    if (back) {
        size_t len2;
        char *text2 = write_doc(back, &len2);
        CU_ASSERT_EQUAL(len2, len);
        CU_ASSERT(text2 && memcmp(text, text2, len) == 0);
        free(text2);
    }
    alarm_file_free(back);
    free(text);
}

/* The text itself: escapes, the shortest numbers, the key order. */
static void test_exact_text(void)
{
    static char obj[] = "a\"b\\c\001\x7f\xff\xc3\xa9\xc2\x9f\xe2\x80\xa8";
    struct alarm_file_row row = {obj, ALARM_FILE_ACTIVE, 1, 4.7, 0, 0, 1, 0, 0,
                                 1764896500000, 0, 1764896550000, 1, 0, 0, 1};
    struct alarm_file_alarm alarm = {1, s_kind, s_kind, s_major, 10, 15, 30, 0, 3600, &row, 1};
    struct alarm_file doc = {1764896553000, s_host, 1, 0, 0, 0, 0, 1, &alarm, 1};
    size_t len;
    char *text = write_doc(&doc, &len);
    UT_REQUIRE(text);
    CU_ASSERT_STRING_EQUAL(text,
        "{\"version\": 1, \"written_ms\": 1764896553000, \"host\": \"mx1.example\",\n"
        " \"notifications\": {\"sent\": 1, \"failed\": 0, \"suppressed\": 0, \"summaries\": 0,"
        " \"pending\": 0, \"last_sequence\": 1},\n"
        " \"alarms\": [\n"
        "  {\"index\": 1, \"name\": \"disk_free\", \"kind\": \"disk_free\", \"severity\": \"major\",\n"
        "   \"raise\": 10, \"clear\": 15, \"interval\": 30, \"for\": 0, \"resend\": 3600,\n"
        "   \"rows\": [\n"
        "    {\"object\": \"a\\\"b\\\\c\\u0001\\u007f\\u00ff\xc3\xa9\\u009f\\u2028\", "
        "\"state\": \"active\","
        " \"value\": 4.7, \"last_value\": null, \"raises\": 1, \"clears\": 0, \"resends\": 0,"
        " \"last_raise_ms\": 1764896500000, \"last_clear_ms\": 0,"
        " \"last_check_ms\": 1764896550000, \"sent\": 1, \"failed\": 0, \"suppressed\": 0,"
        " \"present\": true}]}]}\n");
    /* The byte that was not UTF-8 reads back as U+00FF. */
    struct alarm_file *back = parse_ok(text, len);
    if (back)
        CU_ASSERT_STRING_EQUAL(back->alarms[0].rows[0].object,
                               "a\"b\\c\001\x7f\xc3\xbf\xc3\xa9\xc2\x9f\xe2\x80\xa8");
    alarm_file_free(back);
    free(text);

    /* No alarm: an empty array. */
    struct alarm_file none = {0, s_host, 0, 0, 0, 0, 0, 0, NULL, 0};
    text = write_doc(&none, &len);
    UT_REQUIRE(text);
    CU_ASSERT_STRING_EQUAL(text,
        "{\"version\": 1, \"written_ms\": 0, \"host\": \"mx1.example\",\n"
        " \"notifications\": {\"sent\": 0, \"failed\": 0, \"suppressed\": 0, \"summaries\": 0,"
        " \"pending\": 0, \"last_sequence\": 0},\n"
        " \"alarms\": []}\n");
    free(text);
}

/* ------------------------------------------------------------------------ */
/* Reading hand-written files                                               */

#define HEAD "{\"version\": 1, \"written_ms\": 5, \"host\": \"h\", \"notifications\": " \
             "{\"sent\": 1, \"failed\": 2, \"suppressed\": 3, \"summaries\": 4, "      \
             "\"pending\": 5, \"last_sequence\": 6}, \"alarms\": "
#define ALARM(rows) "{\"index\": 1, \"name\": \"n\", \"kind\": \"k\", \"severity\": " \
                    "\"s\", \"raise\": 1, \"clear\": 2, \"interval\": 3, \"for\": 4, "  \
                    "\"resend\": 5, \"rows\": " rows "}"
#define ROW_WITH(state, value) "{\"object\": \"o\", \"state\": " state ", \"value\": "  \
                    value ", \"last_value\": null, \"raises\": 1, \"clears\": 2, "       \
                    "\"resends\": 3, \"last_raise_ms\": 4, \"last_clear_ms\": 5, "       \
                    "\"last_check_ms\": 6, \"sent\": 7, \"failed\": 8, "                 \
                    "\"suppressed\": 9, \"present\": false}"
#define ROW ROW_WITH("\"pending\"", "2.5")

/* Compact JSON, as another writer would put it, with keys this version
 * does not know. */
static void test_read_compact(void)
{
    static const char text[] =
        "{\"alarms\":[{\"rows\":[{\"present\":true,\"object\":\"spool\",\"state\":\"clear\","
        "\"value\":-1.5e2,\"last_value\":0,\"raises\":0,\"clears\":0,\"resends\":0,"
        "\"last_raise_ms\":0,\"last_clear_ms\":0,\"last_check_ms\":0,\"sent\":0,"
        "\"failed\":0,\"suppressed\":0,\"future\":[1,{\"x\":null}]}],\"index\":2147483647,"
        "\"name\":\"a\",\"kind\":\"new_kind\",\"severity\":\"minor\",\"raise\":1E2,"
        "\"clear\":-0,\"interval\":0,\"for\":0,\"resend\":0}],\"version\":1,"
        "\"written_ms\":0,\"host\":\"\",\"notifications\":{\"sent\":0,\"failed\":0,"
        "\"suppressed\":0,\"summaries\":0,\"pending\":0,\"last_sequence\":0},\"extra\":{}}";
    struct alarm_file *doc = parse_ok(text, strlen(text));
    UT_REQUIRE(doc);
    UT_REQUIRE(doc->n_alarms == 1 && doc->alarms[0].n_rows == 1);
    CU_ASSERT_EQUAL(doc->alarms[0].index, 2147483647u);
    CU_ASSERT_STRING_EQUAL(doc->alarms[0].kind, "new_kind");
    CU_ASSERT_EQUAL(doc->alarms[0].raise, 100);
    CU_ASSERT(doc->alarms[0].clear == 0 && signbit(doc->alarms[0].clear));
    CU_ASSERT_STRING_EQUAL(doc->host, "");
    const struct alarm_file_row *r = &doc->alarms[0].rows[0];
    CU_ASSERT_STRING_EQUAL(r->object, "spool");
    CU_ASSERT_EQUAL(r->state, ALARM_FILE_CLEAR);
    CU_ASSERT(r->has_value && r->value == -150);
    CU_ASSERT(r->has_last_value && r->last_value == 0);
    CU_ASSERT_EQUAL(r->present, 1);
    alarm_file_free(doc);

    /* The macros' file, once good. */
    static const char good[] = HEAD "[" ALARM("[" ROW "]") "]}";
    doc = parse_ok(good, strlen(good));
    UT_REQUIRE(doc);
    CU_ASSERT_EQUAL(doc->sent, 1);
    CU_ASSERT_EQUAL(doc->pending, 5);
    CU_ASSERT_EQUAL(doc->last_sequence, 6);
    r = &doc->alarms[0].rows[0];
    CU_ASSERT_EQUAL(r->state, ALARM_FILE_PENDING);
    CU_ASSERT(r->has_value && r->value == 2.5);
    CU_ASSERT_EQUAL(r->has_last_value, 0);
    CU_ASSERT_EQUAL(r->suppressed, 9);
    CU_ASSERT_EQUAL(r->present, 0);
    alarm_file_free(doc);
}

struct bad_case {
    const char *text;
    const char *err;
};

static void check_bad(const struct bad_case *c, size_t len)
{
    struct alarm_file *doc = (struct alarm_file *)&doc;   /* must become NULL */
    char err[512];
    memset(err, 'x', sizeof err);
    int rc = alarm_file_parse("t.json", c->text, len, &doc, err, sizeof err);
    CU_ASSERT_EQUAL(rc, -1);
    CU_ASSERT_PTR_NULL(doc);
    CU_ASSERT(memchr(err, '\0', sizeof err) != NULL);
    int ok = rc == -1 && strcmp(err, c->err) == 0;
    CU_ASSERT(ok);
    if (!ok)
        fprintf(stderr, "\n    input: %.200s\n    want: %s\n    got:  %s\n", c->text,
                c->err, rc == -1 ? err : "(parsed)");
    if (rc == 0)
        alarm_file_free(doc);
}

static void test_read_bad(void)
{
    static const struct bad_case cases[] = {
        /* Not a document, not JSON. */
        {"", "t.json: empty file"},
        {"   \n", "t.json: empty file"},
        {"[]", "t.json:1:1: expected a mapping, found a sequence"},
        {"\"x\"", "t.json:1:1: expected a mapping, found a scalar"},
        {"{\"version\": 1, \"written_ms\": 5,",
         "t.json:2:1: YAML error: did not find expected node content "
         "(while parsing a flow node at line 2, column 1)"},
        {HEAD "[" ALARM("[" ROW "]"),
         "t.json:2:1: YAML error: did not find expected ',' or ']' "
         "(while parsing a flow sequence at line 1, column 166)"},
        {"{\"version\": 1, \"version\": 1}",
         "t.json:1:16: version: duplicate key (first at line 1, column 2)"},
        {"{\"a\": &x 1}", "t.json:1:7: anchors and aliases are not supported"},
        {"{\"a\": !!str 1}", "t.json:1:7: tags are not supported"},
        {"{\"version\": 1}\n---\n{}\n",
         "t.json:2:1: only one YAML document is allowed"},
        /* Version, and missing keys at each level. */
        {"{\"written_ms\": 1}", "t.json:1:1: missing key 'version'"},
        {"{\"version\": 2}",
         "t.json:1:13: version: version 2 is not supported (this mtamon reads version 1)"},
        {"{\"version\": \"1\"}",
         "t.json:1:13: version: expected a number, found the string \"1\""},
        {"{\"version\": 1}", "t.json:1:1: missing key 'written_ms'"},
        {"{\"version\": 1, \"written_ms\": 1, \"host\": \"h\"}",
         "t.json:1:1: missing key 'notifications'"},
        {"{\"version\": 1, \"written_ms\": 1, \"host\": \"h\", \"notifications\": {}}",
         "t.json:1:63: notifications: missing key 'sent'"},
        {HEAD "[{}]}", "t.json:1:167: alarms[0]: missing key 'index'"},
        {HEAD "[" ALARM("[{}]") "]}", "t.json:1:294: alarms[0].rows[0]: missing key 'object'"},
        {HEAD "{}}", "t.json:1:166: alarms: expected an array, found a mapping"},
        {HEAD "null}", "t.json:1:166: alarms: expected an array, found null"},
        {HEAD "[1]}", "t.json:1:167: alarms[0]: expected a mapping, found a scalar"},
        {HEAD "[" ALARM("{}") "]}", "t.json:1:293: alarms[0].rows: expected an array, "
                                     "found a mapping"},
        /* Wrong types. */
        {"{\"version\": 1, \"written_ms\": 1, \"host\": 5}",
         "t.json:1:41: host: expected a string, found 5"},
        {"{\"version\": 1, \"written_ms\": 1, \"host\": h}",
         "t.json:1:41: host: expected a string, found h"},
        {"{\"version\": 1, \"written_ms\": 1, \"host\": [\"h\"]}",
         "t.json:1:41: host: expected a string, found a sequence"},
        {"{\"version\": 1, \"written_ms\": true}",
         "t.json:1:30: written_ms: expected a number, found true"},
        {"{\"version\": 1, \"written_ms\": 1.5}",
         "t.json:1:30: written_ms: expected a whole number, found 1.5"},
        {"{\"version\": 1, \"written_ms\": 1e3}",
         "t.json:1:30: written_ms: expected a whole number, found 1e3"},
        {"{\"version\": 1, \"written_ms\": 0x10}",
         "t.json:1:30: written_ms: expected a number, found 0x10"},
        {"{\"version\": 1, \"written_ms\": 010}",
         "t.json:1:30: written_ms: expected a number, found 010"},
        {"{\"version\": 1, \"written_ms\": -1}",
         "t.json:1:30: written_ms: -1 is out of range (0..9223372036854775807)"},
        {"{\"version\": 1, \"written_ms\": 9223372036854775808}",
         "t.json:1:30: written_ms: 9223372036854775808 is out of range "
         "(0..9223372036854775807)"},
        {"{\"version\": 1, \"written_ms\": null}",
         "t.json:1:30: written_ms: expected a number, found null"},
        {HEAD "[" ALARM("[" ROW_WITH("\"gone\"", "1") "]") "]}",
         "t.json:1:319: alarms[0].rows[0].state: expected \"clear\", \"pending\" or "
         "\"active\", found the string \"gone\""},
        {HEAD "[" ALARM("[" ROW_WITH("3", "1") "]") "]}",
         "t.json:1:319: alarms[0].rows[0].state: expected \"clear\", \"pending\" or "
         "\"active\", found 3"},
        {HEAD "[" ALARM("[" ROW_WITH("\"clear\"", "\"4.7\"") "]") "]}",
         "t.json:1:337: alarms[0].rows[0].value: expected a number or null, "
         "found the string \"4.7\""},
        {HEAD "[" ALARM("[" ROW_WITH("\"clear\"", ".5") "]") "]}",
         "t.json:1:337: alarms[0].rows[0].value: expected a number or null, found .5"},
        {HEAD "[" ALARM("[" ROW_WITH("\"clear\"", "nan") "]") "]}",
         "t.json:1:337: alarms[0].rows[0].value: expected a number or null, found nan"},
        {HEAD "[" ALARM("[" ROW_WITH("\"clear\"", "1e999") "]") "]}",
         "t.json:1:337: alarms[0].rows[0].value: 1e999 is out of range"},
        {HEAD "[" ALARM("[" ROW_WITH("\"clear\"", "1") "]") "]}" "x",
         "t.json:1:522: YAML error: did not find expected <document start>"},
        /* Huge numbers. */
        {"{\"version\": 1, \"written_ms\": 1, \"host\": \"h\", \"notifications\": "
         "{\"sent\": 18446744073709551616}}",
         "t.json:1:72: notifications.sent: 18446744073709551616 is out of range "
         "(0..18446744073709551615)"},
        {"{\"version\": 1, \"written_ms\": 1, \"host\": \"h\", \"notifications\": "
         "{\"sent\": 184467440737095516150}}",
         "t.json:1:72: notifications.sent: 184467440737095516150 is out of range "
         "(0..18446744073709551615)"},
        {"{\"version\": 1, \"written_ms\": 1, \"host\": \"h\", \"notifications\": "
         "{\"sent\": 1, \"failed\": 1, \"suppressed\": 1, \"summaries\": 1, \"pending\": 1, "
         "\"last_sequence\": 4294967296}}",
         "t.json:1:152: notifications.last_sequence: 4294967296 is out of range "
         "(0..4294967295)"},
        {HEAD "[{\"index\": 0}]}",
         "t.json:1:177: alarms[0].index: 0 is out of range (1..2147483647)"},
        {HEAD "[{\"index\": 99999999999999999999999999}]}",
         "t.json:1:177: alarms[0].index: 99999999999999999999999999 is out of range "
         "(1..2147483647)"},
        /* Strings. */
        {"{\"version\": 1, \"written_ms\": 1, \"host\": \"a\\u0000b\"}",
         "t.json:1:41: host: contains a NUL character"},
        {HEAD "[" ALARM("[{\"object\": \"" "0123456789012345678901234567890123456789"
                        "01234567890123456789012345678901234567890\"}]") "]}",
         "t.json:1:305: alarms[0].rows[0].object: too long: 81 bytes, at most 80"},
        {"{\"version\": 1, \"written_ms\": 1, \"host\": \"\\ud800\"}",
         "t.json:1:44: YAML error: found invalid Unicode character escape code "
         "(while parsing a quoted scalar at line 1, column 41)"},
        {"{\"host\": \"\xff\"}",
         "t.json:1:11: YAML error: invalid leading UTF-8 octet (byte 0xff)"},
        {HEAD "[" ALARM("[" ROW "]") "], \"x\": \"\x01\"}",
         "t.json:1:533: YAML error: control characters are not allowed (byte 0x01)"},
        {"{\"version\": 1, \"written_ms\": 1, \"host\": \"h\", \"notifications\": "
         "{\"sent\": 1, \"failed\": 1, \"suppressed\": 1, \"summaries\": 1, \"pending\": 1, "
         "\"last_sequence\": 1}, \"alarms\": [" ALARM("[" ROW_WITH("\"clear\"", "1") "]") "]}"
         "\n... and a second line",
         "t.json:2:5: YAML error: did not find expected <document start>"},
        /* present: only true or false. */
        {HEAD "[" ALARM("[{\"object\": \"o\", \"state\": \"clear\", \"value\": null, "
                        "\"last_value\": null, \"raises\": 1, \"clears\": 2, \"resends\": 3, "
                        "\"last_raise_ms\": 4, \"last_clear_ms\": 5, \"last_check_ms\": 6, "
                        "\"sent\": 7, \"failed\": 8, \"suppressed\": 9, \"present\": \"yes\"}]")
              "]}",
         "t.json:1:515: alarms[0].rows[0].present: expected true or false, "
         "found the string \"yes\""},
        {HEAD "[" ALARM("[{\"object\": \"o\", \"state\": \"clear\", \"value\": null, "
                        "\"last_value\": null, \"raises\": 1, \"clears\": 2, \"resends\": 3, "
                        "\"last_raise_ms\": 4, \"last_clear_ms\": 5, \"last_check_ms\": 6, "
                        "\"sent\": 7, \"failed\": 8, \"suppressed\": 9, \"present\": 1}]")
              "]}",
         "t.json:1:515: alarms[0].rows[0].present: expected true or false, found 1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_bad(&cases[i], strlen(cases[i].text));

    /* A NUL byte in the text itself. */
    static const char nul[] = "{\"version\": 1\0}";
    struct bad_case c = {nul, "t.json:1:14: YAML error: control characters are not allowed "
                              "(byte 0x00)"};
    check_bad(&c, sizeof nul - 1);
}

/* Every prefix of a good file is refused cleanly (a truncated write). */
static void test_truncated(void)
{
    static const char good[] = HEAD "[" ALARM("[" ROW ", " ROW "]") "]}";
    struct alarm_file *doc = parse_ok(good, strlen(good));
    alarm_file_free(doc);
    for (size_t len = 0; len < strlen(good); len++) {
        char *copy = malloc(len + 1);
        UT_REQUIRE(copy);
        memcpy(copy, good, len);
        copy[len] = '\0';
        char err[512] = "";
        doc = (struct alarm_file *)&doc;
        int rc = alarm_file_parse("t.json", copy, len, &doc, err, sizeof err);
        CU_ASSERT_EQUAL(rc, -1);
        CU_ASSERT_PTR_NULL(doc);
        CU_ASSERT(strncmp(err, "t.json:", 7) == 0 && !strchr(err, '\n'));
        if (rc == 0)
            alarm_file_free(doc);
        free(copy);
    }
}

static void test_state_names(void)
{
    CU_ASSERT_STRING_EQUAL(alarm_file_state_name(ALARM_FILE_CLEAR), "clear");
    CU_ASSERT_STRING_EQUAL(alarm_file_state_name(ALARM_FILE_PENDING), "pending");
    CU_ASSERT_STRING_EQUAL(alarm_file_state_name(ALARM_FILE_ACTIVE), "active");
    CU_ASSERT_STRING_EQUAL(alarm_file_state_name((enum alarm_file_state)0), "?");
}

UT_MAIN("alarm_file",
        {"written and read back: the same document", test_round_trip},
        {"the exact text: escapes, numbers, order", test_exact_text},
        {"compact JSON, unknown keys ignored", test_read_compact},
        {"malformed files: one exact message each", test_read_bad},
        {"every prefix of a good file is refused", test_truncated},
        {"state names", test_state_names})
