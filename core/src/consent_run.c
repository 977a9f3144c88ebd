/* libro: the consent state machine (libro/consent.h, docs/credentials.md "The consent
 * record"). Pure: steps in, a state out, no clock and no I/O, so the registry (before it
 * records a step) and the verifier (over a whole record) reach the same answer. Who may act
 * comes from the seats the caller derived from the mandates, at each step's own time. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "libro/consent.h"
#include "libro/time.h"
#include "libro/util.h"

/* An objection of the current round and what became of it. */
typedef struct objection {
    size_t step;    /* index of the respond step */
    bool ruled_out; /* the chair ruled it out: it no longer blocks */
    bool ruled;     /* the chair ruled on it (valid or out) */
    bool withdrawn; /* its author withdrew it */
} objection;

typedef struct machine {
    const libro_step *const *steps;
    const char *const *hashes;
    const libro_consent_seat *seats;
    size_t n_seats;
    libro_consent_state *st;
    bool *responded;       /* per round member */
    objection *round_objs; /* objections of this round */
    size_t n_round_objs;
    size_t *version_objs; /* objections (step indices) of this version, any round */
    size_t n_version_objs;
} machine;

void
libro_consent_state_free(libro_consent_state *st)
{
    if (st == NULL) {
        return;
    }
    libro_free(st->standing);
    libro_free(st->pending);
    libro_free(st->round_members);
    *st = (libro_consent_state) LIBRO_CONSENT_STATE_INIT;
}

libro_code
libro_consent_seat_of(libro_consent_seat *out, const libro_credential *mandate, int64_t ended,
                      libro_error *err)
{
    if (out == NULL || mandate == NULL || mandate->type != LIBRO_CRED_MANDATE ||
        mandate->subject_id == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "consent: not a mandate");
    }
    if (ended != 0 && (ended <= mandate->valid_from || ended > mandate->valid_until)) {
        return libro_error_set(err, LIBRO_ERR_TIME, "consent: the mandate ends outside its term");
    }
    out->did = mandate->subject_id;
    out->office = mandate->office;
    out->from = mandate->valid_from;
    out->until = ended != 0 ? ended - 1 : mandate->valid_until;
    return LIBRO_OK;
}

static bool
sits(const libro_consent_seat *seat, int64_t at)
{
    return seat->from <= at && at <= seat->until;
}

static bool
is_voting(const machine *m, const char *did, int64_t at)
{
    size_t i;

    for (i = 0; i < m->n_seats; i++) {
        if (m->seats[i].office == LIBRO_OFFICE_REPRESENTATIVE && sits(&m->seats[i], at) &&
            strcmp(m->seats[i].did, did) == 0) {
            return true;
        }
    }
    return false;
}

static const char *
chair_at(const machine *m, int64_t at)
{
    size_t i;

    for (i = 0; i < m->n_seats; i++) {
        if (m->seats[i].office == LIBRO_OFFICE_CHAIR && sits(&m->seats[i], at)) {
            return m->seats[i].did;
        }
    }
    return NULL;
}

static size_t
member_index(const machine *m, const char *did)
{
    size_t i;

    for (i = 0; i < m->st->n_round_members; i++) {
        if (strcmp(m->st->round_members[i], did) == 0) {
            return i;
        }
    }
    return SIZE_MAX;
}

/* A round opens at `at`: its members are the voting members then, in the seats' order (one
 * entry per member), and no one has responded. */
static libro_code
open_round(machine *m, int64_t at, libro_error *err)
{
    libro_consent_state *st = m->st;
    size_t i;

    st->n_round_members = 0;
    for (i = 0; i < m->n_seats; i++) {
        const libro_consent_seat *seat = &m->seats[i];

        if (seat->office == LIBRO_OFFICE_REPRESENTATIVE && sits(seat, at) &&
            member_index(m, seat->did) == SIZE_MAX) {
            st->round_members[st->n_round_members++] = seat->did;
        }
    }
    memset(m->responded, 0, m->n_seats * sizeof *m->responded);
    m->n_round_objs = 0;
    st->chair = chair_at(m, at);
    (void) err;
    return LIBRO_OK;
}

