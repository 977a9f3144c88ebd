/* Parse a compact JWS; if it parses, verify it with the RFC 8037 A.1 Ed25519 public key so the
 * verify path runs too. A payload may be visible only after a successful verify. */
#include <stdlib.h>

#include "libro/jws.h"

static const unsigned char pk[32] = {
    0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
    0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a};

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    libro_jws *jws = NULL;
    libro_key *k = NULL;

    if (libro_jws_parse(&jws, (const char *) data, size, NULL) == LIBRO_OK &&
        libro_key_from_raw_public(&k, LIBRO_ALG_ED25519, pk, sizeof pk, NULL) == LIBRO_OK &&
        (libro_jws_verify(jws, k, NULL) == LIBRO_OK) != (libro_jws_payload(jws, NULL) != NULL)) {
        abort();
    }
    libro_key_free(k);
    libro_jws_free(jws);
    return 0;
}
