/* Suite for keys (core/src/key.c, key_openssl.c, crypto_sodium.c, jwk.c, did.c): sign and
 * verify for both algorithms, low-S ES256, point validation, PEM files (plain, encrypted,
 * damaged, foreign), key file hygiene, JWK import/export and RFC 7638 thumbprints, did:key,
 * and an OOM loop over JWK import. Known answers come from RFC 8037 appendix A, RFC 7638 §3.1
 * and the W3C CCG did:key test vectors (test-vectors/ed25519-x25519.json). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libro/encoding.h"
#include "libro/file.h"
#include "libro/jwk_int.h"
#include "libro/key.h"
#include "libro/limits.h"
#include "libro/util.h"
#include "test_util.h"

/* RFC 8037 A.1 (private key d as PKCS#8), A.2 (x), A.3 (thumbprint), A.4 (signature). */
#define RFC8037_PEM                                                                                \
    "-----BEGIN PRIVATE KEY-----\n"                                                                \
    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"                           \
    "-----END PRIVATE KEY-----\n"
#define RFC8037_X "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
#define RFC8037_X_HEX "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
#define RFC8037_TP "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
#define RFC8037_INPUT "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
#define RFC8037_SIG_HEX                                                                            \
    "860c98d2297f3060a33f42739672d61b53cf3adefed3d3c672f320dc021b411e"                             \
    "9d59b8628dc351e248b88b29468e0e41855b0fb7d83bb15be902bfccb8cd0a02"

/* RFC 7638 §3.1: the RSA key of RFC 7517 A.1 and its thumbprint. */
#define RFC7638_JWK                                                                                \
    "{\"kty\":\"RSA\",\"n\":\"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1" \
    "RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf"   \
    "0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08"   \
    "qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKn"   \
    "qDKgw\",\"e\":\"AQAB\",\"alg\":\"RS256\",\"kid\":\"2011-04-29\"}"
#define RFC7638_TP "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"

/* A P-256 key made with `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`. */
#define P256_PEM                                                                                   \
    "-----BEGIN PRIVATE KEY-----\n"                                                                \
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgLdtDe9PhB52qup1c\n"                           \
    "udKcSB1hH8hpIplnGJHlndPvtmGhRANCAAS/P8xtST7Wu7BwZSDxIIQb9wzUOlko\n"                           \
    "2KWXsfJ6Kaxd+wHXCO09WuFrjpQf5nXHYo8YBvevv8ONprEwmnp46rL0\n"                                   \
    "-----END PRIVATE KEY-----\n"
#define P256_PUB_HEX                                                                               \
    "04bf3fcc6d493ed6bbb0706520f120841bf70cd43a5928d8a597b1f27a29ac5dfb"                           \
    "01d708ed3d5ae16b8e941fe675c7628f1806f7afbfc38da6b1309a7a78eab2f4"
#define P256_X "vz_MbUk-1ruwcGUg8SCEG_cM1DpZKNill7HyeimsXfs"
#define P256_Y "AdcI7T1a4WuOlB_mdcdijxgG96-_w42msTCaenjqsvQ"
#define P256_Y_OFF "AdcI7T1a4WuOlB_mdcdijxgG96-_w42msTCaenjqsvU" /* last bit flipped */
/* The same key, `openssl pkcs8 -topk8 -scrypt -passout pass:hunter2`. */
#define P256_SCRYPT_PEM                                                                            \
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"                                                      \
    "MIHkME8GCSqGSIb3DQEFDTBCMCEGCSsGAQQB2kcECzAUBAj23rdYaBOi9gICQAAC\n"                           \
    "AQgCAQEwHQYJYIZIAWUDBAEqBBAle4nCjFRdZf+RUhNokH03BIGQvSp40Y3oXyqA\n"                           \
    "jGBJncp6wwNL/VURVEaFNcEoXvHKdnVElvuGsw6Q1RW7tNbWmfkc8HtLgfcgJP4h\n"                           \
    "3E8HsoWfqcDdhi2pZHXV8upGAXEUdzqCzjl33SJo/ZyNxHDBGh8K9xbcCeQp4TAF\n"                           \
    "jqxDbXwQ7SYOCAgAREDKL8lM2I8f0hHVGW6SqgVkgOSjDHgNL76A\n"                                       \
    "-----END ENCRYPTED PRIVATE KEY-----\n"
/* Its traditional SEC1 form, encrypted the legacy way (`openssl ec -aes256`). */
#define P256_LEGACY_PEM                                                                            \
    "-----BEGIN EC PRIVATE KEY-----\n"                                                             \
    "Proc-Type: 4,ENCRYPTED\n"                                                                     \
    "DEK-Info: AES-256-CBC,EFB3B5B12DD8240DA186ABF2DECFE5D8\n"                                     \
    "\n"                                                                                           \
    "ZzawEwg55iK12amdiY1PUKcOjgexAt2NbdsmFABY7ZTgWLCG4zVoLltWiuOivycS\n"                           \
    "dCvhjka1e29aMTeew0rnm3DE6xSsbjP4H3ebQocZU1PH1LvDJNf/cdD2IsuZX9QO\n"                           \
    "J3C0scHYP0Q5LhrZmhXIRt9WFjCX68MNPJxK8Rpg01Y=\n"                                               \
    "-----END EC PRIVATE KEY-----\n"
#define P256_SEC1_PEM                                                                              \
    "-----BEGIN EC PRIVATE KEY-----\n"                                                             \
    "MHcCAQEEIC3bQ3vT4QedqrqdXLnSnEgdYR/IaSKZZxiR5Z3T77ZhoAoGCCqGSM49\n"                           \
    "AwEHoUQDQgAEvz/MbUk+1ruwcGUg8SCEG/cM1DpZKNill7HyeimsXfsB1wjtPVrh\n"                           \
    "a46UH+Z1x2KPGAb3r7/DjaaxMJp6eOqy9A==\n"                                                       \
    "-----END EC PRIVATE KEY-----\n"
/* Its public key with the last bit of y flipped: a SubjectPublicKeyInfo off the curve. */
#define P256_OFF_CURVE_SPKI                                                                        \
    "-----BEGIN PUBLIC KEY-----\n"                                                                 \
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEvz/MbUk+1ruwcGUg8SCEG/cM1DpZ\n"                           \
    "KNill7HyeimsXfsB1wjtPVrha46UH+Z1x2KPGAb3r7/DjaaxMJp6eOqy9Q==\n"                               \
    "-----END PUBLIC KEY-----\n"
#define P384_SPKI                                                                                  \
    "-----BEGIN PUBLIC KEY-----\n"                                                                 \
    "MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEX3QdwhQbPbFWOxuplWGr4BP+fD9IHLJY\n"                           \
    "+AQNhqZCciFxr7a0FxtfSu4xrN2PFTqK033hRbxOUeOZKHd+8xJcE13Mi+AqISF3\n"                           \
    "0JVtikUHkOerlFVaLXw3OgS2GSuZpMWW\n"                                                           \
    "-----END PUBLIC KEY-----\n"

/* An Ed25519 key from `openssl genpkey -algorithm ed25519`, then `openssl pkcs8 -topk8`:
 * -v2 aes-256-cbc (PBKDF2, 2048 iterations), -iter 3000000, and -v1 PBE-SHA1-3DES. */
#define ED_CLI_PUB                                                                                 \
    "-----BEGIN PUBLIC KEY-----\n"                                                                 \
    "MCowBQYDK2VwAyEADaAvE1DV9xFtrkRFRouSB5aObyeKGYikZk/qoZMZ31I=\n"                               \
    "-----END PUBLIC KEY-----\n"
#define ED_CLI_PBKDF2                                                                              \
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"                                                      \
    "MIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAge6t7N9TRUPQICCAAw\n"                           \
    "DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEA4WhkMfNsWm8FLnAS9XCKYEQM24\n"                           \
    "J+VeBvfaPVo4E7DUuLg18j/nlOl1ubkJRgcdO+nPonI98PJCTwn9Y8lk02cVTQJZ\n"                           \
    "VY9rB+c3l9MFPwzYNs0=\n"                                                                       \
    "-----END ENCRYPTED PRIVATE KEY-----\n"
#define ED_CLI_ITER3M                                                                              \
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"                                                      \
    "MIGcMFgGCSqGSIb3DQEFDTBLMCoGCSqGSIb3DQEFDDAdBAgc68Y8gxN0pwIDLcbA\n"                           \
    "MAwGCCqGSIb3DQIJBQAwHQYJYIZIAWUDBAEqBBBEC8yuEEDCJSKSKMDpxKySBEBJ\n"                           \
    "upoTaNw/So8pkIFKuBb9330x8wdbMPE56AqXPY8g19cXEQEV3glKaxEuKzfGnsWw\n"                           \
    "Sr6Ve9F4GXbCd/ddRRGi\n"                                                                       \
    "-----END ENCRYPTED PRIVATE KEY-----\n"
#define ED_CLI_PBES1                                                                               \
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"                                                      \
    "MFgwHAYKKoZIhvcNAQwBAzAOBAiQIwB+6ZLX7wICCAAEOCdT+/pZS+j/WfoFcnRM\n"                           \
    "wMvIhkaxvV0rOw5xedOghvNX0oIzd2OQsMr6EXno/igPvz7FQIEFVElX\n"                                   \
    "-----END ENCRYPTED PRIVATE KEY-----\n"

#define PASS "correct horse battery staple"

static const libro_alg algs[] = {LIBRO_ALG_ED25519, LIBRO_ALG_ES256};

/* n and floor(n/2) of P-256, big-endian. */
static const unsigned char p256_n[32] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};
static const unsigned char p256_half_n[32] = {
    0x7f, 0xff, 0xff, 0xff, 0x80, 0x00, 0x00, 0x00, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xde, 0x73, 0x7d, 0x56, 0xd3, 0x8b, 0xcf, 0x42, 0x79, 0xdc, 0xe5, 0x61, 0x7e, 0x31, 0x92, 0xa8};
/* L, the Ed25519 group order, little-endian (RFC 8032 §5.1). */
static const unsigned char ed_l[32] = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};

static libro_key *
gen(libro_alg alg)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = NULL;

    ck_assert_msg(libro_key_generate(&k, alg, &err) == LIBRO_OK, "generate: %s", err.msg);
    return k;
}

static libro_key *
pem_ok(const char *pem, const char *pass)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = NULL;
    libro_code rc =
        libro_key_from_pem(&k, pem, strlen(pem), pass, pass != NULL ? strlen(pass) : 0, &err);

    LIBRO_ASSERT_CODE(rc, LIBRO_OK, &err, NULL);
    return k;
}

static libro_key *
raw_ok(libro_alg alg, const char *hex)
{
    libro_buf raw = LIBRO_BUF_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = NULL;
    libro_code rc;

    libro_test_hex(&raw, hex);
    rc = libro_key_from_raw_public(&k, alg, raw.data, raw.len, &err);
    LIBRO_ASSERT_CODE(rc, LIBRO_OK, &err, NULL);
    libro_buf_free(&raw);
    return k;
}

