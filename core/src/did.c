/* libro: did:key for Ed25519 (W3C CCG did:key v0.7 §3.1.2): "did:key:" + multibase
 * base58btc ('z') of the multicodec varint for ed25519-pub (0xed -> 0xed 0x01) followed by the
 * 32-byte public key. Persons are identified this way (docs/credentials.md). */
#include <string.h>

#include "crypto_int.h"
#include "libro/encoding.h"
#include "libro/key.h"
#include "libro/limits.h"

#define DID_KEY_PREFIX "did:key:"
#define ED25519_PUB_BYTES 32u

/* Unsigned-varint (multiformats) of multicodec 0xed, ed25519-pub. */
static const unsigned char ed25519_codec[2] = {0xed, 0x01};

libro_code
libro_key_to_did(libro_buf *out, const libro_key *k, libro_error *err)
{
    unsigned char bytes[sizeof ed25519_codec + ED25519_PUB_BYTES];
    libro_buf raw = LIBRO_BUF_INIT;
    size_t mark;
    libro_code rc;

    if (out == NULL || k == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "did:key: NULL argument");
    }
    if (libro_key_alg(k) != LIBRO_ALG_ED25519) {
        return libro_error_set(err, LIBRO_ERR_UNSUPPORTED,
                               "did:key: only Ed25519 keys (persons are identified by Ed25519)");
    }
    mark = out->len;
    rc = libro_key_raw_public(&raw, k, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (raw.len != ED25519_PUB_BYTES) {
        rc = libro_error_set(err, LIBRO_ERR_BAD_KEY, "did:key: bad public key length");
        goto out;
    }
    memcpy(bytes, ed25519_codec, sizeof ed25519_codec);
    memcpy(bytes + sizeof ed25519_codec, raw.data, ED25519_PUB_BYTES);
    rc = libro_buf_append_str(out, DID_KEY_PREFIX, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_multibase_encode(out, bytes, sizeof bytes, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
out:
    if (rc != LIBRO_OK && out->len > mark) {
        out->len = mark; /* leave `out` as it was */
        out->data[mark] = '\0';
    }
    libro_buf_free(&raw);
    return rc;
}

libro_code
libro_key__did_decode(unsigned char pub[32], const char *did, size_t len, libro_error *err)
{
    const size_t plen = sizeof DID_KEY_PREFIX - 1;
    libro_buf bytes = LIBRO_BUF_INIT;
    libro_code rc;

    if (did == NULL && len > 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "did:key: NULL argument");
    }
    if (len > LIBRO_MAX_DID_BYTES) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "did:key: longer than %u bytes",
                               LIBRO_MAX_DID_BYTES);
    }
    if (len < plen || memcmp(did, DID_KEY_PREFIX, plen) != 0) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "did:key: expected the prefix \"did:key:\"");
    }
    /* No DID URL parts (fragment, path, query): the alphabet check of the decoder refuses
     * '#', '/', '?' and ':'. */
    rc = libro_multibase_decode(&bytes, did + plen, len - plen, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "did:key");
        goto out;
    }
    if (bytes.len < sizeof ed25519_codec ||
        memcmp(bytes.data, ed25519_codec, sizeof ed25519_codec) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_UNSUPPORTED,
                             "did:key: only Ed25519 keys (multicodec 0xed01) are supported");
        goto out;
    }
    if (bytes.len != sizeof ed25519_codec + ED25519_PUB_BYTES) {
        rc = libro_error_set(err, LIBRO_ERR_BAD_KEY,
                             "did:key: Ed25519 public key must be 32 bytes, not %zu",
                             bytes.len - sizeof ed25519_codec);
        goto out;
    }
    memcpy(pub, bytes.data + sizeof ed25519_codec, ED25519_PUB_BYTES);
out:
    libro_buf_free(&bytes);
    return rc;
}

libro_code
libro_key_from_did(libro_key **out, const char *did, size_t len, libro_error *err)
{
    unsigned char pub[ED25519_PUB_BYTES];
    libro_code rc;

    if (out == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "did:key: NULL argument");
    }
    *out = NULL;
    rc = libro_key__did_decode(pub, did, len, err);
    if (rc == LIBRO_OK) {
        rc = libro_key_from_raw_public(out, LIBRO_ALG_ED25519, pub, ED25519_PUB_BYTES, err);
        if (rc != LIBRO_OK) {
            libro_error_prefix(err, "did:key");
        }
    }
    return rc;
}