/* Refuse step i: code, and the reason "step i (kind): ...". */
static libro_code refuse(machine *m, size_t i, libro_code code, const char *fmt, ...)
    LIBRO_PRINTF(4, 5);

static libro_code
refuse(machine *m, size_t i, libro_code code, const char *fmt, ...)
{
    libro_consent_state *st = m->st;
    const char *kind = libro_step_kind_name(m->steps[i]->kind);
    char what[LIBRO_ERROR_MSG_MAX - 32];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    st->refused = true;
    st->refused_code = code;
    (void) snprintf(st->refused_reason, sizeof st->refused_reason, "step %zu (%.9s): %s",
                    i % 100000u, kind != NULL ? kind : "?", n > 0 ? what : "refused");
    return code;
}

static const char *
time_text(char out[LIBRO_TIME_TEXT_MAX], int64_t t)
{
    if (libro_time_format(out, t, NULL) != LIBRO_OK) {
        (void) snprintf(out, LIBRO_TIME_TEXT_MAX, "?");
    }
    return out;
}

/* The chain: seq, process, prev, time order. */
static libro_code
chain(machine *m, size_t i)
{
    const libro_step *s = m->steps[i];
    char num[24];

    if (s->seq != i) {
        (void) snprintf(num, sizeof num, "%zu", i);
        return refuse(m, i, LIBRO_ERR_PARSE, "out of order: seq is not %s", num);
    }
    if (i == 0) {
        return LIBRO_OK;
    }
    if (strcmp(s->process, m->steps[0]->process) != 0) {
        return refuse(m, i, LIBRO_ERR_PARSE, "of another process than step 0's");
    }
    if (s->prev == NULL || strcmp(s->prev, m->hashes[i - 1]) != 0) {
        return refuse(m, i, LIBRO_ERR_PARSE,
                      "prev is not the hash of the step before (a broken chain)");
    }
    if (s->at < m->steps[i - 1]->at) {
        return refuse(m, i, LIBRO_ERR_PARSE, "taken before the step before it");
    }
    return LIBRO_OK;
}

/* The objection of this round that step hash `h` names, or NULL. */
static objection *
find_objection(machine *m, const char *h)
{
    size_t i;

    for (i = 0; i < m->n_round_objs; i++) {
        if (strcmp(m->hashes[m->round_objs[i].step], h) == 0) {
            return &m->round_objs[i];
        }
    }
    return NULL;
}

static libro_code
take_version(machine *m, size_t i, libro_error *err)
{
    const libro_step *s = m->steps[i];
    libro_consent_state *st = m->st;
    char t[LIBRO_TIME_TEXT_MAX];
    size_t a;
    size_t k;

    if (!is_voting(m, s->by, s->at)) {
        return refuse(m, i, LIBRO_ERR_DENIED, "%s is no voting member at %s", s->by,
                      time_text(t, s->at));
    }
    if (s->kind == LIBRO_STEP_AMEND) {
        if (st->version >= LIBRO_MAX_ROUNDS) {
            return refuse(m, i, LIBRO_ERR_DENIED, "no version past 1000");
        }
        for (a = 0; a < s->n_answers; a++) {
            for (k = 0; k < m->n_version_objs; k++) {
                if (strcmp(m->hashes[m->version_objs[k]], s->answers[a]) == 0) {
                    break;
                }
            }
            if (k == m->n_version_objs) {
                return refuse(m, i, LIBRO_ERR_DENIED,
                              "answers %s, which is no objection to the version it amends",
                              s->answers[a]);
            }
        }
    }
    /* A new version voids every response to the old one: round 1 starts now. */
    st->version++;
    st->round = 1;
    st->version_step = i;
    m->n_version_objs = 0;
    return open_round(m, s->at, err);
}

