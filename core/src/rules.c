/* The chain rules of docs/credentials.md (libro/rules.h): one copy, used by the issuer, the
 * registry and the verifier. */
#include <stdio.h>
#include <string.h>

#include "credential_int.h"
#include "libro/rules.h"
#include "libro/time.h"

#define SECS_PER_DAY UINT64_C(86400)
#define DESC_MAX 96 /* "issuer authorization for " + a 64-byte id */

/* Two present strings that are equal: a missing member never matches. */
static bool
same(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static const char *
shown(const char *s)
{
    return s != NULL ? s : "";
}

static bool
listed(const char *s, char *const *list, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (same(s, list[i])) {
            return true;
        }
    }
    return false;
}

static void
fmt_time(char out[LIBRO_TIME_TEXT_MAX], int64_t t)
{
    if (libro_time_format(out, t, NULL) != LIBRO_OK) {
        memcpy(out, "?", 2);
    }
}

const libro_license_grant *
libro_grant_find(const libro_credential *authorization, const char *license_type)
{
    size_t i;

    if (authorization == NULL || license_type == NULL) {
        return NULL;
    }
    for (i = 0; i < authorization->n_grants; i++) {
        if (same(authorization->grants[i].id, license_type)) {
            return &authorization->grants[i];
        }
    }
    return NULL;
}

static bool
self_chartered(const libro_credential *c)
{
    return c->type == LIBRO_CRED_CHARTER && same(c->issuer, c->subject_id);
}

void
libro_rules_describe(char *out, size_t cap, const libro_credential *c)
{
    const char *what = "credential for";
    int n;

    if (out == NULL || cap == 0) {
        return;
    }
    if (c == NULL) {
        out[0] = '\0';
        return;
    }
    if (c->type == LIBRO_CRED_LICENSE) {
        n = snprintf(out, cap, "license");
    } else if (c->type == LIBRO_CRED_MANDATE) {
        n = snprintf(out, cap, "mandate for %.64s",
                     c->office == LIBRO_OFFICE_CHAIR || c->seat == NULL ? shown(c->roundtable_id)
                                                                        : c->seat);
    } else {
        if (c->type == LIBRO_CRED_ISSUER_AUTH) {
            what = "issuer authorization for";
        } else if (c->type == LIBRO_CRED_REGISTRY_AUTH) {
            what = "registry authorization for";
        } else if (c->type == LIBRO_CRED_CHARTER) {
            what = self_chartered(c) ? "anchor" : "charter of";
        }
        n = snprintf(out, cap, "%s %.64s", what, c->subject_id != NULL ? c->subject_id : "?");
    }
    if (n < 0) {
        out[0] = '\0';
    }
}

bool
libro_rules_span_ok(int64_t valid_from, int64_t valid_until, uint32_t days)
{
    /* The difference of two int64 values, when positive, always fits in a uint64 (modular
     * arithmetic gives it exactly), and days * 86400 is below 2^49: no overflow anywhere. */
    if (valid_until <= valid_from) {
        return true;
    }
    return (uint64_t) valid_until - (uint64_t) valid_from <= (uint64_t) days * SECS_PER_DAY;
}

libro_code
libro_rules_issued_by(const libro_credential *c, const libro_credential *by, libro_error *err)
{
    char desc[DESC_MAX];
    bool pair;

    pair = c != NULL && by != NULL &&
           ((c->type == LIBRO_CRED_LICENSE && by->type == LIBRO_CRED_ISSUER_AUTH) ||
            ((c->type == LIBRO_CRED_CHARTER || c->type == LIBRO_CRED_ISSUER_AUTH ||
              c->type == LIBRO_CRED_REGISTRY_AUTH) &&
             by->type == LIBRO_CRED_CHARTER));
    if (!pair) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "rules: issued by wants a credential under a charter, or a license "
                               "under an issuer authorization");
    }
    if (same(c->issuer, by->subject_id)) {
        return LIBRO_OK;
    }
    libro_rules_describe(desc, sizeof desc, c);
    return libro_error_set(err, LIBRO_ERR_DENIED, "%s is issued by %.64s, not by %.64s", desc,
                           shown(c->issuer), shown(by->subject_id));
}

