/* libro issue charter|authorization|registry-authorization|license: build a credential from
 * the command line, check it against the signer's own charter or authorization, sign it as
 * vc+jwt, and write it (and, for a license, its QR code). */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "libro/issuer.h"
#include "libro/util.h"

/* ---- shared steps -------------------------------------------------------------------------- */

/* A public key for a credential subject: any key file (the public half is used). */
static libro_code
load_public(libro_key **out, const char *path, libro_error *err)
{
    libro_key *k = NULL;
    libro_code rc = libro_key_load_file(&k, path, NULL, 0, err);

    if (rc == LIBRO_ERR_PASSPHRASE) {
        libro_error_set(err, LIBRO_ERR_PASSPHRASE,
                        "%.200s: encrypted; give the public key (libro key public)", path);
    }
    if (rc == LIBRO_OK) {
        rc = libro_key_public(out, k, err);
    }
    libro_key_free(k);
    return rc;
}

static const char validity_epilog[] =
    "Times are RFC 3339 (2026-12-01T00:00:00Z). The credential is written as a compact JWS\n"
    "(typ vc+jwt); an existing output file is never overwritten ('-' writes to stdout).\n"
    "Exit status: 0 issued, 1 refused or failed (reason on stderr), 2 bad command line.";

/* --valid-from, --valid-until and --days, bound to three `const char *`. */
#define VALIDITY_OPTIONS(from, until, days)                                                        \
    {CLI_OPT_VALUE, "--valid-from", "TIME", from, 0, 0, "start of validity (default: now)"},       \
        {CLI_OPT_VALUE, "--valid-until", "TIME", until, 0, 0, "end of validity"},                  \
    {                                                                                              \
        CLI_OPT_VALUE, "--days", "N", days, 0, 0, "validity in days from --valid-from"             \
    }

/* ---- issue charter ------------------------------------------------------------------------- */

static const char *ch_key;
static bool ch_self;
static const char *ch_issuer;
static const char *ch_parent;
static const char *ch_id;
static const char *ch_name;
static const char *ch_level;
static const char *ch_level_name;
static const char *ch_community_key;
static struct cli_list ch_allow;
static const char *ch_from;
static const char *ch_until;
static const char *ch_days;
static const char *ch_out;
static const char *ch_pass_fd;
static const char *ch_rep_term;
static const char *ch_chair_term;
static const char *ch_leader_term;
static const char *ch_consecutive;
static bool ch_json;

static const struct cli_option charter_opts[] = {
    {CLI_OPT_VALUE, "--key", "FILE", &ch_key, CLI_REQUIRED, 0,
     "signing key: the parent community's key (or the community's own)"},
    {CLI_OPT_SWITCH, "--self", NULL, &ch_self, CLI_REQUIRED, 1,
     "self-chartered anchor community: issuer = --id, signed by its own key"},
    {CLI_OPT_VALUE, "--issuer", "ID", &ch_issuer, CLI_REQUIRED, 1,
     "the parent community's id (not with --self)"},
    {CLI_OPT_VALUE, "--parent-charter", "FILE", &ch_parent, 0, 0,
     "the parent's own charter (with --issuer): level, scope, window"},
    {CLI_OPT_VALUE, "--id", "ID", &ch_id, CLI_REQUIRED, 0,
     "the chartered community's id (an absolute URI)"},
    {CLI_OPT_VALUE, "--name", "NAME", &ch_name, CLI_REQUIRED, 0, "the community's name"},
    {CLI_OPT_VALUE, "--level", "N", &ch_level, CLI_REQUIRED, 0,
     "its level, 0 (tribe) to 8 (world)"},
    {CLI_OPT_VALUE, "--level-name", "NAME", &ch_level_name, 0, 0,
     "the name of its level (levels 3-7 have no default)"},
    {CLI_OPT_VALUE, "--community-key", "FILE", &ch_community_key, 0, 0,
     "the community's public key (default with --self: --key's)"},
    {CLI_OPT_LIST, "--allow", "TYPE", &ch_allow, CLI_REQUIRED, 0,
     "a license type the community may authorize"},
    VALIDITY_OPTIONS(&ch_from, &ch_until, &ch_days),
    {CLI_OPT_VALUE, "--representative-term", "YEARS", &ch_rep_term, 0, 0,
     "its roundtable's representatives serve at most this long (seed: 3 at level 1, else 5)"},
    {CLI_OPT_VALUE, "--chair-term", "YEARS", &ch_chair_term, 0, 0,
     "its chair serves at most this long (seed: 4)"},
    {CLI_OPT_VALUE, "--leader-term", "YEARS", &ch_leader_term, 0, 0,
     "leaders appointed into its circle serve at most this long (seed: 5)"},
    {CLI_OPT_VALUE, "--consecutive-terms", "N", &ch_consecutive, 0, 0,
     "the most terms one holder serves back to back in one seat (default: no limit)"},
    {CLI_OPT_VALUE, "--out", "FILE", &ch_out, CLI_REQUIRED, 0, "where to write the charter"},
    {CLI_OPT_VALUE, "--passphrase-fd", "N", &ch_pass_fd, 0, 0,
     "read the signing key's passphrase from descriptor N"},
    CLI_JSON_OPTION(&ch_json, "issue.schema.json"),
};

