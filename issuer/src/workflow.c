/* The issuer's workflows (libro/issuer.h): a handle holding the issuer's key, authorization and
 * community charter, and the license sequences built on it: issue (defaults and clamps,
 * status entries, check, sign, register) and renew. The CLI only parses and prints. */
#include <string.h>

#include "issuer_int.h"
#include "libro/file.h"
#include "libro/issuer.h"
#include "libro/lb1.h"
#include "libro/limits.h"
#include "libro/retry_int.h"
#include "libro/rules.h"
#include "libro/time.h"
#include "libro/util.h"

#define DAY INT64_C(86400)

struct libro_issuer {
    const libro_key *signer; /* borrowed */
    libro_credential *auth;
    libro_credential *charter;
};

libro_code
libro_issuer__dup(char **dst, const char *src, libro_error *err)
{
    if (src == NULL) {
        *dst = NULL;
        return LIBRO_OK;
    }
    *dst = libro_strndup(src, strlen(src));
    return *dst == NULL ? libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory") : LIBRO_OK;
}

libro_code
libro_issuer__dup_list(char ***dst, size_t *n_dst, const char *const *src, size_t n,
                       libro_error *err)
{
    size_t i;
    libro_code rc = LIBRO_OK;

    *n_dst = 0;
    *dst = n == 0 ? NULL : libro_calloc(n, sizeof **dst);
    if (n > 0 && *dst == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    for (i = 0; i < n && rc == LIBRO_OK; i++) {
        rc = libro_issuer__dup(&(*dst)[i], src[i], err);
        if (rc == LIBRO_OK) {
            (*n_dst)++;
        }
    }
    return rc;
}

libro_code
libro_issuer__parse_own(libro_credential **out, const char *p, size_t len, libro_error *err)
{
    *out = NULL;
    if (p == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "issuer: NULL credential");
    }
    /* Files end with a newline; a little whitespace around the token is allowed. */
    libro_text_trim(&p, &len);
    if (len > LIBRO_MAX_TOKEN_BYTES) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "credential longer than %u bytes",
                               (unsigned) LIBRO_MAX_TOKEN_BYTES);
    }
    /* The issuer's own input, read for its policy checks only: verifiers check the real
     * chain, signatures included. The JWS must still be well formed. */
    return libro_credential_parse_unverified(out, p, len, err);
}

/* libro_issuer_open, errors about each credential prefixed with its name. */
static libro_code
issuer_open(libro_issuer **out, const libro_key *signer, const char *auth, size_t auth_len,
            const char *auth_name, const char *charter, size_t charter_len,
            const char *charter_name, libro_error *err)
{
    libro_issuer *is = NULL;
    libro_code rc;

    if (out == NULL || signer == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "issuer: NULL argument");
    }
    *out = NULL;
    is = libro_calloc(1, sizeof *is);
    if (is == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        goto out;
    }
    is->signer = signer;
    rc = libro_issuer__parse_own(&is->auth, auth, auth_len, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, auth_name);
        goto out;
    }
    rc = libro_issuer__parse_own(&is->charter, charter, charter_len, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, charter_name);
        goto out;
    }
    if (is->auth->type != LIBRO_CRED_ISSUER_AUTH || is->charter->type != LIBRO_CRED_CHARTER) {
        rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                             "want an IssuerAuthorization and a CommunityCharter, not a %s and a "
                             "%s",
                             libro_cred_type_name(is->auth->type),
                             libro_cred_type_name(is->charter->type));
        goto out;
    }
    rc = libro_rules_issued_by(is->auth, is->charter, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    *out = is;
    is = NULL; /* moved to caller */
out:
    libro_issuer_free(is);
    return rc;
}

libro_code
libro_issuer_open(libro_issuer **out, const libro_key *signer, const char *authorization,
                  size_t auth_len, const char *charter, size_t charter_len, libro_error *err)
{
    return issuer_open(out, signer, authorization, auth_len, "authorization", charter, charter_len,
                       "community charter", err);
}

