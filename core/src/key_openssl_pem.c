/* libro: key files with OpenSSL: PKCS#8 (RFC 5208/5958) private keys, plain or encrypted, and
 * SubjectPublicKeyInfo (RFC 5280) public keys, read and written. Ed25519 keys pass through
 * here only to be encoded or decoded: their seed goes straight on to libsodium and every copy
 * is cleansed. Only signers load or store keys, so a verify-only build (LIBRO_VERIFY_ONLY)
 * leaves this file out. libcrypto is loaded on first use (libro/dl_int.h), as in
 * key_openssl.c; each entry point below loads it before anything else. */
#include <limits.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "crypto_int.h"
#include "key_openssl_int.h"
#include "libro/dl_int.h"
#include "libro/limits.h"
#include "libro/util.h"

#define PEM_SYMBOLS(X)                                                                             \
    X(ASN1_INTEGER_get_uint64, ASN1_INTEGER_get_uint64)                                            \
    X(ASN1_STRING_get0_data, ASN1_STRING_get0_data)                                                \
    X(ASN1_STRING_length, ASN1_STRING_length)                                                      \
    X(BIO_ctrl, BIO_ctrl)                                                                          \
    X(BIO_free, BIO_free)                                                                          \
    X(BIO_new, BIO_new)                                                                            \
    X(BIO_new_mem_buf, BIO_new_mem_buf)                                                            \
    X(BIO_s_mem, BIO_s_mem)                                                                        \
    X(CRYPTO_clear_free, CRYPTO_clear_free)                                                        \
    X(CRYPTO_free, CRYPTO_free)                                                                    \
    X(ERR_clear_error, ERR_clear_error)                                                            \
    X(EVP_PKCS82PKEY, EVP_PKCS82PKEY)                                                              \
    X(EVP_PKEY2PKCS8, EVP_PKEY2PKCS8)                                                              \
    X(EVP_PKEY_free, EVP_PKEY_free)                                                                \
    X(EVP_PKEY_get_raw_private_key, EVP_PKEY_get_raw_private_key)                                  \
    X(EVP_PKEY_get_raw_public_key, EVP_PKEY_get_raw_public_key)                                    \
    X(EVP_PKEY_is_a, EVP_PKEY_is_a)                                                                \
    X(EVP_PKEY_new_raw_private_key, EVP_PKEY_new_raw_private_key)                                  \
    X(EVP_PKEY_new_raw_public_key, EVP_PKEY_new_raw_public_key)                                    \
    X(EVP_aes_256_cbc, EVP_aes_256_cbc)                                                            \
    X(OBJ_nid2sn, OBJ_nid2sn)                                                                      \
    X(OBJ_obj2nid, OBJ_obj2nid)                                                                    \
    X(PBE2PARAM_free, PBE2PARAM_free)                                                              \
    X(PBKDF2PARAM_free, PBKDF2PARAM_free)                                                          \
    X(PEM_read_bio, PEM_read_bio)                                                                  \
    X(PEM_write_bio_PKCS8, PEM_write_bio_PKCS8)                                                    \
    X(PEM_write_bio_PKCS8PrivateKey, PEM_write_bio_PKCS8PrivateKey)                                \
    X(PEM_write_bio_PUBKEY, PEM_write_bio_PUBKEY)                                                  \
    X(PKCS5_pbe2_set_scrypt, PKCS5_pbe2_set_scrypt)                                                \
    X(PKCS8_PRIV_KEY_INFO_free, PKCS8_PRIV_KEY_INFO_free)                                          \
    X(PKCS8_decrypt, PKCS8_decrypt)                                                                \
    X(PKCS8_pkey_get0, PKCS8_pkey_get0)                                                            \
    X(PKCS8_set0_pbe, PKCS8_set0_pbe)                                                              \
    X(SCRYPT_PARAMS_free, SCRYPT_PARAMS_free)                                                      \
    X(X509_ALGOR_free, X509_ALGOR_free)                                                            \
    X(X509_ALGOR_get0, X509_ALGOR_get0)                                                            \
    X(X509_PUBKEY_free, X509_PUBKEY_free)                                                          \
    X(X509_PUBKEY_get, X509_PUBKEY_get)                                                            \
    X(X509_PUBKEY_get0_param, X509_PUBKEY_get0_param)                                              \
    X(X509_SIG_free, X509_SIG_free)                                                                \
    X(X509_SIG_get0, X509_SIG_get0)                                                                \
    X(d2i_PBE2PARAM, d2i_PBE2PARAM)                                                                \
    X(d2i_PBKDF2PARAM, d2i_PBKDF2PARAM)                                                            \
    X(d2i_PKCS8_PRIV_KEY_INFO, d2i_PKCS8_PRIV_KEY_INFO)                                            \
    X(d2i_SCRYPT_PARAMS, d2i_SCRYPT_PARAMS)                                                        \
    X(d2i_X509_PUBKEY, d2i_X509_PUBKEY)                                                            \
    X(d2i_X509_SIG, d2i_X509_SIG)
