/*
 * sun_options.c - Sun Messaging Server spellings of `mtamon counters`
 * options ("-noheaders", "-output=FILE"), rewritten the GNU way for
 * getopt_long().
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"

/* "--name [VALUE]": does the long option @p name (an abbreviation
 * counts, as getopt_long() allows it) take the next word as its value? */
static int long_takes_next(const struct option *longopts, const char *name)
{
    size_t len = strcspn(name, "=");
    if (name[len] == '=')
        return 0;
    int takes_value = 0;
    for (const struct option *o = longopts; o->name; o++) {
        if (strncmp(o->name, name, len) != 0)
            continue;
        takes_value = o->has_arg == required_argument;
        if (o->name[len] == '\0')
            break; /* an exact match beats the prefixes */
    }
    return takes_value;
}

/* The Sun option spelt by @p word ("noheaders", "output=x"), or NULL. */
static const struct sun_option *sun_word(const struct sun_option *sun,
                                         const char *word)
{
    size_t len = strcspn(word, "=");
    for (const struct sun_option *s = sun; s && s->sun; s++)
        if (strlen(s->sun) == len && strncmp(s->sun, word, len) == 0)
            return s;
    return NULL;
}

/* Is @p word (after its '-') a bundle of short options getopt accepts?
 * Sets *@p value_next when its last option takes the next word. */
static int short_bundle(const char *shortopts, const char *word,
                        int *value_next)
{
    *value_next = 0;
    for (const char *p = word; *p; p++) {
        const char *spec = *p != ':' ? strchr(shortopts, *p) : NULL;
        if (!spec)
            return 0;
        if (spec[1] == ':') {
            /* a short option's value ends the bundle */
            *value_next = p[1] == '\0';
            break;
        }
    }
    return 1;
}

int sun_options_translate(const char *what, const struct sun_option *sun,
                          const struct option *longopts,
                          const char *shortopts, int argc, char **argv,
                          int *out_argc, char ***out_argv)
{
    /* Each word becomes at most two. */
    char **out = calloc((size_t)argc * 2 + 1, sizeof *out);
    if (!out) {
        cli_errorf("out of memory");
        return EX_OSERR;
    }
    int n = 0;
    out[n++] = argv[0];
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            while (i < argc)
                out[n++] = argv[i++];
            break;
        }
        if (a[0] != '-' || a[1] == '\0') {
            out[n++] = a; /* an operand, or "-" */
            continue;
        }
        if (a[1] == '-') {
            /* "--name VALUE": VALUE is not an option even if it looks
             * like one. */
            out[n++] = a;
            if (i + 1 < argc && long_takes_next(longopts, a + 2))
                out[n++] = argv[++i];
            continue;
        }
        const char *word = a + 1;
        const struct sun_option *found = sun_word(sun, word);
        if (found) {
            const char *eq = strchr(word, '=');
            if (!found->has_value && eq) {
                free(out);
                return cli_usage_error(cli_counters_usage,
                                       "%s: option '-%s' takes no value", what, found->sun);
            }
            out[n++] = (char *)found->gnu;
            if (found->has_value && eq)
                out[n++] = (char *)eq + 1;
            else if (found->has_value && i + 1 < argc)
                out[n++] = argv[++i];
            continue;
        }
        /* Not a Sun word: fine for getopt only as a bundle of short
         * options ("-fh"). */
        int value_next;
        if (!short_bundle(shortopts, word, &value_next)) {
            free(out);
            return cli_usage_error(cli_counters_usage, "%s: unknown option '%s'",
                                   what, a);
        }
        out[n++] = a;
        if (value_next && i + 1 < argc)
            out[n++] = argv[++i];
    }
    out[n] = NULL;
    *out_argc = n;
    *out_argv = out;
    return EX_OK;
}
