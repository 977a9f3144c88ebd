/* libro registry init|type|status: a community's registry on a local SQLite file (embedded
 * mode, design.md §5): create it, define its license types, publish its status lists. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "libro/file.h"
#include "libro/issuer.h"
#include "libro/registry.h"
#include "libro/server.h"
#include "libro/statuslist.h"
#include "libro/time.h"
#include "libro/util.h"

#define DAY INT64_C(86400)
/* Status lists are short-lived (verifiers re-fetch them); a year is already generous. */
/* A status list's validity override: the publisher's bounds, in whole days. */
#define MAX_STATUS_LIST_DAYS (LIBRO_STATUS_LIST_MAX_SECONDS / 86400u)

static const char registry_epilog[] =
    "Exit status: 0 done, 1 refused or failed (reason on stderr), 2 bad command line.";

/* ---- registry init ------------------------------------------------------------------------- */

static const struct cli_opt init_opts[] = {
    {"--db", "FILE", "the registry database to create (a new file, mode 0600)", false},
    {"--charter", "FILE", "the community's CommunityCharter (created, self-chartered, if absent)",
     false},
    {"--authorization", "FILE",
     "the registry's RegistryAuthorization, signed by the community (created if absent)", false},
    {"--community-key", "FILE", "the community's key (created if absent); signs what is created",
     false},
    {"--registry-key", "FILE",
     "the registry's key (created if absent): a created authorization "
     "names it",
     false},
    {"--passphrase-fd", "N", "the community key's passphrase, from descriptor N", false},
    {"--id", "ID", "a created charter: the community's id", false},
    {"--name", "NAME", "a created charter: the community's name", false},
    {"--level", "N", "a created charter: its level, 0 (tribe) to 8 (world)", false},
    {"--level-name", "NAME", "a created charter: the name of its level", false},
    {"--allow", "TYPE", "a created charter: a license type the community may authorize", true},
    {"--registry-id", "ID", "a created authorization: the registry's id", false},
    {"--registry-name", "NAME", "a created authorization: the registry's name", false},
    {"--url", "URL", "a created authorization: where the registry serves", false},
    {"--days", "N", "validity of what is created (charter 3650, authorization 1825 by default)",
     false},
};

static const struct cli_spec init_spec = {
    "registry init",
    "--db FILE --charter FILE --authorization FILE\n"
    "       [--community-key FILE [--passphrase-fd N]] [--registry-key FILE]\n"
    "       [--id ID --name NAME --level N [--level-name NAME] --allow TYPE...]\n"
    "       [--registry-id ID --registry-name NAME --url URL] [--days N]",
    "Create a community's registry: a new SQLite database holding its charter and the\n"
    "RegistryAuthorization that names the registry's key. An existing file is never\n"
    "overwritten. Given files are used as they are: a charter from the parent community, or\n"
    "the community's own. What is missing is created: the community key and the registry key\n"
    "(Ed25519, mode 0600), a self-chartered anchor charter (--id, --name, --level, --allow),\n"
    "and the registry authorization (--registry-id, --registry-name, --url), signed by the\n"
    "community key.",
    init_opts,
    LIBRO_NELEM(init_opts),
    0,
    0,
    registry_epilog,
};

static bool
file_exists(const char *path)
{
    struct stat st;

    return path != NULL && lstat(path, &st) == 0;
}

/* Load the key at `path`, or create it there (Ed25519, 0600, never overwriting) when it is
 * absent, telling the operator so. */
