/* libro_issuer_registry_init: a community's registry from whatever of its keys, charter and
 * registry authorization exist, the rest created (keys 0600, never overwriting anything), and
 * its refusals, each before any file is written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libro/file.h"
#include "libro/issuer.h"
#include "libro/key.h"
#include "libro/registry.h"
#include "libro/util.h"
#include "test_db.h"
#include "test_util.h"

#define COMMUNITY "urn:libro:town-9"
#define NOW INT64_C(1800000000) /* 2027-01-15 */
#define DAY INT64_C(86400)

static char dir[256];
static char *db; /* test_db_new: a file, or a PostgreSQL schema */
static char charter[300];
static char auth[300];
static char ck[300]; /* the community key */
static char rk[300]; /* the registry key */
static char other[300];
static const char *const allowed[] = {"nursing-general"};

static void
path_in(char *out, size_t size, const char *name)
{
    ck_assert_int_lt(snprintf(out, size, "%s/%s", dir, name), (int) size);
}

static void
setup(void)
{
    const char *tmp = getenv("TMPDIR");

    ck_assert_int_gt(snprintf(dir, sizeof dir, "%s/libro-reginit-XXXXXX",
                              tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp"),
                     0);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    db = test_db_new(dir, "town.db");
    path_in(charter, sizeof charter, "charter.jws");
    path_in(auth, sizeof auth, "auth.jws");
    path_in(ck, sizeof ck, "town.pem");
    path_in(rk, sizeof rk, "registry.pem");
    path_in(other, sizeof other, "other.pem");
}

static void
teardown(void)
{
    static const char *const names[] = {"charter.jws", "auth.jws", "town.pem", "registry.pem",
                                        "other.pem"};
    char name[300];
    size_t i;

    test_db_remove(db);
    free(db);
    db = NULL;

    for (i = 0; i < LIBRO_NELEM(names); i++) {
        path_in(name, sizeof name, names[i]);
        (void) unlink(name);
    }
    ck_assert_int_eq(rmdir(dir), 0); /* nothing else was left behind */
}

/* Every option given: whatever is missing can be created. */
static libro_registry_init_options
full_options(void)
{
    libro_registry_init_options opt = LIBRO_REGISTRY_INIT_OPTIONS_INIT;

    opt.db_path = db;
    opt.charter_path = charter;
    opt.authorization_path = auth;
    opt.community_key_path = ck;
    opt.registry_key_path = rk;
    opt.id = COMMUNITY;
    opt.name = "Town 9";
    opt.level = 2;
    opt.allowed = allowed;
    opt.n_allowed = LIBRO_NELEM(allowed);
    opt.registry_id = COMMUNITY ":registry";
    opt.registry_name = "Town 9 Registry";
    opt.url = "https://registry.town-9.example";
    opt.now = NOW;
    return opt;
}

static bool
exists(const char *path)
{
    struct stat st;

    return lstat(path, &st) == 0;
}

static unsigned
mode_of(const char *path)
{
    struct stat st;

    ck_assert_int_eq(lstat(path, &st), 0);
    return (unsigned) st.st_mode & 0777u;
}

static libro_key *
load(const char *path, const char *pass)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = NULL;

    must(libro_key_load_file(&k, path, pass, pass == NULL ? 0 : strlen(pass), &err), &err, path);
    return k;
}

static void
new_key(const char *path, const char *pass)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = NULL;

    must(libro_key_generate(&k, LIBRO_ALG_ED25519, &err), &err, "generate");
    must(libro_key_save_pem(k, path, pass, pass == NULL ? 0 : strlen(pass), &err), &err, path);
    libro_key_free(k);
}

/* A public key file of a new key; its private half is dropped. */
static void
new_public_key(const char *path)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf pem = LIBRO_BUF_INIT;
    libro_key *k = NULL;

    must(libro_key_generate(&k, LIBRO_ALG_ED25519, &err), &err, "generate");
    must(libro_key_public_pem(&pem, k, &err), &err, "public pem");
    must(libro_file_write_new(path, pem.data, pem.len, 0644, &err), &err, path);
    libro_buf_free(&pem);
    libro_key_free(k);
}

