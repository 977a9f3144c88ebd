/* libro key new|show|public: create a key file and show what others need of it. */
#include <string.h>

#include "cmd.h"
#include "libro/file.h"
#include "libro/key.h"

/* What every view of a key shows: its thumbprint, public JWK (kid = thumbprint) and, for
 * Ed25519, its did:key. Computed in one place for all the subcommands. */
struct key_facts {
    char thumb[LIBRO_THUMBPRINT_LEN + 1];
    libro_buf jwk;
    libro_buf did; /* empty for P-256 */
};

static libro_code
facts_collect(struct key_facts *f, const libro_key *k, libro_error *err)
{
    libro_code rc;

    memset(f, 0, sizeof *f);
    rc = libro_key_thumbprint(f->thumb, k, err);
    if (rc == LIBRO_OK) {
        rc = libro_key_to_jwk(&f->jwk, k, f->thumb, err);
    }
    if (rc == LIBRO_OK && libro_key_alg(k) == LIBRO_ALG_ED25519) {
        rc = libro_key_to_did(&f->did, k, err);
    }
    return rc;
}

static void
facts_free(struct key_facts *f)
{
    libro_buf_free(&f->jwk);
    libro_buf_free(&f->did);
}

/* ---- key new ------------------------------------------------------------------------------ */

static const char *nw_alg;
static const char *nw_out;
static const char *nw_pass_fd;
static bool nw_ask;
static const char *nw_public_out;
static const char *nw_jwk_out;
static bool nw_json;

static const struct cli_option new_opts[] = {
    {CLI_OPT_VALUE, "--alg", "ALG", &nw_alg, 0, 0, "ed25519 (default) or es256"},
    {CLI_OPT_VALUE, "--out", "FILE", &nw_out, CLI_REQUIRED, 0,
     "private key file to create (PKCS#8 PEM, mode 0600, never overwritten)"},
    {CLI_OPT_VALUE, "--passphrase-fd", "N", &nw_pass_fd, 0, 1,
     "encrypt the key with the passphrase read from descriptor N"},
    {CLI_OPT_SWITCH, "--ask-passphrase", NULL, &nw_ask, 0, 1,
     "encrypt the key with a passphrase typed at the terminal"},
    {CLI_OPT_VALUE, "--public-out", "FILE", &nw_public_out, 0, 0,
     "also write the public key (SubjectPublicKeyInfo PEM)"},
    {CLI_OPT_VALUE, "--jwk-out", "FILE", &nw_jwk_out, 0, 0,
     "also write the public key as a JWK (kid = its thumbprint)"},
    CLI_JSON_OPTION(&nw_json, "key-show.schema.json"),
};

static const struct cli_command new_cmd = {
    "key new",
    "--out FILE [--alg ed25519|es256] [--passphrase-fd N | --ask-passphrase] [--json]",
    "Create a signing key pair. The private key is written as PKCS#8 PEM with mode 0600;\n"
    "an existing file is never overwritten. With a passphrase the key is encrypted\n"
    "(PBES2: scrypt and AES-256-CBC). Passphrases never come from the command line.",
    new_opts,
    LIBRO_NELEM(new_opts),
    "Prints the key's algorithm, RFC 7638 thumbprint and (Ed25519) did:key; --json prints\n"
    "what 'libro key show --json' does, and the file written (out).\n"
    "Exit status: 0 created, 1 failed, 2 bad command line.",
};

static libro_code
write_public_files(const libro_key *k, const char *pem_path, const char *jwk_path, libro_error *err)
{
    libro_buf pem = LIBRO_BUF_INIT;
    struct key_facts f;
    libro_code rc = facts_collect(&f, k, err);

    if (rc == LIBRO_OK && pem_path != NULL) {
        rc = libro_key_public_pem(&pem, k, err);
        if (rc == LIBRO_OK) {
            rc = libro_file_write_new(pem_path, pem.data, pem.len, 0644, err);
        }
    }
    if (rc == LIBRO_OK && jwk_path != NULL) {
        rc = libro_buf_append(&f.jwk, "\n", 1, err);
        if (rc == LIBRO_OK) {
            rc = libro_file_write_new(jwk_path, f.jwk.data, f.jwk.len, 0644, err);
        }
    }
    libro_buf_free(&pem);
    facts_free(&f);
    return rc;
}

