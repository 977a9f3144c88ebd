/* libro: standard base64 with padding (RFC 4648 §4), the encoding of the root hash and the
 * signatures of a C2SP signed note (c2sp.org/signed-note, c2sp.org/tlog-checkpoint). Strict
 * for the same reason as base64url.c: two texts must never name the same bytes, so a signed
 * note cannot be re-spelled. Written here rather than taken from libsodium, which stays
 * behind its one adapter (crypto_sodium.c). */
#include <string.h>

#include "libro/encoding.h"
#include "libro/util.h"

static const char alphabet[64] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Value of a base64 character, or -1 (padding included). */
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
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}

libro_code
libro_b64std_encode(libro_buf *out, const void *p, size_t len, libro_error *err)
{
    const unsigned char *in = p;
    size_t full = len / 3;
    size_t rem = len % 3;
    size_t n;
    unsigned char *w;
    size_t i;
    libro_code rc;

    if (out == NULL || (p == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "base64: NULL argument");
    }
    /* Four characters per group of three bytes, the last group padded with '='. */
    if (full >= SIZE_MAX / 4 - 1) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "base64: input too large");
    }
    n = (full + (rem == 0 ? 0 : 1)) * 4;
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
        w[2] = '=';
        w[3] = '=';
    } else if (rem == 2) {
        uint32_t v = (uint32_t) in[0] << 8 | in[1];

        w[0] = (unsigned char) alphabet[v >> 10];
        w[1] = (unsigned char) alphabet[(v >> 4) & 63];
        w[2] = (unsigned char) alphabet[(v << 2) & 63];
        w[3] = '=';
    }
    out->len += n;
    out->data[out->len] = '\0';
    return LIBRO_OK;
}

libro_code
libro_b64std_decode(libro_buf *out, const char *p, size_t len, libro_error *err)
{
    const unsigned char *in = (const unsigned char *) p;
    size_t pad = 0;
    size_t data_len;
    size_t n;
    unsigned char *w;
    size_t i;
    uint32_t v = 0;
    unsigned bits = 0;
    libro_code rc;

    if (out == NULL || (p == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "base64: NULL argument");
    }
    if (len % 4 != 0) {
        return libro_error_set(err, LIBRO_ERR_ENCODING, "base64: length %zu is not a multiple of 4",
                               len);
    }
    if (len > 0 && in[len - 1] == '=') {
        pad = in[len - 2] == '=' ? 2 : 1;
    }
    data_len = len - pad;
    /* Validate everything before writing, so a failure leaves `out` untouched. */
    for (i = 0; i < data_len; i++) {
        if (sextet(in[i]) < 0) {
            if (in[i] == '=') {
                return libro_error_set(err, LIBRO_ERR_ENCODING,
                                       "base64: misplaced padding at offset %zu", i);
            }
            return libro_error_set(err, LIBRO_ERR_ENCODING,
                                   "base64: invalid character at offset %zu", i);
        }
    }
    /* The bits below the last whole byte must be zero (RFC 4648 §3.5). */
    if ((pad == 2 && (sextet(in[data_len - 1]) & 15) != 0) ||
        (pad == 1 && (sextet(in[data_len - 1]) & 3) != 0)) {
        return libro_error_set(err, LIBRO_ERR_ENCODING,
                               "base64: non-canonical trailing bits at offset %zu", data_len - 1);
    }
    n = len / 4 * 3 - pad;
    rc = libro_buf_reserve(out, n, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    w = out->data + out->len;
    for (i = 0; i < data_len; i++) {
        v = (v << 6 | (uint32_t) sextet(in[i])) & 0xffffu;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            *w++ = (unsigned char) (v >> bits);
        }
    }
    out->len += n;
    out->data[out->len] = '\0';
    return LIBRO_OK;
}
