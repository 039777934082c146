/*
 * test_cert.h - a self-signed certificate made at test time (no key file
 * is committed): an EC P-256 key and an X.509 certificate for
 * CN=localhost with subjectAltName DNS:localhost and IP:127.0.0.1, valid
 * from an hour ago for a day, written as PEM files into a fresh
 * temporary directory.
 */
#ifndef MTAMON_TEST_CERT_H
#define MTAMON_TEST_CERT_H

#include <stddef.h>

struct test_cert {
    char dir[256];     /**< the temporary directory holding both files */
    char cert[300];    /**< DIR/cert.pem: the certificate (also its own CA) */
    char key[300];     /**< DIR/key.pem: the private key, mode 0600 */
};

/**
 * Make a key and certificate into a new temporary directory; 0, or -1
 * with the reason in @p err.
 */
int test_cert_make(struct test_cert *tc, char *err, size_t errlen);

/** Remove both files and the directory (best effort). */
void test_cert_remove(struct test_cert *tc);

#endif /* MTAMON_TEST_CERT_H */
