/* JWS throughput against the raw signature speed of libsodium and OpenSSL, in one run.
 *
 *   bench_jws [ROUNDS [MILLISECONDS_PER_ROUND]]      (defaults: 7 rounds of 300 ms)
 *
 * The payload is a credential-sized JSON document (about 700 bytes). "raw" rates sign or
 * verify a message of the same length as the JWS signing input, so the ratio shows what
 * libro's parsing, base64url and checks cost on top of the signature itself. */
#include <openssl/evp.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "libro/jws.h"
#include "libro/util.h"

static const char claims[] =
    "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\"],"
    "\"type\":[\"VerifiableCredential\",\"ProfessionalLicense\"],"
    "\"issuer\":\"did:example:town-7#kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k\","
    "\"validFrom\":\"2026-12-01T00:00:00Z\",\"validUntil\":\"2029-11-30T23:59:59Z\","
    "\"credentialSubject\":{\"id\":\"did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK\","
    "\"name\":\"Ada Example\",\"profession\":\"registered nurse\",\"licenseNumber\":"
    "\"T7-N-000123\",\"licenseType\":\"nursing-general\",\"scope\":[\"general care\","
    "\"medication administration\"],\"community\":{\"id\":\"did:example:town-7\",\"level\":2}},"
    "\"credentialStatus\":[{\"type\":\"BitstringStatusListEntry\",\"statusPurpose\":"
    "\"revocation\",\"statusListIndex\":\"94567\",\"statusListCredential\":"
    "\"https://registry.town-7.example/v1/status/1\"}]}";

struct ctx {
    libro_key *key;
    libro_key *pub;
    libro_buf token;
    unsigned char msg[2048];
    size_t msg_len;
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char sig[64];
    EVP_PKEY *ossl;
    EVP_MD_CTX *md;
};

static int
libro_verify_op(void *p)
{
    struct ctx *c = p;
    libro_buf out = LIBRO_BUF_INIT;
    libro_code rc = libro_jws_verify_compact(&out, (const char *) c->token.data, c->token.len,
                                             c->pub, "vc+jwt", NULL);

    libro_buf_free(&out);
    return rc == LIBRO_OK ? 0 : -1;
}

static int
libro_sign_op(void *p)
{
    struct ctx *c = p;
    libro_buf out = LIBRO_BUF_INIT;
    libro_code rc = libro_jws_sign_compact(&out, c->key, "did:example:town-7#k", "vc+jwt", claims,
                                           sizeof claims - 1, NULL);

    libro_buf_free(&out);
    return rc == LIBRO_OK ? 0 : -1;
}

static int
sodium_verify_op(void *p)
{
    struct ctx *c = p;

    return crypto_sign_verify_detached(c->sig, c->msg, c->msg_len, c->pk);
}

static int
sodium_sign_op(void *p)
{
    struct ctx *c = p;

    return crypto_sign_detached(c->sig, NULL, c->msg, c->msg_len, c->sk);
}

static int
openssl_verify_op(void *p)
{
    struct ctx *c = p;

    if (EVP_DigestVerifyInit(c->md, NULL, NULL, NULL, c->ossl) != 1) {
        return -1;
    }
    return EVP_DigestVerify(c->md, c->sig, sizeof c->sig, c->msg, c->msg_len) == 1 ? 0 : -1;
}

static int
openssl_sign_op(void *p)
{
    struct ctx *c = p;
    unsigned char sig[64];
    size_t len = sizeof sig;

    if (EVP_DigestSignInit(c->md, NULL, NULL, NULL, c->ossl) != 1) {
        return -1;
    }
    return EVP_DigestSign(c->md, sig, &len, c->msg, c->msg_len) == 1 ? 0 : -1;
}

static void
die(const char *what, const libro_error *err)
{
    fprintf(stderr, "bench_jws: %s: %s\n", what, err != NULL ? err->msg : "failed");
    exit(1);
}