libro_code
libro_issuer_open_files(libro_issuer **out, const libro_key *signer, const char *authorization_path,
                        const char *charter_path, libro_error *err)
{
    libro_buf auth = LIBRO_BUF_INIT;
    libro_buf charter = LIBRO_BUF_INIT;
    libro_code rc;

    if (out == NULL || authorization_path == NULL || charter_path == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "issuer: NULL argument");
    }
    *out = NULL;
    /* A little whitespace around a maximal token is allowed (a trailing newline at least). */
    rc = libro_file_read(&auth, authorization_path, LIBRO_MAX_TOKEN_BYTES + 64, false, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, authorization_path);
    } else {
        rc = libro_file_read(&charter, charter_path, LIBRO_MAX_TOKEN_BYTES + 64, false, err);
        if (rc != LIBRO_OK) {
            libro_error_prefix(err, charter_path);
        }
    }
    if (rc == LIBRO_OK) {
        rc = issuer_open(out, signer, (const char *) auth.data, auth.len, authorization_path,
                         (const char *) charter.data, charter.len, charter_path, err);
    }
    libro_buf_free(&auth);
    libro_buf_free(&charter);
    return rc;
}

void
libro_issuer_free(libro_issuer *is)
{
    if (is == NULL) {
        return;
    }
    libro_credential_free(is->auth);
    libro_credential_free(is->charter);
    libro_free(is);
}

const libro_credential *
libro_issuer_authorization(const libro_issuer *is)
{
    return is == NULL ? NULL : is->auth;
}

const libro_credential *
libro_issuer_charter(const libro_issuer *is)
{
    return is == NULL ? NULL : is->charter;
}

libro_code
libro_issuer_registry_open(libro_registry_client **out, const libro_issuer *is, const char *target,
                           const char *actor, libro_error *err)
{
    libro_buf kid = LIBRO_BUF_INIT;
    libro_code rc;

    if (out == NULL || is == NULL || target == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "issuer: NULL argument");
    }
    *out = NULL;
    rc = libro_kid_for(&kid, is->auth->subject_id, is->signer, err);
    if (rc == LIBRO_OK) {
        rc = libro_registry_client_open(out, target, is->signer, (const char *) kid.data,
                                        actor != NULL ? actor : is->auth->subject_id, NULL, err);
    }
    libro_buf_free(&kid);
    return rc;
}

void
libro_issued_clear(libro_issued *out)
{
    if (out == NULL) {
        return;
    }
    libro_buf_free(&out->jws);
    libro_credential_free(out->license);
    memset(out, 0, sizeof *out);
}

/* ---- building a license -------------------------------------------------------------------- */

/* The one place that copies a license's status members (every entry's list, the index): a
 * renewal keeps its license's entries, an issued license gets those of its reservation. */
static libro_code
status_copy(libro_credential *dst, const libro_credential *src, libro_error *err)
{
    char *revocation = NULL;
    char *suspension = NULL;
    char *message = NULL;
    libro_code rc = libro_issuer__dup(&revocation, src->status_revocation_list, err);

    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(&suspension, src->status_suspension_list, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(&message, src->status_message_list, err);
    }
    if (rc == LIBRO_OK) {
        libro_free(dst->status_revocation_list);
        libro_free(dst->status_suspension_list);
        libro_free(dst->status_message_list);
        dst->status_revocation_list = revocation;
        dst->status_suspension_list = suspension;
        dst->status_message_list = message; /* NULL for a license with two entries */
        revocation = NULL;                  /* moved into dst */
        suspension = NULL;
        message = NULL;
        dst->has_status = src->has_status;
        dst->status_index = src->status_index;
    }
    libro_free(revocation);
    libro_free(suspension);
    libro_free(message);
    return rc;
}

/* Status entries at `index` in the lists <base>/<list>/revocation, .../suspension and, for the
 * status words, .../message (docs/credentials.md, "Status"). */