static const struct cli_command charter_cmd = {
    "issue charter",
    "--key FILE (--self | --issuer ID --parent-charter FILE) --id ID --name NAME --level N\n"
    "       [--community-key FILE] --allow TYPE... (--valid-until TIME | --days N)\n"
    "       [--representative-term YEARS] [--chair-term YEARS] [--leader-term YEARS]\n"
    "       [--consecutive-terms N] --out FILE [--json]",
    "Charter a community: a parent community signs a CommunityCharter naming the child's id,\n"
    "level, key and the license types it may authorize (a subset of the parent's). An\n"
    "anchor community charters itself with --self; verifiers pin such a charter with\n"
    "'libro trust add --anchor'. The charter may shorten the terms of the offices of the\n"
    "community's roundtable and circle (never beyond the seed terms) and limit consecutive\n"
    "terms; libro mandate issue, the registry and every verifier keep to them.",
    charter_opts,
    LIBRO_NELEM(charter_opts),
    validity_epilog,
};

/* An optional count of years or terms: absent is 0; given, 1 to 100 (the charter's rules
 * bound it further, by office and level). */
static bool
small_number(unsigned *out, const char *text)
{
    libro_error ignored = LIBRO_ERROR_INIT;
    uint64_t v = 0;

    if (text != NULL &&
        (libro_parse_u64(&v, text, strlen(text), 100, &ignored) != LIBRO_OK || v == 0)) {
        return false;
    }
    *out = (unsigned) v;
    return true;
}

static int
issue_charter(int argc, char **argv)
{
    const struct cli_command *cmd = &charter_cmd;
    libro_charter_options opt = LIBRO_CHARTER_OPTIONS_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *c = NULL;
    libro_key *signer = NULL;
    libro_key *community_key = NULL;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_buf parent_jws = LIBRO_BUF_INIT;
    uint64_t level = 0;
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (ch_self && ch_parent != NULL) {
        return cli_command_usage(cmd, "--parent-charter does not go with --self");
    }
    /* Without the parent's charter nothing could be checked, and libro would sign charters
     * that every verifier refuses (a level not below the parent's, a wider scope). */
    if (!ch_self && ch_parent == NULL) {
        return cli_command_usage(cmd, "--parent-charter FILE is required with --issuer");
    }
    if (cli_json_out_problem(ch_json, ch_out) != NULL) {
        return cli_command_usage(cmd, "%s", cli_json_out_problem(ch_json, ch_out));
    }
    if (libro_parse_u64(&level, ch_level, strlen(ch_level), LIBRO_MAX_LEVEL, &err) != LIBRO_OK) {
        return cli_command_usage(cmd, "--level: want 0 to %d", LIBRO_MAX_LEVEL);
    }
    if (!small_number(&opt.representative_term_years, ch_rep_term) ||
        !small_number(&opt.chair_term_years, ch_chair_term) ||
        !small_number(&opt.leader_term_years, ch_leader_term) ||
        !small_number(&opt.consecutive_terms, ch_consecutive)) {
        return cli_command_usage(cmd, "a term or a number of terms: want a number from 1");
    }
    opt.issuer = ch_issuer;
    opt.id = ch_id;
    opt.name = ch_name;
    opt.level = (int) level;
    opt.level_name = ch_level_name;
    opt.allowed = ch_allow.v;
    opt.n_allowed = ch_allow.n;
    code = CLI_EXIT_NO;
    if (cli_load_key(&signer, ch_key, ch_pass_fd, &err) != LIBRO_OK ||
        cli_validity(&opt.valid_from, &opt.valid_until, ch_from, ch_until, ch_days, 0, &err) !=
            LIBRO_OK) {
        goto out_report;
    }
    if (ch_community_key == NULL && !ch_self) {
        libro_error_set(&err, LIBRO_ERR_INVALID_ARG, "--community-key is required without --self");
        goto out_report;
    }
    if ((ch_community_key != NULL &&
         load_public(&community_key, ch_community_key, &err) != LIBRO_OK) ||
        (ch_parent != NULL && cli_read_token(&parent_jws, ch_parent, &err) != LIBRO_OK)) {
        goto out_report;
    }
    opt.community_key = community_key;
    opt.parent_charter = (const char *) parent_jws.data;
    opt.parent_charter_len = parent_jws.len;
    if (libro_issuer_issue_charter(&jws, &c, signer, &opt, &err) != LIBRO_OK ||
        cli_write_credential(ch_out, &jws, c, &err) != LIBRO_OK ||
        (ch_json && cli_json_issued(c, ch_out, NULL, NULL, &err) != LIBRO_OK)) {
        goto out_report;
    }
    code = CLI_EXIT_OK;
    goto out;
out_report:
    cli_report_json(cmd->command, &err, ch_json);
out:
    libro_buf_free(&jws);
    libro_buf_free(&parent_jws);
    libro_credential_free(c);
    libro_key_free(community_key);
    libro_key_free(signer);
    return cli_finish(code);
}

