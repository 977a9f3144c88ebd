/* The parties' side of ResponsibilityAgreements (libro/issuer.h): draft one from options or a
 * JSON description, amend a registered one into a new draft that supersedes it, add a party's
 * signature, register it, and end it by one party's notice or by every party. What makes a
 * document COMPLETE, PARTIAL or INVALID is core's one check (libro_agreement_check); what the
 * registry accepts is the registry's. */
#include <string.h>

#include "issuer_int.h"
#include "libro/file.h"
#include "libro/issuer.h"
#include "libro/json_int.h"
#include "libro/jws.h"
#include "libro/time.h"
#include "libro/util.h"

#define DAY INT64_C(86400)
#define MAX_PATH_BYTES 4096u

/* ---- building the credential ----------------------------------------------------------------- */

/* Release the parties of `c` and leave none: they move to a credential of their own, which
 * core's libro_credential_free releases (one place knows how). */
static libro_code
parties_clear(libro_credential *c, libro_error *err)
{
    libro_credential *old = NULL;
    libro_code rc;

    if (c->parties == NULL) {
        return LIBRO_OK;
    }
    rc = libro_credential_new(&old, LIBRO_CRED_AGREEMENT, err);
    if (rc == LIBRO_OK) {
        old->parties = c->parties;
        old->n_parties = c->n_parties;
        c->parties = NULL;
        c->n_parties = 0;
        libro_credential_free(old);
    }
    return rc;
}

/* Replace *dst by a copy of src (NULL leaves *dst as it is). */
static libro_code
replace(char **dst, const char *src, libro_error *err)
{
    char *copy = NULL;
    libro_code rc;

    if (src == NULL) {
        return LIBRO_OK;
    }
    rc = libro_issuer__dup(&copy, src, err);
    if (rc == LIBRO_OK) {
        libro_free(*dst);
        *dst = copy;
    }
    return rc;
}

/* A party's id: the one given, else the did:key of its key. */
static libro_code
party_id(char **out, const char *id, const libro_key *k, size_t i, libro_error *err)
{
    libro_buf did = LIBRO_BUF_INIT;
    libro_code rc;

    if (id != NULL) {
        return libro_issuer__dup(out, id, err);
    }
    if (libro_key_alg(k) != LIBRO_ALG_ED25519) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "party %zu: a key that is not Ed25519 has no did:key: give the "
                               "party an id",
                               i + 1);
    }
    rc = libro_key_to_did(&did, k, err);
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(out, (const char *) did.data, err);
    }
    libro_buf_free(&did);
    return rc;
}

