/*
 * test_ber.c - the LDAP probe's BER codec (src/collect/ber.c).
 *
 * The byte vectors are derived by hand from RFC 4511 (the ASN.1 of
 * LDAPMessage and its ops, 4.2 - 4.14 and Appendix B) and X.690 (8.1
 * identifier and length octets, 8.3 INTEGER, 8.4 ENUMERATED, 8.2
 * BOOLEAN); each one's comment shows the TLVs and the length sums, so a
 * reader can check them without running anything.  Tags used:
 *   30 SEQUENCE, 31 SET, 02 INTEGER, 0a ENUMERATED, 01 BOOLEAN,
 *   04 OCTET STRING; [APPLICATION n] constructed = 0x60 | n, primitive
 *   0x40 | n; [n] context primitive 0x80 | n, constructed 0xa0 | n.
 * The anonymous bind, StartTLS, unbind and bind response are also the
 * well-known captures every LDAP implementation exchanges.
 *
 * Malformed input: every prefix of every valid message, lengths past
 * the end, indefinite and 5-octet lengths, wrong tags at each level,
 * bad integers, a huge length, trailing bytes, and every single-byte
 * change of the valid messages (which must give 0 or -1, and never read
 * outside the exact-size copy: run under ASan).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit_util.h"
#include "ber.h"

#define DN_USER "cn=probe,dc=example,dc=org"   /* 26 bytes = 0x1a */
#define DN_PROBE "ou=probe,dc=example,dc=org"  /* 26 bytes = 0x1a */
#define DN_SUFFIX "dc=example,dc=org"          /* 17 bytes = 0x11 */

static char err[256];

/* CU_ASSERT that @p got (@p got_len) is exactly @p want; print a hex
 * dump of both when not. */
static void assert_bytes(const uint8_t *got, size_t got_len, const uint8_t *want,
                         size_t want_len)
{
    int same = got_len == want_len && memcmp(got, want, want_len) == 0;
    CU_ASSERT(same);
    if (!same) {
        fprintf(stderr, "\n    got  (%zu):", got_len);
        for (size_t i = 0; i < got_len; i++)
            fprintf(stderr, " %02x", got[i]);
        fprintf(stderr, "\n    want (%zu):", want_len);
        for (size_t i = 0; i < want_len; i++)
            fprintf(stderr, " %02x", want[i]);
        fprintf(stderr, "\n");
    }
}

