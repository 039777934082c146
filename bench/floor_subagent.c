/*
 * floor_subagent.c - the cheapest AgentX subagent we can think of: the
 * floor any subagent pays, against which bench/agent/run measures mtamond.
 *
 *   floor_subagent --socket PATH (--rows N | --varbinds V) [--columns C]
 *                  [--oid DOTTED]
 *
 * Serves C columns (default 31, the width of mtaGroupTable) x N rows of
 * constant Counter32 values under the table entry OID (default
 * 1.3.6.1.2.1.28.2.1, mtaGroupEntry itself), as ENTRY.column.row with
 * column 1..C and row 1..N, through the AgentX master at PATH.  With
 * --varbinds V it serves exactly V values: the first V, in MIB order, of
 * C columns of ceil(V / C) rows (so the last column may be shorter), to
 * match the number of varbinds another agent's walk returned.  The values
 * sit in one array sorted in MIB order (column-major, as a walk visits
 * them), and a minimal plain handler answers GET and GETNEXT with a binary
 * search of it: no caching helper, no table helper, no snapshot.  SETs fail
 * with notWritable.
 *
 * Runs until SIGTERM or SIGINT.  Exit status: 0, 64 on a usage error, 69
 * when the agent library cannot start.  Not a test: nothing is checked.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#define PROG "floor_subagent"
#define MAX_COLUMNS 1000u
#define MAX_ROWS 10000000u
#define MAX_CELLS 50000000u /* 600 MB of cells: far beyond any benchmark */

/* One varbind: ENTRY.column.row = value. */
struct cell {
    uint32_t column, row, value;
};

/* What the handler serves; set up once before the agent starts. */
static struct {
    oid entry[MAX_OID_LEN];
    size_t entry_len;
    struct cell *cells;  /* sorted by (column, row) */
    size_t n_cells;
} served;

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void usage(FILE *to)
{
    fprintf(to, "usage: " PROG " --socket PATH (--rows N | --varbinds V) "
                "[--columns C] [--oid DOTTED]\n");
}

