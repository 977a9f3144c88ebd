/* libro_verifier: the offline verdict on a license (design.md §4 steps 2-5 and 7). Order:
 *   1. the JWS envelope (libro_jws_parse), typ vc+jwt, a well-formed kid   -> INVALID
 *   2. the kid resolved in the trust store to an IssuerAuthorization key  -> UNTRUSTED
 *   3. the license signature with that key, then (only then) its claims:
 *      a ProfessionalLicense whose issuer is the kid's id                 -> INVALID
 *   4. the chain up to a pinned anchor, rules 1-6 of docs/credentials.md  -> UNTRUSTED
 *   5. the license's own window at `now` +- skew                          -> EXPIRED /
 *                                                                            NOT YET VALID
 * Dates come last on purpose: EXPIRED says "a genuine license whose time is up", which only
 * a verified chain can support; a license whose chain is broken is UNTRUSTED whatever its
 * dates, and a forged one is INVALID. */
#include <string.h>

#include "libro/jws.h"
#include "libro/time.h"
#include "libro/util.h"
#include "verify_int.h"

/* Timestamps libro can represent: 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z. */
#define MIN_TIME (-62135596800LL)
#define MAX_TIME 253402300799LL

const char *
libro_outcome_name(libro_outcome o)
{
    switch (o) {
    case LIBRO_VALID:
        return "VALID";
    case LIBRO_INVALID:
        return "INVALID";
    case LIBRO_EXPIRED:
        return "EXPIRED";
    case LIBRO_NOT_YET_VALID:
        return "NOT YET VALID";
    case LIBRO_REVOKED:
        return "REVOKED";
    case LIBRO_SUSPENDED:
        return "SUSPENDED";
    case LIBRO_UNTRUSTED:
        return "UNTRUSTED";
    case LIBRO_STATUS_UNKNOWN:
        return "STATUS UNKNOWN";
    case LIBRO_NO_QR:
        return "NO QR CODE";
    }
    return "UNKNOWN";
}

int
libro_outcome_exit_code(libro_outcome o)
{
    switch (o) {
    case LIBRO_VALID:
        return 0;
    case LIBRO_INVALID:
        return 1;
    case LIBRO_EXPIRED:
    case LIBRO_NOT_YET_VALID:
        return 3;
    case LIBRO_REVOKED:
        return 4;
    case LIBRO_SUSPENDED:
        return 5;
    case LIBRO_UNTRUSTED:
        return 6;
    case LIBRO_STATUS_UNKNOWN:
        return 7;
    case LIBRO_NO_QR:
        return 8;
    }
    return 1; /* not a known outcome: never report success */
}

void
libro_verification_free(libro_verification *v)
{
    size_t i;

    if (v == NULL) {
        return;
    }
    libro_credential_free(v->license);
    libro_free(v->community_name);
    libro_free(v->community_level_name);
    for (i = 0; v->chain != NULL && i < v->n_chain; i++) {
        libro_chain__link_clear(&v->chain[i]);
    }
    libro_free(v->chain);
    libro_free(v);
}

/* Set the verdict and its one-line reason; LIBRO_OK: a verdict was reached. */
static libro_code
verdict(libro_verification *v, libro_outcome o, const char *reason)
{
    size_t n = strlen(reason);

    v->outcome = o;
    if (n >= sizeof v->reason) {
        n = sizeof v->reason - 1;
    }
    memcpy(v->reason, reason, n);
    v->reason[n] = '\0';
    return LIBRO_OK;
}

/* A failure `rc` (described in `e`) of the envelope, signature or claims: INVALID, unless
 * memory or the crypto library failed, which is no verdict at all but an error. */
static libro_code
invalid(libro_verification *v, libro_code rc, const libro_error *e, libro_error *err)
{
    if (rc == LIBRO_ERR_NOMEM || rc == LIBRO_ERR_CRYPTO || rc == LIBRO_ERR_INVALID_ARG) {
        return libro_error_set(err, rc, "%s", e->msg);
    }
    return verdict(v, LIBRO_INVALID, e->msg);
}

static libro_code
check_options(const libro_verify_options *opt, libro_error *err)
{
    if (opt->version != 1) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "verify: options version %u unknown",
                               opt->version);
    }
    if (opt->skew < 0 || opt->skew > LIBRO_VERIFY__MAX_SKEW) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "verify: skew must be 0 to %d seconds",
                               LIBRO_VERIFY__MAX_SKEW);
    }
    if (opt->max_links < 1 || opt->max_links > LIBRO_VERIFY__MAX_LINKS) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "verify: max_links must be 1 to %u",
                               LIBRO_VERIFY__MAX_LINKS);
    }
    if (opt->now < MIN_TIME || opt->now > MAX_TIME) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "verify: time outside years 0001-9999");
    }
    return LIBRO_OK;
}

/* An IssuerAuthorization in the store for key (id, tp): its key verifies the license. Every
 * entry with that thumbprint holds that very key, so the first will do; which of them (if
 * any) is a trusted authorization is the chain walk's question. */
static const libro_key *
authorized_key(const libro_trust *t, const char *id, const char *tp)
{
    size_t i;

    for (i = 0; i < t->n_items; i++) {
        const libro_trust__item *it = &t->items[i];

        if (it->cred->type == LIBRO_CRED_ISSUER_AUTH && strcmp(it->tp, tp) == 0 &&
            strcmp(it->cred->subject_id, id) == 0) {
            return it->cred->subject_key;
        }
    }
    return NULL;
}

