/* libro: signing keys. Dispatch between the libsodium adapter (Ed25519) and the OpenSSL one
 * (P-256, key files); neither library's headers are included here. */
#include <string.h>

#include "key_int.h"
#include "libro/key.h"
#include "libro/util.h"

const char *
libro_key__shown(char out[65], const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < 64 && i < len && s[i] != '\0'; i++) {
        unsigned char c = (unsigned char) s[i];

        out[i] = c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? (char) c : '?';
    }
    out[i] = '\0';
    return out;
}

const char *
libro_alg_name(libro_alg alg)
{
    switch (alg) {
    case LIBRO_ALG_ED25519:
        return "ed25519";
    case LIBRO_ALG_ES256:
        return "es256";
    }
    return "unknown";
}

const char *
libro_alg_jose_name(libro_alg alg)
{
    switch (alg) {
    case LIBRO_ALG_ED25519:
        return "EdDSA"; /* RFC 8037 §3.1 */
    case LIBRO_ALG_ES256:
        return "ES256"; /* RFC 7518 §3.4 */
    }
    return "unknown";
}

libro_code
libro_alg_from_name(libro_alg *out, const char *name, libro_error *err)
{
    char shown[65];

    if (out == NULL || name == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "algorithm name is NULL");
    }
    if (strcmp(name, "ed25519") == 0) {
        *out = LIBRO_ALG_ED25519;
        return LIBRO_OK;
    }
    if (strcmp(name, "es256") == 0) {
        *out = LIBRO_ALG_ES256;
        return LIBRO_OK;
    }
    return libro_error_set(err, LIBRO_ERR_UNSUPPORTED,
                           "unsupported algorithm \"%s\" (want ed25519 or es256)",
                           libro_key__shown(shown, name, strlen(name)));
}

libro_code
libro_key__new(libro_key **out, libro_alg alg, libro_error *err)
{
    *out = libro_calloc(1, sizeof **out);
    if (*out == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    (*out)->alg = alg;
    return LIBRO_OK;
}

void
libro_key_free(libro_key *k)
{
    if (k == NULL) {
        return;
    }
    libro_crypto__ed25519_free(k->ed);
    libro_crypto__p256_free(k->ec);
    libro_secret_free(k, sizeof *k);
}

libro_alg
libro_key_alg(const libro_key *k)
{
    return k != NULL ? k->alg : (libro_alg) 0;
}

bool
libro_key_has_private(const libro_key *k)
{
    return k != NULL && k->has_private;
}

libro_code
libro_key_from_raw_public(libro_key **out, libro_alg alg, const void *p, size_t len,
                          libro_error *err)
{
    libro_key *k = NULL;
    libro_code rc;

    if (out == NULL || (p == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "NULL argument");
    }
    *out = NULL;
    if (alg == LIBRO_ALG_ED25519) {
        if (len != LIBRO_ED25519_PUBLIC_BYTES) {
            return libro_error_set(err, LIBRO_ERR_BAD_KEY,
                                   "ed25519: public key must be 32 bytes, not %zu", len);
        }
        /* RFC 8032 §5.1.3 decoding plus what it leaves out: small-order points (they make
         * every signature "valid" for some message) and non-canonical y >= p. */
        if (!libro_crypto__ed25519_valid_point(p)) {
            return libro_error_set(err, LIBRO_ERR_BAD_KEY,
                                   "ed25519: invalid public key (small order, non-canonical or "
                                   "not on the curve)");
        }
    } else if (alg != LIBRO_ALG_ES256) {
        return libro_error_set(err, LIBRO_ERR_UNSUPPORTED, "unsupported algorithm %d", (int) alg);
    }
    rc = libro_key__new(&k, alg, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (alg == LIBRO_ALG_ES256) {
        rc = libro_crypto__p256_from_public(&k->ec, p, len, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
    }
    if (len > sizeof k->pub) {
        rc = libro_error_set(err, LIBRO_ERR_BAD_KEY, "public key of %zu bytes is too long", len);
        goto out;
    }
    memcpy(k->pub, p, len);
    k->pub_len = len;
    *out = k;
    k = NULL; /* moved to caller */
out:
    libro_key_free(k);
    return rc;
}

libro_code
libro_key_public(libro_key **out, const libro_key *k, libro_error *err)
{
    if (out == NULL || k == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "NULL argument");
    }
    return libro_key_from_raw_public(out, k->alg, k->pub, k->pub_len, err);
}

bool
libro_key_equal_public(const libro_key *a, const libro_key *b)
{
    /* Public values: an ordinary comparison is fine. */
    return a != NULL && b != NULL && a->alg == b->alg && a->pub_len == b->pub_len &&
           memcmp(a->pub, b->pub, a->pub_len) == 0;
}

libro_code
libro_key_raw_public(libro_buf *out, const libro_key *k, libro_error *err)
{
    if (out == NULL || k == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "NULL argument");
    }
    return libro_buf_append(out, k->pub, k->pub_len, err);
}

libro_code
libro_key_verify(const libro_key *k, const void *msg, size_t msg_len, const void *sig,
                 size_t sig_len, libro_error *err)
{
    if (k == NULL || (msg == NULL && msg_len > 0) || (sig == NULL && sig_len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "NULL argument");
    }
    if (k->alg == LIBRO_ALG_ED25519) {
        return libro_crypto__ed25519_verify(k->pub, msg, msg_len, sig, sig_len, err);
    }
    return libro_crypto__p256_verify(k->ec, msg, msg_len, sig, sig_len, err);
}
