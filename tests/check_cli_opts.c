/* The CLI's option tables (cli/opts.c, cli_parse_command): values, switches and lists bound
 * to variables, required options and arguments, groups, and every usage error with its
 * message (stderr is captured). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "libro/util.h"
#include "test_util.h"

static const char *t_out;
static bool t_json;
static struct cli_list t_scope;
static const char *t_db;
static const char *t_url;
static const char *t_number;
static struct cli_list t_rest;

static const struct cli_option opts[] = {
    {CLI_OPT_VALUE, "--out", "FILE", &t_out, CLI_REQUIRED, 0, "where to write"},
    {CLI_OPT_SWITCH, "--json", NULL, &t_json, 0, 0, "print JSON"},
    {CLI_OPT_LIST, "--scope", "TEXT", &t_scope, 0, 0, "what it covers"},
    {CLI_OPT_VALUE, "--db", "FILE", &t_db, CLI_REQUIRED, 1, "a database"},
    {CLI_OPT_VALUE, "--registry", "URL", &t_url, CLI_REQUIRED, 1, "a registry"},
    {CLI_OPT_ARG, "NUMBER", NULL, &t_number, CLI_REQUIRED, 0, "the number"},
    {CLI_OPT_ARGS, "FILE", NULL, &t_rest, 0, 0, "more files"},
};

static const struct cli_command cmd = {
    "test cmd",        "--out FILE (--db FILE | --registry URL) NUMBER [FILE...]",
    "About it.",       opts,
    LIBRO_NELEM(opts), "Exit status: 0.",
};

/* An optional-only table: a group without CLI_REQUIRED is "at most one". */
static const char *t_a;
static const char *t_b;

static const struct cli_option loose_opts[] = {
    {CLI_OPT_VALUE, "--a", "X", &t_a, 0, 2, "a"},
    {CLI_OPT_VALUE, "--b", "X", &t_b, 0, 2, "b"},
};

static const struct cli_command loose = {
    "test loose", "[--a X | --b X]", NULL, loose_opts, LIBRO_NELEM(loose_opts), NULL,
};

static char captured[4096];

/* What `fn` wrote on `stream` (descriptor `fd`), into `captured`. */
static void
capture(FILE *stream, int fd, void (*fn)(void))
{
    FILE *f = tmpfile();
    int saved;
    size_t n;

    ck_assert_ptr_nonnull(f);
    fflush(stream);
    saved = dup(fd);
    ck_assert_int_ge(saved, 0);
    ck_assert_int_ge(dup2(fileno(f), fd), 0);
    fn();
    fflush(stream);
    ck_assert_int_ge(dup2(saved, fd), 0);
    close(saved);
    rewind(f);
    n = fread(captured, 1, sizeof captured - 1, f);
    captured[n] = '\0';
    fclose(f);
}

static const struct cli_command *p_cmd;
static char *p_argv[40];
static int p_argc;
static int p_code;

static void
run_parse(void)
{
    p_code = cli_parse_command(p_cmd, p_argc, p_argv);
}

/* Run the parser on the NULL-terminated words, with stderr captured into `captured`. */
static int
parse(const struct cli_command *c, const char *const *words)
{
    p_cmd = c;
    p_argc = 0;
    while (words[p_argc] != NULL) {
        ck_assert_int_lt(p_argc, 39);
        p_argv[p_argc] = (char *) (uintptr_t) words[p_argc];
        p_argc++;
    }
    p_argv[p_argc] = NULL;
    capture(stderr, 2, run_parse);
    return p_code;
}

START_TEST(test_binds_variables)
{
    static const char *const w[] = {"cmd",     "--out", "o.jws", "--json", "--scope=a b",
                                    "--scope", "c",     "--db",  "x.db",   "N-1",
                                    "f1",      "f2",    NULL};

    ck_assert_int_eq(parse(&cmd, w), -1);
    ck_assert_str_eq(captured, "");
    ck_assert_str_eq(t_out, "o.jws");
    ck_assert(t_json);
    ck_assert_uint_eq(t_scope.n, 2);
    ck_assert_str_eq(t_scope.v[0], "a b");
    ck_assert_str_eq(t_scope.v[1], "c");
    ck_assert_str_eq(t_db, "x.db");
    ck_assert_ptr_null(t_url);
    ck_assert_str_eq(t_number, "N-1");
    ck_assert_uint_eq(t_rest.n, 2);
    ck_assert_str_eq(t_rest.v[1], "f2");
}
END_TEST