libro_code
libro_rules_window_of(const char *what, int64_t valid_from, int64_t valid_until,
                      const libro_credential *outer, libro_error *err)
{
    char outer_desc[DESC_MAX];
    char a[LIBRO_TIME_TEXT_MAX];
    char b[LIBRO_TIME_TEXT_MAX];
    char c[LIBRO_TIME_TEXT_MAX];
    char d[LIBRO_TIME_TEXT_MAX];

    if (what == NULL || outer == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "rules: NULL argument");
    }
    /* validUntil is the last valid second of both, so equal ends nest. */
    if (valid_from >= outer->valid_from && valid_until <= outer->valid_until) {
        return LIBRO_OK;
    }
    libro_rules_describe(outer_desc, sizeof outer_desc, outer);
    fmt_time(a, valid_from);
    fmt_time(b, valid_until);
    fmt_time(c, outer->valid_from);
    fmt_time(d, outer->valid_until);
    return libro_error_set(err, LIBRO_ERR_DENIED, "%.96s (%s..%s) lies outside the %s (%s..%s)",
                           what, a, b, outer_desc, c, d);
}

libro_code
libro_rules_window(const libro_credential *inner, const libro_credential *outer, libro_error *err)
{
    char inner_desc[DESC_MAX];

    if (inner == NULL || outer == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "rules: NULL argument");
    }
    libro_rules_describe(inner_desc, sizeof inner_desc, inner);
    return libro_rules_window_of(inner_desc, inner->valid_from, inner->valid_until, outer, err);
}

libro_code
libro_rules_scope(const libro_credential *child, const libro_credential *charter, libro_error *err)
{
    char child_desc[DESC_MAX];
    char charter_desc[DESC_MAX];
    size_t i;

    if (child == NULL || charter == NULL || charter->type != LIBRO_CRED_CHARTER ||
        child->type == LIBRO_CRED_LICENSE) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "rules: scope wants a charter or authorization under a charter");
    }
    libro_rules_describe(child_desc, sizeof child_desc, child);
    libro_rules_describe(charter_desc, sizeof charter_desc, charter);
    for (i = 0; child->type == LIBRO_CRED_ISSUER_AUTH && i < child->n_grants; i++) {
        if (!listed(child->grants[i].id, charter->allowed_types, charter->n_allowed)) {
            return libro_error_set(err, LIBRO_ERR_DENIED,
                                   "%s grants %.64s, which the %s does not allow", child_desc,
                                   shown(child->grants[i].id), charter_desc);
        }
    }
    for (i = 0; child->type == LIBRO_CRED_CHARTER && i < child->n_allowed; i++) {
        if (!listed(child->allowed_types[i], charter->allowed_types, charter->n_allowed)) {
            return libro_error_set(err, LIBRO_ERR_DENIED, "%s allows %.64s, which the %s does not",
                                   child_desc, shown(child->allowed_types[i]), charter_desc);
        }
    }
    return LIBRO_OK;
}

libro_code
libro_rules_level(const libro_credential *child, const libro_credential *parent, libro_error *err)
{
    char child_desc[DESC_MAX];
    char parent_desc[DESC_MAX];

    if (child == NULL || parent == NULL || child->type != LIBRO_CRED_CHARTER ||
        parent->type != LIBRO_CRED_CHARTER) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "rules: level wants two charters");
    }
    if (child->level < parent->level) {
        return LIBRO_OK;
    }
    libro_rules_describe(child_desc, sizeof child_desc, child);
    libro_rules_describe(parent_desc, sizeof parent_desc, parent);
    return libro_error_set(err, LIBRO_ERR_DENIED,
                           "%s has level %d, not below the level %d of the %s", child_desc,
                           child->level, parent->level, parent_desc);
}

