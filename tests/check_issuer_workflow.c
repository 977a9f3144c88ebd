/* The issuer's workflows (libro/issuer.h), without a shell: a license issued into an
 * in-process registry (a temp SQLite file made with the registry API, its types defined, the
 * issuer authorized), the validity defaults and each clamp, the status entries against the
 * reservation, a refused registration leaving nothing to write, renewal, the charter and
 * authorization workflows' refusals, and the QR code; then the same registry served on
 * loopback, where the status entries are the URLs the registry's reservation names. Times
 * are relative to the clock: the registry records at its own now. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../registry/src/registry_int.h"
#include "fault/fault.h"
#include "libro/issuer.h"
#include "libro/lb1.h"
#include "libro/server.h"
#include "libro/time.h"
#include "libro/util.h"
#include "test_creds.h"
#include "test_db.h"
#include "test_util.h"

#define DAY INT64_C(86400)
#define COMMUNITY "urn:libro:town-7"
#define BOARD "urn:libro:town-7:board"
#define NURSING "nursing-general"
#define FIRST_AID "first-aid"
#define BASE "https://registry.town-7.example/v1/status"

static char dir[256];
static char db_path[512];  /* test_db_path: a file, or a PostgreSQL schema */
static char db2_path[512]; /* test_db_path: a file, or a PostgreSQL schema */
static int64_t now;
static libro_key *town_key;
static libro_key *board_key;
static libro_key *registry_key;
static char *charter_jws;
static char *auth_jws;
static char *reg_auth_jws;
static libro_issuer *issuer;
static libro_registry_client *client;

/* A CommunityCharter of `id` (self-chartered, signed by `key`) ending at `until`. */
static char *
charter_of(const char *id, const libro_key *key, int level, int64_t until)
{
    libro_credential *c = new_cred(LIBRO_CRED_CHARTER, id, id, "Town", now - 10 * DAY, until);
    char *jws;

    c->level = level;
    c->subject_key = public_of(key);
    c->allowed_types = libro_calloc(2, sizeof *c->allowed_types);
    ck_assert_ptr_nonnull(c->allowed_types);
    c->allowed_types[0] = sdup(NURSING);
    c->allowed_types[1] = sdup(FIRST_AID);
    c->n_allowed = 2;
    jws = sign(c, key);
    libro_credential_free(c);
    return jws;
}

/* The board's IssuerAuthorization from `community` (signed by `key`): nursing for 1095 days,
 * first aid for 30, ending at `until`, requiring status entries from `status_registry` (NULL:
 * none). */
static char *
auth_requiring(const char *community, const libro_key *key, int64_t until,
               const char *status_registry)
{
    libro_credential *c =
        new_cred(LIBRO_CRED_ISSUER_AUTH, community, BOARD, "Health Board", now - 10 * DAY, until);
    char *jws;

    c->subject_key = public_of(board_key);
    c->grants = libro_calloc(2, sizeof *c->grants);
    ck_assert_ptr_nonnull(c->grants);
    c->grants[0].id = sdup(NURSING);
    c->grants[0].validity_days = 1095;
    c->grants[1].id = sdup(FIRST_AID);
    c->grants[1].validity_days = 30;
    c->n_grants = 2;
    c->status_registry = status_registry != NULL ? sdup(status_registry) : NULL;
    jws = sign(c, key);
    libro_credential_free(c);
    return jws;
}

static char *
auth_of(const char *community, const libro_key *key, int64_t until)
{
    return auth_requiring(community, key, until, NULL);
}

static void
define_type(libro_registry *r, const char *id, uint32_t days, uint32_t window, bool cpd)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_requirement req = {NULL, ">=", 60};
    libro_license_type t = {
        NULL, days, window, 30, cpd ? &req : NULL, cpd ? 1 : 0, LIBRO_RENEWAL_FROM_EXPIRY};

    req.evidence = sdup("cpd_hours");
    t.id = sdup(id);
    must(libro_registry_define_type(r, NULL, &t, "council", &err), &err, "define type");
    libro_free(req.evidence);
    libro_free(t.id);
}

static libro_issuer *
open_issuer(const char *auth, const char *charter)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_issuer *is = NULL;

    must(libro_issuer_open(&is, board_key, auth, strlen(auth), charter, strlen(charter), &err),
         &err, "open issuer");
    return is;
}

static void
setup(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    const char *tmp = getenv("TMPDIR");
    libro_credential *reg_auth;
    libro_registry *r = NULL;

    now = libro_time_now();
    ck_assert_int_gt(snprintf(dir, sizeof dir, "%s/libro-workflow-XXXXXX",
                              tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp"),
                     0);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    test_db_path(db_path, sizeof db_path, dir, "registry.db");
    test_db_path(db2_path, sizeof db2_path, dir, "other.db");
    must(libro_key_generate(&town_key, LIBRO_ALG_ED25519, &err), &err, "town key");
    must(libro_key_generate(&board_key, LIBRO_ALG_ED25519, &err), &err, "board key");
    must(libro_key_generate(&registry_key, LIBRO_ALG_ED25519, &err), &err, "registry key");
    charter_jws = charter_of(COMMUNITY, town_key, 2, now + 3650 * DAY);
    auth_jws = auth_of(COMMUNITY, town_key, now + 3000 * DAY);
    reg_auth = new_cred(LIBRO_CRED_REGISTRY_AUTH, COMMUNITY, COMMUNITY ":registry", "Registry",
                        now - 10 * DAY, now + 3000 * DAY);
    reg_auth->subject_key = public_of(registry_key);
    reg_auth_jws = sign(reg_auth, town_key);
    libro_credential_free(reg_auth);

    must(libro_registry_create(db_path, charter_jws, reg_auth_jws, &err), &err, "create");
    must(libro_registry_open(&r, db_path, &err), &err, "open");
    /* The registry's nursing type is shorter than the grant (365 < 1095), its first-aid type
     * longer (60 > 30); nursing may be renewed at once, first aid only in its last day. */
    define_type(r, NURSING, 365, 365, true);
    define_type(r, FIRST_AID, 60, 1, false);
    must(libro_registry_authorize_issuer(r, NULL, auth_jws, LIBRO_AUTHORIZE_ALLOW_UNRECORDED,
                                         "council", now, &err),
         &err, "authorize");
    libro_registry_close(r);

    issuer = open_issuer(auth_jws, charter_jws);
    must(libro_issuer_registry_open(&client, issuer, db_path, NULL, &err), &err, "client");
}

static void
teardown(void)
{
    libro_registry_client_close(client);
    libro_issuer_free(issuer);
    client = NULL;
    issuer = NULL;
    test_db_remove(db_path);
    test_db_remove(db2_path);
    (void) rmdir(dir);
    libro_free(reg_auth_jws);
    libro_free(auth_jws);
    libro_free(charter_jws);
    reg_auth_jws = auth_jws = charter_jws = NULL;
    libro_key_free(registry_key);
    libro_key_free(board_key);
    libro_key_free(town_key);
    registry_key = board_key = town_key = NULL;
}

static const char *const scope[] = {"general care"};

static libro_license_options
license_opts(const char *number, const char *type)
{
    libro_license_options opt = LIBRO_LICENSE_OPTIONS_INIT;

    opt.holder = "Ada Example";
    opt.number = number;
    opt.profession = "registered nurse";
    opt.license_type = type;
    opt.scope = scope;
    opt.n_scope = 1;
    opt.status_url_base = BASE;
    return opt;
}

/* Issue into `registry` (NULL: none), which must succeed. */
static void
issue(libro_issued *out, libro_issuer *is, libro_registry_client *registry,
      const libro_license_options *opt)
{
    libro_error err = LIBRO_ERROR_INIT;

    must(libro_issuer_issue_license(out, is, registry, opt, &err), &err, "issue");
    ck_assert_uint_gt(out->jws.len, 0);
    ck_assert_ptr_nonnull(out->license);
}

/* The credential the registry holds for `number`. */
static libro_credential *
registry_copy(const char *number, libro_license_record *rec)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *c = NULL;

    must(libro_registry_client_get(client, rec, number, &err), &err, "get");
    ck_assert_ptr_nonnull(rec->credential);
    must(libro_credential_parse_unverified(&c, rec->credential, strlen(rec->credential), &err),
         &err, "parse");
    return c;
}

