/* libro watch ROSTER --registry URL: what changed, since the last run, to the licenses an
 * employer employs (libro-watch(1)). The work is libro_watch_run's (registry/src/watch.c);
 * this parses, finds the registry key in the trust store, and prints. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "libro/file.h"
#include "libro/http.h"
#include "libro/util.h"
#include "libro/verifier.h"
#include "libro/watch.h"

/* The log forked or rolled back: what was seen before is contradicted (exit status). */
#define WATCH_EXIT_FORK 5

static const char *wa_roster;
static const char *wa_url;
static const char *wa_state;
static const char *wa_within;
static const char *wa_dir;
static const char *wa_ca_file;
static bool wa_json;

static const struct cli_option watch_opts[] = {
    {CLI_OPT_VALUE, "--registry", "URL", &wa_url, CLI_REQUIRED, 0,
     "the registry's base URL, synced before (libro sync URL)"},
    {CLI_OPT_VALUE, "--state", "FILE", &wa_state, 0, 0,
     "what the last run saw (default: in the trust store)"},
    {CLI_OPT_VALUE, "--within", "DAYS", &wa_within, 0, 0,
     "tell of active licenses expiring within DAYS (default 30)"},
    {CLI_OPT_VALUE, "--trust-dir", "DIR", &wa_dir, 0, 0,
     "the trust store (default: $XDG_DATA_HOME/libro)"},
    {CLI_OPT_VALUE, "--ca-file", "FILE", &wa_ca_file, 0, 0,
     "trust these CAs (PEM) instead of the system's for https"},
    {CLI_OPT_SWITCH, "--json", NULL, &wa_json, 0, 0, "print one JSON document"},
    {CLI_OPT_ARG, "ROSTER", NULL, &wa_roster, CLI_REQUIRED, 0,
     "a file of license numbers, one a line ('#' starts a comment line)"},
};

static const struct cli_command watch_cmd = {
    "watch",
    "--registry URL [--state FILE] [--within DAYS] [--trust-dir DIR]\n"
    "       [--ca-file FILE] [--json] ROSTER",
    "Tell an employer what changed to the licenses it employs since the last run: each\n"
    "suspension, reinstatement, revocation, surrender, renewal, expiry and lapse the\n"
    "registry's log records for a number of ROSTER, one line each, and each active license\n"
    "whose validUntil is within --within days (told once per validUntil). The first run\n"
    "prints the current state of every rostered license instead, as a baseline, and numbers\n"
    "the registry does not hold. Each run checks the registry's signed checkpoint with the\n"
    "registry key of the trust store (run libro sync URL first), and that the log extends\n"
    "the one seen before (a consistency proof), then reads only the leaves added since and\n"
    "checks that they make the checkpoint's root. What a run saw is kept in the state file,\n"
    "written only when the run succeeds, so a failed run is reported again by the next.",
    watch_opts,
    LIBRO_NELEM(watch_opts),
    "Exit status: 0 ran (nothing printed: nothing changed), 1 failed (nothing recorded),\n"
    "2 bad command line, 3 output could not be written, 5 the registry's log forked or\n"
    "rolled back: it contradicts what an earlier run saw (nothing recorded; investigate).",
};

static const char *
time_or_empty(char out[LIBRO_TIME_TEXT_MAX], int64_t t)
{
    if (t == 0 || libro_time_format(out, t, NULL) != LIBRO_OK) {
        out[0] = '\0';
    }
    return out;
}

/* Whole days from `now` to `t`, rounded towards now. */
static long long
days_until(int64_t t, int64_t now)
{
    return (long long) ((t - now) / 86400);
}

