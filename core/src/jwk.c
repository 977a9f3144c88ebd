/* libro: public JWKs (RFC 7517, RFC 7518 §6.2 for EC, RFC 8037 §2 for OKP) and RFC 7638
 * thumbprints. Only public keys: a JWK carrying "d" is refused, since secrets never pass
 * through jansson here (its free hook cannot wipe). */
#include <string.h>

#include "crypto_int.h"
#include "libro/crypto.h"
#include "libro/encoding.h"
#include "libro/json_int.h"
#include "libro/jwk_int.h"
#include "libro/key.h"
#include "libro/limits.h"
#include "libro/util.h"

#define COORD_BYTES 32u /* Ed25519 x, P-256 x and y (RFC 7518 §6.2.1.2: full length) */

static libro_code
load_object(json_t **root, const char *json, size_t len, size_t max, unsigned depth,
            libro_error *err)
{
    const libro_json_limits lim = {1, max, depth};
    libro_code rc;

    if (json == NULL && len > 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "jwk: NULL input");
    }
    rc = libro_json__load(root, json, len, &lim, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "jwk");
        return rc;
    }
    if (!json_is_object(*root)) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "jwk: not a JSON object");
    }
    return LIBRO_OK;
}

/* Decode one base64url coordinate, which must be exactly COORD_BYTES long. */
static libro_code
coord(libro_buf *out, const char *name, const char *text, libro_error *err)
{
    size_t before = out->len;
    libro_code rc = libro_b64url_decode(out, text, strlen(text), err);

    if (rc != LIBRO_OK) {
        libro_error_prefix(err, name);
        libro_error_prefix(err, "jwk");
        return rc;
    }
    if (out->len - before != COORD_BYTES) {
        return libro_error_set(err, LIBRO_ERR_BAD_KEY, "jwk: \"%s\" must be %u bytes, not %zu",
                               name, COORD_BYTES, out->len - before);
    }
    return LIBRO_OK;
}

/* RFC 7517 §4 lets a JWK carry other members; we refuse them so that a key is never taken
 * with parameters we silently ignored (x5c, x5u, jku: a key is trusted by its bytes only). */
static libro_code
check_members(json_t *root, bool ec, libro_error *err)
{
    static const char *const allowed[] = {"kty", "crv", "x", "y", "alg", "use", "kid", "key_ops"};
    const char *name;
    json_t *v;
    char shown[65];
    size_t i;

    json_object_foreach(root, name, v)
    {
        for (i = 0; i < LIBRO_NELEM(allowed); i++) {
            if (strcmp(name, allowed[i]) == 0 && (ec || strcmp(name, "y") != 0)) {
                break;
            }
        }
        if (i == LIBRO_NELEM(allowed)) {
            return libro_error_set(err, LIBRO_ERR_PARSE, "jwk: unexpected member \"%s\"",
                                   libro_key__shown(shown, name, strlen(name)));
        }
    }
    return LIBRO_OK;
}

static bool
alg_matches(libro_alg alg, const char *name)
{
    if (alg == LIBRO_ALG_ED25519) {
        /* "EdDSA" (RFC 8037 §3.1) or the fully specified "Ed25519" (RFC 9864). */
        return strcmp(name, "EdDSA") == 0 || strcmp(name, "Ed25519") == 0;
    }
    return strcmp(name, "ES256") == 0;
}

