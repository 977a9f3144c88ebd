/* libro: P-256 key generation and ES256 signing with OpenSSL (the other half of
 * key_openssl.c). Apart from it so that a verify-only build (LIBRO_VERIFY_ONLY) carries no
 * key generation or signing code. libcrypto is loaded on first use (libro/dl_int.h), as in
 * key_openssl.c: a process that makes or uses no P-256 key never maps it. */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "crypto_int.h"
#include "key_openssl_int.h"
#include "libro/dl_int.h"

#define SIGN_SYMBOLS(X)                                                                            \
    X(BN_bn2binpad, BN_bn2binpad)                                                                  \
    X(ECDSA_SIG_free, ECDSA_SIG_free)                                                              \
    X(ECDSA_SIG_get0, ECDSA_SIG_get0)                                                              \
    X(EVP_DigestSign, EVP_DigestSign)                                                              \
    X(EVP_DigestSignInit, EVP_DigestSignInit)                                                      \
    X(EVP_MD_CTX_free, EVP_MD_CTX_free)                                                            \
    X(EVP_MD_CTX_new, EVP_MD_CTX_new)                                                              \
    X(EVP_PKEY_Q_keygen, EVP_PKEY_Q_keygen)                                                        \
    X(EVP_PKEY_free, EVP_PKEY_free)                                                                \
    X(EVP_sha256, EVP_sha256)                                                                      \
    X(d2i_ECDSA_SIG, d2i_ECDSA_SIG)
LIBRO_DL_DEFINE(ks, SIGN_SYMBOLS, LIBRO_DL_SONAME_CRYPTO, LIBRO_DL_PACKAGE_CRYPTO,
                "for P-256 (ES256) keys");

/* floor(n / 2) of P-256, big-endian (n is in key_openssl_int.h). */
static const unsigned char p256_half_n[32] = {
    0x7f, 0xff, 0xff, 0xff, 0x80, 0x00, 0x00, 0x00, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xde, 0x73, 0x7d, 0x56, 0xd3, 0x8b, 0xcf, 0x42, 0x79, 0xdc, 0xe5, 0x61, 0x7e, 0x31, 0x92, 0xa8};

/* out = a - b over 32-byte big-endian integers, a >= b. */
static void
sub32(unsigned char *out, const unsigned char *a, const unsigned char *b)
{
    unsigned borrow = 0;
    size_t i = 32;

    while (i-- > 0) {
        unsigned d = (unsigned) a[i] - (unsigned) b[i] - borrow;

        out[i] = (unsigned char) (d & 0xffu);
        borrow = (d >> 8) & 1u;
    }
}

libro_code
libro_crypto__p256_generate(libro_crypto__p256 **out, unsigned char pub[65], libro_error *err)
{
    EVP_PKEY *pkey = NULL;
    libro_code rc;

    *out = NULL;
    rc = libro_dl__load(&ks_lib, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    pkey = ks.EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (pkey == NULL) {
        rc = libro_crypto__ossl_fail(err, LIBRO_ERR_CRYPTO, "p-256 key generation");
        goto out;
    }
    rc = libro_crypto__p256_export(pub, pkey, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_crypto__p256_wrap(out, &pkey, err);
out:
    ks.EVP_PKEY_free(pkey);
    return rc;
}

libro_code
libro_crypto__p256_sign(unsigned char sig[64], const libro_crypto__p256 *k, const void *msg,
                        size_t msg_len, libro_error *err)
{
    unsigned char der[80]; /* an ECDSA-Sig-Value for P-256 is at most 72 bytes */
    size_t der_len = sizeof der;
    const unsigned char *p = der;
    EVP_MD_CTX *md = NULL;
    ECDSA_SIG *es = NULL;
    const BIGNUM *r = NULL;
    const BIGNUM *s = NULL;
    libro_code rc = libro_dl__load(&ks_lib, err);

    if (rc != LIBRO_OK) {
        return rc;
    }
    md = ks.EVP_MD_CTX_new();
    if (md == NULL) {
        rc = libro_crypto__ossl_fail(err, LIBRO_ERR_NOMEM, "es256: out of memory");
        goto out;
    }
    if (ks.EVP_DigestSignInit(md, NULL, ks.EVP_sha256(), NULL, k->pkey) != 1 ||
        ks.EVP_DigestSign(md, der, &der_len, msg_len == 0 ? (const void *) "" : msg, msg_len) !=
            1) {
        rc = libro_crypto__ossl_fail(err, LIBRO_ERR_CRYPTO, "es256: signing");
        goto out;
    }
    es = ks.d2i_ECDSA_SIG(NULL, &p, (long) der_len);
    if (es == NULL || p != der + der_len) {
        rc = libro_crypto__ossl_fail(err, LIBRO_ERR_CRYPTO, "es256: bad signature from openssl");
        goto out;
    }
    ks.ECDSA_SIG_get0(es, &r, &s);
    /* JWS wants the fixed-width IEEE P1363 form (RFC 7518 §3.4): r || s, 32 bytes each. */
    if (ks.BN_bn2binpad(r, sig, 32) != 32 || ks.BN_bn2binpad(s, sig + 32, 32) != 32) {
        rc = libro_crypto__ossl_fail(err, LIBRO_ERR_CRYPTO, "es256: signature value too large");
        goto out;
    }
    /* Low S (as BIP 62 and Wycheproof's "malleability" notes): (r, n - s) verifies too, so
     * we always emit the smaller one and our signatures have one form. */
    if (memcmp(sig + 32, p256_half_n, 32) > 0) {
        sub32(sig + 32, p256_n, sig + 32);
    }
out:
    ks.ECDSA_SIG_free(es);
    ks.EVP_MD_CTX_free(md);
    return rc;
}
