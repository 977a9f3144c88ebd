/* libro_registry: the license state machine of docs/operations.md as pure functions (no storage, no
 * clock), and renewal requirements. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "libro/registry.h"
#include "libro/time.h"
#include "libro/util.h"
#include "registry_int.h"

#define DAY INT64_C(86400)

/* Requirements text is written by an operator, but it is stored and re-parsed, so it is capped
 * like any other input: 8 requirements of a 64-byte name, an operator and a 19-digit value fit
 * comfortably. */
#define MAX_REQUIREMENTS_TEXT 1024u

/* What a holder whose license lapsed does next: the one rule of docs/operations.md. */
#define NEXT_STEP_NEW_LICENSE "apply for a new license (libro issue license)"

const char *
libro_license_state_name(libro_license_state s)
{
    switch (s) {
    case LIBRO_STATE_ACTIVE:
        return "active";
    case LIBRO_STATE_SUSPENDED:
        return "suspended";
    case LIBRO_STATE_REVOKED:
        return "revoked";
    case LIBRO_STATE_EXPIRED:
        return "expired";
    case LIBRO_STATE_LAPSED:
        return "lapsed";
    case LIBRO_STATE_SURRENDERED:
        return "surrendered";
    }
    return "unknown";
}

const char *
libro_action_name(libro_action a)
{
    switch (a) {
    case LIBRO_ACTION_ISSUE:
        return "issue";
    case LIBRO_ACTION_RENEW:
        return "renew";
    case LIBRO_ACTION_SUSPEND:
        return "suspend";
    case LIBRO_ACTION_REINSTATE:
        return "reinstate";
    case LIBRO_ACTION_REVOKE:
        return "revoke";
    case LIBRO_ACTION_SURRENDER:
        return "surrender";
    case LIBRO_ACTION_EXPIRE:
        return "expire";
    case LIBRO_ACTION_LAPSE:
        return "lapse";
    }
    return "unknown";
}

/* The words, indexed by libro_reason_category (0, none, has no word). */
static const char *const category_words[] = {
    NULL,          "conduct", "competence", "health", "administrative", "holder-request",
    "non-renewal", "other",
};

const char *
libro_reason_category_name(libro_reason_category c)
{
    if ((int) c <= 0 || (size_t) c >= LIBRO_NELEM(category_words)) {
        return NULL;
    }
    return category_words[c];
}

libro_code
libro_reason_category_parse(libro_reason_category *out, const char *text, libro_error *err)
{
    size_t i;

    if (out == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "reason category: out is NULL");
    }
    *out = LIBRO_CATEGORY_NONE;
    for (i = 1; text != NULL && i < LIBRO_NELEM(category_words); i++) {
        if (strcmp(text, category_words[i]) == 0) {
            *out = (libro_reason_category) i;
            return LIBRO_OK;
        }
    }
    return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                           "unknown reason category \"%.64s\" (one of conduct, competence, "
                           "health, administrative, holder-request, non-renewal, other)",
                           text == NULL ? "" : text);
}

static bool
state_known(libro_license_state s)
{
    return s >= LIBRO_STATE_ACTIVE && s <= LIBRO_STATE_SURRENDERED;
}

/* "a revoked", "an active": the article for a refusal message. */
static const char *
article(libro_license_state s)
{
    return (s == LIBRO_STATE_ACTIVE || s == LIBRO_STATE_EXPIRED) ? "an" : "a";
}

static const char *
participle(libro_action a)
{
    switch (a) {
    case LIBRO_ACTION_ISSUE:
        return "issued";
    case LIBRO_ACTION_RENEW:
        return "renewed";
    case LIBRO_ACTION_SUSPEND:
        return "suspended";
    case LIBRO_ACTION_REINSTATE:
        return "reinstated";
    case LIBRO_ACTION_REVOKE:
        return "revoked";
    case LIBRO_ACTION_SURRENDER:
        return "surrendered";
    case LIBRO_ACTION_EXPIRE:
        return "expired";
    case LIBRO_ACTION_LAPSE:
        return "lapsed";
    }
    return "changed";
}