/* Every parse starts from nothing: values of an earlier parse do not leak into the next. */
START_TEST(test_resets_variables)
{
    static const char *const first[] = {"cmd",  "--out", "o", "--json", "--scope", "s",
                                        "--db", "d",     "N", "f",      NULL};
    static const char *const second[] = {"cmd", "--out", "o", "--registry", "u", "M", NULL};

    ck_assert_int_eq(parse(&cmd, first), -1);
    ck_assert_int_eq(parse(&cmd, second), -1);
    ck_assert(!t_json);
    ck_assert_uint_eq(t_scope.n, 0);
    ck_assert_ptr_null(t_db);
    ck_assert_str_eq(t_url, "u");
    ck_assert_str_eq(t_number, "M");
    ck_assert_uint_eq(t_rest.n, 0);
}
END_TEST

/* "--" ends the options: what follows is an argument even when it starts with '-'. */
START_TEST(test_double_dash)
{
    static const char *const w[] = {"cmd", "--db", "d", "--out", "o", "--", "--json", "-", NULL};

    ck_assert_int_eq(parse(&cmd, w), -1);
    ck_assert(!t_json);
    ck_assert_str_eq(t_number, "--json");
    ck_assert_uint_eq(t_rest.n, 1);
    ck_assert_str_eq(t_rest.v[0], "-");
}
END_TEST

static const struct {
    const char *name;
    const char *words[12];
    const char *msg;
} bad[] = {
    {"required missing",
     {"cmd", "--db", "d", "N", NULL},
     "libro: test cmd: --out FILE is required\n"},
    {"argument missing", {"cmd", "--out", "o", "--db", "d", NULL}, "missing argument"},
    {"unknown option",
     {"cmd", "--frob", "--out", "o", "--db", "d", "N", NULL},
     "unknown option '--frob'"},
    {"unknown option with value", {"cmd", "--frob=1", NULL}, "unknown option '--frob'"},
    {"switch with value",
     {"cmd", "--json=yes", "--out", "o", "--db", "d", "N", NULL},
     "option '--json' takes no value"},
    {"repeated value",
     {"cmd", "--out", "a", "--out", "b", "--db", "d", "N", NULL},
     "option '--out' given twice"},
    {"repeated switch", {"cmd", "--json", "--json", NULL}, "option '--json' given twice"},
    {"value missing", {"cmd", "--db", "d", "N", "--out", NULL}, "option '--out' needs FILE"},
    {"misspelt option", {"cmd", "--josn", NULL}, "unknown option '--josn'; did you mean '--json'?"},
    {"misspelt help", {"cmd", "--helpp", NULL}, "unknown option '--helpp'; did you mean '--help'?"},
    {"misspelt with value", {"cmd", "--scpoe=x", NULL}, "did you mean '--scope'?"},
    {"nothing near", {"cmd", "--frobnicate", NULL}, "unknown option '--frobnicate'\n"},
    {"group: none", {"cmd", "--out", "o", "N", NULL}, "give exactly one of --db, --registry"},
    {"group: both",
     {"cmd", "--out", "o", "--db", "d", "--registry", "u", "N", NULL},
     "give exactly one of --db, --registry"},
};

START_TEST(test_usage_errors)
{
    ck_assert_int_eq(parse(&cmd, bad[_i].words), CLI_EXIT_USAGE);
    ck_assert_msg(strstr(captured, bad[_i].msg) != NULL, "%s: got \"%s\"", bad[_i].name, captured);
    /* Each usage error names the command and shows the synopsis. */
    ck_assert_msg(strstr(captured, "usage: libro test cmd --out FILE") != NULL, "%s", bad[_i].name);
}
END_TEST

