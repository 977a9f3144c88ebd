/* The charter and authorization workflows (libro/issuer.h): build the credential, check it
 * under the signer's own charter, sign it. */
#include <string.h>

#include "issuer_int.h"
#include "libro/issuer.h"
#include "libro/util.h"

/* The members every charter and authorization has. */
static libro_code
common_members(libro_credential *c, const char *issuer, const char *id, const char *name,
               const libro_key *subject_key, int64_t from, int64_t until, libro_error *err)
{
    libro_code rc = libro_issuer__dup(&c->issuer, issuer, err);

    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(&c->subject_id, id, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(&c->name, name, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_key_public(&c->subject_key, subject_key, err);
    }
    c->valid_from = from;
    c->valid_until = until;
    return rc;
}

/* Sign `c` with `signer` into `jws_out` and hand `c` to *cred_out (when not NULL). */
static libro_code
sign_out(libro_buf *jws_out, libro_credential **cred_out, libro_credential **c,
         const libro_key *signer, libro_error *err)
{
    libro_code rc = libro_issuer_sign(jws_out, *c, signer, err);

    if (rc == LIBRO_OK && cred_out != NULL) {
        *cred_out = *c;
        *c = NULL; /* moved to caller */
    }
    return rc;
}

libro_code
libro_issuer_issue_charter(libro_buf *jws_out, libro_credential **charter_out,
                           const libro_key *signer, const libro_charter_options *opt,
                           libro_error *err)
{
    libro_credential *c = NULL;
    libro_credential *parent = NULL;
    bool self;
    libro_code rc;

    if (charter_out != NULL) {
        *charter_out = NULL;
    }
    if (jws_out == NULL || signer == NULL || opt == NULL || opt->version < 1 ||
        opt->version > LIBRO_CHARTER_OPTIONS_VERSION) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "issue charter: bad arguments");
    }
    self = opt->issuer == NULL;
    /* Without the parent's charter nothing could be checked, and libro would sign charters
     * that every verifier refuses (a level not below the parent's, a wider scope). */
    if (self == (opt->parent_charter != NULL)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               self ? "a self charter has no parent charter"
                                    : "a child charter needs its parent's charter");
    }
    if (!self && opt->community_key == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "a child charter needs the community's key");
    }
    rc = libro_credential_new(&c, LIBRO_CRED_CHARTER, err);
    if (rc == LIBRO_OK) {
        rc = common_members(c, self ? opt->id : opt->issuer, opt->id, opt->name,
                            opt->community_key != NULL ? opt->community_key : signer,
                            opt->valid_from, opt->valid_until, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(&c->level_name, opt->level_name, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup_list(&c->allowed_types, &c->n_allowed, opt->allowed, opt->n_allowed,
                                    err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    c->level = opt->level;
    if (opt->version >= 2) {
        c->rt_representative_years = opt->representative_term_years;
        c->rt_chair_years = opt->chair_term_years;
        c->rt_leader_years = opt->leader_term_years;
        c->rt_consecutive_terms = opt->consecutive_terms;
    }
    if (!self) {
        rc = libro_issuer__parse_own(&parent, opt->parent_charter, opt->parent_charter_len, err);
        if (rc != LIBRO_OK) {
            libro_error_prefix(err, "parent charter");
            goto out;
        }
        rc = libro_issuer_check_under_charter(c, parent, signer, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
    }
    rc = sign_out(jws_out, charter_out, &c, signer, err);
out:
    libro_credential_free(parent);
    libro_credential_free(c);
    return rc;
}

static libro_code
copy_grants(libro_credential *c, const libro_license_grant *grants, size_t n, libro_error *err)
{
    size_t i;
    libro_code rc = LIBRO_OK;

    c->grants = n == 0 ? NULL : libro_calloc(n, sizeof *c->grants);
    if (n > 0 && c->grants == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    for (i = 0; i < n && rc == LIBRO_OK; i++) {
        rc = libro_issuer__dup(&c->grants[i].id, grants[i].id, err);
        c->grants[i].validity_days = grants[i].validity_days;
        c->n_grants++;
    }
    return rc;
}

libro_code
libro_issuer_issue_authorization(libro_buf *jws_out, libro_credential **authorization_out,
                                 const libro_key *signer, const libro_authorization_options *opt,
                                 libro_error *err)
{
    libro_credential *c = NULL;
    libro_credential *charter = NULL;
    libro_code rc;

    if (authorization_out != NULL) {
        *authorization_out = NULL;
    }
    if (jws_out == NULL || signer == NULL || opt == NULL || opt->version < 1 ||
        opt->version > LIBRO_AUTHORIZATION_OPTIONS_VERSION ||
        (opt->type != LIBRO_CRED_ISSUER_AUTH && opt->type != LIBRO_CRED_REGISTRY_AUTH)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "issue authorization: bad arguments");
    }
    rc = libro_issuer__parse_own(&charter, opt->charter, opt->charter_len, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "charter");
        goto out;
    }
    if (charter->type != LIBRO_CRED_CHARTER) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "charter: want a CommunityCharter, not %s",
                             libro_cred_type_name(charter->type));
        goto out;
    }
    rc = libro_credential_new(&c, opt->type, err);
    if (rc == LIBRO_OK) {
        rc = common_members(c, charter->subject_id, opt->id, opt->name, opt->subject_key,
                            opt->valid_from, opt->valid_until, err);
    }
    if (rc == LIBRO_OK && opt->type == LIBRO_CRED_ISSUER_AUTH) {
        rc = copy_grants(c, opt->grants, opt->n_grants, err);
    }
    if (rc == LIBRO_OK && opt->type == LIBRO_CRED_REGISTRY_AUTH) {
        rc = libro_issuer__dup(&c->url, opt->url, err);
    }
    if (rc == LIBRO_OK && opt->version >= 2) {
        /* On a RegistryAuthorization the check below refuses it as not a member. */
        rc = libro_issuer__dup(&c->status_registry, opt->status_registry, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer_check_under_charter(c, charter, signer, err);
    }
    if (rc == LIBRO_OK) {
        rc = sign_out(jws_out, authorization_out, &c, signer, err);
    }
out:
    libro_credential_free(charter);
    libro_credential_free(c);
    return rc;
}