/* Fill party slot `p` (zeroed) from `o`. */
static libro_code
party_from_options(libro_party *p, const libro_agreement_party_options *o, size_t i,
                   libro_error *err)
{
    libro_code rc;

    if (o->key == NULL || o->name == NULL || o->role == NULL || o->n_responsibilities == 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "party %zu: a party needs a key, a name, a role and at least one "
                               "responsibility",
                               i + 1);
    }
    rc = libro_key_public(&p->key, o->key, err);
    if (rc == LIBRO_OK) {
        rc = party_id(&p->id, o->id, o->key, i, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(&p->name, o->name, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(&p->role, o->role, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup_list(&p->responsibilities, &p->n_responsibilities,
                                    o->responsibilities, o->n_responsibilities, err);
    }
    return rc;
}

static libro_code
parties_from_options(libro_credential *c, const libro_agreement_options *opt, libro_error *err)
{
    size_t i;
    libro_code rc = LIBRO_OK;

    if (opt->n_parties > LIBRO_MAX_PARTIES) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "agreement: more than %u parties",
                               LIBRO_MAX_PARTIES);
    }
    rc = parties_clear(c, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    c->parties = libro_calloc(opt->n_parties, sizeof *c->parties);
    if (c->parties == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    for (i = 0; rc == LIBRO_OK && i < opt->n_parties; i++) {
        c->n_parties = i + 1; /* freed with the credential from here on */
        rc = party_from_options(&c->parties[i], &opt->parties[i], i, err);
    }
    return rc;
}

/* ---- the JSON description (a spec) ----------------------------------------------------------- */

/* Only `allowed` members in `obj`. */
static libro_code
spec_members(json_t *obj, const char *const *allowed, size_t n, const char *where, libro_error *err)
{
    const char *key;
    json_t *v;
    size_t i;

    json_object_foreach(obj, key, v)
    {
        bool known = false;

        for (i = 0; i < n && !known; i++) {
            known = strcmp(key, allowed[i]) == 0;
        }
        if (!known) {
            return libro_error_set(err, LIBRO_ERR_SCHEMA, "spec: %s: unexpected member \"%.64s\"",
                                   where, key);
        }
    }
    return LIBRO_OK;
}

/* The string member `name` of `obj` (borrowed) or NULL when absent. */
static libro_code
spec_string(const char **out, const json_t *obj, const char *name, const char *where,
            libro_error *err)
{
    const json_t *v = json_object_get(obj, name);

    *out = NULL;
    if (v == NULL) {
        return LIBRO_OK;
    }
    if (!json_is_string(v)) {
        return libro_error_set(err, LIBRO_ERR_SCHEMA, "spec: %s.%s: want a string", where, name);
    }
    *out = json_string_value(v);
    return LIBRO_OK;
}

static libro_code
spec_time(int64_t *out, const json_t *obj, const char *name, libro_error *err)
{
    const char *s = NULL;
    libro_code rc = spec_string(&s, obj, name, "agreement", err);

    if (rc == LIBRO_OK && s != NULL) {
        rc = libro_time_parse_input(out, s, strlen(s), err);
        if (rc != LIBRO_OK) {
            libro_error_prefix(err, name);
            libro_error_prefix(err, "spec");
        }
    }
    return rc;
}

/* The key of a spec party: exactly one of publicKeyJwk, did and key (a file). */
static libro_code
spec_party_key(libro_key **out, const json_t *p, const char *dir, const char *where,
               libro_error *err)
{
    const json_t *jwk = json_object_get(p, "publicKeyJwk");
    const char *did = NULL;
    const char *file = NULL;
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf path = LIBRO_BUF_INIT;
    libro_key *k = NULL;
    libro_code rc;

    *out = NULL;
    rc = spec_string(&did, p, "did", where, err);
    if (rc == LIBRO_OK) {
        rc = spec_string(&file, p, "key", where, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((jwk != NULL) + (did != NULL) + (file != NULL) != 1) {
        rc = libro_error_set(err, LIBRO_ERR_SCHEMA,
                             "spec: %s: give exactly one of \"publicKeyJwk\", \"did\" and \"key\"",
                             where);
        goto out;
    }
    if (jwk != NULL) {
        if (!json_is_object(jwk)) {
            rc = libro_error_set(err, LIBRO_ERR_SCHEMA, "spec: %s.publicKeyJwk: want an object",
                                 where);
            goto out;
        }
        rc = libro_json__dump(&text, jwk, err);
        if (rc == LIBRO_OK) {
            rc = libro_key_from_jwk(&k, (const char *) text.data, text.len, err);
        }
    } else if (did != NULL) {
        rc = libro_key_from_did(&k, did, strlen(did), err);
    } else {
        if (file[0] == '/') {
            rc = libro_buf_append_str(&path, file, err);
        } else {
            rc = libro_buf_printf(&path, err, "%s/%s", dir != NULL ? dir : ".", file);
        }
        if (rc == LIBRO_OK && path.len > MAX_PATH_BYTES) {
            rc = libro_error_set(err, LIBRO_ERR_LIMIT, "spec: %s.key: path too long", where);
        }
        if (rc == LIBRO_OK) {
            rc = libro_key_load_file(&k, (const char *) path.data, NULL, 0, err);
            if (rc == LIBRO_ERR_PASSPHRASE) {
                rc = libro_error_set(err, LIBRO_ERR_PASSPHRASE,
                                     "%.200s: encrypted; give the public key (libro key public)",
                                     (const char *) path.data);
            }
        }
    }
    if (rc == LIBRO_OK) {
        rc = libro_key_public(out, k, err);
    }
    if (rc != LIBRO_OK && rc != LIBRO_ERR_SCHEMA && rc != LIBRO_ERR_NOMEM) {
        libro_error_prefix(err, where);
        libro_error_prefix(err, "spec");
    }
out:
    libro_key_free(k);
    libro_buf_free(&path);
    libro_buf_free(&text);
    return rc;
}

static libro_code
spec_party(libro_party *out, json_t *p, const char *dir, size_t i, libro_error *err)
{
    static const char *const allowed[] = {"id",           "name", "role", "responsibilities",
                                          "publicKeyJwk", "did",  "key"};
    const json_t *resp = json_object_get(p, "responsibilities");
    const char *id = NULL;
    const char *name = NULL;
    const char *role = NULL;
    char where[40];
    size_t j;
    libro_code rc;

    if (snprintf(where, sizeof where, "parties[%zu]", i) < 0) {
        where[0] = '\0';
    }
    if (!json_is_object(p)) {
        return libro_error_set(err, LIBRO_ERR_SCHEMA, "spec: %s: want an object", where);
    }
    rc = spec_members(p, allowed, LIBRO_NELEM(allowed), where, err);
    if (rc == LIBRO_OK) {
        rc = spec_string(&id, p, "id", where, err);
    }
    if (rc == LIBRO_OK) {
        rc = spec_string(&name, p, "name", where, err);
    }
    if (rc == LIBRO_OK) {
        rc = spec_string(&role, p, "role", where, err);
    }
    if (rc != LIBRO_OK) {
        return rc;
    }
    if (name == NULL || role == NULL || !json_is_array(resp) || json_array_size(resp) == 0) {
        return libro_error_set(err, LIBRO_ERR_SCHEMA,
                               "spec: %s: a party needs \"name\", \"role\" and a non-empty "
                               "\"responsibilities\" array",
                               where);
    }
    if (json_array_size(resp) > LIBRO_MAX_RESPONSIBILITIES) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "spec: %s: more than %u responsibilities",
                               where, LIBRO_MAX_RESPONSIBILITIES);
    }
    rc = spec_party_key(&out->key, p, dir, where, err);
    if (rc == LIBRO_OK) {
        rc = party_id(&out->id, id, out->key, i, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(&out->name, name, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(&out->role, role, err);
    }
    if (rc == LIBRO_OK) {
        out->responsibilities = libro_calloc(json_array_size(resp), sizeof(char *));
        if (out->responsibilities == NULL) {
            rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        }
    }
    for (j = 0; rc == LIBRO_OK && j < json_array_size(resp); j++) {
        const json_t *r = json_array_get(resp, j);

        if (!json_is_string(r)) {
            rc = libro_error_set(err, LIBRO_ERR_SCHEMA,
                                 "spec: %s.responsibilities[%zu]: want a string", where, j);
        } else {
            rc = libro_issuer__dup(&out->responsibilities[j], json_string_value(r), err);
            out->n_responsibilities = rc == LIBRO_OK ? j + 1 : j;
        }
    }
    return rc;
}

static libro_code
spec_parties(libro_credential *c, json_t *ps, const char *dir, libro_error *err)
{
    size_t i;
    libro_code rc = LIBRO_OK;

    if (!json_is_array(ps)) {
        return libro_error_set(err, LIBRO_ERR_SCHEMA, "spec: parties: want an array");
    }
    if (json_array_size(ps) > LIBRO_MAX_PARTIES) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "spec: more than %u parties",
                               LIBRO_MAX_PARTIES);
    }
    rc = parties_clear(c, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    c->parties = libro_calloc(json_array_size(ps) + 1, sizeof *c->parties);
    if (c->parties == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    for (i = 0; rc == LIBRO_OK && i < json_array_size(ps); i++) {
        c->n_parties = i + 1;
        rc = spec_party(&c->parties[i], json_array_get(ps, i), dir, i, err);
    }
    return rc;
}

static libro_code
spec_ending(libro_credential *c, json_t *e, libro_error *err)
{
    static const char *const allowed[] = {"noticeDays", "mutualOnly"};
    const json_t *days = json_object_get(e, "noticeDays");
    const json_t *mutual = json_object_get(e, "mutualOnly");
    libro_code rc;

    if (!json_is_object(e)) {
        return libro_error_set(err, LIBRO_ERR_SCHEMA, "spec: ending: want an object");
    }
    rc = spec_members(e, allowed, LIBRO_NELEM(allowed), "ending", err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    if ((days != NULL) == (mutual != NULL)) {
        return libro_error_set(err, LIBRO_ERR_SCHEMA,
                               "spec: ending: want {\"noticeDays\": N} or {\"mutualOnly\": true}");
    }
    if (days != NULL) {
        if (!json_is_integer(days) || json_integer_value(days) < 1 ||
            json_integer_value(days) > (json_int_t) LIBRO_MAX_NOTICE_DAYS) {
            return libro_error_set(err, LIBRO_ERR_SCHEMA, "spec: ending.noticeDays: want 1 to %u",
                                   LIBRO_MAX_NOTICE_DAYS);
        }
        c->notice_days = (uint32_t) json_integer_value(days);
        c->mutual_only = false;
    } else {
        if (!json_is_true(mutual)) {
            return libro_error_set(err, LIBRO_ERR_SCHEMA, "spec: ending.mutualOnly: want true");
        }
        c->notice_days = 0;
        c->mutual_only = true;
    }
    return LIBRO_OK;
}

static libro_code
spec_community(libro_credential *c, json_t *v, libro_error *err)
{
    static const char *const allowed[] = {"id", "level"};
    const json_t *level = json_object_get(v, "level");
    const char *id = NULL;
    libro_code rc;

    if (!json_is_object(v)) {
        return libro_error_set(err, LIBRO_ERR_SCHEMA, "spec: community: want an object");
    }
    rc = spec_members(v, allowed, LIBRO_NELEM(allowed), "community", err);
    if (rc == LIBRO_OK) {
        rc = spec_string(&id, v, "id", "community", err);
    }
    if (rc != LIBRO_OK) {
        return rc;
    }
    if (id == NULL || !json_is_integer(level) || json_integer_value(level) < 0 ||
        json_integer_value(level) > LIBRO_MAX_LEVEL) {
        return libro_error_set(err, LIBRO_ERR_SCHEMA,
                               "spec: community: want {\"id\": ID, \"level\": 0 to %d}",
                               LIBRO_MAX_LEVEL);
    }
    c->community_level = (int) json_integer_value(level);
    return replace(&c->community_id, id, err);
}

/* Apply the spec text to `c`. */
static libro_code
apply_spec(libro_credential *c, const libro_agreement_options *opt, libro_error *err)
{
    static const char *const allowed[] = {"title",  "community", "parties",
                                          "ending", "validFrom", "validUntil"};
    static const libro_json_limits lim = {1, LIBRO_MAX_JSON_BYTES, LIBRO_MAX_JSON_DEPTH};
    json_t *root = NULL;
    json_t *v;
    const char *title = NULL;
    libro_code rc = libro_json__load(&root, opt->spec, opt->spec_len, &lim, err);

    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "spec");
        goto out;
    }
    if (!json_is_object(root)) {
        rc = libro_error_set(err, LIBRO_ERR_SCHEMA, "spec: want a JSON object");
        goto out;
    }
    rc = spec_members(root, allowed, LIBRO_NELEM(allowed), "agreement", err);
    if (rc == LIBRO_OK) {
        rc = spec_string(&title, root, "title", "agreement", err);
    }
    if (rc == LIBRO_OK) {
        rc = replace(&c->title, title, err);
    }
    if (rc == LIBRO_OK && (v = json_object_get(root, "community")) != NULL) {
        rc = spec_community(c, v, err);
    }
    if (rc == LIBRO_OK && (v = json_object_get(root, "parties")) != NULL) {
        rc = spec_parties(c, v, opt->spec_dir, err);
    }
    if (rc == LIBRO_OK && (v = json_object_get(root, "ending")) != NULL) {
        rc = spec_ending(c, v, err);
    }
    if (rc == LIBRO_OK) {
        rc = spec_time(&c->valid_from, root, "validFrom", err);
    }
    if (rc == LIBRO_OK) {
        rc = spec_time(&c->valid_until, root, "validUntil", err);
    }
out:
    json_decref(root);
    return rc;
}

/* Apply `opt` (its spec first, then its members) to `c`. */
static libro_code
apply_options(libro_credential *c, const libro_agreement_options *opt, libro_error *err)
{
    libro_code rc = LIBRO_OK;

    if (opt->spec != NULL) {
        rc = apply_spec(c, opt, err);
    }
    if (rc == LIBRO_OK) {
        rc = replace(&c->title, opt->title, err);
    }
    if (rc == LIBRO_OK) {
        rc = replace(&c->community_id, opt->community_id, err);
    }
    if (rc == LIBRO_OK && opt->community_level >= 0) {
        c->community_level = opt->community_level;
    }
    if (rc == LIBRO_OK && opt->n_parties > 0) {
        rc = parties_from_options(c, opt, err);
    }
    if (rc == LIBRO_OK && opt->notice_days != 0) {
        c->notice_days = opt->notice_days;
        c->mutual_only = false;
    }
    if (rc == LIBRO_OK && opt->mutual_only) {
        c->notice_days = 0;
        c->mutual_only = true;
    }
    if (rc == LIBRO_OK && opt->valid_from != 0) {
        c->valid_from = opt->valid_from;
    }
    if (rc == LIBRO_OK && opt->valid_until != 0) {
        c->valid_until = opt->valid_until;
    }
    if (rc == LIBRO_OK && opt->days != 0) {
        c->valid_until = c->valid_from + (int64_t) opt->days * DAY;
    }
    return rc;
}

static libro_code
options_ok(const libro_agreement_options *opt, libro_error *err)
{
    if (opt == NULL || opt->version != LIBRO_AGREEMENT_OPTIONS_VERSION ||
        (opt->parties == NULL && opt->n_parties > 0) || (opt->spec == NULL && opt->spec_len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "agreement: bad arguments");
    }
    if (opt->notice_days != 0 && opt->mutual_only) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "agreement: ending by notice or mutual only, not both");
    }
    if (opt->notice_days > LIBRO_MAX_NOTICE_DAYS) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "agreement: notice days: want 1 to %u",
                               LIBRO_MAX_NOTICE_DAYS);
    }
    if (opt->days != 0 && opt->valid_until != 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "agreement: the end of the term or its days, not both");
    }
    if (opt->days > 36600) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "agreement: days: want 1 to 36600");
    }
    return LIBRO_OK;
}