static void
sign_ok(libro_buf *sig, const libro_key *k, const void *msg, size_t len)
{
    libro_error err = LIBRO_ERROR_INIT;

    LIBRO_ASSERT_CODE(libro_key_sign(sig, k, msg, len, &err), LIBRO_OK, &err, NULL);
    ck_assert_uint_eq(sig->len, LIBRO_SIGNATURE_BYTES);
}

/* out = n - a, 32-byte big-endian. */
static void
p256_negate(unsigned char *out, const unsigned char *a)
{
    unsigned borrow = 0;
    size_t i = 32;

    while (i-- > 0) {
        unsigned d = (unsigned) p256_n[i] - (unsigned) a[i] - borrow;

        out[i] = (unsigned char) (d & 0xffu);
        borrow = (d >> 8) & 1u;
    }
}

/* ------------------------------------------------------------------ names */

START_TEST(test_alg_names)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_alg alg = 0;

    ck_assert_str_eq(libro_alg_name(LIBRO_ALG_ED25519), "ed25519");
    ck_assert_str_eq(libro_alg_name(LIBRO_ALG_ES256), "es256");
    ck_assert_str_eq(libro_alg_name((libro_alg) 0), "unknown");
    ck_assert_str_eq(libro_alg_jose_name(LIBRO_ALG_ED25519), "EdDSA");
    ck_assert_str_eq(libro_alg_jose_name(LIBRO_ALG_ES256), "ES256");
    LIBRO_ASSERT_CODE(libro_alg_from_name(&alg, "ed25519", &err), LIBRO_OK, &err, NULL);
    ck_assert_int_eq(alg, LIBRO_ALG_ED25519);
    LIBRO_ASSERT_CODE(libro_alg_from_name(&alg, "es256", &err), LIBRO_OK, &err, NULL);
    ck_assert_int_eq(alg, LIBRO_ALG_ES256);
    LIBRO_ASSERT_CODE(libro_alg_from_name(&alg, "rs256", &err), LIBRO_ERR_UNSUPPORTED, &err,
                      "unsupported algorithm \"rs256\"");
    LIBRO_ASSERT_CODE(libro_alg_from_name(&alg, "EdDSA", &err), LIBRO_ERR_UNSUPPORTED, &err,
                      "want ed25519 or es256");
    LIBRO_ASSERT_CODE(libro_alg_from_name(&alg, "ed\n25519", &err), LIBRO_ERR_UNSUPPORTED, &err,
                      "unsupported algorithm \"ed?25519\"");
    LIBRO_ASSERT_CODE(libro_alg_from_name(&alg, NULL, &err), LIBRO_ERR_INVALID_ARG, &err, NULL);
}
END_TEST

START_TEST(test_generate_unsupported)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = NULL;

    LIBRO_ASSERT_CODE(libro_key_generate(&k, (libro_alg) 7, &err), LIBRO_ERR_UNSUPPORTED, &err,
                      "unsupported algorithm 7");
    ck_assert_ptr_null(k);
    LIBRO_ASSERT_CODE(libro_key_from_raw_public(&k, (libro_alg) 7, "x", 1, &err),
                      LIBRO_ERR_UNSUPPORTED, &err, "unsupported algorithm");
    ck_assert_ptr_null(k);
}
END_TEST

/* ------------------------------------------------------------------ sign */

START_TEST(test_sign_verify)
{
    static const char msg[] = "licence #42 valid until 2030";
    static const size_t flips[] = {0, 31, 32, 63};
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = gen(algs[_i]);
    libro_key *other = gen(algs[_i]);
    libro_key *pub = NULL;
    libro_buf sig = LIBRO_BUF_INIT;
    libro_buf empty_sig = LIBRO_BUF_INIT;
    size_t i;

    ck_assert_int_eq(libro_key_alg(k), algs[_i]);
    ck_assert(libro_key_has_private(k));
    sign_ok(&sig, k, msg, sizeof msg - 1);
    LIBRO_ASSERT_CODE(libro_key_verify(k, msg, sizeof msg - 1, sig.data, sig.len, &err), LIBRO_OK,
                      &err, NULL);
    /* A different message, a flipped bit anywhere, or the wrong length. */
    LIBRO_ASSERT_CODE(libro_key_verify(k, msg, sizeof msg - 2, sig.data, sig.len, &err),
                      LIBRO_ERR_BAD_SIGNATURE, &err, "does not verify");
    for (i = 0; i < LIBRO_NELEM(flips); i++) {
        sig.data[flips[i]] ^= 0x01;
        ck_assert_int_eq(libro_key_verify(k, msg, sizeof msg - 1, sig.data, sig.len, &err),
                         LIBRO_ERR_BAD_SIGNATURE);
        sig.data[flips[i]] ^= 0x01;
    }
    LIBRO_ASSERT_CODE(libro_key_verify(k, msg, sizeof msg - 1, sig.data, 63, &err),
                      LIBRO_ERR_BAD_SIGNATURE, &err, "must be 64 bytes, not 63");
    LIBRO_ASSERT_CODE(libro_key_verify(k, msg, sizeof msg - 1, sig.data, 0, &err),
                      LIBRO_ERR_BAD_SIGNATURE, &err, "must be 64 bytes, not 0");
    LIBRO_ASSERT_CODE(libro_key_verify(other, msg, sizeof msg - 1, sig.data, sig.len, &err),
                      LIBRO_ERR_BAD_SIGNATURE, &err, NULL);
    /* The empty message signs and verifies too. */
    sign_ok(&empty_sig, k, NULL, 0);
    LIBRO_ASSERT_CODE(libro_key_verify(k, NULL, 0, empty_sig.data, empty_sig.len, &err), LIBRO_OK,
                      &err, NULL);
    /* The public half verifies but cannot sign. */
    LIBRO_ASSERT_CODE(libro_key_public(&pub, k, &err), LIBRO_OK, &err, NULL);
    ck_assert(!libro_key_has_private(pub));
    ck_assert(libro_key_equal_public(pub, k));
    ck_assert(!libro_key_equal_public(other, k));
    ck_assert(!libro_key_equal_public(NULL, k));
    LIBRO_ASSERT_CODE(libro_key_verify(pub, msg, sizeof msg - 1, sig.data, sig.len, &err), LIBRO_OK,
                      &err, NULL);
    libro_buf_clear(&sig);
    LIBRO_ASSERT_CODE(libro_key_sign(&sig, pub, msg, sizeof msg - 1, &err), LIBRO_ERR_BAD_KEY, &err,
                      "cannot sign: key has no private half");
    ck_assert_uint_eq(sig.len, 0);
    LIBRO_ASSERT_CODE(libro_key_sign(NULL, k, msg, 1, &err), LIBRO_ERR_INVALID_ARG, &err, NULL);
    LIBRO_ASSERT_CODE(libro_key_verify(NULL, msg, 1, sig.data, 64, &err), LIBRO_ERR_INVALID_ARG,
                      &err, NULL);
    libro_buf_free(&sig);
    libro_buf_free(&empty_sig);
    libro_key_free(pub);
    libro_key_free(other);
    libro_key_free(k);
    libro_key_free(NULL);
}
END_TEST

START_TEST(test_es256_low_s)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = gen(LIBRO_ALG_ES256);
    libro_buf sig = LIBRO_BUF_INIT;
    unsigned char msg[8] = {0};
    int i;

    /* About half of raw ECDSA signatures have s > n/2; none of ours may. */
    for (i = 0; i < 200; i++) {
        msg[0] = (unsigned char) i;
        libro_buf_clear(&sig);
        sign_ok(&sig, k, msg, sizeof msg);
        ck_assert_msg(memcmp(sig.data + 32, p256_half_n, 32) <= 0, "signature %d has high S", i);
        LIBRO_ASSERT_CODE(libro_key_verify(k, msg, sizeof msg, sig.data, sig.len, &err), LIBRO_OK,
                          &err, NULL);
    }
    libro_buf_free(&sig);
    libro_key_free(k);
}
END_TEST

START_TEST(test_es256_range)
{
    static const char msg[] = "m";
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = gen(LIBRO_ALG_ES256);
    libro_buf sig = LIBRO_BUF_INIT;
    unsigned char bad[64];

    sign_ok(&sig, k, msg, 1);
    /* High S is valid ECDSA (FIPS 186-4): we never emit it but accept it, as Wycheproof
     * expects of a P1363 verifier. */
    memcpy(bad, sig.data, 64);
    p256_negate(bad + 32, sig.data + 32);
    ck_assert(memcmp(bad + 32, p256_half_n, 32) > 0);
    LIBRO_ASSERT_CODE(libro_key_verify(k, msg, 1, bad, 64, &err), LIBRO_OK, &err, NULL);
    /* r = 0, s = 0, r = n, s = n, s = 2^256 - 1. */
    memcpy(bad, sig.data, 64);
    memset(bad, 0, 32);
    LIBRO_ASSERT_CODE(libro_key_verify(k, msg, 1, bad, 64, &err), LIBRO_ERR_BAD_SIGNATURE, &err,
                      "r or s out of range");
    memcpy(bad, sig.data, 64);
    memset(bad + 32, 0, 32);
    LIBRO_ASSERT_CODE(libro_key_verify(k, msg, 1, bad, 64, &err), LIBRO_ERR_BAD_SIGNATURE, &err,
                      "r or s out of range");
    memcpy(bad, sig.data, 64);
    memcpy(bad, p256_n, 32);
    LIBRO_ASSERT_CODE(libro_key_verify(k, msg, 1, bad, 64, &err), LIBRO_ERR_BAD_SIGNATURE, &err,
                      "r or s out of range");
    memcpy(bad, sig.data, 64);
    memcpy(bad + 32, p256_n, 32);
    LIBRO_ASSERT_CODE(libro_key_verify(k, msg, 1, bad, 64, &err), LIBRO_ERR_BAD_SIGNATURE, &err,
                      "r or s out of range");
    memset(bad + 32, 0xff, 32);
    LIBRO_ASSERT_CODE(libro_key_verify(k, msg, 1, bad, 64, &err), LIBRO_ERR_BAD_SIGNATURE, &err,
                      "r or s out of range");
    libro_buf_free(&sig);
    libro_key_free(k);
}
END_TEST