static libro_code
key_summary(libro_buf *out, const libro_key *k, const char *path, libro_error *err)
{
    struct key_facts f;
    libro_code rc = facts_collect(&f, k, err);

    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(
            out, err, "key:        %s\nalgorithm:  %s (JOSE %s)\nthumbprint: %s\n", path,
            libro_alg_name(libro_key_alg(k)), libro_alg_jose_name(libro_key_alg(k)), f.thumb);
    }
    if (rc == LIBRO_OK && f.did.len > 0) {
        rc = libro_buf_printf(out, err, "did:        %s\n", (const char *) f.did.data);
    }
    facts_free(&f);
    return rc;
}

static libro_code key_json(libro_buf *out, const libro_key *k, const char *path, libro_error *err);

static int
key_new(int argc, char **argv)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf pass = LIBRO_BUF_INIT;
    libro_buf summary = LIBRO_BUF_INIT;
    libro_key *k = NULL;
    libro_alg alg = LIBRO_ALG_ED25519;
    int code = cli_parse_command(&new_cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (nw_alg != NULL && libro_alg_from_name(&alg, nw_alg, &err) != LIBRO_OK) {
        return cli_command_usage(&new_cmd, "%s", err.msg);
    }
    code = CLI_EXIT_NO;
    if ((nw_pass_fd != NULL && cli_read_passphrase_fd(&pass, nw_pass_fd, &err) != LIBRO_OK) ||
        (nw_ask && cli_prompt_passphrase(&pass, "New passphrase: ", true, &err) != LIBRO_OK) ||
        libro_key_generate(&k, alg, &err) != LIBRO_OK ||
        libro_key_save_pem(k, nw_out, pass.len > 0 ? (const char *) pass.data : NULL, pass.len,
                           &err) != LIBRO_OK ||
        write_public_files(k, nw_public_out, nw_jwk_out, &err) != LIBRO_OK ||
        (nw_json ? key_json(&summary, k, nw_out, &err) : key_summary(&summary, k, nw_out, &err)) !=
            LIBRO_OK) {
        cli_report_json("key new", &err, nw_json);
        goto out;
    }
    fputs((const char *) summary.data, stdout);
    code = CLI_EXIT_OK;
out:
    libro_buf_free(&summary);
    libro_buf_free(&pass);
    libro_key_free(k);
    return cli_finish(code);
}

/* ---- key show ----------------------------------------------------------------------------- */

static const char *sh_pass_fd;
static bool sh_json;
static const char *sh_file;

static const struct cli_option show_opts[] = {
    {CLI_OPT_SWITCH, "--json", NULL, &sh_json, 0, 0,
     "print one JSON document (see schemas/cli/key-show.schema.json)"},
    {CLI_OPT_VALUE, "--passphrase-fd", "N", &sh_pass_fd, 0, 0,
     "read the passphrase of an encrypted key from descriptor N"},
    {CLI_OPT_ARG, "FILE", NULL, &sh_file, CLI_REQUIRED, 0, "the key"},
};

static const struct cli_command show_cmd = {
    "key show",
    "[--json] [--passphrase-fd N] FILE",
    "Show a key's public side: algorithm, public JWK, RFC 7638 thumbprint and, for Ed25519,\n"
    "its did:key. FILE is a PEM (private PKCS#8, encrypted or not, or public) or a public JWK.",
    show_opts,
    LIBRO_NELEM(show_opts),
    "Exit status: 0 shown, 1 the key could not be read, 2 bad command line.",
};

/* schemas/cli/key-show.schema.json; `path`: the file key new wrote (NULL for key show). */
static libro_code
key_json(libro_buf *out, const libro_key *k, const char *path, libro_error *err)
{
    struct key_facts f;
    libro_code rc = facts_collect(&f, k, err);

    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(
            out, err,
            "{\"ok\":true,\"alg\":\"%s\",\"jose_alg\":\"%s\",\"private\":%s,"
            "\"thumbprint\":\"%s\",\"jwk\":%s",
            libro_alg_name(libro_key_alg(k)), libro_alg_jose_name(libro_key_alg(k)),
            libro_key_has_private(k) ? "true" : "false", f.thumb, (const char *) f.jwk.data);
    }
    if (rc == LIBRO_OK && f.did.len > 0) {
        rc = libro_buf_printf(out, err, ",\"did\":\"%s\"", (const char *) f.did.data);
    }
    if (rc == LIBRO_OK && path != NULL) {
        rc = cli_json_member(out, "out", path, err);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(out, "}\n", err);
    }
    facts_free(&f);
    return rc;
}

