/* libro: the OpenSSL adapter for P-256 (ES256, RFC 7518 §3.4): importing and checking public
 * keys, verifying signatures, and the helpers key_openssl_sign.c (generate, sign) and
 * key_openssl_pem.c (key files) share, declared in key_openssl_int.h.
 *
 * libcrypto is loaded on first use (libro/dl_int.h), not linked: a process loads it only for
 * a P-256 (ES256) key or a key file, and an Ed25519 verification never does. Every function
 * below that calls OpenSSL first makes sure this file's table is bound, since
 * key_openssl_sign.c and key_openssl_pem.c (each with its own table) may make a key before
 * this file was ever used.
 *
 * OpenSSL errors are recorded once (the first queued reason) and the queue is cleared, so no
 * stale error leaks into the caller's next OpenSSL call. */
#include <limits.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "crypto_int.h"
#include "key_openssl_int.h"
#include "libro/dl_int.h"
#include "libro/limits.h"
#include "libro/util.h"

#define OSSL_SYMBOLS(X)                                                                            \
    X(BN_bin2bn, BN_bin2bn)                                                                        \
    X(BN_bn2binpad, BN_bn2binpad)                                                                  \
    X(BN_free, BN_free)                                                                            \
    X(CRYPTO_free, CRYPTO_free)                                                                    \
    X(ECDSA_SIG_free, ECDSA_SIG_free)                                                              \
    X(ECDSA_SIG_new, ECDSA_SIG_new)                                                                \
    X(ECDSA_SIG_set0, ECDSA_SIG_set0)                                                              \
    X(ERR_clear_error, ERR_clear_error)                                                            \
    X(ERR_peek_error, ERR_peek_error)                                                              \
    X(ERR_pop_to_mark, ERR_pop_to_mark)                                                            \
    X(ERR_reason_error_string, ERR_reason_error_string)                                            \
    X(ERR_set_mark, ERR_set_mark)                                                                  \
    X(EVP_DigestVerify, EVP_DigestVerify)                                                          \
    X(EVP_DigestVerifyInit, EVP_DigestVerifyInit)                                                  \
    X(EVP_MD_CTX_free, EVP_MD_CTX_free)                                                            \
    X(EVP_MD_CTX_new, EVP_MD_CTX_new)                                                              \
    X(EVP_PKEY_CTX_free, EVP_PKEY_CTX_free)                                                        \
    X(EVP_PKEY_CTX_new_from_name, EVP_PKEY_CTX_new_from_name)                                      \
    X(EVP_PKEY_CTX_new_from_pkey, EVP_PKEY_CTX_new_from_pkey)                                      \
    X(EVP_PKEY_check, EVP_PKEY_check)                                                              \
    X(EVP_PKEY_free, EVP_PKEY_free)                                                                \
    X(EVP_PKEY_fromdata, EVP_PKEY_fromdata)                                                        \
    X(EVP_PKEY_fromdata_init, EVP_PKEY_fromdata_init)                                              \
    X(EVP_PKEY_get_bn_param, EVP_PKEY_get_bn_param)                                                \
    X(EVP_PKEY_get_utf8_string_param, EVP_PKEY_get_utf8_string_param)                              \
    X(EVP_PKEY_is_a, EVP_PKEY_is_a)                                                                \
    X(EVP_PKEY_public_check, EVP_PKEY_public_check)                                                \
    X(EVP_sha256, EVP_sha256)                                                                      \
    X(OSSL_PARAM_construct_end, OSSL_PARAM_construct_end)                                          \
    X(OSSL_PARAM_construct_octet_string, OSSL_PARAM_construct_octet_string)                        \
    X(OSSL_PARAM_construct_utf8_string, OSSL_PARAM_construct_utf8_string)                          \
    X(i2d_ECDSA_SIG, i2d_ECDSA_SIG)
LIBRO_DL_DEFINE(ko, OSSL_SYMBOLS, LIBRO_DL_SONAME_CRYPTO, LIBRO_DL_PACKAGE_CRYPTO,
                "for P-256 (ES256) keys");

static libro_code
ossl_ready(libro_error *err)
{
    return libro_dl__load(&ko_lib, err);
}

/* Record the first queued OpenSSL reason under `what`, then clear the queue. */
libro_code
libro_crypto__ossl_fail(libro_error *err, libro_code code, const char *what)
{
    unsigned long e = 0;
    const char *reason = NULL;
    libro_code rc;

    /* Called after an OpenSSL call failed, so libcrypto is mapped; only this table may not
     * be bound yet (a failure in key_openssl_pem.c's own calls). */
    if (ossl_ready(NULL) != LIBRO_OK) {
        return libro_error_set(err, code, "%s", what);
    }
    e = ko.ERR_peek_error();
    reason = e != 0 ? ko.ERR_reason_error_string(e) : NULL;
    if (reason != NULL) {
        rc = libro_error_set(err, code, "%s: %s", what, reason);
    } else {
        rc = libro_error_set(err, code, "%s", what);
    }
    ko.ERR_clear_error();
    return rc;
}