START_TEST(test_ed25519_rfc8037)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = pem_ok(RFC8037_PEM, NULL);
    libro_key *pub = raw_ok(LIBRO_ALG_ED25519, RFC8037_X_HEX);
    libro_buf want = LIBRO_BUF_INIT;
    libro_buf sig = LIBRO_BUF_INIT;
    libro_buf raw = LIBRO_BUF_INIT;

    ck_assert(libro_key_has_private(k));
    ck_assert(libro_key_equal_public(k, pub));
    LIBRO_ASSERT_CODE(libro_key_raw_public(&raw, k, &err), LIBRO_OK, &err, NULL);
    libro_test_hex(&want, RFC8037_X_HEX);
    ck_assert_mem_eq(raw.data, want.data, 32);
    /* Ed25519 is deterministic: the signature of A.4, byte for byte. */
    sign_ok(&sig, k, RFC8037_INPUT, strlen(RFC8037_INPUT));
    libro_buf_free(&want);
    libro_test_hex(&want, RFC8037_SIG_HEX);
    ck_assert_mem_eq(sig.data, want.data, 64);
    LIBRO_ASSERT_CODE(
        libro_key_verify(pub, RFC8037_INPUT, strlen(RFC8037_INPUT), want.data, want.len, &err),
        LIBRO_OK, &err, NULL);
    libro_buf_free(&raw);
    libro_buf_free(&sig);
    libro_buf_free(&want);
    libro_key_free(pub);
    libro_key_free(k);
}
END_TEST

START_TEST(test_ed25519_s_plus_l)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = gen(LIBRO_ALG_ED25519);
    libro_buf sig = LIBRO_BUF_INIT;
    unsigned carry = 0;
    size_t i;

    sign_ok(&sig, k, "x", 1);
    /* S + L satisfies the group equation too; RFC 8032 §5.1.7 requires S < L. */
    for (i = 0; i < 32; i++) {
        unsigned v = (unsigned) sig.data[32 + i] + ed_l[i] + carry;

        sig.data[32 + i] = (unsigned char) (v & 0xffu);
        carry = v >> 8;
    }
    LIBRO_ASSERT_CODE(libro_key_verify(k, "x", 1, sig.data, sig.len, &err), LIBRO_ERR_BAD_SIGNATURE,
                      &err, "does not verify");
    libro_buf_free(&sig);
    libro_key_free(k);
}
END_TEST

/* ------------------------------------------------------------------ points */

/* Small-order points of edwards25519 (the eight of "Taming the many EdDSAs" table 2 and
 * libsodium's blocklist), then non-canonical encodings (y >= p, or x = 0 with the sign bit),
 * then a canonical point outside the prime-order subgroup (y = 3). */
static const char *const ed_bad_points[] = {
    "0100000000000000000000000000000000000000000000000000000000000000", /* identity */
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* order 2 */
    "0000000000000000000000000000000000000000000000000000000000000000", /* order 4 */
    "0000000000000000000000000000000000000000000000000000000000000080", /* order 4 */
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", /* order 8 */
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", /* order 8 */
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", /* order 8 */
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85", /* order 8 */
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* y = p */
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* y = p + 1 */
    "f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* y = p + 3 */
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", /* y = p + 18, sign */
    "0100000000000000000000000000000000000000000000000000000000000080", /* x = 0, sign set */
    "0300000000000000000000000000000000000000000000000000000000000000", /* y = 3: order 8L */
    "0200000000000000000000000000000000000000000000000000000000000000", /* y = 2: off curve */
};

START_TEST(test_ed25519_bad_points)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf raw = LIBRO_BUF_INIT;
    libro_key *k = NULL;

    libro_test_hex(&raw, ed_bad_points[_i]);
    LIBRO_ASSERT_CODE(libro_key_from_raw_public(&k, LIBRO_ALG_ED25519, raw.data, raw.len, &err),
                      LIBRO_ERR_BAD_KEY, &err, "ed25519: invalid public key");
    ck_assert_ptr_null(k);
    libro_buf_free(&raw);
}
END_TEST

START_TEST(test_ed25519_bad_length)
{
    static const unsigned char bytes[33] = {0};
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = NULL;

    LIBRO_ASSERT_CODE(libro_key_from_raw_public(&k, LIBRO_ALG_ED25519, bytes, 31, &err),
                      LIBRO_ERR_BAD_KEY, &err, "must be 32 bytes, not 31");
    LIBRO_ASSERT_CODE(libro_key_from_raw_public(&k, LIBRO_ALG_ED25519, bytes, 33, &err),
                      LIBRO_ERR_BAD_KEY, &err, "must be 32 bytes, not 33");
    LIBRO_ASSERT_CODE(libro_key_from_raw_public(&k, LIBRO_ALG_ED25519, NULL, 0, &err),
                      LIBRO_ERR_BAD_KEY, &err, "not 0");
    ck_assert_ptr_null(k);
}
END_TEST

#define P256_XHEX "bf3fcc6d493ed6bbb0706520f120841bf70cd43a5928d8a597b1f27a29ac5dfb"
#define P256_YHEX "01d708ed3d5ae16b8e941fe675c7628f1806f7afbfc38da6b1309a7a78eab2f4"
#define P256_PRIME "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"

static const struct {
    const char *name;
    const char *hex;
    const char *msg;
} p256_bad_points[] = {
    {"infinity", "00", "point at infinity"},
    {"compressed", "02" P256_XHEX, "compressed point not accepted"},
    {"compressed odd", "03" P256_XHEX, "compressed point not accepted"},
    {"hybrid", "07" P256_XHEX P256_YHEX, "hybrid point encoding not accepted"},
    {"no prefix", P256_XHEX P256_YHEX, "65-byte uncompressed point"},
    {"bad prefix", "05" P256_XHEX P256_YHEX, "65-byte uncompressed point"},
    {"extra byte", "04" P256_XHEX P256_YHEX "00", "65-byte uncompressed point"},
    {"off curve", "04" P256_XHEX "01d708ed3d5ae16b8e941fe675c7628f1806f7afbfc38da6b1309a7a78eab2f5",
     "not a point on the curve"},
    {"zero point",
     "04"
     "0000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000000000000000000000000000000000",
     "not a point on the curve"},
    {"x = p", "04" P256_PRIME P256_YHEX, "not a point on the curve"},
    {"y = p", "04" P256_XHEX P256_PRIME, "not a point on the curve"},
    {"empty", "", "65-byte uncompressed point"},
};

START_TEST(test_p256_bad_points)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf raw = LIBRO_BUF_INIT;
    libro_key *k = NULL;
    libro_code rc;

    libro_test_hex(&raw, p256_bad_points[_i].hex);
    rc = libro_key_from_raw_public(&k, LIBRO_ALG_ES256, raw.data, raw.len, &err);
    ck_assert_msg(rc == LIBRO_ERR_BAD_KEY, "%s: got %d (%s)", p256_bad_points[_i].name, rc,
                  err.msg);
    LIBRO_ASSERT_CODE(rc, LIBRO_ERR_BAD_KEY, &err, p256_bad_points[_i].msg);
    ck_assert_ptr_null(k);
    libro_buf_free(&raw);
}
END_TEST

START_TEST(test_p256_good_point)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = raw_ok(LIBRO_ALG_ES256, P256_PUB_HEX);
    libro_key *priv = pem_ok(P256_PEM, NULL);
    libro_buf raw = LIBRO_BUF_INIT;
    libro_buf want = LIBRO_BUF_INIT;

    ck_assert(!libro_key_has_private(k));
    ck_assert(libro_key_equal_public(k, priv));
    LIBRO_ASSERT_CODE(libro_key_raw_public(&raw, k, &err), LIBRO_OK, &err, NULL);
    libro_test_hex(&want, P256_PUB_HEX);
    ck_assert_uint_eq(raw.len, 65);
    ck_assert_mem_eq(raw.data, want.data, 65);
    libro_buf_free(&want);
    libro_buf_free(&raw);
    libro_key_free(priv);
    libro_key_free(k);
}
END_TEST

/* ------------------------------------------------------------------ PEM */

/* Standard base64 of a PEM body -> DER, through our base64url decoder. */
static void
pem_der(libro_buf *der, const libro_buf *pem)
{
    libro_buf b64 = LIBRO_BUF_INIT;
    libro_error err = LIBRO_ERROR_INIT;
    const char *p = strstr((const char *) pem->data, "-----\n");
    const char *end = strstr((const char *) pem->data, "\n-----END");
    char c;

    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(end);
    for (p += 6; p < end; p++) {
        c = *p == '+' ? '-' : *p == '/' ? '_' : *p;
        if (c != '\n' && c != '=') {
            ck_assert(libro_buf_append(&b64, &c, 1, &err) == LIBRO_OK);
        }
    }
    ck_assert_msg(libro_b64url_decode(der, (const char *) b64.data, b64.len, &err) == LIBRO_OK,
                  "%s", err.msg);
    libro_buf_free(&b64);
}

static bool
mem_contains(const libro_buf *b, const unsigned char *needle, size_t n)
{
    size_t i;

    for (i = 0; n <= b->len && i + n <= b->len; i++) {
        if (memcmp(b->data + i, needle, n) == 0) {
            return true;
        }
    }
    return false;
}

START_TEST(test_pem_roundtrip)
{
    /* id-scrypt (RFC 7914 §7) and aes256-CBC (NIST), as DER OBJECT IDENTIFIERs. */
    static const unsigned char oid_scrypt[] = {0x06, 0x09, 0x2b, 0x06, 0x01, 0x04,
                                               0x01, 0xda, 0x47, 0x04, 0x0b};
    static const unsigned char oid_aes256cbc[] = {0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                                  0x65, 0x03, 0x04, 0x01, 0x2a};
    libro_alg alg = algs[_i / 2];
    bool encrypted = (_i % 2) == 1;
    const char *pass = encrypted ? PASS : NULL;
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = gen(alg);
    libro_key *back = NULL;
    libro_key *pub = NULL;
    libro_buf pem = LIBRO_BUF_INIT;
    libro_buf pub_pem = LIBRO_BUF_INIT;
    libro_buf der = LIBRO_BUF_INIT;
    libro_buf sig = LIBRO_BUF_INIT;

    LIBRO_ASSERT_CODE(libro_key_private_pem(&pem, k, pass, pass != NULL ? strlen(pass) : 0, &err),
                      LIBRO_OK, &err, NULL);
    ck_assert_ptr_nonnull(
        strstr((const char *) pem.data, encrypted ? "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
                                                  : "-----BEGIN PRIVATE KEY-----\n"));
    if (encrypted) {
        /* PBES2 with scrypt and AES-256-CBC, as the header promises. */
        pem_der(&der, &pem);
        ck_assert(mem_contains(&der, oid_scrypt, sizeof oid_scrypt));
        ck_assert(mem_contains(&der, oid_aes256cbc, sizeof oid_aes256cbc));
    }
    back = pem_ok((const char *) pem.data, pass);
    ck_assert(libro_key_has_private(back));
    ck_assert(libro_key_equal_public(back, k));
    ck_assert_int_eq(libro_key_alg(back), alg);
    /* The reloaded private key signs for the original public key. */
    sign_ok(&sig, back, "abc", 3);
    LIBRO_ASSERT_CODE(libro_key_verify(k, "abc", 3, sig.data, sig.len, &err), LIBRO_OK, &err, NULL);
    /* SubjectPublicKeyInfo round trip. */
    LIBRO_ASSERT_CODE(libro_key_public_pem(&pub_pem, k, &err), LIBRO_OK, &err, NULL);
    ck_assert_ptr_nonnull(strstr((const char *) pub_pem.data, "-----BEGIN PUBLIC KEY-----\n"));
    pub = pem_ok((const char *) pub_pem.data, NULL);
    ck_assert(!libro_key_has_private(pub));
    ck_assert(libro_key_equal_public(pub, k));
    libro_buf_clear(&pub_pem);
    LIBRO_ASSERT_CODE(libro_key_private_pem(&pub_pem, pub, NULL, 0, &err), LIBRO_ERR_BAD_KEY, &err,
                      "no private half");
    libro_buf_free(&sig);
    libro_buf_free(&der);
    libro_buf_free(&pub_pem);
    libro_buf_free(&pem);
    libro_key_free(pub);
    libro_key_free(back);
    libro_key_free(k);
}
END_TEST

