/*
 * replay.c - run a fuzz target over saved inputs, without libFuzzer, so
 * `make check` replays the seed corpora (and every crash reproducer added
 * to them) with the ordinary compiler and sanitizer build.
 *
 *   fuzz_TARGET [FILE|DIR]...
 *
 * Runs LLVMFuzzerTestOneInput() once per FILE and per regular file of
 * each DIR (in name order).  Without arguments: the target's seed corpus,
 * $MTAMON_SRCDIR/tests/data/fuzz/<corpus>, which is what `make check`
 * uses.  Prints each input before running it (so a crash names it) and
 * ends with "N passed, N failed".  Exit status: 0 if every input ran, 1 if
 * one could not be read or a directory held none.  A target that finds a
 * broken invariant aborts, failing the test there and then.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "whole_file.h"

static unsigned passed, failed;

/* Read the whole of @p path; NULL (with a message) on failure. */
static uint8_t *read_file(const char *path, size_t *size)
{
    char *buf;
    if (whole_file_read(path, SIZE_MAX, &buf, size) < 0) {
        fprintf(stderr, "replay: cannot read %s: %s\n", path, strerror(errno));
        return NULL;
    }
    return (uint8_t *)buf;
}

static void run_file(const char *path)
{
    size_t size = 0;
    uint8_t *data = read_file(path, &size);
    if (!data) {
        failed++;
        return;
    }
    printf("replay: %s (%zu bytes)\n", path, size);
    fflush(stdout);
    /* A copy of exactly the file's size: reads past it are caught. */
    uint8_t *exact = malloc(size ? size : 1);
    if (!exact) {
        free(data);
        failed++;
        return;
    }
    memcpy(exact, data, size);
    free(data);
    LLVMFuzzerTestOneInput(exact, size);
    free(exact);
    passed++;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static void run_dir(const char *dir)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, by_name);
    if (n < 0) {
        fprintf(stderr, "replay: cannot list %s: %s\n", dir, strerror(errno));
        failed++;
        return;
    }
    unsigned ran = 0;
    for (int i = 0; i < n; i++) {
        char path[4096];
        int len = snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        struct stat st;
        if (len > 0 && (size_t)len < sizeof path && stat(path, &st) == 0 &&
            S_ISREG(st.st_mode) && names[i]->d_name[0] != '.') {
            run_file(path);
            ran++;
        }
        free(names[i]);
    }
    free(names);
    if (ran == 0) {
        fprintf(stderr, "replay: no inputs in %s\n", dir);
        failed++;
    }
}

static void run_arg(const char *arg)
{
    struct stat st;
    if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode))
        run_dir(arg);
    else
        run_file(arg);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            run_arg(argv[i]);
    } else {
        const char *top = getenv("MTAMON_SRCDIR");
        char dir[4096];
        int len = snprintf(dir, sizeof dir, "%s/tests/data/fuzz/%s",
                           top && *top ? top : ".", fuzz_corpus);
        if (len < 0 || (size_t)len >= sizeof dir) {
            fprintf(stderr, "replay: corpus path too long\n");
            return 1;
        }
        run_dir(dir);
    }
    printf("%u passed, %u failed\n", passed, failed);
    return failed ? 1 : 0;
}