/* a + b, saturating: times near the int64 limits must not wrap into the past. */
static int64_t
add_sat(int64_t a, int64_t b)
{
    if (b > 0 && a > INT64_MAX - b) {
        return INT64_MAX;
    }
    if (b < 0 && a < INT64_MIN - b) {
        return INT64_MIN;
    }
    return a + b;
}

/* A time for a message: RFC 3339 when it has one, else the raw seconds. */
static const char *
show_time(char buf[32], int64_t t)
{
    char text[LIBRO_TIME_TEXT_MAX];

    if (libro_time_format(text, t, NULL) == LIBRO_OK) {
        memcpy(buf, text, sizeof text);
    } else if (snprintf(buf, 32, "%" PRId64, t) < 0) {
        buf[0] = '\0';
    }
    return buf;
}

static libro_code
refuse(libro_error *err, libro_license_state s, libro_action a)
{
    if (a == LIBRO_ACTION_EXPIRE || a == LIBRO_ACTION_LAPSE) {
        return libro_error_set(err, LIBRO_ERR_DENIED, "%s %s license does not %s", article(s),
                               libro_license_state_name(s), libro_action_name(a));
    }
    return libro_error_set(err, LIBRO_ERR_DENIED, "%s %s license cannot be %s", article(s),
                           libro_license_state_name(s), participle(a));
}

static libro_code
renew_next(libro_license_state *next, libro_license_state s, const libro_license_type *t,
           int64_t valid_until, int64_t now, libro_error *err)
{
    int64_t opens = add_sat(valid_until, -(int64_t) t->renewal_window_days * DAY);
    int64_t grace_end = add_sat(valid_until, (int64_t) t->grace_days * DAY);
    char when[32];

    if (s == LIBRO_STATE_ACTIVE && now < opens) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "renewal opens %s, %" PRIu32 " days before expiry",
                               show_time(when, opens), t->renewal_window_days);
    }
    /* An active license past its grace period has lapsed even if the clock has not run yet. */
    if (now > grace_end) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "the grace period ended %s; the license has lapsed and cannot be "
                               "renewed: " NEXT_STEP_NEW_LICENSE,
                               show_time(when, grace_end));
    }
    *next = LIBRO_STATE_ACTIVE;
    return LIBRO_OK;
}

