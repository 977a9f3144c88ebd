/* libro roundtable show|seat: who sits at a community's roundtable at a given time, and the
 * member communities that have a seat there, against its registry's database or URL. */
#include <string.h>

#include "cmd.h"
#include "libro/issuer.h"
#include "libro/registry_client.h"
#include "libro/util.h"

static const char roundtable_epilog[] =
    "Times are RFC 3339 (2026-01-01T00:00:00Z).\n"
    "Exit status: 0 done, 1 refused or failed (reason on stderr), 2 bad command line.";

/* ---- roundtable show ----------------------------------------------------------------------- */

static const char *sh_db;
static const char *sh_registry;
static const char *sh_at;
static bool sh_json;
static const char *sh_community;

static const struct cli_option show_opts[] = {
    {CLI_OPT_VALUE, "--db", "FILE", &sh_db, CLI_REQUIRED, 1,
     "the community's registry database: a file, or a postgresql:// URI"},
    {CLI_OPT_VALUE, "--registry", "URL", &sh_registry, CLI_REQUIRED, 1,
     "the community's registry URL"},
    {CLI_OPT_VALUE, "--at", "TIME", &sh_at, 0, 0, "the roundtable at this time (default: now)"},
    {CLI_OPT_SWITCH, "--json", NULL, &sh_json, 0, 0,
     "print one JSON document (schemas/cli/roundtable-show.schema.json)"},
    {CLI_OPT_ARG, "COMMUNITY", NULL, &sh_community, CLI_REQUIRED, 0,
     "the community whose roundtable it is (the registry's)"},
};

static const struct cli_command show_cmd = {
    "roundtable show",
    "--db FILE | --registry URL [--at TIME] [--json] COMMUNITY",
    "Show a community's roundtable at a time: its chair (no vote) and, for each member\n"
    "community with a seat, the representative in office then (voting), or the seat as\n"
    "vacant; leaders appointed into the community's circle too. A mandate counts when its\n"
    "term covers the time and it had not ended (resigned, recalled or replaced) before it.\n"
    "The registry keeps the roundtable of its own community: a COMMUNITY other than the one\n"
    "its seats and mandates name is refused.",
    show_opts,
    LIBRO_NELEM(show_opts),
    roundtable_epilog,
};

/* The community whose roundtable the registry keeps, as far as its data tell (a mandate's
 * roundtable, a seat charter's issuer): LIBRO_ERR_DENIED when that is not `community`. */
static libro_code
check_community(const char *community, const libro_mandate_record *m, size_t n,
                const libro_seat *seats, size_t n_seats, libro_error *err)
{
    libro_credential *c = NULL;
    const char *keeps = n > 0 ? m[0].roundtable : NULL;
    libro_code rc = LIBRO_OK;

    if (keeps == NULL && n_seats > 0) {
        rc = cli_credential_from_jws(&c, seats[0].charter, strlen(seats[0].charter), err);
        keeps = rc == LIBRO_OK ? c->issuer : NULL;
    }
    if (rc == LIBRO_OK && keeps != NULL && strcmp(keeps, community) != 0) {
        rc = libro_error_set(err, LIBRO_ERR_DENIED,
                             "the registry keeps the roundtable of %.64s, not of %.64s", keeps,
                             community);
    }
    libro_credential_free(c);
    return rc;
}

/* Whether a representative is in office for `seat` among the members. */
static bool
seat_filled(const libro_mandate_record *m, size_t n, const char *seat)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (m[i].office == LIBRO_OFFICE_REPRESENTATIVE && m[i].seat != NULL &&
            strcmp(m[i].seat, seat) == 0) {
            return true;
        }
    }
    return false;
}