static libro_code
key_at(libro_key **out, const char *path, const char *passphrase_fd, libro_error *err)
{
    libro_buf pass = LIBRO_BUF_INIT;
    libro_code rc;

    if (file_exists(path)) {
        return cli_load_key(out, path, passphrase_fd, err);
    }
    rc = libro_key_generate(out, LIBRO_ALG_ED25519, err);
    if (rc == LIBRO_OK && passphrase_fd != NULL) {
        rc = cli_read_passphrase_fd(&pass, passphrase_fd, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_key_save_pem(*out, path, pass.data == NULL ? NULL : (const char *) pass.data,
                                pass.len, err);
    }
    if (rc == LIBRO_OK) {
        fprintf(stderr, "libro: created key %s\n", path);
    }
    libro_buf_free(&pass);
    return rc;
}

/* A self-chartered anchor charter for the community of `key`, written to `path`. */
static libro_code
create_charter(libro_buf *jws, const struct cli_args *a, const struct cli_spec *sp,
               const libro_key *key, const char *path, libro_error *err)
{
    libro_credential *c = NULL;
    const char *const *allow;
    size_t n_allow = 0;
    uint64_t level = 0;
    const char *level_text = cli_get(a, sp, "--level");
    libro_code rc;

    allow = cli_get_all(a, sp, "--allow", &n_allow);
    if (!cli_has(a, sp, "--id") || !cli_has(a, sp, "--name") || level_text == NULL ||
        n_allow == 0) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "%.120s does not exist: creating the charter needs --id, --name, "
                               "--level and --allow",
                               path);
    }
    rc = libro_parse_u64(&level, level_text, strlen(level_text), LIBRO_MAX_LEVEL, err);
    if (rc == LIBRO_OK) {
        rc = libro_credential_new(&c, LIBRO_CRED_CHARTER, err);
    }
    if (rc == LIBRO_OK &&
        ((rc = cli_dup_str(&c->issuer, cli_get(a, sp, "--id"), err)) != LIBRO_OK ||
         (rc = cli_dup_str(&c->subject_id, cli_get(a, sp, "--id"), err)) != LIBRO_OK ||
         (rc = cli_dup_str(&c->name, cli_get(a, sp, "--name"), err)) != LIBRO_OK ||
         (rc = cli_dup_str(&c->level_name, cli_get(a, sp, "--level-name"), err)) != LIBRO_OK ||
         (rc = cli_dup_list(&c->allowed_types, &c->n_allowed, allow, n_allow, err)) != LIBRO_OK ||
         (rc = cli_validity(&c->valid_from, &c->valid_until, NULL, NULL, cli_get(a, sp, "--days"),
                            3650, err)) != LIBRO_OK ||
         (rc = libro_key_public(&c->subject_key, key, err)) != LIBRO_OK)) {
        goto out;
    }
    if (rc == LIBRO_OK) {
        c->level = (int) level;
        rc = cli_sign_and_write(jws, c, key, path, err);
    }
out:
    libro_credential_free(c);
    return rc;
}

/* The registry authorization naming `registry_key`, signed by the community, written to
 * `path`. */
static libro_code
create_authorization(libro_buf *jws, const struct cli_args *a, const struct cli_spec *sp,
                     const libro_credential *charter, const libro_key *community_key,
                     const libro_key *registry_key, const char *path, libro_error *err)
{
    libro_credential *c = NULL;
    libro_code rc;

    if (!cli_has(a, sp, "--registry-id") || !cli_has(a, sp, "--registry-name") ||
        !cli_has(a, sp, "--url")) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "%.120s does not exist: creating the authorization needs "
                               "--registry-id, --registry-name and --url",
                               path);
    }
    rc = libro_credential_new(&c, LIBRO_CRED_REGISTRY_AUTH, err);
    if (rc == LIBRO_OK &&
        ((rc = cli_dup_str(&c->issuer, charter->subject_id, err)) != LIBRO_OK ||
         (rc = cli_dup_str(&c->subject_id, cli_get(a, sp, "--registry-id"), err)) != LIBRO_OK ||
         (rc = cli_dup_str(&c->name, cli_get(a, sp, "--registry-name"), err)) != LIBRO_OK ||
         (rc = cli_dup_str(&c->url, cli_get(a, sp, "--url"), err)) != LIBRO_OK ||
         (rc = cli_validity(&c->valid_from, &c->valid_until, NULL, NULL, cli_get(a, sp, "--days"),
                            1825, err)) != LIBRO_OK ||
         (rc = libro_key_public(&c->subject_key, registry_key, err)) != LIBRO_OK)) {
        goto out;
    }
    /* Inside the charter's window, as every verifier requires. */
    if (rc == LIBRO_OK && c->valid_until > charter->valid_until) {
        c->valid_until = charter->valid_until;
    }
    if (rc == LIBRO_OK) {
        rc = libro_issuer_check_under_charter(c, charter, community_key, err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_sign_and_write(jws, c, community_key, path, err);
    }
out:
    libro_credential_free(c);
    return rc;
}

