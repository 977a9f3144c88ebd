/* Parse a PEM key (passphrase "hunter2" for encrypted seeds); an accepted key's public PEM
 * must parse back to the same key. */
#include <stdlib.h>

#include "libro/key.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    libro_key *k = NULL;
    libro_key *back = NULL;
    libro_buf out = LIBRO_BUF_INIT;

    if (libro_key_from_pem(&k, (const char *) data, size, "hunter2", 7, NULL) == LIBRO_OK &&
        (libro_key_public_pem(&out, k, NULL) != LIBRO_OK ||
         libro_key_from_pem(&back, (const char *) out.data, out.len, NULL, 0, NULL) != LIBRO_OK ||
         !libro_key_equal_public(k, back))) {
        abort();
    }
    libro_buf_free(&out);
    libro_key_free(back);
    libro_key_free(k);
    return 0;
}
