/* libro_registry: responsibility agreements (docs/operations.md, "Agreements"). The registry
 * records only COMPLETE agreements (core's libro_agreement_check, the one rule the issuer and
 * the verifier share), their amendments (a new COMPLETE version naming the old one, which every
 * party of the old one signed) and their ends (a signed end statement: one party's notice, or
 * every party's mutual end). Each write is one transaction with its log leaves. */
#include <string.h>

#include "libro/agreement.h"
#include "libro/json_int.h"
#include "libro/jws.h"
#include "libro/key.h"
#include "libro/time.h"
#include "libro/util.h"
#include "registry_int.h"
#include "store.h"

/* ---- names and records -------------------------------------------------------------------- */

const char *
libro_agreement_state_name(libro_agreement_state s)
{
    switch (s) {
    case LIBRO_AGREEMENT_IN_FORCE:
        return "in force";
    case LIBRO_AGREEMENT_ENDED:
        return "ended";
    case LIBRO_AGREEMENT_SUPERSEDED:
        return "superseded";
    }
    return NULL;
}

const char *
libro_agreement_end_name(libro_agreement_end how)
{
    switch (how) {
    case LIBRO_AGREEMENT_END_NOTICE:
        return "notice";
    case LIBRO_AGREEMENT_END_MUTUAL:
        return "mutual";
    }
    return NULL;
}

void
libro_agreement_record_clear(libro_agreement_record *a)
{
    if (a == NULL) {
        return;
    }
    for (size_t i = 0; a->parties != NULL && i < a->n_parties; i++) {
        libro_free(a->parties[i].id);
        libro_free(a->parties[i].name);
        libro_free(a->parties[i].role);
    }
    libro_free(a->parties);
    libro_free(a->title);
    libro_free(a->community);
    libro_free(a->supersedes);
    libro_free(a->superseded_by);
    libro_free(a->end_by);
    libro_free(a->end_reason);
    libro_free(a->end_statement);
    libro_free(a->document);
    memset(a, 0, sizeof *a);
}

void
libro_agreement_records_free(libro_agreement_record *a, size_t n)
{
    if (a == NULL) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        libro_agreement_record_clear(&a[i]);
    }
    libro_free(a);
}

libro_agreement_state
libro_agreement_record_state(const libro_agreement_record *a, int64_t now)
{
    if (a->state == LIBRO_AGREEMENT_ENDED && now < a->ends_at) {
        return LIBRO_AGREEMENT_IN_FORCE; /* the notice is running */
    }
    return a->state;
}

static libro_code
hash_check(const char *hash, libro_error *err)
{
    if (hash == NULL || !libro_hash_ref_ok(hash, strnlen(hash, LIBRO_HASH_REF_LEN + 1))) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "a hash is \"sha256:\" and 64 lowercase hex digits");
    }
    return LIBRO_OK;
}

/* ---- the end statement -------------------------------------------------------------------- */

libro_code
libro_agreement_end_payload(libro_buf *out, const char *hash, libro_agreement_end how, int64_t at,
                            const char *reason, libro_error *err)
{
    const char *name = libro_agreement_end_name(how);
    json_t *o = NULL;
    libro_code rc;

    if (out == NULL || name == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "end statement: how is notice or mutual");
    }
    if ((rc = hash_check(hash, err)) != LIBRO_OK ||
        (rc = libro_registry__text_check(reason, "reason", 1, err)) != LIBRO_OK) {
        return rc;
    }
    o = json_pack("{s:s, s:s, s:o, s:s}", "agreement", hash, "end", name, "at",
                  libro_registry__time_json(at), "reason", reason);
    rc = o == NULL ? libro_error_set(err, LIBRO_ERR_INVALID_ARG, "end statement: bad time")
                   : libro_json__dump(out, o, err);
    json_decref(o);
    return rc;
}