/* Parse a decimal number in 1..max; -1 if it is not one. */
static int parse_count(const char *text, unsigned long max, uint32_t *out)
{
    char *end = NULL;
    if (text[0] < '0' || text[0] > '9')
        return -1;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (errno != 0 || *end != '\0' || v < 1 || v > max)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/* Parse "1.3.6.1..." (an optional leading dot) into served.entry. */
static int parse_oid(const char *text)
{
    const char *p = text[0] == '.' ? text + 1 : text;
    size_t n = 0;
    while (*p != '\0') {
        char *end = NULL;
        if (*p < '0' || *p > '9' || n == MAX_OID_LEN - 2)
            return -1;
        errno = 0;
        unsigned long v = strtoul(p, &end, 10);
        if (errno != 0 || v > 0xffffffffUL || (*end != '.' && *end != '\0'))
            return -1;
        served.entry[n++] = (oid)v;
        p = *end == '.' ? end + 1 : end;
        if (*end == '.' && *p == '\0')
            return -1;
    }
    if (n < 2)
        return -1;
    served.entry_len = n;
    return 0;
}

/* A constant that differs per cell, so every varbind is a real value. */
static uint32_t cell_value(uint32_t column, uint32_t row)
{
    return (uint32_t)((uint64_t)column * 1000003u + (uint64_t)row * 7u);
}

/* Fill served.cells in MIB order: column 1 rows 1..N, column 2, ...,
 * the first @p n of them. */
static int build_cells(uint32_t columns, uint32_t rows, size_t n)
{
    if (n > MAX_CELLS || n > (size_t)columns * rows)
        return -1;
    served.cells = calloc(n, sizeof *served.cells);
    if (served.cells == NULL)
        return -1;
    size_t i = 0;
    for (uint32_t c = 1; c <= columns && i < n; c++)
        for (uint32_t r = 1; r <= rows && i < n; r++)
            served.cells[i++] = (struct cell){c, r, cell_value(c, r)};
    served.n_cells = n;
    return 0;
}

/* Compare the suffix of cell @p c with the request suffix @p s[0..n). */
static int compare_cell(const struct cell *c, const oid *s, size_t n)
{
    const oid pair[2] = {c->column, c->row};
    return snmp_oid_compare(pair, 2, s, n);
}

/*
 * Index of the first cell whose OID is >= (inclusive) or > the request
 * OID @p name, or n_cells if there is none: the binary search every
 * GETNEXT pays.
 */
static size_t find_next(const oid *name, size_t len, int inclusive)
{
    size_t elen = served.entry_len;
    size_t common = len < elen ? len : elen;
    int prefix = snmp_oid_compare(name, common, served.entry, common);
    if (prefix < 0 || (prefix == 0 && len <= elen))
        return 0;                 /* before the entry, or the entry itself */
    if (prefix > 0)
        return served.n_cells;    /* past the whole table */

    const oid *suffix = name + elen;
    size_t slen = len - elen;
    size_t lo = 0, hi = served.n_cells;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = compare_cell(&served.cells[mid], suffix, slen);
        if (cmp < 0 || (cmp == 0 && !inclusive))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Index of the cell whose OID is exactly @p name, or n_cells. */
static size_t find_exact(const oid *name, size_t len)
{
    if (len != served.entry_len + 2)
        return served.n_cells;
    size_t i = find_next(name, len, 1);
    if (i < served.n_cells &&
        compare_cell(&served.cells[i], name + served.entry_len, 2) == 0)
        return i;
    return served.n_cells;
}

/* Put cell @p i (its OID and its value) into the varbind. */
static void answer(netsnmp_variable_list *vb, size_t i)
{
    oid name[MAX_OID_LEN];
    size_t elen = served.entry_len;
    memcpy(name, served.entry, elen * sizeof *name);
    name[elen] = served.cells[i].column;
    name[elen + 1] = served.cells[i].row;
    snmp_set_var_objid(vb, name, elen + 2);
    uint32_t v = served.cells[i].value;
    snmp_set_var_typed_value(vb, ASN_COUNTER, &v, sizeof v);
}

static int floor_handler(netsnmp_mib_handler *handler,
                         netsnmp_handler_registration *reg,
                         netsnmp_agent_request_info *reqinfo,
                         netsnmp_request_info *requests)
{
    (void)handler;
    (void)reg;
    for (netsnmp_request_info *r = requests; r != NULL; r = r->next) {
        if (r->processed)
            continue;
        netsnmp_variable_list *vb = r->requestvb;
        size_t i;
        switch (reqinfo->mode) {
        case MODE_GET:
            i = find_exact(vb->name, vb->name_length);
            if (i < served.n_cells)
                answer(vb, i);
            else
                netsnmp_set_request_error(reqinfo, r, SNMP_NOSUCHINSTANCE);
            break;
        case MODE_GETNEXT:
            /* Nothing after it here: leave the varbind alone and the
             * agent moves on to the next subtree. */
            i = find_next(vb->name, vb->name_length, r->inclusive);
            if (i < served.n_cells)
                answer(vb, i);
            break;
        default:
            netsnmp_set_request_error(reqinfo, r, SNMP_ERR_NOTWRITABLE);
            break;
        }
    }
    return SNMP_ERR_NOERROR;
}

/* Become an AgentX subagent of the master at @p agentx_socket; 0 or -1. */
static int start_agent(const char *agentx_socket)
{
    /* Only what the command line says: no snmp.conf, no persistent
     * state file, no MIB files to parse. */
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
                           NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
                           NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
    netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET,
                          agentx_socket);
    /* Ping (and reconnect) like mtamond's default, so both pay the same. */
    netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID,
                       NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL, 15);
    snmp_enable_stderrlog();
    setenv("MIBS", "", 1);

    if (init_agent(PROG) != 0)
        return -1;
    netsnmp_handler_registration *reg = netsnmp_create_handler_registration(
        "floor", floor_handler, served.entry, served.entry_len,
        HANDLER_CAN_RONLY);
    if (reg == NULL || netsnmp_register_handler(reg) != MIB_REGISTERED_OK)
        return -1;
    init_snmp(PROG);
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"socket", required_argument, NULL, 's'},
        {"rows", required_argument, NULL, 'r'},
        {"varbinds", required_argument, NULL, 'v'},
        {"columns", required_argument, NULL, 'c'},
        {"oid", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *agentx_socket = NULL;
    uint32_t rows = 0, varbinds = 0, columns = 31;
    const char *entry = "1.3.6.1.2.1.28.2.1";
    int opt;
    while ((opt = getopt_long(argc, argv, "s:r:v:c:o:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 's':
            agentx_socket = optarg;
            break;
        case 'r':
            if (parse_count(optarg, MAX_ROWS, &rows) != 0) {
                fprintf(stderr, PROG ": --rows '%s' is not a number from 1 to %u\n",
                        optarg, MAX_ROWS);
                return EX_USAGE;
            }
            break;
        case 'v':
            if (parse_count(optarg, MAX_CELLS, &varbinds) != 0) {
                fprintf(stderr, PROG ": --varbinds '%s' is not a number from 1 to %u\n",
                        optarg, MAX_CELLS);
                return EX_USAGE;
            }
            break;
        case 'c':
            if (parse_count(optarg, MAX_COLUMNS, &columns) != 0) {
                fprintf(stderr, PROG ": --columns '%s' is not a number from 1 to %u\n",
                        optarg, MAX_COLUMNS);
                return EX_USAGE;
            }
            break;
        case 'o':
            entry = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return EX_USAGE;
        }
    }
    if (optind != argc || agentx_socket == NULL || (rows == 0) == (varbinds == 0)) {
        usage(stderr);
        return EX_USAGE;
    }
    if (parse_oid(entry) != 0) {
        fprintf(stderr, PROG ": --oid '%s' is not a dotted numeric OID of 2 to %d sub-ids\n",
                entry, MAX_OID_LEN - 2);
        return EX_USAGE;
    }
    size_t n_cells = (size_t)columns * rows;
    if (varbinds != 0) {
        rows = (varbinds + columns - 1) / columns;
        n_cells = varbinds;
    }
    if (build_cells(columns, rows, n_cells) != 0) {
        fprintf(stderr, PROG ": cannot allocate %zu cells\n", n_cells);
        return EX_UNAVAILABLE;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    if (start_agent(agentx_socket) != 0) {
        fprintf(stderr, PROG ": cannot start the AgentX subagent on %s\n", agentx_socket);
        free(served.cells);
        return EX_UNAVAILABLE;
    }
    while (!stop_requested)
        agent_check_and_process(1);

    snmp_shutdown(PROG);
    free(served.cells);
    return 0;
}
