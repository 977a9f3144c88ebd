/* Parse a credential payload; an accepted one must write back out and parse again. */
#include <stdlib.h>

#include "libro/credential.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    libro_credential *c = NULL;
    libro_credential *back = NULL;
    libro_buf out = LIBRO_BUF_INIT;

    if (libro_credential_parse(&c, data, size, NULL) == LIBRO_OK &&
        (libro_credential_to_json(&out, c, NULL) != LIBRO_OK ||
         libro_credential_parse(&back, out.data, out.len, NULL) != LIBRO_OK)) {
        abort();
    }
    libro_credential_free(back);
    libro_buf_free(&out);
    libro_credential_free(c);
    return 0;
}