/* ---- P-256 ---- */

static bool
is_zero32(const unsigned char *a)
{
    unsigned char acc = 0;
    size_t i;

    for (i = 0; i < 32; i++) {
        acc |= a[i];
    }
    return acc == 0;
}

bool
libro_crypto__is_p256(EVP_PKEY *pkey)
{
    char name[64];
    size_t n = 0;
    bool ok;

    if (ossl_ready(NULL) != LIBRO_OK || ko.EVP_PKEY_is_a(pkey, "EC") != 1) {
        return false;
    }
    /* Explicit curve parameters have no group name: refused (RFC 5480 §2.1.1 prefers named
     * curves, and explicit ones have hidden weak-curve attacks, CVE-2020-0601). */
    ko.ERR_set_mark();
    ok = ko.EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name,
                                           &n) == 1 &&
         strcmp(name, SN_X9_62_prime256v1) == 0;
    ko.ERR_pop_to_mark();
    return ok;
}

/* 0x04 || x || y from the key's coordinates, whatever point format it was decoded from. */
libro_code
libro_crypto__p256_export(unsigned char pub[65], EVP_PKEY *pkey, libro_error *err)
{
    BIGNUM *x = NULL;
    BIGNUM *y = NULL;
    libro_code rc = ossl_ready(err);

    if (rc != LIBRO_OK) {
        return rc;
    }
    if (ko.EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x) != 1 ||
        ko.EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y) != 1) {
        rc = libro_crypto__ossl_fail(err, LIBRO_ERR_CRYPTO, "p-256: cannot read the public point");
        goto out;
    }
    pub[0] = 0x04;
    if (ko.BN_bn2binpad(x, pub + 1, 32) != 32 || ko.BN_bn2binpad(y, pub + 33, 32) != 32) {
        rc = libro_crypto__ossl_fail(err, LIBRO_ERR_CRYPTO, "p-256: coordinate too large");
        goto out;
    }
out:
    ko.BN_free(x);
    ko.BN_free(y);
    return rc;
}

libro_code
libro_crypto__p256_check(EVP_PKEY *pkey, bool with_private, libro_error *err)
{
    EVP_PKEY_CTX *ctx;
    libro_code rc = ossl_ready(err);
    int ok;

    if (rc != LIBRO_OK) {
        return rc;
    }
    ctx = ko.EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    if (ctx == NULL) {
        return libro_crypto__ossl_fail(err, LIBRO_ERR_NOMEM, "p-256: out of memory");
    }
    /* Public: on the curve, not infinity, in the subgroup (SP 800-56A 5.6.2.3.3). Private:
     * also the scalar range and that it matches the public point. */
    ok = with_private ? ko.EVP_PKEY_check(ctx) : ko.EVP_PKEY_public_check(ctx);
    if (ok != 1) {
        rc = libro_crypto__ossl_fail(err, LIBRO_ERR_BAD_KEY, "p-256: invalid key");
    }
    ko.EVP_PKEY_CTX_free(ctx);
    return rc;
}

