/* libro: W3C Bitstring Status List v1.0 (W3C Recommendation, 15 May 2025) — the bitstring
 * codec and the status list credential, shared by the registry (which publishes lists) and
 * the verifier (which reads them). Section numbers below are that document's. */
#ifndef LIBRO_STATUSLIST_H
#define LIBRO_STATUSLIST_H

#include "libro/buf.h"
#include "libro/key.h"

/* The smallest list libro publishes or reads: §3.2 step 2 (minimumNumberOfEntries) and §6.1
 * ask for at least 131,072 entries, the 16 KiB of §2.2 / §3.3, for herd privacy. */
#define LIBRO_STATUS_LIST_MIN_ENTRIES 131072u
/* The largest list libro reads (bounds the inflate of an encodedList: 1 MiB of bits). */
#define LIBRO_STATUS_LIST_MAX_ENTRIES (8u * 1024u * 1024u)
/* The longest encodedList text libro reads, checked before anything is decoded. */
#define LIBRO_STATUS_LIST_MAX_ENCODED_BYTES (256u * 1024u)

typedef enum libro_status_purpose {
    LIBRO_STATUS_REVOCATION = 1, /* final (§2.1 statusPurpose "revocation") */
    LIBRO_STATUS_SUSPENSION = 2, /* reversible ("suspension") */
    LIBRO_STATUS_MESSAGE = 3,    /* a word for the status ("message", statusSize 2) */
} libro_status_purpose;

/** "revocation" / "suspension" / "message"; NULL for a value outside the enum. */
LIBRO_API const char *libro_status_purpose_name(libro_status_purpose p);
/** statusSize (§2.1) of libro's lists of purpose `p`: 1 for revocation and suspension,
 *  LIBRO_STATUS_MESSAGE_SIZE for message; 0 for a value outside the enum. */
LIBRO_API unsigned libro_status_purpose_size(libro_status_purpose p);

/* The message lists: statusSize 2, so four values, each with the message of §2.1's
 * statusMessage array ({"status":"0x0","message":"active"}, ...), the same in every license's
 * message entry and in every message list credential (docs/formats.md, "Status words"). */
#define LIBRO_STATUS_MESSAGE_SIZE 2u
#define LIBRO_STATUS_MESSAGE_COUNT 4u /* 2^statusSize */
typedef enum libro_status_word {
    LIBRO_WORD_ACTIVE = 0,      /* "active": nothing to say; the other lists decide */
    LIBRO_WORD_SURRENDERED = 1, /* "surrendered": given up by the holder (final) */
    LIBRO_WORD_LAPSED = 2,      /* "lapsed": not renewed within the grace period (final) */
    LIBRO_WORD_UNDEFINED = 3,   /* "undefined": reserved (§2.1), never written */
} libro_status_word;
/** The message of value `w` ("active", "surrendered", "lapsed", "undefined"); NULL for a value
 *  of 4 or more. */
LIBRO_API const char *libro_status_word_message(unsigned w);

/* A RoundtableMandate's message entry and its message lists carry the mandate words instead:
 * the same statusSize 2, every value defined. Ending a mandate early sets its revocation bit
 * and one of the last three words (final); a mandate is never suspended. */
typedef enum libro_mandate_word {
    LIBRO_WORD_IN_OFFICE = 0, /* "in office": nothing to say; the other lists decide */
    LIBRO_WORD_RESIGNED = 1,  /* "resigned": ended early by the holder */
    LIBRO_WORD_RECALLED = 2,  /* "recalled": ended early by the community that sent them */
    LIBRO_WORD_REPLACED = 3,  /* "replaced": a new mandate for the seat took over */
} libro_mandate_word;

/** Which words a message entry or a message list carries. */
typedef enum libro_status_words {
    LIBRO_WORDS_LICENSE = 0, /* active, surrendered, lapsed, undefined (the zero value) */
    LIBRO_WORDS_MANDATE = 1, /* in office, resigned, recalled, replaced */
} libro_status_words;

/** The message of value `w` in the word set `set` (libro_status_words_message(
 *  LIBRO_WORDS_LICENSE, w) is libro_status_word_message(w)); NULL for a value of 4 or more or
 *  a set outside the enum. */
LIBRO_API const char *libro_status_words_message(libro_status_words set, unsigned w);

/** A bitstring of `n_entries` bits: as many one-bit statuses (statusSize 1), or n_entries /
 *  statusSize wider ones (libro_bitstring_get_value). Bit 0 is the most significant
 *  bit of byte 0 ("the left-most bit", §2.2 encodedList and §7.1), index n_entries - 1 the
 *  least significant bit of the last byte. A zeroed structure is the empty value. */
