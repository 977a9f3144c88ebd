/* libro: the log's Merkle tree (RFC 6962 §2.1, proofs of RFC 9162 §2.1.3 and §2.1.4) over a
 * caller's store of perfect subtree hashes.
 *
 * Every node of the tree of `size` leaves covers a range [lo, hi) of leaves. A left child is
 * always a perfect subtree (2^k leaves starting at a multiple of 2^k); a right child is
 * perfect unless it lies on the right edge (hi == size). An edge range is folded here from
 * the perfect subtrees that tile it, one per set bit of its length, largest first: that is
 * MTH's own split (RFC 6962 §2.1: k is the largest power of two below n). */
#include <assert.h>
#include <string.h>

#include "libro/crypto.h"
#include "libro/merkle.h"
#include "libro/util.h"

/* Leaves up to this size are prefixed on the stack; longer ones take one allocation. */
#define LEAF_STACK_BYTES 512u

libro_code
libro_merkle_leaf_hash(libro_merkle_hash *out, const void *data, size_t len, libro_error *err)
{
    unsigned char small[LEAF_STACK_BYTES + 1];
    unsigned char *buf = small;
    libro_code rc;

    if (out == NULL || (data == NULL && len > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "merkle: NULL argument");
    }
    if (len == SIZE_MAX) {
        return libro_error_set(err, LIBRO_ERR_LIMIT, "merkle: leaf too large");
    }
    if (len > LEAF_STACK_BYTES) {
        buf = libro_malloc(len + 1);
        if (buf == NULL) {
            return libro_error_set(err, LIBRO_ERR_NOMEM, "merkle: out of memory");
        }
    }
    buf[0] = 0x00; /* RFC 6962 §2.1: leaves and nodes are hashed in separate domains */
    if (len > 0) {
        memcpy(buf + 1, data, len);
    }
    rc = libro_sha256(out->bytes, buf, len + 1, err);
    if (buf != small) {
        libro_free(buf);
    }
    return rc;
}

libro_code
libro_merkle_node_hash(libro_merkle_hash *out, const libro_merkle_hash *l,
                       const libro_merkle_hash *r, libro_error *err)
{
    unsigned char buf[1 + 2 * LIBRO_MERKLE_HASH_BYTES];

    if (out == NULL || l == NULL || r == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "merkle: NULL argument");
    }
    buf[0] = 0x01;
    memcpy(buf + 1, l->bytes, LIBRO_MERKLE_HASH_BYTES);
    memcpy(buf + 1 + LIBRO_MERKLE_HASH_BYTES, r->bytes, LIBRO_MERKLE_HASH_BYTES);
    return libro_sha256(out->bytes, buf, sizeof buf, err);
}

libro_code
libro_merkle_empty_root(libro_merkle_hash *out, libro_error *err)
{
    if (out == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "merkle: NULL argument");
    }
    return libro_sha256(out->bytes, "", 0, err);
}

static bool
same_hash(const libro_merkle_hash *a, const libro_merkle_hash *b)
{
    return libro_ct_equal(a->bytes, b->bytes, LIBRO_MERKLE_HASH_BYTES);
}

/* The largest power of two strictly below n (n >= 2): the k of RFC 6962 §2.1. */
static uint64_t
split_point(uint64_t n)
{
    uint64_t k = 1;

    assert(n >= 2);
    while (k < n - k) {
        k <<= 1;
    }
    return k;
}

static bool
is_power_of_two(uint64_t n)
{
    return n != 0 && (n & (n - 1)) == 0;
}

/* The hash of the node covering leaves [lo, hi) of the tree (lo < hi, and the range one of
 * the tree's nodes): one read for a perfect subtree, one per set bit of hi - lo on the right
 * edge, folded right to left so that the largest piece ends up leftmost. */
