/* libro law propose|respond|rule|amend|withdraw|round|adopt|record|show|list|review-due: a
 * community's laws adopted by sociocratic consent (docs/credentials.md, "CommunityLaw" and
 * "The consent record"), against its registry's database or URL. Each step is signed by the
 * member who takes it; the work is the issuer's, the registry's and the verifier's
 * libraries'; this file parses and prints. */
#include <string.h>

#include "cmd.h"
#include "libro/file.h"
#include "libro/issuer.h"
#include "libro/registry_client.h"
#include "libro/util.h"

#define DAY INT64_C(86400)
#define MAX_WITHIN_DAYS 36600u

static const char law_epilog[] =
    "Times are RFC 3339 (2026-01-01T00:00:00Z). A step's hash, and a law's, is \"sha256:\" and\n"
    "the hex SHA-256 of its compact JWS.\n"
    "Exit status: 0 done, 1 refused or failed (reason on stderr), 2 bad command line.";

/* ---- what every step takes ------------------------------------------------------------------
 * One set of variables for the options the writing commands share (the parser resets the
 * variables of the table it parses; one command runs per process). */

static const char *w_db;
static const char *w_registry;
static const char *w_key;
static const char *w_pass_fd;
static bool w_json;
static const char *w_law;

/* clang-format off */
#define TARGET_OPTS(who)                                                                           \
    {CLI_OPT_VALUE, "--db", "FILE", &w_db, CLI_REQUIRED, 1,                                        \
     "the community's registry database: a file, or a postgresql:// URI"},                         \
    {CLI_OPT_VALUE, "--registry", "URL", &w_registry, CLI_REQUIRED, 1,                             \
     "the community's registry URL"},                                                              \
    {CLI_OPT_VALUE, "--key", "FILE", &w_key, CLI_REQUIRED, 0, who},                                \
    {CLI_OPT_VALUE, "--passphrase-fd", "N", &w_pass_fd, 0, 0,                                      \
     "read the key's passphrase from descriptor N"}
#define TAIL_OPTS(schema)                                                                          \
    {CLI_OPT_SWITCH, "--json", NULL, &w_json, 0, 0, "print one JSON document (" schema ")"},       \
    {CLI_OPT_ARG, "LAW-ID", NULL, &w_law, CLI_REQUIRED, 0, "the law's id"}
/* clang-format on */

#define MEMBER_KEY "the member's own key (the did:key of their mandate)"
#define CHAIR_KEY "the chair's own key (the did:key of the chair's mandate)"
#define TARGET_SYNOPSIS "--db FILE | --registry URL --key FILE [--passphrase-fd N]"
#define STEP_SCHEMA "schemas/cli/law-step.schema.json"