/* ---- issue --------------------------------------------------------------------------------- */

START_TEST(test_issue_defaults)
{
    libro_issued res = LIBRO_ISSUED_INIT;
    libro_license_options opt = license_opts("T7-N-0001", NURSING);
    libro_license_record rec = {0};
    libro_credential *copy;
    char url[160];

    issue(&res, issuer, client, &opt);
    ck_assert(res.registered);
    ck_assert_uint_eq(res.version, 1);
    /* From now, for the registry type's 365 days: shorter than the grant's 1095. */
    ck_assert_int_ge(res.license->valid_from, now);
    ck_assert_int_le(res.license->valid_from, now + 60);
    ck_assert_int_eq(res.license->valid_until - res.license->valid_from, 365 * DAY);
    ck_assert_str_eq(res.license->issuer, BOARD);
    ck_assert_str_eq(res.license->community_id, COMMUNITY);
    ck_assert_int_eq(res.license->community_level, 2);
    /* The status entries are the reservation's. */
    ck_assert(res.license->has_status);
    ck_assert_uint_eq(res.license->status_index, res.status_index);
    ck_assert_int_gt(snprintf(url, sizeof url, BASE "/%u/revocation", (unsigned) res.status_list),
                     0);
    ck_assert_str_eq(res.license->status_revocation_list, url);
    ck_assert_int_gt(snprintf(url, sizeof url, BASE "/%u/suspension", (unsigned) res.status_list),
                     0);
    ck_assert_str_eq(res.license->status_suspension_list, url);
    /* What the registry holds is exactly what was signed, at the reserved place. */
    copy = registry_copy("T7-N-0001", &rec);
    ck_assert_str_eq(rec.credential, (const char *) res.jws.data);
    ck_assert_uint_eq(rec.status_list, res.status_list);
    ck_assert_uint_eq(rec.status_index, res.status_index);
    ck_assert_uint_eq(copy->status_index, res.status_index);
    libro_credential_free(copy);
    libro_license_record_clear(&rec);
    libro_issued_clear(&res);
}
END_TEST

START_TEST(test_issue_grant_shorter_than_type)
{
    libro_issued res = LIBRO_ISSUED_INIT;
    libro_license_options opt = license_opts("T7-F-0001", FIRST_AID);

    issue(&res, issuer, client, &opt);
    ck_assert_int_eq(res.license->valid_until - res.license->valid_from, 30 * DAY);
    libro_issued_clear(&res);
}
END_TEST

START_TEST(test_issue_without_registry)
{
    libro_issued res = LIBRO_ISSUED_INIT;
    libro_license_options opt = license_opts("T7-OFF-1", NURSING);

    opt.status_url_base = NULL;
    issue(&res, issuer, NULL, &opt);
    ck_assert(!res.registered);
    ck_assert(!res.license->has_status);
    /* No registry type: the grant's full 1095 days. */
    ck_assert_int_eq(res.license->valid_until - res.license->valid_from, 1095 * DAY);
    libro_issued_clear(&res);
}
END_TEST

/* Under an authorization that requires status entries from a registry, the issuer signs no
 * license without that registry's lists: none without a registry, none with another's. */
START_TEST(test_issue_registry_required)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_issued res = LIBRO_ISSUED_INIT;
    libro_license_options opt = license_opts("T7-REQ-1", NURSING);
    libro_registry *r = NULL;
    libro_registry_client *c = NULL;
    char *auth =
        auth_requiring(COMMUNITY, town_key, now + 3000 * DAY, "https://registry.town-7.example");
    libro_issuer *is = open_issuer(auth, charter_jws);

    must(libro_registry_open(&r, db_path, &err), &err, "open");
    must(libro_registry_authorize_issuer(r, NULL, auth, LIBRO_AUTHORIZE_ALLOW_UNRECORDED, "council",
                                         now, &err),
         &err, "authorize");
    libro_registry_close(r);
    must(libro_issuer_registry_open(&c, is, db_path, NULL, &err), &err, "client");

    opt.status_url_base = NULL;
    LIBRO_ASSERT_CODE(libro_issuer_issue_license(&res, is, NULL, &opt, &err), LIBRO_ERR_DENIED,
                      &err,
                      "the issuer's authorization requires status entries from "
                      "https://registry.town-7.example: issue the license with that registry");
    ck_assert_uint_eq(res.jws.len, 0);
    ck_assert_ptr_null(res.license);

    opt.status_url_base = "https://registry.town-8.example/v1/status";
    LIBRO_ASSERT_CODE(libro_issuer_issue_license(&res, is, c, &opt, &err), LIBRO_ERR_DENIED, &err,
                      "the issuer's authorization requires status entries from "
                      "https://registry.town-7.example; this license names "
                      "https://registry.town-8.example/v1/status/");
    ck_assert_uint_eq(res.jws.len, 0);
    ck_assert(!res.registered);

    opt.status_url_base = BASE;
    issue(&res, is, c, &opt);
    ck_assert(res.registered);
    ck_assert(strncmp(res.license->status_revocation_list, BASE "/", strlen(BASE) + 1) == 0);
    libro_issued_clear(&res);
    libro_registry_client_close(c);
    libro_issuer_free(is);
    libro_free(auth);
}
END_TEST

