/* libro license show|expiring|suspend|reinstate|revoke|surrender|renew|tick: a registry's
 * licenses on a local SQLite file (embedded mode, design.md §5). Every change is one registry
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

/* A time for people; "-" for one that cannot be written (never for registry data). */
static const char *
time_text(char out[LIBRO_TIME_TEXT_MAX], int64_t t)
{
    libro_error ignored = LIBRO_ERROR_INIT;

    if (libro_time_format(out, t, &ignored) != LIBRO_OK) {
        out[0] = '-';
        out[1] = '\0';
    }
    return out;
}

/* Report a failure: a JSON document on stdout with --json, else a line on stderr. */
static void
report(const char *command, const libro_error *err, bool json)
{
    if (json) {
        cli_json_error(err);
    } else {
        cli_report(command, err);
    }
}

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
                              time_text(from, rec->valid_from), time_text(until, rec->valid_until),
                              (unsigned) rec->status_list, (unsigned) rec->status_index);
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
                                     time_text(at, e->at), libro_action_name(e->action));

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
    printf("valid        %s .. %s\n", time_text(from, rec->valid_from),
           time_text(until, rec->valid_until));
    printf("status       list %u, index %u\n", (unsigned) rec->status_list,
           (unsigned) rec->status_index);
}

static void
print_event(const libro_license_event *e)
{
    char at[LIBRO_TIME_TEXT_MAX];

    printf("  %s  %-9s v%-3u %-11s -> %-11s by %s", time_text(at, e->at),
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
open_remote(libro_registry_client **client, libro_key **key, const struct cli_args *a,
            const struct cli_spec *sp, libro_error *err)
{
    libro_buf kid = LIBRO_BUF_INIT;
    libro_code rc = LIBRO_OK;

    *key = NULL;
    if (!cli_is_url(cli_get(a, sp, "--registry"))) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "--registry: want the registry's URL (https://..., or http:// on "
                               "loopback); a database goes with --db");
    }
    if (cli_has(a, sp, "--key") && cli_has(a, sp, "--issuer")) {
        rc = cli_load_key(key, cli_get(a, sp, "--key"), cli_get(a, sp, "--passphrase-fd"), err);
        if (rc == LIBRO_OK) {
            rc = libro_kid_for(&kid, cli_get(a, sp, "--issuer"), *key, err);
        }
    }
    if (rc == LIBRO_OK) {
        rc = libro_registry_client_open(client, cli_get(a, sp, "--registry"), *key,
                                        kid.data == NULL ? NULL : (const char *) kid.data, NULL,
                                        NULL, err);
    }
    libro_buf_free(&kid);
    return rc;
}

/* ---- license show -------------------------------------------------------------------------- */

static const struct cli_opt show_opts[] = {
    {"--db", "FILE", "the registry database", false},
    {"--registry", "URL", "a registry's URL (public record, without the history)", false},
    {"--json", NULL, "print one JSON document (schemas/cli/license-show.schema.json)", false},
};

static const struct cli_spec show_spec = {
    "license show",
    "--db FILE | --registry URL [--json] NUMBER",
    "Show a license as the registry holds it (its latest version) and its full history:\n"
    "every issue, renewal and change, with who, when and why. From a registry's URL, the\n"
    "public record only (the history stays with the registry and its log).",
    show_opts,
    LIBRO_NELEM(show_opts),
    1,
    1,
    license_epilog,
};

