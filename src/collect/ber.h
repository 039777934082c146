/*
 * ber.h - a small, strict BER codec (X.690) for exactly the LDAPv3
 * messages (RFC 4511) the LDAP probe sends and reads: it encodes a
 * simple BindRequest, a base-object SearchRequest, the StartTLS
 * ExtendedRequest and an UnbindRequest, and decodes an LDAPMessage
 * envelope and the LDAPResult of BindResponse, SearchResultDone and
 * ExtendedResponse, and the objectName of SearchResultEntry.
 *
 * Decoding is over a buffer the caller holds: definite lengths only
 * (short form, or long form of 1 to 4 length octets), every length
 * checked against what is left of its enclosing element, a message at
 * most BER_MESSAGE_MAX bytes, no recursion (the nesting of an LDAP
 * response is fixed, and the decoder walks it with loops).  Malformed
 * input gives -1 and a reason, never a read outside the buffer.
 *
 * No I/O here: probe_dialog_ldap.c reads the bytes (ber_head_more(),
 * ber_head_length(), then the content).
 */
#ifndef MTAMON_BER_H
#define MTAMON_BER_H

#include <stddef.h>
#include <stdint.h>

/** Largest LDAPMessage accepted (header and content), bytes.  The
 * probe's replies are a few hundred bytes; a server's entry with all
 * its attributes is far below this. */
#define BER_MESSAGE_MAX (256u * 1024u)

/** Longest header of an LDAPMessage: tag, 0x84, 4 length octets. */
#define BER_HEAD_MAX 6

/** The StartTLS extended operation's name (RFC 4511 4.14.1). */
#define BER_STARTTLS_OID "1.3.6.1.4.1.1466.20037"

/** protocolOp tags (RFC 4511 4.2 - 4.12): [APPLICATION n], constructed
 * except UnbindRequest. */
enum ber_op {
    BER_OP_BIND_REQUEST = 0x60,
    BER_OP_BIND_RESPONSE = 0x61,
    BER_OP_UNBIND_REQUEST = 0x42,
    BER_OP_SEARCH_REQUEST = 0x63,
    BER_OP_SEARCH_ENTRY = 0x64,
    BER_OP_SEARCH_DONE = 0x65,
    BER_OP_SEARCH_REFERENCE = 0x73,
    BER_OP_EXTENDED_REQUEST = 0x77,
    BER_OP_EXTENDED_RESPONSE = 0x78,
    BER_OP_INTERMEDIATE_RESPONSE = 0x79,
};

/** Some LDAP resultCodes (RFC 4511 4.1.9). */
enum ber_result_code {
    BER_RESULT_SUCCESS = 0,
    BER_RESULT_PROTOCOL_ERROR = 2,
    BER_RESULT_NO_SUCH_OBJECT = 32,
    BER_RESULT_INVALID_CREDENTIALS = 49,
};

/** A string inside the decoded buffer: not NUL-terminated. */
struct ber_str {
    const uint8_t *p;
    size_t len;
};

/** What ber_message_decode() found; strings point into its buffer. */
struct ber_message {
    int32_t message_id;      /**< 0 .. 2^31-1 (0: unsolicited notice) */
    unsigned op;             /**< the protocolOp tag (enum ber_op) */
    /** BindResponse, SearchResultDone, ExtendedResponse: the LDAPResult. */
    int32_t result_code;     /**< -1 for other ops */
    struct ber_str matched_dn;
    struct ber_str diagnostic;
    /** ExtendedResponse: responseName, len 0 when absent. */
    struct ber_str response_name;
    /** SearchResultEntry: objectName. */
    struct ber_str entry_dn;
};

/*
 * Encoders.  Each writes one whole LDAPMessage into @p out (@p cap
 * bytes), its length into *@p len, and returns 0; -1 when it does not
 * fit or an argument is out of range, with the reason in @p err.
 * @p id is the messageID, 1 .. 2^31-1.
 */

/** BindRequest, version 3, simple authentication: @p dn and @p password
 * ("" and "" = anonymous). */
int ber_encode_bind(uint8_t *out, size_t cap, size_t *len, int32_t id,
                    const char *dn, const char *password, char *err, size_t errlen);

/** SearchRequest of the entry @p base: scope baseObject,
 * neverDerefAliases, sizeLimit 1, timeLimit @p time_limit_s (0 = none),
 * typesOnly TRUE, filter (objectClass=*) (a present filter), attributes
 * "1.1" (none). */
int ber_encode_search(uint8_t *out, size_t cap, size_t *len, int32_t id,
                      const char *base, int32_t time_limit_s, char *err, size_t errlen);

/** ExtendedRequest StartTLS (BER_STARTTLS_OID, no value). */
int ber_encode_starttls(uint8_t *out, size_t cap, size_t *len, int32_t id,
                        char *err, size_t errlen);

/** UnbindRequest. */
int ber_encode_unbind(uint8_t *out, size_t cap, size_t *len, int32_t id,
                      char *err, size_t errlen);

/*
 * Reading a message off a stream: read 2 bytes (the tag and the first
 * length octet), ask ber_head_more() how many length octets follow, read
 * them, ask ber_head_length() for the content length, read the content.
 */

/**
 * From the first 2 bytes of an LDAPMessage, how many more length octets
 * follow (0..4) into *@p more; -1 with the reason when the tag is not
 * SEQUENCE or the length is indefinite or longer than 4 octets.
 */
int ber_head_more(const uint8_t head[2], size_t *more, char *err, size_t errlen);

/**
 * The content length of the message whose header is the @p head_len
 * bytes of @p head (2 + what ber_head_more() said) into *@p content_len;
 * -1 with the reason when the whole message would pass BER_MESSAGE_MAX.
 */
int ber_head_length(const uint8_t *head, size_t head_len, size_t *content_len,
                    char *err, size_t errlen);

/**
 * Decode the LDAPMessage that is exactly the @p len bytes of @p buf
 * into @p msg: messageID, protocolOp tag, and for BindResponse,
 * SearchResultDone and ExtendedResponse the LDAPResult (with the
 * optional referral, serverSaslCreds, responseName, responseValue in
 * their places), for SearchResultEntry the objectName and a well-formed
 * attribute list; other [APPLICATION n] ops are checked only as TLVs.
 * Controls ([0]) after the op are checked as a TLV and skipped.  0, or
 * -1 with the reason ("length 300 past the end (120 bytes left)").
 */
int ber_message_decode(const uint8_t *buf, size_t len, struct ber_message *msg,
                       char *err, size_t errlen);

/** "bindResponse", "searchResEntry"... for a protocolOp tag, "op 0xNN"
 * style is the caller's for unknown ones: returns NULL then. */
const char *ber_op_name(unsigned op);

/** RFC 4511's name of a resultCode ("noSuchObject"), "unknown" otherwise. */
const char *ber_result_name(int32_t code);

#endif /* MTAMON_BER_H */
