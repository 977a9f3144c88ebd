/* libro: one command, git-style verbs. main() only dispatches and exits; each verb lives in
 * cmd_<verb>.c and returns its exit code. */
#include <stdio.h>
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
    {"verify", cmd_verify, "verify a license, mandate, agreement or law offline (QR, text, file)"},
    {"registry", cmd_registry, "create a registry, define license types, publish status lists"},
    {"license", cmd_license, "show, change, renew and expire registered licenses"},
    {"mandate", cmd_mandate, "issue, show and end roundtable mandates"},
    {"roundtable", cmd_roundtable, "who sits at a roundtable; seats of member communities"},
    {"law", cmd_law, "laws adopted by a roundtable's consent: steps, adoption, record"},
    {"agreement", cmd_agreement, "draft, sign, register and end responsibility agreements"},
    {"watch", cmd_watch, "tell an employer what changed to the licenses on its roster"},
    {"help", cmd_help, "show help for libro or one of its commands"},
};

static void print_overview(FILE *f);

static const struct cli_program program = {
    "libro", commands, LIBRO_NELEM(commands), cmd_help, print_overview,
};

static void
print_overview(FILE *f)
{
    fprintf(f, "usage: libro <command> [options]\n"
               "       libro -V | --version\n\n"
               "libro keeps expiring professional licenses as signed, verifiable credentials,\n"
               "with the charters and authorizations of the communities that issue them, and\n"
               "the mandates of the people who sit at their roundtables.\n"
               "\ncommands:\n");
    cli_program_list(f, &program);
    fprintf(f, "\nRun 'libro help <command>' or 'libro <command> --help' for details.\n"
               "Exit status: 0 done, 1 failed (or the answer is no), 2 bad command line,\n"
               "3 output could not be written; 'libro verify' has its own (see its --help),\n"
               "'libro agreement verify' says 9 for PARTIAL, and 'libro watch' 5 for a registry\n"
               "log that forked or rolled back.\n");
}

int
cmd_help(int argc, char **argv)
{
    return cli_program_help(&program, argc, argv);
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
    disable_core_dumps();
    return cli_program_main(&program, argc, argv);
}
