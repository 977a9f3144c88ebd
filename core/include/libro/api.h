/* libro: constants of the registry's HTTP API that both sides share (docs/formats.md, "Signed
 * API requests"). A write is a compact JWS of this typ and media type whose payload carries
 * aud (the registry's base URL), iat (seconds), a unique jti and op. */
#ifndef LIBRO_API_H
#define LIBRO_API_H

#define LIBRO_REQUEST_TYP "libro-request+jwt"
#define LIBRO_REQUEST_MEDIA_TYPE "application/jose"
/* A request's payload: a license credential (at most LIBRO_MAX_TOKEN_BYTES) and a little more;
 * the whole body stays under LIBRO_MAX_HTTP_BODY_BYTES. */
#define LIBRO_MAX_REQUEST_CLAIMS_BYTES (40u * 1024u)
/* jti: 16 to 64 characters of [A-Za-z0-9_-] (at least 96 random bits in base64url). */
#define LIBRO_REQUEST_MIN_JTI 16u
#define LIBRO_REQUEST_MAX_JTI 64u
/* How far iat may lie from the registry's clock, either way. */
#define LIBRO_REQUEST_SKEW_SECONDS 300

/* The trust bundle a registry serves at /v1/bundle: a compact JWS of this typ, signed by the
 * registry key. */
#define LIBRO_BUNDLE_TYP "libro-bundle+jwt"
/* A bundle holds every status list a registry publishes (each at most
 * LIBRO_MAX_STATUS_LIST_TOKEN_BYTES): 16 worst-case lists fit with room to spare; a registry
 * of a million licenses has 9 list pairs of mostly zero bits, a few KiB each. */
#define LIBRO_MAX_BUNDLE_PAYLOAD_BYTES (12u * 1024u * 1024u)
#define LIBRO_MAX_BUNDLE_TOKEN_BYTES (16u * 1024u * 1024u)

#endif
