/* libro_registry: the registry API over the store (docs/operations.md). Every write is one store
 * transaction taken with the write lock (BEGIN IMMEDIATE), so that the checks it makes (the
 * state, the number, the status index) still hold when it writes, and that the change, its
 * status bits and its event row commit together or not at all. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "libro/crypto.h"
#include "libro/encoding.h"
#include "libro/json_int.h"
#include "libro/jws.h"
#include "libro/rules.h"
#include "libro/statuslist.h"
#include "libro/text_int.h"
#include "libro/time.h"
#include "libro/util.h"
#include "registry_int.h"
#include "store.h"

#define DAY INT64_C(86400)

/* Random probes per reservation before giving up. A list is at most 7/8 full, so each probe
 * hits a free index with probability >= 1/8 and 256 misses in a row happen with probability
 * below (7/8)^256 < 1e-14. */
#define RESERVE_ATTEMPTS 256

libro_code
libro_registry__nomem(libro_error *err)
{
    return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
}

char *
libro_registry__dup_or_null(const char *s)
{
    return s == NULL ? NULL : libro_strndup(s, strlen(s));
}

/* ---- records ------------------------------------------------------------------------------ */

void
libro_license_record_clear(libro_license_record *r)
{
    if (r == NULL) {
        return;
    }
    libro_free(r->number);
    libro_free(r->license_type);
    libro_free(r->holder_name);
    libro_free(r->issuer);
    libro_free(r->credential);
    memset(r, 0, sizeof *r);
}

void
libro_license_records_free(libro_license_record *r, size_t n)
{
    size_t i;

    if (r == NULL) {
        return;
    }
    for (i = 0; i < n; i++) {
        libro_license_record_clear(&r[i]);
    }
    libro_free(r);
}

void
libro_license_events_free(libro_license_event *e, size_t n)
{
    size_t i;

    if (e == NULL) {
        return;
    }
    for (i = 0; i < n; i++) {
        libro_free(e[i].actor);
        libro_free(e[i].reason);
        libro_free(e[i].evidence);
        libro_free(e[i].credential);
    }
    libro_free(e);
}

/* ---- input checks ------------------------------------------------------------------------- */

json_t *
libro_registry__time_json(int64_t t)
{
    char text[LIBRO_TIME_TEXT_MAX];

    return libro_time_format(text, t, NULL) == LIBRO_OK ? json_string(text) : NULL;
}

libro_code
libro_registry__grow(void **list, size_t *cap, size_t count, size_t size, libro_error *err)
{
    size_t ncap;
    void *grown;

    if (count < *cap) {
        return LIBRO_OK;
    }
    if (*cap > SIZE_MAX / 2 / size) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "too many records");
    }
    ncap = *cap == 0 ? 8 : *cap * 2;
    grown = libro_realloc(*list, ncap * size);
    if (grown == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    *list = grown;
    *cap = ncap;
    return LIBRO_OK;
}

libro_code
libro_registry__text_check(const char *s, const char *what, size_t min, libro_error *err)
{
    size_t len;

    if (s == NULL) {
        if (min == 0) {
            return LIBRO_OK;
        }
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "%s is missing", what);
    }
    len = strnlen(s, LIBRO_REGISTRY_MAX_TEXT + 1);
    if (len < min) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "%s is empty", what);
    }
    if (len > LIBRO_REGISTRY_MAX_TEXT) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "%s is longer than %u bytes", what,
                               LIBRO_REGISTRY_MAX_TEXT);
    }
    /* The credential text rule: actors and reasons end up in logs and on screens, where
     * control characters could forge lines. */
    if (libro__text_problem((const unsigned char *) s, len) != NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "%s is not UTF-8 text without control characters", what);
    }
    return LIBRO_OK;
}

static bool
type_id_ok(const char *id)
{
    return id != NULL && libro_license_type_id_ok(id, strnlen(id, LIBRO_MAX_TYPE_ID_BYTES + 1));
}

static libro_code
number_check(const char *number, libro_error *err)
{
    if (number == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "license number is missing");
    }
    if (!libro_license_number_ok(number, strnlen(number, LIBRO_MAX_LICENSE_NUMBER_BYTES + 1))) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "license number must be 1 to %u bytes of [A-Za-z0-9._-]",
                               LIBRO_MAX_LICENSE_NUMBER_BYTES);
    }
    return LIBRO_OK;
}

/* Evidence: valid names, non-negative values, each name once, written as the event records
 * it ("cpd_hours=60,supervised_hours=120"). */
static libro_code
evidence_text(char **out, const libro_evidence *ev, size_t n, libro_error *err)
{
    libro_buf b = LIBRO_BUF_INIT;
    libro_code rc = LIBRO_OK;
    size_t i;
    size_t j;

    *out = NULL;
    if (ev == NULL && n > 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "evidence is NULL");
    }
    if (n > LIBRO_REGISTRY_MAX_EVIDENCE) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "more than %u evidence items",
                               LIBRO_REGISTRY_MAX_EVIDENCE);
    }
    for (i = 0; i < n; i++) {
        if (ev[i].name == NULL ||
            !libro_registry__evidence_name_ok(
                ev[i].name, strnlen(ev[i].name, LIBRO_REGISTRY_MAX_EVIDENCE_NAME + 1))) {
            rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                                 "evidence %zu: name must be 1 to %u bytes of [a-z0-9_]", i + 1,
                                 LIBRO_REGISTRY_MAX_EVIDENCE_NAME);
            goto out;
        }
        if (ev[i].value < 0) {
            rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "evidence %.64s is negative",
                                 ev[i].name);
            goto out;
        }
        for (j = 0; j < i; j++) {
            if (strcmp(ev[i].name, ev[j].name) == 0) {
                rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "evidence %.64s given twice",
                                     ev[i].name);
                goto out;
            }
        }
        rc = libro_buf_printf(&b, err, "%s%s=%" PRId64, i == 0 ? "" : ",", ev[i].name, ev[i].value);
        if (rc != LIBRO_OK) {
            goto out;
        }
    }
    if (n > 0) {
        *out = (char *) libro_buf_detach(&b, NULL);
    }
