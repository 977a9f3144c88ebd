/* libro: JWS JSON General Serialization (RFC 7515 §7.2.1), for documents every party signs
 * (docs/formats.md). Stricter than the RFC on purpose: everything we read must be covered by a
 * signature, so the unprotected "header" is refused, as are members we do not know (RFC 7515
 * §7.2.1 would have us ignore them) and the flattened syntax (§7.2.2). Each protected header
 * passes the same policy as a compact one (jws.c). */
#include <stdio.h>
#include <string.h>

#include "jws_int.h"
#include "libro/encoding.h"
#include "libro/json_int.h"
#include "libro/util.h"

typedef struct jws_json_sig {
    libro_jws__header hdr;
    libro_buf protected_b64; /* as received: the first half of the signing input */
    libro_buf sig;           /* decoded; its length is checked at verify */
    bool verified;           /* the most recent verification of this signature succeeded */
} jws_json_sig;

struct libro_jws_json {
    libro_buf payload_b64; /* as received: the second half of every signing input */
    libro_buf payload;     /* decoded; exposed once any signature verified */
    jws_json_sig *sigs;
    size_t n;
};

/* "signature <i><suffix>" for messages. With the 48-byte buffers used here a size_t index and
 * our short suffixes always fit; a failure leaves an empty label. */
static void
label(char out[48], size_t i, const char *suffix)
{
    int n = snprintf(out, 48, "signature %zu%s", i, suffix);

    if (n < 0 || n >= 48) {
        out[0] = '\0';
    }
}

static libro_code
member_string(const json_t **out, const json_t *obj, const char *name, const char *where,
              libro_error *err)
{
    const json_t *v = json_object_get(obj, name);

    *out = NULL;
    if (v == NULL) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "jws: %s lacks \"%s\"", where, name);
    }
    if (!json_is_string(v)) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "jws: %s \"%s\" is not a string", where, name);
    }
    *out = v;
    return LIBRO_OK;
}

/* Only `allowed` members may appear in `obj`. */
static libro_code
only_members(json_t *obj, const char *const *allowed, size_t n_allowed, const char *where,
             libro_error *err)
{
    const char *key;
    json_t *v;
    char shown[33];
    size_t i;

    json_object_foreach(obj, key, v)
    {
        bool known = false;

        for (i = 0; i < n_allowed; i++) {
            if (strcmp(key, allowed[i]) == 0) {
                known = true;
            }
        }
        if (!known) {
            libro_jws__printable(shown, key, strlen(key));
            return libro_error_set(err, LIBRO_ERR_PARSE, "jws: %s has unexpected member \"%s\"",
                                   where, shown);
        }
    }
    return LIBRO_OK;
}

