/* Table-driven option parsing for every verb (after libgit2's src/cli): the same table
 * produces the parser's behaviour and the --help text, so they cannot drift apart. */
#include <stdarg.h>
#include <string.h>

#include "cmd.h"

static void
help_head(FILE *f, const char *command, const char *synopsis, const char *about)
{
    fprintf(f, "usage: libro %s %s\n\n", command, synopsis);
    if (about != NULL) {
        fprintf(f, "%s\n\n", about);
    }
    fprintf(f, "options:\n");
}

static void
help_option(FILE *f, const char *name, const char *arg, const char *help, bool repeat)
{
    char left[48];
    int n =
        snprintf(left, sizeof left, "%s%s%s", name, arg != NULL ? " " : "", arg != NULL ? arg : "");

    if (n < 0) {
        left[0] = '\0';
    }
    fprintf(f, "  %-26s %s%s\n", left, help, repeat ? " (repeatable)" : "");
}

static void
help_tail(FILE *f, const char *epilog)
{
    fprintf(f, "  %-26s %s\n", "-h, --help", "show this help and exit");
    if (epilog != NULL) {
        fprintf(f, "\n%s\n", epilog);
    }
}

static int usage_v(const char *command, const char *synopsis, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Whether the command line being parsed asked for --json (of a table that has it): its usage
 * errors are then an error document on stdout as well. */
static bool usage_json;

static int
usage_v(const char *command, const char *synopsis, const char *fmt, va_list ap)
{
    libro_error err = LIBRO_ERROR_INIT;
    int n = vsnprintf(err.msg, sizeof err.msg, fmt, ap);

    if (n < 0) {
        err.msg[0] = '\0';
    }
    err.code = LIBRO_ERR_INVALID_ARG;
    fprintf(stderr, "libro: %s: %s\nusage: libro %s %s\n(see 'libro %s --help')\n", command,
            err.msg, command, synopsis, command);
    if (usage_json) {
        cli_json_error(&err);
    }
    return CLI_EXIT_USAGE;
}

int
cli_dispatch_sub(const char *verb, const struct cli_cmd *subs, size_t n, int argc, char **argv)
{
    const char *near;
    size_t i;

    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        FILE *f = argc < 2 ? stderr : stdout;

        fprintf(f, "usage: libro %s <command> [options]\n\ncommands:\n", verb);
        for (i = 0; i < n; i++) {
            fprintf(f, "  %-10s %s\n", subs[i].name, subs[i].summary);
        }
        fprintf(f, "\nRun 'libro %s <command> --help' for a command's options.\n", verb);
        return argc < 2 ? CLI_EXIT_USAGE : cli_finish(CLI_EXIT_OK);
    }
    for (i = 0; i < n; i++) {
        if (strcmp(argv[1], subs[i].name) == 0) {
            return subs[i].run(argc - 1, argv + 1);
        }
    }
    near = cli_suggest_command(argv[1], subs, n);
    if (near != NULL) {
        cli_errorf("%s: unknown command '%.64s'; did you mean '%s'? (see 'libro %s --help')", verb,
                   argv[1], near, verb);
    } else {
        cli_errorf("%s: unknown command '%.64s' (see 'libro %s --help')", verb, argv[1], verb);
    }
    return CLI_EXIT_USAGE;
}

/* ---- option tables --------------------------------------------------------------------------- */

void
cli_command_help(FILE *f, const struct cli_command *cmd)
{
    size_t i;

    help_head(f, cmd->command, cmd->synopsis, cmd->about);
    for (i = 0; i < cmd->n_opts; i++) {
        const struct cli_option *o = &cmd->opts[i];

        if (o->type == CLI_OPT_VALUE || o->type == CLI_OPT_SWITCH || o->type == CLI_OPT_LIST) {
            help_option(f, o->name, o->arg, o->help, o->type == CLI_OPT_LIST);
        }
    }
    help_tail(f, cmd->epilog);
}

