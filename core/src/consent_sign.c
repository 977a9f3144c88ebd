/* libro: signing a consent step (libro/consent.h). Apart from consent.c so that a verify-only
 * build carries no signing code. */
#include <string.h>

#include "libro/consent.h"
#include "libro/jws.h"
#include "libro/util.h"

libro_code
libro_step_sign(libro_buf *out, const libro_step *s, const libro_key *k, libro_error *err)
{
    libro_buf did = LIBRO_BUF_INIT;
    libro_buf kid = LIBRO_BUF_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    libro_code rc;

    if (out == NULL || s == NULL || k == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "step: NULL argument");
    }
    rc = libro_step_to_json(&payload, s, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    /* A member signs as themself: the key must be the one `by` names. */
    rc = libro_key_to_did(&did, k, err);
    if (rc == LIBRO_ERR_UNSUPPORTED ||
        (rc == LIBRO_OK && strcmp((const char *) did.data, s->by) != 0)) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED, "step: the key is not the one by names");
    }
    if (rc == LIBRO_OK) {
        rc = libro_kid_for(&kid, s->by, k, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_jws_sign_compact_ex(out, k, (const char *) kid.data, LIBRO_CONSENT_TYP,
                                       payload.data, payload.len, LIBRO_MAX_LAW_TOKEN_BYTES,
                                       LIBRO_MAX_LAW_PAYLOAD_BYTES, err);
    }
out:
    libro_buf_free(&payload);
    libro_buf_free(&kid);
    libro_buf_free(&did);
    return rc;
}
