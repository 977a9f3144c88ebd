/* libro law record: a law's consent record printed and checked offline (libro_verify_record),
 * read from a registry (libro_issuer_law_record) or a file. */
#include <string.h>

#include "cmd.h"
#include "libro/file.h"
#include "libro/issuer.h"
#include "libro/util.h"
#include "libro/verifier.h"

static const char law_epilog[] =
    "A step's hash, and a law's, is \"sha256:\" and the hex SHA-256 of its compact JWS.\n"
    "Exit status: 0 the record holds, 1 it does not (or it could not be read), 2 bad command\n"
    "line.";

/* ---- law record -------------------------------------------------------------------------- */

static const char *c_db;
static const char *c_registry;
static const char *c_out;
static const char *c_law_file;
static const char *c_trust_dir;
static bool c_json;
static const char *c_what;

static const struct cli_option record_opts[] = {
    {CLI_OPT_VALUE, "--db", "FILE", &c_db, 0, 1, "read the record from this registry database"},
    {CLI_OPT_VALUE, "--registry", "URL", &c_registry, 0, 1, "or from this registry's URL"},
    {CLI_OPT_VALUE, "--out", "FILE", &c_out, 0, 0,
     "with --db or --registry: also save the record document"},
    {CLI_OPT_VALUE, "--law", "FILE", &c_law_file, 0, 0,
     "with a FILE: the law the record should have adopted (CommunityLaw)"},
    {CLI_OPT_VALUE, "--trust-dir", "DIR", &c_trust_dir, 0, 0,
     "the trust store (default: the user's)"},
    {CLI_OPT_SWITCH, "--json", NULL, &c_json, 0, 0,
     "print one JSON document (schemas/cli/law-consent-record.schema.json)"},
    {CLI_OPT_ARG, "LAW-ID|FILE", NULL, &c_what, CLI_REQUIRED, 0,
     "the law's id (with --db or --registry), else a record document"},
};

static const struct cli_command record_cmd = {
    "law record",
    "(--db FILE | --registry URL) [--out FILE] [--trust-dir DIR] [--json] LAW-ID\n"
    "       | [--law FILE] [--trust-dir DIR] [--json] FILE",
    "Print a law's consent record and check it, offline: every version, every round, each\n"
    "response and objection with its reason and harm, the rulings, withdrawals and\n"
    "amendments; each step's signature by its member's own key, each member's mandate up to\n"
    "an anchor of the trust store, the rules of consent over the whole record, and that the\n"
    "law adopted (the registry's, or --law) is what the record adopted. The record comes\n"
    "from a registry (the latest process of LAW-ID) or a file (what --out saved). Exit 0\n"
    "when the record holds, 1 when it does not (a step changed, dropped or out of order),\n"
    "with the reason.",
    record_opts,
    LIBRO_NELEM(record_opts),
    law_epilog,
};

/* The name of the member whose did:key is `did`, from the record's verified mandates, else
 * the did:key itself. */
static const char *
member_name(const libro_record_check *chk, const char *did)
{
    size_t i;

    for (i = 0; i < chk->n_mandates; i++) {
        const libro_verification *v = chk->mandates[i];

        if (v != NULL && v->mandate != NULL && v->mandate->subject_id != NULL &&
            strcmp(v->mandate->subject_id, did) == 0) {
            return v->mandate->name;
        }
    }
    return did;
}

/* "<indent><label>: <text>", each further line of the text indented as deep as its first. */
static void
print_text(int indent, const char *label, const char *text)
{
    const char *p;

    printf("%*s%s: ", indent, "", label);
    for (p = text; *p != '\0'; p++) {
        fputc(*p, stdout);
        if (*p == '\n' && p[1] != '\0') {
            printf("%*s", indent + (int) strlen(label) + 2, "");
        }
    }
    fputc('\n', stdout);
}

/* One step, as a reader of the record sees it. */
static void
print_record_step(const libro_record_check *chk, size_t i)
{
    const libro_step *s = chk->steps[i];
    const char *who = member_name(chk, s->by);
    char t1[LIBRO_TIME_TEXT_MAX];
    char t2[LIBRO_TIME_TEXT_MAX];
    size_t j;

    switch (s->kind) {
    case LIBRO_STEP_PROPOSE:
    case LIBRO_STEP_AMEND:
        printf("%s: \"%s\", %s by %s on %s, review %s\n",
               s->kind == LIBRO_STEP_PROPOSE ? "proposal" : "amendment", s->title,
               s->kind == LIBRO_STEP_PROPOSE ? "proposed" : "amended", who,
               cli_time_text(t1, s->at), cli_time_text(t2, s->review_date));
        print_text(2, "aim", s->aim);
        print_text(2, "text", s->text);
        if (s->supersedes != NULL) {
            printf("  supersedes the law %s\n", s->supersedes);
        }
        for (j = 0; j < s->n_answers; j++) {
            printf("  answers the objection %s\n", s->answers[j]);
        }
        break;
    case LIBRO_STEP_ROUND:
        printf("version %u round %u, opened by %s (chair) on %s\n", (unsigned) s->version,
               (unsigned) s->round, who, cli_time_text(t1, s->at));
        break;
    case LIBRO_STEP_RESPOND:
        if (s->response == LIBRO_RESPONSE_CONSENT) {
            printf("    %-24s consent\n", who);
        } else {
            printf("    %-24s object   %s\n", who, chk->hashes[i]);
            print_text(6, "reason", s->reason);
            print_text(6, "harm", s->harm);
        }
        break;
    case LIBRO_STEP_RULE:
        printf("    %s (chair) ruled the objection %s %s: %s\n", who, s->objection,
               s->ruling == LIBRO_RULING_OUT ? "out" : "valid", s->reason);
        break;
    case LIBRO_STEP_WITHDRAW:
        printf("    %s withdrawn by its author, %s\n", s->objection, who);
        break;
    }
}

