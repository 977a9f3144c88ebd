/* The credential parsers on a real registry-issued license payload: the lean one-pass license
 * parser (core/src/credential_scan.c, what libro_credential_parse runs) against the jansson
 * reference parser, with raw libsodium crypto_sign_verify_detached and OpenSSL EVP Ed25519
 * verify of a message of the payload's signing-input length as the yardsticks, all in the same
 * run.
 *
 *   bench_parse [ROUNDS [PARSES_PER_BLOCK]]      (defaults: 201 rounds of 200 parses)
 *
 * Each round times one block of each of the four, one after the other, on the thread's CPU
 * clock (CLOCK_THREAD_CPUTIME_ID); the figures are the medians over the rounds of ns per
 * operation and of the per-round ratios. The license is issued in-process into a fresh
 * registry database (reserve, sign, register): its payload carries the revocation,
 * suspension and message entries every registry-issued license carries. */
#include <openssl/evp.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "libro/credential_parse_int.h"
#include "libro/issuer.h"
#include "libro/jws.h"
#include "libro/registry.h"
#include "libro/time.h"
#include "libro/util.h"

#define DAY INT64_C(86400)
#define COMMUNITY "urn:libro:town-7"
#define BOARD COMMUNITY ":health-board"
#define NURSING "nursing-general"
#define REGISTRY_URL "https://registry.town-7.example"
#define MAX_ROUNDS 2001u

enum { LEAN, REFERENCE, SODIUM, OPENSSL, N_SUBJECTS };

static const char *const subject_names[N_SUBJECTS] = {
    "lean parser (libro_credential_parse)", "jansson reference parser", "libsodium Ed25519 verify",
    "OpenSSL EVP Ed25519 verify"};

struct ctx {
    libro_buf payload;  /* the license's JSON */
    size_t signing_len; /* its JWS signing input's length */
    unsigned char msg[LIBRO_MAX_TOKEN_BYTES];
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    unsigned char sig[crypto_sign_BYTES];
    EVP_PKEY *ossl;
    EVP_MD_CTX *md;
};

static void
with_key(libro_credential *c, const libro_key *k)
{
    libro_error err = LIBRO_ERROR_INIT;

    if (libro_key_public(&c->subject_key, k, &err) != LIBRO_OK) {
        bench_die("key", &err);
    }
}

