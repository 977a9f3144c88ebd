/* Offline verification of a license from its LB2 text, credentials per second on one core,
 * against the raw libsodium Ed25519 verify rate on a message of the same length, measured in
 * the same run; and the median time from a PNG file to a verdict.
 *
 *   bench_verify [ROUNDS [MILLISECONDS_PER_ROUND]]      (defaults: 7 rounds of 300 ms)
 *
 * The chain is the journey's: a self-chartered town (anchor) -> an issuer authorization -> a
 * license, with the trust store loaded once, as a verifier that scans many codes would. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"
#include "libro/file.h"
#include "libro/issuer.h"
#include "libro/jws.h"
#include "libro/lb1.h"
#include "libro/qr.h"
#include "libro/scan.h"
#include "libro/util.h"
#include "libro/verifier.h"

#define T0 1780000000 /* 2026-05-28: every credential below is valid around it */
#define DAY 86400

struct ctx {
    libro_trust *trust;
    libro_buf lb1;
    libro_buf jws;
    char png_path[256];
    unsigned char msg[2048];
    size_t msg_len;
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    unsigned char sig[crypto_sign_BYTES];
};

/* Sign `c` with `k` into `out`, then release `c`. */
static void
sign(libro_buf *out, libro_credential *c, const libro_key *k)
{
    libro_error err = LIBRO_ERROR_INIT;

    if (libro_issuer_sign(out, c, k, &err) != LIBRO_OK) {
        bench_die("sign", &err);
    }
    libro_credential_free(c);
}

static void
build_world(struct ctx *x, const char *dir)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *town = NULL;
    libro_key *board = NULL;
    libro_credential *c = NULL;
    libro_buf charter = LIBRO_BUF_INIT;
    libro_buf auth = LIBRO_BUF_INIT;

    if (libro_key_generate(&town, LIBRO_ALG_ED25519, &err) != LIBRO_OK ||
        libro_key_generate(&board, LIBRO_ALG_ED25519, &err) != LIBRO_OK ||
        libro_credential_new(&c, LIBRO_CRED_CHARTER, &err) != LIBRO_OK) {
        bench_die("keys", &err);
    }
    c->issuer = bench_strdup("urn:libro:town-7");
    c->subject_id = bench_strdup("urn:libro:town-7");
    c->name = bench_strdup("Town 7");
    c->level = 2;
    c->allowed_types = bench_list1("nursing-general");
    c->n_allowed = 1;
    c->valid_from = T0 - 365 * DAY;
    c->valid_until = T0 + 3650 * DAY;
    if (libro_key_public(&c->subject_key, town, &err) != LIBRO_OK) {
        bench_die("key", &err);
    }
    sign(&charter, c, town);

    if (libro_credential_new(&c, LIBRO_CRED_ISSUER_AUTH, &err) != LIBRO_OK) {
        bench_die("credential", &err);
    }
    c->issuer = bench_strdup("urn:libro:town-7");
    c->subject_id = bench_strdup("urn:libro:town-7:health-board");
    c->name = bench_strdup("Town 7 Health Board");
    c->grants = libro_calloc(1, sizeof *c->grants);
    if (c->grants == NULL) {
        bench_die("out of memory", NULL);
    }
    c->grants[0].id = bench_strdup("nursing-general");
    c->grants[0].validity_days = 1095;
    c->n_grants = 1;
    c->valid_from = T0 - 300 * DAY;
    c->valid_until = T0 + 1800 * DAY;
    if (libro_key_public(&c->subject_key, board, &err) != LIBRO_OK) {
        bench_die("key", &err);
    }
    sign(&auth, c, town);

    if (libro_credential_new(&c, LIBRO_CRED_LICENSE, &err) != LIBRO_OK) {
        bench_die("credential", &err);
    }
    c->issuer = bench_strdup("urn:libro:town-7:health-board");
    c->subject_id = bench_strdup("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK");
    c->name = bench_strdup("Ada Example");
    c->license_number = bench_strdup("T7-N-000123");
    c->profession = bench_strdup("registered nurse");
    c->license_type = bench_strdup("nursing-general");
    c->scope = libro_calloc(2, sizeof *c->scope);
    if (c->scope == NULL) {
        bench_die("out of memory", NULL);
    }
    c->scope[0] = bench_strdup("general care");
    c->scope[1] = bench_strdup("medication administration");
    c->n_scope = 2;
    c->community_id = bench_strdup("urn:libro:town-7");
    c->community_level = 2;
    c->valid_from = T0 - 30 * DAY;
    c->valid_until = T0 + 1000 * DAY;
    sign(&x->jws, c, board);

    if (libro_trust_open(&x->trust, dir, &err) != LIBRO_OK ||
        libro_trust_add_anchor(x->trust, (const char *) charter.data, charter.len, NULL, NULL,
                               &err) != LIBRO_OK ||
        libro_trust_add(x->trust, (const char *) auth.data, auth.len, &err) != LIBRO_OK ||
        libro_lb1_encode(&x->lb1, (const char *) x->jws.data, x->jws.len, &err) != LIBRO_OK) {
        bench_die("trust store", &err);
    }
    libro_buf_free(&charter);
    libro_buf_free(&auth);
    libro_key_free(town);
    libro_key_free(board);
}

