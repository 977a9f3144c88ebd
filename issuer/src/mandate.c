/* The issuer's side of roundtables (libro/issuer.h): a community issues the mandate of the
 * person it elected or appointed (build, default term, check under the two charters, status
 * entries from the roundtable's registry, sign, register), adds a member community's seat,
 * and ends a mandate early, each against a registry database or URL. The rules are core's
 * (libro/rules.h), the same the registry and the verifier apply. */
#include <string.h>

#include "issuer_int.h"
#include "libro/file.h"
#include "libro/issuer.h"
#include "libro/rules.h"
#include "libro/time.h"
#include "libro/util.h"

libro_code
libro_issuer__client_open_as(libro_registry_client **out, const char *target, const libro_key *key,
                             const char *id, const char *actor, libro_error *err)
{
    libro_buf kid = LIBRO_BUF_INIT;
    libro_code rc = LIBRO_OK;

    if (key != NULL) {
        rc = libro_kid_for(&kid, id, key, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_registry_client_open(out, target, key,
                                        kid.data != NULL ? (const char *) kid.data : NULL,
                                        actor != NULL ? actor : id, NULL, err);
    }
    libro_buf_free(&kid);
    return rc;
}

libro_code
libro_issuer__charter_parse(libro_credential **out, const char *jws, size_t len, const char *what,
                            libro_error *err)
{
    libro_code rc = libro_issuer__parse_own(out, jws, len, err);

    if (rc == LIBRO_OK && (*out)->type != LIBRO_CRED_CHARTER) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "want a CommunityCharter, not a %s",
                             libro_cred_type_name((*out)->type));
        libro_credential_free(*out);
        *out = NULL;
    }
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, what);
    }
    return rc;
}

/* ---- issuing a mandate ----------------------------------------------------------------------- */

struct mandate_ctx {
    const libro_key *signer;
    const libro_credential *signer_charter;
    const libro_credential *roundtable_charter;
    char *id; /* where the registry's id goes, or NULL */
};

/* The rules an issuer applies before signing: its key is the signing community's, then the
 * chain rules the registry and the verifier apply too. */
static libro_code
mandate_check(const libro_credential *m, const struct mandate_ctx *x, libro_error *err)
{
    libro_code rc;

    if (x->signer_charter->subject_key == NULL ||
        !libro_key_equal_public(x->signer, x->signer_charter->subject_key)) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "issuer: the signing key is not the community key of %.64s",
                               x->signer_charter->subject_id);
    }
    rc = libro_rules_mandate_under(m, x->signer_charter, x->roundtable_charter, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "issuer");
    }
    return rc;
}

static libro_code
mandate_sign(libro_buf *jws, const libro_credential *c, void *ctx, libro_error *err)
{
    const struct mandate_ctx *x = ctx;
    libro_code rc = mandate_check(c, x, err);

    if (rc == LIBRO_OK) {
        rc = libro_issuer_sign(jws, c, x->signer, err);
    }
    return rc;
}

static libro_code
mandate_record(libro_registry_client *r, const char *jws, uint32_t list, uint32_t index, void *ctx,
               libro_error *err)
{
    const struct mandate_ctx *x = ctx;

    return libro_registry_client_register_mandate(r, jws, list, index, x->id, err);
}

static const libro_issuer__kind mandate_kind = {
    libro_registry_client_reserve_mandate,
    mandate_sign,
    mandate_record,
    true,
};

