/*
 * test_oid_table.c - the sorted-table search behind every MIB table:
 * oid_table_find_exact() (GET), oid_table_find_next() (GETNEXT) and
 * oid_table_find_next_in_column() (GETNEXT of one column's registration)
 * over a fake table, and the cost of a full walk counted in row_index()
 * calls.
 */
#include <stdlib.h>

#include "unit_util.h"
#include "oid_table.h"

/* ------------------------------------------------------------------------ */
/* A fake table: rows in an array, cells absent by a per-row bit mask        */

struct fake_row {
    oid idx[3];
    size_t len;
    unsigned absent;    /* bit c set: column c has no cell in this row */
};

/* Read through the void pointer the callbacks get (cppcheck cannot see it). */
struct fake_data {
    const struct fake_row *rows; /* cppcheck-suppress unusedStructMember */
    size_t n;                    /* cppcheck-suppress unusedStructMember */
};

static unsigned long row_index_calls;

static size_t fake_row_count(const void *data)
{
    return ((const struct fake_data *)data)->n;
}

static size_t fake_row_index(const void *data, size_t row,
                             oid idx[OID_TABLE_INDEX_MAX])
{
    const struct fake_row *r = &((const struct fake_data *)data)->rows[row];
    row_index_calls++;
    memcpy(idx, r->idx, r->len * sizeof(oid));
    return r->len;
}

static int fake_cell(const void *data, size_t row, unsigned column,
                     struct oid_table_value *out)
{
    const struct fake_row *r = &((const struct fake_data *)data)->rows[row];
    if (r->absent & (1u << column))
        return -1;
    out->type = ASN_INTEGER;
    out->v.integer = (long)(row * 100 + column);
    return 0;
}

static const void *fake_fetch(void *ctx)
{
    return ctx;
}

/* Column 3 does not exist at all (like a not-accessible index column). */
static int fake_column_exists(unsigned column)
{
    return column != 3;
}

static const oid entry[] = {1, 3, 6, 1, 2, 1, 99, 1, 1};
#define ENTRY_LEN OID_LENGTH(entry)

static struct oid_table make_table(struct fake_data *d, unsigned first,
                                   unsigned last, int (*exists)(unsigned))
{
    struct oid_table t = {
        .name = "fakeTable",
        .entry = entry,
        .entry_len = ENTRY_LEN,
        .first_column = first,
        .last_column = last,
        .column_exists = exists,
        .ops = {fake_fetch, fake_row_count, fake_row_index, fake_cell},
        .ctx = d,
    };
    return t;
}

/* Build entry.SUFFIX... into @p buf; returns the length. */
static size_t req(oid *buf, size_t n_suffix, const oid *suffix)
{
    memcpy(buf, entry, sizeof entry);
    memcpy(buf + ENTRY_LEN, suffix, n_suffix * sizeof(oid));
    return ENTRY_LEN + n_suffix;
}

#define REQ(buf, ...)                                                     \
    req(buf, sizeof((oid[]){__VA_ARGS__}) / sizeof(oid), (oid[]){__VA_ARGS__})

typedef int (*find_fn)(const struct oid_table *, const void *, const oid *,
                       size_t, size_t *, unsigned *);

/* Expect @p find (oid_table_find_next or _exact) of @p name to give
 * (row, column), or none (row -1). */
static void expect_find(find_fn find, const struct oid_table *t,
                        const void *data, const oid *name, size_t len,
                        long want_row, unsigned want_col, int line)
{
    size_t row = 999999;
    unsigned col = 999;
    int rc = find(t, data, name, len, &row, &col);
    if (want_row < 0) {
        CU_ASSERT_EQUAL(rc, -1);
        if (rc != -1)
            fprintf(stderr, "\n    line %d: found (%zu, %u), want none\n",
                    line, row, col);
        return;
    }
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(row, (size_t)want_row);
    CU_ASSERT_EQUAL(col, want_col);
    if (rc != 0 || row != (size_t)want_row || col != want_col)
        fprintf(stderr, "\n    line %d: rc %d (%zu, %u), want (%ld, %u)\n",
                line, rc, row, col, want_row, want_col);
}

