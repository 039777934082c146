/*
 * probe_fixture.c - checks of a finished probe check and of the fake
 * server it talked to (see probe_fixture.h).
 */
#include "probe_fixture.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "monotonic.h"

int pf_steps_are(const struct probe_check *out, ...)
{
    va_list ap;
    size_t i = 0;
    int same = 1;
    va_start(ap, out);
    for (const char *name; (name = va_arg(ap, const char *)) != NULL; i++)
        if (i >= out->n_steps || strcmp(out->steps[i].name, name) != 0)
            same = 0;
    va_end(ap);
    if (i != out->n_steps)
        same = 0;
    if (!same) {
        fprintf(stderr, "\n  steps:");
        for (size_t k = 0; k < out->n_steps; k++)
            fprintf(stderr, " %s(%u)", out->steps[k].name, (unsigned)out->steps[k].ms);
        fprintf(stderr, "; error \"%s\"\n", out->error);
    }
    return same;
}

uint32_t pf_step_ms(const struct probe_check *out, const char *name)
{
    for (size_t i = 0; i < out->n_steps; i++)
        if (strcmp(out->steps[i].name, name) == 0)
            return out->steps[i].ms;
    return UINT32_MAX;
}

static void pf_print(const struct probe_check *out)
{
    fprintf(stderr, "\n  ok %d, total_ms %u, steps:", out->ok, (unsigned)out->total_ms);
    for (size_t k = 0; k < out->n_steps; k++)
        fprintf(stderr, " %s(%u)", out->steps[k].name, (unsigned)out->steps[k].ms);
    fprintf(stderr, "; error \"%s\"\n", out->error);
}

int pf_timed_out(const struct probe_check *out, const char *step, unsigned timeout_ms)
{
    char want[128];
    int n = snprintf(want, sizeof want, "%s: timed out after ", step);
    int same = n > 0 && (size_t)n < sizeof want && strncmp(out->error, want, (size_t)n) == 0;
    if (same) {
        const char *digits = out->error + n;
        char *end = NULL;
        long long ms = strtoll(digits, &end, 10);
        same = end != digits && strcmp(end, " ms") == 0 && ms <= (long long)timeout_ms;
    }
    same = same && !out->ok && out->total_ms >= timeout_ms;
    if (!same) {
        fprintf(stderr, "\n  want \"%sN ms\" with N <= %u and total_ms >= %u:", want,
                timeout_ms, timeout_ms);
        pf_print(out);
    }
    return same;
}

int pf_steps_within(const struct probe_check *out)
{
    uint64_t sum = 0;
    for (size_t k = 0; k < out->n_steps; k++)
        sum += out->steps[k].ms;
    if (sum <= out->total_ms)
        return 1;
    fprintf(stderr, "\n  the steps add up to %llu ms, more than the check's:",
            (unsigned long long)sum);
    pf_print(out);
    return 0;
}

unsigned pf_completed(fake_server *fs, unsigned want)
{
    int64_t end = monotonic_ms() + 2000;
    while (fake_server_completed(fs) < want && monotonic_ms() < end) {
        struct timespec ts = {0, 5000000};
        nanosleep(&ts, NULL);
    }
    return fake_server_completed(fs);
}

int pf_sent(fake_server *fs, const char *s)
{
    char *all = fake_server_received(fs);
    int found = all && strstr(all, s) != NULL;
    free(all);
    return found;
}