LIBRO_DL_DEFINE(kp, PEM_SYMBOLS, LIBRO_DL_SONAME_CRYPTO, LIBRO_DL_PACKAGE_CRYPTO, "for key files");

/* BIO_get_mem_data through the table: bio.h's macro names BIO_ctrl itself. */
#define BIO_MEM_DATA(b, pp) kp.BIO_ctrl((b), BIO_CTRL_INFO, 0, (char *) (pp))

/* scrypt cost for keys we write: N = 2^14, r = 8, p = 1 (the scrypt paper's interactive
 * setting and `openssl pkcs8 -scrypt`'s default; 16 MiB, under OpenSSL's 32 MiB default cap
 * on the reading side). */
#define WRITE_SCRYPT_N 16384u
#define WRITE_SCRYPT_R 8u
#define WRITE_SCRYPT_P 1u
/* Caps on the key derivation cost of files we read, so a crafted file cannot pin a CPU:
 * PBKDF2 iterations (OWASP 2023 recommends 600,000 for HMAC-SHA-256) and scrypt N, r, p. */
#define READ_PBKDF2_MAX_ITER 2000000u
#define READ_SCRYPT_MAX_N (1u << 20)
#define READ_SCRYPT_MAX_R 32u
#define READ_SCRYPT_MAX_P 16u

/* ---- PEM ---- */

void
libro_crypto__pem_key_clear(libro_crypto__pem_key *pk)
{
    if (pk == NULL) {
        return;
    }
    libro_crypto__p256_free(pk->ec);
    libro_wipe(pk, sizeof *pk);
    pk->ec = NULL;
}

static libro_code
check_pass_len(size_t pass_len, libro_error *err)
{
    if (pass_len > LIBRO_MAX_PASSPHRASE_BYTES) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "passphrase longer than %u bytes",
                               LIBRO_MAX_PASSPHRASE_BYTES);
    }
    return LIBRO_OK;
}

/* Append everything written to the memory BIO, then wipe the BIO's copy. */
static libro_code
drain_bio(libro_buf *out, BIO *bio, libro_error *err)
{
    char *data = NULL;
    long n = BIO_MEM_DATA(bio, &data);
    libro_code rc;

    if (n <= 0 || data == NULL) {
        return libro_error_set(err, LIBRO_ERR_CRYPTO, "pem: nothing written");
    }
    rc = libro_buf_append(out, data, (size_t) n, err);
    libro_wipe(data, (size_t) n);
    return rc;
}