START_TEST(test_pem_passphrase)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = gen(algs[_i]);
    libro_key *back = NULL;
    libro_buf pem = LIBRO_BUF_INIT;
    const char *text;

    LIBRO_ASSERT_CODE(libro_key_private_pem(&pem, k, PASS, strlen(PASS), &err), LIBRO_OK, &err,
                      NULL);
    text = (const char *) pem.data;
    LIBRO_ASSERT_CODE(libro_key_from_pem(&back, text, pem.len, NULL, 0, &err), LIBRO_ERR_PASSPHRASE,
                      &err, "key file is encrypted: passphrase required");
    ck_assert_ptr_null(back);
    LIBRO_ASSERT_CODE(libro_key_from_pem(&back, text, pem.len, "wrong", 5, &err),
                      LIBRO_ERR_PASSPHRASE, &err, "wrong passphrase or corrupt key");
    /* A prefix of the right passphrase is a different passphrase. */
    LIBRO_ASSERT_CODE(libro_key_from_pem(&back, text, pem.len, PASS, strlen(PASS) - 1, &err),
                      LIBRO_ERR_PASSPHRASE, &err, "wrong passphrase or corrupt key");
    LIBRO_ASSERT_CODE(libro_key_from_pem(&back, text, pem.len, "", 0, &err), LIBRO_ERR_PASSPHRASE,
                      &err, "wrong passphrase or corrupt key");
    ck_assert_ptr_null(back);
    LIBRO_ASSERT_CODE(libro_key_from_pem(&back, text, pem.len, PASS, strlen(PASS), &err), LIBRO_OK,
                      &err, NULL);
    ck_assert(libro_key_equal_public(back, k));
    libro_key_free(back);
    back = NULL;
    /* A passphrase given for a plain key is not needed and not an error. */
    libro_buf_clear(&pem);
    LIBRO_ASSERT_CODE(libro_key_private_pem(&pem, k, NULL, 0, &err), LIBRO_OK, &err, NULL);
    LIBRO_ASSERT_CODE(
        libro_key_from_pem(&back, (const char *) pem.data, pem.len, PASS, strlen(PASS), &err),
        LIBRO_OK, &err, NULL);
    libro_key_free(back);
    libro_buf_free(&pem);
    libro_key_free(k);
}
END_TEST

START_TEST(test_pem_passphrase_limits)
{
    char *long_pass = calloc(1, LIBRO_MAX_PASSPHRASE_BYTES + 2);
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = gen(LIBRO_ALG_ED25519);
    libro_key *back = NULL;
    libro_buf pem = LIBRO_BUF_INIT;

    ck_assert_ptr_nonnull(long_pass);
    memset(long_pass, 'p', LIBRO_MAX_PASSPHRASE_BYTES + 1);
    LIBRO_ASSERT_CODE(libro_key_private_pem(&pem, k, "", 0, &err), LIBRO_ERR_INVALID_ARG, &err,
                      "empty passphrase");
    LIBRO_ASSERT_CODE(
        libro_key_private_pem(&pem, k, long_pass, LIBRO_MAX_PASSPHRASE_BYTES + 1, &err),
        LIBRO_ERR_LIMIT, &err, "passphrase longer than 1024 bytes");
    ck_assert_uint_eq(pem.len, 0);
    /* At the cap it works, and reads back. */
    LIBRO_ASSERT_CODE(libro_key_private_pem(&pem, k, long_pass, LIBRO_MAX_PASSPHRASE_BYTES, &err),
                      LIBRO_OK, &err, NULL);
    LIBRO_ASSERT_CODE(libro_key_from_pem(&back, (const char *) pem.data, pem.len, long_pass,
                                         LIBRO_MAX_PASSPHRASE_BYTES, &err),
                      LIBRO_OK, &err, NULL);
    libro_key_free(back);
    back = NULL;
    LIBRO_ASSERT_CODE(libro_key_from_pem(&back, (const char *) pem.data, pem.len, long_pass,
                                         LIBRO_MAX_PASSPHRASE_BYTES + 1, &err),
                      LIBRO_ERR_LIMIT, &err, "passphrase longer than");
    ck_assert_ptr_null(back);
    libro_buf_free(&pem);
    libro_key_free(k);
    free(long_pass);
}
END_TEST

START_TEST(test_pem_truncated)
{
    libro_alg alg = algs[_i / 2];
    const char *pass = (_i % 2) == 1 ? PASS : NULL;
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = gen(alg);
    libro_key *back = NULL;
    libro_buf pem = LIBRO_BUF_INIT;
    size_t cuts[7];
    size_t i;

    LIBRO_ASSERT_CODE(libro_key_private_pem(&pem, k, pass, pass != NULL ? strlen(pass) : 0, &err),
                      LIBRO_OK, &err, NULL);
    cuts[0] = 0;
    cuts[1] = 5;            /* inside "-----BEGIN" */
    cuts[2] = 26;           /* inside the label */
    cuts[3] = 40;           /* first body line */
    cuts[4] = pem.len / 2;  /* middle of the body */
    cuts[5] = pem.len - 20; /* inside the END line */
    cuts[6] = pem.len - 3;  /* the END line's dashes */
    for (i = 0; i < LIBRO_NELEM(cuts); i++) {
        libro_code rc = libro_key_from_pem(&back, (const char *) pem.data, cuts[i], pass,
                                           pass != NULL ? strlen(pass) : 0, &err);

        ck_assert_msg(rc == LIBRO_ERR_PARSE, "cut at %zu of %zu: got %d (%s)", cuts[i], pem.len, rc,
                      err.msg);
        ck_assert_ptr_null(back);
    }
    libro_buf_free(&pem);
    libro_key_free(k);
}
END_TEST

static const struct {
    const char *name;
    const char *pem;
    libro_code want;
    const char *msg;
} pem_bad[] = {
    {"empty", "", LIBRO_ERR_PARSE, "pem: malformed"},
    {"text", "hello world\n", LIBRO_ERR_PARSE, "pem: malformed"},
    {"no end", "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v\n", LIBRO_ERR_PARSE,
     "pem: malformed"},
    {"bad base64", "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
     LIBRO_ERR_PARSE, "pem: malformed"},
    {"empty body", "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n", LIBRO_ERR_PARSE,
     "pem: malformed"},
    {"not DER", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", LIBRO_ERR_PARSE,
     "pem: bad PKCS#8 private key"},
    /* One byte of the body dropped: the DER lengths no longer add up. */
    {"garbled",
     "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGX"
     "A7rAMcrn9\n-----END PRIVATE KEY-----\n",
     LIBRO_ERR_PARSE, "pem"},
    {"not DER public", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
     LIBRO_ERR_PARSE, "pem: bad SubjectPublicKeyInfo"},
    {"not DER encrypted",
     "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
     LIBRO_ERR_PARSE, "pem: bad encrypted PKCS#8 key"},
    {"trailing junk", RFC8037_PEM "junk\n", LIBRO_ERR_PARSE, "pem: unexpected data after the key"},
    {"two keys", RFC8037_PEM P256_PEM, LIBRO_ERR_PARSE, "pem: unexpected data after the key"},
    {"P-384", P384_SPKI, LIBRO_ERR_UNSUPPORTED, "pem: unsupported elliptic curve (want P-256)"},
    {"SEC1", P256_SEC1_PEM, LIBRO_ERR_UNSUPPORTED, "pem: unsupported block \"EC PRIVATE KEY\""},
    {"legacy encryption", P256_LEGACY_PEM, LIBRO_ERR_UNSUPPORTED,
     "pem: legacy PEM encryption is not supported"},
    {"label with control",
     "-----BEGIN FOO\x01"
     "BAR-----\nAAAA\n-----END FOO\x01"
     "BAR-----\n",
     LIBRO_ERR_UNSUPPORTED, "pem: unsupported block \"FOO?BAR\""},
    {"certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
     LIBRO_ERR_UNSUPPORTED, "pem: unsupported block \"CERTIFICATE\""},
    {"PBES1", ED_CLI_PBES1, LIBRO_ERR_UNSUPPORTED, "key encryption other than PBES2"},
    {"PBKDF2 3M iterations", ED_CLI_ITER3M, LIBRO_ERR_LIMIT,
     "pem: PBKDF2 iteration count above 2000000"},
    {"off-curve SPKI", P256_OFF_CURVE_SPKI, LIBRO_ERR_BAD_KEY, "pem: bad public key"},
};

START_TEST(test_pem_rejects)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = NULL;
    libro_code rc =
        libro_key_from_pem(&k, pem_bad[_i].pem, strlen(pem_bad[_i].pem), "hunter2", 7, &err);

    ck_assert_msg(rc == pem_bad[_i].want, "%s: got %d (%s)", pem_bad[_i].name, rc, err.msg);
    LIBRO_ASSERT_CODE(rc, pem_bad[_i].want, &err, pem_bad[_i].msg);
    ck_assert_ptr_null(k);
}
END_TEST

START_TEST(test_pem_rsa)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf pem = LIBRO_BUF_INIT;
    libro_key *k = NULL;

    libro_test_read(&pem, libro_test_data_dir(), "rsa2048_pub.pem");
    LIBRO_ASSERT_CODE(libro_key_from_pem(&k, (const char *) pem.data, pem.len, NULL, 0, &err),
                      LIBRO_ERR_UNSUPPORTED, &err,
                      "pem: unsupported key type rsaEncryption (want Ed25519 or P-256)");
    ck_assert_ptr_null(k);
    libro_buf_free(&pem);
}
END_TEST

/* Keys written by the openssl command line read back: PBKDF2-encrypted Ed25519, scrypt and
 * plain P-256. */
START_TEST(test_pem_openssl_cli)
{
    libro_key *ed = pem_ok(ED_CLI_PBKDF2, "hunter2");
    libro_key *ed_pub = pem_ok(ED_CLI_PUB, NULL);
    libro_key *ec = pem_ok(P256_SCRYPT_PEM, "hunter2");
    libro_key *ec_plain = pem_ok(P256_PEM, NULL);
    libro_key *ec_pub = raw_ok(LIBRO_ALG_ES256, P256_PUB_HEX);

    ck_assert(libro_key_has_private(ed));
    ck_assert(libro_key_equal_public(ed, ed_pub));
    ck_assert(libro_key_has_private(ec));
    ck_assert(libro_key_equal_public(ec, ec_pub));
    ck_assert(libro_key_equal_public(ec_plain, ec_pub));
    libro_key_free(ec_pub);
    libro_key_free(ec_plain);
    libro_key_free(ec);
    libro_key_free(ed_pub);
    libro_key_free(ed);
}
END_TEST

