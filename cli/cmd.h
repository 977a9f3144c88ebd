/* The libro command: shared declarations of the verbs, option parsing and output. */
#ifndef LIBRO_CLI_CMD_H
#define LIBRO_CLI_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "libro/buf.h"
#include "libro/credential.h"
#include "libro/error.h"
#include "libro/key.h"
#include "libro/time.h"

/* Exit codes of every command but `libro verify` (which has its own, libro-verify(1)). */
enum {
    CLI_EXIT_OK = 0,     /* done */
    CLI_EXIT_NO = 1,     /* failed, or the answer is no (bad signature) */
    CLI_EXIT_USAGE = 2,  /* bad command line */
    CLI_EXIT_OUTPUT = 3, /* results could not be written to standard output */
    CLI_EXIT_PARTIAL = 4 /* a batch ran, and some of its lines failed */
};

struct cli_cmd {
    const char *name;                  /* "key", "jws", ... */
    int (*run)(int argc, char **argv); /* argv[0] is the verb; returns CLI_EXIT_* */
    const char *summary;               /* one line for `libro help` */
};

/* A program: `libro` or `libro-verify` (program.c). */
struct cli_program {
    const char *name; /* "libro", "libro-verify" */
    const struct cli_cmd *commands;
    size_t n_commands;
    int (*help)(int argc, char **argv); /* its own help command (never a topic of itself) */
    void (*overview)(FILE *f);          /* what --help and the help command print */
};
/* The commands, a line each ("  name     summary"). */
void cli_program_list(FILE *f, const struct cli_program *p);
/* `<program> help [command [sub]]`: the overview, or the command's own --help. */
int cli_program_help(const struct cli_program *p, int argc, char **argv);
/* The top level: --version, --help, then the command argv[1] names (argv[0] is the program). */
int cli_program_main(const struct cli_program *p, int argc, char **argv);

/* --- option parsing (opts.c) ---------------------------------------------------------------- */

#define CLI_MAX_REPEAT 32 /* values of one repeatable option */

/* Dispatch a verb with sub-verbs ("key new"): finds argv[1] in `subs`, handles help. */
int cli_dispatch_sub(const char *verb, const struct cli_cmd *subs, size_t n, int argc, char **argv);

/* --- option tables (opts.c), after libgit2's src/cli ------------------------------------------
 * Each entry binds an option to a variable, so the parser fills the variables and reports a
 * missing required option itself; nothing looks an option up by its name. Commands keep the
 * variables `static` next to their table (as libgit2's cmd_*.c do); the parser resets them
 * before each parse. */

enum cli_option_type {
    CLI_OPT_VALUE = 1, /* --name ARG: var is a `const char **` (NULL when absent) */
    CLI_OPT_SWITCH,    /* --name: var is a `bool *` */
    CLI_OPT_LIST,      /* --name ARG, repeatable: var is a `struct cli_list *` */
    CLI_OPT_ARG,       /* the next positional argument: var is a `const char **` */
    CLI_OPT_ARGS,      /* the remaining positional arguments: var is a `struct cli_list *` */
};

/* flags: the option (or argument; a list at least once) must be given */
#define CLI_REQUIRED 1u

struct cli_list {
    const char *v[CLI_MAX_REPEAT];
    size_t n;
};

struct cli_option {
    enum cli_option_type type;
    const char *name; /* "--out"; for arguments the placeholder shown in help ("NUMBER") */
    const char *arg;  /* "FILE" for values and lists, else NULL */
    void *var;        /* where the parser stores what was given (see the types) */
    unsigned flags;   /* CLI_REQUIRED */
    /* Options sharing a nonzero group exclude each other; when one of them is CLI_REQUIRED,
     * exactly one of the group must be given. */
    unsigned group;
    const char *help;
};

/* The --json switch of a command whose document `schema` (a file in schemas/cli/) describes. */
#define CLI_JSON_OPTION(var, schema)                                                               \
    {                                                                                              \
        CLI_OPT_SWITCH, "--json", NULL, var, 0, 0,                                                 \
            "print one JSON document, also on failure (schemas/cli/" schema ")"                    \
    }

struct cli_command {
    const char *command;  /* "issue license" */
    const char *synopsis; /* for usage lines */
    const char *about;    /* a paragraph for --help */
    const struct cli_option *opts;
    size_t n_opts;
    const char *epilog; /* exit codes, examples; may be NULL */
};

/* Parse argv[1..argc) (argv[0] is the verb name) into the variables of cmd's table. Returns -1
 * when the caller should go on, CLI_EXIT_OK after printing --help, or CLI_EXIT_USAGE after
 * printing the reason and synopsis: unknown and repeated options, a value given to a switch,
 * a missing value, a missing required option or argument, two options of one group, or an
 * extra argument. "--" ends the options. */
