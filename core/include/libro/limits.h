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

#endif
