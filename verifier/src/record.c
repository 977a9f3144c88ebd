/* libro_verifier: the offline check of a law's consent record (libro law record;
 * docs/credentials.md, "The consent record"). The record carries its steps and the mandates
 * of everyone who acted or sat, so that anyone can confirm, with nothing but a trust store,
 * that a law was adopted by consent of the members who sat at that time: each step's
 * signature by its member's own key, each mandate's chain to a pinned anchor, core's state
 * machine (the same one the registry ran before recording each step) over the seats those
 * mandates give, and that the law names the record's last step. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "libro/time.h"
#include "libro/util.h"
#include "verify_int.h"

void
libro_record_check_free(libro_record_check *r)
{
    if (r == NULL) {
        return;
    }
    for (size_t i = 0; r->steps != NULL && i < r->n_steps; i++) {
        libro_step_free(r->steps[i]);
    }
    libro_free(r->steps);
    libro_free(r->hashes);
    for (size_t i = 0; r->mandates != NULL && i < r->n_mandates; i++) {
        libro_verification_free(r->mandates[i]);
    }
    libro_free(r->mandates);
    libro_free(r->mandates_at);
    libro_consent_state_free(&r->state);
    libro_verification_free(r->law);
    libro_consent_record_free(r->record);
    libro_free(r);
}

/* The first failure: ok stays false, and the reason is kept. LIBRO_OK (a result). */
static libro_code fail(libro_record_check *r, const char *fmt, ...) LIBRO_PRINTF(2, 3);

static libro_code
fail(libro_record_check *r, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    if (vsnprintf(r->reason, sizeof r->reason, fmt, ap) < 0) {
        r->reason[0] = '\0';
    }
    va_end(ap);
    return LIBRO_OK;
}

/* A failure of a parse or verification (code rc, message in e): memory and crypto are no
 * result at all. */
static bool
is_error(libro_code rc)
{
    return rc == LIBRO_ERR_NOMEM || rc == LIBRO_ERR_CRYPTO || rc == LIBRO_ERR_INVALID_ARG;
}

/* Whether a mandate's verification got past its chain and its term: the signature, the
 * chain to an anchor and the window held at the time asked about (its status, as of the last
 * sync, says nothing of that time). */
static bool
mandate_sat(const libro_verification *v)
{
    return v->mandate != NULL && v->outcome != LIBRO_INVALID && v->outcome != LIBRO_UNTRUSTED &&
           v->outcome != LIBRO_EXPIRED && v->outcome != LIBRO_NOT_YET_VALID;
}

/* The law given with the record: it must verify as a law (whatever its state now). */
static libro_code
check_law(libro_record_check *r, const libro_trust *t, const char *law, size_t law_len,
          const libro_verify_options *opt, libro_error *err)
{
    libro_code rc = libro_verify_license(&r->law, t, law, law_len, opt, err);
    const libro_verification *v = r->law;

    if (rc != LIBRO_OK) {
        return rc;
    }
    if (v->law == NULL || (v->outcome != LIBRO_IN_FORCE && v->outcome != LIBRO_UNDER_REVIEW &&
                           v->outcome != LIBRO_REPEALED)) {
        return fail(r, "law: %s: %.200s", libro_outcome_name(v->outcome),
                    v->law == NULL && v->outcome == LIBRO_VALID ? "not a CommunityLaw" : v->reason);
    }
    return LIBRO_OK;
}

