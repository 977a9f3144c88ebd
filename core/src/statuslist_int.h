/* libro: what statuslist.c (the bitstring and the parser) shares with statuslist_sign.c
 * (the signer, left out of a verify-only build, LIBRO_VERIFY_ONLY). Not installed;
 * double-underscore names are not API. */
#ifndef LIBRO_STATUSLIST_INT_H
#define LIBRO_STATUSLIST_INT_H

#include "libro/statuslist.h"

#define CONTEXT_VC "https://www.w3.org/ns/credentials/v2"
#define VC_TYPE "VerifiableCredential"
#define LIST_CRED_TYPE "BitstringStatusListCredential"
#define LIST_TYPE "BitstringStatusList"
#define LIST_FRAGMENT "#list"
#define TIMESTAMP_LEN 20u /* YYYY-MM-DDTHH:MM:SSZ */

/** What sign refuses to write, so that it never signs what parse would refuse: the envelope
 *  rules parse applies, a known purpose and a bitstring of the allowed sizes. */
LIBRO_NODISCARD libro_code libro_status_list__check_publishable(const libro_status_list *s,
                                                                libro_error *err);

#endif
