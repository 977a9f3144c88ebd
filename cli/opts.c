/* Table-driven option parsing for every verb (after libgit2's src/cli): the same table
 * produces the parser's behaviour and the --help text, so they cannot drift apart. */
#include <stdarg.h>
#include <string.h>

#include "cmd.h"

static int
find_opt(const struct cli_spec *spec, const char *name, size_t name_len)
{
    size_t i;

    for (i = 0; i < spec->n_opts; i++) {
        if (strlen(spec->opts[i].name) == name_len &&
            strncmp(spec->opts[i].name, name, name_len) == 0) {
            return (int) i;
        }
    }
    return -1;
}

void
cli_print_help(FILE *f, const struct cli_spec *spec)
{
    size_t i;

    fprintf(f, "usage: libro %s %s\n\n", spec->command, spec->synopsis);
    if (spec->about != NULL) {
        fprintf(f, "%s\n\n", spec->about);
    }
    fprintf(f, "options:\n");
    for (i = 0; i < spec->n_opts; i++) {
        char left[48];
        int n = snprintf(left, sizeof left, "%s%s%s", spec->opts[i].name,
                         spec->opts[i].arg != NULL ? " " : "",
                         spec->opts[i].arg != NULL ? spec->opts[i].arg : "");

        if (n < 0) {
            left[0] = '\0';
        }
        fprintf(f, "  %-26s %s%s\n", left, spec->opts[i].help,
                spec->opts[i].repeat ? " (repeatable)" : "");
    }
    fprintf(f, "  %-26s %s\n", "-h, --help", "show this help and exit");
    if (spec->epilog != NULL) {
        fprintf(f, "\n%s\n", spec->epilog);
    }
}

int
cli_usage_error(const struct cli_spec *spec, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "libro: %s: ", spec->command);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nusage: libro %s %s\n(see 'libro %s --help')\n", spec->command,
            spec->synopsis, spec->command);
    return CLI_EXIT_USAGE;
}

int
cli_parse(struct cli_args *out, const struct cli_spec *spec, int argc, char **argv)
{
    bool options_done = false;
    int i;

    memset(out, 0, sizeof *out);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (!options_done && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) {
            cli_print_help(stdout, spec);
            return cli_finish(CLI_EXIT_OK);
        }
        if (!options_done && strcmp(a, "--") == 0) {
            options_done = true;
            continue;
        }
        if (!options_done && a[0] == '-' && a[1] != '\0') {
            const char *eq = strchr(a, '=');
            size_t name_len = eq != NULL ? (size_t) (eq - a) : strlen(a);
            int o = find_opt(spec, a, name_len);

            if (o < 0) {
                return cli_usage_error(spec, "unknown option '%.*s'", (int) name_len, a);
            }
            const char *v;

            if (out->value[o] != NULL && !spec->opts[o].repeat) {
                return cli_usage_error(spec, "option '%s' given twice", spec->opts[o].name);
            }
            if (out->n_values[o] >= CLI_MAX_REPEAT) {
                return cli_usage_error(spec, "option '%s' given more than %d times",
                                       spec->opts[o].name, CLI_MAX_REPEAT);
            }
            if (spec->opts[o].arg == NULL) {
                if (eq != NULL) {
                    return cli_usage_error(spec, "option '%s' takes no value", spec->opts[o].name);
                }
                v = "";
            } else if (eq != NULL) {
                v = eq + 1;
            } else if (i + 1 < argc) {
                v = argv[++i];
            } else {
                return cli_usage_error(spec, "option '%s' needs %s", spec->opts[o].name,
                                       spec->opts[o].arg);
            }
            if (out->value[o] == NULL) {
                out->value[o] = v;
            }
            out->more[o][out->n_values[o]++] = v;
            continue;
        }
        if (out->n_positional >= spec->max_positional || out->n_positional >= CLI_MAX_POSITIONAL) {
            return cli_usage_error(spec, "unexpected argument '%.64s'", a);
        }
        out->positional[out->n_positional++] = a;
    }
    if (out->n_positional < spec->min_positional) {
        return cli_usage_error(spec, "missing argument");
    }
    return -1;
}

const char *
cli_get(const struct cli_args *a, const struct cli_spec *spec, const char *name)
{
    int o = find_opt(spec, name, strlen(name));

    return o < 0 ? NULL : a->value[o];
}

const char *const *
cli_get_all(const struct cli_args *a, const struct cli_spec *spec, const char *name, size_t *n)
{
    int o = find_opt(spec, name, strlen(name));

    *n = o < 0 ? 0 : a->n_values[o];
    return o < 0 ? NULL : a->more[o];
}

bool
cli_has(const struct cli_args *a, const struct cli_spec *spec, const char *name)
{
    return cli_get(a, spec, name) != NULL;
}

int
cli_dispatch_sub(const char *verb, const struct cli_cmd *subs, size_t n, int argc, char **argv)
{
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
    cli_errorf("%s: unknown command '%.64s' (see 'libro %s --help')", verb, argv[1], verb);
    return CLI_EXIT_USAGE;
}
