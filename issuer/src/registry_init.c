/* libro_issuer_registry_init (libro/issuer.h): a community's registry from its charter and
 * registry authorization, creating the keys and credentials that are missing. Everything is
 * loaded, checked and signed in memory first, and only then written, so that a refusal leaves
 * no file behind. */
#include <string.h>
#include <sys/stat.h>

#include "issuer_int.h"
#include "libro/file.h"
#include "libro/issuer.h"
#include "libro/limits.h"
#include "libro/registry.h"
#include "libro/rules.h"
#include "libro/time.h"
#include "libro/util.h"

#define DAY INT64_C(86400)
#define CHARTER_DAYS 3650u
#define AUTHORIZATION_DAYS 1825u

/* What a created charter needs, and a created authorization. */
#define CHARTER_NEEDS                                                                              \
    (LIBRO_REGISTRY_INIT_ID | LIBRO_REGISTRY_INIT_NAME | LIBRO_REGISTRY_INIT_LEVEL |               \
     LIBRO_REGISTRY_INIT_ALLOWED)
#define AUTHORIZATION_NEEDS                                                                        \
    (LIBRO_REGISTRY_INIT_REGISTRY_KEY | LIBRO_REGISTRY_INIT_REGISTRY_ID |                          \
     LIBRO_REGISTRY_INIT_REGISTRY_NAME | LIBRO_REGISTRY_INIT_URL)

/* The option members, by bit number of libro_registry_init_part. */
static const char *const member_names[LIBRO_REGISTRY_INIT_PARTS] = {
    "community_key_path",
    "registry_key_path",
    "charter_path",
    "authorization_path",
    "id",
    "name",
    "level",
    "allowed",
    "registry_id",
    "registry_name",
    "url",
};

/* A key or a credential file: whether it was there, and what it holds or will hold. */
struct part {
    const char *path;
    bool existed;
    libro_key *key;
    libro_buf jws; /* a credential's compact JWS, without surrounding whitespace */
    libro_credential *cred;
};

/* lstat: a dangling link is there too, and is never written through. */
static bool
exists(const char *path)
{
    struct stat st;

    return path != NULL && lstat(path, &st) == 0;
}

/* Whether a registry is at `db_path` already: a file there (SQLite), or a database that opens
 * as one (a PostgreSQL schema holding a registry, whatever its version). Any other failure to
 * open is left to the creation, which reports it. */
static bool
registry_at(const char *db_path)
{
    libro_registry *r = NULL;
    libro_code rc;

    if (exists(db_path)) {
        return true;
    }
    rc = libro_registry_open_read_only(&r, db_path, NULL);
    libro_registry_close(r);
    return rc == LIBRO_OK || rc == LIBRO_ERR_READONLY || rc == LIBRO_ERR_UNSUPPORTED;
}

static void
part_init(struct part *p, const char *path)
{
    memset(p, 0, sizeof *p);
    p->path = path;
    p->existed = exists(path);
}

static void
part_free(struct part *p)
{
    libro_key_free(p->key);
    libro_buf_free(&p->jws);
    libro_credential_free(p->cred);
}

static unsigned
missing(const libro_registry_init_options *opt, bool charter, bool authorization)
{
    unsigned needs = 0;

    if ((!charter || !authorization) && opt->community_key_path == NULL) {
        needs |= LIBRO_REGISTRY_INIT_COMMUNITY_KEY;
    }
    if (!charter) {
        needs |= (opt->id == NULL ? LIBRO_REGISTRY_INIT_ID : 0u) |
                 (opt->name == NULL ? LIBRO_REGISTRY_INIT_NAME : 0u) |
                 (opt->level < 0 ? LIBRO_REGISTRY_INIT_LEVEL : 0u) |
                 (opt->n_allowed == 0 ? LIBRO_REGISTRY_INIT_ALLOWED : 0u);
    }
    if (!authorization) {
        needs |= (opt->registry_key_path == NULL ? LIBRO_REGISTRY_INIT_REGISTRY_KEY : 0u) |
                 (opt->registry_id == NULL ? LIBRO_REGISTRY_INIT_REGISTRY_ID : 0u) |
                 (opt->registry_name == NULL ? LIBRO_REGISTRY_INIT_REGISTRY_NAME : 0u) |
                 (opt->url == NULL ? LIBRO_REGISTRY_INIT_URL : 0u);
    }
    return needs;
}