/* ---- issue authorization / registry-authorization ----------------------------------------- */

static const char *au_key;
static const char *au_charter;
static const char *au_id;
static const char *au_name;
static const char *au_subject_key;
static struct cli_list au_grant;
static const char *au_url;
static const char *au_from;
static const char *au_until;
static const char *au_days;
static const char *au_out;
static const char *au_pass_fd;
static const char *au_status_registry;
static bool au_json;

static const struct cli_option auth_opts[] = {
    {CLI_OPT_VALUE, "--key", "FILE", &au_key, CLI_REQUIRED, 0, "signing key: the community's key"},
    {CLI_OPT_VALUE, "--charter", "FILE", &au_charter, CLI_REQUIRED, 0,
     "the community's own charter (its id, window and allowed types)"},
    {CLI_OPT_VALUE, "--id", "ID", &au_id, CLI_REQUIRED, 0,
     "the authorized service's id (an absolute URI)"},
    {CLI_OPT_VALUE, "--name", "NAME", &au_name, CLI_REQUIRED, 0, "the service's name"},
    {CLI_OPT_VALUE, "--subject-key", "FILE", &au_subject_key, CLI_REQUIRED, 0,
     "the service's public key"},
    {CLI_OPT_LIST, "--grant", "TYPE:DAYS", &au_grant, CLI_REQUIRED, 0,
     "a license type and its longest validity in days"},
    {CLI_OPT_VALUE, "--status-registry", "URL", &au_status_registry, 0, 0,
     "the registry whose status lists every license must name (its base URL)"},
    VALIDITY_OPTIONS(&au_from, &au_until, &au_days),
    {CLI_OPT_VALUE, "--out", "FILE", &au_out, CLI_REQUIRED, 0, "where to write the authorization"},
    {CLI_OPT_VALUE, "--passphrase-fd", "N", &au_pass_fd, 0, 0,
     "read the signing key's passphrase from descriptor N"},
    CLI_JSON_OPTION(&au_json, "issue.schema.json"),
};

static const struct cli_command auth_cmd = {
    "issue authorization",
    "--key FILE --charter FILE --id ID --name NAME --subject-key FILE --grant TYPE:DAYS...\n"
    "       [--status-registry URL] (--valid-until TIME | --days N) --out FILE [--json]",
    "Authorize an issuer (a public service of the community) to sign licenses of the granted\n"
    "types, each up to its number of days. Signed by the community key; the grants must be\n"
    "among the license types the community's charter allows, and the window inside it.\n"
    "With --status-registry (recommended), every license under it must carry status entries\n"
    "of that registry's lists (URL/v1/status/...): the issuer refuses to sign one without, and\n"
    "verifiers refuse it (UNTRUSTED), so a license signed with a stolen key and never recorded\n"
    "does not verify. libro registry authorize records an authorization without it only\n"
    "when given --allow-unrecorded.",
    auth_opts,
    LIBRO_NELEM(auth_opts),
    validity_epilog,
};

static const struct cli_option reg_opts[] = {
    {CLI_OPT_VALUE, "--key", "FILE", &au_key, CLI_REQUIRED, 0, "signing key: the community's key"},
    {CLI_OPT_VALUE, "--charter", "FILE", &au_charter, CLI_REQUIRED, 0,
     "the community's own charter"},
    {CLI_OPT_VALUE, "--id", "ID", &au_id, CLI_REQUIRED, 0, "the registry's id (an absolute URI)"},
    {CLI_OPT_VALUE, "--name", "NAME", &au_name, CLI_REQUIRED, 0, "the registry's name"},
    {CLI_OPT_VALUE, "--subject-key", "FILE", &au_subject_key, CLI_REQUIRED, 0,
     "the registry's public key"},
    {CLI_OPT_VALUE, "--url", "URL", &au_url, 0, 0,
     "where the registry serves (https, or http on loopback)"},
    VALIDITY_OPTIONS(&au_from, &au_until, &au_days),
    {CLI_OPT_VALUE, "--out", "FILE", &au_out, CLI_REQUIRED, 0, "where to write the authorization"},
    {CLI_OPT_VALUE, "--passphrase-fd", "N", &au_pass_fd, 0, 0,
     "read the signing key's passphrase from descriptor N"},
    CLI_JSON_OPTION(&au_json, "issue.schema.json"),
};

