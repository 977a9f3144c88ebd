/* libro_issuer: signing credentials as vc+jwt, and the checks an issuer runs before it signs,
 * so that it never issues what a verifier walking the chain (docs/credentials.md) would
 * refuse. */
#include <string.h>

#include "libro/issuer.h"
#include "libro/jws.h"
#include "libro/rules.h"

#define VC_JWT "vc+jwt"

libro_code
libro_issuer_sign(libro_buf *jws_out, const libro_credential *c, const libro_key *signer,
                  libro_error *err)
{
    libro_buf payload = LIBRO_BUF_INIT;
    libro_buf again = LIBRO_BUF_INIT;
    libro_buf kid = LIBRO_BUF_INIT;
    libro_credential *back = NULL;
    libro_code rc;

    if (jws_out == NULL || c == NULL || signer == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "issuer: NULL argument");
    }
    /* The full check, holder key point included: libro never signs for an invalid key. */
    rc = libro_credential_check(c, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_credential_to_json(&payload, c, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    /* Read back what we are about to sign with the verifier's own parser: a writer bug must
     * not turn into a signed credential nobody can read. */
    rc = libro_credential_parse(&back, payload.data, payload.len, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "issuer: self-check");
        goto out;
    }
    rc = libro_credential_to_json(&again, back, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (again.len != payload.len || memcmp(again.data, payload.data, payload.len) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_SCHEMA,
                             "issuer: self-check: credential does not "
                             "read back as written");
        goto out;
    }
    /* An anchor vouches for itself: the key it names must be the key that signs, or anyone
     * could publish a charter for someone else's community id. */
    if (c->type == LIBRO_CRED_CHARTER && strcmp(c->issuer, c->subject_id) == 0 &&
        !libro_key_equal_public(signer, c->subject_key)) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED,
                             "issuer: a self-chartered community must sign with its own "
                             "publicKeyJwk key");
        goto out;
    }
    rc = libro_kid_for(&kid, c->issuer, signer, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_jws_sign_compact(jws_out, signer, (const char *) kid.data, VC_JWT, payload.data,
                                payload.len, err);
out:
    libro_credential_free(back);
    libro_buf_free(&kid);
    libro_buf_free(&again);
    libro_buf_free(&payload);
    return rc;
}

/* The chain rules are core's (libro/rules.h), the ones the registry and the verifier apply;
 * their reasons are prefixed with "issuer: " here. */
static libro_code
rule(libro_code rc, libro_error *err)
{
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "issuer");
    }
    return rc;
}

libro_code
libro_issuer_check_license(const libro_credential *license, const libro_credential *authorization,
                           const libro_credential *community_charter, const libro_key *signer,
                           libro_error *err)
{
    libro_code rc;

    if (license == NULL || authorization == NULL || community_charter == NULL || signer == NULL ||
        license->type != LIBRO_CRED_LICENSE || authorization->type != LIBRO_CRED_ISSUER_AUTH ||
        community_charter->type != LIBRO_CRED_CHARTER) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "issuer: want a license, an issuer authorization and a community "
                               "charter");
    }
    rc = libro_rules_issued_by(license, authorization, err);
    if (rc != LIBRO_OK) {
        return rule(rc, err);
    }
    if (authorization->subject_key == NULL ||
        !libro_key_equal_public(signer, authorization->subject_key)) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "issuer: signing key is not the key the authorization names");
    }
    /* The charter given must be the one of the community that signed the authorization, or
     * its level would say nothing about the license's community. */
    rc = libro_rules_issued_by(authorization, community_charter, err);
    if (rc != LIBRO_OK) {
        return rule(rc, err);
    }
    rc = libro_rules_license_under(license, authorization, err);
    if (rc == LIBRO_OK) {
        rc = libro_rules_license_level(license, community_charter, err);
    }
    return rule(rc, err);
}

libro_code
libro_issuer_check_under_charter(const libro_credential *c,
                                 const libro_credential *community_charter, const libro_key *signer,
                                 libro_error *err)
{
    const libro_credential *parent = community_charter;
    libro_code rc;

    if (c == NULL || parent == NULL || signer == NULL || parent->type != LIBRO_CRED_CHARTER ||
        c->type == LIBRO_CRED_LICENSE) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "issuer: want a charter or authorization and a community charter");
    }
    rc = libro_rules_issued_by(c, parent, err);
    if (rc != LIBRO_OK) {
        return rule(rc, err);
    }
    if (parent->subject_key == NULL || !libro_key_equal_public(signer, parent->subject_key)) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "issuer: signing key is not the community key of the charter");
    }
    /* Rule 3 (windows nest), rule 4 (scopes narrow), and for a child charter rule 5 (levels
     * strictly decrease: a community cannot charter a peer). */
    rc = libro_rules_under_charter(c, parent, err);
    return rule(rc, err);
}
