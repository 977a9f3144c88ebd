/* libro: the log's Merkle tree, RFC 6962 §2.1 hashing (SHA-256) with the proofs of RFC 9162
 * §2.1.3 (inclusion) and §2.1.4 (consistency), checked by the algorithms of §2.1.3.2 and
 * §2.1.4.2. The tree is never held in memory: the caller stores the hashes of its perfect
 * subtrees (libro_merkle_append says which) and lends them back through a callback, so the
 * root and any proof of a tree of n leaves take O(log n) reads. The hashes of the right
 * edge of a tree whose size is not a power of two are computed here from perfect ones.
 *
 * Every function is thread-safe as far as its callbacks are. */
#ifndef LIBRO_MERKLE_H
#define LIBRO_MERKLE_H

#include "libro/error.h"

#define LIBRO_MERKLE_HASH_BYTES 32u
/* The largest tree size the module builds or proves (2^63 - 1): every inclusion and
 * consistency proof of such a tree has at most LIBRO_MERKLE_MAX_PROOF hashes. */
#define LIBRO_MERKLE_MAX_SIZE ((UINT64_C(1) << 63) - 1u)
#define LIBRO_MERKLE_MAX_PROOF 64u

/** One SHA-256 tree hash. A struct rather than an array typedef, so that a proof is a plain
 *  `libro_merkle_hash[]` that converts to `const libro_merkle_hash *` without a cast (ISO C
 *  before C23 refuses that for pointers to arrays) and a hash can be assigned and returned. */
typedef struct libro_merkle_hash {
    unsigned char bytes[LIBRO_MERKLE_HASH_BYTES];
} libro_merkle_hash;

/** The leaf hash of RFC 6962 §2.1: SHA-256(0x00 || data[0..len)). `data` may be NULL when
 *  `len` is 0. LIBRO_ERR_NOMEM (the prefixed copy), LIBRO_ERR_LIMIT (len == SIZE_MAX),
 *  LIBRO_ERR_CRYPTO. */
LIBRO_API LIBRO_NODISCARD libro_code libro_merkle_leaf_hash(libro_merkle_hash *out,
                                                            const void *data, size_t len,
                                                            libro_error *err);
/** The interior node hash: SHA-256(0x01 || l || r). `out` may alias `l` or `r`.
 *  LIBRO_ERR_CRYPTO. */
LIBRO_API LIBRO_NODISCARD libro_code libro_merkle_node_hash(libro_merkle_hash *out,
                                                            const libro_merkle_hash *l,
                                                            const libro_merkle_hash *r,
                                                            libro_error *err);
/** The root of the empty tree: SHA-256 of the empty string. LIBRO_ERR_CRYPTO. */
LIBRO_API LIBRO_NODISCARD libro_code libro_merkle_empty_root(libro_merkle_hash *out,
                                                             libro_error *err);

/** Reads the hash of the perfect subtree at `level` and `index`: the one covering leaves
 *  [index << level, (index + 1) << level); level 0 holds the leaf hashes. The module asks
 *  only for subtrees lying wholly inside the tree it works on, and every one of them was
 *  handed to a libro_merkle_put_fn when the tree grew. Return LIBRO_ERR_NOT_FOUND when the
 *  store lacks it (a corrupt store); any other failure code is passed through unchanged. */
typedef libro_code (*libro_merkle_node_fn)(void *ctx, unsigned level, uint64_t index,
                                           libro_merkle_hash *out, libro_error *err);
/** Stores the hash of a perfect subtree that libro_merkle_append has just completed. A
 *  failure code is passed through unchanged. */
typedef libro_code (*libro_merkle_put_fn)(void *ctx, unsigned level, uint64_t index,
                                          const libro_merkle_hash *h, libro_error *err);

/** Append `leaf` (a leaf hash) to a tree of `size` leaves. Calls `put` for every perfect
 *  subtree the new leaf completes, bottom up: (0, size) for the leaf itself, then (1,
 *  size / 2) when size + 1 is even, (2, size / 4) when it is a multiple of 4, and so on;
 *  each level above 0 reads its left sibling through `get`. At most 64 puts and 63 gets. A
 *  failed call leaves some of those puts done: the caller's transaction should cover the
 *  whole append. LIBRO_ERR_INVALID_ARG for a NULL argument or a `size` of
 *  LIBRO_MERKLE_MAX_SIZE or more. */