/* The payload of a verified end statement, strictly: exactly its four members. */
static libro_code
parse_end_payload(const unsigned char *p, size_t len, const char *hash, libro_agreement_end *how,
                  int64_t *at, char **reason, libro_error *err)
{
    libro_json_limits lim = LIBRO_JSON_LIMITS_INIT;
    json_t *o = NULL;
    json_error_t jerr;
    const char *agreement = NULL;
    const char *end = NULL;
    const char *when = NULL;
    const char *why = NULL;
    libro_code rc;

    *reason = NULL;
    lim.max_bytes = LIBRO_MAX_CLAIMS_BYTES;
    rc = libro_json__load(&o, (const char *) p, len, &lim, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "end statement");
        goto out;
    }
    if (json_unpack_ex(o, &jerr, JSON_STRICT, "{s:s, s:s, s:s, s:s}", "agreement", &agreement,
                       "end", &end, "at", &when, "reason", &why) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "end statement: %s", jerr.text);
        goto out;
    }
    if (strcmp(agreement, hash) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED, "end statement: it names agreement %.71s",
                             agreement);
        goto out;
    }
    if (strcmp(end, "notice") == 0) {
        *how = LIBRO_AGREEMENT_END_NOTICE;
    } else if (strcmp(end, "mutual") == 0) {
        *how = LIBRO_AGREEMENT_END_MUTUAL;
    } else {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "end statement: end is notice or mutual");
        goto out;
    }
    if ((rc = libro_time_parse(at, when, strlen(when), err)) != LIBRO_OK) {
        libro_error_prefix(err, "end statement: at");
        goto out;
    }
    if ((rc = libro_registry__text_check(why, "end statement: reason", 1, err)) != LIBRO_OK) {
        goto out;
    }
    *reason = libro_registry__dup_or_null(why);
    rc = *reason == NULL ? libro_registry__nomem(err) : LIBRO_OK;
out:
    json_decref(o);
    return rc;
}

/* Verify every signature of the end statement `j` with the key of the party its kid names:
 * signed[i] says whether party i signed; *first is the party of the first signature. */
static libro_code
verify_end_signatures(libro_jws_json *j, const libro_credential *c, bool *signed_by, size_t *first,
                      libro_error *err)
{
    size_t n = libro_jws_json_count(j);
    libro_code rc = LIBRO_OK;

    *first = SIZE_MAX;
    for (size_t i = 0; rc == LIBRO_OK && i < n; i++) {
        const char *kid = libro_jws_json_kid(j, i);
        const char *tp = NULL;
        size_t id_len = 0;
        size_t p = SIZE_MAX;
        char got[LIBRO_THUMBPRINT_LEN + 1];

        if (!libro_jws_typ_is(libro_jws_json_typ(j, i), LIBRO_AGREEMENT_END_TYP)) {
            return libro_error_set(
                err, LIBRO_ERR_UNSUPPORTED,
                "end statement: signature %zu: typ is not " LIBRO_AGREEMENT_END_TYP, i + 1);
        }
        if (kid == NULL || libro_kid_split(kid, &id_len, &tp, err) != LIBRO_OK) {
            return libro_error_set(err, LIBRO_ERR_PARSE,
                                   "end statement: signature %zu: no kid \"<id>#<thumbprint>\"",
                                   i + 1);
        }
        for (size_t k = 0; k < c->n_parties; k++) {
            if (strlen(c->parties[k].id) == id_len && strncmp(c->parties[k].id, kid, id_len) == 0) {
                p = k;
            }
        }
        if (p == SIZE_MAX) {
            return libro_error_set(err, LIBRO_ERR_DENIED,
                                   "end statement: signature %zu: %.64s is not a party", i + 1,
                                   kid);
        }
        rc = libro_key_thumbprint(got, c->parties[p].key, err);
        if (rc == LIBRO_OK && strcmp(got, tp) != 0) {
            rc = libro_error_set(err, LIBRO_ERR_DENIED,
                                 "end statement: signature %zu: kid names another key than "
                                 "party %.64s's",
                                 i + 1, c->parties[p].id);
        }
        if (rc == LIBRO_OK &&
            (rc = libro_jws_json_verify(j, i, c->parties[p].key, err)) != LIBRO_OK) {
            libro_error_prefix(err, "end statement");
        }
        if (rc == LIBRO_OK) {
            signed_by[p] = true;
            *first = *first == SIZE_MAX ? p : *first;
        }
    }
    return rc;
}

/* "<id>, <id>" of the parties not in signed_by, appended to `b`. */
static libro_code
missing_parties(libro_buf *b, const libro_credential *c, const bool *signed_by, libro_error *err)
{
    libro_code rc = LIBRO_OK;
    bool any = false;

    for (size_t i = 0; rc == LIBRO_OK && i < c->n_parties; i++) {
        if (!signed_by[i]) {
            rc = libro_buf_printf(b, err, "%s%.64s", any ? ", " : "", c->parties[i].id);
            any = true;
        }
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(b, "", 1, err); /* NUL */
    }
    return rc;
}

