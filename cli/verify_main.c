/* libro-verify: the verifier's commands alone (verify, trust, sync), the same code as
 * `libro verify|trust|sync`, linked against libro_core_verify: no signing, key generation or
 * key-writing code is in this binary (tests/verify_only_symbols.sh checks with nm). */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "libro/common.h"

static int verify_help(int argc, char **argv);

static const struct cli_cmd commands[] = {
    {"verify", cmd_verify, "verify a license offline (QR image, scanned text or JWS)"},
    {"trust", cmd_trust, "manage the verifier's trust store"},
    {"sync", cmd_sync, "update the trust store from a registry's trust bundle"},
    {"help", verify_help, "show help for libro-verify or one of its commands"},
};

static void
print_overview(FILE *f)
{
    size_t i;

    fprintf(f, "usage: libro-verify <command> [options]\n"
               "       libro-verify --version\n\n"
               "libro-verify checks libro licenses and credentials; it cannot issue or sign.\n"
               "\ncommands:\n");
    for (i = 0; i < LIBRO_NELEM(commands); i++) {
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    }
    fprintf(f, "\nRun 'libro-verify <command> --help' for details; each command is the one of\n"
               "the same name in libro(1), with the same options and exit status.\n");
}

/* argv strings are mutable by contract; keep ours so too. */
static char help_flag[] = "--help";

static int
verify_help(int argc, char **argv)
{
    size_t i;

    if (argc < 2) {
        print_overview(stdout);
        return cli_finish(CLI_EXIT_OK);
    }
    for (i = 0; i < LIBRO_NELEM(commands); i++) {
        if (strcmp(argv[1], commands[i].name) == 0 && commands[i].run != verify_help) {
            /* "libro-verify help trust add" = "libro-verify trust add --help" */
            char *sub_argv[4] = {argv[1], NULL, NULL, NULL};
            int n = 1;

            if (argc > 2) {
                sub_argv[n++] = argv[2];
            }
            sub_argv[n++] = help_flag;
            return commands[i].run(n, sub_argv);
        }
    }
    cli_errorf("help: unknown command '%.64s'", argv[1]);
    return CLI_EXIT_USAGE;
}

int
main(int argc, char **argv)
{
    size_t i;

    if (argc < 2) {
        print_overview(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("libro-verify %s\n", libro_version());
        return cli_finish(CLI_EXIT_OK);
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        print_overview(stdout);
        return cli_finish(CLI_EXIT_OK);
    }
    for (i = 0; i < LIBRO_NELEM(commands); i++) {
        if (strcmp(argv[1], commands[i].name) == 0) {
            return commands[i].run(argc - 1, argv + 1);
        }
    }
    cli_errorf("unknown command '%.64s' (see 'libro-verify --help')", argv[1]);
    return CLI_EXIT_USAGE;
}