libro_code
libro_crypto__p256_wrap(libro_crypto__p256 **out, EVP_PKEY **pkey, libro_error *err)
{
    libro_crypto__p256 *k = libro_calloc(1, sizeof *k);

    if (k == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    k->pkey = *pkey;
    *pkey = NULL; /* moved into k */
    *out = k;
    return LIBRO_OK;
}

libro_code
libro_crypto__p256_from_public(libro_crypto__p256 **out, const unsigned char *pub, size_t len,
                               libro_error *err)
{
    char group[] = SN_X9_62_prime256v1;
    unsigned char point[LIBRO_P256_PUBLIC_BYTES];
    OSSL_PARAM params[3];
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pkey = NULL;
    libro_code rc;

    *out = NULL;
    rc = ossl_ready(err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    /* SEC1 2.3.4: 0x00 is infinity, 0x02/0x03 compressed, 0x06/0x07 hybrid. Only the
     * uncompressed form is accepted, so every key has exactly one encoding. */
    if (len == 1 && pub[0] == 0x00) {
        rc = libro_error_set(err, LIBRO_ERR_BAD_KEY, "p-256: point at infinity");
        goto out;
    }
    if (len == 33 && (pub[0] == 0x02 || pub[0] == 0x03)) {
        rc = libro_error_set(err, LIBRO_ERR_BAD_KEY, "p-256: compressed point not accepted");
        goto out;
    }
    if (len == 65 && (pub[0] == 0x06 || pub[0] == 0x07)) {
        rc = libro_error_set(err, LIBRO_ERR_BAD_KEY, "p-256: hybrid point encoding not accepted");
        goto out;
    }
    if (len != LIBRO_P256_PUBLIC_BYTES || pub[0] != 0x04) {
        rc = libro_error_set(err, LIBRO_ERR_BAD_KEY,
                             "p-256: public key must be a 65-byte uncompressed point");
        goto out;
    }
    memcpy(point, pub, sizeof point);
    params[0] = ko.OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
    params[1] = ko.OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point);
    params[2] = ko.OSSL_PARAM_construct_end();
    ctx = ko.EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (ctx == NULL || ko.EVP_PKEY_fromdata_init(ctx) != 1) {
        rc = libro_crypto__ossl_fail(err, LIBRO_ERR_CRYPTO, "p-256: cannot import");
        goto out;
    }
    /* Decoding the point already rejects coordinates >= p and points off the curve. */
    if (ko.EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) {
        rc = libro_crypto__ossl_fail(err, LIBRO_ERR_BAD_KEY, "p-256: not a point on the curve");
        goto out;
    }
    rc = libro_crypto__p256_check(pkey, false, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_crypto__p256_wrap(out, &pkey, err);
out:
    /* Each is made only once libcrypto is loaded; before that the table is empty. */
    if (pkey != NULL) {
        ko.EVP_PKEY_free(pkey);
    }
    if (ctx != NULL) {
        ko.EVP_PKEY_CTX_free(ctx);
    }
    return rc;
}

void
libro_crypto__p256_free(libro_crypto__p256 *k)
{
    if (k == NULL) {
        return;
    }
    /* A key made by key_openssl_pem.c may be freed before this file's table was bound; a
     * key holds an EVP_PKEY only once libcrypto is loaded. */
    if (k->pkey != NULL && ossl_ready(NULL) == LIBRO_OK) {
        ko.EVP_PKEY_free(k->pkey); /* OpenSSL clears the private scalar */
    }
    libro_free(k);
}

libro_code
libro_crypto__p256_verify(const libro_crypto__p256 *k, const void *msg, size_t msg_len,
                          const void *sig, size_t sig_len, libro_error *err)
{
    const unsigned char *raw = sig;
    EVP_MD_CTX *md = NULL;
    ECDSA_SIG *es = NULL;
    BIGNUM *r = NULL;
    BIGNUM *s = NULL;
    unsigned char *der = NULL;
    int der_len;
    libro_code rc = ossl_ready(err);

    if (rc != LIBRO_OK) {
        return rc;
    }
    if (sig_len != LIBRO_SIGNATURE_BYTES) {
        return libro_error_set(err, LIBRO_ERR_BAD_SIGNATURE,
                               "es256 signature must be 64 bytes, not %zu", sig_len);
    }
    /* FIPS 186-4 §6.4.2 step 1: r and s must lie in [1, n-1]. High S is valid ECDSA. */
    if (is_zero32(raw) || is_zero32(raw + 32) || memcmp(raw, p256_n, 32) >= 0 ||
        memcmp(raw + 32, p256_n, 32) >= 0) {
        return libro_error_set(err, LIBRO_ERR_BAD_SIGNATURE,
                               "es256 signature: r or s out of range");
    }
    r = ko.BN_bin2bn(raw, 32, NULL);
    s = ko.BN_bin2bn(raw + 32, 32, NULL);
    es = ko.ECDSA_SIG_new();
    if (r == NULL || s == NULL || es == NULL || ko.ECDSA_SIG_set0(es, r, s) != 1) {
        rc = libro_crypto__ossl_fail(err, LIBRO_ERR_NOMEM, "es256: out of memory");
        goto out;
    }
    r = NULL; /* owned by es */
    s = NULL;
    der_len = ko.i2d_ECDSA_SIG(es, &der);
    if (der_len <= 0) {
        rc = libro_crypto__ossl_fail(err, LIBRO_ERR_NOMEM, "es256: cannot encode signature");
        goto out;
    }
    md = ko.EVP_MD_CTX_new();
    if (md == NULL || ko.EVP_DigestVerifyInit(md, NULL, ko.EVP_sha256(), NULL, k->pkey) != 1) {
        rc = libro_crypto__ossl_fail(err, LIBRO_ERR_CRYPTO, "es256: cannot verify");
        goto out;
    }
    if (ko.EVP_DigestVerify(md, der, (size_t) der_len, msg_len == 0 ? (const void *) "" : msg,
                            msg_len) != 1) {
        rc = libro_error_set(err, LIBRO_ERR_BAD_SIGNATURE, "es256 signature does not verify");
        ko.ERR_clear_error();
        goto out;
    }
out:
    ko.CRYPTO_free(der, OPENSSL_FILE, OPENSSL_LINE);
    ko.EVP_MD_CTX_free(md);
    ko.ECDSA_SIG_free(es);
    ko.BN_free(r);
    ko.BN_free(s);
    return rc;
}
