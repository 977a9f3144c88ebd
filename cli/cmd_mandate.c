/* libro mandate issue|show|end|expiring: the mandates of a roundtable (docs/credentials.md,
 * "RoundtableMandate"), against its registry's database or URL. The work is the issuer's and
 * the registry's libraries'; this file parses and prints. */
#include <string.h>

#include "cmd.h"
#include "libro/crypto.h"
#include "libro/encoding.h"
#include "libro/file.h"
#include "libro/issuer.h"
#include "libro/registry_client.h"
#include "libro/util.h"

#define DAY INT64_C(86400)
#define MAX_WITHIN_DAYS 36600u
#define MAX_ELECTION_FILE_BYTES (64u * 1024u * 1024u)

static const char mandate_epilog[] =
    "Times are RFC 3339 (2026-01-01T00:00:00Z). A mandate's id is \"sha256:\" and the hex\n"
    "SHA-256 of its compact JWS.\n"
    "Exit status: 0 done, 1 refused or failed (reason on stderr), 2 bad command line.";

/* ---- printing a mandate (also for `libro roundtable show`) --------------------------------- */

libro_code
cli_json_mandate(libro_buf *b, const libro_mandate_record *m, bool with_credential,
                 libro_error *err)
{
    char from[LIBRO_TIME_TEXT_MAX];
    char until[LIBRO_TIME_TEXT_MAX];
    char ended[LIBRO_TIME_TEXT_MAX];
    char registered[LIBRO_TIME_TEXT_MAX];
    const char *office = libro_office_name((libro_office) m->office);
    libro_code rc = libro_buf_printf(b, err, "{\"id\":\"%s\",\"office\":\"%s\"", m->id,
                                     office != NULL ? office : "unknown");

    if (rc == LIBRO_OK) {
        rc = cli_json_member(b, "roundtable", m->roundtable, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(b, err, ",\"roundtableLevel\":%d", m->roundtable_level);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_member(b, "seat", m->seat, err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_member(b, "holder", m->holder, err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_member(b, "name", m->name, err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_member(b, "issuer", m->issuer, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(
            b, err, ",\"voting\":%s,\"validFrom\":\"%s\",\"validUntil\":\"%s\",\"state\":\"%s\"",
            m->voting ? "true" : "false", cli_time_text(from, m->valid_from),
            cli_time_text(until, m->valid_until), libro_mandate_state_name(m->state));
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_member(b, "endedAt",
                             m->ended_at != 0 ? cli_time_text(ended, m->ended_at) : NULL, err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_member(b, "endReason", m->end_reason, err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_member(b, "endedBy", m->ended_by, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(b, err,
                              ",\"statusSet\":%s,\"statusList\":%u,\"statusIndex\":%u,"
                              "\"registeredAt\":\"%s\"",
                              m->status_set ? "true" : "false", (unsigned) m->status_list,
                              (unsigned) m->status_index,
                              cli_time_text(registered, m->registered_at));
    }
    if (rc == LIBRO_OK && with_credential) {
        rc = cli_json_member(b, "credential", m->credential != NULL ? m->credential : "", err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "}", err);
    }
    return rc;
}

void
cli_print_mandate_line(const libro_mandate_record *m)
{
    char from[LIBRO_TIME_TEXT_MAX];
    char until[LIBRO_TIME_TEXT_MAX];
    const char *office = libro_office_name((libro_office) m->office);

    printf("%-15s %-28s %-24s %-8s %s .. %s  %s\n", office != NULL ? office : "?",
           m->seat != NULL ? m->seat : "-", m->name, m->voting ? "voting" : "no vote",
           cli_time_text(from, m->valid_from), cli_time_text(until, m->valid_until), m->id);
}

static void
print_mandate(const libro_mandate_record *m)
{
    char t1[LIBRO_TIME_TEXT_MAX];
    char t2[LIBRO_TIME_TEXT_MAX];
    const char *office = libro_office_name((libro_office) m->office);

    printf("mandate      %s\n", m->id);
    if (m->state == LIBRO_MANDATE_ACTIVE) {
        printf("state        active\n");
    } else {
        printf("state        %s %s %s by %s: %s\n", libro_mandate_state_name(m->state),
               m->ended_at > libro_time_now() ? "from" : "since", cli_time_text(t1, m->ended_at),
               m->ended_by != NULL ? m->ended_by : "-", m->end_reason != NULL ? m->end_reason : "");
    }
    printf("office       %s (%s)\n", office != NULL ? office : "?",
           m->voting ? "voting" : "no vote");
    printf("roundtable   %s (level %d)\n", m->roundtable, m->roundtable_level);
    printf("seat         %s\n", m->seat != NULL ? m->seat : "- (the chair has none)");
    printf("holder       %s (%s)\n", m->name, m->holder);
    printf("issuer       %s\n", m->issuer);
    printf("term         %s .. %s\n", cli_time_text(t1, m->valid_from),
           cli_time_text(t2, m->valid_until));
    printf("status       mandate list %u, index %u%s\n", (unsigned) m->status_list,
           (unsigned) m->status_index,
           m->state == LIBRO_MANDATE_ACTIVE ? ""
           : m->status_set                  ? " (ended: bits set)"
                                            : " (bits set when the end comes: libro license tick)");
    printf("registered   %s\n", cli_time_text(t1, m->registered_at));
}

/* A client that reads a registry (--db FILE or --registry URL; public data). */
libro_code
cli_open_reader(libro_registry_client **out, const char *db, const char *url, libro_error *err)
{
    if (url != NULL && !cli_is_url(url)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "--registry: want the registry's URL (https://..., or http:// on "
                               "loopback); a database goes with --db");
    }
    /* A database client wants an actor for the changes it would record: this one records
     * none. */
    return libro_registry_client_open(out, db != NULL ? db : url, NULL, NULL, "reader", NULL, err);
}

const char *
cli_write_target_problem(const char *db, const char *actor, const char *url, const char *key)
{
    if (db != NULL && (actor == NULL || key != NULL)) {
        return "--db goes with --actor (no --key)";
    }
    if (url != NULL && (!cli_is_url(url) || key == NULL || actor != NULL)) {
        return "--registry URL goes with --key (no --actor)";
    }
    return NULL;
}

/* ---- mandate issue ------------------------------------------------------------------------- */

static const char *is_key;
static const char *is_pass_fd;
static const char *is_charter;
static const char *is_rt_charter;
static const char *is_office;
static const char *is_holder;
static const char *is_holder_did;
static const char *is_holder_key;
static const char *is_from;
static const char *is_until;
static const char *is_record;
static const char *is_record_file;
static const char *is_date;
static const char *is_electorate;
static const char *is_result;
static const char *is_registry;
static const char *is_url_base;
static const char *is_actor;
static const char *is_out;
static const char *is_qr;
static bool is_json;

static const struct cli_option issue_opts[] = {
    {CLI_OPT_VALUE, "--key", "FILE", &is_key, CLI_REQUIRED, 0,
     "signing key: the key of the community that elected or appointed"},
    {CLI_OPT_VALUE, "--passphrase-fd", "N", &is_pass_fd, 0, 0,
     "read the signing key's passphrase from descriptor N"},
    {CLI_OPT_VALUE, "--charter", "FILE", &is_charter, CLI_REQUIRED, 0,
     "the signing community's own charter"},
    {CLI_OPT_VALUE, "--roundtable-charter", "FILE", &is_rt_charter, 0, 0,
     "the roundtable community's charter (representative: the parent's; leader: the member's)"},
    {CLI_OPT_VALUE, "--office", "OFFICE", &is_office, CLI_REQUIRED, 0,
     "representative, chair or leader"},
    {CLI_OPT_VALUE, "--holder", "NAME", &is_holder, CLI_REQUIRED, 0, "the holder's name"},
    {CLI_OPT_VALUE, "--holder-did", "DID", &is_holder_did, CLI_REQUIRED, 1,
     "the holder's did:key (their member key)"},
    {CLI_OPT_VALUE, "--holder-key", "FILE", &is_holder_key, CLI_REQUIRED, 1,
     "or the holder's public key file (Ed25519)"},
    {CLI_OPT_VALUE, "--valid-from", "TIME", &is_from, 0, 0, "start of the term (default: now)"},
    {CLI_OPT_VALUE, "--valid-until", "TIME", &is_until, 0, 0,
     "end of the term (default: the longest the charter allows)"},
    {CLI_OPT_VALUE, "--election-record", "sha256:HEX", &is_record, CLI_REQUIRED, 2,
     "the hash of the election or appointment record"},
    {CLI_OPT_VALUE, "--election-file", "FILE", &is_record_file, CLI_REQUIRED, 2,
     "or the record itself (its SHA-256 is taken)"},
    {CLI_OPT_VALUE, "--election-date", "TIME", &is_date, CLI_REQUIRED, 0, "when it was held"},
    {CLI_OPT_VALUE, "--electorate", "N", &is_electorate, CLI_REQUIRED, 0,
     "how many could vote (1 to 100000000)"},
    {CLI_OPT_VALUE, "--election-result", "TEXT", &is_result, CLI_REQUIRED, 0,
     "the result, e.g. \"elected with 612 of 987 votes\""},
    {CLI_OPT_VALUE, "--registry", "DB|URL", &is_registry, CLI_REQUIRED, 0,
     "the roundtable's registry: its database or its URL (signed requests)"},
    {CLI_OPT_VALUE, "--status-url-base", "URL", &is_url_base, 0, 0,
     "with --registry DB: where it serves its mandate lists (<its URL>/v1/status/mandates)"},
    {CLI_OPT_VALUE, "--actor", "WHO", &is_actor, 0, 0,
     "with --registry DB: who records it (default: the signing community)"},
    {CLI_OPT_VALUE, "--out", "FILE", &is_out, CLI_REQUIRED, 0,
     "where to write the mandate (compact JWS)"},
    {CLI_OPT_VALUE, "--qr", "FILE.png", &is_qr, 0, 0,
     "also write its QR code (LB3) as a PNG (level M)"},
    {CLI_OPT_SWITCH, "--json", NULL, &is_json, 0, 0,
     "print one JSON document (schemas/cli/mandate-issue.schema.json)"},
};

static const struct cli_command issue_cmd = {
    "mandate issue",
    "--key FILE --charter FILE [--roundtable-charter FILE] --office OFFICE\n"
    "       --holder NAME (--holder-did DID | --holder-key FILE)\n"
    "       [--valid-from TIME] [--valid-until TIME]\n"
    "       (--election-record sha256:HEX | --election-file FILE) --election-date TIME\n"
    "       --electorate N --election-result TEXT\n"
    "       --registry DB [--status-url-base URL] [--actor WHO] | --registry URL\n"
    "       --out FILE [--qr FILE.png] [--json]",
    "Issue a RoundtableMandate: the community that elected or appointed signs it with its key.\n"
    "A representative is signed by the member community it represents (its charter signed by\n"
    "the roundtable's community, one level up), the chair by the roundtable's community\n"
    "itself, a leader by the parent appointing into a member's circle. The seat is the\n"
    "signing community (none for the chair); the roundtable is the community of\n"
    "--roundtable-charter (the signer's own for the chair). The term runs by default as\n"
    "long as the roundtable's charter allows (representatives 3 years into a level-1\n"
    "roundtable and 5 above, chair 4, leader 5, or the charter's shorter terms), cut at the\n"
    "end of the signer's charter; a longer --valid-until is refused. The mandate is checked\n"
    "by the chain rules, gets a random index in the registry's mandate status lists, is\n"
    "signed and recorded: a newer mandate for the same seat replaces the one in office at its\n"
    "start. Prints the mandate's id on standard output (with --json, what was recorded).",
    issue_opts,
    LIBRO_NELEM(issue_opts),
    mandate_epilog,
};

/* The holder's did:key from --holder-key (any key file: its public half). */
static libro_code
holder_did_from_key(libro_buf *did, const char *path, libro_error *err)
{
    libro_key *k = NULL;
    libro_code rc = libro_key_load_file(&k, path, NULL, 0, err);

    if (rc == LIBRO_ERR_PASSPHRASE) {
        rc = libro_error_set(err, LIBRO_ERR_PASSPHRASE,
                             "%.200s: encrypted; give the public key (libro key public)", path);
    }
    if (rc == LIBRO_OK) {
        rc = libro_key_to_did(did, k, err);
    }
    libro_key_free(k);
    return rc;
}

/* "sha256:<hex>" of the file at `path` (--election-file). */
static libro_code
record_hash(libro_buf *out, const char *path, libro_error *err)
{
    libro_buf data = LIBRO_BUF_INIT;
    char ref[LIBRO_HASH_REF_SIZE];
    libro_code rc = libro_file_read(&data, path, MAX_ELECTION_FILE_BYTES, false, err);

    if (rc != LIBRO_OK) {
        libro_error_prefix(err, path);
    }
    if (rc == LIBRO_OK) {
        rc = libro_hash_ref(ref, data.data, data.len, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(out, ref, err);
    }
    libro_buf_free(&data);
    return rc;
}

/* The options that are not texts: times, office, electorate, holder and record. */
static int
issue_parse(libro_mandate_options *opt, libro_buf *did, libro_buf *record, libro_error *err)
{
    const struct cli_command *cmd = &issue_cmd;
    uint64_t electorate = 0;

    if (!libro_office_from_name(&opt->office, is_office, strlen(is_office))) {
        return cli_command_usage(cmd, "--office: want representative, chair or leader");
    }
    if ((opt->office == LIBRO_OFFICE_CHAIR) != (is_rt_charter == NULL)) {
        return cli_command_usage(cmd, opt->office == LIBRO_OFFICE_CHAIR
                                          ? "--roundtable-charter does not go with a chair"
                                          : "--roundtable-charter FILE is required");
    }
    if (!cli_is_url(is_registry) && is_url_base == NULL) {
        return cli_command_usage(cmd, "--registry DB needs --status-url-base URL");
    }
    if (cli_is_url(is_registry) && (is_url_base != NULL || is_actor != NULL)) {
        return cli_command_usage(cmd, "--status-url-base and --actor go with --registry DB");
    }
    if (libro_parse_u64(&electorate, is_electorate, strlen(is_electorate), LIBRO_MAX_ELECTORATE,
                        err) != LIBRO_OK ||
        electorate == 0) {
        return cli_command_usage(cmd, "--electorate: want 1 to %u", LIBRO_MAX_ELECTORATE);
    }
    opt->electorate = (uint32_t) electorate;
    if ((is_from != NULL &&
         cli_parse_time_arg(&opt->valid_from, "--valid-from", is_from, err) != LIBRO_OK) ||
        (is_until != NULL &&
         cli_parse_time_arg(&opt->valid_until, "--valid-until", is_until, err) != LIBRO_OK) ||
        cli_parse_time_arg(&opt->election_date, "--election-date", is_date, err) != LIBRO_OK ||
        (is_holder_key != NULL && holder_did_from_key(did, is_holder_key, err) != LIBRO_OK) ||
        (is_record_file != NULL && record_hash(record, is_record_file, err) != LIBRO_OK)) {
        cli_report_json(cmd->command, err, is_json);
        return CLI_EXIT_NO;
    }
    opt->holder_did = is_holder_key != NULL ? (const char *) did->data : is_holder_did;
    opt->election_record = is_record_file != NULL ? (const char *) record->data : is_record;
    return -1;
}

/* {"ok":true,"mandate":{...}}: what libro mandate issue recorded. */
static libro_code
print_issued(const char *id, const libro_issued *res, libro_error *err)
{
    const libro_credential *m = res->license;
    char from[LIBRO_TIME_TEXT_MAX];
    char until[LIBRO_TIME_TEXT_MAX];
    libro_buf b = LIBRO_BUF_INIT;
    libro_code rc =
        libro_buf_printf(&b, err, "{\"ok\":true,\"mandate\":{\"id\":\"%s\",\"office\":\"%s\"", id,
                         libro_office_name(m->office));

    if (rc == LIBRO_OK) {
        rc = cli_json_member(&b, "roundtable", m->roundtable_id, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(&b, err, ",\"roundtableLevel\":%d", m->roundtable_level);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_member(&b, "seat", m->seat, err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_member(&b, "holder", m->subject_id, err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_member(&b, "name", m->name, err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_member(&b, "issuer", m->issuer, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(&b, err,
                              ",\"voting\":%s,\"validFrom\":\"%s\",\"validUntil\":\"%s\","
                              "\"statusList\":%u,\"statusIndex\":%u",
                              m->voting ? "true" : "false", cli_time_text(from, m->valid_from),
                              cli_time_text(until, m->valid_until), (unsigned) res->status_list,
                              (unsigned) res->status_index);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_member(&b, "credential", (const char *) res->jws.data, err);
    }
    return cli_json_print(&b, "}}", rc, err);
}

static int
mandate_issue(int argc, char **argv)
{
    const struct cli_command *cmd = &issue_cmd;
    libro_mandate_options opt = LIBRO_MANDATE_OPTIONS_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf did = LIBRO_BUF_INIT;
    libro_buf record = LIBRO_BUF_INIT;
    libro_buf charter = LIBRO_BUF_INIT;
    libro_buf rt_charter = LIBRO_BUF_INIT;
    libro_key *signer = NULL;
    libro_issued res = LIBRO_ISSUED_INIT;
    char id[LIBRO_MANDATE_ID_SIZE] = "";
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    code = issue_parse(&opt, &did, &record, &err);
    if (code >= 0) {
        goto out;
    }
    opt.holder = is_holder;
    opt.election_result = is_result;
    opt.registry = is_registry;
    opt.actor = is_actor;
    opt.status_url_base = is_url_base;
    code = CLI_EXIT_NO;
    if (cli_check_new_output(is_out, "--out", &err) != LIBRO_OK ||
        cli_check_new_output(is_qr, "--qr", &err) != LIBRO_OK ||
        cli_read_token(&charter, is_charter, &err) != LIBRO_OK ||
        (is_rt_charter != NULL && cli_read_token(&rt_charter, is_rt_charter, &err) != LIBRO_OK) ||
        cli_load_key(&signer, is_key, is_pass_fd, &err) != LIBRO_OK) {
        goto out_report;
    }
    opt.signer_charter = (const char *) charter.data;
    opt.signer_charter_len = charter.len;
    opt.roundtable_charter = (const char *) rt_charter.data;
    opt.roundtable_charter_len = rt_charter.len;
    if (libro_issuer_issue_mandate(&res, id, signer, &opt, &err) != LIBRO_OK) {
        goto out_report;
    }
    fprintf(stderr, "libro: registered mandate %s (mandate status list %u, index %u)\n", id,
            (unsigned) res.status_list, (unsigned) res.status_index);
    /* Recorded: from here a failure to write leaves the mandate in the registry. */
    if (cli_write_credential(is_out, &res.jws, res.license, &err) != LIBRO_OK ||
        (is_qr != NULL && cli_write_qr_png(is_qr, &res.jws, &err) != LIBRO_OK)) {
        libro_error_prefix(&err, "mandate recorded (libro mandate show), but");
        goto out_report;
    }
    if (is_json ? print_issued(id, &res, &err) != LIBRO_OK : printf("%s\n", id) < 0) {
        goto out_report;
    }
    code = CLI_EXIT_OK;
    goto out;
out_report:
    cli_report_json(cmd->command, &err, is_json);
out:
    libro_issued_clear(&res);
    libro_key_free(signer);
    libro_buf_free(&did);
    libro_buf_free(&record);
    libro_buf_free(&charter);
    libro_buf_free(&rt_charter);
    return cli_finish(code);
}

/* ---- mandate show -------------------------------------------------------------------------- */

static const char *sh_db;
static const char *sh_registry;
static bool sh_json;
static const char *sh_id;

static const struct cli_option show_opts[] = {
    {CLI_OPT_VALUE, "--db", "FILE", &sh_db, CLI_REQUIRED, 1,
     "the registry database: a file, or a postgresql:// URI"},
    {CLI_OPT_VALUE, "--registry", "URL", &sh_registry, CLI_REQUIRED, 1, "a registry's URL"},
    {CLI_OPT_SWITCH, "--json", NULL, &sh_json, 0, 0,
     "print one JSON document (schemas/cli/mandate-show.schema.json)"},
    {CLI_OPT_ARG, "ID", NULL, &sh_id, CLI_REQUIRED, 0, "the mandate's id (sha256:...)"},
};

static const struct cli_command show_cmd = {
    "mandate show",
    "--db FILE | --registry URL [--json] ID",
    "Show a mandate as its roundtable's registry holds it: office, seat, holder, term, and\n"
    "whether it ended early (resigned, recalled) or was replaced, when, by whom and why.",
    show_opts,
    LIBRO_NELEM(show_opts),
    mandate_epilog,
};

static int
mandate_show(int argc, char **argv)
{
    const struct cli_command *cmd = &show_cmd;
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry_client *client = NULL;
    libro_mandate_record rec = {0};
    libro_buf b = LIBRO_BUF_INIT;
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    code = CLI_EXIT_NO;
    if (cli_open_reader(&client, sh_db, sh_registry, &err) != LIBRO_OK ||
        libro_registry_client_mandate(client, &rec, sh_id, &err) != LIBRO_OK) {
        goto out_report;
    }
    if (sh_json) {
        if (libro_buf_append_str(&b, "{\"ok\":true,\"mandate\":", &err) != LIBRO_OK ||
            cli_json_mandate(&b, &rec, true, &err) != LIBRO_OK ||
            libro_buf_append_str(&b, "}\n", &err) != LIBRO_OK) {
            goto out_report;
        }
        fputs((const char *) b.data, stdout);
    } else {
        print_mandate(&rec);
    }
    code = CLI_EXIT_OK;
    goto out;
out_report:
    cli_report_json(cmd->command, &err, sh_json);
out:
    libro_buf_free(&b);
    libro_mandate_record_clear(&rec);
    libro_registry_client_close(client);
    return cli_finish(code);
}

/* ---- mandate end --------------------------------------------------------------------------- */

static const char *en_db;
static const char *en_actor;
static const char *en_registry;
static const char *en_key;
static const char *en_pass_fd;
static const char *en_reason;
static const char *en_why;
static const char *en_id;
static bool en_json;

static const struct cli_option end_opts[] = {
    {CLI_OPT_VALUE, "--db", "FILE", &en_db, CLI_REQUIRED, 1,
     "the registry database: a file, or a postgresql:// URI"},
    {CLI_OPT_VALUE, "--actor", "WHO", &en_actor, 0, 0, "with --db: who records it"},
    {CLI_OPT_VALUE, "--registry", "URL", &en_registry, CLI_REQUIRED, 1,
     "a registry's URL: a request signed with --key"},
    {CLI_OPT_VALUE, "--key", "FILE", &en_key, 0, 0,
     "with --registry: the holder's key (resigned) or the signing community's key (recalled)"},
    {CLI_OPT_VALUE, "--passphrase-fd", "N", &en_pass_fd, 0, 0,
     "read the key's passphrase from descriptor N"},
    {CLI_OPT_VALUE, "--reason", "resigned|recalled", &en_reason, CLI_REQUIRED, 0,
     "how the mandate ends"},
    {CLI_OPT_VALUE, "--why", "TEXT", &en_why, CLI_REQUIRED, 0, "why (recorded)"},
    {CLI_OPT_SWITCH, "--json", NULL, &en_json, 0, 0,
     "print one JSON document (schemas/cli/mandate-end.schema.json)"},
    {CLI_OPT_ARG, "ID", NULL, &en_id, CLI_REQUIRED, 0, "the mandate's id (sha256:...)"},
};

static const struct cli_command end_cmd = {
    "mandate end",
    "--db FILE --actor WHO --reason resigned|recalled --why TEXT [--json] ID\n"
    "       | --registry URL --key FILE --reason resigned|recalled --why TEXT [--json] ID",
    "End a mandate before its term is over. The holder resigns: over HTTP the request is\n"
    "signed by the holder's own key, the one whose did:key the mandate names. The community\n"
    "that elected or appointed recalls: signed by its community key (for the chair, the\n"
    "roundtable's community). Final: the revocation bit and the word (resigned, recalled) are\n"
    "set in the registry's mandate status lists, so a synced verifier says ENDED.",
    end_opts,
    LIBRO_NELEM(end_opts),
    mandate_epilog,
};

static int
mandate_end(int argc, char **argv)
{
    const struct cli_command *cmd = &end_cmd;
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *key = NULL;
    libro_mandate_state how;
    const char *problem;
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (strcmp(en_reason, "resigned") == 0) {
        how = LIBRO_MANDATE_RESIGNED;
    } else if (strcmp(en_reason, "recalled") == 0) {
        how = LIBRO_MANDATE_RECALLED;
    } else {
        return cli_command_usage(cmd, "--reason: want resigned or recalled");
    }
    problem = cli_write_target_problem(en_db, en_actor, en_registry, en_key);
    if (problem != NULL) {
        return cli_command_usage(cmd, "%s", problem);
    }
    code = CLI_EXIT_NO;
    if ((en_key != NULL && cli_load_key(&key, en_key, en_pass_fd, &err) != LIBRO_OK) ||
        libro_issuer_end_mandate(en_db != NULL ? en_db : en_registry, key, en_id, how, en_why,
                                 en_actor, &err) != LIBRO_OK) {
        cli_report_json(cmd->command, &err, en_json);
    } else {
        /* en_id is a mandate id (the registry accepted it): nothing to escape. */
        if (en_json) {
            printf("{\"ok\":true,\"id\":\"%s\",\"state\":\"%s\"}\n", en_id, en_reason);
        } else {
            printf("%s: %s\n", en_id, en_reason);
        }
        code = CLI_EXIT_OK;
    }
    libro_key_free(key);
    return cli_finish(code);
}

/* ---- mandate expiring ---------------------------------------------------------------------- */

static const char *ex_db;
static const char *ex_registry;
static const char *ex_within;
static bool ex_json;

static const struct cli_option expiring_opts[] = {
    {CLI_OPT_VALUE, "--db", "FILE", &ex_db, CLI_REQUIRED, 1,
     "the registry database: a file, or a postgresql:// URI"},
    {CLI_OPT_VALUE, "--registry", "URL", &ex_registry, CLI_REQUIRED, 1, "a registry's URL"},
    {CLI_OPT_VALUE, "--within", "DAYS", &ex_within, CLI_REQUIRED, 0, "how far ahead to look"},
    {CLI_OPT_SWITCH, "--json", NULL, &ex_json, 0, 0,
     "print one JSON document (schemas/cli/mandate-expiring.schema.json)"},
};

static const struct cli_command expiring_cmd = {
    "mandate expiring",
    "--db FILE | --registry URL --within DAYS [--json]",
    "List the mandates whose term ends within DAYS from now and that have not ended early,\n"
    "soonest first: the elections to prepare.",
    expiring_opts,
    LIBRO_NELEM(expiring_opts),
    mandate_epilog,
};

static libro_code
mandate_item(libro_buf *b, const void *items, size_t i, libro_error *err)
{
    return cli_json_mandate(b, &((const libro_mandate_record *) items)[i], false, err);
}

static int
mandate_expiring(int argc, char **argv)
{
    const struct cli_command *cmd = &expiring_cmd;
    libro_error err = LIBRO_ERROR_INIT;
    libro_error ignored = LIBRO_ERROR_INIT;
    libro_registry_client *client = NULL;
    libro_mandate_record *recs = NULL;
    uint64_t within = 0;
    size_t n = 0;
    size_t i;
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (libro_parse_u64(&within, ex_within, strlen(ex_within), MAX_WITHIN_DAYS, &ignored) !=
        LIBRO_OK) {
        return cli_command_usage(cmd, "--within: want 0 to %u days", MAX_WITHIN_DAYS);
    }
    code = CLI_EXIT_NO;
    if (cli_open_reader(&client, ex_db, ex_registry, &err) != LIBRO_OK ||
        libro_registry_client_mandates_expiring(client, &recs, &n, (int64_t) within * DAY, &err) !=
            LIBRO_OK) {
        goto out_report;
    }
    if (ex_json) {
        if (cli_print_json_list("mandates", recs, n, mandate_item, &err) != LIBRO_OK) {
            goto out_report;
        }
    } else {
        for (i = 0; i < n; i++) {
            cli_print_mandate_line(&recs[i]);
        }
        fprintf(stderr, "libro: %zu mandate%s ending within %u days\n", n, n == 1 ? "" : "s",
                (unsigned) within);
    }
    code = CLI_EXIT_OK;
    goto out;
out_report:
    cli_report_json(cmd->command, &err, ex_json);
out:
    libro_mandate_records_free(recs, n);
    libro_registry_client_close(client);
    return cli_finish(code);
}

static const struct cli_cmd mandate_commands[] = {
    {"issue", mandate_issue, "issue and record a roundtable mandate"},
    {"show", mandate_show, "show a mandate as the registry holds it"},
    {"end", mandate_end, "end a mandate early: resigned or recalled"},
    {"expiring", mandate_expiring, "list mandates whose term ends soon"},
};

int
cmd_mandate(int argc, char **argv)
{
    return cli_dispatch_sub("mandate", mandate_commands, LIBRO_NELEM(mandate_commands), argc, argv);
}
