/* Offline verification of a license from its LB2 text against one raw Ed25519 verify of a
 * message as long as the license's signing input, by libsodium and by OpenSSL, measured in the
 * same run: each round times every operation in turn on this thread's CPU time
 * (CLOCK_THREAD_CPUTIME_ID), and the figure is the median over the rounds of the round's ratio
 * (libro's rate / the reference's rate). Two licenses: a registry-issued one, whose
 * credentialStatus names a revocation and a suspension list (131,072 entries each, 1% of the
 * bits set, both cached in the trust store as libro sync leaves them), and one without
 * credentialStatus, each given as LB2 text to libro_verify_document (which decodes it straight
 * into the parsed JWS); the first also through its compact JWS (libro_scan_text, then
 * libro_verify_license). Then the median time from a PNG file to a verdict (wall clock).
 *
 *   bench_verify [ROUNDS [MILLISECONDS_PER_ROUND]]      (defaults: 15 rounds of 200 ms)
 *   bench_verify --profile N     N verifications of the license with status and nothing else,
 *                                for a profiler (valgrind --tool=callgrind)
 *
 * The chain is the journey's: a self-chartered town (anchor) -> an issuer authorization -> a
 * license, and the town's registry authorization for the lists, with the trust store loaded
 * once, as a verifier that scans many codes would. */
#include <openssl/evp.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "libro/file.h"
#include "libro/issuer.h"
#include "libro/jws.h"
#include "libro/lb1.h"
#include "libro/qr.h"
#include "libro/scan.h"
#include "libro/statuslist.h"
#include "libro/util.h"
#include "libro/verifier.h"

#define T0 1780000000 /* 2026-05-28: every credential below is valid around it */
#define DAY 86400
#define REGISTRY_URL "https://registry.town-7.example"
#define URL_REV REGISTRY_URL "/v1/status/0/revocation"
#define URL_SUS REGISTRY_URL "/v1/status/0/suspension"
#define LICENSE_INDEX 94567u /* the license's entry: not among the bits set */

struct ctx {
    libro_trust *trust;
    libro_buf lb1;       /* the license with credentialStatus, as LB2 text */
    libro_buf jws;       /* ... as its compact JWS */
    libro_buf lb1_plain; /* the license without credentialStatus */
    libro_buf jws_plain;
    char png_path[256];
    unsigned char msg[2048];
    size_t msg_len;
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    unsigned char sig[crypto_sign_BYTES];
    EVP_PKEY *ossl_pk;
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

/* A list of `purpose` at `url`, 131,072 entries with 1% of them set (never the license's),
 * signed by the registry key `k`, added to the store. */
static void
add_list(struct ctx *x, const char *url, libro_status_purpose purpose, const libro_key *k,
         uint32_t seed)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_status_list l;
    libro_buf tok = LIBRO_BUF_INIT;
    size_t n = LIBRO_STATUS_LIST_MIN_ENTRIES;
    size_t set = 0;

    memset(&l, 0, sizeof l);
    l.id = bench_strdup(url);
    l.issuer = bench_strdup("urn:libro:town-7:registry");
    l.valid_from = T0 - 3600;
    l.valid_until = T0 + 7 * DAY;
    l.purpose = purpose;
    if (libro_bitstring_new(&l.bits, n, &err) != LIBRO_OK) {
        bench_die("bitstring", &err);
    }
    while (set < n / 100) {
        size_t i;

        seed = seed * 1103515245u + 12345u; /* any spread will do; repeatable */
        i = (seed >> 8) % n;
        if (i == LICENSE_INDEX || libro_bitstring_get_value(&l.bits, i, 1) != 0) {
            continue;
        }
        libro_bitstring_set_value(&l.bits, i, 1, 1);
        set++;
    }
    if (libro_status_list_sign(&tok, &l, k, &err) != LIBRO_OK ||
        libro_trust_add(x->trust, (const char *) tok.data, tok.len, &err) != LIBRO_OK) {
        bench_die("status list", &err);
    }
    libro_status_list_free(&l);
    libro_buf_free(&tok);
}

static libro_credential *
license(bool status, const char *issuer)
{
    libro_credential *c = bench_cred_new(LIBRO_CRED_LICENSE, issuer,
                                         "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
                                         "Ada Example", T0 - 30 * DAY, T0 + 1000 * DAY);

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
    if (status) {
        c->has_status = true;
        c->status_index = LICENSE_INDEX;
        c->status_revocation_list = bench_strdup(URL_REV);
        c->status_suspension_list = bench_strdup(URL_SUS);
    }
    return c;
}