/* Create what is missing of the charter and the authorization (and the keys they need). */
static libro_code
init_credentials(libro_buf *charter_jws, libro_buf *auth_jws, const struct cli_args *a,
                 const struct cli_spec *sp, libro_error *err)
{
    const char *charter_path = cli_get(a, sp, "--charter");
    const char *auth_path = cli_get(a, sp, "--authorization");
    libro_key *community = NULL;
    libro_key *registry = NULL;
    libro_credential *charter = NULL;
    libro_code rc = LIBRO_OK;

    if (file_exists(charter_path) && file_exists(auth_path)) {
        return LIBRO_OK;
    }
    if (!cli_has(a, sp, "--community-key") ||
        (!file_exists(auth_path) && !cli_has(a, sp, "--registry-key"))) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "creating the charter or the authorization needs "
                               "--community-key (and --registry-key for the authorization)");
    }
    rc = key_at(&community, cli_get(a, sp, "--community-key"), cli_get(a, sp, "--passphrase-fd"),
                err);
    if (rc == LIBRO_OK && !file_exists(charter_path)) {
        rc = create_charter(charter_jws, a, sp, community, charter_path, err);
        libro_buf_clear(charter_jws);
    }
    if (rc == LIBRO_OK && !file_exists(auth_path)) {
        rc = cli_read_own_credential(&charter, charter_jws, charter_path, err);
        if (rc == LIBRO_OK && (charter->subject_key == NULL ||
                               !libro_key_equal_public(charter->subject_key, community))) {
            rc = libro_error_set(err, LIBRO_ERR_DENIED,
                                 "the charter names another key than --community-key");
        }
        if (rc == LIBRO_OK) {
            rc = key_at(&registry, cli_get(a, sp, "--registry-key"), NULL, err);
        }
        if (rc == LIBRO_OK) {
            rc =
                create_authorization(auth_jws, a, sp, charter, community, registry, auth_path, err);
        }
        libro_buf_clear(charter_jws);
        libro_buf_clear(auth_jws);
    }
    libro_credential_free(charter);
    libro_key_free(registry);
    libro_key_free(community);
    return rc;
}

static int
registry_init(int argc, char **argv)
{
    struct cli_args a;
    const struct cli_spec *sp = &init_spec;
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *charter = NULL;
    libro_credential *auth = NULL;
    libro_buf charter_jws = LIBRO_BUF_INIT;
    libro_buf auth_jws = LIBRO_BUF_INIT;
    const char *db;
    int code = cli_parse(&a, sp, argc, argv);

    if (code >= 0) {
        return code;
    }
    db = cli_get(&a, sp, "--db");
    if (db == NULL || !cli_has(&a, sp, "--charter") || !cli_has(&a, sp, "--authorization")) {
        return cli_usage_error(sp, "--db, --charter and --authorization are required");
    }
    code = CLI_EXIT_NO;
    if (file_exists(db)) {
        libro_error_set(&err, LIBRO_ERR_EXISTS, "%.200s exists: a registry is never overwritten",
                        db);
        goto out_report;
    }
    if (init_credentials(&charter_jws, &auth_jws, &a, sp, &err) != LIBRO_OK ||
        cli_read_own_credential(&charter, &charter_jws, cli_get(&a, sp, "--charter"), &err) !=
            LIBRO_OK ||
        cli_read_own_credential(&auth, &auth_jws, cli_get(&a, sp, "--authorization"), &err) !=
            LIBRO_OK ||
        libro_registry_create(db, (const char *) charter_jws.data, (const char *) auth_jws.data,
                              &err) != LIBRO_OK) {
        goto out_report;
    }
    printf("created registry %s\n", db);
    printf("  community      %s (%s)\n", charter->subject_id, charter->name);
    printf("  registry       %s (%s)\n", auth->subject_id, auth->name);
    code = CLI_EXIT_OK;
    goto out;
out_report:
    cli_report(sp->command, &err);
out:
    libro_buf_free(&charter_jws);
    libro_buf_free(&auth_jws);
    libro_credential_free(charter);
    libro_credential_free(auth);
    return cli_finish(code);
}

/* ---- registry type ------------------------------------------------------------------------- */

static const struct cli_opt type_opts[] = {
    {"--db", "FILE", "the registry database", false},
    {"--id", "TYPE", "the license type's id ([a-z0-9-])", false},
    {"--validity-days", "N", "how long a license of this type runs", false},
    {"--renewal-window-days", "N", "renewal opens this long before validUntil", false},
    {"--grace-days", "N", "renewal stays open this long after it; then the license lapses", false},
    {"--requires", "TEXT", "renewal requirements: 'cpd_hours >= 60, supervised_hours >= 100'",
     false},
    {"--actor", "WHO", "who defines the type (recorded)", false},
};

static const struct cli_spec type_spec = {
    "registry type",
    "--db FILE --id TYPE --validity-days N --renewal-window-days N --grace-days N\n"
    "       [--requires TEXT] --actor WHO",
    "Define (or redefine) a license type: its validity, when renewal opens and how long it\n"
    "stays open after expiry, and what evidence a renewal needs (comma-separated, all must\n"
    "hold; operators >=, >, ==, <=, <; values are non-negative integers). A redefinition\n"
    "applies to later actions.",
    type_opts,
    LIBRO_NELEM(type_opts),
    0,
    0,
    registry_epilog,
};

static bool
parse_days(uint32_t *out, const char *text, uint32_t min)
{
    libro_error ignored = LIBRO_ERROR_INIT;
    uint64_t v = 0;

    if (libro_parse_u64(&v, text, strlen(text), LIBRO_MAX_VALIDITY_DAYS, &ignored) != LIBRO_OK ||
        v < min) {
        return false;
    }
    *out = (uint32_t) v;
    return true;
}

