/* log.h — coachnetd logging: levels, to stderr, a file or syslog.
 * One process-wide sink (set once at startup, before any thread starts). */
#ifndef COACHNET_SERVER_LOG_H
#define COACHNET_SERVER_LOG_H

#include "server/config.h"

/* target: "" = stderr, "syslog", or a file path (appended).  Returns 0 or
 * -1 when the file cannot be opened (then stderr is kept). */
int log_open(int level, const char *target);
void log_close(void);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Lifecycle lines (ready, shutting down) are printed at every level. */
#define log_notice(...) log_msg(CFG_LOG_NOTICE, __VA_ARGS__)
#define log_debug(...)  log_msg(CFG_LOG_DEBUG, __VA_ARGS__)
#define log_info(...)   log_msg(CFG_LOG_INFO, __VA_ARGS__)
#define log_warn(...)   log_msg(CFG_LOG_WARNING, __VA_ARGS__)
#define log_error(...)  log_msg(CFG_LOG_ERROR, __VA_ARGS__)

#endif