static libro_code
status_from_base(libro_credential *c, const char *base, uint32_t list, uint32_t index,
                 libro_error *err)
{
    libro_buf rev = LIBRO_BUF_INIT;
    libro_buf sus = LIBRO_BUF_INIT;
    libro_buf msg = LIBRO_BUF_INIT;
    libro_credential entries = {0};
    size_t len = strlen(base);
    libro_code rc;

    while (len > 0 && base[len - 1] == '/') {
        len--;
    }
    if (len > 2048) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "the status URL base is too long");
    }
    rc = libro_buf_printf(&rev, err, "%.*s/%u/revocation", (int) len, base, (unsigned) list);
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(&sus, err, "%.*s/%u/suspension", (int) len, base, (unsigned) list);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(&msg, err, "%.*s/%u/message", (int) len, base, (unsigned) list);
    }
    if (rc == LIBRO_OK) {
        entries.has_status = true;
        entries.status_index = index;
        entries.status_revocation_list = (char *) rev.data;
        entries.status_suspension_list = (char *) sus.data;
        entries.status_message_list = (char *) msg.data;
        rc = status_copy(c, &entries, err);
    }
    libro_buf_free(&rev);
    libro_buf_free(&sus);
    libro_buf_free(&msg);
    return rc;
}

/* A license of this issuer's community with the members `m` names (an issue's options, or a
 * renewal's copy of the license it renews); validity and status are the caller's. */
static libro_code
license_new(libro_credential **out, const libro_issuer *is, const libro_license_options *m,
            libro_error *err)
{
    libro_credential *c = NULL;
    libro_code rc = libro_credential_new(&c, LIBRO_CRED_LICENSE, err);

    *out = NULL;
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(&c->issuer, is->auth->subject_id, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(&c->subject_id, m->holder_did, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(&c->name, m->holder, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(&c->license_number, m->number, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(&c->profession, m->profession, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(&c->license_type, m->license_type, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup_list(&c->scope, &c->n_scope, m->scope, m->n_scope, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer__dup(&c->community_id, is->charter->subject_id, err);
    }
    if (rc == LIBRO_OK) {
        c->community_level = is->charter->level;
        *out = c;
        c = NULL; /* moved to caller */
    }
    libro_credential_free(c);
    return rc;
}

/* The grant of `type`, LIBRO_ERR_DENIED when the authorization has none. */
static libro_code
find_grant(const libro_license_grant **grant, const libro_issuer *is, const char *type,
           libro_error *err)
{
    *grant = libro_grant_find(is->auth, type);
    if (*grant == NULL) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "license type %.64s is not granted by the authorization of %.64s",
                               type != NULL ? type : "", is->auth->subject_id);
    }
    return LIBRO_OK;
}

/* The default end of a license from `from`: the shorter of the grant and the registry type
 * (`type_days`, 0 without a registry), cut at the authorization's and the charter's end. */
static int64_t
default_until(const libro_issuer *is, const libro_license_grant *grant, uint32_t type_days,
              int64_t from)
{
    uint32_t days = grant->validity_days;
    int64_t until;

    if (type_days > 0 && type_days < days) {
        days = type_days;
    }
    until = from + (int64_t) days * DAY;
    if (until > is->auth->valid_until) {
        until = is->auth->valid_until;
    }
    if (until > is->charter->valid_until) {
        until = is->charter->valid_until;
    }
    return until;
}

/* The window of a new license: the defaults, or the explicit end checked (never cut). */
static libro_code
license_window(libro_credential *c, const libro_issuer *is, const libro_license_grant *grant,
               uint32_t type_days, const libro_license_options *opt, libro_error *err)
{
    char end[LIBRO_TIME_TEXT_MAX];

    c->valid_from = opt->valid_from != 0 ? opt->valid_from : libro_time_now();
    if (opt->valid_until != 0 && opt->days != 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "a license's end and its days exclude each other");
    }
    if (opt->valid_until == 0 && opt->days == 0) {
        c->valid_until = default_until(is, grant, type_days, c->valid_from);
        return LIBRO_OK;
    }
    if (opt->days != 0 && c->valid_from > INT64_MAX - (int64_t) opt->days * DAY) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "validity out of range");
    }
    c->valid_until =
        opt->valid_until != 0 ? opt->valid_until : c->valid_from + (int64_t) opt->days * DAY;
    if (type_days > 0 && c->valid_from <= INT64_MAX - (int64_t) type_days * DAY &&
        c->valid_until > c->valid_from + (int64_t) type_days * DAY) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "issuer: validity longer than the %u days of license type "
                               "\"%.64s\" in the registry",
                               (unsigned) type_days, c->license_type);
    }
    /* The authorization's window is libro_issuer_check_license's; the charter's end here. */
    if (c->valid_until > is->charter->valid_until) {
        return libro_error_set(
            err, LIBRO_ERR_DENIED, "issuer: validity ends after the community charter (%s)",
            libro_time_format(end, is->charter->valid_until, err) == LIBRO_OK ? end : "?");
    }
    return LIBRO_OK;
}