/* An IssuerAuthorization from the town for `subject` with key `k`, granting nursing-general;
 * `recorded`: its licenses must be on record at the registry. */
static libro_credential *
issuer_auth(const char *subject, const char *name, const libro_key *k, bool recorded)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_credential *c = bench_cred_new(LIBRO_CRED_ISSUER_AUTH, "urn:libro:town-7", subject, name,
                                         T0 - 300 * DAY, T0 + 1800 * DAY);

    c->grants = libro_calloc(1, sizeof *c->grants);
    if (c->grants == NULL) {
        bench_die("out of memory", NULL);
    }
    c->grants[0].id = bench_strdup("nursing-general");
    c->grants[0].validity_days = 1095;
    c->n_grants = 1;
    if (recorded) {
        c->status_registry = bench_strdup(REGISTRY_URL);
    }
    if (libro_key_public(&c->subject_key, k, &err) != LIBRO_OK) {
        bench_die("key", &err);
    }
    return c;
}

static void
build_world(struct ctx *x, const char *dir)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *town = NULL;
    libro_key *board = NULL;
    libro_key *clinic = NULL;
    libro_key *registry = NULL;
    libro_credential *c = NULL;
    libro_buf charter = LIBRO_BUF_INIT;
    libro_buf auth = LIBRO_BUF_INIT;
    libro_buf auth_plain = LIBRO_BUF_INIT;
    libro_buf reg_auth = LIBRO_BUF_INIT;

    if (libro_key_generate(&town, LIBRO_ALG_ED25519, &err) != LIBRO_OK ||
        libro_key_generate(&board, LIBRO_ALG_ED25519, &err) != LIBRO_OK ||
        libro_key_generate(&clinic, LIBRO_ALG_ED25519, &err) != LIBRO_OK ||
        libro_key_generate(&registry, LIBRO_ALG_ED25519, &err) != LIBRO_OK) {
        bench_die("keys", &err);
    }
    c = bench_cred_new(LIBRO_CRED_CHARTER, "urn:libro:town-7", "urn:libro:town-7", "Town 7",
                       T0 - 365 * DAY, T0 + 3650 * DAY);
    c->level = 2;
    c->allowed_types = bench_list1("nursing-general");
    c->n_allowed = 1;
    if (libro_key_public(&c->subject_key, town, &err) != LIBRO_OK) {
        bench_die("key", &err);
    }
    sign(&charter, c, town);

    /* The health board's licenses are on record at the registry (statusRegistry); the
     * older clinic board's are not, and carry no credentialStatus. */
    c = issuer_auth("urn:libro:town-7:health-board", "Town 7 Health Board", board, true);
    sign(&auth, c, town);
    c = issuer_auth("urn:libro:town-7:clinic-board", "Town 7 Clinic Board", clinic, false);
    sign(&auth_plain, c, town);

    c = bench_cred_new(LIBRO_CRED_REGISTRY_AUTH, "urn:libro:town-7", "urn:libro:town-7:registry",
                       "Town 7 Registry", T0 - 300 * DAY, T0 + 1800 * DAY);
    if (libro_key_public(&c->subject_key, registry, &err) != LIBRO_OK) {
        bench_die("key", &err);
    }
    sign(&reg_auth, c, town);

    sign(&x->jws, license(true, "urn:libro:town-7:health-board"), board);
    sign(&x->jws_plain, license(false, "urn:libro:town-7:clinic-board"), clinic);

    if (libro_trust_open(&x->trust, dir, &err) != LIBRO_OK ||
        libro_trust_add_anchor(x->trust, (const char *) charter.data, charter.len, NULL, NULL,
                               &err) != LIBRO_OK ||
        libro_trust_add(x->trust, (const char *) auth.data, auth.len, &err) != LIBRO_OK ||
        libro_trust_add(x->trust, (const char *) auth_plain.data, auth_plain.len, &err) !=
            LIBRO_OK ||
        libro_trust_add(x->trust, (const char *) reg_auth.data, reg_auth.len, &err) != LIBRO_OK ||
        libro_lb1_encode(&x->lb1, (const char *) x->jws.data, x->jws.len, &err) != LIBRO_OK ||
        libro_lb1_encode(&x->lb1_plain, (const char *) x->jws_plain.data, x->jws_plain.len, &err) !=
            LIBRO_OK) {
        bench_die("trust store", &err);
    }
    add_list(x, URL_REV, LIBRO_STATUS_REVOCATION, registry, 7u);
    add_list(x, URL_SUS, LIBRO_STATUS_SUSPENSION, registry, 11u);
    libro_buf_free(&charter);
    libro_buf_free(&auth);
    libro_buf_free(&auth_plain);
    libro_buf_free(&reg_auth);
    libro_key_free(town);
    libro_key_free(board);
    libro_key_free(clinic);
    libro_key_free(registry);
}