/* ---- log leaves --------------------------------------------------------------------------- */

/* An agreement's leaf (docs/formats.md, "The registry log"). */
static libro_code
log_agreement(libro_registry *r, const char *hash, const char *action, int64_t at,
              const char *actor, const char *other_name, const char *other, libro_error *err)
{
    json_t *leaf = json_pack("{s:s, s:o, s:s, s:s, s:s}", "type", "agreement", "at",
                             libro_registry__time_json(at), "agreement", hash, "action", action,
                             "actor", actor);
    libro_code rc;

    if (leaf != NULL && other != NULL &&
        json_object_set_new(leaf, other_name, json_string(other)) != 0) {
        json_decref(leaf);
        leaf = NULL;
    }
    rc = libro_registry__log_leaf(r, leaf, err);
    json_decref(leaf);
    return rc;
}

/* ---- registering -------------------------------------------------------------------------- */

/* The record of a checked agreement (not yet registered). */
static libro_code
record_of(libro_agreement_record *rec, const libro_agreement *ag, const char *document, size_t len,
          int64_t now, libro_error *err)
{
    const libro_credential *c = ag->cred;

    memset(rec, 0, sizeof *rec);
    memcpy(rec->hash, ag->hash, LIBRO_REGISTRY_HASH_SIZE);
    rec->title = libro_registry__dup_or_null(c->title);
    rec->community = libro_registry__dup_or_null(c->community_id);
    rec->supersedes = libro_registry__dup_or_null(c->supersedes);
    rec->document = libro_strndup(document, len);
    rec->parties = libro_calloc(c->n_parties, sizeof *rec->parties);
    if (rec->title == NULL || rec->community == NULL || rec->document == NULL ||
        rec->parties == NULL || (c->supersedes != NULL && rec->supersedes == NULL)) {
        return libro_registry__nomem(err);
    }
    rec->n_parties = c->n_parties;
    for (size_t i = 0; i < c->n_parties; i++) {
        rec->parties[i].id = libro_registry__dup_or_null(c->parties[i].id);
        rec->parties[i].name = libro_registry__dup_or_null(c->parties[i].name);
        rec->parties[i].role = libro_registry__dup_or_null(c->parties[i].role);
        if (rec->parties[i].id == NULL || rec->parties[i].name == NULL ||
            rec->parties[i].role == NULL) {
            return libro_registry__nomem(err);
        }
    }
    rec->valid_from = c->valid_from;
    rec->valid_until = c->valid_until;
    rec->notice_days = c->notice_days;
    rec->mutual_only = c->mutual_only;
    rec->state = LIBRO_AGREEMENT_IN_FORCE;
    rec->registered_at = now;
    return LIBRO_OK;
}

/* Check a document for registration: COMPLETE, framed by the registry's community, not
 * over. *out owns the checked agreement. */
static libro_code
check_document(libro_agreement **out, const libro_registry *r, const char *document, size_t len,
               int64_t now, libro_error *err)
{
    libro_agreement *ag = NULL;
    libro_buf missing = LIBRO_BUF_INIT;
    libro_code rc;

    *out = NULL;
    if (memchr(document, '\0', len) != NULL) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "agreement: the document holds a NUL byte");
    }
    rc = libro_agreement_check(&ag, document, len, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "agreement");
        goto out;
    }
    if (ag->outcome != LIBRO_AGREEMENT_COMPLETE) {
        rc = missing_parties(&missing, ag->cred, ag->signed_by, err);
        if (rc == LIBRO_OK) {
            rc = libro_error_set(err, LIBRO_ERR_DENIED,
                                 "agreement: partial, %zu of %zu parties signed; missing: %.150s",
                                 ag->n_signed, ag->cred->n_parties, (const char *) missing.data);
        }
        goto out;
    }
    if (ag->cred->community_id == NULL ||
        strcmp(ag->cred->community_id, r->community->subject_id) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED,
                             "agreement: it is framed by the law of %.64s; this registry records "
                             "those of %.64s",
                             ag->cred->community_id == NULL ? "no community"
                                                            : ag->cred->community_id,
                             r->community->subject_id);
        goto out;
    }
    if (now > ag->cred->valid_until) {
        rc = libro_error_set(err, LIBRO_ERR_EXPIRED, "agreement: its term is over");
        goto out;
    }
    *out = ag;
    ag = NULL; /* moved to caller */
