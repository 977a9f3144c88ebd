/* libro_verifier: the offline verdict on a license or a roundtable mandate (libro-verify(1)),
 * one pipeline for both, the credential's type choosing link 2 and the rules. Order:
 *   1. the JWS envelope (libro_jws_parse), typ vc+jwt, a well-formed kid   -> INVALID
 *   2. the kid resolved in the trust store to an IssuerAuthorization key
 *      (a license) or a community's key, an anchor's or a charter's
 *      (a mandate)                                                        -> UNTRUSTED
 *   3. the signature with that key, then (only then) its claims:
 *      a ProfessionalLicense or RoundtableMandate whose issuer is the
 *      kid's id                                                           -> INVALID
 *      signed by a key of the kind its type needs                         -> UNTRUSTED
 *   4. the chain up to a pinned anchor, rules 1-6 of docs/credentials.md
 *      (a mandate: libro_rules_mandate_under with its charters)           -> UNTRUSTED
 *   5. its own window at `now` +- skew                                    -> EXPIRED /
 *                                                                            NOT YET VALID
 *   6. its status, from the cached lists its credentialStatus names: each
 *      authenticated (registry key, chain through the license's community
 *      or the mandate's roundtable, window, index)                        -> STATUS UNKNOWN
 *      revocation bit                                                     -> REVOKED (a
 *                                                                            mandate: ENDED)
 *      the older list past max_status_age                                 -> STATUS UNKNOWN
 *      suspension bit                                                     -> SUSPENDED
 * A token that fails steps 1-3 and says it is something else than a license or a mandate (a
 * trust bundle or signed request by its typ, another credential type by its payload's
 * "type", read unverified and believed for nothing else) is INVALID "not a license" instead,
 * whichever of those steps it failed at: the word never depends on the key look-up.
 * Dates come last on purpose: EXPIRED says "a genuine license whose time is up", which only
 * a verified chain can support; a license whose chain is broken is UNTRUSTED whatever its
 * dates, and a forged one is INVALID. */
#include <stdio.h>
#include <string.h>

#include "libro/api.h"
#include "libro/file.h"
#include "libro/json_int.h"
#include "libro/jws.h"
#include "libro/lb1.h"
#include "libro/lb1_jws_int.h"
#include "libro/limits.h"
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
    case LIBRO_SURRENDERED:
        return "SURRENDERED";
    case LIBRO_LAPSED:
        return "LAPSED";
    case LIBRO_ENDED:
        return "ENDED";
    case LIBRO_COMPLETE:
        return "COMPLETE";
    case LIBRO_PARTIAL:
        return "PARTIAL";
    case LIBRO_SUPERSEDED:
        return "SUPERSEDED";
    case LIBRO_IN_FORCE:
        return "IN FORCE";
    case LIBRO_UNDER_REVIEW:
        return "UNDER REVIEW";
    case LIBRO_REPEALED:
        return "REPEALED";
    }
    return "UNKNOWN";
}