/* LB2 text -> verdict, straight (libro_verify_document decodes the LB text into the parsed
 * JWS) or through the compact JWS (`scan`: libro_scan_text, then libro_verify_license); the
 * license must come out VALID with its status read (or, without credentialStatus, VALID with
 * none to read). */
static int
verify_text(struct ctx *x, const libro_buf *lb1, bool status, bool scan)
{
    libro_verify_options opt = LIBRO_VERIFY_OPTIONS_INIT(T0);
    libro_buf jws = LIBRO_BUF_INIT;
    libro_verification *v = NULL;
    libro_code rc_v;
    int rc = -1;

    if (scan) {
        rc_v = libro_scan_text(&jws, (const char *) lb1->data, lb1->len, NULL);
        if (rc_v == LIBRO_OK) {
            rc_v = libro_verify_license(&v, x->trust, (const char *) jws.data, jws.len, &opt, NULL);
        }
    } else {
        rc_v = libro_verify_document(&v, x->trust, (const char *) lb1->data, lb1->len, &opt, NULL);
    }
    if (rc_v == LIBRO_OK && v->outcome == LIBRO_VALID && v->status_checked == status) {
        rc = 0;
    } else if (v != NULL) {
        /* A benchmark of a refusal measures nothing: say which. */
        fprintf(stderr, "bench_verify: %s: %s\n", libro_outcome_name(v->outcome), v->reason);
    }
    libro_verification_free(v);
    libro_buf_free(&jws);
    return rc;
}

static int
verify_status_op(void *p)
{
    struct ctx *x = p;

    return verify_text(x, &x->lb1, true, false);
}

static int
verify_status_scan_op(void *p)
{
    struct ctx *x = p;

    return verify_text(x, &x->lb1, true, true);
}

static int
verify_plain_op(void *p)
{
    struct ctx *x = p;

    return verify_text(x, &x->lb1_plain, false, false);
}

static int
sodium_verify_op(void *p)
{
    struct ctx *x = p;

    return crypto_sign_verify_detached(x->sig, x->msg, x->msg_len, x->pk);
}

static int
openssl_verify_op(void *p)
{
    struct ctx *x = p;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int rc = -1;

    if (md != NULL && EVP_DigestVerifyInit(md, NULL, NULL, NULL, x->ossl_pk) == 1 &&
        EVP_DigestVerify(md, x->sig, sizeof x->sig, x->msg, x->msg_len) == 1) {
        rc = 0;
    }
    EVP_MD_CTX_free(md);
    return rc;
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
    printf("license with status: %zu bytes JWS, %zu characters LB2, QR version %d at level M, "
           "PNG %zu bytes (6 px modules)\n",
           x->jws.len, x->lb1.len, version, png.len);
    printf("license without status: %zu bytes JWS, %zu characters LB2\n", x->jws_plain.len,
           x->lb1_plain.len);
    libro_buf_free(&png);
}

/* ---- paired timing ------------------------------------------------------------------------ */

static double
cpu_now(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) {
        bench_die("clock_gettime", NULL);
    }
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* Seconds of this thread's CPU per operation, over batches run for about `secs`. */
static double
cpu_per_op(bench_fn fn, void *ctx, double secs)
{
    double start = cpu_now();
    double used;
    unsigned long n = 0;

    do {
        for (unsigned i = 0; i < 16; i++) {
            if (fn(ctx) != 0) {
                bench_die("operation", NULL);
            }
        }
        n += 16;
        used = cpu_now() - start;
    } while (used < secs);
    return used / (double) n;
}

/* --profile N: the world, then N verifications of the license with status. */
static int
profile(const char *count)
{
    struct ctx x;
    char dir[] = "/tmp/libro-bench-XXXXXX";
    uint64_t n = 0;

    if (libro_parse_u64(&n, count, strlen(count), 10000000, NULL) != LIBRO_OK) {
        fprintf(stderr, "usage: bench_verify --profile N (N at most 10000000)\n");
        return 2;
    }
    memset(&x, 0, sizeof x);
    if (sodium_init() < 0 || mkdtemp(dir) == NULL) {
        bench_die("setup", NULL);
    }
    build_world(&x, dir);
    for (uint64_t i = 0; i < n; i++) {
        if (verify_status_op(&x) != 0) {
            bench_die("verify", NULL);
        }
    }
    libro_trust_free(x.trust);
    libro_buf_free(&x.lb1);
    libro_buf_free(&x.jws);
    libro_buf_free(&x.lb1_plain);
    libro_buf_free(&x.jws_plain);
    return 0;
}