out:
    libro_buf_free(&missing);
    libro_agreement_free(ag);
    return rc;
}

/* Inside the caller's transaction: the version `rec` amends is in force, and every one of its
 * parties is a party of `rec` (so every one of them signed the amendment). *old receives it. */
static libro_code
check_amended(libro_registry *r, libro_agreement_record *old, const libro_agreement_record *rec,
              int64_t now, libro_error *err)
{
    libro_code rc = r->store.ops->agreement_get(r->store.h, old, rec->supersedes, err);

    if (rc == LIBRO_ERR_NOT_FOUND) {
        return libro_error_set(err, LIBRO_ERR_NOT_FOUND,
                               "agreement: the version it amends, %.71s, is not registered",
                               rec->supersedes);
    }
    if (rc != LIBRO_OK) {
        return rc;
    }
    if (old->state != LIBRO_AGREEMENT_IN_FORCE) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "agreement: the version it amends is %s; only one in force is "
                               "amended",
                               libro_agreement_state_name(libro_agreement_record_state(old, now)));
    }
    for (size_t i = 0; i < old->n_parties; i++) {
        bool found = false;

        for (size_t k = 0; k < rec->n_parties; k++) {
            found = found || strcmp(old->parties[i].id, rec->parties[k].id) == 0;
        }
        if (!found) {
            return libro_error_set(err, LIBRO_ERR_DENIED,
                                   "agreement: %.64s, a party of the version it amends, is no "
                                   "party of the amendment (end it instead)",
                                   old->parties[i].id);
        }
    }
    return LIBRO_OK;
}