/* Decode a copy of exactly @p len bytes (so ASan sees any overread). */
static int decode(const uint8_t *bytes, size_t len, struct ber_message *m)
{
    uint8_t *copy = malloc(len ? len : 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
    if (len)
        memcpy(copy, bytes, len);
    err[0] = '\0';
    int rc = ber_message_decode(copy, len, m, err, sizeof err);
    /* Strings point into the buffer: move them to the caller's bytes. */
    struct ber_str *s[] = {&m->matched_dn, &m->diagnostic, &m->response_name,
                           &m->entry_dn};
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        if (s[i]->p)
            s[i]->p = bytes + (s[i]->p - copy);
    free(copy);
    return rc;
}

static int str_is(struct ber_str s, const char *want)
{
    return s.len == strlen(want) && (s.len == 0 || memcmp(s.p, want, s.len) == 0);
}

/* ------------------------------------------------------------------------ */
/* Encoding                                                                  */

/* Anonymous simple bind, messageID 1:
 *   30 0c                LDAPMessage, 3 + 2 + 7 = 12
 *     02 01 01           messageID 1
 *     60 07              BindRequest [APPLICATION 0], 3 + 2 + 2 = 7
 *       02 01 03         version 3
 *       04 00            name "" (anonymous)
 *       80 00            authentication simple [0] "" */
static const uint8_t anon_bind[] = {0x30, 0x0c, 0x02, 0x01, 0x01, 0x60, 0x07, 0x02,
                                    0x01, 0x03, 0x04, 0x00, 0x80, 0x00};

static void test_encode_bind(void)
{
    uint8_t out[512];
    size_t len = 0;
    CU_ASSERT_EQUAL(ber_encode_bind(out, sizeof out, &len, 1, "", "", err, sizeof err), 0);
    assert_bytes(out, len, anon_bind, sizeof anon_bind);
    /* NULL is anonymous too. */
    CU_ASSERT_EQUAL(ber_encode_bind(out, sizeof out, &len, 1, NULL, NULL, err, sizeof err), 0);
    assert_bytes(out, len, anon_bind, sizeof anon_bind);

    /* cn=probe,dc=example,dc=org / secret, messageID 2:
     *   30 2c            3 + 2 + 39 = 44
     *     02 01 02
     *     60 27          3 + (2 + 26) + (2 + 6) = 39
     *       02 01 03
     *       04 1a DN     26 bytes
     *       80 06 secret */
    static const uint8_t want[] = {
        0x30, 0x2c, 0x02, 0x01, 0x02, 0x60, 0x27, 0x02, 0x01, 0x03, 0x04, 0x1a,
        'c', 'n', '=', 'p', 'r', 'o', 'b', 'e', ',', 'd', 'c', '=', 'e', 'x', 'a',
        'm', 'p', 'l', 'e', ',', 'd', 'c', '=', 'o', 'r', 'g',
        0x80, 0x06, 's', 'e', 'c', 'r', 'e', 't'};
    CU_ASSERT_EQUAL(ber_encode_bind(out, sizeof out, &len, 2, DN_USER, "secret", err,
                                    sizeof err), 0);
    assert_bytes(out, len, want, sizeof want);
}

static void test_encode_long_length(void)
{
    /* A 200-byte DN: its OCTET STRING needs the long form 04 81 c8
     * (X.690 8.1.3.5: 0x80 | 1 length octet, then 200); BindRequest
     * 3 + 203 + 2 = 208 = 60 81 d0; LDAPMessage 3 + 211 = 214 = 30 81 d6. */
    char dn[201];
    memset(dn, 'a', 200);
    dn[200] = '\0';
    uint8_t out[512];
    size_t len = 0;
    CU_ASSERT_EQUAL(ber_encode_bind(out, sizeof out, &len, 1, dn, "", err, sizeof err), 0);
    static const uint8_t head[] = {0x30, 0x81, 0xd6, 0x02, 0x01, 0x01, 0x60, 0x81, 0xd0,
                                   0x02, 0x01, 0x03, 0x04, 0x81, 0xc8, 'a'};
    CU_ASSERT_EQUAL(len, 217);
    assert_bytes(out, sizeof head, head, sizeof head);
    CU_ASSERT_EQUAL(memcmp(out + len - 2, "\x80\x00", 2), 0);

    /* 300 bytes: two length octets 04 82 01 2c; BindRequest 3 + 304 + 2
     * = 309 = 60 82 01 35; LDAPMessage 3 + 4 + 309 = 316 = 30 82 01 3c;
     * so the DN starts at 4 + 3 + 4 + 3 = 14. */
    char dn2[301];
    memset(dn2, 'b', 300);
    dn2[300] = '\0';
    CU_ASSERT_EQUAL(ber_encode_bind(out, sizeof out, &len, 1, dn2, "", err, sizeof err), 0);
    static const uint8_t head2[] = {0x04, 0x82, 0x01, 0x2c, 'b'};
    CU_ASSERT_EQUAL(len, 320);
    assert_bytes(out, 4, (const uint8_t *)"\x30\x82\x01\x3c", 4);
    assert_bytes(out + 7, 4, (const uint8_t *)"\x60\x82\x01\x35", 4);
    assert_bytes(out + 14, sizeof head2, head2, sizeof head2);
}

static void test_encode_search(void)
{
    /* Base search of ou=probe,dc=example,dc=org, timeLimit 10, id 3:
     *   30 44              3 + 2 + 63 = 68
     *     02 01 03
     *     63 3f            SearchRequest [APPLICATION 3]:
     *       04 1a DN         28  baseObject
     *       0a 01 00          3  scope baseObject(0)
     *       0a 01 00          3  derefAliases neverDerefAliases(0)
     *       02 01 01          3  sizeLimit 1
     *       02 01 0a          3  timeLimit 10
     *       01 01 ff          3  typesOnly TRUE
     *       87 0b objectClass 13 filter present [7]
     *       30 05 04 03 1.1   7  attributes: "1.1" (no attributes)
     *                        = 63 */
    static const uint8_t want[] = {
        0x30, 0x44, 0x02, 0x01, 0x03, 0x63, 0x3f, 0x04, 0x1a,
        'o', 'u', '=', 'p', 'r', 'o', 'b', 'e', ',', 'd', 'c', '=', 'e', 'x', 'a',
        'm', 'p', 'l', 'e', ',', 'd', 'c', '=', 'o', 'r', 'g',
        0x0a, 0x01, 0x00, 0x0a, 0x01, 0x00, 0x02, 0x01, 0x01, 0x02, 0x01, 0x0a,
        0x01, 0x01, 0xff,
        0x87, 0x0b, 'o', 'b', 'j', 'e', 'c', 't', 'C', 'l', 'a', 's', 's',
        0x30, 0x05, 0x04, 0x03, '1', '.', '1'};
    uint8_t out[512];
    size_t len = 0;
    CU_ASSERT_EQUAL(ber_encode_search(out, sizeof out, &len, 3, DN_PROBE, 10, err,
                                      sizeof err), 0);
    assert_bytes(out, len, want, sizeof want);

    /* timeLimit 200 needs a leading 0x00 (02 02 00 c8, X.690 8.3.2:
     * 0xc8 alone would be negative); timeLimit 0 is 02 01 00. */
    CU_ASSERT_EQUAL(ber_encode_search(out, sizeof out, &len, 3, DN_PROBE, 200, err,
                                      sizeof err), 0);
    CU_ASSERT_EQUAL(out[1], 0x45);
    CU_ASSERT_EQUAL(memcmp(out + 44, "\x02\x02\x00\xc8", 4), 0);
    CU_ASSERT_EQUAL(ber_encode_search(out, sizeof out, &len, 3, DN_PROBE, 0, err,
                                      sizeof err), 0);
    CU_ASSERT_EQUAL(memcmp(out + 44, "\x02\x01\x00", 3), 0);
    CU_ASSERT_EQUAL(ber_encode_search(out, sizeof out, &len, 3, DN_PROBE, -1, err,
                                      sizeof err), -1);
}

static void test_encode_starttls_unbind(void)
{
    /* StartTLS, id 1:
     *   30 1d              3 + 2 + 24 = 29
     *     02 01 01
     *     77 18            ExtendedRequest [APPLICATION 23], 2 + 22
     *       80 16 1.3.6.1.4.1.1466.20037   requestName [0], 22 bytes */
    static const uint8_t starttls[] = {
        0x30, 0x1d, 0x02, 0x01, 0x01, 0x77, 0x18, 0x80, 0x16,
        '1', '.', '3', '.', '6', '.', '1', '.', '4', '.', '1', '.', '1', '4', '6', '6',
        '.', '2', '0', '0', '3', '7'};
    /* Unbind, id 4: 30 05 02 01 04 42 00 (UnbindRequest [APPLICATION 2]
     * NULL, primitive). */
    static const uint8_t unbind[] = {0x30, 0x05, 0x02, 0x01, 0x04, 0x42, 0x00};
    uint8_t out[64];
    size_t len = 0;
    CU_ASSERT_EQUAL(ber_encode_starttls(out, sizeof out, &len, 1, err, sizeof err), 0);
    assert_bytes(out, len, starttls, sizeof starttls);
    CU_ASSERT_EQUAL(ber_encode_unbind(out, sizeof out, &len, 4, err, sizeof err), 0);
    assert_bytes(out, len, unbind, sizeof unbind);
}

static void test_encode_ids(void)
{
    uint8_t out[64];
    size_t len = 0;
    /* 127 = 02 01 7f; 128 = 02 02 00 80; 2^31-1 = 02 04 7f ff ff ff. */
    CU_ASSERT_EQUAL(ber_encode_unbind(out, sizeof out, &len, 127, err, sizeof err), 0);
    assert_bytes(out, len, (const uint8_t *)"\x30\x05\x02\x01\x7f\x42\x00", 7);
    CU_ASSERT_EQUAL(ber_encode_unbind(out, sizeof out, &len, 128, err, sizeof err), 0);
    assert_bytes(out, len, (const uint8_t *)"\x30\x06\x02\x02\x00\x80\x42\x00", 8);
    CU_ASSERT_EQUAL(ber_encode_unbind(out, sizeof out, &len, 2147483647, err, sizeof err), 0);
    assert_bytes(out, len, (const uint8_t *)"\x30\x08\x02\x04\x7f\xff\xff\xff\x42\x00", 10);
    /* messageID 0 is the server's (unsolicited notification), negative
     * ones do not exist. */
    CU_ASSERT_EQUAL(ber_encode_unbind(out, sizeof out, &len, 0, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "messageID 0"));
    CU_ASSERT_EQUAL(ber_encode_bind(out, sizeof out, &len, -5, "", "", err, sizeof err), -1);
}

static void test_encode_too_small(void)
{
    /* Every capacity below the message's size fails, and never writes
     * past it (the guard bytes after it stay). */
    for (size_t cap = 0; cap < sizeof anon_bind; cap++) {
        uint8_t out[sizeof anon_bind + 8];
        memset(out, 0xee, sizeof out);
        size_t len = 12345;
        err[0] = '\0';
        CU_ASSERT_EQUAL(ber_encode_bind(out, cap, &len, 1, "", "", err, sizeof err), -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "does not fit"));
        for (size_t i = cap; i < sizeof out; i++)
            CU_ASSERT_EQUAL(out[i], 0xee);
    }
    uint8_t out[sizeof anon_bind];
    size_t len = 0;
    CU_ASSERT_EQUAL(ber_encode_bind(out, sizeof out, &len, 1, "", "", err, sizeof err), 0);
    CU_ASSERT_EQUAL(len, sizeof anon_bind);
}

