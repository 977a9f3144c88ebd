/* libro: JWS Compact Serialization (RFC 7515 §7.1) and the protected-header policy shared
 * with jws_json.c. Order (style.md §8): bound the token, split it into exactly three segments,
 * decode each strictly, bound and check the header, bound the payload; the signature is
 * checked only by libro_jws_verify, with the algorithm the key (never the header) decides,
 * and the payload is readable only after that. */
#include <stdio.h>
#include <string.h>

#include "jws_int.h"
#include "libro/encoding.h"
#include "libro/json_int.h"
#include "libro/util.h"

struct libro_jws {
    libro_jws__header hdr;
    libro_buf signing_input; /* ASCII base64url(header) '.' base64url(payload), as received */
    libro_buf payload;       /* decoded; exposed only once `verified` */
    libro_buf sig;           /* decoded; its length is checked at verify */
    bool verified;           /* the most recent libro_jws_verify succeeded */
};

/* The only algorithms we accept (RFC 7518 §3.4 ES256; RFC 8037 §3.1 EdDSA; RFC 9864 §2.2
 * Ed25519). alg values are case-sensitive (RFC 7515 §4.1.1), so "eddsa" is not "EdDSA". */
static const struct {
    const char *name;
    libro_alg alg;
} accepted_algs[] = {
    {"EdDSA", LIBRO_ALG_ED25519},
    {"Ed25519", LIBRO_ALG_ED25519},
    {"ES256", LIBRO_ALG_ES256},
};

/* Header parameters that bring their own key or point to one (RFC 7515 §4.1.2-§4.1.8). We
 * take keys only from the caller's trust store, and refuse rather than ignore them, so that
 * no later code can be tempted to use them. */
static const char *const key_members[] = {"jwk", "jku", "x5u", "x5c", "x5t", "x5t#S256"};

void
libro_jws__printable(char out[33], const char *s, size_t len)
{
    size_t n = len < 32 ? len : 32;
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char) s[i];

        out[i] = c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? (char) c : '?';
    }
    out[n] = '\0';
}

void
libro_jws__one_line(libro_error *err)
{
    size_t i;

    if (err == NULL) {
        return;
    }
    for (i = 0; i < sizeof err->msg && err->msg[i] != '\0'; i++) {
        unsigned char c = (unsigned char) err->msg[i];

        if (c < 0x20 || c == 0x7f) {
            err->msg[i] = '?';
        }
    }
}

/* The value of base64url character `c` (RFC 4648 §5), or -1. */
static int
b64url_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    return c == '-' ? 62 : c == '_' ? 63 : -1;
}

/* Decode p[0..len) into the empty `out` when it is what libro_b64url_decode accepts: only
 * alphabet characters, a length that is not 1 modulo 4, and zero bits below the last whole
 * byte (RFC 4648 §3.5); *done false otherwise (`out` still empty), and libro_b64url_decode
 * then says why. JWS segments are public, so a branching table lookup replaces libsodium's
 * constant-time decoder, which is several times slower; the strictness is the same
 * (check_jws compares the two on every short text of a mixed alphabet). */