/* The registry's status policy (libro_registry_authorize_issuer): by default an authorization
 * must require this registry's entries; --allow-unrecorded also takes one requiring none,
 * never one requiring another registry's. A registry at http://127.0.0.1 with no port is
 * named by http://127.0.0.1:<port>. */
static const struct {
    const char *registry_url;    /* the RegistryAuthorization's url (NULL: none) */
    const char *status_registry; /* the IssuerAuthorization's statusRegistry (NULL: none) */
    unsigned flags;
    libro_code want;
    const char *msg;
} policies[] = {
    {"https://registry.town-7.example", NULL, 0, LIBRO_ERR_DENIED,
     "the issuer authorization requires no status entries (statusRegistry): a license signed "
     "with its key and never recorded would verify"},
    {"https://registry.town-7.example", NULL, LIBRO_AUTHORIZE_ALLOW_UNRECORDED, LIBRO_OK, NULL},
    {"https://registry.town-7.example", "https://registry.town-7.example", 0, LIBRO_OK, NULL},
    {"https://registry.town-7.example", "https://registry.town-7.example:8443", 0, LIBRO_ERR_DENIED,
     "not from this registry"},
    {NULL, NULL, 0, LIBRO_ERR_DENIED, "--allow-unrecorded"},
    {NULL, NULL, LIBRO_AUTHORIZE_ALLOW_UNRECORDED, LIBRO_OK, NULL},
    {NULL, "https://registry.town-8.example", 0, LIBRO_OK, NULL},
    {"http://127.0.0.1", "http://127.0.0.1:40123", 0, LIBRO_OK, NULL},
    {"http://127.0.0.1", "http://127.0.0.1", 0, LIBRO_OK, NULL},
    {"http://127.0.0.1", NULL, 0, LIBRO_ERR_DENIED, "requires no status entries"},
    {"http://127.0.0.1", "http://127.0.0.1:40123/r", 0, LIBRO_ERR_DENIED, "not from this registry"},
    {"http://127.0.0.1:40123", "http://127.0.0.1:40124", LIBRO_AUTHORIZE_ALLOW_UNRECORDED,
     LIBRO_ERR_DENIED, "not from this registry"},
};

START_TEST(test_authorize_policy)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;
    libro_credential *ra = new_cred(LIBRO_CRED_REGISTRY_AUTH, COMMUNITY, COMMUNITY ":registry",
                                    "Registry", now - 10 * DAY, now + 3000 * DAY);
    char *ra_jws;
    char *auth =
        auth_requiring(COMMUNITY, town_key, now + 3000 * DAY, policies[_i].status_registry);

    ra->subject_key = public_of(registry_key);
    ra->url = policies[_i].registry_url != NULL ? sdup(policies[_i].registry_url) : NULL;
    ra_jws = sign(ra, town_key);
    must(libro_registry_create(db2_path, charter_jws, ra_jws, &err), &err, "create");
    must(libro_registry_open(&r, db2_path, &err), &err, "open");
    if (policies[_i].want == LIBRO_OK) {
        must(libro_registry_authorize_issuer(r, NULL, auth, policies[_i].flags, "council", now,
                                             &err),
             &err, "authorize");
    } else {
        LIBRO_ASSERT_CODE(libro_registry_authorize_issuer(r, NULL, auth, policies[_i].flags,
                                                          "council", now, &err),
                          policies[_i].want, &err, policies[_i].msg);
    }
    libro_registry_close(r);
    libro_credential_free(ra);
    libro_free(ra_jws);
    libro_free(auth);
}
END_TEST

/* A registry that knows its URL records no authorization requiring another registry's
 * entries, and records one requiring its own. */
START_TEST(test_authorize_other_registry)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;
    libro_credential *ra = new_cred(LIBRO_CRED_REGISTRY_AUTH, COMMUNITY, COMMUNITY ":registry",
                                    "Registry", now - 10 * DAY, now + 3000 * DAY);
    char *ra_jws;
    char *other =
        auth_requiring(COMMUNITY, town_key, now + 3000 * DAY, "https://registry.town-8.example");
    char *own =
        auth_requiring(COMMUNITY, town_key, now + 3000 * DAY, "https://registry.town-7.example");

    ra->subject_key = public_of(registry_key);
    ra->url = sdup("https://registry.town-7.example/");
    ra_jws = sign(ra, town_key);
    must(libro_registry_create(db2_path, charter_jws, ra_jws, &err), &err, "create");
    must(libro_registry_open(&r, db2_path, &err), &err, "open");
    LIBRO_ASSERT_CODE(libro_registry_authorize_issuer(
                          r, NULL, other, LIBRO_AUTHORIZE_ALLOW_UNRECORDED, "council", now, &err),
                      LIBRO_ERR_DENIED, &err,
                      "issuer authorization requires status entries from "
                      "https://registry.town-8.example, not from this registry "
                      "(https://registry.town-7.example/)");
    must(libro_registry_authorize_issuer(r, NULL, own, LIBRO_AUTHORIZE_ALLOW_UNRECORDED, "council",
                                         now, &err),
         &err, "own");
    libro_registry_close(r);
    libro_credential_free(ra);
    libro_free(ra_jws);
    libro_free(other);
    libro_free(own);
}
END_TEST

START_TEST(test_issue_cut_at_authorization)
{
    libro_issued res = LIBRO_ISSUED_INIT;
    libro_license_options opt = license_opts("T7-N-0002", NURSING);
    char *short_auth = auth_of(COMMUNITY, town_key, now + 100 * DAY);
    libro_issuer *is = open_issuer(short_auth, charter_jws);

    issue(&res, is, client, &opt);
    ck_assert_int_eq(res.license->valid_until, now + 100 * DAY);
    libro_issued_clear(&res);
    libro_issuer_free(is);
    libro_free(short_auth);
}
END_TEST

START_TEST(test_issue_cut_at_charter)
{
    libro_issued res = LIBRO_ISSUED_INIT;
    libro_license_options opt = license_opts("T7-N-0003", NURSING);
    char *short_charter = charter_of(COMMUNITY, town_key, 2, now + 50 * DAY);
    libro_issuer *is = open_issuer(auth_jws, short_charter);

    issue(&res, is, client, &opt);
    ck_assert_int_eq(res.license->valid_until, now + 50 * DAY);
    libro_issued_clear(&res);
    libro_issuer_free(is);
    libro_free(short_charter);
}
END_TEST

