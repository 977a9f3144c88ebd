/* libro_registry: laws adopted by consent (docs/operations.md, "Laws by consent"). Each consent
 * step is checked with core's state machine (libro_consent_run) over the process so far plus
 * the new step, against the roundtable as the registry's mandates say it sat (every mandate's
 * time in office), inside the write transaction: what the registry records is a process the
 * verifier's `libro law record` accepts the same way. An adopted CommunityLaw is registered
 * only when signed by the community key and naming the process's last step, adoptable. */
#include <string.h>

#include "libro/consent.h"
#include "libro/json_int.h"
#include "libro/jws.h"
#include "libro/time.h"
#include "libro/util.h"
#include "registry_int.h"
#include "store.h"

/* ---- names and records -------------------------------------------------------------------- */

const char *
libro_law_state_name(libro_law_state s)
{
    switch (s) {
    case LIBRO_LAW_IN_FORCE:
        return "in force";
    case LIBRO_LAW_REPEALED:
        return "repealed";
    }
    return NULL;
}

void
libro_law_record_clear(libro_law_record *l)
{
    if (l == NULL) {
        return;
    }
    libro_free(l->id);
    libro_free(l->title);
    libro_free(l->aim);
    libro_free(l->community);
    libro_free(l->consent_record);
    libro_free(l->supersedes);
    libro_free(l->superseded_by);
    libro_free(l->credential);
    memset(l, 0, sizeof *l);
}

void
libro_law_records_free(libro_law_record *l, size_t n)
{
    if (l == NULL) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        libro_law_record_clear(&l[i]);
    }
    libro_free(l);
}

void
libro_consent_step_records_free(libro_consent_step_record *s, size_t n)
{
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        libro_free(s[i].process);
        libro_free(s[i].kind);
        libro_free(s[i].by);
        libro_free(s[i].step);
    }
    libro_free(s);
}

bool
libro_law_id_ok(const char *s, size_t len)
{
    if (s == NULL || len == 0 || len > LIBRO_MAX_ID_BYTES || memchr(s, ':', len) == NULL) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char) s[i];

        if (c <= 0x20 || c >= 0x7f || c == '/' || c == '?' || c == '%' || c == '#') {
            return false;
        }
    }
    return true;
}

static libro_code
law_id_check(const char *id, libro_error *err)
{
    if (id == NULL || !libro_law_id_ok(id, strnlen(id, LIBRO_MAX_ID_BYTES + 1))) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "a law id is an id of printable ASCII without spaces, '/', '?', "
                               "'%%' or '#'");
    }
    return LIBRO_OK;
}

/* ---- the process as the registry holds it ------------------------------------------------- */

/* A process's steps, parsed and verified, with the roundtable's seats from every mandate. */
typedef struct process {
    libro_consent_step_record *rec;
    size_t n_rec;
    libro_step **steps; /* n_rec + 1: room for a new step */
    const char **hashes;
    size_t n_steps;
    libro_mandate_record *mandates;
    size_t n_mandates;
    libro_credential **creds; /* the mandates parsed, which the seats borrow from */
    libro_consent_seat *seats;
    size_t n_seats;
} process;

static void
process_clear(process *p)
{
    for (size_t i = 0; p->steps != NULL && i < p->n_steps; i++) {
        libro_step_free(p->steps[i]);
    }
    libro_free(p->steps);
    libro_free(p->hashes);
    libro_consent_step_records_free(p->rec, p->n_rec);
    libro_free(p->seats);
    for (size_t i = 0; p->creds != NULL && i < p->n_mandates; i++) {
        libro_credential_free(p->creds[i]);
    }
    libro_free(p->creds);
    libro_mandate_records_free(p->mandates, p->n_mandates);
    memset(p, 0, sizeof *p);
}

/* The seat mandate `m` gave (core's one rule, libro_consent_seat_of, on its credential, parsed
 * into *cred for the seat to borrow from); *sits is false for a mandate that ended before its
 * term began (a replacement that overtook it): it never sat. */
