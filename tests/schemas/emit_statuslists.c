/* emit_statuslists OUTFILE: encode a few Bitstring Status Lists with libro_bitstring_encode
 * and write one line per list, "<encodedList> <entries> <index>,<index>,..." (the indexes
 * whose bit is set, ascending; "-" for none), then message lists (the status words) signed
 * by libro_status_list_sign, "message <public JWK> <compact JWS> <index>=<word>,..." (the
 * indexes whose word is not "active"), for statuslist.mjs to decode with an implementation
 * written independently of libro. Exit 0 when everything was written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libro/key.h"
#include "libro/statuslist.h"
#include "libro/util.h"

#define MIN LIBRO_STATUS_LIST_MIN_ENTRIES

static int
emit(FILE *f, size_t n_entries, const size_t *set, size_t n_set)
{
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf text = LIBRO_BUF_INIT;
    libro_bitstring b;
    size_t i;
    size_t written = 0;
    int rc = -1;

    if (libro_bitstring_new(&b, n_entries, &err) != LIBRO_OK) {
        fprintf(stderr, "emit_statuslists: %s\n", err.msg);
        return -1;
    }
    for (i = 0; i < n_set; i++) {
        libro_bitstring_set(&b, set[i], true);
    }
    if (libro_bitstring_encode(&text, &b, &err) != LIBRO_OK) {
        fprintf(stderr, "emit_statuslists: %s\n", err.msg);
        goto out;
    }
    if (fprintf(f, "%s %zu ", (const char *) text.data, n_entries) < 0) {
        goto out;
    }
    /* From the bits, not from `set`: duplicates collapse and the order is ascending. */
    for (i = 0; i < n_entries; i++) {
        if (libro_bitstring_get(&b, i)) {
            if (fprintf(f, "%s%zu", written == 0 ? "" : ",", i) < 0) {
                goto out;
            }
            written++;
        }
    }
    if (fprintf(f, "%s\n", written == 0 ? "-" : "") < 0) {
        goto out;
    }
    rc = 0;
out:
    libro_buf_free(&text);
    libro_bitstring_free(&b);
    return rc;
}

/* A message list (statusSize 2) with word words[i] at index at[i], signed by a fresh key. */
static int
emit_message(FILE *f, const size_t *at, const unsigned *words, size_t n)
{
    static const char url[] = "https://registry.town-7.example/v1/status/0/message";
    static const char registry[] = "urn:libro:town-7:registry";
    libro_error err = LIBRO_ERROR_INIT;
    libro_buf jws = LIBRO_BUF_INIT;
    libro_buf jwk = LIBRO_BUF_INIT;
    libro_status_list s;
    libro_key *key = NULL;
    size_t i;
    size_t written = 0;
    int rc = -1;

    memset(&s, 0, sizeof s);
    s.id = libro_strndup(url, strlen(url));
    s.issuer = libro_strndup(registry, strlen(registry));
    s.valid_from = INT64_C(1767225600); /* 2026-01-01 */
    s.valid_until = s.valid_from + 7 * 86400;
    s.purpose = LIBRO_STATUS_MESSAGE;
    if (s.id == NULL || s.issuer == NULL ||
        libro_bitstring_new(&s.bits, (size_t) MIN * LIBRO_STATUS_MESSAGE_SIZE, &err) != LIBRO_OK ||
        libro_key_generate(&key, LIBRO_ALG_ED25519, &err) != LIBRO_OK) {
        fprintf(stderr, "emit_statuslists: %s\n", err.msg);
        goto out;
    }
    for (i = 0; i < n; i++) {
        libro_bitstring_set_value(&s.bits, at[i], LIBRO_STATUS_MESSAGE_SIZE, words[i]);
    }
    if (libro_status_list_sign(&jws, &s, key, &err) != LIBRO_OK ||
        libro_key_to_jwk(&jwk, key, NULL, &err) != LIBRO_OK) {
        fprintf(stderr, "emit_statuslists: %s\n", err.msg);
        goto out;
    }
    if (fprintf(f, "message %s %s ", (const char *) jwk.data, (const char *) jws.data) < 0) {
        goto out;
    }
    /* From the bits, as above. */
    for (i = 0; i < MIN; i++) {
        unsigned w = libro_bitstring_get_value(&s.bits, i, LIBRO_STATUS_MESSAGE_SIZE);

        if (w != LIBRO_WORD_ACTIVE) {
            if (fprintf(f, "%s%zu=%s", written == 0 ? "" : ",", i, libro_status_word_message(w)) <
                0) {
                goto out;
            }
            written++;
        }
    }
    if (fprintf(f, "%s\n", written == 0 ? "-" : "") < 0) {
        goto out;
    }
    rc = 0;
out:
    libro_key_free(key);
    libro_buf_free(&jwk);
    libro_buf_free(&jws);
    libro_status_list_free(&s);
    return rc;
}

/* xorshift64*: deterministic, so a failure reproduces. */
static size_t
next_index(uint64_t *state, size_t n)
{
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return (size_t) ((*state * UINT64_C(2685821657736338717)) >> 11) % n;
}

int
main(int argc, char **argv)
{
    static const size_t none[] = {0};
    static const size_t edges[] = {0, 1, 7, 8, 1000, 131071};
    static const size_t big[] = {0, 8, 131072, 4194304, 8388607};
    /* The edges of a statusSize-2 list: each word at the first, a middle and the last index. */
    static const size_t word_at[] = {0, 1, 2, 3, 94567, 131070, 131071};
    static const unsigned word_is[] = {LIBRO_WORD_SURRENDERED, LIBRO_WORD_LAPSED,
                                       LIBRO_WORD_UNDEFINED,   LIBRO_WORD_SURRENDERED,
                                       LIBRO_WORD_LAPSED,      LIBRO_WORD_SURRENDERED,
                                       LIBRO_WORD_LAPSED};
    size_t word_random[300];
    unsigned word_random_is[300];
    size_t random[500];
    size_t wide[64];
    uint64_t seed = UINT64_C(0x243f6a8885a308d3);
    size_t i;
    FILE *f;
    int bad = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: emit_statuslists OUTFILE\n");
        return 2;
    }
    f = fopen(argv[1], "w");
    if (f == NULL) {
        perror(argv[1]);
        return 1;
    }
    for (i = 0; i < sizeof random / sizeof random[0]; i++) {
        random[i] = next_index(&seed, MIN);
    }
    for (i = 0; i < sizeof wide / sizeof wide[0]; i++) {
        wide[i] = next_index(&seed, 2 * MIN);
    }
    bad |= emit(f, MIN, none, 0);
    bad |= emit(f, MIN, edges, sizeof edges / sizeof edges[0]);
    bad |= emit(f, MIN, random, sizeof random / sizeof random[0]);
    bad |= emit(f, 2 * MIN, wide, sizeof wide / sizeof wide[0]);
    bad |= emit(f, LIBRO_STATUS_LIST_MAX_ENTRIES, big, sizeof big / sizeof big[0]);
    for (i = 0; i < sizeof word_random / sizeof word_random[0]; i++) {
        word_random[i] = next_index(&seed, MIN);
        word_random_is[i] = 1u + (unsigned) next_index(&seed, 2); /* surrendered or lapsed */
    }
    bad |= emit_message(f, word_at, word_is, 0);
    bad |= emit_message(f, word_at, word_is, sizeof word_at / sizeof word_at[0]);
    bad |= emit_message(f, word_random, word_random_is, sizeof word_random / sizeof word_random[0]);
    if (fclose(f) != 0) {
        bad = 1;
    }
    return bad != 0 ? 1 : 0;
}
