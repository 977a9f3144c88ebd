/* Differential: the plain protected-header path (jws.c, one pass) against the reference (the
 * same policy over a jansson tree) on the same bytes. Aborts when the plain path accepts a
 * header the reference refuses or reads differently (alg, kid, typ), and when the plain path
 * declines a header of exactly its shape that the reference accepts (it would then cost every
 * verification the tree). */
#include <stdlib.h>
#include <string.h>

#include "../../core/src/jws_int.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static bool
same_text(const char *a, const char *b)
{
    return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

/* libro's own header shape: what the plain path must never decline. */
static bool
libro_shape(const unsigned char *p, size_t n)
{
    static const char head[] = "{\"alg\":\"EdDSA\",\"kid\":\"";
    static const char tail[] = "\",\"typ\":\"vc+jwt\"}";
    size_t h = sizeof head - 1;
    size_t t = sizeof tail - 1;

    if (n < h + t || memcmp(p, head, h) != 0 || memcmp(p + n - t, tail, t) != 0 ||
        n - h - t > LIBRO_MAX_KID_BYTES) {
        return false;
    }
    for (size_t i = h; i < n - t; i++) {
        if (p[i] < 0x20 || p[i] > 0x7e || p[i] == '"' || p[i] == '\\') {
            return false;
        }
    }
    return true;
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    libro_error plain_err = LIBRO_ERROR_INIT;
    libro_error ref_err = LIBRO_ERROR_INIT;
    libro_jws__header plain = LIBRO_JWS__HEADER_INIT;
    libro_jws__header ref = LIBRO_JWS__HEADER_INIT;
    bool declined = true;
    libro_code plain_rc = libro_jws__header_plain(&plain, &declined, data, size, &plain_err);
    libro_code ref_rc = libro_jws__header_check_tree(&ref, data, size, "header", &ref_err);

    if (plain_rc != LIBRO_OK) {
        abort(); /* only out of memory, which a fuzz run does not meet */
    }
    if (declined ? plain.alg_name != NULL || (ref_rc == LIBRO_OK && libro_shape(data, size))
                 : ref_rc != LIBRO_OK || plain.alg != ref.alg ||
                       strcmp(plain.alg_name, ref.alg_name) != 0 ||
                       !same_text(plain.kid, ref.kid) || !same_text(plain.typ, ref.typ)) {
        abort();
    }
    libro_jws__header_free(&plain);
    libro_jws__header_free(&ref);
    return 0;
}
