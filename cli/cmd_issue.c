/* libro issue charter|authorization|registry-authorization|license: build a credential from
 * the command line, check it against the signer's own charter or authorization, sign it as
 * vc+jwt, and write it (and, for a license, its QR code). */
#include <string.h>

#include "cmd.h"
#include "libro/issuer.h"
#include "libro/registry.h"
#include "libro/registry_client.h"
#include "libro/time.h"
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

/* ---- issue charter ------------------------------------------------------------------------- */

static const struct cli_opt charter_opts[] = {
    {"--key", "FILE", "signing key: the parent community's key (or the community's own)", false},
    {"--self", NULL, "self-chartered anchor community: issuer = --id, signed by its own key",
     false},
    {"--issuer", "ID", "the parent community's id (not with --self)", false},
    {"--parent-charter", "FILE", "the parent's own charter (with --issuer): level, scope, window",
     false},
    {"--id", "ID", "the chartered community's id (an absolute URI)", false},
    {"--name", "NAME", "the community's name", false},
    {"--level", "N", "its level, 0 (tribe) to 8 (world)", false},
    {"--level-name", "NAME", "the name of its level (levels 3-7 have no default)", false},
    {"--community-key", "FILE", "the community's public key (default with --self: --key's)", false},
    {"--allow", "TYPE", "a license type the community may authorize", true},
    {"--valid-from", "TIME", "start of validity (default: now)", false},
    {"--valid-until", "TIME", "end of validity", false},
    {"--days", "N", "validity in days from --valid-from", false},
    {"--out", "FILE", "where to write the charter", false},
    {"--passphrase-fd", "N", "read the signing key's passphrase from descriptor N", false},
};

static const struct cli_spec charter_spec = {
    "issue charter",
    "--key FILE (--self | --issuer ID --parent-charter FILE) --id ID --name NAME --level N\n"
    "       [--community-key FILE] --allow TYPE... (--valid-until TIME | --days N) --out FILE",
    "Charter a community: a parent community signs a CommunityCharter naming the child's id,\n"
    "level, key and the license types it may authorize (a subset of the parent's). An\n"
    "anchor community charters itself with --self; verifiers pin such a charter with\n"
    "'libro trust add --anchor'.",
    charter_opts,
    LIBRO_NELEM(charter_opts),
    0,
    0,
    validity_epilog,
};