/* ------------------------------------------------------------------------ */
/* Decoding valid responses                                                  */

/* BindResponse success, id 1:
 *   30 0c 02 01 01 61 07 0a 01 00 04 00 04 00
 *   (BindResponse [APPLICATION 1]: resultCode ENUMERATED 0, matchedDN "",
 *   diagnosticMessage "") */
static const uint8_t bind_ok[] = {0x30, 0x0c, 0x02, 0x01, 0x01, 0x61, 0x07, 0x0a,
                                  0x01, 0x00, 0x04, 0x00, 0x04, 0x00};

/* BindResponse invalidCredentials (49 = 0x31), diagnostic "bad", id 2:
 *   61 0a: 3 + 2 + 5 = 10; 30 0f: 3 + 2 + 10 = 15 */
static const uint8_t bind_49[] = {0x30, 0x0f, 0x02, 0x01, 0x02, 0x61, 0x0a, 0x0a, 0x01,
                                  0x31, 0x04, 0x00, 0x04, 0x03, 'b', 'a', 'd'};

/* SearchResultEntry ou=probe,dc=example,dc=org, no attributes, id 3:
 *   64 1e: (2 + 26) + 30 00 = 30; 30 23: 3 + 2 + 30 = 35 */
static const uint8_t search_entry[] = {
    0x30, 0x23, 0x02, 0x01, 0x03, 0x64, 0x1e, 0x04, 0x1a,
    'o', 'u', '=', 'p', 'r', 'o', 'b', 'e', ',', 'd', 'c', '=', 'e', 'x', 'a',
    'm', 'p', 'l', 'e', ',', 'd', 'c', '=', 'o', 'r', 'g', 0x30, 0x00};