/* The charter (and, with `with_auth`, the authorization) made by an earlier init whose
 * database is then removed: credentials as a community would hold them. */
static void
existing_credentials(bool with_auth)
{
    libro_registry_init_options opt = full_options();
    libro_registry_init_result res = LIBRO_REGISTRY_INIT_RESULT_INIT;
    libro_error err = LIBRO_ERROR_INIT;

    opt.now = 0; /* the clock, as the init under test uses */
    must(libro_issuer_registry_init(&res, &opt, &err), &err, "earlier init");
    libro_registry_init_result_clear(&res);
    test_db_reset(db);
    if (!with_auth) {
        ck_assert_int_eq(unlink(auth), 0);
    }
}

static void
read_file(libro_buf *out, const char *path)
{
    libro_error err = LIBRO_ERROR_INIT;

    must(libro_file_read(out, path, 1u << 20, true, &err), &err, path);
}

static void
assert_same_file(const char *path, const libro_buf *before)
{
    libro_buf now = LIBRO_BUF_INIT;

    read_file(&now, path);
    ck_assert_msg(now.len == before->len && memcmp(now.data, before->data, now.len) == 0,
                  "%s was rewritten", path);
    libro_buf_free(&now);
}

/* ---- what exists, what is created --------------------------------------------------------- */

enum { HAVE_CK = 1, HAVE_RK = 2, HAVE_CHARTER = 4, HAVE_AUTH = 8, RK_PUBLIC = 16, NO_KEYS = 32 };

static const struct {
    const char *name;
    unsigned have;
    unsigned created;
} combos[] = {
    {"nothing", 0,
     LIBRO_REGISTRY_INIT_COMMUNITY_KEY | LIBRO_REGISTRY_INIT_REGISTRY_KEY |
         LIBRO_REGISTRY_INIT_CHARTER | LIBRO_REGISTRY_INIT_AUTHORIZATION},
    {"community key", HAVE_CK,
     LIBRO_REGISTRY_INIT_REGISTRY_KEY | LIBRO_REGISTRY_INIT_CHARTER |
         LIBRO_REGISTRY_INIT_AUTHORIZATION},
    {"both keys", HAVE_CK | HAVE_RK,
     LIBRO_REGISTRY_INIT_CHARTER | LIBRO_REGISTRY_INIT_AUTHORIZATION},
    {"registry public key", HAVE_CK | RK_PUBLIC,
     LIBRO_REGISTRY_INIT_CHARTER | LIBRO_REGISTRY_INIT_AUTHORIZATION},
    {"charter and its key", HAVE_CK | HAVE_CHARTER,
     LIBRO_REGISTRY_INIT_REGISTRY_KEY | LIBRO_REGISTRY_INIT_AUTHORIZATION},
    {"charter and both keys", HAVE_CK | HAVE_RK | HAVE_CHARTER, LIBRO_REGISTRY_INIT_AUTHORIZATION},
    {"authorization and the community key", HAVE_CK | HAVE_RK | HAVE_AUTH,
     LIBRO_REGISTRY_INIT_CHARTER},
    {"both credentials", HAVE_CK | HAVE_RK | HAVE_CHARTER | HAVE_AUTH, 0},
    {"both credentials, no key options", HAVE_CK | HAVE_RK | HAVE_CHARTER | HAVE_AUTH | NO_KEYS, 0},
};