static int
verify_lb1_op(void *p)
{
    struct ctx *x = p;
    libro_verify_options opt = LIBRO_VERIFY_OPTIONS_INIT(T0);
    libro_buf jws = LIBRO_BUF_INIT;
    libro_verification *v = NULL;
    int rc = -1;

    if (libro_scan_text(&jws, (const char *) x->lb1.data, x->lb1.len, NULL) == LIBRO_OK &&
        libro_verify_license(&v, x->trust, (const char *) jws.data, jws.len, &opt, NULL) ==
            LIBRO_OK &&
        v->outcome == LIBRO_VALID) {
        rc = 0;
    }
    libro_verification_free(v);
    libro_buf_free(&jws);
    return rc;
}

static int
sodium_verify_op(void *p)
{
    struct ctx *x = p;

    return crypto_sign_verify_detached(x->sig, x->msg, x->msg_len, x->pk);
}

static int
png_to_verdict_op(void *p)
{
    struct ctx *x = p;
    libro_image *img = NULL;
    libro_buf text = LIBRO_BUF_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_verify_options opt = LIBRO_VERIFY_OPTIONS_INIT(T0);
    libro_verification *v = NULL;
    int rc = -1;

    if (libro_image_load(&img, x->png_path, NULL) == LIBRO_OK &&
        libro_scan_image(&text, img, NULL) == LIBRO_OK &&
        libro_scan_text(&jws, (const char *) text.data, text.len, NULL) == LIBRO_OK &&
        libro_verify_license(&v, x->trust, (const char *) jws.data, jws.len, &opt, NULL) ==
            LIBRO_OK &&
        v->outcome == LIBRO_VALID) {
        rc = 0;
    }
    libro_verification_free(v);
    libro_buf_free(&jws);
    libro_buf_free(&text);
    libro_image_free(img);
    return rc;
}

static void
write_png(struct ctx *x, const char *dir)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_qr_options opt = LIBRO_QR_OPTIONS_INIT;
    libro_buf png = LIBRO_BUF_INIT;
    int version = 0;
    int n = snprintf(x->png_path, sizeof x->png_path, "%s/license.png", dir);

    if (n < 0 || (size_t) n >= sizeof x->png_path) {
        bench_die("path too long", NULL);
    }
    opt.module_px = 6;
    if (libro_qr_render(&png, &version, (const char *) x->lb1.data, x->lb1.len, LIBRO_QR_PNG, &opt,
                        &err) != LIBRO_OK ||
        libro_file_write_new(x->png_path, png.data, png.len, 0644, &err) != LIBRO_OK) {
        bench_die("png", &err);
    }
    printf("license: %zu bytes JWS, %zu characters LB2, QR version %d at level M, PNG %zu "
           "bytes (6 px modules)\n",
           x->jws.len, x->lb1.len, version, png.len);
    libro_buf_free(&png);
}

int
main(int argc, char **argv)
{
    struct ctx x;
    char dir[] = "/tmp/libro-bench-XXXXXX";
    uint64_t rounds = 7;
    uint64_t ms = 300;
    double secs;
    double lv;
    double sv;
    double png_rate;
    const char *dot;

    bench_name = "bench_verify";
    if ((argc > 1 && libro_parse_u64(&rounds, argv[1], strlen(argv[1]), 31, NULL) != LIBRO_OK) ||
        (argc > 2 && libro_parse_u64(&ms, argv[2], strlen(argv[2]), 60000, NULL) != LIBRO_OK) ||
        rounds == 0) {
        fprintf(stderr, "usage: bench_verify [ROUNDS (1-31) [MILLISECONDS_PER_ROUND]]\n");
        return 2;
    }
    secs = (double) ms / 1000.0;
    memset(&x, 0, sizeof x);
    if (sodium_init() < 0 || mkdtemp(dir) == NULL) {
        bench_die("setup", NULL);
    }
    build_world(&x, dir);
    write_png(&x, dir);
    /* The raw comparison: one Ed25519 verify of a message as long as the license's signing
     * input (the JWS without its signature segment). */
    dot = strrchr((const char *) x.jws.data, '.');
    x.msg_len = (size_t) (dot - (const char *) x.jws.data);
    if (x.msg_len > sizeof x.msg) {
        bench_die("signing input too long", NULL);
    }
    memcpy(x.msg, x.jws.data, x.msg_len);
    crypto_sign_keypair(x.pk, x.sk);
    crypto_sign_detached(x.sig, NULL, x.msg, x.msg_len, x.sk);

    printf("median of %u rounds of %.2f s, one core\n\n", (unsigned) rounds, secs);
    lv = bench_rate(verify_lb1_op, &x, (unsigned) rounds, secs);
    sv = bench_rate(sodium_verify_op, &x, (unsigned) rounds, secs);
    png_rate = bench_rate(png_to_verdict_op, &x, (unsigned) rounds, secs);
    printf("%-52s %10s %10s\n", "operation", "ops/s", "vs sodium");
    printf("%-52s %10.0f %10.2f\n", "LB2 text -> verdict (decode, chain, signature, time)", lv,
           lv / sv);
    printf("%-52s %10.0f %10.2f\n", "raw libsodium crypto_sign_verify_detached", sv, 1.0);
    printf("%-52s %10.0f %10.2f\n", "PNG file -> verdict (load, zbar scan, verify)", png_rate,
           png_rate / sv);
    printf("\noffline verification / raw Ed25519 verify = %.2f (goal >= 0.8)\n", lv / sv);
    printf("median PNG file to verdict: %.2f ms\n", 1000.0 / png_rate);

    libro_trust_free(x.trust);
    libro_buf_free(&x.lb1);
    libro_buf_free(&x.jws);
    sodium_memzero(x.sk, sizeof x.sk);
    (void) unlink(x.png_path);
    return 0;
}
