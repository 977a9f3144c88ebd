/* libro-verify: the verifier's commands alone (verify, trust, sync), the same code as
 * `libro verify|trust|sync`, linked against libro_core_verify: no signing, key generation or
 * key-writing code is in this binary (tests/verify_only_symbols.sh checks with nm). */
#include <stdio.h>

#include "cmd.h"
#include "libro/common.h"

static int verify_help(int argc, char **argv);

static const struct cli_cmd commands[] = {
    {"verify", cmd_verify, "verify a license, mandate, agreement or law offline (QR, text, file)"},
    {"trust", cmd_trust, "manage the verifier's trust store"},
    {"sync", cmd_sync, "update the trust store from a registry's trust bundle"},
    {"help", verify_help, "show help for libro-verify or one of its commands"},
};

static void print_overview(FILE *f);

static const struct cli_program program = {
    "libro-verify", commands, LIBRO_NELEM(commands), verify_help, print_overview,
};

static void
print_overview(FILE *f)
{
    fprintf(f, "usage: libro-verify <command> [options]\n"
               "       libro-verify -V | --version\n\n"
               "libro-verify checks libro licenses and mandates; it cannot issue or sign.\n"
               "\ncommands:\n");
    cli_program_list(f, &program);
    fprintf(f, "\nRun 'libro-verify <command> --help' for details; each command is the one of\n"
               "the same name in libro(1), with the same options and exit status.\n");
}

static int
verify_help(int argc, char **argv)
{
    return cli_program_help(&program, argc, argv);
}

int
main(int argc, char **argv)
{
    return cli_program_main(&program, argc, argv);
}