typedef struct libro_bitstring {
    unsigned char *bits; /* n_entries / 8 bytes, owned */
    size_t n_entries;    /* a multiple of 8 */
} libro_bitstring;

/** A zeroed bitstring of `n_entries`: a multiple of 8, 8 to LIBRO_STATUS_LIST_MAX_ENTRIES
 *  (LIBRO_ERR_INVALID_ARG otherwise; lists libro signs must also hold at least
 *  LIBRO_STATUS_LIST_MIN_ENTRIES). LIBRO_OK: the caller owns out->bits (libro_bitstring_free);
 *  else *out is zeroed. LIBRO_ERR_NOMEM. */
LIBRO_API LIBRO_NODISCARD libro_code libro_bitstring_new(libro_bitstring *out, size_t n_entries,
                                                         libro_error *err);
/** Release the bits and zero `*b`. NULL is a no-op. */
LIBRO_API void libro_bitstring_free(libro_bitstring *b);
/** The bit at `index`. An index at or past n_entries (or a NULL `b`) reads as false: check
 *  untrusted indexes with libro_status_list_check, which reports them. */
LIBRO_API bool libro_bitstring_get(const libro_bitstring *b, size_t index);
/** Set or clear the bit at `index`; an index at or past n_entries (or a NULL `b`) is ignored.
 *  Not thread-safe on a shared `b`. */
LIBRO_API void libro_bitstring_set(libro_bitstring *b, size_t index, bool value);

/** The `status_size`-bit value (1 to 8) of status `index`: bits index * status_size to
 *  index * status_size + status_size - 1 (§3.2 step 11, §3.3 step 2), the first of them the
 *  most significant bit of the value. A status past the end (or a NULL `b`, or a size outside
 *  1..8) reads as 0. */
LIBRO_API unsigned libro_bitstring_get_value(const libro_bitstring *b, size_t index,
                                             unsigned status_size);
/** Write `value` into status `index` as libro_bitstring_get_value reads it. A status past the
 *  end, a size outside 1..8 or a value of 2^status_size or more is ignored. Not thread-safe on
 *  a shared `b`. */
LIBRO_API void libro_bitstring_set_value(libro_bitstring *b, size_t index, unsigned status_size,
                                         unsigned value);

/** encodedList (§2.2, §3.3): multibase base64url (prefix 'u', no padding) of one GZIP
 *  (RFC 1952) member of the bits, appended to `out` (untouched on failure). Deterministic:
 *  the same bits give the same text. LIBRO_ERR_INVALID_ARG for an empty or malformed `b`;
 *  LIBRO_ERR_NOMEM. Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_bitstring_encode(libro_buf *out,
                                                            const libro_bitstring *b,
                                                            libro_error *err);
/** Strict decode of an encodedList (§3.4), bound first: text[0..len) (need not be
 *  NUL-terminated) of at most LIBRO_STATUS_LIST_MAX_ENCODED_BYTES (LIBRO_ERR_LIMIT); the
 *  multibase prefix 'u' (another multibase prefix: LIBRO_ERR_UNSUPPORTED; none, or an empty
 *  text: LIBRO_ERR_ENCODING); strict base64url (LIBRO_ERR_ENCODING); a single GZIP member
 *  with a valid CRC-32 and ISIZE and nothing after it (LIBRO_ERR_PARSE); at most
 *  LIBRO_STATUS_LIST_MAX_ENTRIES / 8 inflated bytes (LIBRO_ERR_LIMIT, found without inflating
 *  more than one byte past the cap) and at least LIBRO_STATUS_LIST_MIN_ENTRIES / 8
 *  (LIBRO_ERR_PARSE: §3.2 STATUS_LIST_LENGTH_ERROR). Messages start "statuslist:
 *  encodedList". LIBRO_OK: the caller owns out->bits (libro_bitstring_free); else *out is
 *  zeroed. LIBRO_ERR_NOMEM. Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_bitstring_decode(libro_bitstring *out, const char *text,
                                                            size_t len, libro_error *err);

/** A BitstringStatusListCredential (VC Data Model 2.0 + Bitstring Status List v1.0 §2.2). A
 *  zeroed structure is the empty value. */
typedef struct libro_status_list {
    char *id;     /* the credential's id: the URL it is served at (https, or http://127.0.0.1) */
    char *issuer; /* the registry's id */
    int64_t valid_from;
    int64_t valid_until;
    libro_status_purpose purpose;
    libro_bitstring bits;
    unsigned valid_from_millis; /* the millisecond within valid_from's second, 0-999: lists
                                   signed within one second stay strictly ordered */
    libro_status_words words;   /* a message list's words (statusMessage): the license words
                                   (0) or the mandate words; LIBRO_WORDS_LICENSE for the other
                                   purposes */
} libro_status_list;

