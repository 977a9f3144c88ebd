/* Scanned text to a compact JWS: LB1 is unpacked, a JWS copied; whatever comes out is at most
 * a token long and contains no whitespace. */
#include <stdlib.h>
#include <string.h>

#include "libro/limits.h"
#include "libro/scan.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    libro_buf jws = LIBRO_BUF_INIT;

    if (libro_scan_text(&jws, (const char *) data, size, NULL) == LIBRO_OK &&
        (jws.len > LIBRO_MAX_TOKEN_BYTES || strpbrk((const char *) jws.data, " \t\r\n") != NULL)) {
        abort();
    }
    libro_buf_free(&jws);
    return 0;
}
