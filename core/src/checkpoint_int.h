/* libro: what checkpoint.c (opening notes) shares with checkpoint_sign.c (signing them, left
 * out of a verify-only build, LIBRO_VERIFY_ONLY). Not installed; double-underscore names are
 * not API. */
#ifndef LIBRO_CHECKPOINT_INT_H
#define LIBRO_CHECKPOINT_INT_H

#include "libro/checkpoint.h"

/* U+2014 EM DASH in UTF-8, then a space: the start of every signature line. */
#define SIG_PREFIX "\xe2\x80\x94 "
#define SIG_PREFIX_LEN 4u
#define SIG_TYPE_ED25519 0x01u
#define KEY_ID_BYTES 4u

/** A note key name we sign with or look for: printable ASCII without space or '+', at most
 *  the note cap. */
bool libro_checkpoint__valid_key_name(const char *s);
/** signed-note's key id of Ed25519 key `k` under `name`. */
LIBRO_NODISCARD libro_code libro_checkpoint__key_id(unsigned char id[KEY_ID_BYTES],
                                                    const char *name, const libro_key *k,
                                                    libro_error *err);
/** *ok is false when `cp` is of size 0 and does not carry the empty tree's root. */
LIBRO_NODISCARD libro_code libro_checkpoint__empty_tree_root_ok(bool *ok,
                                                                const libro_checkpoint *cp,
                                                                libro_error *err);

#endif