static libro_code
decode_public(bool *done, libro_buf *out, const char *p, size_t len, libro_error *err)
{
    size_t n = len / 4 * 3 + (len % 4 > 1 ? len % 4 - 1 : 0);
    unsigned char *w;
    unsigned long v = 0;
    size_t i;
    libro_code rc;

    *done = false;
    if (len % 4 == 1 || (p == NULL && len > 0)) {
        return LIBRO_OK;
    }
    rc = libro_buf_reserve(out, n, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    w = out->data + out->len;
    for (i = 0; i < len; i++) {
        int c = b64url_value((unsigned char) p[i]);

        if (c < 0) {
            return LIBRO_OK;
        }
        v = v << 6 | (unsigned long) c;
        if (i % 4 == 3) {
            *w++ = (unsigned char) (v >> 16);
            *w++ = (unsigned char) (v >> 8 & 0xff);
            *w++ = (unsigned char) (v & 0xff);
            v = 0;
        }
    }
    if (len % 4 == 2) {
        if ((v & 0xf) != 0) {
            return LIBRO_OK;
        }
        *w++ = (unsigned char) (v >> 4);
    } else if (len % 4 == 3) {
        if ((v & 0x3) != 0) {
            return LIBRO_OK;
        }
        *w++ = (unsigned char) (v >> 10);
        *w++ = (unsigned char) (v >> 2 & 0xff);
    }
    out->len += n;
    out->data[out->len] = '\0';
    *done = true;
    return LIBRO_OK;
}

libro_code
libro_jws__decode(libro_buf *out, const char *p, size_t len, const char *what, libro_error *err)
{
    char prefix[64];
    bool done = false;
    libro_code rc = decode_public(&done, out, p, len, err);
    int n;

    if (rc == LIBRO_OK && done) {
        return LIBRO_OK;
    }
    if (rc == LIBRO_OK) {
        rc = libro_b64url_decode(out, p, len, err); /* refuses, saying why */
    }
    if (rc == LIBRO_OK) {
        return LIBRO_OK;
    }
    n = snprintf(prefix, sizeof prefix, "jws: %s", what);
    if (n > 0 && (size_t) n < sizeof prefix) {
        (void) libro_error_prefix(err, prefix);
    }
    return rc;
}

static libro_code
header_string(char **out, const json_t *root, const char *name, size_t max, const char *label,
              libro_error *err)
{
    const json_t *v = json_object_get(root, name);

    if (v == NULL) {
        return LIBRO_OK;
    }
    if (!json_is_string(v)) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "jws: %s \"%s\" is not a string", label, name);
    }
    if (json_string_length(v) > max) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "jws: %s \"%s\" longer than %zu bytes", label,
                               name, max);
    }
    if (out == NULL) {
        return LIBRO_OK;
    }
    *out = libro_strndup(json_string_value(v), json_string_length(v));
    if (*out == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "jws: out of memory");
    }
    return LIBRO_OK;
}

