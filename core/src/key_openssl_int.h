/* libro: what the three files of the OpenSSL key adapter share: key_openssl.c (P-256
 * import and verify), key_openssl_sign.c (generate and sign) and key_openssl_pem.c (key
 * files); the last two are left out of a verify-only build (LIBRO_VERIFY_ONLY). Not
 * installed; double-underscore names are not API. */
#ifndef LIBRO_KEY_OPENSSL_INT_H
#define LIBRO_KEY_OPENSSL_INT_H

#include <openssl/evp.h>

#include "crypto_int.h"

struct libro_crypto__p256 {
    EVP_PKEY *pkey;
};

/* The group order n of P-256 (FIPS 186-4 D.1.2.3), big-endian (floor(n / 2) is in
 * key_openssl_sign.c). */
static const unsigned char p256_n[32] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};

/** Record the first queued OpenSSL reason under `what`, then clear the queue. Returns
 *  `code`. */
libro_code libro_crypto__ossl_fail(libro_error *err, libro_code code, const char *what);
/** A named-curve P-256 key (explicit curve parameters are refused). */
bool libro_crypto__is_p256(EVP_PKEY *pkey);
/** 0x04 || x || y from the key's coordinates, whatever point format it was decoded from. */
LIBRO_NODISCARD libro_code libro_crypto__p256_export(unsigned char pub[65], EVP_PKEY *pkey,
                                                     libro_error *err);
/** The public point (and, `with_private`, the scalar) pass OpenSSL's key checks, else
 *  LIBRO_ERR_BAD_KEY. */
LIBRO_NODISCARD libro_code libro_crypto__p256_check(EVP_PKEY *pkey, bool with_private,
                                                    libro_error *err);
/** Wrap `*pkey` in a new libro_crypto__p256, taking it (*pkey becomes NULL) on success. */
LIBRO_NODISCARD libro_code libro_crypto__p256_wrap(libro_crypto__p256 **out, EVP_PKEY **pkey,
                                                   libro_error *err);

#endif