static void
print_event(const libro_watch_event *e, int64_t now)
{
    char at[LIBRO_TIME_TEXT_MAX];
    long long days;

    switch (e->kind) {
    case LIBRO_WATCH_CHANGE:
        printf("%s: %s %s, now %s", e->license, libro_action_name(e->action),
               time_or_empty(at, e->at), libro_license_state_name(e->state));
        if (e->category[0] != '\0') {
            printf(" (%s)", e->category);
        }
        printf("\n");
        break;
    case LIBRO_WATCH_UPCOMING:
        days = days_until(e->valid_until, now);
        if (e->valid_until > now) {
            printf("%s: expires %s, in %lld day%s\n", e->license, time_or_empty(at, e->valid_until),
                   days, days == 1 ? "" : "s");
        } else {
            printf("%s: validUntil %s has passed; the registry has not yet expired it\n",
                   e->license, time_or_empty(at, e->valid_until));
        }
        break;
    case LIBRO_WATCH_BASELINE:
        printf("%s: %s, valid until %s\n", e->license, libro_license_state_name(e->state),
               time_or_empty(at, e->valid_until));
        break;
    case LIBRO_WATCH_NOT_FOUND:
        printf("%s: not found at the registry\n", e->license);
        break;
    }
}

static libro_code
json_event(libro_buf *b, const libro_watch_event *e, int64_t now, libro_error *err)
{
    char at[LIBRO_TIME_TEXT_MAX];
    libro_code rc = libro_buf_printf(b, err, "{\"kind\":\"%s\"", libro_watch_kind_name(e->kind));

    if (rc == LIBRO_OK) {
        rc = cli_json_member(b, "license", e->license, err);
    }
    if (rc == LIBRO_OK && e->kind != LIBRO_WATCH_NOT_FOUND) {
        rc = cli_json_member(b, "state", libro_license_state_name(e->state), err);
    }
    if (rc == LIBRO_OK && e->kind == LIBRO_WATCH_CHANGE) {
        rc = libro_buf_printf(b, err,
                              ",\"action\":\"%s\",\"at\":\"%s\",\"version\":%u,\"leaf\":%llu",
                              libro_action_name(e->action), time_or_empty(at, e->at), e->version,
                              (unsigned long long) e->leaf);
        if (rc == LIBRO_OK) {
            rc = cli_json_member(b, "category", e->category[0] != '\0' ? e->category : NULL, err);
        }
    }
    if (rc == LIBRO_OK && (e->kind == LIBRO_WATCH_BASELINE || e->kind == LIBRO_WATCH_UPCOMING)) {
        rc = libro_buf_printf(b, err, ",\"validUntil\":\"%s\",\"version\":%u",
                              time_or_empty(at, e->valid_until), e->version);
    }
    if (rc == LIBRO_OK && e->kind == LIBRO_WATCH_UPCOMING) {
        rc = libro_buf_printf(b, err, ",\"days\":%lld", days_until(e->valid_until, now));
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "}", err);
    }
    return rc;
}