static const struct cli_command reg_cmd = {
    "issue registry-authorization",
    "--key FILE --charter FILE --id ID --name NAME --subject-key FILE [--url URL]\n"
    "       (--valid-until TIME | --days N) --out FILE [--json]",
    "Name the key the community's registry signs status lists and log checkpoints with.",
    reg_opts,
    LIBRO_NELEM(reg_opts),
    validity_epilog,
};

static void
grants_free(libro_license_grant *g, size_t n)
{
    size_t i;

    for (i = 0; g != NULL && i < n; i++) {
        libro_free(g[i].id);
    }
    libro_free(g);
}

/* --grant TYPE:DAYS values into *out (*n of them). */
static libro_code
parse_grants(libro_license_grant **out, size_t *n, const struct cli_list *grants, libro_error *err)
{
    size_t i;

    *n = 0;
    *out = grants->n == 0 ? NULL : libro_calloc(grants->n, sizeof **out);
    if (grants->n > 0 && *out == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    for (i = 0; i < grants->n; i++) {
        const char *g = grants->v[i];
        const char *colon = strrchr(g, ':');
        uint64_t days = 0;

        if (colon == NULL || colon == g ||
            libro_parse_u64(&days, colon + 1, strlen(colon + 1), LIBRO_MAX_VALIDITY_DAYS, err) !=
                LIBRO_OK ||
            days == 0) {
            return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                                   "--grant %.64s: want TYPE:DAYS with 1 to %u days", g,
                                   LIBRO_MAX_VALIDITY_DAYS);
        }
        (*out)[i].id = libro_strndup(g, (size_t) (colon - g));
        if ((*out)[i].id == NULL) {
            return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        }
        (*out)[i].validity_days = (uint32_t) days;
        (*n)++;
    }
    return LIBRO_OK;
}

static int
issue_auth(int argc, char **argv, libro_cred_type type)
{
    const struct cli_command *cmd = type == LIBRO_CRED_ISSUER_AUTH ? &auth_cmd : &reg_cmd;
    libro_authorization_options opt = LIBRO_AUTHORIZATION_OPTIONS_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *c = NULL;
    libro_key *signer = NULL;
    libro_key *subject_key = NULL;
    libro_license_grant *grants = NULL;
    size_t n_grants = 0;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_buf charter_jws = LIBRO_BUF_INIT;
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (cli_json_out_problem(au_json, au_out) != NULL) {
        return cli_command_usage(cmd, "%s", cli_json_out_problem(au_json, au_out));
    }
    code = CLI_EXIT_NO;
    if (cli_load_key(&signer, au_key, au_pass_fd, &err) != LIBRO_OK ||
        cli_read_token(&charter_jws, au_charter, &err) != LIBRO_OK ||
        load_public(&subject_key, au_subject_key, &err) != LIBRO_OK ||
        cli_validity(&opt.valid_from, &opt.valid_until, au_from, au_until, au_days, 0, &err) !=
            LIBRO_OK ||
        parse_grants(&grants, &n_grants, &au_grant, &err) != LIBRO_OK) {
        goto out_report;
    }
    opt.type = type;
    opt.charter = (const char *) charter_jws.data;
    opt.charter_len = charter_jws.len;
    opt.id = au_id;
    opt.name = au_name;
    opt.subject_key = subject_key;
    opt.grants = grants;
    opt.n_grants = n_grants;
    opt.url = au_url;
    opt.status_registry = au_status_registry;
    if (libro_issuer_issue_authorization(&jws, &c, signer, &opt, &err) != LIBRO_OK ||
        cli_write_credential(au_out, &jws, c, &err) != LIBRO_OK ||
        (au_json && cli_json_issued(c, au_out, NULL, NULL, &err) != LIBRO_OK)) {
        goto out_report;
    }
    code = CLI_EXIT_OK;
    goto out;
out_report:
    cli_report_json(cmd->command, &err, au_json);
out:
    libro_buf_free(&jws);
    libro_buf_free(&charter_jws);
    grants_free(grants, n_grants);
    libro_credential_free(c);
    libro_key_free(subject_key);
    libro_key_free(signer);
    return cli_finish(code);
}

static int
issue_authorization(int argc, char **argv)
{
    return issue_auth(argc, argv, LIBRO_CRED_ISSUER_AUTH);
}

static int
issue_registry_authorization(int argc, char **argv)
{
    return issue_auth(argc, argv, LIBRO_CRED_REGISTRY_AUTH);
}

/* ---- issue license ------------------------------------------------------------------------- */

static const char *li_key;
static const char *li_auth;
static const char *li_charter;
static const char *li_holder;
static const char *li_holder_did;
static const char *li_number;
static const char *li_profession;
static const char *li_type;
static struct cli_list li_scope;
static const char *li_from;
static const char *li_until;
static const char *li_days;
static const char *li_out;
static const char *li_qr;
static const char *li_pass_fd;
static const char *li_registry;
static const char *li_url_base;
static bool li_json;

