/* libro: signing keys. Ed25519 runs on libsodium, P-256 on OpenSSL; neither library's types
 * appear here. Private key material is held in guarded or OpenSSL-owned memory and wiped on
 * free; it never passes through JSON. */
#ifndef LIBRO_KEY_H
#define LIBRO_KEY_H

#include "libro/buf.h"

/** The only two signature algorithms libro knows. */
typedef enum libro_alg {
    LIBRO_ALG_ED25519 = 1, /* JOSE "EdDSA" (or "Ed25519", RFC 9864), OKP crv Ed25519 */
    LIBRO_ALG_ES256 = 2,   /* JOSE "ES256", EC crv P-256, signature raw r||s (64 bytes) */
} libro_alg;

typedef struct libro_key libro_key; /* opaque */

#define LIBRO_SIGNATURE_BYTES 64u /* both algorithms */
#define LIBRO_THUMBPRINT_LEN 43u  /* base64url of a SHA-256 digest */

/** "ed25519" / "es256" (our CLI names). */
LIBRO_API const char *libro_alg_name(libro_alg alg);
/** The JOSE `alg` libro writes: "EdDSA" / "ES256". */
LIBRO_API const char *libro_alg_jose_name(libro_alg alg);
/** Parse a CLI name ("ed25519", "es256"). LIBRO_ERR_UNSUPPORTED otherwise. */
LIBRO_API LIBRO_NODISCARD libro_code libro_alg_from_name(libro_alg *out, const char *name,
                                                         libro_error *err);

/** A fresh key pair from the system CSPRNG. Caller owns *out (libro_key_free). */
LIBRO_API LIBRO_NODISCARD libro_code libro_key_generate(libro_key **out, libro_alg alg,
                                                        libro_error *err);
/** Wipe and release. NULL is a no-op. */
LIBRO_API void libro_key_free(libro_key *k);

LIBRO_API libro_alg libro_key_alg(const libro_key *k);
LIBRO_API bool libro_key_has_private(const libro_key *k);
/** A copy of the public half only. */
LIBRO_API LIBRO_NODISCARD libro_code libro_key_public(libro_key **out, const libro_key *k,
                                                      libro_error *err);
/** True when both hold the same public key (same algorithm, same point). */
LIBRO_API bool libro_key_equal_public(const libro_key *a, const libro_key *b);

/** A public key from raw bytes: Ed25519 = 32 bytes (RFC 8032 encoding); P-256 = 65-byte
 *  uncompressed SEC1 point (0x04||x||y). Rejects small-order or non-canonical Ed25519 points
 *  and off-curve or infinity P-256 points: LIBRO_ERR_BAD_KEY. */
LIBRO_API LIBRO_NODISCARD libro_code libro_key_from_raw_public(libro_key **out, libro_alg alg,
                                                               const void *p, size_t len,
                                                               libro_error *err);
/** Raw public bytes as above, appended to `out`. */
LIBRO_API LIBRO_NODISCARD libro_code libro_key_raw_public(libro_buf *out, const libro_key *k,
                                                          libro_error *err);

/** PKCS#8 PEM of the private key, encrypted (PBES2, AES-256-CBC, scrypt) when `pass` is not
 *  NULL. Appended to `out`; the caller wipes it with libro_buf_free. */
LIBRO_API LIBRO_NODISCARD libro_code libro_key_private_pem(libro_buf *out, const libro_key *k,
                                                           const char *pass, size_t pass_len,
                                                           libro_error *err);
/** SubjectPublicKeyInfo PEM of the public key, appended to `out`. */
LIBRO_API LIBRO_NODISCARD libro_code libro_key_public_pem(libro_buf *out, const libro_key *k,
                                                          libro_error *err);
/** Write the private key to a new file `path`: mode 0600, O_EXCL|O_NOFOLLOW (never
 *  overwrites: LIBRO_ERR_EXISTS), fsync. `pass` as in libro_key_private_pem. */
