/* log.c — see log.h. */
#include "server/log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static struct {
    int level;
    int use_syslog;
    FILE *file; /* NULL = stderr */
    char *path; /* the file's path, for log_reopen() */
} L = { CFG_LOG_INFO, 0, NULL, NULL };

int log_open(int level, const char *target) {
    L.level = level;
    if (!target || !target[0]) return 0;
    if (!strcmp(target, "syslog")) {
        openlog("coachnetd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
        L.use_syslog = 1;
        return 0;
    }
    char *path = strdup(target);
    FILE *f = path ? fopen(target, "a") : NULL;
    if (!f) {
        free(path);
        return -1;
    }
    setvbuf(f, NULL, _IOLBF, 0);
    L.file = f;
    L.path = path;
    return 0;
}

int log_reopen(void) {
    if (!L.file) return 0;
    int fd = open(L.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) return -1;
    fflush(L.file);
    int rc = dup2(fd, fileno(L.file));
    close(fd);
    return rc < 0 ? -1 : 0;
}

void log_close(void) {
    if (L.use_syslog) closelog();
    if (L.file) fclose(L.file);
    L.file = NULL;
    free(L.path);
    L.path = NULL;
    L.use_syslog = 0;
}

void log_msg(int level, const char *fmt, ...) {
    if (level < L.level) return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (L.use_syslog) {
        static const int pri[] = { LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERR, LOG_NOTICE };
        syslog(pri[level], "%s", msg);
        return;
    }
    static const char tag[] = { '.', '-', '*', '#', '*' }; /* redis-style marks */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char when[32];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(L.file ? L.file : stderr, "%d:%s.%03ldZ %c %s\n", (int)getpid(), when, ts.tv_nsec / 1000000, tag[level],
            msg);
}

static long long log_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void log_limited(log_limit *ll, int level, const char *fmt, ...) {
    long long now = log_now_ms();
    if (ll->window_start_ms && now - ll->window_start_ms < LOG_LIMIT_MS) {
        ll->suppressed++;
        return;
    }
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (ll->suppressed)
        log_msg(level, "%s (and %lu more like it in the last %lld ms)", line, ll->suppressed,
                now - ll->window_start_ms);
    else
        log_msg(level, "%s", line);
    ll->window_start_ms = now;
    ll->suppressed = 0;
}
