/*
 * test_cert.c - a self-signed certificate made with the OpenSSL API (see
 * test_cert.h).
 */
#include "test_cert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

static EVP_PKEY *test_cert_key(void)
{
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *kctx = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, NULL);
    if (kctx && EVP_PKEY_keygen_init(kctx) == 1 &&
        EVP_PKEY_CTX_set_ec_paramgen_curve_nid(kctx, NID_X9_62_prime256v1) == 1 &&
        EVP_PKEY_keygen(kctx, &key) != 1)
        key = NULL;
    EVP_PKEY_CTX_free(kctx);
    return key;
}

static X509 *test_cert_x509(EVP_PKEY *key)
{
    X509 *x = X509_new();
    X509_NAME *name = x ? X509_get_subject_name(x) : NULL;
    X509V3_CTX v3;
    X509_EXTENSION *san = NULL;
    if (!name || X509_set_version(x, 2) != 1 ||
        ASN1_INTEGER_set(X509_get_serialNumber(x), (long)getpid()) != 1 ||
        !X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
        !X509_gmtime_adj(X509_getm_notAfter(x), 86400) ||
        X509_set_pubkey(x, key) != 1 ||
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   (const unsigned char *)"localhost", -1, -1, 0) != 1 ||
        X509_set_issuer_name(x, name) != 1)
        goto fail;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
    san = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
    if (!san || X509_add_ext(x, san, -1) != 1)
        goto fail;
    X509_EXTENSION_free(san);
    if (X509_sign(x, key, EVP_sha256()) <= 0)
        goto fail_x;
    return x;
fail:
    X509_EXTENSION_free(san);
fail_x:
    X509_free(x);
    return NULL;
}

int test_cert_make(struct test_cert *tc, char *err, size_t errlen)
{
    memset(tc, 0, sizeof *tc);
    snprintf(tc->dir, sizeof tc->dir, "/tmp/mtamon-ut-cert.XXXXXX");
    if (!mkdtemp(tc->dir)) {
        snprintf(err, errlen, "mkdtemp: cannot make %s", tc->dir);
        tc->dir[0] = '\0';
        return -1;
    }
    snprintf(tc->cert, sizeof tc->cert, "%s/cert.pem", tc->dir);
    snprintf(tc->key, sizeof tc->key, "%s/key.pem", tc->dir);

    int rc = -1;
    EVP_PKEY *key = test_cert_key();
    X509 *x = key ? test_cert_x509(key) : NULL;
    FILE *kf = NULL, *cf = NULL;
    if (!x) {
        snprintf(err, errlen, "openssl: cannot make a key and certificate");
        goto out;
    }
    mode_t old = umask(077);
    kf = fopen(tc->key, "w");
    cf = fopen(tc->cert, "w");
    umask(old);
    if (!kf || !cf || PEM_write_PrivateKey(kf, key, NULL, NULL, 0, NULL, NULL) != 1 ||
        PEM_write_X509(cf, x) != 1) {
        snprintf(err, errlen, "%s: cannot write the PEM files", tc->dir);
        goto out;
    }
    rc = 0;
out:
    if (kf && fclose(kf) != 0)
        rc = -1;
    if (cf && fclose(cf) != 0)
        rc = -1;
    X509_free(x);
    EVP_PKEY_free(key);
    ERR_clear_error();
    if (rc < 0)
        test_cert_remove(tc);
    return rc;
}

void test_cert_remove(struct test_cert *tc)
{
    if (!tc->dir[0])
        return;
    unlink(tc->cert);
    unlink(tc->key);
    rmdir(tc->dir);
    tc->dir[0] = '\0';
}
