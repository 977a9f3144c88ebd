/* libro: the id and URL rules of credential.c, shared with statuslist.c so that a status list
 * credential and the credentialStatus entries that point at it accept the same URLs. Not
 * installed. */
#ifndef LIBRO_CREDENTIAL_INT_H
#define LIBRO_CREDENTIAL_INT_H

#include <jansson.h>

#include "libro/common.h"
#include "libro/credential.h"
#include "libro/statuslist.h"

/* The fixed strings of the envelope (docs/credentials.md), for both parsers and the writer. */
#define CONTEXT_VC "https://www.w3.org/ns/credentials/v2"
#define CONTEXT_LIBRO "https://w3id.org/libro/v1"
#define SCHEMA_BASE "https://w3id.org/libro/schemas/"
#define SCHEMA_TYPE "JsonSchema"
#define VC_TYPE "VerifiableCredential"
#define STATUS_ENTRY_TYPE "BitstringStatusListEntry"

/** NULL when `s` is an id (docs/credentials.md: an absolute URI of at most 200 bytes without
 *  space, '#', '"' or '\'), else the reason, a static one-line string. */
const char *libro_credential__id_problem(const char *s);
/** NULL when `s` is an id and an https URL (or http://127.0.0.1), else the reason. */
const char *libro_credential__url_problem(const char *s);

/** libro's statusMessage array (Bitstring Status List v1.0 §2.1) of the word set `set`, written
 *  in message entries and message list credentials: [{"status":"0x0","message":"active"}, ...
 *  "0x3"] (the mandate words on mandates and their lists). A new reference; NULL for want of
 *  memory or an unknown set. Defined in statuslist.c. */
json_t *libro_statuslist__messages_json(libro_status_words set);
/** NULL when `v` is exactly that array of `set` (members, order and values), else the
 *  reason. */
const char *libro_statuslist__messages_problem(json_t *v, libro_status_words set);

/** NULL when the mandate `m`'s office has its shape (libro/rules.h, libro_rules_mandate_office:
 *  a known office, seat absent exactly for a chair, voting exactly for a representative, the
 *  roundtable level of the office), else the reason, with *path the member it is about. */
const char *libro_credential__office_problem(const libro_credential *m, const char **path);

/** Free each of list[0..n) and list itself (libro_free); NULL is a no-op. */
void libro_credential__free_list(char **list, size_t n);

/** NULL when s (NUL-terminated) is a text of 1..max bytes by the credential text rule (UTF-8
 *  without control characters; with `lines`, line feeds allowed), else the reason
 *  ("missing", "empty string", "too long", "control character", "not valid UTF-8"). */
const char *libro_credential__text_problem(const char *s, size_t max, bool lines);

/** Read the timestamp s[0..len) in the one form libro writes ("YYYY-MM-DDTHH:MM:SSZ", no
 *  leap second) into *out: LIBRO_ERR_TIME "<what>: ..." otherwise. */
LIBRO_NODISCARD libro_code libro_credential__time(int64_t *out, const char *s, size_t len,
                                                  const char *what, libro_error *err);

#endif
