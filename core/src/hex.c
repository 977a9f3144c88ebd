/* libro: base16 (RFC 4648 §8). We write lowercase; the decoder also takes uppercase, since
 * fingerprints and test vectors are pasted from tools that print either. */
#include <string.h>

#include "libro/encoding.h"
#include "libro/util.h"

static const char digits[16] = "0123456789abcdef";

static int
nibble(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

libro_code
libro_hex_encode(libro_buf *out, const void *p, size_t len, libro_error *err)
{
    const unsigned char *in = p;
    unsigned char *w;
    size_t i;
    libro_code rc;

    if (out == NULL || (p == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "hex: NULL argument");
    }
    if (len > (SIZE_MAX - 1) / 2) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "hex: input too large");
    }
    rc = libro_buf_reserve(out, len * 2, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    w = out->data + out->len;
    for (i = 0; i < len; i++) {
        w[2 * i] = (unsigned char) digits[in[i] >> 4];
        w[2 * i + 1] = (unsigned char) digits[in[i] & 15];
    }
    out->len += len * 2;
    out->data[out->len] = '\0';
    return LIBRO_OK;
}

libro_code
libro_hex_decode(libro_buf *out, const char *p, size_t len, libro_error *err)
{
    const unsigned char *in = (const unsigned char *) p;
    unsigned char *w;
    size_t i;
    libro_code rc;

    if (out == NULL || (p == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "hex: NULL argument");
    }
    /* Validate everything first, so a failure leaves `out` untouched. */
    for (i = 0; i < len; i++) {
        if (nibble(in[i]) < 0) {
            return libro_error_set(err, LIBRO_ERR_ENCODING, "hex: invalid character at offset %zu",
                                   i);
        }
    }
    if (len % 2 != 0) {
        return libro_error_set(err, LIBRO_ERR_ENCODING, "hex: odd length %zu", len);
    }
    rc = libro_buf_reserve(out, len / 2, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    w = out->data + out->len;
    for (i = 0; i < len; i += 2) {
        *w++ = (unsigned char) (nibble(in[i]) << 4 | nibble(in[i + 1]));
    }
    out->len += len / 2;
    out->data[out->len] = '\0';
    return LIBRO_OK;
}