/* The EVP_PKEY for a key crossing the seam, borrowed (ES256) or built (Ed25519). */
static libro_code
pem_key_evp(EVP_PKEY **out, bool *owned, const libro_crypto__pem_key *pk, bool private,
            libro_error *err)
{
    *out = NULL;
    *owned = false;
    if (pk->alg == LIBRO_ALG_ES256) {
        if (pk->ec == NULL) {
            return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "p-256: no key");
        }
        *out = pk->ec->pkey;
        return LIBRO_OK;
    }
    if (pk->alg != LIBRO_ALG_ED25519) {
        return libro_error_set(err, LIBRO_ERR_UNSUPPORTED, "unsupported algorithm");
    }
    /* OpenSSL only encodes the key (RFC 8410): it never signs with it. */
    *out = private ? kp.EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, pk->seed,
                                                     LIBRO_ED25519_SEED_BYTES)
                   : kp.EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk->pub,
                                                    LIBRO_ED25519_PUBLIC_BYTES);
    if (*out == NULL) {
        return libro_crypto__ossl_fail(err, LIBRO_ERR_CRYPTO, "ed25519: cannot encode");
    }
    *owned = true;
    return LIBRO_OK;
}

libro_code
libro_crypto__pem_write_private(libro_buf *out, const libro_crypto__pem_key *pk, const char *pass,
                                size_t pass_len, libro_error *err)
{
    EVP_PKEY *pkey = NULL;
    bool owned = false;
    BIO *bio = NULL;
    PKCS8_PRIV_KEY_INFO *p8inf = NULL;
    X509_ALGOR *pbe = NULL;
    X509_SIG *p8 = NULL;
    libro_code rc = libro_dl__load(&kp_lib, err);

    if (rc != LIBRO_OK) {
        return rc;
    }
    if (pass != NULL) {
        rc = check_pass_len(pass_len, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        if (pass_len == 0) {
            rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "empty passphrase");
            goto out;
        }
    }
    rc = pem_key_evp(&pkey, &owned, pk, true, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    bio = kp.BIO_new(kp.BIO_s_mem());
    if (bio == NULL) {
        rc = libro_crypto__ossl_fail(err, LIBRO_ERR_NOMEM, "pem: out of memory");
        goto out;
    }
    if (pass == NULL) {
        if (kp.PEM_write_bio_PKCS8PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL) != 1) {
            rc = libro_crypto__ossl_fail(err, LIBRO_ERR_CRYPTO, "pem: cannot write private key");
            goto out;
        }
    } else {
        /* PBES2 (RFC 8018 §6.2) with scrypt (RFC 7914 §7) and AES-256-CBC. A fresh random
         * salt and IV come from OpenSSL. */
        p8inf = kp.EVP_PKEY2PKCS8(pkey);
        pbe = kp.PKCS5_pbe2_set_scrypt(kp.EVP_aes_256_cbc(), NULL, 0, NULL, WRITE_SCRYPT_N,
                                       WRITE_SCRYPT_R, WRITE_SCRYPT_P);
        if (p8inf == NULL || pbe == NULL) {
            rc = libro_crypto__ossl_fail(err, LIBRO_ERR_CRYPTO, "pem: cannot prepare encryption");
            goto out;
        }
        p8 = kp.PKCS8_set0_pbe(pass, (int) pass_len, p8inf, pbe);
        if (p8 == NULL) {
            rc = libro_crypto__ossl_fail(err, LIBRO_ERR_CRYPTO, "pem: cannot encrypt private key");
            goto out;
        }
        pbe = NULL; /* owned by p8 */
        if (kp.PEM_write_bio_PKCS8(bio, p8) != 1) {
            rc = libro_crypto__ossl_fail(err, LIBRO_ERR_CRYPTO, "pem: cannot write private key");
            goto out;
        }
    }
    rc = drain_bio(out, bio, err);
out:
    kp.X509_SIG_free(p8);
    kp.X509_ALGOR_free(pbe);
    kp.PKCS8_PRIV_KEY_INFO_free(p8inf); /* its ASN.1 callback cleanses the key octets */
    kp.BIO_free(bio);                   /* BUF_MEM_free clears the buffer too */
    if (owned) {
        kp.EVP_PKEY_free(pkey);
    }
    return rc;
}

