/* libro: document hashes, "sha256:" + 64 lowercase hex digits (libro/crypto.h): one form for
 * every document libro names by hash (agreements, consent steps, laws, mandates). */
#include <string.h>

#include "libro/crypto.h"

#define REF_PREFIX "sha256:"
#define REF_PREFIX_LEN (sizeof REF_PREFIX - 1u)

static const char hex_digits[] = "0123456789abcdef";

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1; /* uppercase too: one spelling per hash */
}

bool
libro_hash_ref_ok(const char *s, size_t len)
{
    size_t i;

    if (s == NULL || len != LIBRO_HASH_REF_LEN || memcmp(s, REF_PREFIX, REF_PREFIX_LEN) != 0) {
        return false;
    }
    for (i = REF_PREFIX_LEN; i < len; i++) {
        if (hex_value(s[i]) < 0) {
            return false;
        }
    }
    return true;
}

void
libro_hash_ref_encode(char out[LIBRO_HASH_REF_SIZE], const unsigned char digest[32])
{
    size_t i;

    memcpy(out, REF_PREFIX, REF_PREFIX_LEN);
    for (i = 0; i < 32; i++) {
        out[REF_PREFIX_LEN + 2 * i] = hex_digits[digest[i] >> 4];
        out[REF_PREFIX_LEN + 2 * i + 1] = hex_digits[digest[i] & 0x0fu];
    }
    out[LIBRO_HASH_REF_LEN] = '\0';
}

libro_code
libro_hash_ref(char out[LIBRO_HASH_REF_SIZE], const void *p, size_t len, libro_error *err)
{
    unsigned char d[32];
    libro_code rc;

    if (out == NULL || (p == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "hash: NULL argument");
    }
    out[0] = '\0';
    rc = libro_sha256(d, p, len, err);
    if (rc == LIBRO_OK) {
        libro_hash_ref_encode(out, d);
    }
    return rc;
}

libro_code
libro_hash_ref_decode(unsigned char out[32], const char *s, size_t len, libro_error *err)
{
    size_t i;

    if (out == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "hash: NULL argument");
    }
    if (!libro_hash_ref_ok(s, len)) {
        return libro_error_set(err, LIBRO_ERR_PARSE,
                               "hash: not \"sha256:\" and 64 lowercase hex digits");
    }
    for (i = 0; i < 32; i++) {
        out[i] = (unsigned char) (hex_value(s[REF_PREFIX_LEN + 2 * i]) << 4 |
                                  hex_value(s[REF_PREFIX_LEN + 2 * i + 1]));
    }
    return LIBRO_OK;
}