/* Verify mandate j as of the last step (clamped into its term) and turn it into a seat. */
static libro_code
check_mandate(libro_record_check *r, libro_consent_seat *seat, const char **community,
              const libro_trust *t, size_t j, int64_t last_at, const libro_verify_options *opt,
              libro_error *err)
{
    libro_verify_options o = *opt;
    libro_credential *unverified = NULL;
    const char *tok = r->record->mandates[j];
    const libro_credential *m;
    char what[32];
    libro_code rc;

    (void) snprintf(what, sizeof what, "mandates[%zu]", j);
    /* Its term, read unverified only to choose the moment to verify it at. */
    o.now = last_at;
    if (libro_credential_parse_unverified(&unverified, tok, strlen(tok), NULL) == LIBRO_OK) {
        if (o.now > unverified->valid_until) {
            o.now = unverified->valid_until;
        }
        if (o.now < unverified->valid_from) {
            o.now = unverified->valid_from;
        }
    }
    libro_credential_free(unverified);
    o.at = true;
    r->mandates_at[j] = o.now;
    rc = libro_verify_license(&r->mandates[j], t, tok, strlen(tok), &o, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    if (!mandate_sat(r->mandates[j])) {
        r->bad_mandate = j;
        return fail(r, "%s: %.200s", what,
                    r->mandates[j]->mandate == NULL && r->mandates[j]->outcome == LIBRO_VALID
                        ? "not a RoundtableMandate"
                        : r->mandates[j]->reason);
    }
    m = r->mandates[j]->mandate;
    if (*community == NULL) {
        *community = m->roundtable_id;
    } else if (strcmp(*community, m->roundtable_id) != 0) {
        r->bad_mandate = j;
        if (snprintf(r->reason, sizeof r->reason,
                     "%s: a mandate at the roundtable of %.64s, not of %.64s", what,
                     m->roundtable_id, *community) < 0) {
            r->reason[0] = '\0';
        }
        return LIBRO_OK;
    }
    /* Core's one rule, with no end time: offline, when a mandate ended early is the
     * registry's record (it refused the steps of a member who no longer sat). */
    return libro_consent_seat_of(seat, m, 0, err);
}

libro_code
libro_verify_record(libro_record_check **out, const libro_trust *t, const char *record,
                    size_t record_len, const char *law, size_t law_len,
                    const libro_verify_options *opt, libro_error *err)
{
    libro_verify_options defaults = LIBRO_VERIFY_OPTIONS_INIT(0);
    libro_record_check *r = NULL;
    libro_consent_seat *seats = NULL;
    const char **hash_of = NULL;
    libro_error e = LIBRO_ERROR_INIT;
    const char *community = NULL;
    char what[32];
    size_t n;
    libro_code rc;

    if (out == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "record: NULL argument");
    }
    *out = NULL;
    if (t == NULL || (record == NULL && record_len > 0) || (law == NULL && law_len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "record: NULL argument");
    }
    if (opt == NULL) {
        defaults.now = libro_time_now();
        opt = &defaults;
    }
    r = libro_calloc(1, sizeof *r);
    if (r == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "record: out of memory");
    }
    r->bad_step = SIZE_MAX;
    r->bad_mandate = SIZE_MAX;

    /* The document. */
    rc = libro_consent_record_parse(&r->record, record != NULL ? record : "", record_len, &e);
    if (rc != LIBRO_OK) {
        rc = is_error(rc) ? libro_error_set(err, rc, "%s", e.msg) : fail(r, "%.240s", e.msg);
        goto out;
    }
    n = r->record->n_steps;
    r->steps = libro_calloc(n, sizeof *r->steps);
    r->hashes = libro_calloc(n, sizeof *r->hashes);
    r->mandates = libro_calloc(r->record->n_mandates + 1, sizeof *r->mandates);
    r->mandates_at = libro_calloc(r->record->n_mandates + 1, sizeof *r->mandates_at);
    seats = libro_calloc(r->record->n_mandates + 1, sizeof *seats);
    if (r->steps == NULL || r->hashes == NULL || r->mandates == NULL || r->mandates_at == NULL ||
        seats == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "record: out of memory");
        goto out;
    }
    r->n_steps = n;
    r->n_mandates = r->record->n_mandates;

    /* 1. Every step's signature, by the key of the member it names. */
    for (size_t i = 0; i < n; i++) {
        const char *tok = r->record->steps[i];

        rc = libro_step_verify(&r->steps[i], r->hashes[i], tok, strlen(tok), &e);
        if (rc != LIBRO_OK) {
            r->bad_step = i;
            (void) snprintf(what, sizeof what, "step %zu", i);
            rc = is_error(rc) ? libro_error_set(err, rc, "%s", e.msg)
                              : fail(r, "%s: %.220s", what, e.msg);
            goto out;
        }
    }
    if (strcmp(r->steps[0]->process, r->record->process) != 0) {
        r->bad_step = 0;
        rc = fail(r, "record of process %.64s, but its steps are of %.64s", r->record->process,
                  r->steps[0]->process);
        goto out;
    }

    /* 2. The law, when given: its community is the roundtable's. */
    if (law != NULL) {
        rc = check_law(r, t, law, law_len, opt, err);
        if (rc != LIBRO_OK || r->reason[0] != '\0') {
            goto out;
        }
        community = r->law->law->issuer;
    }

    /* 3. Every mandate, as of the record's last step. */
    for (size_t j = 0; j < r->n_mandates; j++) {
        rc = check_mandate(r, &seats[j], &community, t, j, r->steps[n - 1]->at, opt, err);
        if (rc != LIBRO_OK || r->reason[0] != '\0') {
            goto out;
        }
    }

    /* 4. The process, with the seats the mandates give. */
    hash_of = libro_calloc(n, sizeof *hash_of);
    if (hash_of == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "record: out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        hash_of[i] = r->hashes[i];
    }
    rc = libro_consent_run(&r->state, (const libro_step *const *) r->steps, hash_of, n, seats,
                           r->n_mandates, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    r->ran = true;
    if (r->state.refused) {
        r->bad_step = r->state.n_accepted;
        rc = fail(r, "%.250s", r->state.refused_reason);
        goto out;
    }

    /* 5. The law is what the record adopted, and names its last step. */
    if (r->law != NULL) {
        rc = libro_consent_check_law(r->law->law, &r->state, (const libro_step *const *) r->steps,
                                     n, &e);
        if (rc != LIBRO_OK) {
            rc = is_error(rc) ? libro_error_set(err, rc, "%s", e.msg)
                              : fail(r, "law: %.240s", e.msg);
            goto out;
        }
    }
    r->ok = true;
out:
    libro_free(seats);
    libro_free(hash_of);
    if (rc == LIBRO_OK) {
        *out = r;
        r = NULL;
    }
    libro_record_check_free(r);
    return rc;
}
