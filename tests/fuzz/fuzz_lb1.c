/* Decode LB1 text; whatever decodes must re-encode, and that text must decode to the very same
 * JWS (the JWS is canonical; the DEFLATE inside LB1 text is not, see core/src/lb1.c). */
#include <stdlib.h>
#include <string.h>

#include "libro/lb1.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    libro_buf jws = LIBRO_BUF_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf again = LIBRO_BUF_INIT;

    if (libro_lb1_decode(&jws, (const char *) data, size, NULL) == LIBRO_OK &&
        (libro_lb1_encode(&text, (const char *) jws.data, jws.len, NULL) != LIBRO_OK ||
         libro_lb1_decode(&again, (const char *) text.data, text.len, NULL) != LIBRO_OK ||
         again.len != jws.len || memcmp(again.data, jws.data, jws.len) != 0)) {
        abort();
    }
    libro_buf_free(&jws);
    libro_buf_free(&text);
    libro_buf_free(&again);
    return 0;
}