static libro_code
range_hash(libro_merkle_hash *out, uint64_t lo, uint64_t hi, libro_merkle_node_fn get, void *ctx,
           libro_error *err)
{
    uint64_t n = hi - lo;
    uint64_t end = hi;
    bool first = true;
    unsigned level;
    libro_code rc;

    assert(lo < hi);
    for (level = 0; level < 64; level++) {
        libro_merkle_hash part;

        if (((n >> level) & 1u) == 0) {
            continue;
        }
        end -= UINT64_C(1) << level;
        rc = get(ctx, level, end >> level, first ? out : &part, err);
        if (rc != LIBRO_OK) {
            return rc;
        }
        if (!first) {
            rc = libro_merkle_node_hash(out, &part, out, err);
            if (rc != LIBRO_OK) {
                return rc;
            }
        }
        first = false;
    }
    assert(end == lo);
    return LIBRO_OK;
}

libro_code
libro_merkle_append(uint64_t size, const libro_merkle_hash *leaf, libro_merkle_node_fn get,
                    libro_merkle_put_fn put, void *ctx, libro_error *err)
{
    libro_merkle_hash h;
    uint64_t grown = size + 1;
    unsigned level;
    libro_code rc;

    if (leaf == NULL || get == NULL || put == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "merkle: NULL argument");
    }
    if (size >= LIBRO_MERKLE_MAX_SIZE) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "merkle: tree is full");
    }
    h = *leaf;
    rc = put(ctx, 0, size, &h, err);
    /* The new leaf completes the subtree at `level` exactly when the new size is a multiple
     * of 2^level; its left half is the completed subtree one level down, just before ours. */
    for (level = 1; rc == LIBRO_OK && level < 64 && (grown & ((UINT64_C(1) << level) - 1)) == 0;
         level++) {
        libro_merkle_hash left;

        rc = get(ctx, level - 1, (size >> (level - 1)) - 1, &left, err);
        if (rc == LIBRO_OK) {
            rc = libro_merkle_node_hash(&h, &left, &h, err);
        }
        if (rc == LIBRO_OK) {
            rc = put(ctx, level, size >> level, &h, err);
        }
    }
    return rc;
}

libro_code
libro_merkle_root(libro_merkle_hash *out, uint64_t size, libro_merkle_node_fn get, void *ctx,
                  libro_error *err)
{
    if (out == NULL || get == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "merkle: NULL argument");
    }
    if (size > LIBRO_MERKLE_MAX_SIZE) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "merkle: tree size too large");
    }
    if (size == 0) {
        return libro_merkle_empty_root(out, err);
    }
    return range_hash(out, 0, size, get, ctx, err);
}

/* The proofs are found top down but listed bottom up (RFC 9162 §2.1.3.1 appends a level's
 * sibling after the path below it). */
static void
reverse(libro_merkle_hash *p, size_t n)
{
    size_t i;

    for (i = 0; i < n / 2; i++) {
        libro_merkle_hash t = p[i];

        p[i] = p[n - 1 - i];
        p[n - 1 - i] = t;
    }
}

libro_code
libro_merkle_inclusion_proof(libro_merkle_hash *proof, size_t *n, uint64_t index, uint64_t size,
                             libro_merkle_node_fn get, void *ctx, libro_error *err)
{
    uint64_t lo = 0;
    uint64_t hi = size;
    size_t count = 0;
    libro_code rc = LIBRO_OK;

    if (n != NULL) {
        *n = 0;
    }
    if (proof == NULL || n == NULL || get == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "merkle: NULL argument");
    }
    if (index >= size) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "merkle: leaf index %llu outside a tree of %llu",
                               (unsigned long long) index, (unsigned long long) size);
    }
    if (size > LIBRO_MERKLE_MAX_SIZE) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "merkle: tree size too large");
    }
    /* PATH(m, D[lo:hi]): descend towards the leaf, keeping the sibling of each step. */
    while (hi - lo > 1 && rc == LIBRO_OK) {
        uint64_t k = split_point(hi - lo);

        assert(count < LIBRO_MERKLE_MAX_PROOF);
        if (index < lo + k) {
            rc = range_hash(&proof[count++], lo + k, hi, get, ctx, err);
            hi = lo + k;
        } else {
            rc = range_hash(&proof[count++], lo, lo + k, get, ctx, err);
            lo += k;
        }
    }
    if (rc != LIBRO_OK) {
        return rc;
    }
    reverse(proof, count);
    *n = count;
    return LIBRO_OK;
}

