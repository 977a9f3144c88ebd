/* libro registry init|type|authorize|chain|status|serve|audit: a community's registry on a local
 * SQLite file (embedded mode, docs/operations.md): create it, define its license types, let issuers
 * in, extend its chain, publish its status lists, serve it, audit its log. Each parses its option
 * table and makes one library call. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "libro/encoding.h"
#include "libro/file.h"
#include "libro/issuer.h"
#include "libro/registry.h"
#include "libro/server.h"
#include "libro/statuslist.h"
#include "libro/time.h"
#include "libro/util.h"
#include "libro/webhook.h"

/* A status list's validity override: the publisher's bounds, in whole days. */
#define MAX_STATUS_LIST_DAYS (LIBRO_STATUS_LIST_MAX_SECONDS / 86400u)

static const char registry_epilog[] =
    "Exit status: 0 done, 1 refused or failed (reason on stderr), 2 bad command line.";

/* ---- registry init ------------------------------------------------------------------------- */

static const char *in_db;
static const char *in_charter;
static const char *in_auth;
static const char *in_community_key;
static const char *in_registry_key;
static const char *in_pass_fd;
static const char *in_id;
static const char *in_name;
static const char *in_level;
static const char *in_level_name;
static struct cli_list in_allow;
static const char *in_registry_id;
static const char *in_registry_name;
static const char *in_url;
static const char *in_days;
static bool in_json;

static const struct cli_option init_opts[] = {
    {CLI_OPT_VALUE, "--db", "FILE", &in_db, CLI_REQUIRED, 0,
     "the registry database to create: a new file (mode 0600), or a postgresql:// URI (its "
     "schema; no password in it)"},
    {CLI_OPT_VALUE, "--charter", "FILE", &in_charter, CLI_REQUIRED, 0,
     "the community's CommunityCharter (created, self-chartered, if absent)"},
    {CLI_OPT_VALUE, "--authorization", "FILE", &in_auth, CLI_REQUIRED, 0,
     "the registry's RegistryAuthorization, signed by the community (created if absent)"},
    {CLI_OPT_VALUE, "--community-key", "FILE", &in_community_key, 0, 0,
     "the community's key (created if absent); signs what is created"},
    {CLI_OPT_VALUE, "--registry-key", "FILE", &in_registry_key, 0, 0,
     "the registry's key (created if absent): a created authorization names it"},
    {CLI_OPT_VALUE, "--passphrase-fd", "N", &in_pass_fd, 0, 0,
     "the community key's passphrase, from descriptor N"},
    {CLI_OPT_VALUE, "--id", "ID", &in_id, 0, 0, "a created charter: the community's id"},
    {CLI_OPT_VALUE, "--name", "NAME", &in_name, 0, 0, "a created charter: the community's name"},
    {CLI_OPT_VALUE, "--level", "N", &in_level, 0, 0,
     "a created charter: its level, 0 (tribe) to 8 (world)"},
    {CLI_OPT_VALUE, "--level-name", "NAME", &in_level_name, 0, 0,
     "a created charter: the name of its level"},
    {CLI_OPT_LIST, "--allow", "TYPE", &in_allow, 0, 0,
     "a created charter: a license type the community may authorize"},
    {CLI_OPT_VALUE, "--registry-id", "ID", &in_registry_id, 0, 0,
     "a created authorization: the registry's id"},
    {CLI_OPT_VALUE, "--registry-name", "NAME", &in_registry_name, 0, 0,
     "a created authorization: the registry's name"},
    {CLI_OPT_VALUE, "--url", "URL", &in_url, 0, 0,
     "a created authorization: where the registry serves"},
    {CLI_OPT_VALUE, "--days", "N", &in_days, 0, 0,
     "validity of what is created (charter 3650, authorization 1825 by default)"},
    CLI_JSON_OPTION(&in_json, "registry-init.schema.json"),
};

static const struct cli_command init_cmd = {
    "registry init",
    "--db FILE --charter FILE --authorization FILE\n"
    "       [--community-key FILE [--passphrase-fd N]] [--registry-key FILE]\n"
    "       [--id ID --name NAME --level N [--level-name NAME] --allow TYPE...]\n"
    "       [--registry-id ID --registry-name NAME --url URL] [--days N] [--json]",
    "Create a community's registry: a new SQLite database holding its charter and the\n"
    "RegistryAuthorization that names the registry's key, or its tables in the current schema\n"
    "of the PostgreSQL database a postgresql:// URI names (the password from PGPASSFILE, a\n"
    "service file or PGPASSWORD, never the URI). An existing file, or a schema that holds a\n"
    "registry, is never overwritten. Given files are used as they are: a charter from the\n"
    "parent community, or the community's own. What is missing is created: the community key\n"
    "and the registry key (Ed25519, mode 0600), a self-chartered anchor charter (--id,\n"
    "--name, --level, --allow), and the registry authorization (--registry-id,\n"
    "--registry-name, --url), signed by the community key.",
    init_opts,
    LIBRO_NELEM(init_opts),
    registry_epilog,
};

/* The options that give each libro_registry_init_part, by its bit number. */
static const char *const init_part_options[LIBRO_REGISTRY_INIT_PARTS] = {
    "--community-key", "--registry-key", "--charter",     "--authorization", "--id",  "--name",
    "--level",         "--allow",        "--registry-id", "--registry-name", "--url",
};

/* Say on stderr what was created, as `libro key new` and `libro issue` would. */
static void
say_created(const libro_registry_init_result *res)
{
    if ((res->created & LIBRO_REGISTRY_INIT_COMMUNITY_KEY) != 0) {
        fprintf(stderr, "libro: created key %s\n", in_community_key);
    }
    if ((res->created & LIBRO_REGISTRY_INIT_REGISTRY_KEY) != 0) {
        fprintf(stderr, "libro: created key %s\n", in_registry_key);
    }
    if ((res->created & LIBRO_REGISTRY_INIT_CHARTER) != 0 && res->charter != NULL) {
        cli_say_issued(res->charter, in_charter);
    }
    if ((res->created & LIBRO_REGISTRY_INIT_AUTHORIZATION) != 0 && res->authorization != NULL) {
        cli_say_issued(res->authorization, in_auth);
    }
}

/* schemas/cli/registry-init.schema.json */
static libro_code
json_init(const libro_registry_init_result *res, libro_error *err)
{
    static const struct {
        unsigned bit;
        const char *name;
        const char **path;
    } parts[] = {
        {LIBRO_REGISTRY_INIT_COMMUNITY_KEY, "communityKey", &in_community_key},
        {LIBRO_REGISTRY_INIT_REGISTRY_KEY, "registryKey", &in_registry_key},
        {LIBRO_REGISTRY_INIT_CHARTER, "charter", &in_charter},
        {LIBRO_REGISTRY_INIT_AUTHORIZATION, "authorization", &in_auth},
    };
    struct cli_json j;
    size_t i;

    cli_json_begin(&j, err);
    cli_json_str(&j, "db", in_db);
    cli_json_open(&j, "community", '{');
    cli_json_str(&j, "id", res->charter->subject_id);
    cli_json_str(&j, "name", res->charter->name);
    cli_json_close(&j, '}');
    cli_json_open(&j, "registry", '{');
    cli_json_str(&j, "id", res->authorization->subject_id);
    cli_json_str(&j, "name", res->authorization->name);
    cli_json_close(&j, '}');
    /* What was created, and where: the files given that did not exist. */
    cli_json_open(&j, "created", '{');
    for (i = 0; i < LIBRO_NELEM(parts); i++) {
        if ((res->created & parts[i].bit) != 0) {
            cli_json_str(&j, parts[i].name, *parts[i].path);
        }
    }
    cli_json_close(&j, '}');
    return cli_json_end(&j);
}