START_TEST(test_creates_what_is_missing)
{
    libro_registry_init_options opt = full_options();
    libro_registry_init_result res = LIBRO_REGISTRY_INIT_RESULT_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf before[4] = {LIBRO_BUF_INIT, LIBRO_BUF_INIT, LIBRO_BUF_INIT, LIBRO_BUF_INIT};
    const char *const paths[4] = {ck, rk, charter, auth};
    const unsigned bits[4] = {LIBRO_REGISTRY_INIT_COMMUNITY_KEY, LIBRO_REGISTRY_INIT_REGISTRY_KEY,
                              LIBRO_REGISTRY_INIT_CHARTER, LIBRO_REGISTRY_INIT_AUTHORIZATION};
    unsigned have = combos[_i].have;
    libro_registry *r = NULL;
    libro_key *k = NULL;
    size_t i;

    if ((have & (HAVE_CHARTER | HAVE_AUTH)) != 0) {
        existing_credentials((have & HAVE_AUTH) != 0);
        if ((have & HAVE_CHARTER) == 0) {
            ck_assert_int_eq(unlink(charter), 0);
        }
        if ((have & HAVE_RK) == 0) {
            ck_assert_int_eq(unlink(rk), 0);
        }
    } else {
        if ((have & HAVE_CK) != 0) {
            new_key(ck, NULL);
        }
        if ((have & HAVE_RK) != 0) {
            new_key(rk, NULL);
        }
        if ((have & RK_PUBLIC) != 0) {
            new_public_key(rk);
        }
    }
    for (i = 0; i < 4; i++) {
        if (exists(paths[i])) {
            read_file(&before[i], paths[i]);
        }
    }
    if ((have & NO_KEYS) != 0) {
        opt.community_key_path = NULL;
        opt.registry_key_path = NULL;
    }
    opt.now = 0;
    LIBRO_ASSERT_CODE(libro_issuer_registry_init(&res, &opt, &err), LIBRO_OK, &err, NULL);
    ck_assert_msg(res.created == combos[_i].created, "%s: created %#x", combos[_i].name,
                  res.created);
    ck_assert_uint_eq(res.needs, 0);
    for (i = 0; i < 4; i++) {
        if ((res.created & bits[i]) == 0) {
            assert_same_file(paths[i], &before[i]); /* an existing file is used as it is */
        } else if (i < 2) {
            ck_assert_uint_eq(mode_of(paths[i]), 0600);
        }
    }
    if (!test_db_is_pg()) {
        ck_assert_uint_eq(mode_of(db), 0600);
    }
    ck_assert_str_eq(res.charter->subject_id, COMMUNITY);
    ck_assert_str_eq(res.authorization->subject_id, COMMUNITY ":registry");
    ck_assert_str_eq(res.authorization->issuer, COMMUNITY);
    ck_assert_str_eq(res.authorization->url, "https://registry.town-9.example");
    ck_assert(res.authorization->valid_until <= res.charter->valid_until);
    k = load(ck, NULL);
    ck_assert(libro_key_equal_public(res.charter->subject_key, k));
    libro_key_free(k);
    k = load(rk, NULL);
    ck_assert(libro_key_equal_public(res.authorization->subject_key, k));
    libro_key_free(k);
    must(libro_registry_open(&r, db, &err), &err, "open the new registry");
    libro_registry_close(r);
    libro_registry_init_result_clear(&res);
    ck_assert_ptr_null(res.charter);
    for (i = 0; i < 4; i++) {
        libro_buf_free(&before[i]);
    }
}
END_TEST

/* What a created charter and authorization say, and how long they run. */
/* A charter created beside an existing registry authorization starts when the authorization
 * does, when that is earlier: an authorization made (by the same community key) a second
 * before the init that makes the charter is not refused for starting outside it. */
START_TEST(test_charter_holds_existing_authorization)
{
    libro_registry_init_options opt = full_options();
    libro_registry_init_result res = LIBRO_REGISTRY_INIT_RESULT_INIT;
    libro_error err = LIBRO_ERROR_INIT;

    must(libro_issuer_registry_init(&res, &opt, &err), &err, "earlier init");
    libro_registry_init_result_clear(&res);
    test_db_reset(db);
    ck_assert_int_eq(unlink(charter), 0);
    opt.now = NOW + 1;
    must(libro_issuer_registry_init(&res, &opt, &err), &err, "init a second later");
    ck_assert_uint_eq(res.created, LIBRO_REGISTRY_INIT_CHARTER);
    ck_assert_int_eq(res.charter->valid_from, NOW);
    ck_assert_int_eq(res.authorization->valid_from, NOW);
    libro_registry_init_result_clear(&res);
}
END_TEST

