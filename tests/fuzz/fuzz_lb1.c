/* Decode LB2 or LB1 text; whatever decodes must re-encode, in its own format and in the one
 * libro writes, with the prefix of that format, and each text must decode to the very same
 * JWS (the JWS is canonical; the DEFLATE inside the text is not, see core/src/lb1.c). */
#include <stdlib.h>
#include <string.h>

#include "libro/lb1.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* `jws` re-encoded as `format` decodes to itself. */
static int
round_trips(const libro_buf *jws, libro_lb_format format)
{
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf again = LIBRO_BUF_INIT;
    int ok = libro_lb1_encode_format(&text, format, (const char *) jws->data, jws->len, NULL) ==
                 LIBRO_OK &&
             libro_lb1_format_of((const char *) text.data, text.len) == format &&
             libro_lb1_decode(&again, (const char *) text.data, text.len, NULL) == LIBRO_OK &&
             again.len == jws->len && memcmp(again.data, jws->data, jws->len) == 0;

    libro_buf_free(&text);
    libro_buf_free(&again);
    return ok;
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    libro_buf jws = LIBRO_BUF_INIT;
    libro_lb_format format = libro_lb1_format_of((const char *) data, size);

    if (libro_lb1_decode(&jws, (const char *) data, size, NULL) == LIBRO_OK &&
        (format == 0 || !round_trips(&jws, format) || !round_trips(&jws, LIBRO_LB_CURRENT))) {
        abort();
    }
    libro_buf_free(&jws);
    return 0;
}