static libro_code
header_policy(libro_jws__header *h, const json_t *root, const char *label, libro_error *err)
{
    const json_t *v = json_object_get(root, "alg");
    const char *alg;
    size_t alg_len;
    char shown[33];
    size_t i;
    libro_code rc;

    /* "alg" is required (RFC 7515 §4.1.1) and must name an algorithm we accept. */
    if (v == NULL) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "jws: %s lacks \"alg\"", label);
    }
    if (!json_is_string(v)) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "jws: %s \"alg\" is not a string", label);
    }
    alg = json_string_value(v);
    alg_len = json_string_length(v);
    for (i = 0; i < LIBRO_NELEM(accepted_algs); i++) {
        if (strlen(accepted_algs[i].name) == alg_len &&
            memcmp(accepted_algs[i].name, alg, alg_len) == 0) {
            h->alg = accepted_algs[i].alg;
            h->alg_name = accepted_algs[i].name;
            break;
        }
    }
    if (h->alg_name == NULL) {
        libro_jws__printable(shown, alg, alg_len);
        return libro_error_set(err, LIBRO_ERR_UNSUPPORTED, "jws: %s alg \"%.32s\" not accepted",
                               label, shown);
    }
    /* RFC 7515 §4.1.11: a recipient must reject a JWS whose "crit" names an extension it does
     * not understand. We understand none, and an empty list is invalid, so any crit fails. */
    if (json_object_get(root, "crit") != NULL) {
        return libro_error_set(err, LIBRO_ERR_UNSUPPORTED,
                               "jws: %s \"crit\" not accepted (no extension is understood)", label);
    }
    for (i = 0; i < LIBRO_NELEM(key_members); i++) {
        if (json_object_get(root, key_members[i]) != NULL) {
            return libro_error_set(err, LIBRO_ERR_UNSUPPORTED,
                                   "jws: %s key member \"%s\" not accepted", label, key_members[i]);
        }
    }
    /* RFC 7797 §3: "b64": false signs the payload unencoded. Only the default is supported; a
     * conforming producer would also list b64 in crit, which fails above. */
    v = json_object_get(root, "b64");
    if (v != NULL && !json_is_true(v)) {
        return libro_error_set(err, LIBRO_ERR_UNSUPPORTED,
                               "jws: %s \"b64\" other than true not accepted", label);
    }
    /* kid, typ and cty are strings (RFC 7515 §4.1.4, §4.1.9, §4.1.10). Other members are
     * ignored, as RFC 7515 §4 requires for parameters not understood. */
    rc = header_string(&h->kid, root, "kid", LIBRO_MAX_KID_BYTES, label, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    rc = header_string(&h->typ, root, "typ", LIBRO_MAX_HEADER_BYTES, label, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    return header_string(NULL, root, "cty", LIBRO_MAX_HEADER_BYTES, label, err);
}

/* ---- the plain header, read without a JSON tree ---------------------------------------------
 * Every verification reads one protected header, and a JSON tree for it cost as much as the
 * rest of the header's handling (bench_verify). libro's own headers, and most others, are a
 * flat object of string members; that shape is read here in one pass, and anything else goes
 * to the tree below, which decides with its own messages. */

/* One string value at p[*i] (after its opening quote): printable ASCII other than '"' and
 * '\\', so no escape and no UTF-8 question can arise; its bytes in [*v, *v + *n). */
static bool
plain_string(const unsigned char *p, size_t len, size_t *i, const unsigned char **v, size_t *n)
{
    size_t start = *i;

    while (*i < len && p[*i] != '"') {
        if (p[*i] < 0x20 || p[*i] > 0x7e || p[*i] == '\\') {
            return false;
        }
        (*i)++;
    }
    if (*i == len) {
        return false;
    }
    *v = p + start;
    *n = *i - start;
    (*i)++; /* the closing quote */
    return true;
}

/* The members the plain path reads; any other member sends the header to the tree. */
enum { PLAIN_ALG, PLAIN_KID, PLAIN_TYP, PLAIN_CTY, PLAIN_MEMBERS };
static const char *const plain_names[PLAIN_MEMBERS] = {"alg", "kid", "typ", "cty"};

/* p[0..len) as {"name":"value",...} with no whitespace, each name one of plain_names and
 * present at most once, each value a plain string: its values in v[] and n[] (v[k] NULL for
 * an absent member). False for anything else, which the tree then reads. */
static bool
plain_members(const unsigned char *p, size_t len, const unsigned char *v[PLAIN_MEMBERS],
              size_t n[PLAIN_MEMBERS])
{
    size_t i = 1;

    memset(v, 0, PLAIN_MEMBERS * sizeof v[0]);
    if (len < 2 || p[0] != '{' || p[len - 1] != '}') {
        return false;
    }
    if (len == 2) {
        return true;
    }
    for (;;) {
        const unsigned char *name;
        size_t name_len;
        size_t k;

        if (i >= len || p[i] != '"') {
            return false;
        }
        i++;
        if (!plain_string(p, len, &i, &name, &name_len)) {
            return false;
        }
        for (k = 0; k < PLAIN_MEMBERS; k++) {
            if (strlen(plain_names[k]) == name_len && memcmp(plain_names[k], name, name_len) == 0) {
                break;
            }
        }
        if (k == PLAIN_MEMBERS || v[k] != NULL || i + 1 >= len || p[i] != ':' || p[i + 1] != '"') {
            return false;
        }
        i += 2;
        if (!plain_string(p, len, &i, &v[k], &n[k])) {
            return false;
        }
        if (i == len - 1) {
            return true; /* at the closing brace */
        }
        if (p[i] != ',') {
            return false;
        }
        i++;
    }
}

libro_code
libro_jws__header_plain(libro_jws__header *out, bool *declined, const unsigned char *p, size_t len,
                        libro_error *err)
{
    libro_jws__header h = LIBRO_JWS__HEADER_INIT;
    const unsigned char *v[PLAIN_MEMBERS];
    size_t n[PLAIN_MEMBERS];
    size_t i;

    /* Declined unless everything below holds: the tree then refuses or accepts with its own
     * words, so this path never decides a refusal. */
    *declined = true;
    if (len > LIBRO_MAX_HEADER_BYTES || !plain_members(p, len, v, n) || v[PLAIN_ALG] == NULL ||
        (v[PLAIN_KID] != NULL && n[PLAIN_KID] > LIBRO_MAX_KID_BYTES)) {
        return LIBRO_OK;
    }
    for (i = 0; i < LIBRO_NELEM(accepted_algs); i++) {
        if (strlen(accepted_algs[i].name) == n[PLAIN_ALG] &&
            memcmp(accepted_algs[i].name, v[PLAIN_ALG], n[PLAIN_ALG]) == 0) {
            h.alg = accepted_algs[i].alg;
            h.alg_name = accepted_algs[i].name;
            break;
        }
    }
    if (h.alg_name == NULL) {
        return LIBRO_OK;
    }
    *declined = false;
    if (v[PLAIN_KID] != NULL) {
        h.kid = libro_strndup((const char *) v[PLAIN_KID], n[PLAIN_KID]);
    }
    if (v[PLAIN_TYP] != NULL) {
        h.typ = libro_strndup((const char *) v[PLAIN_TYP], n[PLAIN_TYP]);
    }
    if ((v[PLAIN_KID] != NULL && h.kid == NULL) || (v[PLAIN_TYP] != NULL && h.typ == NULL)) {
        libro_jws__header_free(&h);
        return libro_error_set(err, LIBRO_ERR_NOMEM, "jws: out of memory");
    }
    *out = h;
    return LIBRO_OK;
}

libro_code
libro_jws__header_check(libro_jws__header *out, const unsigned char *p, size_t len,
                        const char *label, libro_error *err)
{
    bool declined = true;
    libro_code rc = libro_jws__header_plain(out, &declined, p, len, err);

    if (rc != LIBRO_OK || !declined) {
        return rc;
    }
    return libro_jws__header_check_tree(out, p, len, label, err);
}

libro_code
libro_jws__header_check_tree(libro_jws__header *out, const unsigned char *p, size_t len,
                             const char *label, libro_error *err)
{
    static const libro_json_limits lim = {1, LIBRO_MAX_HEADER_BYTES, LIBRO_MAX_JSON_DEPTH};
    libro_jws__header h = LIBRO_JWS__HEADER_INIT;
    json_t *root = NULL;
    char prefix[64];
    libro_code rc;

    if (len > LIBRO_MAX_HEADER_BYTES) {
        rc = libro_error_set(err, LIBRO_ERR_LIMIT, "jws: %s larger than %u bytes", label,
                             LIBRO_MAX_HEADER_BYTES);
        goto out;
    }
    rc = libro_json__load(&root, (const char *) p, len, &lim, err);
    if (rc != LIBRO_OK) {
        int n = snprintf(prefix, sizeof prefix, "jws: %s", label);

        if (n > 0 && (size_t) n < sizeof prefix) {
            (void) libro_error_prefix(err, prefix);
        }
        libro_jws__one_line(err);
        goto out;
    }
    if (!json_is_object(root)) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "jws: %s is not a json object", label);
        goto out;
    }
    rc = header_policy(&h, root, label, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    *out = h;
    h = (libro_jws__header) LIBRO_JWS__HEADER_INIT; /* moved to caller */
out:
    libro_jws__header_free(&h);
    json_decref(root);
    return rc;
}