START_TEST(test_created_credentials)
{
    libro_registry_init_options opt = full_options();
    libro_registry_init_result res = LIBRO_REGISTRY_INIT_RESULT_INIT;
    libro_error err = LIBRO_ERROR_INIT;

    opt.level_name = "town";
    must(libro_issuer_registry_init(&res, &opt, &err), &err, "init");
    ck_assert_int_eq(res.charter->type, LIBRO_CRED_CHARTER);
    ck_assert_str_eq(res.charter->issuer, COMMUNITY); /* self-chartered */
    ck_assert_str_eq(res.charter->name, "Town 9");
    ck_assert_int_eq(res.charter->level, 2);
    ck_assert_str_eq(res.charter->level_name, "town");
    ck_assert_uint_eq(res.charter->n_allowed, 1);
    ck_assert_str_eq(res.charter->allowed_types[0], "nursing-general");
    ck_assert_int_eq(res.charter->valid_from, NOW);
    ck_assert_int_eq(res.charter->valid_until, NOW + 3650 * DAY);
    ck_assert_int_eq(res.authorization->type, LIBRO_CRED_REGISTRY_AUTH);
    ck_assert_str_eq(res.authorization->name, "Town 9 Registry");
    ck_assert_int_eq(res.authorization->valid_from, NOW);
    ck_assert_int_eq(res.authorization->valid_until, NOW + 1825 * DAY);
    ck_assert_uint_eq(mode_of(charter), 0644);
    ck_assert_uint_eq(mode_of(auth), 0644);
    libro_registry_init_result_clear(&res);
}
END_TEST

/* --days sets both; the authorization is cut at the end of an existing charter. */
START_TEST(test_days_and_cut)
{
    libro_registry_init_options opt = full_options();
    libro_registry_init_result res = LIBRO_REGISTRY_INIT_RESULT_INIT;
    libro_error err = LIBRO_ERROR_INIT;

    opt.days = 30;
    must(libro_issuer_registry_init(&res, &opt, &err), &err, "init");
    ck_assert_int_eq(res.charter->valid_until, NOW + 30 * DAY);
    ck_assert_int_eq(res.authorization->valid_until, NOW + 30 * DAY);
    libro_registry_init_result_clear(&res);
    test_db_reset(db);
    ck_assert_int_eq(unlink(auth), 0);
    opt.days = 0;
    opt.now = NOW + DAY; /* the charter (30 days from NOW) ends first */
    must(libro_issuer_registry_init(&res, &opt, &err), &err, "init again");
    ck_assert_uint_eq(res.created, LIBRO_REGISTRY_INIT_AUTHORIZATION);
    ck_assert_int_eq(res.authorization->valid_from, NOW + DAY);
    ck_assert_int_eq(res.authorization->valid_until, NOW + 30 * DAY);
    libro_registry_init_result_clear(&res);
}
END_TEST

/* A passphrase encrypts a created community key and opens an existing one. */
START_TEST(test_passphrase)
{
    libro_registry_init_options opt = full_options();
    libro_registry_init_result res = LIBRO_REGISTRY_INIT_RESULT_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = NULL;

    opt.passphrase = "correct horse";
    opt.passphrase_len = strlen(opt.passphrase);
    must(libro_issuer_registry_init(&res, &opt, &err), &err, "init");
    libro_registry_init_result_clear(&res);
    LIBRO_ASSERT_CODE(libro_key_load_file(&k, ck, NULL, 0, &err), LIBRO_ERR_PASSPHRASE, &err, NULL);
    k = load(ck, "correct horse");
    libro_key_free(k);
    k = load(rk, NULL); /* the registry key is not encrypted with it */
    libro_key_free(k);

    /* Again with the key existing: without or with a wrong passphrase nothing is written. */
    test_db_reset(db);
    ck_assert_int_eq(unlink(auth), 0);
    ck_assert_int_eq(unlink(rk), 0);
    opt.passphrase = NULL;
    opt.passphrase_len = 0;
    LIBRO_ASSERT_CODE(libro_issuer_registry_init(&res, &opt, &err), LIBRO_ERR_PASSPHRASE, &err,
                      "community key");
    ck_assert_uint_eq(res.created, 0);
    opt.passphrase = "wrong";
    opt.passphrase_len = 5;
    LIBRO_ASSERT_CODE(libro_issuer_registry_init(&res, &opt, &err), LIBRO_ERR_PASSPHRASE, &err,
                      "community key");
    ck_assert(!exists(rk) && !exists(auth) && !test_db_exists(db));
    opt.passphrase = "correct horse";
    opt.passphrase_len = strlen(opt.passphrase);
    must(libro_issuer_registry_init(&res, &opt, &err), &err, "init with the passphrase");
    ck_assert_uint_eq(res.created,
                      LIBRO_REGISTRY_INIT_REGISTRY_KEY | LIBRO_REGISTRY_INIT_AUTHORIZATION);
    libro_registry_init_result_clear(&res);
}
END_TEST

