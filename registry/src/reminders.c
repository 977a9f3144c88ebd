/* libro_registry: the reminder engine (libro/reminders.h). Which reminders are due is a pure
 * function of the thresholds, the date a thing ends and the time (last_due); what is sent is
 * recorded in the store: claimed in one short write transaction, sent with none open (a
 * network exchange of up to 30 s must never hold the registry's write lock), marked sent in
 * another, so that a reminder goes out once and a failed send is tried again by the next
 * run. */
#include <string.h>

#include "libro/crypto.h"
#include "libro/encoding.h"
#include "libro/reminders.h"
#include "libro/smtp.h"
#include "libro/util.h"
#include "registry_int.h"

#define DAY INT64_C(86400)

const char *
libro_reminder_kind_name(libro_reminder_kind k)
{
    switch (k) {
    case LIBRO_REMIND_LICENSE:
        return "license";
    case LIBRO_REMIND_MANDATE:
        return "mandate";
    case LIBRO_REMIND_LAW_REVIEWS:
        return "law";
    }
    return NULL;
}

/* ---- contacts ----------------------------------------------------------------------------- */

/* Inside the write transaction: the subject must be held by the registry. */
static libro_code
subject_exists(libro_registry *r, libro_reminder_kind kind, const char *subject, libro_error *err)
{
    libro_license_record rec = {0};
    libro_mandate_record m = {0};
    libro_code rc = LIBRO_OK;

    if (kind == LIBRO_REMIND_LICENSE) {
        rc = r->store.ops->license_get(r->store.h, &rec, subject, err);
        libro_license_record_clear(&rec);
        if (rc == LIBRO_ERR_NOT_FOUND) {
            rc = libro_error_set(err, rc, "no license %.64s", subject);
        }
    } else if (kind == LIBRO_REMIND_MANDATE) {
        rc = r->store.ops->mandate_get(r->store.h, &m, subject, err);
        libro_mandate_record_clear(&m);
        if (rc == LIBRO_ERR_NOT_FOUND) {
            rc = libro_error_set(err, rc, "no mandate %.72s", subject);
        }
    }
    return rc;
}

static libro_code
contact_set_once(libro_registry *r, libro_reminder_kind kind, const char *subject,
                 const char *email, int64_t now, libro_error *err)
{
    bool in_tx = false;
    libro_code rc;

    rc = libro_registry__write_begin(r, NULL, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    in_tx = true;
    rc = subject_exists(r, kind, subject, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = r->store.ops->contact_put(r->store.h, (int) kind, subject, email, now, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = r->store.ops->commit(r->store.h, err);
    if (rc == LIBRO_OK) {
        in_tx = false;
    }
out:
    if (in_tx) {
        r->store.ops->rollback(r->store.h);
    }
    return rc;
}

/* The stored subject of a contact: "" for the law reviews. */
static libro_code
contact_subject(const char **out, libro_reminder_kind kind, const char *subject, libro_error *err)
{
    if (libro_reminder_kind_name(kind) == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "contact: unknown kind");
    }
    if (kind == LIBRO_REMIND_LAW_REVIEWS) {
        *out = "";
        return LIBRO_OK;
    }
    if (subject == NULL || subject[0] == '\0' || strlen(subject) > LIBRO_REGISTRY_MAX_TEXT) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "contact: want a license number or mandate id");
    }
    *out = subject;
    return LIBRO_OK;
}

libro_code
libro_registry_contact_set(libro_registry *r, libro_reminder_kind kind, const char *subject,
                           const char *email, int64_t now, libro_error *err)
{
    const char *key = NULL;
    libro_code rc;

    if (r == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "contact: NULL argument");
    }
    rc = contact_subject(&key, kind, subject, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    if (email != NULL && (rc = libro_email_check(email, strlen(email), err)) != LIBRO_OK) {
        return rc;
    }
    LIBRO_REGISTRY__RETRY(rc, r, err, contact_set_once(r, kind, key, email, now, err));
    return rc;
}

libro_code
libro_registry_contact_get(libro_registry *r, char **email, libro_reminder_kind kind,
                           const char *subject, libro_error *err)
{
    const char *key = NULL;
    libro_code rc;

    if (r == NULL || email == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "contact: NULL argument");
    }
    *email = NULL;
    rc = contact_subject(&key, kind, subject, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    return r->store.ops->contact_get(r->store.h, email, (int) kind, key, err);
}