/* SearchResultEntry with one attribute, as a server sends it when it
 * ignores "1.1": objectClass: organizationalUnit, typesOnly FALSE, id 3:
 *   attribute 30 23 { 04 0b objectClass (13), 31 14 { 04 12 organizationalUnit } (22) }
 *   attributes 30 25 (35 + 2 = 37); 64 43: 28 + 39 = 67; 30 48: 3 + 2 + 67 = 72 */
static const uint8_t search_entry_attr[] = {
    0x30, 0x48, 0x02, 0x01, 0x03, 0x64, 0x43, 0x04, 0x1a,
    'o', 'u', '=', 'p', 'r', 'o', 'b', 'e', ',', 'd', 'c', '=', 'e', 'x', 'a',
    'm', 'p', 'l', 'e', ',', 'd', 'c', '=', 'o', 'r', 'g',
    0x30, 0x25, 0x30, 0x23, 0x04, 0x0b, 'o', 'b', 'j', 'e', 'c', 't', 'C', 'l', 'a', 's',
    's', 0x31, 0x14, 0x04, 0x12, 'o', 'r', 'g', 'a', 'n', 'i', 'z', 'a', 't', 'i', 'o',
    'n', 'a', 'l', 'U', 'n', 'i', 't'};

/* SearchResultDone success, id 3: 30 0c 02 01 03 65 07 0a 01 00 04 00 04 00 */
static const uint8_t search_done[] = {0x30, 0x0c, 0x02, 0x01, 0x03, 0x65, 0x07, 0x0a,
                                      0x01, 0x00, 0x04, 0x00, 0x04, 0x00};

/* SearchResultDone noSuchObject (32 = 0x20), matchedDN dc=example,dc=org, id 3:
 *   65 18: 3 + (2 + 17) + 2 = 24; 30 1d: 3 + 2 + 24 = 29 */
static const uint8_t search_32[] = {
    0x30, 0x1d, 0x02, 0x01, 0x03, 0x65, 0x18, 0x0a, 0x01, 0x20, 0x04, 0x11,
    'd', 'c', '=', 'e', 'x', 'a', 'm', 'p', 'l', 'e', ',', 'd', 'c', '=', 'o', 'r', 'g',
    0x04, 0x00};

/* ExtendedResponse StartTLS success with responseName, id 1:
 *   78 1f: 7 + (2 + 22) = 31; 30 24: 3 + 2 + 31 = 36 */
static const uint8_t starttls_ok[] = {
    0x30, 0x24, 0x02, 0x01, 0x01, 0x78, 0x1f, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00,
    0x8a, 0x16, '1', '.', '3', '.', '6', '.', '1', '.', '4', '.', '1', '.', '1', '4',
    '6', '6', '.', '2', '0', '0', '3', '7'};

/* Notice of Disconnection (RFC 4511 4.4.1): messageID 0, ExtendedResponse
 * unavailable (52 = 0x34), diagnostic "bye", responseName
 * 1.3.6.1.4.1.1466.20036:  78 22: 3 + 2 + 5 + 24 = 34; 30 27: 3 + 2 + 34 = 39 */