/* Explicit validity is checked, never cut; each refusal leaves nothing to write. */
enum bad_issue {
    BI_LONGER_THAN_TYPE,
    BI_LONGER_THAN_GRANT,
    BI_PAST_AUTHORIZATION,
    BI_PAST_CHARTER,
    BI_UNTIL_AND_DAYS,
    BI_NOT_GRANTED,
    BI_TYPE_NOT_DEFINED,
    BI_NO_URL_BASE,
    BI_BAD_URL_BASE,
    BI_NUMBER_TAKEN,
};

static const struct {
    const char *name;
    enum bad_issue what;
    libro_code want;
    const char *msg;
} bad_issues[] = {
    {"longer than the type", BI_LONGER_THAN_TYPE, LIBRO_ERR_DENIED, "longer than the 365 days"},
    {"longer than the grant", BI_LONGER_THAN_GRANT, LIBRO_ERR_DENIED,
     "longer than the 30 validityDays"},
    {"past the authorization", BI_PAST_AUTHORIZATION, LIBRO_ERR_DENIED, "authorization"},
    {"past the charter", BI_PAST_CHARTER, LIBRO_ERR_DENIED, "ends after the community charter"},
    {"until and days", BI_UNTIL_AND_DAYS, LIBRO_ERR_INVALID_ARG, "exclude each other"},
    {"type not granted", BI_NOT_GRANTED, LIBRO_ERR_DENIED, "is not granted by the authorization"},
    {"type not in the registry", BI_TYPE_NOT_DEFINED, LIBRO_ERR_NOT_FOUND,
     "not defined in the registry"},
    {"no status URL base", BI_NO_URL_BASE, LIBRO_ERR_INVALID_ARG, "URL base"},
    {"status lists not on https", BI_BAD_URL_BASE, LIBRO_ERR_SCHEMA, NULL},
    {"number taken", BI_NUMBER_TAKEN, LIBRO_ERR_EXISTS, "already registered"},
};

START_TEST(test_issue_refused)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_issued res = LIBRO_ISSUED_INIT;
    libro_license_options opt = license_opts("T7-X-0001", NURSING);
    libro_issuer *is = issuer;
    libro_issuer *own = NULL;
    libro_registry_client *reg = client;
    libro_registry_client *other = NULL;
    char *text = NULL;
    libro_code rc;

    switch (bad_issues[_i].what) {
    case BI_LONGER_THAN_TYPE:
        opt.days = 400;
        break;
    case BI_LONGER_THAN_GRANT:
        opt.license_type = FIRST_AID;
        opt.days = 31;
        break;
    case BI_PAST_AUTHORIZATION:
        text = auth_of(COMMUNITY, town_key, now + 100 * DAY);
        is = own = open_issuer(text, charter_jws);
        opt.days = 101;
        break;
    case BI_PAST_CHARTER:
        text = charter_of(COMMUNITY, town_key, 2, now + 50 * DAY);
        is = own = open_issuer(auth_jws, text);
        opt.valid_until = now + 51 * DAY;
        break;
    case BI_UNTIL_AND_DAYS:
        opt.valid_until = now + 10 * DAY;
        opt.days = 10;
        break;
    case BI_NOT_GRANTED:
        opt.license_type = "midwifery";
        break;
    case BI_TYPE_NOT_DEFINED:
        /* Granted, but not defined in this registry: a second one, without types. */
        must(libro_registry_create(db2_path, charter_jws, reg_auth_jws, &err), &err, "create");
        must(libro_issuer_registry_open(&other, issuer, db2_path, NULL, &err), &err, "open");
        reg = other;
        break;
    case BI_NO_URL_BASE:
        opt.status_url_base = NULL;
        break;
    case BI_BAD_URL_BASE:
        opt.status_url_base = "http://registry.example/status";
        break;
    case BI_NUMBER_TAKEN:
        issue(&res, issuer, client, &opt);
        libro_issued_clear(&res);
        break;
    }
    rc = libro_issuer_issue_license(&res, is, reg, &opt, &err);
    LIBRO_ASSERT_CODE(rc, bad_issues[_i].want, &err, bad_issues[_i].msg);
    ck_assert_uint_eq(res.jws.len, 0);
    ck_assert_ptr_null(res.jws.data);
    ck_assert_ptr_null(res.license);
    ck_assert(!res.registered);
    libro_registry_client_close(other);
    libro_issuer_free(own);
    libro_free(text);
}
END_TEST

START_TEST(test_open_refused)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_issuer *is = NULL;
    libro_key *other_key = NULL;
    char *other_charter;

    /* Swapped: an authorization where the charter goes. */
    LIBRO_ASSERT_CODE(libro_issuer_open(&is, board_key, charter_jws, strlen(charter_jws), auth_jws,
                                        strlen(auth_jws), &err),
                      LIBRO_ERR_INVALID_ARG, &err, "want an IssuerAuthorization");
    ck_assert_ptr_null(is);
    /* The authorization was signed by another community than the charter's. */
    must(libro_key_generate(&other_key, LIBRO_ALG_ED25519, &err), &err, "key");
    other_charter = charter_of("urn:libro:town-8", other_key, 2, now + 3650 * DAY);
    LIBRO_ASSERT_CODE(libro_issuer_open(&is, board_key, auth_jws, strlen(auth_jws), other_charter,
                                        strlen(other_charter), &err),
                      LIBRO_ERR_DENIED, &err,
                      "issuer authorization for " BOARD " is issued by " COMMUNITY
                      ", not by urn:libro:town-8");
    ck_assert_ptr_null(is);
    LIBRO_ASSERT_CODE(
        libro_issuer_open(&is, board_key, "e30.e30", 7, charter_jws, strlen(charter_jws), &err),
        LIBRO_ERR_PARSE, &err, "authorization: ");
    LIBRO_ASSERT_CODE(libro_issuer_open_files(&is, board_key, "/nonexistent/auth.jws",
                                              "/nonexistent/charter.jws", &err),
                      LIBRO_ERR_NOT_FOUND, &err, "/nonexistent/auth.jws");
    ck_assert_ptr_null(is);
    libro_free(other_charter);
    libro_key_free(other_key);
}
END_TEST