/* ---- which reminders are due -------------------------------------------------------------- */

/* The last threshold passed at `now` for a thing ending at `due`: of the points due - d days
 * (each d of `days`) and due - window days (window > 0), those at or before `now`, the latest
 * (the window's on a tie, as it says more). None once `due` has come. */
static bool
last_due(int *threshold, int64_t *at, const unsigned *days, size_t n_days, uint32_t window,
         int64_t due, int64_t now)
{
    bool found = false;
    int64_t best = 0;
    size_t i;

    if (now >= due || due < INT64_MIN + (int64_t) LIBRO_MAX_VALIDITY_DAYS * DAY * 2) {
        return false;
    }
    for (i = 0; i < n_days; i++) {
        int64_t a = due - (int64_t) days[i] * DAY;

        if (a <= now && (!found || a > best)) {
            found = true;
            best = a;
            *threshold = (int) days[i];
        }
    }
    if (window > 0) {
        int64_t a = due - (int64_t) window * DAY;

        if (a <= now && (!found || a >= best)) {
            found = true;
            best = a;
            *threshold = LIBRO_REMINDER_WINDOW;
        }
    }
    *at = best;
    return found;
}

void
libro_reminders_free(libro_reminder *v, size_t n)
{
    size_t i;

    for (i = 0; v != NULL && i < n; i++) {
        libro_free(v[i].subject);
        libro_free(v[i].name);
        libro_free(v[i].what);
        libro_free(v[i].requirements);
        libro_free(v[i].to);
    }
    libro_free(v);
}

/* What reminders_due collects. */
struct due_run {
    libro_registry *r;
    const unsigned *days;
    size_t n_days;
    int64_t now;
    libro_reminder *v;
    size_t n;
    size_t cap;
    /* The license types seen (pass 1) and, once read, their windows and requirements. */
    libro_license_type *types;
    char **requirements;
    size_t n_types;
    size_t cap_types;
};

static libro_license_type *
type_of(struct due_run *d, const char *id, size_t *index)
{
    size_t i;

    for (i = 0; i < d->n_types; i++) {
        if (strcmp(d->types[i].id, id) == 0) {
            *index = i;
            return &d->types[i];
        }
    }
    return NULL;
}

