/* libro: base64url (RFC 4648 §5, every JWS segment, RFC 7515 §2), standard base64 (RFC 4648
 * §4, C2SP signed notes) and hex (RFC 4648 §8) with libsodium's constant-time codecs; with
 * crypto_sodium.c and crypto_sodium_sign.c the only files that include <sodium.h>.
 *
 * The decoders are strict: RFC 4648 §3.5 lets an implementation reject non-canonical text,
 * and accepting it would let two different texts name the same bytes, so a token or a signed
 * note could be re-spelled without changing what it verifies as. libsodium already refuses
 * unused trailing bits that are not zero and, given no `ignore` set, any character outside
 * the alphabet; it stops there and says where (b64_end, hex_end), which names the offset in
 * our messages. What it would take and we do not, we check before calling it: base64 is
 * decoded with a no-padding variant after we have placed the '=' ourselves, since libsodium
 * would also accept text cut short of its padding's multiple of 4, and only up to the first
 * non-ASCII byte (b64_decode says why). */
#include <sodium.h>

#include "libro/encoding.h"
#include "libro/util.h"

/* Append the text of `len` bytes in `variant` (no NUL counted), leaving `out` as it was on
 * failure. `name` starts the messages. */
static libro_code
b64_encode(libro_buf *out, const void *p, size_t len, int variant, const char *name,
           libro_error *err)
{
    size_t size;
    libro_code rc;

    if (out == NULL || (p == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "%s: NULL argument", name);
    }
    /* libsodium aborts past this bound (sodium_misuse), so refuse it first. */
    if (len / 3 > (SIZE_MAX - 5) / 4) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "%s: input too large", name);
    }
    size = sodium_base64_encoded_len(len, variant); /* with the NUL libro_buf keeps anyway */
    rc = libro_buf_reserve(out, size - 1, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    (void) sodium_bin2base64((char *) out->data + out->len, size, p, len, variant);
    out->len += size - 1;
    return LIBRO_OK;
}

/* Decode the unpadded text p[0..len) in `variant` (a *_NO_PADDING one) and append the bytes,
 * leaving `out` as it was on failure. A character outside the alphabet is reported at its
 * offset, '=' as misplaced when the caller took the padding off the end (`padded`) and as not
 * allowed when the encoding has none. */
