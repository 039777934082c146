/*
 * status_code.c - mtaStatusCode values and the per-channel error table.
 */
#include <ctype.h>
#include <stdlib.h>

#include "lib_internal.h"

mtamon_status_code mtamon_status_make(unsigned cls, unsigned subject, unsigned detail)
{
    if ((cls != 4 && cls != 5) || subject > 999 || detail > 999)
        return 0;
    return (cls * 1000 + subject) * 1000 + detail;
}

/* Read up to three digits; -1 if none. */
static int read_number(const char **p)
{
    int v = 0, digits = 0;
    while (isdigit((unsigned char)**p) && digits < 4) {
        v = v * 10 + (**p - '0');
        (*p)++;
        digits++;
    }
    return digits == 0 || digits > 3 ? -1 : v;
}

/* "class.subject.detail" at the start of @p p, or 0. */
static mtamon_status_code parse_enhanced(const char *p)
{
    int cls = read_number(&p);
    if (cls < 0 || *p != '.')
        return 0;
    p++;
    int subject = read_number(&p);
    if (subject < 0 || *p != '.')
        return 0;
    p++;
    int detail = read_number(&p);
    if (detail < 0 || isdigit((unsigned char)*p))
        return 0;
    return mtamon_status_make((unsigned)cls, (unsigned)subject, (unsigned)detail);
}

mtamon_status_code mtamon_status_parse(const char *text)
{
    if (!text)
        return 0;
    if (isdigit((unsigned char)text[0]) && text[1] == '.')
        return parse_enhanced(text);
    const char *p = text;
    int cls = read_number(&p);
    if (cls < 0 || *p == '.')
        return 0;
    /* A basic reply code such as 550: its first digit is the class; an
     * enhanced code right after it ("550 5.1.1 ...") says more.  (Not a
     * recursive call: input such as "550 550 550 ..." of any length must
     * not use stack in proportion.) */
    if (cls < 100 || isdigit((unsigned char)*p))
        return 0;
    if (*p == ' ' || *p == '-') {
        mtamon_status_code enhanced = parse_enhanced(p + 1);
        if (enhanced && enhanced / 1000000 == (unsigned)cls / 100)
            return enhanced;
    }
    return mtamon_status_make((unsigned)cls / 100, 0, 0);
}

/* Slots 0 and 1 are kept for 4.0.0 and 5.0.0, where codes go when the
 * other slots are all taken, so no error is ever left uncounted. */
#define STATUS_RESERVED 2

static int claim(struct status_slot *e, mtamon_status_code code)
{
    uint32_t cur = atomic_load_explicit(&e->code, memory_order_acquire);
    if (cur == 0) {
        atomic_compare_exchange_strong_explicit(&e->code, &cur, code,
                                                memory_order_acq_rel,
                                                memory_order_acquire);
        if (cur == 0)
            return 1; /* we claimed it */
    }
    return cur == code;
}

void mtamon__status_add(struct channel_slot *slot, mtamon_status_code code, int dir,
                        uint64_t n)
{
    if (code < 4000000 || code > 5999999)
        return;
    struct status_slot *fallback = &slot->status[code / 1000000 - 4];
    mtamon_status_code class_code = code / 1000000 * 1000000;
    if (code == class_code) {
        claim(fallback, class_code);
        atomic_fetch_add_explicit(&fallback->count[dir], n, memory_order_relaxed);
        return;
    }
    const unsigned dynamic = MTAMON_STATUS_SLOTS - STATUS_RESERVED;
    unsigned h = (code ^ (code >> 7)) % dynamic;
    for (unsigned k = 0; k < dynamic; k++) {
        struct status_slot *e = &slot->status[STATUS_RESERVED + (h + k) % dynamic];
        if (claim(e, code)) {
            atomic_fetch_add_explicit(&e->count[dir], n, memory_order_relaxed);
            return;
        }
    }
    claim(fallback, class_code);
    atomic_fetch_add_explicit(&fallback->count[dir], n, memory_order_relaxed);
}
