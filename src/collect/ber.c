/*
 * ber.c - the LDAP probe's BER codec (see ber.h).
 *
 * Encoding writes backwards, from the end of the caller's buffer towards
 * its start, so a constructed element's length is known (it is what was
 * written since its mark) when its header is written; the message is
 * moved to the start of the buffer at the end.  Decoding walks a
 * (pointer, bytes left) reader: every TLV's length is checked against
 * what is left of its parent before anything inside it is read.
 */
#include <stdio.h>
#include <string.h>

#include "ber.h"

/* ------------------------------------------------------------------------ */
/* Encoding                                                                  */

/* Universal and context tags used below (X.690 8.1.2, RFC 4511 4.5.1). */
#define TAG_BOOLEAN 0x01
#define TAG_INTEGER 0x02
#define TAG_OCTET_STRING 0x04
#define TAG_ENUMERATED 0x0a
#define TAG_SEQUENCE 0x30
#define TAG_SET 0x31
#define TAG_SIMPLE_AUTH 0x80      /* AuthenticationChoice simple [0] */
#define TAG_FILTER_PRESENT 0x87   /* Filter present [7] AttributeDescription */
#define TAG_EXT_NAME 0x80         /* ExtendedRequest requestName [0] */
#define TAG_CONTROLS 0xa0         /* LDAPMessage controls [0] */
#define TAG_REFERRAL 0xa3         /* LDAPResult referral [3] */
#define TAG_SASL_CREDS 0x87       /* BindResponse serverSaslCreds [7] */
#define TAG_EXT_RESP_NAME 0x8a    /* ExtendedResponse responseName [10] */
#define TAG_EXT_RESP_VALUE 0x8b   /* ExtendedResponse responseValue [11] */
#define TAG_INTER_NAME 0x80       /* IntermediateResponse responseName [0] */
#define TAG_INTER_VALUE 0x81      /* IntermediateResponse responseValue [1] */

#define INT32_MAX_ 2147483647

struct writer {
    uint8_t *buf;
    size_t pos;          /* first byte written; starts at the capacity */
    int full;            /* something did not fit */
};

static void put(struct writer *w, const void *p, size_t n)
{
    if (w->full || n > w->pos) {
        w->full = 1;
        return;
    }
    w->pos -= n;
    if (n)
        memcpy(w->buf + w->pos, p, n);
}

static void put_byte(struct writer *w, uint8_t b)
{
    put(w, &b, 1);
}

/* A definite length, short form below 128, else the fewest octets. */
static void put_length(struct writer *w, size_t n)
{
    if (n < 0x80) {
        put_byte(w, (uint8_t)n);
        return;
    }
    uint8_t octets = 0;
    while (n) {
        put_byte(w, (uint8_t)(n & 0xff));
        n >>= 8;
        octets++;
    }
    put_byte(w, (uint8_t)(0x80 | octets));
}

/* The header of the element whose content was written since @p mark. */
static void put_header(struct writer *w, uint8_t tag, size_t mark)
{
    put_length(w, mark - w->pos);
    put_byte(w, tag);
}

static void put_octets(struct writer *w, uint8_t tag, const void *p, size_t n)
{
    size_t mark = w->pos;
    put(w, p, n);
    put_header(w, tag, mark);
}

/* A non-negative INTEGER or ENUMERATED in the fewest octets (X.690
 * 8.3.2): a leading 0x00 only when the next octet's top bit is set. */
static void put_int(struct writer *w, uint8_t tag, int32_t v)
{
    size_t mark = w->pos;
    uint32_t u = (uint32_t)v;
    do {
        put_byte(w, (uint8_t)(u & 0xff));
        u >>= 8;
    } while (u);
    if (!w->full && (w->buf[w->pos] & 0x80))
        put_byte(w, 0);
    put_header(w, tag, mark);
}

static void writer_init(struct writer *w, uint8_t *out, size_t cap)
{
    w->buf = out;
    w->pos = cap;
    w->full = 0;
}

/* Wrap what was written (the protocolOp) into the LDAPMessage envelope
 * with messageID @p id, and move it to the start of the buffer. */