START_TEST(test_too_many)
{
    const char *w[CLI_MAX_REPEAT + 4];
    size_t i;

    w[0] = "cmd";
    for (i = 1; i < CLI_MAX_REPEAT + 3; i++) {
        w[i] = "x";
    }
    w[CLI_MAX_REPEAT + 3] = NULL;
    ck_assert_int_eq(parse(&loose, (const char *const[]){"cmd", "extra", NULL}), CLI_EXIT_USAGE);
    ck_assert_ptr_nonnull(strstr(captured, "unexpected argument 'extra'"));
    /* NUMBER plus CLI_MAX_REPEAT + 1 more files: one too many for the list. */
    ck_assert_int_eq(parse(&cmd, w), CLI_EXIT_USAGE);
    ck_assert_ptr_nonnull(strstr(captured, "given more than 32 times"));
}
END_TEST

START_TEST(test_optional_group)
{
    ck_assert_int_eq(parse(&loose, (const char *const[]){"cmd", NULL}), -1);
    ck_assert_int_eq(parse(&loose, (const char *const[]){"cmd", "--b", "1", NULL}), -1);
    ck_assert_str_eq(t_b, "1");
    ck_assert_int_eq(parse(&loose, (const char *const[]){"cmd", "--a", "1", "--b=2", NULL}),
                     CLI_EXIT_USAGE);
    ck_assert_ptr_nonnull(strstr(captured, "give at most one of --a, --b"));
}
END_TEST

START_TEST(test_help)
{
    FILE *f = tmpfile();
    size_t n;

    ck_assert_ptr_nonnull(f);
    cli_command_help(f, &cmd);
    rewind(f);
    n = fread(captured, 1, sizeof captured - 1, f);
    captured[n] = '\0';
    fclose(f);
    ck_assert_ptr_nonnull(strstr(captured, "usage: libro test cmd --out FILE"));
    ck_assert_ptr_nonnull(strstr(captured, "\nAbout it.\n"));
    ck_assert_ptr_nonnull(strstr(captured, "  --out FILE                 where to write\n"));
    ck_assert_ptr_nonnull(strstr(captured, "  --json                     print JSON\n"));
    ck_assert_ptr_nonnull(
        strstr(captured, "  --scope TEXT               what it covers (repeatable)\n"));
    /* Arguments are in the synopsis, not among the options. */
    ck_assert_ptr_null(strstr(captured, "  NUMBER"));
    ck_assert_ptr_nonnull(strstr(captured, "-h, --help"));
    ck_assert_ptr_nonnull(strstr(captured, "\nExit status: 0.\n"));
}
END_TEST

static int parse_code;

static void
parse_json_usage(void)
{
    static const char *const w[] = {"cmd", "--json", "--frob", NULL};

    parse_code = parse(&cmd, w); /* its stderr is then overwritten by the stdout captured */
}

/* With --json a usage error is also an error document on stdout (stderr keeps the text). */
START_TEST(test_usage_json)
{
    capture(stdout, 1, parse_json_usage);
    ck_assert_int_eq(parse_code, CLI_EXIT_USAGE);
    ck_assert_str_eq(captured, "{\"ok\":false,\"error\":{\"code\":\"invalid_argument\","
                               "\"message\":\"unknown option '--frob'\"}}\n");
}
END_TEST

static void
parse_usage_no_json(void)
{
    static const char *const w[] = {"cmd", "--frob", NULL};

    parse_code = parse(&cmd, w);
}

START_TEST(test_usage_no_json)
{
    capture(stdout, 1, parse_usage_no_json);
    ck_assert_int_eq(parse_code, CLI_EXIT_USAGE);
    ck_assert_str_eq(captured, "");
}
END_TEST

static const struct {
    const char *a, *b;
    size_t want;
} distances[] = {
    {"", "", 0},
    {"", "abc", 3},
    {"abc", "abc", 0},
    {"ab", "ba", 1},
    {"isue", "issue", 1},
    {"shwo", "show", 1},
    {"ca", "abc", 3}, /* OSA, not full DL */
    {"kitten", "sitting", 3},
    {"--josn", "--json", 1},
    {"help", "hlep", 1},
};

START_TEST(test_edit_distance)
{
    size_t got = cli_edit_distance(distances[_i].a, strlen(distances[_i].a), distances[_i].b,
                                   strlen(distances[_i].b));

    ck_assert_msg(got == distances[_i].want, "%s/%s: got %zu", distances[_i].a, distances[_i].b,
                  got);
}
END_TEST