libro_code
libro_lifecycle_next(libro_license_state *next, libro_license_state s, libro_action a,
                     const libro_license_type *t, int64_t valid_until, int64_t now,
                     libro_error *err)
{
    char when[32];

    if (next == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "lifecycle: next is NULL");
    }
    *next = s;
    if (!state_known(s)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "lifecycle: unknown state %d", (int) s);
    }
    if (a < LIBRO_ACTION_ISSUE || a > LIBRO_ACTION_LAPSE) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "lifecycle: unknown action %d", (int) a);
    }
    if ((a == LIBRO_ACTION_RENEW || a == LIBRO_ACTION_LAPSE) && t == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "lifecycle: %s needs the license type",
                               libro_action_name(a));
    }
    switch (a) {
    case LIBRO_ACTION_ISSUE:
        return libro_error_set(err, LIBRO_ERR_DENIED, "license is already issued");
    case LIBRO_ACTION_SUSPEND:
        if (s == LIBRO_STATE_ACTIVE) {
            *next = LIBRO_STATE_SUSPENDED;
            return LIBRO_OK;
        }
        if (s == LIBRO_STATE_SUSPENDED) {
            return libro_error_set(err, LIBRO_ERR_DENIED, "license is already suspended");
        }
        break;
    case LIBRO_ACTION_REINSTATE:
        if (s == LIBRO_STATE_SUSPENDED) {
            *next = LIBRO_STATE_ACTIVE;
            return LIBRO_OK;
        }
        if (s == LIBRO_STATE_ACTIVE) {
            return libro_error_set(err, LIBRO_ERR_DENIED,
                                   "license is not suspended: only a suspended license can be "
                                   "reinstated");
        }
        break;
    case LIBRO_ACTION_REVOKE:
        if (s == LIBRO_STATE_ACTIVE || s == LIBRO_STATE_SUSPENDED) {
            *next = LIBRO_STATE_REVOKED;
            return LIBRO_OK;
        }
        if (s == LIBRO_STATE_REVOKED) {
            return libro_error_set(err, LIBRO_ERR_DENIED, "license is already revoked");
        }
        break;
    case LIBRO_ACTION_SURRENDER:
        if (s == LIBRO_STATE_ACTIVE || s == LIBRO_STATE_SUSPENDED || s == LIBRO_STATE_EXPIRED) {
            *next = LIBRO_STATE_SURRENDERED;
            return LIBRO_OK;
        }
        if (s == LIBRO_STATE_SURRENDERED) {
            return libro_error_set(err, LIBRO_ERR_DENIED, "license is already surrendered");
        }
        break;
    case LIBRO_ACTION_RENEW:
        if (s == LIBRO_STATE_ACTIVE || s == LIBRO_STATE_EXPIRED) {
            return renew_next(next, s, t, valid_until, now, err);
        }
        if (s == LIBRO_STATE_SUSPENDED) {
            return libro_error_set(err, LIBRO_ERR_DENIED,
                                   "a suspended license cannot be renewed: reinstate it first");
        }
        if (s == LIBRO_STATE_LAPSED) {
            return libro_error_set(
                err, LIBRO_ERR_DENIED,
                "a lapsed license cannot be renewed: its grace period ended "
                "%s; " NEXT_STEP_NEW_LICENSE,
                show_time(when, add_sat(valid_until, (int64_t) t->grace_days * DAY)));
        }
        break;
    case LIBRO_ACTION_EXPIRE:
        if (s == LIBRO_STATE_ACTIVE) {
            /* validUntil is the last valid second, as verifiers read it. */
            if (now <= valid_until) {
                return libro_error_set(err, LIBRO_ERR_DENIED, "license is valid until %s",
                                       show_time(when, valid_until));
            }
            *next = LIBRO_STATE_EXPIRED;
            return LIBRO_OK;
        }
        if (s == LIBRO_STATE_EXPIRED) {
            return libro_error_set(err, LIBRO_ERR_DENIED, "license is already expired");
        }
        break;
    case LIBRO_ACTION_LAPSE:
        if (s == LIBRO_STATE_EXPIRED) {
            int64_t grace_end = add_sat(valid_until, (int64_t) t->grace_days * DAY);

            if (now <= grace_end) {
                return libro_error_set(err, LIBRO_ERR_DENIED, "the grace period runs until %s",
                                       show_time(when, grace_end));
            }
            *next = LIBRO_STATE_LAPSED;
            return LIBRO_OK;
        }
        if (s == LIBRO_STATE_LAPSED) {
            return libro_error_set(err, LIBRO_ERR_DENIED, "license has already lapsed");
        }
        break;
    }
    return refuse(err, s, a);
}

const char *
libro_renewal_from_name(libro_renewal_from f)
{
    switch (f) {
    case LIBRO_RENEWAL_FROM_EXPIRY:
        return "expiry";
    case LIBRO_RENEWAL_FROM_NOW:
        return "now";
    }
    return NULL;
}

void
libro_renewal_term(int64_t *from, int64_t *until, const libro_license_type *t, int64_t valid_until,
                   int64_t now)
{
    int64_t next = add_sat(valid_until, 1); /* validUntil is the last valid second */

    *from = now;
    if (t->renewal_from == LIBRO_RENEWAL_FROM_EXPIRY && next > now) {
        *from = next;
    }
    *until = add_sat(*from, (int64_t) t->validity_days * DAY);
}

/* ---- requirements ------------------------------------------------------------------------- */

void
libro_requirements_free(libro_requirement *r, size_t n)
{
    size_t i;

    if (r == NULL) {
        return;
    }
    for (i = 0; i < n; i++) {
        libro_free(r[i].evidence);
    }
    libro_free(r);
}