int
cli_command_usage(const struct cli_command *cmd, const char *fmt, ...)
{
    va_list ap;
    int code;

    va_start(ap, fmt);
    code = usage_v(cmd->command, cmd->synopsis, fmt, ap);
    va_end(ap);
    return code;
}

static bool
is_positional(const struct cli_option *o)
{
    return o->type == CLI_OPT_ARG || o->type == CLI_OPT_ARGS;
}

/* Whether option `o` was given (its variable set). */
static bool
given(const struct cli_option *o)
{
    switch (o->type) {
    case CLI_OPT_VALUE:
    case CLI_OPT_ARG:
        return *(const char **) o->var != NULL;
    case CLI_OPT_SWITCH:
        return *(bool *) o->var;
    case CLI_OPT_LIST:
    case CLI_OPT_ARGS:
        return ((struct cli_list *) o->var)->n > 0;
    }
    return false;
}

static void
reset(const struct cli_command *cmd)
{
    size_t i;

    for (i = 0; i < cmd->n_opts; i++) {
        const struct cli_option *o = &cmd->opts[i];

        if (o->type == CLI_OPT_VALUE || o->type == CLI_OPT_ARG) {
            *(const char **) o->var = NULL;
        } else if (o->type == CLI_OPT_SWITCH) {
            *(bool *) o->var = false;
        } else {
            memset(o->var, 0, sizeof(struct cli_list));
        }
    }
}

static const struct cli_option *
find_option(const struct cli_command *cmd, const char *name, size_t name_len)
{
    size_t i;

    for (i = 0; i < cmd->n_opts; i++) {
        const struct cli_option *o = &cmd->opts[i];

        if (!is_positional(o) && strlen(o->name) == name_len &&
            strncmp(o->name, name, name_len) == 0) {
            return o;
        }
    }
    return NULL;
}

static int
list_add(const struct cli_command *cmd, struct cli_list *l, const char *what, const char *v)
{
    if (l->n >= CLI_MAX_REPEAT) {
        return cli_command_usage(cmd, "%s given more than %d times", what, CLI_MAX_REPEAT);
    }
    l->v[l->n++] = v;
    return -1;
}

/* The options of a table and --help, for cli_suggest: positional arguments have no name. */
static const char *
option_name(const void *items, size_t i)
{
    const struct cli_command *cmd = items;

    if (i == cmd->n_opts) {
        return "--help";
    }
    return is_positional(&cmd->opts[i]) ? NULL : cmd->opts[i].name;
}

/* The option nearest to the unknown `a` (its first `len` bytes), or NULL. The leading dashes
 * are compared too, so "-json" finds "--json"; "less than half the word" counts them. */
static const char *
suggest_option(const struct cli_command *cmd, const char *a, size_t len)
{
    return cli_suggest(a, len, cmd, cmd->n_opts + 1, option_name);
}

/* One option argv[*i] (its value perhaps argv[*i + 1]). */
static int
take_option(const struct cli_command *cmd, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    const char *eq = strchr(a, '=');
    size_t name_len = eq != NULL ? (size_t) (eq - a) : strlen(a);
    const struct cli_option *o = find_option(cmd, a, name_len);
    const char *v = NULL;

    if (o == NULL) {
        const char *near = suggest_option(cmd, a, name_len);

        if (near != NULL) {
            return cli_command_usage(cmd, "unknown option '%.*s'; did you mean '%s'?",
                                     (int) name_len, a, near);
        }
        return cli_command_usage(cmd, "unknown option '%.*s'", (int) name_len, a);
    }
    if (o->type != CLI_OPT_LIST && given(o)) {
        return cli_command_usage(cmd, "option '%s' given twice", o->name);
    }
    if (o->type == CLI_OPT_SWITCH) {
        if (eq != NULL) {
            return cli_command_usage(cmd, "option '%s' takes no value", o->name);
        }
        *(bool *) o->var = true;
        return -1;
    }
    if (eq != NULL) {
        v = eq + 1;
    } else if (*i + 1 < argc) {
        v = argv[++*i];
    } else {
        return cli_command_usage(cmd, "option '%s' needs %s", o->name, o->arg);
    }
    if (o->type == CLI_OPT_LIST) {
        return list_add(cmd, o->var, o->name, v);
    }
    *(const char **) o->var = v;
    return -1;
}

