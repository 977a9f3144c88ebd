/* libro: base58btc (the Bitcoin alphabet, draft-msporny-base58) and its multibase form, as
 * did:key uses them (did:key §3.1: "z" + base58btc(multicodec ‖ key)). Base conversion is
 * quadratic, so the decoder, which sees untrusted text, is capped at LIBRO_MAX_DID_BYTES;
 * the encoder only sees our own keys. */
#include <assert.h>
#include <string.h>

#include "libro/encoding.h"
#include "libro/limits.h"
#include "libro/util.h"

/* No 0, O, I or l: characters that look alike are left out. */
static const char alphabet[58] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

static int
digit58(unsigned char c)
{
    /* `alphabet` has no NUL terminator, so a NUL byte is not found either. */
    const char *hit = memchr(alphabet, c, sizeof alphabet);

    return hit == NULL ? -1 : (int) (hit - alphabet);
}

libro_code
libro_base58btc_encode(libro_buf *out, const void *p, size_t len, libro_error *err)
{
    const unsigned char *in = p;
    size_t zeros = 0;
    size_t size;
    size_t used = 0;
    unsigned char *base;
    unsigned char *digits;
    size_t i;
    libro_code rc;

    if (out == NULL || (p == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "base58btc: NULL argument");
    }
    while (zeros < len && in[zeros] == 0) {
        zeros++;
    }
    /* log(256)/log(58) < 1.38: enough base-58 digits for the bytes after the zeros. */
    if (len - zeros > (SIZE_MAX - 1 - zeros) / 138) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "base58btc: input too large");
    }
    size = (len - zeros) * 138 / 100 + 1;
    rc = libro_buf_reserve(out, zeros + size, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    /* Work in place: the digits are built big-endian at the end of the reserved space,
     * behind room for one '1' per leading zero byte. */
    base = out->data + out->len;
    digits = base + zeros;
    memset(digits, 0, size);
    for (i = zeros; i < len; i++) {
        unsigned carry = in[i];
        size_t j;

        for (j = 0; j < used || carry != 0; j++) {
            size_t k = size - 1 - j;

            assert(j < size);
            carry += 256u * digits[k];
            digits[k] = (unsigned char) (carry % 58);
            carry /= 58;
        }
        used = j;
    }
    memset(base, '1', zeros);
    memmove(digits, digits + size - used, used);
    for (i = 0; i < used; i++) {
        digits[i] = (unsigned char) alphabet[digits[i]];
    }
    out->len += zeros + used;
    /* Scratch digits past the text stay inside the allocation, which is wiped on free. */
    out->data[out->len] = '\0';
    return LIBRO_OK;
}

libro_code
libro_base58btc_decode(libro_buf *out, const char *p, size_t len, libro_error *err)
{
    const unsigned char *in = (const unsigned char *) p;
    /* Base 58 text never decodes to more bytes than it has characters. */
    unsigned char bytes[LIBRO_MAX_DID_BYTES];
    size_t ones = 0;
    size_t used = 0;
    size_t i;
    libro_code rc;

    if (out == NULL || (p == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "base58btc: NULL argument");
    }
    if (len > LIBRO_MAX_DID_BYTES) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "base58btc: text longer than %u bytes",
                               LIBRO_MAX_DID_BYTES);
    }
    for (i = 0; i < len; i++) {
        if (digit58(in[i]) < 0) {
            return libro_error_set(err, LIBRO_ERR_ENCODING,
                                   "base58btc: invalid character at offset %zu", i);
        }
    }
    /* Each leading '1' is one leading zero byte; the rest is a big-endian number. Since the
     * number starts with a non-zero digit, every text has exactly one decoding and back. */
    while (ones < len && in[ones] == '1') {
        ones++;
    }
    memset(bytes, 0, sizeof bytes);
    for (i = ones; i < len; i++) {
        unsigned carry = (unsigned) digit58(in[i]);
        size_t j;

        for (j = 0; j < used || carry != 0; j++) {
            size_t k = sizeof bytes - 1 - j;

            assert(j < sizeof bytes);
            carry += 58u * bytes[k];
            bytes[k] = (unsigned char) (carry & 0xff);
            carry >>= 8;
        }
        used = j;
    }
    rc = libro_buf_reserve(out, ones + used, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    memset(out->data + out->len, 0, ones);
    memcpy(out->data + out->len + ones, bytes + sizeof bytes - used, used);
    out->len += ones + used;
    out->data[out->len] = '\0';
out:
    libro_wipe(bytes, sizeof bytes);
    return rc;
}

libro_code
libro_multibase_encode(libro_buf *out, const void *p, size_t len, libro_error *err)
{
    size_t old_len;
    libro_code rc;

    if (out == NULL || (p == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "multibase: NULL argument");
    }
    old_len = out->len;
    rc = libro_buf_append(out, "z", 1, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_base58btc_encode(out, p, len, err);
    if (rc != LIBRO_OK) {
        /* Leave `out` as it was: drop the prefix again. */
        out->len = old_len;
        out->data[old_len] = '\0';
    }
out:
    return rc;
}

/* The multibase code table (draft-multiformats-multibase, multibase.csv) minus 'z': text
 * in these bases is well-formed multibase that we refuse by policy, not garbage. */
static const struct {
    char prefix;
    const char *name;
} other_bases[] = {
    {'\0', "identity"},    {'0', "base2"},
    {'7', "base8"},        {'9', "base10"},
    {'f', "base16"},       {'F', "base16upper"},
    {'v', "base32hex"},    {'V', "base32hexupper"},
    {'t', "base32hexpad"}, {'T', "base32hexpadupper"},
    {'b', "base32"},       {'B', "base32upper"},
    {'c', "base32pad"},    {'C', "base32padupper"},
    {'h', "base32z"},      {'k', "base36"},
    {'K', "base36upper"},  {'R', "base45"},
    {'Z', "base58flickr"}, {'m', "base64"},
    {'M', "base64pad"},    {'u', "base64url"},
    {'U', "base64urlpad"}, {'p', "proquint"},
};

/* base256emoji's prefix is U+1F680 ROCKET in UTF-8. */
static const char rocket[4] = "\xf0\x9f\x9a\x80";

libro_code
libro_multibase_decode(libro_buf *out, const char *p, size_t len, libro_error *err)
{
    size_t i;
    libro_code rc;

    if (out == NULL || (p == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "multibase: NULL argument");
    }
    if (len == 0) {
        return libro_error_set(err, LIBRO_ERR_ENCODING, "multibase: empty string");
    }
    if (p[0] == 'z') {
        rc = libro_base58btc_decode(out, p + 1, len - 1, err);
        if (rc != LIBRO_OK) {
            libro_error_prefix(err, "multibase");
        }
        return rc;
    }
    for (i = 0; i < LIBRO_NELEM(other_bases); i++) {
        if (p[0] == other_bases[i].prefix) {
            return libro_error_set(err, LIBRO_ERR_UNSUPPORTED,
                                   "multibase: %s not supported, only base58btc ('z')",
                                   other_bases[i].name);
        }
    }
    if (len >= sizeof rocket && memcmp(p, rocket, sizeof rocket) == 0) {
        return libro_error_set(err, LIBRO_ERR_UNSUPPORTED,
                               "multibase: base256emoji not supported, only base58btc ('z')");
    }
    return libro_error_set(err, LIBRO_ERR_ENCODING, "multibase: unknown prefix byte 0x%02x",
                           (unsigned) (unsigned char) p[0]);
}