static void expect_next(const struct oid_table *t, const void *data,
                        const oid *name, size_t len, long want_row,
                        unsigned want_col, int line)
{
    expect_find(oid_table_find_next, t, data, name, len, want_row, want_col, line);
}

static void expect_exact(const struct oid_table *t, const void *data,
                         const oid *name, size_t len, long want_row,
                         unsigned want_col, int line)
{
    expect_find(oid_table_find_exact, t, data, name, len, want_row, want_col, line);
}

/* Call @p expect (expect_next or expect_exact) with entry.SUFFIX, SUFFIX
 * being the arguments after the wanted (row, column). */
#define EXPECT_REQ(expect, t, d, want_row, want_col, ...)                  \
    do {                                                                  \
        oid b_[MAX_OID_LEN];                                              \
        size_t l_ = REQ(b_, __VA_ARGS__);                                 \
        expect(t, d, b_, l_, want_row, want_col, __LINE__);               \
    } while (0)
#define NEXT(t, d, ...) EXPECT_REQ(expect_next, t, d, __VA_ARGS__)
#define EXACT(t, d, ...) EXPECT_REQ(expect_exact, t, d, __VA_ARGS__)

/* ------------------------------------------------------------------------ */

static void test_empty(void)
{
    struct fake_data d = {NULL, 0};
    struct oid_table t = make_table(&d, 2, 4, NULL);
    oid b[MAX_OID_LEN];
    size_t row;
    unsigned col;

    CU_ASSERT_EQUAL(oid_table_find_next(&t, &d, entry, ENTRY_LEN, &row, &col),
                    -1);
    CU_ASSERT_EQUAL(oid_table_find_next(&t, &d, entry, 3, &row, &col), -1);
    NEXT(&t, &d, -1, 0, 2);
    NEXT(&t, &d, -1, 0, 2, 1);
    EXACT(&t, &d, -1, 0, 2, 1);
    EXACT(&t, &d, -1, 0, 2);
    /* No data at all (fetch gave NULL): an empty table. */
    CU_ASSERT_EQUAL(oid_table_find_next(&t, NULL, entry, ENTRY_LEN, &row,
                                        &col), -1);
    size_t l = REQ(b, 2, 1);
    CU_ASSERT_EQUAL(oid_table_find_exact(&t, NULL, b, l, &row, &col), -1);
}

static const struct fake_row one_row[] = {{{5}, 1, 0}};

static void test_one_row(void)
{
    struct fake_data d = {one_row, 1};
    struct oid_table t = make_table(&d, 2, 4, NULL);
    static const oid before[] = {1, 3, 6, 1, 2, 1, 98, 7};
    static const oid prefix[] = {1, 3, 6, 1, 2, 1, 99};
    static const oid after[] = {1, 3, 6, 1, 2, 1, 99, 1, 2};
    static const oid after_short[] = {1, 3, 6, 1, 2, 1, 100};
    size_t row;
    unsigned col;

    /* Before the table, a prefix of the entry, the entry: first cell. */
    expect_next(&t, &d, before, OID_LENGTH(before), 0, 2, __LINE__);
    expect_next(&t, &d, prefix, OID_LENGTH(prefix), 0, 2, __LINE__);
    expect_next(&t, &d, entry, ENTRY_LEN, 0, 2, __LINE__);
    expect_next(&t, &d, entry, 0, 0, 2, __LINE__);
    /* After the whole subtree: nothing. */
    expect_next(&t, &d, after, OID_LENGTH(after), -1, 0, __LINE__);
    expect_next(&t, &d, after_short, OID_LENGTH(after_short), -1, 0,
                __LINE__);

    NEXT(&t, &d, 0, 2, 0);          /* column 0, 1: before the first */
    NEXT(&t, &d, 0, 2, 1, 77);
    NEXT(&t, &d, 0, 2, 2);          /* entry.col: that column's first */
    NEXT(&t, &d, 0, 2, 2, 4);
    NEXT(&t, &d, 0, 3, 2, 5);       /* the row itself: next column */
    NEXT(&t, &d, 0, 3, 2, 6);
    NEXT(&t, &d, 0, 4, 3, 5);
    NEXT(&t, &d, -1, 0, 4, 5);      /* last column, last row */
    NEXT(&t, &d, -1, 0, 5);         /* past the last column */
    NEXT(&t, &d, -1, 0, 4294967295UL);

    EXACT(&t, &d, 0, 2, 2, 5);
    EXACT(&t, &d, 0, 4, 4, 5);
    EXACT(&t, &d, -1, 0, 1, 5);     /* below first column */
    EXACT(&t, &d, -1, 0, 5, 5);     /* above last column */
    EXACT(&t, &d, -1, 0, 2, 4);
    EXACT(&t, &d, -1, 0, 2);
    EXACT(&t, &d, -1, 0, 2, 5, 0);
    CU_ASSERT_EQUAL(oid_table_find_exact(&t, &d, entry, ENTRY_LEN, &row,
                                         &col), -1);
    CU_ASSERT_EQUAL(oid_table_find_exact(&t, &d, before, OID_LENGTH(before),
                                         &row, &col), -1);
}