libro_code
libro_crypto__pem_write_public(libro_buf *out, const libro_crypto__pem_key *pk, libro_error *err)
{
    EVP_PKEY *pkey = NULL;
    bool owned = false;
    BIO *bio = NULL;
    libro_code rc = libro_dl__load(&kp_lib, err);

    if (rc != LIBRO_OK) {
        return rc;
    }
    rc = pem_key_evp(&pkey, &owned, pk, false, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    bio = kp.BIO_new(kp.BIO_s_mem());
    if (bio == NULL) {
        rc = libro_crypto__ossl_fail(err, LIBRO_ERR_NOMEM, "pem: out of memory");
        goto out;
    }
    if (kp.PEM_write_bio_PUBKEY(bio, pkey) != 1) {
        rc = libro_crypto__ossl_fail(err, LIBRO_ERR_CRYPTO, "pem: cannot write public key");
        goto out;
    }
    rc = drain_bio(out, bio, err);
out:
    kp.BIO_free(bio);
    if (owned) {
        kp.EVP_PKEY_free(pkey);
    }
    return rc;
}

static libro_code
unsupported_nid(int nid, libro_error *err)
{
    const char *sn = nid != NID_undef ? kp.OBJ_nid2sn(nid) : NULL;

    return libro_error_set(err, LIBRO_ERR_UNSUPPORTED,
                           "pem: unsupported key type %.64s (want Ed25519 or P-256)",
                           sn != NULL ? sn : "(unknown)");
}

/* Copy what we keep out of a decoded EVP_PKEY; takes the EC key. */
static libro_code
take_evp(libro_crypto__pem_key *out, EVP_PKEY **pkey, bool private, libro_error *err)
{
    size_t n;
    libro_code rc;

    if (kp.EVP_PKEY_is_a(*pkey, "ED25519") == 1) {
        out->alg = LIBRO_ALG_ED25519;
        out->has_private = private;
        if (private) {
            n = sizeof out->seed;
            if (kp.EVP_PKEY_get_raw_private_key(*pkey, out->seed, &n) != 1 ||
                n != LIBRO_ED25519_SEED_BYTES) {
                return libro_crypto__ossl_fail(err, LIBRO_ERR_BAD_KEY,
                                               "pem: bad ed25519 private key");
            }
            return LIBRO_OK;
        }
        n = LIBRO_ED25519_PUBLIC_BYTES;
        if (kp.EVP_PKEY_get_raw_public_key(*pkey, out->pub, &n) != 1 ||
            n != LIBRO_ED25519_PUBLIC_BYTES) {
            return libro_crypto__ossl_fail(err, LIBRO_ERR_BAD_KEY, "pem: bad ed25519 public key");
        }
        out->pub_len = n;
        return LIBRO_OK;
    }
    if (kp.EVP_PKEY_is_a(*pkey, "EC") != 1) {
        return libro_error_set(err, LIBRO_ERR_UNSUPPORTED,
                               "pem: unsupported key type (want Ed25519 or P-256)");
    }
    if (!libro_crypto__is_p256(*pkey)) {
        return libro_error_set(err, LIBRO_ERR_UNSUPPORTED,
                               "pem: unsupported elliptic curve (want P-256)");
    }
    rc = libro_crypto__p256_check(*pkey, private, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    rc = libro_crypto__p256_export(out->pub, *pkey, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    rc = libro_crypto__p256_wrap(&out->ec, pkey, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    out->alg = LIBRO_ALG_ES256;
    out->pub_len = LIBRO_P256_PUBLIC_BYTES;
    out->has_private = private;
    return LIBRO_OK;
}

static libro_code
read_p8inf(libro_crypto__pem_key *out, const PKCS8_PRIV_KEY_INFO *p8inf, libro_error *err)
{
    const ASN1_OBJECT *oid = NULL;
    EVP_PKEY *pkey = NULL;
    int nid;
    libro_code rc;

    /* Look at the algorithm before decoding: an RSA key is refused by policy, not parsed. */
    if (kp.PKCS8_pkey_get0(&oid, NULL, NULL, NULL, p8inf) != 1) {
        rc = libro_crypto__ossl_fail(err, LIBRO_ERR_PARSE, "pem: bad PKCS#8 structure");
        goto out;
    }
    nid = kp.OBJ_obj2nid(oid);
    if (nid != NID_ED25519 && nid != NID_X9_62_id_ecPublicKey) {
        rc = unsupported_nid(nid, err);
        goto out;
    }
    pkey = kp.EVP_PKCS82PKEY(p8inf);
    if (pkey == NULL) {
        rc = libro_crypto__ossl_fail(err, LIBRO_ERR_BAD_KEY, "pem: bad private key");
        goto out;
    }
    rc = take_evp(out, &pkey, true, err);
out:
    kp.EVP_PKEY_free(pkey);
    return rc;
}

static libro_code
read_plain_private(libro_crypto__pem_key *out, const unsigned char *der, long der_len,
                   libro_error *err)
{
    const unsigned char *p = der;
    PKCS8_PRIV_KEY_INFO *p8inf = kp.d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, der_len);
    libro_code rc;

    if (p8inf == NULL || p != der + der_len) {
        rc = libro_crypto__ossl_fail(err, LIBRO_ERR_PARSE, "pem: bad PKCS#8 private key");
        goto out;
    }
    rc = read_p8inf(out, p8inf, err);
out:
    kp.PKCS8_PRIV_KEY_INFO_free(p8inf);
    return rc;
}

static bool
int_le(const ASN1_INTEGER *a, uint64_t max)
{
    uint64_t v = 0;

    return a != NULL && kp.ASN1_INTEGER_get_uint64(&v, a) == 1 && v <= max;
}

/* Bound the work a file can ask of us before decrypting (RFC 8018 PBES2 with PBKDF2, or
 * RFC 7914 scrypt). Older PBES1 schemes are refused. */
static libro_code
check_pbes2(const X509_SIG *p8, libro_error *err)
{
    const X509_ALGOR *alg = NULL;
    const ASN1_OBJECT *oid = NULL;
    const void *pval = NULL;
    const ASN1_STRING *seq;
    const unsigned char *p;
    PBE2PARAM *pbe2 = NULL;
    PBKDF2PARAM *kdf = NULL;
    SCRYPT_PARAMS *sp = NULL;
    int ptype = 0;
    libro_code rc = LIBRO_OK;

    kp.X509_SIG_get0(p8, &alg, NULL);
    kp.X509_ALGOR_get0(&oid, &ptype, &pval, alg);
    if (kp.OBJ_obj2nid(oid) != NID_pbes2) {
        rc = libro_error_set(err, LIBRO_ERR_UNSUPPORTED,
                             "pem: key encryption other than PBES2 is not supported");
        goto out;
    }
    if (ptype != V_ASN1_SEQUENCE || pval == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "pem: bad PBES2 parameters");
        goto out;
    }
    seq = pval;
    p = kp.ASN1_STRING_get0_data(seq);
    pbe2 = kp.d2i_PBE2PARAM(NULL, &p, kp.ASN1_STRING_length(seq));
    if (pbe2 == NULL || pbe2->keyfunc == NULL) {
        rc = libro_crypto__ossl_fail(err, LIBRO_ERR_PARSE, "pem: bad PBES2 parameters");
        goto out;
    }
    kp.X509_ALGOR_get0(&oid, &ptype, &pval, pbe2->keyfunc);
    if (ptype != V_ASN1_SEQUENCE || pval == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "pem: bad key derivation parameters");
        goto out;
    }
    seq = pval;
    p = kp.ASN1_STRING_get0_data(seq);
    switch (kp.OBJ_obj2nid(oid)) {
    case NID_id_pbkdf2:
        kdf = kp.d2i_PBKDF2PARAM(NULL, &p, kp.ASN1_STRING_length(seq));
        if (kdf == NULL) {
            rc = libro_crypto__ossl_fail(err, LIBRO_ERR_PARSE, "pem: bad PBKDF2 parameters");
            goto out;
        }
        if (!int_le(kdf->iter, READ_PBKDF2_MAX_ITER)) {
            rc = libro_error_set(err, LIBRO_ERR_LIMIT, "pem: PBKDF2 iteration count above %u",
                                 READ_PBKDF2_MAX_ITER);
            goto out;
        }
        break;
    case NID_id_scrypt:
        sp = kp.d2i_SCRYPT_PARAMS(NULL, &p, kp.ASN1_STRING_length(seq));
        if (sp == NULL) {
            rc = libro_crypto__ossl_fail(err, LIBRO_ERR_PARSE, "pem: bad scrypt parameters");
            goto out;
        }
        if (!int_le(sp->costParameter, READ_SCRYPT_MAX_N) ||
            !int_le(sp->blockSize, READ_SCRYPT_MAX_R) ||
            !int_le(sp->parallelizationParameter, READ_SCRYPT_MAX_P)) {
            rc = libro_error_set(err, LIBRO_ERR_LIMIT, "pem: scrypt cost above the maximum");
            goto out;
        }
        break;
    default:
        rc = libro_error_set(err, LIBRO_ERR_UNSUPPORTED,
                             "pem: key derivation other than PBKDF2 or scrypt");
        goto out;
    }
out:
    kp.SCRYPT_PARAMS_free(sp);
    kp.PBKDF2PARAM_free(kdf);
    kp.PBE2PARAM_free(pbe2);
    return rc;
}

static libro_code
read_encrypted_private(libro_crypto__pem_key *out, const unsigned char *der, long der_len,
                       const char *pass, size_t pass_len, libro_error *err)
{
    const unsigned char *p = der;
    X509_SIG *p8 = NULL;
    PKCS8_PRIV_KEY_INFO *p8inf = NULL;
    libro_code rc;

    /* We never prompt: the library has no terminal. Callers collect the passphrase. */
    if (pass == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_PASSPHRASE,
                             "key file is encrypted: passphrase required");
        goto out;
    }
    p8 = kp.d2i_X509_SIG(NULL, &p, der_len);
    if (p8 == NULL || p != der + der_len) {
        rc = libro_crypto__ossl_fail(err, LIBRO_ERR_PARSE, "pem: bad encrypted PKCS#8 key");
        goto out;
    }
    rc = check_pbes2(p8, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    p8inf = kp.PKCS8_decrypt(p8, pass_len == 0 ? "" : pass, (int) pass_len);
    if (p8inf == NULL) {
        /* CBC padding or the inner DER failed: a wrong passphrase looks exactly like a
         * damaged ciphertext. */
        rc = libro_error_set(err, LIBRO_ERR_PASSPHRASE, "wrong passphrase or corrupt key");
        kp.ERR_clear_error();
        goto out;
    }
    rc = read_p8inf(out, p8inf, err);
out:
    kp.PKCS8_PRIV_KEY_INFO_free(p8inf);
    kp.X509_SIG_free(p8);
    return rc;
}

static libro_code
read_public(libro_crypto__pem_key *out, const unsigned char *der, long der_len, libro_error *err)
{
    const unsigned char *p = der;
    X509_PUBKEY *xpk = NULL;
    ASN1_OBJECT *oid = NULL;
    EVP_PKEY *pkey = NULL;
    int nid;
    libro_code rc;

    xpk = kp.d2i_X509_PUBKEY(NULL, &p, der_len);
    if (xpk == NULL || p != der + der_len) {
        rc = libro_crypto__ossl_fail(err, LIBRO_ERR_PARSE, "pem: bad SubjectPublicKeyInfo");
        goto out;
    }
    if (kp.X509_PUBKEY_get0_param(&oid, NULL, NULL, NULL, xpk) != 1) {
        rc = libro_crypto__ossl_fail(err, LIBRO_ERR_PARSE, "pem: bad SubjectPublicKeyInfo");
        goto out;
    }
    nid = kp.OBJ_obj2nid(oid);
    if (nid != NID_ED25519 && nid != NID_X9_62_id_ecPublicKey) {
        rc = unsupported_nid(nid, err);
        goto out;
    }
    pkey = kp.X509_PUBKEY_get(xpk);
    if (pkey == NULL) {
        rc = libro_crypto__ossl_fail(err, LIBRO_ERR_BAD_KEY, "pem: bad public key");
        goto out;
    }
    rc = take_evp(out, &pkey, false, err);
out:
    kp.EVP_PKEY_free(pkey);
    kp.X509_PUBKEY_free(xpk);
    return rc;
}

static bool
only_blank(const char *p, long n)
{
    long i;

    for (i = 0; i < n; i++) {
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n') {
            return false;
        }
    }
    return true;
}