/* What every agreement needs, named before core's schema check speaks of members. */
static libro_code
complete_enough(const libro_credential *c, libro_error *err)
{
    const char *missing = c->title == NULL                         ? "a title"
                          : c->community_id == NULL                ? "the community whose law "
                                                                     "frames it"
                          : c->n_parties < LIBRO_MIN_PARTIES       ? "at least two parties"
                          : c->notice_days == 0 && !c->mutual_only ? "how it may end (notice "
                                                                     "days, or mutual only)"
                          : c->valid_until == 0                    ? "the end of its term"
                                                                   : NULL;

    if (missing != NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "agreement: needs %s", missing);
    }
    return LIBRO_OK;
}

/* Write `c` (issuer = its first party) as a draft into `out`; hand it to *cred_out. */
static libro_code
finish_draft(libro_buf *out, libro_credential **cred_out, libro_credential *c, libro_error *err)
{
    libro_code rc = complete_enough(c, err);

    if (rc == LIBRO_OK) {
        libro_free(c->issuer);
        c->issuer = NULL;
        rc = libro_issuer__dup(&c->issuer, c->parties[0].id, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_agreement_draft(out, c, err);
    }
    if (rc == LIBRO_OK && cred_out != NULL) {
        *cred_out = c;
        return LIBRO_OK;
    }
    libro_credential_free(c);
    return rc;
}

libro_code
libro_issuer_agreement_draft(libro_buf *out, libro_credential **cred_out,
                             const libro_agreement_options *opt, libro_error *err)
{
    libro_credential *c = NULL;
    libro_code rc;

    if (cred_out != NULL) {
        *cred_out = NULL;
    }
    if (out == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "agreement: NULL argument");
    }
    rc = options_ok(opt, err);
    if (rc == LIBRO_OK) {
        rc = libro_credential_new(&c, LIBRO_CRED_AGREEMENT, err);
    }
    if (rc != LIBRO_OK) {
        return rc;
    }
    c->community_level = -1;
    rc = apply_options(c, opt, err);
    if (rc == LIBRO_OK && c->valid_from == 0) {
        c->valid_from = libro_time_now();
        if (opt->days != 0) {
            c->valid_until = c->valid_from + (int64_t) opt->days * DAY;
        }
    }
    if (rc == LIBRO_OK && c->community_id != NULL && c->community_level < 0) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "agreement: needs the community's level");
    }
    if (rc != LIBRO_OK) {
        libro_credential_free(c);
        return rc;
    }
    return finish_draft(out, cred_out, c, err);
}

