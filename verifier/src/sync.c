/* libro_trust_sync: fetch a registry's trust bundle and bring the trust store up to date
 * (docs/formats.md "Trust bundle"). Nothing in a bundle is believed for being
 * there: its signature must verify with the key of the registry's own authorization, that
 * authorization must chain to a pinned anchor, its checkpoint must be signed by the same key
 * and extend (by a consistency proof the registry serves) the one synced before, and each
 * status list goes through the store's own rollback rules. What was synced is remembered in
 * sync/<sha256 hex of the URL>.json, written atomically. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "libro/api.h"
#include "libro/checkpoint.h"
#include "libro/crypto.h"
#include "libro/encoding.h"
#include "libro/file.h"
#include "libro/http.h"
#include "libro/json_int.h"
#include "libro/jws.h"
#include "libro/time.h"
#include "libro/util.h"
#include "sync_int.h"
#include "verify_int.h"

#define STATE_MAX_BYTES (16u * 1024u)
#define PROOF_MAX_BYTES (16u * 1024u)
/* How far a bundle may be dated ahead of the verifier's clock (the verifier's default skew). */
#define LIBRO_SYNC_SKEW_SECONDS 300

static libro_code
state_path(libro_buf *out, const libro_trust *t, const char *url, libro_error *err)
{
    unsigned char d[32];
    libro_buf hex = LIBRO_BUF_INIT;
    libro_code rc = libro_sha256(d, url, strlen(url), err);

    if (rc == LIBRO_OK) {
        rc = libro_hex_encode(&hex, d, sizeof d, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(out, err, "%s/sync", t->dir);
    }
    if (rc == LIBRO_OK && mkdir((const char *) out->data, 0700) != 0 && errno != EEXIST) {
        rc = libro_error_set(err, LIBRO_ERR_IO, "cannot create %.120s", out->data);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(out, err, "/%s.json", (const char *) hex.data);
    }
    libro_buf_free(&hex);
    return rc;
}

/* The tree the last accepted checkpoint named. The state file lives in the trust store,
 * whose anchors already decide everything, so what it records is taken as it stands: the
 * checkpoint was verified when it was accepted, and a registry that later changes its key
 * is still held to the tree it published before. */
static libro_code
state_log(libro_sync__state *st, const json_t *root, const char *path, libro_error *err)
{
    json_t *size = json_object_get(root, "size");
    const char *hash = json_string_value(json_object_get(root, "root"));
    libro_buf raw = LIBRO_BUF_INIT;
    libro_code rc = LIBRO_OK;

    if (size == NULL && hash == NULL) {
        return LIBRO_OK;
    }
    if (!json_is_integer(size) || json_integer_value(size) < 0 || hash == NULL ||
        libro_b64std_decode(&raw, hash, strlen(hash), NULL) != LIBRO_OK ||
        raw.len != LIBRO_MERKLE_HASH_BYTES) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "sync state %.120s is damaged: remove it", path);
    } else {
        st->has_log = true;
        st->size = (uint64_t) json_integer_value(size);
        memcpy(st->root.bytes, raw.data, LIBRO_MERKLE_HASH_BYTES);
    }
    libro_buf_free(&raw);
    return rc;
}

/* Read the state of the last sync; an absent file is a first sync. */
static libro_code
state_read(libro_sync__state *st, const char *path, libro_error *err)
{
    libro_buf text = LIBRO_BUF_INIT;
    libro_json_limits lim = LIBRO_JSON_LIMITS_INIT;
    json_t *root = NULL;
    const char *etag;
    const char *issued;
    libro_code rc;

    memset(st, 0, sizeof *st);
    rc = libro_file_read(&text, path, STATE_MAX_BYTES, true, err);
    if (rc == LIBRO_ERR_NOT_FOUND) {
        libro_error_clear(err);
        return LIBRO_OK;
    }
    if (rc == LIBRO_OK) {
        rc = libro_json__load(&root, (const char *) text.data, text.len, &lim, err);
    }
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "sync state");
        goto out;
    }
    etag = json_string_value(json_object_get(root, "etag"));
    issued = json_string_value(json_object_get(root, "issued"));
    if (etag == NULL || strlen(etag) >= sizeof st->etag || issued == NULL ||
        libro_time_parse_ms(&st->issued_ms, issued, strlen(issued), err) != LIBRO_OK) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "sync state %.120s is damaged: remove it", path);
        goto out;
    }
    memcpy(st->etag, etag, strlen(etag) + 1);
    rc = state_log(st, root, path, err);
