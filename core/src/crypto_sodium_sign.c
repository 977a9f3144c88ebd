/* libro: Ed25519 key pairs and signatures with libsodium (the other half of the adapter in
 * crypto_sodium.c). Secret keys live in guarded memory from creation to sodium_free. Apart
 * from crypto_sodium.c so that a verify-only build (LIBRO_VERIFY_ONLY) carries no key
 * generation or signing code. */
#include <sodium.h>

#include "crypto_int.h"

/* The whole struct lives in sodium_malloc memory: guard pages, canary, mlock, and a wipe in
 * sodium_free. */
struct libro_crypto__ed25519_sk {
    unsigned char sk[crypto_sign_SECRETKEYBYTES]; /* seed || public key */
};

static libro_code
alloc_sk(libro_crypto__ed25519_sk **out, libro_error *err)
{
    libro_code rc = libro_crypto__sodium_init(err);

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

libro_code
libro_crypto__ed25519_sign(unsigned char sig[64], const libro_crypto__ed25519_sk *sk,
                           const void *msg, size_t msg_len, libro_error *err)
{
    libro_code rc = libro_crypto__sodium_init(err);

    if (rc != LIBRO_OK) {
        return rc;
    }
    if (crypto_sign_detached(sig, NULL, msg_len == 0 ? (const void *) "" : msg,
                             (unsigned long long) msg_len, sk->sk) != 0) {
        return libro_error_set(err, LIBRO_ERR_CRYPTO, "ed25519 signing failed");
    }
    return LIBRO_OK;
}
