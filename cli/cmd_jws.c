/* libro jws sign|verify: compact JWS (RFC 7515) with the key deciding the algorithm. */
#include <string.h>

#include "cmd.h"
#include "libro/encoding.h"
#include "libro/file.h"
#include "libro/json.h"
#include "libro/jws.h"
#include "libro/limits.h"

/* ---- jws sign ----------------------------------------------------------------------------- */

static const char *sg_key;
static const char *sg_kid;
static const char *sg_typ;
static const char *sg_pass_fd;
static const char *sg_payload;
static bool sg_json;

static const struct cli_option sign_opts[] = {
    {CLI_OPT_VALUE, "--key", "FILE", &sg_key, CLI_REQUIRED, 0,
     "private key file (PKCS#8 PEM, from 'libro key new')"},
    {CLI_OPT_VALUE, "--kid", "KID", &sg_kid, 0, 0,
     "key id for the protected header (e.g. did:example:town#<thumbprint>)"},
    {CLI_OPT_VALUE, "--typ", "TYP", &sg_typ, 0, 0,
     "media type for the protected header (e.g. vc+jwt)"},
    {CLI_OPT_VALUE, "--passphrase-fd", "N", &sg_pass_fd, 0, 0,
     "read the key's passphrase from descriptor N"},
    CLI_JSON_OPTION(&sg_json, "jws-sign.schema.json"),
    {CLI_OPT_ARG, "PAYLOAD_FILE", NULL, &sg_payload, CLI_REQUIRED, 0, "the payload"},
};

static const struct cli_command sign_cmd = {
    "jws sign",
    "--key FILE [--kid KID] [--typ TYP] [--passphrase-fd N] [--json] PAYLOAD_FILE|-",
    "Sign the bytes of PAYLOAD_FILE (or standard input) as a compact JWS and print it.\n"
    "The protected header is {\"alg\",\"kid\",\"typ\"}; alg follows the key: EdDSA for\n"
    "Ed25519, ES256 for P-256. The payload may be at most 8 KiB.",
    sign_opts,
    LIBRO_NELEM(sign_opts),
    "Exit status: 0 signed, 1 failed, 2 bad command line.",
};

static int
jws_sign(int argc, char **argv)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf payload = LIBRO_BUF_INIT;
    libro_buf token = LIBRO_BUF_INIT;
    libro_key *k = NULL;
    int code = cli_parse_command(&sign_cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    code = CLI_EXIT_NO;
    if (cli_load_key(&k, sg_key, sg_pass_fd, &err) != LIBRO_OK) {
        cli_report_json("key", &err, sg_json);
        goto out;
    }
    if (libro_file_read(&payload, sg_payload, LIBRO_MAX_PAYLOAD_FILE_BYTES, false, &err) !=
        LIBRO_OK) {
        cli_report_json("payload", &err, sg_json);
        goto out;
    }
    if (libro_jws_sign_compact(&token, k, sg_kid, sg_typ, payload.data, payload.len, &err) !=
        LIBRO_OK) {
        cli_report_json("jws sign", &err, sg_json);
        goto out;
    }
    if (sg_json) {
        struct cli_json j;

        cli_json_begin(&j, &err);
        cli_json_str(&j, "jws", (const char *) token.data);
        if (cli_json_end(&j) != LIBRO_OK) {
            cli_report_json("jws sign", &err, sg_json);
            goto out;
        }
    } else {
        printf("%s\n", (const char *) token.data);
    }
    code = CLI_EXIT_OK;
out:
    libro_buf_free(&payload);
    libro_buf_free(&token);
    libro_key_free(k);
    return cli_finish(code);
}

/* ---- jws verify --------------------------------------------------------------------------- */

static const char *vf_key;
static const char *vf_typ;
static bool vf_json;
static const char *vf_pass_fd;
static const char *vf_token;

static const struct cli_option verify_opts[] = {
    {CLI_OPT_VALUE, "--key", "FILE", &vf_key, CLI_REQUIRED, 0,
     "the signer's public key: PEM (public or private) or JWK"},
    {CLI_OPT_VALUE, "--typ", "TYP", &vf_typ, 0, 0, "require this typ in the protected header"},
    {CLI_OPT_SWITCH, "--json", NULL, &vf_json, 0, 0,
     "print one JSON document (see schemas/cli/jws-verify.schema.json)"},
    {CLI_OPT_VALUE, "--passphrase-fd", "N", &vf_pass_fd, 0, 0,
     "passphrase, when --key is an encrypted private key"},
    {CLI_OPT_ARG, "TOKEN_FILE", NULL, &vf_token, 0, 0, "the token (default: standard input)"},
};

static const struct cli_command verify_cmd = {
    "jws verify",
    "--key FILE [--typ TYP] [--json] [TOKEN_FILE|-]",
    "Verify a compact JWS from TOKEN_FILE (or standard input) with the given key and print\n"
    "its payload. The algorithm is the key's (EdDSA or ES256), never the header's choice;\n"
    "alg none, HMAC and RSA, any 'crit', and keys embedded in the header (jwk, jku, x5u,\n"
    "x5c) are refused. Surrounding whitespace in the token file is ignored.",
    verify_opts,
    LIBRO_NELEM(verify_opts),
    "Exit status: 0 valid (payload printed), 1 invalid or unreadable (reason on stderr),\n"
    "2 bad command line.",
};