/* The members `opt` names, the roundtable and seat from the charters; no term, no status. */
static libro_code
mandate_new(libro_credential **out, const libro_mandate_options *opt,
            const libro_credential *signer_charter, const libro_credential *roundtable_charter,
            libro_error *err)
{
    libro_credential *c = NULL;
    libro_code rc = libro_credential_new(&c, LIBRO_CRED_MANDATE, err);

    *out = NULL;
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(&c->issuer, signer_charter->subject_id, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(&c->subject_id, opt->holder_did, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(&c->name, opt->holder, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(&c->roundtable_id, roundtable_charter->subject_id, err);
    }
    if (rc == LIBRO_OK && opt->office != LIBRO_OFFICE_CHAIR) {
        rc = libro_issuer__dup(&c->seat, signer_charter->subject_id, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(&c->election_record, opt->election_record, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(&c->election_result, opt->election_result, err);
    }
    if (rc == LIBRO_OK) {
        c->office = opt->office;
        c->roundtable_level = roundtable_charter->level;
        c->voting = opt->office == LIBRO_OFFICE_REPRESENTATIVE;
        c->election_date = opt->election_date;
        c->election_electorate = opt->electorate;
        *out = c;
        c = NULL; /* moved to caller */
    }
    libro_credential_free(c);
    return rc;
}

/* The term: from valid_from (default now) to the explicit end, or the longest the rules allow,
 * cut at the end of the signer's charter (a mandate lies inside it). */
static libro_code
mandate_term(libro_credential *c, const libro_mandate_options *opt,
             const libro_credential *signer_charter, const libro_credential *roundtable_charter,
             libro_error *err)
{
    unsigned years = libro_rules_term_years(opt->office, roundtable_charter);
    libro_code rc = LIBRO_OK;

    c->valid_from = opt->valid_from != 0 ? opt->valid_from : libro_time_now();
    if (opt->valid_until != 0) {
        c->valid_until = opt->valid_until;
        return LIBRO_OK;
    }
    if (years == 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "mandate: unknown office");
    }
    rc = libro_rules_term_end(&c->valid_until, c->valid_from, years, err);
    if (rc == LIBRO_OK && c->valid_until > signer_charter->valid_until) {
        c->valid_until = signer_charter->valid_until;
    }
    return rc;
}

static libro_code
mandate_args_ok(const libro_mandate_options *opt, libro_error *err)
{
    if (opt == NULL || opt->version != LIBRO_MANDATE_OPTIONS_VERSION ||
        opt->signer_charter == NULL || libro_office_name(opt->office) == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "issue mandate: bad arguments");
    }
    if (opt->holder == NULL || opt->holder_did == NULL || opt->election_record == NULL ||
        opt->election_result == NULL || opt->election_date == 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "a mandate needs its holder's name and did:key and its election's "
                               "record, date, electorate and result");
    }
    if (opt->registry == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "a mandate is issued into the registry of its roundtable (its "
                               "status entries are required)");
    }
    if ((opt->roundtable_charter == NULL) != (opt->office == LIBRO_OFFICE_CHAIR)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               opt->office == LIBRO_OFFICE_CHAIR
                                   ? "a chair's roundtable is the signer's own community: no "
                                     "roundtable charter"
                                   : "a representative or leader needs the roundtable's charter");
    }
    return LIBRO_OK;
}