static int
registry_init(int argc, char **argv)
{
    const struct cli_command *cmd = &init_cmd;
    libro_registry_init_options opt = LIBRO_REGISTRY_INIT_OPTIONS_INIT;
    libro_registry_init_result res = LIBRO_REGISTRY_INIT_RESULT_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf pass = LIBRO_BUF_INIT;
    libro_buf needs = LIBRO_BUF_INIT;
    uint64_t n = 0;
    libro_code rc;
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (in_level != NULL) {
        if (libro_parse_u64(&n, in_level, strlen(in_level), LIBRO_MAX_LEVEL, &err) != LIBRO_OK) {
            return cli_command_usage(cmd, "--level: want 0 to %d", LIBRO_MAX_LEVEL);
        }
        opt.level = (int) n;
    }
    if (in_days != NULL) {
        if (libro_parse_u64(&n, in_days, strlen(in_days), 36600, &err) != LIBRO_OK || n == 0) {
            return cli_command_usage(cmd, "--days: want 1 to 36600");
        }
        opt.days = (uint32_t) n;
    }
    opt.db_path = in_db;
    opt.charter_path = in_charter;
    opt.authorization_path = in_auth;
    opt.community_key_path = in_community_key;
    opt.registry_key_path = in_registry_key;
    opt.id = in_id;
    opt.name = in_name;
    opt.level_name = in_level_name;
    opt.allowed = in_allow.v;
    opt.n_allowed = in_allow.n;
    opt.registry_id = in_registry_id;
    opt.registry_name = in_registry_name;
    opt.url = in_url;
    code = CLI_EXIT_NO;
    if (in_pass_fd != NULL) {
        if (cli_read_passphrase_fd(&pass, in_pass_fd, &err) != LIBRO_OK) {
            goto out_report;
        }
        opt.passphrase = (const char *) pass.data;
        opt.passphrase_len = pass.len;
    }
    rc = libro_issuer_registry_init(&res, &opt, &err);
    /* An encrypted community key: ask on the terminal, as for any other key file. Nothing
     * has been written yet. */
    if (rc == LIBRO_ERR_PASSPHRASE && in_pass_fd == NULL && isatty(STDIN_FILENO)) {
        rc = cli_prompt_passphrase(&pass, "Passphrase for the community key: ", false, &err);
        opt.passphrase = (const char *) pass.data;
        opt.passphrase_len = pass.len;
        if (rc == LIBRO_OK) {
            libro_registry_init_result_clear(&res);
            rc = libro_issuer_registry_init(&res, &opt, &err);
        }
    }
    say_created(&res);
    /* What is missing, in the options that give it (the whole line: it may be long). */
    if (rc == LIBRO_ERR_INVALID_ARG && res.needs != 0 &&
        libro_registry_init_needs_text(&needs, &opt, res.needs, init_part_options, &err) ==
            LIBRO_OK) {
        if (in_json) {
            libro_error_set(&err, LIBRO_ERR_INVALID_ARG, "%s", (const char *) needs.data);
            cli_json_error(&err);
        }
        cli_errorf("%s: %s", cmd->command, (const char *) needs.data);
        goto out;
    }
    if (rc != LIBRO_OK) {
        goto out_report;
    }
    if (in_json) {
        if (json_init(&res, &err) != LIBRO_OK) {
            goto out_report;
        }
    } else {
        printf("created registry %s\n", in_db);
        printf("  community      %s (%s)\n", res.charter->subject_id, res.charter->name);
        printf("  registry       %s (%s)\n", res.authorization->subject_id,
               res.authorization->name);
    }
    code = CLI_EXIT_OK;
    goto out;
out_report:
    cli_report_json(cmd->command, &err, in_json);
out:
    libro_registry_init_result_clear(&res);
    libro_buf_free(&needs);
    libro_buf_free(&pass);
    return cli_finish(code);
}

/* ---- registry type ------------------------------------------------------------------------- */

static const char *ty_db;
static const char *ty_id;
static const char *ty_validity;
static const char *ty_window;
static const char *ty_grace;
static const char *ty_requires;
static const char *ty_renewal_from;
static const char *ty_actor;
static bool ty_json;

static const struct cli_option type_opts[] = {
    {CLI_OPT_VALUE, "--db", "FILE", &ty_db, CLI_REQUIRED, 0,
     "the registry database: a file, or a postgresql:// URI"},
    {CLI_OPT_VALUE, "--id", "TYPE", &ty_id, CLI_REQUIRED, 0, "the license type's id ([a-z0-9-])"},
    {CLI_OPT_VALUE, "--validity-days", "N", &ty_validity, CLI_REQUIRED, 0,
     "how long a license of this type runs"},
    {CLI_OPT_VALUE, "--renewal-window-days", "N", &ty_window, CLI_REQUIRED, 0,
     "renewal opens this long before validUntil"},
    {CLI_OPT_VALUE, "--grace-days", "N", &ty_grace, CLI_REQUIRED, 0,
     "renewal stays open this long after it; then the license lapses"},
    {CLI_OPT_VALUE, "--requires", "TEXT", &ty_requires, 0, 0,
     "renewal requirements: 'cpd_hours >= 60, supervised_hours >= 100'"},
    {CLI_OPT_VALUE, "--renewal-from", "expiry|now", &ty_renewal_from, 0, 0,
     "where a renewal's term starts: the old validUntil, keeping an early renewal's\n"
     "days left (expiry, the default), or the time of renewal (now)"},
    {CLI_OPT_VALUE, "--actor", "WHO", &ty_actor, CLI_REQUIRED, 0,
     "who defines the type (recorded)"},
    CLI_JSON_OPTION(&ty_json, "registry-type.schema.json"),
};