/* {"ok":true,"step":{...}} or the step's hash alone. */
static libro_code
print_step(const libro_law_step_result *res, libro_error *err)
{
    libro_buf b = LIBRO_BUF_INIT;
    libro_code rc;

    if (!w_json) {
        return printf("%s\n", res->hash) < 0 ? libro_error_set(err, LIBRO_ERR_IO, "stdout")
                                             : LIBRO_OK;
    }
    rc = libro_buf_printf(&b, err,
                          "{\"ok\":true,\"step\":{\"kind\":\"%s\",\"seq\":%u,\"hash\":\"%s\","
                          "\"version\":%u,\"round\":%u",
                          libro_step_kind_name(res->kind), (unsigned) res->seq, res->hash,
                          (unsigned) res->version, (unsigned) res->round);
    if (rc == LIBRO_OK) {
        rc = cli_json_member(&b, "law", w_law, err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_member(&b, "by", res->by, err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_member(&b, "step", (const char *) res->jws.data, err);
    }
    return cli_json_print(&b, "}}", rc, err);
}

/* Sign the step `opt` with --key and record it; print what was recorded. */
static int
run_step(const struct cli_command *cmd, libro_law_step_options *opt)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *key = NULL;
    libro_law_step_result res = LIBRO_LAW_STEP_RESULT_INIT;
    int code = CLI_EXIT_NO;

    opt->registry = w_db != NULL ? w_db : w_registry;
    opt->law = w_law;
    if (w_registry != NULL && !cli_is_url(w_registry)) {
        return cli_command_usage(cmd, "--registry: want the registry's URL (a database goes "
                                      "with --db)");
    }
    if (cli_load_key(&key, w_key, w_pass_fd, &err) != LIBRO_OK ||
        libro_issuer_law_step(&res, key, opt, &err) != LIBRO_OK) {
        cli_report_json(cmd->command, &err, w_json);
        goto out;
    }
    fprintf(stderr, "libro: recorded %s step %u of %s\n", libro_step_kind_name(res.kind),
            (unsigned) res.seq, w_law);
    if (print_step(&res, &err) != LIBRO_OK) {
        cli_report_json(cmd->command, &err, w_json);
        goto out;
    }
    code = CLI_EXIT_OK;
out:
    libro_law_step_result_clear(&res);
    libro_key_free(key);
    return cli_finish(code);
}

/* The law's text from --text or --text-file (one of them given), into *text (borrowed from
 * `given` or `file`). */
static libro_code
law_text(const char **text, libro_buf *file, const char *given, const char *path, libro_error *err)
{
    libro_code rc = LIBRO_OK;

    *text = given;
    if (path != NULL) {
        /* At most what a step may carry (its own message names the file past that). */
        rc = libro_file_read(file, path, LIBRO_MAX_LAW_TEXT_BYTES, false, err);
        if (rc == LIBRO_OK && memchr(file->data, '\0', file->len) != NULL) {
            rc = libro_error_set(err, LIBRO_ERR_PARSE, "%.200s: a law's text holds no NUL byte",
                                 path);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_append(file, "", 1, err); /* NUL-terminated */
            file->len--;
        }
        *text = rc == LIBRO_OK ? (const char *) file->data : NULL;
    }
    return rc;
}

/* ---- law propose / law amend ------------------------------------------------------------------
 */

static const char *p_title;
static const char *p_aim;
static const char *p_text;
static const char *p_text_file;
static const char *p_review;
static const char *p_supersedes;
static struct cli_list p_answers;

static const struct cli_option propose_opts[] = {
    TARGET_OPTS(MEMBER_KEY " (a voting member of the roundtable)"),
    {CLI_OPT_VALUE, "--title", "TEXT", &p_title, CLI_REQUIRED, 0, "the law's title"},
    {CLI_OPT_VALUE, "--aim", "TEXT", &p_aim, CLI_REQUIRED, 0, "the aim of the circle it serves"},
    {CLI_OPT_VALUE, "--text", "TEXT", &p_text, CLI_REQUIRED, 2, "the law's text"},
    {CLI_OPT_VALUE, "--text-file", "FILE", &p_text_file, CLI_REQUIRED, 2,
     "or a file holding it (UTF-8, at most 16384 bytes)"},
    {CLI_OPT_VALUE, "--review-date", "TIME", &p_review, CLI_REQUIRED, 0,
     "when it is reviewed (\"good enough for now, safe enough to try\")"},
    {CLI_OPT_VALUE, "--supersedes", "sha256:HEX", &p_supersedes, 0, 0,
     "the law (a version adopted before) this one would replace"},
    TAIL_OPTS(STEP_SCHEMA),
};

static const struct cli_command propose_cmd = {
    "law propose",
    TARGET_SYNOPSIS "\n       --title TEXT --aim TEXT (--text TEXT | --text-file FILE)\n"
                    "       --review-date TIME [--supersedes sha256:HEX] [--json] LAW-ID",
    "Propose a law: the first step of its consent process (version 1), signed with the key of\n"
    "a voting member of the roundtable (a representative whose mandate is valid now). The\n"
    "law's id names the process; a proposal for a law already in force names the version it\n"
    "would replace with --supersedes. Responses are given in rounds (libro law respond);\n"
    "the chair opens each round after the first (libro law round). Prints the step's hash.",
    propose_opts,
    LIBRO_NELEM(propose_opts),
    law_epilog,
};

static const struct cli_option amend_opts[] = {
    TARGET_OPTS(MEMBER_KEY " (a voting member of the roundtable)"),
    {CLI_OPT_VALUE, "--title", "TEXT", &p_title, 0, 0, "a new title (default: the last one)"},
    {CLI_OPT_VALUE, "--aim", "TEXT", &p_aim, 0, 0, "a new aim (default: the last one)"},
    {CLI_OPT_VALUE, "--text", "TEXT", &p_text, CLI_REQUIRED, 2, "the amended text"},
    {CLI_OPT_VALUE, "--text-file", "FILE", &p_text_file, CLI_REQUIRED, 2,
     "or a file holding it (UTF-8, at most 16384 bytes)"},
    {CLI_OPT_VALUE, "--review-date", "TIME", &p_review, 0, 0,
     "a new review date (default: the last one)"},
    {CLI_OPT_LIST, "--answers", "sha256:HEX", &p_answers, 0, 0,
     "an objection this version answers (its step's hash)"},
    TAIL_OPTS(STEP_SCHEMA),
};

static const struct cli_command amend_cmd = {
    "law amend",
    TARGET_SYNOPSIS "\n       [--title TEXT] [--aim TEXT] (--text TEXT | --text-file FILE)\n"
                    "       [--review-date TIME] [--answers sha256:HEX]... [--json] LAW-ID",
    "Amend a proposal: a new version, signed by a voting member, naming the objections it\n"
    "answers (--answers, their steps' hashes). Every response to the earlier versions is\n"
    "void and round 1 of the new version starts. Prints the step's hash.",
    amend_opts,
    LIBRO_NELEM(amend_opts),
    law_epilog,
};

static int
law_write_text(const struct cli_command *cmd, int argc, char **argv, libro_step_kind kind)
{
    libro_law_step_options opt = LIBRO_LAW_STEP_OPTIONS_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf file = LIBRO_BUF_INIT;
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    opt.kind = kind;
    opt.title = p_title;
    opt.aim = p_aim;
    opt.supersedes = p_supersedes;
    opt.answers = p_answers.v;
    opt.n_answers = p_answers.n;
    if ((p_review != NULL &&
         cli_parse_time_arg(&opt.review_date, "--review-date", p_review, &err) != LIBRO_OK) ||
        law_text(&opt.text, &file, p_text, p_text_file, &err) != LIBRO_OK) {
        cli_report_json(cmd->command, &err, w_json);
        code = cli_finish(CLI_EXIT_NO);
    } else {
        code = run_step(cmd, &opt);
    }
    libro_buf_free(&file);
    return code;
}

static int
law_propose(int argc, char **argv)
{
    return law_write_text(&propose_cmd, argc, argv, LIBRO_STEP_PROPOSE);
}

static int
law_amend(int argc, char **argv)
{
    return law_write_text(&amend_cmd, argc, argv, LIBRO_STEP_AMEND);
}

/* ---- law respond ----------------------------------------------------------------------------- */

static bool r_consent;
static bool r_object;
static const char *r_reason;
static const char *r_harm;

static const struct cli_option respond_opts[] = {
    TARGET_OPTS(MEMBER_KEY " (a voting member; never the chair)"),
    {CLI_OPT_SWITCH, "--consent", NULL, &r_consent, CLI_REQUIRED, 2, "consent"},
    {CLI_OPT_SWITCH, "--object", NULL, &r_object, CLI_REQUIRED, 2,
     "object (with --reason and --harm)"},
    {CLI_OPT_VALUE, "--reason", "TEXT", &r_reason, 0, 0, "the objection's reason (required)"},
    {CLI_OPT_VALUE, "--harm", "TEXT", &r_harm, 0, 0,
     "how the proposal harms the circle's aim (required)"},
    TAIL_OPTS(STEP_SCHEMA),
};

static const struct cli_command respond_cmd = {
    "law respond",
    TARGET_SYNOPSIS "\n       (--consent | --object --reason TEXT --harm TEXT) [--json] LAW-ID",
    "Respond in the current round of the current version: consent, or a paramount and\n"
    "reasoned objection that states its reason and how the proposal harms the aim of the\n"
    "circle (an objection without them is refused). Each voting member whose mandate is\n"
    "valid responds once per round, in the order of the roundtable's seats; the chair takes\n"
    "part in no round. Prints the step's hash (an objection's hash names it in a ruling,\n"
    "a withdrawal or an amendment).",
    respond_opts,
    LIBRO_NELEM(respond_opts),
    law_epilog,
};

static int
law_respond(int argc, char **argv)
{
    const struct cli_command *cmd = &respond_cmd;
    libro_law_step_options opt = LIBRO_LAW_STEP_OPTIONS_INIT;
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (r_consent && (r_reason != NULL || r_harm != NULL)) {
        return cli_command_usage(cmd, "--reason and --harm go with --object");
    }
    /* An objection without its reason or harm goes on to the rules, which refuse it. */
    opt.kind = LIBRO_STEP_RESPOND;
    opt.object = r_object;
    opt.reason = r_reason;
    opt.harm = r_harm;
    return run_step(cmd, &opt);
}

/* ---- law rule / law withdraw ----------------------------------------------------------------- */

static const char *u_objection;
static const char *u_ruling;
static const char *u_reason;

static const struct cli_option rule_opts[] = {
    TARGET_OPTS(CHAIR_KEY),
    {CLI_OPT_VALUE, "--objection", "sha256:HEX", &u_objection, CLI_REQUIRED, 0,
     "the objection (its step's hash)"},
    {CLI_OPT_VALUE, "--ruling", "valid|out", &u_ruling, CLI_REQUIRED, 0,
     "valid (it stands) or out (it no longer blocks)"},
    {CLI_OPT_VALUE, "--reason", "TEXT", &u_reason, CLI_REQUIRED, 0, "why (recorded)"},
    TAIL_OPTS(STEP_SCHEMA),
};

static const struct cli_command rule_cmd = {
    "law rule",
    TARGET_SYNOPSIS "\n       --objection sha256:HEX --ruling valid|out --reason TEXT [--json] "
                    "LAW-ID",
    "The chair rules on an objection's form, never its merit: is it reasoned, is it tied to\n"
    "the circle's aim. An objection ruled out no longer blocks adoption. Signed with the\n"
    "chair's key. Prints the step's hash.",
    rule_opts,
    LIBRO_NELEM(rule_opts),
    law_epilog,
};

static int
law_rule(int argc, char **argv)
{
    const struct cli_command *cmd = &rule_cmd;
    libro_law_step_options opt = LIBRO_LAW_STEP_OPTIONS_INIT;
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (strcmp(u_ruling, "valid") != 0 && strcmp(u_ruling, "out") != 0) {
        return cli_command_usage(cmd, "--ruling: want valid or out");
    }
    opt.kind = LIBRO_STEP_RULE;
    opt.objection = u_objection;
    opt.ruled_out = strcmp(u_ruling, "out") == 0;
    opt.reason = u_reason;
    return run_step(cmd, &opt);
}

static const struct cli_option withdraw_opts[] = {
    TARGET_OPTS(MEMBER_KEY " (the objection's author)"),
    {CLI_OPT_VALUE, "--objection", "sha256:HEX", &u_objection, CLI_REQUIRED, 0,
     "the objection (its step's hash)"},
    TAIL_OPTS(STEP_SCHEMA),
};

static const struct cli_command withdraw_cmd = {
    "law withdraw",
    TARGET_SYNOPSIS "\n       --objection sha256:HEX [--json] LAW-ID",
    "Withdraw an objection: only its author, with their own key. A withdrawn objection no\n"
    "longer blocks adoption. Prints the step's hash.",
    withdraw_opts,
    LIBRO_NELEM(withdraw_opts),
    law_epilog,
};

static int
law_withdraw(int argc, char **argv)
{
    const struct cli_command *cmd = &withdraw_cmd;
    libro_law_step_options opt = LIBRO_LAW_STEP_OPTIONS_INIT;
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    opt.kind = LIBRO_STEP_WITHDRAW;
    opt.objection = u_objection;
    return run_step(cmd, &opt);
}

/* ---- law round ------------------------------------------------------------------------------- */

static const struct cli_option round_opts[] = {
    TARGET_OPTS(CHAIR_KEY),
    TAIL_OPTS(STEP_SCHEMA),
};

static const struct cli_command round_cmd = {
    "law round",
    TARGET_SYNOPSIS " [--json] LAW-ID",
    "The chair opens the next round of the current version, once every voting member has\n"
    "responded in the last one (say, after an objection was withdrawn or ruled out, to\n"
    "hear everyone again). Members who joined the roundtable since respond from this round\n"
    "on. Prints the step's hash.",
    round_opts,
    LIBRO_NELEM(round_opts),
    law_epilog,
};

static int
law_round(int argc, char **argv)
{
    const struct cli_command *cmd = &round_cmd;
    libro_law_step_options opt = LIBRO_LAW_STEP_OPTIONS_INIT;
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    opt.kind = LIBRO_STEP_ROUND;
    return run_step(cmd, &opt);
}

/* ---- printing laws -----------------------------------------------------------------------------
 */

/* Whether the law in force `l` is past its review date at `now`: UNDER REVIEW. */
static bool
under_review(const libro_law_record *l, int64_t now)
{
    return l->state == LIBRO_LAW_IN_FORCE && l->review_at < now;
}

/* A law version as JSON (schemas/cli/law-record.schema.json), appended to `b`. */
static libro_code
json_law(libro_buf *b, const libro_law_record *l, int64_t now, libro_error *err)
{
    char adopted[LIBRO_TIME_TEXT_MAX];
    char review[LIBRO_TIME_TEXT_MAX];
    char repealed[LIBRO_TIME_TEXT_MAX];
    libro_code rc = libro_buf_printf(
        b, err,
        "{\"hash\":\"%s\",\"version\":%u,\"state\":\"%s\",\"underReview\":%s,"
        "\"adoptedAt\":\"%s\",\"reviewDate\":\"%s\",\"consentRecord\":\"%s\"",
        l->hash, (unsigned) l->version, libro_law_state_name(l->state),
        under_review(l, now) ? "true" : "false", cli_time_text(adopted, l->adopted_at),
        cli_time_text(review, l->review_at), l->consent_record);

    if (rc == LIBRO_OK) {
        rc = cli_json_member(b, "id", l->id, err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_member(b, "title", l->title, err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_member(b, "aim", l->aim, err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_member(b, "community", l->community, err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_member(b, "supersedes", l->supersedes, err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_member(b, "supersededBy", l->superseded_by, err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_member(b, "repealedAt",
                             l->repealed_at != 0 ? cli_time_text(repealed, l->repealed_at) : NULL,
                             err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "}", err);
    }
    return rc;
}

/* One line: id, version, state, review date, title. */
static void
print_law_line(const libro_law_record *l, int64_t now)
{
    char review[LIBRO_TIME_TEXT_MAX];

    printf("%-40s v%-3u %-12s review %s  %s\n", l->id, (unsigned) l->version,
           under_review(l, now) ? "UNDER REVIEW" : libro_law_state_name(l->state),
           cli_time_text(review, l->review_at), l->title);
}

struct law_items {
    const libro_law_record *l;
    int64_t now;
};

static libro_code
law_item(libro_buf *b, const void *items, size_t i, libro_error *err)
{
    const struct law_items *x = items;

    return json_law(b, &x->l[i], x->now, err);
}

/* ---- law show / law list / law review-due -------------------------------------------------- */

static const char *g_db;
static const char *g_registry;
static const char *g_within;
static bool g_json;
static const char *g_law;

/* clang-format off */
#define READ_OPTS                                                                                  \
    {CLI_OPT_VALUE, "--db", "FILE", &g_db, CLI_REQUIRED, 1,                                        \
     "the community's registry database: a file, or a postgresql:// URI"},                         \
    {CLI_OPT_VALUE, "--registry", "URL", &g_registry, CLI_REQUIRED, 1,                             \
     "the community's registry URL"}
/* clang-format on */

static const struct cli_option show_opts[] = {
    READ_OPTS,
    {CLI_OPT_SWITCH, "--json", NULL, &g_json, 0, 0,
     "print one JSON document (schemas/cli/law-show.schema.json)"},
    {CLI_OPT_ARG, "LAW-ID", NULL, &g_law, CLI_REQUIRED, 0, "the law's id"},
};

static const struct cli_command show_cmd = {
    "law show",
    "--db FILE | --registry URL [--json] LAW-ID",
    "Show every adopted version of a law: its state (in force, or repealed by a newer\n"
    "version), UNDER REVIEW once a law in force is past its review date, when it was\n"
    "adopted, its review date, the hash of its consent record and of the law itself.",
    show_opts,
    LIBRO_NELEM(show_opts),
    law_epilog,
};

static const struct cli_option list_opts[] = {
    READ_OPTS,
    {CLI_OPT_SWITCH, "--json", NULL, &g_json, 0, 0,
     "print one JSON document (schemas/cli/law-list.schema.json)"},
};

static const struct cli_command list_cmd = {
    "law list",
    "--db FILE | --registry URL [--json]",
    "List the community's laws in force, one line each: id, version, review date (UNDER\n"
    "REVIEW once it has passed) and title.",
    list_opts,
    LIBRO_NELEM(list_opts),
    law_epilog,
};

static const struct cli_option due_opts[] = {
    READ_OPTS,
    {CLI_OPT_VALUE, "--within", "DAYS", &g_within, CLI_REQUIRED, 0, "how far ahead to look"},
    {CLI_OPT_SWITCH, "--json", NULL, &g_json, 0, 0,
     "print one JSON document (schemas/cli/law-list.schema.json)"},
};

static const struct cli_command due_cmd = {
    "law review-due",
    "--db FILE | --registry URL --within DAYS [--json]",
    "List the laws in force whose review date falls within DAYS from now, or has passed\n"
    "(those are UNDER REVIEW), soonest first: the consent processes to prepare.",
    due_opts,
    LIBRO_NELEM(due_opts),
    law_epilog,
};

/* Print `n` laws: one JSON document, or a line each (`what` for the count on stderr). */
static libro_code
print_laws(const libro_law_record *l, size_t n, const char *what, libro_error *err)
{
    struct law_items x = {l, libro_time_now()};
    size_t i;

    if (g_json) {
        return cli_print_json_list("laws", &x, n, law_item, err);
    }
    for (i = 0; i < n; i++) {
        print_law_line(&l[i], x.now);
    }
    fprintf(stderr, "libro: %zu law%s %s\n", n, n == 1 ? "" : "s", what);
    return LIBRO_OK;
}

static libro_code
print_versions(const libro_law_record *l, size_t n, libro_error *err)
{
    struct law_items x = {l, libro_time_now()};
    libro_buf b = LIBRO_BUF_INIT;
    char adopted[LIBRO_TIME_TEXT_MAX];
    size_t i;
    libro_code rc = LIBRO_OK;

    if (!g_json) {
        printf("law %s: %s\n", g_law, n > 0 ? l[n - 1].title : "");
        for (i = 0; i < n; i++) {
            print_law_line(&l[i], x.now);
            printf("    adopted %s  %s  consent record %s\n",
                   cli_time_text(adopted, l[i].adopted_at), l[i].hash, l[i].consent_record);
        }
        return LIBRO_OK;
    }
    rc = libro_buf_append_str(&b, "{\"ok\":true,\"law\":{\"id\":", err);
    if (rc == LIBRO_OK) {
        rc = cli_json_string(&b, g_law, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(&b, ",\"versions\":[", err);
    }
    for (i = 0; i < n && rc == LIBRO_OK; i++) {
        rc = i > 0 ? libro_buf_append_str(&b, ",", err) : LIBRO_OK;
        if (rc == LIBRO_OK) {
            rc = law_item(&b, &x, i, err);
        }
    }
    return cli_json_print(&b, "]}}", rc, err);
}

/* law show, law list and law review-due: read from --db or --registry, then print. */
static int
law_read(const struct cli_command *cmd, int argc, char **argv)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry_client *client = NULL;
    libro_law_record *l = NULL;
    uint64_t within = 0;
    size_t n = 0;
    libro_code rc;
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (g_within != NULL &&
        libro_parse_u64(&within, g_within, strlen(g_within), MAX_WITHIN_DAYS, &err) != LIBRO_OK) {
        return cli_command_usage(cmd, "--within: want 0 to %u days", MAX_WITHIN_DAYS);
    }
    code = CLI_EXIT_NO;
    rc = cli_open_reader(&client, g_db, g_registry, &err);
    if (rc == LIBRO_OK && cmd == &show_cmd) {
        rc = libro_registry_client_law_versions(client, &l, &n, g_law, &err);
        rc = rc == LIBRO_OK ? print_versions(l, n, &err) : rc;
    } else if (rc == LIBRO_OK && cmd == &list_cmd) {
        rc = libro_registry_client_laws(client, &l, &n, &err);
        rc = rc == LIBRO_OK ? print_laws(l, n, "in force", &err) : rc;
    } else if (rc == LIBRO_OK) {
        rc = libro_registry_client_laws_review_due(client, &l, &n, (int64_t) within * DAY, &err);
        rc = rc == LIBRO_OK ? print_laws(l, n, "due for review", &err) : rc;
    }
    if (rc != LIBRO_OK) {
        cli_report_json(cmd->command, &err, g_json);
    } else {
        code = CLI_EXIT_OK;
    }
    libro_law_records_free(l, n);
    libro_registry_client_close(client);
    return cli_finish(code);
}

static int
law_show(int argc, char **argv)
{
    return law_read(&show_cmd, argc, argv);
}

static int
law_list(int argc, char **argv)
{
    return law_read(&list_cmd, argc, argv);
}

static int
law_review_due(int argc, char **argv)
{
    return law_read(&due_cmd, argc, argv);
}

/* ---- law adopt ------------------------------------------------------------------------------- */

static const char *a_charter;
static const char *a_actor;
static const char *a_out;

static const struct cli_option adopt_opts[] = {
    TARGET_OPTS("the community key (the key its charter names)"),
    {CLI_OPT_VALUE, "--charter", "FILE", &a_charter, CLI_REQUIRED, 0,
     "the community's own CommunityCharter"},
    {CLI_OPT_VALUE, "--actor", "WHO", &a_actor, 0, 0,
     "with --db: who records it (default: the community)"},
    {CLI_OPT_VALUE, "--out", "FILE", &a_out, CLI_REQUIRED, 0,
     "where to write the law (compact JWS)"},
    TAIL_OPTS("schemas/cli/law-adopt.schema.json"),
};

static const struct cli_command adopt_cmd = {
    "law adopt",
    TARGET_SYNOPSIS " --charter FILE\n       [--actor WHO] --out FILE [--json] LAW-ID",
    "Adopt a law once its consent process allows it: in the last round of the last version\n"
    "every voting member has responded and no objection stands (not ruled out, not\n"
    "withdrawn). The community key signs the CommunityLaw built from the record: its text,\n"
    "aim, the review date as validUntil, the members of the round and the chair, and the\n"
    "hash of the record's last step; the registry checks it against the record and\n"
    "registers it (a newer version repeals the one in force). Prints the law's hash.",
    adopt_opts,
    LIBRO_NELEM(adopt_opts),
    law_epilog,
};

/* {"ok":true,"law":{...}}: what libro law adopt registered. */
static libro_code
print_adopted(const char *hash, const libro_issued *res, libro_error *err)
{
    const libro_credential *c = res->license;
    char from[LIBRO_TIME_TEXT_MAX];
    char until[LIBRO_TIME_TEXT_MAX];
    libro_buf b = LIBRO_BUF_INIT;
    size_t i;
    libro_code rc = libro_buf_printf(
        &b, err,
        "{\"ok\":true,\"law\":{\"hash\":\"%s\",\"version\":%u,\"adoptedAt\":\"%s\","
        "\"reviewDate\":\"%s\",\"consentRecord\":\"%s\"",
        hash, (unsigned) c->law_version, cli_time_text(from, c->valid_from),
        cli_time_text(until, c->valid_until), c->consent_record);

    if (rc == LIBRO_OK) {
        rc = cli_json_member(&b, "id", c->subject_id, err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_member(&b, "title", c->title, err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_member(&b, "credential", (const char *) res->jws.data, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(&b, ",\"members\":[", err);
    }
    for (i = 0; i < c->n_members && rc == LIBRO_OK; i++) {
        rc = libro_buf_printf(&b, err, "%s{\"office\":\"%s\"", i > 0 ? "," : "",
                              libro_office_name(c->members[i].office));
        if (rc == LIBRO_OK) {
            rc = cli_json_member(&b, "id", c->members[i].id, err);
        }
        if (rc == LIBRO_OK) {
            rc = cli_json_member(&b, "name", c->members[i].name, err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_append_str(&b, "}", err);
        }
    }
    return cli_json_print(&b, "]}}", rc, err);
}

static int
law_adopt(int argc, char **argv)
{
    const struct cli_command *cmd = &adopt_cmd;
    libro_law_adopt_options opt = LIBRO_LAW_ADOPT_OPTIONS_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf charter = LIBRO_BUF_INIT;
    libro_key *key = NULL;
    libro_issued res = LIBRO_ISSUED_INIT;
    char hash[LIBRO_HASH_REF_SIZE] = "";
    char until[LIBRO_TIME_TEXT_MAX];
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (a_actor != NULL && w_db == NULL) {
        return cli_command_usage(cmd, "--actor goes with --db");
    }
    if (w_registry != NULL && !cli_is_url(w_registry)) {
        return cli_command_usage(cmd, "--registry: want the registry's URL (a database goes "
                                      "with --db)");
    }
    code = CLI_EXIT_NO;
    if (cli_check_new_output(a_out, "--out", &err) != LIBRO_OK ||
        cli_read_token(&charter, a_charter, &err) != LIBRO_OK ||
        cli_load_key(&key, w_key, w_pass_fd, &err) != LIBRO_OK) {
        goto out_report;
    }
    opt.registry = w_db != NULL ? w_db : w_registry;
    opt.actor = a_actor;
    opt.law = w_law;
    opt.charter = (const char *) charter.data;
    opt.charter_len = charter.len;
    if (libro_issuer_adopt_law(&res, hash, key, &opt, &err) != LIBRO_OK) {
        goto out_report;
    }
    fprintf(stderr, "libro: adopted %s version %u, in force until its review on %s\n", w_law,
            (unsigned) res.license->law_version, cli_time_text(until, res.license->valid_until));
    /* Registered: from here a failure to write leaves the law in the registry. */
    if (cli_write_credential(a_out, &res.jws, res.license, &err) != LIBRO_OK) {
        libro_error_prefix(&err, "law registered (libro law show), but");
        goto out_report;
    }
    if (w_json ? print_adopted(hash, &res, &err) != LIBRO_OK : printf("%s\n", hash) < 0) {
        goto out_report;
    }
    code = CLI_EXIT_OK;
    goto out;
out_report:
    cli_report_json(cmd->command, &err, w_json);
out:
    libro_issued_clear(&res);
    libro_key_free(key);
    libro_buf_free(&charter);
    return cli_finish(code);
}

static const struct cli_cmd law_commands[] = {
    {"propose", law_propose, "propose a law: the first step of its consent process"},
    {"respond", law_respond, "consent, or object with a reason, in the current round"},
    {"rule", law_rule, "the chair rules on an objection's form"},
    {"amend", law_amend, "a new version answering objections (a new round starts)"},
    {"withdraw", law_withdraw, "withdraw one's own objection"},
    {"round", law_round, "the chair opens the next round"},
    {"adopt", law_adopt, "the community key signs the law the record allows"},
    {"record", cli_law_record, "print a law's consent record and check it, offline"},
    {"show", law_show, "a law's versions and their states"},
    {"list", law_list, "the laws in force, with their review dates"},
    {"review-due", law_review_due, "laws whose review date is near or past"},
};

int
cmd_law(int argc, char **argv)
{
    return cli_dispatch_sub("law", law_commands, LIBRO_NELEM(law_commands), argc, argv);
}