static libro_code
print_json(const libro_watch_result *r, const char *url, int64_t now, libro_error *err)
{
    libro_buf b = LIBRO_BUF_INIT;
    libro_code rc = libro_buf_append_str(&b, "{\"ok\":true", err);

    if (rc == LIBRO_OK) {
        rc = cli_json_member(&b, "registry", url, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(
            &b, err, ",\"first\":%s,\"log\":{\"from\":%llu,\"to\":%llu},\"events\":[",
            r->first ? "true" : "false", (unsigned long long) r->from, (unsigned long long) r->to);
    }
    for (size_t i = 0; rc == LIBRO_OK && i < r->n_events; i++) {
        if (i > 0) {
            rc = libro_buf_append_str(&b, ",", err);
        }
        if (rc == LIBRO_OK) {
            rc = json_event(&b, &r->events[i], now, err);
        }
    }
    return cli_json_print(&b, "]}", rc, err);
}

/* The roster file, parsed. */
static libro_code
read_roster(char ***numbers, size_t *n, const char *path, libro_error *err)
{
    libro_buf text = LIBRO_BUF_INIT;
    libro_code rc = libro_file_read(&text, path, LIBRO_WATCH_MAX_ROSTER_BYTES, false, err);

    if (rc == LIBRO_OK) {
        rc = libro_watch_roster_parse(numbers, n, (const char *) text.data, text.len, err);
    }
    if (rc != LIBRO_OK) {
        libro_error_prefix(err, path);
    }
    libro_buf_free(&text);
    return rc;
}

int
cmd_watch(int argc, char **argv)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_watch_options opt = LIBRO_WATCH_OPTIONS_INIT;
    libro_watch_result res;
    libro_buf url = LIBRO_BUF_INIT;
    libro_buf dir = LIBRO_BUF_INIT;
    libro_buf state = LIBRO_BUF_INIT;
    libro_trust *t = NULL;
    char **numbers = NULL;
    size_t n = 0;
    uint64_t days = 30;
    size_t len;
    libro_code rc;
    int code = cli_parse_command(&watch_cmd, argc, argv);

    memset(&res, 0, sizeof res);
    if (code >= 0) {
        return code;
    }
    if (wa_within != NULL &&
        libro_parse_u64(&days, wa_within, strlen(wa_within), 3660, &err) != LIBRO_OK) {
        return cli_command_usage(&watch_cmd, "--within: want whole days, 0 to 3660");
    }
    len = strlen(wa_url);
    while (len > 0 && wa_url[len - 1] == '/') {
        len--;
    }
    opt.now = libro_time_now();
    opt.within = (int64_t) days * 86400;
    opt.ca_file = wa_ca_file;
    rc = libro_buf_append(&url, wa_url, len, &err);
    if (rc == LIBRO_OK) {
        rc = libro_http_url_check((const char *) url.data, &err);
    }
    if (rc == LIBRO_OK) {
        rc = read_roster(&numbers, &n, wa_roster, &err);
    }
    if (rc == LIBRO_OK) {
        rc = wa_dir != NULL ? libro_buf_append_str(&dir, wa_dir, &err)
                            : libro_trust_default_dir(&dir, &err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_trust_open(&t, (const char *) dir.data, &err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_trust_registry_key(&opt.key, &opt.registry, t, (const char *) url.data, opt.now,
                                      &err);
    }
    if (rc == LIBRO_OK) {
        rc = wa_state != NULL ? libro_buf_append_str(&state, wa_state, &err)
                              : libro_watch_state_path(&state, (const char *) dir.data,
                                                       (const char *) url.data, wa_roster, &err);
    }
    if (rc == LIBRO_OK) {
        opt.url = (const char *) url.data;
        opt.numbers = (const char *const *) numbers;
        opt.n_numbers = n;
        opt.state_path = (const char *) state.data;
        rc = libro_watch_run(&res, &opt, &err);
    }
    if (rc != LIBRO_OK) {
        cli_report_json("watch", &err, wa_json);
        code = rc == LIBRO_ERR_PROOF || rc == LIBRO_ERR_ROLLBACK ? WATCH_EXIT_FORK : CLI_EXIT_NO;
        goto out;
    }
    code = CLI_EXIT_OK;
    if (wa_json) {
        if (print_json(&res, opt.url, opt.now, &err) != LIBRO_OK) {
            cli_report("watch", &err);
            code = CLI_EXIT_OUTPUT;
        }
        goto out;
    }
    if (res.first) {
        printf("first run: the state of %zu rostered license%s now, as a baseline; changes are "
               "told from the next run\n",
               n, n == 1 ? "" : "s");
    }
    for (size_t i = 0; i < res.n_events; i++) {
        print_event(&res.events[i], opt.now);
    }
out:
    libro_watch_result_clear(&res);
    libro_watch_roster_free(numbers, n);
    libro_trust_free(t);
    libro_buf_free(&state);
    libro_buf_free(&dir);
    libro_buf_free(&url);
    return cli_finish(code);
}