/* A signing key other than the authorized one: checked before anything is reserved. */
START_TEST(test_issue_wrong_key)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_issued res = LIBRO_ISSUED_INIT;
    libro_license_options opt = license_opts("T7-N-0009", NURSING);
    libro_issuer *is = NULL;

    must(libro_issuer_open(&is, town_key, auth_jws, strlen(auth_jws), charter_jws,
                           strlen(charter_jws), &err),
         &err, "open");
    LIBRO_ASSERT_CODE(libro_issuer_issue_license(&res, is, NULL, &opt, &err), LIBRO_ERR_DENIED,
                      &err, "signing key is not the key the authorization names");
    ck_assert_ptr_null(res.license);
    libro_issuer_free(is);
}
END_TEST

/* ---- renew --------------------------------------------------------------------------------- */

START_TEST(test_renew)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_issued first = LIBRO_ISSUED_INIT;
    libro_issued next = LIBRO_ISSUED_INIT;
    libro_license_options opt = license_opts("T7-N-0100", NURSING);
    libro_renewal_options ren = LIBRO_RENEWAL_OPTIONS_INIT;
    libro_evidence low = {"cpd_hours", 40};
    libro_evidence enough = {"cpd_hours", 60};
    libro_license_record rec = {0};
    libro_credential *copy;

    issue(&first, issuer, client, &opt);
    ren.number = "T7-N-0100";
    ren.reason = "annual";
    /* The type's requirement decides; nothing is returned on a refusal. */
    LIBRO_ASSERT_CODE(libro_issuer_renew(&next, issuer, client, &ren, &err), LIBRO_ERR_DENIED, &err,
                      "requirement cpd_hours >= 60 not met (none recorded)");
    ck_assert_ptr_null(next.license);
    ren.evidence = &low;
    ren.n_evidence = 1;
    LIBRO_ASSERT_CODE(libro_issuer_renew(&next, issuer, client, &ren, &err), LIBRO_ERR_DENIED, &err,
                      "(40 recorded)");
    ren.evidence = &enough;
    must(libro_issuer_renew(&next, issuer, client, &ren, &err), &err, "renew");
    ck_assert(next.registered);
    ck_assert_uint_eq(next.version, 2);
    /* Same number, holder, type, scope and status entries; a new window from now. */
    ck_assert_str_eq(next.license->license_number, "T7-N-0100");
    ck_assert_str_eq(next.license->name, "Ada Example");
    ck_assert_str_eq(next.license->license_type, NURSING);
    ck_assert_uint_eq(next.license->n_scope, 1);
    ck_assert_str_eq(next.license->scope[0], "general care");
    ck_assert(next.license->has_status);
    ck_assert_uint_eq(next.license->status_index, first.license->status_index);
    ck_assert_str_eq(next.license->status_revocation_list, first.license->status_revocation_list);
    ck_assert_str_eq(next.license->status_suspension_list, first.license->status_suspension_list);
    /* Renewed early, it keeps its days left: the new term starts where the old one ends. */
    ck_assert_int_eq(next.license->valid_from, first.license->valid_until + 1);
    ck_assert_int_eq(next.license->valid_until - next.license->valid_from, 365 * DAY);
    copy = registry_copy("T7-N-0100", &rec);
    ck_assert_uint_eq(rec.version, 2);
    ck_assert_str_eq(rec.credential, (const char *) next.jws.data);
    libro_credential_free(copy);
    libro_license_record_clear(&rec);
    libro_issued_clear(&next);
    libro_issued_clear(&first);
}
END_TEST

/* A type that renews from the time of renewal: the days left are forfeited. */
START_TEST(test_renew_from_now)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_issued first = LIBRO_ISSUED_INIT;
    libro_issued next = LIBRO_ISSUED_INIT;
    libro_license_options opt = license_opts("T7-N-0101", FIRST_AID);
    libro_renewal_options ren = LIBRO_RENEWAL_OPTIONS_INIT;
    libro_license_type t = {0};
    libro_registry *r = NULL;
    int64_t before;

    must(libro_registry_open(&r, db_path, &err), &err, "open");
    must(libro_registry_get_type(r, &t, FIRST_AID, &err), &err, "get type");
    ck_assert_int_eq(t.renewal_from, LIBRO_RENEWAL_FROM_EXPIRY);
    t.renewal_window_days = 60;
    t.renewal_from = LIBRO_RENEWAL_FROM_NOW;
    must(libro_registry_define_type(r, NULL, &t, "council", &err), &err, "redefine");
    libro_license_type_clear(&t);
    must(libro_registry_get_type(r, &t, FIRST_AID, &err), &err, "get type again");
    ck_assert_int_eq(t.renewal_from, LIBRO_RENEWAL_FROM_NOW);
    libro_license_type_clear(&t);
    libro_registry_close(r);

    issue(&first, issuer, client, &opt);
    ren.number = "T7-N-0101";
    before = libro_time_now();
    must(libro_issuer_renew(&next, issuer, client, &ren, &err), &err, "renew");
    ck_assert_int_ge(next.license->valid_from, before);
    ck_assert_int_le(next.license->valid_from, libro_time_now());
    ck_assert_int_lt(next.license->valid_from, first.license->valid_until);
    ck_assert_int_eq(next.license->valid_until - next.license->valid_from, 30 * DAY); /* grant */
    libro_issued_clear(&next);
    libro_issued_clear(&first);
}
END_TEST

START_TEST(test_renew_refused)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_issued first = LIBRO_ISSUED_INIT;
    libro_issued next = LIBRO_ISSUED_INIT;
    libro_license_options opt = license_opts("T7-F-0100", FIRST_AID);
    libro_renewal_options ren = LIBRO_RENEWAL_OPTIONS_INIT;
    libro_key *other_key = NULL;
    char *other_charter;
    char *other_auth;
    libro_issuer *other;

    issue(&first, issuer, client, &opt);
    /* First aid opens for renewal one day before its end, 29 days from now. */
    ren.number = "T7-F-0100";
    LIBRO_ASSERT_CODE(libro_issuer_renew(&next, issuer, client, &ren, &err), LIBRO_ERR_DENIED, &err,
                      "renewal opens");
    ck_assert_ptr_null(next.license);
    ck_assert_uint_eq(next.jws.len, 0);
    ren.number = "T7-NOPE-1";
    LIBRO_ASSERT_CODE(libro_issuer_renew(&next, issuer, client, &ren, &err), LIBRO_ERR_NOT_FOUND,
                      &err, NULL);
    /* The community rule: another community's issuer does not renew it. */
    must(libro_key_generate(&other_key, LIBRO_ALG_ED25519, &err), &err, "key");
    other_charter = charter_of("urn:libro:town-8", other_key, 2, now + 3650 * DAY);
    other_auth = auth_of("urn:libro:town-8", other_key, now + 3000 * DAY);
    other = open_issuer(other_auth, other_charter);
    ren.number = "T7-F-0100";
    LIBRO_ASSERT_CODE(libro_issuer_renew(&next, other, client, &ren, &err), LIBRO_ERR_DENIED, &err,
                      "belongs to community urn:libro:town-7, not urn:libro:town-8");
    ck_assert_ptr_null(next.license);
    libro_issuer_free(other);
    libro_free(other_auth);
    libro_free(other_charter);
    libro_key_free(other_key);
    libro_issued_clear(&first);
}
END_TEST