static const uint8_t notice[] = {
    0x30, 0x27, 0x02, 0x01, 0x00, 0x78, 0x22, 0x0a, 0x01, 0x34, 0x04, 0x00, 0x04, 0x03,
    'b', 'y', 'e', 0x8a, 0x16, '1', '.', '3', '.', '6', '.', '1', '.', '4', '.', '1',
    '.', '1', '4', '6', '6', '.', '2', '0', '0', '3', '6'};

/* bind_ok with every length in the 4-octet long form, as Active
 * Directory writes them (BER allows it, X.690 8.1.3.5 note 2):
 *   61 84 00 00 00 07 (7); 30 84 00 00 00 10: 3 + 6 + 7 = 16 */
static const uint8_t bind_ok_long[] = {0x30, 0x84, 0x00, 0x00, 0x00, 0x10, 0x02, 0x01,
                                       0x01, 0x61, 0x84, 0x00, 0x00, 0x00, 0x07, 0x0a,
                                       0x01, 0x00, 0x04, 0x00, 0x04, 0x00};

/* bind_ok with controls [0] { SEQUENCE { controlType "1.2", criticality
 * TRUE, controlValue "x" } }:
 *   control: 04 03 "1.2" (5) + 01 01 ff (3) + 04 01 "x" (3) = 11 -> 30 0b (13)
 *   controls a0 0d (15); 30 1b: 3 + 9 + 15 = 27 */
static const uint8_t bind_ok_controls[] = {
    0x30, 0x1b, 0x02, 0x01, 0x01, 0x61, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00,
    0xa0, 0x0d, 0x30, 0x0b, 0x04, 0x03, '1', '.', '2', 0x01, 0x01, 0xff, 0x04, 0x01, 'x'};

/* SearchResultDone referral (10) with referral [3] { "ldap://h/" }:
 *   a3 0b { 04 09 ldap://h/ }  (13); 65 14: 7 + 13 = 20; 30 19: 3 + 2 + 20 = 25 */
static const uint8_t search_referral[] = {
    0x30, 0x19, 0x02, 0x01, 0x03, 0x65, 0x14, 0x0a, 0x01, 0x0a, 0x04, 0x00, 0x04, 0x00,
    0xa3, 0x0b, 0x04, 0x09, 'l', 'd', 'a', 'p', ':', '/', '/', 'h', '/'};

static void test_decode_results(void)
{
    struct ber_message m;
    CU_ASSERT_EQUAL(decode(bind_ok, sizeof bind_ok, &m), 0);
    CU_ASSERT_EQUAL(m.message_id, 1);
    CU_ASSERT_EQUAL(m.op, BER_OP_BIND_RESPONSE);
    CU_ASSERT_EQUAL(m.result_code, 0);
    CU_ASSERT(str_is(m.matched_dn, "") && str_is(m.diagnostic, ""));

    CU_ASSERT_EQUAL(decode(bind_49, sizeof bind_49, &m), 0);
    CU_ASSERT_EQUAL(m.message_id, 2);
    CU_ASSERT_EQUAL(m.result_code, BER_RESULT_INVALID_CREDENTIALS);
    CU_ASSERT(str_is(m.diagnostic, "bad"));

    CU_ASSERT_EQUAL(decode(search_32, sizeof search_32, &m), 0);
    CU_ASSERT_EQUAL(m.op, BER_OP_SEARCH_DONE);
    CU_ASSERT_EQUAL(m.result_code, BER_RESULT_NO_SUCH_OBJECT);
    CU_ASSERT(str_is(m.matched_dn, DN_SUFFIX));

    CU_ASSERT_EQUAL(decode(search_done, sizeof search_done, &m), 0);
    CU_ASSERT_EQUAL(m.op, BER_OP_SEARCH_DONE);
    CU_ASSERT_EQUAL(m.result_code, 0);

    CU_ASSERT_EQUAL(decode(starttls_ok, sizeof starttls_ok, &m), 0);
    CU_ASSERT_EQUAL(m.op, BER_OP_EXTENDED_RESPONSE);
    CU_ASSERT_EQUAL(m.result_code, 0);
    CU_ASSERT(str_is(m.response_name, BER_STARTTLS_OID));

    CU_ASSERT_EQUAL(decode(notice, sizeof notice, &m), 0);
    CU_ASSERT_EQUAL(m.message_id, 0);
    CU_ASSERT_EQUAL(m.result_code, 52);
    CU_ASSERT(str_is(m.diagnostic, "bye"));
    CU_ASSERT(str_is(m.response_name, "1.3.6.1.4.1.1466.20036"));

    CU_ASSERT_EQUAL(decode(bind_ok_long, sizeof bind_ok_long, &m), 0);
    CU_ASSERT_EQUAL(m.message_id, 1);
    CU_ASSERT_EQUAL(m.result_code, 0);

    CU_ASSERT_EQUAL(decode(bind_ok_controls, sizeof bind_ok_controls, &m), 0);
    CU_ASSERT_EQUAL(m.op, BER_OP_BIND_RESPONSE);

    CU_ASSERT_EQUAL(decode(search_referral, sizeof search_referral, &m), 0);
    CU_ASSERT_EQUAL(m.result_code, 10);
}