static libro_code
seat_of(libro_consent_seat *seat, bool *sits, libro_credential **cred,
        const libro_mandate_record *m, libro_error *err)
{
    int64_t ended = m->state == LIBRO_MANDATE_ACTIVE ? 0 : m->ended_at;
    libro_code rc;

    *sits = false;
    *cred = NULL;
    if (ended != 0 && ended <= m->valid_from) {
        return LIBRO_OK;
    }
    if (ended > m->valid_until) {
        ended = 0; /* ended after its term: it sat the whole term */
    }
    rc = libro_registry__parse_credential(cred, m->credential, err);
    if (rc == LIBRO_OK) {
        rc = libro_consent_seat_of(seat, *cred, ended, err);
    }
    *sits = rc == LIBRO_OK;
    return rc;
}

/* Load process `run` of `law_id` (steps verified again: the record is only as good as its
 * signatures) and the seats, inside the caller's transaction. */
static libro_code
process_load(libro_registry *r, process *p, const char *law_id, uint32_t run, libro_error *err)
{
    libro_code rc = LIBRO_OK;

    memset(p, 0, sizeof *p);
    if (run != 0) {
        rc = r->store.ops->step_list(r->store.h, &p->rec, &p->n_rec, law_id, run, err);
    }
    if (rc != LIBRO_OK) {
        return rc;
    }
    p->steps = libro_calloc(p->n_rec + 1, sizeof *p->steps);
    p->hashes = libro_calloc(p->n_rec + 1, sizeof *p->hashes);
    if (p->steps == NULL || p->hashes == NULL) {
        return libro_registry__nomem(err);
    }
    for (size_t i = 0; i < p->n_rec; i++) {
        rc = libro_step_verify(&p->steps[i], NULL, p->rec[i].step, strlen(p->rec[i].step), err);
        if (rc != LIBRO_OK) {
            return libro_error_set(err, LIBRO_ERR_CORRUPT,
                                   "database: recorded step %u of %.64s does not verify",
                                   (unsigned) p->rec[i].seq, law_id);
        }
        p->hashes[i] = p->rec[i].hash;
        p->n_steps++;
    }
    rc = r->store.ops->mandate_list(r->store.h, &p->mandates, &p->n_mandates, LIBRO_MQ_ALL, 0, NULL,
                                    0, 0, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    p->seats = libro_calloc(p->n_mandates + 1, sizeof *p->seats);
    p->creds = libro_calloc(p->n_mandates + 1, sizeof *p->creds);
    if (p->seats == NULL || p->creds == NULL) {
        return libro_registry__nomem(err);
    }
    for (size_t i = 0; rc == LIBRO_OK && i < p->n_mandates; i++) {
        bool sits = false;

        rc = seat_of(&p->seats[p->n_seats], &sits, &p->creds[i], &p->mandates[i], err);
        p->n_seats += sits ? 1 : 0;
    }
    return rc;
}

/* Run core's state machine over the loaded steps: LIBRO_ERR_DENIED (or the refusal's own
 * code) when a step is refused. */
static libro_code
process_run(libro_consent_state *st, const process *p, libro_error *err)
{
    libro_code rc = libro_consent_run(st, (const libro_step *const *) p->steps, p->hashes,
                                      p->n_steps, p->seats, p->n_seats, err);

    if (rc == LIBRO_OK && st->refused) {
        rc =
            libro_error_set(err, st->refused_code == LIBRO_OK ? LIBRO_ERR_DENIED : st->refused_code,
                            "%s", st->refused_reason);
    }
    return rc;
}

/* ---- steps -------------------------------------------------------------------------------- */

/* The law of `law_id` in force (inside the caller's transaction): *found says whether there
 * is one, *out is it (caller clears). Also the highest version adopted, in *last. */
static libro_code
law_in_force(libro_registry *r, libro_law_record *out, bool *found, uint32_t *last,
             const char *law_id, libro_error *err)
{
    libro_law_record *v = NULL;
    size_t n = 0;
    libro_code rc;

    memset(out, 0, sizeof *out);
    *found = false;
    *last = 0;
    rc = r->store.ops->law_list(r->store.h, &v, &n, LIBRO_LQ_ID, law_id, 0, err);
    for (size_t i = 0; rc == LIBRO_OK && i < n; i++) {
        *last = v[i].version > *last ? v[i].version : *last;
        if (v[i].state == LIBRO_LAW_IN_FORCE) {
            libro_law_record_clear(out);
            *out = v[i];
            memset(&v[i], 0, sizeof v[i]); /* moved to out */
            *found = true;
        }
    }
    libro_law_records_free(v, n);
    return rc;
}

/* A propose step opens run `run` + 1 (after the last one, closed): naming the law in force
 * when there is one. */
static libro_code
open_process(libro_registry *r, const libro_step *s, bool found, bool open, uint32_t *run,
             int64_t now, libro_error *err)
{
    libro_law_record cur = {0};
    bool in_force = false;
    uint32_t last = 0;
    libro_code rc;

    if (found && open) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "a consent process for %.100s is under way: amend its proposal",
                               s->process);
    }
    rc = law_in_force(r, &cur, &in_force, &last, s->process, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (in_force && (s->supersedes == NULL || strcmp(s->supersedes, cur.hash) != 0)) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED,
                             "%.100s is in force as version %u (%.71s): a new proposal names it "
                             "in supersedes",
                             s->process, (unsigned) cur.version, cur.hash);
        goto out;
    }
    if (!in_force && s->supersedes != NULL) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED,
                             "no version of %.100s is in force: the proposal supersedes nothing",
                             s->process);
        goto out;
    }
    *run = found ? *run + 1 : 1;
    rc = r->store.ops->process_put(r->store.h, s->process, *run, true, now, NULL, true, err);
