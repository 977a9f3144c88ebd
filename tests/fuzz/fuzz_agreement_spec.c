/* Draft an agreement from a JSON description (libro agreement draft --spec). Whatever drafts
 * must check as a draft: no signature, PARTIAL, the parties the description named. Parties'
 * key files are not read here (inputs naming one are skipped): the description's other
 * members, the did:keys and JWKs are. */
#include <stdlib.h>
#include <string.h>

#include "libro/issuer.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* Whether data[0..size) holds "\"key\"". */
static bool
names_key_file(const unsigned char *data, size_t size)
{
    size_t i;

    for (i = 0; i + 5 <= size; i++) {
        if (memcmp(data + i, "\"key\"", 5) == 0) {
            return true;
        }
    }
    return false;
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    libro_agreement_options o = LIBRO_AGREEMENT_OPTIONS_INIT;
    libro_credential *c = NULL;
    libro_agreement *a = NULL;
    libro_buf doc = LIBRO_BUF_INIT;

    if (names_key_file(data, size)) {
        return 0;
    }
    o.spec = (const char *) data;
    o.spec_len = size;
    o.spec_dir = "/nonexistent";
    o.days = 30; /* a term, when the description gives none */
    if (libro_issuer_agreement_draft(&doc, &c, &o, NULL) == LIBRO_OK) {
        if (libro_agreement_check(&a, (const char *) doc.data, doc.len, NULL) != LIBRO_OK ||
            a->n_signatures != 0 || a->outcome != LIBRO_AGREEMENT_PARTIAL ||
            a->cred->n_parties != c->n_parties) {
            abort();
        }
    }
    libro_agreement_free(a);
    libro_credential_free(c);
    libro_buf_free(&doc);
    return 0;
}