libro_code
libro_crypto__pem_read(libro_crypto__pem_key *out, const char *pem, size_t len, const char *pass,
                       size_t pass_len, libro_error *err)
{
    BIO *bio = NULL;
    char *name = NULL;
    char *header = NULL;
    unsigned char *der = NULL;
    long der_len = 0;
    char *rest = NULL;
    long rest_len;
    char shown[65];
    libro_code rc;

    memset(out, 0, sizeof *out);
    rc = libro_dl__load(&kp_lib, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    if (len > (size_t) INT_MAX) {
        rc = libro_error_set(err, LIBRO_ERR_LIMIT, "pem: input too large");
        goto out;
    }
    rc = check_pass_len(pass_len, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    bio = kp.BIO_new_mem_buf(pem, (int) len);
    if (bio == NULL) {
        rc = libro_crypto__ossl_fail(err, LIBRO_ERR_NOMEM, "pem: out of memory");
        goto out;
    }
    if (kp.PEM_read_bio(bio, &name, &header, &der, &der_len) != 1 || der_len <= 0) {
        rc = libro_crypto__ossl_fail(err, LIBRO_ERR_PARSE, "pem: malformed");
        goto out;
    }
    /* One key per file: anything but blank space after it is an error, not ignored. */
    rest_len = BIO_MEM_DATA(bio, &rest);
    if (rest_len > 0 && !only_blank(rest, rest_len)) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "pem: unexpected data after the key");
        goto out;
    }
    if (header != NULL && header[0] != '\0') {
        /* RFC 1421 Proc-Type/DEK-Info: the legacy OpenSSL encryption (MD5-based KDF). */
        rc = libro_error_set(err, LIBRO_ERR_UNSUPPORTED,
                             "pem: legacy PEM encryption is not supported (use PKCS#8)");
        goto out;
    }
    if (strcmp(name, PEM_STRING_PKCS8INF) == 0) {
        rc = read_plain_private(out, der, der_len, err);
    } else if (strcmp(name, PEM_STRING_PKCS8) == 0) {
        rc = read_encrypted_private(out, der, der_len, pass, pass_len, err);
    } else if (strcmp(name, PEM_STRING_PUBLIC) == 0) {
        rc = read_public(out, der, der_len, err);
    } else {
        rc = libro_error_set(err, LIBRO_ERR_UNSUPPORTED,
                             "pem: unsupported block \"%s\" (want PKCS#8 or public key)",
                             libro_key__shown(shown, name, strlen(name)));
    }
out:
    if (rc != LIBRO_OK) {
        libro_crypto__pem_key_clear(out);
        kp.ERR_clear_error();
    }
    if (der != NULL) {
        kp.CRYPTO_clear_free(der, (size_t) der_len, OPENSSL_FILE, OPENSSL_LINE);
    }
    kp.CRYPTO_free(name, OPENSSL_FILE, OPENSSL_LINE);
    kp.CRYPTO_free(header, OPENSSL_FILE, OPENSSL_LINE);
    kp.BIO_free(bio);
    return rc;
}