static void test_decode_entry(void)
{
    struct ber_message m;
    CU_ASSERT_EQUAL(decode(search_entry, sizeof search_entry, &m), 0);
    CU_ASSERT_EQUAL(m.op, BER_OP_SEARCH_ENTRY);
    CU_ASSERT_EQUAL(m.message_id, 3);
    CU_ASSERT_EQUAL(m.result_code, -1);
    CU_ASSERT(str_is(m.entry_dn, DN_PROBE));

    CU_ASSERT_EQUAL(decode(search_entry_attr, sizeof search_entry_attr, &m), 0);
    CU_ASSERT(str_is(m.entry_dn, DN_PROBE));
}

static void test_names(void)
{
    CU_ASSERT_STRING_EQUAL(ber_result_name(0), "success");
    CU_ASSERT_STRING_EQUAL(ber_result_name(32), "noSuchObject");
    CU_ASSERT_STRING_EQUAL(ber_result_name(49), "invalidCredentials");
    CU_ASSERT_STRING_EQUAL(ber_result_name(9), "unknown");
    CU_ASSERT_STRING_EQUAL(ber_result_name(-1), "unknown");
    CU_ASSERT_STRING_EQUAL(ber_op_name(0x61), "bindResponse");
    CU_ASSERT_STRING_EQUAL(ber_op_name(0x65), "searchResDone");
    CU_ASSERT_PTR_NULL(ber_op_name(0x7f));
}

/* ------------------------------------------------------------------------ */
/* The stream header                                                         */

static void test_head(void)
{
    size_t more = 99, n = 99;
    CU_ASSERT_EQUAL(ber_head_more(bind_ok, &more, err, sizeof err), 0);
    CU_ASSERT_EQUAL(more, 0);
    CU_ASSERT_EQUAL(ber_head_length(bind_ok, 2, &n, err, sizeof err), 0);
    CU_ASSERT_EQUAL(n, 12);
    CU_ASSERT_EQUAL(ber_head_more(bind_ok_long, &more, err, sizeof err), 0);
    CU_ASSERT_EQUAL(more, 4);
    CU_ASSERT_EQUAL(ber_head_length(bind_ok_long, 6, &n, err, sizeof err), 0);
    CU_ASSERT_EQUAL(n, 16);
    /* A header of the wrong size for its first length octet. */
    CU_ASSERT_EQUAL(ber_head_length(bind_ok_long, 5, &n, err, sizeof err), -1);
    CU_ASSERT_EQUAL(ber_head_length(bind_ok, 1, &n, err, sizeof err), -1);

    /* Not SEQUENCE, indefinite, 5 length octets, reserved 0xff. */
    CU_ASSERT_EQUAL(ber_head_more((const uint8_t *)"\x31\x0c", &more, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "tag 0x31"));
    CU_ASSERT_EQUAL(ber_head_more((const uint8_t *)"\x30\x80", &more, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "indefinite"));
    CU_ASSERT_EQUAL(ber_head_more((const uint8_t *)"\x30\x85", &more, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "5 octets"));
    CU_ASSERT_EQUAL(ber_head_more((const uint8_t *)"\x30\xff", &more, err, sizeof err), -1);

    /* The size limit: header 5 (30 83 xx xx xx) + content <= 262144. */
    CU_ASSERT_EQUAL(BER_MESSAGE_MAX, 262144);
    CU_ASSERT_EQUAL(ber_head_length((const uint8_t *)"\x30\x83\x03\xff\xfb", 5, &n, err,
                                    sizeof err), 0);
    CU_ASSERT_EQUAL(n, 262139);
    CU_ASSERT_EQUAL(ber_head_length((const uint8_t *)"\x30\x83\x03\xff\xfc", 5, &n, err,
                                    sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "at most 262144"));
    /* Huge: 4 GiB - 1. */
    CU_ASSERT_EQUAL(ber_head_length((const uint8_t *)"\x30\x84\xff\xff\xff\xff", 6, &n,
                                    err, sizeof err), -1);
}

/* ------------------------------------------------------------------------ */
/* Malformed                                                                 */

struct vector {
    const char *name;
    const uint8_t *bytes;
    size_t len;
};

