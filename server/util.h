/* util.h — small pure helpers of the method handlers (unit-tested). */
#ifndef COACHNET_SERVER_UTIL_H
#define COACHNET_SERVER_UTIL_H

#include <stddef.h>

/* Opaque list cursors: the hex of an internal position (an id, or "m:<n>"
 * for matches).  encode writes 2*strlen(pos)+1 bytes.  decode accepts only
 * what encode can produce from [A-Za-z0-9._:-] and fits outsz (with NUL);
 * returns 0 or -1. */
void util_cursor_encode(const char *pos, char *out);
int util_cursor_decode(const char *hex, char *out, size_t outsz);

/* 1 if s is a real calendar date "YYYY-MM-DD" with year 2000..2100. */
int util_date_valid(const char *s);

#endif