/* A checked agreement that must be COMPLETE (a registered one). */
static libro_code
check_complete(libro_agreement **out, const char *doc, size_t len, libro_error *err)
{
    libro_buf missing = LIBRO_BUF_INIT;
    libro_code rc = libro_agreement_check(out, doc, len, err);

    if (rc == LIBRO_OK && (*out)->outcome != LIBRO_AGREEMENT_COMPLETE) {
        rc = libro_issuer_agreement_missing(&missing, *out, err);
        if (rc == LIBRO_OK) {
            rc = libro_error_set(err, LIBRO_ERR_DENIED,
                                 "agreement is PARTIAL: %zu of %zu parties signed; missing: %.150s",
                                 (*out)->n_signed, (*out)->cred->n_parties,
                                 (const char *) missing.data);
        }
        libro_agreement_free(*out);
        *out = NULL;
    }
    libro_buf_free(&missing);
    return rc;
}

libro_code
libro_issuer_agreement_amend(libro_buf *out, libro_credential **cred_out, const char *doc,
                             size_t len, const libro_agreement_options *changes, libro_error *err)
{
    libro_agreement *old = NULL;
    libro_credential *c = NULL;
    libro_buf json = LIBRO_BUF_INIT;
    libro_code rc;

    if (cred_out != NULL) {
        *cred_out = NULL;
    }
    if (out == NULL || doc == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "amend: NULL argument");
    }
    rc = options_ok(changes, err);
    if (rc == LIBRO_OK) {
        rc = check_complete(&old, doc, len, err);
        if (rc != LIBRO_OK) {
            libro_error_prefix(err, "the version to amend");
        }
    }
    /* A deep copy of the old version through its canonical JSON. */
    if (rc == LIBRO_OK) {
        rc = libro_credential_to_json(&json, old->cred, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_credential_parse(&c, json.data, json.len, err);
    }
    if (rc == LIBRO_OK) {
        rc = apply_options(c, changes, err);
    }
    if (rc == LIBRO_OK) {
        libro_free(c->supersedes);
        c->supersedes = NULL;
        rc = libro_issuer__dup(&c->supersedes, old->hash, err);
    }
    libro_agreement_free(old);
    libro_buf_free(&json);
    if (rc != LIBRO_OK) {
        libro_credential_free(c);
        return rc;
    }
    return finish_draft(out, cred_out, c, err);
}