static libro_code
take_response(machine *m, size_t i)
{
    const libro_step *s = m->steps[i];
    libro_consent_state *st = m->st;
    char t[LIBRO_TIME_TEXT_MAX];
    char want[48];
    size_t idx;
    size_t k;

    if ((st->chair != NULL && strcmp(st->chair, s->by) == 0) ||
        (chair_at(m, s->at) != NULL && strcmp(chair_at(m, s->at), s->by) == 0)) {
        return refuse(m, i, LIBRO_ERR_DENIED, "%s is the chair: the chair takes part in no round",
                      s->by);
    }
    if (s->version != st->version || s->round != st->round) {
        (void) snprintf(want, sizeof want, "version %u round %u", (unsigned) st->version,
                        (unsigned) st->round);
        return refuse(m, i, LIBRO_ERR_DENIED, "not a response to the current %s", want);
    }
    idx = member_index(m, s->by);
    if (idx == SIZE_MAX) {
        return refuse(m, i, LIBRO_ERR_DENIED,
                      is_voting(m, s->by, s->at)
                          ? "%s was seated after this round opened: they join the next round"
                          : "%s is no member of this round",
                      s->by);
    }
    if (!is_voting(m, s->by, s->at)) {
        return refuse(m, i, LIBRO_ERR_DENIED, "%s holds no mandate at %s", s->by,
                      time_text(t, s->at));
    }
    if (m->responded[idx]) {
        return refuse(m, i, LIBRO_ERR_DENIED, "%s has responded in this round already", s->by);
    }
    /* The recorded order: everyone before them who still sits has responded. */
    for (k = 0; k < idx; k++) {
        if (!m->responded[k] && is_voting(m, st->round_members[k], s->at)) {
            return refuse(m, i, LIBRO_ERR_DENIED, "out of turn: %s responds before %s",
                          st->round_members[k], s->by);
        }
    }
    m->responded[idx] = true;
    if (s->response == LIBRO_RESPONSE_OBJECT) {
        objection o = {i, false, false, false};

        m->round_objs[m->n_round_objs++] = o;
        m->version_objs[m->n_version_objs++] = i;
    }
    return LIBRO_OK;
}

static libro_code
take_rule_or_withdraw(machine *m, size_t i)
{
    const libro_step *s = m->steps[i];
    objection *o = find_objection(m, s->objection);
    const char *chair = chair_at(m, s->at);

    if (s->kind == LIBRO_STEP_RULE && (chair == NULL || strcmp(chair, s->by) != 0)) {
        return refuse(m, i, LIBRO_ERR_DENIED, "%s is not the chair: only the chair rules", s->by);
    }
    if (o == NULL) {
        return refuse(m, i, LIBRO_ERR_DENIED, "%s is no objection of this round", s->objection);
    }
    if (o->withdrawn) {
        return refuse(m, i, LIBRO_ERR_DENIED, "the objection was withdrawn");
    }
    if (s->kind == LIBRO_STEP_RULE) {
        if (o->ruled) {
            return refuse(m, i, LIBRO_ERR_DENIED, "the chair ruled on this objection already");
        }
        o->ruled = true;
        o->ruled_out = s->ruling == LIBRO_RULING_OUT;
        return LIBRO_OK;
    }
    if (strcmp(m->steps[o->step]->by, s->by) != 0) {
        return refuse(m, i, LIBRO_ERR_DENIED, "only its author withdraws an objection, not %s",
                      s->by);
    }
    if (!is_voting(m, s->by, s->at)) {
        return refuse(m, i, LIBRO_ERR_DENIED, "%s holds no mandate then", s->by);
    }
    if (o->ruled_out) {
        return refuse(m, i, LIBRO_ERR_DENIED, "the objection was ruled out: it no longer stands");
    }
    o->withdrawn = true;
    return LIBRO_OK;
}

static libro_code
take_round(machine *m, size_t i, libro_error *err)
{
    const libro_step *s = m->steps[i];
    libro_consent_state *st = m->st;
    const char *chair = chair_at(m, s->at);
    char want[48];
    size_t k;

    if (chair == NULL || strcmp(chair, s->by) != 0) {
        return refuse(m, i, LIBRO_ERR_DENIED, "%s is not the chair: only the chair opens a round",
                      s->by);
    }
    if (s->version != st->version || s->round != st->round + 1) {
        (void) snprintf(want, sizeof want, "version %u round %u", (unsigned) st->version,
                        (unsigned) st->round + 1);
        return refuse(m, i, LIBRO_ERR_DENIED, "the next round is %s", want);
    }
    for (k = 0; k < st->n_round_members; k++) {
        if (!m->responded[k] && is_voting(m, st->round_members[k], s->at)) {
            return refuse(m, i, LIBRO_ERR_DENIED, "the round is not complete: %s has not responded",
                          st->round_members[k]);
        }
    }
    st->round++;
    return open_round(m, s->at, err);
}