static int
issue_charter(int argc, char **argv)
{
    struct cli_args a;
    const struct cli_spec *sp = &charter_spec;
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *c = NULL;
    libro_credential *parent = NULL;
    libro_key *signer = NULL;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_buf parent_jws = LIBRO_BUF_INIT;
    const char *const *allow;
    size_t n_allow;
    uint64_t level = 0;
    bool self;
    const char *level_text;
    int code = cli_parse(&a, sp, argc, argv);

    if (code >= 0) {
        return code;
    }
    self = cli_has(&a, sp, "--self");
    level_text = cli_get(&a, sp, "--level");
    allow = cli_get_all(&a, sp, "--allow", &n_allow);
    if (!cli_has(&a, sp, "--key") || !cli_has(&a, sp, "--id") || !cli_has(&a, sp, "--name") ||
        level_text == NULL || !cli_has(&a, sp, "--out") || n_allow == 0) {
        return cli_usage_error(sp, "--key, --id, --name, --level, --allow and --out are required");
    }
    if (self == cli_has(&a, sp, "--issuer")) {
        return cli_usage_error(sp, "give exactly one of --self and --issuer");
    }
    if (self && cli_has(&a, sp, "--parent-charter")) {
        return cli_usage_error(sp, "--parent-charter does not go with --self");
    }
    /* Without the parent's charter nothing could be checked, and libro would sign charters
     * that every verifier refuses (a level not below the parent's, a wider scope). */
    if (!self && !cli_has(&a, sp, "--parent-charter")) {
        return cli_usage_error(sp, "--parent-charter FILE is required with --issuer");
    }
    if (libro_parse_u64(&level, level_text, strlen(level_text), LIBRO_MAX_LEVEL, &err) !=
        LIBRO_OK) {
        return cli_usage_error(sp, "--level: want 0 to %d", LIBRO_MAX_LEVEL);
    }
    code = CLI_EXIT_NO;
    if (cli_load_key(&signer, cli_get(&a, sp, "--key"), cli_get(&a, sp, "--passphrase-fd"), &err) !=
            LIBRO_OK ||
        libro_credential_new(&c, LIBRO_CRED_CHARTER, &err) != LIBRO_OK ||
        cli_dup_str(&c->issuer, self ? cli_get(&a, sp, "--id") : cli_get(&a, sp, "--issuer"),
                    &err) != LIBRO_OK ||
        cli_dup_str(&c->subject_id, cli_get(&a, sp, "--id"), &err) != LIBRO_OK ||
        cli_dup_str(&c->name, cli_get(&a, sp, "--name"), &err) != LIBRO_OK ||
        cli_dup_str(&c->level_name, cli_get(&a, sp, "--level-name"), &err) != LIBRO_OK ||
        cli_dup_list(&c->allowed_types, &c->n_allowed, allow, n_allow, &err) != LIBRO_OK ||
        cli_validity(&c->valid_from, &c->valid_until, cli_get(&a, sp, "--valid-from"),
                     cli_get(&a, sp, "--valid-until"), cli_get(&a, sp, "--days"), 0,
                     &err) != LIBRO_OK) {
        goto out_report;
    }
    c->level = (int) level;
    if (cli_has(&a, sp, "--community-key")) {
        if (load_public(&c->subject_key, cli_get(&a, sp, "--community-key"), &err) != LIBRO_OK) {
            goto out_report;
        }
    } else if (!self) {
        libro_error_set(&err, LIBRO_ERR_INVALID_ARG, "--community-key is required without --self");
        goto out_report;
    } else if (libro_key_public(&c->subject_key, signer, &err) != LIBRO_OK) {
        goto out_report;
    }
    if (cli_has(&a, sp, "--parent-charter") &&
        (cli_read_own_credential(&parent, &parent_jws, cli_get(&a, sp, "--parent-charter"), &err) !=
             LIBRO_OK ||
         libro_issuer_check_under_charter(c, parent, signer, &err) != LIBRO_OK)) {
        goto out_report;
    }
    if (cli_sign_and_write(&jws, c, signer, cli_get(&a, sp, "--out"), &err) != LIBRO_OK) {
        goto out_report;
    }
    code = CLI_EXIT_OK;
    goto out;
out_report:
    cli_report("issue charter", &err);
out:
    libro_buf_free(&jws);
    libro_buf_free(&parent_jws);
    libro_credential_free(parent);
    libro_credential_free(c);
    libro_key_free(signer);
    return cli_finish(code);
}

/* ---- issue authorization / registry-authorization ----------------------------------------- */

static const struct cli_opt auth_opts[] = {
    {"--key", "FILE", "signing key: the community's key", false},
    {"--charter", "FILE", "the community's own charter (its id, window and allowed types)", false},
    {"--id", "ID", "the authorized service's id (an absolute URI)", false},
    {"--name", "NAME", "the service's name", false},
    {"--subject-key", "FILE", "the service's public key", false},
    {"--grant", "TYPE:DAYS", "a license type and its longest validity in days", true},
    {"--valid-from", "TIME", "start of validity (default: now)", false},
    {"--valid-until", "TIME", "end of validity", false},
    {"--days", "N", "validity in days from --valid-from", false},
    {"--out", "FILE", "where to write the authorization", false},
    {"--passphrase-fd", "N", "read the signing key's passphrase from descriptor N", false},
};

static const struct cli_spec auth_spec = {
    "issue authorization",
    "--key FILE --charter FILE --id ID --name NAME --subject-key FILE --grant TYPE:DAYS...\n"
    "       (--valid-until TIME | --days N) --out FILE",
    "Authorize an issuer (a public service of the community) to sign licenses of the granted\n"
    "types, each up to its number of days. Signed by the community key; the grants must be\n"
    "among the license types the community's charter allows, and the window inside it.",
    auth_opts,
    LIBRO_NELEM(auth_opts),
    0,
    0,
    validity_epilog,
};

