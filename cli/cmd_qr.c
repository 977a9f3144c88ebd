/* libro qr encode|decode: a credential to its LB2 QR code and back. */
#include <string.h>

#include "cmd.h"
#include "libro/lb1.h"
#include "libro/qr.h"
#include "libro/scan.h"
#include "libro/util.h"

static const char *en_png;
static const char *en_svg;
static bool en_terminal;
static bool en_invert;
static bool en_text;
static const char *en_ecc;
static const char *en_module;
static const char *en_credential;
static bool en_json;

static const struct cli_option encode_opts[] = {
    {CLI_OPT_VALUE, "--png", "FILE", &en_png, CLI_REQUIRED, 1, "write a PNG image"},
    {CLI_OPT_VALUE, "--svg", "FILE", &en_svg, CLI_REQUIRED, 1, "write an SVG image"},
    {CLI_OPT_SWITCH, "--terminal", NULL, &en_terminal, CLI_REQUIRED, 1,
     "draw the code on the terminal (UTF-8 blocks)"},
    {CLI_OPT_SWITCH, "--invert", NULL, &en_invert, 0, 0,
     "with --terminal: for light text on a dark background"},
    {CLI_OPT_SWITCH, "--text", NULL, &en_text, CLI_REQUIRED, 1,
     "print the LB2 text the code carries"},
    {CLI_OPT_VALUE, "--ecc", "LEVEL", &en_ecc, 0, 0, "error correction: L, M (default), Q or H"},
    {CLI_OPT_VALUE, "--module", "PX", &en_module, 0, 0,
     "pixels per module for PNG and SVG (default 8)"},
    CLI_JSON_OPTION(&en_json, "qr.schema.json"),
    {CLI_OPT_ARG, "CREDENTIAL", NULL, &en_credential, CLI_REQUIRED, 0, "the credential"},
};

static const struct cli_command encode_cmd = {
    "qr encode",
    "(--png FILE | --svg FILE | --terminal [--invert] | --text) [--ecc L|M|Q|H] [--module PX]\n"
    "       [--json] CREDENTIAL",
    "Pack a credential (a compact JWS file, '-' for stdin) into the LB2 transport and render\n"
    "it as a QR code. The QR version and size are reported on stderr (with --json, which\n"
    "goes with --png or --svg, on stdout as well).",
    encode_opts,
    LIBRO_NELEM(encode_opts),
    "Exit status: 0 written, 1 failed, 2 bad command line.",
};

static libro_code
parse_qr_options(libro_qr_options *opt, const char *ecc, const char *module, libro_error *err)
{
    uint64_t px = 0;

    if (ecc != NULL) {
        if (strlen(ecc) != 1 || strchr("LMQH", ecc[0]) == NULL) {
            return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "--ecc: want L, M, Q or H");
        }
        opt->ecc = ecc[0];
    }
    if (module != NULL) {
        if (libro_parse_u64(&px, module, strlen(module), 64, err) != LIBRO_OK || px == 0) {
            return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "--module: want 1 to 64");
        }
        opt->module_px = (unsigned) px;
    }
    return LIBRO_OK;
}