static const struct cli_option license_opts[] = {
    {CLI_OPT_VALUE, "--key", "FILE", &li_key, CLI_REQUIRED, 0, "signing key: the issuer's key"},
    {CLI_OPT_VALUE, "--authorization", "FILE", &li_auth, CLI_REQUIRED, 0,
     "the issuer's IssuerAuthorization"},
    {CLI_OPT_VALUE, "--community-charter", "FILE", &li_charter, CLI_REQUIRED, 0,
     "the charter of the community that authorized the issuer"},
    {CLI_OPT_VALUE, "--holder", "NAME", &li_holder, CLI_REQUIRED, 0, "the holder's name"},
    {CLI_OPT_VALUE, "--holder-did", "DID", &li_holder_did, 0, 0,
     "the holder's own did:key (optional)"},
    {CLI_OPT_VALUE, "--number", "NUMBER", &li_number, CLI_REQUIRED, 0, "the license number"},
    {CLI_OPT_VALUE, "--profession", "TEXT", &li_profession, CLI_REQUIRED, 0, "the profession"},
    {CLI_OPT_VALUE, "--type", "TYPE", &li_type, CLI_REQUIRED, 0,
     "the license type (granted by the authorization)"},
    {CLI_OPT_LIST, "--scope", "TEXT", &li_scope, CLI_REQUIRED, 0, "what the license covers"},
    {CLI_OPT_VALUE, "--valid-from", "TIME", &li_from, 0, 0, "start of validity (default: now)"},
    {CLI_OPT_VALUE, "--valid-until", "TIME", &li_until, 0, 0,
     "end of validity (default: the type's full validity)"},
    {CLI_OPT_VALUE, "--days", "N", &li_days, 0, 0, "validity in days from --valid-from"},
    {CLI_OPT_VALUE, "--out", "FILE", &li_out, CLI_REQUIRED, 0,
     "where to write the license (compact JWS)"},
    {CLI_OPT_VALUE, "--qr", "FILE.png", &li_qr, 0, 0,
     "also write its LB2 QR code as a PNG (level M)"},
    {CLI_OPT_VALUE, "--passphrase-fd", "N", &li_pass_fd, 0, 0,
     "read the signing key's passphrase from descriptor N"},
    {CLI_OPT_VALUE, "--registry", "DB|URL", &li_registry, 0, 0,
     "record the license in this registry: a database (embedded mode) or a registry's URL "
     "(signed requests)"},
    {CLI_OPT_VALUE, "--status-url-base", "URL", &li_url_base, 0, 0,
     "with --registry DB: where the registry's status lists are served (<URL>/<list>/revocation)"},
    CLI_JSON_OPTION(&li_json, "issue.schema.json"),
};

static const struct cli_command license_cmd = {
    "issue license",
    "--key FILE --authorization FILE --community-charter FILE --holder NAME --number N\n"
    "       --profession TEXT --type TYPE --scope TEXT... [--holder-did DID]\n"
    "       [--valid-until TIME | --days N] --out FILE [--qr FILE.png]\n"
    "       [--registry DB --status-url-base URL | --registry URL] [--json]\n"
    "   or: libro issue license --batch FILE ... (many at once: see --batch FILE --help)",
    "Issue a time-limited professional license. The license type must be granted by the\n"
    "issuer's authorization, and the validity must lie inside the authorization's window\n"
    "and not exceed the type's validity (the default is its full validity, cut at the end\n"
    "of the authorization and of the charter). With --registry the license gets a random\n"
    "status index in the registry's status lists (credentialStatus) and is recorded there,\n"
    "by the issuer's id, before it is written; the type must be defined in the registry.\n"
    "A registry URL (https://..., or http:// on loopback) is reached by requests signed\n"
    "with --key, which the registry knows from the issuer's authorization (libro registry\n"
    "authorize); the status lists are then the ones the registry names.",
    license_opts,
    LIBRO_NELEM(license_opts),
    validity_epilog,
};

static int issue_batch(int argc, char **argv);
static bool wants_batch(int argc, char **argv);

