/*
 * mtamon-emit.c - report an exact, known sequence of MTA events through
 * libmtamon, for the integration tests.
 *
 *   mtamon-emit [--segment NAME] [--create] [--hold SECONDS] COMMAND...
 *
 * Each COMMAND is one word and its arguments, run in order:
 *
 *   channel NAME                          register NAME
 *   enqueue SRC DST RCPTS OCTETS          SRC may be "-" (unknown)
 *   dequeue CH RCPTS OCTETS first|retry QUEUE_MS   QUEUE_MS "-": unknown
 *   tempfail CH RCPTS OCTETS CODE
 *   reject CH RCPTS OCTETS CODE REASON
 *   fail CH RCPTS OCTETS CODE
 *   convert CH ok|failed
 *   loop CH
 *   assoc-open CH in|out REMOTE
 *   assoc-close CH in|out                 closes the newest such open one
 *   assoc-reject CH CODE REASON
 *   assoc-fail CH CODE REASON
 *   repeat N COMMAND...                   one command, N times
 *
 * CODE is "5.1.1", "550" (anything mtamon_status_parse() accepts) or "-"
 * for none.  Channels are registered on first use.  The whole command
 * line is checked before the segment is opened, so a usage error changes
 * nothing.
 *
 * Associations still open at the end are closed, unless --hold is given:
 * then the program prints "ready" on stdout, sleeps SECONDS and exits
 * leaving them open (the next writer to open the segment reclaims them),
 * so a test can see current associations while it runs.
 *
 * Exit status (sysexits): 0 ok, 64 usage or invalid argument (bad channel
 * name), 65 not an mtamon segment / corrupt / newer layout, 66 missing,
 * 69 full, 71 system error, 73 cannot create, 75 busy, 77 permission.
 * Errors are printed as "mtamon-emit: <message>".
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "exit_status.h"
#include "parse_number.h"
#include "mtamon.h"

#define PROG "mtamon-emit"
#define HOLD_MAX 86400u
#define REPEAT_MAX UINT64_C(1000000000)

enum kind {
    K_CHANNEL, K_ENQUEUE, K_DEQUEUE, K_TEMPFAIL, K_REJECT, K_FAIL, K_CONVERT,
    K_LOOP, K_ASSOC_OPEN, K_ASSOC_CLOSE, K_ASSOC_REJECT, K_ASSOC_FAIL
};

struct command_spec {
    const char *word;
    enum kind kind;
    int nargs;
    const char *usage;
};

static const struct command_spec specs[] = {
    {"channel", K_CHANNEL, 1, "channel NAME"},
    {"enqueue", K_ENQUEUE, 4, "enqueue SRC|- DST RCPTS OCTETS"},
    {"dequeue", K_DEQUEUE, 5, "dequeue CH RCPTS OCTETS first|retry QUEUE_MS|-"},
    {"tempfail", K_TEMPFAIL, 4, "tempfail CH RCPTS OCTETS CODE"},
    {"reject", K_REJECT, 5, "reject CH RCPTS OCTETS CODE REASON"},
    {"fail", K_FAIL, 4, "fail CH RCPTS OCTETS CODE"},
    {"convert", K_CONVERT, 2, "convert CH ok|failed"},
    {"loop", K_LOOP, 1, "loop CH"},
    {"assoc-open", K_ASSOC_OPEN, 3, "assoc-open CH in|out REMOTE"},
    {"assoc-close", K_ASSOC_CLOSE, 2, "assoc-close CH in|out"},
    {"assoc-reject", K_ASSOC_REJECT, 3, "assoc-reject CH CODE REASON"},
    {"assoc-fail", K_ASSOC_FAIL, 3, "assoc-fail CH CODE REASON"},
};

#define N_SPECS (sizeof specs / sizeof specs[0])

/* One parsed command. */
struct command {
    const struct command_spec *spec;
    uint64_t times;         /* product of the enclosing repeats */
    const char *ch;         /* the channel the event is on */
    const char *src;        /* enqueue: source channel, NULL if unknown */
    uint32_t recipients;
    uint64_t volume;
    int flag;               /* first attempt / ok */
    int64_t queue_ms;       /* -1 if unknown */
    mtamon_status_code code;
    const char *reason;     /* reason text, or remote address */
    mtamon_direction dir;
};