/* ---- over HTTP ------------------------------------------------------------------------------ */

static libro_server *server;
static libro_registry_client *remote;
static char remote_url[64];
static uint16_t remote_port;
static char remote_lists[96]; /* its status lists: <url>/v1/status */

static void
serve(const char *base_url, uint16_t port)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_server_options opt = LIBRO_SERVER_OPTIONS_INIT;

    opt.db_path = db_path;
    opt.registry_key = registry_key;
    opt.base_url = base_url;
    opt.port = port;
    must(libro_server_start(&server, &opt, &err), &err, "serve");
}

/* The same registry served on loopback, and the issuer's client of it. A request's audience
 * is the registry's base URL, which names the port: an ephemeral port first, then the server
 * for good on it (as check_sync does). */
static void
setup_remote(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    uint16_t port;

    setup();
    serve("http://127.0.0.1", 0);
    port = libro_server_port(server);
    remote_port = port;
    libro_server_stop(server);
    ck_assert_int_gt(
        snprintf(remote_url, sizeof remote_url, "http://127.0.0.1:%u", (unsigned) port), 0);
    ck_assert_int_gt(snprintf(remote_lists, sizeof remote_lists, "%s/v1/status", remote_url), 0);
    serve(remote_url, port);
    must(libro_issuer_registry_open(&remote, issuer, remote_url, NULL, &err), &err,
         "remote client");
    ck_assert(libro_registry_client_remote(remote));
}

static void
teardown_remote(void)
{
    libro_registry_client_close(remote);
    remote = NULL;
    libro_server_stop(server);
    server = NULL;
    teardown();
}

/* Over HTTP the status entries are the URLs the registry's reservation names, all three: the
 * message entry too, so a surrender over HTTP reads SURRENDERED, not REVOKED. */
START_TEST(test_remote_issue_and_renew)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_issued res = LIBRO_ISSUED_INIT;
    libro_issued next = LIBRO_ISSUED_INIT;
    libro_license_options opt = license_opts("T7-N-0300", NURSING);
    libro_renewal_options ren = LIBRO_RENEWAL_OPTIONS_INIT;
    libro_evidence enough = {"cpd_hours", 60};
    libro_license_record rec = {0};
    char url[160];

    opt.status_url_base = NULL;
    issue(&res, issuer, remote, &opt);
    ck_assert(res.registered);
    ck_assert_uint_eq(res.license->status_index, res.status_index);
    ck_assert_int_gt(
        snprintf(url, sizeof url, "%s/%u/revocation", remote_lists, (unsigned) res.status_list), 0);
    ck_assert_str_eq(res.license->status_revocation_list, url);
    ck_assert_int_gt(
        snprintf(url, sizeof url, "%s/%u/suspension", remote_lists, (unsigned) res.status_list), 0);
    ck_assert_str_eq(res.license->status_suspension_list, url);
    ck_assert_int_gt(
        snprintf(url, sizeof url, "%s/%u/message", remote_lists, (unsigned) res.status_list), 0);
    ck_assert_ptr_nonnull(res.license->status_message_list);
    ck_assert_str_eq(res.license->status_message_list, url);
    must(libro_registry_client_get(remote, &rec, "T7-N-0300", &err), &err, "get");
    ck_assert_str_eq(rec.credential, (const char *) res.jws.data);
    ck_assert_uint_eq(rec.status_index, res.status_index);
    libro_license_record_clear(&rec);

    ren.number = "T7-N-0300";
    ren.evidence = &enough;
    ren.n_evidence = 1;
    must(libro_issuer_renew(&next, issuer, remote, &ren, &err), &err, "renew");
    ck_assert_uint_eq(next.version, 2);
    /* The type's rule came over HTTP (renewalFrom): an early renewal keeps its days. */
    ck_assert_int_eq(next.license->valid_from, res.license->valid_until + 1);
    ck_assert_uint_eq(next.license->status_index, res.status_index);
    ck_assert_str_eq(next.license->status_revocation_list, res.license->status_revocation_list);
    ck_assert_str_eq(next.license->status_message_list, res.license->status_message_list);
    libro_issued_clear(&next);
    libro_issued_clear(&res);
}
END_TEST

/* A status URL base given with a registry URL must be where the registry serves its lists. */
START_TEST(test_remote_other_url_base)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_issued res = LIBRO_ISSUED_INIT;
    libro_license_options opt = license_opts("T7-N-0301", NURSING);
    libro_license_record rec = {0};
    char want[160];

    ck_assert_int_gt(snprintf(want, sizeof want,
                              "the registry serves its lists at %s/0/revocation, not under",
                              remote_lists),
                     0);
    opt.status_url_base = "https://elsewhere.example/v1/status";
    LIBRO_ASSERT_CODE(libro_issuer_issue_license(&res, issuer, remote, &opt, &err),
                      LIBRO_ERR_DENIED, &err, want);
    ck_assert_ptr_null(res.license);
    ck_assert_uint_eq(res.jws.len, 0);
    LIBRO_ASSERT_CODE(libro_registry_client_get(remote, &rec, "T7-N-0301", &err),
                      LIBRO_ERR_NOT_FOUND, &err, NULL);
    /* The same base the registry uses is fine. */
    opt.status_url_base = remote_lists;
    issue(&res, issuer, remote, &opt);
    libro_issued_clear(&res);
}
END_TEST