libro_code
libro_rules_license_grant(const libro_credential *license, const libro_credential *authorization,
                          libro_error *err)
{
    const libro_license_grant *grant;
    char auth_desc[DESC_MAX];
    uint64_t span;

    if (license == NULL || authorization == NULL || license->type != LIBRO_CRED_LICENSE ||
        authorization->type != LIBRO_CRED_ISSUER_AUTH) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "rules: want a license and an issuer authorization");
    }
    libro_rules_describe(auth_desc, sizeof auth_desc, authorization);
    grant = libro_grant_find(authorization, license->license_type);
    if (grant == NULL) {
        return libro_error_set(err, LIBRO_ERR_DENIED, "license type %.64s is not granted by the %s",
                               shown(license->license_type), auth_desc);
    }
    if (libro_rules_span_ok(license->valid_from, license->valid_until, grant->validity_days)) {
        return LIBRO_OK;
    }
    span = (uint64_t) license->valid_until - (uint64_t) license->valid_from;
    return libro_error_set(err, LIBRO_ERR_DENIED,
                           "license runs %llu days, longer than the %u validityDays the %s allows "
                           "for %.64s",
                           (unsigned long long) (span / SECS_PER_DAY + (span % SECS_PER_DAY != 0)),
                           (unsigned) grant->validity_days, auth_desc, grant->id);
}

libro_code
libro_rules_license_community(const libro_credential *license,
                              const libro_credential *authorization, libro_error *err)
{
    if (license == NULL || authorization == NULL || license->type != LIBRO_CRED_LICENSE ||
        authorization->type != LIBRO_CRED_ISSUER_AUTH) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "rules: want a license and an issuer authorization");
    }
    if (same(license->community_id, authorization->issuer)) {
        return LIBRO_OK;
    }
    return libro_error_set(err, LIBRO_ERR_DENIED,
                           "license names community %.64s, but %.64s authorized its issuer",
                           shown(license->community_id), shown(authorization->issuer));
}

libro_code
libro_rules_license_level(const libro_credential *license,
                          const libro_credential *community_charter, libro_error *err)
{
    char charter_desc[DESC_MAX];

    if (license == NULL || community_charter == NULL || license->type != LIBRO_CRED_LICENSE ||
        community_charter->type != LIBRO_CRED_CHARTER) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "rules: want a license and a charter");
    }
    if (!same(license->community_id, community_charter->subject_id)) {
        libro_rules_describe(charter_desc, sizeof charter_desc, community_charter);
        return libro_error_set(err, LIBRO_ERR_DENIED, "license names community %.64s, not the %s",
                               shown(license->community_id), charter_desc);
    }
    if (license->community_level == community_charter->level) {
        return LIBRO_OK;
    }
    return libro_error_set(
        err, LIBRO_ERR_DENIED, "license gives community %.64s level %d, its %s says %d",
        shown(license->community_id), license->community_level,
        self_chartered(community_charter) ? "anchor" : "charter", community_charter->level);
}

libro_code
libro_rules_under_charter(const libro_credential *child, const libro_credential *charter,
                          libro_error *err)
{
    libro_code rc = libro_rules_window(child, charter, err);

    if (rc == LIBRO_OK) {
        rc = libro_rules_scope(child, charter, err);
    }
    if (rc == LIBRO_OK && child->type == LIBRO_CRED_CHARTER) {
        rc = libro_rules_level(child, charter, err);
    }
    return rc;
}

/* Whether `url` is one of the registry `base`'s status lists: <base>/v1/status/... */
static bool
list_of(const char *url, const char *base)
{
    static const char path[] = "/v1/status/";
    size_t n = strlen(base);

    return url != NULL && strncmp(url, base, n) == 0 &&
           strncmp(url + n, path, sizeof path - 1) == 0;
}