libro_code
libro_merkle_consistency_proof(libro_merkle_hash *proof, size_t *n, uint64_t size1, uint64_t size2,
                               libro_merkle_node_fn get, void *ctx, libro_error *err)
{
    uint64_t lo = 0;
    uint64_t hi = size2;
    bool whole = true; /* the b of SUBPROOF: still on the path of the old root itself */
    size_t count = 0;
    libro_code rc = LIBRO_OK;

    if (n != NULL) {
        *n = 0;
    }
    if (proof == NULL || n == NULL || get == NULL) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "merkle: NULL argument");
    }
    if (size1 > size2) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "merkle: old size %llu above new size %llu",
                               (unsigned long long) size1, (unsigned long long) size2);
    }
    if (size2 > LIBRO_MERKLE_MAX_SIZE) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "merkle: tree size too large");
    }
    if (size1 == 0 || size1 == size2) {
        return LIBRO_OK; /* nothing to prove */
    }
    /* SUBPROOF(m, D[lo:hi], b) of RFC 9162 §2.1.4.1, with lo < size1 <= hi throughout. */
    while (rc == LIBRO_OK) {
        uint64_t k;

        assert(count < LIBRO_MERKLE_MAX_PROOF);
        if (size1 == hi) {
            if (!whole) {
                rc = range_hash(&proof[count++], lo, hi, get, ctx, err);
            }
            break;
        }
        k = split_point(hi - lo);
        if (size1 <= lo + k) {
            rc = range_hash(&proof[count++], lo + k, hi, get, ctx, err);
            hi = lo + k;
        } else {
            rc = range_hash(&proof[count++], lo, lo + k, get, ctx, err);
            lo += k;
            whole = false;
        }
    }
    if (rc != LIBRO_OK) {
        return rc;
    }
    reverse(proof, count);
    *n = count;
    return LIBRO_OK;
}

/* Shift fn and sn right together until fn is odd or zero (RFC 9162 §2.1.3.2 step 5.2, and
 * §2.1.4.2 step 6.2). */
static void
shift_to_odd(uint64_t *fn, uint64_t *sn)
{
    while (*fn != 0 && (*fn & 1u) == 0) {
        *fn >>= 1;
        *sn >>= 1;
    }
}

libro_code
libro_merkle_verify_inclusion(const libro_merkle_hash *leaf, uint64_t index, uint64_t size,
                              const libro_merkle_hash *proof, size_t n,
                              const libro_merkle_hash *root, libro_error *err)
{
    libro_merkle_hash r;
    uint64_t fn = index;
    uint64_t sn;
    size_t i;
    libro_code rc;

    if (leaf == NULL || root == NULL || (proof == NULL && n > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "merkle: NULL argument");
    }
    if (n > LIBRO_MERKLE_MAX_PROOF) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "merkle: proof of %zu hashes (at most %u)", n,
                               LIBRO_MERKLE_MAX_PROOF);
    }
    if (index >= size) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "merkle: leaf index %llu outside a tree of %llu",
                               (unsigned long long) index, (unsigned long long) size);
    }
    sn = size - 1;
    r = *leaf;
    for (i = 0; i < n; i++) {
        if (sn == 0) {
            return libro_error_set(err, LIBRO_ERR_PROOF, "merkle: inclusion proof too long");
        }
        if ((fn & 1u) != 0 || fn == sn) {
            rc = libro_merkle_node_hash(&r, &proof[i], &r, err);
            if ((fn & 1u) == 0) {
                shift_to_odd(&fn, &sn);
            }
        } else {
            rc = libro_merkle_node_hash(&r, &r, &proof[i], err);
        }
        if (rc != LIBRO_OK) {
            return rc;
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0) {
        return libro_error_set(err, LIBRO_ERR_PROOF, "merkle: inclusion proof too short");
    }
    if (!same_hash(&r, root)) {
        return libro_error_set(err, LIBRO_ERR_PROOF,
                               "merkle: inclusion proof does not lead to the root");
    }
    return LIBRO_OK;
}

