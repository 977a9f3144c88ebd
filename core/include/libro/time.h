/* libro: RFC 3339 timestamps as int64 seconds since 1970-01-01T00:00:00Z. No mktime, no TZ. */
#ifndef LIBRO_TIME_H
#define LIBRO_TIME_H

#include "libro/error.h"

/** Longest text libro_time_format writes, with its NUL: "YYYY-MM-DDTHH:MM:SSZ". */
#define LIBRO_TIME_TEXT_MAX 21

/** Parse an RFC 3339 date-time (the VC `dateTimeStamp`: a time offset is required), e.g.
 *  "2026-11-26T19:05:00Z", "2026-11-26T20:05:00.250+01:00". 'T'/'Z' may be lowercase
 *  (RFC 3339 §5.6 NOTE); a space separator is not accepted. Offsets are "Z" or +hh:mm/-hh:mm
 *  with hh <= 23, mm <= 59 ("-00:00" is UTC). A fraction of any length (at least one digit)
 *  is dropped, which is the floor: the result is the second the instant falls in. A leap
 *  second (":60") is accepted only where the UTC time is 23:59:60 (any date: no leap-second
 *  table is consulted) and reads as the next second, 00:00:00 of the next UTC day. Local
 *  years are 0001-9999 and the UTC instant must also lie in 0001-01-01T00:00:00Z ..
 *  9999-12-31T23:59:59Z, so every accepted value can be formatted. LIBRO_ERR_TIME with the
 *  reason (and the byte offset for syntax errors); LIBRO_ERR_LIMIT past
 *  LIBRO_MAX_TIMESTAMP_BYTES; LIBRO_ERR_INVALID_ARG for a NULL `out`, or NULL `p` with
 *  `len` > 0. On failure *out is 0. Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_time_parse(int64_t *out, const char *p, size_t len,
                                                      libro_error *err);

/** What a person types where a time is meant (command-line options, batch files, agreement
 *  specs): an RFC 3339 date-time as libro_time_parse reads it, or a plain date "YYYY-MM-DD",
 *  which is 00:00:00Z of that day. The date's ranges have their own messages ("timestamp:
 *  month 13 out of range", "timestamp: day 30 out of range for 2026-02"); text of at most 10
 *  bytes that is not a date is "timestamp: want a date YYYY-MM-DD or an RFC 3339 time such as
 *  2027-01-01T09:00:00Z". Codes as libro_time_parse. Not for protocol data, which is always
 *  a full date-time. Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_time_parse_input(int64_t *out, const char *p, size_t len,
                                                            libro_error *err);

/** Write `t` as "YYYY-MM-DDTHH:MM:SSZ" into `out` (at least LIBRO_TIME_TEXT_MAX bytes).
 *  LIBRO_ERR_TIME if the year falls outside 0001-9999 (out is then ""). Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_time_format(char out[LIBRO_TIME_TEXT_MAX], int64_t t,
                                                       libro_error *err);

/** Longest text libro_time_format_ms writes, with its NUL: "YYYY-MM-DDTHH:MM:SS.mmmZ". */
#define LIBRO_TIME_MS_TEXT_MAX 25

/** libro_time_parse at millisecond precision: *out is milliseconds since the epoch, the
 *  fraction's first three digits (missing digits read as 0, further ones are dropped: the
 *  floor, as for seconds). Same codes and rules as libro_time_parse. Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_time_parse_ms(int64_t *out, const char *p, size_t len,
                                                         libro_error *err);

/** Write `ms` (milliseconds since the epoch) as "YYYY-MM-DDTHH:MM:SS.mmmZ" (always three
 *  fraction digits) into `out` (at least LIBRO_TIME_MS_TEXT_MAX bytes). LIBRO_ERR_TIME if the
 *  year falls outside 0001-9999 (out is then ""). Thread-safe. */
LIBRO_API LIBRO_NODISCARD libro_code libro_time_format_ms(char out[LIBRO_TIME_MS_TEXT_MAX],
                                                          int64_t ms, libro_error *err);

/** Milliseconds since the epoch from the real-time clock; 0 should it be unreadable. */
LIBRO_API int64_t libro_time_now_ms(void);

/** Seconds since the epoch from the real-time clock (CLOCK_REALTIME); 0 should the clock
 *  ever be unreadable, which makes validity checks fail closed. */
LIBRO_API int64_t libro_time_now(void);

#endif