/* ---- signing, registering -------------------------------------------------------------------- */

libro_code
libro_issuer_agreement_missing(libro_buf *out, const libro_agreement *a, libro_error *err)
{
    size_t i;
    bool first = true;
    libro_code rc = libro_buf_append(out, "", 0, err);

    for (i = 0; rc == LIBRO_OK && i < a->cred->n_parties; i++) {
        if (!a->signed_by[i]) {
            rc = libro_buf_printf(out, err, "%s%s", first ? "" : ", ", a->cred->parties[i].name);
            first = false;
        }
    }
    return rc;
}

libro_code
libro_issuer_agreement_sign(libro_buf *out, libro_agreement **after, const char *doc, size_t len,
                            const libro_key *key, libro_error *err)
{
    libro_buf signed_doc = LIBRO_BUF_INIT;
    libro_code rc;

    if (after != NULL) {
        *after = NULL;
    }
    if (out == NULL || doc == NULL || key == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "sign agreement: NULL argument");
    }
    rc = libro_agreement_sign(&signed_doc, doc, len, key, err);
    if (rc == LIBRO_OK && after != NULL) {
        rc = libro_agreement_check(after, (const char *) signed_doc.data, signed_doc.len, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(out, signed_doc.data, signed_doc.len, err);
    }
    if (rc != LIBRO_OK && after != NULL) {
        libro_agreement_free(*after);
        *after = NULL;
    }
    libro_buf_free(&signed_doc);
    return rc;
}