static const struct cli_command type_cmd = {
    "registry type",
    "--db FILE --id TYPE --validity-days N --renewal-window-days N --grace-days N\n"
    "       [--requires TEXT] [--renewal-from expiry|now] --actor WHO [--json]",
    "Define (or redefine) a license type: its validity, when renewal opens and how long it\n"
    "stays open after expiry, and what evidence a renewal needs (comma-separated, all must\n"
    "hold; operators >=, >, ==, <=, <; values are non-negative integers). A redefinition\n"
    "applies to later actions.",
    type_opts,
    LIBRO_NELEM(type_opts),
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

/* schemas/cli/registry-type.schema.json */
static libro_code
json_type(const libro_license_type *t, libro_error *err)
{
    struct cli_json j;
    size_t i;

    cli_json_begin(&j, err);
    cli_json_open(&j, "type", '{');
    cli_json_str(&j, "id", t->id);
    cli_json_int(&j, "validityDays", t->validity_days);
    cli_json_int(&j, "renewalWindowDays", t->renewal_window_days);
    cli_json_int(&j, "graceDays", t->grace_days);
    cli_json_open(&j, "requires", '[');
    for (i = 0; i < t->n_requirements; i++) {
        cli_json_open(&j, NULL, '{');
        cli_json_str(&j, "evidence", t->requirements[i].evidence);
        cli_json_str(&j, "op", t->requirements[i].op);
        cli_json_int(&j, "value", t->requirements[i].value);
        cli_json_close(&j, '}');
    }
    cli_json_close(&j, ']');
    cli_json_close(&j, '}');
    return cli_json_end(&j);
}

static int
registry_type(int argc, char **argv)
{
    const struct cli_command *cmd = &type_cmd;
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;
    libro_license_type t = {0};
    size_t i;
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (!parse_days(&t.validity_days, ty_validity, 1) ||
        !parse_days(&t.renewal_window_days, ty_window, 0) ||
        !parse_days(&t.grace_days, ty_grace, 0)) {
        return cli_command_usage(cmd, "days: want a number up to %u (validity at least 1)",
                                 LIBRO_MAX_VALIDITY_DAYS);
    }
    if (ty_renewal_from != NULL && strcmp(ty_renewal_from, "now") == 0) {
        t.renewal_from = LIBRO_RENEWAL_FROM_NOW;
    } else if (ty_renewal_from != NULL && strcmp(ty_renewal_from, "expiry") != 0) {
        return cli_command_usage(cmd, "--renewal-from: want expiry or now");
    }
    code = CLI_EXIT_NO;
    t.id = libro_strndup(ty_id, strlen(ty_id));
    if (t.id == NULL) {
        libro_error_set(&err, LIBRO_ERR_NOMEM, "out of memory");
        goto out_report;
    }
    if (ty_requires != NULL &&
        libro_requirements_parse(&t.requirements, &t.n_requirements, ty_requires,
                                 strlen(ty_requires), &err) != LIBRO_OK) {
        libro_error_prefix(&err, "--requires");
        goto out_report;
    }
    if (libro_registry_open(&r, ty_db, &err) != LIBRO_OK ||
        libro_registry_define_type(r, NULL, &t, ty_actor, &err) != LIBRO_OK) {
        goto out_report;
    }
    if (ty_json) {
        if (json_type(&t, &err) != LIBRO_OK) {
            goto out_report;
        }
        code = CLI_EXIT_OK;
        goto out;
    }
    printf("license type %s: validity %u days, renewal from %u days before expiry until %u "
           "days after, renewed terms running from %s\n",
           t.id, (unsigned) t.validity_days, (unsigned) t.renewal_window_days,
           (unsigned) t.grace_days, libro_renewal_from_name(t.renewal_from));
    for (i = 0; i < t.n_requirements; i++) {
        printf("  requires %s %s %lld\n", t.requirements[i].evidence, t.requirements[i].op,
               (long long) t.requirements[i].value);
    }
    code = CLI_EXIT_OK;
    goto out;
out_report:
    cli_report_json(cmd->command, &err, ty_json);
out:
    libro_license_type_clear(&t);
    libro_registry_close(r);
    return cli_finish(code);
}

/* ---- registry status ----------------------------------------------------------------------- */

static const char *st_db;
static const char *st_key;
static const char *st_list;
static const char *st_purpose;
static const char *st_id;
static const char *st_days;
static const char *st_out;
static const char *st_pass_fd;
static bool st_json;

static const struct cli_option status_opts[] = {
    {CLI_OPT_VALUE, "--db", "FILE", &st_db, CLI_REQUIRED, 0,
     "the registry database: a file, or a postgresql:// URI"},
    {CLI_OPT_VALUE, "--key", "FILE", &st_key, CLI_REQUIRED, 0,
     "the registry's signing key (named by its RegistryAuthorization)"},
    {CLI_OPT_VALUE, "--list", "N", &st_list, CLI_REQUIRED, 0,
     "which pair of status lists (0, 1, ...)"},
    {CLI_OPT_VALUE, "--purpose", "PURPOSE", &st_purpose, CLI_REQUIRED, 0,
     "revocation, suspension or message"},
    {CLI_OPT_VALUE, "--id", "URL", &st_id, CLI_REQUIRED, 0,
     "the URL the list is served at (the licenses' statusListCredential)"},
    {CLI_OPT_VALUE, "--days", "N", &st_days, 0, 0,
     "validity in days, 1 to 31 (default 10); never past the authorization"},
    {CLI_OPT_VALUE, "--out", "FILE", &st_out, CLI_REQUIRED, 0,
     "where to write the signed list ('-' = stdout)"},
    {CLI_OPT_VALUE, "--passphrase-fd", "N", &st_pass_fd, 0, 0,
     "read the signing key's passphrase from descriptor N"},
    CLI_JSON_OPTION(&st_json, "registry-status.schema.json"),
};

static const struct cli_command status_cmd = {
    "registry status",
    "--db FILE --key FILE --list N --purpose revocation|suspension|message --id URL\n"
    "       [--days N] --out FILE [--json]",
    "Publish one status list: the registry's current bits of list N for the purpose, as a\n"
    "BitstringStatusListCredential signed by the registry key (issuer: the registry's id\n"
    "from its authorization), by the rules `libro registry serve` signs by: valid from now\n"
    "(to the millisecond) for 10 days, or --days N, but never past the end of the registry\n"
    "authorization, and nothing once it has ended. Serve it at --id, the URL the licenses'\n"
    "credentialStatus names (<status-url-base>/<list>/<purpose>).",
    status_opts,
    LIBRO_NELEM(status_opts),
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
    const struct cli_command *cmd = &status_cmd;
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;
    libro_key *key = NULL;
    libro_credential *auth = NULL;
    libro_published_list last = {0};
    libro_publish_options opt = LIBRO_PUBLISH_OPTIONS_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    char until[LIBRO_TIME_TEXT_MAX];
    uint64_t list = 0;
    uint64_t days = LIBRO_STATUS_LIST_SECONDS / 86400u;
    bool fresh = false;
    libro_error ignored = LIBRO_ERROR_INIT;
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (strcmp(st_purpose, "revocation") == 0) {
        opt.purpose = LIBRO_STATUS_REVOCATION;
    } else if (strcmp(st_purpose, "suspension") == 0) {
        opt.purpose = LIBRO_STATUS_SUSPENSION;
    } else if (strcmp(st_purpose, "message") == 0) {
        opt.purpose = LIBRO_STATUS_MESSAGE;
    } else {
        return cli_command_usage(cmd, "--purpose: want revocation, suspension or message");
    }
    if (libro_parse_u64(&list, st_list, strlen(st_list), UINT32_MAX, &ignored) != LIBRO_OK) {
        return cli_command_usage(cmd, "--list: want a list number");
    }
    if (st_days != NULL && (libro_parse_u64(&days, st_days, strlen(st_days), MAX_STATUS_LIST_DAYS,
                                            &ignored) != LIBRO_OK ||
                            days == 0)) {
        return cli_command_usage(cmd, "--days: want 1 to %u", MAX_STATUS_LIST_DAYS);
    }
    if (cli_json_out_problem(st_json, st_out) != NULL) {
        return cli_command_usage(cmd, "%s", cli_json_out_problem(st_json, st_out));
    }
    opt.url = st_id;
    opt.list = (uint32_t) list;
    opt.seconds = (uint32_t) days * 86400u;
    opt.now_ms = libro_time_now_ms();
    code = CLI_EXIT_NO;
    if (cli_load_key(&key, st_key, st_pass_fd, &err) != LIBRO_OK ||
        libro_registry_open(&r, st_db, &err) != LIBRO_OK ||
        registry_identity(&auth, r, key, &err) != LIBRO_OK ||
        libro_registry_publish_list(&jws, &fresh, &last, r, key, auth, &opt, &err) != LIBRO_OK ||
        libro_time_format(until, last.valid_until, &err) != LIBRO_OK ||
        libro_buf_append(&jws, "\n", 1, &err) != LIBRO_OK ||
        cli_write_output(st_out, jws.data, jws.len, &err) != LIBRO_OK) {
        goto out_report;
    }
    fprintf(stderr, "libro: published %s list %u (valid until %s) -> %s\n", st_purpose,
            (unsigned) list, until, st_out);
    if (st_json) {
        struct cli_json j;

        cli_json_begin(&j, &err);
        cli_json_int(&j, "list", (int64_t) list);
        cli_json_str(&j, "purpose", st_purpose);
        cli_json_str(&j, "id", st_id);
        cli_json_str(&j, "issuer", auth->subject_id);
        cli_json_time(&j, "validUntil", last.valid_until);
        cli_json_str(&j, "out", st_out);
        if (cli_json_end(&j) != LIBRO_OK) {
            goto out_report;
        }
    }
    code = CLI_EXIT_OK;
    goto out;
out_report:
    cli_report_json(cmd->command, &err, st_json);
out:
    libro_buf_free(&jws);
    libro_credential_free(auth);
    libro_registry_close(r);
    libro_key_free(key);
    return cli_finish(code);
}

/* ---- registry serve ------------------------------------------------------------------------ */

static const char *sv_db;
static const char *sv_listen;
static const char *sv_key;
static const char *sv_pass_fd;
static const char *sv_base_url;
static const char *sv_port_file;
static const char *sv_listen_fd;
static bool sv_public;
static const char *sv_max_connections;
static const char *sv_max_per_ip;
static const char *sv_timeout;
static const char *sv_threads;
static const char *sv_write_rate;
static const char *sv_write_burst;
static bool sv_read_only;
static const char *sv_request_log;
static const char *sv_webhook_backoff;

static const struct cli_option serve_opts[] = {
    {CLI_OPT_VALUE, "--db", "FILE", &sv_db, CLI_REQUIRED, 0,
     "the registry database: a file, or a postgresql:// URI"},
    {CLI_OPT_VALUE, "--listen", "ADDR:PORT", &sv_listen, CLI_REQUIRED, 0,
     "where to listen: 127.0.0.1:8080, [::1]:8080 (port 0: any free one)"},
    {CLI_OPT_VALUE, "--key", "FILE", &sv_key, CLI_REQUIRED, 0,
     "the registry's signing key (named by its RegistryAuthorization)"},
    {CLI_OPT_VALUE, "--passphrase-fd", "N", &sv_pass_fd, 0, 0,
     "read the signing key's passphrase from descriptor N"},
    {CLI_OPT_VALUE, "--base-url", "URL", &sv_base_url, 0, 0,
     "the registry's public URL (https://..., or http://127.0.0.1...; on 127.0.0.1 by default "
     "http://127.0.0.1:PORT)"},
    {CLI_OPT_VALUE, "--port-file", "FILE", &sv_port_file, 0, 0,
     "write the port bound to FILE, a new file, once listening"},
    {CLI_OPT_VALUE, "--listen-fd", "N", &sv_listen_fd, 0, 0,
     "serve on the listening socket inherited as descriptor N, bound to the --listen address "
     "(whose port is then the socket's)"},
    {CLI_OPT_SWITCH, "--public", NULL, &sv_public, 0, 0, "allow a non-loopback --listen address"},
    {CLI_OPT_VALUE, "--max-connections", "N", &sv_max_connections, 0, 0,
     "open connections in all (default 256)"},
    {CLI_OPT_VALUE, "--max-per-ip", "N", &sv_max_per_ip, 0, 0,
     "open connections from one address (default 16)"},
    {CLI_OPT_VALUE, "--timeout", "SECONDS", &sv_timeout, 0, 0,
     "close a connection idle this long (default 30)"},
    {CLI_OPT_VALUE, "--threads", "N", &sv_threads, 0, 0, "worker threads (default 4)"},
    {CLI_OPT_VALUE, "--write-rate", "N", &sv_write_rate, 0, 0,
     "signed writes per second from one address (default 20)"},
    {CLI_OPT_VALUE, "--write-burst", "N", &sv_write_burst, 0, 0,
     "... and how many may come at once (default 40)"},
    {CLI_OPT_SWITCH, "--read-only", NULL, &sv_read_only, 0, 0,
     "serve reads only: writes answer 503 read_only (needed for a database the process "
     "cannot write)"},
    {CLI_OPT_VALUE, "--request-log", "FILE", &sv_request_log, 0, 0,
     "append the request log to FILE instead of stderr (- for stderr, none for no log)"},
    {CLI_OPT_VALUE, "--webhook-backoff", "SECONDS", &sv_webhook_backoff, 0, 0,
     "the first webhook retry's delay, doubled for each next one up to an hour (default 5)"},
};

static const struct cli_command serve_cmd = {
    "registry serve",
    "--db FILE --listen ADDR:PORT --key FILE [--passphrase-fd N] [--base-url URL]\n"
    "       [--public] [--port-file FILE] [--listen-fd N] [--max-connections N]\n"
    "       [--max-per-ip N] [--timeout SECONDS] [--threads N] [--write-rate N]\n"
    "       [--write-burst N] [--read-only] [--request-log FILE]\n"
    "       [--webhook-backoff SECONDS]",
    "Serve the registry's API over HTTP until SIGINT or SIGTERM. Public reads: GET /v1/health,\n"
    "/v1/status/<list>/<revocation|suspension|message> (status lists signed on demand with\n"
    "the registry key, valid 10 days), /v1/licenses/<number>, /v1/bundle (the trust bundle\n"
    "libro sync fetches) and the log (/v1/log/checkpoint, /v1/log/inclusion/<i>/<n>,\n"
    "/v1/log/consistency/<m>/<n>, /v1/log/leaves/<i>, /v1/log/leaves?start=<i>&count=<n>),\n"
    "/v1/feed.atom (Atom: the latest license changes). Writes: POST requests signed by an\n"
    "issuer key the registry knows (libro registry authorize): /v1/reservations,\n"
    "/v1/licenses and /v1/licenses/<number>/<renew|suspend|reinstate|revoke|surrender>.\n"
    "The public register, for people (HTML, no script): / (search by license number or\n"
    "holder name), /licenses?number=N, /licenses?holder=NAME (up to 50 licenses whose\n"
    "holder has a word beginning with NAME), /licenses/<number> (the license's status in\n"
    "words and public history; /v1/licenses/<number> too, for a browser) and\n"
    "/v1/licenses/<number>/public.jwt (that record signed with the registry key, typ\n"
    "libro-record+jwt: check it with libro jws verify --key REGISTRY.pub).\n"
    "Only a loopback address is accepted unless --public is given: put a TLS-terminating\n"
    "proxy in front and keep the registry itself on 127.0.0.1. --base-url is required except\n"
    "on 127.0.0.1, where the URL defaults to http://127.0.0.1:PORT with the port bound (so\n"
    "--listen 127.0.0.1:0 serves on any free port, at a URL that names it). Prints\n"
    "\"listening on http://ADDR:PORT\" on stderr once the socket is open, and with\n"
    "--port-file writes the port to FILE then: a new file (refused if FILE exists), which\n"
    "appears whole, holding the port and a newline; it is removed when the server stops.\n"
    "--listen-fd N serves on a listening socket the caller holds (a restart without a\n"
    "moment in which the port is free).\n"
    "At start the database gets SQLite's integrity and foreign key checks, and one the\n"
    "process cannot write is refused unless --read-only is given. A write that storage\n"
    "refuses is logged on stderr, one line each: 503 busy, 503 conflict, 503 unavailable\n"
    "(each with Retry-After), 507 storage_full, 503 read_only, 500 io_error. After an I/O error (a "
    "failed write or\n"
    "fsync) no write is acknowledged until the server is restarted. The log's stored hashes\n"
    "are checked against the leaves added since the last audit at start (a damaged log is\n"
    "refused: see libro registry audit) and before a checkpoint is signed over new leaves\n"
    "(/v1/log/checkpoint and /v1/bundle answer 503 log_damaged while it is damaged).\n"
    "GET /v1/health answers 200 while the database answers a read, else 503.\n"
    "The request log has one line per request, on stderr unless --request-log names a file\n"
    "(opened for appending, created 0640): time (UTC), client address, method, path without\n"
    "its query, status (0: cut off before an answer), body bytes, duration; never a header,\n"
    "a body or a signature. On SIGINT or SIGTERM the server stops accepting connections,\n"
    "answers the requests it has received (waiting at most --timeout), removes the port\n"
    "file and exits 0.\n"
    "Unless --read-only, a delivery thread sends the license events of the log to the\n"
    "webhooks of libro registry webhook add, signed with --key (Standard Webhooks, v1a),\n"
    "looking at the log every second, and each license coming within a subscription's\n"
    "expiry horizon (looked for at most once a minute per subscription); a failed\n"
    "delivery is logged on stderr and retried\n"
    "after --webhook-backoff seconds, doubling up to an hour. No write waits for it.",
    serve_opts,
    LIBRO_NELEM(serve_opts),
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

/* An optional positive number up to `max`: `text` NULL leaves *out as it is. */
static bool
parse_limit(unsigned *out, const char *text, uint64_t max)
{
    libro_error ignored = LIBRO_ERROR_INIT;
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

static bool
file_exists(const char *path)
{
    struct stat st;

    return lstat(path, &st) == 0;
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

/* The server's log lines (storage refusals), from any worker: stdio locks the stream. */
static void
serve_log(void *ctx, const char *line)
{
    (void) ctx;
    fprintf(stderr, "libro: registry serve: %s\n", line);
    fflush(stderr);
}

/* The request log's lines, to the stream `ctx`, whole (stdio locks it per call). */
static void
request_log(void *ctx, const char *line)
{
    FILE *f = ctx;

    fprintf(f, "%s\n", line);
    fflush(f);
}

/* The stream of --request-log: stderr for none or "-", NULL (*off) for "none", else FILE
 * opened for appending (O_NOFOLLOW: not through a link someone else planted). */
static FILE *
open_request_log(const char *path, bool *off)
{
    int fd;
    FILE *f;

    *off = path != NULL && strcmp(path, "none") == 0;
    if (path == NULL || strcmp(path, "-") == 0 || *off) {
        return stderr;
    }
    fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0640);
    if (fd < 0) {
        cli_errorf("registry serve: --request-log %s: %s", path, strerror(errno));
        return NULL;
    }
    f = fdopen(fd, "a");
    if (f == NULL) {
        cli_errorf("registry serve: --request-log %s: %s", path, strerror(errno));
        (void) close(fd);
    }
    return f;
}

static int
registry_serve(int argc, char **argv)
{
    const struct cli_command *cmd = &serve_cmd;
    libro_error err = LIBRO_ERROR_INIT;
    libro_server_options opt = LIBRO_SERVER_OPTIONS_INIT;
    libro_server *server = NULL;
    libro_webhook_sender_options wopt = LIBRO_WEBHOOK_SENDER_OPTIONS_INIT;
    libro_webhook_sender *sender = NULL;
    libro_key *key = NULL;
    bool wrote_port_file = false;
    FILE *reqlog = NULL;
    bool reqlog_off = false;
    char addr[64];
    sigset_t stop_signals;
    int sig = 0;
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (!parse_listen(addr, sizeof addr, &opt.port, sv_listen)) {
        return cli_command_usage(cmd, "--listen: want ADDR:PORT (127.0.0.1:8080, [::1]:8080)");
    }
    if (sv_base_url == NULL && strcmp(addr, "127.0.0.1") != 0) {
        return cli_command_usage(cmd, "--base-url is required unless --listen is 127.0.0.1:PORT");
    }
    if (sv_listen_fd != NULL) {
        uint64_t fd = 0;

        if (libro_parse_u64(&fd, sv_listen_fd, strlen(sv_listen_fd), INT32_MAX, NULL) != LIBRO_OK) {
            return cli_command_usage(cmd, "--listen-fd: want a descriptor number");
        }
        opt.listen_fd = (int) fd;
    }
    if (!parse_limit(&opt.max_connections, sv_max_connections, 65536) ||
        !parse_limit(&opt.max_connections_per_ip, sv_max_per_ip, 65536) ||
        !parse_limit(&opt.timeout_seconds, sv_timeout, 3600) ||
        !parse_limit(&opt.threads, sv_threads, 64) ||
        !parse_limit(&opt.write_rate, sv_write_rate, 1000000) ||
        !parse_limit(&opt.write_burst, sv_write_burst, 1000000)) {
        return cli_command_usage(cmd, "limits: want a positive number (timeout up to 3600, "
                                      "threads up to 64)");
    }
    if (!parse_limit(&wopt.backoff_seconds, sv_webhook_backoff, LIBRO_WEBHOOK_MAX_BACKOFF)) {
        return cli_command_usage(cmd, "--webhook-backoff: want 1 to %u seconds",
                                 LIBRO_WEBHOOK_MAX_BACKOFF);
    }
    opt.db_path = sv_db;
    opt.listen_address = addr;
    opt.allow_public = sv_public;
    opt.base_url = sv_base_url;
    opt.read_only = sv_read_only;
    opt.log = serve_log;
    code = CLI_EXIT_NO;
    if (sv_port_file != NULL && file_exists(sv_port_file)) {
        cli_errorf("registry serve: --port-file %s exists: remove it or name another",
                   sv_port_file);
        goto out;
    }
    reqlog = open_request_log(sv_request_log, &reqlog_off);
    if (reqlog == NULL) {
        goto out;
    }
    if (!reqlog_off) {
        opt.request_log = request_log;
        opt.request_log_ctx = reqlog;
    }
    if (cli_load_key(&key, sv_key, sv_pass_fd, &err) != LIBRO_OK) {
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
        if (err.code == LIBRO_ERR_READONLY && !sv_read_only) {
            cli_report(cmd->command, &err);
            cli_errorf("registry serve: add --read-only to serve reads only");
            goto out;
        }
        goto out_report;
    }
    if (!sv_read_only) {
        wopt.db_path = sv_db;
        wopt.key = key;
        wopt.log = serve_log;
        if (libro_webhook_sender_start(&sender, &wopt, &err) != LIBRO_OK) {
            if (err.code != LIBRO_ERR_UNSUPPORTED) {
                goto out_report;
            }
            cli_errorf("registry serve: no webhooks are sent: %s", err.msg);
        }
    }
    fprintf(stderr, "libro: listening on http://%s%s%s:%u\n", strchr(addr, ':') ? "[" : "", addr,
            strchr(addr, ':') ? "]" : "", (unsigned) libro_server_port(server));
    fflush(stderr);
    if (sv_port_file != NULL) {
        if (write_port_file(sv_port_file, libro_server_port(server), &err) != LIBRO_OK) {
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
    cli_report(cmd->command, &err);
out:
    libro_webhook_sender_stop(sender);
    libro_server_stop(server);
    if (reqlog != NULL && reqlog != stderr) {
        (void) fclose(reqlog);
    }
    if (wrote_port_file) {
        (void) unlink(sv_port_file); /* the port is no longer ours */
    }
    /* The stop signals stay blocked: one more SIGINT or SIGTERM during shutdown must not kill
     * the process before the key is wiped and it exits 0. The process ends right after. */
    libro_key_free(key);
    return cli_finish(code);
}

/* ---- registry authorize -------------------------------------------------------------------- */
/* ---- registry authorize, registry chain ------------------------------------------------------ */
static const char *rc_db;
static const char *rc_file;
static const char *rc_actor;
static bool rc_allow_unrecorded;
static bool rc_json;

static const struct cli_option authorize_opts[] = {
    {CLI_OPT_VALUE, "--db", "FILE", &rc_db, CLI_REQUIRED, 0,
     "the registry database: a file, or a postgresql:// URI"},
    {CLI_OPT_VALUE, "--authorization", "FILE", &rc_file, CLI_REQUIRED, 0,
     "the issuer's IssuerAuthorization, signed by the community"},
    {CLI_OPT_VALUE, "--actor", "WHO", &rc_actor, CLI_REQUIRED, 0, "who adds it (recorded)"},
    {CLI_OPT_SWITCH, "--allow-unrecorded", NULL, &rc_allow_unrecorded, 0, 0,
     "accept an authorization without statusRegistry"},
    CLI_JSON_OPTION(&rc_json, "registry-record.schema.json"),
};

static const struct cli_command authorize_cmd = {
    "registry authorize",
    "--db FILE --authorization FILE --actor WHO [--allow-unrecorded] [--json]",
    "Let an issuer write to the registry over HTTP: its IssuerAuthorization must be signed by\n"
    "the registry's community (checked against the charter's key) and not expired. The\n"
    "registry then accepts requests signed by the key it names, for the license types it\n"
    "grants, until it expires. Adding a newer authorization of the same key replaces it.\n"
    "The authorization must require status entries from this registry (made with\n"
    "libro issue authorization --status-registry URL, the url of the registry's own\n"
    "authorization when it has one), so that a license signed with the issuer's key but\n"
    "never recorded here does not verify. --allow-unrecorded accepts one without\n"
    "statusRegistry: licenses under it verify without being on record anywhere.",
    authorize_opts,
    LIBRO_NELEM(authorize_opts),
    registry_epilog,
};

static const struct cli_option chain_opts[] = {
    {CLI_OPT_VALUE, "--db", "FILE", &rc_db, CLI_REQUIRED, 0,
     "the registry database: a file, or a postgresql:// URI"},
    {CLI_OPT_VALUE, "--add", "FILE", &rc_file, CLI_REQUIRED, 0,
     "the CommunityCharter of the community above the chain's top"},
    {CLI_OPT_VALUE, "--actor", "WHO", &rc_actor, CLI_REQUIRED, 0, "who adds it (recorded)"},
    CLI_JSON_OPTION(&rc_json, "registry-record.schema.json"),
};

static const struct cli_command chain_cmd = {
    "registry chain",
    "--db FILE --add FILE --actor WHO [--json]",
    "Add a parent community's charter to the chain the registry's trust bundle carries, so\n"
    "that a verifier who pinned a community higher up can reach this one: the charter must be\n"
    "that of the community that chartered the chain's top (the registry's own community at\n"
    "first), and its key must have signed it. A self-chartered community is the top.",
    chain_opts,
    LIBRO_NELEM(chain_opts),
    registry_epilog,
};

/* A registry write that records one credential under an actor (authorize, chain). */
typedef libro_code (*record_fn)(libro_registry *r, const libro_request_id *req, const char *jws,
                                const char *actor, int64_t now, libro_error *err);

/* schemas/cli/registry-record.schema.json: the credential a registry recorded. */
static libro_code
json_recorded(const libro_credential *c, libro_error *err)
{
    struct cli_json j;

    cli_json_begin(&j, err);
    cli_json_str(&j, "type", libro_cred_type_name(c->type));
    cli_json_str(&j, "issuer", c->issuer);
    cli_json_str(&j, "id", c->subject_id);
    cli_json_str(&j, "name", c->name);
    cli_json_time(&j, "validUntil", c->valid_until);
    return cli_json_end(&j);
}

/* Read the credential file, open --db and record it with `fn`. */
static int
record_credential(int argc, char **argv, const struct cli_command *cmd, record_fn fn,
                  const char *done)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;
    libro_credential *c = NULL;
    libro_buf jws = LIBRO_BUF_INIT;
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    code = CLI_EXIT_NO;
    if (cli_read_token(&jws, rc_file, &err) != LIBRO_OK ||
        libro_registry_open(&r, rc_db, &err) != LIBRO_OK ||
        fn(r, NULL, (const char *) jws.data, rc_actor, libro_time_now(), &err) != LIBRO_OK ||
        /* Recorded, so checked: its payload names what was added. */
        (rc_json &&
         (cli_credential_from_jws(&c, (const char *) jws.data, jws.len, &err) != LIBRO_OK ||
          json_recorded(c, &err) != LIBRO_OK))) {
        cli_report_json(cmd->command, &err, rc_json);
    } else {
        fprintf(stderr, "libro: %s\n", done);
        code = CLI_EXIT_OK;
    }
    libro_credential_free(c);
    libro_registry_close(r);
    libro_buf_free(&jws);
    return cli_finish(code);
}

/* libro_registry_authorize_issuer with the policy --allow-unrecorded chose. */
static libro_code
authorize_issuer(libro_registry *r, const libro_request_id *req, const char *jws, const char *actor,
                 int64_t now, libro_error *err)
{
    return libro_registry_authorize_issuer(
        r, req, jws, rc_allow_unrecorded ? LIBRO_AUTHORIZE_ALLOW_UNRECORDED : 0u, actor, now, err);
}

static int
registry_authorize(int argc, char **argv)
{
    return record_credential(argc, argv, &authorize_cmd, authorize_issuer,
                             "the registry accepts requests from this issuer's key");
}

static int
registry_chain(int argc, char **argv)
{
    return record_credential(argc, argv, &chain_cmd, libro_registry_add_chain,
                             "added to the registry's chain");
}

/* ---- registry audit ------------------------------------------------------------------------ */

static const char *au_db;
static bool au_json;

static const struct cli_option audit_opts[] = {
    {CLI_OPT_VALUE, "--db", "FILE", &au_db, CLI_REQUIRED, 0,
     "the registry database: a file, or a postgresql:// URI"},
    CLI_JSON_OPTION(&au_json, "registry-audit.schema.json"),
};

static const struct cli_command audit_cmd = {
    "registry audit",
    "--db FILE [--json]",
    "Check the whole log: every leaf's text against its stored hash, every stored subtree\n"
    "hash against the two below it, and the root last audited against the one recorded then.\n"
    "Intact: says how much was checked, then the root recomputed from the leaves (standard\n"
    "base64, as a checkpoint writes it: `root of N leaves: ROOT`) and exits 0. Damaged: names\n"
    "the first leaf or node that does not match, and the leaves it covers, and exits 1;\n"
    "restore the database from a backup. `registry serve` makes the same check, of the\n"
    "leaves added since the last one, when it starts and before it signs a checkpoint over\n"
    "new leaves.",
    audit_opts,
    LIBRO_NELEM(audit_opts),
    registry_epilog,
};

/* schemas/cli/registry-audit.schema.json: an intact log. */
static libro_code
json_audit(const libro_log_audit *rep, const char *root, libro_error *err)
{
    struct cli_json j;

    cli_json_begin(&j, err);
    cli_json_int(&j, "size", (int64_t) rep->size);
    cli_json_int(&j, "leavesChecked", (int64_t) rep->leaves_checked);
    cli_json_int(&j, "hashesChecked", (int64_t) rep->nodes_checked);
    cli_json_str(&j, "root", root);
    return cli_json_end(&j);
}

static int
registry_audit(int argc, char **argv)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;
    libro_log_audit rep = {0};
    libro_buf root = LIBRO_BUF_INIT;
    int code = cli_parse_command(&audit_cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    code = CLI_EXIT_NO;
    if (libro_registry_open(&r, au_db, &err) != LIBRO_OK ||
        libro_registry_log_audit(r, true, &rep, &err) != LIBRO_OK ||
        libro_b64std_encode(&root, rep.root.bytes, sizeof rep.root.bytes, &err) != LIBRO_OK ||
        (au_json && json_audit(&rep, (const char *) root.data, &err) != LIBRO_OK)) {
        cli_report_json(audit_cmd.command, &err, au_json);
    } else {
        if (!au_json) {
            /* The root as a checkpoint writes it (standard base64), to compare with one. */
            printf("log intact: %llu leaves, %llu stored hashes checked\nroot of %llu leaves: %s\n",
                   (unsigned long long) rep.leaves_checked, (unsigned long long) rep.nodes_checked,
                   (unsigned long long) rep.size, (const char *) root.data);
        }
        code = CLI_EXIT_OK;
    }
    libro_buf_free(&root);
    libro_registry_close(r);
    return cli_finish(code);
}

/* ---- registry webhook add|list|remove|key ---------------------------------------------------- */

static const char *wh_db;
static const char *wh_url;
static struct cli_list wh_licenses;
static bool wh_all;
static bool wh_insecure_http;
static const char *wh_expiring;
static const char *wh_id;
static bool wh_json;

static const char webhook_epilog[] =
    "Exit status: 0 done, 1 refused or failed (reason on stderr), 2 bad command line.\n"
    "Receivers check each delivery with the registry's public key (libro registry webhook\n"
    "key): see \"Webhooks\" in docs/operations.md.";

/* One subscription as schemas/cli/webhook-list.schema.json's "webhook" describes it. */
static void
json_webhook(struct cli_json *j, const char *key, const libro_webhook *w, int64_t now)
{
    const char *p = w->licenses;

    cli_json_open(j, key, '{');
    cli_json_str(j, "id", w->id);
    cli_json_str(j, "url", w->url);
    if (p == NULL) {
        cli_json_str(j, "licenses", NULL);
    } else {
        cli_json_open(j, "licenses", '[');
        while (*p != '\0') {
            char number[LIBRO_MAX_LICENSE_NUMBER_BYTES + 1];
            size_t len = strcspn(p, " ");

            if (len < sizeof number) { /* the store holds checked numbers */
                memcpy(number, p, len);
                number[len] = '\0';
                cli_json_str(j, NULL, number);
            }
            p += len;
            p += *p == ' ' ? 1 : 0;
        }
        cli_json_close(j, ']');
    }
    cli_json_bool(j, "insecureHttp", w->insecure_http);
    cli_json_int(j, "expiringWithinDays", (int64_t) w->expiring_within);
    cli_json_time(j, "created", w->created_at);
    cli_json_str(j, "state", libro_webhook_state(w, now));
    cli_json_int(j, "nextLeaf", (int64_t) w->cursor);
    cli_json_int(j, "attempts", (int64_t) w->attempts);
    if (w->attempts > 0) {
        cli_json_time(j, "nextAttempt", w->next_at);
    } else {
        cli_json_str(j, "nextAttempt", NULL);
    }
    if (w->failing_since != 0) {
        cli_json_time(j, "failingSince", w->failing_since);
    } else {
        cli_json_str(j, "failingSince", NULL);
    }
    cli_json_str(j, "lastError", w->last_error);
    if (w->expiry_checked_at != 0) {
        cli_json_time(j, "expiryChecked", w->expiry_checked_at);
    } else {
        cli_json_str(j, "expiryChecked", NULL);
    }
    cli_json_close(j, '}');
}

static const struct cli_option webhook_add_opts[] = {
    {CLI_OPT_VALUE, "--db", "FILE", &wh_db, CLI_REQUIRED, 0,
     "the registry database: a file, or a postgresql:// URI"},
    {CLI_OPT_VALUE, "--url", "URL", &wh_url, CLI_REQUIRED, 0,
     "where to POST the events: https://..., or http:// to a loopback address"},
    {CLI_OPT_LIST, "--license", "NUMBER", &wh_licenses, 0, 1,
     "a license whose changes are sent (repeatable, up to 32)"},
    {CLI_OPT_SWITCH, "--all", NULL, &wh_all, 0, 1, "send the changes of every license"},
    {CLI_OPT_VALUE, "--expiring-within", "DAYS", &wh_expiring, 0, 0,
     "send license.expiring when an active license is DAYS from its validUntil (default 30, "
     "0: never, at most 3660)"},
    {CLI_OPT_SWITCH, "--insecure-http", NULL, &wh_insecure_http, 0, 0,
     "allow plain http:// to a host other than loopback (the events travel unencrypted)"},
    CLI_JSON_OPTION(&wh_json, "webhook-add.schema.json"),
};

static const struct cli_command webhook_add_cmd = {
    "registry webhook add",
    "--db FILE --url URL (--license NUMBER... | --all) [--expiring-within DAYS]\n"
    "       [--insecure-http] [--json]",
    "Subscribe URL to the license events of the log from now on: issued, renewed,\n"
    "suspended, reinstated, revoked, surrendered, expired and lapsed, of the licenses named\n"
    "(--license) or of every one (--all); and to license.expiring, once per validUntil, when\n"
    "one of them is active and --expiring-within days or less from its validUntil (a renewal\n"
    "makes a new one due). Prints the subscription's id. `libro registry serve` delivers\n"
    "them, signed with the registry key (Standard Webhooks, v1a), and retries a failed\n"
    "delivery with back-off until the endpoint answers 2xx. The URL must be https://, or\n"
    "http:// to 127.0.0.0/8 or [::1] unless --insecure-http; it may carry no user:password@\n"
    "and no #fragment.",
    webhook_add_opts,
    LIBRO_NELEM(webhook_add_opts),
    webhook_epilog,
};

/* Subscription `id` as read back from the registry, printed as webhook-add's document. */
static libro_code
json_added(libro_registry *r, const char *id, libro_error *err)
{
    libro_webhook *w = NULL;
    size_t n = 0;
    struct cli_json j;
    libro_code rc = libro_webhook_list(&w, &n, r, err);

    for (size_t i = 0; rc == LIBRO_OK && i <= n; i++) {
        if (i == n) {
            rc = libro_error_set(err, LIBRO_ERR_NOT_FOUND, "webhook %.32s was removed", id);
        } else if (strcmp(w[i].id, id) == 0) {
            cli_json_begin(&j, err);
            json_webhook(&j, "webhook", &w[i], libro_time_now());
            rc = cli_json_end(&j);
            break;
        }
    }
    libro_webhooks_free(w, n);
    return rc;
}

static int
webhook_add(int argc, char **argv)
{
    const struct cli_command *cmd = &webhook_add_cmd;
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;
    char *id = NULL;
    uint64_t days = LIBRO_WEBHOOK_EXPIRING_DAYS;
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (!wh_all && wh_licenses.n == 0) {
        return cli_command_usage(cmd, "name the licenses (--license NUMBER) or give --all");
    }
    if (wh_expiring != NULL && libro_parse_u64(&days, wh_expiring, strlen(wh_expiring),
                                               LIBRO_WEBHOOK_MAX_EXPIRING_DAYS, &err) != LIBRO_OK) {
        return cli_command_usage(cmd, "--expiring-within: want whole days, 0 to %u",
                                 LIBRO_WEBHOOK_MAX_EXPIRING_DAYS);
    }
    code = CLI_EXIT_NO;
    if (libro_registry_open(&r, wh_db, &err) != LIBRO_OK ||
        libro_webhook_add(&id, r, wh_url, wh_licenses.v, wh_licenses.n, wh_insecure_http,
                          (unsigned) days, libro_time_now(), &err) != LIBRO_OK) {
        cli_report_json(cmd->command, &err, wh_json);
        if (!wh_json && err.code == LIBRO_ERR_DENIED && strncmp(wh_url, "http://", 7) == 0 &&
            !wh_insecure_http) {
            cli_errorf("%s: use https://, or add --insecure-http to send events unencrypted",
                       cmd->command);
        }
        goto out;
    }
    if (wh_json) {
        if (json_added(r, id, &err) != LIBRO_OK) {
            cli_json_error(&err);
            goto out;
        }
    } else {
        printf("%s\n", id);
    }
    code = CLI_EXIT_OK;
out:
    libro_free(id);
    libro_registry_close(r);
    return cli_finish(code);
}

static const struct cli_option webhook_db_opts[] = {
    {CLI_OPT_VALUE, "--db", "FILE", &wh_db, CLI_REQUIRED, 0,
     "the registry database: a file, or a postgresql:// URI"},
    CLI_JSON_OPTION(&wh_json, "webhook-list.schema.json"),
};

static const struct cli_command webhook_list_cmd = {
    "registry webhook list",
    "--db FILE [--json]",
    "List the webhook subscriptions, one line each: id, state, the next log leaf to send,\n"
    "the expiry horizon (expiring Nd, or no expiring), what it follows, and its URL; a\n"
    "subscription with failed deliveries adds a line with the attempts, the next attempt's\n"
    "time and the last failure. The state is ok, retrying (its last delivery failed) or\n"
    "failing (no delivery has succeeded for 24 hours; it is still retried every hour).",
    webhook_db_opts,
    LIBRO_NELEM(webhook_db_opts),
    webhook_epilog,
};

static int
webhook_list(int argc, char **argv)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;
    libro_webhook *w = NULL;
    char next[LIBRO_TIME_TEXT_MAX];
    char horizon[32];
    size_t n = 0;
    int64_t now = libro_time_now();
    struct cli_json j;
    int code = cli_parse_command(&webhook_list_cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    code = CLI_EXIT_NO;
    if (libro_registry_open(&r, wh_db, &err) != LIBRO_OK ||
        libro_webhook_list(&w, &n, r, &err) != LIBRO_OK) {
        cli_report_json(webhook_list_cmd.command, &err, wh_json);
        goto out;
    }
    if (wh_json) {
        cli_json_begin(&j, &err);
        cli_json_open(&j, "webhooks", '[');
        for (size_t i = 0; i < n; i++) {
            json_webhook(&j, NULL, &w[i], now);
        }
        cli_json_close(&j, ']');
        if (cli_json_end(&j) != LIBRO_OK) {
            cli_json_error(&err);
            goto out;
        }
        code = CLI_EXIT_OK;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (w[i].expiring_within == 0) {
            (void) snprintf(horizon, sizeof horizon, "no expiring");
        } else {
            (void) snprintf(horizon, sizeof horizon, "expiring %ud",
                            (unsigned) w[i].expiring_within);
        }
        printf("%s  %-8s  leaf %llu  %s  %s  %s\n", w[i].id, libro_webhook_state(&w[i], now),
               (unsigned long long) w[i].cursor, horizon,
               w[i].licenses == NULL ? "all" : w[i].licenses, w[i].url);
        if (w[i].attempts > 0) {
            printf("    %u failed attempts, next at %s: %s\n", (unsigned) w[i].attempts,
                   cli_time_text(next, w[i].next_at),
                   w[i].last_error == NULL ? "-" : w[i].last_error);
        }
    }
    code = CLI_EXIT_OK;
out:
    libro_webhooks_free(w, n);
    libro_registry_close(r);
    return cli_finish(code);
}

static const struct cli_option webhook_remove_opts[] = {
    {CLI_OPT_ARG, "ID", NULL, &wh_id, CLI_REQUIRED, 0, "the subscription (wh_...)"},
    {CLI_OPT_VALUE, "--db", "FILE", &wh_db, CLI_REQUIRED, 0,
     "the registry database: a file, or a postgresql:// URI"},
    CLI_JSON_OPTION(&wh_json, "webhook-remove.schema.json"),
};

static const struct cli_command webhook_remove_cmd = {
    "registry webhook remove",
    "ID --db FILE [--json]",
    "Remove a webhook subscription: nothing more is sent to it (an attempt under way ends).",
    webhook_remove_opts,
    LIBRO_NELEM(webhook_remove_opts),
    webhook_epilog,
};

static int
webhook_remove(int argc, char **argv)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;
    struct cli_json j;
    int code = cli_parse_command(&webhook_remove_cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    code = CLI_EXIT_NO;
    if (libro_registry_open(&r, wh_db, &err) != LIBRO_OK ||
        libro_webhook_remove(r, wh_id, &err) != LIBRO_OK) {
        cli_report_json(webhook_remove_cmd.command, &err, wh_json);
        goto out;
    }
    if (wh_json) {
        cli_json_begin(&j, &err);
        cli_json_str(&j, "removed", wh_id);
        if (cli_json_end(&j) != LIBRO_OK) {
            cli_json_error(&err);
            goto out;
        }
    } else {
        fprintf(stderr, "libro: removed webhook %s\n", wh_id);
    }
    code = CLI_EXIT_OK;
out:
    libro_registry_close(r);
    return cli_finish(code);
}

static const struct cli_option webhook_key_opts[] = {
    {CLI_OPT_VALUE, "--db", "FILE", &wh_db, CLI_REQUIRED, 0,
     "the registry database: a file, or a postgresql:// URI"},
    CLI_JSON_OPTION(&wh_json, "webhook-key.schema.json"),
};

static const struct cli_command webhook_key_cmd = {
    "registry webhook key",
    "--db FILE [--json]",
    "Print the public key receivers check the webhooks' signatures with, in the Standard\n"
    "Webhooks form: whpk_ and the standard base64 of the raw Ed25519 key the registry\n"
    "authorization names.",
    webhook_key_opts,
    LIBRO_NELEM(webhook_key_opts),
    webhook_epilog,
};

static int
webhook_key(int argc, char **argv)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;
    libro_credential *auth = NULL;
    libro_buf text = LIBRO_BUF_INIT;
    struct cli_json j;
    const char *jws;
    int code = cli_parse_command(&webhook_key_cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    code = CLI_EXIT_NO;
    if (libro_registry_open(&r, wh_db, &err) != LIBRO_OK) {
        goto out_report;
    }
    jws = libro_registry_authorization(r);
    if (jws == NULL) {
        libro_error_set(&err, LIBRO_ERR_NOT_FOUND, "the registry holds no authorization");
        goto out_report;
    }
    if (cli_credential_from_jws(&auth, jws, strlen(jws), &err) != LIBRO_OK) {
        goto out_report;
    }
    if (auth->subject_key == NULL) {
        libro_error_set(&err, LIBRO_ERR_NOT_FOUND, "the registry authorization names no key");
        goto out_report;
    }
    if (libro_webhook_public_key(&text, auth->subject_key, &err) != LIBRO_OK) {
        goto out_report;
    }
    if (wh_json) {
        cli_json_begin(&j, &err);
        cli_json_str(&j, "registry", auth->subject_id);
        cli_json_str(&j, "key", (const char *) text.data);
        if (cli_json_end(&j) != LIBRO_OK) {
            goto out_report;
        }
    } else {
        printf("%s\n", (const char *) text.data);
    }
    code = CLI_EXIT_OK;
    goto out;
out_report:
    cli_report_json(webhook_key_cmd.command, &err, wh_json);
out:
    libro_buf_free(&text);
    libro_credential_free(auth);
    libro_registry_close(r);
    return cli_finish(code);
}

static const struct cli_cmd webhook_commands[] = {
    {"add", webhook_add, "subscribe a URL to license events"},
    {"list", webhook_list, "list the subscriptions and their delivery state"},
    {"remove", webhook_remove, "remove a subscription"},
    {"key", webhook_key, "print the public key that checks the signatures (whpk_...)"},
};

static int
registry_webhook(int argc, char **argv)
{
    return cli_dispatch_sub("registry webhook", webhook_commands, LIBRO_NELEM(webhook_commands),
                            argc, argv);
}

static const struct cli_cmd registry_commands[] = {
    {"init", registry_init, "create a community's registry database"},
    {"type", registry_type, "define a license type (validity, renewal, requirements)"},
    {"authorize", registry_authorize, "let an issuer's key write over the API"},
    {"chain", registry_chain, "add a parent community's charter to the trust bundle"},
    {"status", registry_status, "publish a signed status list"},
    {"serve", registry_serve, "serve the registry's API over HTTP"},
    {"audit", registry_audit, "check the log's stored hashes against its leaves"},
    {"webhook", registry_webhook, "subscribe URLs to signed license events (add, list, ...)"},
};

int
cmd_registry(int argc, char **argv)
{
    return cli_dispatch_sub("registry", registry_commands, LIBRO_NELEM(registry_commands), argc,
                            argv);
}
