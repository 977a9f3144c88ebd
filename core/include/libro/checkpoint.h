/* libro: log checkpoints, the C2SP tlog-checkpoint note text (c2sp.org/tlog-checkpoint)
 * inside a C2SP signed note (c2sp.org/signed-note) with an Ed25519 signature:
 *
 *     <origin>\n
 *     <tree size, decimal>\n
 *     <root hash, standard padded base64>\n
 *     \n
 *     — <key name> <base64(4-byte key id || 64-byte Ed25519 signature)>\n
 *
 * The signature covers the three text lines (with their newlines). The key id is the first
 * four bytes of SHA-256(key name || 0x0A || 0x01 || 32-byte public key). */
#ifndef LIBRO_CHECKPOINT_H
#define LIBRO_CHECKPOINT_H

#include "libro/buf.h"
#include "libro/key.h"
#include "libro/merkle.h"

/* The largest note libro_checkpoint_open reads, signature lines and extension lines
 * included, and the largest libro_checkpoint_sign writes. */
#define LIBRO_MAX_CHECKPOINT_BYTES 4096u
/* The most signature lines a note may carry (signed-note: verifiers must accept 16). */
#define LIBRO_MAX_CHECKPOINT_SIGNATURES 16u

/** A log's signed tree head. A zeroed structure is the empty value. */
typedef struct libro_checkpoint {
    char *origin;           /* the log's identity, owned (libro_checkpoint_clear) */
    uint64_t size;          /* leaves in the tree, at most LIBRO_MERKLE_MAX_SIZE */
    libro_merkle_hash root; /* RFC 6962 root of those leaves */
} libro_checkpoint;

/** Release the origin and zero `*cp`. NULL is a no-op. */
LIBRO_API void libro_checkpoint_clear(libro_checkpoint *cp);

/** Sign `cp` with the Ed25519 key `k` under the note key name `key_name` and append the
 *  whole signed note (no extension lines) to `out` (untouched on failure). `key_name`:
 *  non-empty printable ASCII without space or '+' (signed-note; the checkpoint spec asks
 *  that it match the origin). cp->origin: non-empty printable ASCII. cp->size: at most
 *  LIBRO_MERKLE_MAX_SIZE, and a size of 0 needs the empty-tree root (C2SP tlog-witness).
 *  LIBRO_ERR_INVALID_ARG for any of those or a NULL argument; LIBRO_ERR_UNSUPPORTED for a
 *  P-256 key; LIBRO_ERR_BAD_KEY for a public-only key; LIBRO_ERR_LIMIT when the note would
 *  exceed LIBRO_MAX_CHECKPOINT_BYTES; LIBRO_ERR_NOMEM; LIBRO_ERR_CRYPTO. Deterministic
 *  (Ed25519). Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_checkpoint_sign(libro_buf *out,
                                                           const libro_checkpoint *cp,
                                                           const char *key_name, const libro_key *k,
                                                           libro_error *err);

/** Verify and parse the signed note note[0..len) (need not be NUL-terminated), in this
 *  order:
 *  1. bound: at most LIBRO_MAX_CHECKPOINT_BYTES (LIBRO_ERR_LIMIT);
 *  2. framing (LIBRO_ERR_PARSE, naming the problem): valid UTF-8 without control
 *     characters other than newline (so no CR), a final newline, a blank line before the
 *     signature lines (the last blank line ends the text), then at least one and at most
 *     LIBRO_MAX_CHECKPOINT_SIGNATURES (LIBRO_ERR_LIMIT) lines "— <name> <base64>" with a
 *     name free of spaces and '+' and strict padded base64 of at least 5 bytes;
 *  3. signatures: a line whose name equals `key_name` and whose key id matches `k` must be
 *     there (LIBRO_ERR_UNTRUSTED otherwise), and every such line must verify
 *     (LIBRO_ERR_BAD_SIGNATURE). Lines of other keys are ignored (signed-note);
 *  4. only then the text (LIBRO_ERR_PARSE): origin, tree size (decimal, no leading zero,
 *     at most LIBRO_MERKLE_MAX_SIZE), root (exactly 32 bytes in 44 characters of padded
 *     standard base64; the empty-tree root when the size is 0), then any non-empty
 *     extension lines, which are accepted and ignored (they count towards the byte cap);
 *  5. the origin must equal `origin` (LIBRO_ERR_UNTRUSTED).
 *  `k` must be an Ed25519 key (LIBRO_ERR_UNSUPPORTED); `key_name` as in
 *  libro_checkpoint_sign and a non-empty `origin` (LIBRO_ERR_INVALID_ARG). LIBRO_OK: the
 *  caller owns *out (libro_checkpoint_clear); else *out is zeroed. LIBRO_ERR_NOMEM,
 *  LIBRO_ERR_CRYPTO. Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_checkpoint_open(libro_checkpoint *out, const char *note,
                                                           size_t len, const char *origin,
                                                           const char *key_name, const libro_key *k,
                                                           libro_error *err);

#endif