/* ---- refusals ------------------------------------------------------------------------------ */

static void
assert_nothing_created(const libro_registry_init_result *res)
{
    ck_assert_uint_eq(res->created, 0);
    ck_assert(!test_db_exists(db));
    ck_assert(!exists(charter));
    ck_assert(!exists(auth));
    ck_assert(!exists(ck));
    ck_assert(!exists(rk));
}

START_TEST(test_existing_database)
{
    libro_registry_init_options opt = full_options();
    libro_registry_init_result res = LIBRO_REGISTRY_INIT_RESULT_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf before = LIBRO_BUF_INIT;
    /* On PostgreSQL, what the registry was made of: its meta rows (charter, authorization). */
    const char *meta = "SELECT hashtext(string_agg(key || '=' || value, ',' ORDER BY key)) "
                       "FROM meta";
    int64_t meta_before = 0;

    must(libro_issuer_registry_init(&res, &opt, &err), &err, "init");
    libro_registry_init_result_clear(&res);
    if (test_db_is_pg()) {
        meta_before = test_db_int(db, meta);
    } else {
        read_file(&before, db);
    }
    LIBRO_ASSERT_CODE(libro_issuer_registry_init(&res, &opt, &err), LIBRO_ERR_EXISTS, &err,
                      "exists: a registry is never overwritten");
    ck_assert_uint_eq(res.created, 0);
    if (test_db_is_pg()) {
        ck_assert_int_eq(test_db_int(db, meta), meta_before);
    } else {
        assert_same_file(db, &before);
    }
    libro_buf_free(&before);
}
END_TEST

/* What is missing, named: each row leaves out some options, nothing existing. */
static const struct {
    const char *name;
    unsigned leave_out;
    const char *msg; /* after "<dir>/" */
} missing[] = {
    {"the community key", LIBRO_REGISTRY_INIT_COMMUNITY_KEY,
     "charter.jws does not exist: creating the charter needs community_key_path"},
    {"id and level", LIBRO_REGISTRY_INIT_ID | LIBRO_REGISTRY_INIT_LEVEL,
     "charter.jws does not exist: creating the charter needs id and level"},
    {"name and allowed", LIBRO_REGISTRY_INIT_NAME | LIBRO_REGISTRY_INIT_ALLOWED,
     "charter.jws does not exist: creating the charter needs name and allowed"},
    {"the url", LIBRO_REGISTRY_INIT_URL,
     "auth.jws does not exist: creating the authorization needs url"},
    {"the registry's key, id and name",
     LIBRO_REGISTRY_INIT_REGISTRY_KEY | LIBRO_REGISTRY_INIT_REGISTRY_ID |
         LIBRO_REGISTRY_INIT_REGISTRY_NAME,
     "auth.jws does not exist: creating the authorization needs registry_key_path, registry_id "
     "and registry_name"},
    {"one of each", LIBRO_REGISTRY_INIT_ALLOWED | LIBRO_REGISTRY_INIT_URL,
     "charter.jws does not exist: creating the charter needs allowed; "},
};

static void
leave_out(libro_registry_init_options *opt, unsigned parts)
{
    if ((parts & LIBRO_REGISTRY_INIT_COMMUNITY_KEY) != 0) {
        opt->community_key_path = NULL;
    }
    if ((parts & LIBRO_REGISTRY_INIT_REGISTRY_KEY) != 0) {
        opt->registry_key_path = NULL;
    }
    if ((parts & LIBRO_REGISTRY_INIT_ID) != 0) {
        opt->id = NULL;
    }
    if ((parts & LIBRO_REGISTRY_INIT_NAME) != 0) {
        opt->name = NULL;
    }
    if ((parts & LIBRO_REGISTRY_INIT_LEVEL) != 0) {
        opt->level = -1;
    }
    if ((parts & LIBRO_REGISTRY_INIT_ALLOWED) != 0) {
        opt->allowed = NULL;
        opt->n_allowed = 0;
    }
    if ((parts & LIBRO_REGISTRY_INIT_REGISTRY_ID) != 0) {
        opt->registry_id = NULL;
    }
    if ((parts & LIBRO_REGISTRY_INIT_REGISTRY_NAME) != 0) {
        opt->registry_name = NULL;
    }
    if ((parts & LIBRO_REGISTRY_INIT_URL) != 0) {
        opt->url = NULL;
    }
}

