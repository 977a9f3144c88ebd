/* Parse a JWS JSON General Serialization; if it parses, run verify_all with the RFC 8037 A.1
 * Ed25519 public key: when every signature verified, the first did and the payload shows. */
#include <stdlib.h>

#include "libro/jws.h"

static const unsigned char pk[32] = {
    0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
    0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a};

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    libro_jws_json *j = NULL;
    libro_key *k = NULL;
    bool ok[LIBRO_MAX_JWS_SIGNATURES];
    size_t who[LIBRO_MAX_JWS_SIGNATURES];

    if (libro_jws_json_parse(&j, (const char *) data, size, NULL) == LIBRO_OK &&
        libro_key_from_raw_public(&k, LIBRO_ALG_ED25519, pk, sizeof pk, NULL) == LIBRO_OK) {
        bool all = libro_jws_json_verify_all(j, (const libro_key *const *) &k, 1, ok, who, NULL) ==
                   LIBRO_OK;

        if (all && (!ok[0] || libro_jws_json_payload(j, NULL) == NULL)) {
            abort();
        }
    }
    libro_key_free(k);
    libro_jws_json_free(j);
    return 0;
}
