/* libro_issuer: signing credentials as vc+jwt, and the checks an issuer runs before it signs,
 * so that it never issues what a verifier walking the chain (docs/credentials.md) would
 * refuse. */
#include <string.h>

#include "libro/issuer.h"
#include "libro/jws.h"
#include "libro/time.h"

#define VC_JWT "vc+jwt"
#define SECS_PER_DAY INT64_C(86400)

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

/* Rule 3 of the chain: the child's window lies within the window of what authorized it. */
static libro_code
check_window(const libro_credential *c, const libro_credential *parent, const char *parent_what,
             libro_error *err)
{
    char from[LIBRO_TIME_TEXT_MAX];
    char until[LIBRO_TIME_TEXT_MAX];

    if (c->valid_from >= parent->valid_from && c->valid_until <= parent->valid_until) {
        return LIBRO_OK;
    }
    if (libro_time_format(from, parent->valid_from, NULL) != LIBRO_OK ||
        libro_time_format(until, parent->valid_until, NULL) != LIBRO_OK) {
        from[0] = '\0';
        until[0] = '\0';
    }
    return libro_error_set(err, LIBRO_ERR_DENIED,
                           "issuer: validity window not inside the %s's (%s .. %s)", parent_what,
                           from, until);
}

static bool
in_list(const char *s, char *const *list, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (strcmp(s, list[i]) == 0) {
            return true;
        }
    }
    return false;
}

libro_code
libro_issuer_check_license(const libro_credential *license, const libro_credential *authorization,
                           const libro_credential *community_charter, const libro_key *signer,
                           libro_error *err)
{
    const libro_license_grant *grant = NULL;
    int64_t max;
    size_t i;

    if (license == NULL || authorization == NULL || community_charter == NULL || signer == NULL ||
        license->type != LIBRO_CRED_LICENSE || authorization->type != LIBRO_CRED_ISSUER_AUTH ||
        community_charter->type != LIBRO_CRED_CHARTER) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "issuer: want a license and an issuer authorization");
    }
    if (authorization->issuer == NULL || community_charter->subject_id == NULL ||
        strcmp(authorization->issuer, community_charter->subject_id) != 0) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "issuer: the authorization was signed by %.64s, not by the "
                               "community of the charter (%.64s)",
                               authorization->issuer != NULL ? authorization->issuer : "",
                               community_charter->subject_id != NULL ? community_charter->subject_id
                                                                     : "");
    }
    if (license->issuer == NULL || authorization->subject_id == NULL ||
        strcmp(license->issuer, authorization->subject_id) != 0) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "issuer: license issuer \"%.64s\" is not the authorized issuer "
                               "\"%.64s\"",
                               license->issuer != NULL ? license->issuer : "",
                               authorization->subject_id != NULL ? authorization->subject_id : "");
    }
    if (authorization->subject_key == NULL ||
        !libro_key_equal_public(signer, authorization->subject_key)) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "issuer: signing key is not the key the authorization names");
    }
    /* Rule 5: a license names the community that authorized its issuer. */
    if (license->community_id == NULL || authorization->issuer == NULL ||
        strcmp(license->community_id, authorization->issuer) != 0) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "issuer: license community is not the authorizing community "
                               "\"%.64s\"",
                               authorization->issuer != NULL ? authorization->issuer : "");
    }
    for (i = 0; i < authorization->n_grants && license->license_type != NULL; i++) {
        if (strcmp(authorization->grants[i].id, license->license_type) == 0) {
            grant = &authorization->grants[i];
        }
    }
    if (grant == NULL) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "issuer: license type \"%.64s\" is not granted by the authorization",
                               license->license_type != NULL ? license->license_type : "");
    }
    /* Written as an addition that cannot overflow, whatever times a builder put in. */
    max = (int64_t) grant->validity_days * SECS_PER_DAY;
    /* Fails closed: a start so late that the sum would overflow is refused too. */
    if (license->valid_from > INT64_MAX - max || license->valid_until > license->valid_from + max) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "issuer: validity longer than the %u days granted for \"%.64s\"",
                               (unsigned) grant->validity_days, grant->id);
    }
    return check_window(license, authorization, "authorization", err);
}

libro_code
libro_issuer_check_under_charter(const libro_credential *c,
                                 const libro_credential *community_charter, const libro_key *signer,
                                 libro_error *err)
{
    const libro_credential *parent = community_charter;
    size_t i;
    libro_code rc;

    if (c == NULL || parent == NULL || signer == NULL || parent->type != LIBRO_CRED_CHARTER ||
        c->type == LIBRO_CRED_LICENSE) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "issuer: want a charter or authorization and a community charter");
    }
    if (c->issuer == NULL || parent->subject_id == NULL ||
        strcmp(c->issuer, parent->subject_id) != 0) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "issuer: issuer \"%.64s\" is not the chartered community "
                               "\"%.64s\"",
                               c->issuer != NULL ? c->issuer : "",
                               parent->subject_id != NULL ? parent->subject_id : "");
    }
    if (parent->subject_key == NULL || !libro_key_equal_public(signer, parent->subject_key)) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "issuer: signing key is not the community key of the charter");
    }
    rc = check_window(c, parent, "charter", err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    /* Rule 4: scopes only narrow going down. */
    if (c->type == LIBRO_CRED_ISSUER_AUTH) {
        for (i = 0; i < c->n_grants; i++) {
            if (!in_list(c->grants[i].id, parent->allowed_types, parent->n_allowed)) {
                return libro_error_set(err, LIBRO_ERR_DENIED,
                                       "issuer: license type \"%.64s\" is not allowed by the "
                                       "charter",
                                       c->grants[i].id);
            }
        }
    }
    if (c->type == LIBRO_CRED_CHARTER) {
        /* Rule 5: levels strictly decrease going down (a community cannot charter a peer). */
        if (c->level >= parent->level) {
            return libro_error_set(err, LIBRO_ERR_DENIED,
                                   "issuer: child level %d is not below the charter's level %d",
                                   c->level, parent->level);
        }
        for (i = 0; i < c->n_allowed; i++) {
            if (!in_list(c->allowed_types[i], parent->allowed_types, parent->n_allowed)) {
                return libro_error_set(err, LIBRO_ERR_DENIED,
                                       "issuer: license type \"%.64s\" is not allowed by the "
                                       "charter",
                                       c->allowed_types[i]);
            }
        }
    }
    return LIBRO_OK;
}