static libro_code
take(machine *m, size_t i, libro_error *err)
{
    const libro_step *s = m->steps[i];
    libro_code rc = chain(m, i);

    if (rc != LIBRO_OK) {
        return rc;
    }
    if ((i == 0) != (s->kind == LIBRO_STEP_PROPOSE)) {
        return refuse(m, i, LIBRO_ERR_DENIED,
                      i == 0 ? "a process opens with a proposal"
                             : "a proposal opens a process: amend this one");
    }
    switch (s->kind) {
    case LIBRO_STEP_PROPOSE:
    case LIBRO_STEP_AMEND:
        return take_version(m, i, err);
    case LIBRO_STEP_RESPOND:
        return take_response(m, i);
    case LIBRO_STEP_RULE:
    case LIBRO_STEP_WITHDRAW:
        return take_rule_or_withdraw(m, i);
    case LIBRO_STEP_ROUND:
        return take_round(m, i, err);
    }
    return refuse(m, i, LIBRO_ERR_PARSE, "unknown kind");
}

/* The state's lists after the last accepted step. */
static void
summarize(machine *m)
{
    libro_consent_state *st = m->st;
    int64_t last;
    size_t k;

    st->n_standing = 0;
    st->n_pending = 0;
    st->adoptable = false;
    if (st->n_accepted == 0) {
        return;
    }
    last = m->steps[st->n_accepted - 1]->at;
    for (k = 0; k < m->n_round_objs; k++) {
        if (!m->round_objs[k].withdrawn && !m->round_objs[k].ruled_out) {
            st->standing[st->n_standing++] = m->round_objs[k].step;
        }
    }
    for (k = 0; k < st->n_round_members; k++) {
        if (!m->responded[k] && is_voting(m, st->round_members[k], last)) {
            st->pending[st->n_pending++] = st->round_members[k];
        }
    }
    for (k = 0; k < st->n_round_members && m->responded[k]; k++) {
    }
    st->adoptable = !st->refused && st->version >= 1 && st->n_round_members > 0 &&
                    k == st->n_round_members && st->n_standing == 0;
}

libro_code
libro_consent_run(libro_consent_state *st, const libro_step *const *steps,
                  const char *const *hashes, size_t n_steps, const libro_consent_seat *seats,
                  size_t n_seats, libro_error *err)
{
    machine m;
    size_t i;
    libro_code rc = LIBRO_OK;

    if (st == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "consent: NULL state");
    }
    *st = (libro_consent_state) LIBRO_CONSENT_STATE_INIT;
    if ((steps == NULL || hashes == NULL) && n_steps > 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "consent: NULL steps");
    }
    if (seats == NULL && n_seats > 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "consent: NULL seats");
    }
    for (i = 0; i < n_steps; i++) {
        if (steps[i] == NULL || hashes[i] == NULL) {
            return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "consent: NULL step %zu", i);
        }
    }
    for (i = 0; i < n_seats; i++) {
        if (seats[i].did == NULL) {
            return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "consent: seat %zu has no did", i);
        }
    }
    memset(&m, 0, sizeof m);
    m.steps = steps;
    m.hashes = hashes;
    m.seats = seats;
    m.n_seats = n_seats;
    m.st = st;
    /* Every list is bounded by the seats (members) or the steps (objections). */
    m.responded = libro_calloc(n_seats + 1, sizeof *m.responded);
    m.round_objs = libro_calloc(n_seats + 1, sizeof *m.round_objs);
    m.version_objs = libro_calloc(n_steps + 1, sizeof *m.version_objs);
    st->round_members = libro_calloc(n_seats + 1, sizeof *st->round_members);
    st->pending = libro_calloc(n_seats + 1, sizeof *st->pending);
    st->standing = libro_calloc(n_seats + 1, sizeof *st->standing);
    if (m.responded == NULL || m.round_objs == NULL || m.version_objs == NULL ||
        st->round_members == NULL || st->pending == NULL || st->standing == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        libro_consent_state_free(st);
        goto out;
    }
    for (i = 0; i < n_steps && !st->refused; i++) {
        if (take(&m, i, err) == LIBRO_OK) {
            st->n_accepted = i + 1;
            memcpy(st->record_hash, hashes[i], strnlen(hashes[i], LIBRO_HASH_REF_LEN));
            st->record_hash[strnlen(hashes[i], LIBRO_HASH_REF_LEN)] = '\0';
        }
    }
    summarize(&m);