out:
    libro_buf_free(&b);
    return rc;
}

/* ---- credentials -------------------------------------------------------------------------- */

/* Parse a signed credential as its writer hands it over. The registry trusts its authenticated
 * writers, so the signature is not checked here; the JWS must still be well formed (the
 * structural checks of libro_jws_parse, typ vc+jwt, a kid naming the issuer) and its payload
 * a valid credential, because what the registry stores it later serves to verifiers. */
libro_code
libro_registry__parse_credential(libro_credential **out, const char *token, libro_error *err)
{
    libro_jws *jws = NULL;
    libro_credential *c = NULL;
    const char *kid;
    const char *tp = NULL;
    size_t id_len = 0;
    size_t len;
    libro_code rc;

    *out = NULL;
    if (token == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "credential is missing");
        goto out;
    }
    len = strnlen(token, LIBRO_MAX_TOKEN_BYTES + 1);
    rc = libro_jws_parse(&jws, token, len, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (!libro_jws_typ_is(libro_jws_typ(jws), "vc+jwt")) {
        rc = libro_error_set(err, LIBRO_ERR_UNSUPPORTED, "credential: typ is not vc+jwt");
        goto out;
    }
    kid = libro_jws_kid(jws);
    if (kid == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "credential: header lacks \"kid\"");
        goto out;
    }
    rc = libro_kid_split(kid, &id_len, &tp, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    /* The registry does not check the signature (its writers are authenticated). */
    rc = libro_credential_parse_unverified(&c, token, len, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (strlen(c->issuer) != id_len || memcmp(c->issuer, kid, id_len) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "credential: kid does not name issuer %.64s",
                             c->issuer);
        goto out;
    }
    *out = c;
    c = NULL; /* moved to caller */
out:
    libro_credential_free(c);
    libro_jws_free(jws);
    return rc;
}

/* Whether `url` ends with "<tail>/<list>/<purpose>", the form the registry serves its lists
 * at: tail "" for a license list, "/mandates" for a mandate list. What comes before is the
 * operator's (where `libro registry status` publishes in embedded mode); the API, which knows
 * its base URL, checks it there. */
static bool
list_url_matches(const char *url, const char *tail, uint32_t list, const char *purpose)
{
    char end[96];
    size_t len = url != NULL ? strlen(url) : 0;
    int n = snprintf(end, sizeof end, "%s/%u/%s", tail, (unsigned) list, purpose);

    return n > 0 && (size_t) n < sizeof end && len > (size_t) n &&
           strcmp(url + len - (size_t) n, end) == 0;
}

libro_code
libro_registry__check_entries(const libro_credential *c, libro_store_space space, uint32_t list,
                              uint32_t index, libro_error *err)
{
    bool mandate = space == LIBRO_SPACE_MANDATES;
    const char *tail = mandate ? "/mandates" : "";

    /* A mandate's message entry is required: ending one early sets its word. */
    if (mandate && (!c->has_status || c->status_message_list == NULL)) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "the mandate carries no credentialStatus with three entries: the "
                               "registry could not end it");
    }
    if (!c->has_status) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "license %.64s carries no credentialStatus: the registry could "
                               "not revoke or suspend it",
                               c->license_number);
    }
    if (c->status_index == index &&
        list_url_matches(c->status_revocation_list, tail, list, "revocation") &&
        list_url_matches(c->status_suspension_list, tail, list, "suspension") &&
        (c->status_message_list == NULL ||
         list_url_matches(c->status_message_list, tail, list, "message"))) {
        return LIBRO_OK;
    }
    if (mandate) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "the mandate's status entries do not name mandate list %u, index %u "
                               "(.../mandates/%u/<purpose>)",
                               (unsigned) list, (unsigned) index, (unsigned) list);
    }
    return libro_error_set(err, LIBRO_ERR_DENIED,
                           "license %.64s: its status entries do not name list %u, index %u",
                           c->license_number, (unsigned) list, (unsigned) index);
}

/* A license this registry may record: it names the registry's community, at the level its
 * charter gives (libro_rules_license_level, the verifier's rule), since only issuers that
 * community authorized write here. The grant, span and window rules against the issuer's
 * authorization are checked where the authorization is known: the API's signed requests
 * (http/writes.c). */
static libro_code
parse_license(libro_credential **out, const libro_registry *r, const char *token, libro_error *err)
{
    libro_code rc = libro_registry__parse_credential(out, token, err);

    if (rc == LIBRO_OK && (*out)->type != LIBRO_CRED_LICENSE) {
        rc = libro_error_set(err, LIBRO_ERR_SCHEMA, "credential is a %s, not a ProfessionalLicense",
                             libro_cred_type_name((*out)->type));
    }
    if (rc == LIBRO_OK) {
        rc = libro_rules_license_level(*out, r->community, err);
    }
    if (rc != LIBRO_OK) {
        libro_credential_free(*out);
        *out = NULL;
    }
    return rc;
}

/* ---- open, create ------------------------------------------------------------------------- */