/* "a, b and c" of the parts in `bits`, appended to `out`. */
static libro_code
join_names(libro_buf *out, unsigned bits, const char *const *names, libro_error *err)
{
    unsigned n = 0;
    unsigned k = 0;
    unsigned i;
    libro_code rc = LIBRO_OK;

    for (i = 0; i < LIBRO_REGISTRY_INIT_PARTS; i++) {
        n += (bits >> i) & 1u;
    }
    for (i = 0; rc == LIBRO_OK && i < LIBRO_REGISTRY_INIT_PARTS; i++) {
        if ((bits & (1u << i)) == 0) {
            continue;
        }
        if (k > 0) {
            rc = libro_buf_append_str(out, k + 1 == n ? " and " : ", ", err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_append_str(out, names[i], err);
        }
        k++;
    }
    return rc;
}

/* "<path> does not exist: creating the <what> needs a, b and c" for one file. */
static libro_code
file_needs(libro_buf *out, const char *path, const char *what, unsigned bits,
           const char *const *names, libro_error *err)
{
    libro_code rc = LIBRO_OK;

    if (bits == 0) {
        return LIBRO_OK;
    }
    if (out->len > 0) {
        rc = libro_buf_append_str(out, "; ", err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(out, err, "%.80s does not exist: creating the %s needs ", path, what);
    }
    return rc == LIBRO_OK ? join_names(out, bits, names, err) : rc;
}

libro_code
libro_registry_init_needs_text(libro_buf *out, const libro_registry_init_options *opt,
                               unsigned needs, const char *const *names, libro_error *err)
{
    bool charter;
    unsigned for_charter;
    libro_code rc;

    if (out == NULL || opt == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "registry init: NULL argument");
    }
    if (names == NULL) {
        names = member_names;
    }
    charter = exists(opt->charter_path);
    /* The community key is named once: with the charter when that is created. */
    for_charter = charter ? 0u : needs & (CHARTER_NEEDS | LIBRO_REGISTRY_INIT_COMMUNITY_KEY);
    rc = file_needs(out, opt->charter_path, "charter", for_charter, names, err);
    if (rc == LIBRO_OK) {
        rc = file_needs(out, opt->authorization_path, "authorization",
                        needs & ~for_charter &
                            (AUTHORIZATION_NEEDS | LIBRO_REGISTRY_INIT_COMMUNITY_KEY),
                        names, err);
    }
    return rc;
}

/* An existing credential file, its JWS trimmed (as registries store it) and parsed. */
static libro_code
read_credential(struct part *p, libro_error *err)
{
    libro_code rc = libro_file_read_token(&p->jws, p->path, LIBRO_MAX_TOKEN_BYTES, err);

    if (rc == LIBRO_OK) {
        rc = libro_issuer__parse_own(&p->cred, (const char *) p->jws.data, p->jws.len, err);
    }
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, p->path);
    }
    return rc;
}

/* The community key: loaded, or generated when absent. An existing charter must name it,
 * since it signs the authorization under that charter. */
static libro_code
community_key(struct part *k, const struct part *charter, const libro_registry_init_options *opt,
              libro_error *err)
{
    libro_code rc;

    if (k->existed) {
        rc = libro_key_load_file(&k->key, k->path, opt->passphrase, opt->passphrase_len, err);
        if (rc != LIBRO_OK) {
            libro_error_prefix(err, "community key");
            return rc;
        }
    } else if (charter->existed) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "%.80s names another key than the community key: %.80s does "
                               "not exist",
                               charter->path, k->path);
    } else {
        return libro_key_generate(&k->key, LIBRO_ALG_ED25519, err);
    }
    if (charter->existed && (charter->cred->subject_key == NULL ||
                             !libro_key_equal_public(charter->cred->subject_key, k->key))) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "%.80s names another key than the community key %.80s",
                               charter->path, k->path);
    }
    return LIBRO_OK;
}

/* The registry key: only its public half is used, so a public key file will do. */
static libro_code
registry_key(struct part *k, libro_error *err)
{
    libro_code rc;

    if (!k->existed) {
        return libro_key_generate(&k->key, LIBRO_ALG_ED25519, err);
    }
    rc = libro_key_load_file(&k->key, k->path, NULL, 0, err);
    if (rc == LIBRO_ERR_PASSPHRASE) {
        return libro_error_set(err, LIBRO_ERR_BAD_KEY,
                               "registry key %.120s is encrypted: give its public key "
                               "(libro key public)",
                               k->path);
    }
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "registry key");
    }
    return rc;
}