libro_code
libro_key_from_jwk(libro_key **out, const char *json, size_t len, libro_error *err)
{
    json_t *root = NULL;
    json_t *kty_v;
    json_t *ops = NULL;
    json_error_t jerr;
    const char *kty = NULL;
    const char *crv = NULL;
    const char *x = NULL;
    const char *y = NULL;
    const char *alg_name = NULL;
    const char *use = NULL;
    const char *kid = NULL;
    char shown[65];
    libro_buf raw = LIBRO_BUF_INIT;
    libro_alg alg;
    bool ec;
    size_t i;
    int r;
    libro_code rc;

    if (out == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "jwk: out is NULL");
    }
    *out = NULL;
    /* Depth 2: the object and its "key_ops" array. */
    rc = load_object(&root, json, len, LIBRO_MAX_JWK_BYTES, 2, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (json_object_get(root, "d") != NULL) {
        rc =
            libro_error_set(err, LIBRO_ERR_UNSUPPORTED,
                            "jwk: private key member \"d\" refused (secrets never travel as JSON)");
        goto out;
    }
    kty_v = json_object_get(root, "kty");
    if (!json_is_string(kty_v)) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "jwk: \"kty\" missing or not a string");
        goto out;
    }
    kty = json_string_value(kty_v);
    if (strcmp(kty, "OKP") != 0 && strcmp(kty, "EC") != 0) {
        rc = libro_error_set(err, LIBRO_ERR_UNSUPPORTED,
                             "jwk: unsupported kty \"%s\" (want OKP or EC)",
                             libro_key__shown(shown, kty, strlen(kty)));
        goto out;
    }
    ec = strcmp(kty, "EC") == 0;
    rc = check_members(root, ec, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    /* One strict unpack: every member of the right type, and (again) no others. */
    if (ec) {
        r = json_unpack_ex(root, &jerr, JSON_STRICT, "{s:s, s:s, s:s, s:s, s?s, s?s, s?s, s?o}",
                           "kty", &kty, "crv", &crv, "x", &x, "y", &y, "alg", &alg_name, "use",
                           &use, "kid", &kid, "key_ops", &ops);
    } else {
        r = json_unpack_ex(root, &jerr, JSON_STRICT, "{s:s, s:s, s:s, s?s, s?s, s?s, s?o}", "kty",
                           &kty, "crv", &crv, "x", &x, "alg", &alg_name, "use", &use, "kid", &kid,
                           "key_ops", &ops);
    }
    if (r != 0) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "jwk: %.100s", jerr.text);
        goto out;
    }
    if (!ec && strcmp(crv, "Ed25519") == 0) {
        alg = LIBRO_ALG_ED25519;
    } else if (ec && strcmp(crv, "P-256") == 0) {
        alg = LIBRO_ALG_ES256;
    } else {
        rc = libro_error_set(err, LIBRO_ERR_UNSUPPORTED, "jwk: unsupported curve \"%s\" for %s",
                             libro_key__shown(shown, crv, strlen(crv)), kty);
        goto out;
    }
    if (alg_name != NULL && !alg_matches(alg, alg_name)) {
        rc = libro_error_set(err, LIBRO_ERR_BAD_KEY, "jwk: alg \"%s\" does not match curve %s",
                             libro_key__shown(shown, alg_name, strlen(alg_name)), crv);
        goto out;
    }
    if (use != NULL && strcmp(use, "sig") != 0) {
        rc = libro_error_set(err, LIBRO_ERR_BAD_KEY, "jwk: use \"%s\" is not \"sig\"",
                             libro_key__shown(shown, use, strlen(use)));
        goto out;
    }
    if (ops != NULL) {
        if (!json_is_array(ops)) {
            rc = libro_error_set(err, LIBRO_ERR_PARSE, "jwk: \"key_ops\" is not an array");
            goto out;
        }
        bool verify = false;

        for (i = 0; i < json_array_size(ops); i++) {
            const json_t *op = json_array_get(ops, i);

            if (!json_is_string(op)) {
                rc = libro_error_set(err, LIBRO_ERR_PARSE, "jwk: \"key_ops\" holds a non-string");
                goto out;
            }
            verify = verify || strcmp(json_string_value(op), "verify") == 0;
        }
        /* RFC 7517 §4.3: a key restricted to other operations must not verify signatures
         * (Wycheproof: rejectWrongKeyOps). */
        if (!verify) {
            rc = libro_error_set(err, LIBRO_ERR_BAD_KEY,
                                 "jwk: \"key_ops\" does not allow \"verify\"");
            goto out;
        }
    }
    if (ec) {
        /* SEC1 uncompressed point: 0x04 || x || y. */
        rc = libro_buf_append(&raw, "\x04", 1, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
    }
    rc = coord(&raw, "x", x, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (ec) {
        rc = coord(&raw, "y", y, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
    }
    rc = libro_key_from_raw_public(out, alg, raw.data, raw.len, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "jwk");
    }
out:
    libro_buf_free(&raw);
    json_decref(root);
    return rc;
}

/* Append the base64url coordinates of k: x (Ed25519), or x and y (P-256), each NUL-separated
 * inside `b`; returns their offsets. */
static libro_code
coords_b64(libro_buf *b, size_t *x_off, size_t *y_off, const libro_key *k, libro_error *err)
{
    libro_buf raw = LIBRO_BUF_INIT;
    const unsigned char *p;
    libro_code rc;

    rc = libro_key_raw_public(&raw, k, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    p = raw.data;
    if (libro_key_alg(k) == LIBRO_ALG_ES256) {
        p++; /* skip 0x04 */
    }
    *x_off = b->len;
    rc = libro_b64url_encode(b, p, COORD_BYTES, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_buf_append(b, "", 1, err); /* NUL between the two */
    if (rc != LIBRO_OK) {
        goto out;
    }
    *y_off = b->len;
    if (libro_key_alg(k) == LIBRO_ALG_ES256) {
        rc = libro_b64url_encode(b, p + COORD_BYTES, COORD_BYTES, err);
    }
out:
    libro_buf_free(&raw);
    return rc;
}

static libro_code
set_str(json_t *obj, const char *name, const char *value, libro_error *err)
{
    json_t *v = json_string(value);

    if (v == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "jwk: \"%s\" is not valid UTF-8 or out of memory", name);
    }
    if (json_object_set_new(obj, name, v) != 0) { /* steals v, even on failure */
        return libro_error_set(err, LIBRO_ERR_NOMEM, "jwk: out of memory");
    }
    return LIBRO_OK;
}

libro_code
libro_key_to_jwk(libro_buf *out, const libro_key *k, const char *kid, libro_error *err)
{
    libro_buf c = LIBRO_BUF_INIT;
    size_t x_off = 0;
    size_t y_off = 0;
    json_t *obj = NULL;
    bool ec;
    libro_code rc;

    if (out == NULL || k == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "jwk: NULL argument");
    }
    if (kid != NULL && strlen(kid) > LIBRO_MAX_KID_BYTES) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "jwk: kid longer than %u bytes",
                               LIBRO_MAX_KID_BYTES);
    }
    ec = libro_key_alg(k) == LIBRO_ALG_ES256;
    rc = coords_b64(&c, &x_off, &y_off, k, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    obj = json_object();
    if (obj == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "jwk: out of memory");
        goto out;
    }
    /* Inserted in lexicographic order; the dump keeps insertion order. */
    rc = set_str(obj, "alg", libro_alg_jose_name(libro_key_alg(k)), err);
    if (rc == LIBRO_OK) {
        rc = set_str(obj, "crv", ec ? "P-256" : "Ed25519", err);
    }
    if (rc == LIBRO_OK && kid != NULL) {
        rc = set_str(obj, "kid", kid, err);
    }
    if (rc == LIBRO_OK) {
        rc = set_str(obj, "kty", ec ? "EC" : "OKP", err);
    }
    if (rc == LIBRO_OK) {
        rc = set_str(obj, "x", (const char *) c.data + x_off, err);
    }
    if (rc == LIBRO_OK && ec) {
        rc = set_str(obj, "y", (const char *) c.data + y_off, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_json__dump(out, obj, err);
out:
    json_decref(obj);
    libro_buf_free(&c);
    return rc;
}

/* SHA-256 of the canonical member text, base64url (RFC 7638 §3.1 steps 2-3). */
static libro_code
finish_thumbprint(char out[LIBRO_THUMBPRINT_LEN + 1], const libro_buf *canon, libro_error *err)
{
    unsigned char digest[32];
    libro_buf b64 = LIBRO_BUF_INIT;
    libro_code rc;

    rc = libro_sha256(digest, canon->data, canon->len, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_b64url_encode(&b64, digest, sizeof digest, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (b64.len != LIBRO_THUMBPRINT_LEN) {
        rc = libro_error_set(err, LIBRO_ERR_CRYPTO, "thumbprint: unexpected length %zu", b64.len);
        goto out;
    }
    memcpy(out, b64.data, LIBRO_THUMBPRINT_LEN);
    out[LIBRO_THUMBPRINT_LEN] = '\0';
out:
    libro_buf_free(&b64);
    return rc;
}

libro_code
libro_key_thumbprint(char out[LIBRO_THUMBPRINT_LEN + 1], const libro_key *k, libro_error *err)
{
    libro_buf c = LIBRO_BUF_INIT;
    libro_buf canon = LIBRO_BUF_INIT;
    size_t x_off = 0;
    size_t y_off = 0;
    libro_code rc;

    if (out == NULL || k == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "thumbprint: NULL argument");
    }
    rc = coords_b64(&c, &x_off, &y_off, k, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    /* RFC 7638 §3.2: only the required members, in lexicographic order, no whitespace.
     * base64url text needs no escaping. */
    if (libro_key_alg(k) == LIBRO_ALG_ES256) {
        rc = libro_buf_printf(&canon, err,
                              "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}",
                              (const char *) c.data + x_off, (const char *) c.data + y_off);
    } else {
        rc = libro_buf_printf(&canon, err, "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"%s\"}",
                              (const char *) c.data + x_off);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = finish_thumbprint(out, &canon, err);
out:
    libro_buf_free(&canon);
    libro_buf_free(&c);
    return rc;
}

libro_code
libro_jwk__thumbprint_json(char out[LIBRO_THUMBPRINT_LEN + 1], const char *jwk, size_t len,
                           libro_error *err)
{
    /* RFC 7638 §3.2, required members per kty, already in lexicographic order. */
    static const struct {
        const char *kty;
        const char *members[4];
    } required[] = {
        {"EC", {"crv", "kty", "x", "y"}},
        {"OKP", {"crv", "kty", "x", NULL}},
        {"RSA", {"e", "kty", "n", NULL}},
        {"oct", {"k", "kty", NULL, NULL}},
    };
    json_t *root = NULL;
    json_t *canon = NULL;
    json_t *kty_v;
    libro_buf text = LIBRO_BUF_INIT;
    const char *kty;
    char shown[65];
    size_t t;
    size_t m;
    libro_code rc;

    if (out == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "thumbprint: NULL argument");
    }
    /* Depth 4 allows RSA "oth" and "x5c" arrays of objects; they are ignored. */
    rc = load_object(&root, jwk, len, LIBRO_MAX_KEY_FILE_BYTES, 4, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    kty_v = json_object_get(root, "kty");
    if (!json_is_string(kty_v)) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "jwk: \"kty\" missing or not a string");
        goto out;
    }
    kty = json_string_value(kty_v);
    for (t = 0; t < LIBRO_NELEM(required); t++) {
        if (strcmp(kty, required[t].kty) == 0) {
            break;
        }
    }
    if (t == LIBRO_NELEM(required)) {
        rc = libro_error_set(err, LIBRO_ERR_UNSUPPORTED, "jwk: unknown kty \"%s\"",
                             libro_key__shown(shown, kty, strlen(kty)));
        goto out;
    }
    canon = json_object();
    if (canon == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "jwk: out of memory");
        goto out;
    }
    for (m = 0; m < LIBRO_NELEM(required[t].members) && required[t].members[m] != NULL; m++) {
        const char *name = required[t].members[m];
        json_t *v = json_object_get(root, name);

        if (!json_is_string(v)) {
            rc = libro_error_set(err, LIBRO_ERR_PARSE,
                                 "jwk: required member \"%s\" missing or not a string", name);
            goto out;
        }
        if (json_object_set(canon, name, v) != 0) {
            rc = libro_error_set(err, LIBRO_ERR_NOMEM, "jwk: out of memory");
            goto out;
        }
    }
    /* Compact, insertion (= lexicographic) order, UTF-8 unescaped: RFC 7638 §3.3. */
    rc = libro_json__dump(&text, canon, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = finish_thumbprint(out, &text, err);
out:
    libro_buf_free(&text);
    json_decref(canon);
    json_decref(root);
    return rc;
}
