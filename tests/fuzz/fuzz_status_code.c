/*
 * fuzz_status_code.c - fuzz target for mtamon_status_parse(), which reads
 * status codes out of MTA log lines.
 *
 * Invariant: the result is 0 or an mtaStatusCode of class 4 or 5, that is
 * within 4000000..5999999, and parsing is a pure function of the text.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mtamon.h"

const char fuzz_corpus[] = "status_code";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Exactly size + 1 bytes, so a read past the NUL is caught. */
    char *text = malloc(size + 1);
    FUZZ_CHECK(text != NULL);
    if (size)
        memcpy(text, data, size);
    text[size] = '\0';

    mtamon_status_code code = mtamon_status_parse(text);
    FUZZ_CHECK(code == 0 || (code >= 4000000 && code <= 5999999));
    FUZZ_CHECK(code == 0 || mtamon_status_make(code / 1000000, code / 1000 % 1000,
                                               code % 1000) == code);
    FUZZ_CHECK(mtamon_status_parse(text) == code);
    free(text);
    return 0;
}