/* Pass 1: the types of the active licenses. */
static libro_code
note_type(void *ctx, const libro_license_record *rec, libro_error *err)
{
    struct due_run *d = ctx;
    size_t i;
    libro_code rc;

    if (type_of(d, rec->license_type, &i) != NULL) {
        return LIBRO_OK;
    }
    rc =
        libro_registry__grow((void **) &d->types, &d->cap_types, d->n_types, sizeof *d->types, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    memset(&d->types[d->n_types], 0, sizeof d->types[0]);
    d->types[d->n_types].id = libro_registry__dup_or_null(rec->license_type);
    if (d->types[d->n_types].id == NULL) {
        return libro_registry__nomem(err);
    }
    d->n_types++;
    return LIBRO_OK;
}

/* A new element of d->v, zeroed, with copies of the strings. */
static libro_code
add_due(struct due_run *d, libro_reminder_kind kind, const char *subject, const char *name,
        const char *what, int64_t due, int threshold, int64_t at, libro_error *err)
{
    libro_reminder *x;
    libro_code rc;

    rc = libro_registry__grow((void **) &d->v, &d->cap, d->n, sizeof *d->v, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    x = &d->v[d->n];
    memset(x, 0, sizeof *x);
    d->n++; /* freed with the others on failure */
    x->kind = kind;
    x->due = due;
    x->threshold = threshold;
    x->at = at;
    x->subject = libro_registry__dup_or_null(subject);
    x->name = libro_registry__dup_or_null(name != NULL ? name : "");
    x->what = libro_registry__dup_or_null(what != NULL ? what : "");
    x->requirements = libro_registry__dup_or_null("");
    if (x->subject == NULL || x->name == NULL || x->what == NULL || x->requirements == NULL) {
        return libro_registry__nomem(err);
    }
    return LIBRO_OK;
}

/* Pass 2: each active license whose last passed point is not recorded as sent. */
static libro_code
license_due(void *ctx, const libro_license_record *rec, libro_error *err)
{
    struct due_run *d = ctx;
    const libro_license_type *t;
    size_t ti = 0;
    int threshold = 0;
    int64_t at = 0;
    libro_reminder *x;
    libro_code rc;

    if (rec->state != LIBRO_STATE_ACTIVE || (t = type_of(d, rec->license_type, &ti)) == NULL ||
        !last_due(&threshold, &at, d->days, d->n_days, t->renewal_window_days, rec->valid_until,
                  d->now)) {
        return LIBRO_OK;
    }
    rc = add_due(d, LIBRO_REMIND_LICENSE, rec->number, rec->holder_name, rec->license_type,
                 rec->valid_until, threshold, at, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    x = &d->v[d->n - 1];
    x->renew_from = rec->valid_until - (int64_t) t->renewal_window_days * DAY;
    libro_free(x->requirements);
    x->requirements = libro_registry__dup_or_null(d->requirements[ti]);
    return x->requirements == NULL ? libro_registry__nomem(err) : LIBRO_OK;
}

/* The types seen in pass 1, read; the widest window. */
static libro_code
read_types(struct due_run *d, uint32_t *widest, libro_error *err)
{
    libro_buf text = LIBRO_BUF_INIT;
    libro_code rc = LIBRO_OK;
    size_t i;

    *widest = 0;
    d->requirements = libro_calloc(d->n_types > 0 ? d->n_types : 1, sizeof *d->requirements);
    if (d->requirements == NULL) {
        return libro_registry__nomem(err);
    }
    for (i = 0; i < d->n_types && rc == LIBRO_OK; i++) {
        char *id = d->types[i].id;

        d->types[i].id = NULL;
        rc = libro_registry_get_type(d->r, &d->types[i], id, err);
        libro_free(id);
        if (rc != LIBRO_OK) {
            break;
        }
        libro_buf_clear(&text);
        rc = libro_requirements_format(&text, d->types[i].requirements, d->types[i].n_requirements,
                                       err);
        if (rc == LIBRO_OK) {
            d->requirements[i] =
                libro_strndup(text.len > 0 ? (const char *) text.data : "", text.len);
            rc = d->requirements[i] == NULL ? libro_registry__nomem(err) : LIBRO_OK;
        }
        if (d->types[i].renewal_window_days > *widest) {
            *widest = d->types[i].renewal_window_days;
        }
    }
    libro_buf_free(&text);
    return rc;
}

static libro_code
mandates_due(struct due_run *d, int64_t within, libro_error *err)
{
    libro_mandate_record *m = NULL;
    size_t n = 0;
    size_t i;
    libro_code rc;

    rc = libro_registry_mandates_expiring(d->r, &m, &n, d->now, within, err);
    for (i = 0; rc == LIBRO_OK && i < n; i++) {
        int threshold = 0;
        int64_t at = 0;

        if (m[i].state == LIBRO_MANDATE_ACTIVE &&
            last_due(&threshold, &at, d->days, d->n_days, 0, m[i].valid_until, d->now)) {
            rc = add_due(d, LIBRO_REMIND_MANDATE, m[i].id, m[i].name,
                         libro_office_name(m[i].office), m[i].valid_until, threshold, at, err);
        }
    }
    libro_mandate_records_free(m, n);
    return rc;
}

static libro_code
laws_due(struct due_run *d, int64_t within, libro_error *err)
{
    libro_law_record *l = NULL;
    size_t n = 0;
    size_t i;
    libro_code rc;

    rc = libro_registry_laws_review_due(d->r, &l, &n, d->now, within, err);
    for (i = 0; rc == LIBRO_OK && i < n; i++) {
        int threshold = 0;
        int64_t at = 0;

        if (l[i].state == LIBRO_LAW_IN_FORCE &&
            last_due(&threshold, &at, d->days, d->n_days, 0, l[i].review_at, d->now)) {
            rc = add_due(d, LIBRO_REMIND_LAW_REVIEWS, l[i].id, l[i].title, "law", l[i].review_at,
                         threshold, at, err);
        }
    }
    libro_law_records_free(l, n);
    return rc;
}

/* Drop the reminders recorded as sent; give the others their contact. */
static libro_code
unsent_with_contacts(struct due_run *d, libro_error *err)
{
    const libro_store_ops *ops = d->r->store.ops;
    size_t kept = 0;
    size_t i;
    libro_code rc = LIBRO_OK;

    for (i = 0; i < d->n; i++) {
        libro_reminder *x = &d->v[i];
        bool sent = false;

        if (rc == LIBRO_OK) {
            libro_store_reminder_key k = {(int) x->kind, x->subject, x->due, x->threshold};

            rc = ops->reminder_sent(d->r->store.h, &k, &sent, err);
        }
        if (rc == LIBRO_OK && !sent) {
            rc = ops->contact_get(d->r->store.h, &x->to, (int) x->kind,
                                  x->kind == LIBRO_REMIND_LAW_REVIEWS ? "" : x->subject, err);
            if (rc == LIBRO_ERR_NOT_FOUND) {
                rc = LIBRO_OK;
            }
        }
        if (rc != LIBRO_OK || sent) {
            libro_free(x->subject);
            libro_free(x->name);
            libro_free(x->what);
            libro_free(x->requirements);
            libro_free(x->to);
            continue;
        }
        d->v[kept++] = *x;
    }
    d->n = kept;
    return rc;
}

libro_code
libro_registry_reminders_due(libro_registry *r, libro_reminder **out, size_t *n,
                             const unsigned *days, size_t n_days, int64_t now, libro_error *err)
{
    struct due_run d = {r, days, n_days, now, NULL, 0, 0, NULL, NULL, 0, 0};
    unsigned widest_days = 0;
    uint32_t window = 0;
    size_t i;
    libro_code rc;

    if (out != NULL) {
        *out = NULL;
    }
    if (n != NULL) {
        *n = 0;
    }
    if (r == NULL || out == NULL || n == NULL || days == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "reminders: NULL argument");
    }
    if (n_days == 0 || n_days > LIBRO_REMINDERS_MAX_THRESHOLDS) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "reminders: want 1 to %u thresholds",
                               LIBRO_REMINDERS_MAX_THRESHOLDS);
    }
    for (i = 0; i < n_days; i++) {
        if (days[i] < 1 || days[i] > LIBRO_REMINDERS_MAX_DAYS) {
            return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                                   "reminders: a threshold of %u days (want 1 to %u)", days[i],
                                   LIBRO_REMINDERS_MAX_DAYS);
        }
        if (days[i] > widest_days) {
            widest_days = days[i];
        }
    }
    /* The licenses are read twice, each time one at a time: first for their types (their
     * windows say how far ahead the second read must look), then for what is due; the store
     * is not called while a walk is under way. */
    rc = libro_registry_expiring_each(r, now, (int64_t) LIBRO_MAX_VALIDITY_DAYS * DAY, false,
                                      note_type, &d, err);
    if (rc == LIBRO_OK) {
        rc = read_types(&d, &window, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_registry_expiring_each(
            r, now, (int64_t) (window > widest_days ? window : widest_days) * DAY, false,
            license_due, &d, err);
    }
    if (rc == LIBRO_OK) {
        rc = mandates_due(&d, (int64_t) widest_days * DAY, err);
    }
    if (rc == LIBRO_OK) {
        rc = laws_due(&d, (int64_t) widest_days * DAY, err);
    }
    if (rc == LIBRO_OK) {
        rc = unsent_with_contacts(&d, err);
    }
    for (i = 0; i < d.n_types; i++) {
        libro_license_type_clear(&d.types[i]);
        libro_free(d.requirements != NULL ? d.requirements[i] : NULL);
    }
    libro_free(d.types);
    libro_free(d.requirements);
    if (rc != LIBRO_OK) {
        libro_reminders_free(d.v, d.n);
        return rc;
    }
    *out = d.v;
    *n = d.n;
    return LIBRO_OK;
}

