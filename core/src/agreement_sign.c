/* libro: drafting an agreement document and adding a party's signature to one
 * (libro/agreement.h). Apart from agreement.c so that a verify-only build carries no signing
 * code. */
#include <string.h>

#include "jws_int.h"
#include "libro/agreement.h"
#include "libro/encoding.h"
#include "libro/util.h"

/* {"payload":"<payload_b64>","signatures":[ each of j's signatures as received, then the new
 * one (when new_protected is not NULL) ]}. Every value is base64url text: no escaping. */
static libro_code
write_doc(libro_buf *out, const libro_buf *payload_b64, const libro_jws_json *j,
          const libro_buf *new_protected, const libro_buf *new_sig_b64, libro_error *err)
{
    libro_buf doc = LIBRO_BUF_INIT;
    size_t n = j != NULL ? libro_jws_json_count(j) : 0;
    size_t i;
    libro_code rc = libro_buf_append_str(&doc, "{\"payload\":\"", err);

    if (rc == LIBRO_OK) {
        rc = libro_buf_append(&doc, payload_b64->data, payload_b64->len, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(&doc, "\",\"signatures\":[", err);
    }
    for (i = 0; rc == LIBRO_OK && i <= n; i++) {
        const libro_buf *prot = i < n ? libro_jws__json_protected_b64(j, i) : new_protected;
        const libro_buf *sig = i < n ? libro_jws__json_signature(j, i) : new_sig_b64;

        if (prot == NULL) {
            break;
        }
        rc = libro_buf_append_str(&doc, i == 0 ? "{\"protected\":\"" : ",{\"protected\":\"", err);
        if (rc == LIBRO_OK) {
            rc = libro_buf_append(&doc, prot->data, prot->len, err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_append_str(&doc, "\",\"signature\":\"", err);
        }
        /* The old signatures were decoded strictly, so encoding gives back their text. */
        if (rc == LIBRO_OK) {
            rc = i < n ? libro_b64url_encode(&doc, sig->data, sig->len, err)
                       : libro_buf_append(&doc, sig->data, sig->len, err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_append_str(&doc, "\"}", err);
        }
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(&doc, "]}", err);
    }
    if (rc == LIBRO_OK && doc.len > LIBRO_MAX_JWS_JSON_BYTES) {
        rc = libro_error_set(err, LIBRO_ERR_LIMIT, "agreement: document would exceed %u bytes",
                             LIBRO_MAX_JWS_JSON_BYTES);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(out, doc.data, doc.len, err);
    }
    libro_buf_free(&doc);
    return rc;
}

libro_code
libro_agreement_draft(libro_buf *out, const libro_credential *c, libro_error *err)
{
    libro_buf payload = LIBRO_BUF_INIT;
    libro_buf b64 = LIBRO_BUF_INIT;
    libro_code rc;

    if (out == NULL || c == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "agreement: NULL argument");
    }
    if (c->type != LIBRO_CRED_AGREEMENT) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "agreement: not a ResponsibilityAgreement");
    }
    rc = libro_credential_check(c, err);
    if (rc == LIBRO_OK) {
        rc = libro_credential_to_json(&payload, c, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_b64url_encode(&b64, payload.data, payload.len, err);
    }
    if (rc == LIBRO_OK) {
        rc = write_doc(out, &b64, NULL, NULL, NULL, err);
    }
    libro_buf_free(&b64);
    libro_buf_free(&payload);
    return rc;
}

libro_code
libro_agreement_sign(libro_buf *out, const char *doc, size_t len, const libro_key *k,
                     libro_error *err)
{
    libro_agreement *a = NULL;
    libro_jws_json *j = NULL;
    libro_buf kid = LIBRO_BUF_INIT;
    libro_buf prot = LIBRO_BUF_INIT;
    libro_buf si = LIBRO_BUF_INIT;
    libro_buf sig = LIBRO_BUF_INIT;
    const libro_buf *payload_b64;
    size_t p;
    libro_code rc;

    if (out == NULL || k == NULL || (doc == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "agreement: NULL argument");
    }
    rc = libro_agreement_check(&a, doc, len, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    p = libro_agreement_party_of(a, k);
    if (p == SIZE_MAX) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED, "agreement: this key is no party's");
        goto out;
    }
    if (a->signed_by[p]) {
        char shown[33];

        libro_jws__printable(shown, a->cred->parties[p].id, strlen(a->cred->parties[p].id));
        rc = libro_error_set(err, LIBRO_ERR_EXISTS, "agreement: %s has signed already", shown);
        goto out;
    }
    /* Checked above; parsed again for its parts as received. */
    rc = libro_jws__json_parse(&j, doc, len, LIBRO_MAX_AGREEMENT_PAYLOAD_BYTES, true, err);
    if (rc == LIBRO_OK) {
        rc = libro_kid_for(&kid, a->cred->parties[p].id, k, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_jws__header_b64(&prot, k, (const char *) kid.data, LIBRO_AGREEMENT_TYP, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    payload_b64 = libro_jws__json_payload_b64(j);
    rc = libro_buf_append(&si, prot.data, prot.len, err);
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(&si, ".", 1, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(&si, payload_b64->data, payload_b64->len, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_jws__sign_b64(&sig, k, si.data, si.len, err);
    }
    if (rc == LIBRO_OK) {
        rc = write_doc(out, payload_b64, j, &prot, &sig, err);
    }
out:
    libro_buf_free(&sig);
    libro_buf_free(&si);
    libro_buf_free(&prot);
    libro_buf_free(&kid);
    libro_jws_json_free(j);
    libro_agreement_free(a);
    return rc;
}