out:
    json_decref(root);
    libro_buf_free(&text);
    return rc;
}

static libro_code
state_write(const char *path, const char *etag, int64_t issued_ms, const libro_checkpoint *cp,
            const char *checkpoint, libro_error *err)
{
    char when[LIBRO_TIME_MS_TEXT_MAX];
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf hash = LIBRO_BUF_INIT;
    json_t *root = NULL;
    libro_code rc = libro_time_format_ms(when, issued_ms, err);

    if (rc == LIBRO_OK) {
        rc = libro_b64std_encode(&hash, cp->root.bytes, sizeof cp->root.bytes, err);
    }
    if (rc != LIBRO_OK) {
        libro_buf_free(&hash);
        return rc;
    }
    root = json_pack("{s:s, s:s, s:I, s:s, s:s}", "etag", etag == NULL ? "" : etag, "issued", when,
                     "size", (json_int_t) cp->size, "root", (const char *) hash.data, "checkpoint",
                     checkpoint);
    libro_buf_free(&hash);
    rc = root == NULL ? libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory")
                      : libro_json__dump(&text, root, err);
    if (rc == LIBRO_OK) {
        rc = libro_file_write_atomic(path, text.data, text.len, 0600, err);
    }
    json_decref(root);
    libro_buf_free(&text);
    return rc;
}

/* ---- fetching ------------------------------------------------------------------------------ */

static libro_code
fetch(libro_http_response *resp, const char *url, const char *etag, size_t max,
      const libro_sync_options *opt, libro_error *err)
{
    libro_http_request req = LIBRO_HTTP_REQUEST_INIT;

    req.url = url;
    req.if_none_match = etag != NULL && etag[0] != '\0' ? etag : NULL;
    req.max_response_bytes = max;
    req.ca_file = opt != NULL ? opt->ca_file : NULL;
    return libro_http_fetch(resp, &req, err);
}

/* Check that the tree of `old` is a prefix of the tree of `cur`, with the proof the registry
 * serves (RFC 9162 consistency), fetched with `get`. */
static libro_code
check_consistency(const char *base, const libro_checkpoint *old, const libro_checkpoint *cur,
                  libro_sync__fetch_fn get, const libro_sync_options *opt, libro_error *err)
{
    libro_http_response resp = LIBRO_HTTP_RESPONSE_INIT;
    libro_json_limits lim = LIBRO_JSON_LIMITS_INIT;
    libro_merkle_hash proof[LIBRO_MERKLE_MAX_PROOF];
    libro_buf url = LIBRO_BUF_INIT;
    json_t *root = NULL;
    json_t *arr;
    size_t n = 0;
    libro_code rc;

    if (cur->size < old->size) {
        return libro_error_set(err, LIBRO_ERR_ROLLBACK,
                               "the registry's log has %llu leaves, fewer than the %llu "
                               "synced before",
                               (unsigned long long) cur->size, (unsigned long long) old->size);
    }
    if (cur->size == old->size) {
        return libro_merkle_verify_consistency(old->size, cur->size, &old->root, &cur->root, NULL,
                                               0, err);
    }
    rc = libro_buf_printf(&url, err, "%s/v1/log/consistency/%llu/%llu", base,
                          (unsigned long long) old->size, (unsigned long long) cur->size);
    if (rc == LIBRO_OK) {
        rc = get(&resp, (const char *) url.data, NULL, PROOF_MAX_BYTES, opt, err);
    }
    if (rc == LIBRO_OK && resp.status != 200) {
        rc = libro_error_set(err, LIBRO_ERR_NETWORK, "consistency proof: HTTP %ld", resp.status);
    }
    if (rc == LIBRO_OK) {
        rc = libro_json__load(&root, (const char *) resp.body.data, resp.body.len, &lim, err);
    }
    arr = rc == LIBRO_OK ? json_object_get(root, "proof") : NULL;
    if (rc == LIBRO_OK && (!json_is_array(arr) || json_array_size(arr) > LIBRO_MERKLE_MAX_PROOF)) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "malformed consistency proof");
    }
    for (size_t i = 0; rc == LIBRO_OK && i < json_array_size(arr); i++) {
        const char *h = json_string_value(json_array_get(arr, i));
        libro_buf raw = LIBRO_BUF_INIT;

        rc = h == NULL ? libro_error_set(err, LIBRO_ERR_PARSE, "malformed consistency proof")
                       : libro_b64std_decode(&raw, h, strlen(h), err);
        if (rc == LIBRO_OK && raw.len != LIBRO_MERKLE_HASH_BYTES) {
            rc = libro_error_set(err, LIBRO_ERR_PARSE, "a proof hash is not 32 bytes");
        }
        if (rc == LIBRO_OK) {
            memcpy(proof[n++].bytes, raw.data, LIBRO_MERKLE_HASH_BYTES);
        }
        libro_buf_free(&raw);
    }
    if (rc == LIBRO_OK) {
        rc = libro_merkle_verify_consistency(old->size, cur->size, &old->root, &cur->root, proof, n,
                                             err);
    }
    json_decref(root);
    libro_buf_free(&url);
    libro_http_response_clear(&resp);
    return rc;
}