/*
 * Columns 1..5, column 3 does not exist; absent cells: row 2 column 2,
 * row 5 column 4, row 4 column 5.  Indexes include the largest
 * Integer32 and Unsigned32 values.
 */
static const struct fake_row many_rows[] = {
    {{1, 1}, 2, 0},
    {{1, 3}, 2, 0},
    {{2, 1}, 2, 1u << 2},
    {{2, 2}, 2, 0},
    {{2147483647UL, 1}, 2, 1u << 5},
    {{4294967295UL, 7}, 2, 1u << 4},
};

static void test_many_next(void)
{
    struct fake_data d = {many_rows, 6};
    struct oid_table t = make_table(&d, 1, 5, fake_column_exists);

    NEXT(&t, &d, 0, 1, 1);
    NEXT(&t, &d, 0, 1, 0, 9, 9);
    NEXT(&t, &d, 1, 1, 1, 1, 1);
    NEXT(&t, &d, 5, 1, 1, 2147483647UL, 1);
    NEXT(&t, &d, 0, 2, 1, 4294967295UL, 7);     /* to the next column */

    /* Partial indexes: the first row after the prefix. */
    NEXT(&t, &d, 0, 2, 2, 1);
    NEXT(&t, &d, 3, 2, 2, 2);                   /* row 2's cell is absent */
    NEXT(&t, &d, 1, 2, 2, 1, 2);
    NEXT(&t, &d, 3, 2, 2, 1, 3);                /* skips absent (2,1) */
    NEXT(&t, &d, 3, 2, 2, 2, 0);
    NEXT(&t, &d, 4, 2, 2, 3);

    /* Huge sub-identifiers compare as oid values. */
    NEXT(&t, &d, 4, 2, 2, 2147483646UL);
    NEXT(&t, &d, 4, 2, 2, 2147483647UL);
    NEXT(&t, &d, 5, 2, 2, 2147483647UL, 1);
    NEXT(&t, &d, 5, 2, 2, 2147483648UL);
    NEXT(&t, &d, 5, 2, 2, 4294967295UL);
    NEXT(&t, &d, 5, 2, 2, 4294967295UL, 6);
    NEXT(&t, &d, 0, 4, 2, 4294967295UL, 7);     /* column 3 skipped */
    NEXT(&t, &d, 0, 4, 2, 4294967295UL, 4294967295UL);
    if (sizeof(oid) > 4) {                      /* 64-bit oid: beyond 2^32 */
        NEXT(&t, &d, 0, 4, 2, (oid)4294967296ULL);
        NEXT(&t, &d, 0, 4, 2, 4294967295UL, (oid)4294967296ULL);
        NEXT(&t, &d, 4, 2, 2, 2147483647UL, 0, (oid)4294967296ULL);
        NEXT(&t, &d, -1, 0, (oid)4294967296ULL);
        NEXT(&t, &d, 0, 1, 0, (oid)4294967296ULL);
    }

    /* Longer than the row's index: after that row. */
    NEXT(&t, &d, 1, 2, 2, 1, 1, 0);
    NEXT(&t, &d, 5, 2, 2, 2147483647UL, 1, 4294967295UL);
    /* Much longer than any row's index. */
    NEXT(&t, &d, 1, 2, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
         0, 0, 0, 0, 0);
    NEXT(&t, &d, 0, 2, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
         0, 0, 0, 0, 0);
    NEXT(&t, &d, 0, 4, 2, 4294967295UL, 7, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
         9, 9, 9, 9, 9, 9, 9, 9, 9);

    /* A column that does not exist: the next one's first row. */
    NEXT(&t, &d, 0, 4, 3);
    NEXT(&t, &d, 0, 4, 3, 1, 1);
    NEXT(&t, &d, 0, 4, 3, 0);
    /* Column 4: row 5 absent, so past row 4 is the next column. */
    NEXT(&t, &d, 4, 4, 4, 2, 2);
    NEXT(&t, &d, 0, 5, 4, 2147483647UL, 1);
    /* Column 5: row 4 absent. */
    NEXT(&t, &d, 5, 5, 5, 2, 2);
    /* The last column past its last row, and past the last column. */
    NEXT(&t, &d, -1, 0, 5, 4294967295UL, 7);
    NEXT(&t, &d, -1, 0, 5, 4294967295UL, 8);
    NEXT(&t, &d, -1, 0, 5, 4294967296UL - 1, 7, 0);
    NEXT(&t, &d, -1, 0, 6);
    NEXT(&t, &d, -1, 0, 6, 1, 1);
    NEXT(&t, &d, -1, 0, 4294967295UL);
}

