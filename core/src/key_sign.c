/* libro: making key pairs and signing with them, dispatched to the libsodium adapter
 * (Ed25519) and the OpenSSL one (P-256). Apart from key.c so that a verify-only build
 * (LIBRO_VERIFY_ONLY) carries no key generation or signing code. */
#include "key_int.h"
#include "libro/key.h"
#include "libro/util.h"

libro_code
libro_key_generate(libro_key **out, libro_alg alg, libro_error *err)
{
    libro_key *k = NULL;
    libro_code rc;

    if (out == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "out is NULL");
    }
    *out = NULL;
    if (alg != LIBRO_ALG_ED25519 && alg != LIBRO_ALG_ES256) {
        return libro_error_set(err, LIBRO_ERR_UNSUPPORTED, "unsupported algorithm %d", (int) alg);
    }
    rc = libro_key__new(&k, alg, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (alg == LIBRO_ALG_ED25519) {
        rc = libro_crypto__ed25519_generate(&k->ed, k->pub, err);
        k->pub_len = LIBRO_ED25519_PUBLIC_BYTES;
    } else {
        rc = libro_crypto__p256_generate(&k->ec, k->pub, err);
        k->pub_len = LIBRO_P256_PUBLIC_BYTES;
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    k->has_private = true;
    *out = k;
    k = NULL; /* moved to caller */
out:
    libro_key_free(k);
    return rc;
}

libro_code
libro_key_sign(libro_buf *sig, const libro_key *k, const void *msg, size_t msg_len,
               libro_error *err)
{
    unsigned char raw[LIBRO_SIGNATURE_BYTES];
    libro_code rc;

    if (sig == NULL || k == NULL || (msg == NULL && msg_len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "NULL argument");
    }
    if (!k->has_private) {
        return libro_error_set(err, LIBRO_ERR_BAD_KEY, "cannot sign: key has no private half");
    }
    if (k->alg == LIBRO_ALG_ED25519) {
        rc = libro_crypto__ed25519_sign(raw, k->ed, msg, msg_len, err);
    } else {
        rc = libro_crypto__p256_sign(raw, k->ec, msg, msg_len, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(sig, raw, sizeof raw, err);
    }
    return rc;
}
