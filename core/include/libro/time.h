/* libro: RFC 3339 timestamps as int64 seconds since 1970-01-01T00:00:00Z. No mktime, no TZ. */
#ifndef LIBRO_TIME_H
#define LIBRO_TIME_H

#include "libro/error.h"

/** Longest text libro_time_format writes, with its NUL: "YYYY-MM-DDTHH:MM:SSZ". */
#define LIBRO_TIME_TEXT_MAX 21

/** Parse an RFC 3339 date-time (the VC `dateTimeStamp`: a time offset is required), e.g.
 *  "2026-11-26T19:05:00Z", "2026-11-26T20:05:00.250+01:00". 'T'/'Z' may be lowercase
 *  (RFC 3339 §5.6 NOTE); a space separator is not accepted. Fractional seconds are truncated
 *  toward the past. A leap second (":60") is accepted only at 23:59:60 UTC and reads as the
 *  next second. Years 0001-9999. LIBRO_ERR_TIME with the reason. */
LIBRO_API LIBRO_NODISCARD libro_code libro_time_parse(int64_t *out, const char *p, size_t len,
                                                      libro_error *err);

/** Write `t` as "YYYY-MM-DDTHH:MM:SSZ" into `out` (at least LIBRO_TIME_TEXT_MAX bytes).
 *  LIBRO_ERR_TIME if the year falls outside 0001-9999. */
LIBRO_API LIBRO_NODISCARD libro_code libro_time_format(char out[LIBRO_TIME_TEXT_MAX], int64_t t,
                                                       libro_error *err);

/** Seconds since the epoch from the real-time clock. */
LIBRO_API int64_t libro_time_now(void);

#endif
