/* libro agreement draft|sign|verify|register|amend|end|show: ResponsibilityAgreements
 * (docs/credentials.md), documents every party signs in the JWS JSON General Serialization.
 * The work is the issuer's, core's and the registry's libraries'; this file parses and
 * prints. */
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "libro/agreement.h"
#include "libro/file.h"
#include "libro/issuer.h"
#include "libro/limits.h"
#include "libro/registry_client.h"
#include "libro/util.h"

#define CLI_EXIT_PARTIAL 9 /* agreement verify: some party has not signed */
#define MAX_DAYS 36600u
#define MAX_SPEC_BYTES (64u * 1024u)
#define MAX_PATH_TEXT 4096u

static const char agreement_epilog[] =
    "Times are RFC 3339 (2026-01-01T00:00:00Z). An agreement's hash is \"sha256:\" and the hex\n"
    "SHA-256 of its document file as written (no newline added): sha256sum shows it.\n"
    "Exit status: 0 done, 1 refused or failed (reason on stderr), 2 bad command line.";

static const char verify_epilog[] =
    "Exit status: 0 COMPLETE (every party signed), 9 PARTIAL (the missing parties are named),\n"
    "1 INVALID (a signature by a key that is no party's, one that does not verify, or a\n"
    "document that does not parse), 2 bad command line.";

/* ---- reading and writing documents --------------------------------------------------------- */

/* An agreement document or end statement from `path` ("-": standard input), without the
 * whitespace around it. */