/* ---- sending once ------------------------------------------------------------------------- */

/* One reminder's claim: its key, this call's random token, to whom and when. */
struct claim {
    libro_store_reminder_key k;
    char token[2 * 16 + 1];
    const char *to;
    int64_t now;
    libro_store_claim found; /* what step CLAIM found */
};

/* The two short write transactions around a send: the claim (1), and its end (3). */
enum claim_step {
    CLAIM,      /* claim it, or take over a claim older than the lease */
    MARK_SENT,  /* the send worked: mark it sent, if the claim is still ours */
    DROP_CLAIM, /* the send failed: delete the claim, if it is still ours */
};

static libro_code
claim_step(libro_registry *r, struct claim *c, enum claim_step step, libro_error *err)
{
    bool in_tx = false;
    libro_code rc;

    rc = libro_registry__write_begin(r, NULL, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    in_tx = true;
    rc = step == CLAIM
             ? r->store.ops->reminder_claim(r->store.h, &c->found, &c->k, c->to, c->token, c->now,
                                            c->now - LIBRO_REMINDER_LEASE_SECONDS, err)
             : r->store.ops->reminder_release(r->store.h, &c->k, c->token, step == MARK_SENT,
                                              c->now, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = r->store.ops->commit(r->store.h, err);
    if (rc == LIBRO_OK) {
        in_tx = false;
    }
out:
    if (in_tx) {
        r->store.ops->rollback(r->store.h);
    }
    return rc;
}

static libro_code
new_token(char out[2 * 16 + 1], libro_error *err)
{
    unsigned char random[16];
    libro_buf hex = LIBRO_BUF_INIT;
    libro_code rc;

    rc = libro_random_bytes(random, sizeof random, err);
    if (rc == LIBRO_OK) {
        rc = libro_hex_encode(&hex, random, sizeof random, err);
    }
    if (rc == LIBRO_OK) {
        memcpy(out, hex.data, 2 * sizeof random);
        out[2 * sizeof random] = '\0';
    }
    libro_buf_free(&hex);
    return rc;
}

libro_code
libro_registry_reminder_send(libro_registry *r, libro_reminder_outcome *outcome,
                             const libro_reminder *rem, int64_t now, libro_reminder_send_fn send,
                             void *ctx, libro_error *err)
{
    struct claim c;
    libro_error e = LIBRO_ERROR_INIT;
    libro_code rc;
    libro_code mark;

    if (r == NULL || outcome == NULL || rem == NULL || send == NULL || rem->subject == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "reminder: NULL argument");
    }
    *outcome = LIBRO_REMINDER_ALREADY_SENT;
    if (rem->to == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "reminder: no contact to send to");
    }
    if (r->grouped) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "reminder: not inside a group (the send would hold its lock)");
    }
    c.k = (libro_store_reminder_key){(int) rem->kind, rem->subject, rem->due, rem->threshold};
    c.to = rem->to;
    c.now = now;
    c.found = LIBRO_STORE_CLAIM_HELD;
    rc = new_token(c.token, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    LIBRO_REGISTRY__RETRY(rc, r, err, claim_step(r, &c, CLAIM, err));
    if (rc != LIBRO_OK) {
        return rc;
    }
    if (c.found == LIBRO_STORE_CLAIM_SENT || c.found == LIBRO_STORE_CLAIM_HELD) {
        *outcome = c.found == LIBRO_STORE_CLAIM_SENT ? LIBRO_REMINDER_ALREADY_SENT
                                                     : LIBRO_REMINDER_BEING_SENT;
        return LIBRO_OK;
    }
    /* No transaction is open here: the registry's writers go on while the server answers. */
    rc = send(ctx, rem, err);
    if (rc != LIBRO_OK) {
        /* Drop the claim so that the next run tries again; should that fail (the claim no
         * longer ours, the store down), it runs out with its lease. The send's error is the
         * one to report. */
        LIBRO_REGISTRY__RETRY(mark, r, &e, claim_step(r, &c, DROP_CLAIM, &e));
        return rc;
    }
    *outcome = LIBRO_REMINDER_SENT;
    LIBRO_REGISTRY__RETRY(mark, r, &e, claim_step(r, &c, MARK_SENT, &e));
    if (mark == LIBRO_ERR_NOT_FOUND) {
        return libro_error_set(err, LIBRO_ERR_EXISTS,
                               "reminder sent, but another run took over its claim (the send "
                               "outlived the %d s lease)",
                               LIBRO_REMINDER_LEASE_SECONDS);
    }
    if (mark != LIBRO_OK) {
        return libro_error_set(
            err, mark, "reminder sent but not recorded (sent again after the lease): %s", e.msg);
    }
    return LIBRO_OK;
}
