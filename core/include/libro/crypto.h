/* libro: hashing and randomness (OpenSSL underneath, never visible here). */
#ifndef LIBRO_CRYPTO_H
#define LIBRO_CRYPTO_H

#include "libro/error.h"

/** SHA-256 of p[0..len) into `out`. */
LIBRO_API LIBRO_NODISCARD libro_code libro_sha256(unsigned char out[32], const void *p, size_t len,
                                                  libro_error *err);
/* A document's hash as libro names documents (docs/formats.md, "Document hashes"): "sha256:"
 * and the 64 lowercase hex digits of the SHA-256 of its exact bytes (an agreement's JWS JSON
 * document, a consent step's or a law's compact JWS, a mandate's compact JWS), 71
 * characters; a buffer for one, with its NUL. */
#define LIBRO_HASH_REF_LEN 71u
#define LIBRO_HASH_REF_SIZE (LIBRO_HASH_REF_LEN + 1u)

/** The hash of p[0..len) in the form above, into `out` (NUL-terminated). Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_hash_ref(char out[LIBRO_HASH_REF_SIZE], const void *p,
                                                    size_t len, libro_error *err);
/** Whether s[0..len) is a hash in the form above (lowercase hex only). Thread-safe. */
LIBRO_API bool libro_hash_ref_ok(const char *s, size_t len);
/** The 32 bytes a hash in the form above names, into `out`: LIBRO_ERR_PARSE when s[0..len)
 *  is not of the form. Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_hash_ref_decode(unsigned char out[32], const char *s,
                                                           size_t len, libro_error *err);
/** The hash form of the 32 bytes `digest`, into `out` (NUL-terminated). Never fails. */
LIBRO_API void libro_hash_ref_encode(char out[LIBRO_HASH_REF_SIZE], const unsigned char digest[32]);

/** `len` bytes from the system CSPRNG. */
LIBRO_API LIBRO_NODISCARD libro_code libro_random_bytes(void *out, size_t len, libro_error *err);

#endif