START_TEST(test_missing_named)
{
    libro_registry_init_options opt = full_options();
    libro_registry_init_result res = LIBRO_REGISTRY_INIT_RESULT_INIT;
    libro_error err = LIBRO_ERROR_INIT;

    leave_out(&opt, missing[_i].leave_out);
    LIBRO_ASSERT_CODE(libro_issuer_registry_init(&res, &opt, &err), LIBRO_ERR_INVALID_ARG, &err,
                      missing[_i].msg);
    ck_assert_msg(strncmp(err.msg, dir, strlen(dir)) == 0, "%s: %s", missing[_i].name, err.msg);
    ck_assert_uint_eq(res.needs, missing[_i].leave_out);
    assert_nothing_created(&res);
}
END_TEST

/* With the charter there, only the authorization's needs count, the community key with them. */
START_TEST(test_missing_with_charter)
{
    libro_registry_init_options opt = full_options();
    libro_registry_init_result res = LIBRO_REGISTRY_INIT_RESULT_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    char want[400];

    existing_credentials(false);
    opt.community_key_path = NULL;
    opt.url = NULL;
    opt.id = NULL; /* not needed: the charter exists */
    LIBRO_ASSERT_CODE(libro_issuer_registry_init(&res, &opt, &err), LIBRO_ERR_INVALID_ARG, &err,
                      NULL);
    ck_assert_uint_eq(res.needs, LIBRO_REGISTRY_INIT_COMMUNITY_KEY | LIBRO_REGISTRY_INIT_URL);
    ck_assert_int_gt(snprintf(want, sizeof want,
                              "%s does not exist: creating the authorization needs "
                              "community_key_path and url",
                              auth),
                     0);
    ck_assert_str_eq(err.msg, want);
    ck_assert(!exists(auth) && !test_db_exists(db));
}
END_TEST

/* The whole text in a caller's names (the CLI's options), both files at once. */
START_TEST(test_needs_text)
{
    static const char *const names[LIBRO_REGISTRY_INIT_PARTS] = {
        "--community-key", "--registry-key", "--charter",     "--authorization", "--id",  "--name",
        "--level",         "--allow",        "--registry-id", "--registry-name", "--url",
    };
    libro_registry_init_options opt = full_options();
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    char want[1024];

    must(libro_registry_init_needs_text(
             &text, &opt,
             LIBRO_REGISTRY_INIT_COMMUNITY_KEY | LIBRO_REGISTRY_INIT_LEVEL |
                 LIBRO_REGISTRY_INIT_ALLOWED | LIBRO_REGISTRY_INIT_REGISTRY_KEY |
                 LIBRO_REGISTRY_INIT_URL,
             names, &err),
         &err, "needs text");
    ck_assert_int_gt(snprintf(want, sizeof want,
                              "%s does not exist: creating the charter needs --community-key, "
                              "--level and --allow; %s does not exist: creating the "
                              "authorization needs --registry-key and --url",
                              charter, auth),
                     0);
    ck_assert_str_eq((const char *) text.data, want);
    libro_buf_free(&text);
    LIBRO_ASSERT_CODE(libro_registry_init_needs_text(NULL, &opt, 1, names, &err),
                      LIBRO_ERR_INVALID_ARG, &err, "NULL argument");
}
END_TEST

