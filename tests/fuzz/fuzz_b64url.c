/* Decode base64url; whatever decodes must re-encode to the very same text (canonical). */
#include <stdlib.h>
#include <string.h>

#include "libro/encoding.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    libro_buf raw = LIBRO_BUF_INIT;
    libro_buf text = LIBRO_BUF_INIT;

    if (libro_b64url_decode(&raw, (const char *) data, size, NULL) == LIBRO_OK &&
        (libro_b64url_encode(&text, raw.data, raw.len, NULL) != LIBRO_OK || text.len != size ||
         memcmp(text.data, data, size) != 0)) {
        abort();
    }
    libro_buf_free(&raw);
    libro_buf_free(&text);
    return 0;
}
