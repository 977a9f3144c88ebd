/* libro: what key.c shares with the files that make, use and store private keys (key_sign.c,
 * key_write.c, key_load.c), which a verify-only build (LIBRO_VERIFY_ONLY) leaves out. Not
 * installed; double-underscore names are not API. */
#ifndef LIBRO_KEY_INT_H
#define LIBRO_KEY_INT_H

#include "crypto_int.h"

struct libro_key {
    libro_alg alg;
    bool has_private;
    unsigned char pub[LIBRO_RAW_PUBLIC_MAX]; /* raw public bytes, validated at import */
    size_t pub_len;
    libro_crypto__ed25519_sk *ed; /* Ed25519 private half (guarded memory), or NULL */
    libro_crypto__p256 *ec;       /* ES256: always set; holds the private scalar if any */
};

/** A zeroed key of algorithm `alg` (libro_key_free releases it). (key.c) */
LIBRO_NODISCARD libro_code libro_key__new(libro_key **out, libro_alg alg, libro_error *err);

#endif
