/* libro: the OpenSSL adapter for randomness and secret hygiene. P-256 and key files live in
 * key_openssl.c; SHA-256 is libsodium's (crypto_sodium.c). */
#include <limits.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include "libro/crypto.h"
#include "libro/util.h"

void
libro_wipe(void *p, size_t len)
{
    if (p != NULL && len > 0) {
        OPENSSL_cleanse(p, len);
    }
}

void
libro_secret_free(void *p, size_t len)
{
    if (p == NULL) {
        return;
    }
    libro_wipe(p, len);
    libro_free(p);
}

bool
libro_ct_equal(const void *a, const void *b, size_t len)
{
    return CRYPTO_memcmp(a, b, len) == 0;
}

libro_code
libro_random_bytes(void *out, size_t len, libro_error *err)
{
    if (len > (size_t) INT_MAX || RAND_bytes(out, (int) len) != 1) {
        ERR_clear_error();
        return libro_error_set(err, LIBRO_ERR_CRYPTO, "random number generator failed");
    }
    return LIBRO_OK;
}
