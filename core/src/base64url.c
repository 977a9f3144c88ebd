/* libro: base64url without padding (RFC 4648 §5), the encoding of every JWS segment
 * (RFC 7515 §2). The decoder is strict: RFC 4648 §3.5 lets an implementation reject
 * non-canonical text, and accepting it would let two different texts name the same bytes,
 * so a token could be altered without changing what it verifies as. */
#include <string.h>

#include "libro/encoding.h"
#include "libro/util.h"

static const char alphabet[64] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Value of a base64url character, or -1. A switch keeps it a pure function of the byte, so
 * there is no table to get out of sync with `alphabet`. */
static int
sextet(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '-') {
        return 62;
    }
    if (c == '_') {
        return 63;
    }
    return -1;
}

libro_code
libro_b64url_encode(libro_buf *out, const void *p, size_t len, libro_error *err)
{
    const unsigned char *in = p;
    size_t full = len / 3;
    size_t rem = len % 3;
    size_t n;
    unsigned char *w;
    size_t i;
    libro_code rc;

    if (out == NULL || (p == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "base64url: NULL argument");
    }
    /* Four characters per full group, two or three for a final partial one (no '='). */
    if (full > (SIZE_MAX - 3) / 4) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "base64url: input too large");
    }
    n = full * 4 + (rem == 0 ? 0 : rem + 1);
    rc = libro_buf_reserve(out, n, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    w = out->data + out->len;
    for (i = 0; i < full; i++) {
        uint32_t v = (uint32_t) in[0] << 16 | (uint32_t) in[1] << 8 | in[2];

        w[0] = (unsigned char) alphabet[v >> 18];
        w[1] = (unsigned char) alphabet[(v >> 12) & 63];
        w[2] = (unsigned char) alphabet[(v >> 6) & 63];
        w[3] = (unsigned char) alphabet[v & 63];
        in += 3;
        w += 4;
    }
    if (rem == 1) {
        w[0] = (unsigned char) alphabet[in[0] >> 2];
        w[1] = (unsigned char) alphabet[(in[0] & 3) << 4];
    } else if (rem == 2) {
        uint32_t v = (uint32_t) in[0] << 8 | in[1];

        w[0] = (unsigned char) alphabet[v >> 10];
        w[1] = (unsigned char) alphabet[(v >> 4) & 63];
        w[2] = (unsigned char) alphabet[(v << 2) & 63];
    }
    out->len += n;
    out->data[out->len] = '\0';
    return LIBRO_OK;
}

libro_code
libro_b64url_decode(libro_buf *out, const char *p, size_t len, libro_error *err)
{
    const unsigned char *in = (const unsigned char *) p;
    size_t full = len / 4;
    size_t rem = len % 4;
    size_t n;
    unsigned char *w;
    size_t i;
    libro_code rc;

    if (out == NULL || (p == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "base64url: NULL argument");
    }
    /* Validate everything before writing, so a failure leaves `out` untouched. */
    for (i = 0; i < len; i++) {
        if (sextet(in[i]) < 0) {
            if (in[i] == '=') {
                return libro_error_set(err, LIBRO_ERR_ENCODING,
                                       "base64url: padding not allowed (offset %zu)", i);
            }
            return libro_error_set(err, LIBRO_ERR_ENCODING,
                                   "base64url: invalid character at offset %zu", i);
        }
    }
    /* One leftover character carries only 6 bits: no byte can end there (RFC 4648 §4). */
    if (rem == 1) {
        return libro_error_set(err, LIBRO_ERR_ENCODING, "base64url: impossible length %zu", len);
    }
    /* The bits below the last whole byte must be zero (RFC 4648 §3.5). */
    if ((rem == 2 && (sextet(in[len - 1]) & 15) != 0) ||
        (rem == 3 && (sextet(in[len - 1]) & 3) != 0)) {
        return libro_error_set(err, LIBRO_ERR_ENCODING,
                               "base64url: non-canonical trailing bits at offset %zu", len - 1);
    }
    n = full * 3 + (rem == 0 ? 0 : rem - 1);
    rc = libro_buf_reserve(out, n, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    w = out->data + out->len;
    for (i = 0; i < full; i++) {
        uint32_t v = (uint32_t) sextet(in[0]) << 18 | (uint32_t) sextet(in[1]) << 12 |
                     (uint32_t) sextet(in[2]) << 6 | (uint32_t) sextet(in[3]);

        w[0] = (unsigned char) (v >> 16);
        w[1] = (unsigned char) (v >> 8);
        w[2] = (unsigned char) v;
        in += 4;
        w += 3;
    }
    if (rem == 2) {
        w[0] = (unsigned char) (sextet(in[0]) << 2 | sextet(in[1]) >> 4);
    } else if (rem == 3) {
        uint32_t v = (uint32_t) sextet(in[0]) << 12 | (uint32_t) sextet(in[1]) << 6 |
                     (uint32_t) sextet(in[2]);

        w[0] = (unsigned char) (v >> 10);
        w[1] = (unsigned char) (v >> 2);
    }
    out->len += n;
    out->data[out->len] = '\0';
    return LIBRO_OK;
}