static void test_many_exact(void)
{
    struct fake_data d = {many_rows, 6};
    struct oid_table t = make_table(&d, 1, 5, fake_column_exists);

    for (size_t r = 0; r < 6; r++)
        for (unsigned c = 1; c <= 5; c++) {
            oid b[MAX_OID_LEN];
            size_t l = REQ(b, c, many_rows[r].idx[0], many_rows[r].idx[1]);
            int exists = c != 3 && !(many_rows[r].absent & (1u << c));
            expect_exact(&t, &d, b, l, exists ? (long)r : -1, c, __LINE__);
        }
    EXACT(&t, &d, 4, 4, 4, 2147483647UL, 1);
    EXACT(&t, &d, 5, 1, 1, 4294967295UL, 7);
    EXACT(&t, &d, -1, 0, 2, 2, 1);              /* absent cell */
    EXACT(&t, &d, -1, 0, 3, 1, 1);              /* column does not exist */
    EXACT(&t, &d, -1, 0, 0, 1, 1);
    EXACT(&t, &d, -1, 0, 6, 1, 1);
    EXACT(&t, &d, -1, 0, 4294967295UL, 1, 1);
    EXACT(&t, &d, -1, 0, 1, 1);                 /* partial index */
    EXACT(&t, &d, -1, 0, 1, 1, 2);              /* no such row */
    EXACT(&t, &d, -1, 0, 1, 1, 1, 0);           /* longer index */
    EXACT(&t, &d, -1, 0, 1, 2147483647UL, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
          0, 0, 0, 0, 0, 0, 0, 0);
    EXACT(&t, &d, -1, 0, 1, 4294967295UL, 8);
    EXACT(&t, &d, -1, 0, 1);
    if (sizeof(oid) > 4) {
        /* Must not be truncated to 32 bits (4294967297 would be 1). */
        EXACT(&t, &d, -1, 0, 1, 1, (oid)4294967297ULL);
        EXACT(&t, &d, -1, 0, (oid)4294967297ULL, 1, 1);
        NEXT(&t, &d, -1, 0, (oid)4294967297ULL, 1, 1);
    }
}

/* ------------------------------------------------------------------------ */
/* One column's registration                                                 */

/* Rows 1.7 (no column 4), 2, 9.1 (no column 2): columns 2..5, 3 absent. */
static const struct fake_row col_rows[] = {
    {{1, 7}, 2, 1u << 4},
    {{2}, 1, 0},
    {{9, 1}, 2, 1u << 2},
};

