/* libro qr encode|decode: a credential to its LB1 QR code and back. */
#include <string.h>

#include "cmd.h"
#include "libro/lb1.h"
#include "libro/qr.h"
#include "libro/scan.h"
#include "libro/util.h"

static const struct cli_opt encode_opts[] = {
    {"--png", "FILE", "write a PNG image", false},
    {"--svg", "FILE", "write an SVG image", false},
    {"--terminal", NULL, "draw the code on the terminal (UTF-8 blocks)", false},
    {"--invert", NULL, "with --terminal: for light text on a dark background", false},
    {"--text", NULL, "print the LB1 text the code carries", false},
    {"--ecc", "LEVEL", "error correction: L, M (default), Q or H", false},
    {"--module", "PX", "pixels per module for PNG and SVG (default 8)", false},
};

static const struct cli_spec encode_spec = {
    "qr encode",
    "(--png FILE | --svg FILE | --terminal [--invert] | --text) [--ecc L|M|Q|H] [--module PX]\n"
    "       CREDENTIAL",
    "Pack a credential (a compact JWS file, '-' for stdin) into the LB1 transport and render\n"
    "it as a QR code. The QR version and size are reported on stderr.",
    encode_opts,
    LIBRO_NELEM(encode_opts),
    1,
    1,
    "Exit status: 0 written, 1 failed, 2 bad command line.",
};

static int
count_formats(const struct cli_args *a)
{
    return (cli_has(a, &encode_spec, "--png") ? 1 : 0) +
           (cli_has(a, &encode_spec, "--svg") ? 1 : 0) +
           (cli_has(a, &encode_spec, "--terminal") ? 1 : 0) +
           (cli_has(a, &encode_spec, "--text") ? 1 : 0);
}

static libro_code
parse_qr_options(libro_qr_options *opt, const struct cli_args *a, libro_error *err)
{
    const char *ecc = cli_get(a, &encode_spec, "--ecc");
    const char *module = cli_get(a, &encode_spec, "--module");
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
    struct cli_args a;
    libro_error err = LIBRO_ERROR_INIT;
    libro_qr_options opt = LIBRO_QR_OPTIONS_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf img = LIBRO_BUF_INIT;
    libro_qr_format fmt;
    const char *path = NULL;
    int version = 0;
    int code = cli_parse(&a, &encode_spec, argc, argv);

    if (code >= 0) {
        return code;
    }
    if (count_formats(&a) != 1) {
        return cli_usage_error(&encode_spec, "choose one of --png, --svg, --terminal, --text");
    }
    if (cli_has(&a, &encode_spec, "--invert") && !cli_has(&a, &encode_spec, "--terminal")) {
        return cli_usage_error(&encode_spec, "--invert goes with --terminal");
    }
    if (parse_qr_options(&opt, &a, &err) != LIBRO_OK) {
        return cli_usage_error(&encode_spec, "%s", err.msg);
    }
    code = CLI_EXIT_NO;
    if (cli_read_token(&jws, a.positional[0], &err) != LIBRO_OK ||
        libro_lb1_encode(&text, (const char *) jws.data, jws.len, &err) != LIBRO_OK) {
        goto out_report;
    }
    if (cli_has(&a, &encode_spec, "--text")) {
        printf("%s\n", (const char *) text.data);
        code = CLI_EXIT_OK;
        goto out;
    }
    fmt = cli_has(&a, &encode_spec, "--png")      ? LIBRO_QR_PNG
          : cli_has(&a, &encode_spec, "--svg")    ? LIBRO_QR_SVG
          : cli_has(&a, &encode_spec, "--invert") ? LIBRO_QR_TERMINAL_INVERTED
                                                  : LIBRO_QR_TERMINAL;
    path = fmt == LIBRO_QR_PNG   ? cli_get(&a, &encode_spec, "--png")
           : fmt == LIBRO_QR_SVG ? cli_get(&a, &encode_spec, "--svg")
                                 : "-";
    if (libro_qr_render(&img, &version, (const char *) text.data, text.len, fmt, &opt, &err) !=
            LIBRO_OK ||
        cli_write_output(path, img.data, img.len, &err) != LIBRO_OK) {
        goto out_report;
    }
    fprintf(stderr, "libro: QR code version %d, level %c, %zu characters of LB1 text\n", version,
            opt.ecc, text.len);
    code = CLI_EXIT_OK;
    goto out;
out_report:
    cli_report("qr encode", &err);
out:
    libro_buf_free(&jws);
    libro_buf_free(&text);
    libro_buf_free(&img);
    return cli_finish(code);
}

static const struct cli_opt decode_opts[] = {
    {"--jws", NULL, "print the compact JWS the code carries instead of its text", false},
};

static const struct cli_spec decode_spec = {
    "qr decode",
    "[--jws] IMAGE",
    "Find the libro QR code in an image (PNG, JPEG, PPM or PGM) and print its text.",
    decode_opts,
    LIBRO_NELEM(decode_opts),
    1,
    1,
    "Exit status: 0 printed, 1 unreadable or not a libro code, 2 bad command line,\n"
    "8 no QR code found in the image.",
};

static int
qr_decode(int argc, char **argv)
{
    struct cli_args a;
    libro_error err = LIBRO_ERROR_INIT;
    libro_image *img = NULL;
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_code rc;
    int code = cli_parse(&a, &decode_spec, argc, argv);

    if (code >= 0) {
        return code;
    }
    code = CLI_EXIT_NO;
    rc = libro_image_load(&img, a.positional[0], &err);
    if (rc == LIBRO_OK) {
        rc = libro_scan_image(&text, img, &err);
    }
    if (rc == LIBRO_OK && cli_has(&a, &decode_spec, "--jws")) {
        rc = libro_scan_text(&jws, (const char *) text.data, text.len, &err);
    }
    if (rc != LIBRO_OK) {
        cli_report("qr decode", &err);
        code = rc == LIBRO_ERR_NO_QR ? 8 : CLI_EXIT_NO;
        goto out;
    }
    printf("%s\n", (const char *) (cli_has(&a, &decode_spec, "--jws") ? jws.data : text.data));
    code = CLI_EXIT_OK;
out:
    libro_image_free(img);
    libro_buf_free(&text);
    libro_buf_free(&jws);
    return cli_finish(code);
}

static const struct cli_cmd qr_commands[] = {
    {"encode", qr_encode, "render a credential as an LB1 QR code"},
    {"decode", qr_decode, "read the libro QR code in an image"},
};

int
cmd_qr(int argc, char **argv)
{
    return cli_dispatch_sub("qr", qr_commands, LIBRO_NELEM(qr_commands), argc, argv);
}