static int
issue_license(int argc, char **argv)
{
    const struct cli_command *cmd = &license_cmd;
    libro_license_options opt = LIBRO_LICENSE_OPTIONS_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *signer = NULL;
    libro_issuer *is = NULL;
    libro_registry_client *client = NULL;
    libro_issued res = LIBRO_ISSUED_INIT;
    int code;

    if (wants_batch(argc, argv)) {
        return issue_batch(argc, argv);
    }
    code = cli_parse_command(cmd, argc, argv);
    if (code >= 0) {
        return code;
    }
    if (!cli_is_url(li_registry) && (li_registry == NULL) != (li_url_base == NULL)) {
        return cli_command_usage(cmd, "--registry DB and --status-url-base go together");
    }
    if (cli_json_out_problem(li_json, li_out) != NULL) {
        return cli_command_usage(cmd, "%s", cli_json_out_problem(li_json, li_out));
    }
    opt.holder = li_holder;
    opt.holder_did = li_holder_did;
    opt.number = li_number;
    opt.profession = li_profession;
    opt.license_type = li_type;
    opt.scope = li_scope.v;
    opt.n_scope = li_scope.n;
    opt.status_url_base = li_url_base;
    code = CLI_EXIT_NO;
    if (cli_window_args(&opt.valid_from, &opt.valid_until, &opt.days, li_from, li_until, li_days,
                        &err) != LIBRO_OK ||
        cli_load_key(&signer, li_key, li_pass_fd, &err) != LIBRO_OK ||
        libro_issuer_open_files(&is, signer, li_auth, li_charter, &err) != LIBRO_OK) {
        goto out_report;
    }
    if (li_registry != NULL &&
        (cli_check_new_output(li_out, "--out", &err) != LIBRO_OK ||
         cli_check_new_output(li_qr, "--qr", &err) != LIBRO_OK ||
         libro_issuer_registry_open(&client, is, li_registry, NULL, &err) != LIBRO_OK)) {
        goto out_report;
    }
    if (libro_issuer_issue_license(&res, is, client, &opt, &err) != LIBRO_OK) {
        goto out_report;
    }
    if (res.registered) {
        fprintf(stderr, "libro: registered %s (status list %u, index %u)\n",
                res.license->license_number, (unsigned) res.status_list,
                (unsigned) res.status_index);
    }
    if (cli_write_credential(li_out, &res.jws, res.license, &err) != LIBRO_OK ||
        (li_qr != NULL && cli_write_qr_png(li_qr, &res.jws, &err) != LIBRO_OK) ||
        (li_json && cli_json_issued(res.license, li_out, li_qr, &res, &err) != LIBRO_OK)) {
        goto out_report;
    }
    code = CLI_EXIT_OK;
    goto out;
out_report:
    cli_report_json(cmd->command, &err, li_json);
out:
    libro_issued_clear(&res);
    libro_registry_client_close(client);
    libro_issuer_free(is);
    libro_key_free(signer);
    return cli_finish(code);
}

/* ---- issue license --batch ------------------------------------------------------------------ */

static const char *ba_key;
static const char *ba_auth;
static const char *ba_charter;
static const char *ba_file;
static const char *ba_registry;
static const char *ba_url_base;
static const char *ba_from;
static const char *ba_until;
static const char *ba_days;
static const char *ba_out_dir;
static const char *ba_group;
static const char *ba_pass_fd;
static bool ba_json;

static const struct cli_option batch_opts[] = {
    {CLI_OPT_VALUE, "--key", "FILE", &ba_key, CLI_REQUIRED, 0, "signing key: the issuer's key"},
    {CLI_OPT_VALUE, "--authorization", "FILE", &ba_auth, CLI_REQUIRED, 0,
     "the issuer's IssuerAuthorization"},
    {CLI_OPT_VALUE, "--community-charter", "FILE", &ba_charter, CLI_REQUIRED, 0,
     "the charter of the community that authorized the issuer"},
    {CLI_OPT_VALUE, "--batch", "FILE", &ba_file, CLI_REQUIRED, 0,
     "the licenses to issue: CSV with a header line, or JSON lines"},
    {CLI_OPT_VALUE, "--registry", "DB|URL", &ba_registry, CLI_REQUIRED, 0,
     "record the licenses in this registry: a database or a registry's URL"},
    {CLI_OPT_VALUE, "--status-url-base", "URL", &ba_url_base, 0, 0,
     "with --registry DB: where the registry's status lists are served"},
    {CLI_OPT_VALUE, "--valid-from", "TIME", &ba_from, 0, 0,
     "start of validity of the lines that give none (default: now)"},
    {CLI_OPT_VALUE, "--valid-until", "TIME", &ba_until, 0, 0,
     "end of validity of the lines that give none (default: the type's full validity)"},
    {CLI_OPT_VALUE, "--days", "N", &ba_days, 0, 0, "validity in days of the lines that give none"},
    {CLI_OPT_VALUE, "--out-dir", "DIR", &ba_out_dir, 0, 0,
     "also write each license to DIR/<number>.jws (a new file)"},
    {CLI_OPT_VALUE, "--group", "N", &ba_group, 0, 0,
     "with --registry DB: licenses per transaction (default 256)"},
    {CLI_OPT_VALUE, "--passphrase-fd", "N", &ba_pass_fd, 0, 0,
     "read the signing key's passphrase from descriptor N"},
    CLI_JSON_OPTION(&ba_json, "issue-batch.schema.json"),
};

