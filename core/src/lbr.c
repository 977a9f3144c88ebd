/* libro: the LBR reference QR (libro/lbr.h): "LBR:" + base45(kind || SHA-256). Fixed length,
 * so the decoder checks the length first and base45 never sees more than 50 characters. */
#include <string.h>

#include "libro/encoding.h"
#include "libro/lbr.h"

#define LBR_PREFIX_LEN (sizeof LIBRO_LBR_PREFIX - 1u)
#define LBR_BYTES 33u

libro_code
libro_lbr_encode(libro_buf *out, libro_lbr_kind kind, const char *hash, libro_error *err)
{
    unsigned char raw[LBR_BYTES];
    libro_buf text = LIBRO_BUF_INIT;
    libro_code rc;

    if (out == NULL || hash == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "lbr: NULL argument");
    }
    if (kind != LIBRO_LBR_AGREEMENT && kind != LIBRO_LBR_LAW) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "lbr: unknown kind %d", (int) kind);
    }
    raw[0] = (unsigned char) kind;
    rc = libro_hash_ref_decode(raw + 1, hash, strlen(hash), err);
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(&text, LIBRO_LBR_PREFIX, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_base45_encode(&text, raw, sizeof raw, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(out, text.data, text.len, err);
    }
    libro_buf_free(&text);
    return rc;
}

libro_code
libro_lbr_decode(libro_lbr_kind *kind, char hash[LIBRO_HASH_REF_SIZE], const char *text, size_t len,
                 libro_error *err)
{
    libro_buf raw = LIBRO_BUF_INIT;
    libro_code rc = LIBRO_OK;

    if (kind == NULL || hash == NULL || (text == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "lbr: NULL argument");
    }
    if (len > LIBRO_LBR_TEXT_LEN) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "lbr: longer than %u characters",
                               LIBRO_LBR_TEXT_LEN);
    }
    if (len < LBR_PREFIX_LEN || memcmp(text, LIBRO_LBR_PREFIX, LBR_PREFIX_LEN) != 0) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "lbr: does not start with \"LBR:\"");
    }
    if (len != LIBRO_LBR_TEXT_LEN) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "lbr: shorter than %u characters",
                               LIBRO_LBR_TEXT_LEN);
    }
    rc = libro_base45_decode(&raw, text + LBR_PREFIX_LEN, len - LBR_PREFIX_LEN, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "lbr");
        goto out;
    }
    /* 50 base45 characters are 33 bytes exactly; anything else was refused above. */
    if (raw.len != LBR_BYTES) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "lbr: not %u bytes", LBR_BYTES);
        goto out;
    }
    if (raw.data[0] != LIBRO_LBR_AGREEMENT && raw.data[0] != LIBRO_LBR_LAW) {
        rc = libro_error_set(err, LIBRO_ERR_UNSUPPORTED, "lbr: unknown kind 0x%02x",
                             (unsigned) raw.data[0]);
        goto out;
    }
    *kind = (libro_lbr_kind) raw.data[0];
    libro_hash_ref_encode(hash, raw.data + 1);
out:
    libro_buf_free(&raw);
    return rc;
}