libro_code
libro_rules_license_status(const libro_credential *license, const libro_credential *authorization,
                           libro_error *err)
{
    const char *reg;
    const char *lists[3];
    size_t i;

    if (license == NULL || authorization == NULL || license->type != LIBRO_CRED_LICENSE ||
        authorization->type != LIBRO_CRED_ISSUER_AUTH) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "rules: want a license and an issuer authorization");
    }
    reg = authorization->status_registry;
    if (reg == NULL) {
        return LIBRO_OK;
    }
    if (!license->has_status) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "the issuer's authorization requires status entries from %.100s; "
                               "this license has none",
                               reg);
    }
    lists[0] = license->status_revocation_list;
    lists[1] = license->status_suspension_list;
    lists[2] = license->status_message_list;
    for (i = 0; i < LIBRO_NELEM(lists); i++) {
        if ((i < 2 || lists[i] != NULL) && !list_of(lists[i], reg)) {
            return libro_error_set(err, LIBRO_ERR_DENIED,
                                   "the issuer's authorization requires status entries from "
                                   "%.80s; this license names %.80s",
                                   reg, shown(lists[i]));
        }
    }
    return LIBRO_OK;
}

libro_code
libro_rules_license_under(const libro_credential *license, const libro_credential *authorization,
                          libro_error *err)
{
    libro_code rc = libro_rules_license_community(license, authorization, err);

    if (rc == LIBRO_OK) {
        rc = libro_rules_license_grant(license, authorization, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_rules_window(license, authorization, err);
    }
    return rc;
}

/* ---- roundtables and mandates --------------------------------------------------------------- */

unsigned
libro_rules_seed_term_years(libro_office office, int roundtable_level)
{
    switch (office) {
    case LIBRO_OFFICE_REPRESENTATIVE:
        return roundtable_level <= 1 ? LIBRO_TERM_REPRESENTATIVE_L1_YEARS
                                     : LIBRO_TERM_REPRESENTATIVE_YEARS;
    case LIBRO_OFFICE_CHAIR:
        return LIBRO_TERM_CHAIR_YEARS;
    case LIBRO_OFFICE_LEADER:
        return LIBRO_TERM_LEADER_YEARS;
    }
    return 0;
}

unsigned
libro_rules_term_years(libro_office office, const libro_credential *roundtable_charter)
{
    unsigned own = 0;

    if (roundtable_charter == NULL || roundtable_charter->type != LIBRO_CRED_CHARTER) {
        return 0;
    }
    switch (office) {
    case LIBRO_OFFICE_REPRESENTATIVE:
        own = roundtable_charter->rt_representative_years;
        break;
    case LIBRO_OFFICE_CHAIR:
        own = roundtable_charter->rt_chair_years;
        break;
    case LIBRO_OFFICE_LEADER:
        own = roundtable_charter->rt_leader_years;
        break;
    default:
        return 0;
    }
    return own != 0 ? own : libro_rules_seed_term_years(office, roundtable_charter->level);
}

static bool
leap_year(unsigned y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

libro_code
libro_rules_term_end(int64_t *out, int64_t valid_from, unsigned years, libro_error *err)
{
    char text[LIBRO_TIME_TEXT_MAX];
    unsigned year = 0;
    int64_t t = 0;
    libro_code rc;
    int i;

    if (out == NULL || years == 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "rules: no term end of 0 years");
    }
    *out = 0;
    rc = libro_time_format(text, valid_from, err);
    if (rc != LIBRO_OK) {
        return rc;
    }
    /* "YYYY-MM-DDTHH:MM:SSZ": the same date and time `years` later, written back as text and
     * read again, so that the calendar is time.c's alone. */
    for (i = 0; i < 4; i++) {
        year = year * 10 + (unsigned) (text[i] - '0');
    }
    year += years;
    if (year > 9999) {
        return libro_error_set(err, LIBRO_ERR_TIME, "rules: a term ending after the year 9999");
    }
    for (i = 3; i >= 0; i--) {
        text[i] = (char) ('0' + year % 10);
        year /= 10;
    }
    year = (unsigned) ((text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 +
                       (text[3] - '0'));
    if (memcmp(text + 5, "02-29", 5) == 0 && !leap_year(year)) {
        memcpy(text + 5, "03-01", 5);
    }
    rc = libro_time_parse(&t, text, strlen(text), err);
    if (rc == LIBRO_OK) {
        *out = t - 1;
    }
    return rc;
}

libro_code
libro_rules_roundtable_seats(size_t n_members, libro_error *err)
{
    if (n_members > LIBRO_ROUNDTABLE_MAX_MEMBERS) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "a roundtable has at most %u member communities, not %zu",
                               LIBRO_ROUNDTABLE_MAX_MEMBERS, n_members);
    }
    return LIBRO_OK;
}