libro_code
libro_issuer_issue_mandate(libro_issued *out, char id[LIBRO_MANDATE_ID_SIZE],
                           const libro_key *signer, const libro_mandate_options *opt,
                           libro_error *err)
{
    libro_issued res = LIBRO_ISSUED_INIT;
    libro_credential *signer_charter = NULL;
    libro_credential *rt_charter = NULL;
    libro_registry_client *client = NULL;
    struct mandate_ctx x = {0};
    libro_code rc;

    if (out == NULL || signer == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "issue mandate: NULL argument");
    }
    memset(out, 0, sizeof *out);
    rc = mandate_args_ok(opt, err);
    if (rc == LIBRO_OK) {
        rc = libro_issuer__charter_parse(&signer_charter, opt->signer_charter,
                                         opt->signer_charter_len, "signer's charter", err);
    }
    if (rc == LIBRO_OK && opt->roundtable_charter != NULL) {
        rc = libro_issuer__charter_parse(&rt_charter, opt->roundtable_charter,
                                         opt->roundtable_charter_len, "roundtable's charter", err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    x.signer = signer;
    x.signer_charter = signer_charter;
    x.roundtable_charter = rt_charter != NULL ? rt_charter : signer_charter;
    x.id = id;
    rc = mandate_new(&res.license, opt, signer_charter, x.roundtable_charter, err);
    if (rc == LIBRO_OK) {
        rc = mandate_term(res.license, opt, signer_charter, x.roundtable_charter, err);
    }
    /* Checked before the registry is asked for anything: a refused mandate costs no index. */
    if (rc == LIBRO_OK) {
        rc = mandate_check(res.license, &x, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer__client_open_as(&client, opt->registry, signer,
                                          signer_charter->subject_id, opt->actor, err);
    }
    if (rc == LIBRO_OK) {
        res.version = 1;
        rc = libro_issuer__record(&res, client, opt->status_url_base, &mandate_kind, &x, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    *out = res;
    res = (libro_issued) LIBRO_ISSUED_INIT; /* moved to caller */
out:
    libro_registry_client_close(client);
    libro_issued_clear(&res);
    libro_credential_free(signer_charter);
    libro_credential_free(rt_charter);
    return rc;
}

/* ---- seats and early ends -------------------------------------------------------------------- */

libro_code
libro_issuer_add_seat(const char *target, const libro_key *community_key, const char *charter,
                      size_t charter_len, const char *actor, libro_error *err)
{
    libro_credential *c = NULL;
    libro_registry_client *client = NULL;
    char *text = NULL;
    libro_code rc;

    if (target == NULL || charter == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "add seat: NULL argument");
    }
    rc = libro_issuer__charter_parse(&c, charter, charter_len, "member charter", err);
    if (rc == LIBRO_OK) {
        libro_text_trim(&charter, &charter_len);
        text = libro_strndup(charter, charter_len);
        rc = text == NULL ? libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory") : LIBRO_OK;
    }
    /* The registry's community signs the request: the one that chartered the member. */
    if (rc == LIBRO_OK) {
        rc = libro_issuer__client_open_as(&client, target, community_key, c->issuer, actor, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_registry_client_add_seat(client, text, err);
    }
    libro_registry_client_close(client);
    libro_credential_free(c);
    libro_free(text);
    return rc;
}

/* Who signs the end of mandate `id` over HTTP, read from the registry by `reader`: the holder
 * (a resignation), whose key must be the mandate's did:key, or the community that signed it (a
 * recall). Into *who (caller frees). */
static libro_code
end_signer_id(char **who, libro_registry_client *reader, const libro_key *key, const char *id,
              libro_mandate_state how, libro_error *err)
{
    libro_mandate_record rec = {0};
    libro_buf did = LIBRO_BUF_INIT;
    libro_code rc = libro_registry_client_mandate(reader, &rec, id, err);

    *who = NULL;
    if (rc == LIBRO_OK && how == LIBRO_MANDATE_RESIGNED) {
        rc = libro_key_to_did(&did, key, err);
        if (rc == LIBRO_OK && strcmp((const char *) did.data, rec.holder) != 0) {
            rc = libro_error_set(err, LIBRO_ERR_DENIED,
                                 "only the holder resigns: mandate %.71s is held by %.64s, not "
                                 "by the key given",
                                 id, rec.holder);
        }
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(
            who, how == LIBRO_MANDATE_RESIGNED ? (const char *) did.data : rec.issuer, err);
    }
    libro_buf_free(&did);
    libro_mandate_record_clear(&rec);
    return rc;
}

libro_code
libro_issuer_end_mandate(const char *target, const libro_key *key, const char *id,
                         libro_mandate_state how, const char *reason, const char *actor,
                         libro_error *err)
{
    libro_registry_client *reader = NULL;
    libro_registry_client *signed_client = NULL;
    char *who = NULL;
    libro_code rc;

    if (target == NULL || id == NULL ||
        (how != LIBRO_MANDATE_RESIGNED && how != LIBRO_MANDATE_RECALLED)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "end mandate: bad arguments");
    }
    rc = libro_registry_client_open(&reader, target, NULL, NULL, actor, NULL, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (!libro_registry_client_remote(reader)) {
        /* In-process: the operator's change, recorded under the actor. */
        rc = libro_registry_client_end_mandate(reader, id, how, reason, err);
        goto out;
    }
    if (key == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                             "ending a mandate over HTTP needs the signing key");
        goto out;
    }
    rc = end_signer_id(&who, reader, key, id, how, err);
    if (rc == LIBRO_OK) {
        rc = libro_issuer__client_open_as(&signed_client, target, key, who, NULL, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_registry_client_end_mandate(signed_client, id, how, reason, err);
    }
out:
    libro_registry_client_close(signed_client);
    libro_registry_client_close(reader);
    libro_free(who);
    return rc;
}