static int
registry_type(int argc, char **argv)
{
    struct cli_args a;
    const struct cli_spec *sp = &type_spec;
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;
    libro_license_type t = {0};
    const char *requires;
    size_t i;
    int code = cli_parse(&a, sp, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (!cli_has(&a, sp, "--db") || !cli_has(&a, sp, "--id") ||
        !cli_has(&a, sp, "--validity-days") || !cli_has(&a, sp, "--renewal-window-days") ||
        !cli_has(&a, sp, "--grace-days") || !cli_has(&a, sp, "--actor")) {
        return cli_usage_error(sp, "missing a required option");
    }
    if (!parse_days(&t.validity_days, cli_get(&a, sp, "--validity-days"), 1) ||
        !parse_days(&t.renewal_window_days, cli_get(&a, sp, "--renewal-window-days"), 0) ||
        !parse_days(&t.grace_days, cli_get(&a, sp, "--grace-days"), 0)) {
        return cli_usage_error(sp, "days: want a number up to %u (validity at least 1)",
                               LIBRO_MAX_VALIDITY_DAYS);
    }
    code = CLI_EXIT_NO;
    requires = cli_get(&a, sp, "--requires");
    if (cli_dup_str(&t.id, cli_get(&a, sp, "--id"), &err) != LIBRO_OK) {
        goto out_report;
    }
    if (requires != NULL && libro_requirements_parse(&t.requirements, &t.n_requirements, requires,
                                                     strlen(requires), &err) != LIBRO_OK) {
        libro_error_prefix(&err, "--requires");
        goto out_report;
    }
    if (libro_registry_open(&r, cli_get(&a, sp, "--db"), &err) != LIBRO_OK ||
        libro_registry_define_type(r, NULL, &t, cli_get(&a, sp, "--actor"), &err) != LIBRO_OK) {
        goto out_report;
    }
    printf("license type %s: validity %u days, renewal from %u days before expiry until %u "
           "days after\n",
           t.id, (unsigned) t.validity_days, (unsigned) t.renewal_window_days,
           (unsigned) t.grace_days);
    for (i = 0; i < t.n_requirements; i++) {
        printf("  requires %s %s %lld\n", t.requirements[i].evidence, t.requirements[i].op,
               (long long) t.requirements[i].value);
    }
    code = CLI_EXIT_OK;
    goto out;
out_report:
    cli_report(sp->command, &err);
out:
    libro_license_type_clear(&t);
    libro_registry_close(r);
    return cli_finish(code);
}

/* ---- registry status ----------------------------------------------------------------------- */

static const struct cli_opt status_opts[] = {
    {"--db", "FILE", "the registry database", false},
    {"--key", "FILE", "the registry's signing key (named by its RegistryAuthorization)", false},
    {"--list", "N", "which pair of status lists (0, 1, ...)", false},
    {"--purpose", "PURPOSE", "revocation, suspension or message", false},
    {"--id", "URL", "the URL the list is served at (the licenses' statusListCredential)", false},
    {"--days", "N", "validity in days, 1 to 31 (default 10); never past the authorization", false},
    {"--out", "FILE", "where to write the signed list ('-' = stdout)", false},
    {"--passphrase-fd", "N", "read the signing key's passphrase from descriptor N", false},
};

static const struct cli_spec status_spec = {
    "registry status",
    "--db FILE --key FILE --list N --purpose revocation|suspension|message --id URL\n"
    "       [--days N] --out FILE",
    "Publish one status list: the registry's current bits of list N for the purpose, as a\n"
    "BitstringStatusListCredential signed by the registry key (issuer: the registry's id\n"
    "from its authorization), by the rules `libro registry serve` signs by: valid from now\n"
    "(to the millisecond) for 10 days, or --days N, but never past the end of the registry\n"
    "authorization, and nothing once it has ended. Serve it at --id, the URL the licenses'\n"
    "credentialStatus names (<status-url-base>/<list>/<purpose>).",
    status_opts,
    LIBRO_NELEM(status_opts),
    0,
    0,
    registry_epilog,
};

/* The registry's own authorization names its id and the key its lists must be signed by. */
static libro_code
registry_identity(libro_credential **out, const libro_registry *r, const libro_key *key,
                  libro_error *err)
{
    const char *jws = libro_registry_authorization(r);
    libro_code rc;

    *out = NULL;
    if (jws == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOT_FOUND, "the registry holds no authorization");
    }
    rc = cli_credential_from_jws(out, jws, strlen(jws), err);
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, "registry authorization");
        return rc;
    }
    if ((*out)->subject_key == NULL || !libro_key_equal_public((*out)->subject_key, key)) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED,
                             "--key is not the key the registry authorization names for %.64s",
                             (*out)->subject_id);
        libro_credential_free(*out);
        *out = NULL;
    }
    return rc;
}