void
libro_license_type_clear(libro_license_type *t)
{
    if (t == NULL) {
        return;
    }
    libro_free(t->id);
    libro_requirements_free(t->requirements, t->n_requirements);
    memset(t, 0, sizeof *t);
}

static bool
is_space(char c)
{
    return c == ' ' || c == '\t';
}

static bool
is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

bool
libro_registry__evidence_name_ok(const char *p, size_t len)
{
    size_t i;

    if (len == 0 || len > LIBRO_REGISTRY_MAX_EVIDENCE_NAME) {
        return false;
    }
    for (i = 0; i < len; i++) {
        if (!is_name_char(p[i])) {
            return false;
        }
    }
    return true;
}

/* One "name op value" item p[0..len) (without its comma), number `k` counted from 1. */
static libro_code
parse_one(libro_requirement *out, const char *p, size_t len, size_t k, libro_error *err)
{
    static const char *const ops[] = {">=", "<=", "==", ">", "<"}; /* longest first */
    size_t i = 0;
    size_t name_start;
    size_t start;
    size_t end;
    size_t j;
    uint64_t v = 0;
    libro_error e = LIBRO_ERROR_INIT;
    libro_code rc;

    while (i < len && is_space(p[i])) {
        i++;
    }
    while (len > i && is_space(p[len - 1])) {
        len--;
    }
    if (i == len) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "requirement %zu: empty", k);
    }
    name_start = i;
    while (i < len && is_name_char(p[i])) {
        i++;
    }
    if (i == name_start) {
        return libro_error_set(err, LIBRO_ERR_PARSE,
                               "requirement %zu: expected an evidence name ([a-z0-9_])", k);
    }
    if (i - name_start > LIBRO_REGISTRY_MAX_EVIDENCE_NAME) {
        return libro_error_set(err, LIBRO_ERR_LIMIT,
                               "requirement %zu: evidence name longer than %u bytes", k,
                               LIBRO_REGISTRY_MAX_EVIDENCE_NAME);
    }
    end = i;
    while (i < len && is_space(p[i])) {
        i++;
    }
    for (j = 0; j < LIBRO_NELEM(ops); j++) {
        size_t n = strlen(ops[j]);

        if (len - i >= n && memcmp(p + i, ops[j], n) == 0) {
            break;
        }
    }
    if (j == LIBRO_NELEM(ops)) {
        return libro_error_set(err, LIBRO_ERR_PARSE,
                               "requirement %zu: expected an operator (>=, >, ==, <=, <)", k);
    }
    i += strlen(ops[j]);
    while (i < len && is_space(p[i])) {
        i++;
    }
    start = i;
    while (i < len && !is_space(p[i])) {
        i++;
    }
    if (i != len) {
        return libro_error_set(err, LIBRO_ERR_PARSE, "requirement %zu: text after the value", k);
    }
    rc = libro_parse_u64(&v, p + start, len - start, (uint64_t) INT64_MAX, &e);
    if (rc != LIBRO_OK) {
        return libro_error_set(err, rc, "requirement %zu: value: %s", k, e.msg);
    }
    out->evidence = libro_strndup(p + name_start, end - name_start);
    if (out->evidence == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    memcpy(out->op, ops[j], strlen(ops[j]) + 1);
    out->value = (int64_t) v;
    return LIBRO_OK;
}