static int
qr_encode(int argc, char **argv)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_qr_options opt = LIBRO_QR_OPTIONS_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf img = LIBRO_BUF_INIT;
    libro_qr_format fmt;
    const char *path = NULL;
    int version = 0;
    int code = cli_parse_command(&encode_cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (en_invert && !en_terminal) {
        return cli_command_usage(&encode_cmd, "--invert goes with --terminal");
    }
    if (en_json && en_png == NULL && en_svg == NULL) {
        return cli_command_usage(&encode_cmd, "--json goes with --png FILE or --svg FILE");
    }
    if (parse_qr_options(&opt, en_ecc, en_module, &err) != LIBRO_OK) {
        return cli_command_usage(&encode_cmd, "%s", err.msg);
    }
    code = CLI_EXIT_NO;
    if (cli_read_token(&jws, en_credential, &err) != LIBRO_OK ||
        libro_lb1_encode(&text, (const char *) jws.data, jws.len, &err) != LIBRO_OK) {
        goto out_report;
    }
    if (en_text) {
        printf("%s\n", (const char *) text.data);
        code = CLI_EXIT_OK;
        goto out;
    }
    fmt = en_png != NULL   ? LIBRO_QR_PNG
          : en_svg != NULL ? LIBRO_QR_SVG
          : en_invert      ? LIBRO_QR_TERMINAL_INVERTED
                           : LIBRO_QR_TERMINAL;
    path = en_png != NULL ? en_png : en_svg != NULL ? en_svg : "-";
    if (libro_qr_render(&img, &version, (const char *) text.data, text.len, fmt, &opt, &err) !=
            LIBRO_OK ||
        cli_write_output(path, img.data, img.len, &err) != LIBRO_OK) {
        goto out_report;
    }
    fprintf(stderr, "libro: QR code version %d, level %c, %zu characters of LB2 text\n", version,
            opt.ecc, text.len);
    if (en_json) {
        struct cli_json j;
        char ecc[2] = {opt.ecc, '\0'};

        cli_json_begin(&j, &err);
        cli_json_str(&j, "out", path);
        cli_json_int(&j, "version", version);
        cli_json_str(&j, "ecc", ecc);
        cli_json_int(&j, "characters", (int64_t) text.len);
        if (cli_json_end(&j) != LIBRO_OK) {
            goto out_report;
        }
    }
    code = CLI_EXIT_OK;
    goto out;
out_report:
    cli_report_json("qr encode", &err, en_json);
out:
    libro_buf_free(&jws);
    libro_buf_free(&text);
    libro_buf_free(&img);
    return cli_finish(code);
}

static bool de_jws;
static const char *de_image;
static bool de_json;

static const struct cli_option decode_opts[] = {
    {CLI_OPT_SWITCH, "--jws", NULL, &de_jws, 0, 0,
     "print the compact JWS the code carries instead of its text"},
    CLI_JSON_OPTION(&de_json, "qr.schema.json"),
    {CLI_OPT_ARG, "IMAGE", NULL, &de_image, CLI_REQUIRED, 0, "the image"},
};

static const struct cli_command decode_cmd = {
    "qr decode",
    "[--jws] [--json] IMAGE",
    "Find the libro QR code in an image (PNG, JPEG, PPM or PGM) and print its text.",
    decode_opts,
    LIBRO_NELEM(decode_opts),
    "Exit status: 0 printed, 1 unreadable or not a libro code, 2 bad command line,\n"
    "8 no QR code found in the image.",
};

static int
qr_decode(int argc, char **argv)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_image *img = NULL;
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_code rc;
    int code = cli_parse_command(&decode_cmd, argc, argv);

    if (code >= 0) {
        return code;
    }
    code = CLI_EXIT_NO;
    rc = libro_image_load(&img, de_image, &err);
    if (rc == LIBRO_OK) {
        rc = libro_scan_image(&text, img, &err);
    }
    if (rc == LIBRO_OK && de_jws) {
        rc = libro_scan_text(&jws, (const char *) text.data, text.len, &err);
    }
    if (rc != LIBRO_OK) {
        cli_report_json("qr decode", &err, de_json);
        code = rc == LIBRO_ERR_NO_QR ? 8 : CLI_EXIT_NO;
        goto out;
    }
    if (de_json) {
        struct cli_json j;

        cli_json_begin(&j, &err);
        cli_json_str(&j, "text", (const char *) text.data);
        cli_json_str(&j, "jws", de_jws ? (const char *) jws.data : NULL);
        if (cli_json_end(&j) != LIBRO_OK) {
            cli_report_json("qr decode", &err, de_json);
            goto out;
        }
    } else {
        printf("%s\n", (const char *) (de_jws ? jws.data : text.data));
    }
    code = CLI_EXIT_OK;
out:
    libro_image_free(img);
    libro_buf_free(&text);
    libro_buf_free(&jws);
    return cli_finish(code);
}

static const struct cli_cmd qr_commands[] = {
    {"encode", qr_encode, "render a credential as an LB2 QR code"},
    {"decode", qr_decode, "read the libro QR code in an image"},
};

int
cmd_qr(int argc, char **argv)
{
    return cli_dispatch_sub("qr", qr_commands, LIBRO_NELEM(qr_commands), argc, argv);
}