enum { OP_STATUS, OP_STATUS_SCAN, OP_PLAIN, OP_SODIUM, OP_OPENSSL, N_OPS };

int
main(int argc, char **argv)
{
    static const bench_fn ops[N_OPS] = {verify_status_op, verify_status_scan_op, verify_plain_op,
                                        sodium_verify_op, openssl_verify_op};
    static const char *const names[N_OPS] = {
        "LB2 text -> verdict, two status lists (1% set)",
        "  the same via libro_scan_text + verify_license",
        "LB2 text -> verdict, no credentialStatus",
        "raw libsodium crypto_sign_verify_detached",
        "raw OpenSSL EVP_DigestVerify (Ed25519)",
    };
    struct ctx x;
    char dir[] = "/tmp/libro-bench-XXXXXX";
    uint64_t rounds = 15;
    uint64_t ms = 200;
    double secs;
    double rate[N_OPS][31];
    double vs_sodium[N_OPS][31];
    double vs_openssl[N_OPS][31];
    double png_rate;
    const char *dot;

    bench_name = "bench_verify";
    if (argc == 3 && strcmp(argv[1], "--profile") == 0) {
        return profile(argv[2]);
    }
    if ((argc > 1 && libro_parse_u64(&rounds, argv[1], strlen(argv[1]), 31, NULL) != LIBRO_OK) ||
        (argc > 2 && libro_parse_u64(&ms, argv[2], strlen(argv[2]), 60000, NULL) != LIBRO_OK) ||
        rounds == 0 || ms == 0) {
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
    /* The raw references: one Ed25519 verify of a message as long as the status license's
     * signing input (the JWS without its signature segment). */
    dot = strrchr((const char *) x.jws.data, '.');
    x.msg_len = (size_t) (dot - (const char *) x.jws.data);
    if (x.msg_len > sizeof x.msg) {
        bench_die("signing input too long", NULL);
    }
    memcpy(x.msg, x.jws.data, x.msg_len);
    crypto_sign_keypair(x.pk, x.sk);
    crypto_sign_detached(x.sig, NULL, x.msg, x.msg_len, x.sk);
    x.ossl_pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, x.pk, sizeof x.pk);
    if (x.ossl_pk == NULL) {
        bench_die("openssl key", NULL);
    }

    printf("%u rounds of %.2f s of thread CPU per operation, alternating; medians\n\n",
           (unsigned) rounds, secs);
    for (unsigned r = 0; r < rounds; r++) {
        double per[N_OPS];

        for (unsigned i = 0; i < N_OPS; i++) {
            per[i] = cpu_per_op(ops[i], &x, secs);
        }
        for (unsigned i = 0; i < N_OPS; i++) {
            rate[i][r] = 1.0 / per[i];
            vs_sodium[i][r] = per[OP_SODIUM] / per[i];
            vs_openssl[i][r] = per[OP_OPENSSL] / per[i];
        }
    }
    png_rate =
        bench_rate(png_to_verdict_op, &x, (unsigned) rounds < 7 ? (unsigned) rounds : 7u, secs);
    printf("%-48s %10s %10s %11s\n", "operation", "ops/s", "vs sodium", "vs openssl");
    for (unsigned i = 0; i < N_OPS; i++) {
        printf("%-48s %10.0f %10.3f %11.3f\n", names[i], bench_median(rate[i], rounds),
               bench_median(vs_sodium[i], rounds), bench_median(vs_openssl[i], rounds));
    }
    printf("\nverification with status / raw libsodium verify = %.3f (goal >= 0.8, aim 0.9)\n",
           bench_median(vs_sodium[OP_STATUS], rounds));
    printf("verification without status / raw libsodium verify = %.3f\n",
           bench_median(vs_sodium[OP_PLAIN], rounds));
    printf("median PNG file to verdict (wall clock): %.2f ms\n", 1000.0 / png_rate);

    EVP_PKEY_free(x.ossl_pk);
    libro_trust_free(x.trust);
    libro_buf_free(&x.lb1);
    libro_buf_free(&x.jws);
    libro_buf_free(&x.lb1_plain);
    libro_buf_free(&x.jws_plain);
    sodium_memzero(x.sk, sizeof x.sk);
    (void) unlink(x.png_path);
    return 0;
}
