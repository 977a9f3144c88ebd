/* The member's and the community's side of laws by consent (libro/issuer.h): each step of a
 * law's consent process signed with the member's own key and recorded in the community's
 * registry, and the adoption: the community key signs the CommunityLaw that the record
 * allows. The rules are core's (libro/consent.h), the same the registry and the verifier
 * apply; this file only reads the record, builds and signs. */
#include <stdlib.h>
#include <string.h>

#include "issuer_int.h"
#include "libro/consent.h"
#include "libro/issuer.h"
#include "libro/time.h"
#include "libro/util.h"

void
libro_law_step_result_clear(libro_law_step_result *res)
{
    if (res == NULL) {
        return;
    }
    libro_buf_free(&res->jws);
    memset(res, 0, sizeof *res);
}

/* ---- a process's record, read back ------------------------------------------------------------
 */

/* The latest process of a law as the registry holds it: the document, and each step verified
 * (its signature and format; whether it was allowed is the state machine's). */
struct record {
    libro_buf raw;
    libro_consent_record *doc;
    libro_step **steps;
    char **hashes;
    size_t n;
};

static void
record_clear(struct record *r)
{
    size_t i;

    for (i = 0; i < r->n; i++) {
        libro_step_free(r->steps[i]);
        libro_free(r->hashes[i]);
    }
    libro_free(r->steps);
    libro_free(r->hashes);
    libro_consent_record_free(r->doc);
    libro_buf_free(&r->raw);
    memset(r, 0, sizeof *r);
}

static libro_code
record_read(struct record *r, libro_registry_client *reader, const char *law, libro_error *err)
{
    char hash[LIBRO_HASH_REF_SIZE];
    size_t i;
    libro_code rc = libro_registry_client_law_record(reader, &r->raw, law, 0, err);

    if (rc == LIBRO_OK) {
        rc = libro_consent_record_parse(&r->doc, r->raw.data, r->raw.len, err);
    }
    if (rc == LIBRO_OK && strcmp(r->doc->process, law) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "the registry sent the record of %.64s",
                             r->doc->process);
    }
    if (rc == LIBRO_OK) {
        r->steps = libro_calloc(r->doc->n_steps, sizeof *r->steps);
        r->hashes = libro_calloc(r->doc->n_steps, sizeof *r->hashes);
        if (r->steps == NULL || r->hashes == NULL) {
            rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        }
    }
    for (i = 0; rc == LIBRO_OK && i < r->doc->n_steps; i++) {
        const char *tok = r->doc->steps[i];

        rc = libro_step_verify(&r->steps[i], hash, tok, strlen(tok), err);
        if (rc == LIBRO_OK) {
            rc = libro_issuer__dup(&r->hashes[i], hash, err);
            r->n++;
            if (rc != LIBRO_OK) {
                r->hashes[i] = NULL;
            }
        } else {
            libro_error_prefix(err, "the registry's record");
        }
    }
    return rc;
}

/* The step that opened the current version: the last propose or amend. */
static const libro_step *
current_version_step(const struct record *r, uint32_t *version)
{
    const libro_step *v = NULL;
    size_t i;

    *version = 0;
    for (i = 0; i < r->n; i++) {
        if (r->steps[i]->kind == LIBRO_STEP_PROPOSE || r->steps[i]->kind == LIBRO_STEP_AMEND) {
            v = r->steps[i];
            (*version)++;
        }
    }
    return v;
}

/* The current round: 1 after the version's step, then what the chair's round steps opened.
 * (The chain's numbers only: whether each step was allowed is the registry's to judge.) */
static uint32_t
current_round(const struct record *r)
{
    uint32_t round = 0;
    size_t i;

    for (i = 0; i < r->n; i++) {
        if (r->steps[i]->kind == LIBRO_STEP_PROPOSE || r->steps[i]->kind == LIBRO_STEP_AMEND) {
            round = 1;
        } else if (r->steps[i]->kind == LIBRO_STEP_ROUND) {
            round = r->steps[i]->round;
        }
    }
    return round;
}

/* ---- taking a step ------------------------------------------------------------------------- */

static libro_code
step_args_ok(const libro_law_step_options *opt, libro_error *err)
{
    if (opt == NULL || opt->version != LIBRO_LAW_STEP_OPTIONS_VERSION || opt->registry == NULL ||
        opt->law == NULL || libro_step_kind_name(opt->kind) == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "law step: bad arguments");
    }
    return LIBRO_OK;
}