/* ---- the bundle ---------------------------------------------------------------------------- */

static bool
strings_only(const json_t *a)
{
    if (!json_is_array(a)) {
        return false;
    }
    for (size_t i = 0; i < json_array_size(a); i++) {
        if (!json_is_string(json_array_get(a, i))) {
            return false;
        }
    }
    return true;
}

/* The payload's form (its signature is checked next, with a key it names). */
static libro_code
bundle_parse(libro_sync__bundle *b, const char *token, size_t len, libro_error *err)
{
    libro_json_limits lim = LIBRO_JSON_LIMITS_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    const char *issued;
    libro_code rc;

    memset(b, 0, sizeof *b);
    rc = libro_jws_unverified_payload(&payload, token, len, err);
    lim.max_bytes = LIBRO_MAX_BUNDLE_PAYLOAD_BYTES;
    lim.max_depth = 4;
    if (rc == LIBRO_OK) {
        rc = libro_json__load(&b->root, (const char *) payload.data, payload.len, &lim, err);
    }
    libro_buf_free(&payload);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "bundle");
        return rc;
    }
    b->registry = json_string_value(json_object_get(b->root, "registry"));
    b->url = json_string_value(json_object_get(b->root, "url"));
    issued = json_string_value(json_object_get(b->root, "issued"));
    b->chain = json_object_get(b->root, "chain");
    b->members = json_object_get(b->root, "members");
    b->authorizations = json_object_get(b->root, "authorizations");
    b->lists = json_object_get(b->root, "statusLists");
    b->checkpoint = json_string_value(json_object_get(b->root, "checkpoint"));
    b->agreements = json_object_get(b->root, "agreements");
    b->laws = json_object_get(b->root, "laws");
    /* `members`, `agreements` and `laws` came later, each absent when empty: a bundle without
     * them is an older form, and still syncs. */
    if (json_object_size(b->root) !=
            8u + (b->members != NULL) + (b->agreements != NULL) + (b->laws != NULL) ||
        !json_is_string(json_object_get(b->root, "type")) ||
        strcmp(json_string_value(json_object_get(b->root, "type")), "LibroTrustBundle") != 0 ||
        b->registry == NULL || b->url == NULL || issued == NULL || b->checkpoint == NULL ||
        !strings_only(b->chain) || (b->members != NULL && !strings_only(b->members)) ||
        !strings_only(b->authorizations) || !strings_only(b->lists)) {
        return libro_error_set(err, LIBRO_ERR_PARSE,
                               "bundle: not a LibroTrustBundle (docs/formats.md)");
    }
    /* The index of agreements and laws is checked with the rest, before the store is
     * touched. */
    rc = libro_index__check(b->agreements, false, "agreements", err);
    if (rc == LIBRO_OK) {
        rc = libro_index__check(b->laws, true, "laws", err);
    }
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "bundle");
        return rc;
    }
    /* To the millisecond: two bundles of one second are still ordered (docs/formats.md). */
    rc = libro_time_parse_ms(&b->issued_ms, issued, strlen(issued), err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "bundle: issued");
    }
    return rc;
}

/* The credential a bundle member carries, read without its signature (NULL when it does not
 * parse): to find the registry's key, or to leave anchors out. */
static libro_credential *
unverified_credential(const char *jws)
{
    libro_credential *c = NULL;

    return libro_credential_parse_unverified(&c, jws, strlen(jws), NULL) == LIBRO_OK ? c : NULL;
}