static const struct cli_cmd words[] = {
    {"issue", NULL, ""},  {"show", NULL, ""},  {"shop", NULL, ""},
    {"verify", NULL, ""}, {"renew", NULL, ""}, {"review-due", NULL, ""},
};

static const struct {
    const char *word;
    const char *want; /* NULL: no suggestion */
} suggestions[] = {
    {"isue", "issue"},    {"isseu", "issue"}, {"verfy", "verify"},
    {"veirfy", "verify"}, {"renw", "renew"},  {"review-deu", "review-due"},
    {"shoz", NULL},  /* show and shop are as near: none */
    {"issue", NULL}, /* the word itself is no misspelling */
    {"iss", NULL},   /* 2 edits of 3 letters: not less than half */
    {"xyzzy", NULL},      {"", NULL},         {"frobnicate", NULL},
};

START_TEST(test_suggest)
{
    const char *got = cli_suggest_command(suggestions[_i].word, words, LIBRO_NELEM(words));

    if (suggestions[_i].want == NULL) {
        ck_assert_msg(got == NULL, "%s: got %s", suggestions[_i].word, got);
    } else {
        ck_assert_msg(got != NULL && strcmp(got, suggestions[_i].want) == 0, "%s: got %s",
                      suggestions[_i].word, got != NULL ? got : "none");
    }
}
END_TEST

START_TEST(test_suggest_long_word)
{
    char word[200];

    memset(word, 'a', sizeof word - 1);
    word[sizeof word - 1] = '\0';
    ck_assert_uint_eq(cli_edit_distance(word, strlen(word), "a", 1), SIZE_MAX);
    ck_assert_ptr_null(cli_suggest_command(word, words, LIBRO_NELEM(words)));
}
END_TEST

/* The document builder: nesting, escaping, null, numbers, times and booleans. */
static void
build_document(void)
{
    libro_error err = LIBRO_ERROR_INIT;
    struct cli_json j;

    cli_json_begin(&j, &err);
    cli_json_str(&j, "number", "N-\"1\"\n\t");
    cli_json_str(&j, "none", NULL);
    cli_json_int(&j, "n", -42);
    cli_json_bool(&j, "yes", true);
    cli_json_time(&j, "at", 1798761600);
    cli_json_open(&j, "list", '[');
    cli_json_str(&j, NULL, "a");
    cli_json_open(&j, NULL, '{');
    cli_json_int(&j, "i", 1);
    cli_json_close(&j, '}');
    cli_json_close(&j, ']');
    cli_json_open(&j, "empty", '{');
    cli_json_close(&j, '}');
    ck_assert_int_eq(cli_json_end(&j), LIBRO_OK);
}

START_TEST(test_json_builder)
{
    capture(stdout, 1, build_document);
    ck_assert_str_eq(captured,
                     "{\"ok\":true,\"number\":\"N-\\\"1\\\"\\n\\u0009\",\"none\":null,\"n\":-42,"
                     "\"yes\":true,\"at\":\"2027-01-01T00:00:00Z\",\"list\":[\"a\",{\"i\":1}],"
                     "\"empty\":{}}\n");
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("cli_opts");
    TCase *ok = tcase_create("parse");
    TCase *usage = tcase_create("usage");
    TCase *near = tcase_create("did you mean");
    TCase *json = tcase_create("json");

    tcase_add_test(ok, test_binds_variables);
    tcase_add_test(ok, test_resets_variables);
    tcase_add_test(ok, test_double_dash);
    tcase_add_test(ok, test_optional_group);
    tcase_add_test(ok, test_help);
    suite_add_tcase(s, ok);
    tcase_add_loop_test(usage, test_usage_errors, 0, (int) LIBRO_NELEM(bad));
    tcase_add_test(usage, test_too_many);
    tcase_add_test(usage, test_usage_json);
    tcase_add_test(usage, test_usage_no_json);
    suite_add_tcase(s, usage);
    tcase_add_loop_test(near, test_edit_distance, 0, (int) LIBRO_NELEM(distances));
    tcase_add_loop_test(near, test_suggest, 0, (int) LIBRO_NELEM(suggestions));
    tcase_add_test(near, test_suggest_long_word);
    suite_add_tcase(s, near);
    tcase_add_test(json, test_json_builder);
    suite_add_tcase(s, json);
    return s;
}