START_TEST(test_pem_size_cap)
{
    char *big = calloc(1, LIBRO_MAX_KEY_FILE_BYTES + 2);
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = NULL;
    size_t n = strlen(RFC8037_PEM);

    ck_assert_ptr_nonnull(big);
    /* At the cap (the key plus trailing blank lines) it loads; one byte more does not. */
    memset(big, '\n', LIBRO_MAX_KEY_FILE_BYTES + 1);
    memcpy(big, RFC8037_PEM, n);
    LIBRO_ASSERT_CODE(libro_key_from_pem(&k, big, LIBRO_MAX_KEY_FILE_BYTES, NULL, 0, &err),
                      LIBRO_OK, &err, NULL);
    libro_key_free(k);
    k = NULL;
    LIBRO_ASSERT_CODE(libro_key_from_pem(&k, big, LIBRO_MAX_KEY_FILE_BYTES + 1, NULL, 0, &err),
                      LIBRO_ERR_LIMIT, &err, "pem: larger than 16384 bytes");
    ck_assert_ptr_null(k);
    free(big);
}
END_TEST

/* ------------------------------------------------------------------ key files */

static char tmpdir[256];

static void
files_setup(void)
{
    const char *base = getenv("TMPDIR");
    int n = snprintf(tmpdir, sizeof tmpdir, "%s/libro-key-XXXXXX",
                     base != NULL && base[0] != '\0' ? base : "/tmp");

    ck_assert(n > 0 && (size_t) n < sizeof tmpdir);
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static const char *const tmp_names[] = {"k.pem",   "k2.pem",  "link.pem", "pub.pem",
                                        "pub.jwk", "big.pem", "cap.pem",  "sub"};

static const char *
tmp_path(const char *name)
{
    /* Two rotating buffers, so that two paths can be passed to one call (symlink). */
    static char path[2][512];
    static unsigned which;
    char *p = path[which++ % 2];
    int n = snprintf(p, sizeof path[0], "%s/%s", tmpdir, name);

    ck_assert(n > 0 && (size_t) n < sizeof path[0]);
    return p;
}

static void
files_teardown(void)
{
    size_t i;

    for (i = 0; i < LIBRO_NELEM(tmp_names); i++) {
        (void) unlink(tmp_path(tmp_names[i]));
        (void) rmdir(tmp_path(tmp_names[i]));
    }
    (void) rmdir(tmpdir);
}

static void
write_file(const char *name, const void *data, size_t len, unsigned mode)
{
    libro_error err = LIBRO_ERROR_INIT;

    ck_assert_msg(libro_file_write_new(tmp_path(name), data, len, mode, &err) == LIBRO_OK, "%s",
                  err.msg);
    ck_assert_int_eq(chmod(tmp_path(name), (mode_t) mode), 0);
}

START_TEST(test_file_save_load)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = gen(algs[_i]);
    libro_key *back = NULL;
    struct stat st;

    LIBRO_ASSERT_CODE(libro_key_save_pem(k, tmp_path("k.pem"), NULL, 0, &err), LIBRO_OK, &err,
                      NULL);
    ck_assert_int_eq(lstat(tmp_path("k.pem"), &st), 0);
    ck_assert_msg((st.st_mode & 07777) == 0600, "mode %o", (unsigned) (st.st_mode & 07777));
    ck_assert(S_ISREG(st.st_mode));
    /* Never overwritten. */
    LIBRO_ASSERT_CODE(libro_key_save_pem(k, tmp_path("k.pem"), NULL, 0, &err), LIBRO_ERR_EXISTS,
                      &err, "exists, not overwriting");
    LIBRO_ASSERT_CODE(libro_key_load_file(&back, tmp_path("k.pem"), NULL, 0, &err), LIBRO_OK, &err,
                      NULL);
    ck_assert(libro_key_has_private(back));
    ck_assert(libro_key_equal_public(back, k));
    libro_key_free(back);
    back = NULL;
    /* Encrypted. */
    LIBRO_ASSERT_CODE(libro_key_save_pem(k, tmp_path("k2.pem"), PASS, strlen(PASS), &err), LIBRO_OK,
                      &err, NULL);
    ck_assert_int_eq(lstat(tmp_path("k2.pem"), &st), 0);
    ck_assert_uint_eq(st.st_mode & 07777, 0600);
    LIBRO_ASSERT_CODE(libro_key_load_file(&back, tmp_path("k2.pem"), NULL, 0, &err),
                      LIBRO_ERR_PASSPHRASE, &err, "passphrase required");
    ck_assert_ptr_null(back);
    LIBRO_ASSERT_CODE(libro_key_load_file(&back, tmp_path("k2.pem"), "nope", 4, &err),
                      LIBRO_ERR_PASSPHRASE, &err, "wrong passphrase or corrupt key");
    LIBRO_ASSERT_CODE(libro_key_load_file(&back, tmp_path("k2.pem"), PASS, strlen(PASS), &err),
                      LIBRO_OK, &err, NULL);
    ck_assert(libro_key_equal_public(back, k));
    libro_key_free(back);
    back = NULL;
    /* A public key cannot be saved as a private key file. */
    {
        libro_key *pub = NULL;

        LIBRO_ASSERT_CODE(libro_key_public(&pub, k, &err), LIBRO_OK, &err, NULL);
        LIBRO_ASSERT_CODE(libro_key_save_pem(pub, tmp_path("pub.pem"), NULL, 0, &err),
                          LIBRO_ERR_BAD_KEY, &err, "no private half");
        ck_assert_int_ne(access(tmp_path("pub.pem"), F_OK), 0);
        libro_key_free(pub);
    }
    libro_key_free(k);
}
END_TEST

START_TEST(test_file_permissions)
{
    static const unsigned modes[] = {0644, 0640, 0604, 0660, 0602, 0620};
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = gen(LIBRO_ALG_ED25519);
    libro_key *back = NULL;
    char want[64];
    size_t i;

    LIBRO_ASSERT_CODE(libro_key_save_pem(k, tmp_path("k.pem"), NULL, 0, &err), LIBRO_OK, &err,
                      NULL);
    LIBRO_ASSERT_CODE(libro_key_save_pem(k, tmp_path("k2.pem"), PASS, strlen(PASS), &err), LIBRO_OK,
                      &err, NULL);
    for (i = 0; i < LIBRO_NELEM(modes); i++) {
        ck_assert(snprintf(want, sizeof want, "permissions too open (0%03o); want 0600", modes[i]) >
                  0);
        ck_assert_int_eq(chmod(tmp_path("k.pem"), (mode_t) modes[i]), 0);
        LIBRO_ASSERT_CODE(libro_key_load_file(&back, tmp_path("k.pem"), NULL, 0, &err),
                          LIBRO_ERR_DENIED, &err, want);
        ck_assert_ptr_null(back);
        /* Refused before any passphrase is asked for or tried. */
        ck_assert_int_eq(chmod(tmp_path("k2.pem"), (mode_t) modes[i]), 0);
        LIBRO_ASSERT_CODE(libro_key_load_file(&back, tmp_path("k2.pem"), NULL, 0, &err),
                          LIBRO_ERR_DENIED, &err, want);
        ck_assert_ptr_null(back);
    }
    /* 0400 is fine: only the owner can read it. */
    ck_assert_int_eq(chmod(tmp_path("k.pem"), 0400), 0);
    LIBRO_ASSERT_CODE(libro_key_load_file(&back, tmp_path("k.pem"), NULL, 0, &err), LIBRO_OK, &err,
                      NULL);
    libro_key_free(back);
    libro_key_free(k);
}
END_TEST

START_TEST(test_file_public)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = gen(algs[_i]);
    libro_key *back = NULL;
    libro_buf pem = LIBRO_BUF_INIT;
    libro_buf jwk = LIBRO_BUF_INIT;

    /* Public keys may be world-readable, as PEM or as JWK (after leading blanks). */
    LIBRO_ASSERT_CODE(libro_key_public_pem(&pem, k, &err), LIBRO_OK, &err, NULL);
    write_file("pub.pem", pem.data, pem.len, 0644);
    LIBRO_ASSERT_CODE(libro_key_load_file(&back, tmp_path("pub.pem"), NULL, 0, &err), LIBRO_OK,
                      &err, NULL);
    ck_assert(!libro_key_has_private(back));
    ck_assert(libro_key_equal_public(back, k));
    libro_key_free(back);
    back = NULL;
    ck_assert(libro_buf_append_str(&jwk, " \n\t", &err) == LIBRO_OK);
    LIBRO_ASSERT_CODE(libro_key_to_jwk(&jwk, k, "k1", &err), LIBRO_OK, &err, NULL);
    write_file("pub.jwk", jwk.data, jwk.len, 0644);
    LIBRO_ASSERT_CODE(libro_key_load_file(&back, tmp_path("pub.jwk"), NULL, 0, &err), LIBRO_OK,
                      &err, NULL);
    ck_assert(libro_key_equal_public(back, k));
    libro_key_free(back);
    libro_buf_free(&jwk);
    libro_buf_free(&pem);
    libro_key_free(k);
}
END_TEST

START_TEST(test_file_refusals)
{
    char *big = calloc(1, LIBRO_MAX_KEY_FILE_BYTES + 1);
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = gen(LIBRO_ALG_ED25519);
    libro_key *back = NULL;
    libro_buf pem = LIBRO_BUF_INIT;

    ck_assert_ptr_nonnull(big);
    LIBRO_ASSERT_CODE(libro_key_save_pem(k, tmp_path("k.pem"), NULL, 0, &err), LIBRO_OK, &err,
                      NULL);
    /* A symbolic link, even to a good key file. */
    ck_assert_int_eq(symlink(tmp_path("k.pem"), tmp_path("link.pem")), 0);
    LIBRO_ASSERT_CODE(libro_key_load_file(&back, tmp_path("link.pem"), NULL, 0, &err),
                      LIBRO_ERR_DENIED, &err, "is a symbolic link");
    /* Saving through a symbolic link is refused too (O_EXCL|O_NOFOLLOW). */
    LIBRO_ASSERT_CODE(libro_key_save_pem(k, tmp_path("link.pem"), NULL, 0, &err), LIBRO_ERR_EXISTS,
                      &err, NULL);
    LIBRO_ASSERT_CODE(libro_key_load_file(&back, tmp_path("missing.pem"), NULL, 0, &err),
                      LIBRO_ERR_NOT_FOUND, &err, "no such file");
    ck_assert_int_eq(mkdir(tmp_path("sub"), 0700), 0);
    LIBRO_ASSERT_CODE(libro_key_load_file(&back, tmp_path("sub"), NULL, 0, &err), LIBRO_ERR_IO,
                      &err, "not a regular file");
    /* Size: a public key padded to the cap loads, one byte more is refused. */
    LIBRO_ASSERT_CODE(libro_key_public_pem(&pem, k, &err), LIBRO_OK, &err, NULL);
    memset(big, '\n', LIBRO_MAX_KEY_FILE_BYTES + 1);
    memcpy(big, pem.data, pem.len);
    write_file("cap.pem", big, LIBRO_MAX_KEY_FILE_BYTES, 0644);
    LIBRO_ASSERT_CODE(libro_key_load_file(&back, tmp_path("cap.pem"), NULL, 0, &err), LIBRO_OK,
                      &err, NULL);
    libro_key_free(back);
    back = NULL;
    write_file("big.pem", big, LIBRO_MAX_KEY_FILE_BYTES + 1, 0600);
    LIBRO_ASSERT_CODE(libro_key_load_file(&back, tmp_path("big.pem"), NULL, 0, &err),
                      LIBRO_ERR_LIMIT, &err, "larger than 16384 bytes");
    ck_assert_ptr_null(back);
    libro_buf_free(&pem);
    libro_key_free(k);
    free(big);
}
END_TEST