static const struct cli_command batch_cmd = {
    "issue license",
    "--batch FILE --key FILE --authorization FILE --community-charter FILE\n"
    "       (--registry DB --status-url-base URL | --registry URL)\n"
    "       [--valid-from TIME] [--valid-until TIME | --days N] [--out-dir DIR] [--group N]\n"
    "       [--json]",
    "Issue and register a license per line of FILE, as 'libro issue license' would from the\n"
    "line's fields. FILE is CSV whose first line names the columns, or JSON lines (one object\n"
    "per line) when it starts with '{'. Columns (JSON members): holder, number, profession,\n"
    "type, scope (CSV: items separated by ';'; JSON: a string or an array) are required;\n"
    "holder_did (holderDid), valid_from (validFrom), valid_until (validUntil) and days are\n"
    "optional. A line is at most 4096 bytes, a file at most 1,000,000 lines. Each line gets\n"
    "one line of report on stdout: 'line N: issued NUMBER (status list L, index I)' or\n"
    "'line N: ' and why it failed; a line that fails is undone alone. With a database the\n"
    "licenses are committed in groups (one fsync each), and a line is reported only once its\n"
    "group is committed. On a terminal, stderr shows a progress bar. With --json the report\n"
    "is one document, its lines streamed as they are committed (a failure that stops the\n"
    "batch after the first leaves it unclosed, the reason on stderr).",
    batch_opts,
    LIBRO_NELEM(batch_opts),
    "Exit status: 0 every line issued, 4 some lines failed (the report names them), 1 the\n"
    "batch could not run (file, header, too many lines, registry), 2 bad command line.",
};

/* What issue_batch's callback needs. */
struct batch_out {
    struct cli_json *json; /* --json: the report document, else NULL */
    const char *out_dir;
    bool bar;              /* stderr is a terminal: a progress bar */
    unsigned shown;        /* the bar's last width in cells */
    size_t written_failed; /* issued, but DIR/<number>.jws could not be written */
};

#define BAR_CELLS 40u

static void
bar_draw(struct batch_out *o, size_t done, size_t total, bool force)
{
    unsigned cells =
        total == 0 ? BAR_CELLS : (unsigned) ((double) done * BAR_CELLS / (double) total);
    char bar[BAR_CELLS + 1];

    if (!force && cells == o->shown && done % 100 != 0) {
        return;
    }
    o->shown = cells;
    memset(bar, '#', cells);
    memset(bar + cells, '.', BAR_CELLS - cells);
    bar[BAR_CELLS] = '\0';
    fprintf(stderr, "\r[%s] %zu/%zu", bar, done, total);
    fflush(stderr);
}

/* One element of the --json report's "lines" (left open: batch_line may add notWritten). */
static void
json_batch_line(struct cli_json *j, const libro_batch_line *l)
{
    cli_json_open(j, NULL, '{');
    cli_json_int(j, "line", (int64_t) l->line);
    cli_json_str(j, "number", l->number);
    cli_json_bool(j, "issued", l->code == LIBRO_OK);
    if (l->code == LIBRO_OK) {
        cli_json_open(j, "status", '{');
        cli_json_int(j, "list", l->issued->status_list);
        cli_json_int(j, "index", l->issued->status_index);
        cli_json_close(j, '}');
    } else {
        cli_json_open(j, "error", '{');
        cli_json_str(j, "code", libro_code_name(l->code));
        cli_json_str(j, "message", l->message);
        cli_json_close(j, '}');
    }
}

static libro_code
batch_line(void *ctx, const libro_batch_line *l, libro_error *err)
{
    struct batch_out *o = ctx;
    libro_error werr = LIBRO_ERROR_INIT;

    (void) err;
    if (o->bar) {
        fputs("\r\033[K", stderr);
    }
    if (o->json != NULL) {
        json_batch_line(o->json, l);
    } else if (l->code != LIBRO_OK) {
        printf("%s\n", l->message);
    } else {
        printf("line %zu: issued %s (status list %u, index %u)\n", l->line, l->number,
               (unsigned) l->issued->status_list, (unsigned) l->issued->status_index);
    }
    if (l->code == LIBRO_OK) {
        if (o->out_dir != NULL) {
            libro_buf path = LIBRO_BUF_INIT;
            libro_buf file = LIBRO_BUF_INIT;

            if (libro_buf_printf(&path, &werr, "%s/%s.jws", o->out_dir, l->number) != LIBRO_OK ||
                libro_buf_append(&file, l->issued->jws.data, l->issued->jws.len, &werr) !=
                    LIBRO_OK ||
                libro_buf_append(&file, "\n", 1, &werr) != LIBRO_OK ||
                cli_write_output((const char *) path.data, file.data, file.len, &werr) !=
                    LIBRO_OK) {
                /* Registered all the same: libro license show --json gives it back. */
                if (o->json != NULL) {
                    cli_json_str(o->json, "notWritten", werr.msg);
                } else {
                    printf("line %zu: issued %s, but not written: %s\n", l->line, l->number,
                           werr.msg);
                }
                o->written_failed++;
            }
            libro_buf_free(&file);
            libro_buf_free(&path);
        }
    }
    if (o->json != NULL) {
        cli_json_close(o->json, '}');
        if (cli_json_flush(o->json) != LIBRO_OK) {
            return libro_error_set(err, LIBRO_ERR_IO, "cannot write the report");
        }
    }
    fflush(stdout);
    if (o->bar) {
        bar_draw(o, l->done, l->total, true);
    }
    return ferror(stdout) ? libro_error_set(err, LIBRO_ERR_IO, "cannot write the report")
                          : LIBRO_OK;
}