libro_code
libro_rules_mandate_term_limit(const libro_credential *roundtable_charter,
                               unsigned consecutive_before, libro_error *err)
{
    unsigned limit;

    if (roundtable_charter == NULL || roundtable_charter->type != LIBRO_CRED_CHARTER) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "rules: want a roundtable charter");
    }
    limit = roundtable_charter->rt_consecutive_terms;
    if (limit != 0 && consecutive_before >= limit) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "the charter of %.64s allows %u consecutive terms in one seat; "
                               "this would be term %u",
                               shown(roundtable_charter->subject_id), limit,
                               consecutive_before + 1);
    }
    return LIBRO_OK;
}

/* The community whose key signs a mandate of this office: the seat, or for a chair the
 * roundtable's own community. */
static const char *
mandate_signer(const libro_credential *m)
{
    return m->office == LIBRO_OFFICE_CHAIR ? m->roundtable_id : m->seat;
}

static bool
is_mandate(const libro_credential *m)
{
    return m != NULL && m->type == LIBRO_CRED_MANDATE;
}

static bool
is_charter(const libro_credential *c)
{
    return c != NULL && c->type == LIBRO_CRED_CHARTER;
}

libro_code
libro_rules_mandate_office(const libro_credential *mandate, libro_error *err)
{
    char what[DESC_MAX];
    const char *path = NULL;
    const char *problem;

    if (!is_mandate(mandate)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "rules: want a mandate");
    }
    libro_rules_describe(what, sizeof what, mandate);
    problem = libro_credential__office_problem(mandate, &path);
    if (problem != NULL) {
        return libro_error_set(err, LIBRO_ERR_DENIED, "%s: %s: %s", what, path, problem);
    }
    if (mandate->office != LIBRO_OFFICE_CHAIR && same(mandate->seat, mandate->roundtable_id)) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "%s: the seat is the roundtable's own community %.64s", what,
                               shown(mandate->roundtable_id));
    }
    if (!same(mandate->issuer, mandate_signer(mandate))) {
        return libro_error_set(err, LIBRO_ERR_DENIED, "%s is signed by %.64s, not by %.64s (%s)",
                               what, shown(mandate->issuer), shown(mandate_signer(mandate)),
                               mandate->office == LIBRO_OFFICE_CHAIR
                                   ? "the roundtable's community signs its chair's mandate"
                                   : "the seat's community signs its mandate");
    }
    return LIBRO_OK;
}