/* While `flag` exists (tests/fault, linked in), the fault of `env` is on. */
static void
fault_flag(const char *env, const char *name, bool on)
{
    char flag[340];

    ck_assert_int_gt(snprintf(flag, sizeof flag, "%s/%s", dir, name), 0);
    if (on) {
        int fd = open(flag, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(close(fd), 0);
        ck_assert_int_eq(setenv(env, flag, 1), 0);
    } else {
        ck_assert_int_eq(unlink(flag), 0);
        ck_assert_int_eq(unsetenv(env), 0);
    }
}

/* The registry's storage refusals reach an issuer over HTTP as the codes a local registry
 * gives: a held lock (busy), a full disk, a failed fsync (I/O error, and every write after
 * it), a server serving reads only. */
START_TEST(test_remote_storage_errors)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_server_options so = LIBRO_SERVER_OPTIONS_INIT;
    libro_issued res = LIBRO_ISSUED_INIT;
    libro_license_options opt = license_opts("T7-N-0400", NURSING);
    libro_registry *holder = NULL;

    opt.status_url_base = NULL;
    must(libro_registry_open(&holder, db_path, &err), &err, "second handle");
    must(libro_registry__write_begin(holder, NULL, &err), &err, "hold the write lock");
    LIBRO_ASSERT_CODE(libro_issuer_issue_license(&res, issuer, remote, &opt, &err), LIBRO_ERR_BUSY,
                      &err, "registry: 503 busy: the registry is busy");
    holder->store.ops->rollback(holder->store.h);
    libro_registry_close(holder);
    libro_issued_clear(&res);

    if (!test_db_sqlite_only("a full disk and a failing fsync under the database file "
                             "(libro_fault)")) {
        fault_flag(LIBRO_FAULT_ENOSPC_ENV, "enospc.flag", true);
        LIBRO_ASSERT_CODE(libro_issuer_issue_license(&res, issuer, remote, &opt, &err),
                          LIBRO_ERR_FULL, &err, "registry: 507 storage_full: ");
        fault_flag(LIBRO_FAULT_ENOSPC_ENV, "enospc.flag", false);
        libro_issued_clear(&res);

        fault_flag(LIBRO_FAULT_FSYNC_ENV, "fsync.flag", true);
        LIBRO_ASSERT_CODE(libro_issuer_issue_license(&res, issuer, remote, &opt, &err),
                          LIBRO_ERR_IO, &err, "registry: 500 io_error: ");
        fault_flag(LIBRO_FAULT_FSYNC_ENV, "fsync.flag", false);
        libro_issued_clear(&res);
        LIBRO_ASSERT_CODE(libro_issuer_issue_license(&res, issuer, remote, &opt, &err),
                          LIBRO_ERR_IO, &err, "registry: 500 io_error: ");
        libro_issued_clear(&res);
    }

    /* Restarted read-only on purpose, on the same port. */
    libro_server_stop(server);
    server = NULL;
    so.db_path = db_path;
    so.registry_key = registry_key;
    so.base_url = remote_url;
    so.port = remote_port;
    so.read_only = true;
    must(libro_server_start(&server, &so, &err), &err, "serve read-only");
    LIBRO_ASSERT_CODE(libro_issuer_issue_license(&res, issuer, remote, &opt, &err),
                      LIBRO_ERR_READONLY, &err,
                      "registry: 503 read_only: the registry is serving reads only");
    libro_issued_clear(&res);
}
END_TEST

/* ---- QR ------------------------------------------------------------------------------------ */

START_TEST(test_qr)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_issued res = LIBRO_ISSUED_INIT;
    libro_license_options opt = license_opts("T7-N-0200", NURSING);
    libro_buf png = LIBRO_BUF_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf back = LIBRO_BUF_INIT;
    int version = 0;

    issue(&res, issuer, client, &opt);
    must(libro_issuer_qr(&png, &text, &version, (const char *) res.jws.data, res.jws.len, NULL,
                         &err),
         &err, "qr");
    ck_assert_int_ge(version, 1);
    ck_assert_int_le(version, 40);
    ck_assert_uint_gt(png.len, 8);
    ck_assert_mem_eq(png.data, "\x89PNG\r\n\x1a\n", 8);
    ck_assert_mem_eq(text.data, "LB2:", 4);
    must(libro_lb1_decode(&back, (const char *) text.data, text.len, &err), &err, "decode");
    ck_assert_uint_eq(back.len, res.jws.len);
    ck_assert_mem_eq(back.data, res.jws.data, res.jws.len);
    libro_buf_free(&back);
    libro_buf_free(&png);
    libro_buf_free(&text);
    LIBRO_ASSERT_CODE(libro_issuer_qr(&png, &text, NULL, "", 0, NULL, &err), LIBRO_ERR_PARSE, &err,
                      NULL);
    ck_assert_uint_eq(png.len, 0);
    ck_assert_uint_eq(text.len, 0);
    libro_issued_clear(&res);
}
END_TEST

/* ---- charters and authorizations ----------------------------------------------------------- */

static const char *const allow_nursing[] = {NURSING};
static const char *const allow_other[] = {"midwifery"};

