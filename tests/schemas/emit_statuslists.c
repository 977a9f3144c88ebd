/* emit_statuslists OUTFILE: encode a few Bitstring Status Lists with libro_bitstring_encode
 * and write one line per list, "<encodedList> <entries> <index>,<index>,..." (the indexes
 * whose bit is set, ascending; "-" for none), for statuslist.mjs to decode with an
 * implementation written independently of libro. Exit 0 when everything was written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libro/statuslist.h"

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
    if (fclose(f) != 0) {
        bad = 1;
    }
    return bad != 0 ? 1 : 0;
}
