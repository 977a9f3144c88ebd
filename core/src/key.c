/* libro: signing keys. Dispatch between the libsodium adapter (Ed25519) and the OpenSSL one
 * (P-256, key files); neither library's headers are included here. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto_int.h"
#include "libro/file.h"
#include "libro/key.h"
#include "libro/limits.h"
#include "libro/util.h"

struct libro_key {
    libro_alg alg;
    bool has_private;
    unsigned char pub[LIBRO_RAW_PUBLIC_MAX]; /* raw public bytes, validated at import */
    size_t pub_len;
    libro_crypto__ed25519_sk *ed; /* Ed25519 private half (guarded memory), or NULL */
    libro_crypto__p256 *ec;       /* ES256: always set; holds the private scalar if any */
};

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

static libro_code
key_new(libro_key **out, libro_alg alg, libro_error *err)
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
    rc = key_new(&k, alg, err);
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
    rc = key_new(&k, alg, err);
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

libro_code
libro_key_from_pem(libro_key **out, const char *pem, size_t len, const char *pass, size_t pass_len,
                   libro_error *err)
{
    libro_crypto__pem_key pk;
    libro_key *k = NULL;
    libro_code rc;

    if (out == NULL || (pem == NULL && len > 0) || (pass == NULL && pass_len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "NULL argument");
    }
    *out = NULL;
    memset(&pk, 0, sizeof pk);
    if (len > LIBRO_MAX_KEY_FILE_BYTES) {
        rc = libro_error_set(err, LIBRO_ERR_LIMIT, "pem: larger than %u bytes",
                             LIBRO_MAX_KEY_FILE_BYTES);
        goto out;
    }
    rc = libro_crypto__pem_read(&pk, pem, len, pass, pass_len, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (pk.alg == LIBRO_ALG_ED25519 && pk.has_private) {
        rc = key_new(&k, pk.alg, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        /* The seed goes to guarded memory; libsodium derives the public key from it. */
        rc = libro_crypto__ed25519_from_seed(&k->ed, k->pub, pk.seed, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        k->pub_len = LIBRO_ED25519_PUBLIC_BYTES;
        k->has_private = true;
    } else if (pk.alg == LIBRO_ALG_ED25519) {
        rc = libro_key_from_raw_public(&k, pk.alg, pk.pub, pk.pub_len, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
    } else {
        rc = key_new(&k, pk.alg, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        k->ec = pk.ec;
        pk.ec = NULL; /* moved into k */
        memcpy(k->pub, pk.pub, pk.pub_len);
        k->pub_len = pk.pub_len;
        k->has_private = pk.has_private;
    }
    *out = k;
    k = NULL; /* moved to caller */
out:
    libro_crypto__pem_key_clear(&pk); /* wipes the seed */
    libro_key_free(k);
    return rc;
}

/* ---- key files ---- */

static bool
contains(const unsigned char *p, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    size_t i;

    for (i = 0; n <= len && i <= len - n; i++) {
        if (memcmp(p + i, needle, n) == 0) {
            return true;
        }
    }
    return false;
}

static libro_code
too_open(const char *path, unsigned mode, libro_error *err)
{
    /* As OpenSSH refuses an "UNPROTECTED PRIVATE KEY FILE": a key others can read is no
     * longer private, and one they can write can be swapped. */
    return libro_error_set(err, LIBRO_ERR_DENIED, "%.200s: permissions too open (0%03o); want 0600",
                           path, mode & 0777u);
}

libro_code
libro_key_load_file(libro_key **out, const char *path, const char *pass, size_t pass_len,
                    libro_error *err)
{
    libro_buf raw = LIBRO_BUF_INIT;
    libro_key *k = NULL;
    unsigned mode = 0;
    size_t i = 0;
    libro_code rc;

    if (out == NULL || path == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "NULL argument");
    }
    *out = NULL;
    rc = libro_file_read_regular(&raw, &mode, path, LIBRO_MAX_KEY_FILE_BYTES, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    while (i < raw.len && (raw.data[i] == ' ' || raw.data[i] == '\t' || raw.data[i] == '\r' ||
                           raw.data[i] == '\n')) {
        i++;
    }
    if (i < raw.len && raw.data[i] == '{') {
        /* A public JWK; a private one ("d") is refused by libro_key_from_jwk. */
        rc = libro_key_from_jwk(&k, (const char *) raw.data, raw.len, err);
    } else {
        /* Check the mode before asking for (or trying) a passphrase. */
        if ((mode & 077u) != 0 && contains(raw.data, raw.len, "PRIVATE KEY-----")) {
            rc = too_open(path, mode, err);
            goto out;
        }
        rc = libro_key_from_pem(&k, (const char *) raw.data, raw.len, pass, pass_len, err);
    }
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, path);
        goto out;
    }
    if (k->has_private && (mode & 077u) != 0) {
        rc = too_open(path, mode, err);
        goto out;
    }
    *out = k;
    k = NULL; /* moved to caller */
out:
    libro_key_free(k);
    libro_buf_free(&raw); /* wipes the PEM text */
    return rc;
}