static int
issue_batch(int argc, char **argv)
{
    const struct cli_command *cmd = &batch_cmd;
    libro_batch_options opt = LIBRO_BATCH_OPTIONS_INIT;
    libro_batch_report rep = {0};
    libro_error err = LIBRO_ERROR_INIT;
    libro_error ignored = LIBRO_ERROR_INIT;
    libro_key *signer = NULL;
    libro_issuer *is = NULL;
    libro_registry_client *client = NULL;
    struct batch_out out = {NULL, NULL, false, 0, 0};
    struct cli_json json;
    struct stat st;
    uint64_t group = 0;
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (!cli_is_url(ba_registry) && ba_url_base == NULL) {
        return cli_command_usage(cmd, "--registry DB needs --status-url-base");
    }
    if (ba_group != NULL &&
        (libro_parse_u64(&group, ba_group, strlen(ba_group), 100000, &ignored) != LIBRO_OK ||
         group == 0)) {
        return cli_command_usage(cmd, "--group: want 1 to 100000");
    }
    opt.status_url_base = ba_url_base;
    opt.group = (size_t) group;
    cli_json_begin(&json, &err);
    cli_json_open(&json, "lines", '[');
    out.json = ba_json ? &json : NULL;
    out.out_dir = ba_out_dir;
    out.bar = isatty(STDERR_FILENO) == 1;
    code = CLI_EXIT_NO;
    if (ba_out_dir != NULL && (stat(ba_out_dir, &st) != 0 || !S_ISDIR(st.st_mode))) {
        libro_error_set(&err, LIBRO_ERR_INVALID_ARG, "--out-dir %.64s: not a directory",
                        ba_out_dir);
        goto out_report;
    }
    if (cli_window_args(&opt.valid_from, &opt.valid_until, &opt.days, ba_from, ba_until, ba_days,
                        &err) != LIBRO_OK ||
        cli_load_key(&signer, ba_key, ba_pass_fd, &err) != LIBRO_OK ||
        libro_issuer_open_files(&is, signer, ba_auth, ba_charter, &err) != LIBRO_OK ||
        libro_issuer_registry_open(&client, is, ba_registry, NULL, &err) != LIBRO_OK) {
        goto out_report;
    }
    if (libro_issuer_issue_batch(&rep, is, client, ba_file, &opt, batch_line, &out, &err) !=
        LIBRO_OK) {
        goto out_report;
    }
    if (out.bar) {
        fputs("\r\033[K", stderr);
    }
    fprintf(stderr, "libro: %zu of %zu line%s issued, %zu failed\n", rep.issued, rep.total,
            rep.total == 1 ? "" : "s", rep.failed);
    if (ba_json) {
        cli_json_close(&json, ']');
        cli_json_int(&json, "total", (int64_t) rep.total);
        cli_json_int(&json, "issued", (int64_t) rep.issued);
        cli_json_int(&json, "failed", (int64_t) rep.failed);
        cli_json_int(&json, "notWritten", (int64_t) out.written_failed);
        if (cli_json_end(&json) != LIBRO_OK) {
            goto out_report;
        }
    }
    code = rep.failed > 0 || out.written_failed > 0 ? CLI_EXIT_PARTIAL : CLI_EXIT_OK;
    goto out;
out_report:
    if (out.bar) {
        fputs("\r\033[K", stderr);
    }
    if (rep.issued + rep.failed > 0) {
        fprintf(stderr, "libro: stopped after %zu of %zu lines (%zu issued, %zu failed)\n",
                rep.issued + rep.failed, rep.total, rep.issued, rep.failed);
    }
    /* Once a line is out the document cannot be taken back: it stays unclosed. */
    cli_report_json(cmd->command, &err, ba_json && !cli_json_flushed(&json));
out:
    cli_json_free(&json);
    libro_registry_client_close(client);
    libro_issuer_free(is);
    libro_key_free(signer);
    return cli_finish(code);
}

/* `libro issue license --batch FILE ...`: its own options (no single license's). */
static bool
wants_batch(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--batch") == 0 || strncmp(argv[i], "--batch=", 8) == 0) {
            return true;
        }
    }
    return false;
}

static const struct cli_cmd issue_commands[] = {
    {"charter", issue_charter, "charter a community (or an anchor community itself)"},
    {"authorization", issue_authorization, "authorize an issuer for license types"},
    {"registry-authorization", issue_registry_authorization, "name a registry's key"},
    {"license", issue_license, "issue a time-limited professional license"},
};

int
cmd_issue(int argc, char **argv)
{
    return cli_dispatch_sub("issue", issue_commands, LIBRO_NELEM(issue_commands), argc, argv);
}
