/* libro: writing keys as PEM (PKCS#8 private keys, optionally encrypted, and
 * SubjectPublicKeyInfo) and saving a private key to a new 0600 file. Apart from key.c so that
 * a verify-only build (LIBRO_VERIFY_ONLY) carries no key-writing code. */
#include <string.h>

#include "key_int.h"
#include "libro/file.h"
#include "libro/key.h"
#include "libro/util.h"

/* ---- PEM ---- */

libro_code
libro_key_private_pem(libro_buf *out, const libro_key *k, const char *pass, size_t pass_len,
                      libro_error *err)
{
    libro_crypto__pem_key pk;
    libro_code rc;

    if (out == NULL || k == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "NULL argument");
    }
    if (!k->has_private) {
        return libro_error_set(err, LIBRO_ERR_BAD_KEY, "key has no private half");
    }
    memset(&pk, 0, sizeof pk);
    pk.alg = k->alg;
    pk.has_private = true;
    if (k->alg == LIBRO_ALG_ED25519) {
        libro_crypto__ed25519_seed(pk.seed, k->ed);
    } else {
        pk.ec = k->ec; /* borrowed */
    }
    rc = libro_crypto__pem_write_private(out, &pk, pass, pass_len, err);
    libro_wipe(&pk, sizeof pk); /* the seed copy; `ec` stays with k */
    return rc;
}

libro_code
libro_key_public_pem(libro_buf *out, const libro_key *k, libro_error *err)
{
    libro_crypto__pem_key pk;

    if (out == NULL || k == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "NULL argument");
    }
    memset(&pk, 0, sizeof pk);
    pk.alg = k->alg;
    memcpy(pk.pub, k->pub, k->pub_len);
    pk.pub_len = k->pub_len;
    pk.ec = k->alg == LIBRO_ALG_ES256 ? k->ec : NULL; /* borrowed */
    return libro_crypto__pem_write_public(out, &pk, err);
}

libro_code
libro_key_save_pem(const libro_key *k, const char *path, const char *pass, size_t pass_len,
                   libro_error *err)
{
    libro_buf pem = LIBRO_BUF_INIT;
    libro_code rc;

    if (path == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "path is NULL");
    }
    rc = libro_key_private_pem(&pem, k, pass, pass_len, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_file_write_new(path, pem.data, pem.len, 0600, err);
out:
    libro_buf_free(&pem); /* wipes */
    return rc;
}