static void
setup_ed25519(struct ctx *c)
{
    libro_error err = LIBRO_ERROR_INIT;
    const char *dot;

    if (sodium_init() < 0) {
        die("sodium_init", NULL);
    }
    if (libro_key_generate(&c->key, LIBRO_ALG_ED25519, &err) != LIBRO_OK ||
        libro_key_public(&c->pub, c->key, &err) != LIBRO_OK ||
        libro_jws_sign_compact(&c->token, c->key, "did:example:town-7#k", "vc+jwt", claims,
                               sizeof claims - 1, &err) != LIBRO_OK) {
        die("setup", &err);
    }
    /* The raw message: same length as the JWS signing input (header.payload). */
    dot = strrchr((const char *) c->token.data, '.');
    c->msg_len = (size_t) (dot - (const char *) c->token.data);
    if (c->msg_len > sizeof c->msg) {
        die("signing input too long", NULL);
    }
    memcpy(c->msg, c->token.data, c->msg_len);
    crypto_sign_keypair(c->pk, c->sk);
    crypto_sign_detached(c->sig, NULL, c->msg, c->msg_len, c->sk);
    /* OpenSSL gets the same key pair, from the libsodium seed (first 32 bytes of sk). */
    c->ossl = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, c->sk, 32);
    c->md = EVP_MD_CTX_new();
    if (c->ossl == NULL || c->md == NULL) {
        die("openssl setup", NULL);
    }
}

int
main(int argc, char **argv)
{
    struct ctx c;
    uint64_t rounds = 7;
    uint64_t ms = 300;
    double secs;
    double jv, sv, ov, js, ss, os;

    if ((argc > 1 && libro_parse_u64(&rounds, argv[1], strlen(argv[1]), 31, NULL) != LIBRO_OK) ||
        (argc > 2 && libro_parse_u64(&ms, argv[2], strlen(argv[2]), 60000, NULL) != LIBRO_OK) ||
        rounds == 0) {
        fprintf(stderr, "usage: bench_jws [ROUNDS (1-31) [MILLISECONDS_PER_ROUND]]\n");
        return 2;
    }
    secs = (double) ms / 1000.0;
    memset(&c, 0, sizeof c);
    setup_ed25519(&c);
    printf("libro JWS benchmark: Ed25519, payload %zu bytes, signing input %zu bytes,\n"
           "median of %u rounds of %.2f s, one core\n\n",
           sizeof claims - 1, c.msg_len, (unsigned) rounds, secs);
    jv = bench_rate(libro_verify_op, &c, (unsigned) rounds, secs);
    sv = bench_rate(sodium_verify_op, &c, (unsigned) rounds, secs);
    ov = bench_rate(openssl_verify_op, &c, (unsigned) rounds, secs);
    js = bench_rate(libro_sign_op, &c, (unsigned) rounds, secs);
    ss = bench_rate(sodium_sign_op, &c, (unsigned) rounds, secs);
    os = bench_rate(openssl_sign_op, &c, (unsigned) rounds, secs);
    printf("%-44s %10s %12s %12s\n", "operation", "ops/s", "vs sodium", "vs openssl");
    printf("%-44s %10.0f %12.2f %12.2f\n", "libro_jws_verify_compact (parse+verify)", jv, jv / sv,
           jv / ov);
    printf("%-44s %10.0f %12.2f %12.2f\n", "raw libsodium crypto_sign_verify_detached", sv, 1.0,
           sv / ov);
    printf("%-44s %10.0f %12.2f %12.2f\n", "raw OpenSSL EVP_DigestVerify (Ed25519)", ov, ov / sv,
           1.0);
    printf("%-44s %10.0f %12.2f %12.2f\n", "libro_jws_sign_compact", js, js / ss, js / os);
    printf("%-44s %10.0f %12.2f %12.2f\n", "raw libsodium crypto_sign_detached", ss, 1.0, ss / os);
    printf("%-44s %10.0f %12.2f %12.2f\n", "raw OpenSSL EVP_DigestSign (Ed25519)", os, os / ss,
           1.0);
    printf("\nJWS verify / raw libsodium verify = %.2f; libsodium / OpenSSL verify = %.2f\n",
           jv / sv, sv / ov);
    EVP_MD_CTX_free(c.md);
    EVP_PKEY_free(c.ossl);
    sodium_memzero(c.sk, sizeof c.sk);
    libro_buf_free(&c.token);
    libro_key_free(c.key);
    libro_key_free(c.pub);
    return 0;
}