/* The community's charter, from `now`, or from the start of the registry authorization that
 * exists when that is earlier: the community key signed that authorization, and the charter
 * made for it must hold its window (an authorization made a second before the charter would
 * otherwise be refused for starting outside it). */
static libro_code
make_charter(struct part *charter, const struct part *auth, const libro_key *community,
             const libro_registry_init_options *opt, int64_t now, libro_error *err)
{
    libro_charter_options c = LIBRO_CHARTER_OPTIONS_INIT;

    if (auth->cred != NULL && auth->cred->valid_from < now) {
        now = auth->cred->valid_from;
    }

    c.id = opt->id;
    c.name = opt->name;
    c.level = opt->level;
    c.level_name = opt->level_name;
    c.allowed = opt->allowed;
    c.n_allowed = opt->n_allowed;
    c.valid_from = now;
    c.valid_until = now + (int64_t) (opt->days != 0 ? opt->days : CHARTER_DAYS) * DAY;
    return libro_issuer_issue_charter(&charter->jws, &charter->cred, community, &c, err);
}

static libro_code
make_authorization(struct part *auth, const struct part *charter, const libro_key *community,
                   const libro_key *registry, const libro_registry_init_options *opt, int64_t now,
                   libro_error *err)
{
    libro_authorization_options a = LIBRO_AUTHORIZATION_OPTIONS_INIT;

    a.type = LIBRO_CRED_REGISTRY_AUTH;
    a.charter = (const char *) charter->jws.data;
    a.charter_len = charter->jws.len;
    a.id = opt->registry_id;
    a.name = opt->registry_name;
    a.url = opt->url;
    a.subject_key = registry;
    a.valid_from = now;
    a.valid_until = now + (int64_t) (opt->days != 0 ? opt->days : AUTHORIZATION_DAYS) * DAY;
    /* Inside the charter's window, as every verifier requires. */
    if (a.valid_until > charter->cred->valid_until) {
        a.valid_until = charter->cred->valid_until;
    }
    return libro_issuer_issue_authorization(&auth->jws, &auth->cred, community, &a, err);
}

/* An existing authorization under the charter, as libro_registry_create will require: checked
 * before anything is written. */
static libro_code
check_existing_authorization(const struct part *auth, const struct part *charter, libro_error *err)
{
    libro_code rc;

    if (auth->cred->type != LIBRO_CRED_REGISTRY_AUTH) {
        return libro_error_set(err, LIBRO_ERR_SCHEMA, "%.120s: credential is a %s", auth->path,
                               libro_cred_type_name(auth->cred->type));
    }
    if (charter->cred->subject_id == NULL || auth->cred->issuer == NULL ||
        strcmp(auth->cred->issuer, charter->cred->subject_id) != 0) {
        return libro_error_set(err, LIBRO_ERR_DENIED,
                               "%.80s is issued by %.64s, not the chartered community %.64s",
                               auth->path, auth->cred->issuer != NULL ? auth->cred->issuer : "-",
                               charter->cred->subject_id != NULL ? charter->cred->subject_id : "-");
    }
    rc = libro_rules_under_charter(auth->cred, charter->cred, err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, auth->path);
    }
    return rc;
}

