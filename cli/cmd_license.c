/* libro license show|expiring|suspend|reinstate|revoke|surrender|renew|tick: a registry's
 * licenses on a local SQLite file (embedded mode, docs/operations.md). Every change is one registry
 * transaction recording who, when and why; a renewal signs the new version as
 * `libro issue license` would and records it under the same number and status index. */
#include <string.h>

#include "cmd.h"
#include "libro/issuer.h"
#include "libro/registry.h"
#include "libro/registry_client.h"
#include "libro/time.h"
#include "libro/util.h"

#define DAY INT64_C(86400)
#define MAX_WITHIN_DAYS 36600u

static const char license_epilog[] =
    "Exit status: 0 done, 1 refused or failed (reason on stderr), 2 bad command line.";

static libro_code
json_record(libro_buf *b, const libro_license_record *rec, bool with_credential, libro_error *err)
{
    char from[LIBRO_TIME_TEXT_MAX];
    char until[LIBRO_TIME_TEXT_MAX];
    libro_code rc = libro_buf_append_str(b, "{\"number\":", err);

    if (rc == LIBRO_OK) {
        rc = cli_json_string(b, rec->number, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(b, err, ",\"version\":%u,\"state\":\"%s\",\"licenseType\":",
                              (unsigned) rec->version, libro_license_state_name(rec->state));
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_string(b, rec->license_type, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, ",\"holder\":", err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_string(b, rec->holder_name, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, ",\"issuer\":", err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_string(b, rec->issuer, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(b, err,
                              ",\"validFrom\":\"%s\",\"validUntil\":\"%s\",\"statusList\":%u,"
                              "\"statusIndex\":%u",
                              cli_time_text(from, rec->valid_from),
                              cli_time_text(until, rec->valid_until), (unsigned) rec->status_list,
                              (unsigned) rec->status_index);
    }
    if (rc == LIBRO_OK && with_credential) {
        rc = libro_buf_append_str(b, ",\"credential\":", err);
        if (rc == LIBRO_OK) {
            rc = cli_json_string(b, rec->credential != NULL ? rec->credential : "", err);
        }
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "}", err);
    }
    return rc;
}

static libro_code
json_event(libro_buf *b, const libro_license_event *e, libro_error *err)
{
    char at[LIBRO_TIME_TEXT_MAX];
    libro_code rc = libro_buf_printf(b, err, "{\"at\":\"%s\",\"action\":\"%s\",\"actor\":",
                                     cli_time_text(at, e->at), libro_action_name(e->action));

    if (rc == LIBRO_OK) {
        rc = cli_json_string(b, e->actor != NULL ? e->actor : "", err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, ",\"reason\":", err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_string(b, e->reason != NULL ? e->reason : "", err);
    }
    if (rc == LIBRO_OK) {
        if (e->from == 0) {
            rc = libro_buf_append_str(b, ",\"from\":null", err);
        } else {
            rc = libro_buf_printf(b, err, ",\"from\":\"%s\"", libro_license_state_name(e->from));
        }
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(b, err, ",\"to\":\"%s\",\"version\":%u,\"evidence\":",
                              libro_license_state_name(e->to), (unsigned) e->version);
    }
    if (rc == LIBRO_OK) {
        rc = e->evidence != NULL ? cli_json_string(b, e->evidence, err)
                                 : libro_buf_append_str(b, "null", err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "}", err);
    }
    return rc;
}

static void
print_record(const libro_license_record *rec)
{
    char from[LIBRO_TIME_TEXT_MAX];
    char until[LIBRO_TIME_TEXT_MAX];

    printf("license      %s (version %u)\n", rec->number, (unsigned) rec->version);
    printf("state        %s\n", libro_license_state_name(rec->state));
    printf("type         %s\n", rec->license_type);
    printf("holder       %s\n", rec->holder_name);
    printf("issuer       %s\n", rec->issuer);
    printf("valid        %s .. %s\n", cli_time_text(from, rec->valid_from),
           cli_time_text(until, rec->valid_until));
    printf("status       list %u, index %u\n", (unsigned) rec->status_list,
           (unsigned) rec->status_index);
}

static void
print_event(const libro_license_event *e)
{
    char at[LIBRO_TIME_TEXT_MAX];

    printf("  %s  %-9s v%-3u %-11s -> %-11s by %s", cli_time_text(at, e->at),
           libro_action_name(e->action), (unsigned) e->version,
           e->from == 0 ? "-" : libro_license_state_name(e->from), libro_license_state_name(e->to),
           e->actor != NULL ? e->actor : "");
    if (e->reason != NULL && e->reason[0] != '\0') {
        printf(": %s", e->reason);
    }
    if (e->evidence != NULL) {
        printf(" [%s]", e->evidence);
    }
    printf("\n");
}

/* ---- a registry URL ------------------------------------------------------------------------ */

/* A client for --registry URL: signing with --key under --issuer when both are given (writes
 * and queries), else reading public data only. *key must outlive the client. */
static libro_code
open_remote(libro_registry_client **client, libro_key **key, const char *url, const char *key_path,
            const char *issuer, const char *passphrase_fd, libro_error *err)
{
    libro_buf kid = LIBRO_BUF_INIT;
    libro_code rc = LIBRO_OK;

    *key = NULL;
    if (!cli_is_url(url)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "--registry: want the registry's URL (https://..., or http:// on "
                               "loopback); a database goes with --db");
    }
    if (key_path != NULL && issuer != NULL) {
        rc = cli_load_key(key, key_path, passphrase_fd, err);
        if (rc == LIBRO_OK) {
            rc = libro_kid_for(&kid, issuer, *key, err);
        }
    }
    if (rc == LIBRO_OK) {
        rc = libro_registry_client_open(
            client, url, *key, kid.data == NULL ? NULL : (const char *) kid.data, NULL, NULL, err);
    }
    libro_buf_free(&kid);
    return rc;
}

/* ---- license show -------------------------------------------------------------------------- */

static const char *sh_db;
static const char *sh_registry;
static bool sh_json;
static const char *sh_number;

static const struct cli_option show_opts[] = {
    {CLI_OPT_VALUE, "--db", "FILE", &sh_db, CLI_REQUIRED, 1,
     "the registry database: a file, or a postgresql:// URI"},
    {CLI_OPT_VALUE, "--registry", "URL", &sh_registry, CLI_REQUIRED, 1,
     "a registry's URL (public record, without the history)"},
    {CLI_OPT_SWITCH, "--json", NULL, &sh_json, 0, 0,
     "print one JSON document (schemas/cli/license-show.schema.json)"},
    {CLI_OPT_ARG, "NUMBER", NULL, &sh_number, CLI_REQUIRED, 0, "the license number"},
};

static const struct cli_command show_cmd = {
    "license show",
    "--db FILE | --registry URL [--json] NUMBER",
    "Show a license as the registry holds it (its latest version) and its full history:\n"
    "every issue, renewal and change, with who, when and why. From a registry's URL, the\n"
    "public record only (the history stays with the registry and its log).",
    show_opts,
    LIBRO_NELEM(show_opts),
    license_epilog,
};

static int
license_show(int argc, char **argv)
{
    const struct cli_command *cmd = &show_cmd;
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;
    libro_registry_client *client = NULL;
    libro_key *key = NULL;
    libro_license_record rec = {0};
    libro_license_event *events = NULL;
    libro_buf b = LIBRO_BUF_INIT;
    size_t n_events = 0;
    size_t i;
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    code = CLI_EXIT_NO;
    if (sh_registry != NULL) {
        if (open_remote(&client, &key, sh_registry, NULL, NULL, NULL, &err) != LIBRO_OK ||
            libro_registry_client_get(client, &rec, sh_number, &err) != LIBRO_OK) {
            goto out_report;
        }
    } else if (libro_registry_open(&r, sh_db, &err) != LIBRO_OK ||
               libro_registry_get(r, &rec, &events, &n_events, sh_number, &err) != LIBRO_OK) {
        goto out_report;
    }
    if (sh_json) {
        libro_code rc = libro_buf_append_str(&b, "{\"ok\":true,\"license\":", &err);

        if (rc == LIBRO_OK) {
            rc = json_record(&b, &rec, true, &err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_append_str(&b, ",\"history\":[", &err);
        }
        for (i = 0; i < n_events && rc == LIBRO_OK; i++) {
            rc = i > 0 ? libro_buf_append_str(&b, ",", &err) : LIBRO_OK;
            if (rc == LIBRO_OK) {
                rc = json_event(&b, &events[i], &err);
            }
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_append_str(&b, "]}\n", &err);
        }
        if (rc != LIBRO_OK) {
            goto out_report;
        }
        fputs((const char *) b.data, stdout);
    } else {
        print_record(&rec);
        if (client == NULL) {
            printf("history:\n");
        }
        for (i = 0; i < n_events; i++) {
            print_event(&events[i]);
        }
    }
    code = CLI_EXIT_OK;
    goto out;
out_report:
    cli_report_json(cmd->command, &err, sh_json);
out:
    libro_buf_free(&b);
    libro_license_events_free(events, n_events);
    libro_license_record_clear(&rec);
    libro_registry_close(r);
    libro_registry_client_close(client);
    libro_key_free(key);
    return cli_finish(code);
}

/* ---- license expiring ---------------------------------------------------------------------- */

static const char *ex_db;
static const char *ex_registry;
static const char *ex_key;
static const char *ex_issuer;
static const char *ex_pass_fd;
static const char *ex_within;
static bool ex_json;

static const struct cli_option expiring_opts[] = {
    {CLI_OPT_VALUE, "--db", "FILE", &ex_db, CLI_REQUIRED, 1,
     "the registry database: a file, or a postgresql:// URI"},
    {CLI_OPT_VALUE, "--registry", "URL", &ex_registry, CLI_REQUIRED, 1,
     "a registry's URL: a query signed with --key (the issuer's own licenses)"},
    {CLI_OPT_VALUE, "--key", "FILE", &ex_key, 0, 0, "with --registry: the issuer's signing key"},
    {CLI_OPT_VALUE, "--issuer", "ID", &ex_issuer, 0, 0, "with --registry: the issuer's id"},
    {CLI_OPT_VALUE, "--passphrase-fd", "N", &ex_pass_fd, 0, 0,
     "read the key's passphrase from descriptor N"},
    {CLI_OPT_VALUE, "--within", "DAYS", &ex_within, CLI_REQUIRED, 0, "how far ahead to look"},
    {CLI_OPT_SWITCH, "--json", NULL, &ex_json, 0, 0,
     "print one JSON document, streamed (schemas/cli/license-expiring.schema.json)"},
};

static const struct cli_command expiring_cmd = {
    "license expiring",
    "--db FILE | --registry URL --key FILE --issuer ID  --within DAYS [--json]",
    "List the licenses to chase for renewal, soonest first: active ones whose validUntil\n"
    "falls within DAYS from now, and expired ones still in their grace period. From a\n"
    "registry's URL, the signing issuer's own licenses. Each is printed as it is read\n"
    "(constant memory); a failure after the first ends the output there (with --json,\n"
    "an unclosed document) and gives the reason on stderr.",
    expiring_opts,
    LIBRO_NELEM(expiring_opts),
    license_epilog,
};

/* What license_expiring prints as it reads: one line per license, or with --json one
 * element of the streamed array (opened at the first, closed at the end). */
struct expiring_out {
    libro_buf b; /* one element at a time */
    size_t n;
    bool json;
};

static libro_code
expiring_print(void *ctx, const libro_license_record *rec, libro_error *err)
{
    struct expiring_out *o = ctx;
    char until[LIBRO_TIME_TEXT_MAX];
    libro_code rc = LIBRO_OK;

    if (!o->json) {
        printf("%-20s %-10s %s  %s (%s)\n", rec->number, libro_license_state_name(rec->state),
               cli_time_text(until, rec->valid_until), rec->holder_name, rec->license_type);
        o->n++;
        return LIBRO_OK;
    }
    libro_buf_clear(&o->b);
    rc = libro_buf_append_str(&o->b, o->n == 0 ? "{\"ok\":true,\"licenses\":[" : ",", err);
    if (rc == LIBRO_OK) {
        rc = json_record(&o->b, rec, false, err);
    }
    if (rc == LIBRO_OK) {
        fwrite(o->b.data, 1, o->b.len, stdout);
        o->n++;
    }
    return rc;
}

static int
license_expiring(int argc, char **argv)
{
    const struct cli_command *cmd = &expiring_cmd;
    libro_error err = LIBRO_ERROR_INIT;
    libro_error ignored = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;
    libro_registry_client *client = NULL;
    libro_key *key = NULL;
    struct expiring_out o = {LIBRO_BUF_INIT, 0, false};
    uint64_t within = 0;
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (ex_registry != NULL && (ex_key == NULL || ex_issuer == NULL)) {
        return cli_command_usage(cmd, "--registry needs --key and --issuer");
    }
    if (libro_parse_u64(&within, ex_within, strlen(ex_within), MAX_WITHIN_DAYS, &ignored) !=
        LIBRO_OK) {
        return cli_command_usage(cmd, "--within: want 0 to %u days", MAX_WITHIN_DAYS);
    }
    code = CLI_EXIT_NO;
    o.json = ex_json;
    if (ex_registry != NULL) {
        if (open_remote(&client, &key, ex_registry, ex_key, ex_issuer, ex_pass_fd, &err) !=
                LIBRO_OK ||
            libro_registry_client_expiring_each(client, (int64_t) within * DAY, false,
                                                expiring_print, &o, &err) != LIBRO_OK) {
            goto out_report;
        }
    } else if (libro_registry_open(&r, ex_db, &err) != LIBRO_OK ||
               libro_registry_expiring_each(r, libro_time_now(), (int64_t) within * DAY, false,
                                            expiring_print, &o, &err) != LIBRO_OK) {
        goto out_report;
    }
    if (ex_json) {
        fputs(o.n == 0 ? "{\"ok\":true,\"licenses\":[]}\n" : "]}\n", stdout);
    } else {
        fprintf(stderr, "libro: %zu license%s to renew within %u days\n", o.n, o.n == 1 ? "" : "s",
                (unsigned) within);
    }
    code = CLI_EXIT_OK;
    goto out;
out_report:
    /* Once the first license is out, the answer cannot be taken back: the document stays
     * unclosed (not valid JSON) and the reason goes to stderr alone. */
    cli_report_json(cmd->command, &err, ex_json && o.n == 0);
out:
    libro_buf_free(&o.b);
    libro_registry_close(r);
    libro_registry_client_close(client);
    libro_key_free(key);
    return cli_finish(code);
}

/* ---- license suspend / reinstate / revoke / surrender -------------------------------------- */

static const char *ch_db;
static const char *ch_actor;
static const char *ch_registry;
static const char *ch_key;
static const char *ch_issuer;
static const char *ch_pass_fd;
static const char *ch_reason;
static const char *ch_number;
static bool ch_json;

static const struct cli_option change_opts[] = {
    {CLI_OPT_VALUE, "--db", "FILE", &ch_db, CLI_REQUIRED, 1,
     "the registry database (embedded mode)"},
    {CLI_OPT_VALUE, "--actor", "WHO", &ch_actor, 0, 0,
     "with --db: who makes the change (recorded)"},
    {CLI_OPT_VALUE, "--registry", "URL", &ch_registry, CLI_REQUIRED, 1,
     "a registry's URL: the change is a request signed with --key"},
    {CLI_OPT_VALUE, "--key", "FILE", &ch_key, 0, 0, "with --registry: the issuer's signing key"},
    {CLI_OPT_VALUE, "--issuer", "ID", &ch_issuer, 0, 0,
     "with --registry: the issuer's id (its authorization's subject)"},
    {CLI_OPT_VALUE, "--passphrase-fd", "N", &ch_pass_fd, 0, 0,
     "read the key's passphrase from descriptor N"},
    CLI_JSON_OPTION(&ch_json, "license-change.schema.json"),
    {CLI_OPT_VALUE, "--reason", "TEXT", &ch_reason, CLI_REQUIRED, 0, "why (recorded)"},
    {CLI_OPT_ARG, "NUMBER", NULL, &ch_number, CLI_REQUIRED, 0, "the license number"},
};

#define CHANGE_CMD(verb, about)                                                                    \
    {                                                                                              \
        "license " verb,                                                                           \
            "--db FILE --actor WHO --reason TEXT [--json] NUMBER\n"                                \
            "       | --registry URL --key FILE --issuer ID --reason TEXT [--json] NUMBER",        \
            about, change_opts, LIBRO_NELEM(change_opts), license_epilog                           \
    }

static const struct cli_command suspend_cmd =
    CHANGE_CMD("suspend", "Suspend an active license (reversible: libro license reinstate).\n"
                          "Its bit is set in the suspension status list.");
static const struct cli_command reinstate_cmd =
    CHANGE_CMD("reinstate", "Reinstate a suspended license: its suspension bit is cleared.");
static const struct cli_command revoke_cmd =
    CHANGE_CMD("revoke", "Revoke an active or suspended license. Final: a revoked license is\n"
                         "never reinstated or renewed. Its bit is set in the revocation list.");
static const struct cli_command surrender_cmd =
    CHANGE_CMD("surrender", "Record that the holder gave the license up. Final, and published\n"
                            "as revoked (a verifier must read it as no longer valid) with the\n"
                            "word \"surrendered\" in the message list (verify: SURRENDERED).");

/* schemas/cli/license-change.schema.json: the change recorded, and the states before and after
 * when known (NULL records: through a registry's URL). */
static libro_code
json_change(const char *number, libro_action action, const libro_license_record *before,
            const libro_license_record *after, libro_error *err)
{
    struct cli_json j;

    cli_json_begin(&j, err);
    cli_json_str(&j, "number", number);
    cli_json_str(&j, "action", libro_action_name(action));
    cli_json_str(&j, "from", before != NULL ? libro_license_state_name(before->state) : NULL);
    cli_json_str(&j, "to", after != NULL ? libro_license_state_name(after->state) : NULL);
    return cli_json_end(&j);
}

static int
license_change(int argc, char **argv, const struct cli_command *cmd, libro_action action)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;
    libro_registry_client *client = NULL;
    libro_key *key = NULL;
    libro_license_record before = {0};
    libro_license_record after = {0};
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (ch_registry != NULL && (!cli_is_url(ch_registry) || ch_key == NULL || ch_issuer == NULL)) {
        return cli_command_usage(cmd,
                                 "--registry URL needs --key, --issuer and --reason (not --db)");
    }
    if (ch_db != NULL && ch_actor == NULL) {
        return cli_command_usage(cmd, "--db, --actor and --reason are required");
    }
    code = CLI_EXIT_NO;
    if (ch_registry != NULL) {
        if (open_remote(&client, &key, ch_registry, ch_key, ch_issuer, ch_pass_fd, &err) !=
                LIBRO_OK ||
            libro_registry_client_change(client, ch_number, action, ch_reason, &err) != LIBRO_OK) {
            goto out_report;
        }
        if (ch_json) {
            /* The registry's answer names no states: null, not a guess. */
            if (json_change(ch_number, action, NULL, NULL, &err) != LIBRO_OK) {
                goto out_report;
            }
        } else {
            printf("%s: %s recorded by the registry\n", ch_number, libro_action_name(action));
        }
        code = CLI_EXIT_OK;
        goto out;
    }
    if (libro_registry_open(&r, ch_db, &err) != LIBRO_OK ||
        libro_registry_get(r, &before, NULL, NULL, ch_number, &err) != LIBRO_OK ||
        libro_registry_change(r, NULL, ch_number, action, ch_actor, ch_reason, libro_time_now(),
                              &err) != LIBRO_OK ||
        libro_registry_get(r, &after, NULL, NULL, ch_number, &err) != LIBRO_OK) {
        goto out_report;
    }
    if (ch_json) {
        if (json_change(after.number, action, &before, &after, &err) != LIBRO_OK) {
            goto out_report;
        }
    } else {
        printf("%s: %s -> %s\n", after.number, libro_license_state_name(before.state),
               libro_license_state_name(after.state));
    }
    code = CLI_EXIT_OK;
    goto out;
out_report:
    cli_report_json(cmd->command, &err, ch_json);
out:
    libro_license_record_clear(&before);
    libro_license_record_clear(&after);
    libro_registry_close(r);
    libro_registry_client_close(client);
    libro_key_free(key);
    return cli_finish(code);
}

static int
license_suspend(int argc, char **argv)
{
    return license_change(argc, argv, &suspend_cmd, LIBRO_ACTION_SUSPEND);
}

static int
license_reinstate(int argc, char **argv)
{
    return license_change(argc, argv, &reinstate_cmd, LIBRO_ACTION_REINSTATE);
}

static int
license_revoke(int argc, char **argv)
{
    return license_change(argc, argv, &revoke_cmd, LIBRO_ACTION_REVOKE);
}

static int
license_surrender(int argc, char **argv)
{
    return license_change(argc, argv, &surrender_cmd, LIBRO_ACTION_SURRENDER);
}

/* ---- license renew ------------------------------------------------------------------------- */

static const char *rn_db;
static const char *rn_registry;
static const char *rn_key;
static const char *rn_auth;
static const char *rn_charter;
static struct cli_list rn_evidence;
static const char *rn_actor;
static const char *rn_reason;
static const char *rn_out;
static const char *rn_qr;
static const char *rn_pass_fd;
static const char *rn_number;
static bool rn_json;

static const struct cli_option renew_opts[] = {
    {CLI_OPT_VALUE, "--db", "FILE", &rn_db, CLI_REQUIRED, 1,
     "the registry database (embedded mode)"},
    {CLI_OPT_VALUE, "--registry", "URL", &rn_registry, CLI_REQUIRED, 1,
     "a registry's URL: the renewal is a request signed with --key"},
    {CLI_OPT_VALUE, "--key", "FILE", &rn_key, CLI_REQUIRED, 0, "signing key: the issuer's key"},
    {CLI_OPT_VALUE, "--authorization", "FILE", &rn_auth, CLI_REQUIRED, 0,
     "the issuer's IssuerAuthorization"},
    {CLI_OPT_VALUE, "--community-charter", "FILE", &rn_charter, CLI_REQUIRED, 0,
     "the charter of the community that authorized the issuer"},
    {CLI_OPT_LIST, "--evidence", "NAME=N", &rn_evidence, 0, 0,
     "evidence for the type's requirements, e.g. cpd_hours=60"},
    {CLI_OPT_VALUE, "--actor", "WHO", &rn_actor, 0, 0, "with --db: who renews (recorded)"},
    {CLI_OPT_VALUE, "--reason", "TEXT", &rn_reason, 0, 0, "why (recorded; optional)"},
    {CLI_OPT_VALUE, "--out", "FILE", &rn_out, CLI_REQUIRED, 0,
     "where to write the new version (compact JWS)"},
    {CLI_OPT_VALUE, "--qr", "FILE.png", &rn_qr, 0, 0,
     "also write its LB2 QR code as a PNG (level M)"},
    {CLI_OPT_VALUE, "--passphrase-fd", "N", &rn_pass_fd, 0, 0,
     "read the signing key's passphrase from descriptor N"},
    CLI_JSON_OPTION(&rn_json, "issue.schema.json"),
    {CLI_OPT_ARG, "NUMBER", NULL, &rn_number, CLI_REQUIRED, 0, "the license number"},
};

static const struct cli_command renew_cmd = {
    "license renew",
    "--db FILE --actor WHO | --registry URL\n"
    "       --key FILE --authorization FILE --community-charter FILE\n"
    "       [--evidence NAME=N...] [--reason TEXT] --out FILE [--qr FILE.png] [--json] NUMBER",
    "Renew a license: sign its next version (same number, holder, type, scope and status\n"
    "entries) valid from now for the type's validity (cut at the end of the authorization\n"
    "and of the charter), and record it. Allowed from the type's renewal window before\n"
    "expiry until its grace period ends, when the evidence meets the type's requirements.\n"
    "Nothing is written when the registry refuses.",
    renew_opts,
    LIBRO_NELEM(renew_opts),
    license_epilog,
};

struct evidence_list {
    libro_evidence items[CLI_MAX_REPEAT];
    char *names[CLI_MAX_REPEAT];
    size_t n;
};

static void
evidence_clear(struct evidence_list *ev)
{
    size_t i;

    for (i = 0; i < ev->n; i++) {
        libro_free(ev->names[i]);
    }
    ev->n = 0;
}

/* NAME=N items, names copied. A malformed item: LIBRO_ERR_INVALID_ARG with it in *bad. */
static libro_code
parse_evidence(struct evidence_list *ev, const struct cli_list *items, const char **bad,
               libro_error *err)
{
    size_t i;

    for (i = 0; i < items->n && i < CLI_MAX_REPEAT; i++) {
        const char *item = items->v[i];
        const char *eq = strchr(item, '=');
        uint64_t v = 0;

        if (eq == NULL || eq == item ||
            libro_parse_u64(&v, eq + 1, strlen(eq + 1), INT64_MAX, err) != LIBRO_OK) {
            *bad = item;
            return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "bad evidence");
        }
        ev->names[ev->n] = libro_strndup(item, (size_t) (eq - item));
        if (ev->names[ev->n] == NULL) {
            return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        }
        ev->items[ev->n].name = ev->names[ev->n];
        ev->items[ev->n].value = (int64_t) v;
        ev->n++;
    }
    return LIBRO_OK;
}

static int
license_renew(int argc, char **argv)
{
    const struct cli_command *cmd = &renew_cmd;
    libro_renewal_options opt = LIBRO_RENEWAL_OPTIONS_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    struct evidence_list ev = {0};
    libro_key *signer = NULL;
    libro_issuer *is = NULL;
    libro_registry_client *r = NULL;
    libro_issued res = LIBRO_ISSUED_INIT;
    const char *bad = NULL;
    char until[LIBRO_TIME_TEXT_MAX];
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (rn_db != NULL && rn_actor == NULL) {
        return cli_command_usage(cmd,
                                 "missing a required option (--db and --actor, or --registry)");
    }
    if (rn_registry != NULL && !cli_is_url(rn_registry)) {
        return cli_command_usage(cmd, "--registry: want the registry's URL; a database goes with "
                                      "--db");
    }
    if (cli_json_out_problem(rn_json, rn_out) != NULL) {
        return cli_command_usage(cmd, "%s", cli_json_out_problem(rn_json, rn_out));
    }
    if (parse_evidence(&ev, &rn_evidence, &bad, &err) != LIBRO_OK) {
        evidence_clear(&ev);
        if (bad == NULL) {
            cli_report_json(cmd->command, &err, rn_json);
            return CLI_EXIT_NO;
        }
        return cli_command_usage(cmd, "--evidence %.64s: want NAME=N (a non-negative integer)",
                                 bad);
    }
    opt.number = rn_number;
    opt.evidence = ev.items;
    opt.n_evidence = ev.n;
    opt.reason = rn_reason;
    code = CLI_EXIT_NO;
    if (cli_check_new_output(rn_out, "--out", &err) != LIBRO_OK ||
        cli_check_new_output(rn_qr, "--qr", &err) != LIBRO_OK ||
        cli_load_key(&signer, rn_key, rn_pass_fd, &err) != LIBRO_OK ||
        libro_issuer_open_files(&is, signer, rn_auth, rn_charter, &err) != LIBRO_OK ||
        libro_issuer_registry_open(&r, is, rn_db != NULL ? rn_db : rn_registry, rn_actor, &err) !=
            LIBRO_OK ||
        libro_issuer_renew(&res, is, r, &opt, &err) != LIBRO_OK) {
        goto out_report;
    }
    /* Recorded: from here a failure to write leaves the new version in the registry. */
    if (cli_write_credential(rn_out, &res.jws, res.license, &err) != LIBRO_OK) {
        libro_error_prefix(&err, "renewal recorded (see libro license show --json), but");
        goto out_report;
    }
    if (rn_qr != NULL && cli_write_qr_png(rn_qr, &res.jws, &err) != LIBRO_OK) {
        goto out_report;
    }
    if (rn_json) {
        if (cli_json_issued(res.license, rn_out, rn_qr, &res, &err) != LIBRO_OK) {
            goto out_report;
        }
    } else {
        printf("%s: renewed, version %u, valid until %s\n", res.license->license_number,
               (unsigned) res.version, cli_time_text(until, res.license->valid_until));
    }
    code = CLI_EXIT_OK;
    goto out;
out_report:
    cli_report_json(cmd->command, &err, rn_json);
out:
    libro_issued_clear(&res);
    libro_registry_client_close(r);
    libro_issuer_free(is);
    libro_key_free(signer);
    evidence_clear(&ev);
    return cli_finish(code);
}

/* ---- license tick -------------------------------------------------------------------------- */

static const char *tk_db;
static bool tk_json;

static const struct cli_option tick_opts[] = {
    {CLI_OPT_VALUE, "--db", "FILE", &tk_db, CLI_REQUIRED, 0,
     "the registry database: a file, or a postgresql:// URI"},
    CLI_JSON_OPTION(&tk_json, "license-tick.schema.json"),
};

static const struct cli_command tick_cmd = {
    "license tick",
    "--db FILE [--json]",
    "Apply the clock: active licenses past validUntil expire, expired ones past the grace\n"
    "period lapse (recorded under the actor \"registry\"). Run it regularly (cron).",
    tick_opts,
    LIBRO_NELEM(tick_opts),
    license_epilog,
};

static int
license_tick(int argc, char **argv)
{
    const struct cli_command *cmd = &tick_cmd;
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;
    size_t changed = 0;
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    code = CLI_EXIT_NO;
    if (libro_registry_open(&r, tk_db, &err) != LIBRO_OK ||
        libro_registry_tick(r, libro_time_now(), &changed, &err) != LIBRO_OK) {
        goto out_report;
    }
    if (tk_json) {
        struct cli_json j;

        cli_json_begin(&j, &err);
        cli_json_int(&j, "changed", (int64_t) changed);
        if (cli_json_end(&j) != LIBRO_OK) {
            goto out_report;
        }
    } else {
        printf("%zu change%s\n", changed, changed == 1 ? "" : "s");
    }
    code = CLI_EXIT_OK;
    goto out;
out_report:
    cli_report_json(cmd->command, &err, tk_json);
out:
    libro_registry_close(r);
    return cli_finish(code);
}

static const struct cli_cmd license_commands[] = {
    {"show", license_show, "show a license and its history"},
    {"expiring", license_expiring, "list licenses due for renewal"},
    {"suspend", license_suspend, "suspend a license (reversible)"},
    {"reinstate", license_reinstate, "lift a suspension"},
    {"revoke", license_revoke, "revoke a license (final)"},
    {"surrender", license_surrender, "record that the holder gave a license up (final)"},
    {"renew", license_renew, "sign and record a license's next version"},
    {"tick", license_tick, "expire and lapse licenses by the clock"},
};

int
cmd_license(int argc, char **argv)
{
    return cli_dispatch_sub("license", license_commands, LIBRO_NELEM(license_commands), argc, argv);
}