static libro_code
b64_decode(libro_buf *out, const char *p, size_t len, int variant, const char *name, bool padded,
           libro_error *err)
{
    size_t n = len / 4 * 3 + (len % 4 > 1 ? len % 4 - 1 : 0);
    size_t got = 0;
    const char *end = p;
    size_t ascii;
    size_t at;
    unsigned char *w;
    int ok;
    libro_code rc;

    rc = libro_buf_reserve(out, n, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    if (len == 0) {
        p = end = ""; /* NULL is the empty input; libsodium would form &p[0] from it */
    }
    /* libsodium 1.0.18 (Debian 12's) reads every byte from 0x80 up as a base64 character (its
     * lookup takes a plain char; later releases cast to unsigned char), so it is given only
     * the ASCII prefix, and the first byte past it is reported as invalid. */
    for (ascii = 0; ascii < len && (unsigned char) p[ascii] < 0x80; ascii++) {
    }
    w = out->data + out->len;
    ok = sodium_base642bin(w, n, p, ascii, NULL, &got, &end, variant);
    at = (size_t) (end - p);
    if (at < len && p[at] == '=') {
        rc = padded ? libro_error_set(err, LIBRO_ERR_ENCODING,
                                      "%s: misplaced padding at offset %zu", name, at)
                    : libro_error_set(err, LIBRO_ERR_ENCODING,
                                      "%s: padding not allowed (offset %zu)", name, at);
    } else if (at < len) {
        rc = libro_error_set(err, LIBRO_ERR_ENCODING, "%s: invalid character at offset %zu", name,
                             at);
    } else if (ok != 0 && len % 4 == 1) {
        /* One leftover character carries only 6 bits: no byte can end there (RFC 4648 §4). */
        rc = libro_error_set(err, LIBRO_ERR_ENCODING, "%s: impossible length %zu", name, len);
    } else if (ok != 0 || got != n) {
        /* The bits below the last whole byte must be zero (RFC 4648 §3.5). */
        rc = libro_error_set(err, LIBRO_ERR_ENCODING,
                             "%s: non-canonical trailing bits at offset %zu", name, len - 1);
    }
    if (rc != LIBRO_OK) {
        sodium_memzero(w, n);
        out->data[out->len] = '\0';
        return rc;
    }
    out->len += n;
    out->data[out->len] = '\0';
    return LIBRO_OK;
}

libro_code
libro_b64url_encode(libro_buf *out, const void *p, size_t len, libro_error *err)
{
    return b64_encode(out, p, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING, "base64url", err);
}

libro_code
libro_b64url_decode(libro_buf *out, const char *p, size_t len, libro_error *err)
{
    if (out == NULL || (p == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "base64url: NULL argument");
    }
    return b64_decode(out, p, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING, "base64url", false,
                      err);
}

libro_code
libro_b64std_encode(libro_buf *out, const void *p, size_t len, libro_error *err)
{
    return b64_encode(out, p, len, sodium_base64_VARIANT_ORIGINAL, "base64", err);
}

libro_code
libro_b64std_decode(libro_buf *out, const char *p, size_t len, libro_error *err)
{
    size_t pad = 0;

    if (out == NULL || (p == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "base64: NULL argument");
    }
    /* Padded text comes in whole groups of 4, with one or two '=' at the very end, none
     * elsewhere; the rest is decoded as unpadded text. */
    if (len % 4 != 0) {
        return libro_error_set(err, LIBRO_ERR_ENCODING, "base64: length %zu is not a multiple of 4",
                               len);
    }
    if (len > 0 && p[len - 1] == '=') {
        pad = p[len - 2] == '=' ? 2 : 1;
    }
    return b64_decode(out, p, len - pad, sodium_base64_VARIANT_ORIGINAL_NO_PADDING, "base64", true,
                      err);
}

/* We write lowercase; the decoder also takes uppercase, since fingerprints and test vectors
 * are pasted from tools that print either. */
libro_code
libro_hex_encode(libro_buf *out, const void *p, size_t len, libro_error *err)
{
    libro_code rc;

    if (out == NULL || (p == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "hex: NULL argument");
    }
    /* libsodium aborts from this length on (sodium_misuse), so refuse it first. */
    if (len >= SIZE_MAX / 2) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "hex: input too large");
    }
    rc = libro_buf_reserve(out, len * 2, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    (void) sodium_bin2hex((char *) out->data + out->len, len * 2 + 1, p, len);
    out->len += len * 2;
    return LIBRO_OK;
}

static bool
is_hex_digit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

libro_code
libro_hex_decode(libro_buf *out, const char *p, size_t len, libro_error *err)
{
    const char *end = p;
    size_t got = 0;
    size_t at;
    unsigned char *w;
    libro_code rc;

    if (out == NULL || (p == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "hex: NULL argument");
    }
    rc = libro_buf_reserve(out, len / 2, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    if (len == 0) {
        p = end = ""; /* NULL is the empty input; libsodium would form &p[0] from it */
    }
    w = out->data + out->len;
    if (sodium_hex2bin(w, len / 2, p, len, NULL, &got, &end) == 0 && end == p + len) {
        out->len += got;
        out->data[out->len] = '\0';
        return LIBRO_OK;
    }
    /* libsodium stops at the first character that is not a hex digit, but before the digit
     * left without a partner by it (or by the end of the text), so step over that one. */
    at = (size_t) (end - p);
    if (at < len && is_hex_digit(p[at])) {
        at++;
    }
    sodium_memzero(w, len / 2);
    out->data[out->len] = '\0';
    if (at < len) {
        return libro_error_set(err, LIBRO_ERR_ENCODING, "hex: invalid character at offset %zu", at);
    }
    return libro_error_set(err, LIBRO_ERR_ENCODING, "hex: odd length %zu", len);
}