/** Release everything `s` owns and zero it. NULL is a no-op. */
LIBRO_API void libro_status_list_free(libro_status_list *s);

/** Sign `s` as a vc+jwt compact JWS (VC-JOSE-COSE) with the registry key (protected header
 *  {"alg","kid","typ":"vc+jwt"}, kid "<issuer>#<RFC 7638 thumbprint>"), appended to
 *  `jws_out`. The payload is, members in this order:
 *  {"@context":["https://www.w3.org/ns/credentials/v2"],"id","type":["VerifiableCredential",
 *  "BitstringStatusListCredential"],"issuer","validFrom","validUntil","credentialSubject":
 *  {"id":"<id>#list","type":"BitstringStatusList","statusPurpose","encodedList"}}, and for a
 *  message list "statusSize":2,"statusMessage":[...] after encodedList (§2.2: "statusSize MUST
 *  be specified" for purpose message; the array of s->words, as in the entries that point at
 *  the list). validFrom is
 *  "YYYY-MM-DDTHH:MM:SS.mmmZ" (valid_from and valid_from_millis), validUntil
 *  "YYYY-MM-DDTHH:MM:SSZ".
 *  `s` is checked first, as libro_status_list_parse would check it (LIBRO_ERR_SCHEMA: id a
 *  URL, issuer an id, purpose, valid_from_millis below 1000, validFrom < validUntil,
 *  LIBRO_STATUS_LIST_MIN_ENTRIES to LIBRO_STATUS_LIST_MAX_ENTRIES bits and at least
 *  LIBRO_STATUS_LIST_MIN_ENTRIES statuses of libro_status_purpose_size bits; LIBRO_ERR_TIME
 *  for a year outside 0001-9999).
 *  The status list caps of limits.h apply (libro_jws_sign_compact_ex with
 *  LIBRO_MAX_STATUS_LIST_PAYLOAD_BYTES and LIBRO_MAX_STATUS_LIST_TOKEN_BYTES:
 *  LIBRO_ERR_LIMIT), which only a list of mostly random bits can exceed; read the token back
 *  with libro_jws_parse_ex and the same caps. LIBRO_ERR_NOMEM, LIBRO_ERR_CRYPTO. Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_status_list_sign(libro_buf *jws_out,
                                                            const libro_status_list *s,
                                                            const libro_key *registry_key,
                                                            libro_error *err);

/** Parse a verified status list credential payload p[0..len) strictly: bounded JSON (the
 *  encodedList cap plus room for the other members; LIBRO_ERR_LIMIT / LIBRO_ERR_PARSE),
 *  exactly the members libro_status_list_sign writes and no others, @context and type as
 *  written there, id a URL, issuer an id, validFrom "YYYY-MM-DDTHH:MM:SS.mmmZ" or (lists
 *  signed before milliseconds, millis 0) "YYYY-MM-DDTHH:MM:SSZ", validUntil
 *  "YYYY-MM-DDTHH:MM:SSZ", with validFrom < validUntil (LIBRO_ERR_TIME for a bad time),
 *  credentialSubject.id "<id>#list", statusPurpose "revocation", "suspension" or "message"
 *  (the last with exactly statusSize 2 and one of libro's statusMessage arrays, the license or
 *  the mandate words, which out->words tells; all
 *  LIBRO_ERR_SCHEMA, message
 *  "statuslist: <path>: <reason>"), encodedList decoded as libro_bitstring_decode does
 *  (its codes) and, for a message list, at least LIBRO_STATUS_LIST_MIN_ENTRIES statuses
 *  (§3.2: the bits divided by statusSize; LIBRO_ERR_PARSE). LIBRO_OK: the caller owns *out
 * (libro_status_list_free); else *out is zeroed. Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_status_list_parse(libro_status_list *out, const void *p,
                                                             size_t len, libro_error *err);

/** Step 10 of the validate algorithm (§3.2) for statusSize 1: *set = the bit at `index` of
 *  `s`. An index at or past the list's length is LIBRO_ERR_PARSE (the RANGE_ERROR of §3.2;
 *  *set is then false). LIBRO_ERR_INVALID_ARG for NULL arguments or a message list (read it
 *  with libro_status_list_value). Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_status_list_check(bool *set, const libro_status_list *s,
                                                             uint32_t index, libro_error *err);

/** Steps 10-11 of §3.2 for any of libro's lists: *value = the status at `index` of `s`, of
 *  libro_status_purpose_size(s->purpose) bits (for a message list a libro_status_word). A
 *  status past the list's end is LIBRO_ERR_PARSE (RANGE_ERROR; *value is then 0).
 *  LIBRO_ERR_INVALID_ARG for NULL arguments. Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_status_list_value(unsigned *value,
                                                             const libro_status_list *s,
                                                             uint32_t index, libro_error *err);

#endif