static int writer_finish(struct writer *w, size_t cap, int32_t id, size_t *len,
                         char *err, size_t errlen)
{
    put_int(w, TAG_INTEGER, id);
    put_header(w, TAG_SEQUENCE, cap);
    if (w->full) {
        snprintf(err, errlen, "request does not fit in %zu bytes", cap);
        return -1;
    }
    *len = cap - w->pos;
    memmove(w->buf, w->buf + w->pos, *len);
    return 0;
}

static int check_id(int32_t id, char *err, size_t errlen)
{
    if (id < 1) {
        snprintf(err, errlen, "messageID %ld out of range 1..%ld", (long)id,
                 (long)INT32_MAX_);
        return -1;
    }
    return 0;
}

int ber_encode_bind(uint8_t *out, size_t cap, size_t *len, int32_t id,
                    const char *dn, const char *password, char *err, size_t errlen)
{
    if (check_id(id, err, errlen) != 0)
        return -1;
    if (!dn)
        dn = "";
    if (!password)
        password = "";
    /* BindRequest ::= [APPLICATION 0] SEQUENCE { version INTEGER (1..127),
     *     name LDAPDN, authentication AuthenticationChoice }
     * AuthenticationChoice ::= CHOICE { simple [0] OCTET STRING, ... } */
    struct writer w;
    writer_init(&w, out, cap);
    size_t op = w.pos;
    put_octets(&w, TAG_SIMPLE_AUTH, password, strlen(password));
    put_octets(&w, TAG_OCTET_STRING, dn, strlen(dn));
    put_int(&w, TAG_INTEGER, 3);
    put_header(&w, BER_OP_BIND_REQUEST, op);
    return writer_finish(&w, cap, id, len, err, errlen);
}

int ber_encode_search(uint8_t *out, size_t cap, size_t *len, int32_t id,
                      const char *base, int32_t time_limit_s, char *err, size_t errlen)
{
    if (check_id(id, err, errlen) != 0)
        return -1;
    if (time_limit_s < 0) {
        snprintf(err, errlen, "timeLimit %ld is negative", (long)time_limit_s);
        return -1;
    }
    if (!base)
        base = "";
    /* SearchRequest ::= [APPLICATION 3] SEQUENCE { baseObject LDAPDN,
     *     scope ENUMERATED, derefAliases ENUMERATED, sizeLimit INTEGER,
     *     timeLimit INTEGER, typesOnly BOOLEAN, filter Filter,
     *     attributes AttributeSelection } */
    static const char attr[] = "objectClass";
    static const char no_attrs[] = "1.1";  /* RFC 4511 4.5.1.8 */
    struct writer w;
    writer_init(&w, out, cap);
    size_t op = w.pos;   /* the attribute list starts there too */
    put_octets(&w, TAG_OCTET_STRING, no_attrs, sizeof no_attrs - 1);
    put_header(&w, TAG_SEQUENCE, op);
    put_octets(&w, TAG_FILTER_PRESENT, attr, sizeof attr - 1);
    put_octets(&w, TAG_BOOLEAN, "\xff", 1);         /* typesOnly TRUE */
    put_int(&w, TAG_INTEGER, time_limit_s);
    put_int(&w, TAG_INTEGER, 1);                    /* sizeLimit */
    put_int(&w, TAG_ENUMERATED, 0);                 /* neverDerefAliases */
    put_int(&w, TAG_ENUMERATED, 0);                 /* baseObject */
    put_octets(&w, TAG_OCTET_STRING, base, strlen(base));
    put_header(&w, BER_OP_SEARCH_REQUEST, op);
    return writer_finish(&w, cap, id, len, err, errlen);
}

int ber_encode_starttls(uint8_t *out, size_t cap, size_t *len, int32_t id,
                        char *err, size_t errlen)
{
    if (check_id(id, err, errlen) != 0)
        return -1;
    /* ExtendedRequest ::= [APPLICATION 23] SEQUENCE {
     *     requestName [0] LDAPOID, requestValue [1] OCTET STRING OPTIONAL } */
    struct writer w;
    writer_init(&w, out, cap);
    size_t op = w.pos;
    put_octets(&w, TAG_EXT_NAME, BER_STARTTLS_OID, sizeof BER_STARTTLS_OID - 1);
    put_header(&w, BER_OP_EXTENDED_REQUEST, op);
    return writer_finish(&w, cap, id, len, err, errlen);
}