START_TEST(test_issue_charter)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_charter_options opt = LIBRO_CHARTER_OPTIONS_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_credential *c = NULL;
    libro_key *child_key = NULL;

    /* A self charter: issuer = id, key = the signer's. */
    opt.id = "urn:libro:region-3";
    opt.name = "Region 3";
    opt.level = 4;
    opt.allowed = allow_nursing;
    opt.n_allowed = 1;
    opt.valid_from = now;
    opt.valid_until = now + 100 * DAY;
    must(libro_issuer_issue_charter(&jws, &c, town_key, &opt, &err), &err, "self charter");
    ck_assert_str_eq(c->issuer, "urn:libro:region-3");
    ck_assert(libro_key_equal_public(c->subject_key, town_key));
    libro_credential_free(c);
    c = NULL;
    libro_buf_free(&jws);

    /* A child of Town 7 (level 2): below its level, within its types, with its own key. */
    must(libro_key_generate(&child_key, LIBRO_ALG_ED25519, &err), &err, "key");
    opt.issuer = COMMUNITY;
    opt.id = "urn:libro:town-7:ward-1";
    opt.level = 1;
    opt.community_key = child_key;
    opt.parent_charter = charter_jws;
    opt.parent_charter_len = strlen(charter_jws);
    must(libro_issuer_issue_charter(&jws, &c, town_key, &opt, &err), &err, "child charter");
    ck_assert_str_eq(c->issuer, COMMUNITY);
    ck_assert(libro_key_equal_public(c->subject_key, child_key));
    libro_credential_free(c);
    c = NULL;
    libro_buf_free(&jws);

    /* Refusals: nothing is written. */
    opt.level = 2;
    LIBRO_ASSERT_CODE(libro_issuer_issue_charter(&jws, &c, town_key, &opt, &err), LIBRO_ERR_DENIED,
                      &err, "has level 2, not below the level 2 of the anchor");
    opt.level = 1;
    opt.allowed = allow_other;
    LIBRO_ASSERT_CODE(libro_issuer_issue_charter(&jws, &c, town_key, &opt, &err), LIBRO_ERR_DENIED,
                      &err, "allows midwifery, which the anchor urn:libro:town-7 does not");
    opt.allowed = allow_nursing;
    opt.valid_until = now + 4000 * DAY;
    LIBRO_ASSERT_CODE(libro_issuer_issue_charter(&jws, &c, town_key, &opt, &err), LIBRO_ERR_DENIED,
                      &err, NULL);
    opt.valid_until = now + 100 * DAY;
    LIBRO_ASSERT_CODE(libro_issuer_issue_charter(&jws, &c, board_key, &opt, &err), LIBRO_ERR_DENIED,
                      &err, NULL);
    opt.parent_charter = NULL;
    LIBRO_ASSERT_CODE(libro_issuer_issue_charter(&jws, &c, town_key, &opt, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "needs its parent's charter");
    opt.parent_charter = charter_jws;
    opt.community_key = NULL;
    LIBRO_ASSERT_CODE(libro_issuer_issue_charter(&jws, &c, town_key, &opt, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "needs the community's key");
    ck_assert_uint_eq(jws.len, 0);
    ck_assert_ptr_null(c);
    libro_key_free(child_key);
}
END_TEST

START_TEST(test_issue_authorization)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_authorization_options opt = LIBRO_AUTHORIZATION_OPTIONS_INIT;
    libro_license_grant grants[] = {{(char *) (uintptr_t) NURSING, 365}};
    libro_license_grant other[] = {{(char *) (uintptr_t) "midwifery", 365}};
    libro_buf jws = LIBRO_BUF_INIT;
    libro_credential *c = NULL;

    opt.charter = charter_jws;
    opt.charter_len = strlen(charter_jws);
    opt.id = "urn:libro:town-7:clinic";
    opt.name = "Clinic";
    opt.subject_key = board_key;
    opt.grants = grants;
    opt.n_grants = 1;
    opt.valid_from = now;
    opt.valid_until = now + 100 * DAY;
    must(libro_issuer_issue_authorization(&jws, &c, town_key, &opt, &err), &err, "authorization");
    ck_assert_str_eq(c->issuer, COMMUNITY);
    ck_assert_uint_eq(c->n_grants, 1);
    ck_assert_uint_eq(c->grants[0].validity_days, 365);
    libro_credential_free(c);
    c = NULL;
    libro_buf_free(&jws);

    opt.status_registry = "https://registry.town-7.example";
    must(libro_issuer_issue_authorization(&jws, &c, town_key, &opt, &err), &err, "required");
    ck_assert_str_eq(c->status_registry, "https://registry.town-7.example");
    libro_credential_free(c);
    c = NULL;
    libro_buf_free(&jws);
    opt.status_registry = "https://registry.town-7.example/";
    LIBRO_ASSERT_CODE(libro_issuer_issue_authorization(&jws, &c, town_key, &opt, &err),
                      LIBRO_ERR_SCHEMA, &err, "credentialSubject.statusRegistry: ends with '/'");

    opt.type = LIBRO_CRED_REGISTRY_AUTH;
    opt.url = "https://registry.town-7.example";
    LIBRO_ASSERT_CODE(libro_issuer_issue_authorization(&jws, &c, town_key, &opt, &err),
                      LIBRO_ERR_SCHEMA, &err,
                      "credentialSubject.statusRegistry: not a member of RegistryAuthorization");
    opt.status_registry = NULL;
    must(libro_issuer_issue_authorization(&jws, &c, town_key, &opt, &err), &err, "registry");
    ck_assert_str_eq(c->url, "https://registry.town-7.example");
    ck_assert_uint_eq(c->n_grants, 0);
    libro_credential_free(c);
    c = NULL;
    libro_buf_free(&jws);

    opt.type = LIBRO_CRED_ISSUER_AUTH;
    opt.grants = other;
    LIBRO_ASSERT_CODE(libro_issuer_issue_authorization(&jws, &c, town_key, &opt, &err),
                      LIBRO_ERR_DENIED, &err,
                      "grants midwifery, which the anchor urn:libro:town-7 does not allow");
    opt.grants = grants;
    LIBRO_ASSERT_CODE(libro_issuer_issue_authorization(&jws, &c, board_key, &opt, &err),
                      LIBRO_ERR_DENIED, &err, NULL);
    opt.charter = auth_jws;
    opt.charter_len = strlen(auth_jws);
    LIBRO_ASSERT_CODE(libro_issuer_issue_authorization(&jws, &c, town_key, &opt, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "want a CommunityCharter");
    opt.charter = charter_jws;
    opt.charter_len = strlen(charter_jws);
    opt.type = LIBRO_CRED_LICENSE;
    LIBRO_ASSERT_CODE(libro_issuer_issue_authorization(&jws, &c, town_key, &opt, &err),
                      LIBRO_ERR_INVALID_ARG, &err, NULL);
    ck_assert_uint_eq(jws.len, 0);
    ck_assert_ptr_null(c);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("issuer_workflow");
    TCase *lic = tcase_create("license");
    TCase *ren = tcase_create("renew");
    TCase *cred = tcase_create("charter_authorization");
    TCase *http = tcase_create("http");

    tcase_add_checked_fixture(lic, setup, teardown);
    tcase_add_test(lic, test_issue_defaults);
    tcase_add_test(lic, test_issue_grant_shorter_than_type);
    tcase_add_test(lic, test_issue_without_registry);
    tcase_add_test(lic, test_issue_registry_required);
    tcase_add_test(lic, test_authorize_other_registry);
    tcase_add_loop_test(lic, test_authorize_policy, 0, (int) LIBRO_NELEM(policies));
    tcase_add_test(lic, test_issue_cut_at_authorization);
    tcase_add_test(lic, test_issue_cut_at_charter);
    tcase_add_loop_test(lic, test_issue_refused, 0, (int) LIBRO_NELEM(bad_issues));
    tcase_add_test(lic, test_open_refused);
    tcase_add_test(lic, test_issue_wrong_key);
    tcase_add_test(lic, test_qr);
    suite_add_tcase(s, lic);
    tcase_add_checked_fixture(ren, setup, teardown);
    tcase_add_test(ren, test_renew);
    tcase_add_test(ren, test_renew_refused);
    tcase_add_test(ren, test_renew_from_now);
    suite_add_tcase(s, ren);
    tcase_add_checked_fixture(cred, setup, teardown);
    tcase_add_test(cred, test_issue_charter);
    tcase_add_test(cred, test_issue_authorization);
    suite_add_tcase(s, cred);
    tcase_add_checked_fixture(http, setup_remote, teardown_remote);
    tcase_set_timeout(http, 60); /* a held lock is refused after the 5 s wait */
    tcase_add_test(http, test_remote_issue_and_renew);
    tcase_add_test(http, test_remote_other_url_base);
    tcase_add_test(http, test_remote_storage_errors);
    suite_add_tcase(s, http);
    return s;
}