libro_code
libro_requirements_parse(libro_requirement **out, size_t *n, const char *text, size_t len,
                         libro_error *err)
{
    libro_requirement *r = NULL;
    size_t count = 0;
    size_t items = 1;
    size_t i;
    size_t start = 0;
    libro_code rc = LIBRO_OK;

    if (out == NULL || n == NULL || (text == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "requirements: NULL argument");
    }
    *out = NULL;
    *n = 0;
    if (len > MAX_REQUIREMENTS_TEXT) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "requirements text longer than %u bytes",
                               MAX_REQUIREMENTS_TEXT);
    }
    for (i = 0; i < len && is_space(text[i]); i++) {
    }
    if (i == len) {
        return LIBRO_OK; /* no requirements */
    }
    for (i = 0; i < len; i++) {
        if (text[i] == ',') {
            items++;
        }
    }
    if (items > LIBRO_MAX_REQUIREMENTS) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "more than %u requirements",
                               LIBRO_MAX_REQUIREMENTS);
    }
    r = libro_calloc(items, sizeof *r);
    if (r == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i <= len; i++) {
        if (i == len || text[i] == ',') {
            rc = parse_one(&r[count], text + start, i - start, count + 1, err);
            if (rc != LIBRO_OK) {
                goto out;
            }
            count++;
            start = i + 1;
        }
    }
    *out = r;
    *n = count;
    r = NULL; /* moved to caller */
out:
    libro_requirements_free(r, count);
    return rc;
}

static bool
holds(const libro_requirement *q, int64_t v)
{
    if (strcmp(q->op, ">=") == 0) {
        return v >= q->value;
    }
    if (strcmp(q->op, ">") == 0) {
        return v > q->value;
    }
    if (strcmp(q->op, "==") == 0) {
        return v == q->value;
    }
    if (strcmp(q->op, "<=") == 0) {
        return v <= q->value;
    }
    if (strcmp(q->op, "<") == 0) {
        return v < q->value;
    }
    return false; /* an operator the parser never produces: fail closed */
}

/* Evidence the type does not ask for would be recorded for nothing (a misspelt name, the
 * requirement then unmet for want of it): refused, naming what the type accepts. */
static libro_code
unknown_evidence(const libro_license_type *t, const char *name, libro_error *err)
{
    char names[LIBRO_ERROR_MSG_MAX] = "";
    size_t used = 0;
    size_t i;

    for (i = 0; i < t->n_requirements; i++) {
        int w = snprintf(names + used, sizeof names - used, "%s%s", i == 0 ? "" : ", ",
                         t->requirements[i].evidence);

        if (w < 0 || (size_t) w >= sizeof names - used) {
            break; /* the message is cut at its size anyway */
        }
        used += (size_t) w;
    }
    if (t->n_requirements == 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "evidence %.64s: license type %.64s asks for no evidence", name,
                               t->id != NULL ? t->id : "");
    }
    return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                           "evidence %.64s: license type %.64s does not ask for it (it accepts "
                           "%s)",
                           name, t->id != NULL ? t->id : "", names);
}

libro_code
libro_requirements_check(const libro_license_type *t, const libro_evidence *evidence, size_t n,
                         libro_error *err)
{
    size_t i;
    size_t j;

    if (t == NULL || (evidence == NULL && n > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "requirements: NULL argument");
    }
    for (j = 0; j < n; j++) {
        bool asked = false;

        for (i = 0; i < t->n_requirements && evidence[j].name != NULL; i++) {
            asked = asked || strcmp(evidence[j].name, t->requirements[i].evidence) == 0;
        }
        if (!asked) {
            return unknown_evidence(t, evidence[j].name != NULL ? evidence[j].name : "", err);
        }
    }
    for (i = 0; i < t->n_requirements; i++) {
        const libro_requirement *q = &t->requirements[i];
        const libro_evidence *found = NULL;

        for (j = 0; j < n; j++) {
            if (evidence[j].name != NULL && strcmp(evidence[j].name, q->evidence) == 0) {
                found = &evidence[j];
                break;
            }
        }
        if (found == NULL) {
            return libro_error_set(err, LIBRO_ERR_DENIED,
                                   "requirement %.64s %s %" PRId64 " not met (none recorded)",
                                   q->evidence, q->op, q->value);
        }
        if (!holds(q, found->value)) {
            return libro_error_set(err, LIBRO_ERR_DENIED,
                                   "requirement %.64s %s %" PRId64 " not met (%" PRId64
                                   " recorded)",
                                   q->evidence, q->op, q->value, found->value);
        }
    }
    return LIBRO_OK;
}