static int
registry_status(int argc, char **argv)
{
    struct cli_args a;
    const struct cli_spec *sp = &status_spec;
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;
    libro_key *key = NULL;
    libro_credential *auth = NULL;
    libro_published_list last = {0};
    libro_publish_options opt = LIBRO_PUBLISH_OPTIONS_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    const char *purpose_text;
    const char *list_text;
    const char *days_text;
    char until[LIBRO_TIME_TEXT_MAX];
    uint64_t list = 0;
    uint64_t days = LIBRO_STATUS_LIST_SECONDS / 86400u;
    bool fresh = false;
    libro_error ignored = LIBRO_ERROR_INIT;
    int code = cli_parse(&a, sp, argc, argv);

    if (code >= 0) {
        return code;
    }
    purpose_text = cli_get(&a, sp, "--purpose");
    list_text = cli_get(&a, sp, "--list");
    days_text = cli_get(&a, sp, "--days");
    if (!cli_has(&a, sp, "--db") || !cli_has(&a, sp, "--key") || list_text == NULL ||
        purpose_text == NULL || !cli_has(&a, sp, "--id") || !cli_has(&a, sp, "--out")) {
        return cli_usage_error(sp, "missing a required option");
    }
    if (strcmp(purpose_text, "revocation") == 0) {
        opt.purpose = LIBRO_STATUS_REVOCATION;
    } else if (strcmp(purpose_text, "suspension") == 0) {
        opt.purpose = LIBRO_STATUS_SUSPENSION;
    } else if (strcmp(purpose_text, "message") == 0) {
        opt.purpose = LIBRO_STATUS_MESSAGE;
    } else {
        return cli_usage_error(sp, "--purpose: want revocation, suspension or message");
    }
    if (libro_parse_u64(&list, list_text, strlen(list_text), UINT32_MAX, &ignored) != LIBRO_OK) {
        return cli_usage_error(sp, "--list: want a list number");
    }
    if (days_text != NULL && (libro_parse_u64(&days, days_text, strlen(days_text),
                                              MAX_STATUS_LIST_DAYS, &ignored) != LIBRO_OK ||
                              days == 0)) {
        return cli_usage_error(sp, "--days: want 1 to %u", MAX_STATUS_LIST_DAYS);
    }
    opt.url = cli_get(&a, sp, "--id");
    opt.list = (uint32_t) list;
    opt.seconds = (uint32_t) days * 86400u;
    opt.now_ms = libro_time_now_ms();
    code = CLI_EXIT_NO;
    if (cli_load_key(&key, cli_get(&a, sp, "--key"), cli_get(&a, sp, "--passphrase-fd"), &err) !=
            LIBRO_OK ||
        libro_registry_open(&r, cli_get(&a, sp, "--db"), &err) != LIBRO_OK ||
        registry_identity(&auth, r, key, &err) != LIBRO_OK ||
        libro_registry_publish_list(&jws, &fresh, &last, r, key, auth, &opt, &err) != LIBRO_OK ||
        libro_time_format(until, last.valid_until, &err) != LIBRO_OK ||
        libro_buf_append(&jws, "\n", 1, &err) != LIBRO_OK ||
        cli_write_output(cli_get(&a, sp, "--out"), jws.data, jws.len, &err) != LIBRO_OK) {
        goto out_report;
    }
    fprintf(stderr, "libro: published %s list %u (valid until %s) -> %s\n", purpose_text,
            (unsigned) list, until, cli_get(&a, sp, "--out"));
    code = CLI_EXIT_OK;
    goto out;
out_report:
    cli_report(sp->command, &err);
out:
    libro_buf_free(&jws);
    libro_credential_free(auth);
    libro_registry_close(r);
    libro_key_free(key);
    return cli_finish(code);
}

/* ---- registry serve ------------------------------------------------------------------------ */

static const struct cli_opt serve_opts[] = {
    {"--db", "FILE", "the registry database", false},
    {"--listen", "ADDR:PORT", "where to listen: 127.0.0.1:8080, [::1]:8080 (port 0: any free one)",
     false},
    {"--key", "FILE", "the registry's signing key (named by its RegistryAuthorization)", false},
    {"--passphrase-fd", "N", "read the signing key's passphrase from descriptor N", false},
    {"--base-url", "URL",
     "the registry's public URL (https://..., or http://127.0.0.1...; on 127.0.0.1 by default "
     "http://127.0.0.1:PORT)",
     false},
    {"--port-file", "FILE", "write the port bound to FILE, a new file, once listening", false},
    {"--listen-fd", "N",
     "serve on the listening socket inherited as descriptor N, bound to the --listen address "
     "(whose port is then the socket's)",
     false},
    {"--public", NULL, "allow a non-loopback --listen address", false},
    {"--max-connections", "N", "open connections in all (default 256)", false},
    {"--max-per-ip", "N", "open connections from one address (default 16)", false},
    {"--timeout", "SECONDS", "close a connection idle this long (default 30)", false},
    {"--threads", "N", "worker threads (default 4)", false},
    {"--write-rate", "N", "signed writes per second from one address (default 20)", false},
    {"--write-burst", "N", "... and how many may come at once (default 40)", false},
};

