/* libro: making JWS JSON General Serialization (RFC 7515 §7.2.1) documents, each signature
 * under a protected header of jws_sign.c. Apart from the parser in jws_json.c so that a
 * verify-only build (LIBRO_VERIFY_ONLY) carries no signing code. */
#include "jws_int.h"
#include "libro/encoding.h"
#include "libro/util.h"

libro_code
libro_jws_json_sign(libro_buf *out, const libro_jws_signer *signers, size_t n_signers,
                    const char *typ, const void *payload, size_t len, libro_error *err)
{
    libro_buf payload_b64 = LIBRO_BUF_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_buf si = LIBRO_BUF_INIT;
    size_t i;
    libro_code rc;

    if (out == NULL || signers == NULL || (payload == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "jws: NULL argument");
    }
    if (n_signers == 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "jws: no signers");
    }
    if (n_signers > LIBRO_MAX_JWS_SIGNATURES) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "jws: more than %u signers",
                               LIBRO_MAX_JWS_SIGNATURES);
    }
    if (len > LIBRO_MAX_CLAIMS_BYTES) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "jws: payload larger than %u bytes",
                               LIBRO_MAX_CLAIMS_BYTES);
    }
    for (i = 0; i < n_signers; i++) {
        if (signers[i].key == NULL) {
            return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "jws: signer %zu has no key", i);
        }
    }
    rc = libro_b64url_encode(&payload_b64, payload, len, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    /* Every value is base64url text, so no JSON escaping is needed. */
    rc = libro_buf_append_str(&doc, "{\"payload\":\"", err);
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(&doc, payload_b64.data, payload_b64.len, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(&doc, "\",\"signatures\":[", err);
    }
    for (i = 0; rc == LIBRO_OK && i < n_signers; i++) {
        libro_buf_clear(&si);
        rc = libro_jws__header_b64(&si, signers[i].key, signers[i].kid, typ, err);
        if (rc == LIBRO_OK) {
            rc = libro_buf_append_str(&doc, i == 0 ? "{\"protected\":\"" : ",{\"protected\":\"",
                                      err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_append(&doc, si.data, si.len, err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_append(&si, ".", 1, err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_append(&si, payload_b64.data, payload_b64.len, err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_append_str(&doc, "\",\"signature\":\"", err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_jws__sign_b64(&doc, signers[i].key, si.data, si.len, err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_append_str(&doc, "\"}", err);
        }
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(&doc, "]}", err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    /* Never produce a document that libro_jws_json_parse would refuse. */
    if (doc.len > LIBRO_MAX_JWS_JSON_BYTES) {
        rc = libro_error_set(err, LIBRO_ERR_LIMIT, "jws: json serialization would exceed %u bytes",
                             LIBRO_MAX_JWS_JSON_BYTES);
        goto out;
    }
    rc = libro_buf_append(out, doc.data, doc.len, err);
out:
    libro_buf_free(&si);
    libro_buf_free(&doc);
    libro_buf_free(&payload_b64);
    return rc;
}
