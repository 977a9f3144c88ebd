/* libro: the libsodium adapter for Ed25519 (docs/credentials.md), SHA-256, randomness and
 * secret hygiene: with crypto_sodium_sign.c (key pairs and signing, left out of a verify-only
 * build) and codec_sodium.c (base64, hex) the only files that include <sodium.h>. Hashing,
 * randomness and wiping are libsodium's so that an Ed25519 verification needs no libcrypto,
 * which is loaded only for a P-256 key or a key file (key_openssl*.c). libsodium's verifier is
 * strict where RFC 8032 leaves room: it rejects S >= L, small-order R and A, and non-canonical
 * encodings, and uses the cofactorless equation, so a signature valid here is valid for every
 * conforming verifier
 * ("Taming the many EdDSAs"). */
#include <sodium.h>
#include <string.h>

#include "crypto_int.h"
#include "libro/crypto.h"
#include "libro/util.h"

libro_code
libro_crypto__sodium_init(libro_error *err)
{
    /* sodium_init is idempotent and thread-safe: 0 = done now, 1 = already, -1 = failure. */
    if (sodium_init() < 0) {
        return libro_error_set(err, LIBRO_ERR_CRYPTO, "libsodium initialisation failed");
    }
    return LIBRO_OK;
}

void
libro_wipe(void *p, size_t len)
{
    if (p != NULL && len > 0) {
        sodium_memzero(p, len); /* never optimised away */
    }
}

void
libro_secret_free(void *p, size_t len)
{
    if (p == NULL) {
        return;
    }
    libro_wipe(p, len);
    libro_free(p);
}

bool
libro_ct_equal(const void *a, const void *b, size_t len)
{
    /* Constant time in `len`, which is public. */
    return sodium_memcmp(a, b, len) == 0;
}

libro_code
libro_random_bytes(void *out, size_t len, libro_error *err)
{
    /* The system's CSPRNG (getrandom), after sodium_init made it safe to share. */
    libro_code rc = libro_crypto__sodium_init(err);

    if (rc != LIBRO_OK) {
        return rc;
    }
    if (out == NULL && len > 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "random bytes: NULL output");
    }
    randombytes_buf(out, len);
    return LIBRO_OK;
}

void
libro_crypto__ed25519_free(libro_crypto__ed25519_sk *sk)
{
    if (sk != NULL) {
        sodium_free(sk); /* unprotects, checks the canary, wipes, unmaps */
    }
}

libro_code
libro_crypto__ed25519_verify(const unsigned char pk[32], const void *msg, size_t msg_len,
                             const void *sig, size_t sig_len, libro_error *err)
{
    libro_code rc = libro_crypto__sodium_init(err);

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

/* libsodium's SHA-256, not OpenSSL's: a verification whose signatures are all Ed25519 then
 * never initialises OpenSSL, whose first EVP call reads its configuration file and fills its
 * provider and algorithm tables (about a millisecond, as much as the rest of a verify). */
libro_code
libro_sha256(unsigned char out[32], const void *p, size_t len, libro_error *err)
{
    libro_code rc = libro_crypto__sodium_init(err);

    if (rc != LIBRO_OK) {
        return rc;
    }
    if (p == NULL && len > 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "sha-256: NULL input");
    }
    (void) crypto_hash_sha256(out, len == 0 ? (const unsigned char *) "" : p,
                              (unsigned long long) len); /* always 0 */
    return LIBRO_OK;
}

bool
libro_crypto__ed25519_valid_point(const unsigned char pk[32])
{
    /* Canonical y < p, on the curve, not of small order, and in the prime-order subgroup
     * (libsodium >= 1.0.18): the point checks of RFC 8032 §5.1.3 plus the ones it omits. */
    if (libro_crypto__sodium_init(NULL) != LIBRO_OK) {
        return false;
    }
    return crypto_core_ed25519_is_valid_point(pk) == 1;
}
