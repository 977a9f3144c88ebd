/* libro: the private seam between key.c (dispatch, no crypto library headers) and the two
 * adapters: crypto_sodium.c (Ed25519, with crypto_sodium_sign.c and codec_sodium.c the only
 * files including <sodium.h>) and key_openssl.c (P-256 and key files, with key_openssl_sign.c and
 * key_openssl_pem.c the only files including OpenSSL headers besides crypto_openssl.c). The
 * *_sign.c and *_pem.c halves make, use and store private keys and are left out of a
 * verify-only build (LIBRO_VERIFY_ONLY). Not installed; double-underscore names are not
 * API. */
#ifndef LIBRO_CRYPTO_INT_H
#define LIBRO_CRYPTO_INT_H

#include "libro/buf.h"
#include "libro/key.h"

#define LIBRO_ED25519_PUBLIC_BYTES 32u
#define LIBRO_ED25519_SEED_BYTES 32u
#define LIBRO_P256_PUBLIC_BYTES 65u /* 0x04 || x || y (SEC1 uncompressed) */
#define LIBRO_P256_SCALAR_BYTES 32u
#define LIBRO_RAW_PUBLIC_MAX 65u

/** Copy at most 64 bytes of untrusted `s` (len bytes, or up to a NUL) into `out` for an error
 *  message: printable ASCII other than '"' and '\\' kept, anything else shown as '?', so a
 *  message stays one line and unambiguous. Returns `out`. (key.c) */
const char *libro_key__shown(char out[65], const char *s, size_t len);

/* ---- Ed25519 (crypto_sodium.c; generate, from_seed, seed and sign: crypto_sodium_sign.c) ---- */

/** Initialise libsodium once (idempotent, thread-safe); LIBRO_ERR_CRYPTO if it cannot. */
LIBRO_NODISCARD libro_code libro_crypto__sodium_init(libro_error *err);

/** An Ed25519 secret key (seed || public) in libsodium guarded memory, read-only after
 *  creation. */
typedef struct libro_crypto__ed25519_sk libro_crypto__ed25519_sk;

/** A fresh key pair. `pk` receives the public key. */
LIBRO_NODISCARD libro_code libro_crypto__ed25519_generate(libro_crypto__ed25519_sk **out,
                                                          unsigned char pk[32], libro_error *err);
/** The key pair for a 32-byte RFC 8032 seed; the caller wipes its copy of `seed`. */
LIBRO_NODISCARD libro_code libro_crypto__ed25519_from_seed(libro_crypto__ed25519_sk **out,
                                                           unsigned char pk[32],
                                                           const unsigned char seed[32],
                                                           libro_error *err);
/** Copy the seed out (for the PKCS#8 writer); the caller wipes `seed` after use. */
void libro_crypto__ed25519_seed(unsigned char seed[32], const libro_crypto__ed25519_sk *sk);
/** Wipe and release (sodium_free). NULL is a no-op. */
void libro_crypto__ed25519_free(libro_crypto__ed25519_sk *sk);
LIBRO_NODISCARD libro_code libro_crypto__ed25519_sign(unsigned char sig[64],
                                                      const libro_crypto__ed25519_sk *sk,
                                                      const void *msg, size_t msg_len,
                                                      libro_error *err);
/** Strict verification (libsodium: S < L, R and A not of small order, canonical encodings,
 *  cofactorless equation). LIBRO_ERR_BAD_SIGNATURE on any failure. */
LIBRO_NODISCARD libro_code libro_crypto__ed25519_verify(const unsigned char pk[32], const void *msg,
                                                        size_t msg_len, const void *sig,
                                                        size_t sig_len, libro_error *err);
/** True when `pk` is a canonical encoding of a point of the prime-order subgroup that is not
 *  of small order (crypto_core_ed25519_is_valid_point). */
bool libro_crypto__ed25519_valid_point(const unsigned char pk[32]);

/* ---- P-256 (key_openssl.c; generate and sign: key_openssl_sign.c) ---- */

/** A P-256 key held by OpenSSL (public only, or with its private scalar). */
typedef struct libro_crypto__p256 libro_crypto__p256;

LIBRO_NODISCARD libro_code libro_crypto__p256_generate(libro_crypto__p256 **out,
                                                       unsigned char pub[65], libro_error *err);
/** Import a 65-byte uncompressed point; off-curve, infinity, compressed or hybrid encodings
 *  and coordinates >= p are LIBRO_ERR_BAD_KEY. */
LIBRO_NODISCARD libro_code libro_crypto__p256_from_public(libro_crypto__p256 **out,
                                                          const unsigned char *pub, size_t len,
                                                          libro_error *err);
void libro_crypto__p256_free(libro_crypto__p256 *k);
/** Raw r||s, each zero-padded to 32 bytes, with s <= n/2. */
LIBRO_NODISCARD libro_code libro_crypto__p256_sign(unsigned char sig[64],
                                                   const libro_crypto__p256 *k, const void *msg,
                                                   size_t msg_len, libro_error *err);
/** Raw r||s; r, s in [1, n-1]; high S is accepted (ECDSA as standardised). */
LIBRO_NODISCARD libro_code libro_crypto__p256_verify(const libro_crypto__p256 *k, const void *msg,
                                                     size_t msg_len, const void *sig,
                                                     size_t sig_len, libro_error *err);

/* ---- PEM files (key_openssl_pem.c) ---- */

/** A key crossing the PEM seam. Reading fills it (caller takes `ec` and wipes `seed` with
 *  libro_crypto__pem_key_clear); writing borrows it. */
typedef struct libro_crypto__pem_key {
    libro_alg alg;
    bool has_private;
    unsigned char seed[LIBRO_ED25519_SEED_BYTES]; /* Ed25519 private: secret */
    unsigned char pub[LIBRO_RAW_PUBLIC_MAX];      /* raw public bytes */
    size_t pub_len;
    libro_crypto__p256 *ec; /* ES256 */
} libro_crypto__pem_key;

/** Wipe the seed and free `ec` if still owned. */
void libro_crypto__pem_key_clear(libro_crypto__pem_key *pk);

/** PKCS#8 PEM of a private key; encrypted (PBES2: scrypt + AES-256-CBC) when pass != NULL. */
LIBRO_NODISCARD libro_code libro_crypto__pem_write_private(libro_buf *out,
                                                           const libro_crypto__pem_key *pk,
                                                           const char *pass, size_t pass_len,
                                                           libro_error *err);
/** SubjectPublicKeyInfo PEM. */
LIBRO_NODISCARD libro_code libro_crypto__pem_write_public(libro_buf *out,
                                                          const libro_crypto__pem_key *pk,
                                                          libro_error *err);
/** Parse one PEM block (PRIVATE KEY, ENCRYPTED PRIVATE KEY or PUBLIC KEY). */
LIBRO_NODISCARD libro_code libro_crypto__pem_read(libro_crypto__pem_key *out, const char *pem,
                                                  size_t len, const char *pass, size_t pass_len,
                                                  libro_error *err);

/** The 32 public key bytes of an Ed25519 did:key, checking its form only (prefix, multibase,
 *  multicodec, length), not the point: libro_key_from_did adds that check. */
LIBRO_NODISCARD libro_code libro_key__did_decode(unsigned char pub[32], const char *did, size_t len,
                                                 libro_error *err);

#endif
