/* libro: every cap on untrusted input, in one place (style.md §8). Each is tested at the
 * cap and one past it. */
#ifndef LIBRO_LIMITS_H
#define LIBRO_LIMITS_H

#define LIBRO_MAX_TOKEN_BYTES (16u * 1024u)       /* a compact JWS */
#define LIBRO_MAX_HEADER_BYTES 1024u              /* a decoded JWS protected header */
#define LIBRO_MAX_CLAIMS_BYTES (8u * 1024u)       /* a decoded JWS payload */
#define LIBRO_MAX_JWS_JSON_BYTES (64u * 1024u)    /* a JWS JSON General Serialization */
#define LIBRO_MAX_JWS_SIGNATURES 64u              /* signatures in one JWS JSON document */
#define LIBRO_MAX_JSON_BYTES (64u * 1024u)        /* any other JSON document we read */
#define LIBRO_MAX_JSON_DEPTH 16u                  /* nesting of arrays and objects */
#define LIBRO_MAX_HTTP_BODY_BYTES (64u * 1024u)   /* a request body at the registry */
#define LIBRO_MAX_JWK_BYTES 2048u                 /* a JWK document */
#define LIBRO_MAX_KEY_FILE_BYTES (16u * 1024u)    /* a PEM or JWK key file */
#define LIBRO_MAX_PASSPHRASE_BYTES 1024u          /* a key file passphrase */
#define LIBRO_MAX_PAYLOAD_FILE_BYTES (8u * 1024u) /* `libro jws sign` input (= claims cap) */
#define LIBRO_MAX_TIMESTAMP_BYTES 64u             /* an RFC 3339 timestamp */
#define LIBRO_MAX_KID_BYTES 512u                  /* a key id */
#define LIBRO_MAX_DID_BYTES 128u                  /* a did:key identifier */
/* A BitstringStatusListCredential is bigger than any other credential: its encodedList may
 * reach LIBRO_STATUS_LIST_MAX_ENCODED_BYTES (256 KiB, statuslist.h). Its payload cap is that
 * plus room for the other members; its token cap covers the base64url of that payload, a
 * header and a signature (about 356 KiB) with margin. Only libro_jws_parse_ex callers that
 * expect a status list use these; everything else keeps the caps above. */
#define LIBRO_MAX_STATUS_LIST_PAYLOAD_BYTES (260u * 1024u) /* its decoded JWS payload */
#define LIBRO_MAX_STATUS_LIST_TOKEN_BYTES (512u * 1024u)   /* its compact JWS */
/* An agreement names up to 16 parties, each with a key and up to 32 responsibilities; a law
 * and a consent step carry a text of up to 16 KiB. Their payloads are bigger than a
 * credential's, and only their readers use these caps. An agreement's JWS JSON document
 * stays within LIBRO_MAX_JWS_JSON_BYTES: base64url of the payload (43 KiB) and 16
 * signatures of about 300 bytes each. */
#define LIBRO_MAX_AGREEMENT_PAYLOAD_BYTES (32u * 1024u) /* its decoded payload */
#define LIBRO_MAX_LAW_PAYLOAD_BYTES (24u * 1024u)       /* a law's or a step's payload */
#define LIBRO_MAX_LAW_TOKEN_BYTES (40u * 1024u)         /* a law's or a step's compact JWS */

#endif