/* A client for `target`: no signer, since the documents posted are signed by the parties
 * themselves; in-process the change is recorded under `actor`, by default the drafter. */
static libro_code
party_client(libro_registry_client **out, const char *target, const libro_agreement *a,
             const char *actor, libro_error *err)
{
    return libro_registry_client_open(out, target, NULL, NULL,
                                      actor != NULL ? actor : a->cred->issuer, NULL, err);
}

libro_code
libro_issuer_agreement_register(char hash[LIBRO_HASH_REF_SIZE], const char *target,
                                const char *actor, const char *doc, size_t len, libro_error *err)
{
    libro_agreement *a = NULL;
    libro_registry_client *client = NULL;
    char *text = NULL;
    libro_code rc;

    if (target == NULL || doc == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "register agreement: bad arguments");
    }
    rc = check_complete(&a, doc, len, err);
    if (rc == LIBRO_OK) {
        rc = party_client(&client, target, a, actor, err);
    }
    if (rc == LIBRO_OK) {
        text = libro_strndup(doc, len);
        rc = text == NULL ? libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory") : LIBRO_OK;
    }
    if (rc == LIBRO_OK) {
        rc = libro_registry_client_register_agreement(client, text, hash, err);
    }
    libro_registry_client_close(client);
    libro_agreement_free(a);
    libro_free(text);
    return rc;
}

/* ---- ending ---------------------------------------------------------------------------------- */

void
libro_agreement_end_result_clear(libro_agreement_end_result *res)
{
    if (res != NULL) {
        libro_buf_free(&res->statement);
        memset(res, 0, sizeof *res);
    }
}

/* The kids of the parties of `a`, "<id>#<thumbprint>", into kids[] (caller frees each). */
static libro_code
party_kids(char *kids[LIBRO_MAX_PARTIES], const libro_agreement *a, libro_error *err)
{
    libro_buf kid = LIBRO_BUF_INIT;
    size_t i;
    libro_code rc = LIBRO_OK;

    for (i = 0; rc == LIBRO_OK && i < a->cred->n_parties; i++) {
        libro_buf_clear(&kid);
        rc = libro_kid_for(&kid, a->cred->parties[i].id, a->cred->parties[i].key, err);
        if (rc == LIBRO_OK) {
            rc = libro_issuer__dup(&kids[i], (const char *) kid.data, err);
        }
    }
    libro_buf_free(&kid);
    return rc;
}

/* Check statement `j` (parsed) against agreement `a`: every signature by a party under its kid
 * and verified (signed[] set), the payload naming `a` and `how`. */