/* The record as text: the steps (as far as they were read), then the verdict. */
static void
print_record(const libro_record_check *chk)
{
    uint32_t version = 0;
    size_t i;

    printf("consent record of %s: %zu step%s, %zu mandate%s\n",
           chk->record != NULL ? chk->record->process : "?", chk->n_steps,
           chk->n_steps == 1 ? "" : "s", chk->n_mandates, chk->n_mandates == 1 ? "" : "s");
    for (i = 0; i < chk->n_steps && chk->steps[i] != NULL; i++) {
        const libro_step *s = chk->steps[i];

        if (s->kind == LIBRO_STEP_PROPOSE || s->kind == LIBRO_STEP_AMEND) {
            printf("version %u round 1\n", (unsigned) ++version);
        }
        print_record_step(chk, i);
    }
    if (!chk->ok) {
        printf("RECORD DOES NOT HOLD: %s\n", chk->reason);
    } else if (chk->law != NULL && chk->law->law != NULL) {
        printf("RECORD HOLDS: %s version %u (%s) was adopted by consent of the members who sat "
               "then\n",
               chk->law->law->subject_id, (unsigned) chk->law->law->law_version, chk->law->hash);
    } else if (chk->ran && chk->state.adoptable) {
        printf("RECORD HOLDS: every member of the last round responded and no objection stands "
               "(adoptable by consent)\n");
    } else {
        printf("RECORD HOLDS so far: version %u, round %u, %zu objection%s standing, %zu "
               "response%s pending (not adoptable yet)\n",
               (unsigned) chk->state.version, (unsigned) chk->state.round, chk->state.n_standing,
               chk->state.n_standing == 1 ? "" : "s", chk->state.n_pending,
               chk->state.n_pending == 1 ? "" : "s");
        for (i = 0; i < chk->state.n_standing; i++) {
            printf("  standing: the objection %s by %s\n", chk->hashes[chk->state.standing[i]],
                   member_name(chk, chk->steps[chk->state.standing[i]]->by));
        }
        /* The order of the seats: the next to respond first. */
        for (i = 0; i < chk->state.n_pending; i++) {
            printf("  to respond: %s\n", member_name(chk, chk->state.pending[i]));
        }
    }
}

