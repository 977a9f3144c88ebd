/* Parse a payload as a credential; an accepted CommunityLaw must write back to the same bytes
 * once canonical. The same bytes as an LBR reference: whatever decodes encodes back to them. */
#include <stdlib.h>
#include <string.h>

#include "libro/credential.h"
#include "libro/lbr.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    libro_credential *c = NULL;
    libro_credential *back = NULL;
    libro_buf out = LIBRO_BUF_INIT;
    libro_buf again = LIBRO_BUF_INIT;
    libro_lbr_kind kind;
    char hash[LIBRO_HASH_REF_SIZE];

    if (libro_credential_parse(&c, data, size, NULL) == LIBRO_OK && c->type == LIBRO_CRED_LAW) {
        if (libro_credential_to_json(&out, c, NULL) != LIBRO_OK ||
            libro_credential_parse(&back, out.data, out.len, NULL) != LIBRO_OK ||
            libro_credential_to_json(&again, back, NULL) != LIBRO_OK || again.len != out.len ||
            memcmp(again.data, out.data, out.len) != 0) {
            abort();
        }
    }
    libro_buf_clear(&out);
    if (libro_lbr_decode(&kind, hash, (const char *) data, size, NULL) == LIBRO_OK) {
        if (libro_lbr_encode(&out, kind, hash, NULL) != LIBRO_OK || out.len != size ||
            memcmp(out.data, data, size) != 0) {
            abort();
        }
    }
    libro_buf_free(&again);
    libro_buf_free(&out);
    libro_credential_free(back);
    libro_credential_free(c);
    return 0;
}