static const struct cli_spec serve_spec = {
    "registry serve",
    "--db FILE --listen ADDR:PORT --key FILE [--passphrase-fd N] [--base-url URL]\n"
    "       [--public] [--port-file FILE] [--listen-fd N] [--max-connections N]\n"
    "       [--max-per-ip N] [--timeout SECONDS] [--threads N] [--write-rate N]\n"
    "       [--write-burst N]",
    "Serve the registry's API over HTTP until SIGINT or SIGTERM. Public reads: GET /v1/health,\n"
    "/v1/status/<list>/<revocation|suspension> (status lists signed on demand with the\n"
    "registry key, valid 10 days), /v1/licenses/<number>, /v1/bundle (the trust bundle\n"
    "libro sync fetches) and the log (/v1/log/checkpoint, /v1/log/inclusion/<i>/<n>,\n"
    "/v1/log/consistency/<m>/<n>, /v1/log/leaves/<i>). Writes: POST requests signed by an\n"
    "issuer key the registry knows (libro registry authorize): /v1/reservations,\n"
    "/v1/licenses and /v1/licenses/<number>/<renew|suspend|reinstate|revoke|surrender>.\n"
    "Only a loopback address is accepted unless --public is given: put a TLS-terminating\n"
    "proxy in front and keep the registry itself on 127.0.0.1. --base-url is required except\n"
    "on 127.0.0.1, where the URL defaults to http://127.0.0.1:PORT with the port bound (so\n"
    "--listen 127.0.0.1:0 serves on any free port, at a URL that names it). Prints\n"
    "\"listening on http://ADDR:PORT\" on stderr once the socket is open, and with\n"
    "--port-file writes the port to FILE then: a new file (refused if FILE exists), which\n"
    "appears whole, holding the port and a newline; it is removed when the server stops.\n"
    "--listen-fd N serves on a listening socket the caller holds (a restart without a\n"
    "moment in which the port is free).",
    serve_opts,
    LIBRO_NELEM(serve_opts),
    0,
    0,
    registry_epilog,
};

/* "127.0.0.1:8080" or "[::1]:8080" into a NUL-terminated address and a port. */
static bool
parse_listen(char *addr, size_t addr_size, uint16_t *port, const char *text)
{
    libro_error ignored = LIBRO_ERROR_INIT;
    const char *colon = strrchr(text, ':');
    const char *start = text;
    size_t len;
    uint64_t p = 0;

    if (colon == NULL ||
        libro_parse_u64(&p, colon + 1, strlen(colon + 1), UINT16_MAX, &ignored) != LIBRO_OK) {
        return false;
    }
    len = (size_t) (colon - text);
    if (len > 0 && text[0] == '[') {
        if (len < 2 || text[len - 1] != ']') {
            return false;
        }
        start++;
        len -= 2;
    }
    if (len == 0 || len >= addr_size) {
        return false;
    }
    memcpy(addr, start, len);
    addr[len] = '\0';
    *port = (uint16_t) p;
    return true;
}

static bool
parse_limit(unsigned *out, const struct cli_args *a, const char *name, uint64_t max)
{
    libro_error ignored = LIBRO_ERROR_INIT;
    const char *text = cli_get(a, &serve_spec, name);
    uint64_t v = 0;

    if (text == NULL) {
        return true;
    }
    if (libro_parse_u64(&v, text, strlen(text), max, &ignored) != LIBRO_OK || v == 0) {
        return false;
    }
    *out = (unsigned) v;
    return true;
}

/* Write "<port>\n" to `path`, whole and never over an existing file: a temporary file beside
 * it (O_EXCL), then link(2), which fails when `path` exists. A reader polling for `path`
 * never sees it half written. */