static void expect_in_column(const struct oid_table *t, const void *data,
                             const oid *name, size_t len, unsigned column,
                             long want_row, int line)
{
    size_t row = 999999;
    int rc = oid_table_find_next_in_column(t, data, name, len, column, &row);
    CU_ASSERT_EQUAL(rc, want_row < 0 ? -1 : 0);
    if (want_row >= 0)
        CU_ASSERT_EQUAL(row, (size_t)want_row);
    if ((want_row < 0) != (rc != 0) || (rc == 0 && row != (size_t)want_row))
        fprintf(stderr, "\n    line %d: column %u rc %d row %zu, want %ld\n",
                line, column, rc, row, want_row);
}

#define IN_COLUMN(t, d, column, want_row, ...)                            \
    do {                                                                  \
        oid b_[MAX_OID_LEN];                                              \
        size_t l_ = REQ(b_, __VA_ARGS__);                                 \
        expect_in_column(t, d, b_, l_, column, want_row, __LINE__);       \
    } while (0)

static void test_next_in_column(void)
{
    struct fake_data d = {col_rows, 3};
    struct oid_table t = make_table(&d, 2, 5, fake_column_exists);
    static const oid before[] = {1, 3, 6, 1, 2, 1, 98};
    static const oid after[] = {1, 3, 6, 1, 2, 1, 100};

    /* Before the table, before the column, the column itself: its first
     * existing cell (column 2 has none in row 9.1, column 4 none in 1.7). */
    expect_in_column(&t, &d, before, OID_LENGTH(before), 2, 0, __LINE__);
    expect_in_column(&t, &d, entry, ENTRY_LEN, 4, 1, __LINE__);
    IN_COLUMN(&t, &d, 5, 0, 2, 9, 1);      /* an earlier column's cell */
    IN_COLUMN(&t, &d, 5, 0, 5);
    IN_COLUMN(&t, &d, 5, 0, 5, 1);
    IN_COLUMN(&t, &d, 5, 1, 5, 1, 7);
    IN_COLUMN(&t, &d, 5, 2, 5, 2);
    IN_COLUMN(&t, &d, 5, 2, 5, 8, 4294967295UL);
    IN_COLUMN(&t, &d, 5, -1, 5, 9, 1);     /* the column's last cell */
    IN_COLUMN(&t, &d, 2, -1, 2, 2);        /* 9.1 has no column 2 */
    /* Never a cell of a later column: that is its own registration. */
    IN_COLUMN(&t, &d, 2, -1, 3);
    IN_COLUMN(&t, &d, 4, -1, 5);
    IN_COLUMN(&t, &d, 4, -1, 6, 1);
    expect_in_column(&t, &d, after, OID_LENGTH(after), 2, -1, __LINE__);
    /* Columns the table does not have. */
    IN_COLUMN(&t, &d, 3, -1, 2);
    IN_COLUMN(&t, &d, 1, -1, 1);
    IN_COLUMN(&t, &d, 6, -1, 1);
    /* No data: nothing. */
    expect_in_column(&t, NULL, entry, ENTRY_LEN, 2, -1, __LINE__);

    /* Column after column, as the master drives the registrations: the
     * same cells in the same order as a walk of the whole table. */
    oid cur[MAX_OID_LEN], whole[MAX_OID_LEN];
    size_t cur_len = ENTRY_LEN, whole_len = ENTRY_LEN;
    memcpy(cur, entry, sizeof entry);
    memcpy(whole, entry, sizeof entry);
    unsigned cells = 0;
    for (unsigned c = 1; c <= 6; c++) {
        size_t row;
        while (oid_table_find_next_in_column(&t, &d, cur, cur_len, c,
                                             &row) == 0) {
            size_t wrow;
            unsigned wcol;
            CU_ASSERT_EQUAL_FATAL(oid_table_find_next(&t, &d, whole,
                                                      whole_len, &wrow,
                                                      &wcol), 0);
            CU_ASSERT_EQUAL(wrow, row);
            CU_ASSERT_EQUAL(wcol, c);
            cur[ENTRY_LEN] = c;
            cur_len = ENTRY_LEN + 1 + fake_row_index(&d, row,
                                                     cur + ENTRY_LEN + 1);
            memcpy(whole, cur, cur_len * sizeof(oid));
            whole_len = cur_len;
            cells++;
        }
    }
    size_t row;
    unsigned col;
    CU_ASSERT_EQUAL(oid_table_find_next(&t, &d, whole, whole_len, &row, &col),
                    -1);
    CU_ASSERT_EQUAL(cells, 3 * 3 - 2);   /* columns 2, 4, 5 less 2 absent */
}