LIBRO_API LIBRO_NODISCARD libro_code libro_merkle_append(uint64_t size,
                                                         const libro_merkle_hash *leaf,
                                                         libro_merkle_node_fn get,
                                                         libro_merkle_put_fn put, void *ctx,
                                                         libro_error *err);
/** The root of the tree of the first `size` leaves (the empty-tree hash when 0), from at
 *  most 64 reads. `size` may be any earlier size of the tree, not only the current one.
 *  LIBRO_ERR_INVALID_ARG for a NULL argument or a size over LIBRO_MERKLE_MAX_SIZE. */
LIBRO_API LIBRO_NODISCARD libro_code libro_merkle_root(libro_merkle_hash *out, uint64_t size,
                                                       libro_merkle_node_fn get, void *ctx,
                                                       libro_error *err);
/** The inclusion proof of leaf `index` in the tree of `size` leaves (RFC 9162 §2.1.3.1),
 *  lowest level first, into `proof` (an array of LIBRO_MERKLE_MAX_PROOF hashes); *n gets
 *  the count. LIBRO_ERR_INVALID_ARG for a NULL argument, index >= size, or a size over
 *  LIBRO_MERKLE_MAX_SIZE. On failure *n is 0. */
LIBRO_API LIBRO_NODISCARD libro_code libro_merkle_inclusion_proof(libro_merkle_hash *proof,
                                                                  size_t *n, uint64_t index,
                                                                  uint64_t size,
                                                                  libro_merkle_node_fn get,
                                                                  void *ctx, libro_error *err);
/** The consistency proof from the tree of `size1` leaves to the tree of `size2` (RFC 9162
 *  §2.1.4.1), into `proof` as above. Empty when size1 == size2 or size1 == 0 (the empty
 *  tree is a prefix of every tree: C2SP tlog-witness). LIBRO_ERR_INVALID_ARG for a NULL
 *  argument, size1 > size2, or a size2 over LIBRO_MERKLE_MAX_SIZE. On failure *n is 0. */
LIBRO_API LIBRO_NODISCARD libro_code libro_merkle_consistency_proof(libro_merkle_hash *proof,
                                                                    size_t *n, uint64_t size1,
                                                                    uint64_t size2,
                                                                    libro_merkle_node_fn get,
                                                                    void *ctx, libro_error *err);

/** Check that `leaf` (a leaf hash) is leaf `index` of the tree of `size` leaves whose root
 *  is `root`, by the `n` hashes of `proof` (RFC 9162 §2.1.3.2). LIBRO_ERR_PROOF when it does
 *  not verify (wrong length, wrong hashes, wrong root); LIBRO_ERR_INVALID_ARG for a NULL
 *  argument (`proof` may be NULL when n is 0), index >= size, or n >
 *  LIBRO_MERKLE_MAX_PROOF; LIBRO_ERR_CRYPTO. */
LIBRO_API LIBRO_NODISCARD libro_code libro_merkle_verify_inclusion(
    const libro_merkle_hash *leaf, uint64_t index, uint64_t size, const libro_merkle_hash *proof,
    size_t n, const libro_merkle_hash *root, libro_error *err);
/** Check that the tree of `size1` leaves with root `root1` is a prefix of the tree of
 *  `size2` leaves with root `root2`, by the `n` hashes of `proof` (RFC 9162 §2.1.4.2 for
 *  0 < size1 < size2). Equal sizes need an empty proof and equal roots. A size1 of 0 needs
 *  an empty proof and the empty-tree root1 (C2SP tlog-witness: the empty tree is consistent
 *  with any tree); RFC 9162 defines no proof for it and the transparency-dev verifier
 *  refuses it, so a peer may not produce one. LIBRO_ERR_PROOF when it does not verify;
 *  LIBRO_ERR_INVALID_ARG for a NULL argument (`proof` may be NULL when n is 0), size1 >
 *  size2, or n > LIBRO_MERKLE_MAX_PROOF; LIBRO_ERR_CRYPTO. */
LIBRO_API LIBRO_NODISCARD libro_code libro_merkle_verify_consistency(uint64_t size1, uint64_t size2,
                                                                     const libro_merkle_hash *root1,
                                                                     const libro_merkle_hash *root2,
                                                                     const libro_merkle_hash *proof,
                                                                     size_t n, libro_error *err);

#endif
