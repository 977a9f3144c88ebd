/* The consent formats: a step payload (an accepted one writes back to itself once canonical),
 * a step token (verified against its own did:key), and a record document (which writes back
 * and parses again); a verified step runs through the state machine alone. */
#include <stdlib.h>
#include <string.h>

#include "libro/consent.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    libro_step *s = NULL;
    libro_step *back = NULL;
    libro_consent_record *r = NULL;
    libro_buf out = LIBRO_BUF_INIT;
    libro_buf again = LIBRO_BUF_INIT;
    libro_consent_state st = LIBRO_CONSENT_STATE_INIT;
    char hash[LIBRO_HASH_REF_SIZE];

    if (libro_step_parse(&s, data, size, NULL) == LIBRO_OK) {
        if (libro_step_to_json(&out, s, NULL) != LIBRO_OK ||
            libro_step_parse(&back, out.data, out.len, NULL) != LIBRO_OK ||
            libro_step_to_json(&again, back, NULL) != LIBRO_OK || again.len != out.len ||
            memcmp(again.data, out.data, out.len) != 0) {
            abort();
        }
        libro_step_free(back);
        back = NULL;
    }
    if (libro_step_verify(&back, hash, (const char *) data, size, NULL) == LIBRO_OK) {
        const libro_step *steps[1] = {back};
        const char *hashes[1] = {hash};
        libro_consent_seat seat = {back->by, LIBRO_OFFICE_REPRESENTATIVE, back->at, back->at};

        if (libro_consent_run(&st, steps, hashes, 1, &seat, 1, NULL) != LIBRO_OK ||
            st.n_accepted + (st.refused ? 1u : 0u) != 1) {
            abort();
        }
    }
    libro_buf_clear(&out);
    if (libro_consent_record_parse(&r, data, size, NULL) == LIBRO_OK &&
        libro_consent_record_to_json(&out, r, NULL) != LIBRO_OK) {
        abort();
    }
    libro_consent_state_free(&st);
    libro_consent_record_free(r);
    libro_buf_free(&again);
    libro_buf_free(&out);
    libro_step_free(back);
    libro_step_free(s);
    return 0;
}