void
libro_jws__header_free(libro_jws__header *h)
{
    if (h == NULL) {
        return;
    }
    libro_free(h->kid);
    libro_free(h->typ);
    *h = (libro_jws__header) LIBRO_JWS__HEADER_INIT;
}

libro_code
libro_jws__alg_matches(const libro_jws__header *h, const libro_key *k, libro_error *err)
{
    libro_alg alg = libro_key_alg(k);
    const char *name;

    if (alg == h->alg) {
        return LIBRO_OK;
    }
    name = libro_alg_name(alg);
    return libro_error_set(err, LIBRO_ERR_UNSUPPORTED,
                           "jws: header alg %s does not match the key (%s)", h->alg_name,
                           name != NULL ? name : "unknown");
}

libro_code
libro_jws__verify_sig(const libro_jws__header *h, const libro_key *k, const unsigned char *si,
                      size_t si_len, const libro_buf *sig, libro_error *err)
{
    libro_code rc;

    /* Both algorithms have fixed-size signatures: raw r||s for ES256 (RFC 7518 §3.4, not DER)
     * and R||S for Ed25519 (RFC 8032 §5.1.6). */
    if (sig->len != LIBRO_SIGNATURE_BYTES) {
        return libro_error_set(err, LIBRO_ERR_BAD_SIGNATURE, "jws: signature is %zu bytes, want %u",
                               sig->len, LIBRO_SIGNATURE_BYTES);
    }
    rc = libro_key_verify(k, si, si_len, sig->data, sig->len, err);
    if (rc == LIBRO_ERR_BAD_SIGNATURE) {
        return libro_error_set(err, rc, "jws: signature does not verify (%s)", h->alg_name);
    }
    if (rc != LIBRO_OK) {
        (void) libro_error_prefix(err, "jws");
    }
    return rc;
}

/* What follows the decoding, for `jws` holding its payload and signature: the header policy
 * on the decoded header, the payload cap, and the signing input token[0..si_len). */