/* A town, its registry and health board; one license issued into the registry at `db`. */
static void
issue_license(struct ctx *x, const char *db)
{
    static const char *const scope[] = {"general care", "medication administration"};
    libro_error err = LIBRO_ERROR_INIT;
    libro_license_type t = {NULL, 365, 30, 30, NULL, 0, LIBRO_RENEWAL_FROM_EXPIRY};
    libro_license_options opt = LIBRO_LICENSE_OPTIONS_INIT;
    libro_issued issued = LIBRO_ISSUED_INIT;
    int64_t now = libro_time_now();
    char type_id[] = NURSING;
    libro_key *town = NULL;
    libro_key *board = NULL;
    libro_key *registry = NULL;
    libro_registry *r = NULL;
    libro_issuer *is = NULL;
    libro_registry_client *client = NULL;
    libro_credential *c;
    char *charter;
    char *reg_auth;
    char *board_auth;

    if (libro_key_generate(&town, LIBRO_ALG_ED25519, &err) != LIBRO_OK ||
        libro_key_generate(&board, LIBRO_ALG_ED25519, &err) != LIBRO_OK ||
        libro_key_generate(&registry, LIBRO_ALG_ED25519, &err) != LIBRO_OK) {
        bench_die("keys", &err);
    }
    c = bench_cred_new(LIBRO_CRED_CHARTER, COMMUNITY, COMMUNITY, "Town 7", now - 30 * DAY,
                       now + 1800 * DAY);
    c->level = 2;
    c->allowed_types = bench_list1(NURSING);
    c->n_allowed = 1;
    with_key(c, town);
    charter = bench_sign_free(c, town);
    c = bench_cred_new(LIBRO_CRED_REGISTRY_AUTH, COMMUNITY, COMMUNITY ":registry",
                       "Town 7 Registry", now - 30 * DAY, now + 1800 * DAY);
    c->url = bench_strdup(REGISTRY_URL);
    with_key(c, registry);
    reg_auth = bench_sign_free(c, town);
    c = bench_cred_new(LIBRO_CRED_ISSUER_AUTH, COMMUNITY, BOARD, "Town 7 Health Board",
                       now - 30 * DAY, now + 1800 * DAY);
    c->grants = libro_calloc(1, sizeof *c->grants);
    if (c->grants == NULL) {
        bench_die("out of memory", NULL);
    }
    c->grants[0].id = bench_strdup(NURSING);
    c->grants[0].validity_days = 1095;
    c->n_grants = 1;
    c->status_registry = bench_strdup(REGISTRY_URL);
    with_key(c, board);
    board_auth = bench_sign_free(c, town);

    t.id = type_id;
    if (libro_registry_create(db, charter, reg_auth, &err) != LIBRO_OK ||
        libro_registry_open(&r, db, &err) != LIBRO_OK ||
        libro_registry_define_type(r, NULL, &t, "council", &err) != LIBRO_OK ||
        libro_registry_authorize_issuer(r, NULL, board_auth, 0, "council", now, &err) != LIBRO_OK) {
        bench_die("registry", &err);
    }
    libro_registry_close(r);
    opt.holder = "Ada Example";
    opt.holder_did = "did:key:z6Mkghwtj9r1Kxiayd86hF3Lb9HtLBbwMhKD3L6vvJADkUuj";
    opt.number = "T7-N-000123";
    opt.profession = "registered nurse";
    opt.license_type = NURSING;
    opt.scope = scope;
    opt.n_scope = LIBRO_NELEM(scope);
    opt.status_url_base = REGISTRY_URL "/v1/status";
    if (libro_issuer_open(&is, board, board_auth, strlen(board_auth), charter, strlen(charter),
                          &err) != LIBRO_OK ||
        libro_issuer_registry_open(&client, is, db, "council", &err) != LIBRO_OK ||
        libro_issuer_issue_license(&issued, is, client, &opt, &err) != LIBRO_OK ||
        libro_jws_unverified_payload(&x->payload, (const char *) issued.jws.data, issued.jws.len,
                                     &err) != LIBRO_OK) {
        bench_die("issue", &err);
    }
    if (!issued.registered || !issued.license->has_status) {
        bench_die("the license is not registered with status entries", NULL);
    }
    /* header.payload: up to the second dot */
    x->signing_len = (size_t) ((const char *) memchr(memchr(issued.jws.data, '.', issued.jws.len),
                                                     '.', issued.jws.len) -
                               (const char *) issued.jws.data);
    libro_issued_clear(&issued);
    libro_registry_client_close(client);
    libro_issuer_free(is);
    libro_free(charter);
    libro_free(reg_auth);
    libro_free(board_auth);
    libro_key_free(town);
    libro_key_free(board);
    libro_key_free(registry);
}

static void
yardsticks(struct ctx *x)
{
    if (sodium_init() < 0) {
        bench_die("sodium_init", NULL);
    }
    randombytes_buf(x->msg, x->signing_len);
    crypto_sign_keypair(x->pk, x->sk);
    crypto_sign_detached(x->sig, NULL, x->msg, x->signing_len, x->sk);
    x->ossl = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, x->pk, sizeof x->pk);
    x->md = EVP_MD_CTX_new();
    if (x->ossl == NULL || x->md == NULL) {
        bench_die("openssl key", NULL);
    }
}

static double
thread_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double) ts.tv_sec * 1e9 + (double) ts.tv_nsec;
}