out:
    libro_free(m.version_objs);
    libro_free(m.round_objs);
    libro_free(m.responded);
    return rc;
}

static bool
same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

libro_code
libro_consent_adoptable(const libro_consent_state *st, const libro_step *const *steps,
                        const char *const *hashes, size_t n_steps, libro_error *err)
{
    if (st == NULL || (steps == NULL && n_steps != 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "consent: NULL state");
    }
    if (st->refused) {
        return libro_error_set(err, LIBRO_ERR_DENIED, "the record does not hold: %s",
                               st->refused_reason);
    }
    if (n_steps == 0 || st->n_accepted != n_steps || st->version == 0 ||
        st->version_step >= n_steps) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "the process is not adoptable: nothing was proposed");
    }
    if (st->n_standing > 0) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "the process is not adoptable: the objection %.71s%sby %.64s stands",
                               hashes != NULL ? hashes[st->standing[0]] : "",
                               hashes != NULL ? " " : "", steps[st->standing[0]]->by);
    }
    if (st->n_pending > 0) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "the process is not adoptable: %.64s has not responded in round %u "
                               "of version %u",
                               st->pending[0], (unsigned) st->round, (unsigned) st->version);
    }
    if (!st->adoptable) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "the process is not adoptable: a member of round %u left before "
                               "responding; the chair opens a new round",
                               (unsigned) st->round);
    }
    return LIBRO_OK;
}

libro_code
libro_consent_check_law(const libro_credential *law, const libro_consent_state *st,
                        const libro_step *const *steps, size_t n_steps, libro_error *err)
{
    const libro_step *v;
    size_t n_want;
    size_t i;

    if (law == NULL || st == NULL || steps == NULL || law->type != LIBRO_CRED_LAW) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "consent: not a law and a state");
    }
    if (libro_consent_adoptable(st, steps, NULL, n_steps, err) != LIBRO_OK) {
        libro_error_prefix(err, "consent");
        return LIBRO_ERR_DENIED;
    }
    v = steps[st->version_step];
    if (strcmp(law->consent_record, st->record_hash) != 0) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "consent: the law's consentRecord is not the record's last step");
    }
    if (strcmp(law->subject_id, steps[0]->process) != 0) {
        return libro_error_set(err, LIBRO_ERR_DENIED, "consent: the law's id is not the process");
    }
    if (!same(law->title, v->title) || !same(law->aim, v->aim) || !same(law->text, v->text)) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "consent: the law's title, aim or text is not version %u's",
                               (unsigned) st->version);
    }
    if (law->valid_until != v->review_date) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "consent: the law's validUntil is not version %u's reviewDate",
                               (unsigned) st->version);
    }
    if (!same(law->supersedes, steps[0]->supersedes)) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "consent: the law's supersedes is not the proposal's");
    }
    if (law->valid_from < steps[n_steps - 1]->at) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "consent: the law's validFrom is before the record's last step");
    }
    n_want = st->n_round_members + (st->chair != NULL ? 1u : 0u);
    if (law->n_members != n_want) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "consent: the law names %zu roundtable members, the round had %zu",
                               law->n_members, n_want);
    }
    for (i = 0; i < law->n_members; i++) {
        bool chair = i == st->n_round_members;
        const char *want = chair ? st->chair : st->round_members[i];

        if (strcmp(law->members[i].id, want) != 0 ||
            law->members[i].office != (chair ? LIBRO_OFFICE_CHAIR : LIBRO_OFFICE_REPRESENTATIVE)) {
            return libro_error_set(err, LIBRO_ERR_DENIED,
                                   "consent: roundtable[%zu] is not the round's %s", i,
                                   chair ? "chair" : "member in the recorded order");
        }
    }
    return LIBRO_OK;
}
