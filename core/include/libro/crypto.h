/* libro: hashing and randomness (OpenSSL underneath, never visible here). */
#ifndef LIBRO_CRYPTO_H
#define LIBRO_CRYPTO_H

#include "libro/error.h"

/** SHA-256 of p[0..len) into `out`. */
LIBRO_API LIBRO_NODISCARD libro_code libro_sha256(unsigned char out[32], const void *p, size_t len,
                                                  libro_error *err);
/** `len` bytes from the system CSPRNG. */
LIBRO_API LIBRO_NODISCARD libro_code libro_random_bytes(void *out, size_t len, libro_error *err);

#endif