out:
    libro_law_record_clear(&cur);
    return rc;
}

static libro_code
add_step_once(libro_registry *r, const libro_request_id *req, const char *step, size_t len,
              const char *actor, int64_t now, char hash[LIBRO_REGISTRY_HASH_SIZE], libro_error *err)
{
    libro_step *s = NULL;
    char h[LIBRO_HASH_REF_SIZE];
    process p = {0};
    libro_consent_state st = LIBRO_CONSENT_STATE_INIT;
    libro_consent_step_record rec = {0};
    json_t *leaf = NULL;
    uint32_t run = 0;
    bool open = false;
    bool found = false;
    char *law = NULL;
    bool in_tx = false;
    libro_code rc;

    if (r == NULL || step == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "consent step: NULL argument");
    }
    if (memchr(step, '\0', len) != NULL) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "consent step: it holds a NUL byte");
    }
    if ((rc = libro_registry__text_check(actor, "actor", 1, err)) != LIBRO_OK) {
        goto out;
    }
    rc = libro_step_verify(&s, h, step, len, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "consent step");
        goto out;
    }
    if ((rc = law_id_check(s->process, err)) != LIBRO_OK) {
        libro_error_prefix(err, "consent step");
        goto out;
    }
    if (s->at > now + LIBRO_REGISTRY_SKEW_SECONDS) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED,
                             "consent step: dated ahead of the registry's clock");
        goto out;
    }
    rc = libro_registry__write_begin(r, req, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    in_tx = true;
    rc = r->store.ops->process_get(r->store.h, s->process, 0, &run, &open, &law, err);
    found = rc == LIBRO_OK;
    if (rc == LIBRO_ERR_NOT_FOUND) {
        libro_error_clear(err);
        rc = LIBRO_OK;
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (s->kind == LIBRO_STEP_PROPOSE && s->seq == 0) {
        rc = open_process(r, s, found, open, &run, now, err);
        if (rc != LIBRO_OK) {
            goto out;
        }
    } else if (!found || !open) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND,
                             "no consent process for %.100s is under way: it starts with a "
                             "proposal",
                             s->process);
        goto out;
    }
    rc = process_load(r, &p, s->process, s->kind == LIBRO_STEP_PROPOSE && s->seq == 0 ? 0 : run,
                      err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    p.steps[p.n_steps] = s;
    p.hashes[p.n_steps] = h;
    p.n_steps++;
    s = NULL; /* owned by p */
    rc = process_run(&st, &p, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    memcpy(rec.hash, h, sizeof rec.hash);
    rec.process = p.steps[p.n_steps - 1]->process;
    rec.run = run;
    rec.seq = p.steps[p.n_steps - 1]->seq;
    rec.kind = (char *) (uintptr_t) libro_step_kind_name(p.steps[p.n_steps - 1]->kind);
    rec.by = p.steps[p.n_steps - 1]->by;
    rec.at = p.steps[p.n_steps - 1]->at;
    rec.registered_at = now;
    rec.step = libro_strndup(step, len);
    if (rec.step == NULL) {
        rc = libro_registry__nomem(err);
        goto out;
    }
    rc = r->store.ops->step_put(r->store.h, &rec, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    leaf = json_pack("{s:s, s:o, s:s, s:I, s:I, s:s, s:s, s:s, s:s}", "type", "consent", "at",
                     libro_registry__time_json(now), "process", rec.process, "run",
                     (json_int_t) rec.run, "seq", (json_int_t) rec.seq, "kind", rec.kind, "step",
                     rec.hash, "by", rec.by, "actor", actor);
    rc = libro_registry__log_leaf(r, leaf, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = r->store.ops->commit(r->store.h, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    in_tx = false;
    if (hash != NULL) {
        memcpy(hash, h, LIBRO_REGISTRY_HASH_SIZE);
    }
out:
    if (in_tx) {
        r->store.ops->rollback(r->store.h);
    }
    json_decref(leaf);
    libro_free(rec.step);
    libro_consent_state_free(&st);
    process_clear(&p);
    libro_free(law);
    libro_step_free(s);
    return rc;
}

libro_code
libro_registry_add_step(libro_registry *r, const libro_request_id *req, const char *step,
                        size_t len, const char *actor, int64_t now,
                        char hash[LIBRO_REGISTRY_HASH_SIZE], libro_error *err)
{
    libro_code rc;

    LIBRO_REGISTRY__RETRY(rc, r, err, add_step_once(r, req, step, len, actor, now, hash, err));
    return rc;
}

/* The process `run` of `law_id` (0: the latest) inside the caller's transaction: its number. */
static libro_code
find_run(libro_registry *r, uint32_t *out, bool *open, const char *law_id, uint32_t run,
         libro_error *err)
{
    char *law = NULL;
    libro_code rc = r->store.ops->process_get(r->store.h, law_id, run, out, open, &law, err);

    libro_free(law);
    return rc;
}

libro_code
libro_registry_consent_steps(libro_registry *r, libro_consent_step_record **out, size_t *n,
                             const char *law_id, uint32_t run, libro_error *err)
{
    bool open = false;
    libro_code rc;

    if (out != NULL) {
        *out = NULL;
    }
    if (n != NULL) {
        *n = 0;
    }
    if (r == NULL || out == NULL || n == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "consent steps: NULL argument");
    }
    if ((rc = law_id_check(law_id, err)) != LIBRO_OK ||
        (rc = r->store.ops->begin_read(r->store.h, err)) != LIBRO_OK) {
        return rc;
    }
    rc = find_run(r, &run, &open, law_id, run, err);
    if (rc == LIBRO_OK) {
        rc = r->store.ops->step_list(r->store.h, out, n, law_id, run, err);
    }
    if (rc == LIBRO_OK) {
        rc = r->store.ops->commit(r->store.h, err);
    }
    if (rc != LIBRO_OK) {
        r->store.ops->rollback(r->store.h);
        libro_consent_step_records_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

libro_code
libro_registry_law_record(libro_registry *r, libro_buf *out, const char *law_id, uint32_t run,
                          libro_error *err)
{
    libro_consent_step_record *steps = NULL;
    size_t n = 0;
    libro_mandate_record *m = NULL;
    size_t n_m = 0;
    libro_consent_record doc = {0};
    bool open = false;
    bool in_tx = false;
    libro_code rc;

    if (r == NULL || out == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "law record: NULL argument");
    }
    if ((rc = law_id_check(law_id, err)) != LIBRO_OK ||
        (rc = r->store.ops->begin_read(r->store.h, err)) != LIBRO_OK) {
        goto out;
    }
    in_tx = true;
    if ((rc = find_run(r, &run, &open, law_id, run, err)) != LIBRO_OK ||
        (rc = r->store.ops->step_list(r->store.h, &steps, &n, law_id, run, err)) != LIBRO_OK ||
        (rc = r->store.ops->mandate_list(r->store.h, &m, &n_m, LIBRO_MQ_ALL, 0, NULL, 0, 0, err)) !=
            LIBRO_OK) {
        goto out;
    }
    if (n == 0) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "the process of %.100s has no step", law_id);
        goto out;
    }
    doc.process = (char *) (uintptr_t) law_id;
    doc.steps = libro_calloc(n, sizeof *doc.steps);
    doc.mandates = libro_calloc(n_m + 1, sizeof *doc.mandates);
    if (doc.steps == NULL || doc.mandates == NULL) {
        rc = libro_registry__nomem(err);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        doc.steps[i] = steps[i].step;
    }
    doc.n_steps = n;
    /* Every mandate whose holder sat at some time during the process, each once. */
    for (size_t i = 0; rc == LIBRO_OK && i < n_m; i++) {
        libro_consent_seat seat;
        libro_credential *cred = NULL;
        bool sits = false;

        rc = seat_of(&seat, &sits, &cred, &m[i], err);
        if (rc == LIBRO_OK && sits && seat.from <= steps[n - 1].at && seat.until >= steps[0].at) {
            doc.mandates[doc.n_mandates++] = m[i].credential;
        }
        libro_credential_free(cred);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = r->store.ops->commit(r->store.h, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    in_tx = false;
    rc = libro_consent_record_to_json(out, &doc, err);
out:
    if (in_tx) {
        r->store.ops->rollback(r->store.h);
    }
    libro_free(doc.steps);
    libro_free(doc.mandates);
    libro_mandate_records_free(m, n_m);
    libro_consent_step_records_free(steps, n);
    return rc;
}

/* ---- adopted laws ------------------------------------------------------------------------- */

static libro_code
log_law(libro_registry *r, const libro_law_record *l, const char *action, int64_t at,
        const char *actor, const char *other_name, const char *other, libro_error *err)
{
    json_t *leaf = json_pack("{s:s, s:o, s:s, s:s, s:I, s:s, s:s}", "type", "law", "at",
                             libro_registry__time_json(at), "law", l->hash, "id", l->id, "version",
                             (json_int_t) l->version, "action", action, "actor", actor);
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

/* The record of an adopted law (not yet registered). */
static libro_code
law_record_of(libro_law_record *l, const libro_credential *c, const char *token, const char *hash,
              int64_t now, libro_error *err)
{
    memset(l, 0, sizeof *l);
    memcpy(l->hash, hash, LIBRO_REGISTRY_HASH_SIZE);
    l->id = libro_registry__dup_or_null(c->subject_id);
    l->version = c->law_version;
    l->title = libro_registry__dup_or_null(c->title);
    l->aim = libro_registry__dup_or_null(c->aim);
    l->community = libro_registry__dup_or_null(c->issuer);
    l->adopted_at = c->valid_from;
    l->review_at = c->valid_until;
    l->consent_record = libro_registry__dup_or_null(c->consent_record);
    l->supersedes = libro_registry__dup_or_null(c->supersedes);
    l->state = LIBRO_LAW_IN_FORCE;
    l->registered_at = now;
    l->credential = libro_registry__dup_or_null(token);
    if (l->id == NULL || l->title == NULL || l->aim == NULL || l->community == NULL ||
        l->consent_record == NULL || l->credential == NULL ||
        (c->supersedes != NULL && l->supersedes == NULL)) {
        return libro_registry__nomem(err);
    }
    return LIBRO_OK;
}

/* The law credential: a CommunityLaw issued by the registry's community, signed by its key. */
static libro_code
check_law(libro_credential **out, const libro_registry *r, const char *law, libro_error *err)
{
    libro_credential *c = NULL;
    libro_code rc;

    *out = NULL;
    rc = libro_registry__parse_credential(&c, law, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "law");
        goto out;
    }
    if (c->type != LIBRO_CRED_LAW) {
        rc = libro_error_set(err, LIBRO_ERR_SCHEMA, "law: credential is a %s, not a CommunityLaw",
                             libro_cred_type_name(c->type));
        goto out;
    }
    if (strcmp(c->issuer, r->community->subject_id) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED,
                             "law: issued by %.64s; this registry records the laws of %.64s",
                             c->issuer, r->community->subject_id);
        goto out;
    }
    rc = law_id_check(c->subject_id, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "law");
        goto out;
    }
    rc = libro_registry__verify_token(law, r->community->subject_key, "law", err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    *out = c;
    c = NULL; /* moved to caller */
out:
    libro_credential_free(c);
    return rc;
}

static libro_code
register_law_once(libro_registry *r, const libro_request_id *req, const char *law,
                  const char *actor, int64_t now, char hash[LIBRO_REGISTRY_HASH_SIZE],
                  libro_error *err)
{
    libro_credential *c = NULL;
    char h[LIBRO_HASH_REF_SIZE];
    libro_law_record rec = {0};
    libro_law_record cur = {0};
    process p = {0};
    libro_consent_state st = LIBRO_CONSENT_STATE_INIT;
    uint32_t run = 0;
    uint32_t last = 0;
    bool open = false;
    bool in_force = false;
    bool in_tx = false;
    libro_code rc;

    if (r == NULL || law == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "law: NULL argument");
    }
    if ((rc = libro_registry__text_check(actor, "actor", 1, err)) != LIBRO_OK ||
        (rc = check_law(&c, r, law, err)) != LIBRO_OK ||
        (rc = libro_hash_ref(h, law, strlen(law), err)) != LIBRO_OK ||
        (rc = law_record_of(&rec, c, law, h, now, err)) != LIBRO_OK) {
        goto out;
    }
    rc = libro_registry__write_begin(r, req, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    in_tx = true;
    rc = find_run(r, &run, &open, c->subject_id, 0, err);
    if (rc == LIBRO_OK && !open) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no consent process for %.100s is under way",
                             c->subject_id);
    }
    if (rc == LIBRO_ERR_NOT_FOUND) {
        /* A law already registered is a repeat, not a missing process. */
        libro_law_record again = {0};

        if (r->store.ops->law_get(r->store.h, &again, h, NULL) == LIBRO_OK) {
            rc = libro_error_set(err, LIBRO_ERR_EXISTS, "law %.71s is already registered", h);
        }
        libro_law_record_clear(&again);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((rc = process_load(r, &p, c->subject_id, run, err)) != LIBRO_OK ||
        (rc = process_run(&st, &p, err)) != LIBRO_OK) {
        goto out;
    }
    rc = libro_consent_check_law(c, &st, (const libro_step *const *) p.steps, p.n_steps, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "law");
        goto out;
    }
    rc = law_in_force(r, &cur, &in_force, &last, c->subject_id, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (c->law_version != last + 1) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED, "law: it is version %u; the next one is %u",
                             (unsigned) c->law_version, (unsigned) (last + 1));
        goto out;
    }
    if (in_force != (c->supersedes != NULL) || (in_force && strcmp(c->supersedes, cur.hash) != 0)) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED,
                             "law: supersedes must name the version in force (%.71s)",
                             in_force ? cur.hash : "none");
        goto out;
    }
    if ((rc = r->store.ops->law_put(r->store.h, &rec, true, err)) != LIBRO_OK ||
        (rc = log_law(r, &rec, "adopt", now, actor, "consentRecord", rec.consent_record, err)) !=
            LIBRO_OK ||
        (rc = r->store.ops->process_put(r->store.h, rec.id, run, false, 0, rec.hash, false, err)) !=
            LIBRO_OK) {
        goto out;
    }
    if (in_force) {
        cur.state = LIBRO_LAW_REPEALED;
        cur.superseded_by = libro_registry__dup_or_null(rec.hash);
        cur.repealed_at = now;
        if (cur.superseded_by == NULL) {
            rc = libro_registry__nomem(err);
            goto out;
        }
        if ((rc = r->store.ops->law_put(r->store.h, &cur, false, err)) != LIBRO_OK ||
            (rc = log_law(r, &cur, "repealed", now, actor, "supersededBy", rec.hash, err)) !=
                LIBRO_OK) {
            goto out;
        }
    }
    rc = r->store.ops->commit(r->store.h, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    in_tx = false;
    if (hash != NULL) {
        memcpy(hash, h, LIBRO_REGISTRY_HASH_SIZE);
    }
out:
    if (in_tx) {
        r->store.ops->rollback(r->store.h);
    }
    libro_consent_state_free(&st);
    process_clear(&p);
    libro_law_record_clear(&cur);
    libro_law_record_clear(&rec);
    libro_credential_free(c);
    return rc;
}

