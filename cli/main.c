/* libro: one command, git-style verbs. main() only dispatches and exits; each verb lives in
 * cmd_<verb>.c and returns its exit code. */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "cmd.h"
#include "libro/common.h"

static const struct cli_cmd commands[] = {
    {"key", cmd_key, "create and inspect signing keys (Ed25519, P-256)"},
    {"jws", cmd_jws, "sign and verify JSON Web Signatures"},
    {"issue", cmd_issue, "issue charters, authorizations and licenses"},
    {"qr", cmd_qr, "render a credential as a QR code, or read one from an image"},
    {"trust", cmd_trust, "manage the verifier's trust store"},
    {"sync", cmd_sync, "update the trust store from a registry's trust bundle"},
    {"verify", cmd_verify, "verify a license offline (QR image, scanned text or JWS)"},
    {"registry", cmd_registry, "create a registry, define license types, publish status lists"},
    {"license", cmd_license, "show, change, renew and expire registered licenses"},
    {"help", cmd_help, "show help for libro or one of its commands"},
};

static void
print_overview(FILE *f)
{
    size_t i;

    fprintf(f, "usage: libro <command> [options]\n"
               "       libro --version\n\n"
               "libro keeps expiring professional licenses and community agreements as signed,\n"
               "verifiable credentials.\n\ncommands:\n");
    for (i = 0; i < LIBRO_NELEM(commands); i++) {
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    }
    fprintf(f, "\nRun 'libro help <command>' or 'libro <command> --help' for details.\n"
               "Exit status: 0 done, 1 failed (or the answer is no), 2 bad command line,\n"
               "3 output could not be written; 'libro verify' has its own (see its --help).\n");
}

/* argv strings are mutable by contract; keep ours so too. */
static char help_flag[] = "--help";

int
cmd_help(int argc, char **argv)
{
    size_t i;

    if (argc < 2) {
        print_overview(stdout);
        return cli_finish(CLI_EXIT_OK);
    }
    for (i = 0; i < LIBRO_NELEM(commands); i++) {
        if (strcmp(argv[1], commands[i].name) == 0 && commands[i].run != cmd_help) {
            /* "libro help key new" = "libro key new --help" */
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

/* Keys pass through this process: never let a crash write them into a core file. */
static void
disable_core_dumps(void)
{
    struct rlimit none = {0, 0};

    (void) setrlimit(RLIMIT_CORE, &none);
}

int
main(int argc, char **argv)
{
    size_t i;

    disable_core_dumps();
    if (argc < 2) {
        print_overview(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("libro %s\n", libro_version());
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
    cli_errorf("unknown command '%.64s' (see 'libro help')", argv[1]);
    return CLI_EXIT_USAGE;
}