LIBRO_API LIBRO_NODISCARD libro_code libro_key_save_pem(const libro_key *k, const char *path,
                                                        const char *pass, size_t pass_len,
                                                        libro_error *err);
/** Parse a PEM (private PKCS#8, encrypted PKCS#8, or public SubjectPublicKeyInfo) from memory.
 *  Only Ed25519 and P-256 keys are accepted (LIBRO_ERR_UNSUPPORTED otherwise). An encrypted
 *  key without `pass`, or with a wrong one: LIBRO_ERR_PASSPHRASE. Truncated or garbled:
 *  LIBRO_ERR_PARSE. */
LIBRO_API LIBRO_NODISCARD libro_code libro_key_from_pem(libro_key **out, const char *pem,
                                                        size_t len, const char *pass,
                                                        size_t pass_len, libro_error *err);
/** Load a key file: a PEM (as libro_key_from_pem) or a public JWK (first non-blank byte '{').
 *  The file must be a regular file, not a symbolic link, at most LIBRO_MAX_KEY_FILE_BYTES. A
 *  file holding a private key must not be readable or writable by group or others
 *  (LIBRO_ERR_DENIED). */
LIBRO_API LIBRO_NODISCARD libro_code libro_key_load_file(libro_key **out, const char *path,
                                                         const char *pass, size_t pass_len,
                                                         libro_error *err);

/** Import a public JWK (RFC 7517): {"kty":"OKP","crv":"Ed25519","x"} or
 *  {"kty":"EC","crv":"P-256","x","y"}. Strict: bounded, duplicate members rejected, a private
 *  member "d" rejected (LIBRO_ERR_UNSUPPORTED: secrets never travel as JSON here), "alg" if
 *  present must match the curve, "use" if present must be "sig". Optional "kid", "key_ops"
 *  and "alg" are otherwise ignored. Point checks as libro_key_from_raw_public. */
LIBRO_API LIBRO_NODISCARD libro_code libro_key_from_jwk(libro_key **out, const char *json,
                                                        size_t len, libro_error *err);
/** The public JWK, members in lexicographic order, no whitespace, with "alg" and "kid"
 *  (kid may be NULL: then omitted), appended to `out`. */
LIBRO_API LIBRO_NODISCARD libro_code libro_key_to_jwk(libro_buf *out, const libro_key *k,
                                                      const char *kid, libro_error *err);
/** RFC 7638 JWK thumbprint (SHA-256, base64url): 43 characters plus NUL. */
LIBRO_API LIBRO_NODISCARD libro_code libro_key_thumbprint(char out[LIBRO_THUMBPRINT_LEN + 1],
                                                          const libro_key *k, libro_error *err);

/** did:key for an Ed25519 key ("did:key:z6Mk..."), appended to `out`. P-256 keys:
 *  LIBRO_ERR_UNSUPPORTED (persons are identified by Ed25519 did:key). */
LIBRO_API LIBRO_NODISCARD libro_code libro_key_to_did(libro_buf *out, const libro_key *k,
                                                      libro_error *err);
/** Parse "did:key:z6Mk..." (Ed25519 multicodec 0xed 0x01) into a public key. */
LIBRO_API LIBRO_NODISCARD libro_code libro_key_from_did(libro_key **out, const char *did,
                                                        size_t len, libro_error *err);

/** Sign `msg`: 64 bytes appended to `sig` (Ed25519, or ES256 raw r||s with low S).
 *  LIBRO_ERR_BAD_KEY if `k` has no private half. */
LIBRO_API LIBRO_NODISCARD libro_code libro_key_sign(libro_buf *sig, const libro_key *k,
                                                    const void *msg, size_t msg_len,
                                                    libro_error *err);
/** Verify a 64-byte signature. LIBRO_ERR_BAD_SIGNATURE on any mismatch (wrong length, S >= L,
 *  small-order R, r or s out of range, ...). */
LIBRO_API LIBRO_NODISCARD libro_code libro_key_verify(const libro_key *k, const void *msg,
                                                      size_t msg_len, const void *sig,
                                                      size_t sig_len, libro_error *err);

#endif
