/* libro: reading keys from PEM text and key files, private keys included (an Ed25519 seed is
 * turned into its key pair in libsodium's guarded memory). Signers are the ones that load
 * private keys, so a verify-only build (LIBRO_VERIFY_ONLY) leaves this file out: its
 * verifier takes keys only from credentials and JWKs. */
#include <string.h>

#include "key_int.h"
#include "libro/file.h"
#include "libro/key.h"
#include "libro/limits.h"
#include "libro/util.h"

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
        rc = libro_key__new(&k, pk.alg, err);
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
        rc = libro_key__new(&k, pk.alg, err);
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