static libro_code
json_roundtable(libro_buf *b, int64_t at, const libro_mandate_record *m, size_t n,
                const libro_seat *seats, size_t n_seats, libro_error *err)
{
    char when[LIBRO_TIME_TEXT_MAX];
    size_t i;
    libro_code rc = libro_buf_append_str(b, "{\"ok\":true,\"roundtable\":{\"id\":", err);

    if (rc == LIBRO_OK) {
        rc = cli_json_string(b, sh_community, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(b, err, ",\"at\":\"%s\",\"seats\":[", cli_time_text(when, at));
    }
    for (i = 0; i < n_seats && rc == LIBRO_OK; i++) {
        rc = libro_buf_append_str(b, i > 0 ? ",{\"community\":" : "{\"community\":", err);
        if (rc == LIBRO_OK) {
            rc = cli_json_string(b, seats[i].community, err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_append_str(b, ",\"name\":", err);
        }
        if (rc == LIBRO_OK) {
            rc = cli_json_string(b, seats[i].name, err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_printf(b, err, ",\"level\":%d,\"vacant\":%s}", seats[i].level,
                                  seat_filled(m, n, seats[i].community) ? "false" : "true");
        }
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "],\"members\":[", err);
    }
    for (i = 0; i < n && rc == LIBRO_OK; i++) {
        rc = i > 0 ? libro_buf_append_str(b, ",", err) : LIBRO_OK;
        if (rc == LIBRO_OK) {
            rc = cli_json_mandate(b, &m[i], false, err);
        }
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "]}}\n", err);
    }
    return rc;
}

static void
print_roundtable(int64_t at, const libro_mandate_record *m, size_t n, const libro_seat *seats,
                 size_t n_seats)
{
    char when[LIBRO_TIME_TEXT_MAX];
    size_t voting = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        voting += m[i].voting ? 1 : 0;
    }
    printf("roundtable of %s at %s: %zu member%s (%zu voting), %zu seat%s\n", sh_community,
           cli_time_text(when, at), n, n == 1 ? "" : "s", voting, n_seats, n_seats == 1 ? "" : "s");
    for (i = 0; i < n; i++) {
        cli_print_mandate_line(&m[i]);
    }
    for (i = 0; i < n_seats; i++) {
        if (!seat_filled(m, n, seats[i].community)) {
            printf("%-15s %-28s %s\n", "vacant", seats[i].community, seats[i].name);
        }
    }
}

static int
roundtable_show(int argc, char **argv)
{
    const struct cli_command *cmd = &show_cmd;
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry_client *client = NULL;
    libro_mandate_record *m = NULL;
    libro_seat *seats = NULL;
    libro_buf b = LIBRO_BUF_INIT;
    int64_t at = libro_time_now();
    size_t n = 0;
    size_t n_seats = 0;
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    code = CLI_EXIT_NO;
    if ((sh_at != NULL && cli_parse_time_arg(&at, "--at", sh_at, &err) != LIBRO_OK) ||
        cli_open_reader(&client, sh_db, sh_registry, &err) != LIBRO_OK ||
        libro_registry_client_roundtable(client, &m, &n, at, &err) != LIBRO_OK ||
        libro_registry_client_seats(client, &seats, &n_seats, &err) != LIBRO_OK ||
        check_community(sh_community, m, n, seats, n_seats, &err) != LIBRO_OK) {
        goto out_report;
    }
    if (sh_json) {
        if (json_roundtable(&b, at, m, n, seats, n_seats, &err) != LIBRO_OK) {
            goto out_report;
        }
        fputs((const char *) b.data, stdout);
    } else {
        print_roundtable(at, m, n, seats, n_seats);
    }
    code = CLI_EXIT_OK;
    goto out;
out_report:
    cli_report_json(cmd->command, &err, sh_json);
out:
    libro_buf_free(&b);
    libro_mandate_records_free(m, n);
    libro_seats_free(seats, n_seats);
    libro_registry_client_close(client);
    return cli_finish(code);
}

/* ---- roundtable seat ----------------------------------------------------------------------- */

static const char *se_db;
static const char *se_actor;
static const char *se_registry;
static const char *se_key;
static const char *se_pass_fd;
static const char *se_charter;
static bool se_json;