/* Positional argument `a`: the first unfilled CLI_OPT_ARG, else the CLI_OPT_ARGS list. */
static int
take_argument(const struct cli_command *cmd, const char *a)
{
    size_t i;

    for (i = 0; i < cmd->n_opts; i++) {
        const struct cli_option *o = &cmd->opts[i];

        if (o->type == CLI_OPT_ARG && !given(o)) {
            *(const char **) o->var = a;
            return -1;
        }
        if (o->type == CLI_OPT_ARGS) {
            return list_add(cmd, o->var, "arguments", a);
        }
    }
    return cli_command_usage(cmd, "unexpected argument '%.64s'", a);
}

/* The names of group `g`'s options, "--a, --b", into `out`. */
static void
group_names(char *out, size_t size, const struct cli_command *cmd, unsigned g)
{
    size_t used = 0;
    size_t i;

    out[0] = '\0';
    for (i = 0; i < cmd->n_opts && used < size; i++) {
        if (cmd->opts[i].group == g) {
            int n =
                snprintf(out + used, size - used, "%s%s", used > 0 ? ", " : "", cmd->opts[i].name);

            if (n < 0) {
                return;
            }
            used += (size_t) n;
        }
    }
}

/* Required options and arguments, and the groups. */
static int
check_given(const struct cli_command *cmd)
{
    char names[256];
    size_t i;
    size_t j;

    for (i = 0; i < cmd->n_opts; i++) {
        const struct cli_option *o = &cmd->opts[i];
        size_t n_given = 0;
        bool required = false;

        if (o->group != 0) {
            for (j = 0; j < cmd->n_opts; j++) {
                if (cmd->opts[j].group == o->group) {
                    n_given += given(&cmd->opts[j]) ? 1 : 0;
                    required = required || (cmd->opts[j].flags & CLI_REQUIRED) != 0;
                }
            }
            if (n_given > 1 || (required && n_given == 0)) {
                group_names(names, sizeof names, cmd, o->group);
                return cli_command_usage(cmd, "give %s one of %s", required ? "exactly" : "at most",
                                         names);
            }
        } else if ((o->flags & CLI_REQUIRED) != 0 && !given(o)) {
            if (is_positional(o)) {
                return cli_command_usage(cmd, "missing argument");
            }
            return cli_command_usage(cmd, "%s%s%s is required", o->name, o->arg != NULL ? " " : "",
                                     o->arg != NULL ? o->arg : "");
        }
    }
    return -1;
}

/* Whether argv (before any "--") gives --json and cmd's table has it. */
static bool
wants_json(const struct cli_command *cmd, int argc, char **argv)
{
    int i;

    if (find_option(cmd, "--json", 6) == NULL) {
        return false;
    }
    for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            return true;
        }
    }
    return false;
}

int
cli_parse_command(const struct cli_command *cmd, int argc, char **argv)
{
    bool options_done = false;
    int code;
    int i;

    reset(cmd);
    usage_json = wants_json(cmd, argc, argv);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (!options_done && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) {
            cli_command_help(stdout, cmd);
            return cli_finish(CLI_EXIT_OK);
        }
        if (!options_done && strcmp(a, "--") == 0) {
            options_done = true;
            continue;
        }
        if (!options_done && a[0] == '-' && a[1] != '\0') {
            code = take_option(cmd, argc, argv, &i);
        } else {
            code = take_argument(cmd, a);
        }
        if (code >= 0) {
            return code;
        }
    }
    return check_given(cmd);
}