/* An existing charter must name the community key, which must then exist. */
START_TEST(test_charter_names_another_key)
{
    libro_registry_init_options opt = full_options();
    libro_registry_init_result res = LIBRO_REGISTRY_INIT_RESULT_INIT;
    libro_error err = LIBRO_ERROR_INIT;

    existing_credentials(false);
    new_key(other, NULL);
    opt.community_key_path = other;
    LIBRO_ASSERT_CODE(libro_issuer_registry_init(&res, &opt, &err), LIBRO_ERR_DENIED, &err,
                      "names another key than the community key");
    ck_assert(!exists(auth) && !test_db_exists(db));
    ck_assert_int_eq(unlink(other), 0);
    LIBRO_ASSERT_CODE(libro_issuer_registry_init(&res, &opt, &err), LIBRO_ERR_DENIED, &err,
                      "other.pem does not exist");
    ck_assert(!exists(other)); /* a new key could not sign under that charter */
    ck_assert(!exists(auth) && !test_db_exists(db));
}
END_TEST

/* An existing authorization of another community: refused before the charter is written. */
START_TEST(test_authorization_of_another_community)
{
    libro_registry_init_options opt = full_options();
    libro_registry_init_result res = LIBRO_REGISTRY_INIT_RESULT_INIT;
    libro_error err = LIBRO_ERROR_INIT;

    opt.id = "urn:libro:town-8";
    opt.registry_id = "urn:libro:town-8:registry";
    opt.now = 0;
    must(libro_issuer_registry_init(&res, &opt, &err), &err, "town 8");
    libro_registry_init_result_clear(&res);
    test_db_reset(db);
    ck_assert_int_eq(unlink(charter), 0);
    opt = full_options(); /* town 9, with town 8's authorization */
    LIBRO_ASSERT_CODE(libro_issuer_registry_init(&res, &opt, &err), LIBRO_ERR_DENIED, &err,
                      "auth.jws is issued by urn:libro:town-8, not the chartered community "
                      "urn:libro:town-9");
    ck_assert_uint_eq(res.created, 0);
    ck_assert_ptr_null(res.charter);
    ck_assert(!exists(charter) && !test_db_exists(db));
}
END_TEST

/* A database that cannot be created (its directory is missing; on PostgreSQL its schema)
 * fails after the keys and credentials were written: the result says so and holds what they
 * are. */
START_TEST(test_failure_after_writing)
{
    libro_registry_init_options opt = full_options();
    libro_registry_init_result res = LIBRO_REGISTRY_INIT_RESULT_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    char nowhere[1024];
    libro_code rc;

    if (test_db_is_pg()) {
        ck_assert_int_lt(snprintf(nowhere, sizeof nowhere, "%s_missing", db), (int) sizeof nowhere);
    } else {
        path_in(nowhere, sizeof nowhere, "missing/town.db");
    }
    opt.db_path = nowhere;
    rc = libro_issuer_registry_init(&res, &opt, &err);
    ck_assert_msg(rc != LIBRO_OK, "created %s", nowhere);
    ck_assert_str_ne(err.msg, "");
    ck_assert_uint_eq(res.created,
                      LIBRO_REGISTRY_INIT_COMMUNITY_KEY | LIBRO_REGISTRY_INIT_REGISTRY_KEY |
                          LIBRO_REGISTRY_INIT_CHARTER | LIBRO_REGISTRY_INIT_AUTHORIZATION);
    ck_assert_ptr_nonnull(res.charter);
    ck_assert_str_eq(res.authorization->subject_id, COMMUNITY ":registry");
    libro_registry_init_result_clear(&res);
    ck_assert_uint_eq(res.created, 0);
}
END_TEST

START_TEST(test_encrypted_registry_key)
{
    libro_registry_init_options opt = full_options();
    libro_registry_init_result res = LIBRO_REGISTRY_INIT_RESULT_INIT;
    libro_error err = LIBRO_ERROR_INIT;

    new_key(rk, "secret");
    LIBRO_ASSERT_CODE(libro_issuer_registry_init(&res, &opt, &err), LIBRO_ERR_BAD_KEY, &err,
                      "is encrypted: give its public key");
    ck_assert(!exists(ck) && !exists(charter) && !exists(auth) && !test_db_exists(db));
}
END_TEST