static libro_code
parse_sig(jws_json_sig *s, json_t *v, size_t i, libro_error *err)
{
    static const char *const allowed[] = {"protected", "signature"};
    libro_buf header = LIBRO_BUF_INIT;
    const json_t *prot;
    const json_t *sig;
    char where[48];
    char what[48];
    libro_code rc;

    label(where, i, "");
    if (!json_is_object(v)) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "jws: %s is not an object", where);
        goto out;
    }
    /* RFC 7515 §7.2.1 allows an unprotected "header"; nothing unsigned may steer us. */
    if (json_object_get(v, "header") != NULL) {
        rc = libro_error_set(err, LIBRO_ERR_UNSUPPORTED, "jws: %s: unprotected header not accepted",
                             where);
        goto out;
    }
    rc = only_members(v, allowed, LIBRO_NELEM(allowed), where, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = member_string(&prot, v, "protected", where, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = member_string(&sig, v, "signature", where, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    label(what, i, " protected header");
    rc = libro_jws__decode(&header, json_string_value(prot), json_string_length(prot), what, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_jws__decode(&s->sig, json_string_value(sig), json_string_length(sig), where, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    label(what, i, " header");
    rc = libro_jws__header_check(&s->hdr, header.data, header.len, what, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc =
        libro_buf_append(&s->protected_b64, json_string_value(prot), json_string_length(prot), err);
out:
    libro_buf_free(&header);
    return rc;
}

libro_code
libro_jws_json_parse(libro_jws_json **out, const char *p, size_t len, libro_error *err)
{
    return libro_jws__json_parse(out, p, len, LIBRO_MAX_CLAIMS_BYTES, false, err);
}

libro_code
libro_jws__json_parse(libro_jws_json **out, const char *p, size_t len, size_t max_payload,
                      bool allow_unsigned, libro_error *err)
{
    static const libro_json_limits lim = {1, LIBRO_MAX_JWS_JSON_BYTES, LIBRO_MAX_JSON_DEPTH};
    static const char *const allowed[] = {"payload", "signatures"};
    static const char *const flattened[] = {"protected", "signature", "header"};
    libro_jws_json *j = NULL;
    json_t *root = NULL;
    const json_t *payload;
    json_t *sigs;
    size_t n;
    size_t i;
    libro_code rc;

    if (out == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "jws: NULL argument");
    }
    *out = NULL;
    if (p == NULL && len > 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "jws: NULL argument");
    }
    if (len > LIBRO_MAX_JWS_JSON_BYTES) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "jws: json serialization larger than %u bytes",
                               LIBRO_MAX_JWS_JSON_BYTES);
    }
    rc = libro_json__load(&root, p, len, &lim, err);
    if (rc != LIBRO_OK) {
        (void) libro_error_prefix(err, "jws");
        libro_jws__one_line(err);
        goto out;
    }
    if (!json_is_object(root)) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "jws: json serialization is not an object");
        goto out;
    }
    for (i = 0; i < LIBRO_NELEM(flattened); i++) {
        if (json_object_get(root, flattened[i]) != NULL) {
            rc = libro_error_set(err, LIBRO_ERR_PARSE,
                                 "jws: flattened json serialization not accepted (member \"%s\"; "
                                 "use \"signatures\")",
                                 flattened[i]);
            goto out;
        }
    }
    rc = only_members(root, allowed, LIBRO_NELEM(allowed), "json serialization", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = member_string(&payload, root, "payload", "json serialization", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    sigs = json_object_get(root, "signatures");
    if (sigs == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "jws: json serialization lacks \"signatures\"");
        goto out;
    }
    if (!json_is_array(sigs)) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "jws: \"signatures\" is not an array");
        goto out;
    }
    n = json_array_size(sigs);
    if (n == 0 && !allow_unsigned) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "jws: \"signatures\" is empty");
        goto out;
    }
    if (n > LIBRO_MAX_JWS_SIGNATURES) {
        rc = libro_error_set(err, LIBRO_ERR_LIMIT, "jws: more than %u signatures",
                             LIBRO_MAX_JWS_SIGNATURES);
        goto out;
    }
    j = libro_calloc(1, sizeof *j);
    if (j == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "jws: out of memory");
        goto out;
    }
    j->sigs = libro_calloc(n > 0 ? n : 1, sizeof *j->sigs);
    if (j->sigs == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "jws: out of memory");
        goto out;
    }
    j->n = n;
    for (i = 0; i < n; i++) {
        rc = parse_sig(&j->sigs[i], json_array_get(sigs, i), i, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
    }
    /* As in the compact form: headers first, then the payload bound. */
    rc = libro_jws__decode(&j->payload, json_string_value(payload), json_string_length(payload),
                           "payload", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (j->payload.len > max_payload) {
        rc = libro_error_set(err, LIBRO_ERR_LIMIT, "jws: payload larger than %zu bytes",
                             max_payload);
        goto out;
    }
    rc = libro_buf_append(&j->payload_b64, json_string_value(payload), json_string_length(payload),
                          err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    *out = j;
    j = NULL; /* moved to caller */
out:
    libro_jws_json_free(j);
    json_decref(root);
    return rc;
}

void
libro_jws_json_free(libro_jws_json *j)
{
    size_t i;

    if (j == NULL) {
        return;
    }
    for (i = 0; i < j->n; i++) {
        libro_jws__header_free(&j->sigs[i].hdr);
        libro_buf_free(&j->sigs[i].protected_b64);
        libro_buf_free(&j->sigs[i].sig);
    }
    libro_free(j->sigs);
    libro_buf_free(&j->payload_b64);
    libro_buf_free(&j->payload);
    libro_free(j);
}

size_t
libro_jws_json_count(const libro_jws_json *j)
{
    return j != NULL ? j->n : 0;
}

const char *
libro_jws_json_alg(const libro_jws_json *j, size_t i)
{
    return j != NULL && i < j->n ? j->sigs[i].hdr.alg_name : NULL;
}

const char *
libro_jws_json_kid(const libro_jws_json *j, size_t i)
{
    return j != NULL && i < j->n ? j->sigs[i].hdr.kid : NULL;
}

const char *
libro_jws_json_typ(const libro_jws_json *j, size_t i)
{
    return j != NULL && i < j->n ? j->sigs[i].hdr.typ : NULL;
}

/* RFC 7515 §5.2 step 8: ASCII(protected '.' payload), both as received. */
static libro_code
signing_input(libro_buf *si, const libro_jws_json *j, const jws_json_sig *s, libro_error *err)
{
    libro_code rc;

    libro_buf_clear(si);
    rc = libro_buf_append(si, s->protected_b64.data, s->protected_b64.len, err);
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(si, ".", 1, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(si, j->payload_b64.data, j->payload_b64.len, err);
    }
    return rc;
}

libro_code
libro_jws_json_verify(libro_jws_json *j, size_t i, const libro_key *k, libro_error *err)
{
    libro_buf si = LIBRO_BUF_INIT;
    jws_json_sig *s;
    libro_code rc;

    if (j == NULL || k == NULL || i >= j->n) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "jws: NULL argument or bad index");
    }
    s = &j->sigs[i];
    s->verified = false;
    rc = libro_jws__alg_matches(&s->hdr, k, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = signing_input(&si, j, s, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_jws__verify_sig(&s->hdr, k, si.data, si.len, &s->sig, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    s->verified = true;
out:
    libro_buf_free(&si);
    return rc;
}

libro_code
libro_jws_json_verify_all(libro_jws_json *j, const libro_key *const *keys, size_t n_keys,
                          bool *verified, size_t *signer, libro_error *err)
{
    libro_buf si = LIBRO_BUF_INIT;
    size_t first_bad = SIZE_MAX;
    size_t i;
    size_t k;
    libro_code rc = LIBRO_OK;

    if (j == NULL || verified == NULL || signer == NULL || (keys == NULL && n_keys > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "jws: NULL argument");
    }
    for (i = 0; i < j->n; i++) {
        verified[i] = false;
        signer[i] = SIZE_MAX;
        j->sigs[i].verified = false;
    }
    for (i = 0; i < j->n; i++) {
        jws_json_sig *s = &j->sigs[i];

        rc = signing_input(&si, j, s, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        for (k = 0; k < n_keys && !s->verified; k++) {
            libro_error tmp = LIBRO_ERROR_INIT;

            /* The key decides the algorithm: skip keys of another type, as verify would. */
            if (keys[k] == NULL || libro_key_alg(keys[k]) != s->hdr.alg) {
                continue;
            }
            rc = libro_jws__verify_sig(&s->hdr, keys[k], si.data, si.len, &s->sig, &tmp);
            if (rc == LIBRO_OK) {
                s->verified = true;
                verified[i] = true;
                signer[i] = k;
            } else if (rc != LIBRO_ERR_BAD_SIGNATURE) {
                /* Not a verdict on the signature (out of memory, crypto failure): stop. */
                if (err != NULL) {
                    *err = tmp;
                }
                goto out;
            }
        }
        if (!s->verified && first_bad == SIZE_MAX) {
            first_bad = i;
        }
    }
    rc = LIBRO_OK;
    if (first_bad != SIZE_MAX) {
        char shown[33];
        const char *kid = j->sigs[first_bad].hdr.kid;

        libro_jws__printable(shown, kid != NULL ? kid : "", kid != NULL ? strlen(kid) : 0);
        rc = libro_error_set(err, LIBRO_ERR_BAD_SIGNATURE,
                             "jws: signature %zu (kid \"%s\") not verified by any key", first_bad,
                             shown);
    }
out:
    libro_buf_free(&si);
    return rc;
}

const unsigned char *
libro_jws_json_payload(const libro_jws_json *j, size_t *len)
{
    size_t i;

    if (len != NULL) {
        *len = 0;
    }
    if (j == NULL) {
        return NULL;
    }
    for (i = 0; i < j->n; i++) {
        if (j->sigs[i].verified) {
            if (len != NULL) {
                *len = j->payload.len;
            }
            return j->payload.data != NULL ? j->payload.data : (const unsigned char *) "";
        }
    }
    return NULL;
}

const libro_buf *
libro_jws__json_payload_unverified(const libro_jws_json *j)
{
    return &j->payload;
}

const libro_buf *
libro_jws__json_payload_b64(const libro_jws_json *j)
{
    return &j->payload_b64;
}

const libro_buf *
libro_jws__json_protected_b64(const libro_jws_json *j, size_t i)
{
    return &j->sigs[i].protected_b64;
}

const libro_buf *
libro_jws__json_signature(const libro_jws_json *j, size_t i)
{
    return &j->sigs[i].sig;
}