static libro_code
statement_check(libro_jws_json *j, bool *signed_by, const libro_agreement *a, char *const *kids,
                libro_agreement_end how, libro_error *err)
{
    static const libro_json_limits lim = {1, LIBRO_MAX_JSON_BYTES, LIBRO_MAX_JSON_DEPTH};
    const unsigned char *payload;
    json_t *root = NULL;
    const char *agreement = NULL;
    const char *end = NULL;
    size_t plen = 0;
    size_t i;
    size_t p;
    libro_code rc = LIBRO_OK;

    for (i = 0; rc == LIBRO_OK && i < libro_jws_json_count(j); i++) {
        const char *kid = libro_jws_json_kid(j, i);

        for (p = 0; kid != NULL && p < a->cred->n_parties && strcmp(kid, kids[p]) != 0; p++) {
        }
        if (kid == NULL || p == a->cred->n_parties) {
            rc = libro_error_set(err, LIBRO_ERR_DENIED,
                                 "end statement: signature %zu is by no party of the agreement", i);
        } else if (!libro_jws_typ_is(libro_jws_json_typ(j, i), LIBRO_AGREEMENT_END_TYP)) {
            rc = libro_error_set(err, LIBRO_ERR_UNSUPPORTED,
                                 "end statement: signature %zu: typ is not %s", i,
                                 LIBRO_AGREEMENT_END_TYP);
        } else {
            rc = libro_jws_json_verify(j, i, a->cred->parties[p].key, err);
            signed_by[p] = signed_by[p] || rc == LIBRO_OK;
        }
    }
    if (rc != LIBRO_OK) {
        return rc;
    }
    payload = libro_jws_json_payload(j, &plen);
    rc = libro_json__load(&root, (const char *) payload, plen, &lim, err);
    if (rc == LIBRO_OK) {
        agreement = json_string_value(json_object_get(root, "agreement"));
        end = json_string_value(json_object_get(root, "end"));
        if (agreement == NULL || strcmp(agreement, a->hash) != 0) {
            rc = libro_error_set(err, LIBRO_ERR_DENIED,
                                 "end statement: it ends another agreement than %s", a->hash);
        } else if (end == NULL || strcmp(end, libro_agreement_end_name(how)) != 0) {
            rc = libro_error_set(err, LIBRO_ERR_DENIED, "end statement: it is not a %s end",
                                 libro_agreement_end_name(how));
        }
    } else {
        libro_error_prefix(err, "end statement");
    }
    json_decref(root);
    return rc;
}

/* The statement `old` (text) with the one signature of `one` (a document of the same payload,
 * one signature) appended, written canonically into `out`. */
static libro_code
statement_join(libro_buf *out, const char *old, size_t old_len, const libro_buf *one,
               libro_error *err)
{
    static const libro_json_limits lim = {1, LIBRO_MAX_JWS_JSON_BYTES, LIBRO_MAX_JSON_DEPTH};
    json_t *a = NULL;
    json_t *b = NULL;
    json_t *sigs;
    size_t i;
    libro_code rc = libro_json__load(&a, old, old_len, &lim, err);

    if (rc == LIBRO_OK) {
        rc = libro_json__load(&b, (const char *) one->data, one->len, &lim, err);
    }
    /* Both were parsed by libro_jws_json_parse: the members are there and base64url. */
    if (rc == LIBRO_OK) {
        sigs = json_object_get(a, "signatures");
        rc = json_array_append(sigs, json_array_get(json_object_get(b, "signatures"), 0)) == 0
                 ? LIBRO_OK
                 : libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(out, err, "{\"payload\":\"%s\",\"signatures\":[",
                              json_string_value(json_object_get(a, "payload")));
    }
    for (i = 0; rc == LIBRO_OK && i < json_array_size(sigs); i++) {
        const json_t *s = json_array_get(sigs, i);

        rc = libro_buf_printf(out, err, "%s{\"protected\":\"%s\",\"signature\":\"%s\"}",
                              i == 0 ? "" : ",", json_string_value(json_object_get(s, "protected")),
                              json_string_value(json_object_get(s, "signature")));
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(out, "]}", err);
    }
    json_decref(a);
    json_decref(b);
    return rc;
}