static libro_code
key_text(libro_buf *out, const libro_key *k, libro_error *err)
{
    struct key_facts f;
    libro_code rc = facts_collect(&f, k, err);

    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(
            out, err, "algorithm:  %s (JOSE %s)\nprivate:    %s\nthumbprint: %s\n",
            libro_alg_name(libro_key_alg(k)), libro_alg_jose_name(libro_key_alg(k)),
            libro_key_has_private(k) ? "yes" : "no", f.thumb);
    }
    if (rc == LIBRO_OK && f.did.len > 0) {
        rc = libro_buf_printf(out, err, "did:        %s\n", (const char *) f.did.data);
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_printf(out, err, "jwk:        %s\n", (const char *) f.jwk.data);
    }
    facts_free(&f);
    return rc;
}

static int
key_show(int argc, char **argv)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf out = LIBRO_BUF_INIT;
    libro_key *k = NULL;
    int code = cli_parse_command(&show_cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    code = CLI_EXIT_NO;
    if (cli_load_key(&k, sh_file, sh_pass_fd, &err) != LIBRO_OK ||
        (sh_json ? key_json(&out, k, NULL, &err) : key_text(&out, k, &err)) != LIBRO_OK) {
        if (sh_json) {
            cli_json_error(&err);
        }
        cli_report("key", &err);
        goto out;
    }
    fputs((const char *) out.data, stdout);
    code = CLI_EXIT_OK;
out:
    libro_buf_free(&out);
    libro_key_free(k);
    return cli_finish(code);
}

/* ---- key public --------------------------------------------------------------------------- */

static bool pb_jwk;
static const char *pb_pass_fd;
static const char *pb_file;
static bool pb_json;

static const struct cli_option public_opts[] = {
    {CLI_OPT_SWITCH, "--jwk", NULL, &pb_jwk, 0, 0, "print a JWK (kid = thumbprint) instead of PEM"},
    CLI_JSON_OPTION(&pb_json, "key-public.schema.json"),
    {CLI_OPT_VALUE, "--passphrase-fd", "N", &pb_pass_fd, 0, 0,
     "read the passphrase of an encrypted key from descriptor N"},
    {CLI_OPT_ARG, "FILE", NULL, &pb_file, CLI_REQUIRED, 0, "the key"},
};

static const struct cli_command public_cmd = {
    "key public",
    "[--jwk | --json] [--passphrase-fd N] FILE",
    "Print the public key of FILE, as SubjectPublicKeyInfo PEM (default) or as a JWK,\n"
    "for giving to whoever verifies your signatures. --json prints the PEM in a document\n"
    "(the JWK is in 'libro key show --json').",
    public_opts,
    LIBRO_NELEM(public_opts),
    "Exit status: 0 printed, 1 the key could not be read, 2 bad command line.",
};

static int
key_public(int argc, char **argv)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf out = LIBRO_BUF_INIT;
    struct key_facts f = {{0}, LIBRO_BUF_INIT, LIBRO_BUF_INIT};
    libro_key *k = NULL;
    libro_code rc;
    int code = cli_parse_command(&public_cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (pb_jwk && pb_json) {
        return cli_command_usage(&public_cmd, "--jwk and --json: the JWK is in 'key show --json'");
    }
    code = CLI_EXIT_NO;
    rc = cli_load_key(&k, pb_file, pb_pass_fd, &err);
    if (rc == LIBRO_OK && pb_jwk) {
        rc = facts_collect(&f, k, &err);
        if (rc == LIBRO_OK) {
            rc = libro_buf_printf(&out, &err, "%s\n", (const char *) f.jwk.data);
        }
    } else if (rc == LIBRO_OK) {
        rc = libro_key_public_pem(&out, k, &err);
    }
    if (rc == LIBRO_OK && pb_json) {
        struct cli_json j;

        cli_json_begin(&j, &err);
        cli_json_str(&j, "pem", (const char *) out.data);
        rc = cli_json_end(&j);
    } else if (rc == LIBRO_OK) {
        fputs((const char *) out.data, stdout);
    }
    if (rc != LIBRO_OK) {
        cli_report_json("key", &err, pb_json);
        goto out;
    }
    code = CLI_EXIT_OK;
out:
    facts_free(&f);
    libro_buf_free(&out);
    libro_key_free(k);
    return cli_finish(code);
}

static const struct cli_cmd key_commands[] = {
    {"new", key_new, "create a key pair (Ed25519 or P-256) in a new PKCS#8 file"},
    {"show", key_show, "show a key's algorithm, JWK, thumbprint and did:key"},
    {"public", key_public, "print the public key as PEM or JWK"},
};

int
cmd_key(int argc, char **argv)
{
    return cli_dispatch_sub("key", key_commands, LIBRO_NELEM(key_commands), argc, argv);
}