static libro_code
finish(libro_jws *jws, const unsigned char *header, size_t header_len, const char *token,
       size_t si_len, size_t max_payload, libro_error *err)
{
    libro_code rc = libro_jws__header_check(&jws->hdr, header, header_len, "header", err);

    if (rc != LIBRO_OK) {
        return rc;
    }
    if (jws->payload.len > max_payload) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "jws: payload larger than %zu bytes",
                               max_payload);
    }
    /* RFC 7515 §5.2 step 8: the signature covers the encoded text exactly as received. */
    return libro_buf_append(&jws->signing_input, token, si_len, err);
}

libro_code
libro_jws_parse(libro_jws **out, const char *token, size_t len, libro_error *err)
{
    return libro_jws_parse_ex(out, token, len, LIBRO_MAX_TOKEN_BYTES, LIBRO_MAX_CLAIMS_BYTES, err);
}

libro_code
libro_jws_parse_ex(libro_jws **out, const char *token, size_t len, size_t max_token,
                   size_t max_payload, libro_error *err)
{
    libro_buf header = LIBRO_BUF_INIT;
    libro_jws *jws = NULL;
    size_t dots[2] = {0, 0};
    size_t n_dots = 0;
    size_t i;
    libro_code rc;

    if (out == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "jws: NULL argument");
    }
    *out = NULL;
    if (token == NULL && len > 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "jws: NULL argument");
    }
    if (max_token == 0 || max_payload == 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "jws: a cap of 0 bytes");
    }
    if (len > max_token) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "jws: token larger than %zu bytes", max_token);
    }
    for (i = 0; i < len; i++) {
        if (token[i] == '.') {
            if (n_dots < 2) {
                dots[n_dots] = i;
            }
            n_dots++;
        }
    }
    /* RFC 7515 §7.1: header '.' payload '.' signature; five segments would be a JWE. */
    if (n_dots != 2) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "jws: expected 3 segments, found %zu",
                               n_dots + 1);
    }
    jws = libro_calloc(1, sizeof *jws);
    if (jws == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "jws: out of memory");
        goto out;
    }
    rc = libro_jws__decode(&header, token, dots[0], "header", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_jws__decode(&jws->payload, token + dots[0] + 1, dots[1] - dots[0] - 1, "payload",
                           err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_jws__decode(&jws->sig, token + dots[1] + 1, len - dots[1] - 1, "signature", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = finish(jws, header.data, header.len, token, dots[1], max_payload, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    *out = jws;
    jws = NULL; /* moved to caller */
out:
    libro_buf_free(&header);
    libro_jws_free(jws);
    return rc;
}

libro_code
libro_jws__from_decoded(libro_jws **out, const char *token, size_t len, size_t si_len,
                        const unsigned char *header, size_t header_len,
                        const unsigned char *payload, size_t payload_len, const unsigned char *sig,
                        size_t sig_len, size_t max_token, size_t max_payload, libro_error *err)
{
    libro_jws *jws = NULL;
    libro_code rc;

    *out = NULL;
    /* libro_jws_parse_ex's checks in its order, the decoding aside. */
    if (len > max_token) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "jws: token larger than %zu bytes", max_token);
    }
    jws = libro_calloc(1, sizeof *jws);
    if (jws == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "jws: out of memory");
        goto out;
    }
    rc = libro_buf_append(&jws->payload, payload, payload_len, err);
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(&jws->sig, sig, sig_len, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = finish(jws, header, header_len, token, si_len, max_payload, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    *out = jws;
    jws = NULL; /* moved to caller */
out:
    libro_jws_free(jws);
    return rc;
}

void
libro_jws_free(libro_jws *jws)
{
    if (jws == NULL) {
        return;
    }
    libro_jws__header_free(&jws->hdr);
    libro_buf_free(&jws->signing_input);
    libro_buf_free(&jws->payload);
    libro_buf_free(&jws->sig);
    libro_free(jws);
}

const char *
libro_jws_alg(const libro_jws *jws)
{
    return jws != NULL ? jws->hdr.alg_name : NULL;
}

const char *
libro_jws_kid(const libro_jws *jws)
{
    return jws != NULL ? jws->hdr.kid : NULL;
}

const char *
libro_jws_typ(const libro_jws *jws)
{
    return jws != NULL ? jws->hdr.typ : NULL;
}

libro_code
libro_jws_verify(libro_jws *jws, const libro_key *k, libro_error *err)
{
    libro_code rc;

    if (jws == NULL || k == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "jws: NULL argument");
    }
    jws->verified = false;
    rc = libro_jws__alg_matches(&jws->hdr, k, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    rc = libro_jws__verify_sig(&jws->hdr, k, jws->signing_input.data, jws->signing_input.len,
                               &jws->sig, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    jws->verified = true;
    return LIBRO_OK;
}

const unsigned char *
libro_jws_payload(const libro_jws *jws, size_t *len)
{
    if (len != NULL) {
        *len = 0;
    }
    if (jws == NULL || !jws->verified) {
        return NULL;
    }
    if (len != NULL) {
        *len = jws->payload.len;
    }
    /* Non-NULL even for an empty payload, so NULL always means "not verified". */
    return jws->payload.data != NULL ? jws->payload.data : (const unsigned char *) "";
}

static bool
ascii_ieq(const char *a, const char *b, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned char x = (unsigned char) a[i];
        unsigned char y = (unsigned char) b[i];

        if (x >= 'A' && x <= 'Z') {
            x = (unsigned char) (x - 'A' + 'a');
        }
        if (y >= 'A' && y <= 'Z') {
            y = (unsigned char) (y - 'A' + 'a');
        }
        if (x != y) {
            return false;
        }
    }
    return true;
}

/* RFC 7515 §4.1.9: a typ without '/' means "application/" + typ, and media types compare
 * case-insensitively (RFC 2045 §5.1), so "vc+jwt", "VC+JWT" and "application/vc+jwt" are
 * one type. */
static void
typ_canonical(const char *t, const char **p, size_t *len)
{
    static const char app[] = "application/";
    size_t n = strlen(t);
    size_t a = sizeof app - 1;

    *p = t;
    *len = n;
    if (n > a && ascii_ieq(t, app, a) && memchr(t + a, '/', n - a) == NULL) {
        *p = t + a;
        *len = n - a;
    }
}

bool
libro_jws_typ_is(const char *typ, const char *want)
{
    const char *g;
    const char *w;
    size_t g_len;
    size_t w_len;

    if (typ == NULL || want == NULL) {
        return false;
    }
    typ_canonical(typ, &g, &g_len);
    typ_canonical(want, &w, &w_len);
    return g_len == w_len && ascii_ieq(g, w, g_len);
}

static libro_code
typ_check(const char *got, const char *want, libro_error *err)
{
    char shown_got[33];
    char shown_want[33];

    libro_jws__printable(shown_want, want, strlen(want));
    if (got == NULL) {
        return libro_error_set(err, LIBRO_ERR_UNSUPPORTED, "jws: header lacks \"typ\" (want %s)",
                               shown_want);
    }
    if (libro_jws_typ_is(got, want)) {
        return LIBRO_OK;
    }
    libro_jws__printable(shown_got, got, strlen(got));
    return libro_error_set(err, LIBRO_ERR_UNSUPPORTED, "jws: typ \"%s\" is not %s", shown_got,
                           shown_want);
}

libro_code
libro_jws_verify_compact(libro_buf *payload, const char *token, size_t len, const libro_key *k,
                         const char *typ, libro_error *err)
{
    libro_jws *jws = NULL;
    libro_code rc;

    if (payload == NULL || k == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "jws: NULL argument");
    }
    rc = libro_jws_parse(&jws, token, len, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    /* style.md §8: alg pinned to the key, then typ, then the signature. */
    rc = libro_jws__alg_matches(&jws->hdr, k, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (typ != NULL) {
        rc = typ_check(jws->hdr.typ, typ, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
    }
    rc = libro_jws_verify(jws, k, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_buf_append(payload, jws->payload.data, jws->payload.len, err);
out:
    libro_jws_free(jws);
    return rc;
}

libro_code
libro_jws_unverified_payload(libro_buf *out, const char *token, size_t len, libro_error *err)
{
    const char *p1 = token == NULL ? NULL : memchr(token, '.', len);
    const char *p2 = p1 == NULL ? NULL : memchr(p1 + 1, '.', len - (size_t) (p1 + 1 - token));

    if (out == NULL || p2 == NULL) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "jws: expected 3 segments");
    }
    return libro_b64url_decode(out, p1 + 1, (size_t) (p2 - (p1 + 1)), err);
}