/* The registry's own authorization among the bundle's: subject `id`, key thumbprint `tp`. */
static libro_code
registry_authorization(libro_credential **out, const libro_sync__bundle *b, const char *id,
                       const char *tp, libro_error *err)
{
    for (size_t i = 0; i < json_array_size(b->authorizations); i++) {
        libro_credential *c =
            unverified_credential(json_string_value(json_array_get(b->authorizations, i)));
        char have[LIBRO_THUMBPRINT_LEN + 1];

        if (c != NULL && c->type == LIBRO_CRED_REGISTRY_AUTH && strcmp(c->subject_id, id) == 0 &&
            libro_key_thumbprint(have, c->subject_key, NULL) == LIBRO_OK && strcmp(have, tp) == 0) {
            *out = c;
            return LIBRO_OK;
        }
        libro_credential_free(c);
    }
    return libro_error_set(err, LIBRO_ERR_UNTRUSTED,
                           "bundle: it carries no authorization of the key that signed it");
}

/* Whether `jws` is a self-chartered CommunityCharter: an anchor, which only the verifier's
 * own out-of-band decision pins (libro trust add --anchor), never a bundle. */
static bool
is_self_charter(const char *jws)
{
    libro_credential *c = unverified_credential(jws);
    bool self = c != NULL && c->type == LIBRO_CRED_CHARTER && strcmp(c->issuer, c->subject_id) == 0;

    libro_credential_free(c);
    return self;
}

static libro_code
add_all(libro_trust *t, const json_t *a, const char *what, libro_error *err)
{
    for (size_t i = 0; i < json_array_size(a); i++) {
        const char *jws = json_string_value(json_array_get(a, i));
        libro_code rc;

        if (is_self_charter(jws)) {
            continue;
        }
        rc = libro_trust_add(t, jws, strlen(jws), err);

        if (rc == LIBRO_ERR_DENIED && strcmp(what, "status list") == 0) {
            /* The store keeps a list only when it is newer and revokes nothing back. */
            return libro_error_set(err, LIBRO_ERR_ROLLBACK,
                                   "the bundle's status list is older than the one held");
        }
        if (rc != LIBRO_OK) {
            libro_error_prefix(err, what);
            return rc;
        }
    }
    return LIBRO_OK;
}

/* The bundle's member communities' charters (the seats of the registry's roundtable), each
 * checked before it is kept: issued by the registry's own community, `community`, with a
 * signature by that community's key and a chain from it to a pinned anchor now, as a
 * license's would be. A registry that signs a bundle with a member that does not pass is
 * refused as a whole, as for any other part of its bundle. */
static libro_code
add_members(libro_trust *t, const json_t *members, const char *community, int64_t now,
            libro_error *err)
{
    libro_verify_options vo = LIBRO_VERIFY_OPTIONS_INIT(now);
    libro_chain__result res;
    libro_code rc = LIBRO_OK;

    memset(&res, 0, sizeof res);
    for (size_t i = 0; rc == LIBRO_OK && i < json_array_size(members); i++) {
        const char *jws = json_string_value(json_array_get(members, i));

        rc = libro_chain__walk_member(&res, t, jws, strlen(jws), community, &vo, err);
        if (rc == LIBRO_OK && res.outcome != LIBRO_VALID) {
            rc = libro_error_set(err, LIBRO_ERR_UNTRUSTED, "member %zu: %.200s", i + 1, res.reason);
        }
        libro_chain__result_free(&res);
        if (rc == LIBRO_OK) {
            rc = libro_trust_add(t, jws, strlen(jws), err);
            if (rc != LIBRO_OK) {
                libro_error_prefix(err, "member");
            }
        }
    }
    return rc;
}

libro_code
libro_trust__registry_trusted(libro_trust *t, const char *community, const char *id, const char *tp,
                              int64_t now, libro_error *err)
{
    libro_verify_options vo = LIBRO_VERIFY_OPTIONS_INIT(now);
    libro_chain__result res;
    libro_status_list probe = {0};
    libro_code rc;

    memset(&res, 0, sizeof res);
    probe.issuer = libro_strndup(id, strlen(id)); /* the walk names the list's issuer */
    probe.valid_from = now;
    probe.valid_until = now;
    rc = probe.issuer == NULL ? libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory")
                              : libro_trust__memo_reset(t, err);
    if (rc == LIBRO_OK) {
        rc = libro_chain__walk_registry(&res, t, &probe, community, id, tp, &vo, err);
    }
    if (rc == LIBRO_OK && res.outcome != LIBRO_VALID) {
        rc = libro_error_set(err, LIBRO_ERR_UNTRUSTED, "the registry is not trusted: %.160s",
                             res.reason);
    }
    libro_chain__result_free(&res);
    libro_free(probe.issuer);
    return rc;
}

