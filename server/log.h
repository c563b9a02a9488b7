/* log.h — coachnetd logging: levels, to stderr, a file or syslog.
 * One process-wide sink (set once at startup, before any thread starts). */
#ifndef COACHNET_SERVER_LOG_H
#define COACHNET_SERVER_LOG_H

#include "server/config.h"

/* target: "" = stderr, "syslog", or a file path (appended).  Returns 0 or
 * -1 when the file cannot be opened (then stderr is kept). */
int log_open(int level, const char *target);
void log_close(void);

/* Reopen the log file by its path (SIGHUP, after logrotate renamed it):
 * lines go to a new file of that name from now on.  The new file is opened
 * first and dup2()ed over the old descriptor, so the FILE stays valid and a
 * line written by another thread at that moment goes whole to one file or
 * the other.  Nothing to do for stderr and syslog.  Returns 0, or -1 with
 * errno when the file cannot be opened (the old one is kept). */
int log_reopen(void);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A line that an event can repeat thousands of times a second (every
 * request while Redis is down) goes through a log_limit: the first line of
 * each LOG_LIMIT_MS window is written, the others are counted, and the
 * next line written says how many were left out (redis' "log only every N
 * seconds" pattern).  One static log_limit per call site; loop thread only. */
#define LOG_LIMIT_MS 1000

typedef struct log_limit {
    long long window_start_ms;
    unsigned long suppressed;
} log_limit;

void log_limited(log_limit *ll, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Lifecycle lines (ready, shutting down) are printed at every level. */
#define log_notice(...) log_msg(CFG_LOG_NOTICE, __VA_ARGS__)
#define log_debug(...)  log_msg(CFG_LOG_DEBUG, __VA_ARGS__)
#define log_info(...)   log_msg(CFG_LOG_INFO, __VA_ARGS__)
#define log_warn(...)   log_msg(CFG_LOG_WARNING, __VA_ARGS__)
#define log_error(...)  log_msg(CFG_LOG_ERROR, __VA_ARGS__)

#endif