/* One step as JSON (schemas/cli/law-consent-record.schema.json): the members its kind has. */
static libro_code
json_record_step(libro_buf *b, const libro_record_check *chk, size_t i, libro_error *err)
{
    const libro_step *s = chk->steps[i];
    bool text = s->kind == LIBRO_STEP_PROPOSE || s->kind == LIBRO_STEP_AMEND;
    char t[LIBRO_TIME_TEXT_MAX];
    char review[LIBRO_TIME_TEXT_MAX];
    libro_code rc = libro_buf_printf(
        b, err, "{\"seq\":%u,\"kind\":\"%s\",\"hash\":\"%s\",\"at\":\"%s\"", (unsigned) s->seq,
        libro_step_kind_name(s->kind), chk->hashes[i], cli_time_text(t, s->at));

    if (rc == LIBRO_OK && (s->kind == LIBRO_STEP_RESPOND || s->kind == LIBRO_STEP_ROUND)) {
        rc = libro_buf_printf(b, err, ",\"version\":%u,\"round\":%u", (unsigned) s->version,
                              (unsigned) s->round);
    }
    if (rc == LIBRO_OK && s->kind == LIBRO_STEP_RESPOND) {
        rc = libro_buf_printf(b, err, ",\"response\":\"%s\"",
                              s->response == LIBRO_RESPONSE_CONSENT ? "consent" : "object");
    }
    if (rc == LIBRO_OK && s->kind == LIBRO_STEP_RULE) {
        rc = libro_buf_printf(b, err, ",\"ruling\":\"%s\"",
                              s->ruling == LIBRO_RULING_OUT ? "out" : "valid");
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_member(b, "by", s->by, err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_member(b, "name", member_name(chk, s->by), err);
    }
    /* Members a kind does not have are NULL, and left out. */
    const char *const members[][2] = {
        {"title", s->title},
        {"aim", s->aim},
        {"text", s->text},
        {"reviewDate", text ? cli_time_text(review, s->review_date) : NULL},
        {"supersedes", s->supersedes},
        {"reason", s->reason},
        {"harm", s->harm},
        {"objection", s->objection},
    };
    for (size_t m = 0; m < LIBRO_NELEM(members) && rc == LIBRO_OK; m++) {
        if (members[m][1] != NULL) {
            rc = cli_json_member(b, members[m][0], members[m][1], err);
        }
    }
    for (size_t a = 0; a < s->n_answers && rc == LIBRO_OK; a++) {
        rc = libro_buf_printf(b, err, "%s\"%s\"", a == 0 ? ",\"answers\":[" : ",", s->answers[a]);
    }
    if (rc == LIBRO_OK && s->n_answers > 0) {
        rc = libro_buf_append_str(b, "]", err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "}", err);
    }
    return rc;
}

static libro_code
json_record(const libro_record_check *chk, libro_error *err)
{
    libro_buf b = LIBRO_BUF_INIT;
    size_t i;
    libro_code rc = libro_buf_append_str(&b, "{\"ok\":true,\"record\":{\"process\":", err);

    if (rc == LIBRO_OK) {
        rc = chk->record != NULL ? cli_json_string(&b, chk->record->process, err)
                                 : libro_buf_append_str(&b, "null", err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(&b, err, ",\"holds\":%s,\"reason\":", chk->ok ? "true" : "false");
    }
    if (rc == LIBRO_OK) {
        rc =
            chk->ok ? libro_buf_append_str(&b, "null", err) : cli_json_string(&b, chk->reason, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(&b, err, ",\"adoptable\":%s,\"version\":%u,\"round\":%u,\"law\":",
                              chk->ran && chk->state.adoptable ? "true" : "false",
                              (unsigned) (chk->ran ? chk->state.version : 0),
                              (unsigned) (chk->ran ? chk->state.round : 0));
    }
    if (rc == LIBRO_OK) {
        rc = chk->ok && chk->law != NULL && chk->law->law != NULL
                 ? libro_buf_printf(&b, err, "\"%s\"", chk->law->hash)
                 : libro_buf_append_str(&b, "null", err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(&b, ",\"steps\":[", err);
    }
    for (i = 0; i < chk->n_steps && chk->steps[i] != NULL && rc == LIBRO_OK; i++) {
        rc = i > 0 ? libro_buf_append_str(&b, ",", err) : LIBRO_OK;
        rc = rc == LIBRO_OK ? json_record_step(&b, chk, i, err) : rc;
    }
    return cli_json_print(&b, "]}}", rc, err);
}

int
cli_law_record(int argc, char **argv)
{
    const struct cli_command *cmd = &record_cmd;
    libro_error err = LIBRO_ERROR_INIT;
    libro_verify_options vopt = LIBRO_VERIFY_OPTIONS_INIT(libro_time_now());
    libro_trust *t = NULL;
    libro_record_check *chk = NULL;
    libro_buf record = LIBRO_BUF_INIT;
    libro_buf law = LIBRO_BUF_INIT;
    bool remote = false;
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    remote = c_db != NULL || c_registry != NULL;
    if (c_out != NULL && !remote) {
        return cli_command_usage(cmd, "--out goes with --db or --registry");
    }
    if (c_law_file != NULL && remote) {
        return cli_command_usage(cmd, "--law goes with a record FILE");
    }
    if (c_registry != NULL && !cli_is_url(c_registry)) {
        return cli_command_usage(cmd, "--registry: want the registry's URL (a database goes "
                                      "with --db)");
    }
    code = CLI_EXIT_NO;
    if ((remote && libro_issuer_law_record(&record, &law, c_db != NULL ? c_db : c_registry, c_what,
                                           &err) != LIBRO_OK) ||
        (!remote &&
         libro_file_read(&record, c_what, LIBRO_MAX_RECORD_BYTES, false, &err) != LIBRO_OK) ||
        (c_law_file != NULL && cli_read_token(&law, c_law_file, &err) != LIBRO_OK) ||
        (c_out != NULL && cli_write_output(c_out, record.data, record.len, &err) != LIBRO_OK) ||
        cli_open_trust(&t, c_trust_dir, &err) != LIBRO_OK ||
        libro_verify_record(&chk, t, (const char *) record.data, record.len,
                            law.len > 0 ? (const char *) law.data : NULL, law.len, &vopt,
                            &err) != LIBRO_OK) {
        cli_report_json(cmd->command, &err, c_json);
        goto out;
    }
    if (c_json) {
        if (json_record(chk, &err) != LIBRO_OK) {
            cli_report_json(cmd->command, &err, c_json);
            goto out;
        }
    } else {
        print_record(chk);
    }
    code = chk->ok ? CLI_EXIT_OK : CLI_EXIT_NO;
out:
    libro_record_check_free(chk);
    libro_trust_free(t);
    libro_buf_free(&record);
    libro_buf_free(&law);
    return cli_finish(code);
}