/* A file that is no credential: refused with its name, and nothing else is written. */
START_TEST(test_bad_charter_file)
{
    libro_registry_init_options opt = full_options();
    libro_registry_init_result res = LIBRO_REGISTRY_INIT_RESULT_INIT;
    libro_error err = LIBRO_ERROR_INIT;

    must(libro_file_write_new(charter, "not a jws\n", 10, 0644, &err), &err, "write");
    LIBRO_ASSERT_CODE(libro_issuer_registry_init(&res, &opt, &err), LIBRO_ERR_PARSE, &err,
                      "charter.jws: ");
    ck_assert(!exists(ck) && !exists(rk) && !exists(auth) && !test_db_exists(db));
}
END_TEST

/* A charter that cannot be signed (its id is no URI): refused before any key is written. */
START_TEST(test_refused_before_writing)
{
    libro_registry_init_options opt = full_options();
    libro_registry_init_result res = LIBRO_REGISTRY_INIT_RESULT_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    libro_code rc;

    opt.id = "not a uri";
    rc = libro_issuer_registry_init(&res, &opt, &err);
    ck_assert_msg(rc == LIBRO_ERR_SCHEMA, "got %d (%s)", rc, err.msg);
    assert_nothing_created(&res);
}
END_TEST

/* A dangling link where a key would be created is there: never written through. */
START_TEST(test_dangling_link)
{
    libro_registry_init_options opt = full_options();
    libro_registry_init_result res = LIBRO_REGISTRY_INIT_RESULT_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    libro_code rc;

    ck_assert_int_eq(symlink(other, rk), 0);
    rc = libro_issuer_registry_init(&res, &opt, &err);
    ck_assert_msg(rc != LIBRO_OK, "followed the link");
    ck_assert_str_ne(err.msg, "");
    ck_assert(!exists(other) && !exists(ck) && !test_db_exists(db));
}
END_TEST

START_TEST(test_bad_arguments)
{
    libro_registry_init_options opt = full_options();
    libro_registry_init_result res = LIBRO_REGISTRY_INIT_RESULT_INIT;
    libro_error err = LIBRO_ERROR_INIT;

    LIBRO_ASSERT_CODE(libro_issuer_registry_init(NULL, &opt, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "registry init: bad arguments");
    LIBRO_ASSERT_CODE(libro_issuer_registry_init(&res, NULL, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "bad arguments");
    opt.version = 99;
    LIBRO_ASSERT_CODE(libro_issuer_registry_init(&res, &opt, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "bad arguments");
    opt = full_options();
    opt.db_path = NULL;
    LIBRO_ASSERT_CODE(libro_issuer_registry_init(&res, &opt, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "bad arguments");
    opt = full_options();
    opt.level = LIBRO_MAX_LEVEL + 1;
    LIBRO_ASSERT_CODE(libro_issuer_registry_init(&res, &opt, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "bad arguments");
    opt = full_options();
    opt.passphrase_len = 3; /* without a passphrase */
    LIBRO_ASSERT_CODE(libro_issuer_registry_init(&res, &opt, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "bad arguments");
    assert_nothing_created(&res);
    libro_registry_init_result_clear(NULL);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("registry_init");
    TCase *ok = tcase_create("creates");
    TCase *no = tcase_create("refuses");

    tcase_add_checked_fixture(ok, setup, teardown);
    tcase_add_loop_test(ok, test_creates_what_is_missing, 0, (int) LIBRO_NELEM(combos));
    tcase_add_test(ok, test_created_credentials);
    tcase_add_test(ok, test_charter_holds_existing_authorization);
    tcase_add_test(ok, test_days_and_cut);
    tcase_add_test(ok, test_passphrase);
    suite_add_tcase(s, ok);
    tcase_add_checked_fixture(no, setup, teardown);
    tcase_add_test(no, test_existing_database);
    tcase_add_loop_test(no, test_missing_named, 0, (int) LIBRO_NELEM(missing));
    tcase_add_test(no, test_missing_with_charter);
    tcase_add_test(no, test_needs_text);
    tcase_add_test(no, test_charter_names_another_key);
    tcase_add_test(no, test_authorization_of_another_community);
    tcase_add_test(no, test_failure_after_writing);
    tcase_add_test(no, test_encrypted_registry_key);
    tcase_add_test(no, test_bad_charter_file);
    tcase_add_test(no, test_refused_before_writing);
    tcase_add_test(no, test_dangling_link);
    tcase_add_test(no, test_bad_arguments);
    suite_add_tcase(s, no);
    return s;
}
