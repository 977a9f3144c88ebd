/* libro: making JWS Compact Serialization (RFC 7515 §7.1) and the protected header jws.c and
 * jws_json.c sign under. Kept apart from the parser and verifier in jws.c so that a
 * verify-only build (LIBRO_VERIFY_ONLY) carries no signing code. */
#include <string.h>

#include "jws_int.h"
#include "libro/encoding.h"
#include "libro/json_int.h"
#include "libro/util.h"

/* Strict UTF-8 (RFC 3629 §3: no overlong forms, no surrogates, nothing above U+10FFFF), as
 * jansson requires of a string; checked first so that a NULL from json_string() can only
 * mean out of memory. */
static bool
utf8_valid(const unsigned char *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        unsigned char c = s[i];
        size_t n;
        size_t j;
        uint32_t cp;
        uint32_t min;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1fu;
            min = 0x80;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            cp = c & 0x0fu;
            min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07u;
            min = 0x10000;
        } else {
            return false;
        }
        if (len - i - 1 < n) {
            return false;
        }
        for (j = 1; j <= n; j++) {
            if ((s[i + j] & 0xc0) != 0x80) {
                return false;
            }
            cp = cp << 6 | (s[i + j] & 0x3fu);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return false;
        }
        i += n + 1;
    }
    return true;
}

static libro_code
add_member(json_t *obj, const char *name, const char *value, size_t max, libro_error *err)
{
    size_t len;
    json_t *s;

    if (value == NULL) {
        return LIBRO_OK;
    }
    len = strlen(value);
    if (len > max) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "jws: %s longer than %zu bytes", name, max);
    }
    if (!utf8_valid((const unsigned char *) value, len)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "jws: %s is not utf-8", name);
    }
    s = json_stringn(value, len);
    if (s == NULL || json_object_set_new(obj, name, s) != 0) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "jws: out of memory");
    }
    return LIBRO_OK;
}

libro_code
libro_jws__header_b64(libro_buf *out, const libro_key *k, const char *kid, const char *typ,
                      libro_error *err)
{
    libro_buf text = LIBRO_BUF_INIT;
    json_t *obj = NULL;
    const char *alg = libro_alg_jose_name(libro_key_alg(k));
    libro_code rc;

    if (alg == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "jws: key has no jose algorithm");
        goto out;
    }
    /* Members in the order {"alg","kid","typ"} (JSON_PRESERVE_ORDER), no whitespace. */
    obj = json_object();
    if (obj == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "jws: out of memory");
        goto out;
    }
    rc = add_member(obj, "alg", alg, LIBRO_MAX_HEADER_BYTES, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = add_member(obj, "kid", kid, LIBRO_MAX_KID_BYTES, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = add_member(obj, "typ", typ, LIBRO_MAX_HEADER_BYTES, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_json__dump(&text, obj, err);
    if (rc != LIBRO_OK) {
        (void) libro_error_prefix(err, "jws");
        goto out;
    }
    /* Never produce a header that libro_jws_parse would refuse. */
    if (text.len > LIBRO_MAX_HEADER_BYTES) {
        rc = libro_error_set(err, LIBRO_ERR_LIMIT, "jws: header would exceed %u bytes",
                             LIBRO_MAX_HEADER_BYTES);
        goto out;
    }
    rc = libro_b64url_encode(out, text.data, text.len, err);
out:
    json_decref(obj);
    libro_buf_free(&text);
    return rc;
}

libro_code
libro_jws__sign_b64(libro_buf *out, const libro_key *k, const unsigned char *si, size_t si_len,
                    libro_error *err)
{
    libro_buf sig = LIBRO_BUF_INIT;
    libro_code rc = libro_key_sign(&sig, k, si, si_len, err);

    if (rc != LIBRO_OK) {
        (void) libro_error_prefix(err, "jws");
        goto out;
    }
    if (sig.len != LIBRO_SIGNATURE_BYTES) {
        rc = libro_error_set(err, LIBRO_ERR_CRYPTO, "jws: signer returned %zu bytes, want %u",
                             sig.len, LIBRO_SIGNATURE_BYTES);
        goto out;
    }
    rc = libro_b64url_encode(out, sig.data, sig.len, err);
out:
    libro_buf_free(&sig);
    return rc;
}

libro_code
libro_jws_sign_compact(libro_buf *out, const libro_key *k, const char *kid, const char *typ,
                       const void *payload, size_t len, libro_error *err)
{
    return libro_jws_sign_compact_ex(out, k, kid, typ, payload, len, LIBRO_MAX_TOKEN_BYTES,
                                     LIBRO_MAX_CLAIMS_BYTES, err);
}

libro_code
libro_jws_sign_compact_ex(libro_buf *out, const libro_key *k, const char *kid, const char *typ,
                          const void *payload, size_t len, size_t max_token, size_t max_payload,
                          libro_error *err)
{
    libro_buf tok = LIBRO_BUF_INIT;
    size_t si_len;
    libro_code rc;

    if (out == NULL || k == NULL || (payload == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "jws: NULL argument");
    }
    if (max_token == 0 || max_payload == 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "jws: a cap of 0 bytes");
    }
    /* Bounded at sign as at parse, so we never issue what we would refuse to read. */
    if (len > max_payload) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "jws: payload larger than %zu bytes",
                               max_payload);
    }
    rc = libro_jws__header_b64(&tok, k, kid, typ, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_buf_append(&tok, ".", 1, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_b64url_encode(&tok, payload, len, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    si_len = tok.len;
    rc = libro_buf_append(&tok, ".", 1, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    /* The signing input is read before `tok` grows again (RFC 7515 §5.1 step 5). */
    rc = libro_jws__sign_b64(&tok, k, tok.data, si_len, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (tok.len > max_token) {
        rc = libro_error_set(err, LIBRO_ERR_LIMIT, "jws: token would exceed %zu bytes", max_token);
        goto out;
    }
    /* `out` is touched only on success. */
    rc = libro_buf_append(out, tok.data, tok.len, err);
out:
    libro_buf_free(&tok);
    return rc;
}
