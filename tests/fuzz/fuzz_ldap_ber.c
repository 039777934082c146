/*
 * fuzz_ldap_ber.c - fuzz target for the LDAP probe's BER decoder
 * (src/collect/ber.c): what an LDAP server, or anything listening where
 * one is configured, sends the probe.
 *
 * The input is read as the dialog reads a stream: the header through
 * ber_head_more() and ber_head_length(), then the content; the message
 * (copied into a buffer of exactly its size, so ASan sees any read past
 * it) goes to ber_message_decode(), and so does the whole input as one
 * buffer.
 *
 * Invariants: every call returns 0 or -1, with a reason when -1; a
 * decoded message's strings lie inside its buffer; a result op has a
 * resultCode >= 0 and other ops -1; decoding is a pure function of the
 * bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "ber.h"
#include "fuzz.h"

const char fuzz_corpus[] = "ldap_ber";

#define CHECK FUZZ_CHECK

static void check_str(struct ber_str s, const uint8_t *buf, size_t len)
{
    if (s.len == 0)
        return;
    CHECK(s.p >= buf && s.p + s.len <= buf + len);
}

static void check_decode(const uint8_t *data, size_t len)
{
    uint8_t *buf = fuzz_copy(data, len);
    char err[256] = "";
    struct ber_message a, b;
    int rc = ber_message_decode(buf, len, &a, err, sizeof err);
    CHECK(rc == 0 || rc == -1);
    if (rc == -1) {
        CHECK(err[0] != '\0');
    } else {
        check_str(a.matched_dn, buf, len);
        check_str(a.diagnostic, buf, len);
        check_str(a.response_name, buf, len);
        check_str(a.entry_dn, buf, len);
        CHECK(a.message_id >= 0);
        int result_op = a.op == BER_OP_BIND_RESPONSE || a.op == BER_OP_SEARCH_DONE ||
                        a.op == BER_OP_EXTENDED_RESPONSE || a.op == 0x67 ||
                        a.op == 0x69 || a.op == 0x6b || a.op == 0x6d || a.op == 0x6f;
        CHECK(result_op ? a.result_code >= 0 : a.result_code == -1);
        CHECK(ber_message_decode(buf, len, &b, err, sizeof err) == 0);
        CHECK(memcmp(&a, &b, sizeof a) == 0);
    }
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_decode(data, size);

    /* As the dialog reads it off a connection. */
    if (size < 2)
        return 0;
    char err[256] = "";
    size_t more, content;
    if (ber_head_more(data, &more, err, sizeof err) != 0) {
        CHECK(err[0] != '\0');
        return 0;
    }
    CHECK(more <= 4);
    if (size < 2 + more)
        return 0;
    if (ber_head_length(data, 2 + more, &content, err, sizeof err) != 0) {
        CHECK(err[0] != '\0');
        return 0;
    }
    CHECK(2 + more + content <= BER_MESSAGE_MAX);
    if (size - 2 - more < content)
        return 0;
    check_decode(data, 2 + more + content);
    return 0;
}