static void
trim_space(const unsigned char **p, size_t *len)
{
    while (*len > 0 && strchr(" \t\r\n", (*p)[0]) != NULL) {
        (*p)++;
        (*len)--;
    }
    while (*len > 0 && strchr(" \t\r\n", (*p)[*len - 1]) != NULL) {
        (*len)--;
    }
}

static libro_code
verify_json_result(libro_buf *out, const libro_jws *jws, libro_error *err)
{
    size_t len = 0;
    const unsigned char *payload = libro_jws_payload(jws, &len);
    const char *kid = libro_jws_kid(jws);
    const char *typ = libro_jws_typ(jws);
    libro_code rc;

    rc = libro_buf_append_str(out, "{\"ok\":true,\"alg\":", err);
    if (rc == LIBRO_OK) {
        rc = cli_json_string(out, libro_jws_alg(jws), err);
    }
    if (rc == LIBRO_OK && kid != NULL) {
        rc = libro_buf_append_str(out, ",\"kid\":", err);
        if (rc == LIBRO_OK) {
            rc = cli_json_string(out, kid, err);
        }
    }
    if (rc == LIBRO_OK && typ != NULL) {
        rc = libro_buf_append_str(out, ",\"typ\":", err);
        if (rc == LIBRO_OK) {
            rc = cli_json_string(out, typ, err);
        }
    }
    if (rc != LIBRO_OK) {
        return rc;
    }
    /* A JSON payload is embedded as it is (less surrounding whitespace, so that the output
     * stays one line); anything else as base64url. */
    if (libro_json_check((const char *) payload, len, NULL, NULL) == LIBRO_OK) {
        trim_space(&payload, &len);
        rc = libro_buf_append_str(out, ",\"payload\":", err);
        if (rc == LIBRO_OK) {
            rc = libro_buf_append(out, payload, len, err);
        }
    } else {
        rc = libro_buf_append_str(out, ",\"payload_b64url\":\"", err);
        if (rc == LIBRO_OK) {
            rc = libro_b64url_encode(out, payload, len, err);
        }
        if (rc == LIBRO_OK) {
            rc = libro_buf_append_str(out, "\"", err);
        }
    }
    if (rc == LIBRO_OK) {
        rc = libro_buf_append_str(out, "}\n", err);
    }
    return rc;
}

static libro_code
verify_token(libro_buf *out, const char *token_path, const libro_key *k, const char *typ, bool json,
             libro_error *err)
{
    libro_buf raw = LIBRO_BUF_INIT;
    libro_jws *jws = NULL;
    const unsigned char *p;
    const unsigned char *payload;
    size_t len;
    libro_code rc;

    /* Allow a little whitespace around a token of maximal size. */
    rc = libro_file_read(&raw, token_path, LIBRO_MAX_TOKEN_BYTES + 64, false, err);
    if (rc != LIBRO_OK) {
        goto out;
    }
    p = raw.data;
    len = raw.len;
    trim_space(&p, &len);
    rc = libro_jws_parse(&jws, (const char *) p, len, err);
    if (rc == LIBRO_OK) {
        rc = libro_jws_verify(jws, k, err);
    }
    if (rc == LIBRO_OK && typ != NULL &&
        (libro_jws_typ(jws) == NULL || strcmp(libro_jws_typ(jws), typ) != 0)) {
        rc = libro_error_set(err, LIBRO_ERR_PARSE, "jws: typ is not \"%.64s\"", typ);
    }
    if (rc != LIBRO_OK) {
        goto out;
    }
    if (json) {
        rc = verify_json_result(out, jws, err);
    } else {
        payload = libro_jws_payload(jws, &len);
        rc = libro_buf_append(out, payload, len, err);
    }
out:
    libro_jws_free(jws);
    libro_buf_free(&raw);
    return rc;
}

static int
jws_verify(int argc, char **argv)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf out = LIBRO_BUF_INIT;
    libro_key *k = NULL;
    int code = cli_parse_command(&verify_cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    code = CLI_EXIT_NO;
    /* The key's messages name its file; a token's failure is the answer "invalid". */
    if (cli_load_key(&k, vf_key, vf_pass_fd, &err) != LIBRO_OK) {
        libro_error_prefix(&err, "key");
    } else if (verify_token(&out, vf_token != NULL ? vf_token : "-", k, vf_typ, vf_json, &err) ==
               LIBRO_OK) {
        code = CLI_EXIT_OK;
    } else {
        libro_error_prefix(&err, "invalid");
    }
    if (code != CLI_EXIT_OK) {
        if (vf_json) {
            cli_json_error(&err);
        }
        cli_report(NULL, &err);
    } else {
        fwrite(out.data, 1, out.len, stdout);
    }
    libro_buf_free(&out);
    libro_key_free(k);
    return cli_finish(code);
}

static const struct cli_cmd jws_commands[] = {
    {"sign", jws_sign, "sign a payload as a compact JWS"},
    {"verify", jws_verify, "verify a compact JWS and print its payload"},
};

int
cmd_jws(int argc, char **argv)
{
    return cli_dispatch_sub("jws", jws_commands, LIBRO_NELEM(jws_commands), argc, argv);
}
