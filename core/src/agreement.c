/* libro: the agreement check (libro/agreement.h): which parties signed a ResponsibilityAgreement
 * document, or why it is INVALID. The parties are read from the payload before any signature
 * is checked, as the kid names a party only once the payload says who the parties are; the
 * payload is believed only as far as the signatures over it go, which is what the outcome
 * says (COMPLETE: every party vouches for it). */
#include <string.h>

#include "jws_int.h"
#include "libro/agreement.h"
#include "libro/jws.h"
#include "libro/util.h"

void
libro_agreement_free(libro_agreement *a)
{
    if (a == NULL) {
        return;
    }
    libro_credential_free(a->cred);
    libro_free(a);
}

size_t
libro_agreement_party_of(const libro_agreement *a, const libro_key *k)
{
    size_t i;

    if (a == NULL || a->cred == NULL || k == NULL) {
        return SIZE_MAX;
    }
    for (i = 0; i < a->cred->n_parties; i++) {
        if (libro_key_equal_public(a->cred->parties[i].key, k)) {
            return i;
        }
    }
    return SIZE_MAX;
}

/* Signature i: its kid names party *party (by id and by the thumbprint of that party's key),
 * and it verifies with that key over this payload. */
static libro_code
check_signature(size_t *party, libro_jws_json *j, size_t i, const libro_credential *c,
                char (*thumbprints)[LIBRO_THUMBPRINT_LEN + 1], libro_error *err)
{
    const char *kid = libro_jws_json_kid(j, i);
    const char *tp = NULL;
    char shown[33];
    size_t id_len = 0;
    size_t p;
    libro_code rc;

    if (!libro_jws_typ_is(libro_jws_json_typ(j, i), LIBRO_AGREEMENT_TYP)) {
        return libro_error_set(err, LIBRO_ERR_UNSUPPORTED,
                               "agreement: signature %zu: typ is not %s", i, LIBRO_AGREEMENT_TYP);
    }
    if (kid == NULL) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "agreement: signature %zu: no kid", i);
    }
    rc = libro_kid_split(kid, &id_len, &tp, err);
    if (rc != LIBRO_OK) {
        return libro_error_set(err, rc, "agreement: signature %zu: kid is not <id>#<thumbprint>",
                               i);
    }
    for (p = 0; p < c->n_parties; p++) {
        if (strlen(c->parties[p].id) == id_len && memcmp(c->parties[p].id, kid, id_len) == 0) {
            break;
        }
    }
    if (p == c->n_parties) {
        libro_jws__printable(shown, kid, id_len);
        return libro_error_set(err, LIBRO_ERR_DENIED, "agreement: signature %zu: %s is not a party",
                               i, shown);
    }
    libro_jws__printable(shown, kid, id_len);
    if (strcmp(tp, thumbprints[p]) != 0) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "agreement: signature %zu: kid names another key than party %s's", i,
                               shown);
    }
    rc = libro_jws_json_verify(j, i, c->parties[p].key, err);
    if (rc != LIBRO_OK && rc != LIBRO_ERR_NOMEM) {
        return libro_error_set(err, rc == LIBRO_ERR_UNSUPPORTED ? rc : LIBRO_ERR_BAD_SIGNATURE,
                               "agreement: signature %zu: does not verify with party %s's key", i,
                               shown);
    }
    *party = p;
    return rc;
}

libro_code
libro_agreement_check(libro_agreement **out, const char *doc, size_t len, libro_error *err)
{
    char thumbprints[LIBRO_MAX_PARTIES][LIBRO_THUMBPRINT_LEN + 1];
    libro_jws_json *j = NULL;
    libro_agreement *a = NULL;
    const libro_buf *payload;
    size_t i;
    libro_code rc;

    if (out == NULL || (doc == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "agreement: NULL argument");
    }
    *out = NULL;
    rc = libro_jws__json_parse(&j, doc, len, LIBRO_MAX_AGREEMENT_PAYLOAD_BYTES, true, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    a = libro_calloc(1, sizeof *a);
    if (a == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        goto out;
    }
    payload = libro_jws__json_payload_unverified(j);
    rc = libro_credential_parse(&a->cred, payload->data, payload->len, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "agreement: payload");
        goto out;
    }
    if (a->cred->type != LIBRO_CRED_AGREEMENT) {
        rc = libro_error_set(err, LIBRO_ERR_SCHEMA, "agreement: the payload is a %s",
                             libro_cred_type_name(a->cred->type));
        goto out;
    }
    for (i = 0; i < a->cred->n_parties; i++) {
        rc = libro_key_thumbprint(thumbprints[i], a->cred->parties[i].key, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
    }
    a->n_signatures = libro_jws_json_count(j);
    for (i = 0; i < a->n_signatures; i++) {
        size_t p = SIZE_MAX;

        rc = check_signature(&p, j, i, a->cred, thumbprints, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
        /* One party signing twice is still one party. */
        if (!a->signed_by[p]) {
            a->signed_by[p] = true;
            a->n_signed++;
        }
    }
    rc = libro_hash_ref(a->hash, doc, len, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    a->outcome =
        a->n_signed == a->cred->n_parties ? LIBRO_AGREEMENT_COMPLETE : LIBRO_AGREEMENT_PARTIAL;
    *out = a;
    a = NULL; /* moved to caller */
out:
    libro_agreement_free(a);
    libro_jws_json_free(j);
    return rc;
}
