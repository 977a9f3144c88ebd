/* libro: base45 (RFC 9285), which packs bytes into the 45 characters of QR alphanumeric
 * mode. Every two bytes become three characters, least significant first (RFC 9285 §4);
 * a final odd byte becomes two. The decoder rejects anything RFC 9285 §4.2 calls an error,
 * which also makes it canonical: each accepted text is the encoding of its bytes. */
#include <string.h>

#include "libro/encoding.h"
#include "libro/util.h"

/* RFC 9285 §4.2, table 1. */
static const char alphabet[45] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/* The value of `c` in `alphabet`, or -1: computed, not searched, as every character of a
 * scanned code passes here three times. */
static int
digit45(unsigned char c)
{
    static const char tail[] = " $%*+-./:"; /* values 36..44 */
    const char *hit;

    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'Z') {
        return c - 'A' + 10;
    }
    /* `tail` is searched without its NUL, so a NUL byte is not found either. */
    hit = memchr(tail, c, sizeof tail - 1);
    return hit == NULL ? -1 : (int) (hit - tail) + 36;
}

libro_code
libro_base45_encode(libro_buf *out, const void *p, size_t len, libro_error *err)
{
    const unsigned char *in = p;
    size_t pairs = len / 2;
    size_t n;
    unsigned char *w;
    size_t i;
    libro_code rc;

    if (out == NULL || (p == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "base45: NULL argument");
    }
    if (pairs > (SIZE_MAX - 2) / 3) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "base45: input too large");
    }
    n = pairs * 3 + (len % 2 == 0 ? 0 : 2);
    rc = libro_buf_reserve(out, n, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    w = out->data + out->len;
    for (i = 0; i < pairs; i++) {
        unsigned v = (unsigned) in[0] << 8 | in[1];

        /* n = c + d*45 + e*45^2, written c d e (RFC 9285 §4). */
        w[0] = (unsigned char) alphabet[v % 45];
        w[1] = (unsigned char) alphabet[(v / 45) % 45];
        w[2] = (unsigned char) alphabet[v / (45 * 45)];
        in += 2;
        w += 3;
    }
    if (len % 2 != 0) {
        w[0] = (unsigned char) alphabet[in[0] % 45];
        w[1] = (unsigned char) alphabet[in[0] / 45];
    }
    out->len += n;
    out->data[out->len] = '\0';
    return LIBRO_OK;
}

libro_code
libro_base45_decode(libro_buf *out, const char *p, size_t len, libro_error *err)
{
    const unsigned char *in = (const unsigned char *) p;
    size_t n;
    unsigned char *w;
    size_t i;
    libro_code rc;

    if (out == NULL || (p == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "base45: NULL argument");
    }
    /* Validate everything first, so a failure leaves `out` untouched. */
    for (i = 0; i < len; i++) {
        if (digit45(in[i]) < 0) {
            return libro_error_set(err, LIBRO_ERR_ENCODING,
                                   "base45: invalid character at offset %zu", i);
        }
    }
    /* Groups are three characters, or two for a final single byte (RFC 9285 §4.2). */
    if (len % 3 == 1) {
        return libro_error_set(err, LIBRO_ERR_ENCODING, "base45: impossible length %zu", len);
    }
    for (i = 0; i + 3 <= len; i += 3) {
        unsigned long v = (unsigned long) digit45(in[i]) + (unsigned long) digit45(in[i + 1]) * 45 +
                          (unsigned long) digit45(in[i + 2]) * 45 * 45;

        if (v > 65535) {
            return libro_error_set(err, LIBRO_ERR_ENCODING,
                                   "base45: triple at offset %zu exceeds 65535", i);
        }
    }
    if (len % 3 == 2) {
        unsigned v = (unsigned) digit45(in[len - 2]) + (unsigned) digit45(in[len - 1]) * 45;

        if (v > 255) {
            return libro_error_set(err, LIBRO_ERR_ENCODING,
                                   "base45: pair at offset %zu exceeds 255", len - 2);
        }
    }
    n = len / 3 * 2 + (len % 3 == 2 ? 1 : 0);
    rc = libro_buf_reserve(out, n, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    w = out->data + out->len;
    for (i = 0; i + 3 <= len; i += 3) {
        unsigned v = (unsigned) digit45(in[i]) + (unsigned) digit45(in[i + 1]) * 45 +
                     (unsigned) digit45(in[i + 2]) * 45 * 45;

        *w++ = (unsigned char) (v >> 8);
        *w++ = (unsigned char) v;
    }
    if (len % 3 == 2) {
        *w = (unsigned char) (digit45(in[len - 2]) + digit45(in[len - 1]) * 45);
    }
    out->len += n;
    out->data[out->len] = '\0';
    return LIBRO_OK;
}
