/* Parse a payload as a credential; an accepted RoundtableMandate must write back to the same
 * bytes once canonical, and the office rule and term end must hold on whatever it holds. */
#include <stdlib.h>
#include <string.h>

#include "libro/credential.h"
#include "libro/rules.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    libro_credential *c = NULL;
    libro_credential *back = NULL;
    libro_buf out = LIBRO_BUF_INIT;
    libro_buf again = LIBRO_BUF_INIT;
    int64_t end = 0;

    if (libro_credential_parse(&c, data, size, NULL) == LIBRO_OK && c->type == LIBRO_CRED_MANDATE) {
        if (libro_credential_to_json(&out, c, NULL) != LIBRO_OK ||
            libro_credential_parse(&back, out.data, out.len, NULL) != LIBRO_OK ||
            libro_credential_to_json(&again, back, NULL) != LIBRO_OK || again.len != out.len ||
            memcmp(again.data, out.data, out.len) != 0) {
            abort();
        }
        /* The office rule passes only when the signer is the seat (the roundtable for a
         * chair), and a term ends after it starts. */
        if (libro_rules_mandate_office(c, NULL) == LIBRO_OK &&
            strcmp(c->issuer, c->office == LIBRO_OFFICE_CHAIR ? c->roundtable_id : c->seat) != 0) {
            abort();
        }
        if (libro_rules_term_end(&end, c->valid_from,
                                 libro_rules_seed_term_years(c->office, c->roundtable_level),
                                 NULL) == LIBRO_OK &&
            end <= c->valid_from) {
            abort();
        }
    }
    libro_buf_free(&again);
    libro_buf_free(&out);
    libro_credential_free(back);
    libro_credential_free(c);
    return 0;
}