#define V(name) {#name, name, sizeof name}
static const struct vector valid[] = {
    V(bind_ok), V(bind_49), V(search_entry), V(search_entry_attr), V(search_done),
    V(search_32), V(starttls_ok), V(notice), V(bind_ok_long), V(bind_ok_controls),
    V(search_referral),
};
#define N_VALID (sizeof valid / sizeof valid[0])

static void test_truncated(void)
{
    /* Every proper prefix of every valid message fails, with a reason. */
    for (size_t v = 0; v < N_VALID; v++) {
        for (size_t len = 0; len < valid[v].len; len++) {
            struct ber_message m;
            int rc = decode(valid[v].bytes, len, &m);
            CU_ASSERT_EQUAL(rc, -1);
            CU_ASSERT(err[0] != '\0');
            if (rc != -1)
                fprintf(stderr, "\n    %s cut to %zu bytes decoded\n", valid[v].name, len);
        }
    }
}

/* Decode @p bytes (a literal) and expect -1 with @p reason in the error. */
#define BAD(bytes, reason)                                                   \
    do {                                                                     \
        struct ber_message m_;                                               \
        CU_ASSERT_EQUAL(decode((const uint8_t *)(bytes), sizeof(bytes) - 1, &m_), -1); \
        if (!strstr(err, (reason))) {                                        \
            CU_FAIL("error text");                                           \
            fprintf(stderr, "\n    want \"%s\" in \"%s\"\n", (reason), err); \
        }                                                                    \
    } while (0)

static void test_malformed(void)
{
    /* Lengths: past the end (outer and inner), indefinite, 5 octets,
     * long-form octets cut short, huge. */
    BAD("\x30\x0d\x02\x01\x01\x61\x07\x0a\x01\x00\x04\x00\x04\x00",
        "LDAPMessage: length 13 past the end (12 bytes left)");
    BAD("\x30\x0c\x02\x01\x01\x61\x08\x0a\x01\x00\x04\x00\x04\x00", "past the end");
    BAD("\x30\x0c\x02\x01\x01\x61\x07\x0a\x01\x00\x04\x00\x04\x01", "diagnosticMessage");
    BAD("\x30\x80\x02\x01\x01\x61\x07\x0a\x01\x00\x04\x00\x04\x00\x00\x00", "indefinite");
    BAD("\x30\x0e\x02\x01\x01\x61\x80\x0a\x01\x00\x04\x00\x04\x00\x00\x00", "indefinite");
    BAD("\x30\x85\x00\x00\x00\x00\x0c\x02\x01\x01\x61\x07\x0a\x01\x00\x04\x00\x04\x00",
        "5 octets");
    BAD("\x30\x84\x00\x00", "cut short");
    BAD("\x30\x84\xff\xff\xff\xff\x02\x01\x01", "past the end");
    BAD("\x30\x84\x7f\xff\xff\xff", "past the end");
    /* Trailing bytes after the message, and inside it after the op. */
    BAD("\x30\x0c\x02\x01\x01\x61\x07\x0a\x01\x00\x04\x00\x04\x00\x00",
        "1 unexpected bytes");
    BAD("\x30\x0e\x02\x01\x01\x61\x07\x0a\x01\x00\x04\x00\x04\x00\x04\x00",
        "LDAPMessage: 2 unexpected bytes");
    BAD("\x30\x0e\x02\x01\x01\x61\x09\x0a\x01\x00\x04\x00\x04\x00\x05\x00",
        "LDAPResult: 2 unexpected");
    /* Wrong tags at each level. */
    BAD("\x31\x0c\x02\x01\x01\x61\x07\x0a\x01\x00\x04\x00\x04\x00",
        "LDAPMessage: tag 0x31, expected 0x30");
    BAD("\x30\x0c\x04\x01\x01\x61\x07\x0a\x01\x00\x04\x00\x04\x00", "messageID: tag 0x04");
    BAD("\x30\x0c\x02\x01\x01\x61\x07\x02\x01\x00\x04\x00\x04\x00", "resultCode: tag 0x02");
    BAD("\x30\x0c\x02\x01\x01\x61\x07\x0a\x01\x00\x24\x00\x04\x00", "matchedDN: tag 0x24");
    BAD("\x30\x0c\x02\x01\x01\x60\x07\x02\x01\x03\x04\x00\x80\x00",
        "bindRequest (0x60) is not a response");
    BAD("\x30\x0c\x02\x01\x01\xa1\x07\x0a\x01\x00\x04\x00\x04\x00",
        "tag 0xa1 is not an LDAP response");
    BAD("\x30\x0c\x02\x01\x01\x7f\x07\x0a\x01\x00\x04\x00\x04\x00", "high tag number");
    BAD("\x30\x05\x02\x01\x01\x61\x00", "resultCode: cut short");
    BAD("\x30\x07\x02\x01\x01\x64\x02\x04\x00", "attributes: cut short");
    BAD("\x30\x09\x02\x01\x01\x64\x04\x04\x00\x31\x00", "attributes: tag 0x31");
    BAD("\x30\x0b\x02\x01\x01\x64\x06\x04\x00\x30\x02\x04\x00", "attribute: tag 0x04");
    BAD("\x30\x05\x02\x01\x01\x73\x00", "searchResRef: no URI");
    /* Controls of the wrong shape. */
    BAD("\x30\x10\x02\x01\x01\x61\x07\x0a\x01\x00\x04\x00\x04\x00\xa0\x02\x04\x00",
        "control: tag 0x04");
    BAD("\x30\x14\x02\x01\x01\x61\x07\x0a\x01\x00\x04\x00\x04\x00\xa0\x06\x30\x04\x04\x00"
        "\x01\x00", "criticality: BOOLEAN of 0 octets");
    /* Integers: empty, negative, not minimal, too long. */
    BAD("\x30\x0b\x02\x00\x61\x07\x0a\x01\x00\x04\x00\x04\x00", "messageID: empty integer");
    BAD("\x30\x0c\x02\x01\xff\x61\x07\x0a\x01\x00\x04\x00\x04\x00", "messageID: negative");
    BAD("\x30\x0d\x02\x02\x00\x01\x61\x07\x0a\x01\x00\x04\x00\x04\x00",
        "not minimally encoded");
    BAD("\x30\x10\x02\x05\x00\x80\x00\x00\x00\x61\x07\x0a\x01\x00\x04\x00\x04\x00",
        "5 octets");
    BAD("\x30\x0c\x02\x01\x01\x61\x07\x0a\x01\x80\x04\x00\x04\x00", "resultCode: negative");
    /* Nothing at all, and one byte. */
    BAD("", "cut short");
    BAD("\x30", "cut short");
}