libro_code
libro_registry_register_law(libro_registry *r, const libro_request_id *req, const char *law,
                            const char *actor, int64_t now, char hash[LIBRO_REGISTRY_HASH_SIZE],
                            libro_error *err)
{
    libro_code rc;

    LIBRO_REGISTRY__RETRY(rc, r, err, register_law_once(r, req, law, actor, now, hash, err));
    return rc;
}

/* ---- reads -------------------------------------------------------------------------------- */

libro_code
libro_registry_law(libro_registry *r, libro_law_record *out, const char *hash, libro_error *err)
{
    if (r == NULL || out == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "law: NULL argument");
    }
    memset(out, 0, sizeof *out);
    if (hash == NULL || !libro_hash_ref_ok(hash, strnlen(hash, LIBRO_HASH_REF_LEN + 1))) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "a hash is \"sha256:\" and 64 lowercase hex digits");
    }
    return r->store.ops->law_get(r->store.h, out, hash, err);
}

/* A law query in one read snapshot. */
static libro_code
law_query(libro_registry *r, libro_law_record **out, size_t *n, libro_store_law_query q,
          const char *law_id, int64_t a, libro_error *err)
{
    libro_code rc;

    if (out != NULL) {
        *out = NULL;
    }
    if (n != NULL) {
        *n = 0;
    }
    if (r == NULL || out == NULL || n == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "laws: NULL argument");
    }
    rc = r->store.ops->begin_read(r->store.h, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    rc = r->store.ops->law_list(r->store.h, out, n, q, law_id, a, err);
    if (rc == LIBRO_OK) {
        rc = r->store.ops->commit(r->store.h, err);
    }
    if (rc != LIBRO_OK) {
        r->store.ops->rollback(r->store.h);
        libro_law_records_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

libro_code
libro_registry_laws(libro_registry *r, libro_law_record **out, size_t *n, bool all,
                    libro_error *err)
{
    return law_query(r, out, n, all ? LIBRO_LQ_ALL : LIBRO_LQ_IN_FORCE, NULL, 0, err);
}

libro_code
libro_registry_law_versions(libro_registry *r, libro_law_record **out, size_t *n,
                            const char *law_id, libro_error *err)
{
    libro_code rc = law_id_check(law_id, err);

    if (rc != LIBRO_OK) {
        if (out != NULL) {
            *out = NULL;
        }
        if (n != NULL) {
            *n = 0;
        }
        return rc;
    }
    rc = law_query(r, out, n, LIBRO_LQ_ID, law_id, 0, err);
    if (rc == LIBRO_OK && *n == 0) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "no law %.100s has been adopted", law_id);
    }
    return rc;
}

libro_code
libro_registry_laws_review_due(libro_registry *r, libro_law_record **out, size_t *n, int64_t now,
                               int64_t within, libro_error *err)
{
    if (within < 0) {
        if (out != NULL) {
            *out = NULL;
        }
        if (n != NULL) {
            *n = 0;
        }
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "review due: negative interval");
    }
    return law_query(r, out, n, LIBRO_LQ_REVIEW, NULL,
                     now > INT64_MAX - within ? INT64_MAX : now + within, err);
}