static int
run(struct ctx *x, int subject)
{
    libro_credential *c = NULL;
    libro_code rc;

    switch (subject) {
    case LEAN:
        rc = libro_credential_parse(&c, x->payload.data, x->payload.len, NULL);
        libro_credential_free(c);
        return rc == LIBRO_OK ? 0 : 1;
    case REFERENCE:
        rc = libro_credential__parse_tree(&c, x->payload.data, x->payload.len, NULL);
        libro_credential_free(c);
        return rc == LIBRO_OK ? 0 : 1;
    case SODIUM:
        return crypto_sign_verify_detached(x->sig, x->msg, x->signing_len, x->pk) == 0 ? 0 : 1;
    default:
        return EVP_DigestVerifyInit(x->md, NULL, NULL, NULL, x->ossl) == 1 &&
                       EVP_DigestVerify(x->md, x->sig, sizeof x->sig, x->msg, x->signing_len) == 1
                   ? 0
                   : 1;
    }
}

int
main(int argc, char **argv)
{
    static double ns[N_SUBJECTS][MAX_ROUNDS];
    static double ratio[N_SUBJECTS][MAX_ROUNDS];
    char dir[] = "/tmp/libro-bench-parse-XXXXXX";
    char db[sizeof dir + 16];
    struct ctx x;
    unsigned rounds = argc > 1 ? (unsigned) strtoul(argv[1], NULL, 10) : 201u;
    unsigned block = argc > 2 ? (unsigned) strtoul(argv[2], NULL, 10) : 200u;
    bool declined = true;
    libro_credential *c = NULL;

    bench_name = "bench_parse";
    if (rounds == 0 || rounds > MAX_ROUNDS || block == 0) {
        fprintf(stderr, "usage: bench_parse [ROUNDS (1..%u) [PARSES_PER_BLOCK]]\n", MAX_ROUNDS);
        return 2;
    }
    memset(&x, 0, sizeof x);
    if (mkdtemp(dir) == NULL || snprintf(db, sizeof db, "%s/registry.db", dir) < 0) {
        bench_die("temporary directory", NULL);
    }
    issue_license(&x, db);
    yardsticks(&x);
    /* The lean pass must take this license itself, or the figure measures the fallback. */
    if (libro_credential__scan(&c, &declined, x.payload.data, x.payload.len, NULL) != LIBRO_OK ||
        declined) {
        bench_die("the lean parser does not take the issued license", NULL);
    }
    libro_credential_free(c);

    for (unsigned r = 0; r < rounds; r++) {
        for (int s = 0; s < N_SUBJECTS; s++) {
            double start = thread_now();

            for (unsigned i = 0; i < block; i++) {
                if (run(&x, s) != 0) {
                    bench_die(subject_names[s], NULL);
                }
            }
            ns[s][r] = (thread_now() - start) / block;
        }
        for (int s = 0; s < N_SUBJECTS; s++) {
            ratio[s][r] = ns[LEAN][r] / ns[s][r];
        }
    }
    printf("bench_parse: a registry-issued license payload of %zu bytes (3 status entries), "
           "%u rounds of %u, thread CPU time\n",
           x.payload.len, rounds, block);
    for (int s = 0; s < N_SUBJECTS; s++) {
        printf("  %-38s median %8.0f ns/op", subject_names[s], bench_median(ns[s], rounds));
        if (s != LEAN) {
            printf("   lean/this: median %.3f", bench_median(ratio[s], rounds));
        }
        printf("\n");
    }
    EVP_MD_CTX_free(x.md);
    EVP_PKEY_free(x.ossl);
    libro_buf_free(&x.payload);
    for (size_t i = 0; i < 4; i++) {
        static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
        char name[sizeof db + 16];

        if (snprintf(name, sizeof name, "%s%s", db, suffixes[i]) > 0) {
            (void) unlink(name);
        }
    }
    (void) rmdir(dir);
    return 0;
}