/* ------------------------------------------------------------------------ */
/* A full walk of 10,000 rows                                                */

#define WALK_ROWS 10000u
#define WALK_COLS 3u

static void test_walk(void)
{
    struct fake_row *rows = calloc(WALK_ROWS, sizeof *rows);
    unsigned char *seen = calloc(WALK_ROWS * (WALK_COLS + 1), 1);
    UT_REQUIRE(rows);
    UT_REQUIRE(seen);
    /* Two-part indexes, sorted, with gaps and large values. */
    for (size_t i = 0; i < WALK_ROWS; i++) {
        rows[i].idx[0] = 1 + i / 100;
        rows[i].idx[1] = 4294967295UL - 3 * (99 - i % 100);
        rows[i].len = 2;
    }
    struct fake_data d = {rows, WALK_ROWS};
    struct oid_table t = make_table(&d, 1, WALK_COLS, NULL);

    unsigned long log2n = 0;                    /* ceil(log2(N)) */
    while ((1ul << log2n) < WALK_ROWS)
        log2n++;
    const unsigned long limit = 2 * log2n + 4;
    oid cur[MAX_OID_LEN], prev[MAX_OID_LEN];
    size_t cur_len = ENTRY_LEN;
    memcpy(cur, entry, sizeof entry);
    unsigned long steps = 0, max_calls = 0, bad_order = 0, repeats = 0;
    size_t row;
    unsigned col;

    for (;;) {
        row_index_calls = 0;
        int rc = oid_table_find_next(&t, &d, cur, cur_len, &row, &col);
        if (row_index_calls > max_calls)
            max_calls = row_index_calls;
        if (rc != 0)
            break;
        steps++;
        if (seen[row * (WALK_COLS + 1) + col]++)
            repeats++;
        memcpy(prev, cur, cur_len * sizeof(oid));
        size_t prev_len = cur_len;
        cur[ENTRY_LEN] = col;
        cur_len = ENTRY_LEN + 1 +
                  fake_row_index(&d, row, cur + ENTRY_LEN + 1);
        if (snmp_oid_compare(prev, prev_len, cur, cur_len) >= 0)
            bad_order++;
        if (steps > WALK_ROWS * WALK_COLS)
            break;   /* a loop: fail below rather than hang */
    }
    CU_ASSERT_EQUAL(steps, WALK_ROWS * WALK_COLS);
    CU_ASSERT_EQUAL(repeats, 0);
    CU_ASSERT_EQUAL(bad_order, 0);
    size_t unseen = 0;
    for (size_t r = 0; r < WALK_ROWS; r++)
        for (unsigned c = 1; c <= WALK_COLS; c++)
            unseen += !seen[r * (WALK_COLS + 1) + c];
    CU_ASSERT_EQUAL(unseen, 0);
    /* O(log N) per step: a count of row_index() calls, not a time. */
    CU_ASSERT(max_calls <= limit);
    CU_ASSERT(max_calls >= 1);
    if (max_calls > limit)
        fprintf(stderr, "\n    %lu row_index calls in one step, limit %lu\n",
                max_calls, limit);
    /* The last cell of the walk is the last column's last row. */
    CU_ASSERT_EQUAL(cur[ENTRY_LEN], WALK_COLS);
    CU_ASSERT_EQUAL(cur[ENTRY_LEN + 1], 100);
    CU_ASSERT_EQUAL(cur[ENTRY_LEN + 2], 4294967295UL);
    free(seen);
    free(rows);
}

UT_MAIN("oid_table",
        {"empty table", test_empty},
        {"one row", test_one_row},
        {"getnext over 2-part indexes", test_many_next},
        {"get over 2-part indexes", test_many_exact},
        {"getnext within one column's registration", test_next_in_column},
        {"walk 10000 rows in O(log N) per step", test_walk})