int cli_parse_command(const struct cli_command *cmd, int argc, char **argv);
void cli_command_help(FILE *f, const struct cli_command *cmd);
/* Print "libro: <command>: <reason>" and the synopsis to stderr; returns CLI_EXIT_USAGE. */
int cli_command_usage(const struct cli_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* --- output (output.c) ---------------------------------------------------------------------- */

/* "libro: <message>" on stderr. */
void cli_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Report a library error on stderr: "libro: <context>: <message>" (no context when NULL). */
void cli_report(const char *context, const libro_error *err);
/* A failure: cli_json_error with --json (`json`), else cli_report. */
void cli_report_json(const char *context, const libro_error *err, bool json);
/* A time for people (RFC 3339), written into `out`; "-" for one that cannot be written (never
 * for registry data). Returns `out`. */
const char *cli_time_text(char out[LIBRO_TIME_TEXT_MAX], int64_t t);
/* Print {"ok":false,"error":{"code","message"}} on stdout. */
void cli_json_error(const libro_error *err);
/* Append `s` to `b` as a JSON string literal (quoted, escaped). */
libro_code cli_json_string(libro_buf *b, const char *s, libro_error *err);
/* Append ,"key":"text" (escaped), or ,"key":null when `text` is NULL, to `b`. */
libro_code cli_json_member(libro_buf *b, const char *key, const char *text, libro_error *err);
/* Finish the JSON document `b` holds when `rc` is LIBRO_OK: append `tail` ("}}") and a
 * newline and print it on stdout. `b` is freed in every case. Returns `rc`, or the failure. */
libro_code cli_json_print(libro_buf *b, const char *tail, libro_code rc, libro_error *err);
/* Appends the i-th of `items` to `b` as JSON. */
typedef libro_code (*cli_json_item)(libro_buf *b, const void *items, size_t i, libro_error *err);
/* Print {"ok":true,"<member>":[...]} and a newline on stdout, `item` writing each of the n. */
libro_code cli_print_json_list(const char *member, const void *items, size_t n, cli_json_item item,
                               libro_error *err);
/* A --json result document, written member by member: every --json document of a command
 * that had none before is built with these (no JSON text by hand). The first failure sticks:
 * later calls do nothing and cli_json_end returns it. Keys are literals of the caller. */
struct cli_json {
    libro_buf b;
    libro_code rc;
    libro_error *err;
    bool first;   /* no comma before the next value */
    bool flushed; /* part of it printed (cli_json_flush) */
};
/* Start {"ok":true ... */
void cli_json_begin(struct cli_json *j, libro_error *err);
/* "key":"text" escaped, or "key":null when `text` is NULL. Inside an array `key` is NULL. */
void cli_json_str(struct cli_json *j, const char *key, const char *text);
void cli_json_int(struct cli_json *j, const char *key, int64_t v);
void cli_json_bool(struct cli_json *j, const char *key, bool v);
/* An RFC 3339 time (null when it cannot be written). */
void cli_json_time(struct cli_json *j, const char *key, int64_t t);
/* Open a nested object or array as the value of `key` (NULL inside an array); close it with
 * cli_json_close(j, '}') or (j, ']'). */
void cli_json_open(struct cli_json *j, const char *key, char bracket);
void cli_json_close(struct cli_json *j, char bracket);
/* Close the document and print it with a newline on stdout; free it. Returns the first
 * failure (nothing printed then), else LIBRO_OK. */
libro_code cli_json_end(struct cli_json *j);
/* Print what is built so far and keep building (a long list, streamed as it is read): the
 * document is then finished by cli_json_end, or stays unclosed after a failure. */
libro_code cli_json_flush(struct cli_json *j);
/* Whether cli_json_flush printed part of the document. */
bool cli_json_flushed(const struct cli_json *j);
/* Drop a document that was not ended (a failure came first); a no-op after cli_json_end. */
void cli_json_free(struct cli_json *j);

/* "did you mean": the one of n names (name(items, i)) nearest to `word` (its first `len`
 * bytes) by Damerau-Levenshtein distance (optimal string alignment), when that distance is
 * at most 2 and less than half the word's length and no other name is as near; else NULL. */
const char *cli_suggest(const char *word, size_t len, const void *items, size_t n,
                        const char *(*name)(const void *items, size_t i));
/* The edit distance cli_suggest uses (SIZE_MAX past 64 bytes). */
size_t cli_edit_distance(const char *a, size_t alen, const char *b, size_t blen);
/* cli_suggest over a table of commands. */
const char *cli_suggest_command(const char *word, const struct cli_cmd *cmds, size_t n);

/* Flush stdout; CLI_EXIT_OUTPUT (with a message) when that fails, else `code`. */
int cli_finish(int code);

/* --- secrets (secret.c) --------------------------------------------------------------------- */

/* Read a passphrase from the descriptor named by `fd_text` (a decimal number), up to the first
 * newline. Caller wipes with libro_buf_free. */
libro_code cli_read_passphrase_fd(libro_buf *out, const char *fd_text, libro_error *err);
/* Prompt on /dev/tty with echo off. `confirm` asks twice and requires a match. */
libro_code cli_prompt_passphrase(libro_buf *out, const char *prompt, bool confirm,
                                 libro_error *err);
/* Load a key file, asking for a passphrase when it is encrypted: from --passphrase-fd when
 * given, else from the terminal when there is one. */
libro_code cli_load_key(libro_key **out, const char *path, const char *passphrase_fd,
                        libro_error *err);

/* --- credential files and arguments (credfile.c) -------------------------------------------- */

/* Read a compact JWS file ("-" = stdin), without surrounding whitespace, appended to `out`. */
libro_code cli_read_token(libro_buf *out, const char *path, libro_error *err);
/* Parse the payload of a compact JWS token[0..len) as a credential, without checking the
 * signature (our own records: the registry's copy of a license, the issuer's files). */
libro_code cli_credential_from_jws(libro_credential **out, const char *token, size_t len,
                                   libro_error *err);
/* Parse an RFC 3339 option value, naming the option in errors. */
libro_code cli_parse_time_arg(int64_t *out, const char *name, const char *text, libro_error *err);
/* --valid-from, --valid-until and --days as given: 0 for each one absent. LIBRO_ERR_INVALID_ARG
 * for --valid-until with --days or --days outside 1..36600; time errors name the option. */
libro_code cli_window_args(int64_t *from, int64_t *until, uint32_t *days, const char *from_text,
                           const char *until_text, const char *days_text, libro_error *err);
/* A validity window from --valid-from (default now), and --valid-until or --days (default
 * `default_days`, 0 = one of them is required). */
libro_code cli_validity(int64_t *from, int64_t *until, const char *from_text,
                        const char *until_text, const char *days_text, uint32_t default_days,
                        libro_error *err);
/* Write a new output file (never overwriting; "-" = stdout). */
libro_code cli_write_output(const char *path, const void *data, size_t len, libro_error *err);

/* --- writing credentials (license_build.c) ------------------------------------------------- */

/** Whether a --registry value is a URL (https:// or http://) rather than a database path. */
bool cli_is_url(const char *s);

/* "libro: issued <type> for <license number, mandate holder or subject id> (<from> .. <until>)
 * -> <path>" on stderr. */
void cli_say_issued(const libro_credential *c, const char *path);
/* Write a signed credential and a newline to a new file ("-" = stdout); say so on stderr. */
libro_code cli_write_credential(const char *out_path, const libro_buf *jws,
                                const libro_credential *c, libro_error *err);
struct libro_issued;
/* With --json: the document of a credential signed and written to `out` (and its QR code to
 * `qr`, NULL when none), schemas/cli/issue.schema.json; `res` the issuer library's answer for a
 * license (issued or renewed), NULL for a charter or an authorization. */
libro_code cli_json_issued(const libro_credential *c, const char *out, const char *qr,
                           const struct libro_issued *res, libro_error *err);
/* "--json needs --out FILE" when --json goes with --out "-" (both to stdout), else NULL. */
const char *cli_json_out_problem(bool json, const char *out);
/* The LB1 QR code of a signed credential as a new PNG file. */
libro_code cli_write_qr_png(const char *path, const libro_buf *jws, libro_error *err);
/* LIBRO_ERR_EXISTS when `path` (given as `option`) exists: checked before a registry records
 * a license, so that the signed credential is not then left unwritten. */
libro_code cli_check_new_output(const char *path, const char *option, libro_error *err);

/* Open the trust store in `dir`, or the default one when NULL (cmd_trust.c). */
struct libro_trust;
libro_code cli_open_trust(struct libro_trust **out, const char *dir, libro_error *err);

/* --- mandates (cmd_mandate.c; also for cmd_roundtable.c) ---------------------------------- */

struct libro_mandate_record;
struct libro_registry_client;
/* A mandate record as JSON (schemas/cli/mandate-record.schema.json), appended to `b`. */
libro_code cli_json_mandate(libro_buf *b, const struct libro_mandate_record *m,
                            bool with_credential, libro_error *err);
/* One line: office, seat, holder (voting or not), term, id. */
void cli_print_mandate_line(const struct libro_mandate_record *m);
/* A client reading the registry --db FILE or --registry URL (exactly one given). */
libro_code cli_open_reader(struct libro_registry_client **out, const char *db, const char *url,
                           libro_error *err);

/* A write given --db FILE --actor WHO or --registry URL --key FILE (one of db and url given):
 * NULL when the options go together, else the usage problem. */
const char *cli_write_target_problem(const char *db, const char *actor, const char *url,
                                     const char *key);

/* --- verbs ---------------------------------------------------------------------------------- */

int cmd_key(int argc, char **argv);
int cmd_jws(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_issue(int argc, char **argv);
int cmd_qr(int argc, char **argv);
int cmd_trust(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_registry(int argc, char **argv);
int cmd_license(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_mandate(int argc, char **argv);
int cmd_roundtable(int argc, char **argv);
int cmd_law(int argc, char **argv);
/* libro law record (cmd_law_record.c). */
int cli_law_record(int argc, char **argv);
int cmd_agreement(int argc, char **argv);
int cmd_watch(int argc, char **argv);

#endif