libro_code
libro_rules_mandate_signer(const libro_credential *mandate, const libro_credential *signer_charter,
                           const libro_credential *roundtable_charter, libro_error *err)
{
    char what[DESC_MAX];
    char signer[DESC_MAX];
    char table[DESC_MAX];
    const libro_credential *parent = signer_charter;
    const libro_credential *child = roundtable_charter;
    int want_level;

    if (!is_mandate(mandate) || !is_charter(signer_charter) || !is_charter(roundtable_charter)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "rules: want a mandate, its signer's and its roundtable's charters");
    }
    libro_rules_describe(what, sizeof what, mandate);
    libro_rules_describe(signer, sizeof signer, signer_charter);
    libro_rules_describe(table, sizeof table, roundtable_charter);
    if (!same(signer_charter->subject_id, mandate->issuer)) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "%s is signed by %.64s, not by the subject of the %s", what,
                               shown(mandate->issuer), signer);
    }
    if (!same(roundtable_charter->subject_id, mandate->roundtable_id)) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "%s sits at the roundtable of %.64s, not of the subject of the %s",
                               what, shown(mandate->roundtable_id), table);
    }
    if (roundtable_charter->level != mandate->roundtable_level) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "%s gives its roundtable level %d; the %s says level %d", what,
                               mandate->roundtable_level, table, roundtable_charter->level);
    }
    switch (mandate->office) {
    case LIBRO_OFFICE_REPRESENTATIVE:
        /* The member community was chartered by the roundtable's community, one level down. */
        parent = roundtable_charter;
        child = signer_charter;
        want_level = mandate->roundtable_level - 1;
        break;
    case LIBRO_OFFICE_CHAIR:
        want_level = mandate->roundtable_level;
        break;
    case LIBRO_OFFICE_LEADER:
        /* The parent chartered the community whose circle the leader joins, one level up. */
        want_level = mandate->roundtable_level + 1;
        break;
    default:
        return libro_rules_mandate_office(mandate, err);
    }
    if (mandate->office != LIBRO_OFFICE_CHAIR && !same(child->issuer, parent->subject_id)) {
        libro_rules_describe(table, sizeof table, child);
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "%s: the %s is issued by %.64s, not by %.64s (%s)", what, table,
                               shown(child->issuer), shown(parent->subject_id),
                               mandate->office == LIBRO_OFFICE_REPRESENTATIVE
                                   ? "a member community is chartered by the roundtable's"
                                   : "a leader is appointed by the parent that chartered the "
                                     "community");
    }
    if (signer_charter->level != want_level) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "%s: the %s is at level %d; a %s of a level-%d roundtable is "
                               "signed at level %d",
                               what, signer, signer_charter->level,
                               libro_office_name(mandate->office), mandate->roundtable_level,
                               want_level);
    }
    return LIBRO_OK;
}

libro_code
libro_rules_mandate_term(const libro_credential *mandate,
                         const libro_credential *roundtable_charter, libro_error *err)
{
    char what[DESC_MAX];
    char from[LIBRO_TIME_TEXT_MAX];
    char until[LIBRO_TIME_TEXT_MAX];
    char last[LIBRO_TIME_TEXT_MAX];
    unsigned years;
    int64_t end = 0;
    libro_code rc;

    if (!is_mandate(mandate) || !is_charter(roundtable_charter)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "rules: want a mandate and its roundtable's charter");
    }
    years = libro_rules_term_years(mandate->office, roundtable_charter);
    if (years == 0) {
        return libro_rules_mandate_office(mandate, err);
    }
    libro_rules_describe(what, sizeof what, mandate);
    rc = libro_rules_term_end(&end, mandate->valid_from, years, err);
    if (rc == LIBRO_ERR_TIME) {
        /* A term that would end after 9999-12-31 is within any mandate's validUntil. */
        return LIBRO_OK;
    }
    if (rc != LIBRO_OK) {
        return rc;
    }
    if (mandate->valid_until > end) {
        fmt_time(from, mandate->valid_from);
        fmt_time(until, mandate->valid_until);
        fmt_time(last, end);
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "%s runs %s..%s, longer than the %u year%s of a %s's term at the "
                               "roundtable of %.64s (ends by %s at the latest)",
                               what, from, until, years, years == 1 ? "" : "s",
                               libro_office_name(mandate->office),
                               shown(roundtable_charter->subject_id), last);
    }
    return LIBRO_OK;
}

libro_code
libro_rules_mandate_under(const libro_credential *mandate, const libro_credential *signer_charter,
                          const libro_credential *roundtable_charter, libro_error *err)
{
    libro_code rc = libro_rules_mandate_office(mandate, err);

    if (rc == LIBRO_OK) {
        rc = libro_rules_mandate_signer(mandate, signer_charter, roundtable_charter, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_rules_mandate_term(mandate, roundtable_charter, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_rules_window(mandate, signer_charter, err);
    }
    return rc;
}
