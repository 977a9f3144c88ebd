/* libro: project-internal JWK helpers. Not installed. */
#ifndef LIBRO_JWK_INT_H
#define LIBRO_JWK_INT_H

#include "libro/key.h"

/** RFC 7638 thumbprint of any JWK in jwk[0..len), computed from its required members only
 *  (RSA: e, kty, n; EC: crv, kty, x, y; OKP: crv, kty, x; oct: k, kty), without importing the
 *  key, so keys libro refuses (RSA, oct) can be fingerprinted and the RFC's own §3.1 example
 *  checked. `out` receives 43 base64url characters and a NUL. The document is bounded
 *  (LIBRO_MAX_KEY_FILE_BYTES) and must be a JSON object with no duplicate members; each
 *  required member must be a string (LIBRO_ERR_PARSE), and an unknown kty is
 *  LIBRO_ERR_UNSUPPORTED. */
LIBRO_NODISCARD libro_code libro_jwk__thumbprint_json(char out[LIBRO_THUMBPRINT_LEN + 1],
                                                      const char *jwk, size_t len,
                                                      libro_error *err);

#endif
