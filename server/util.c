/* util.c — see util.h. */
#include "server/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void util_cursor_encode(const char *pos, char *out) {
    static const char hx[] = "0123456789abcdef";
    size_t n = strlen(pos);
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[(unsigned char)pos[i] >> 4];
        out[2 * i + 1] = hx[(unsigned char)pos[i] & 15];
    }
    out[2 * n] = '\0';
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

int util_cursor_decode(const char *hex, char *out, size_t outsz) {
    size_t n = strlen(hex);
    if (n == 0 || n % 2 || n / 2 >= outsz) return -1;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return -1;
        char ch = (char)(hi << 4 | lo);
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' ||
              ch == '_' || ch == '-' || ch == ':'))
            return -1;
        out[i] = ch;
    }
    out[n / 2] = '\0';
    return 0;
}

int util_date_valid(const char *s) {
    static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return 0;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int mo = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 2000 || y > 2100 || mo < 1 || mo > 12 || d < 1) return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[mo - 1] + (mo == 2 && leap);
}

int util_tz_use(const char *zone) {
    char tz[128];
    /* the leading ':' asks for the file of that name, never a POSIX rule */
    if (snprintf(tz, sizeof tz, ":%s", zone) >= (int)sizeof tz || setenv("TZ", tz, 1) != 0) return -1;
    tzset();
    return 0;
}

/* mktime of local midnight starting day d of month mo (1-based) of year y;
 * d may be one past the month's end (mktime normalises it). */
static time_t local_midnight(int y, int mo, int d) {
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_isdst = -1; /* let the zone's rules say whether DST applies */
    return mktime(&tm);
}

int util_date_span(const char *date, time_t *start, time_t *end) {
    if (!util_date_valid(date)) return -1;
    int y = atoi(date), mo = atoi(date + 5), d = atoi(date + 8);
    time_t s = local_midnight(y, mo, d), e = local_midnight(y, mo, d + 1);
    if (s == (time_t)-1 || e == (time_t)-1 || e <= s) return -1;
    *start = s;
    *end = e;
    return 0;
}