libro_code
libro_registry_create(const char *path, const char *charter_jws, const char *registry_auth_jws,
                      libro_error *err)
{
    libro_credential *charter = NULL;
    libro_credential *auth = NULL;
    libro_store store = {NULL, NULL};
    libro_code rc;

    if (path == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "registry path is missing");
        goto out;
    }
    rc = libro_registry__parse_credential(&charter, charter_jws, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "charter");
        goto out;
    }
    if (charter->type != LIBRO_CRED_CHARTER) {
        rc = libro_error_set(err, LIBRO_ERR_SCHEMA, "charter: credential is a %s",
                             libro_cred_type_name(charter->type));
        goto out;
    }
    rc = libro_registry__parse_credential(&auth, registry_auth_jws, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "registry authorization");
        goto out;
    }
    if (auth->type != LIBRO_CRED_REGISTRY_AUTH) {
        rc = libro_error_set(err, LIBRO_ERR_SCHEMA, "registry authorization: credential is a %s",
                             libro_cred_type_name(auth->type));
        goto out;
    }
    /* Verifiers refuse status lists whose registry authorization is not the community's or
     * outlives its charter. */
    rc = libro_rules_issued_by(auth, charter, err);
    if (rc == LIBRO_OK) {
        rc = libro_rules_under_charter(auth, charter, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    {
        const char *const meta[] = {LIBRO_STORE_META_CHARTER, charter_jws,
                                    LIBRO_STORE_META_AUTHORIZATION, registry_auth_jws, NULL};

        rc = libro_store__create(&store, path, meta, err);
    }
out:
    if (store.ops != NULL) {
        store.ops->close(store.h);
    }
    libro_credential_free(auth);
    libro_credential_free(charter);
    return rc;
}

static libro_code
open_registry(libro_registry **out, const char *path, bool read_only, libro_error *err)
{
    libro_registry *r = NULL;
    libro_code rc;

    if (out == NULL || path == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "registry open: NULL argument");
    }
    *out = NULL;
    r = libro_calloc(1, sizeof *r);
    if (r == NULL) {
        rc = libro_registry__nomem(err);
        goto out;
    }
    r->read_only = read_only;
    rc = libro_store__open(&r->store, path, read_only, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = r->store.ops->meta_get(r->store.h, &r->charter, LIBRO_STORE_META_CHARTER, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_registry__parse_credential(&r->community, r->charter, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "charter");
        goto out;
    }
    rc = r->store.ops->meta_get(r->store.h, &r->authorization, LIBRO_STORE_META_AUTHORIZATION, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    *out = r;
    r = NULL; /* moved to caller */
out:
    libro_registry_close(r);
    return rc;
}

libro_code
libro_registry_open(libro_registry **out, const char *path, libro_error *err)
{
    return open_registry(out, path, false, err);
}

libro_code
libro_registry_open_read_only(libro_registry **out, const char *path, libro_error *err)
{
    return open_registry(out, path, true, err);
}

bool
libro_registry_poisoned(const libro_registry *r)
{
    return r != NULL && r->store.ops->poisoned(r->store.h);
}

void
libro_registry_close(libro_registry *r)
{
    if (r == NULL) {
        return;
    }
    if (r->store.ops != NULL) {
        r->store.ops->close(r->store.h);
    }
    libro_free(r->charter);
    libro_credential_free(r->community);
    libro_free(r->authorization);
    libro_registry__auth_memo_clear(r);
    libro_free(r);
}

const char *
libro_registry_charter(const libro_registry *r)
{
    return r == NULL ? NULL : r->charter;
}

const char *
libro_registry_authorization(const libro_registry *r)
{
    return r == NULL ? NULL : r->authorization;
}

int
libro_registry_schema_version(const libro_registry *r)
{
    return r == NULL ? 0 : r->store.ops->schema_version(r->store.h);
}

libro_code
libro_registry__integrity_check(libro_registry *r, libro_error *err)
{
    return r->store.ops->integrity_check(r->store.h, err);
}

/* ---- types -------------------------------------------------------------------------------- */

static bool
op_ok(const char op[3])
{
    static const char *const ops[] = {">=", ">", "==", "<=", "<"};
    size_t i;

    for (i = 0; i < LIBRO_NELEM(ops); i++) {
        if (strncmp(op, ops[i], 3) == 0) {
            return true;
        }
    }
    return false;
}

static libro_code
type_check(const libro_license_type *t, libro_buf *requirements, libro_error *err)
{
    size_t i;
    libro_code rc;

    if (!type_id_ok(t->id)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "license type id must be 1 to %u bytes of [a-z0-9-]",
                               LIBRO_MAX_TYPE_ID_BYTES);
    }
    if (t->validity_days < 1 || t->validity_days > LIBRO_MAX_VALIDITY_DAYS) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "license type %.64s: validity must be 1 to %u days", t->id,
                               LIBRO_MAX_VALIDITY_DAYS);
    }
    /* A window longer than the validity would open renewal before the license starts. */
    if (t->renewal_window_days > t->validity_days) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "license type %.64s: renewal window longer than the validity",
                               t->id);
    }
    if (t->grace_days > LIBRO_MAX_VALIDITY_DAYS) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "license type %.64s: grace period longer than %u days", t->id,
                               LIBRO_MAX_VALIDITY_DAYS);
    }
    if (libro_renewal_from_name(t->renewal_from) == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "license type %.64s: renewals run from expiry or now", t->id);
    }
    if (t->n_requirements > LIBRO_MAX_REQUIREMENTS) {
        return libro_error_set(err, LIBRO_ERR_LIMIT,
                               "license type %.64s: more than %u requirements", t->id,
                               LIBRO_MAX_REQUIREMENTS);
    }
    if (t->requirements == NULL && t->n_requirements > 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "license type: requirements is NULL");
    }
    for (i = 0; i < t->n_requirements; i++) {
        const libro_requirement *q = &t->requirements[i];

        if (q->evidence == NULL ||
            !libro_registry__evidence_name_ok(
                q->evidence, strnlen(q->evidence, LIBRO_REGISTRY_MAX_EVIDENCE_NAME + 1)) ||
            !op_ok(q->op) || q->value < 0) {
            return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                                   "license type %.64s: requirement %zu is malformed", t->id,
                                   i + 1);
        }
    }
    rc = libro_requirements_format(requirements, t->requirements, t->n_requirements, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    return libro_buf_append(requirements, "", 0, err); /* data non-NULL even when empty */
}

libro_code
libro_requirements_format(libro_buf *out, const libro_requirement *r, size_t n, libro_error *err)
{
    libro_code rc = LIBRO_OK;

    for (size_t i = 0; rc == LIBRO_OK && i < n; i++) {
        rc = libro_buf_printf(out, err, "%s%s %s %" PRId64, i == 0 ? "" : ", ", r[i].evidence,
                              r[i].op, r[i].value);
    }
    return rc;
}