static const struct cli_opt reg_opts[] = {
    {"--key", "FILE", "signing key: the community's key", false},
    {"--charter", "FILE", "the community's own charter", false},
    {"--id", "ID", "the registry's id (an absolute URI)", false},
    {"--name", "NAME", "the registry's name", false},
    {"--subject-key", "FILE", "the registry's public key", false},
    {"--url", "URL", "where the registry serves (https, or http on loopback)", false},
    {"--valid-from", "TIME", "start of validity (default: now)", false},
    {"--valid-until", "TIME", "end of validity", false},
    {"--days", "N", "validity in days from --valid-from", false},
    {"--out", "FILE", "where to write the authorization", false},
    {"--passphrase-fd", "N", "read the signing key's passphrase from descriptor N", false},
};

static const struct cli_spec reg_spec = {
    "issue registry-authorization",
    "--key FILE --charter FILE --id ID --name NAME --subject-key FILE [--url URL]\n"
    "       (--valid-until TIME | --days N) --out FILE",
    "Name the key the community's registry signs status lists and log checkpoints with.",
    reg_opts,
    LIBRO_NELEM(reg_opts),
    0,
    0,
    validity_epilog,
};

static libro_code
parse_grants(libro_credential *c, const char *const *grants, size_t n, libro_error *err)
{
    size_t i;

    c->grants = libro_calloc(n, sizeof *c->grants);
    if (c->grants == NULL) {
        return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
    }
    for (i = 0; i < n; i++) {
        const char *colon = strrchr(grants[i], ':');
        uint64_t days = 0;

        if (colon == NULL || colon == grants[i] ||
            libro_parse_u64(&days, colon + 1, strlen(colon + 1), LIBRO_MAX_VALIDITY_DAYS, err) !=
                LIBRO_OK ||
            days == 0) {
            return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                                   "--grant %.64s: want TYPE:DAYS with 1 to %u days", grants[i],
                                   LIBRO_MAX_VALIDITY_DAYS);
        }
        c->grants[i].id = libro_strndup(grants[i], (size_t) (colon - grants[i]));
        if (c->grants[i].id == NULL) {
            return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        }
        c->grants[i].validity_days = (uint32_t) days;
        c->n_grants++;
    }
    return LIBRO_OK;
}

