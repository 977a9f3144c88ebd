/* Scanned text to a compact JWS: LB1 is unpacked, a JWS copied, an LBR reference checked and
 * copied; whatever comes out is at most a token long, and is either a reference that decodes
 * (base45 has a space in its alphabet) or contains no whitespace. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "libro/lbr.h"
#include "libro/limits.h"
#include "libro/scan.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    libro_buf jws = LIBRO_BUF_INIT;

    if (libro_scan_text(&jws, (const char *) data, size, NULL) == LIBRO_OK) {
        const char *out = (const char *) jws.data;
        bool reference = jws.len >= sizeof LIBRO_LBR_PREFIX - 1 &&
                         memcmp(out, LIBRO_LBR_PREFIX, sizeof LIBRO_LBR_PREFIX - 1) == 0;
        libro_lbr_kind kind;
        char hash[LIBRO_HASH_REF_SIZE];

        if (jws.len > LIBRO_MAX_TOKEN_BYTES ||
            (reference && libro_lbr_decode(&kind, hash, out, jws.len, NULL) != LIBRO_OK) ||
            (!reference && strpbrk(out, " \t\r\n") != NULL)) {
            abort();
        }
    }
    libro_buf_free(&jws);
    return 0;
}