/* The kind's members of step `s` from `opt`, the current version `v` (amend: what it keeps;
 * respond: its numbers) of the record `r`. */
static libro_code
step_fill(libro_step *s, const libro_law_step_options *opt, const struct record *r,
          libro_error *err)
{
    uint32_t version = 0;
    const libro_step *v = current_version_step(r, &version);
    libro_code rc = LIBRO_OK;

    if (opt->kind == LIBRO_STEP_AMEND || opt->kind == LIBRO_STEP_PROPOSE) {
        bool keep = opt->kind == LIBRO_STEP_AMEND && v != NULL;

        rc = libro_issuer__dup(&s->title, opt->title != NULL || !keep ? opt->title : v->title, err);
        if (rc == LIBRO_OK) {
            rc = libro_issuer__dup(&s->aim, opt->aim != NULL || !keep ? opt->aim : v->aim, err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_issuer__dup(&s->text, opt->text, err);
        }
        s->review_date = opt->review_date != 0 || !keep ? opt->review_date : v->review_date;
    }
    if (rc == LIBRO_OK && opt->kind == LIBRO_STEP_PROPOSE) {
        rc = libro_issuer__dup(&s->supersedes, opt->supersedes, err);
    }
    if (rc == LIBRO_OK && opt->kind == LIBRO_STEP_AMEND) {
        rc = libro_issuer__dup_list(&s->answers, &s->n_answers, opt->answers, opt->n_answers, err);
    }
    if (rc == LIBRO_OK && (opt->kind == LIBRO_STEP_RESPOND || opt->kind == LIBRO_STEP_ROUND)) {
        s->version = version;
        s->round = current_round(r) + (opt->kind == LIBRO_STEP_ROUND ? 1u : 0u);
    }
    if (rc == LIBRO_OK && opt->kind == LIBRO_STEP_RESPOND) {
        s->response = opt->object ? LIBRO_RESPONSE_OBJECT : LIBRO_RESPONSE_CONSENT;
        rc = libro_issuer__dup(&s->harm, opt->harm, err);
    }
    if (rc == LIBRO_OK && (opt->kind == LIBRO_STEP_RESPOND || opt->kind == LIBRO_STEP_RULE)) {
        rc = libro_issuer__dup(&s->reason, opt->reason, err);
    }
    if (rc == LIBRO_OK && (opt->kind == LIBRO_STEP_RULE || opt->kind == LIBRO_STEP_WITHDRAW)) {
        rc = libro_issuer__dup(&s->objection, opt->objection, err);
    }
    if (opt->kind == LIBRO_STEP_RULE) {
        s->ruling = opt->ruled_out ? LIBRO_RULING_OUT : LIBRO_RULING_VALID;
    }
    return rc;
}

/* The step `opt` asks for, by the member whose did:key is `did`, after the record `r`. */
static libro_code
step_new(libro_step **out, const libro_law_step_options *opt, const char *did,
         const struct record *r, libro_error *err)
{
    libro_step *s = libro_calloc(1, sizeof *s);
    libro_code rc = s == NULL ? libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory") : LIBRO_OK;

    *out = NULL;
    if (rc == LIBRO_OK) {
        s->kind = opt->kind;
        s->seq = (uint32_t) r->n;
        s->at = libro_time_now();
        /* The registry refuses a step dated before the one it follows; a clock a second
         * behind the last step's should not cost the member a refusal. */
        if (r->n > 0 && s->at < r->steps[r->n - 1]->at) {
            s->at = r->steps[r->n - 1]->at;
        }
        rc = libro_issuer__dup(&s->process, opt->law, err);
    }
    if (rc == LIBRO_OK && r->n > 0) {
        rc = libro_issuer__dup(&s->prev, r->hashes[r->n - 1], err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(&s->by, did, err);
    }
    if (rc == LIBRO_OK) {
        rc = step_fill(s, opt, r, err);
    }
    if (rc == LIBRO_OK) {
        *out = s;
        s = NULL; /* moved to caller */
    }
    libro_step_free(s);
    return rc;
}

libro_code
libro_issuer_law_step(libro_law_step_result *out, const libro_key *member,
                      const libro_law_step_options *opt, libro_error *err)
{
    libro_law_step_result res = LIBRO_LAW_STEP_RESULT_INIT;
    libro_registry_client *client = NULL;
    struct record rec = {LIBRO_BUF_INIT, NULL, NULL, NULL, 0};
    libro_buf did = LIBRO_BUF_INIT;
    libro_step *s = NULL;
    libro_code rc;

    if (out == NULL || member == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "law step: NULL argument");
    }
    memset(out, 0, sizeof *out);
    rc = step_args_ok(opt, err);
    if (rc == LIBRO_OK) {
        rc = libro_key_to_did(&did, member, err);
    }
    /* The step is its own authorization: the client signs no request, and in-process the
     * member is who recorded it. */
    if (rc == LIBRO_OK) {
        rc = libro_registry_client_open(&client, opt->registry, NULL, NULL, (const char *) did.data,
                                        NULL, err);
    }
    if (rc == LIBRO_OK && opt->kind != LIBRO_STEP_PROPOSE) {
        rc = record_read(&rec, client, opt->law, err);
    }
    if (rc == LIBRO_OK) {
        rc = step_new(&s, opt, (const char *) did.data, &rec, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_step_sign(&res.jws, s, member, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_registry_client_add_step(client, (const char *) res.jws.data, res.hash, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    memcpy(res.by, did.data, did.len < sizeof res.by ? did.len : sizeof res.by - 1);
    res.kind = s->kind;
    res.seq = s->seq;
    res.version = s->kind == LIBRO_STEP_PROPOSE ? 1u : s->version;
    res.round = s->kind == LIBRO_STEP_PROPOSE || s->kind == LIBRO_STEP_AMEND ? 1u : s->round;
    if (s->kind == LIBRO_STEP_AMEND) {
        (void) current_version_step(&rec, &res.version);
        res.version++;
    } else if (s->kind == LIBRO_STEP_RULE || s->kind == LIBRO_STEP_WITHDRAW) {
        (void) current_version_step(&rec, &res.version);
        res.round = current_round(&rec);
    }
    *out = res;
    res = (libro_law_step_result) LIBRO_LAW_STEP_RESULT_INIT; /* moved to caller */
out:
    libro_step_free(s);
    record_clear(&rec);
    libro_buf_free(&did);
    libro_registry_client_close(client);
    libro_law_step_result_clear(&res);
    return rc;
}

/* ---- adoption -------------------------------------------------------------------------------- */

/* The mandates of the members who acted or sat during the process, as the registry holds
 * them (with how they ended), in the roundtable's order: the chair first, then by seat (the
 * order of the registry's roundtable), which is the order in which members respond. */
struct sitting {
    libro_mandate_record *m;
    size_t n;
    libro_credential **creds; /* each mandate, parsed: the seats borrow their holders */
    libro_consent_seat *seats;
};

static void
sitting_clear(struct sitting *s)
{
    size_t i;

    for (i = 0; i < s->n && s->creds != NULL; i++) {
        libro_credential_free(s->creds[i]);
    }
    libro_free(s->creds);
    libro_mandate_records_free(s->m, s->n);
    libro_free(s->seats);
    memset(s, 0, sizeof *s);
}

static int
seat_order(const void *a, const void *b)
{
    const libro_mandate_record *x = a;
    const libro_mandate_record *y = b;
    int cx = x->office == LIBRO_OFFICE_CHAIR ? 0 : 1;
    int cy = y->office == LIBRO_OFFICE_CHAIR ? 0 : 1;
    int c;

    if (cx != cy) {
        return cx - cy;
    }
    c = strcmp(x->seat != NULL ? x->seat : "", y->seat != NULL ? y->seat : "");
    if (c != 0) {
        return c;
    }
    if (x->office != y->office) {
        return (int) x->office - (int) y->office;
    }
    if (x->valid_from != y->valid_from) {
        return x->valid_from < y->valid_from ? -1 : 1;
    }
    return strcmp(x->id, y->id);
}

static libro_code
sitting_read(struct sitting *s, libro_registry_client *reader, const libro_consent_record *doc,
             libro_error *err)
{
    char id[LIBRO_HASH_REF_SIZE];
    size_t i;
    size_t kept;
    libro_code rc = LIBRO_OK;

    s->m = doc->n_mandates == 0 ? NULL : libro_calloc(doc->n_mandates, sizeof *s->m);
    s->seats = doc->n_mandates == 0 ? NULL : libro_calloc(doc->n_mandates, sizeof *s->seats);
    s->creds = doc->n_mandates == 0 ? NULL : libro_calloc(doc->n_mandates, sizeof *s->creds);
    if (doc->n_mandates > 0 && (s->m == NULL || s->seats == NULL || s->creds == NULL)) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    for (i = 0; i < doc->n_mandates && rc == LIBRO_OK; i++) {
        rc = libro_hash_ref(id, doc->mandates[i], strlen(doc->mandates[i]), err);
        if (rc == LIBRO_OK) {
            rc = libro_registry_client_mandate(reader, &s->m[s->n], id, err);
        }
        if (rc == LIBRO_OK) {
            s->n++;
        }
    }
    if (rc != LIBRO_OK) {
        return rc;
    }
    qsort(s->m, s->n, sizeof *s->m, seat_order);
    for (i = 0, kept = 0; i < s->n; i++) {
        libro_mandate_record *m = &s->m[i];

        /* One that ended before it began never sat (as the registry counts). */
        if (m->state != LIBRO_MANDATE_ACTIVE && m->ended_at <= m->valid_from) {
            libro_mandate_record_clear(m);
            continue;
        }
        s->m[kept++] = *m;
    }
    s->n = kept;
    for (i = 0; i < s->n && rc == LIBRO_OK; i++) {
        const libro_mandate_record *m = &s->m[i];
        bool ended = m->state != LIBRO_MANDATE_ACTIVE && m->ended_at <= m->valid_until;

        rc = libro_issuer__parse_own(&s->creds[i], m->credential, strlen(m->credential), err);
        if (rc == LIBRO_OK) {
            rc = libro_consent_seat_of(&s->seats[i], s->creds[i], ended ? m->ended_at : 0, err);
        }
    }
    return rc;
}

/* The mandate of `did` in `office` sitting at `at`. */
static const libro_mandate_record *
sitting_find(const struct sitting *s, const char *did, libro_office office, int64_t at)
{
    size_t i;

    for (i = 0; i < s->n; i++) {
        if (s->m[i].office == office && strcmp(s->m[i].holder, did) == 0 &&
            s->seats[i].from <= at && at <= s->seats[i].until) {
            return &s->m[i];
        }
    }
    return NULL;
}

/* Member `m` of the law from the mandate `src`. */
static libro_code
member_set(libro_law_member *m, const libro_mandate_record *src, libro_error *err)
{
    libro_code rc = libro_issuer__dup(&m->id, src->holder, err);

    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(&m->name, src->name, err);
    }
    if (rc == LIBRO_OK && src->office != LIBRO_OFFICE_CHAIR) {
        rc = libro_issuer__dup(&m->seat, src->seat, err);
    }
    m->office = src->office;
    return rc;
}

/* The law's roundtable: the members of the round at its opening, then the chair. */
static libro_code
law_members(libro_credential *c, const libro_consent_state *st, const struct record *r,
            const struct sitting *s, libro_error *err)
{
    /* The round opened with the version's step or the chair's last round step. */
    int64_t opened = r->steps[st->version_step]->at;
    const libro_mandate_record *m;
    size_t n = st->n_round_members + (st->chair != NULL ? 1u : 0u);
    size_t i;
    libro_code rc = LIBRO_OK;

    for (i = st->version_step; i < r->n; i++) {
        if (r->steps[i]->kind == LIBRO_STEP_ROUND) {
            opened = r->steps[i]->at;
        }
    }
    if (n == 0 || n > LIBRO_MAX_LAW_MEMBERS) {
        return libro_error_set(err, LIBRO_ERR_DENIED, "a law's roundtable has 1 to %u members",
                               LIBRO_MAX_LAW_MEMBERS);
    }
    c->members = libro_calloc(n, sizeof *c->members);
    if (c->members == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    for (i = 0; i < n && rc == LIBRO_OK; i++) {
        bool chair = i == st->n_round_members;
        const char *did = chair ? st->chair : st->round_members[i];

        m = sitting_find(s, did, chair ? LIBRO_OFFICE_CHAIR : LIBRO_OFFICE_REPRESENTATIVE, opened);
        if (m == NULL) {
            rc =
                libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no mandate of %.64s in the record", did);
        } else {
            rc = member_set(&c->members[i], m, err);
            c->n_members++;
        }
    }
    return rc;
}

/* The CommunityLaw the process `st` adopts, of the community `charter`. */
static libro_code
law_new(libro_credential **out, const libro_credential *charter, const libro_consent_state *st,
        const struct record *r, const struct sitting *s, uint32_t version, libro_error *err)
{
    const libro_step *v = r->steps[st->version_step];
    const libro_step *proposal = r->steps[0];
    libro_credential *c = NULL;
    libro_code rc = libro_credential_new(&c, LIBRO_CRED_LAW, err);

    *out = NULL;
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(&c->issuer, charter->subject_id, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(&c->subject_id, r->doc->process, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(&c->community_id, charter->subject_id, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(&c->title, v->title, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(&c->aim, v->aim, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(&c->text, v->text, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(&c->consent_record, st->record_hash, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(&c->supersedes, proposal->supersedes, err);
    }
    if (rc == LIBRO_OK) {
        rc = law_members(c, st, r, s, err);
    }
    if (rc == LIBRO_OK) {
        c->community_level = charter->level;
        c->law_version = version;
        /* Adopted now, and never before the last step (the rules' order). */
        c->valid_from = libro_time_now();
        if (c->valid_from < r->steps[r->n - 1]->at) {
            c->valid_from = r->steps[r->n - 1]->at;
        }
        c->valid_until = v->review_date;
        *out = c;
        c = NULL; /* moved to caller */
    }
    libro_credential_free(c);
    return rc;
}

/* The version the law about to be adopted gets: one more than the law's last. */
static libro_code
next_version(uint32_t *version, libro_registry_client *reader, const char *law, libro_error *err)
{
    libro_law_record *l = NULL;
    size_t n = 0;
    libro_error ignored = LIBRO_ERROR_INIT;
    libro_code rc = libro_registry_client_law_versions(reader, &l, &n, law, &ignored);

    *version = 1;
    if (rc == LIBRO_ERR_NOT_FOUND) {
        return LIBRO_OK;
    }
    if (rc != LIBRO_OK) {
        return libro_error_set(err, rc, "%s", ignored.msg);
    }
    if (n > 0) {
        *version = l[n - 1].version + 1;
    }
    libro_law_records_free(l, n);
    return LIBRO_OK;
}

/* Run the state machine over the record: LIBRO_ERR_DENIED unless it accepted every step and
 * the process is adoptable. */
static libro_code
adoptable(libro_consent_state *st, const struct record *r, const struct sitting *s,
          libro_error *err)
{
    libro_code rc = libro_consent_run(st, (const libro_step *const *) r->steps,
                                      (const char *const *) r->hashes, r->n, s->seats, s->n, err);

    if (rc == LIBRO_OK) {
        rc = libro_consent_adoptable(st, (const libro_step *const *) r->steps,
                                     (const char *const *) r->hashes, r->n, err);
    }
    return rc;
}

static libro_code
adopt_args_ok(const libro_law_adopt_options *opt, libro_error *err)
{
    if (opt == NULL || opt->version != LIBRO_LAW_ADOPT_OPTIONS_VERSION || opt->registry == NULL ||
        opt->law == NULL || opt->charter == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "adopt law: bad arguments");
    }
    return LIBRO_OK;
}

libro_code
libro_issuer_adopt_law(libro_issued *out, char hash[LIBRO_HASH_REF_SIZE],
                       const libro_key *community_key, const libro_law_adopt_options *opt,
                       libro_error *err)
{
    libro_issued res = LIBRO_ISSUED_INIT;
    libro_credential *charter = NULL;
    libro_registry_client *reader = NULL;
    libro_registry_client *writer = NULL;
    struct record rec = {LIBRO_BUF_INIT, NULL, NULL, NULL, 0};
    struct sitting sit = {NULL, 0, NULL, NULL};
    libro_consent_state st = LIBRO_CONSENT_STATE_INIT;
    uint32_t version = 0;
    libro_code rc;

    if (out == NULL || hash == NULL || community_key == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "adopt law: NULL argument");
    }
    memset(out, 0, sizeof *out);
    hash[0] = '\0';
    rc = adopt_args_ok(opt, err);
    if (rc == LIBRO_OK) {
        rc = libro_issuer__charter_parse(&charter, opt->charter, opt->charter_len,
                                         "community charter", err);
    }
    if (rc == LIBRO_OK && (charter->subject_key == NULL ||
                           !libro_key_equal_public(community_key, charter->subject_key))) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED, "the key is not the community key of %.64s",
                             charter->subject_id);
    }
    if (rc == LIBRO_OK) {
        rc = libro_registry_client_open(&reader, opt->registry, NULL, NULL,
                                        opt->actor != NULL ? opt->actor : charter->subject_id, NULL,
                                        err);
    }
    if (rc == LIBRO_OK) {
        rc = record_read(&rec, reader, opt->law, err);
    }
    if (rc == LIBRO_OK) {
        rc = sitting_read(&sit, reader, rec.doc, err);
    }
    if (rc == LIBRO_OK) {
        rc = adoptable(&st, &rec, &sit, err);
    }
    if (rc == LIBRO_OK) {
        rc = next_version(&version, reader, opt->law, err);
    }
    if (rc == LIBRO_OK) {
        rc = law_new(&res.license, charter, &st, &rec, &sit, version, err);
    }
    /* The law must be what the record adopted: the check the registry and verifiers make. */
    if (rc == LIBRO_OK) {
        rc = libro_consent_check_law(res.license, &st, (const libro_step *const *) rec.steps, rec.n,
                                     err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer_sign(&res.jws, res.license, community_key, err);
    }
    /* Over HTTP the registration is a request signed by the community key; in-process the
     * reader records it, under the actor. */
    if (rc == LIBRO_OK && libro_registry_client_remote(reader)) {
        rc = libro_issuer__client_open_as(&writer, opt->registry, community_key,
                                          charter->subject_id, opt->actor, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_registry_client_register_law(writer != NULL ? writer : reader,
                                                (const char *) res.jws.data, hash, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    res.registered = true;
    res.version = version;
    *out = res;
    res = (libro_issued) LIBRO_ISSUED_INIT; /* moved to caller */
out:
    libro_consent_state_free(&st);
    sitting_clear(&sit);
    record_clear(&rec);
    libro_registry_client_close(writer);
    libro_registry_client_close(reader);
    libro_issued_clear(&res);
    libro_credential_free(charter);
    return rc;
}

/* ---- fetching a record ------------------------------------------------------------------------
 */

libro_code
libro_issuer_law_record(libro_buf *record, libro_buf *law, const char *registry, const char *law_id,
                        libro_error *err)
{
    libro_registry_client *reader = NULL;
    libro_consent_record *doc = NULL;
    libro_law_record *l = NULL;
    char last[LIBRO_HASH_REF_SIZE];
    size_t n = 0;
    size_t i;
    libro_buf raw = LIBRO_BUF_INIT;
    libro_error ignored = LIBRO_ERROR_INIT;
    libro_code rc;

    if (record == NULL || law == NULL || registry == NULL || law_id == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "law record: NULL argument");
    }
    rc = libro_registry_client_open(&reader, registry, NULL, NULL, "reader", NULL, err);
    if (rc == LIBRO_OK) {
        rc = libro_registry_client_law_record(reader, &raw, law_id, 0, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_consent_record_parse(&doc, raw.data, raw.len, err);
    }
    if (rc == LIBRO_OK) {
        const char *tok = doc->steps[doc->n_steps - 1];

        rc = libro_hash_ref(last, tok, strlen(tok), err);
    }
    /* The law that process adopted, if any: none yet is no failure. */
    if (rc == LIBRO_OK &&
        libro_registry_client_law_versions(reader, &l, &n, law_id, &ignored) == LIBRO_OK) {
        for (i = 0; i < n && rc == LIBRO_OK; i++) {
            if (strcmp(l[i].consent_record, last) == 0) {
                rc = libro_buf_append_str(law, l[i].credential, err);
                break;
            }
        }
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(record, raw.data, raw.len, err);
    }
    libro_law_records_free(l, n);
    libro_consent_record_free(doc);
    libro_buf_free(&raw);
    libro_registry_client_close(reader);
    return rc;
}