/* Write what `p` holds to its new file, unless it existed. */
static libro_code
write_part(unsigned *created, unsigned bit, const struct part *p, const char *pass, size_t pass_len,
           libro_error *err)
{
    libro_buf file = LIBRO_BUF_INIT;
    libro_code rc;

    if (p->existed) {
        return LIBRO_OK;
    }
    if (p->key != NULL) {
        rc = libro_key_save_pem(p->key, p->path, pass, pass_len, err);
    } else {
        /* Files end with a newline; the token itself (as registries store it) does not. */
        rc = libro_buf_append(&file, p->jws.data, p->jws.len, err);
        if (rc == LIBRO_OK) {
            rc = libro_buf_append(&file, "\n", 1, err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_file_write_new(p->path, file.data, file.len, 0644, err);
        }
    }
    if (rc == LIBRO_OK) {
        *created |= bit;
    }
    libro_buf_free(&file);
    return rc;
}

libro_code
libro_issuer_registry_init(libro_registry_init_result *res, const libro_registry_init_options *opt,
                           libro_error *err)
{
    struct part community;
    struct part registry;
    struct part charter;
    struct part auth;
    libro_buf text = LIBRO_BUF_INIT;
    bool create_some;
    int64_t now;
    libro_code rc;

    if (res != NULL) {
        memset(res, 0, sizeof *res);
    }
    if (res == NULL || opt == NULL || opt->version != LIBRO_REGISTRY_INIT_OPTIONS_VERSION ||
        opt->db_path == NULL || opt->charter_path == NULL || opt->authorization_path == NULL ||
        (opt->passphrase == NULL && opt->passphrase_len != 0) ||
        (opt->allowed == NULL && opt->n_allowed != 0) || opt->level > LIBRO_MAX_LEVEL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "registry init: bad arguments");
    }
    part_init(&community, opt->community_key_path);
    part_init(&registry, opt->registry_key_path);
    part_init(&charter, opt->charter_path);
    part_init(&auth, opt->authorization_path);
    create_some = !charter.existed || !auth.existed;
    if (registry_at(opt->db_path)) {
        rc = libro_error_set(err, LIBRO_ERR_EXISTS,
                             "%.200s exists: a registry is never overwritten", opt->db_path);
        goto out;
    }
    res->needs = missing(opt, charter.existed, auth.existed);
    if (res->needs != 0) {
        rc = libro_registry_init_needs_text(&text, opt, res->needs, NULL, err);
        if (rc == LIBRO_OK) {
            rc = libro_error_set(err, LIBRO_ERR_INVALID_ARG, "%s", (const char *) text.data);
        }
        goto out;
    }
    now = opt->now != 0 ? opt->now : libro_time_now();
    if ((charter.existed && (rc = read_credential(&charter, err)) != LIBRO_OK) ||
        (auth.existed && (rc = read_credential(&auth, err)) != LIBRO_OK) ||
        (create_some && (rc = community_key(&community, &charter, opt, err)) != LIBRO_OK) ||
        (!auth.existed && (rc = registry_key(&registry, err)) != LIBRO_OK) ||
        (!charter.existed &&
         (rc = make_charter(&charter, &auth, community.key, opt, now, err)) != LIBRO_OK) ||
        (!auth.existed && (rc = make_authorization(&auth, &charter, community.key, registry.key,
                                                   opt, now, err)) != LIBRO_OK) ||
        (auth.existed && (rc = check_existing_authorization(&auth, &charter, err)) != LIBRO_OK)) {
        goto out;
    }
    /* All is checked and signed: now the files, each new (O_EXCL), the database last. */
    if ((create_some &&
         (rc = write_part(&res->created, LIBRO_REGISTRY_INIT_COMMUNITY_KEY, &community,
                          opt->passphrase, opt->passphrase_len, err)) != LIBRO_OK) ||
        (!auth.existed && (rc = write_part(&res->created, LIBRO_REGISTRY_INIT_REGISTRY_KEY,
                                           &registry, NULL, 0, err)) != LIBRO_OK) ||
        (rc = write_part(&res->created, LIBRO_REGISTRY_INIT_CHARTER, &charter, NULL, 0, err)) !=
            LIBRO_OK ||
        (rc = write_part(&res->created, LIBRO_REGISTRY_INIT_AUTHORIZATION, &auth, NULL, 0, err)) !=
            LIBRO_OK ||
        (rc = libro_registry_create(opt->db_path, (const char *) charter.jws.data,
                                    (const char *) auth.jws.data, err)) != LIBRO_OK) {
        goto out;
    }
out:
    /* On a failure too once a file was written: the caller says which file holds what. */
    if (rc == LIBRO_OK || res->created != 0) {
        res->charter = charter.cred;
        charter.cred = NULL; /* moved to caller */
        res->authorization = auth.cred;
        auth.cred = NULL;
    }
    libro_buf_free(&text);
    part_free(&community);
    part_free(&registry);
    part_free(&charter);
    part_free(&auth);
    return rc;
}

void
libro_registry_init_result_clear(libro_registry_init_result *res)
{
    if (res == NULL) {
        return;
    }
    libro_credential_free(res->charter);
    libro_credential_free(res->authorization);
    memset(res, 0, sizeof *res);
}
