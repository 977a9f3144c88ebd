/* libro sync URL: bring the verifier's trust store up to date from a registry's trust bundle
 * (the verifier's only network step; verification itself stays offline). */
#include <stdio.h>

#include "cmd.h"
#include "libro/time.h"
#include "libro/verifier.h"

static const char *sy_dir;
static const char *sy_ca_file;
static const char *sy_url;

static const struct cli_option sync_opts[] = {
    {CLI_OPT_VALUE, "--trust-dir", "DIR", &sy_dir, 0, 0,
     "the trust store (default: $XDG_DATA_HOME/libro)"},
    {CLI_OPT_VALUE, "--ca-file", "FILE", &sy_ca_file, 0, 0,
     "trust these CAs (PEM) instead of the system's for https"},
    {CLI_OPT_ARG, "URL", NULL, &sy_url, CLI_REQUIRED, 0, "the registry's base URL"},
};

static const struct cli_command sync_cmd = {
    "sync",
    "[--trust-dir DIR] [--ca-file FILE] URL",
    "Fetch the trust bundle of the registry at URL (its base URL: https://..., or http:// to a\n"
    "loopback address) and update the trust store: the community's charter, the registry's\n"
    "and issuers' authorizations, and the current status lists. The bundle must be signed by\n"
    "the registry's own key, whose authorization must chain to an anchor pinned before\n"
    "(libro trust add --anchor); it must be newer than the last one synced from URL, and its\n"
    "log checkpoint must extend the last one (a consistency proof the registry serves). Run\n"
    "it daily: libro verify warns when status data is older than a day and refuses it after\n"
    "--max-status-age (7 days by default), each time naming this command. The lists a\n"
    "registry serves are valid 10 days and at most an hour old when synced, so one sync\n"
    "keeps verdicts coming for a week offline.",
    sync_opts,
    LIBRO_NELEM(sync_opts),
    "Exit status: 0 synced (or nothing new), 1 refused or failed, 2 bad command line.",
};

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
        cli_report("sync", &err);
        goto out;
    }
    if (libro_time_format(issued, rep.issued, NULL) != LIBRO_OK) {
        issued[0] = '\0';
    }
    if (rep.not_modified) {
        printf("up to date: bundle of %s\n", issued);
    } else {
        printf("synced bundle of %s: %zu authorizations, %zu status lists, log at %llu leaves"
               " (was %llu)\n",
               issued, rep.authorizations, rep.status_lists, (unsigned long long) rep.log_size,
               (unsigned long long) rep.log_grew_from);
    }
    code = CLI_EXIT_OK;
out:
    libro_trust_free(t);
    return cli_finish(code);
}
