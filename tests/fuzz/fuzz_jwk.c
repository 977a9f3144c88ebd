/* Import a public JWK; an accepted key must export and re-import to the same key. */
#include <stdlib.h>

#include "libro/key.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    libro_key *k = NULL;
    libro_key *back = NULL;
    libro_buf out = LIBRO_BUF_INIT;

    if (libro_key_from_jwk(&k, (const char *) data, size, NULL) == LIBRO_OK &&
        (libro_key_to_jwk(&out, k, "kid", NULL) != LIBRO_OK ||
         libro_key_from_jwk(&back, (const char *) out.data, out.len, NULL) != LIBRO_OK ||
         !libro_key_equal_public(k, back))) {
        abort();
    }
    libro_buf_free(&out);
    libro_key_free(back);
    libro_key_free(k);
    return 0;
}