static int
issue_auth(int argc, char **argv, libro_cred_type type)
{
    struct cli_args a;
    const struct cli_spec *sp = type == LIBRO_CRED_ISSUER_AUTH ? &auth_spec : &reg_spec;
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *c = NULL;
    libro_credential *charter = NULL;
    libro_key *signer = NULL;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_buf charter_jws = LIBRO_BUF_INIT;
    const char *const *grants = NULL;
    size_t n_grants = 0;
    int code = cli_parse(&a, sp, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (type == LIBRO_CRED_ISSUER_AUTH) {
        grants = cli_get_all(&a, sp, "--grant", &n_grants);
    }
    if (!cli_has(&a, sp, "--key") || !cli_has(&a, sp, "--charter") || !cli_has(&a, sp, "--id") ||
        !cli_has(&a, sp, "--name") || !cli_has(&a, sp, "--subject-key") ||
        !cli_has(&a, sp, "--out") || (type == LIBRO_CRED_ISSUER_AUTH && n_grants == 0)) {
        return cli_usage_error(sp, "missing a required option");
    }
    code = CLI_EXIT_NO;
    if (cli_load_key(&signer, cli_get(&a, sp, "--key"), cli_get(&a, sp, "--passphrase-fd"), &err) !=
            LIBRO_OK ||
        cli_read_own_credential(&charter, &charter_jws, cli_get(&a, sp, "--charter"), &err) !=
            LIBRO_OK ||
        libro_credential_new(&c, type, &err) != LIBRO_OK ||
        cli_dup_str(&c->issuer, charter->subject_id, &err) != LIBRO_OK ||
        cli_dup_str(&c->subject_id, cli_get(&a, sp, "--id"), &err) != LIBRO_OK ||
        cli_dup_str(&c->name, cli_get(&a, sp, "--name"), &err) != LIBRO_OK ||
        load_public(&c->subject_key, cli_get(&a, sp, "--subject-key"), &err) != LIBRO_OK ||
        cli_validity(&c->valid_from, &c->valid_until, cli_get(&a, sp, "--valid-from"),
                     cli_get(&a, sp, "--valid-until"), cli_get(&a, sp, "--days"), 0,
                     &err) != LIBRO_OK) {
        goto out_report;
    }
    if (type == LIBRO_CRED_ISSUER_AUTH && parse_grants(c, grants, n_grants, &err) != LIBRO_OK) {
        goto out_report;
    }
    if (type == LIBRO_CRED_REGISTRY_AUTH &&
        cli_dup_str(&c->url, cli_get(&a, sp, "--url"), &err) != LIBRO_OK) {
        goto out_report;
    }
    if (libro_issuer_check_under_charter(c, charter, signer, &err) != LIBRO_OK ||
        cli_sign_and_write(&jws, c, signer, cli_get(&a, sp, "--out"), &err) != LIBRO_OK) {
        goto out_report;
    }
    code = CLI_EXIT_OK;
    goto out;
out_report:
    cli_report(sp->command, &err);
out:
    libro_buf_free(&jws);
    libro_buf_free(&charter_jws);
    libro_credential_free(charter);
    libro_credential_free(c);
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

static const struct cli_opt license_opts[] = {
    {"--key", "FILE", "signing key: the issuer's key", false},
    {"--authorization", "FILE", "the issuer's IssuerAuthorization", false},
    {"--community-charter", "FILE", "the charter of the community that authorized the issuer",
     false},
    {"--holder", "NAME", "the holder's name", false},
    {"--holder-did", "DID", "the holder's own did:key (optional)", false},
    {"--number", "NUMBER", "the license number", false},
    {"--profession", "TEXT", "the profession", false},
    {"--type", "TYPE", "the license type (granted by the authorization)", false},
    {"--scope", "TEXT", "what the license covers", true},
    {"--valid-from", "TIME", "start of validity (default: now)", false},
    {"--valid-until", "TIME", "end of validity (default: the type's full validity)", false},
    {"--days", "N", "validity in days from --valid-from", false},
    {"--out", "FILE", "where to write the license (compact JWS)", false},
    {"--qr", "FILE.png", "also write its LB1 QR code as a PNG (level M)", false},
    {"--passphrase-fd", "N", "read the signing key's passphrase from descriptor N", false},
    {"--registry", "DB|URL",
     "record the license in this registry: a database (embedded mode) or a registry's URL "
     "(signed requests)",
     false},
    {"--status-url-base", "URL",
     "with --registry DB: where the registry's status lists are served (<URL>/<list>/revocation)",
     false},
};

static const struct cli_spec license_spec = {
    "issue license",
    "--key FILE --authorization FILE --community-charter FILE --holder NAME --number N\n"
    "       --profession TEXT --type TYPE --scope TEXT... [--holder-did DID]\n"
    "       [--valid-until TIME | --days N] --out FILE [--qr FILE.png]\n"
    "       [--registry DB --status-url-base URL | --registry URL]",
    "Issue a time-limited professional license. The license type must be granted by the\n"
    "issuer's authorization, and the validity must lie inside the authorization's window\n"
    "and not exceed the type's validity (the default is its full validity, cut at the\n"
    "authorization's end). With --registry the license gets a random status index in the\n"
    "registry's status lists (credentialStatus) and is recorded there, by the issuer's id,\n"
    "before it is written; the type must be defined in the registry. A registry URL\n"
    "(https://..., or http:// on loopback) is reached by requests signed with --key, which\n"
    "the registry knows from the issuer's authorization (libro registry authorize).",
    license_opts,
    LIBRO_NELEM(license_opts),
    0,
    0,
    validity_epilog,
};

/* `type_days`: the validity of the license type in the registry, or 0 without one. */
static libro_code
fill_license(libro_credential *c, const struct cli_args *a, const libro_credential *auth,
             const libro_credential *community, uint32_t type_days, libro_error *err)
{
    uint32_t default_days;

    const struct cli_spec *sp = &license_spec;
    const char *const *scope;
    size_t n_scope;
    libro_code rc;

    scope = cli_get_all(a, sp, "--scope", &n_scope);
    rc = cli_dup_str(&c->issuer, auth->subject_id, err);
    if (rc == LIBRO_OK) {
        rc = cli_dup_str(&c->subject_id, cli_get(a, sp, "--holder-did"), err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_dup_str(&c->name, cli_get(a, sp, "--holder"), err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_dup_str(&c->license_number, cli_get(a, sp, "--number"), err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_dup_str(&c->profession, cli_get(a, sp, "--profession"), err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_dup_str(&c->license_type, cli_get(a, sp, "--type"), err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_dup_list(&c->scope, &c->n_scope, scope, n_scope, err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_dup_str(&c->community_id, community->subject_id, err);
    }
    c->community_level = community->level;
    if (rc == LIBRO_OK && cli_granted_days(auth, c->license_type) == 0) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED,
                             "license type %.64s is not granted by the authorization of %.64s",
                             c->license_type, auth->subject_id);
    }
    /* By default the full validity the authorization grants, and no longer than the
     * registry's type allows. */
    default_days = cli_granted_days(auth, c->license_type);
    if (type_days > 0 && type_days < default_days) {
        default_days = type_days;
    }
    if (rc == LIBRO_OK) {
        rc = cli_validity(&c->valid_from, &c->valid_until, cli_get(a, sp, "--valid-from"),
                          cli_get(a, sp, "--valid-until"), cli_get(a, sp, "--days"), default_days,
                          err);
    }
    /* The default validity stops where the authorization does. */
    if (rc == LIBRO_OK && !cli_has(a, sp, "--valid-until") && !cli_has(a, sp, "--days") &&
        c->valid_until > auth->valid_until) {
        c->valid_until = auth->valid_until;
    }
    if (rc == LIBRO_OK) {
        rc = cli_check_community(auth, community, err);
    }
    return rc;
}

/* The license type as the registry defines it (its validity caps the default). */
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

/* Record the license in the registry: reserve its status index, put the status entries in
 * the license, sign, register. Only then is the credential written (by the caller), so a
 * license the registry refuses never leaves this process. An index reserved for a license
 * that is then refused stays unused. A remote registry names its own list URLs. */
static libro_code
issue_registered(libro_buf *jws, libro_credential *c, const struct cli_issuer *is,
                 libro_registry_client *r, const char *url_base, libro_error *err)
{
    uint32_t list = 0;
    uint32_t index = 0;
    char *revocation = NULL;
    char *suspension = NULL;
    /* The license with a placeholder entry first: a bad --status-url-base costs no index. */
    libro_code rc = cli_set_status(c, url_base, 0, 0, err);

    if (rc == LIBRO_OK) {
        rc = libro_credential_check(c, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_registry_client_reserve(r, &list, &index, &revocation, &suspension, err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_set_status(c, url_base, list, index, err);
    }
    if (rc == LIBRO_OK && revocation != NULL &&
        (strcmp(revocation, c->status_revocation_list) != 0 ||
         strcmp(suspension, c->status_suspension_list) != 0)) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED,
                             "the registry serves its lists at %.120s, not under the status URL "
                             "base",
                             revocation);
    }
    if (rc == LIBRO_OK) {
        rc = cli_sign_credential(jws, c, is->signer, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_registry_client_register(r, (const char *) jws->data, list, index, err);
    }
    if (rc == LIBRO_OK) {
        fprintf(stderr, "libro: registered %s (status list %u, index %u)\n", c->license_number,
                (unsigned) list, (unsigned) index);
    }
    libro_free(revocation);
    libro_free(suspension);
    return rc;
}

static int
issue_license(int argc, char **argv)
{
    struct cli_args a;
    const struct cli_spec *sp = &license_spec;
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *c = NULL;
    struct cli_issuer is = CLI_ISSUER_INIT;
    libro_registry_client *client = NULL;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_buf kid = LIBRO_BUF_INIT;
    libro_buf remote_base = LIBRO_BUF_INIT;
    const char *db;
    const char *url_base;
    uint32_t type_days = 0;
    size_t n_scope = 0;
    int code = cli_parse(&a, sp, argc, argv);

    if (code >= 0) {
        return code;
    }
    (void) cli_get_all(&a, sp, "--scope", &n_scope);
    if (!cli_has(&a, sp, "--key") || !cli_has(&a, sp, "--authorization") ||
        !cli_has(&a, sp, "--community-charter") || !cli_has(&a, sp, "--holder") ||
        !cli_has(&a, sp, "--number") || !cli_has(&a, sp, "--profession") ||
        !cli_has(&a, sp, "--type") || n_scope == 0 || !cli_has(&a, sp, "--out")) {
        return cli_usage_error(sp, "missing a required option");
    }
    db = cli_get(&a, sp, "--registry");
    url_base = cli_get(&a, sp, "--status-url-base");
    code = CLI_EXIT_NO;
    if (db != NULL && cli_is_url(db)) {
        /* A registry serves its lists under its own URL. */
        if (url_base == NULL) {
            size_t len = strlen(db);

            while (len > 0 && db[len - 1] == '/') {
                len--;
            }
            if (len > 2048 ||
                libro_buf_printf(&remote_base, &err, "%.*s/v1/status", (int) len, db) != LIBRO_OK) {
                goto out_report;
            }
            url_base = (const char *) remote_base.data;
        }
    } else if ((db == NULL) != (url_base == NULL)) {
        return cli_usage_error(sp, "--registry DB and --status-url-base go together");
    }
    code = CLI_EXIT_NO;
    if (cli_issuer_load(&is, cli_get(&a, sp, "--key"), cli_get(&a, sp, "--passphrase-fd"),
                        cli_get(&a, sp, "--authorization"), cli_get(&a, sp, "--community-charter"),
                        &err) != LIBRO_OK) {
        goto out_report;
    }
    if (db != NULL && (cli_check_new_output(cli_get(&a, sp, "--out"), "--out", &err) != LIBRO_OK ||
                       cli_check_new_output(cli_get(&a, sp, "--qr"), "--qr", &err) != LIBRO_OK ||
                       libro_kid_for(&kid, is.auth->subject_id, is.signer, &err) != LIBRO_OK ||
                       libro_registry_client_open(&client, db, is.signer, (const char *) kid.data,
                                                  is.auth->subject_id, NULL, &err) != LIBRO_OK)) {
        goto out_report;
    }
    /* The registry's type caps the default validity. */
    if (client != NULL &&
        registry_type_days(&type_days, client, cli_get(&a, sp, "--type"), &err) != LIBRO_OK) {
        goto out_report;
    }
    if (libro_credential_new(&c, LIBRO_CRED_LICENSE, &err) != LIBRO_OK ||
        fill_license(c, &a, is.auth, is.community, type_days, &err) != LIBRO_OK ||
        libro_issuer_check_license(c, is.auth, is.community, is.signer, &err) != LIBRO_OK) {
        goto out_report;
    }
    if (client == NULL) {
        if (cli_sign_and_write(&jws, c, is.signer, cli_get(&a, sp, "--out"), &err) != LIBRO_OK) {
            goto out_report;
        }
    } else if (issue_registered(&jws, c, &is, client, url_base, &err) != LIBRO_OK ||
               cli_write_credential(cli_get(&a, sp, "--out"), &jws, c, &err) != LIBRO_OK) {
        goto out_report;
    }
    if (cli_has(&a, sp, "--qr") &&
        cli_write_qr_png(cli_get(&a, sp, "--qr"), &jws, &err) != LIBRO_OK) {
        goto out_report;
    }
    code = CLI_EXIT_OK;
    goto out;
out_report:
    cli_report("issue license", &err);
out:
    libro_buf_free(&jws);
    libro_buf_free(&kid);
    libro_buf_free(&remote_base);
    libro_credential_free(c);
    libro_registry_client_close(client);
    cli_issuer_clear(&is);
    return cli_finish(code);
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