void
libro_sync__checked_clear(libro_sync__checked *c)
{
    if (c != NULL) {
        libro_checkpoint_clear(&c->cur);
        libro_credential_free(c->auth);
        libro_jws_free(c->jws);
        json_decref(c->b.root);
        memset(c, 0, sizeof *c);
    }
}

libro_code
libro_sync__check_bundle(libro_sync__checked *out, const char *token, size_t token_len,
                         const char *base, const libro_sync__state *st, int64_t now_ms,
                         libro_sync__fetch_fn get, const libro_sync_options *opt, libro_error *err)
{
    libro_jws *jws = NULL;
    libro_credential *auth = NULL;
    libro_checkpoint cur = {0};
    libro_checkpoint old = {0};
    libro_sync__bundle b;
    const char *tp = NULL;
    size_t id_len = 0;
    libro_code rc;

    memset(&b, 0, sizeof b);
    memset(out, 0, sizeof *out);
    /* 1. The form, then the signature with the key of the registry's own authorization. */
    rc = libro_jws_parse_ex(&jws, token, token_len, LIBRO_MAX_BUNDLE_TOKEN_BYTES,
                            LIBRO_MAX_BUNDLE_PAYLOAD_BYTES, err);
    if (rc == LIBRO_OK && !libro_jws_typ_is(libro_jws_typ(jws), LIBRO_BUNDLE_TYP)) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "bundle: typ is not " LIBRO_BUNDLE_TYP);
    }
    if (rc == LIBRO_OK) {
        rc = libro_jws_kid(jws) == NULL ? libro_error_set(err, LIBRO_ERR_PARSE, "bundle: no kid")
                                        : libro_kid_split(libro_jws_kid(jws), &id_len, &tp, err);
    }
    if (rc == LIBRO_OK) {
        rc = bundle_parse(&b, token, token_len, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (strlen(b.registry) != id_len || memcmp(b.registry, libro_jws_kid(jws), id_len) != 0 ||
        strcmp(b.url, base) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_UNTRUSTED,
                             "bundle: signed by another registry than %.64s at %.120s", b.registry,
                             base);
        goto out;
    }
    if ((rc = registry_authorization(&auth, &b, b.registry, tp, err)) != LIBRO_OK ||
        (rc = libro_jws_verify(jws, auth->subject_key, err)) != LIBRO_OK) {
        goto out;
    }
    /* 2. Not from the future (it would shut out every honest bundle until then), and not
     *    older than what was synced before. */
    if (b.issued_ms > now_ms + LIBRO_SYNC_SKEW_SECONDS * 1000) {
        rc = libro_error_set(err, LIBRO_ERR_TIME,
                             "the bundle is dated more than 5 minutes ahead of this clock");
        goto out;
    }
    if (st->issued_ms != 0 && b.issued_ms <= st->issued_ms) {
        rc = libro_error_set(err, LIBRO_ERR_ROLLBACK,
                             "the bundle is not newer than the one synced before");
        goto out;
    }
    /* 3. The log only grows: this checkpoint extends the last one. */
    rc = libro_checkpoint_open(&cur, b.checkpoint, strlen(b.checkpoint), b.registry, b.registry,
                               auth->subject_key, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "bundle checkpoint");
        goto out;
    }
    if (st->has_log) {
        old.size = st->size;
        old.root = st->root;
        rc = check_consistency(base, &old, &cur, get, opt, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    out->b = b;
    out->jws = jws;
    out->auth = auth;
    out->tp = tp;
    out->cur = cur;
    memset(&b, 0, sizeof b); /* moved to the caller */
    jws = NULL;
    auth = NULL;
    memset(&cur, 0, sizeof cur);
out:
    libro_checkpoint_clear(&cur);
    libro_checkpoint_clear(&old);
    libro_credential_free(auth);
    libro_jws_free(jws);
    json_decref(b.root);
    return rc;
}

libro_code
libro_trust_sync(libro_trust *t, const char *url, const libro_sync_options *opt,
                 libro_sync_report *report, libro_error *err)
{
    libro_http_response resp = LIBRO_HTTP_RESPONSE_INIT;
    libro_buf base = LIBRO_BUF_INIT;
    libro_buf bundle_url = LIBRO_BUF_INIT;
    libro_buf path = LIBRO_BUF_INIT;
    libro_sync__checked c;
    libro_sync__state st;
    size_t len;
    int64_t now_ms = libro_time_now_ms();
    int64_t now = now_ms / 1000;
    libro_code rc;

    memset(&c, 0, sizeof c);
    memset(&st, 0, sizeof st);
    if (t == NULL || url == NULL || report == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "sync: NULL argument");
    }
    memset(report, 0, sizeof *report);
    rc = libro_http_url_check(url, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    len = strlen(url);
    while (len > 0 && url[len - 1] == '/') {
        len--;
    }
    if ((rc = libro_buf_append(&base, url, len, err)) != LIBRO_OK ||
        (rc = libro_buf_printf(&bundle_url, err, "%s/v1/bundle", (const char *) base.data)) !=
            LIBRO_OK ||
        (rc = state_path(&path, t, (const char *) base.data, err)) != LIBRO_OK ||
        (rc = state_read(&st, (const char *) path.data, err)) != LIBRO_OK) {
        goto out;
    }
    rc = fetch(&resp, (const char *) bundle_url.data, st.etag, LIBRO_MAX_BUNDLE_TOKEN_BYTES, opt,
               err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (resp.status == 304) {
        report->not_modified = true;
        report->issued = st.issued_ms / 1000;
        report->issued_ms = st.issued_ms;
        /* The bundle synced before is still the newest: its time was seen. */
        rc = libro_trust__see(t, st.issued_ms, err);
        goto out;
    }
    if (resp.status != 200) {
        rc = libro_error_set(err, LIBRO_ERR_NETWORK, "the registry answered HTTP %ld", resp.status);
        goto out;
    }
    /* 1-3: the bundle itself, its dates and its log, before anything reaches the store. */
    rc = libro_sync__check_bundle(&c, (const char *) resp.body.data, resp.body.len,
                                  (const char *) base.data, &st, now_ms, fetch, opt, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    /* 4. The chain into the store; the registry must chain to a pinned anchor. */
    if ((rc = add_all(t, c.b.chain, "chain", err)) != LIBRO_OK ||
        (rc = add_all(t, c.b.authorizations, "authorization", err)) != LIBRO_OK ||
        (rc = libro_trust__registry_trusted(t, c.auth->issuer, c.auth->subject_id, c.tp, now,
                                            err)) != LIBRO_OK ||
        (rc = add_members(t, c.b.members, c.auth->issuer, now, err)) != LIBRO_OK) {
        goto out;
    }
    /* 5. The status lists, by the store's rules, the index of agreements and laws; then
     *    remember this sync. */
    rc = add_all(t, c.b.lists, "status list", err);
    if (rc == LIBRO_OK) {
        rc = libro_trust__index_write(t, (const char *) base.data, c.b.registry, c.tp,
                                      c.auth->issuer, c.b.issued_ms, c.b.agreements, c.b.laws, err);
    }
    if (rc == LIBRO_OK) {
        rc = state_write((const char *) path.data, resp.etag, c.b.issued_ms, &c.cur, c.b.checkpoint,
                         err);
    }
    /* A bundle whose signature and registry verified: a clock before its issued is set back. */
    if (rc == LIBRO_OK) {
        rc = libro_trust__see(t, c.b.issued_ms, err);
    }
    if (rc == LIBRO_OK) {
        report->issued = c.b.issued_ms / 1000;
        report->issued_ms = c.b.issued_ms;
        report->status_lists = json_array_size(c.b.lists);
        report->authorizations = json_array_size(c.b.authorizations);
        report->members = json_array_size(c.b.members);
        report->agreements = json_array_size(c.b.agreements);
        report->laws = json_array_size(c.b.laws);
        report->log_size = c.cur.size;
        report->log_grew_from = st.has_log ? st.size : 0;
    }
out:
    libro_sync__checked_clear(&c);
    libro_http_response_clear(&resp);
    libro_buf_free(&path);
    libro_buf_free(&bundle_url);
    libro_buf_free(&base);
    return rc;
}