static void test_mutations(void)
{
    /* Every single-byte change of every valid message (each byte set to
     * a handful of values that matter to BER: 0, lengths around 0x80,
     * 0xff, each tag's neighbours) decodes or fails cleanly; no crash, no
     * read past the exact-size copy (ASan), and a reason on failure. */
    static const uint8_t values[] = {0x00, 0x01, 0x02, 0x04, 0x0a, 0x30, 0x7f, 0x80,
                                     0x81, 0x82, 0x84, 0x85, 0xa0, 0xff};
    unsigned decoded = 0, failed = 0;
    for (size_t v = 0; v < N_VALID; v++) {
        uint8_t buf[128];
        CU_ASSERT_FATAL(valid[v].len <= sizeof buf);
        for (size_t i = 0; i < valid[v].len; i++) {
            for (size_t k = 0; k < sizeof values; k++) {
                memcpy(buf, valid[v].bytes, valid[v].len);
                if (buf[i] == values[k])
                    continue;
                buf[i] = values[k];
                struct ber_message m;
                int rc = decode(buf, valid[v].len, &m);
                CU_ASSERT(rc == 0 || rc == -1);
                if (rc == 0) {
                    decoded++;
                } else {
                    failed++;
                    CU_ASSERT(err[0] != '\0');
                }
            }
        }
    }
    /* Both outcomes happen (string bytes change freely, structure bytes
     * do not). */
    fprintf(stderr, "\n    %u mutations decoded, %u refused\n", decoded, failed);
    CU_ASSERT(decoded > 0);
    CU_ASSERT(failed > 0);
}

static void test_round_trip_requests(void)
{
    /* The decoder refuses what the encoder writes (requests are not
     * responses), and the structure it sees is whole: it names the op. */
    uint8_t out[256];
    size_t len = 0;
    struct ber_message m;
    CU_ASSERT_EQUAL(ber_encode_search(out, sizeof out, &len, 7, DN_PROBE, 5, err,
                                      sizeof err), 0);
    CU_ASSERT_EQUAL(decode(out, len, &m), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "searchRequest (0x63) is not a response"));
    CU_ASSERT_EQUAL(m.message_id, 7);
}

UT_MAIN("ber",
        {"encode bind", test_encode_bind},
        {"encode long lengths", test_encode_long_length},
        {"encode search", test_encode_search},
        {"encode starttls and unbind", test_encode_starttls_unbind},
        {"encode message ids", test_encode_ids},
        {"encode into too small a buffer", test_encode_too_small},
        {"decode results", test_decode_results},
        {"decode search entries", test_decode_entry},
        {"op and result names", test_names},
        {"stream header", test_head},
        {"every prefix is truncated", test_truncated},
        {"malformed inputs", test_malformed},
        {"single-byte mutations", test_mutations},
        {"requests are not responses", test_round_trip_requests})