static const struct cli_option seat_opts[] = {
    {CLI_OPT_VALUE, "--db", "FILE", &se_db, CLI_REQUIRED, 1,
     "the community's registry database: a file, or a postgresql:// URI"},
    {CLI_OPT_VALUE, "--actor", "WHO", &se_actor, 0, 0, "with --db: who adds it (recorded)"},
    {CLI_OPT_VALUE, "--registry", "URL", &se_registry, CLI_REQUIRED, 1,
     "the community's registry URL: a request signed with --key"},
    {CLI_OPT_VALUE, "--key", "FILE", &se_key, 0, 0,
     "with --registry: the community's key (the one that chartered the member)"},
    {CLI_OPT_VALUE, "--passphrase-fd", "N", &se_pass_fd, 0, 0,
     "read the key's passphrase from descriptor N"},
    {CLI_OPT_VALUE, "--charter", "FILE", &se_charter, CLI_REQUIRED, 0,
     "the member community's CommunityCharter"},
    {CLI_OPT_SWITCH, "--json", NULL, &se_json, 0, 0,
     "print one JSON document (schemas/cli/roundtable-seat.schema.json)"},
};

static const struct cli_command seat_cmd = {
    "roundtable seat",
    "--db FILE --actor WHO --charter FILE [--json]\n"
    "       | --registry URL --key FILE --charter FILE [--json]",
    "Give a member community a seat at the roundtable: its charter must be signed by the\n"
    "registry's community, one level below it (a tribe has no roundtable), and valid now.\n"
    "At most 7 member communities; a newer charter of a seated community replaces its old\n"
    "one. The member community then signs its representative's mandate with the key its\n"
    "charter names, and the registry's trust bundle carries the seat charters, so verifiers\n"
    "can check those mandates offline.",
    seat_opts,
    LIBRO_NELEM(seat_opts),
    roundtable_epilog,
};

/* {"ok":true,"seat":{"community","name","level"}} of the member charter `jws`. */
static libro_code
print_seat(const libro_buf *jws, libro_error *err)
{
    libro_credential *c = NULL;
    libro_buf b = LIBRO_BUF_INIT;
    libro_code rc = cli_credential_from_jws(&c, (const char *) jws->data, jws->len, err);

    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(&b, "{\"ok\":true,\"seat\":{\"community\":", err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_string(&b, c->subject_id, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(&b, ",\"name\":", err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_string(&b, c->name, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(&b, err, ",\"level\":%d}}\n", c->level);
    }
    if (rc == LIBRO_OK) {
        fputs((const char *) b.data, stdout);
    }
    libro_buf_free(&b);
    libro_credential_free(c);
    return rc;
}

static int
roundtable_seat(int argc, char **argv)
{
    const struct cli_command *cmd = &seat_cmd;
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *key = NULL;
    libro_buf charter = LIBRO_BUF_INIT;
    const char *problem;
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    problem = cli_write_target_problem(se_db, se_actor, se_registry, se_key);
    if (problem != NULL) {
        return cli_command_usage(cmd, "%s", problem);
    }
    code = CLI_EXIT_NO;
    if (cli_read_token(&charter, se_charter, &err) != LIBRO_OK ||
        (se_key != NULL && cli_load_key(&key, se_key, se_pass_fd, &err) != LIBRO_OK) ||
        libro_issuer_add_seat(se_db != NULL ? se_db : se_registry, key, (const char *) charter.data,
                              charter.len, se_actor, &err) != LIBRO_OK ||
        (se_json && print_seat(&charter, &err) != LIBRO_OK)) {
        cli_report_json(cmd->command, &err, se_json);
    } else {
        fprintf(stderr, "libro: the member community has a seat at the roundtable\n");
        code = CLI_EXIT_OK;
    }
    libro_buf_free(&charter);
    libro_key_free(key);
    return cli_finish(code);
}

static const struct cli_cmd roundtable_commands[] = {
    {"show", roundtable_show, "who sits at the roundtable, now or at a given time"},
    {"seat", roundtable_seat, "give a member community a seat"},
};

int
cmd_roundtable(int argc, char **argv)
{
    return cli_dispatch_sub("roundtable", roundtable_commands, LIBRO_NELEM(roundtable_commands),
                            argc, argv);
}