int
libro_outcome_exit_code(libro_outcome o)
{
    switch (o) {
    case LIBRO_VALID:
    case LIBRO_COMPLETE:
    case LIBRO_IN_FORCE:
        return 0;
    case LIBRO_INVALID:
        return 1;
    case LIBRO_EXPIRED:
    case LIBRO_NOT_YET_VALID:
    case LIBRO_LAPSED:
    case LIBRO_UNDER_REVIEW:
        return 3;
    case LIBRO_REVOKED:
    case LIBRO_SURRENDERED:
    case LIBRO_ENDED:
    case LIBRO_SUPERSEDED:
    case LIBRO_REPEALED:
        return 4;
    case LIBRO_PARTIAL:
        return 9;
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
    libro_credential_free(v->mandate);
    libro_credential_free(v->law);
    libro_agreement_free(v->agreement);
    libro_free(v->reg_registry);
    libro_free(v->reg_url);
    libro_free(v->reg_community);
    libro_free(v->roundtable_name);
    libro_free(v->seat_name);
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

/* INVALID "not a license: <what>": the right word for a charter, an authorization, a status
 * list or a bundle given where a license was expected. */
static libro_code
not_license(libro_verification *v, const char *what)
{
    char line[LIBRO_ERROR_MSG_MAX];

    v->not_a_license = true;
    if (snprintf(line, sizeof line, "not a license: %s", what) < 0) {
        return verdict(v, LIBRO_INVALID, "not a license");
    }
    return verdict(v, LIBRO_INVALID, line);
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

/* Copy the caller's options into `o`, reading only the fields its version has, and check
 * them. */
static libro_code
check_options(libro_verify_options *o, const libro_verify_options *opt, libro_error *err)
{
    if (opt->version < 1 || opt->version > 3) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "verify: options version %u unknown",
                               opt->version);
    }
    o->version = 3;
    o->at = opt->version >= 3 && opt->at;
    o->now = opt->now;
    o->skew = opt->skew;
    o->max_links = opt->max_links;
    o->max_status_age =
        opt->version >= 2 ? opt->max_status_age : LIBRO_VERIFY_DEFAULT_MAX_STATUS_AGE;
    opt = o;
    if (opt->max_status_age < 1 || opt->max_status_age > LIBRO_VERIFY_MAX_STATUS_AGE) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "verify: max_status_age must be 1 to %d seconds",
                               LIBRO_VERIFY_MAX_STATUS_AGE);
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

/* ---- status (step 6) ----------------------------------------------------------------------- */

static void
fmt_time(char out[LIBRO_TIME_TEXT_MAX], int64_t t)
{
    if (libro_time_format(out, t, NULL) != LIBRO_OK) {
        memcpy(out, "?", 2);
    }
}

/* The time step, before anything is read: a clock set back before what the store has
 * already seen (a bundle synced today) would turn an expired license VALID again, so no
 * verdict is given at it. A moment asked about (opt->at) is answered as today, with a note
 * that the status data is as of the last sync. */
static libro_code
check_clock(bool *refused, libro_verification *v, const libro_trust *t,
            const libro_verify_options *opt)
{
    char clock[LIBRO_TIME_TEXT_MAX];
    char seen[LIBRO_TIME_MS_TEXT_MAX];
    char why[LIBRO_ERROR_MSG_MAX];
    int n;

    *refused = false;
    if (t->seen_ms > 0 && libro_time_format_ms(seen, t->seen_ms, NULL) != LIBRO_OK) {
        memcpy(seen, "?", 2);
    }
    if (opt->at) {
        n = t->seen_ms > 0 ? snprintf(v->note, sizeof v->note,
                                      "status data is as of the last sync (%s), not of the "
                                      "time asked about",
                                      seen)
                           : snprintf(v->note, sizeof v->note,
                                      "status data is as of the last sync (none recorded), not "
                                      "of the time asked about");
        if (n < 0) {
            v->note[0] = '\0';
        }
        return LIBRO_OK;
    }
    /* In milliseconds: the clock may be slow by the skew, no more. */
    if (t->seen_ms == 0 || (opt->now + opt->skew) * 1000 >= t->seen_ms) {
        return LIBRO_OK;
    }
    fmt_time(clock, opt->now);
    n = snprintf(why, sizeof why,
                 "this computer's clock (%s) is before data already seen (%s); set the clock "
                 "right",
                 clock, seen);
    *refused = true;
    return verdict(v, LIBRO_STATUS_UNKNOWN, n < 0 ? "this computer's clock is set back" : why);
}

/* The index of the cached list `url` in the store, or t->n_lists. */
static size_t
find_list(const libro_trust *t, const char *url)
{
    size_t i;

    for (i = 0; i < t->n_lists; i++) {
        if (strcmp(t->lists[i].list.id, url) == 0) {
            break;
        }
    }
    return i;
}

/* "status data is 7.5 days old (maximum 7)": in days when the maximum is whole days, else in
 * hours or seconds; the age rounded up to a tenth (days) or a unit, so that an age over the
 * maximum never reads as equal to it. */
static int
fmt_too_old(char *out, size_t cap, int64_t age, int64_t max)
{
    int64_t tenths;
    int64_t unit = max % 3600 == 0 ? 3600 : 1;

    if (max % 86400 == 0) {
        tenths = (age * 10 + 86399) / 86400;
        if (tenths % 10 == 0) {
            return snprintf(out, cap, "status data is %lld days old (maximum %lld)",
                            (long long) (tenths / 10), (long long) (max / 86400));
        }
        return snprintf(out, cap, "status data is %lld.%lld days old (maximum %lld)",
                        (long long) (tenths / 10), (long long) (tenths % 10),
                        (long long) (max / 86400));
    }
    return snprintf(out, cap, "status data is %lld %s old (maximum %lld %s)",
                    (long long) ((age + unit - 1) / unit), unit == 1 ? "seconds" : "hours",
                    (long long) (max / unit), unit == 1 ? "seconds" : "hours");
}

/* What does not depend on the verification, for the cached list `l`: signed by a registry key
 * (a RegistryAuthorization in the store for its kid), parsed from what verified (the bits
 * decoded), and the entry it was indexed as. Fills lm (state, verified or why). Returns an
 * error only when no verdict could be formed (memory, crypto): then lm stays unknown. */
static libro_code
verify_list(libro_trust__list_memo *lm, const libro_trust *t, const libro_trust__list *l,
            libro_error *err)
{
    const char *url = l->list.id;
    const libro_key *key;
    libro_jws *jws = NULL;
    libro_status_list parsed;
    libro_error e = LIBRO_ERROR_INIT;
    const unsigned char *p;
    size_t p_len;
    char shown[65];
    libro_code rc = LIBRO_OK;
    int n = 0;

    memset(&parsed, 0, sizeof parsed);
    lm->state = LIBRO_MEMO__REFUSED;
    key = libro_trust__registry_key(t, l->signer_id, l->signer_tp);
    if (key == NULL) {
        libro_verifier__printable(shown, sizeof shown, l->signer_id, strlen(l->signer_id));
        n = snprintf(lm->why, sizeof lm->why,
                     "status list %.100s: no registry authorization for %s#%s", url, shown,
                     l->signer_tp);
        goto out;
    }
    rc = libro_jws_parse_ex(&jws, l->token, l->token_len, LIBRO_MAX_STATUS_LIST_TOKEN_BYTES,
                            LIBRO_MAX_STATUS_LIST_PAYLOAD_BYTES, &e);
    if (rc == LIBRO_OK) {
        rc = libro_jws_verify(jws, key, &e);
    }
    if (rc == LIBRO_OK) {
        p = libro_jws_payload(jws, &p_len);
        rc = libro_status_list_parse(&parsed, p, p_len, &e);
    }
    if (rc == LIBRO_ERR_NOMEM || rc == LIBRO_ERR_CRYPTO) {
        lm->state = LIBRO_MEMO__UNKNOWN; /* no verdict: tried again next time */
        rc = libro_error_set(err, rc, "%s", e.msg);
        goto out;
    }
    if (rc != LIBRO_OK) {
        rc = LIBRO_OK;
        n = snprintf(lm->why, sizeof lm->why, "status list %.100s: %.140s", url, e.msg);
        goto out;
    }
    /* The same bytes were indexed when the store was read. */
    if (strcmp(parsed.id, url) != 0 || strcmp(parsed.issuer, l->signer_id) != 0) {
        n = snprintf(lm->why, sizeof lm->why,
                     "status list %.100s: stored entry does not match its index", url);
        goto out;
    }
    lm->verified = parsed;
    memset(&parsed, 0, sizeof parsed);
    lm->state = LIBRO_MEMO__VERIFIED;
out:
    if (n < 0) {
        lm->why[0] = '\0';
    }
    libro_status_list_free(&parsed);
    libro_jws_free(jws);
    return rc;
}

/* The memo of cached list number `i`, verified on first use (verify_list) under the memo's
 * lock; borrowed until the store changes. */
static libro_code
list_memo(const libro_trust__list_memo **out, const libro_trust *t, size_t i, libro_error *err)
{
    libro_trust__memo *m = t->memo;
    libro_trust__list_memo *lm;
    libro_code rc = LIBRO_OK;

    *out = NULL;
    if (i >= m->n_lists) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "verify: out of memory (trust store memo)");
    }
    lm = &m->lists[i];
    (void) pthread_mutex_lock(&m->lock);
    if (lm->state == LIBRO_MEMO__UNKNOWN) {
        rc = verify_list(lm, t, &t->lists[i], err);
    }
    (void) pthread_mutex_unlock(&m->lock);
    if (rc == LIBRO_OK) {
        *out = lm;
    }
    return rc;
}

/* The registry walk (libro_chain__walk_registry) for cached list number `i`, verified as
 * `list`, under `community`: its outcome and reason, from the list's memo when the last walk
 * was asked for the same community and options and `now` lies where that walk's answer
 * holds, else walked and kept. */
