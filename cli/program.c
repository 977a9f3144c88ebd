/* What `libro` and `libro-verify` share as programs: the top-level dispatch, --version,
 * --help and the help command, over each one's table of commands. */
#include <string.h>

#include "cmd.h"
#include "libro/common.h"

void
cli_program_list(FILE *f, const struct cli_program *p)
{
    size_t i;

    for (i = 0; i < p->n_commands; i++) {
        fprintf(f, "  %-10s %s\n", p->commands[i].name, p->commands[i].summary);
    }
}

/* argv strings are mutable by contract; keep ours so too. */
static char help_flag[] = "--help";

int
cli_program_help(const struct cli_program *p, int argc, char **argv)
{
    const char *near;
    size_t i;

    if (argc < 2) {
        p->overview(stdout);
        return cli_finish(CLI_EXIT_OK);
    }
    for (i = 0; i < p->n_commands; i++) {
        if (strcmp(argv[1], p->commands[i].name) == 0 && p->commands[i].run != p->help) {
            /* "<program> help key new" = "<program> key new --help" */
            char *sub_argv[4] = {argv[1], NULL, NULL, NULL};
            int n = 1;

            if (argc > 2) {
                sub_argv[n++] = argv[2];
            }
            sub_argv[n++] = help_flag;
            return p->commands[i].run(n, sub_argv);
        }
    }
    near = cli_suggest_command(argv[1], p->commands, p->n_commands);
    if (near != NULL) {
        cli_errorf("help: unknown command '%.64s'; did you mean '%s'?", argv[1], near);
    } else {
        cli_errorf("help: unknown command '%.64s'", argv[1]);
    }
    return CLI_EXIT_USAGE;
}

int
cli_program_main(const struct cli_program *p, int argc, char **argv)
{
    const char *near;
    size_t i;

    if (argc < 2) {
        p->overview(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0 ||
        strcmp(argv[1], "version") == 0) {
        printf("%s %s\n", p->name, libro_version());
        return cli_finish(CLI_EXIT_OK);
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        p->overview(stdout);
        return cli_finish(CLI_EXIT_OK);
    }
    for (i = 0; i < p->n_commands; i++) {
        if (strcmp(argv[1], p->commands[i].name) == 0) {
            return p->commands[i].run(argc - 1, argv + 1);
        }
    }
    near = cli_suggest_command(argv[1], p->commands, p->n_commands);
    if (near != NULL) {
        cli_errorf("unknown command '%.64s'; did you mean '%s'? (see '%s --help')", argv[1], near,
                   p->name);
    } else {
        cli_errorf("unknown command '%.64s' (see '%s --help')", argv[1], p->name);
    }
    return CLI_EXIT_USAGE;
}