static libro_code
write_port_file(const char *path, uint16_t port, libro_error *err)
{
    char text[8];
    libro_buf tmp = LIBRO_BUF_INIT;
    int n = snprintf(text, sizeof text, "%u\n", (unsigned) port);
    libro_code rc = n < 0 || (size_t) n >= sizeof text
                        ? libro_error_set(err, LIBRO_ERR_INVALID_ARG, "port: %u", (unsigned) port)
                        : libro_buf_printf(&tmp, err, "%s.%ld.tmp", path, (long) getpid());

    if (rc == LIBRO_OK) {
        rc = libro_file_write_new((const char *) tmp.data, text, (size_t) n, 0644, err);
    }
    if (rc == LIBRO_OK) {
        if (link((const char *) tmp.data, path) != 0) {
            rc = libro_error_set(err, errno == EEXIST ? LIBRO_ERR_EXISTS : LIBRO_ERR_IO,
                                 "--port-file %.120s: %s", path, strerror(errno));
        }
        (void) unlink((const char *) tmp.data);
    }
    libro_buf_free(&tmp);
    return rc;
}

static int
registry_serve(int argc, char **argv)
{
    struct cli_args a;
    const struct cli_spec *sp = &serve_spec;
    libro_error err = LIBRO_ERROR_INIT;
    libro_server_options opt = LIBRO_SERVER_OPTIONS_INIT;
    libro_server *server = NULL;
    libro_key *key = NULL;
    const char *port_file = NULL;
    bool wrote_port_file = false;
    char addr[64];
    sigset_t stop_signals;
    int sig = 0;
    int code = cli_parse(&a, sp, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (!cli_has(&a, sp, "--db") || !cli_has(&a, sp, "--listen") || !cli_has(&a, sp, "--key")) {
        return cli_usage_error(sp, "--db, --listen and --key are required");
    }
    if (!parse_listen(addr, sizeof addr, &opt.port, cli_get(&a, sp, "--listen"))) {
        return cli_usage_error(sp, "--listen: want ADDR:PORT (127.0.0.1:8080, [::1]:8080)");
    }
    if (!cli_has(&a, sp, "--base-url") && strcmp(addr, "127.0.0.1") != 0) {
        return cli_usage_error(sp, "--base-url is required unless --listen is 127.0.0.1:PORT");
    }
    if (cli_has(&a, sp, "--listen-fd")) {
        const char *text = cli_get(&a, sp, "--listen-fd");
        uint64_t fd = 0;

        if (libro_parse_u64(&fd, text, strlen(text), INT32_MAX, NULL) != LIBRO_OK) {
            return cli_usage_error(sp, "--listen-fd: want a descriptor number");
        }
        opt.listen_fd = (int) fd;
    }
    if (!parse_limit(&opt.max_connections, &a, "--max-connections", 65536) ||
        !parse_limit(&opt.max_connections_per_ip, &a, "--max-per-ip", 65536) ||
        !parse_limit(&opt.timeout_seconds, &a, "--timeout", 3600) ||
        !parse_limit(&opt.threads, &a, "--threads", 64) ||
        !parse_limit(&opt.write_rate, &a, "--write-rate", 1000000) ||
        !parse_limit(&opt.write_burst, &a, "--write-burst", 1000000)) {
        return cli_usage_error(sp, "limits: want a positive number (timeout up to 3600, threads "
                                   "up to 64)");
    }
    opt.db_path = cli_get(&a, sp, "--db");
    opt.listen_address = addr;
    opt.allow_public = cli_has(&a, sp, "--public");
    opt.base_url = cli_get(&a, sp, "--base-url");
    port_file = cli_get(&a, sp, "--port-file");
    code = CLI_EXIT_NO;
    if (port_file != NULL && file_exists(port_file)) {
        cli_errorf("registry serve: --port-file %s exists: remove it or name another", port_file);
        goto out;
    }
    if (cli_load_key(&key, cli_get(&a, sp, "--key"), cli_get(&a, sp, "--passphrase-fd"), &err) !=
        LIBRO_OK) {
        goto out_report;
    }
    opt.registry_key = key;
    /* Block the stop signals before the workers start, so that they inherit the mask and
     * only sigwait below receives them: no work in a signal handler. */
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    if (pthread_sigmask(SIG_BLOCK, &stop_signals, NULL) != 0) {
        cli_errorf("registry serve: cannot block SIGINT and SIGTERM");
        goto out;
    }
    if (libro_server_start(&server, &opt, &err) != LIBRO_OK) {
        goto out_report;
    }
    fprintf(stderr, "libro: listening on http://%s%s%s:%u\n", strchr(addr, ':') ? "[" : "", addr,
            strchr(addr, ':') ? "]" : "", (unsigned) libro_server_port(server));
    fflush(stderr);
    if (port_file != NULL) {
        if (write_port_file(port_file, libro_server_port(server), &err) != LIBRO_OK) {
            goto out_report;
        }
        wrote_port_file = true;
    }
    if (sigwait(&stop_signals, &sig) != 0) {
        cli_errorf("registry serve: sigwait failed");
        goto out;
    }
    fprintf(stderr, "libro: %s: stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    code = CLI_EXIT_OK;
    goto out;
out_report:
    cli_report(sp->command, &err);
out:
    libro_server_stop(server);
    if (wrote_port_file) {
        (void) unlink(port_file); /* the port is no longer ours */
    }
    /* The stop signals stay blocked: one more SIGINT or SIGTERM during shutdown must not kill
     * the process before the key is wiped and it exits 0. The process ends right after. */
    libro_key_free(key);
    return cli_finish(code);
}

/* ---- registry authorize -------------------------------------------------------------------- */

static const struct cli_opt authorize_opts[] = {
    {"--db", "FILE", "the registry database", false},
    {"--authorization", "FILE", "the issuer's IssuerAuthorization, signed by the community", false},
    {"--actor", "WHO", "who adds it (recorded)", false},
};

static const struct cli_spec authorize_spec = {
    "registry authorize",
    "--db FILE --authorization FILE --actor WHO",
    "Let an issuer write to the registry over HTTP: its IssuerAuthorization must be signed by\n"
    "the registry's community (checked against the charter's key) and not expired. The\n"
    "registry then accepts requests signed by the key it names, for the license types it\n"
    "grants, until it expires. Adding a newer authorization of the same key replaces it.",
    authorize_opts,
    LIBRO_NELEM(authorize_opts),
    0,
    0,
    registry_epilog,
};

/* A registry write that records one credential under an actor (authorize, chain). */
typedef libro_code (*record_fn)(libro_registry *r, const libro_request_id *req, const char *jws,
                                const char *actor, int64_t now, libro_error *err);

/* Read the credential file of option `file_opt`, open --db and record it with `fn`. */
static int
record_credential(int argc, char **argv, const struct cli_spec *sp, const char *file_opt,
                  record_fn fn, const char *done)
{
    struct cli_args a;
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;
    libro_buf jws = LIBRO_BUF_INIT;
    int code = cli_parse(&a, sp, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (!cli_has(&a, sp, "--db") || !cli_has(&a, sp, file_opt) || !cli_has(&a, sp, "--actor")) {
        return cli_usage_error(sp, "--db, %s and --actor are required", file_opt);
    }
    code = CLI_EXIT_NO;
    if (cli_read_token(&jws, cli_get(&a, sp, file_opt), &err) != LIBRO_OK ||
        libro_registry_open(&r, cli_get(&a, sp, "--db"), &err) != LIBRO_OK ||
        fn(r, NULL, (const char *) jws.data, cli_get(&a, sp, "--actor"), libro_time_now(), &err) !=
            LIBRO_OK) {
        cli_report(sp->command, &err);
    } else {
        fprintf(stderr, "libro: %s\n", done);
        code = CLI_EXIT_OK;
    }
    libro_registry_close(r);
    libro_buf_free(&jws);
    return cli_finish(code);
}

static int
registry_authorize(int argc, char **argv)
{
    return record_credential(argc, argv, &authorize_spec, "--authorization",
                             libro_registry_authorize_issuer,
                             "the registry accepts requests from this issuer's key");
}

/* ---- registry chain ------------------------------------------------------------------------ */

static const struct cli_opt chain_opts[] = {
    {"--db", "FILE", "the registry database", false},
    {"--add", "FILE", "the CommunityCharter of the community above the chain's top", false},
    {"--actor", "WHO", "who adds it (recorded)", false},
};

static const struct cli_spec chain_spec = {
    "registry chain",
    "--db FILE --add FILE --actor WHO",
    "Add a parent community's charter to the chain the registry's trust bundle carries, so\n"
    "that a verifier who pinned a community higher up can reach this one: the charter must be\n"
    "that of the community that chartered the chain's top (the registry's own community at\n"
    "first), and its key must have signed it. A self-chartered community is the top.",
    chain_opts,
    LIBRO_NELEM(chain_opts),
    0,
    0,
    registry_epilog,
};

static int
registry_chain(int argc, char **argv)
{
    return record_credential(argc, argv, &chain_spec, "--add", libro_registry_add_chain,
                             "added to the registry's chain");
}

static const struct cli_cmd registry_commands[] = {
    {"init", registry_init, "create a community's registry database"},
    {"type", registry_type, "define a license type (validity, renewal, requirements)"},
    {"authorize", registry_authorize, "let an issuer's key write over the API"},
    {"chain", registry_chain, "add a parent community's charter to the trust bundle"},
    {"status", registry_status, "publish a signed status list"},
    {"serve", registry_serve, "serve the registry's API over HTTP"},
};

int
cmd_registry(int argc, char **argv)
{
    return cli_dispatch_sub("registry", registry_commands, LIBRO_NELEM(registry_commands), argc,
                            argv);
}