/* ------------------------------------------------------------------ JWK */

#define ED_JWK(extra) "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" RFC8037_X "\"" extra "}"
#define EC_JWK(extra)                                                                              \
    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" P256_X "\",\"y\":\"" P256_Y "\"" extra "}"

static const struct {
    const char *name;
    const char *json;
    libro_code want;
    const char *msg;
} jwk_bad[] = {
    {"empty", "", LIBRO_ERR_PARSE, "jwk: json"},
    {"not JSON", "{", LIBRO_ERR_PARSE, "jwk: json"},
    {"array", "[]", LIBRO_ERR_PARSE, "jwk: not a JSON object"},
    {"duplicate x", ED_JWK(",\"x\":\"" RFC8037_X "\""), LIBRO_ERR_PARSE, "duplicate"},
    {"private d", ED_JWK(",\"d\":\"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A\""),
     LIBRO_ERR_UNSUPPORTED, "jwk: private key member \"d\" refused"},
    {"private d (EC)", EC_JWK(",\"d\":\"AA\""), LIBRO_ERR_UNSUPPORTED, "\"d\" refused"},
    {"no kty", "{\"crv\":\"Ed25519\",\"x\":\"" RFC8037_X "\"}", LIBRO_ERR_PARSE,
     "jwk: \"kty\" missing or not a string"},
    {"kty number", "{\"kty\":1}", LIBRO_ERR_PARSE, "jwk: \"kty\" missing or not a string"},
    {"kty RSA", "{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}", LIBRO_ERR_UNSUPPORTED,
     "jwk: unsupported kty \"RSA\" (want OKP or EC)"},
    {"kty oct", "{\"kty\":\"oct\",\"k\":\"AQAB\"}", LIBRO_ERR_UNSUPPORTED,
     "jwk: unsupported kty \"oct\""},
    {"kty lowercase", "{\"kty\":\"okp\",\"crv\":\"Ed25519\",\"x\":\"" RFC8037_X "\"}",
     LIBRO_ERR_UNSUPPORTED, "unsupported kty \"okp\""},
    {"crv X25519", "{\"kty\":\"OKP\",\"crv\":\"X25519\",\"x\":\"" RFC8037_X "\"}",
     LIBRO_ERR_UNSUPPORTED, "jwk: unsupported curve \"X25519\" for OKP"},
    {"crv P-384", "{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"" P256_X "\",\"y\":\"" P256_Y "\"}",
     LIBRO_ERR_UNSUPPORTED, "jwk: unsupported curve \"P-384\" for EC"},
    {"OKP with P-256", "{\"kty\":\"OKP\",\"crv\":\"P-256\",\"x\":\"" RFC8037_X "\"}",
     LIBRO_ERR_UNSUPPORTED, "unsupported curve \"P-256\" for OKP"},
    {"EC with Ed25519",
     "{\"kty\":\"EC\",\"crv\":\"Ed25519\",\"x\":\"" P256_X "\",\"y\":\"" P256_Y "\"}",
     LIBRO_ERR_UNSUPPORTED, "unsupported curve \"Ed25519\" for EC"},
    {"unknown member", ED_JWK(",\"foo\":1"), LIBRO_ERR_PARSE, "jwk: unexpected member \"foo\""},
    {"OKP with y", ED_JWK(",\"y\":\"" P256_Y "\""), LIBRO_ERR_PARSE,
     "jwk: unexpected member \"y\""},
    {"x5c", ED_JWK(",\"x5c\":[]"), LIBRO_ERR_PARSE, "jwk: unexpected member \"x5c\""},
    /* Untrusted text in messages stays one printable line. */
    {"member with newline", ED_JWK(",\"a\\nb\\\"c\":1"), LIBRO_ERR_PARSE,
     "jwk: unexpected member \"a?b?c\""},
    {"kty with tab", "{\"kty\":\"R\\tSA\"}", LIBRO_ERR_UNSUPPORTED, "unsupported kty \"R?SA\""},
    {"long kty",
     "{\"kty\":\""
     "KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK"
     "\"}",
     LIBRO_ERR_UNSUPPORTED,
     "unsupported kty \"KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK\" (want"},
    {"no x", "{\"kty\":\"OKP\",\"crv\":\"Ed25519\"}", LIBRO_ERR_PARSE, "jwk: "},
    {"no crv", "{\"kty\":\"OKP\",\"x\":\"" RFC8037_X "\"}", LIBRO_ERR_PARSE, "jwk: "},
    {"EC no y", "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" P256_X "\"}", LIBRO_ERR_PARSE,
     "jwk: "},
    {"x number", "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":5}", LIBRO_ERR_PARSE, "jwk: "},
    {"crv null", "{\"kty\":\"OKP\",\"crv\":null,\"x\":\"" RFC8037_X "\"}", LIBRO_ERR_PARSE,
     "jwk: "},
    {"x padded", "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" RFC8037_X "=\"}",
     LIBRO_ERR_ENCODING, "jwk: x: base64url: padding not allowed"},
    {"x std base64",
     "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS/7TyWQHOg7hcvPapiM"
     "lrwIaaPcHURo\"}",
     LIBRO_ERR_ENCODING, "jwk: x: base64url: invalid character"},
    {"x non-canonical",
     "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvP"
     "apiMlrwIaaPcHURp\"}",
     LIBRO_ERR_ENCODING, "non-canonical"},
    {"y bad", "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" P256_X "\",\"y\":\"*\"}",
     LIBRO_ERR_ENCODING, "jwk: y: base64url"},
    {"x 31 bytes",
     "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMl"
     "rwIaaPcHUQ\"}",
     LIBRO_ERR_BAD_KEY, "jwk: \"x\" must be 32 bytes, not 31"},
    {"x 33 bytes",
     "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMl"
     "rwIaaPcHURoA\"}",
     LIBRO_ERR_BAD_KEY, "jwk: \"x\" must be 32 bytes, not 33"},
    {"EC x empty", "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"\",\"y\":\"" P256_Y "\"}",
     LIBRO_ERR_BAD_KEY, "\"x\" must be 32 bytes, not 0"},
    {"EC y short",
     "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" P256_X "\",\"y\":\"AdcI7T1a4WuOlB"
     "_mdcdijxgG96-_w42msTCaenjqsg\"}",
     LIBRO_ERR_BAD_KEY, "\"y\" must be 32 bytes, not 31"},
    {"alg ES256 on Ed25519", ED_JWK(",\"alg\":\"ES256\""), LIBRO_ERR_BAD_KEY,
     "jwk: alg \"ES256\" does not match curve Ed25519"},
    {"alg EdDSA on P-256", EC_JWK(",\"alg\":\"EdDSA\""), LIBRO_ERR_BAD_KEY,
     "alg \"EdDSA\" does not match curve P-256"},
    {"alg none", EC_JWK(",\"alg\":\"none\""), LIBRO_ERR_BAD_KEY, "alg \"none\" does not match"},
    {"alg number", EC_JWK(",\"alg\":1"), LIBRO_ERR_PARSE, "jwk: "},
    {"use enc", ED_JWK(",\"use\":\"enc\""), LIBRO_ERR_BAD_KEY, "jwk: use \"enc\" is not \"sig\""},
    {"kid number", ED_JWK(",\"kid\":7"), LIBRO_ERR_PARSE, "jwk: "},
    {"key_ops object", ED_JWK(",\"key_ops\":{}"), LIBRO_ERR_PARSE,
     "jwk: \"key_ops\" is not an array"},
    {"key_ops number", ED_JWK(",\"key_ops\":[\"verify\",1]"), LIBRO_ERR_PARSE,
     "jwk: \"key_ops\" holds a non-string"},
    {"too deep", ED_JWK(",\"key_ops\":[[\"verify\"]]"), LIBRO_ERR_LIMIT, "jwk: json: nesting"},
    {"key_ops without verify", ED_JWK(",\"key_ops\":[\"encrypt\"]"), LIBRO_ERR_BAD_KEY,
     "jwk: \"key_ops\" does not allow \"verify\""},
    {"key_ops empty", ED_JWK(",\"key_ops\":[]"), LIBRO_ERR_BAD_KEY,
     "jwk: \"key_ops\" does not allow \"verify\""},
    {"small-order x",
     "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
     "AAAAAAAAAAAAA\"}",
     LIBRO_ERR_BAD_KEY, "jwk: ed25519: invalid public key"},
    {"EC off curve",
     "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" P256_X "\",\"y\":\"" P256_Y_OFF "\"}",
     LIBRO_ERR_BAD_KEY, "jwk: p-256: not a point on the curve"},
    {"NUL escape", "{\"kty\":\"OKP\\u0000\",\"crv\":\"Ed25519\",\"x\":\"" RFC8037_X "\"}",
     LIBRO_ERR_PARSE, "jwk: json"},
};

START_TEST(test_jwk_rejects)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = NULL;
    libro_code rc = libro_key_from_jwk(&k, jwk_bad[_i].json, strlen(jwk_bad[_i].json), &err);

    ck_assert_msg(rc == jwk_bad[_i].want, "%s: got %s (%s)", jwk_bad[_i].name, libro_code_name(rc),
                  err.msg);
    LIBRO_ASSERT_CODE(rc, jwk_bad[_i].want, &err, jwk_bad[_i].msg);
    ck_assert_ptr_null(k);
}
END_TEST