/* chain = [the license] + the links above it. */
static libro_code
take_chain(libro_verification *v, libro_chain__result *res, libro_error *err)
{
    libro_chain_link *chain;
    libro_code rc;

    chain = libro_calloc(res->n_links + 1, sizeof *chain);
    if (chain == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "verify: out of memory");
    }
    rc = libro_chain__link_fill(&chain[0], v->license, false, err);
    if (rc != LIBRO_OK) {
        libro_free(chain);
        return rc;
    }
    if (res->n_links > 0) {
        memcpy(&chain[1], res->links, res->n_links * sizeof *chain);
    }
    libro_free(res->links); /* its strings moved into `chain` */
    v->chain = chain;
    v->n_chain = res->n_links + 1;
    res->links = NULL;
    res->n_links = 0;
    v->community_name = res->community_name;
    v->community_level_name = res->community_level_name;
    res->community_name = NULL;
    res->community_level_name = NULL;
    return LIBRO_OK;
}

libro_code
libro_verify_license(libro_verification **out, const libro_trust *t, const char *jws, size_t len,
                     const libro_verify_options *opt, libro_error *err)
{
    libro_verify_options defaults = LIBRO_VERIFY_OPTIONS_INIT(0);
    libro_verification *v = NULL;
    libro_jws *parsed = NULL;
    libro_chain__result res;
    libro_error e = LIBRO_ERROR_INIT;
    const libro_key *key;
    const unsigned char *payload;
    size_t payload_len;
    const char *kid;
    const char *kid_tp;
    size_t id_len;
    char *kid_id = NULL;
    char shown[65];
    libro_code rc;

    memset(&res, 0, sizeof res);
    if (out == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "verify: NULL argument");
    }
    *out = NULL;
    if (t == NULL || (jws == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "verify: NULL argument");
    }
    if (opt == NULL) {
        defaults.now = libro_time_now();
        opt = &defaults;
    }
    rc = check_options(opt, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    v = libro_calloc(1, sizeof *v);
    if (v == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "verify: out of memory");
    }
    v->status_checked = false;

    /* 1. The envelope. */
    rc = libro_jws_parse(&parsed, jws != NULL ? jws : "", len, &e);
    if (rc != LIBRO_OK) {
        rc = invalid(v, rc, &e, err);
        goto out;
    }
    if (!libro_verifier__typ_ok(libro_jws_typ(parsed))) {
        rc = verdict(v, LIBRO_INVALID, "jws: typ is not vc+jwt");
        goto out;
    }
    kid = libro_jws_kid(parsed);
    if (kid == NULL) {
        rc = verdict(v, LIBRO_INVALID, "jws: header lacks \"kid\"");
        goto out;
    }
    rc = libro_kid_split(kid, &id_len, &kid_tp, &e);
    if (rc != LIBRO_OK) {
        rc = invalid(v, rc, &e, err);
        goto out;
    }
    kid_id = libro_strndup(kid, id_len);
    if (kid_id == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "verify: out of memory");
        goto out;
    }
    libro_verifier__printable(shown, sizeof shown, kid_id, id_len);

    /* 2. The key, from the store only. */
    key = authorized_key(t, kid_id, kid_tp);
    if (key == NULL) {
        libro_error_set(&e, LIBRO_ERR_UNTRUSTED, "no trusted issuer authorization for %s#%s", shown,
                        kid_tp);
        rc = verdict(v, LIBRO_UNTRUSTED, e.msg);
        goto out;
    }

    /* 3. The signature, then the claims it covers. */
    rc = libro_jws_verify(parsed, key, &e);
    if (rc != LIBRO_OK) {
        libro_error_prefix(&e, "license signature");
        rc = invalid(v, rc, &e, err);
        goto out;
    }
    payload = libro_jws_payload(parsed, &payload_len);
    rc = libro_credential_parse(&v->license, payload, payload_len, &e);
    if (rc != LIBRO_OK) {
        libro_error_prefix(&e, "license");
        rc = invalid(v, rc, &e, err);
        goto out;
    }
    if (v->license->type != LIBRO_CRED_LICENSE) {
        libro_error_set(&e, LIBRO_ERR_SCHEMA, "credential type %s is not ProfessionalLicense",
                        libro_cred_type_name(v->license->type));
        /* `license` means a license: a charter or authorization is not shown as one. */
        libro_credential_free(v->license);
        v->license = NULL;
        rc = verdict(v, LIBRO_INVALID, e.msg);
        goto out;
    }
    if (strcmp(v->license->issuer, kid_id) != 0) {
        libro_error_set(&e, LIBRO_ERR_PARSE, "license issuer %.64s is not the kid's %s",
                        v->license->issuer, shown);
        rc = verdict(v, LIBRO_INVALID, e.msg);
        goto out;
    }

    /* 4. The chain. */
    rc = libro_chain__walk(&res, t, v->license, kid_id, kid_tp, opt, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = take_chain(v, &res, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (res.outcome != LIBRO_VALID) {
        rc = verdict(v, res.outcome, res.reason);
        goto out;
    }

    /* 5. The license's own dates. */
    rc = libro_verifier__window(v->license, opt->now, opt->skew, "license", &e);
    if (rc == LIBRO_ERR_EXPIRED) {
        rc = verdict(v, LIBRO_EXPIRED, e.msg);
    } else if (rc == LIBRO_ERR_NOT_YET_VALID) {
        rc = verdict(v, LIBRO_NOT_YET_VALID, e.msg);
    } else {
        rc = verdict(v, LIBRO_VALID, "");
    }
out:
    if (rc == LIBRO_OK) {
        *out = v; /* a verdict, whatever it is */
        v = NULL;
    }
    libro_chain__result_free(&res);
    libro_verification_free(v);
    libro_jws_free(parsed);
    libro_free(kid_id);
    return rc;
}