static libro_code
define_type_once(libro_registry *r, const libro_request_id *req, const libro_license_type *t,
                 const char *actor, libro_error *err)
{
    libro_buf requirements = LIBRO_BUF_INIT;
    bool in_tx = false;
    libro_code rc;

    if (r == NULL || t == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "define type: NULL argument");
        goto out;
    }
    rc = libro_registry__text_check(actor, "actor", 1, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = type_check(t, &requirements, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_registry__write_begin(r, req, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    in_tx = true;
    rc = r->store.ops->type_put(r->store.h, t, (const char *) requirements.data, actor, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_registry__log_type(r, t, (const char *) requirements.data, actor, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = r->store.ops->commit(r->store.h, err);
    if (rc == LIBRO_OK) {
        in_tx = false;
    }
out:
    if (in_tx) {
        r->store.ops->rollback(r->store.h);
    }
    libro_buf_free(&requirements);
    return rc;
}

libro_code
libro_registry_define_type(libro_registry *r, const libro_request_id *req,
                           const libro_license_type *t, const char *actor, libro_error *err)
{
    libro_code rc;

    LIBRO_REGISTRY__RETRY(rc, r, err, define_type_once(r, req, t, actor, err));
    return rc;
}

/* Read a type inside the caller's transaction. */
static libro_code
load_type(libro_registry *r, libro_license_type *out, const char *id, libro_error *err)
{
    char *text = NULL;
    libro_code rc;

    rc = r->store.ops->type_get(r->store.h, out, &text, id, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc =
        libro_requirements_parse(&out->requirements, &out->n_requirements, text, strlen(text), err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "stored license type");
        libro_license_type_clear(out);
    }
out:
    libro_free(text);
    return rc;
}

libro_code
libro_registry_get_type(libro_registry *r, libro_license_type *out, const char *id,
                        libro_error *err)
{
    if (r == NULL || out == NULL || id == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "get type: NULL argument");
    }
    return load_type(r, out, id, err);
}

/* ---- status indexes ----------------------------------------------------------------------- */

libro_code
libro_registry__pick_list(uint32_t *list, uint32_t current, uint64_t used, uint64_t entries,
                          libro_error *err)
{
    *list = current;
    /* used / entries >= 7/8, in integers. */
    if (used * 8 >= entries * 7) {
        if (current == UINT32_MAX) {
            return libro_error_set(err, LIBRO_ERR_LIMIT, "status lists exhausted");
        }
        *list = current + 1;
    }
    return LIBRO_OK;
}

libro_code
libro_registry__random_index(uint32_t *out, uint32_t entries, libro_error *err)
{
    /* The largest multiple of `entries` that fits in 2^32: draws at or above it would make the
     * low indexes likelier, so they are drawn again. */
    uint64_t limit;
    libro_code rc;

    *out = 0;
    if (entries == 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "status list has no entries");
    }
    limit = (UINT64_C(1) << 32) - ((UINT64_C(1) << 32) % entries);
    for (;;) {
        unsigned char b[4];
        uint32_t v;

        rc = libro_random_bytes(b, sizeof b, err);
        if (rc != LIBRO_OK) {
            return rc;
        }
        v = (uint32_t) b[0] << 24 | (uint32_t) b[1] << 16 | (uint32_t) b[2] << 8 | b[3];
        if (v < limit) {
            *out = v % entries;
            return LIBRO_OK;
        }
    }
}

libro_code
libro_registry__reserve(libro_registry *r, const libro_request_id *req, uint32_t entries,
                        uint32_t *list, uint32_t *index, libro_error *err)
{
    return libro_registry__reserve_in(r, req, LIBRO_SPACE_LICENSES, entries, list, index, err);
}

static libro_code
reserve_in_once(libro_registry *r, const libro_request_id *req, libro_store_space space,
                uint32_t entries, uint32_t *list, uint32_t *index, libro_error *err)
{
    uint32_t current = 0;
    uint32_t chosen = 0;
    uint64_t used = 0;
    bool in_tx = false;
    libro_code rc;
    int attempt;

    if (r == NULL || list == NULL || index == NULL || entries == 0) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "reserve status: NULL argument");
        goto out;
    }
    *list = 0;
    *index = 0;
    rc = libro_registry__write_begin(r, req, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    in_tx = true;
    rc = r->store.ops->slot_current(r->store.h, space, &current, &used, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_registry__pick_list(&chosen, current, used, entries, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    for (attempt = 0; attempt < RESERVE_ATTEMPTS; attempt++) {
        uint32_t candidate = 0;

        rc = libro_registry__random_index(&candidate, entries, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        rc = r->store.ops->slot_reserve(r->store.h, space, chosen, candidate, err);
        if (rc == LIBRO_OK) {
            *index = candidate;
            break;
        }
        if (rc != LIBRO_ERR_EXISTS) {
            goto out;
        }
    }
    if (rc != LIBRO_OK) {
        rc = libro_error_set(err, LIBRO_ERR_LIMIT, "no free status index found in list %u",
                             (unsigned) chosen);
        goto out;
    }
    rc = r->store.ops->commit(r->store.h, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    in_tx = false;
    *list = chosen;
out:
    if (in_tx) {
        r->store.ops->rollback(r->store.h);
        *index = 0;
    }
    return rc;
}

libro_code
libro_registry__reserve_in(libro_registry *r, const libro_request_id *req, libro_store_space space,
                           uint32_t entries, uint32_t *list, uint32_t *index, libro_error *err)
{
    libro_code rc;

    LIBRO_REGISTRY__RETRY(rc, r, err, reserve_in_once(r, req, space, entries, list, index, err));
    return rc;
}

libro_code
libro_registry_reserve_status(libro_registry *r, const libro_request_id *req, uint32_t *list,
                              uint32_t *index, libro_error *err)
{
    return libro_registry__reserve(r, req, LIBRO_STATUS_LIST_MIN_ENTRIES, list, index, err);
}

libro_code
libro_registry__set_status(libro_registry *r, libro_store_space space, uint32_t list,
                           uint32_t index, bool revoked, bool suspended, unsigned word,
                           libro_error *err)
{
    libro_code rc = r->store.ops->status_set(r->store.h, space, list, index,
                                             LIBRO_STATUS_REVOCATION, revoked ? 1u : 0u, err);

    if (rc == LIBRO_OK) {
        rc = r->store.ops->status_set(r->store.h, space, list, index, LIBRO_STATUS_SUSPENSION,
                                      suspended ? 1u : 0u, err);
    }
    if (rc == LIBRO_OK) {
        rc = r->store.ops->status_set(r->store.h, space, list, index, LIBRO_STATUS_MESSAGE, word,
                                      err);
    }
    return rc;
}

/* The status bits are a function of the state: revocation set for revoked and surrendered
 * (both final: a surrendered license must read as no longer valid, and the revocation list is
 * the one a verifier treats as final, including one that reads no message list), suspension
 * set only while suspended, and the message list's word "surrendered" or "lapsed" for those
 * states, "active" (0) otherwise. Writing all three on every change keeps that true whatever
 * the previous bits were. */
static libro_code
write_bits(libro_registry *r, const libro_license_record *rec, libro_license_state state,
           libro_error *err)
{
    unsigned word = state == LIBRO_STATE_SURRENDERED ? LIBRO_WORD_SURRENDERED
                    : state == LIBRO_STATE_LAPSED    ? LIBRO_WORD_LAPSED
                                                     : LIBRO_WORD_ACTIVE;

    return libro_registry__set_status(r, LIBRO_SPACE_LICENSES, rec->status_list, rec->status_index,
                                      state == LIBRO_STATE_REVOKED ||
                                          state == LIBRO_STATE_SURRENDERED,
                                      state == LIBRO_STATE_SUSPENDED, word, err);
}

/* ---- register, renew, change, tick -------------------------------------------------------- */

static libro_code
dup_into(char **dst, const char *src, libro_error *err)
{
    *dst = libro_strndup(src, strlen(src));
    return *dst == NULL ? libro_registry__nomem(err) : LIBRO_OK;
}

/* validUntil - validFrom within the type's validity. */
static libro_code
validity_check(const libro_credential *c, const libro_license_type *t, libro_error *err)
{
    if (!libro_rules_span_ok(c->valid_from, c->valid_until, t->validity_days)) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "credential runs longer than the %" PRIu32
                               " days of license type %.64s",
                               t->validity_days, t->id);
    }
    return LIBRO_OK;
}

static libro_code
register_once(libro_registry *r, const libro_request_id *req, const char *credential, uint32_t list,
              uint32_t index, const char *actor, int64_t now, libro_error *err)
{
    libro_credential *c = NULL;
    libro_license_type type = {0};
    libro_license_record rec = {0};
    libro_license_record existing = {0};
    libro_store_event ev = {0};
    bool reserved = false;
    bool in_use = false;
    bool in_tx = false;
    libro_code rc;

    if (r == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "register: NULL registry");
        goto out;
    }
    rc = libro_registry__text_check(actor, "actor", 1, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = parse_license(&c, r, credential, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_registry__write_begin(r, req, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    in_tx = true;
    rc = load_type(r, &type, c->license_type, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = validity_check(c, &type, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = r->store.ops->license_get(r->store.h, &existing, c->license_number, err);
    if (rc == LIBRO_OK) {
        rc = libro_error_set(err, LIBRO_ERR_EXISTS, "license %.64s is already registered",
                             c->license_number);
        goto out;
    }
    if (rc != LIBRO_ERR_NOT_FOUND) {
        goto out;
    }
    rc = r->store.ops->slot_state(r->store.h, LIBRO_SPACE_LICENSES, list, index, &reserved, &in_use,
                                  err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (!reserved) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED, "status index %u of list %u is not reserved",
                             (unsigned) index, (unsigned) list);
        goto out;
    }
    if (in_use) {
        rc = libro_error_set(err, LIBRO_ERR_EXISTS,
                             "status index %u of list %u is used by another license",
                             (unsigned) index, (unsigned) list);
        goto out;
    }
    rc = libro_registry__check_entries(c, LIBRO_SPACE_LICENSES, list, index, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rec.version = 1;
    rec.state = LIBRO_STATE_ACTIVE;
    rec.valid_from = c->valid_from;
    rec.valid_until = c->valid_until;
    rec.status_list = list;
    rec.status_index = index;
    if ((rc = dup_into(&rec.number, c->license_number, err)) != LIBRO_OK ||
        (rc = dup_into(&rec.license_type, c->license_type, err)) != LIBRO_OK ||
        (rc = dup_into(&rec.holder_name, c->name, err)) != LIBRO_OK ||
        (rc = dup_into(&rec.issuer, c->issuer, err)) != LIBRO_OK ||
        (rc = dup_into(&rec.credential, credential, err)) != LIBRO_OK) {
        goto out;
    }
    rc = r->store.ops->license_put(r->store.h, &rec, true, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = write_bits(r, &rec, rec.state, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    ev.at = now;
    ev.action = LIBRO_ACTION_ISSUE;
    ev.actor = actor;
    ev.reason = "";
    ev.from = (libro_license_state) 0; /* no state before issue */
    ev.to = LIBRO_STATE_ACTIVE;
    ev.version = 1;
    ev.credential = credential;
    rc = libro_registry__record_event(r, rec.number, &ev, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = r->store.ops->commit(r->store.h, err);
    if (rc == LIBRO_OK) {
        in_tx = false;
    }
out:
    if (in_tx) {
        r->store.ops->rollback(r->store.h);
    }
    libro_license_record_clear(&existing);
    libro_license_record_clear(&rec);
    libro_license_type_clear(&type);
    libro_credential_free(c);
    return rc;
}

libro_code
libro_registry_register(libro_registry *r, const libro_request_id *req, const char *credential,
                        uint32_t list, uint32_t index, const char *actor, int64_t now,
                        libro_error *err)
{
    libro_code rc;

    LIBRO_REGISTRY__RETRY(rc, r, err,
                          register_once(r, req, credential, list, index, actor, now, err));
    return rc;
}

static libro_code
renew_once(libro_registry *r, const libro_request_id *req, const char *number,
           const char *credential, const libro_evidence *evidence, size_t n, const char *actor,
           const char *reason, int64_t now, libro_error *err)
{
    libro_credential *c = NULL;
    libro_license_type type = {0};
    libro_license_record rec = {0};
    libro_store_event ev = {0};
    libro_license_state next = LIBRO_STATE_ACTIVE;
    libro_license_state before;
    int64_t term_from = 0;
    int64_t term_until = 0;
    char *ev_text = NULL;
    char *cred_copy = NULL;
    char *issuer_copy = NULL;
    bool in_tx = false;
    libro_code rc;

    if (r == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "renew: NULL registry");
        goto out;
    }
    if ((rc = number_check(number, err)) != LIBRO_OK ||
        (rc = libro_registry__text_check(actor, "actor", 1, err)) != LIBRO_OK ||
        (rc = libro_registry__text_check(reason, "reason", 0, err)) != LIBRO_OK ||
        (rc = evidence_text(&ev_text, evidence, n, err)) != LIBRO_OK) {
        goto out;
    }
    rc = parse_license(&c, r, credential, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_registry__write_begin(r, req, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    in_tx = true;
    rc = r->store.ops->license_get(r->store.h, &rec, number, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = load_type(r, &type, rec.license_type, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_lifecycle_next(&next, rec.state, LIBRO_ACTION_RENEW, &type, rec.valid_until, now,
                              err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (strcmp(c->license_number, rec.number) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED, "credential is for license %.64s, not %.64s",
                             c->license_number, rec.number);
        goto out;
    }
    if (strcmp(c->license_type, rec.license_type) != 0) {
        rc =
            libro_error_set(err, LIBRO_ERR_DENIED, "credential is of license type %.64s, not %.64s",
                            c->license_type, rec.license_type);
        goto out;
    }
    if (strcmp(c->name, rec.holder_name) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED, "credential names another holder");
        goto out;
    }
    /* A renewal runs from now (or later, e.g. from the old validUntil) for at most the type's
     * validity; the skew allows for the issuer's clock. A validFrom in the past would let a
     * renewal backdate the license. */
    if (c->valid_from < now - LIBRO_REGISTRY_SKEW_SECONDS) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED,
                             "credential validFrom lies more than 5 minutes in the past");
        goto out;
    }
    rc = validity_check(c, &type, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    /* The type's rule for the new term (libro_renewal_term, as the issuer applies it): a type
     * that renews from the time of renewal forfeits the days left, so its credential may not
     * run past now + validity. */
    libro_renewal_term(&term_from, &term_until, &type, rec.valid_until, now);
    if (c->valid_until > term_until + LIBRO_REGISTRY_SKEW_SECONDS) {
        char want[LIBRO_TIME_TEXT_MAX];

        rc = libro_error_set(err, LIBRO_ERR_DENIED,
                             "credential runs past %s, the end of the renewed term (license type "
                             "%.64s renews from %s)",
                             libro_time_format(want, term_until, NULL) == LIBRO_OK ? want : "?",
                             type.id, libro_renewal_from_name(type.renewal_from));
        goto out;
    }
    /* Same status index as before (docs/credentials.md, "Status"): a renewal that named other
     * entries would leave verifiers reading bits the registry never sets. */
    rc = libro_registry__check_entries(c, LIBRO_SPACE_LICENSES, rec.status_list, rec.status_index,
                                       err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_requirements_check(&type, evidence, n, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((rc = dup_into(&cred_copy, credential, err)) != LIBRO_OK ||
        (rc = dup_into(&issuer_copy, c->issuer, err)) != LIBRO_OK) {
        goto out;
    }
    if (rec.version == UINT32_MAX) {
        rc = libro_error_set(err, LIBRO_ERR_LIMIT, "license %.64s has too many versions", number);
        goto out;
    }
    before = rec.state;
    rec.version++;
    rec.state = next;
    rec.valid_from = c->valid_from;
    rec.valid_until = c->valid_until;
    libro_free(rec.credential);
    rec.credential = cred_copy;
    cred_copy = NULL;
    libro_free(rec.issuer);
    rec.issuer = issuer_copy;
    issuer_copy = NULL;
    rc = r->store.ops->license_put(r->store.h, &rec, false, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = write_bits(r, &rec, rec.state, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    ev.at = now;
    ev.action = LIBRO_ACTION_RENEW;
    ev.actor = actor;
    ev.reason = (reason == NULL ? "" : reason);
    ev.from = before;
    ev.to = next;
    ev.version = rec.version;
    ev.evidence = ev_text;
    ev.credential = credential;
    rc = libro_registry__record_event(r, rec.number, &ev, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = r->store.ops->commit(r->store.h, err);
    if (rc == LIBRO_OK) {
        in_tx = false;
    }
out:
    if (in_tx) {
        r->store.ops->rollback(r->store.h);
    }
    libro_free(issuer_copy);
    libro_free(cred_copy);
    libro_free(ev_text);
    libro_license_record_clear(&rec);
    libro_license_type_clear(&type);
    libro_credential_free(c);
    return rc;
}

libro_code
libro_registry_renew(libro_registry *r, const libro_request_id *req, const char *number,
                     const char *credential, const libro_evidence *evidence, size_t n,
                     const char *actor, const char *reason, int64_t now, libro_error *err)
{
    libro_code rc;

    LIBRO_REGISTRY__RETRY(
        rc, r, err, renew_once(r, req, number, credential, evidence, n, actor, reason, now, err));
    return rc;
}

/* Apply `action` to `rec` (read in the current transaction): the lifecycle check, the new
 * state, the status bits and the event. */
static libro_code
apply(libro_registry *r, libro_license_record *rec, libro_action action,
      libro_reason_category category, const libro_license_type *type, const char *actor,
      const char *reason, int64_t now, libro_error *err)
{
    libro_store_event ev = {0};
    libro_license_state next = rec->state;
    libro_code rc;

    rc = libro_lifecycle_next(&next, rec->state, action, type, rec->valid_until, now, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    ev.at = now;
    ev.action = action;
    ev.actor = actor;
    ev.reason = (reason == NULL ? "" : reason);
    ev.category = category;
    ev.from = rec->state;
    ev.to = next;
    ev.version = rec->version;
    rec->state = next;
    rc = r->store.ops->license_put(r->store.h, rec, false, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    rc = write_bits(r, rec, next, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    return libro_registry__record_event(r, rec->number, &ev, err);
}

/* The category a person's `action` records for `given` (libro_registry_change_categorized). */
static libro_code
category_for(libro_reason_category *out, libro_action action, libro_reason_category given,
             libro_error *err)
{
    *out = given;
    if (given != LIBRO_CATEGORY_NONE && libro_reason_category_name(given) == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "change: unknown reason category %d",
                               (int) given);
    }
    if (action == LIBRO_ACTION_REINSTATE) {
        if (given != LIBRO_CATEGORY_NONE) {
            return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                                   "a reinstatement takes no reason category");
        }
        return LIBRO_OK;
    }
    if (given == LIBRO_CATEGORY_NON_RENEWAL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "the category non-renewal is the clock's (expire and lapse)");
    }
    if (given == LIBRO_CATEGORY_NONE) {
        *out = LIBRO_CATEGORY_OTHER;
    }
    return LIBRO_OK;
}

static libro_code
change_once(libro_registry *r, const libro_request_id *req, const char *number, libro_action action,
            libro_reason_category given, const char *actor, const char *reason, int64_t now,
            libro_error *err)
{
    libro_reason_category category = LIBRO_CATEGORY_NONE;
    libro_license_record rec = {0};
    bool in_tx = false;
    libro_code rc;

    if (r == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "change: NULL registry");
        goto out;
    }
    if (action != LIBRO_ACTION_SUSPEND && action != LIBRO_ACTION_REINSTATE &&
        action != LIBRO_ACTION_REVOKE && action != LIBRO_ACTION_SURRENDER) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                             "change: action must be suspend, reinstate, revoke or surrender");
        goto out;
    }
    if ((rc = category_for(&category, action, given, err)) != LIBRO_OK ||
        (rc = number_check(number, err)) != LIBRO_OK ||
        (rc = libro_registry__text_check(actor, "actor", 1, err)) != LIBRO_OK ||
        (rc = libro_registry__text_check(reason, "reason", 1, err)) != LIBRO_OK) {
        goto out;
    }
    rc = libro_registry__write_begin(r, req, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    in_tx = true;
    rc = r->store.ops->license_get(r->store.h, &rec, number, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = apply(r, &rec, action, category, NULL, actor, reason, now, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = r->store.ops->commit(r->store.h, err);
    if (rc == LIBRO_OK) {
        in_tx = false;
    }
out:
    if (in_tx) {
        r->store.ops->rollback(r->store.h);
    }
    libro_license_record_clear(&rec);
    return rc;
}

libro_code
libro_registry_change(libro_registry *r, const libro_request_id *req, const char *number,
                      libro_action action, const char *actor, const char *reason, int64_t now,
                      libro_error *err)
{
    return libro_registry_change_categorized(r, req, number, action, LIBRO_CATEGORY_NONE, actor,
                                             reason, now, err);
}

libro_code
libro_registry_change_categorized(libro_registry *r, const libro_request_id *req,
                                  const char *number, libro_action action,
                                  libro_reason_category category, const char *actor,
                                  const char *reason, int64_t now, libro_error *err)
{
    libro_code rc;

    LIBRO_REGISTRY__RETRY(rc, r, err,
                          change_once(r, req, number, action, category, actor, reason, now, err));
    return rc;
}

/* One clock pass over the licenses in `state` whose validUntil has passed. */
static libro_code
tick_pass(libro_registry *r, libro_license_state state, libro_action action, int64_t now,
          size_t *changed, libro_error *err)
{
    libro_license_record *due = NULL;
    libro_license_type type = {0};
    size_t n = 0;
    size_t i;
    libro_code rc;

    rc = r->store.ops->license_due(r->store.h, &due, &n, state, now, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    for (i = 0; i < n; i++) {
        libro_error quiet = LIBRO_ERROR_INIT;

        libro_license_type_clear(&type);
        rc = load_type(r, &type, due[i].license_type, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        /* Not yet due (a lapse still in grace) is the lifecycle's DENIED: skip it. */
        rc = libro_lifecycle_next(&(libro_license_state){0}, due[i].state, action, &type,
                                  due[i].valid_until, now, &quiet);
        if (rc == LIBRO_ERR_DENIED) {
            rc = LIBRO_OK;
            continue;
        }
        rc = apply(r, &due[i], action, LIBRO_CATEGORY_NON_RENEWAL, &type,
                   LIBRO_REGISTRY_CLOCK_ACTOR, "", now, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        (*changed)++;
    }
out:
    libro_license_type_clear(&type);
    libro_license_records_free(due, n);
    return rc;
}

static libro_code
tick_once(libro_registry *r, int64_t now, size_t *changed, libro_error *err)
{
    size_t count = 0;
    bool in_tx = false;
    libro_code rc;

    if (changed != NULL) {
        *changed = 0;
    }
    if (r == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "tick: NULL registry");
        goto out;
    }
    rc = libro_registry__write_begin(r, NULL, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    in_tx = true;
    /* Expire first: a license found long after its grace period expires and then lapses in
     * the same run, leaving both events. */
    rc = tick_pass(r, LIBRO_STATE_ACTIVE, LIBRO_ACTION_EXPIRE, now, &count, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = tick_pass(r, LIBRO_STATE_EXPIRED, LIBRO_ACTION_LAPSE, now, &count, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_registry__tick_mandates(r, now, &count, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = r->store.ops->commit(r->store.h, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    in_tx = false;
    if (changed != NULL) {
        *changed = count;
    }
out:
    if (in_tx) {
        r->store.ops->rollback(r->store.h);
    }
    return rc;
}

libro_code
libro_registry_tick(libro_registry *r, int64_t now, size_t *changed, libro_error *err)
{
    libro_code rc;

    LIBRO_REGISTRY__RETRY(rc, r, err, tick_once(r, now, changed, err));
    return rc;
}

/* ---- reads -------------------------------------------------------------------------------- */

libro_code
libro_registry_get(libro_registry *r, libro_license_record *out, libro_license_event **events,
                   size_t *n_events, const char *number, libro_error *err)
{
    libro_license_record rec = {0};
    libro_license_event *ev = NULL;
    size_t n = 0;
    bool in_tx = false;
    libro_code rc;

    if (r == NULL || out == NULL || (events == NULL) != (n_events == NULL)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "get: NULL argument");
    }
    memset(out, 0, sizeof *out);
    if (events != NULL) {
        *events = NULL;
        *n_events = 0;
    }
    rc = number_check(number, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    /* One snapshot: the record and its history agree even while another process writes. */
    rc = r->store.ops->begin_read(r->store.h, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    in_tx = true;
    rc = r->store.ops->license_get(r->store.h, &rec, number, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (events != NULL) {
        rc = r->store.ops->event_list(r->store.h, &ev, &n, number, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
    }
    rc = r->store.ops->commit(r->store.h, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    in_tx = false;
    *out = rec;
    memset(&rec, 0, sizeof rec); /* moved to caller */
    if (events != NULL) {
        *events = ev;
        *n_events = n;
        ev = NULL;
        n = 0;
    }
out:
    if (in_tx) {
        r->store.ops->rollback(r->store.h);
    }
    libro_license_events_free(ev, n);
    libro_license_record_clear(&rec);
    return rc;
}

libro_code
libro_registry_counts(libro_registry *r, size_t counts[7], libro_error *err)
{
    if (r == NULL || counts == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "counts: NULL argument");
    }
    return r->store.ops->license_counts(r->store.h, counts, err);
}

struct status_fill {
    libro_bitstring *bits;
    unsigned size; /* statusSize */
};

static libro_code
set_status(void *ctx, uint32_t index, unsigned value, libro_error *err)
{
    const struct status_fill *f = ctx;

    if (index >= f->bits->n_entries / f->size || value == 0 || value >> f->size != 0) {
        return libro_error_set(err, LIBRO_ERR_IO, "database: status %u of index %u out of range",
                               value, (unsigned) index);
    }
    libro_bitstring_set_value(f->bits, index, f->size, value);
    return LIBRO_OK;
}

libro_code
libro_registry_status_bits(libro_registry *r, struct libro_bitstring *out, uint32_t list,
                           int purpose, libro_error *err)
{
    return libro_registry__status_bits_in(r, LIBRO_SPACE_LICENSES, out, list, purpose, err);
}

libro_code
libro_registry_mandate_status_bits(libro_registry *r, struct libro_bitstring *out, uint32_t list,
                                   int purpose, libro_error *err)
{
    return libro_registry__status_bits_in(r, LIBRO_SPACE_MANDATES, out, list, purpose, err);
}

libro_code
libro_registry__status_bits_in(libro_registry *r, libro_store_space space,
                               struct libro_bitstring *out, uint32_t list, int purpose,
                               libro_error *err)
{
    libro_bitstring bits = {NULL, 0};
    struct status_fill fill = {&bits, 0};
    libro_code rc;

    if (r == NULL || out == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "status bits: NULL argument");
    }
    memset(out, 0, sizeof *out);
    fill.size = libro_status_purpose_size((libro_status_purpose) purpose);
    if (fill.size == 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "status bits: purpose must be 1 (revocation), 2 (suspension) or "
                               "3 (message)");
    }
    /* §3.2: at least the minimum number of statuses, of statusSize bits each. */
    rc = libro_bitstring_new(&bits, (size_t) LIBRO_STATUS_LIST_MIN_ENTRIES * fill.size, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = r->store.ops->status_each(r->store.h, space, list, purpose, set_status, &fill, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    *out = bits;
    memset(&bits, 0, sizeof bits); /* moved to caller */
out:
    libro_bitstring_free(&bits);
    return rc;
}

/* ---- for the HTTP API (registry/src/http) -------------------------------------------------- */

libro_code
libro_registry__last_list(libro_registry *r, uint32_t *list, libro_error *err)
{
    return libro_registry__last_list_in(r, LIBRO_SPACE_LICENSES, list, err);
}

libro_code
libro_registry__lists_in_use(libro_registry *r, libro_store_space space, uint64_t *count,
                             libro_error *err)
{
    uint32_t list = 0;
    uint64_t used = 0;
    libro_code rc = r->store.ops->slot_current(r->store.h, space, &list, &used, err);

    *count = rc == LIBRO_OK && used > 0 ? (uint64_t) list + 1 : 0;
    return rc;
}

void
libro_registry__set_status_observer(libro_registry *r, libro_registry__status_fn fn, void *ctx)
{
    r->store.ops->set_status_observer(r->store.h, fn, ctx);
}

libro_code
libro_registry__status_versions(libro_registry *r, libro_store_status_version **out, size_t *n,
                                libro_error *err)
{
    return r->store.ops->status_versions(r->store.h, out, n, err);
}

libro_code
libro_registry__last_list_in(libro_registry *r, libro_store_space space, uint32_t *list,
                             libro_error *err)
{
    uint64_t used = 0;

    *list = 0;
    if (r == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "last list: NULL registry");
    }
    return r->store.ops->slot_current(r->store.h, space, list, &used, err);
}