static const struct {
    const char *json;
    libro_alg alg;
} jwk_good[] = {
    {ED_JWK(""), LIBRO_ALG_ED25519},
    {ED_JWK(",\"alg\":\"EdDSA\",\"use\":\"sig\",\"kid\":\"a\",\"key_ops\":[\"verify\"]"),
     LIBRO_ALG_ED25519},
    {ED_JWK(",\"alg\":\"Ed25519\""), LIBRO_ALG_ED25519},
    {" \n" ED_JWK(",\"key_ops\":[\"sign\",\"verify\"]") "\n", LIBRO_ALG_ED25519},
    {EC_JWK(""), LIBRO_ALG_ES256},
    {EC_JWK(",\"alg\":\"ES256\",\"use\":\"sig\",\"kid\":\"k\""), LIBRO_ALG_ES256},
};

START_TEST(test_jwk_accepts)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = NULL;
    libro_key *want =
        _i < 4 ? raw_ok(LIBRO_ALG_ED25519, RFC8037_X_HEX) : raw_ok(LIBRO_ALG_ES256, P256_PUB_HEX);

    LIBRO_ASSERT_CODE(libro_key_from_jwk(&k, jwk_good[_i].json, strlen(jwk_good[_i].json), &err),
                      LIBRO_OK, &err, NULL);
    ck_assert_int_eq(libro_key_alg(k), jwk_good[_i].alg);
    ck_assert(!libro_key_has_private(k));
    ck_assert(libro_key_equal_public(k, want));
    libro_key_free(want);
    libro_key_free(k);
}
END_TEST

START_TEST(test_jwk_size_cap)
{
    char *doc = calloc(1, LIBRO_MAX_JWK_BYTES + 2);
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = NULL;
    size_t n = strlen(ED_JWK(""));

    ck_assert_ptr_nonnull(doc);
    /* Padded with trailing blanks to exactly the cap, then one byte more. */
    memset(doc, ' ', LIBRO_MAX_JWK_BYTES + 1);
    memcpy(doc, ED_JWK(""), n);
    LIBRO_ASSERT_CODE(libro_key_from_jwk(&k, doc, LIBRO_MAX_JWK_BYTES, &err), LIBRO_OK, &err, NULL);
    libro_key_free(k);
    k = NULL;
    LIBRO_ASSERT_CODE(libro_key_from_jwk(&k, doc, LIBRO_MAX_JWK_BYTES + 1, &err), LIBRO_ERR_LIMIT,
                      &err, "jwk: json: document larger than 2048 bytes");
    ck_assert_ptr_null(k);
    free(doc);
}
END_TEST

START_TEST(test_jwk_roundtrip)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = gen(algs[_i]);
    libro_key *back = NULL;
    libro_buf jwk = LIBRO_BUF_INIT;
    char tp1[LIBRO_THUMBPRINT_LEN + 1];
    char tp2[LIBRO_THUMBPRINT_LEN + 1];

    LIBRO_ASSERT_CODE(libro_key_to_jwk(&jwk, k, "issuer#1", &err), LIBRO_OK, &err, NULL);
    ck_assert_ptr_null(strstr((const char *) jwk.data, "\"d\""));
    LIBRO_ASSERT_CODE(libro_key_from_jwk(&back, (const char *) jwk.data, jwk.len, &err), LIBRO_OK,
                      &err, NULL);
    ck_assert(libro_key_equal_public(back, k));
    ck_assert(!libro_key_has_private(back));
    /* Our thumbprint equals the generic RFC 7638 computation over our own export. */
    LIBRO_ASSERT_CODE(libro_key_thumbprint(tp1, k, &err), LIBRO_OK, &err, NULL);
    LIBRO_ASSERT_CODE(libro_jwk__thumbprint_json(tp2, (const char *) jwk.data, jwk.len, &err),
                      LIBRO_OK, &err, NULL);
    ck_assert_str_eq(tp1, tp2);
    ck_assert_uint_eq(strlen(tp1), LIBRO_THUMBPRINT_LEN);
    libro_buf_free(&jwk);
    libro_key_free(back);
    libro_key_free(k);
}
END_TEST

START_TEST(test_jwk_export_exact)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *ed = raw_ok(LIBRO_ALG_ED25519, RFC8037_X_HEX);
    libro_key *ec = raw_ok(LIBRO_ALG_ES256, P256_PUB_HEX);
    libro_buf out = LIBRO_BUF_INIT;
    char *kid;

    LIBRO_ASSERT_CODE(libro_key_to_jwk(&out, ed, NULL, &err), LIBRO_OK, &err, NULL);
    ck_assert_str_eq((const char *) out.data,
                     "{\"alg\":\"EdDSA\",\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"" RFC8037_X
                     "\"}");
    libro_buf_clear(&out);
    LIBRO_ASSERT_CODE(libro_key_to_jwk(&out, ec, "town \"7\"#a", &err), LIBRO_OK, &err, NULL);
    ck_assert_str_eq((const char *) out.data,
                     "{\"alg\":\"ES256\",\"crv\":\"P-256\",\"kid\":\"town \\\"7\\\"#a\",\"kty\":"
                     "\"EC\",\"x\":\"" P256_X "\",\"y\":\"" P256_Y "\"}");
    /* kid: at the cap, one past it, and not UTF-8. */
    kid = calloc(1, LIBRO_MAX_KID_BYTES + 2);
    ck_assert_ptr_nonnull(kid);
    memset(kid, 'k', LIBRO_MAX_KID_BYTES);
    libro_buf_clear(&out);
    LIBRO_ASSERT_CODE(libro_key_to_jwk(&out, ed, kid, &err), LIBRO_OK, &err, NULL);
    kid[LIBRO_MAX_KID_BYTES] = 'k';
    LIBRO_ASSERT_CODE(libro_key_to_jwk(&out, ed, kid, &err), LIBRO_ERR_LIMIT, &err,
                      "jwk: kid longer than 512 bytes");
    LIBRO_ASSERT_CODE(libro_key_to_jwk(&out, ed, "\xff", &err), LIBRO_ERR_INVALID_ARG, &err,
                      "jwk: \"kid\" is not valid UTF-8");
    free(kid);
    libro_buf_free(&out);
    libro_key_free(ec);
    libro_key_free(ed);
}
END_TEST

START_TEST(test_thumbprints)
{
    static const char rfc8037_jwk[] = ED_JWK("");
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *ed = raw_ok(LIBRO_ALG_ED25519, RFC8037_X_HEX);
    char tp[LIBRO_THUMBPRINT_LEN + 1];

    /* RFC 8037 A.3. */
    LIBRO_ASSERT_CODE(libro_key_thumbprint(tp, ed, &err), LIBRO_OK, &err, NULL);
    ck_assert_str_eq(tp, RFC8037_TP);
    LIBRO_ASSERT_CODE(libro_jwk__thumbprint_json(tp, rfc8037_jwk, strlen(rfc8037_jwk), &err),
                      LIBRO_OK, &err, NULL);
    ck_assert_str_eq(tp, RFC8037_TP);
    /* RFC 7638 §3.1: optional members (alg, kid) do not count. */
    LIBRO_ASSERT_CODE(libro_jwk__thumbprint_json(tp, RFC7638_JWK, strlen(RFC7638_JWK), &err),
                      LIBRO_OK, &err, NULL);
    ck_assert_str_eq(tp, RFC7638_TP);
    libro_key_free(ed);
}
END_TEST

static const struct {
    const char *name;
    const char *json;
    libro_code want;
    const char *msg;
} tp_bad[] = {
    {"not object", "[1]", LIBRO_ERR_PARSE, "jwk: not a JSON object"},
    {"no kty", "{\"n\":\"AQAB\",\"e\":\"AQAB\"}", LIBRO_ERR_PARSE, "\"kty\" missing"},
    {"unknown kty", "{\"kty\":\"DSA\"}", LIBRO_ERR_UNSUPPORTED, "jwk: unknown kty \"DSA\""},
    {"RSA no n", "{\"kty\":\"RSA\",\"e\":\"AQAB\"}", LIBRO_ERR_PARSE,
     "jwk: required member \"n\" missing or not a string"},
    {"EC y number", "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":1}", LIBRO_ERR_PARSE,
     "required member \"y\""},
    {"oct no k", "{\"kty\":\"oct\"}", LIBRO_ERR_PARSE, "required member \"k\""},
    {"duplicate", "{\"kty\":\"oct\",\"k\":\"a\",\"k\":\"b\"}", LIBRO_ERR_PARSE, "duplicate"},
};

START_TEST(test_thumbprint_json_rejects)
{
    libro_error err = LIBRO_ERROR_INIT;
    char tp[LIBRO_THUMBPRINT_LEN + 1];
    libro_code rc = libro_jwk__thumbprint_json(tp, tp_bad[_i].json, strlen(tp_bad[_i].json), &err);

    ck_assert_msg(rc == tp_bad[_i].want, "%s: got %s (%s)", tp_bad[_i].name, libro_code_name(rc),
                  err.msg);
    LIBRO_ASSERT_CODE(rc, tp_bad[_i].want, &err, tp_bad[_i].msg);
}
END_TEST

START_TEST(test_thumbprint_json_oct)
{
    libro_error err = LIBRO_ERROR_INIT;
    char a[LIBRO_THUMBPRINT_LEN + 1];
    char b[LIBRO_THUMBPRINT_LEN + 1];
    static const char j1[] = "{\"k\":\"GawgguFyGrWKav7AX4VKUg\",\"kty\":\"oct\",\"kid\":\"x\"}";
    static const char j2[] = "{\"kty\":\"oct\",\"k\":\"GawgguFyGrWKav7AX4VKUg\"}";

    /* Member order and optional members do not change the thumbprint. */
    LIBRO_ASSERT_CODE(libro_jwk__thumbprint_json(a, j1, strlen(j1), &err), LIBRO_OK, &err, NULL);
    LIBRO_ASSERT_CODE(libro_jwk__thumbprint_json(b, j2, strlen(j2), &err), LIBRO_OK, &err, NULL);
    ck_assert_str_eq(a, b);
}
END_TEST

START_TEST(test_jwk_oom)
{
    const char *json = _i == 0 ? ED_JWK(",\"kid\":\"a\"") : EC_JWK(",\"kid\":\"a\"");
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = NULL;
    unsigned long n;
    libro_code rc = LIBRO_ERR_NOMEM;

    /* Fail the 1st, 2nd, ... allocation until the import gets through. */
    for (n = 1; n < 1000 && rc != LIBRO_OK; n++) {
        libro__alloc_fail_after(n);
        rc = libro_key_from_jwk(&k, json, strlen(json), &err);
        libro__alloc_fail_after(0);
        if (rc != LIBRO_OK) {
            LIBRO_ASSERT_CODE(rc, LIBRO_ERR_NOMEM, &err, "out of memory");
            ck_assert_ptr_null(k);
        }
    }
    ck_assert_int_eq(rc, LIBRO_OK);
    ck_assert_uint_gt(n, 2); /* at least one allocation was failed */
    libro_key_free(k);
}
END_TEST

/* ------------------------------------------------------------------ did:key */

/* W3C CCG did-method-key test-vectors/ed25519-x25519.json: seeds 0 and 1; the public keys
 * are their RFC 8032 derivations (publicKeyBase58 4zvwRjXU... and 6ASf5Ecm... there). */