static libro_code
read_document(libro_buf *out, const char *path, libro_error *err)
{
    libro_buf raw = LIBRO_BUF_INIT;
    const char *p;
    size_t len;
    libro_code rc;

    if (strcmp(path, "-") == 0) {
        rc = libro_fd_read(&raw, 0, LIBRO_MAX_JWS_JSON_BYTES + 64u, err);
    } else {
        rc = libro_file_read(&raw, path, LIBRO_MAX_JWS_JSON_BYTES + 64u, false, err);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    p = (const char *) raw.data;
    len = raw.len;
    libro_text_trim(&p, &len);
    rc = libro_buf_append(out, p, len, err);
out:
    libro_buf_free(&raw);
    return rc;
}

/* Write a new document file (never overwriting; "-": standard output, with a newline). */
static libro_code
write_new(const char *path, const libro_buf *doc, libro_error *err)
{
    if (strcmp(path, "-") == 0) {
        return printf("%.*s\n", (int) doc->len, (const char *) doc->data) < 0
                   ? libro_error_set(err, LIBRO_ERR_IO, "cannot write to standard output")
                   : LIBRO_OK;
    }
    return libro_file_write_new(path, doc->data, doc->len, 0644, err);
}

static bool
exists(const char *path)
{
    struct stat st;

    return lstat(path, &st) == 0;
}

/* ---- printing ------------------------------------------------------------------------------ */

static const char *
outcome_word(const libro_agreement *a)
{
    return a->n_signatures == 0                     ? "DRAFT"
           : a->outcome == LIBRO_AGREEMENT_COMPLETE ? "COMPLETE"
                                                    : "PARTIAL";
}

/* {"id":...,"name":...,"role":... (left open: the caller adds members and the brace). */
static libro_code
json_party_open(libro_buf *b, bool first, const char *id, const char *name, const char *role,
                libro_error *err)
{
    libro_code rc = libro_buf_append_str(b, first ? "{\"id\":" : ",{\"id\":", err);

    if (rc == LIBRO_OK) {
        rc = cli_json_string(b, id, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, ",\"name\":", err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_string(b, name, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, ",\"role\":", err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_string(b, role, err);
    }
    return rc;
}

/* {"ok":true,"outcome","hash","title","community","signed","parties":[...],...} */
static libro_code
json_status(libro_buf *b, const libro_agreement *a, const char *file, libro_error *err)
{
    const libro_credential *c = a->cred;
    char from[LIBRO_TIME_TEXT_MAX];
    char until[LIBRO_TIME_TEXT_MAX];
    size_t i;
    libro_code rc = libro_buf_printf(b, err, "{\"ok\":true,\"outcome\":\"%s\",\"hash\":\"%s\"",
                                     outcome_word(a), a->hash);

    if (rc == LIBRO_OK && file != NULL) {
        rc = libro_buf_append_str(b, ",\"file\":", err);
        if (rc == LIBRO_OK) {
            rc = cli_json_string(b, file, err);
        }
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, ",\"title\":", err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_string(b, c->title, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, ",\"community\":", err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_string(b, c->community_id, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(b, err,
                              ",\"validFrom\":\"%s\",\"validUntil\":\"%s\",\"noticeDays\":%u,"
                              "\"mutualOnly\":%s,\"supersedes\":",
                              cli_time_text(from, c->valid_from),
                              cli_time_text(until, c->valid_until), (unsigned) c->notice_days,
                              c->mutual_only ? "true" : "false");
    }
    if (rc == LIBRO_OK) {
        rc = c->supersedes != NULL ? cli_json_string(b, c->supersedes, err)
                                   : libro_buf_append_str(b, "null", err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(b, err, ",\"signed\":%zu,\"signatures\":%zu,\"parties\":[",
                              a->n_signed, a->n_signatures);
    }
    for (i = 0; rc == LIBRO_OK && i < c->n_parties; i++) {
        rc = json_party_open(b, i == 0, c->parties[i].id, c->parties[i].name, c->parties[i].role,
                             err);
        if (rc == LIBRO_OK) {
            rc = libro_buf_printf(b, err, ",\"signed\":%s}", a->signed_by[i] ? "true" : "false");
        }
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "]}\n", err);
    }
    return rc;
}

static void
print_status(const libro_agreement *a)
{
    const libro_credential *c = a->cred;
    char t1[LIBRO_TIME_TEXT_MAX];
    char t2[LIBRO_TIME_TEXT_MAX];
    size_t i;

    printf("%s: \"%s\", %zu of %zu parties signed\n", outcome_word(a), c->title, a->n_signed,
           c->n_parties);
    printf("hash        %s\n", a->hash);
    printf("community   %s (level %d)\n", c->community_id, c->community_level);
    for (i = 0; i < c->n_parties; i++) {
        printf("%-11s %s (%s, %s): %s\n", i == 0 ? "parties" : "", c->parties[i].name,
               c->parties[i].role, c->parties[i].id, a->signed_by[i] ? "signed" : "NOT SIGNED");
    }
    printf("term        %s .. %s\n", cli_time_text(t1, c->valid_from),
           cli_time_text(t2, c->valid_until));
    if (c->mutual_only) {
        printf("ending      mutual only (every party signs the end)\n");
    } else {
        printf("ending      by notice of %u days from any party, or mutually\n",
               (unsigned) c->notice_days);
    }
    if (c->supersedes != NULL) {
        printf("supersedes  %s\n", c->supersedes);
    }
}

static int
print_agreement(const libro_agreement *a, const char *file, bool json, libro_error *err)
{
    libro_buf b = LIBRO_BUF_INIT;
    libro_code rc = LIBRO_OK;

    if (json) {
        rc = json_status(&b, a, file, err);
        if (rc == LIBRO_OK) {
            fputs((const char *) b.data, stdout);
        }
    } else {
        print_status(a);
    }
    libro_buf_free(&b);
    return rc == LIBRO_OK ? CLI_EXIT_OK : CLI_EXIT_NO;
}

/* ---- draft and amend: what the agreement says ---------------------------------------------- */

static const char *dr_spec;
static const char *dr_title;
static const char *dr_community;
static const char *dr_level;
static struct cli_list dr_party;
static struct cli_list dr_resp;
static const char *dr_notice;
static bool dr_mutual;
static const char *dr_from;
static const char *dr_until;
static const char *dr_days;
static const char *dr_out;
static bool dr_json;
static const char *dr_old;

#define CONTENT_OPTIONS                                                                            \
    {CLI_OPT_VALUE,                                                                                \
     "--spec",                                                                                     \
     "FILE",                                                                                       \
     &dr_spec,                                                                                     \
     0,                                                                                            \
     0,                                                                                            \
     "the agreement described in JSON (libro-agreement(1), DESCRIPTION)"},                         \
        {CLI_OPT_VALUE, "--title", "TEXT", &dr_title, 0, 0, "its title"},                          \
        {CLI_OPT_VALUE,                                                                            \
         "--community",                                                                            \
         "ID",                                                                                     \
         &dr_community,                                                                            \
         0,                                                                                        \
         0,                                                                                        \
         "the community whose law frames it"},                                                     \
        {CLI_OPT_VALUE, "--community-level", "N", &dr_level, 0, 0, "that community's level"},      \
        {CLI_OPT_LIST,                                                                             \
         "--party",                                                                                \
         "KEYFILE:ROLE:NAME",                                                                      \
         &dr_party,                                                                                \
         0,                                                                                        \
         0,                                                                                        \
         "a party: its key file (public or private), role and name; its id is its did:key"},       \
        {CLI_OPT_LIST,                                                                             \
         "--responsibility",                                                                       \
         "N:TEXT",                                                                                 \
         &dr_resp,                                                                                 \
         0,                                                                                        \
         0,                                                                                        \
         "a responsibility party N (1, 2, ...) accepts"},                                          \
        {CLI_OPT_VALUE,                                                                            \
         "--notice-days",                                                                          \
         "N",                                                                                      \
         &dr_notice,                                                                               \
         0,                                                                                        \
         3,                                                                                        \
         "any party may end it by notice of N days (1 to 3650)"},                                  \
        {CLI_OPT_SWITCH,                                                                           \
         "--mutual-only",                                                                          \
         NULL,                                                                                     \
         &dr_mutual,                                                                               \
         0,                                                                                        \
         3,                                                                                        \
         "it ends only by every party's signature"},                                               \
        {CLI_OPT_VALUE, "--valid-from", "TIME", &dr_from, 0, 0, "start of the term"},              \
        {CLI_OPT_VALUE, "--valid-until", "TIME", &dr_until, 0, 4, "end of the term"},              \
        {CLI_OPT_VALUE, "--days", "N", &dr_days, 0, 4, "or its length in days"},                   \
        {CLI_OPT_VALUE,                                                                            \
         "--out",                                                                                  \
         "FILE",                                                                                   \
         &dr_out,                                                                                  \
         CLI_REQUIRED,                                                                             \
         0,                                                                                        \
         "where to write the unsigned document (a new file)"},                                     \
    {                                                                                              \
        CLI_OPT_SWITCH, "--json", NULL, &dr_json, 0, 0,                                            \
            "print one JSON document (schemas/cli/agreement-status.schema.json)"                   \
    }

static const struct cli_option draft_opts[] = {CONTENT_OPTIONS};

static const struct cli_command draft_cmd = {
    "agreement draft",
    "(--spec FILE | --party KEYFILE:ROLE:NAME... --responsibility N:TEXT...)\n"
    "       [--title TEXT] [--community ID --community-level N]\n"
    "       [--notice-days N | --mutual-only] [--valid-from TIME]\n"
    "       [--valid-until TIME | --days N] --out FILE [--json]",
    "Draft a ResponsibilityAgreement: its title, the community whose law frames it, every party\n"
    "(id, name, role, key) with the responsibilities it accepts, its term and how it may end.\n"
    "The parties come from --spec or from --party and --responsibility; the other options\n"
    "override the spec. The first party is the drafter (the credential's issuer). Writes the\n"
    "unsigned document (JWS JSON with no signature yet): each party then adds its signature\n"
    "with libro agreement sign, in any order.",
    draft_opts,
    LIBRO_NELEM(draft_opts),
    agreement_epilog,
};

static const struct cli_option amend_opts[] = {
    CONTENT_OPTIONS,
    {CLI_OPT_ARG, "DOC", NULL, &dr_old, CLI_REQUIRED, 0, "the version to amend (complete)"},
};

static const struct cli_command amend_cmd = {
    "agreement amend",
    "[--spec FILE | --party KEYFILE:ROLE:NAME... --responsibility N:TEXT...]\n"
    "       [--title TEXT] [--community ID --community-level N]\n"
    "       [--notice-days N | --mutual-only] [--valid-from TIME]\n"
    "       [--valid-until TIME | --days N] --out FILE [--json] DOC",
    "Draft the next version of the complete agreement DOC: the same, with the changes given\n"
    "(new parties replace the old ones; --days counts from the start of the term), and\n"
    "\"supersedes\" naming DOC's hash. Every party signs the new version (libro agreement\n"
    "sign); once registered, the registry marks DOC superseded.",
    amend_opts,
    LIBRO_NELEM(amend_opts),
    agreement_epilog,
};

/* One --party value into `p`, its key loaded into *key. */
static int
party_arg(const struct cli_command *cmd, libro_agreement_party_options *p, libro_key **key,
          char **owned, const char *v, libro_error *err)
{
    const char *c1 = strchr(v, ':');
    const char *c2 = c1 != NULL ? strchr(c1 + 1, ':') : NULL;
    char *file;
    libro_code rc;

    if (c1 == NULL || c2 == NULL || c1 == v || c2 == c1 + 1 || c2[1] == '\0') {
        return cli_command_usage(cmd, "--party: want KEYFILE:ROLE:NAME, not '%.64s'", v);
    }
    file = libro_strndup(v, (size_t) (c1 - v));
    owned[0] = libro_strndup(c1 + 1, (size_t) (c2 - c1 - 1));
    if (file == NULL || owned[0] == NULL) {
        libro_free(file);
        return cli_command_usage(cmd, "out of memory");
    }
    rc = libro_key_load_file(key, file, NULL, 0, err);
    if (rc == LIBRO_ERR_PASSPHRASE) {
        rc = libro_error_set(err, LIBRO_ERR_PASSPHRASE,
                             "%.200s: encrypted; give the public key (libro key public)", file);
    } else if (rc != LIBRO_OK) {
        libro_error_prefix(err, file);
    }
    libro_free(file);
    if (rc != LIBRO_OK) {
        cli_report_json(cmd->command, err, dr_json);
        return CLI_EXIT_NO;
    }
    p->key = *key;
    p->role = owned[0];
    p->name = c2 + 1;
    return -1;
}

/* What the content options hold, in `opt` (parties in parties[], their keys in keys[]). */
struct content {
    libro_agreement_party_options parties[LIBRO_MAX_PARTIES];
    libro_key *keys[LIBRO_MAX_PARTIES];
    char *roles[LIBRO_MAX_PARTIES];
    const char *resp[LIBRO_MAX_PARTIES][CLI_MAX_REPEAT];
    libro_buf spec;
    char *spec_dir;
};

static void
content_free(struct content *c)
{
    size_t i;

    for (i = 0; i < LIBRO_MAX_PARTIES; i++) {
        libro_key_free(c->keys[i]);
        libro_free(c->roles[i]);
    }
    libro_buf_free(&c->spec);
    libro_free(c->spec_dir);
}

static int
responsibilities_arg(const struct cli_command *cmd, struct content *ct, size_t n_parties)
{
    libro_error ignored = LIBRO_ERROR_INIT;
    size_t i;

    for (i = 0; i < dr_resp.n; i++) {
        const char *v = dr_resp.v[i];
        const char *colon = strchr(v, ':');
        uint64_t n = 0;
        libro_agreement_party_options *p;

        if (colon == NULL || colon[1] == '\0' ||
            libro_parse_u64(&n, v, (size_t) (colon - v), LIBRO_MAX_PARTIES, &ignored) != LIBRO_OK ||
            n == 0 || n > n_parties) {
            return cli_command_usage(cmd, "--responsibility: want N:TEXT, N a party (1 to %zu)",
                                     n_parties);
        }
        p = &ct->parties[n - 1];
        ct->resp[n - 1][p->n_responsibilities++] = colon + 1;
        p->responsibilities = ct->resp[n - 1];
    }
    return -1;
}

static int
content_parse(const struct cli_command *cmd, libro_agreement_options *opt, struct content *ct,
              libro_error *err)
{
    libro_error ignored = LIBRO_ERROR_INIT;
    uint64_t n = 0;
    size_t i;
    int code;

    if (dr_party.n == 0 && dr_resp.n > 0) {
        return cli_command_usage(cmd, "--responsibility goes with --party");
    }
    if (dr_party.n > LIBRO_MAX_PARTIES) {
        return cli_command_usage(cmd, "--party: at most %u parties", LIBRO_MAX_PARTIES);
    }
    if (dr_level != NULL) {
        if (libro_parse_u64(&n, dr_level, strlen(dr_level), LIBRO_MAX_LEVEL, &ignored) !=
            LIBRO_OK) {
            return cli_command_usage(cmd, "--community-level: want 0 to %d", LIBRO_MAX_LEVEL);
        }
        opt->community_level = (int) n;
    }
    if (dr_notice != NULL) {
        if (libro_parse_u64(&n, dr_notice, strlen(dr_notice), LIBRO_MAX_NOTICE_DAYS, &ignored) !=
                LIBRO_OK ||
            n == 0) {
            return cli_command_usage(cmd, "--notice-days: want 1 to %u", LIBRO_MAX_NOTICE_DAYS);
        }
        opt->notice_days = (uint32_t) n;
    }
    if (dr_days != NULL) {
        if (libro_parse_u64(&n, dr_days, strlen(dr_days), MAX_DAYS, &ignored) != LIBRO_OK ||
            n == 0) {
            return cli_command_usage(cmd, "--days: want 1 to %u", MAX_DAYS);
        }
        opt->days = (uint32_t) n;
    }
    opt->mutual_only = dr_mutual;
    opt->title = dr_title;
    opt->community_id = dr_community;
    if ((dr_from != NULL &&
         cli_parse_time_arg(&opt->valid_from, "--valid-from", dr_from, err) != LIBRO_OK) ||
        (dr_until != NULL &&
         cli_parse_time_arg(&opt->valid_until, "--valid-until", dr_until, err) != LIBRO_OK)) {
        cli_report_json(cmd->command, err, dr_json);
        return CLI_EXIT_NO;
    }
    for (i = 0; i < dr_party.n; i++) {
        code = party_arg(cmd, &ct->parties[i], &ct->keys[i], &ct->roles[i], dr_party.v[i], err);
        if (code >= 0) {
            return code;
        }
    }
    opt->parties = ct->parties;
    opt->n_parties = dr_party.n;
    code = responsibilities_arg(cmd, ct, dr_party.n);
    if (code >= 0) {
        return code;
    }
    if (dr_spec != NULL) {
        const char *slash = strrchr(dr_spec, '/');

        if (libro_file_read(&ct->spec, dr_spec, MAX_SPEC_BYTES, false, err) != LIBRO_OK) {
            libro_error_prefix(err, dr_spec);
            cli_report_json(cmd->command, err, dr_json);
            return CLI_EXIT_NO;
        }
        ct->spec_dir = slash != NULL ? libro_strndup(dr_spec, (size_t) (slash - dr_spec))
                                     : libro_strndup(".", 1);
        if (ct->spec_dir == NULL) {
            return cli_command_usage(cmd, "out of memory");
        }
        opt->spec = (const char *) ct->spec.data;
        opt->spec_len = ct->spec.len;
        opt->spec_dir = slash == dr_spec ? "/" : ct->spec_dir;
    }
    return -1;
}

/* Draft (old == NULL) or amend, write --out, print. */
static int
draft_or_amend(const struct cli_command *cmd, int argc, char **argv, bool amend)
{
    libro_agreement_options opt = LIBRO_AGREEMENT_OPTIONS_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    struct content ct;
    libro_buf old = LIBRO_BUF_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_agreement *a = NULL;
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    memset(&ct, 0, sizeof ct);
    if (!amend && dr_spec == NULL && dr_party.n == 0) {
        code = cli_command_usage(cmd, "give the parties: --spec FILE or --party");
        goto out;
    }
    code = content_parse(cmd, &opt, &ct, &err);
    if (code >= 0) {
        goto out;
    }
    code = CLI_EXIT_NO;
    if (cli_check_new_output(dr_out, "--out", &err) != LIBRO_OK ||
        (amend && read_document(&old, dr_old, &err) != LIBRO_OK)) {
        goto out_report;
    }
    if ((amend ? libro_issuer_agreement_amend(&doc, NULL, (const char *) old.data, old.len, &opt,
                                              &err)
               : libro_issuer_agreement_draft(&doc, NULL, &opt, &err)) != LIBRO_OK ||
        write_new(dr_out, &doc, &err) != LIBRO_OK ||
        libro_agreement_check(&a, (const char *) doc.data, doc.len, &err) != LIBRO_OK) {
        goto out_report;
    }
    if (strcmp(dr_out, "-") != 0) {
        fprintf(stderr, "libro: %s %s -> %s (each party now signs: libro agreement sign)\n",
                amend ? "amended, new version" : "drafted", a->hash, dr_out);
        code = print_agreement(a, dr_out, dr_json, &err);
    } else {
        code = CLI_EXIT_OK;
    }
    if (code == CLI_EXIT_OK) {
        goto out;
    }
out_report:
    cli_report_json(cmd->command, &err, dr_json);
out:
    libro_agreement_free(a);
    libro_buf_free(&doc);
    libro_buf_free(&old);
    content_free(&ct);
    return cli_finish(code);
}

static int
agreement_draft(int argc, char **argv)
{
    return draft_or_amend(&draft_cmd, argc, argv, false);
}

static int
agreement_amend(int argc, char **argv)
{
    return draft_or_amend(&amend_cmd, argc, argv, true);
}

/* ---- sign ---------------------------------------------------------------------------------- */

static const char *sg_key;
static const char *sg_pass_fd;
static const char *sg_out;
static bool sg_json;
static const char *sg_doc;

static const struct cli_option sign_opts[] = {
    {CLI_OPT_VALUE, "--key", "FILE", &sg_key, CLI_REQUIRED, 0, "your key: a party's private key"},
    {CLI_OPT_VALUE, "--passphrase-fd", "N", &sg_pass_fd, 0, 0,
     "read the key's passphrase from descriptor N"},
    {CLI_OPT_VALUE, "--out", "FILE", &sg_out, 0, 0,
     "write the signed document to a new FILE (default: replace DOC)"},
    {CLI_OPT_SWITCH, "--json", NULL, &sg_json, 0, 0,
     "print one JSON document (schemas/cli/agreement-status.schema.json)"},
    {CLI_OPT_ARG, "DOC", NULL, &sg_doc, CLI_REQUIRED, 0, "the agreement document"},
};

static const struct cli_command sign_cmd = {
    "agreement sign",
    "--key FILE [--passphrase-fd N] [--out FILE] [--json] DOC",
    "Add your signature to the agreement DOC (a draft or a partly signed document), under the\n"
    "kid of the party whose key --key is (\"<party id>#<thumbprint>\"). Refused for a key that\n"
    "is no party's, a party that signed already, or a document with a signature that does not\n"
    "verify. DOC is replaced atomically unless --out is given. Prints who has signed.",
    sign_opts,
    LIBRO_NELEM(sign_opts),
    agreement_epilog,
};

static int
agreement_sign(int argc, char **argv)
{
    const struct cli_command *cmd = &sign_cmd;
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_buf out = LIBRO_BUF_INIT;
    libro_key *key = NULL;
    libro_agreement *a = NULL;
    const char *dest;
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (sg_out == NULL && strcmp(sg_doc, "-") == 0) {
        return cli_command_usage(cmd, "DOC from standard input needs --out");
    }
    dest = sg_out != NULL ? sg_out : sg_doc;
    code = CLI_EXIT_NO;
    if (cli_check_new_output(sg_out, "--out", &err) != LIBRO_OK ||
        read_document(&doc, sg_doc, &err) != LIBRO_OK ||
        cli_load_key(&key, sg_key, sg_pass_fd, &err) != LIBRO_OK ||
        libro_issuer_agreement_sign(&out, &a, (const char *) doc.data, doc.len, key, &err) !=
            LIBRO_OK) {
        goto out_report;
    }
    if ((sg_out != NULL
             ? write_new(dest, &out, &err)
             : libro_file_write_atomic(dest, out.data, out.len, 0644, &err)) != LIBRO_OK) {
        goto out_report;
    }
    if (strcmp(dest, "-") == 0) {
        code = CLI_EXIT_OK;
        goto out;
    }
    fprintf(stderr, "libro: signed -> %s (%zu of %zu parties)\n", dest, a->n_signed,
            a->cred->n_parties);
    code = print_agreement(a, dest, sg_json, &err);
    if (code == CLI_EXIT_OK) {
        goto out;
    }
out_report:
    cli_report_json(cmd->command, &err, sg_json);
out:
    libro_agreement_free(a);
    libro_key_free(key);
    libro_buf_free(&doc);
    libro_buf_free(&out);
    return cli_finish(code);
}

/* ---- verify -------------------------------------------------------------------------------- */

static bool vf_json;
static const char *vf_doc;

static const struct cli_option verify_opts[] = {
    {CLI_OPT_SWITCH, "--json", NULL, &vf_json, 0, 0,
     "print one JSON document (schemas/cli/agreement-status.schema.json)"},
    {CLI_OPT_ARG, "DOC", NULL, &vf_doc, CLI_REQUIRED, 0, "the agreement document"},
};

static const struct cli_command verify_cmd = {
    "agreement verify",
    "[--json] DOC",
    "Check every signature of the agreement DOC, offline, against the keys of the parties the\n"
    "signed payload names: COMPLETE when every party signed, PARTIAL naming the parties\n"
    "missing (a stripped signature gives PARTIAL, never COMPLETE; two signatures by one party\n"
    "count once), INVALID for a signature by a key that is no party's or one that does not\n"
    "verify over this payload. It needs no trust store, for parties passing a document\n"
    "around; libro verify --jws DOC also checks the term, whether the framing community\n"
    "chains to an anchor, and the registry's state (ended, superseded) from the trust store.",
    verify_opts,
    LIBRO_NELEM(verify_opts),
    verify_epilog,
};

static int
agreement_verify(int argc, char **argv)
{
    const struct cli_command *cmd = &verify_cmd;
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_buf missing = LIBRO_BUF_INIT;
    libro_agreement *a = NULL;
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    code = CLI_EXIT_NO;
    if (read_document(&doc, vf_doc, &err) != LIBRO_OK) {
        goto out_report;
    }
    if (libro_agreement_check(&a, (const char *) doc.data, doc.len, &err) != LIBRO_OK) {
        if (!vf_json) {
            printf("INVALID: %s\n", err.msg);
            goto out;
        }
        goto out_report;
    }
    code = print_agreement(a, NULL, vf_json, &err);
    if (code != CLI_EXIT_OK) {
        goto out_report;
    }
    if (a->outcome != LIBRO_AGREEMENT_COMPLETE) {
        if (!vf_json && libro_issuer_agreement_missing(&missing, a, &err) == LIBRO_OK) {
            printf("missing     %s\n", (const char *) missing.data);
        }
        code = CLI_EXIT_PARTIAL;
    }
    goto out;
out_report:
    cli_report_json(cmd->command, &err, vf_json);
out:
    libro_agreement_free(a);
    libro_buf_free(&doc);
    libro_buf_free(&missing);
    return cli_finish(code);
}

/* ---- register ------------------------------------------------------------------------------ */

static const char *rg_db;
static const char *rg_actor;
static const char *rg_registry;
static const char *rg_qr;
static bool rg_json;
static const char *rg_doc;

static const struct cli_option register_opts[] = {
    {CLI_OPT_VALUE, "--db", "FILE", &rg_db, CLI_REQUIRED, 1,
     "the registry database: a file, or a postgresql:// URI"},
    {CLI_OPT_VALUE, "--actor", "WHO", &rg_actor, 0, 0,
     "with --db: who records it (default: the drafter)"},
    {CLI_OPT_VALUE, "--registry", "URL", &rg_registry, CLI_REQUIRED, 1,
     "a registry's URL (the document itself is the request)"},
    {CLI_OPT_VALUE, "--qr", "FILE.png", &rg_qr, 0, 0,
     "also write its reference QR code (LBR) as a PNG (level M)"},
    {CLI_OPT_SWITCH, "--json", NULL, &rg_json, 0, 0,
     "print one JSON document (schemas/cli/agreement-register.schema.json)"},
    {CLI_OPT_ARG, "DOC", NULL, &rg_doc, CLI_REQUIRED, 0, "the complete agreement document"},
};

static const struct cli_command register_cmd = {
    "agreement register",
    "(--db FILE [--actor WHO] | --registry URL) [--qr FILE.png] [--json] DOC",
    "Register the complete agreement DOC in the registry of the community whose law frames it\n"
    "(a log leaf; its state travels in the trust bundle). Only a COMPLETE document is\n"
    "registered: a PARTIAL one is refused naming the parties missing. An amendment (a version\n"
    "with \"supersedes\", libro agreement amend) marks the version it amends superseded.\n"
    "Prints the agreement's hash; --qr writes the reference QR code that names it, which a\n"
    "verifier answers from its synced trust store.",
    register_opts,
    LIBRO_NELEM(register_opts),
    agreement_epilog,
};

/* The reference QR of `hash` into a new PNG file; its text into `text`. */
static libro_code
write_reference_qr(const char *path, libro_buf *text, int *version, const char *hash,
                   libro_error *err)
{
    libro_buf png = LIBRO_BUF_INIT;
    libro_code rc = libro_issuer_reference_qr(&png, text, version, LIBRO_LBR_AGREEMENT, hash, err);

    if (rc == LIBRO_OK) {
        rc = libro_file_write_new(path, png.data, png.len, 0644, err);
    }
    if (rc == LIBRO_OK) {
        fprintf(stderr, "libro: reference QR code version %d, level M, %zu characters -> %s\n",
                *version, text->len, path);
    }
    libro_buf_free(&png);
    return rc;
}

static int
agreement_register(int argc, char **argv)
{
    const struct cli_command *cmd = &register_cmd;
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    char hash[LIBRO_HASH_REF_SIZE] = "";
    int version = 0;
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (rg_actor != NULL && rg_db == NULL) {
        return cli_command_usage(cmd, "--actor goes with --db");
    }
    if (rg_registry != NULL && !cli_is_url(rg_registry)) {
        return cli_command_usage(cmd, "--registry: want the registry's URL; a database goes "
                                      "with --db");
    }
    code = CLI_EXIT_NO;
    if (cli_check_new_output(rg_qr, "--qr", &err) != LIBRO_OK ||
        read_document(&doc, rg_doc, &err) != LIBRO_OK ||
        libro_issuer_agreement_register(hash, rg_db != NULL ? rg_db : rg_registry, rg_actor,
                                        (const char *) doc.data, doc.len, &err) != LIBRO_OK) {
        goto out_report;
    }
    fprintf(stderr, "libro: registered agreement %s\n", hash);
    if (rg_qr != NULL && write_reference_qr(rg_qr, &text, &version, hash, &err) != LIBRO_OK) {
        libro_error_prefix(&err, "agreement registered (libro agreement show), but");
        goto out_report;
    }
    if (rg_json) {
        printf("{\"ok\":true,\"hash\":\"%s\"", hash);
        if (rg_qr != NULL) {
            printf(",\"reference\":\"%s\",\"qrVersion\":%d", (const char *) text.data, version);
        }
        printf("}\n");
    } else {
        printf("%s\n", hash);
    }
    code = CLI_EXIT_OK;
    goto out;
out_report:
    cli_report_json(cmd->command, &err, rg_json);
out:
    libro_buf_free(&doc);
    libro_buf_free(&text);
    return cli_finish(code);
}

/* ---- end ----------------------------------------------------------------------------------- */

static const char *en_db;
static const char *en_actor;
static const char *en_registry;
static const char *en_key;
static const char *en_pass_fd;
static bool en_notice;
static bool en_mutual;
static const char *en_reason;
static const char *en_at;
static const char *en_statement;
static bool en_json;
static const char *en_doc;

static const struct cli_option end_opts[] = {
    {CLI_OPT_VALUE, "--db", "FILE", &en_db, 0, 1, "record the end in this registry database"},
    {CLI_OPT_VALUE, "--actor", "WHO", &en_actor, 0, 0,
     "with --db: who records it (default: the drafter)"},
    {CLI_OPT_VALUE, "--registry", "URL", &en_registry, 0, 1,
     "or in the registry at URL (the statement itself is the request)"},
    {CLI_OPT_VALUE, "--key", "FILE", &en_key, CLI_REQUIRED, 0, "your key: a party's private key"},
    {CLI_OPT_VALUE, "--passphrase-fd", "N", &en_pass_fd, 0, 0,
     "read the key's passphrase from descriptor N"},
    {CLI_OPT_SWITCH, "--notice", NULL, &en_notice, CLI_REQUIRED, 2,
     "give notice: it ends when the agreement's notice days have run"},
    {CLI_OPT_SWITCH, "--mutual", NULL, &en_mutual, CLI_REQUIRED, 2,
     "end it mutually: at once, once every party signed the statement"},
    {CLI_OPT_VALUE, "--reason", "TEXT", &en_reason, 0, 0, "why (required for a new statement)"},
    {CLI_OPT_VALUE, "--at", "TIME", &en_at, 0, 0, "the statement's time (default: now)"},
    {CLI_OPT_VALUE, "--statement", "FILE", &en_statement, 0, 0,
     "the end statement: your signature is added to it if it exists, else it is created"},
    {CLI_OPT_SWITCH, "--json", NULL, &en_json, 0, 0,
     "print one JSON document (schemas/cli/agreement-end.schema.json)"},
    {CLI_OPT_ARG, "DOC", NULL, &en_doc, CLI_REQUIRED, 0, "the agreement document"},
};

static const struct cli_command end_cmd = {
    "agreement end",
    "--key FILE [--passphrase-fd N] (--notice | --mutual) [--reason TEXT] [--at TIME]\n"
    "       [--statement FILE] [--db FILE [--actor WHO] | --registry URL] [--json] DOC",
    "End the registered agreement DOC with a signed end statement (JWS JSON, typ\n"
    "libro-agreement-end+json): by notice, signed by one party, taking effect when the\n"
    "agreement's notice days have run (an agreement that ends only mutually takes none); or\n"
    "mutually, signed by every party, taking effect at once. For a mutual end each party in\n"
    "turn runs this with the same --statement FILE, which collects the signatures; with --db\n"
    "or --registry the end is recorded once every party signed (a notice at once).",
    end_opts,
    LIBRO_NELEM(end_opts),
    agreement_epilog,
};

static int
agreement_end(int argc, char **argv)
{
    const struct cli_command *cmd = &end_cmd;
    libro_agreement_end_options opt = LIBRO_AGREEMENT_END_OPTIONS_INIT;
    libro_agreement_end_result res = {LIBRO_BUF_INIT, "", 0, 0, false};
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf doc = LIBRO_BUF_INIT;
    libro_buf old = LIBRO_BUF_INIT;
    libro_key *key = NULL;
    bool had_statement;
    bool show_statement;
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (en_actor != NULL && en_db == NULL) {
        return cli_command_usage(cmd, "--actor goes with --db");
    }
    if (en_registry != NULL && !cli_is_url(en_registry)) {
        return cli_command_usage(cmd, "--registry: want the registry's URL; a database goes "
                                      "with --db");
    }
    if (en_mutual && en_statement == NULL) {
        return cli_command_usage(cmd, "--mutual needs --statement FILE (every party signs it)");
    }
    had_statement = en_statement != NULL && exists(en_statement);
    if (!had_statement && en_reason == NULL) {
        return cli_command_usage(cmd, "a new statement needs --reason TEXT");
    }
    code = CLI_EXIT_NO;
    if (read_document(&doc, en_doc, &err) != LIBRO_OK ||
        (had_statement && read_document(&old, en_statement, &err) != LIBRO_OK) ||
        (en_at != NULL && cli_parse_time_arg(&opt.at, "--at", en_at, &err) != LIBRO_OK) ||
        cli_load_key(&key, en_key, en_pass_fd, &err) != LIBRO_OK) {
        goto out_report;
    }
    opt.document = (const char *) doc.data;
    opt.document_len = doc.len;
    opt.key = key;
    opt.how = en_notice ? LIBRO_AGREEMENT_END_NOTICE : LIBRO_AGREEMENT_END_MUTUAL;
    opt.reason = had_statement ? NULL : en_reason;
    opt.statement = had_statement ? (const char *) old.data : NULL;
    opt.statement_len = old.len;
    opt.target = en_db != NULL ? en_db : en_registry;
    opt.actor = en_actor;
    if (libro_issuer_agreement_end(&res, &opt, &err) != LIBRO_OK) {
        /* The statement was signed, the registry refused: keep the signature. */
        if (res.statement.len > 0 && en_statement != NULL &&
            libro_file_write_atomic(en_statement, res.statement.data, res.statement.len, 0644,
                                    NULL) == LIBRO_OK) {
            fprintf(stderr, "libro: your signature is kept in %s\n", en_statement);
        }
        goto out_report;
    }
    if (en_statement != NULL &&
        libro_file_write_atomic(en_statement, res.statement.data, res.statement.len, 0644, &err) !=
            LIBRO_OK) {
        goto out_report;
    }
    /* A statement neither kept in a file nor recorded goes to standard output. */
    show_statement = en_statement == NULL && !res.recorded;
    if (en_json) {
        printf("{\"ok\":true,\"hash\":\"%s\",\"end\":\"%s\",\"signed\":%zu,\"parties\":%zu,"
               "\"recorded\":%s",
               res.hash, en_notice ? "notice" : "mutual", res.n_signed, res.n_parties,
               res.recorded ? "true" : "false");
        /* The statement is base64url text in a fixed frame: no JSON escaping needed. */
        if (show_statement) {
            printf(",\"statement\":%.*s", (int) res.statement.len,
                   (const char *) res.statement.data);
        }
        printf("}\n");
    } else {
        printf("%s: %s end, %zu of %zu parties signed, %s\n", res.hash,
               en_notice ? "notice" : "mutual", res.n_signed, res.n_parties,
               res.recorded         ? "recorded"
               : opt.target == NULL ? "not recorded (no --db or --registry)"
                                    : "to be signed by the others");
        if (show_statement) {
            printf("%.*s\n", (int) res.statement.len, (const char *) res.statement.data);
        }
    }
    code = CLI_EXIT_OK;
    goto out;
out_report:
    cli_report_json(cmd->command, &err, en_json);
out:
    libro_agreement_end_result_clear(&res);
    libro_key_free(key);
    libro_buf_free(&doc);
    libro_buf_free(&old);
    return cli_finish(code);
}

/* ---- show ---------------------------------------------------------------------------------- */

static const char *sh_db;
static const char *sh_registry;
static const char *sh_qr;
static bool sh_json;
static const char *sh_hash;

static const struct cli_option show_opts[] = {
    {CLI_OPT_VALUE, "--db", "FILE", &sh_db, CLI_REQUIRED, 1,
     "the registry database: a file, or a postgresql:// URI"},
    {CLI_OPT_VALUE, "--registry", "URL", &sh_registry, CLI_REQUIRED, 1, "a registry's URL"},
    {CLI_OPT_VALUE, "--qr", "FILE.png", &sh_qr, 0, 0,
     "also write its reference QR code (LBR) as a PNG (level M)"},
    {CLI_OPT_SWITCH, "--json", NULL, &sh_json, 0, 0,
     "print one JSON document (schemas/cli/agreement-show.schema.json)"},
    {CLI_OPT_ARG, "HASH", NULL, &sh_hash, CLI_REQUIRED, 0, "the agreement's hash (sha256:...)"},
};

static const struct cli_command show_cmd = {
    "agreement show",
    "(--db FILE | --registry URL) [--qr FILE.png] [--json] HASH",
    "Show a registered agreement as its registry holds it: its state now (in force, ended by\n"
    "notice or mutually and when, superseded by which version), its parties, and the history\n"
    "of its versions, oldest first.",
    show_opts,
    LIBRO_NELEM(show_opts),
    agreement_epilog,
};

/* "in force since T", "in force, ends T (notice given)", "ended since T", "superseded since T". */
static void
print_state(const libro_agreement_record *a)
{
    char when[LIBRO_TIME_TEXT_MAX];
    int64_t now = libro_time_now();

    if (a->state == LIBRO_AGREEMENT_ENDED && a->ends_at > now) {
        printf("state       in force, ends %s (notice given)\n", cli_time_text(when, a->ends_at));
        return;
    }
    printf("state       %s since %s\n", libro_agreement_state_name(a->state),
           cli_time_text(when, a->state == LIBRO_AGREEMENT_ENDED        ? a->ends_at
                               : a->state == LIBRO_AGREEMENT_SUPERSEDED ? a->superseded_at
                                                                        : a->registered_at));
}

static libro_code
json_record(libro_buf *b, const libro_agreement_record *a, libro_error *err)
{
    char t[4][LIBRO_TIME_TEXT_MAX];
    size_t i;
    libro_code rc = libro_buf_printf(
        b, err,
        "{\"hash\":\"%s\",\"state\":\"%s\",\"stateNow\":\"%s\",\"registeredAt\":\"%s\","
        "\"validFrom\":\"%s\",\"validUntil\":\"%s\",\"noticeDays\":%u,\"mutualOnly\":%s,"
        "\"title\":",
        a->hash, libro_agreement_state_name(a->state),
        libro_agreement_state_name(libro_agreement_record_state(a, libro_time_now())),
        cli_time_text(t[0], a->registered_at), cli_time_text(t[1], a->valid_from),
        cli_time_text(t[2], a->valid_until), (unsigned) a->notice_days,
        a->mutual_only ? "true" : "false");

    if (rc == LIBRO_OK) {
        rc = cli_json_string(b, a->title, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, ",\"community\":", err);
    }
    if (rc == LIBRO_OK) {
        rc = cli_json_string(b, a->community, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, ",\"supersedes\":", err);
    }
    if (rc == LIBRO_OK) {
        rc = a->supersedes != NULL ? cli_json_string(b, a->supersedes, err)
                                   : libro_buf_append_str(b, "null", err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, ",\"supersededBy\":", err);
    }
    if (rc == LIBRO_OK) {
        rc = a->superseded_by != NULL ? cli_json_string(b, a->superseded_by, err)
                                      : libro_buf_append_str(b, "null", err);
    }
    if (rc == LIBRO_OK && a->end != 0) {
        rc =
            libro_buf_printf(b, err,
                             ",\"end\":{\"how\":\"%s\",\"givenAt\":\"%s\",\"endsAt\":\"%s\","
                             "\"by\":",
                             libro_agreement_end_name(a->end), cli_time_text(t[0], a->end_given_at),
                             cli_time_text(t[1], a->ends_at));
        if (rc == LIBRO_OK) {
            rc = a->end_by != NULL ? cli_json_string(b, a->end_by, err)
                                   : libro_buf_append_str(b, "null", err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_append_str(b, ",\"reason\":", err);
        }
        if (rc == LIBRO_OK) {
            rc = cli_json_string(b, a->end_reason != NULL ? a->end_reason : "", err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_append_str(b, "}", err);
        }
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, ",\"parties\":[", err);
    }
    for (i = 0; rc == LIBRO_OK && i < a->n_parties; i++) {
        rc = json_party_open(b, i == 0, a->parties[i].id, a->parties[i].name, a->parties[i].role,
                             err);
        if (rc == LIBRO_OK) {
            rc = libro_buf_append_str(b, "}", err);
        }
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(b, "]}", err);
    }
    return rc;
}

static void
print_record(const libro_agreement_record *a, const libro_agreement_record *hist, size_t n)
{
    char t1[LIBRO_TIME_TEXT_MAX];
    char t2[LIBRO_TIME_TEXT_MAX];
    size_t i;

    printf("agreement   %s\n", a->hash);
    printf("title       %s\n", a->title);
    print_state(a);
    if (a->end != 0) {
        printf("end         %s, given %s, %s %s%s%s: %s\n", libro_agreement_end_name(a->end),
               cli_time_text(t1, a->end_given_at),
               a->ends_at > libro_time_now() ? "takes effect" : "took effect",
               cli_time_text(t2, a->ends_at), a->end_by != NULL ? " by " : "",
               a->end_by != NULL ? a->end_by : "", a->end_reason != NULL ? a->end_reason : "");
    }
    if (a->superseded_by != NULL) {
        printf("superseded  by %s\n", a->superseded_by);
    }
    printf("community   %s\n", a->community);
    for (i = 0; i < a->n_parties; i++) {
        printf("%-11s %s (%s, %s)\n", i == 0 ? "parties" : "", a->parties[i].name,
               a->parties[i].role, a->parties[i].id);
    }
    printf("term        %s .. %s\n", cli_time_text(t1, a->valid_from),
           cli_time_text(t2, a->valid_until));
    if (a->mutual_only) {
        printf("ending      mutual only\n");
    } else {
        printf("ending      by notice of %u days, or mutually\n", (unsigned) a->notice_days);
    }
    printf("registered  %s\n", cli_time_text(t1, a->registered_at));
    printf("history     %zu version%s, oldest first\n", n, n == 1 ? "" : "s");
    for (i = 0; i < n; i++) {
        printf("  %zu  %s  %-18s registered %s%s\n", i + 1, hist[i].hash,
               libro_agreement_state_name(libro_agreement_record_state(&hist[i], libro_time_now())),
               cli_time_text(t1, hist[i].registered_at),
               strcmp(hist[i].hash, a->hash) == 0 ? "  (this one)" : "");
    }
}

static int
agreement_show(int argc, char **argv)
{
    const struct cli_command *cmd = &show_cmd;
    libro_error err = LIBRO_ERROR_INIT;
    libro_registry_client *client = NULL;
    libro_agreement_record rec;
    libro_agreement_record *hist = NULL;
    libro_buf b = LIBRO_BUF_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    size_t n = 0;
    size_t i;
    int version = 0;
    int code = cli_parse_command(cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    memset(&rec, 0, sizeof rec);
    code = CLI_EXIT_NO;
    if (cli_check_new_output(sh_qr, "--qr", &err) != LIBRO_OK ||
        cli_open_reader(&client, sh_db, sh_registry, &err) != LIBRO_OK ||
        libro_registry_client_agreement(client, &rec, &hist, &n, sh_hash, &err) != LIBRO_OK ||
        (sh_qr != NULL && write_reference_qr(sh_qr, &text, &version, rec.hash, &err) != LIBRO_OK)) {
        goto out_report;
    }
    if (sh_json) {
        libro_code rc = libro_buf_append_str(&b, "{\"ok\":true,\"agreement\":", &err);

        if (rc == LIBRO_OK) {
            rc = json_record(&b, &rec, &err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_append_str(&b, ",\"history\":[", &err);
        }
        for (i = 0; rc == LIBRO_OK && i < n; i++) {
            rc = i == 0 ? LIBRO_OK : libro_buf_append_str(&b, ",", &err);
            if (rc == LIBRO_OK) {
                rc = json_record(&b, &hist[i], &err);
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
        print_record(&rec, hist, n);
        if (sh_qr != NULL) {
            printf("reference   %s\n", (const char *) text.data);
        }
    }
    code = CLI_EXIT_OK;
    goto out;
out_report:
    cli_report_json(cmd->command, &err, sh_json);
out:
    libro_buf_free(&b);
    libro_buf_free(&text);
    libro_agreement_record_clear(&rec);
    libro_agreement_records_free(hist, n);
    libro_registry_client_close(client);
    return cli_finish(code);
}

static const struct cli_cmd agreement_commands[] = {
    {"draft", agreement_draft, "draft an agreement: parties, responsibilities, term, ending"},
    {"sign", agreement_sign, "add your signature (a party's) to an agreement"},
    {"verify", agreement_verify, "check its signatures: COMPLETE, PARTIAL or INVALID"},
    {"register", agreement_register, "register a complete agreement (or an amendment)"},
    {"amend", agreement_amend, "draft the next version of a registered agreement"},
    {"end", agreement_end, "end it: one party's notice, or every party mutually"},
    {"show", agreement_show, "show a registered agreement: state and history"},
};

int
cmd_agreement(int argc, char **argv)
{
    return cli_dispatch_sub("agreement", agreement_commands, LIBRO_NELEM(agreement_commands), argc,
                            argv);
}
