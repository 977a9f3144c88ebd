/* libro: the libsodium adapter for Ed25519 (design.md §2). The only file that includes
 * <sodium.h>. libsodium's verifier is strict where RFC 8032 leaves room: it rejects S >= L,
 * small-order R and A, and non-canonical encodings, and uses the cofactorless equation, so a
 * signature valid here is valid for every conforming verifier ("Taming the many EdDSAs"). */
#include <sodium.h>
#include <string.h>

#include "crypto_int.h"

/* The whole struct lives in sodium_malloc memory: guard pages, canary, mlock, and a wipe in
 * sodium_free. */
struct libro_crypto__ed25519_sk {
    unsigned char sk[crypto_sign_SECRETKEYBYTES]; /* seed || public key */
};

static libro_code
ensure_init(libro_error *err)
{
    /* sodium_init is idempotent and thread-safe: 0 = done now, 1 = already, -1 = failure. */
    if (sodium_init() < 0) {
        return libro_error_set(err, LIBRO_ERR_CRYPTO, "libsodium initialisation failed");
    }
    return LIBRO_OK;
}

static libro_code
alloc_sk(libro_crypto__ed25519_sk **out, libro_error *err)
{
    libro_code rc = ensure_init(err);

    if (rc != LIBRO_OK) {
        return rc;
    }
    *out = sodium_malloc(sizeof **out);
    if (*out == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory (guarded key memory)");
    }
    return LIBRO_OK;
}

/* Read-only rather than no-access while idle: a shared key may be used to sign from several
 * threads at once, and toggling page protection per call would race between them. */
static void
seal(libro_crypto__ed25519_sk *sk)
{
    (void) sodium_mprotect_readonly(sk);
}

libro_code
libro_crypto__ed25519_generate(libro_crypto__ed25519_sk **out, unsigned char pk[32],
                               libro_error *err)
{
    libro_crypto__ed25519_sk *sk = NULL;
    libro_code rc;

    *out = NULL;
    rc = alloc_sk(&sk, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (crypto_sign_keypair(pk, sk->sk) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_CRYPTO, "ed25519 key generation failed");
        goto out;
    }
    seal(sk);
    *out = sk;
    sk = NULL; /* moved to caller */
out:
    libro_crypto__ed25519_free(sk);
    return rc;
}

libro_code
libro_crypto__ed25519_from_seed(libro_crypto__ed25519_sk **out, unsigned char pk[32],
                                const unsigned char seed[32], libro_error *err)
{
    libro_crypto__ed25519_sk *sk = NULL;
    libro_code rc;

    *out = NULL;
    rc = alloc_sk(&sk, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (crypto_sign_seed_keypair(pk, sk->sk, seed) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_CRYPTO, "ed25519 key derivation failed");
        goto out;
    }
    seal(sk);
    *out = sk;
    sk = NULL; /* moved to caller */
out:
    libro_crypto__ed25519_free(sk);
    return rc;
}

void
libro_crypto__ed25519_seed(unsigned char seed[32], const libro_crypto__ed25519_sk *sk)
{
    (void) crypto_sign_ed25519_sk_to_seed(seed, sk->sk);
}

void
libro_crypto__ed25519_free(libro_crypto__ed25519_sk *sk)
{
    if (sk != NULL) {
        sodium_free(sk); /* unprotects, checks the canary, wipes, unmaps */
    }
}

libro_code
libro_crypto__ed25519_sign(unsigned char sig[64], const libro_crypto__ed25519_sk *sk,
                           const void *msg, size_t msg_len, libro_error *err)
{
    libro_code rc = ensure_init(err);

    if (rc != LIBRO_OK) {
        return rc;
    }
    if (crypto_sign_detached(sig, NULL, msg_len == 0 ? (const void *) "" : msg,
                             (unsigned long long) msg_len, sk->sk) != 0) {
        return libro_error_set(err, LIBRO_ERR_CRYPTO, "ed25519 signing failed");
    }
    return LIBRO_OK;
}

libro_code
libro_crypto__ed25519_verify(const unsigned char pk[32], const void *msg, size_t msg_len,
                             const void *sig, size_t sig_len, libro_error *err)
{
    libro_code rc = ensure_init(err);

    if (rc != LIBRO_OK) {
        return rc;
    }
    if (sig_len != crypto_sign_BYTES) {
        return libro_error_set(err, LIBRO_ERR_BAD_SIGNATURE,
                               "ed25519 signature must be 64 bytes, not %zu", sig_len);
    }
    if (crypto_sign_verify_detached(sig, msg_len == 0 ? (const void *) "" : msg,
                                    (unsigned long long) msg_len, pk) != 0) {
        return libro_error_set(err, LIBRO_ERR_BAD_SIGNATURE, "ed25519 signature does not verify");
    }
    return LIBRO_OK;
}

bool
libro_crypto__ed25519_valid_point(const unsigned char pk[32])
{
    /* Canonical y < p, on the curve, not of small order, and in the prime-order subgroup
     * (libsodium >= 1.0.18): the point checks of RFC 8032 §5.1.3 plus the ones it omits. */
    if (ensure_init(NULL) != LIBRO_OK) {
        return false;
    }
    return crypto_core_ed25519_is_valid_point(pk) == 1;
}