/* The validity days of license type `type_id` in the registry. */
static libro_code
registry_type_days(uint32_t *days, libro_registry_client *r, const char *type_id, libro_error *err)
{
    libro_license_type type = {0};
    libro_code rc = libro_registry_client_get_type(r, &type, type_id, err);

    if (rc == LIBRO_ERR_NOT_FOUND) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND,
                             "license type %.64s is not defined in the registry (libro registry "
                             "type)",
                             type_id);
    }
    *days = type.validity_days;
    libro_license_type_clear(&type);
    return rc;
}

static libro_code
sign_checked(libro_buf *jws, const libro_credential *c, const libro_issuer *is, libro_error *err)
{
    libro_code rc = libro_issuer_check_license(c, is->auth, is->charter, is->signer, err);

    /* The status entries are in by now: they must be the registry's the authorization names. */
    if (rc == LIBRO_OK) {
        rc = libro_rules_license_status(c, is->auth, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer_sign(jws, c, is->signer, err);
    }
    return rc;
}

/* Whether the license `c` names the three lists the registry answered its reservation with. */
static bool
same_status_lists(const libro_credential *answer, const libro_credential *c)
{
    return strcmp(answer->status_revocation_list, c->status_revocation_list) == 0 &&
           strcmp(answer->status_suspension_list, c->status_suspension_list) == 0 &&
           c->status_message_list != NULL &&
           strcmp(answer->status_message_list, c->status_message_list) == 0;
}

/* The license kind of libro_issuer__record: `ctx` is the libro_issuer. */
static libro_code
license_sign(libro_buf *jws, const libro_credential *c, void *ctx, libro_error *err)
{
    return sign_checked(jws, c, ctx, err);
}

static libro_code
license_record(libro_registry_client *r, const char *jws, uint32_t list, uint32_t index, void *ctx,
               libro_error *err)
{
    (void) ctx;
    return libro_registry_client_register(r, jws, list, index, err);
}

static const libro_issuer__kind license_kind = {
    libro_registry_client_reserve,
    license_sign,
    license_record,
    false,
};

/* One attempt at libro_issuer__record; `group`: reserve, sign and register in a group of
 * their own. */
static libro_code
record_once(libro_issued *res, libro_registry_client *r, const char *base,
            const libro_issuer__kind *kind, void *ctx, bool group, libro_error *err)
{
    libro_credential *c = res->license;
    libro_credential entries = {0};
    bool remote = libro_registry_client_remote(r);
    bool grouped = false;
    libro_code rc = LIBRO_OK;

    entries.has_status = true;
    libro_buf_clear(&res->jws);
    res->status_list = 0;
    res->status_index = 0;
    /* The credential with a placeholder entry first: a bad URL base costs no index. */
    if (base != NULL) {
        rc = status_from_base(c, base, 0, 0, err);
    }
    if (rc == LIBRO_OK && (base != NULL || !kind->status_required)) {
        rc = libro_credential_check(c, err);
    }
    if (rc == LIBRO_OK && group) {
        rc = libro_registry_client_group_begin(r, err);
        grouped = rc == LIBRO_OK;
    }
    if (rc == LIBRO_OK) {
        rc =
            kind->reserve(r, &res->status_list, &res->status_index, &entries.status_revocation_list,
                          &entries.status_suspension_list, &entries.status_message_list, err);
    }
    if (rc == LIBRO_OK && base != NULL) {
        rc = status_from_base(c, base, res->status_list, res->status_index, err);
    }
    if (rc == LIBRO_OK && remote && base != NULL && !same_status_lists(&entries, c)) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED,
                             "the registry serves its lists at %.120s, not under the status URL "
                             "base",
                             entries.status_revocation_list);
    }
    if (rc == LIBRO_OK && remote && base == NULL) {
        entries.status_index = res->status_index;
        rc = status_copy(c, &entries, err);
    }
    if (rc == LIBRO_OK) {
        rc = kind->sign(&res->jws, c, ctx, err);
    }
    if (rc == LIBRO_OK) {
        rc = kind->record(r, (const char *) res->jws.data, res->status_list, res->status_index, ctx,
                          err);
    }
    if (grouped) {
        libro_error ignored = LIBRO_ERROR_INIT; /* a rollback's: the failure's error stands */
        libro_code end =
            libro_registry_client_group_end(r, rc == LIBRO_OK, rc == LIBRO_OK ? err : &ignored);

        if (rc == LIBRO_OK) {
            rc = end;
        }
    }
    libro_free(entries.status_revocation_list);
    libro_free(entries.status_suspension_list);
    libro_free(entries.status_message_list);
    return rc;
}