static libro_code
register_agreement_once(libro_registry *r, const libro_request_id *req, const char *document,
                        size_t len, const char *actor, int64_t now,
                        char hash[LIBRO_REGISTRY_HASH_SIZE], libro_error *err)
{
    libro_agreement *ag = NULL;
    libro_agreement_record rec = {0};
    libro_agreement_record old = {0};
    bool in_tx = false;
    libro_code rc;

    if (r == NULL || document == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "agreement: NULL argument");
    }
    if ((rc = libro_registry__text_check(actor, "actor", 1, err)) != LIBRO_OK ||
        (rc = check_document(&ag, r, document, len, now, err)) != LIBRO_OK ||
        (rc = record_of(&rec, ag, document, len, now, err)) != LIBRO_OK) {
        goto out;
    }
    rc = libro_registry__write_begin(r, req, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    in_tx = true;
    if (rec.supersedes != NULL && (rc = check_amended(r, &old, &rec, now, err)) != LIBRO_OK) {
        goto out;
    }
    rc = r->store.ops->agreement_put(r->store.h, &rec, true, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = log_agreement(r, rec.hash, rec.supersedes != NULL ? "amend" : "register", now, actor,
                       "supersedes", rec.supersedes, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (rec.supersedes != NULL) {
        old.state = LIBRO_AGREEMENT_SUPERSEDED;
        old.superseded_by = libro_registry__dup_or_null(rec.hash);
        old.superseded_at = now;
        if (old.superseded_by == NULL) {
            rc = libro_registry__nomem(err);
            goto out;
        }
        if ((rc = r->store.ops->agreement_put(r->store.h, &old, false, err)) != LIBRO_OK ||
            (rc = log_agreement(r, old.hash, "superseded", now, actor, "supersededBy", rec.hash,
                                err)) != LIBRO_OK) {
            goto out;
        }
    }
    rc = r->store.ops->commit(r->store.h, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    in_tx = false;
    if (hash != NULL) {
        memcpy(hash, rec.hash, LIBRO_REGISTRY_HASH_SIZE);
    }
out:
    if (in_tx) {
        r->store.ops->rollback(r->store.h);
    }
    libro_agreement_record_clear(&old);
    libro_agreement_record_clear(&rec);
    libro_agreement_free(ag);
    return rc;
}

libro_code
libro_registry_register_agreement(libro_registry *r, const libro_request_id *req,
                                  const char *document, size_t len, const char *actor, int64_t now,
                                  char hash[LIBRO_REGISTRY_HASH_SIZE], libro_error *err)
{
    libro_code rc;

    LIBRO_REGISTRY__RETRY(rc, r, err,
                          register_agreement_once(r, req, document, len, actor, now, hash, err));
    return rc;
}

/* ---- ending ------------------------------------------------------------------------------- */

static libro_code
end_agreement_once(libro_registry *r, const libro_request_id *req, const char *hash,
                   const char *statement, size_t len, const char *actor, int64_t now,
                   libro_error *err)
{
    libro_jws_json *j = NULL;
    libro_agreement *ag = NULL;
    libro_agreement_record a = {0};
    libro_buf missing = LIBRO_BUF_INIT;
    bool signed_by[LIBRO_MAX_PARTIES] = {false};
    size_t first = SIZE_MAX;
    libro_agreement_end how = LIBRO_AGREEMENT_END_NOTICE;
    int64_t at = 0;
    char *reason = NULL;
    const unsigned char *payload;
    size_t payload_len = 0;
    bool in_tx = false;
    libro_code rc;

    if (r == NULL || statement == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "end agreement: NULL argument");
    }
    if ((rc = hash_check(hash, err)) != LIBRO_OK ||
        (rc = libro_registry__text_check(actor, "actor", 1, err)) != LIBRO_OK) {
        goto out;
    }
    rc = libro_jws_json_parse(&j, statement, len, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "end statement");
        goto out;
    }
    rc = libro_registry__write_begin(r, req, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    in_tx = true;
    rc = r->store.ops->agreement_get(r->store.h, &a, hash, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    /* The parties' keys are in the registered document, checked when it was registered. */
    rc = libro_agreement_check(&ag, a.document, strlen(a.document), err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "registered agreement");
        goto out;
    }
    if ((rc = verify_end_signatures(j, ag->cred, signed_by, &first, err)) != LIBRO_OK) {
        goto out;
    }
    payload = libro_jws_json_payload(j, &payload_len);
    if ((rc = parse_end_payload(payload, payload_len, hash, &how, &at, &reason, err)) != LIBRO_OK) {
        goto out;
    }
    if (a.state != LIBRO_AGREEMENT_IN_FORCE) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED, "agreement %.71s is %s already", hash,
                             a.state == LIBRO_AGREEMENT_ENDED ? "ending or ended" : "superseded");
        goto out;
    }
    /* The registry's clock and the parties' may differ by the skew, either way. */
    if (at > now + LIBRO_REGISTRY_SKEW_SECONDS ||
        at < a.registered_at - LIBRO_REGISTRY_SKEW_SECONDS || at > a.valid_until) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED,
                             "end statement: dated outside the agreement's time in the registry "
                             "(after its registration, within its term, not ahead of now)");
        goto out;
    }
    if (how == LIBRO_AGREEMENT_END_NOTICE && a.mutual_only) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED,
                             "agreement %.71s ends only by mutual agreement, not by notice", hash);
        goto out;
    }
    if (how == LIBRO_AGREEMENT_END_MUTUAL) {
        rc = missing_parties(&missing, ag->cred, signed_by, err);
        if (rc == LIBRO_OK && missing.len > 1) {
            rc = libro_error_set(err, LIBRO_ERR_DENIED,
                                 "end statement: a mutual end needs every party; missing: %.150s",
                                 (const char *) missing.data);
        }
        if (rc != LIBRO_OK) {
            goto out;
        }
    }
    a.state = LIBRO_AGREEMENT_ENDED;
    a.end = how;
    a.end_given_at = at;
    a.ends_at = how == LIBRO_AGREEMENT_END_MUTUAL ? at : at + (int64_t) a.notice_days * 86400;
    a.end_by = how == LIBRO_AGREEMENT_END_NOTICE
                   ? libro_registry__dup_or_null(ag->cred->parties[first].id)
                   : NULL;
    a.end_reason = reason;
    reason = NULL; /* moved to the record */
    a.end_statement = libro_strndup(statement, len);
    if (a.end_statement == NULL || (how == LIBRO_AGREEMENT_END_NOTICE && a.end_by == NULL)) {
        rc = libro_registry__nomem(err);
        goto out;
    }
    if ((rc = r->store.ops->agreement_put(r->store.h, &a, false, err)) != LIBRO_OK ||
        (rc = log_agreement(r, hash, how == LIBRO_AGREEMENT_END_NOTICE ? "notice" : "end", now,
                            actor, "reason", a.end_reason, err)) != LIBRO_OK) {
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
    libro_free(reason);
    libro_buf_free(&missing);
    libro_agreement_record_clear(&a);
    libro_agreement_free(ag);
    libro_jws_json_free(j);
    return rc;
}