/* Associations opened and not yet closed. */
struct open_assocs {
    mtamon_assoc *a;
    size_t n, cap;
};

static void usage(FILE *to)
{
    fprintf(to, "usage: " PROG " [--segment NAME] [--create] [--hold SECONDS] "
                "COMMAND...\ncommands:\n");
    for (size_t i = 0; i < N_SPECS; i++)
        fprintf(to, "  %s\n", specs[i].usage);
    fprintf(to, "  repeat N COMMAND...\n");
}

static void complain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void complain(const char *fmt, ...)
{
    va_list ap;
    fputs(PROG ": ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static int parse_number(const char *what, const char *text, uint64_t max,
                        uint64_t *out)
{
    if (parse_number_uint(text, 0, max, out) == 0)
        return 0;
    complain("%s '%s' is not a number from 0 to %" PRIu64, what, text, max);
    return -1;
}

static int parse_code(const char *text, mtamon_status_code *out)
{
    if (strcmp(text, "-") == 0) {
        *out = 0;
        return 0;
    }
    *out = mtamon_status_parse(text);
    if (*out != 0)
        return 0;
    complain("status code '%s' is not a 4xx/5xx code such as 5.1.1 or 550 "
             "(use - for none)", text);
    return -1;
}

static int parse_dir(const char *text, mtamon_direction *out)
{
    if (strcmp(text, "in") == 0)
        *out = MTAMON_INBOUND;
    else if (strcmp(text, "out") == 0)
        *out = MTAMON_OUTBOUND;
    else {
        complain("direction '%s' is neither 'in' nor 'out'", text);
        return -1;
    }
    return 0;
}

static const struct command_spec *find_spec(const char *word)
{
    for (size_t i = 0; i < N_SPECS; i++)
        if (strcmp(specs[i].word, word) == 0)
            return &specs[i];
    return NULL;
}

/* The arguments of @p c after its word: args[0 .. spec->nargs-1]. */
static int parse_args(struct command *c, char **args)
{
    uint64_t v = 0;
    switch (c->spec->kind) {
    case K_CHANNEL:
    case K_LOOP:
        c->ch = args[0];
        return 0;
    case K_ENQUEUE:
        c->src = strcmp(args[0], "-") == 0 ? NULL : args[0];
        c->ch = args[1];
        if (parse_number("recipients", args[2], UINT32_MAX, &v) != 0)
            return -1;
        c->recipients = (uint32_t)v;
        return parse_number("octets", args[3], UINT64_MAX, &c->volume);
    case K_DEQUEUE:
    case K_TEMPFAIL:
    case K_REJECT:
    case K_FAIL:
        c->ch = args[0];
        if (parse_number("recipients", args[1], UINT32_MAX, &v) != 0)
            return -1;
        c->recipients = (uint32_t)v;
        if (parse_number("octets", args[2], UINT64_MAX, &c->volume) != 0)
            return -1;
        if (c->spec->kind == K_DEQUEUE) {
            if (strcmp(args[3], "first") == 0)
                c->flag = 1;
            else if (strcmp(args[3], "retry") == 0)
                c->flag = 0;
            else {
                complain("dequeue: '%s' is neither 'first' nor 'retry'", args[3]);
                return -1;
            }
            c->queue_ms = -1;
            if (strcmp(args[4], "-") == 0)
                return 0;
            if (parse_number("queue time", args[4], INT64_MAX, &v) != 0)
                return -1;
            c->queue_ms = (int64_t)v;
            return 0;
        }
        if (parse_code(args[3], &c->code) != 0)
            return -1;
        if (c->spec->kind == K_REJECT)
            c->reason = args[4];
        return 0;
    case K_CONVERT:
        c->ch = args[0];
        if (strcmp(args[1], "ok") == 0)
            c->flag = 1;
        else if (strcmp(args[1], "failed") == 0)
            c->flag = 0;
        else {
            complain("convert: '%s' is neither 'ok' nor 'failed'", args[1]);
            return -1;
        }
        return 0;
    case K_ASSOC_OPEN:
    case K_ASSOC_CLOSE:
        c->ch = args[0];
        if (parse_dir(args[1], &c->dir) != 0)
            return -1;
        if (c->spec->kind == K_ASSOC_OPEN)
            c->reason = args[2];
        return 0;
    case K_ASSOC_REJECT:
    case K_ASSOC_FAIL:
        c->ch = args[0];
        c->reason = args[2];
        return parse_code(args[1], &c->code);
    }
    return -1;
}

/*
 * Parse the command at argv[*pos] (and any "repeat N" in front of it) into
 * @p c, advancing *pos past it.  0 on success.
 */
static int parse_command(int argc, char **argv, int *pos, struct command *c)
{
    memset(c, 0, sizeof *c);
    c->times = 1;
    while (*pos < argc && strcmp(argv[*pos], "repeat") == 0) {
        uint64_t n = 0;
        if (*pos + 2 >= argc) {
            complain("repeat: expected N and a command");
            return -1;
        }
        if (parse_number("repeat count", argv[*pos + 1], REPEAT_MAX, &n) != 0)
            return -1;
        if (n != 0 && c->times > REPEAT_MAX / n) {
            complain("repeat: more than %" PRIu64 " events", REPEAT_MAX);
            return -1;
        }
        c->times *= n;
        *pos += 2;
    }
    const char *word = argv[*pos];
    c->spec = find_spec(word);
    if (!c->spec) {
        complain("unknown command '%s'", word);
        return -1;
    }
    if (argc - *pos - 1 < c->spec->nargs) {
        complain("%s: missing arguments (usage: %s)", word, c->spec->usage);
        return -1;
    }
    if (parse_args(c, argv + *pos + 1) != 0)
        return -1;
    *pos += 1 + c->spec->nargs;
    return 0;
}

/* Look @p name up, registering it on first use. */
static mtamon_result channel_of(mtamon_t *m, const char *name, mtamon_channel_t *out)
{
    struct mtamon_error err = {MTAMON_OK, ""};
    mtamon_result r = mtamon_channel(m, name, out, &err);
    if (r != MTAMON_OK)
        complain("%s", err.message);
    return r;
}

static mtamon_result event_failed(const struct command *c, mtamon_result r)
{
    if (r != MTAMON_OK)
        complain("%s on channel '%s': %s", c->spec->word, c->ch, mtamon_strerror(r));
    return r;
}

static mtamon_result remember(struct open_assocs *open, const mtamon_assoc *a)
{
    if (open->n == open->cap) {
        size_t cap = open->cap ? open->cap * 2 : 16;
        mtamon_assoc *p = realloc(open->a, cap * sizeof *p);
        if (!p) {
            complain("out of memory");
            return MTAMON_ERR_SYSTEM;
        }
        open->a = p;
        open->cap = cap;
    }
    open->a[open->n++] = *a;
    return MTAMON_OK;
}

/* Close the newest open association of @p ch in @p dir. */
static mtamon_result close_one(mtamon_t *m, struct open_assocs *open,
                               const struct command *c, mtamon_channel_t ch)
{
    for (size_t i = open->n; i-- > 0;) {
        if (open->a[i].channel != ch || open->a[i].direction != (uint32_t)c->dir)
            continue;
        mtamon_result r = mtamon_assoc_close(m, &open->a[i]);
        memmove(&open->a[i], &open->a[i + 1], (open->n - i - 1) * sizeof open->a[0]);
        open->n--;
        return event_failed(c, r);
    }
    complain("assoc-close: no open %s association on channel '%s'",
             c->dir == MTAMON_INBOUND ? "inbound" : "outbound", c->ch);
    return MTAMON_ERR_INVALID;
}

static mtamon_result run_once(mtamon_t *m, struct open_assocs *open,
                              const struct command *c, mtamon_channel_t ch,
                              mtamon_channel_t src)
{
    mtamon_assoc a;
    mtamon_result r = MTAMON_OK;
    switch (c->spec->kind) {
    case K_CHANNEL:
        break;
    case K_ENQUEUE:
        r = mtamon_enqueue(m, src, ch, c->recipients, c->volume);
        break;
    case K_DEQUEUE:
        r = mtamon_dequeue(m, ch, c->recipients, c->volume, c->flag, c->queue_ms);
        break;
    case K_TEMPFAIL:
        r = mtamon_tempfail(m, ch, c->recipients, c->volume, c->code);
        break;
    case K_REJECT:
        r = mtamon_reject(m, ch, c->recipients, c->volume, c->code, c->reason);
        break;
    case K_FAIL:
        r = mtamon_fail(m, ch, c->recipients, c->volume, c->code);
        break;
    case K_CONVERT:
        r = mtamon_convert(m, ch, c->flag);
        break;
    case K_LOOP:
        r = mtamon_loop(m, ch);
        break;
    case K_ASSOC_OPEN:
        r = mtamon_assoc_open(m, ch, c->dir, c->reason, &a);
        if (r == MTAMON_OK)
            return remember(open, &a);
        break;
    case K_ASSOC_CLOSE:
        return close_one(m, open, c, ch);
    case K_ASSOC_REJECT:
        r = mtamon_assoc_reject(m, ch, c->code, c->reason);
        break;
    case K_ASSOC_FAIL:
        r = mtamon_assoc_fail(m, ch, c->code, c->reason);
        break;
    }
    return event_failed(c, r);
}

static mtamon_result run(mtamon_t *m, struct open_assocs *open,
                         const struct command *c)
{
    mtamon_channel_t ch = 0, src = 0;
    mtamon_result r = channel_of(m, c->ch, &ch);
    if (r == MTAMON_OK && c->src)
        r = channel_of(m, c->src, &src);
    for (uint64_t i = 0; r == MTAMON_OK && i < c->times; i++)
        r = run_once(m, open, c, ch, src);
    return r;
}

static void hold(unsigned seconds)
{
    printf("ready\n");
    fflush(stdout);
    struct timespec ts = {.tv_sec = (time_t)seconds, .tv_nsec = 0};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"segment", required_argument, NULL, 's'},
        {"create", no_argument, NULL, 'c'},
        {"hold", required_argument, NULL, 'H'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *segment = NULL;
    unsigned flags = 0;
    int holding = 0;
    uint64_t hold_seconds = 0;
    int opt;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "+", options, NULL)) != -1) {
        switch (opt) {
        case 's':
            segment = optarg;
            break;
        case 'c':
            flags |= MTAMON_OPEN_CREATE;
            break;
        case 'H':
            if (parse_number("--hold", optarg, HOLD_MAX, &hold_seconds) != 0)
                return EX_USAGE;
            holding = 1;
            break;
        case 'h':
            usage(stdout);
            return EX_OK;
        default:
            complain("unknown or incomplete option '%s'", argv[optind - 1]);
            usage(stderr);
            return EX_USAGE;
        }
    }
    if (optind >= argc) {
        complain("no command given");
        usage(stderr);
        return EX_USAGE;
    }

    /* Check the whole command line before touching the segment. */
    struct command *cmds = calloc((size_t)(argc - optind), sizeof *cmds);
    if (!cmds) {
        complain("out of memory");
        return EX_OSERR;
    }
    size_t n = 0;
    for (int pos = optind; pos < argc; n++) {
        if (parse_command(argc, argv, &pos, &cmds[n]) != 0) {
            free(cmds);
            return EX_USAGE;
        }
    }

    struct mtamon_error err = {MTAMON_OK, ""};
    mtamon_t *m = mtamon_open(segment, flags, NULL, &err);
    if (!m) {
        complain("%s", err.message);
        free(cmds);
        return exit_status_for(err.code);
    }
    struct open_assocs open = {NULL, 0, 0};
    mtamon_result r = MTAMON_OK;
    for (size_t i = 0; i < n && r == MTAMON_OK; i++)
        r = run(m, &open, &cmds[i]);
    if (r == MTAMON_OK && holding)
        hold((unsigned)hold_seconds);
    else
        for (size_t i = open.n; i-- > 0;)
            (void)mtamon_assoc_close(m, &open.a[i]);
    mtamon_close(m);
    free(open.a);
    free(cmds);
    return exit_status_for(r);
}
