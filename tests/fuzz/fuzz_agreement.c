/* Check an agreement document; whatever passes must agree with itself: the outcome with the
 * parties who signed, and its payload writing back canonically. The same bytes are also
 * parsed as a bare payload (a ResponsibilityAgreement must round-trip). */
#include <stdlib.h>
#include <string.h>

#include "libro/agreement.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* A parsed credential writes back to bytes that parse and write back the same. */
static void
round_trip(const libro_credential *c)
{
    libro_credential *back = NULL;
    libro_buf out = LIBRO_BUF_INIT;
    libro_buf again = LIBRO_BUF_INIT;

    if (libro_credential_to_json(&out, c, NULL) != LIBRO_OK ||
        libro_credential_parse(&back, out.data, out.len, NULL) != LIBRO_OK ||
        libro_credential_to_json(&again, back, NULL) != LIBRO_OK || again.len != out.len ||
        memcmp(again.data, out.data, out.len) != 0) {
        abort();
    }
    libro_buf_free(&again);
    libro_buf_free(&out);
    libro_credential_free(back);
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    libro_agreement *a = NULL;
    libro_credential *c = NULL;
    size_t signed_count = 0;
    size_t i;

    if (libro_agreement_check(&a, (const char *) data, size, NULL) == LIBRO_OK) {
        for (i = 0; i < a->cred->n_parties; i++) {
            signed_count += a->signed_by[i] ? 1u : 0u;
        }
        if (signed_count != a->n_signed || a->n_signed > a->n_signatures ||
            (a->outcome == LIBRO_AGREEMENT_COMPLETE) != (a->n_signed == a->cred->n_parties)) {
            abort();
        }
        round_trip(a->cred);
    }
    if (libro_credential_parse(&c, data, size, NULL) == LIBRO_OK &&
        c->type == LIBRO_CRED_AGREEMENT) {
        round_trip(c);
    }
    libro_credential_free(c);
    libro_agreement_free(a);
    return 0;
}
