/* Decode an encodedList; whatever decodes must encode and decode back to the same bits. */
#include <stdlib.h>
#include <string.h>

#include "libro/statuslist.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    libro_bitstring b;
    libro_bitstring back = {NULL, 0};
    libro_buf text = LIBRO_BUF_INIT;

    if (libro_bitstring_decode(&b, (const char *) data, size, NULL) == LIBRO_OK &&
        (libro_bitstring_encode(&text, &b, NULL) != LIBRO_OK ||
         libro_bitstring_decode(&back, (const char *) text.data, text.len, NULL) != LIBRO_OK ||
         back.n_entries != b.n_entries || memcmp(back.bits, b.bits, b.n_entries / 8) != 0)) {
        abort();
    }
    libro_bitstring_free(&b);
    libro_bitstring_free(&back);
    libro_buf_free(&text);
    return 0;
}