libro_code
libro_registry_end_agreement(libro_registry *r, const libro_request_id *req, const char *hash,
                             const char *statement, size_t len, const char *actor, int64_t now,
                             libro_error *err)
{
    libro_code rc;

    LIBRO_REGISTRY__RETRY(rc, r, err,
                          end_agreement_once(r, req, hash, statement, len, actor, now, err));
    return rc;
}

/* ---- reads -------------------------------------------------------------------------------- */

/* The versions `a` belongs to, oldest first, inside the caller's read transaction. A chain is
 * at most as long as the agreements the registry holds; the bound stops a corrupted loop. */
static libro_code
chain_of(libro_registry *r, const libro_agreement_record *a, libro_agreement_record **out,
         size_t *n, libro_error *err)
{
    libro_agreement_record first = {0};
    libro_agreement_record *list = NULL;
    size_t count = 0;
    size_t cap = 0;
    char next[LIBRO_REGISTRY_HASH_SIZE];
    libro_code rc = LIBRO_OK;

    *out = NULL;
    *n = 0;
    memcpy(next, a->hash, sizeof next);
    /* Back to the first version. */
    for (const char *back = a->supersedes; back != NULL && count < 10000; count++) {
        libro_agreement_record_clear(&first);
        rc = r->store.ops->agreement_get(r->store.h, &first, back, err);
        if (rc == LIBRO_ERR_NOT_FOUND) {
            rc = libro_error_set(err, LIBRO_ERR_CORRUPT,
                                 "database: an agreement names a version it does not hold");
        }
        if (rc != LIBRO_OK) {
            goto out;
        }
        memcpy(next, first.hash, sizeof next);
        back = first.supersedes;
    }
    count = 0;
    /* Forward to the latest. */
    while (rc == LIBRO_OK && count < 10000) {
        if ((rc = libro_registry__grow((void **) &list, &cap, count, sizeof *list, err)) !=
            LIBRO_OK) {
            goto out;
        }
        rc = r->store.ops->agreement_get(r->store.h, &list[count], next, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        count++;
        if (list[count - 1].superseded_by == NULL) {
            break;
        }
        memcpy(next, list[count - 1].superseded_by, sizeof next);
    }
    *out = list;
    *n = count;
    list = NULL; /* moved to caller */
    count = 0;
out:
    libro_agreement_record_clear(&first);
    libro_agreement_records_free(list, count);
    return rc;
}

libro_code
libro_registry_agreement(libro_registry *r, libro_agreement_record *out,
                         libro_agreement_record **history, size_t *n_history, const char *hash,
                         libro_error *err)
{
    libro_code rc;

    if (history != NULL) {
        *history = NULL;
    }
    if (n_history != NULL) {
        *n_history = 0;
    }
    if (r == NULL || out == NULL || (history != NULL && n_history == NULL)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "agreement: NULL argument");
    }
    memset(out, 0, sizeof *out);
    rc = hash_check(hash, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    rc = r->store.ops->begin_read(r->store.h, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    rc = r->store.ops->agreement_get(r->store.h, out, hash, err);
    if (rc == LIBRO_OK && history != NULL) {
        rc = chain_of(r, out, history, n_history, err);
    }
    if (rc == LIBRO_OK) {
        rc = r->store.ops->commit(r->store.h, err);
    }
    if (rc != LIBRO_OK) {
        r->store.ops->rollback(r->store.h);
        libro_agreement_record_clear(out);
        if (history != NULL) {
            libro_agreement_records_free(*history, *n_history);
            *history = NULL;
            *n_history = 0;
        }
    }
    return rc;
}

libro_code
libro_registry_agreements(libro_registry *r, libro_agreement_record **out, size_t *n,
                          libro_error *err)
{
    libro_code rc;

    if (out != NULL) {
        *out = NULL;
    }
    if (n != NULL) {
        *n = 0;
    }
    if (r == NULL || out == NULL || n == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "agreements: NULL argument");
    }
    rc = r->store.ops->begin_read(r->store.h, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    rc = r->store.ops->agreement_list(r->store.h, out, n, err);
    if (rc == LIBRO_OK) {
        rc = r->store.ops->commit(r->store.h, err);
    }
    if (rc != LIBRO_OK) {
        r->store.ops->rollback(r->store.h);
        libro_agreement_records_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}