libro_code
libro_issuer__record(libro_issued *res, libro_registry_client *r, const char *base,
                     const libro_issuer__kind *kind, void *ctx, libro_error *err)
{
    bool remote = libro_registry_client_remote(r);
    /* With a local database the reservation, the signing and the registration are one
     * transaction (one fsync): an index whose license was never registered is not kept. The
     * owner of the outermost group runs it again when a shared database refused it for a
     * concurrent one (nothing of it was kept); inside a caller's group (a batch) the caller
     * runs its whole group again. */
    bool owner = !remote && !libro_registry_client_grouped(r);
    unsigned attempt = 0;
    libro_code rc;

    if (!remote && base == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "a registry database needs the URL base of its status lists");
    }
    do {
        rc = record_once(res, r, base, kind, ctx, !remote, err);
    } while (owner && libro_retry__again(rc, &attempt, err));
    res->registered = rc == LIBRO_OK;
    return rc;
}

libro_code
libro_issuer_issue_license(libro_issued *out, libro_issuer *is, libro_registry_client *registry,
                           const libro_license_options *opt, libro_error *err)
{
    libro_issued res = LIBRO_ISSUED_INIT;
    const libro_license_grant *grant = NULL;
    uint32_t type_days = 0;
    libro_code rc;

    if (out == NULL || is == NULL || opt == NULL || opt->version != LIBRO_LICENSE_OPTIONS_VERSION) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "issue license: bad arguments");
    }
    memset(out, 0, sizeof *out);
    if (registry == NULL && is->auth->status_registry != NULL) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "the issuer's authorization requires status entries from %.120s: "
                               "issue the license with that registry",
                               is->auth->status_registry);
    }
    rc = find_grant(&grant, is, opt->license_type, err);
    if (rc == LIBRO_OK && registry != NULL) {
        rc = registry_type_days(&type_days, registry, opt->license_type, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = license_new(&res.license, is, opt, err);
    if (rc == LIBRO_OK) {
        rc = license_window(res.license, is, grant, type_days, opt, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer_check_license(res.license, is->auth, is->charter, is->signer, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    res.version = 1;
    if (registry == NULL) {
        rc = sign_checked(&res.jws, res.license, is, err);
    } else {
        rc = libro_issuer__record(&res, registry, opt->status_url_base, &license_kind, is, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    *out = res;
    res = (libro_issued) LIBRO_ISSUED_INIT; /* moved to caller */
out:
    libro_issued_clear(&res);
    return rc;
}

/* ---- renewal ------------------------------------------------------------------------------- */

/* The next version of `old`, renewed at `now`. */
static libro_code
build_renewal(libro_credential **out, const libro_issuer *is, const libro_credential *old,
              const libro_license_type *type, int64_t now, libro_error *err)
{
    libro_license_options same = LIBRO_LICENSE_OPTIONS_INIT;
    const libro_license_grant *grant = NULL;
    libro_credential *c = NULL;
    int64_t term_until = 0;
    libro_code rc;

    *out = NULL;
    rc = find_grant(&grant, is, old->license_type, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    /* A license stays in its community: another community's issuer does not renew it. */
    if (old->community_id == NULL || strcmp(old->community_id, is->charter->subject_id) != 0) {
        rc = libro_error_set(
            err, LIBRO_ERR_DENIED, "license %.64s belongs to community %.64s, not %.64s",
            old->license_number, old->community_id != NULL ? old->community_id : "",
            is->charter->subject_id);
        goto out;
    }
    same.holder = old->name;
    same.holder_did = old->subject_id;
    same.number = old->license_number;
    same.profession = old->profession;
    same.license_type = old->license_type;
    same.scope = (const char *const *) old->scope;
    same.n_scope = old->n_scope;
    rc = license_new(&c, is, &same, err);
    if (rc == LIBRO_OK) {
        rc = status_copy(c, old, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    /* The type's rule (libro_renewal_term, which the registry applies too): an early renewal
     * of a type that renews from expiry starts where the old term ends, keeping its days. */
    libro_renewal_term(&c->valid_from, &term_until, type, old->valid_until, now);
    c->valid_until = default_until(is, grant, type->validity_days, c->valid_from);
    if (c->valid_until <= c->valid_from) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED,
                             "the renewed term would start after the issuer's authorization or "
                             "its charter ends");
        goto out;
    }
    *out = c;
    c = NULL; /* moved to caller */
out:
    libro_credential_free(c);
    return rc;
}

libro_code
libro_issuer_renew(libro_issued *out, libro_issuer *is, libro_registry_client *registry,
                   const libro_renewal_options *opt, libro_error *err)
{
    libro_issued res = LIBRO_ISSUED_INIT;
    libro_license_record rec = {0};
    libro_license_type type = {0};
    libro_credential *old = NULL;
    libro_code rc;

    if (out == NULL || is == NULL || registry == NULL || opt == NULL ||
        opt->version != LIBRO_RENEWAL_OPTIONS_VERSION || opt->number == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "renew: bad arguments");
    }
    memset(out, 0, sizeof *out);
    rc = libro_registry_client_get(registry, &rec, opt->number, err);
    if (rc == LIBRO_OK) {
        rc = libro_registry_client_get_type(registry, &type, rec.license_type, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (rec.credential == NULL) {
        rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "the registry holds no credential for %.64s",
                             opt->number);
        goto out;
    }
    rc = libro_credential_parse_unverified(&old, rec.credential, strlen(rec.credential), err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "the registry's copy");
        goto out;
    }
    /* The registry checks validFrom against its own clock when it records the renewal. */
    rc = build_renewal(&res.license, is, old, &type, libro_time_now(), err);
    if (rc == LIBRO_OK) {
        rc = sign_checked(&res.jws, res.license, is, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_registry_client_renew(registry, opt->number, (const char *) res.jws.data,
                                         opt->evidence, opt->n_evidence, opt->reason, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    res.registered = true;
    res.version = rec.version + 1u;
    res.status_index = res.license->status_index;
    *out = res;
    res = (libro_issued) LIBRO_ISSUED_INIT; /* moved to caller */
out:
    libro_issued_clear(&res);
    libro_credential_free(old);
    libro_license_type_clear(&type);
    libro_license_record_clear(&rec);
    return rc;
}

/* ---- QR ------------------------------------------------------------------------------------ */

libro_code
libro_issuer_qr(libro_buf *png_out, libro_buf *text_out, int *qr_version, const char *token,
                size_t len, const libro_qr_options *opt, libro_error *err)
{
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf png = LIBRO_BUF_INIT;
    libro_code rc;

    if (png_out == NULL || text_out == NULL || token == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "qr: NULL argument");
    }
    while (len > 0 && token[len - 1] == '\n') {
        len--;
    }
    rc = libro_lb1_encode(&text, token, len, err);
    if (rc == LIBRO_OK) {
        rc = libro_qr_render(&png, qr_version, (const char *) text.data, text.len, LIBRO_QR_PNG,
                             opt, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(text_out, text.data, text.len, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append(png_out, png.data, png.len, err);
    }
    libro_buf_free(&text);
    libro_buf_free(&png);
    return rc;
}