int ber_encode_unbind(uint8_t *out, size_t cap, size_t *len, int32_t id,
                      char *err, size_t errlen)
{
    if (check_id(id, err, errlen) != 0)
        return -1;
    /* UnbindRequest ::= [APPLICATION 2] NULL */
    struct writer w;
    writer_init(&w, out, cap);
    put_octets(&w, BER_OP_UNBIND_REQUEST, NULL, 0);
    return writer_finish(&w, cap, id, len, err, errlen);
}

/* ------------------------------------------------------------------------ */
/* Reading the header off a stream                                           */

int ber_head_more(const uint8_t head[2], size_t *more, char *err, size_t errlen)
{
    if (head[0] != TAG_SEQUENCE) {
        snprintf(err, errlen, "not an LDAPMessage: tag 0x%02x, expected 0x30", head[0]);
        return -1;
    }
    if (head[1] < 0x80) {
        *more = 0;
        return 0;
    }
    if (head[1] == 0x80) {
        snprintf(err, errlen, "indefinite length");
        return -1;
    }
    size_t n = head[1] & 0x7fu;
    if (n > 4) {
        snprintf(err, errlen, "length of %zu octets (at most 4)", n);
        return -1;
    }
    *more = n;
    return 0;
}

int ber_head_length(const uint8_t *head, size_t head_len, size_t *content_len,
                    char *err, size_t errlen)
{
    size_t more;
    if (head_len < 2) {
        snprintf(err, errlen, "header cut short (%zu bytes)", head_len);
        return -1;
    }
    if (ber_head_more(head, &more, err, errlen) != 0)
        return -1;
    if (head_len != 2 + more) {
        snprintf(err, errlen, "header of %zu bytes, expected %zu", head_len, 2 + more);
        return -1;
    }
    size_t n = more ? 0 : head[1];
    for (size_t i = 0; i < more; i++)
        n = (n << 8) | head[2 + i];
    if (n > BER_MESSAGE_MAX - head_len) {
        snprintf(err, errlen, "message of %zu bytes (at most %u)", n + head_len,
                 BER_MESSAGE_MAX);
        return -1;
    }
    *content_len = n;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Decoding                                                                  */

struct reader {
    const uint8_t *p;
    size_t left;
};

/*
 * Read one TLV off @p r: its tag into *@p tag, its content as the reader
 * @p content; @p r moves past it.  Only low tag numbers (every tag LDAP
 * uses), definite lengths of at most 4 octets, within what is left.
 */
static int read_tlv(struct reader *r, const char *what, unsigned *tag,
                    struct reader *content, char *err, size_t errlen)
{
    if (r->left < 2) {
        snprintf(err, errlen, "%s: cut short (%zu bytes left, a TLV needs 2)", what,
                 r->left);
        return -1;
    }
    const uint8_t *p = r->p;
    size_t left = r->left;
    if ((p[0] & 0x1f) == 0x1f) {
        snprintf(err, errlen, "%s: high tag number form (tag 0x%02x)", what, p[0]);
        return -1;
    }
    *tag = p[0];
    size_t n, head;
    if (p[1] < 0x80) {
        n = p[1];
        head = 2;
    } else if (p[1] == 0x80) {
        snprintf(err, errlen, "%s: indefinite length", what);
        return -1;
    } else {
        size_t octets = p[1] & 0x7fu;
        if (octets > 4) {
            snprintf(err, errlen, "%s: length of %zu octets (at most 4)", what, octets);
            return -1;
        }
        if (left - 2 < octets) {
            snprintf(err, errlen, "%s: length of %zu octets cut short (%zu left)", what,
                     octets, left - 2);
            return -1;
        }
        n = 0;
        for (size_t i = 0; i < octets; i++)
            n = (n << 8) | p[2 + i];
        head = 2 + octets;
    }
    if (n > left - head) {
        snprintf(err, errlen, "%s: length %zu past the end (%zu bytes left)", what, n,
                 left - head);
        return -1;
    }
    content->p = p + head;
    content->left = n;
    r->p = p + head + n;
    r->left = left - head - n;
    return 0;
}

/* read_tlv() that wants tag @p want. */
static int expect_tlv(struct reader *r, const char *what, unsigned want,
                      struct reader *content, char *err, size_t errlen)
{
    unsigned tag;
    if (read_tlv(r, what, &tag, content, err, errlen) != 0)
        return -1;
    if (tag != want) {
        snprintf(err, errlen, "%s: tag 0x%02x, expected 0x%02x", what, tag, want);
        return -1;
    }
    return 0;
}

/* Is the next element's tag @p tag (without reading it)? */
static int next_is(const struct reader *r, unsigned tag)
{
    return r->left > 0 && r->p[0] == tag;
}

/* A non-negative INTEGER/ENUMERATED of at most 31 bits, minimally
 * encoded (X.690 8.3.2). */
static int read_int(struct reader *r, const char *what, unsigned tag, int32_t *v,
                    char *err, size_t errlen)
{
    struct reader c;
    if (expect_tlv(r, what, tag, &c, err, errlen) != 0)
        return -1;
    if (c.left == 0) {
        snprintf(err, errlen, "%s: empty integer", what);
        return -1;
    }
    if (c.left > 1 && ((c.p[0] == 0 && !(c.p[1] & 0x80)) ||
                       (c.p[0] == 0xff && (c.p[1] & 0x80)))) {
        snprintf(err, errlen, "%s: integer not minimally encoded", what);
        return -1;
    }
    if (c.p[0] & 0x80) {
        snprintf(err, errlen, "%s: negative", what);
        return -1;
    }
    if (c.left > 4) {
        snprintf(err, errlen, "%s: integer of %zu octets (at most 4)", what, c.left);
        return -1;
    }
    uint32_t u = 0;
    for (size_t i = 0; i < c.left; i++)
        u = (u << 8) | c.p[i];
    *v = (int32_t)u;
    return 0;
}

static int read_string(struct reader *r, const char *what, unsigned tag,
                       struct ber_str *s, char *err, size_t errlen)
{
    struct reader c;
    if (expect_tlv(r, what, tag, &c, err, errlen) != 0)
        return -1;
    s->p = c.p;
    s->len = c.left;
    return 0;
}

static int check_empty(const struct reader *r, const char *what, char *err,
                       size_t errlen)
{
    if (r->left) {
        snprintf(err, errlen, "%s: %zu unexpected bytes at the end", what, r->left);
        return -1;
    }
    return 0;
}

/* SEQUENCE SIZE (1..MAX) OF OCTET STRING (Referral's URIs, and
 * SearchResultReference's): the content of @p r. */
static int read_uris(struct reader *r, const char *what, char *err, size_t errlen)
{
    if (r->left == 0) {
        snprintf(err, errlen, "%s: no URI", what);
        return -1;
    }
    while (r->left) {
        struct ber_str uri;
        if (read_string(r, what, TAG_OCTET_STRING, &uri, err, errlen) != 0)
            return -1;
    }
    return 0;
}

/* The LDAPResult components of @p op's content @p c, then the optional
 * fields of that op, in their order. */
static int read_result(struct reader *c, unsigned op, struct ber_message *msg,
                       char *err, size_t errlen)
{
    if (read_int(c, "resultCode", TAG_ENUMERATED, &msg->result_code, err, errlen) != 0 ||
        read_string(c, "matchedDN", TAG_OCTET_STRING, &msg->matched_dn, err, errlen) != 0 ||
        read_string(c, "diagnosticMessage", TAG_OCTET_STRING, &msg->diagnostic, err,
                    errlen) != 0)
        return -1;
    struct reader sub;
    if (next_is(c, TAG_REFERRAL)) {
        if (expect_tlv(c, "referral", TAG_REFERRAL, &sub, err, errlen) != 0 ||
            read_uris(&sub, "referral", err, errlen) != 0)
            return -1;
    }
    if (op == BER_OP_BIND_RESPONSE && next_is(c, TAG_SASL_CREDS)) {
        struct ber_str creds;
        if (read_string(c, "serverSaslCreds", TAG_SASL_CREDS, &creds, err, errlen) != 0)
            return -1;
    }
    if (op == BER_OP_EXTENDED_RESPONSE) {
        if (next_is(c, TAG_EXT_RESP_NAME) &&
            read_string(c, "responseName", TAG_EXT_RESP_NAME, &msg->response_name, err,
                        errlen) != 0)
            return -1;
        struct ber_str value;
        if (next_is(c, TAG_EXT_RESP_VALUE) &&
            read_string(c, "responseValue", TAG_EXT_RESP_VALUE, &value, err, errlen) != 0)
            return -1;
    }
    return check_empty(c, "LDAPResult", err, errlen);
}

/* SearchResultEntry ::= [APPLICATION 4] SEQUENCE { objectName LDAPDN,
 *     attributes PartialAttributeList }
 * PartialAttributeList ::= SEQUENCE OF SEQUENCE { type AttributeDescription,
 *     vals SET OF value AttributeValue } */
static int read_entry(struct reader *c, struct ber_message *msg, char *err, size_t errlen)
{
    struct reader attrs;
    if (read_string(c, "objectName", TAG_OCTET_STRING, &msg->entry_dn, err, errlen) != 0 ||
        expect_tlv(c, "attributes", TAG_SEQUENCE, &attrs, err, errlen) != 0)
        return -1;
    while (attrs.left) {
        struct reader attr, vals;
        struct ber_str s;
        if (expect_tlv(&attrs, "attribute", TAG_SEQUENCE, &attr, err, errlen) != 0 ||
            read_string(&attr, "attribute type", TAG_OCTET_STRING, &s, err, errlen) != 0 ||
            expect_tlv(&attr, "attribute values", TAG_SET, &vals, err, errlen) != 0 ||
            check_empty(&attr, "attribute", err, errlen) != 0)
            return -1;
        while (vals.left)
            if (read_string(&vals, "attribute value", TAG_OCTET_STRING, &s, err,
                            errlen) != 0)
                return -1;
    }
    return check_empty(c, "searchResEntry", err, errlen);
}

/* Controls ::= SEQUENCE OF control Control
 * Control ::= SEQUENCE { controlType LDAPOID, criticality BOOLEAN DEFAULT
 *     FALSE, controlValue OCTET STRING OPTIONAL } */
static int read_controls(struct reader *c, char *err, size_t errlen)
{
    while (c->left) {
        struct reader ctl, b;
        struct ber_str s;
        if (expect_tlv(c, "control", TAG_SEQUENCE, &ctl, err, errlen) != 0 ||
            read_string(&ctl, "controlType", TAG_OCTET_STRING, &s, err, errlen) != 0)
            return -1;
        if (next_is(&ctl, TAG_BOOLEAN)) {
            if (expect_tlv(&ctl, "criticality", TAG_BOOLEAN, &b, err, errlen) != 0)
                return -1;
            if (b.left != 1) {
                snprintf(err, errlen, "criticality: BOOLEAN of %zu octets", b.left);
                return -1;
            }
        }
        if (next_is(&ctl, TAG_OCTET_STRING) &&
            read_string(&ctl, "controlValue", TAG_OCTET_STRING, &s, err, errlen) != 0)
            return -1;
        if (check_empty(&ctl, "control", err, errlen) != 0)
            return -1;
    }
    return 0;
}

int ber_message_decode(const uint8_t *buf, size_t len, struct ber_message *msg,
                       char *err, size_t errlen)
{
    memset(msg, 0, sizeof *msg);
    msg->result_code = -1;
    if (len > BER_MESSAGE_MAX) {
        snprintf(err, errlen, "message of %zu bytes (at most %u)", len, BER_MESSAGE_MAX);
        return -1;
    }
    struct reader all = {buf, len}, m, op;
    if (expect_tlv(&all, "LDAPMessage", TAG_SEQUENCE, &m, err, errlen) != 0 ||
        check_empty(&all, "LDAPMessage", err, errlen) != 0 ||
        read_int(&m, "messageID", TAG_INTEGER, &msg->message_id, err, errlen) != 0 ||
        read_tlv(&m, "protocolOp", &msg->op, &op, err, errlen) != 0)
        return -1;
    if (next_is(&m, TAG_CONTROLS)) {
        struct reader ctls;
        if (expect_tlv(&m, "controls", TAG_CONTROLS, &ctls, err, errlen) != 0 ||
            read_controls(&ctls, err, errlen) != 0)
            return -1;
    }
    if (check_empty(&m, "LDAPMessage", err, errlen) != 0)
        return -1;

    const char *name = ber_op_name(msg->op);
    switch (msg->op) {
    case BER_OP_BIND_RESPONSE:
    case BER_OP_SEARCH_DONE:
    case BER_OP_EXTENDED_RESPONSE:
    case 0x67: /* modifyResponse */
    case 0x69: /* addResponse */
    case 0x6b: /* delResponse */
    case 0x6d: /* modDNResponse */
    case 0x6f: /* compareResponse */
        return read_result(&op, msg->op, msg, err, errlen);
    case BER_OP_SEARCH_ENTRY:
        return read_entry(&op, msg, err, errlen);
    case BER_OP_SEARCH_REFERENCE:
        return read_uris(&op, "searchResRef", err, errlen);
    case BER_OP_INTERMEDIATE_RESPONSE: {
        struct ber_str s;
        if (next_is(&op, TAG_INTER_NAME) &&
            read_string(&op, "responseName", TAG_INTER_NAME, &s, err, errlen) != 0)
            return -1;
        if (next_is(&op, TAG_INTER_VALUE) &&
            read_string(&op, "responseValue", TAG_INTER_VALUE, &s, err, errlen) != 0)
            return -1;
        return check_empty(&op, "intermediateResponse", err, errlen);
    }
    default:
        if (name)
            snprintf(err, errlen, "protocolOp: %s (0x%02x) is not a response", name,
                     msg->op);
        else
            snprintf(err, errlen, "protocolOp: tag 0x%02x is not an LDAP response",
                     msg->op);
        return -1;
    }
}

const char *ber_op_name(unsigned op)
{
    switch (op) {
    case BER_OP_BIND_REQUEST: return "bindRequest";
    case BER_OP_BIND_RESPONSE: return "bindResponse";
    case BER_OP_UNBIND_REQUEST: return "unbindRequest";
    case BER_OP_SEARCH_REQUEST: return "searchRequest";
    case BER_OP_SEARCH_ENTRY: return "searchResEntry";
    case BER_OP_SEARCH_DONE: return "searchResDone";
    case BER_OP_SEARCH_REFERENCE: return "searchResRef";
    case 0x66: return "modifyRequest";
    case 0x67: return "modifyResponse";
    case 0x68: return "addRequest";
    case 0x69: return "addResponse";
    case 0x4a: return "delRequest";
    case 0x6b: return "delResponse";
    case 0x6c: return "modDNRequest";
    case 0x6d: return "modDNResponse";
    case 0x6e: return "compareRequest";
    case 0x6f: return "compareResponse";
    case 0x50: return "abandonRequest";
    case BER_OP_EXTENDED_REQUEST: return "extendedReq";
    case BER_OP_EXTENDED_RESPONSE: return "extendedResp";
    case BER_OP_INTERMEDIATE_RESPONSE: return "intermediateResponse";
    default: return NULL;
    }
}

const char *ber_result_name(int32_t code)
{
    /* RFC 4511 4.1.9 and Appendix A. */
    switch (code) {
    case 0: return "success";
    case 1: return "operationsError";
    case 2: return "protocolError";
    case 3: return "timeLimitExceeded";
    case 4: return "sizeLimitExceeded";
    case 5: return "compareFalse";
    case 6: return "compareTrue";
    case 7: return "authMethodNotSupported";
    case 8: return "strongerAuthRequired";
    case 10: return "referral";
    case 11: return "adminLimitExceeded";
    case 12: return "unavailableCriticalExtension";
    case 13: return "confidentialityRequired";
    case 14: return "saslBindInProgress";
    case 16: return "noSuchAttribute";
    case 17: return "undefinedAttributeType";
    case 18: return "inappropriateMatching";
    case 19: return "constraintViolation";
    case 20: return "attributeOrValueExists";
    case 21: return "invalidAttributeSyntax";
    case 32: return "noSuchObject";
    case 33: return "aliasProblem";
    case 34: return "invalidDNSyntax";
    case 36: return "aliasDereferencingProblem";
    case 48: return "inappropriateAuthentication";
    case 49: return "invalidCredentials";
    case 50: return "insufficientAccessRights";
    case 51: return "busy";
    case 52: return "unavailable";
    case 53: return "unwillingToPerform";
    case 54: return "loopDetect";
    case 64: return "namingViolation";
    case 65: return "objectClassViolation";
    case 66: return "notAllowedOnNonLeaf";
    case 67: return "notAllowedOnRDN";
    case 68: return "entryAlreadyExists";
    case 69: return "objectClassModsProhibited";
    case 71: return "affectsMultipleDSAs";
    case 80: return "other";
    default: return "unknown";
    }
}
