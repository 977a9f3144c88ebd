/* libro sync URL: bring the verifier's trust store up to date from a registry's trust bundle
 * (the verifier's only network step; verification itself stays offline). */
#include <stdio.h>

#include "cmd.h"
#include "libro/time.h"
#include "libro/verifier.h"

static const char *sy_dir;
static const char *sy_ca_file;
static const char *sy_url;
static bool sy_json;

static const struct cli_option sync_opts[] = {
    {CLI_OPT_VALUE, "--trust-dir", "DIR", &sy_dir, 0, 0,
     "the trust store (default: $XDG_DATA_HOME/libro)"},
    {CLI_OPT_VALUE, "--ca-file", "FILE", &sy_ca_file, 0, 0,
     "trust these CAs (PEM) instead of the system's for https"},
    CLI_JSON_OPTION(&sy_json, "sync.schema.json"),
    {CLI_OPT_ARG, "URL", NULL, &sy_url, CLI_REQUIRED, 0, "the registry's base URL"},
};

static const struct cli_command sync_cmd = {
    "sync",
    "[--trust-dir DIR] [--ca-file FILE] [--json] URL",
    "Fetch the trust bundle of the registry at URL (its base URL: https://..., or http:// to\n"
    "a loopback address) and update the trust store: the community's charter, the registry's\n"
    "and issuers' authorizations, the current status lists, and the charters of the member\n"
    "communities that hold seats at its roundtable (each checked: signed by the registry's\n"
    "community, under its charter by the chain rules; they let libro verify check a\n"
    "representative's mandate). The bundle must be signed by the registry's own key, whose\n"
    "authorization must chain to an anchor pinned before (libro trust add --anchor); it must\n"
    "be newer than the last one synced from URL, and its log checkpoint must extend the last\n"
    "one (a consistency proof the registry serves). Run it daily: libro verify warns when\n"
    "status data is older than a day and refuses it after --max-status-age (7 days by\n"
    "default), each time naming this command. The lists a registry serves are valid 10 days\n"
    "and at most an hour old when synced, so one sync keeps verdicts coming for a week\n"
    "offline.",
    sync_opts,
    LIBRO_NELEM(sync_opts),
    "Exit status: 0 synced (or nothing new), 1 refused or failed, 2 bad command line.",
};

/* schemas/cli/sync.schema.json */
static libro_code
json_sync(const libro_sync_report *rep, libro_error *err)
{
    struct cli_json j;

    cli_json_begin(&j, err);
    cli_json_str(&j, "url", sy_url);
    cli_json_bool(&j, "upToDate", rep->not_modified);
    cli_json_time(&j, "issued", rep->issued);
    if (!rep->not_modified) {
        cli_json_int(&j, "authorizations", (int64_t) rep->authorizations);
        cli_json_int(&j, "statusLists", (int64_t) rep->status_lists);
        cli_json_int(&j, "members", (int64_t) rep->members);
        cli_json_int(&j, "agreements", (int64_t) rep->agreements);
        cli_json_int(&j, "laws", (int64_t) rep->laws);
        cli_json_open(&j, "log", '{');
        cli_json_int(&j, "size", (int64_t) rep->log_size);
        cli_json_int(&j, "was", (int64_t) rep->log_grew_from);
        cli_json_close(&j, '}');
    }
    return cli_json_end(&j);
}

int
cmd_sync(int argc, char **argv)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_sync_options opt = LIBRO_SYNC_OPTIONS_INIT;
    libro_sync_report rep;
    libro_trust *t = NULL;
    char issued[LIBRO_TIME_TEXT_MAX] = "";
    int code = cli_parse_command(&sync_cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    opt.ca_file = sy_ca_file;
    code = CLI_EXIT_NO;
    if (cli_open_trust(&t, sy_dir, &err) != LIBRO_OK ||
        libro_trust_sync(t, sy_url, &opt, &rep, &err) != LIBRO_OK) {
        cli_report_json("sync", &err, sy_json);
        goto out;
    }
    if (sy_json) {
        if (json_sync(&rep, &err) != LIBRO_OK) {
            cli_report_json("sync", &err, sy_json);
            goto out;
        }
        code = CLI_EXIT_OK;
        goto out;
    }
    if (libro_time_format(issued, rep.issued, NULL) != LIBRO_OK) {
        issued[0] = '\0';
    }
    if (rep.not_modified) {
        printf("up to date: bundle of %s\n", issued);
    } else {
        printf("synced bundle of %s: %zu authorizations, %zu status lists, ", issued,
               rep.authorizations, rep.status_lists);
        if (rep.members > 0) {
            printf("%zu member charter%s, ", rep.members, rep.members == 1 ? "" : "s");
        }
        printf("log at %llu leaves (was %llu)\n", (unsigned long long) rep.log_size,
               (unsigned long long) rep.log_grew_from);
    }
    code = CLI_EXIT_OK;
out:
    libro_trust_free(t);
    return cli_finish(code);
}
