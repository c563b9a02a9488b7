/* util.h — small pure helpers of the method handlers (unit-tested). */
#ifndef COACHNET_SERVER_UTIL_H
#define COACHNET_SERVER_UTIL_H

#include <stddef.h>
#include <time.h>

/* Opaque list cursors: the hex of an internal position (an id, or "m:<n>"
 * for matches).  encode writes 2*strlen(pos)+1 bytes.  decode accepts only
 * what encode can produce from [A-Za-z0-9._:-] and fits outsz (with NUL);
 * returns 0 or -1. */
void util_cursor_encode(const char *pos, char *out);
int util_cursor_decode(const char *hex, char *out, size_t outsz);

/* 1 if s is a real calendar date "YYYY-MM-DD" with year 2000..2100. */
int util_date_valid(const char *s);

/* Make zone (an IANA name that cfg_validate accepted) the process' local
 * time zone: TZ=":zone" in the environment, then tzset().  Call it once,
 * before any thread starts: setenv() is not safe while another thread may
 * read the environment, and every later localtime_r()/mktime() of any
 * thread reads TZ (glibc re-reads it under its own lock, which makes them
 * safe as long as nobody writes it).  Returns 0, or -1 if setenv failed. */
int util_tz_use(const char *zone);

/* The instants a valid calendar date (util_date_valid) begins and ends in
 * the local time zone (util_tz_use): *start is its first second, *end the
 * first second of the next day, so a time t falls on the date iff
 * *start <= t < *end (also on days with a daylight-saving change).
 * Returns 0, or -1 if the date is not valid or mktime() cannot represent it. */
int util_date_span(const char *date, time_t *start, time_t *end);

#endif