/* This party's signature on a new statement, or added to opt->statement. */
static libro_code
statement_sign(libro_agreement_end_result *res, const libro_agreement *a, size_t party,
               char *const *kids, const libro_agreement_end_options *opt, libro_error *err)
{
    libro_buf payload = LIBRO_BUF_INIT;
    libro_buf one = LIBRO_BUF_INIT;
    libro_jws_json *j = NULL;
    bool signed_by[LIBRO_MAX_PARTIES] = {false};
    libro_jws_signer signer = {opt->key, kids[party]};
    const unsigned char *p;
    size_t plen = 0;
    size_t i;
    libro_code rc;

    if (opt->statement != NULL) {
        rc = libro_jws_json_parse(&j, opt->statement, opt->statement_len, err);
        if (rc == LIBRO_OK) {
            rc = statement_check(j, signed_by, a, kids, opt->how, err);
        }
        if (rc == LIBRO_OK && signed_by[party]) {
            rc = libro_error_set(err, LIBRO_ERR_EXISTS, "%.64s has signed this end already",
                                 a->cred->parties[party].name);
        }
        if (rc == LIBRO_OK) {
            p = libro_jws_json_payload(j, &plen);
            rc = libro_buf_append(&payload, p, plen, err);
        }
    } else if (opt->reason == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "end: a new statement needs a reason");
    } else {
        rc = libro_agreement_end_payload(&payload, a->hash, opt->how,
                                         opt->at != 0 ? opt->at : libro_time_now(), opt->reason,
                                         err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_jws_json_sign(&one, &signer, 1, LIBRO_AGREEMENT_END_TYP, payload.data,
                                 payload.len, err);
    }
    if (rc == LIBRO_OK && opt->statement != NULL) {
        rc = statement_join(&res->statement, opt->statement, opt->statement_len, &one, err);
    } else if (rc == LIBRO_OK) {
        rc = libro_buf_append(&res->statement, one.data, one.len, err);
    }
    if (rc == LIBRO_OK) {
        signed_by[party] = true;
        res->n_signed = 0;
        for (i = 0; i < a->cred->n_parties; i++) {
            res->n_signed += signed_by[i] ? 1 : 0;
        }
    }
    libro_jws_json_free(j);
    libro_buf_free(&payload);
    libro_buf_free(&one);
    return rc;
}

libro_code
libro_issuer_agreement_end(libro_agreement_end_result *res, const libro_agreement_end_options *opt,
                           libro_error *err)
{
    libro_agreement *a = NULL;
    libro_registry_client *client = NULL;
    char *kids[LIBRO_MAX_PARTIES] = {NULL};
    size_t party;
    size_t i;
    libro_code rc;

    if (res == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "end agreement: NULL argument");
    }
    memset(res, 0, sizeof *res);
    if (opt == NULL || opt->version != LIBRO_AGREEMENT_END_OPTIONS_VERSION ||
        opt->document == NULL || opt->key == NULL || libro_agreement_end_name(opt->how) == NULL ||
        (opt->statement == NULL && opt->statement_len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "end agreement: bad arguments");
    }
    rc = check_complete(&a, opt->document, opt->document_len, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    memcpy(res->hash, a->hash, sizeof res->hash);
    res->n_parties = a->cred->n_parties;
    party = libro_agreement_party_of(a, opt->key);
    if (party == SIZE_MAX) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED, "this key is no party's");
        goto out;
    }
    if (opt->how == LIBRO_AGREEMENT_END_NOTICE && a->cred->mutual_only) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED,
                             "this agreement ends only mutually: no notice (every party signs a "
                             "mutual end)");
        goto out;
    }
    rc = party_kids(kids, a, err);
    if (rc == LIBRO_OK) {
        rc = statement_sign(res, a, party, kids, opt, err);
    }
    if (rc != LIBRO_OK || opt->target == NULL ||
        (opt->how == LIBRO_AGREEMENT_END_MUTUAL && res->n_signed < res->n_parties)) {
        goto out;
    }
    rc = party_client(&client, opt->target, a, opt->actor, err);
    if (rc == LIBRO_OK) {
        rc = libro_registry_client_end_agreement(client, a->hash,
                                                 (const char *) res->statement.data, err);
    }
    res->recorded = rc == LIBRO_OK;
out:
    for (i = 0; i < LIBRO_MAX_PARTIES; i++) {
        libro_free(kids[i]);
    }
    libro_registry_client_close(client);
    libro_agreement_free(a);
    return rc;
}

/* ---- the reference QR ------------------------------------------------------------------------ */

libro_code
libro_issuer_reference_qr(libro_buf *png_out, libro_buf *text_out, int *qr_version,
                          libro_lbr_kind kind, const char *hash, libro_error *err)
{
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf png = LIBRO_BUF_INIT;
    libro_qr_options qo = LIBRO_QR_OPTIONS_INIT;
    libro_code rc;

    if (text_out == NULL || hash == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "reference qr: NULL argument");
    }
    rc = libro_lbr_encode(&text, kind, hash, err);
    if (rc == LIBRO_OK && png_out != NULL) {
        rc = libro_qr_render(&png, qr_version, (const char *) text.data, text.len, LIBRO_QR_PNG,
                             &qo, err);
    }
    if (rc == LIBRO_OK && png_out != NULL) {
        rc = libro_buf_append(png_out, png.data, png.len, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(text_out, text.data, text.len, err);
    }
    libro_buf_free(&text);
    libro_buf_free(&png);
    return rc;
}