static int
license_show(int argc, char **argv)
{
    struct cli_args a;
    const struct cli_spec *sp = &show_spec;
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;
    libro_registry_client *client = NULL;
    libro_key *key = NULL;
    libro_license_record rec = {0};
    libro_license_event *events = NULL;
    libro_buf b = LIBRO_BUF_INIT;
    size_t n_events = 0;
    size_t i;
    bool json;
    int code = cli_parse(&a, sp, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (cli_has(&a, sp, "--db") == cli_has(&a, sp, "--registry")) {
        return cli_usage_error(sp, "give --db or --registry");
    }
    json = cli_has(&a, sp, "--json");
    code = CLI_EXIT_NO;
    if (cli_has(&a, sp, "--registry")) {
        if (open_remote(&client, &key, &a, sp, &err) != LIBRO_OK ||
            libro_registry_client_get(client, &rec, a.positional[0], &err) != LIBRO_OK) {
            goto out_report;
        }
    } else if (libro_registry_open(&r, cli_get(&a, sp, "--db"), &err) != LIBRO_OK ||
               libro_registry_get(r, &rec, &events, &n_events, a.positional[0], &err) != LIBRO_OK) {
        goto out_report;
    }
    if (json) {
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
    report(sp->command, &err, json);
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

static const struct cli_opt expiring_opts[] = {
    {"--db", "FILE", "the registry database", false},
    {"--registry", "URL", "a registry's URL: a query signed with --key (the issuer's own licenses)",
     false},
    {"--key", "FILE", "with --registry: the issuer's signing key", false},
    {"--issuer", "ID", "with --registry: the issuer's id", false},
    {"--passphrase-fd", "N", "read the key's passphrase from descriptor N", false},
    {"--within", "DAYS", "how far ahead to look", false},
    {"--json", NULL, "print one JSON document (schemas/cli/license-expiring.schema.json)", false},
};

static const struct cli_spec expiring_spec = {
    "license expiring",
    "--db FILE | --registry URL --key FILE --issuer ID  --within DAYS [--json]",
    "List the licenses to chase for renewal, soonest first: active ones whose validUntil\n"
    "falls within DAYS from now, and expired ones still in their grace period. From a\n"
    "registry's URL, the signing issuer's own licenses.",
    expiring_opts,
    LIBRO_NELEM(expiring_opts),
    0,
    0,
    license_epilog,
};

static int
license_expiring(int argc, char **argv)
{
    struct cli_args a;
    const struct cli_spec *sp = &expiring_spec;
    libro_error err = LIBRO_ERROR_INIT;
    libro_error ignored = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;
    libro_registry_client *client = NULL;
    libro_key *key = NULL;
    libro_license_record *recs = NULL;
    libro_buf b = LIBRO_BUF_INIT;
    const char *within_text;
    uint64_t within = 0;
    size_t n = 0;
    size_t i;
    bool json;
    int code = cli_parse(&a, sp, argc, argv);

    if (code >= 0) {
        return code;
    }
    within_text = cli_get(&a, sp, "--within");
    if (cli_has(&a, sp, "--db") == cli_has(&a, sp, "--registry") || within_text == NULL) {
        return cli_usage_error(sp, "--within and one of --db or --registry are required");
    }
    if (cli_has(&a, sp, "--registry") &&
        (!cli_has(&a, sp, "--key") || !cli_has(&a, sp, "--issuer"))) {
        return cli_usage_error(sp, "--registry needs --key and --issuer");
    }
    if (libro_parse_u64(&within, within_text, strlen(within_text), MAX_WITHIN_DAYS, &ignored) !=
        LIBRO_OK) {
        return cli_usage_error(sp, "--within: want 0 to %u days", MAX_WITHIN_DAYS);
    }
    json = cli_has(&a, sp, "--json");
    code = CLI_EXIT_NO;
    if (cli_has(&a, sp, "--registry")) {
        if (open_remote(&client, &key, &a, sp, &err) != LIBRO_OK ||
            libro_registry_client_expiring(client, &recs, &n, (int64_t) within * DAY, &err) !=
                LIBRO_OK) {
            goto out_report;
        }
    } else if (libro_registry_open(&r, cli_get(&a, sp, "--db"), &err) != LIBRO_OK ||
               libro_registry_expiring(r, &recs, &n, libro_time_now(), (int64_t) within * DAY,
                                       &err) != LIBRO_OK) {
        goto out_report;
    }
    if (json) {
        libro_code rc = libro_buf_append_str(&b, "{\"ok\":true,\"licenses\":[", &err);

        for (i = 0; i < n && rc == LIBRO_OK; i++) {
            rc = i > 0 ? libro_buf_append_str(&b, ",", &err) : LIBRO_OK;
            if (rc == LIBRO_OK) {
                rc = json_record(&b, &recs[i], false, &err);
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
        for (i = 0; i < n; i++) {
            char until[LIBRO_TIME_TEXT_MAX];

            printf("%-20s %-10s %s  %s (%s)\n", recs[i].number,
                   libro_license_state_name(recs[i].state), time_text(until, recs[i].valid_until),
                   recs[i].holder_name, recs[i].license_type);
        }
        fprintf(stderr, "libro: %zu license%s to renew within %u days\n", n, n == 1 ? "" : "s",
                (unsigned) within);
    }
    code = CLI_EXIT_OK;
    goto out;
out_report:
    report(sp->command, &err, json);
out:
    libro_buf_free(&b);
    libro_license_records_free(recs, n);
    libro_registry_close(r);
    libro_registry_client_close(client);
    libro_key_free(key);
    return cli_finish(code);
}

/* ---- license suspend / reinstate / revoke / surrender -------------------------------------- */

static const struct cli_opt change_opts[] = {
    {"--db", "FILE", "the registry database (embedded mode)", false},
    {"--actor", "WHO", "with --db: who makes the change (recorded)", false},
    {"--registry", "URL", "a registry's URL: the change is a request signed with --key", false},
    {"--key", "FILE", "with --registry: the issuer's signing key", false},
    {"--issuer", "ID", "with --registry: the issuer's id (its authorization's subject)", false},
    {"--passphrase-fd", "N", "read the key's passphrase from descriptor N", false},
    {"--reason", "TEXT", "why (recorded)", false},
};

#define CHANGE_SPEC(verb, about)                                                                   \
    {                                                                                              \
        "license " verb,                                                                           \
            "--db FILE --actor WHO --reason TEXT NUMBER\n"                                         \
            "       | --registry URL --key FILE --issuer ID --reason TEXT NUMBER",                 \
            about, change_opts, LIBRO_NELEM(change_opts), 1, 1, license_epilog                     \
    }

static const struct cli_spec suspend_spec =
    CHANGE_SPEC("suspend", "Suspend an active license (reversible: libro license reinstate).\n"
                           "Its bit is set in the suspension status list.");
static const struct cli_spec reinstate_spec =
    CHANGE_SPEC("reinstate", "Reinstate a suspended license: its suspension bit is cleared.");
static const struct cli_spec revoke_spec =
    CHANGE_SPEC("revoke", "Revoke an active or suspended license. Final: a revoked license is\n"
                          "never reinstated or renewed. Its bit is set in the revocation list.");
static const struct cli_spec surrender_spec =
    CHANGE_SPEC("surrender", "Record that the holder gave the license up. Final, and published\n"
                             "as revoked (a verifier must read it as no longer valid).");

static int
license_change_remote(const struct cli_args *a, const struct cli_spec *sp, libro_action action)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry_client *client = NULL;
    libro_key *key = NULL;
    const char *number = a->positional[0];
    int code = CLI_EXIT_NO;

    if (!cli_is_url(cli_get(a, sp, "--registry")) || !cli_has(a, sp, "--key") ||
        !cli_has(a, sp, "--issuer") || !cli_has(a, sp, "--reason") || cli_has(a, sp, "--db")) {
        return cli_usage_error(sp, "--registry URL needs --key, --issuer and --reason (not --db)");
    }
    if (open_remote(&client, &key, a, sp, &err) != LIBRO_OK ||
        libro_registry_client_change(client, number, action, cli_get(a, sp, "--reason"), &err) !=
            LIBRO_OK) {
        cli_report(sp->command, &err);
    } else {
        printf("%s: %s recorded by the registry\n", number, libro_action_name(action));
        code = CLI_EXIT_OK;
    }
    libro_registry_client_close(client);
    libro_key_free(key);
    return code;
}

static int
license_change(int argc, char **argv, const struct cli_spec *sp, libro_action action)
{
    struct cli_args a;
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;
    libro_license_record before = {0};
    libro_license_record after = {0};
    const char *number;
    int code = cli_parse(&a, sp, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (cli_has(&a, sp, "--registry")) {
        return cli_finish(license_change_remote(&a, sp, action));
    }
    if (!cli_has(&a, sp, "--db") || !cli_has(&a, sp, "--actor") || !cli_has(&a, sp, "--reason")) {
        return cli_usage_error(sp, "--db, --actor and --reason are required");
    }
    number = a.positional[0];
    code = CLI_EXIT_NO;
    if (libro_registry_open(&r, cli_get(&a, sp, "--db"), &err) != LIBRO_OK ||
        libro_registry_get(r, &before, NULL, NULL, number, &err) != LIBRO_OK ||
        libro_registry_change(r, NULL, number, action, cli_get(&a, sp, "--actor"),
                              cli_get(&a, sp, "--reason"), libro_time_now(), &err) != LIBRO_OK ||
        libro_registry_get(r, &after, NULL, NULL, number, &err) != LIBRO_OK) {
        goto out_report;
    }
    printf("%s: %s -> %s\n", after.number, libro_license_state_name(before.state),
           libro_license_state_name(after.state));
    code = CLI_EXIT_OK;
    goto out;
out_report:
    cli_report(sp->command, &err);
out:
    libro_license_record_clear(&before);
    libro_license_record_clear(&after);
    libro_registry_close(r);
    return cli_finish(code);
}

static int
license_suspend(int argc, char **argv)
{
    return license_change(argc, argv, &suspend_spec, LIBRO_ACTION_SUSPEND);
}

static int
license_reinstate(int argc, char **argv)
{
    return license_change(argc, argv, &reinstate_spec, LIBRO_ACTION_REINSTATE);
}

static int
license_revoke(int argc, char **argv)
{
    return license_change(argc, argv, &revoke_spec, LIBRO_ACTION_REVOKE);
}

static int
license_surrender(int argc, char **argv)
{
    return license_change(argc, argv, &surrender_spec, LIBRO_ACTION_SURRENDER);
}

/* ---- license renew ------------------------------------------------------------------------- */

static const struct cli_opt renew_opts[] = {
    {"--db", "FILE", "the registry database (embedded mode)", false},
    {"--registry", "URL", "a registry's URL: the renewal is a request signed with --key", false},
    {"--key", "FILE", "signing key: the issuer's key", false},
    {"--authorization", "FILE", "the issuer's IssuerAuthorization", false},
    {"--community-charter", "FILE", "the charter of the community that authorized the issuer",
     false},
    {"--evidence", "NAME=N", "evidence for the type's requirements, e.g. cpd_hours=60", true},
    {"--actor", "WHO", "with --db: who renews (recorded)", false},
    {"--reason", "TEXT", "why (recorded; optional)", false},
    {"--out", "FILE", "where to write the new version (compact JWS)", false},
    {"--qr", "FILE.png", "also write its LB1 QR code as a PNG (level M)", false},
    {"--passphrase-fd", "N", "read the signing key's passphrase from descriptor N", false},
};

static const struct cli_spec renew_spec = {
    "license renew",
    "--db FILE --actor WHO | --registry URL\n"
    "       --key FILE --authorization FILE --community-charter FILE\n"
    "       [--evidence NAME=N...] [--reason TEXT] --out FILE [--qr FILE.png] NUMBER",
    "Renew a license: sign its next version (same number, holder, type, scope and status\n"
    "entries) valid from now for the type's validity (cut at the authorization's end), and\n"
    "record it. Allowed from the type's renewal window before expiry until its grace period\n"
    "ends, when the evidence meets the type's requirements. Nothing is written when the\n"
    "registry refuses.",
    renew_opts,
    LIBRO_NELEM(renew_opts),
    1,
    1,
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
parse_evidence(struct evidence_list *ev, const char *const *items, size_t n, const char **bad,
               libro_error *err)
{
    size_t i;

    for (i = 0; i < n && i < CLI_MAX_REPEAT; i++) {
        const char *eq = strchr(items[i], '=');
        uint64_t v = 0;

        if (eq == NULL || eq == items[i] ||
            libro_parse_u64(&v, eq + 1, strlen(eq + 1), INT64_MAX, err) != LIBRO_OK) {
            *bad = items[i];
            return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "bad evidence");
        }
        ev->names[ev->n] = libro_strndup(items[i], (size_t) (eq - items[i]));
        if (ev->names[ev->n] == NULL) {
            return libro_error_set(err, LIBRO_ERR_NOMEM, "out of memory");
        }
        ev->items[ev->n].name = ev->names[ev->n];
        ev->items[ev->n].value = (int64_t) v;
        ev->n++;
    }
    return LIBRO_OK;
}

/* The next version of the license `old`, signed now by the issuer of `is`. */
static libro_code
build_renewal(libro_credential **out, const libro_credential *old, const struct cli_issuer *is,
              const libro_license_type *type, int64_t now, libro_error *err)
{
    libro_credential *c = NULL;
    uint32_t granted = cli_granted_days(is->auth, old->license_type);
    uint32_t days = type->validity_days;
    libro_code rc;

    *out = NULL;
    if (granted == 0) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED,
                             "license type %.64s is not granted by the authorization of %.64s",
                             old->license_type, is->auth->subject_id);
        goto out;
    }
    /* A license stays in its community: another community's issuer does not renew it. */
    if (strcmp(old->community_id, is->community->subject_id) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED,
                             "license %.64s belongs to community %.64s, not %.64s",
                             old->license_number, old->community_id, is->community->subject_id);
        goto out;
    }
    rc = cli_check_community(is->auth, is->community, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    rc = libro_credential_new(&c, LIBRO_CRED_LICENSE, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    if ((rc = cli_dup_str(&c->issuer, is->auth->subject_id, err)) != LIBRO_OK ||
        (rc = cli_dup_str(&c->subject_id, old->subject_id, err)) != LIBRO_OK ||
        (rc = cli_dup_str(&c->name, old->name, err)) != LIBRO_OK ||
        (rc = cli_dup_str(&c->license_number, old->license_number, err)) != LIBRO_OK ||
        (rc = cli_dup_str(&c->profession, old->profession, err)) != LIBRO_OK ||
        (rc = cli_dup_str(&c->license_type, old->license_type, err)) != LIBRO_OK ||
        (rc = cli_dup_list(&c->scope, &c->n_scope, (const char *const *) old->scope, old->n_scope,
                           err)) != LIBRO_OK ||
        (rc = cli_dup_str(&c->community_id, old->community_id, err)) != LIBRO_OK ||
        (rc = cli_dup_str(&c->status_revocation_list, old->status_revocation_list, err)) !=
            LIBRO_OK ||
        (rc = cli_dup_str(&c->status_suspension_list, old->status_suspension_list, err)) !=
            LIBRO_OK) {
        goto out;
    }
    c->community_level = is->community->level;
    c->has_status = old->has_status;
    c->status_index = old->status_index;
    if (granted < days) {
        days = granted;
    }
    c->valid_from = now;
    c->valid_until = now + (int64_t) days * DAY;
    if (c->valid_until > is->auth->valid_until) {
        c->valid_until = is->auth->valid_until;
    }
    rc = libro_issuer_check_license(c, is->auth, is->signer, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    *out = c;
    c = NULL; /* moved to caller */
out:
    libro_credential_free(c);
    return rc;
}

static int
license_renew(int argc, char **argv)
{
    struct cli_args a;
    const struct cli_spec *sp = &renew_spec;
    libro_error err = LIBRO_ERROR_INIT;
    struct cli_issuer is = CLI_ISSUER_INIT;
    struct evidence_list ev = {0};
    libro_registry_client *r = NULL;
    libro_buf kid = LIBRO_BUF_INIT;
    libro_license_record rec = {0};
    libro_license_type type = {0};
    libro_credential *old = NULL;
    libro_credential *c = NULL;
    libro_buf jws = LIBRO_BUF_INIT;
    const char *const *items;
    const char *bad = NULL;
    const char *number;
    size_t n_items = 0;
    char until[LIBRO_TIME_TEXT_MAX];
    int64_t now;
    int code = cli_parse(&a, sp, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (cli_has(&a, sp, "--db") == cli_has(&a, sp, "--registry") ||
        (cli_has(&a, sp, "--db") && !cli_has(&a, sp, "--actor")) || !cli_has(&a, sp, "--key") ||
        !cli_has(&a, sp, "--authorization") || !cli_has(&a, sp, "--community-charter") ||
        !cli_has(&a, sp, "--out")) {
        return cli_usage_error(sp, "missing a required option (--db and --actor, or --registry)");
    }
    if (cli_has(&a, sp, "--registry") && !cli_is_url(cli_get(&a, sp, "--registry"))) {
        return cli_usage_error(sp, "--registry: want the registry's URL; a database goes with "
                                   "--db");
    }
    number = a.positional[0];
    items = cli_get_all(&a, sp, "--evidence", &n_items);
    if (parse_evidence(&ev, items, n_items, &bad, &err) != LIBRO_OK) {
        evidence_clear(&ev);
        if (bad == NULL) {
            cli_report(sp->command, &err);
            return CLI_EXIT_NO;
        }
        return cli_usage_error(sp, "--evidence %.64s: want NAME=N (a non-negative integer)", bad);
    }
    code = CLI_EXIT_NO;
    if (cli_check_new_output(cli_get(&a, sp, "--out"), "--out", &err) != LIBRO_OK ||
        cli_check_new_output(cli_get(&a, sp, "--qr"), "--qr", &err) != LIBRO_OK ||
        cli_issuer_load(&is, cli_get(&a, sp, "--key"), cli_get(&a, sp, "--passphrase-fd"),
                        cli_get(&a, sp, "--authorization"), cli_get(&a, sp, "--community-charter"),
                        &err) != LIBRO_OK ||
        libro_kid_for(&kid, is.auth->subject_id, is.signer, &err) != LIBRO_OK ||
        libro_registry_client_open(
            &r, cli_has(&a, sp, "--db") ? cli_get(&a, sp, "--db") : cli_get(&a, sp, "--registry"),
            is.signer, (const char *) kid.data, cli_get(&a, sp, "--actor"), NULL,
            &err) != LIBRO_OK ||
        libro_registry_client_get(r, &rec, number, &err) != LIBRO_OK ||
        libro_registry_client_get_type(r, &type, rec.license_type, &err) != LIBRO_OK) {
        goto out_report;
    }
    if (rec.credential == NULL) {
        libro_error_set(&err, LIBRO_ERR_NOT_FOUND, "the registry holds no credential for %.64s",
                        number);
        goto out_report;
    }
    if (cli_credential_from_jws(&old, rec.credential, strlen(rec.credential), &err) != LIBRO_OK) {
        libro_error_prefix(&err, "the registry's copy");
        goto out_report;
    }
    /* After the key is loaded (a passphrase prompt takes its time): the registry checks
     * validFrom against its own clock when it records the renewal. */
    now = libro_time_now();
    if (build_renewal(&c, old, &is, &type, now, &err) != LIBRO_OK ||
        cli_sign_credential(&jws, c, is.signer, &err) != LIBRO_OK ||
        libro_registry_client_renew(r, number, (const char *) jws.data, ev.items, ev.n,
                                    cli_get(&a, sp, "--reason"), &err) != LIBRO_OK) {
        goto out_report;
    }
    /* Recorded: from here a failure to write leaves the new version in the registry. */
    if (cli_write_credential(cli_get(&a, sp, "--out"), &jws, c, &err) != LIBRO_OK) {
        libro_error_prefix(&err, "renewal recorded (see libro license show --json), but");
        goto out_report;
    }
    if (cli_has(&a, sp, "--qr") &&
        cli_write_qr_png(cli_get(&a, sp, "--qr"), &jws, &err) != LIBRO_OK) {
        goto out_report;
    }
    printf("%s: renewed, version %u, valid until %s\n", rec.number, (unsigned) rec.version + 1u,
           time_text(until, c->valid_until));
    code = CLI_EXIT_OK;
    goto out;
out_report:
    cli_report(sp->command, &err);
out:
    libro_buf_free(&jws);
    libro_credential_free(c);
    libro_credential_free(old);
    libro_license_type_clear(&type);
    libro_license_record_clear(&rec);
    libro_registry_client_close(r);
    libro_buf_free(&kid);
    cli_issuer_clear(&is);
    evidence_clear(&ev);
    return cli_finish(code);
}

/* ---- license tick -------------------------------------------------------------------------- */

static const struct cli_opt tick_opts[] = {
    {"--db", "FILE", "the registry database", false},
};

static const struct cli_spec tick_spec = {
    "license tick",
    "--db FILE",
    "Apply the clock: active licenses past validUntil expire, expired ones past the grace\n"
    "period lapse (recorded under the actor \"registry\"). Run it regularly (cron).",
    tick_opts,
    LIBRO_NELEM(tick_opts),
    0,
    0,
    license_epilog,
};

static int
license_tick(int argc, char **argv)
{
    struct cli_args a;
    const struct cli_spec *sp = &tick_spec;
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry *r = NULL;
    size_t changed = 0;
    int code = cli_parse(&a, sp, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (!cli_has(&a, sp, "--db")) {
        return cli_usage_error(sp, "--db is required");
    }
    code = CLI_EXIT_NO;
    if (libro_registry_open(&r, cli_get(&a, sp, "--db"), &err) != LIBRO_OK ||
        libro_registry_tick(r, libro_time_now(), &changed, &err) != LIBRO_OK) {
        goto out_report;
    }
    printf("%zu change%s\n", changed, changed == 1 ? "" : "s");
    code = CLI_EXIT_OK;
    goto out;
out_report:
    cli_report(sp->command, &err);
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