/* The cases RFC 9162 §2.1.4.2 leaves out: an empty old tree, and equal sizes. */
static libro_code
verify_trivial(uint64_t size1, uint64_t size2, const libro_merkle_hash *root1,
               const libro_merkle_hash *root2, size_t n, libro_error *err)
{
    libro_merkle_hash empty;
    libro_code rc;

    if (n != 0) {
        return libro_error_set(err, LIBRO_ERR_PROOF, "merkle: consistency proof must be empty");
    }
    if (size1 == 0) {
        rc = libro_merkle_empty_root(&empty, err);
        if (rc != LIBRO_OK) {
            return rc;
        }
        if (!same_hash(root1, &empty)) {
            return libro_error_set(err, LIBRO_ERR_PROOF,
                                   "merkle: old root is not the empty tree's");
        }
    }
    if (size1 == size2 && !same_hash(root1, root2)) {
        return libro_error_set(err, LIBRO_ERR_PROOF, "merkle: equal sizes with different roots");
    }
    return LIBRO_OK;
}

libro_code
libro_merkle_verify_consistency(uint64_t size1, uint64_t size2, const libro_merkle_hash *root1,
                                const libro_merkle_hash *root2, const libro_merkle_hash *proof,
                                size_t n, libro_error *err)
{
    const libro_merkle_hash *rest;
    size_t rest_n;
    libro_merkle_hash fr;
    libro_merkle_hash sr;
    uint64_t fn;
    uint64_t sn;
    size_t i;
    libro_code rc = LIBRO_OK;

    if (root1 == NULL || root2 == NULL || (proof == NULL && n > 0)) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG, "merkle: NULL argument");
    }
    if (n > LIBRO_MERKLE_MAX_PROOF) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "merkle: proof of %zu hashes (at most %u)", n,
                               LIBRO_MERKLE_MAX_PROOF);
    }
    if (size1 > size2) {
        return libro_error_set(err, LIBRO_ERR_INVALID_ARG,
                               "merkle: old size %llu above new size %llu",
                               (unsigned long long) size1, (unsigned long long) size2);
    }
    if (size1 == 0 || size1 == size2) {
        return verify_trivial(size1, size2, root1, root2, n, err);
    }
    if (n == 0) {
        return libro_error_set(err, LIBRO_ERR_PROOF, "merkle: empty consistency proof");
    }
    /* Step 2: an old tree of 2^k leaves is a subtree of the new one, and its root starts the
     * path; otherwise the proof's first hash does. */
    if (is_power_of_two(size1)) {
        fr = *root1;
        rest = proof;
        rest_n = n;
    } else {
        fr = proof[0];
        rest = proof + 1;
        rest_n = n - 1;
    }
    sr = fr;
    fn = size1 - 1;
    sn = size2 - 1;
    while ((fn & 1u) != 0) {
        fn >>= 1;
        sn >>= 1;
    }
    for (i = 0; i < rest_n && rc == LIBRO_OK; i++) {
        if (sn == 0) {
            return libro_error_set(err, LIBRO_ERR_PROOF, "merkle: consistency proof too long");
        }
        if ((fn & 1u) != 0 || fn == sn) {
            rc = libro_merkle_node_hash(&fr, &rest[i], &fr, err);
            if (rc == LIBRO_OK) {
                rc = libro_merkle_node_hash(&sr, &rest[i], &sr, err);
            }
            if ((fn & 1u) == 0) {
                shift_to_odd(&fn, &sn);
            }
        } else {
            rc = libro_merkle_node_hash(&sr, &sr, &rest[i], err);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (rc != LIBRO_OK) {
        return rc;
    }
    if (sn != 0) {
        return libro_error_set(err, LIBRO_ERR_PROOF, "merkle: consistency proof too short");
    }
    if (!same_hash(&fr, root1)) {
        return libro_error_set(err, LIBRO_ERR_PROOF,
                               "merkle: consistency proof does not lead to the old root");
    }
    if (!same_hash(&sr, root2)) {
        return libro_error_set(err, LIBRO_ERR_PROOF,
                               "merkle: consistency proof does not lead to the new root");
    }
    return LIBRO_OK;
}