static const struct {
    const char *pub_hex;
    const char *did;
} did_vectors[] = {
    {"3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29",
     "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"},
    {"4cb5abf6ad79fbf5abbccafcc269d85cd2651ed4b885b5869f241aedf0a5ba29",
     "did:key:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG"},
};

START_TEST(test_did_vectors)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = raw_ok(LIBRO_ALG_ED25519, did_vectors[_i].pub_hex);
    libro_key *back = NULL;
    libro_buf did = LIBRO_BUF_INIT;

    LIBRO_ASSERT_CODE(libro_key_to_did(&did, k, &err), LIBRO_OK, &err, NULL);
    ck_assert_str_eq((const char *) did.data, did_vectors[_i].did);
    LIBRO_ASSERT_CODE(
        libro_key_from_did(&back, did_vectors[_i].did, strlen(did_vectors[_i].did), &err), LIBRO_OK,
        &err, NULL);
    ck_assert(libro_key_equal_public(back, k));
    libro_buf_free(&did);
    libro_key_free(back);
    libro_key_free(k);
}
END_TEST

START_TEST(test_did_roundtrip)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = gen(LIBRO_ALG_ED25519);
    libro_key *ec = gen(LIBRO_ALG_ES256);
    libro_key *back = NULL;
    libro_buf did = LIBRO_BUF_INIT;
    libro_buf bytes = LIBRO_BUF_INIT;
    libro_buf raw = LIBRO_BUF_INIT;

    ck_assert(libro_buf_append_str(&did, "prefix:", &err) == LIBRO_OK);
    LIBRO_ASSERT_CODE(libro_key_to_did(&did, k, &err), LIBRO_OK, &err, NULL);
    ck_assert_int_eq(strncmp((const char *) did.data, "prefix:did:key:z6Mk", 19), 0);
    /* The multicodec bytes: 0xed 0x01, then the raw key. */
    LIBRO_ASSERT_CODE(
        libro_multibase_decode(&bytes, (const char *) did.data + 15, did.len - 15, &err), LIBRO_OK,
        &err, NULL);
    LIBRO_ASSERT_CODE(libro_key_raw_public(&raw, k, &err), LIBRO_OK, &err, NULL);
    ck_assert_uint_eq(bytes.len, 34);
    ck_assert_uint_eq(bytes.data[0], 0xed);
    ck_assert_uint_eq(bytes.data[1], 0x01);
    ck_assert_mem_eq(bytes.data + 2, raw.data, 32);
    LIBRO_ASSERT_CODE(libro_key_from_did(&back, (const char *) did.data + 7, did.len - 7, &err),
                      LIBRO_OK, &err, NULL);
    ck_assert(libro_key_equal_public(back, k));
    ck_assert(!libro_key_has_private(back));
    /* P-256 keys have no did:key here; `did` is left as it was. */
    libro_buf_clear(&did);
    LIBRO_ASSERT_CODE(libro_key_to_did(&did, ec, &err), LIBRO_ERR_UNSUPPORTED, &err,
                      "did:key: only Ed25519 keys");
    ck_assert_uint_eq(did.len, 0);
    libro_buf_free(&raw);
    libro_buf_free(&bytes);
    libro_buf_free(&did);
    libro_key_free(back);
    libro_key_free(ec);
    libro_key_free(k);
}
END_TEST

static const struct {
    const char *name;
    const char *did;
    libro_code want;
    const char *msg;
} did_bad[] = {
    {"empty", "", LIBRO_ERR_PARSE, "did:key: expected the prefix \"did:key:\""},
    {"did:web", "did:web:example.org", LIBRO_ERR_PARSE, "expected the prefix"},
    {"upper case", "DID:KEY:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", LIBRO_ERR_PARSE,
     "expected the prefix"},
    {"prefix only", "did:key:", LIBRO_ERR_ENCODING, "did:key: "},
    {"base64 multibase", "did:key:m7QFMA", LIBRO_ERR_UNSUPPORTED, "did:key: "},
    {"bad base58 (0)", "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDoo0p",
     LIBRO_ERR_ENCODING, "did:key: "},
    {"bad base58 (l)", "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDoolp",
     LIBRO_ERR_ENCODING, "did:key: "},
    {"fragment", "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp#z6MkiTBz1ymuepAQ4HEH",
     LIBRO_ERR_ENCODING, "did:key: "},
    {"trailing space", "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp ",
     LIBRO_ERR_ENCODING, "did:key: "},
    /* secp256k1-pub (0xe7 0x01), from the did:key spec's examples. */
    {"secp256k1", "did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme",
     LIBRO_ERR_UNSUPPORTED, "did:key: only Ed25519 keys (multicodec 0xed01)"},
    /* X25519 (0xec 0x01) from the same test vectors. */
    {"x25519", "did:key:z6LShs9GGnqk85isEBzzshkuVWrVKsRp24GnDuHk8QWkARMW", LIBRO_ERR_UNSUPPORTED,
     "multicodec 0xed01"},
    /* 0xed 0x01 and 31 bytes; and 0xed 0x01 and 33 bytes. */
    {"short key", "did:key:z2DQVsnzKoPrzWGGeSt3PXeA8HH4gfaP66XgS4nugS6VH3P", LIBRO_ERR_BAD_KEY,
     "did:key: Ed25519 public key must be 32 bytes, not 31"},
    {"long key", "did:key:zQebwxbUfKbDPuAUmUde1kQpEDcqfXph2kNM8d9ABdCBXaJaT", LIBRO_ERR_BAD_KEY,
     "must be 32 bytes, not 33"},
    /* 0xed 0x01 || the identity point 0100..00. */
    {"small order", "did:key:z6MkeXATEjyXENzBXBxgC5EHk2JE5aqd7qMGGtDpLUH1e2Sj", LIBRO_ERR_BAD_KEY,
     "did:key: ed25519: invalid public key"},
};

START_TEST(test_did_rejects)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = NULL;
    libro_code rc = libro_key_from_did(&k, did_bad[_i].did, strlen(did_bad[_i].did), &err);

    ck_assert_msg(rc == did_bad[_i].want, "%s: got %s (%s)", did_bad[_i].name, libro_code_name(rc),
                  err.msg);
    LIBRO_ASSERT_CODE(rc, did_bad[_i].want, &err, did_bad[_i].msg);
    ck_assert_ptr_null(k);
}
END_TEST

START_TEST(test_did_limit)
{
    char did[LIBRO_MAX_DID_BYTES + 2];
    libro_error err = LIBRO_ERROR_INIT;
    libro_key *k = NULL;

    memset(did, 'z', sizeof did);
    memcpy(did, "did:key:z", 9);
    LIBRO_ASSERT_CODE(libro_key_from_did(&k, did, LIBRO_MAX_DID_BYTES + 1, &err), LIBRO_ERR_LIMIT,
                      &err, "did:key: longer than 128 bytes");
    /* At the cap the text is read (and is no key). */
    ck_assert_int_ne(libro_key_from_did(&k, did, LIBRO_MAX_DID_BYTES, &err), LIBRO_ERR_LIMIT);
    ck_assert_ptr_null(k);
}
END_TEST

Suite *
libro_test_suite(void)
{
    Suite *s = suite_create("key");
    TCase *tc;

    tc = tcase_create("names");
    tcase_add_test(tc, test_alg_names);
    tcase_add_test(tc, test_generate_unsupported);
    suite_add_tcase(s, tc);

    tc = tcase_create("sign");
    tcase_add_loop_test(tc, test_sign_verify, 0, (int) LIBRO_NELEM(algs));
    tcase_add_test(tc, test_es256_low_s);
    tcase_add_test(tc, test_es256_range);
    tcase_add_test(tc, test_ed25519_rfc8037);
    tcase_add_test(tc, test_ed25519_s_plus_l);
    suite_add_tcase(s, tc);

    tc = tcase_create("points");
    tcase_add_loop_test(tc, test_ed25519_bad_points, 0, (int) LIBRO_NELEM(ed_bad_points));
    tcase_add_test(tc, test_ed25519_bad_length);
    tcase_add_loop_test(tc, test_p256_bad_points, 0, (int) LIBRO_NELEM(p256_bad_points));
    tcase_add_test(tc, test_p256_good_point);
    suite_add_tcase(s, tc);

    tc = tcase_create("pem");
    tcase_add_loop_test(tc, test_pem_roundtrip, 0, 2 * (int) LIBRO_NELEM(algs));
    tcase_add_loop_test(tc, test_pem_passphrase, 0, (int) LIBRO_NELEM(algs));
    tcase_add_loop_test(tc, test_pem_truncated, 0, 2 * (int) LIBRO_NELEM(algs));
    tcase_add_loop_test(tc, test_pem_rejects, 0, (int) LIBRO_NELEM(pem_bad));
    tcase_add_test(tc, test_pem_rsa);
    tcase_add_test(tc, test_pem_openssl_cli);
    suite_add_tcase(s, tc);

    tc = tcase_create("pem limits");
    tcase_add_test(tc, test_pem_passphrase_limits);
    tcase_add_test(tc, test_pem_size_cap);
    suite_add_tcase(s, tc);

    tc = tcase_create("files");
    tcase_add_checked_fixture(tc, files_setup, files_teardown);
    tcase_add_loop_test(tc, test_file_save_load, 0, (int) LIBRO_NELEM(algs));
    tcase_add_test(tc, test_file_permissions);
    tcase_add_loop_test(tc, test_file_public, 0, (int) LIBRO_NELEM(algs));
    tcase_add_test(tc, test_file_refusals);
    suite_add_tcase(s, tc);

    tc = tcase_create("jwk");
    tcase_add_loop_test(tc, test_jwk_rejects, 0, (int) LIBRO_NELEM(jwk_bad));
    tcase_add_loop_test(tc, test_jwk_accepts, 0, (int) LIBRO_NELEM(jwk_good));
    tcase_add_loop_test(tc, test_jwk_roundtrip, 0, (int) LIBRO_NELEM(algs));
    tcase_add_test(tc, test_jwk_export_exact);
    tcase_add_test(tc, test_thumbprints);
    tcase_add_loop_test(tc, test_thumbprint_json_rejects, 0, (int) LIBRO_NELEM(tp_bad));
    tcase_add_test(tc, test_thumbprint_json_oct);
    suite_add_tcase(s, tc);

    tc = tcase_create("jwk limits");
    tcase_add_test(tc, test_jwk_size_cap);
    tcase_add_loop_test(tc, test_jwk_oom, 0, 2);
    suite_add_tcase(s, tc);

    tc = tcase_create("did");
    tcase_add_loop_test(tc, test_did_vectors, 0, (int) LIBRO_NELEM(did_vectors));
    tcase_add_test(tc, test_did_roundtrip);
    tcase_add_loop_test(tc, test_did_rejects, 0, (int) LIBRO_NELEM(did_bad));
    tcase_add_test(tc, test_did_limit);
    suite_add_tcase(s, tc);
    return s;
}