static libro_code
registry_walk(libro_outcome *outcome, char *reason, size_t cap, const libro_trust *t, size_t i,
              const libro_status_list *list, const char *community, const libro_verify_options *opt,
              libro_error *err)
{
    libro_trust__memo *m = t->memo;
    libro_trust__walk_memo *wm = &m->lists[i].walk;
    libro_chain__result res;
    char *kept = NULL;
    bool hit;
    libro_code rc;

    memset(&res, 0, sizeof res);
    (void) pthread_mutex_lock(&m->lock);
    hit = wm->known && strcmp(wm->community, community) == 0 && wm->skew == opt->skew &&
          wm->max_links == opt->max_links && wm->now_lo <= opt->now && opt->now <= wm->now_hi;
    if (hit) {
        *outcome = wm->outcome;
        if (snprintf(reason, cap, "%s", wm->reason) < 0) {
            reason[0] = '\0';
        }
    }
    (void) pthread_mutex_unlock(&m->lock);
    if (hit) {
        return LIBRO_OK;
    }
    rc = libro_chain__walk_registry(&res, t, list, community, t->lists[i].signer_id,
                                    t->lists[i].signer_tp, opt, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    *outcome = res.outcome;
    if (snprintf(reason, cap, "%s", res.reason) < 0) {
        reason[0] = '\0';
    }
    kept = libro_strndup(community, strlen(community));
    if (kept == NULL) {
        goto out; /* not kept: the next verification walks again */
    }
    (void) pthread_mutex_lock(&m->lock);
    libro_free(wm->community);
    wm->community = kept;
    kept = NULL;
    wm->skew = opt->skew;
    wm->max_links = opt->max_links;
    wm->now_lo = res.now_lo;
    wm->now_hi = res.now_hi;
    wm->outcome = res.outcome;
    memcpy(wm->reason, res.reason, sizeof wm->reason);
    wm->known = true;
    (void) pthread_mutex_unlock(&m->lock);
out:
    libro_chain__result_free(&res);
    return rc;
}

/* One status list for the license, from the store: found by `url`, signed by a registry key
 * (a RegistryAuthorization in the store for its kid), parsed from what verified, of the
 * expected purpose, its authorization chained to an anchor through `community`, valid at
 * now +- skew, and holding `index`, whose status (a bit, or a message list's word) is
 * *value. *known false with the reason in `why` when any of that fails (and *stale true when
 * a sync would help: no list, or one outside its window): a list that cannot be trusted says
 * nothing, neither "revoked" nor "not revoked". The signature, the parse and the chain walk
 * are done once per store change (the memo); the rest each time. Returns an error only when
 * no verdict could be formed (memory, crypto). */
static libro_code
read_list(bool *known, bool *stale, unsigned *value, int64_t *from, const libro_trust *t,
          const char *url, libro_status_purpose purpose, libro_status_words words, uint32_t index,
          const char *community, const libro_verify_options *opt, char *why, size_t why_cap,
          libro_error *err)
{
    const libro_trust__list_memo *lm = NULL;
    const libro_status_list *parsed;
    libro_error e = LIBRO_ERROR_INIT;
    libro_outcome chain = LIBRO_UNTRUSTED;
    char reason[LIBRO_ERROR_MSG_MAX];
    char when[LIBRO_TIME_TEXT_MAX];
    size_t i;
    libro_code rc = LIBRO_OK;
    int n = 0;

    *known = false;
    *stale = false;
    *value = 0;
    *from = 0;
    i = find_list(t, url);
    if (i == t->n_lists) {
        n = snprintf(why, why_cap, "no status list cached for %.180s", url);
        *stale = true;
        goto out;
    }
    rc = list_memo(&lm, t, i, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (lm->state != LIBRO_MEMO__VERIFIED) {
        n = snprintf(why, why_cap, "%s", lm->why);
        goto out;
    }
    parsed = &lm->verified;
    /* The purpose is the license's. */
    if (parsed->purpose != purpose) {
        n = snprintf(why, why_cap, "status list %.100s is a %s list, not a %s list", url,
                     libro_status_purpose_name(parsed->purpose),
                     libro_status_purpose_name(purpose));
        goto out;
    }
    if (purpose == LIBRO_STATUS_MESSAGE && parsed->words != words) {
        /* A word means something else in the other set ("recalled" is "lapsed"). */
        n = snprintf(why, why_cap, "status list %.100s carries the %s words, not the %s words", url,
                     parsed->words == LIBRO_WORDS_MANDATE ? "mandate" : "license",
                     words == LIBRO_WORDS_MANDATE ? "mandate" : "license");
        goto out;
    }
    rc = registry_walk(&chain, reason, sizeof reason, t, i, parsed, community, opt, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (chain != LIBRO_VALID) {
        n = snprintf(why, why_cap, "status list %.100s: %.140s", url, reason);
        goto out;
    }
    if (opt->now + opt->skew < parsed->valid_from) {
        fmt_time(when, parsed->valid_from);
        n = snprintf(why, why_cap, "status list %.100s is not valid before %s", url, when);
        *stale = true;
        goto out;
    }
    if (opt->now - opt->skew > parsed->valid_until) {
        fmt_time(when, parsed->valid_until);
        n = snprintf(why, why_cap, "status list %.100s expired %s", url, when);
        *stale = true;
        goto out;
    }
    if (libro_status_list_value(value, parsed, index, &e) != LIBRO_OK) {
        n = snprintf(why, why_cap, "status list %.100s: index %u outside its %zu entries", url,
                     (unsigned) index,
                     parsed->bits.n_entries / libro_status_purpose_size(parsed->purpose));
        goto out;
    }
    *from = parsed->valid_from;
    *known = true;
out:
    if (n < 0) {
        why[0] = '\0';
    }
    return rc;
}

/* The credential a verification read: its license, its mandate or its law. */
static const libro_credential *
verified_cred(const libro_verification *v)
{
    return v->license != NULL ? v->license : v->mandate != NULL ? v->mandate : v->law;
}

/* The community whose registry speaks for the credential's status: a license's own, a
 * mandate's roundtable (a roundtable's registry records its mandates). */
static const char *
status_community(const libro_credential *c)
{
    return c->type == LIBRO_CRED_MANDATE ? c->roundtable_id : c->community_id;
}

static libro_status_words
words_of(const libro_credential *c)
{
    return c->type == LIBRO_CRED_MANDATE ? LIBRO_WORDS_MANDATE : LIBRO_WORDS_LICENSE;
}

/* The word of a revoked or expired license (docs/formats.md, "Status words"): its message
 * list, checked as the others. The words are final, as revocation is, so the list's age does
 * not matter; a list that cannot be read leaves the outcome the other lists and the dates
 * gave (*decided false), with the reason in `why`. */
static libro_code
read_word(bool *decided, libro_verification *v, const libro_trust *t,
          const libro_verify_options *opt, char *why, size_t why_cap, libro_error *err)
{
    const libro_credential *c = verified_cred(v);
    char reason[LIBRO_ERROR_MSG_MAX];
    char when[LIBRO_TIME_TEXT_MAX];
    int64_t from = 0;
    bool known = false;
    bool stale = false;
    libro_code rc;
    int n = 0;

    *decided = false;
    why[0] = '\0';
    if (c->status_message_list == NULL) {
        return LIBRO_OK;
    }
    rc = read_list(&known, &stale, &v->word, &from, t, c->status_message_list, LIBRO_STATUS_MESSAGE,
                   words_of(c), c->status_index, status_community(c), opt, reason, sizeof reason,
                   err);
    if (rc != LIBRO_OK || !known) {
        if (rc == LIBRO_OK && snprintf(why, why_cap, "; word unknown: %s", reason) < 0) {
            why[0] = '\0';
        }
        return rc;
    }
    v->word_checked = true;
    fmt_time(when, from);
    if (c->type == LIBRO_CRED_MANDATE) {
        if (v->word == LIBRO_WORD_IN_OFFICE) {
            return LIBRO_OK;
        }
        /* resigned, recalled, replaced: how the mandate ended early. */
        n = snprintf(reason, sizeof reason, "mandate ended: %s (message list of %s)",
                     libro_status_words_message(LIBRO_WORDS_MANDATE, v->word), when);
        *decided = true;
        return verdict(v, LIBRO_ENDED, n < 0 ? "mandate ended" : reason);
    }
    if (v->word == LIBRO_WORD_SURRENDERED) {
        n = snprintf(reason, sizeof reason,
                     "license surrendered by its holder (message list of %s)", when);
        *decided = true;
        return verdict(v, LIBRO_SURRENDERED, n < 0 ? "license surrendered" : reason);
    }
    if (v->word == LIBRO_WORD_LAPSED) {
        n = snprintf(reason, sizeof reason,
                     "license lapsed: not renewed within its grace period (message list of %s)",
                     when);
        *decided = true;
        return verdict(v, LIBRO_LAPSED, n < 0 ? "license lapsed" : reason);
    }
    return LIBRO_OK;
}

/* What to run for fresh status data: the status data comes from the registry's bundle, and
 * the registry's URL is the status list's up to "/v1/status/" (docs/formats.md). */
static int
sync_advice(char *out, size_t cap, const char *list_url)
{
    const char *cut = list_url == NULL ? NULL : strstr(list_url, "/v1/status/");

    if (cut != NULL && cut > list_url && cut - list_url <= 160) {
        return snprintf(out, cap, "run libro sync %.*s", (int) (cut - list_url), list_url);
    }
    return snprintf(out, cap, "run libro sync with the registry's URL");
}

/* STATUS UNKNOWN for status data that is missing or out of date, with what to do. The advice is
 * kept whole; the reason before it gives way when the line would be too long. */
static libro_code
status_unknown(libro_verification *v, const char *why, const char *list_url)
{
    char advice[200];
    char line[LIBRO_ERROR_MSG_MAX];
    int n = sync_advice(advice, sizeof advice, list_url);
    int m;

    if (n < 0 || (size_t) n >= sizeof advice) {
        return verdict(v, LIBRO_STATUS_UNKNOWN, why);
    }
    /* ": " and ", then verify again" take 21 bytes: the reason gets at least 55. */
    m = snprintf(line, sizeof line, "%.*s: %s, then verify again",
                 (int) (sizeof line - 1 - (size_t) n - 21), why, advice);
    return verdict(v, LIBRO_STATUS_UNKNOWN, m < 0 ? why : line);
}

/* Step 6 for a license or mandate with credentialStatus whose chain and dates are good. */
static libro_code
check_status(libro_verification *v, const libro_trust *t, const libro_verify_options *opt,
             libro_error *err)
{
    const libro_credential *lic = verified_cred(v);
    const char *what = lic->type == LIBRO_CRED_MANDATE ? "mandate" : "license";
    const char *community = status_community(lic);
    char why[LIBRO_ERROR_MSG_MAX];
    char word_why[LIBRO_ERROR_MSG_MAX];
    char when[LIBRO_TIME_TEXT_MAX];
    bool known;
    bool decided = false;
    bool stale;
    unsigned revoked = 0;
    unsigned suspended = 0;
    int64_t from_r = 0;
    int64_t from_s = 0;
    int n;
    libro_code rc;

    rc = read_list(&known, &stale, &revoked, &from_r, t, lic->status_revocation_list,
                   LIBRO_STATUS_REVOCATION, LIBRO_WORDS_LICENSE, lic->status_index, community, opt,
                   why, sizeof why, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    if (!known) {
        return stale ? status_unknown(v, why, lic->status_revocation_list)
                     : verdict(v, LIBRO_STATUS_UNKNOWN, why);
    }
    v->status_from = from_r;
    if (!revoked) {
        rc = read_list(&known, &stale, &suspended, &from_s, t, lic->status_suspension_list,
                       LIBRO_STATUS_SUSPENSION, LIBRO_WORDS_LICENSE, lic->status_index, community,
                       opt, why, sizeof why, err);
        if (rc != LIBRO_OK) {
            return rc;
        }
        if (!known) {
            return stale ? status_unknown(v, why, lic->status_suspension_list)
                         : verdict(v, LIBRO_STATUS_UNKNOWN, why);
        }
        v->suspended = suspended != 0;
        if (from_s < v->status_from) {
            v->status_from = from_s;
        }
    }
    v->status_checked = true;
    v->revoked = revoked != 0;
    v->status_age = opt->now > v->status_from ? opt->now - v->status_from : 0;
    fmt_time(when, from_r);
    /* Revocation is final: a list that says so stays right however old it is. A surrender
     * sets the revocation bit too; the message list tells the two apart. A mandate's
     * revocation bit is its early end, whatever word says how. */
    if (v->revoked) {
        rc = read_word(&decided, v, t, opt, word_why, sizeof word_why, err);
        if (rc != LIBRO_OK || decided) {
            return rc;
        }
        if (lic->type == LIBRO_CRED_MANDATE) {
            n = snprintf(why, sizeof why, "mandate ended (revocation list of %s)%s", when,
                         word_why);
            return verdict(v, LIBRO_ENDED, n < 0 ? "mandate ended" : why);
        }
        n = snprintf(why, sizeof why, "license revoked (revocation list of %s)%s", when, word_why);
        return verdict(v, LIBRO_REVOKED, n < 0 ? "license revoked" : why);
    }
    if (v->status_age > opt->max_status_age) {
        n = fmt_too_old(why, sizeof why, v->status_age, opt->max_status_age);
        return status_unknown(v, n < 0 ? "status data too old" : why, lic->status_revocation_list);
    }
    if (v->suspended) {
        fmt_time(when, from_s);
        n = snprintf(why, sizeof why, "%s suspended (suspension list of %s)", what, when);
        return verdict(v, LIBRO_SUSPENDED, n < 0 ? "suspended" : why);
    }
    if (v->status_age > LIBRO_VERIFY_STATUS_WARN_AGE) {
        char advice[200];

        n = sync_advice(advice, sizeof advice, lic->status_revocation_list);
        n = n < 0 ? n
                  : snprintf(v->warning, sizeof v->warning,
                             "status data is %lld hours old (more than 24): %s",
                             (long long) (v->status_age / 3600), advice);
        if (n < 0) {
            v->warning[0] = '\0';
        }
    }
    return verdict(v, LIBRO_VALID, "");
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
    rc = libro_chain__link_fill(&chain[0], verified_cred(v), false, err);
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
    v->roundtable_name = res->roundtable_name;
    v->seat_name = res->seat_name;
    res->community_name = NULL;
    res->community_level_name = NULL;
    res->roundtable_name = NULL;
    res->seat_name = NULL;
    return LIBRO_OK;
}

/* ---- the envelope (step 1) ----------------------------------------------------------------- */

/* Whether the token plainly says it is not a license (*no), with what it says it is in `what`:
 * a trust bundle or signed registry request by its typ, or a credential whose payload "type"
 * names neither ProfessionalLicense nor RoundtableMandate (a charter, an authorization, a
 * status list); *mandate: it says it is a RoundtableMandate. Read from bytes nobody has
 * vouched for, and only to choose the word of a refusal: every answer it gives is a refusal,
 * which a forged token gets anyway, and nothing it reads is used again. An error only when
 * memory ran out (no verdict then). */
static libro_code
says_not_license(bool *no, bool *mandate, bool *law, char *what, size_t cap, const libro_jws *jws,
                 const char *token, size_t len, libro_error *err)
{
    libro_json_limits lim = LIBRO_JSON_LIMITS_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    const char *typ = libro_jws_typ(jws);
    const char *name = NULL;
    json_t *root = NULL;
    json_t *ty;
    size_t i;
    char shown[65];
    bool license = false;
    libro_code rc = LIBRO_OK;
    int n = -1;

    *mandate = false;
    *law = false;
    if (libro_jws_typ_is(typ, LIBRO_BUNDLE_TYP)) {
        n = snprintf(what, cap, "the token is a trust bundle (typ %s)", LIBRO_BUNDLE_TYP);
    } else if (libro_jws_typ_is(typ, LIBRO_REQUEST_TYP)) {
        n = snprintf(what, cap, "the token is a signed registry request (typ %s)",
                     LIBRO_REQUEST_TYP);
    } else {
        /* Decoded again, unverified (libro_jws_payload shows nothing before the signature). */
        rc = libro_jws_unverified_payload(&payload, token, len, err);
        if (rc == LIBRO_OK && libro_json__load(&root, (const char *) payload.data, payload.len,
                                               &lim, NULL) == LIBRO_OK) {
            ty = json_object_get(root, "type");
            if (json_is_string(ty)) {
                name = json_string_value(ty);
                *mandate = strcmp(name, "RoundtableMandate") == 0;
                *law = strcmp(name, "CommunityLaw") == 0;
                license = strcmp(name, "ProfessionalLicense") == 0 || *mandate || *law;
            }
            for (i = 0; json_is_array(ty) && i < json_array_size(ty); i++) {
                const char *s = json_string_value(json_array_get(ty, i));

                if (s == NULL) {
                    name = NULL; /* not a list of names: the strict parse will say what it is */
                    break;
                }
                *mandate = *mandate || strcmp(s, "RoundtableMandate") == 0;
                *law = *law || strcmp(s, "CommunityLaw") == 0;
                license = license || strcmp(s, "ProfessionalLicense") == 0 || *mandate || *law;
                if (name == NULL || strcmp(s, "VerifiableCredential") != 0) {
                    name = s;
                }
            }
        }
        if (name != NULL && !license) {
            libro_verifier__printable(shown, sizeof shown, name, strlen(name));
            n = snprintf(what, cap, "the credential's type is %s", shown);
        }
        if (rc != LIBRO_ERR_NOMEM) {
            rc = LIBRO_OK; /* unreadable: the later steps say what is wrong with it */
        }
    }
    *no = rc == LIBRO_OK && n >= 0;
    json_decref(root);
    libro_buf_free(&payload);
    return rc;
}

/* A refusal at steps 1-3 (outcome `o`, reason and code in `e`, or in `e_mandate` when that
 * is not NULL and the token says it is a mandate), unless the token says it is not a license:
 * then that is the verdict, whichever of these steps it failed at, so the word does not
 * depend on whose key signed it or on whether the store knows that key. Only these failure
 * paths read the payload unverified: a license that verifies never pays for it (about a
 * tenth of the verification rate, bench_verify). Memory or crypto failures are no verdict at
 * all. */
static libro_code
refuse_as(libro_verification *v, libro_outcome o, const libro_error *e,
          const libro_error *e_mandate, const libro_error *e_law, const libro_jws *jws,
          const char *token, size_t len, libro_error *err)
{
    libro_error e2 = LIBRO_ERROR_INIT;
    char what[160];
    bool no = false;
    bool mandate = false;
    bool law = false;
    libro_code rc;

    if (e->code == LIBRO_ERR_NOMEM || e->code == LIBRO_ERR_CRYPTO ||
        e->code == LIBRO_ERR_INVALID_ARG) {
        return libro_error_set(err, e->code, "%s", e->msg);
    }
    rc = says_not_license(&no, &mandate, &law, what, sizeof what, jws, token, len, &e2);
    if (rc != LIBRO_OK) {
        return libro_error_set(err, rc, "%s", e2.msg);
    }
    if (no) {
        return not_license(v, what);
    }
    if (mandate && e_mandate != NULL) {
        e = e_mandate;
    } else if (law && e_law != NULL) {
        e = e_law;
    }
    return verdict(v, o, e->msg);
}

static libro_code
refuse(libro_verification *v, libro_outcome o, const libro_error *e, const libro_jws *jws,
       const char *token, size_t len, libro_error *err)
{
    return refuse_as(v, o, e, NULL, NULL, jws, token, len, err);
}

/* UNTRUSTED for a credential whose kid names no key of the kind its type needs: an
 * IssuerAuthorization's for a license, a community's (an anchor or a charter) for a mandate
 * or a law (`signed_what` "mandate" or "law"; NULL for a license). */
static void
no_key(libro_error *e, const char *signed_what, const char *shown, const char *tp)
{
    if (signed_what != NULL) {
        libro_error_set(e, LIBRO_ERR_UNTRUSTED,
                        "no trusted charter or anchor for %s#%s, the community that signed the "
                        "%s",
                        shown, tp, signed_what);
    } else {
        libro_error_set(e, LIBRO_ERR_UNTRUSTED, "no trusted issuer authorization for %s#%s", shown,
                        tp);
    }
}

/* What every entry point does first: the arguments, the options (checked into *checked,
 * *opt pointing there), a new verification in *out, and step 0, the clock (*refused: the
 * verdict is given). */
static libro_code
begin(libro_verification **out, libro_verify_options *checked, const libro_verify_options **opt,
      const libro_trust *t, const char *doc, size_t len, bool *refused, libro_error *err)
{
    libro_verify_options defaults = LIBRO_VERIFY_OPTIONS_INIT(0);
    libro_verification *v;
    libro_code rc;

    *refused = false;
    *out = NULL;
    if (t == NULL || (doc == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "verify: NULL argument");
    }
    if (*opt == NULL) {
        defaults.now = libro_time_now();
        *opt = &defaults;
    }
    rc = check_options(checked, *opt, err);
    *opt = checked;
    if (rc != LIBRO_OK) {
        return rc;
    }
    v = libro_calloc(1, sizeof *v);
    if (v == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "verify: out of memory");
    }
    rc = check_clock(refused, v, t, checked);
    if (rc != LIBRO_OK) {
        libro_verification_free(v);
        return rc;
    }
    *out = v;
    return LIBRO_OK;
}

/* Whether the unverified payload of token[0..len) names the CommunityLaw type: only to allow
 * a law's larger caps (LIBRO_MAX_LAW_TOKEN_BYTES) to the envelope; what it says is believed
 * for nothing else, and the type is checked again once the signature verified. */
static bool
says_law(const char *token, size_t len)
{
    libro_buf payload = LIBRO_BUF_INIT;
    bool law = false;

    static const char needle[] = "\"CommunityLaw\"";

    if (len <= LIBRO_MAX_LAW_TOKEN_BYTES &&
        libro_jws_unverified_payload(&payload, token, len, NULL) == LIBRO_OK &&
        payload.len <= LIBRO_MAX_LAW_PAYLOAD_BYTES) {
        /* The type's name, quoted, anywhere: a law's "type" holds it. */
        for (size_t i = 0; !law && i + sizeof needle - 1 <= payload.len; i++) {
            law = memcmp(payload.data + i, needle, sizeof needle - 1) == 0;
        }
    }
    libro_buf_free(&payload);
    return law;
}

/* ---- agreements, laws and references ------------------------------------------------------ */

/* Whether the registry of index entry `d` still chains to a pinned anchor now, through the
 * community that authorized it (as a status list's registry must): *ok, or `why`. */
static libro_code
registry_trusted(bool *ok, char *why, size_t why_cap, const libro_trust *t,
                 const libro_doc_entry *d, const libro_verify_options *opt, libro_error *err)
{
    libro_chain__result res;
    libro_status_list probe;
    libro_code rc;

    memset(&res, 0, sizeof res);
    memset(&probe, 0, sizeof probe);
    *ok = false;
    /* The walk of a status list signed now by that registry. */
    probe.issuer = libro_strndup(d->registry, strlen(d->registry));
    if (probe.issuer == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "verify: out of memory");
    }
    probe.valid_from = opt->now;
    probe.valid_until = opt->now;
    rc = libro_chain__walk_registry(&res, t, &probe, d->community, d->registry, d->key_thumbprint,
                                    opt, err);
    libro_free(probe.issuer);
    if (rc == LIBRO_OK) {
        *ok = res.outcome == LIBRO_VALID;
        if (!*ok && snprintf(why, why_cap, "registry %.64s: %.150s", d->registry, res.reason) < 0) {
            why[0] = '\0';
        }
    }
    libro_chain__result_free(&res);
    return rc;
}

/* Whether entry `a` says more than `b`: a state in effect that is final (ended, superseded,
 * repealed) beats "in force", then the later sync. */
static bool
says_more(const libro_doc_entry *a, const libro_doc_entry *b, int64_t now)
{
    bool fa = a->state != LIBRO_DOC_IN_FORCE && a->since <= now;
    bool fb = b->state != LIBRO_DOC_IN_FORCE && b->since <= now;

    return fa != fb ? fa : a->synced_ms > b->synced_ms;
}

#define MAX_INDEX_ENTRIES 16u

/* The registry state of v->hash from the synced indexes: only registries that still chain
 * to a pinned anchor, and for a document only those of its own `community` (NULL: any, for a
 * reference), count. Fills v->registered and the reg_* members, or v->reg_note. */
static libro_code
registry_state(libro_verification *v, const libro_trust *t, bool law, const char *community,
               const libro_verify_options *opt, libro_error *err)
{
    libro_doc_entry found[MAX_INDEX_ENTRIES];
    const libro_doc_entry *best = NULL;
    char why[LIBRO_ERROR_MSG_MAX] = "";
    size_t n = libro_trust_doc_find(found, MAX_INDEX_ENTRIES, t, law, v->hash);
    bool ok;
    bool other = false;
    libro_code rc;

    if (n > MAX_INDEX_ENTRIES) {
        n = MAX_INDEX_ENTRIES;
    }
    for (size_t i = 0; i < n; i++) {
        if (community != NULL && strcmp(found[i].community, community) != 0) {
            other = true;
            continue;
        }
        rc = registry_trusted(&ok, why, sizeof why, t, &found[i], opt, err);
        if (rc != LIBRO_OK) {
            return rc;
        }
        if (ok && (best == NULL || says_more(&found[i], best, opt->now))) {
            best = &found[i];
        }
    }
    if (best == NULL) {
        int m = why[0] != '\0'
                    ? snprintf(v->reg_note, sizeof v->reg_note, "no registry state: %.200s", why)
                : other ? snprintf(v->reg_note, sizeof v->reg_note,
                                   "no registry state: only registries of other communities "
                                   "list it")
                        : snprintf(v->reg_note, sizeof v->reg_note,
                                   "not in the trust store: sync its registry (libro sync URL)");

        if (m < 0) {
            v->reg_note[0] = '\0';
        }
        return LIBRO_OK;
    }
    v->registered = true;
    v->reg_state = best->state;
    v->reg_since = best->since;
    v->reg_synced_ms = best->synced_ms;
    v->reg_registry = libro_strndup(best->registry, strlen(best->registry));
    v->reg_url = libro_strndup(best->url, strlen(best->url));
    v->reg_community = libro_strndup(best->community, strlen(best->community));
    if (v->reg_registry == NULL || v->reg_url == NULL || v->reg_community == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "verify: out of memory");
    }
    return LIBRO_OK;
}

/* The verdict a final registry state in effect gives (ENDED, SUPERSEDED, REPEALED), with its
 * reason; *decided false when the state is "in force" or takes effect later. */
static libro_code
registry_verdict(bool *decided, libro_verification *v, const libro_verify_options *opt)
{
    static const struct {
        libro_doc_state state;
        libro_outcome outcome;
        const char *what;
    } words[] = {
        {LIBRO_DOC_ENDED, LIBRO_ENDED, "ended"},
        {LIBRO_DOC_SUPERSEDED, LIBRO_SUPERSEDED, "superseded by an amended version"},
        {LIBRO_DOC_REPEALED, LIBRO_REPEALED, "repealed or replaced by a newer version"},
    };
    char since[LIBRO_TIME_TEXT_MAX];
    char synced[LIBRO_TIME_MS_TEXT_MAX];
    char line[LIBRO_ERROR_MSG_MAX];
    const char *kind =
        v->agreement != NULL || v->reference == LIBRO_LBR_AGREEMENT ? "agreement" : "law";

    *decided = false;
    if (!v->registered || v->reg_since > opt->now) {
        return LIBRO_OK;
    }
    for (size_t i = 0; i < LIBRO_NELEM(words); i++) {
        if (words[i].state != v->reg_state) {
            continue;
        }
        fmt_time(since, v->reg_since);
        if (libro_time_format_ms(synced, v->reg_synced_ms, NULL) != LIBRO_OK) {
            memcpy(synced, "?", 2);
        }
        *decided = true;
        if (snprintf(line, sizeof line, "%s %s %s (registry %.64s, synced %s)", kind, words[i].what,
                     since, v->reg_registry, synced) < 0) {
            return verdict(v, words[i].outcome, words[i].what);
        }
        return verdict(v, words[i].outcome, line);
    }
    return LIBRO_OK;
}

/* chain = the links from `res` (owned by it until moved here), nothing below them. */
static void
take_links(libro_verification *v, libro_chain__result *res)
{
    v->chain = res->links;
    v->n_chain = res->n_links;
    res->links = NULL;
    res->n_links = 0;
    libro_free(v->community_name);
    libro_free(v->community_level_name);
    v->community_name = res->community_name;
    v->community_level_name = res->community_level_name;
    res->community_name = NULL;
    res->community_level_name = NULL;
}

/* "2 of 3 parties signed; not yet: Bob Example, Carol Example" */
static libro_code
partial_verdict(libro_verification *v)
{
    const libro_agreement *a = v->agreement;
    char line[LIBRO_ERROR_MSG_MAX];
    size_t used;
    int n = snprintf(line, sizeof line, "%zu of %zu parties signed; not yet:", a->n_signed,
                     a->cred->n_parties);

    used = n < 0 ? 0 : (size_t) n;
    for (size_t i = 0; i < a->cred->n_parties && used < sizeof line; i++) {
        if (a->signed_by[i]) {
            continue;
        }
        n = snprintf(line + used, sizeof line - used, "%s %s", line[used - 1] == ':' ? "" : ",",
                     a->cred->parties[i].name);
        used = n < 0 ? sizeof line : used + (size_t) n;
    }
    return verdict(v, LIBRO_PARTIAL, line);
}

/* A ResponsibilityAgreement document (JWS JSON): core's check, then for a COMPLETE one the
 * registry's state and its term. The framing community's trust is shown, not judged. */
static libro_code
verify_agreement(libro_verification *v, const libro_trust *t, const char *doc, size_t len,
                 const libro_verify_options *opt, libro_error *err)
{
    libro_error e = LIBRO_ERROR_INIT;
    libro_chain__result res;
    const libro_credential *c;
    bool decided = false;
    libro_code rc;

    memset(&res, 0, sizeof res);
    rc = libro_hash_ref(v->hash, doc, len, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    rc = libro_agreement_check(&v->agreement, doc, len, &e);
    if (rc != LIBRO_OK) {
        return invalid(v, rc, &e, err);
    }
    c = v->agreement->cred;
    rc = libro_chain__walk_community(&res, t, c, c->community_id, NULL, opt, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    v->community_trusted = res.outcome == LIBRO_VALID;
    if (!v->community_trusted) {
        memcpy(v->community_why, res.reason, sizeof v->community_why);
    }
    take_links(v, &res);
    if (v->agreement->outcome == LIBRO_AGREEMENT_PARTIAL) {
        rc = partial_verdict(v);
        goto out;
    }
    rc = registry_state(v, t, false, c->community_id, opt, err);
    if (rc == LIBRO_OK) {
        rc = registry_verdict(&decided, v, opt);
    }
    if (rc != LIBRO_OK || decided) {
        goto out;
    }
    rc = libro_verifier__window(c, opt->now, opt->skew, "agreement", &e);
    if (rc == LIBRO_ERR_EXPIRED) {
        rc = verdict(v, LIBRO_EXPIRED, e.msg);
    } else if (rc == LIBRO_ERR_NOT_YET_VALID) {
        rc = verdict(v, LIBRO_NOT_YET_VALID, e.msg);
    } else {
        rc = verdict(v, LIBRO_COMPLETE, "");
    }
out:
    libro_chain__result_free(&res);
    return rc;
}

/* With opt->at, the note says what is as of the last sync: for an agreement, a law or a
 * reference that is the registry's state, not status data. */
static void
document_note(libro_verification *v)
{
    static const char old[] = "status data is";
    char line[LIBRO_ERROR_MSG_MAX];

    if (strncmp(v->note, old, sizeof old - 1) == 0 &&
        snprintf(line, sizeof line, "the registry's state is%s", v->note + sizeof old - 1) > 0) {
        memcpy(v->note, line, sizeof v->note);
    }
}

/* A CommunityLaw whose signature and chain verified: its registry state, then its dates. */
static libro_code
law_verdict(libro_verification *v, const libro_trust *t, const char *token, size_t len,
            const libro_verify_options *opt, libro_error *err)
{
    const libro_credential *law = v->law;
    libro_error e = LIBRO_ERROR_INIT;
    char when[LIBRO_TIME_TEXT_MAX];
    char line[LIBRO_ERROR_MSG_MAX];
    bool decided = false;
    libro_code rc = libro_hash_ref(v->hash, token, len, err);

    document_note(v);
    if (rc == LIBRO_OK) {
        rc = registry_state(v, t, true, law->issuer, opt, err);
    }
    if (rc == LIBRO_OK) {
        rc = registry_verdict(&decided, v, opt);
    }
    if (rc != LIBRO_OK || decided) {
        return rc;
    }
    rc = libro_verifier__window(law, opt->now, opt->skew, "law", &e);
    if (rc == LIBRO_ERR_NOT_YET_VALID) {
        return verdict(v, LIBRO_NOT_YET_VALID, e.msg);
    }
    if (rc == LIBRO_ERR_EXPIRED) {
        /* "Good enough for now, safe enough to try": past its review date a law is not void,
         * it is due to be consented again (a new version) or to lapse. */
        fmt_time(when, law->valid_until);
        if (snprintf(line, sizeof line,
                     "law past its review date %s: under review until its roundtable consents "
                     "to a new version or it is repealed",
                     when) < 0) {
            return verdict(v, LIBRO_UNDER_REVIEW, "law past its review date");
        }
        return verdict(v, LIBRO_UNDER_REVIEW, line);
    }
    return verdict(v, LIBRO_IN_FORCE, "");
}

/* An LBR reference: the state of the document it names, from the synced indexes only. */
static libro_code
verify_reference(libro_verification *v, const libro_trust *t, const char *text, size_t len,
                 const libro_verify_options *opt, libro_error *err)
{
    libro_error e = LIBRO_ERROR_INIT;
    libro_lbr_kind kind = LIBRO_LBR_AGREEMENT;
    bool decided = false;
    libro_code rc;

    rc = libro_lbr_decode(&kind, v->hash, text, len, &e);
    if (rc != LIBRO_OK) {
        return invalid(v, rc, &e, err);
    }
    v->reference = kind;
    rc = registry_state(v, t, kind == LIBRO_LBR_LAW, NULL, opt, err);
    if (rc == LIBRO_OK) {
        rc = registry_verdict(&decided, v, opt);
    }
    if (rc != LIBRO_OK || decided) {
        return rc;
    }
    if (!v->registered) {
        /* No trusted registry says anything about it: neither in force nor not. */
        return verdict(v, LIBRO_STATUS_UNKNOWN, v->reg_note);
    }
    return verdict(v, LIBRO_IN_FORCE, "");
}

static libro_code verify_lb(libro_verification **out, const libro_trust *t, const char *text,
                            size_t len, const libro_verify_options *opt, libro_error *err);

libro_code
libro_verify_document(libro_verification **out, const libro_trust *t, const char *doc, size_t len,
                      const libro_verify_options *opt, libro_error *err)
{
    libro_verify_options checked;
    libro_verification *v = NULL;
    const char *p = doc;
    size_t n = len;
    libro_lb_format f;
    bool refused = false;
    libro_code rc;

    if (out == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "verify: NULL argument");
    }
    *out = NULL;
    if (doc == NULL) {
        return libro_verify_license(out, t, doc, len, opt, err); /* its argument checks */
    }
    libro_text_trim(&p, &n);
    f = libro_lb1_format_of(p, n);
    if (f == LIBRO_LB1 || f == LIBRO_LB2) {
        return verify_lb(out, t, p, n, opt, err);
    }
    if (n == 0 || (p[0] != '{' && (n < 4 || memcmp(p, LIBRO_LBR_PREFIX, 4) != 0))) {
        return libro_verify_license(out, t, p, n, opt, err);
    }
    rc = begin(&v, &checked, &opt, t, doc, len, &refused, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    if (!refused) {
        document_note(v);
        /* An agreement is hashed as given: its exact bytes are what was registered. */
        rc = p[0] == '{' ? verify_agreement(v, t, doc, len, opt, err)
                         : verify_reference(v, t, p, n, opt, err);
    }
    if (rc == LIBRO_OK) {
        *out = v;
        v = NULL;
    }
    libro_verification_free(v);
    return rc;
}

/* libro_verify_license of jws[0..len), parsed already into `pre` (taken, even on failure)
 * when not NULL: the LB path, which decoded the token's parts from the frame. */
static libro_code
verify_token(libro_verification **out, const libro_trust *t, const char *jws, size_t len,
             libro_jws *pre, const libro_verify_options *opt, libro_error *err)
{
    libro_verify_options checked;
    libro_verification *v = NULL;
    libro_jws *parsed = pre;
    libro_chain__result res;
    libro_error e = LIBRO_ERROR_INIT;
    libro_error e_mandate = LIBRO_ERROR_INIT;
    libro_error e_law = LIBRO_ERROR_INIT;
    libro_credential *cred = NULL;
    const libro_credential *c;
    const char *what;
    bool issuer_key;
    bool mandate;
    bool law;
    const libro_key *key;
    const unsigned char *payload;
    size_t payload_len;
    const char *kid;
    const char *kid_tp;
    size_t id_len;
    char *kid_id = NULL;
    char shown[65];
    bool refused = false;
    libro_code rc;

    memset(&res, 0, sizeof res);
    if (out == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "verify: NULL argument");
        goto out;
    }
    *out = NULL;
    rc = begin(&v, &checked, &opt, t, jws, len, &refused, err);
    if (rc != LIBRO_OK || refused) {
        goto out;
    }

    /* 1. The envelope. */
    rc = parsed != NULL ? LIBRO_OK : libro_jws_parse(&parsed, jws != NULL ? jws : "", len, &e);
    if (rc == LIBRO_ERR_LIMIT && says_law(jws, len)) {
        /* A law carries a text of up to 16 KiB: its own caps. */
        rc = libro_jws_parse_ex(&parsed, jws, len, LIBRO_MAX_LAW_TOKEN_BYTES,
                                LIBRO_MAX_LAW_PAYLOAD_BYTES, &e);
    }
    if (rc != LIBRO_OK) {
        rc = invalid(v, rc, &e, err);
        goto out;
    }
    if (!libro_jws_typ_is(libro_jws_typ(parsed), "vc+jwt")) {
        libro_error_set(&e, LIBRO_ERR_UNSUPPORTED, "jws: typ is not vc+jwt");
        rc = refuse(v, LIBRO_INVALID, &e, parsed, jws, len, err);
        goto out;
    }
    kid = libro_jws_kid(parsed);
    if (kid == NULL) {
        libro_error_set(&e, LIBRO_ERR_PARSE, "jws: header lacks \"kid\"");
        rc = refuse(v, LIBRO_INVALID, &e, parsed, jws, len, err);
        goto out;
    }
    rc = libro_kid_split(kid, &id_len, &kid_tp, &e);
    if (rc != LIBRO_OK) {
        rc = refuse(v, LIBRO_INVALID, &e, parsed, jws, len, err);
        goto out;
    }
    kid_id = libro_strndup(kid, id_len);
    if (kid_id == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "verify: out of memory");
        goto out;
    }
    libro_verifier__printable(shown, sizeof shown, kid_id, id_len);

    /* 2. The key, from the store only: an issuer's for a license, a community's for a
     *    mandate. Both kinds are looked up, since the type is read only after the signature;
     *    a key of the wrong kind for the type is refused below. */
    key = authorized_key(t, kid_id, kid_tp);
    issuer_key = key != NULL;
    if (key == NULL) {
        key = libro_trust__community_key(t, kid_id, kid_tp);
    }
    if (key == NULL) {
        no_key(&e, NULL, shown, kid_tp);
        no_key(&e_mandate, "mandate", shown, kid_tp);
        no_key(&e_law, "law", shown, kid_tp);
        rc = refuse_as(v, LIBRO_UNTRUSTED, &e, &e_mandate, &e_law, parsed, jws, len, err);
        goto out;
    }

    /* 3. The signature, then the claims it covers. */
    what = issuer_key ? "license" : "credential";
    rc = libro_jws_verify(parsed, key, &e);
    if (rc != LIBRO_OK) {
        libro_error_prefix(&e, issuer_key ? "license signature" : "signature");
        rc = refuse(v, LIBRO_INVALID, &e, parsed, jws, len, err);
        goto out;
    }
    payload = libro_jws_payload(parsed, &payload_len);
    rc = libro_credential_parse(&cred, payload, payload_len, &e);
    if (rc != LIBRO_OK) {
        libro_error_prefix(&e, what);
        rc = refuse(v, LIBRO_INVALID, &e, parsed, jws, len, err);
        goto out;
    }
    if (cred->type != LIBRO_CRED_LICENSE && cred->type != LIBRO_CRED_MANDATE &&
        cred->type != LIBRO_CRED_LAW) {
        /* A credential of another type signed by a key from the store. `license` means a
         * license: a charter or authorization is not shown as one. */
        libro_error_set(&e, LIBRO_ERR_SCHEMA, "the credential's type is %s",
                        libro_cred_type_name(cred->type));
        rc = not_license(v, e.msg);
        goto out;
    }
    mandate = cred->type == LIBRO_CRED_MANDATE;
    law = cred->type == LIBRO_CRED_LAW;
    what = mandate ? "mandate" : law ? "law" : "license";
    if (mandate || law ? libro_trust__community_key(t, kid_id, kid_tp) == NULL : !issuer_key) {
        /* A license signed with a community's key, or a mandate or law with an issuer's. */
        no_key(&e, mandate || law ? what : NULL, shown, kid_tp);
        rc = verdict(v, LIBRO_UNTRUSTED, e.msg);
        goto out;
    }
    if (mandate) {
        v->mandate = cred;
    } else if (law) {
        v->law = cred;
    } else {
        v->license = cred;
    }
    cred = NULL;
    c = verified_cred(v);
    if (strcmp(c->issuer, kid_id) != 0) {
        libro_error_set(&e, LIBRO_ERR_PARSE, "%s issuer %.64s is not the kid's %s", what, c->issuer,
                        shown);
        rc = verdict(v, LIBRO_INVALID, e.msg);
        goto out;
    }

    /* 4. The chain. */
    rc = mandate ? libro_chain__walk_mandate(&res, t, c, kid_id, kid_tp, opt, err)
         : law   ? libro_chain__walk_community(&res, t, c, kid_id, kid_tp, opt, err)
                 : libro_chain__walk(&res, t, c, kid_id, kid_tp, opt, err);
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

    if (law) {
        /* 5. A law: its registry state, then its review date. */
        rc = law_verdict(v, t, jws, len, opt, err);
        goto out;
    }

    /* 5. Its own dates. */
    rc = libro_verifier__window(c, opt->now, opt->skew, what, &e);
    if (rc == LIBRO_ERR_EXPIRED && mandate) {
        /* A term that ran out: how it ended early, if it did, no longer matters. */
        rc = verdict(v, LIBRO_EXPIRED, e.msg);
    } else if (rc == LIBRO_ERR_EXPIRED) {
        /* An expired license may have lapsed (or been surrendered): its word says which. */
        bool decided = false;
        char word_why[LIBRO_ERROR_MSG_MAX];

        rc = read_word(&decided, v, t, opt, word_why, sizeof word_why, err);
        if (rc == LIBRO_OK && !decided) {
            rc = verdict(v, LIBRO_EXPIRED, e.msg);
        }
    } else if (rc == LIBRO_ERR_NOT_YET_VALID) {
        rc = verdict(v, LIBRO_NOT_YET_VALID, e.msg);
    } else if (!c->has_status) {
        rc = verdict(v, LIBRO_VALID, ""); /* nothing to check: status_checked stays false */
    } else {
        /* 6. Status. */
        rc = check_status(v, t, opt, err);
    }
out:
    if (rc == LIBRO_OK) {
        *out = v; /* a verdict, whatever it is */
        v = NULL;
    }
    libro_chain__result_free(&res);
    libro_credential_free(cred);
    libro_verification_free(v);
    libro_jws_free(parsed);
    libro_free(kid_id);
    return rc;
}

libro_code
libro_verify_license(libro_verification **out, const libro_trust *t, const char *jws, size_t len,
                     const libro_verify_options *opt, libro_error *err)
{
    return verify_token(out, t, jws, len, NULL, opt, err);
}

/* LB1 or LB2 text (`f`): decoded straight into the parsed JWS (libro_lb1__decode_jws), then
 * verified as its compact JWS would be. Text that does not decode is INVALID with the
 * transport's reason. */
static libro_code
verify_lb(libro_verification **out, const libro_trust *t, const char *text, size_t len,
          const libro_verify_options *opt, libro_error *err)
{
    libro_buf jws = LIBRO_BUF_INIT;
    libro_jws *parsed = NULL;
    libro_error e = LIBRO_ERROR_INIT;
    libro_verify_options checked;
    libro_verification *v = NULL;
    bool refused = false;
    libro_code rc;

    rc = libro_lb1__decode_jws(&parsed, &jws, text, len, LIBRO_MAX_TOKEN_BYTES,
                               LIBRO_MAX_CLAIMS_BYTES, &e);
    if (jws.len > 0) {
        /* It decoded: the token's own refusals, if any, are the verdict (the law's caps,
         * a bad header), as for the token given as text. */
        rc = verify_token(out, t, (const char *) jws.data, jws.len, parsed, opt, err);
        goto out;
    }
    if (rc == LIBRO_ERR_NOMEM || rc == LIBRO_ERR_INVALID_ARG) {
        rc = libro_error_set(err, rc, "%s", e.msg);
        goto out;
    }
    rc = begin(&v, &checked, &opt, t, text, len, &refused, err);
    if (rc == LIBRO_OK && !refused) {
        rc = verdict(v, LIBRO_INVALID, e.msg);
    }
    if (rc == LIBRO_OK) {
        *out = v;
        v = NULL;
    }
out:
    libro_verification_free(v);
    libro_buf_free(&jws);
    return rc;
}

/* A community by the name its verified charter gives, else by its id. */
static const char *
community_shown(const char *name, const char *id)
{
    return name != NULL ? name : id;
}

libro_code
libro_mandate_sentence(libro_buf *out, const libro_verification *v, libro_error *err)
{
    const libro_credential *m = v != NULL ? v->mandate : NULL;
    const char *rt;
    const char *seat;
    char from[LIBRO_TIME_TEXT_MAX];
    char until[LIBRO_TIME_TEXT_MAX];
    libro_code rc;

    if (out == NULL || m == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "verify: no mandate to describe");
    }
    rt = community_shown(v->roundtable_name, m->roundtable_id);
    seat = community_shown(v->seat_name, m->seat != NULL ? m->seat : "");
    rc = libro_time_format(from, m->valid_from, err);
    if (rc == LIBRO_OK) {
        rc = libro_time_format(until, m->valid_until, err);
    }
    if (rc != LIBRO_OK) {
        return rc;
    }
    from[10] = '\0'; /* the dates: YYYY-MM-DD */
    until[10] = '\0';
    switch (m->office) {
    case LIBRO_OFFICE_REPRESENTATIVE:
        return libro_buf_printf(out, err,
                                "%s represents %s at the roundtable of %s (voting), %s to %s",
                                m->name, seat, rt, from, until);
    case LIBRO_OFFICE_CHAIR:
        return libro_buf_printf(out, err,
                                "%s chairs the roundtable of %s (chair, no vote), %s to %s",
                                m->name, rt, from, until);
    case LIBRO_OFFICE_LEADER:
        return libro_buf_printf(out, err, "%s leads for %s in the circle of %s (no vote), %s to %s",
                                m->name, seat, rt, from, until);
    }
    return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "verify: unknown office");
}
