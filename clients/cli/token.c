/*
 * token.c -- the session file kept between invocations of `coachnet`.
 *
 * After `coachnet login`, the token lets later invocations resume the
 * session (auth.resume) without the password.  Whoever can read the token
 * can act as the user until it expires, so the file is treated like an ssh
 * key: created 0600 in a 0700 directory, written atomically (temp file +
 * rename, so a crash never leaves half a token), and refused when it is
 * readable by group or others.  It also records the server it belongs to, so
 * a token is never sent to another server.
 *
 * Format: "key value" lines: host, port, login, role, subject, token.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clients/cli/cli.h"

int cli_token_path(const char *override, char *buf, size_t len) {
    int n;
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    if (override && *override)
        n = snprintf(buf, len, "%s", override);
    else if (xdg && *xdg)
        n = snprintf(buf, len, "%s/coachnet/token", xdg);
    else if (home && *home)
        n = snprintf(buf, len, "%s/.config/coachnet/token", home);
    else
        return -1;
    return n > 0 && (size_t)n < len ? 0 : -1;
}

/* mkdir -p of the directory part of path, new directories 0700. */
static int make_parent(const char *path, char *err, size_t errlen) {
    char dir[1024];
    if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir)) {
        snprintf(err, errlen, "path too long: %s", path);
        return -1;
    }
    char *slash = strrchr(dir, '/');
    if (slash == NULL || slash == dir) return 0;
    *slash = '\0';
    for (char *p = dir + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
                snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
                return -1;
            }
            *p = c;
            if (c == '\0') break;
        }
    }
    return 0;
}

int cli_token_save(const char *path, const cli_token *t, char *err, size_t errlen) {
    if (make_parent(path, err, errlen) != 0) return -1;
    char tmp[1100];
    snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
    int fd = mkstemp(tmp); /* mode 0600 */
    if (fd < 0) {
        snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
        return -1;
    }
    fchmod(fd, 0600);
    FILE *f = fdopen(fd, "w");
    if (f == NULL) {
        close(fd);
        unlink(tmp);
        snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
        return -1;
    }
    fprintf(f, "host %s\nport %d\nlogin %s\nrole %s\nsubject %s\ntoken %s\n", t->host, t->port, t->login, t->role,
            t->subject, t->token);
    int bad = fflush(f) != 0 || fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* Copy value into dst[len] or fail when it does not fit. */
static int set_field(char *dst, size_t len, const char *v) {
    size_t n = strlen(v);
    if (n >= len) return -1;
    memcpy(dst, v, n + 1);
    return 0;
}

int cli_token_load(const char *path, cli_token *t, char *err, size_t errlen) {
    memset(t, 0, sizeof(*t));
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return 0;
        snprintf(err, errlen, "cannot open session file %s: %s", path, strerror(errno));
        return -1;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        snprintf(err, errlen, "session file %s is not a regular file", path);
        return -1;
    }
    if (sb.st_mode & 077) {
        close(fd);
        snprintf(err, errlen,
                 "session file %s is accessible by others (mode %04o): run `chmod 600 %s` "
                 "or log in again",
                 path, (unsigned)(sb.st_mode & 07777), path);
        return -1;
    }
    FILE *f = fdopen(fd, "r");
    if (f == NULL) {
        close(fd);
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    char line[512];
    long lineno = 0;
    int rc = 1;
    while (rc == 1 && fgets(line, sizeof(line), f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        char *sp = strchr(line, ' ');
        const char *v = sp ? sp + 1 : "";
        if (sp) *sp = '\0';
        int bad = 0;
        if (strcmp(line, "host") == 0)
            bad = set_field(t->host, sizeof(t->host), v);
        else if (strcmp(line, "port") == 0) {
            long long p;
            bad = cli_parse_int(v, 1, 65535, &p);
            t->port = (int)p;
        } else if (strcmp(line, "login") == 0)
            bad = set_field(t->login, sizeof(t->login), v);
        else if (strcmp(line, "role") == 0)
            bad = set_field(t->role, sizeof(t->role), v);
        else if (strcmp(line, "subject") == 0)
            bad = set_field(t->subject, sizeof(t->subject), v);
        else if (strcmp(line, "token") == 0)
            bad = set_field(t->token, sizeof(t->token), v);
        else if (line[0] != '\0')
            bad = 1;
        if (bad) {
            snprintf(err, errlen, "session file %s: bad line %ld", path, lineno);
            rc = -1;
        }
    }
    fclose(f);
    if (rc == 1 && (t->token[0] == '\0' || t->host[0] == '\0' || t->port == 0)) {
        snprintf(err, errlen, "session file %s is incomplete: log in again", path);
        rc = -1;
    }
    return rc;
}

int cli_token_remove(const char *path, char *err, size_t errlen) {
    if (unlink(path) != 0 && errno != ENOENT) {
        snprintf(err, errlen, "cannot remove %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}
