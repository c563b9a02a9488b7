/* config.c — see config.h.  One table describes every key. */
#include "server/config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/hws.h"

typedef enum { T_STR, T_INT, T_BOOL, T_TLSVER, T_LOGLEVEL } cfg_type;

typedef struct cfg_key {
    const char *name;
    cfg_type type;
    size_t off;
    const char *def;
    long min, max; /* T_INT range */
    const char *help;
} cfg_key;

#define O(f) offsetof(cfg, f)
/* A limit of hws.h as the default string of its key. */
#define CFG_STR_(x) #x
#define CFG_STR(x)  CFG_STR_(x)

static const cfg_key keys[] = {
    { "bind", T_STR, O(bind), "127.0.0.1", 0, 0, "address of the TLS listener (IP literal)" },
    { "port", T_INT, O(port), "7400", 0, 65535, "TLS port (0 = no TCP listener)" },
    { "tls-cert-file", T_STR, O(tls_cert_file), "", 0, 0, "server certificate chain (PEM)" },
    { "tls-key-file", T_STR, O(tls_key_file), "", 0, 0, "server private key (PEM)" },
    { "tls-ca-file", T_STR, O(tls_ca_file), "", 0, 0, "CA bundle for client certificates" },
    { "tls-auth-clients", T_BOOL, O(tls_auth_clients), "no", 0, 0,
      "require a client certificate signed by tls-ca-file" },
    { "tls-min-version", T_TLSVER, O(tls_min_version), "1.2", 0, 0, "lowest TLS version: 1.2 or 1.3" },
    { "tls-session-tickets", T_BOOL, O(tls_session_tickets), "no", 0, 0, "allow TLS session tickets" },
    { "unixsocket", T_STR, O(unixsocket), "", 0, 0, "plaintext unix socket for local administration (\"\" = off)" },
    { "redis-host", T_STR, O(redis_host), "127.0.0.1", 0, 0, "Redis address (IP literal)" },
    { "redis-port", T_INT, O(redis_port), "6379", 1, 65535, "Redis port" },
    { "redis-prefix", T_STR, O(redis_prefix), "cn:", 0, 0, "prefix of every Redis key and channel" },
    { "redis-timeout-ms", T_INT, O(redis_timeout_ms), "2000", 10, 600000, "timeout of every Redis command" },
    { "redis-sentinels", T_STR, O(redis_sentinels), "", 0, 0,
      "Sentinels as ip:port,... (IP literals; [ipv6]:port); \"\" = redis-host and redis-port directly" },
    { "redis-master-name", T_STR, O(redis_master_name), "coachnet", 0, 0,
      "the name under which the Sentinels monitor the primary" },
    { "redis-sentinel-timeout-ms", T_INT, O(redis_sentinel_timeout_ms), "500", 10, 60000,
      "how long one Sentinel has to answer before the next is asked" },
    { "redis-min-replicas", T_INT, O(redis_min_replicas), "0", 0, CFG_MIN_REPLICAS_MAX,
      "replicas that must confirm a client's write (WAIT) before it is acknowledged (0 = no WAIT)" },
    { "redis-wait-timeout-ms", T_INT, O(redis_wait_timeout_ms), "1000", 1, 600000,
      "how long a write waits for redis-min-replicas confirmations before it answers unavailable" },
    { "data-dir", T_STR, O(data_dir), "./data", 0, 0, "folder of the catalogues" },
    { "maxclients", T_INT, O(maxclients), "10000", 1, 1000000, "maximum connections" },
    { "max-frame", T_INT, O(max_frame), "1048576", 64, 64 * 1024 * 1024, "largest frame body in bytes" },
    { "max-frame-unauth", T_INT, O(max_frame_unauth), "16384", 64, 64 * 1024 * 1024,
      "largest frame body before a session is set (at most max-frame)" },
    { "max-input-total", T_INT, O(max_input_total), "268435456", 1024, INT_MAX,
      "bytes of partial frames held by all connections together" },
    { "max-inflight", T_INT, O(max_inflight), "64", 1, 100000, "requests in flight per connection" },
    { "max-output", T_INT, O(max_output), "8388608", 4096, 1 << 30, "output buffer limit per connection in bytes" },
    { "handshake-timeout-ms", T_INT, O(handshake_timeout_ms), "10000", 10, 3600000, "TLS handshake timeout" },
    { "idle-timeout-ms", T_INT, O(idle_timeout_ms), "300000", 10, 86400000, "idle connection timeout" },
    { "login-attempts-per-minute", T_INT, O(login_attempts_per_minute), "10", 1, 1000000,
      "failed logins per existing login name per minute (counted in Redis)" },
    { "login-attempts-per-address", T_INT, O(login_attempts_per_address), "30", 0, 1000000,
      "logins in flight or failed per client address per minute, per coachnetd (0 = no limit)" },
    { "login-address-slots", T_INT, O(login_address_slots), "65536", 1024, 16777216,
      "client addresses the per-address login limit remembers (about 40 bytes each)" },
    { "auth-threads", T_INT, O(auth_threads), "2", 1, 64,
      "threads that hash and verify passwords (off the event loop)" },
    { "token-ttl", T_INT, O(token_ttl), "86400", 10, 31536000, "session token lifetime in seconds" },
    { "session-check-s", T_INT, O(session_check_s), "30", 1, 86400,
      "check every session against Redis at least this often (seconds)" },
    { "run-lock-ttl-ms", T_INT, O(run_lock_ttl_ms), "15000", 300, 600000,
      "lifetime of a program's run lock, renewed every third of it by the running instance" },
    { "run-warm-max-mb", T_INT, O(run_warm_max_mb), "256", 0, 1048576,
      "memory for the warm states of match runs, one per program (MiB; 0 = every run starts cold)" },
    { "run-warm-ttl-s", T_INT, O(run_warm_ttl_s), "86400", 1, 31536000,
      "a program's warm state older than this is dropped (seconds)" },
    { "run-threads", T_INT, O(run_threads), "1", 1, 16,
      "threads of a match run's solve (1: one core, the others left to the event loop and Redis)" },
    { "run-settle-chunk", T_INT, O(run_settle_chunk), "100", 1, 100000,
      "at most this many proposals a published run's settle rewrites per script, of those its switch superseded "
      "(docs/design.md)" },
    { "run-chunk-us", T_INT, O(run_chunk_us), "500", 50, 1000000,
      "Redis time a run's snapshot pages, store chunks and settle chunks aim at, each (microseconds; runs.c)" },
    { "log-level", T_LOGLEVEL, O(log_level), "info", 0, 0, "debug, info, warning or error" },
    { "log-file", T_STR, O(log_file), "", 0, 0, "\"\" = stderr, \"syslog\", or a file path" },
    { "pidfile", T_STR, O(pidfile), "", 0, 0, "write the process id here (\"\" = off)" },
    { "timezone", T_STR, O(timezone), "Asia/Jakarta", 0, 0,
      "IANA time zone of the calendar dates of meetings (today, the day a match was accepted)" },
    { "web-root", T_STR, O(web_root), "", 0, 0, "folder of the web app's static files (\"\" = none served)" },
    { "allowed-origins", T_STR, O(allowed_origins), "", 0, 0,
      "Origins allowed to open the WebSocket /rpc, space-separated (\"\" = the server's own: https://<Host>)" },
    { "http-max-header-bytes", T_INT, O(http_max_header_bytes), CFG_STR(HWS_HEADER_BYTES_DEFAULT), 1024, 65536,
      "bytes of one HTTP request head" },
    { "http-max-headers", T_INT, O(http_max_headers), CFG_STR(HWS_HEADERS_DEFAULT), 8, 1000,
      "header lines of one HTTP request head" },
    { "ws-ping-interval-ms", T_INT, O(ws_ping_interval_ms), CFG_STR(HWS_PING_INTERVAL_MS_DEFAULT), 100, 3600000,
      "ping every WebSocket connection this often" },
    { "ws-pong-timeout-ms", T_INT, O(ws_pong_timeout_ms), CFG_STR(HWS_PONG_TIMEOUT_MS_DEFAULT), 50, 600000,
      "close a WebSocket connection whose pong (or close reply) is not back within this" },
    { "smtp-url", T_STR, O(smtp_url), "", 0, 0,
      "coachnet-mailer: SMTP server, smtp://host:port (STARTTLS when offered; required with smtp-user) or smtps://" },
    { "smtp-user", T_STR, O(smtp_user), "", 0, 0, "coachnet-mailer: SMTP AUTH user (\"\" = no AUTH)" },
    { "smtp-password-file", T_STR, O(smtp_password_file), "", 0, 0,
      "coachnet-mailer: file whose first line is the SMTP password" },
    { "smtp-ca-file", T_STR, O(smtp_ca_file), "", 0, 0,
      "coachnet-mailer: CA bundle that signs the SMTP server's certificate (\"\" = the system's)" },
    { "mail-from", T_STR, O(mail_from), "coachnet@localhost", 0, 0,
      "coachnet-mailer: sender address; its domain names Message-IDs and meeting UIDs" },
    { "smtp-max-tries", T_INT, O(smtp_max_tries), "8", 1, 1000,
      "coachnet-mailer: 4xx replies for one message before it becomes a dead letter" },
    { "smtp-timeout-ms", T_INT, O(smtp_timeout_ms), "30000", 100, 600000,
      "coachnet-mailer: timeout of one SMTP connect and of one whole message" },
    { "mail-retry-base-ms", T_INT, O(mail_retry_base_ms), "1000", 1, 3600000,
      "coachnet-mailer: first retry delay, doubled per try" },
    { "mail-retry-max-ms", T_INT, O(mail_retry_max_ms), "300000", 1, 86400000, "coachnet-mailer: longest retry delay" },
    { "mail-claim-idle-ms", T_INT, O(mail_claim_idle_ms), "60000", 100, 86400000,
      "coachnet-mailer: take over a message another mailer has held this long (it died)" },
    { "mail-templates", T_STR, O(mail_templates), "./data/mail", 0, 0,
      "coachnet-mailer: folder of the message templates (<language>/<kind>.txt and .html)" },
    { "remind-after-days", T_INT, O(remind_after_days), "3", 1, 365,
      "coachnet-mailer: remind a side whose response a match waits for this long" },
    { "meeting-remind-days", T_INT, O(meeting_remind_days), "30", 1, 3650,
      "coachnet-mailer: remind both sides of an accepted match with no meeting this long" },
    { "remind-interval-s", T_INT, O(remind_interval_s), "3600", 1, 604800,
      "coachnet-mailer: how often one of the mailers looks for matches to remind of" },
    { "digest-interval-s", T_INT, O(digest_interval_s), "604800", 1, 31536000,
      "coachnet-mailer: how often each coordinator gets the digest of its programs" },
};

#define NKEYS (sizeof keys / sizeof keys[0])

static void seterr(char *err, size_t errlen, const char *fmt, ...) {
    if (!err || !errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static const cfg_key *find_key(const char *name) {
    for (size_t i = 0; i < NKEYS; i++)
        if (strcasecmp(keys[i].name, name) == 0) return &keys[i];
    return NULL;
}

static int set_key(cfg *c, const cfg_key *k, const char *v, char *err, size_t errlen) {
    char *base = (char *)c + k->off;
    switch (k->type) {
    case T_STR: {
        char *dup = strdup(v);
        if (!dup) {
            seterr(err, errlen, "out of memory");
            return CFG_ERR;
        }
        char **slot = (char **)(void *)base;
        free(*slot);
        *slot = dup;
        return CFG_OK;
    }
    case T_INT: {
        char *end;
        errno = 0;
        long n = strtol(v, &end, 10);
        if (*v == '\0' || *end != '\0' || errno) {
            seterr(err, errlen, "%s: '%s' is not an integer", k->name, v);
            return CFG_ERR;
        }
        if (n < k->min || n > k->max) {
            seterr(err, errlen, "%s: %ld is outside %ld..%ld", k->name, n, k->min, k->max);
            return CFG_ERR;
        }
        *(int *)(void *)base = (int)n;
        return CFG_OK;
    }
    case T_BOOL:
        if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1"))
            *(int *)(void *)base = 1;
        else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0"))
            *(int *)(void *)base = 0;
        else {
            seterr(err, errlen, "%s: '%s' is not yes or no", k->name, v);
            return CFG_ERR;
        }
        return CFG_OK;
    case T_TLSVER:
        if (!strcmp(v, "1.2"))
            *(int *)(void *)base = 12;
        else if (!strcmp(v, "1.3"))
            *(int *)(void *)base = 13;
        else {
            seterr(err, errlen, "%s: '%s' is not 1.2 or 1.3", k->name, v);
            return CFG_ERR;
        }
        return CFG_OK;
    case T_LOGLEVEL: {
        static const char *names[] = { "debug", "info", "warning", "error" };
        for (int i = 0; i < 4; i++)
            if (!strcasecmp(v, names[i])) {
                *(int *)(void *)base = i;
                return CFG_OK;
            }
        seterr(err, errlen, "%s: '%s' is not debug, info, warning or error", k->name, v);
        return CFG_ERR;
    }
    }
    return CFG_ERR;
}

int cfg_init(cfg *c) {
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < NKEYS; i++)
        if (set_key(c, &keys[i], keys[i].def, NULL, 0) != CFG_OK) {
            cfg_free(c);
            return CFG_ERR;
        }
    return CFG_OK;
}

void cfg_free(cfg *c) {
    for (size_t i = 0; i < NKEYS; i++) {
        if (keys[i].type != T_STR) continue;
        char **slot = (char **)(void *)((char *)c + keys[i].off);
        free(*slot);
        *slot = NULL;
    }
}

int cfg_set(cfg *c, const char *key, const char *value, char *err, size_t errlen) {
    const cfg_key *k = find_key(key);
    if (!k) {
        seterr(err, errlen, "unknown config key '%s'", key);
        return CFG_ERR;
    }
    return set_key(c, k, value, err, errlen);
}

/* Split one line into key and value in place.  Returns 0 for a blank or
 * comment line, 1 for a key/value pair, -1 on a syntax error. */
static int split_line(char *line, char **key, char **val, const char **why) {
    char *p = line;
    while (*p == ' ' || *p == '\t') p++;
    size_t n = strlen(p);
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r')) p[--n] = '\0';
    if (*p == '\0' || *p == '#') return 0;
    *key = p;
    while (*p && *p != ' ' && *p != '\t') p++;
    if (*p == '\0') {
        *why = "missing value";
        return -1;
    }
    *p++ = '\0';
    while (*p == ' ' || *p == '\t') p++;
    if (*p == '"') {
        size_t len = strlen(p);
        if (len < 2 || p[len - 1] != '"') {
            *why = "unterminated quote";
            return -1;
        }
        p[len - 1] = '\0';
        p++;
        if (strchr(p, '"')) {
            *why = "stray quote in value";
            return -1;
        }
    }
    *val = p;
    return 1;
}

int cfg_parse_text(cfg *c, const char *text, char *err, size_t errlen) {
    char *copy = strdup(text);
    if (!copy) {
        seterr(err, errlen, "out of memory");
        return CFG_ERR;
    }
    int lineno = 0, rc = CFG_OK;
    char *line = copy;
    /* strtok_r would merge empty lines and break line numbers: walk by hand */
    while (line) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        lineno++;
        char *key = NULL, *val = NULL;
        const char *why = NULL;
        int s = split_line(line, &key, &val, &why);
        if (s < 0) {
            seterr(err, errlen, "line %d: %s", lineno, why);
            rc = CFG_ERR;
            break;
        }
        if (s > 0) {
            char sub[256];
            if (cfg_set(c, key, val, sub, sizeof sub) != CFG_OK) {
                seterr(err, errlen, "line %d: %s", lineno, sub);
                rc = CFG_ERR;
                break;
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    free(copy);
    return rc;
}

#define CFG_MAX_FILE (1 << 20)

int cfg_load_file(cfg *c, const char *path, char *err, size_t errlen) {
    FILE *f = fopen(path, "r");
    if (!f) {
        seterr(err, errlen, "%s: %s", path, strerror(errno));
        return CFG_ERR;
    }
    char *buf = malloc(CFG_MAX_FILE + 1);
    if (!buf) {
        fclose(f);
        seterr(err, errlen, "out of memory");
        return CFG_ERR;
    }
    size_t n = fread(buf, 1, CFG_MAX_FILE + 1, f);
    int rd_err = ferror(f);
    fclose(f);
    if (rd_err) {
        free(buf);
        seterr(err, errlen, "%s: read error", path);
        return CFG_ERR;
    }
    if (n > CFG_MAX_FILE) {
        free(buf);
        seterr(err, errlen, "%s: larger than 1 MiB", path);
        return CFG_ERR;
    }
    buf[n] = '\0';
    if (memchr(buf, '\0', n)) {
        free(buf);
        seterr(err, errlen, "%s: contains a NUL byte", path);
        return CFG_ERR;
    }
    char sub[300];
    int rc = cfg_parse_text(c, buf, sub, sizeof sub);
    free(buf);
    if (rc != CFG_OK) seterr(err, errlen, "%s: %s", path, sub);
    return rc;
}

/* The time zone database: $TZDIR, as the C library reads it, else glibc's
 * default folder. */
#define CFG_TZDIR_DEFAULT "/usr/share/zoneinfo"
#define CFG_TZ_NAME_MAX   64 /* the longest IANA names have about 30 bytes */

/* Whether zone is an IANA zone name with a compiled file in the time zone
 * database (a "TZif" file).  The C library silently falls back to UTC for
 * a zone it cannot find, so a typo would shift every calendar check by the
 * zone's offset: refuse it here instead.  The name is [A-Za-z0-9_+-]
 * components separated by single '/' (no "..", no absolute path, no POSIX
 * rule like "WIB-7": only named zones).  On error err names the key, the
 * zone and the file looked for. */
static int tz_check(const char *zone, char *err, size_t errlen) {
    size_t n = strlen(zone);
    int ok = n > 0 && n <= CFG_TZ_NAME_MAX && zone[0] != '/' && zone[n - 1] != '/' && !strstr(zone, "//");
    for (size_t i = 0; ok && i < n; i++) {
        char ch = zone[i];
        ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
             ch == '+' || ch == '-' || ch == '/';
    }
    if (!ok) {
        seterr(err, errlen, "timezone: '%s' is not a time zone name like Asia/Jakarta", zone);
        return CFG_ERR;
    }
    const char *dir = getenv("TZDIR");
    if (!dir || !dir[0]) dir = CFG_TZDIR_DEFAULT;
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", dir, zone) >= (int)sizeof path) {
        seterr(err, errlen, "timezone: the path of '%s' is too long", zone);
        return CFG_ERR;
    }
    char magic[4] = { 0 };
    FILE *f = fopen(path, "rb");
    size_t got = f ? fread(magic, 1, sizeof magic, f) : 0;
    if (f) fclose(f);
    if (got != sizeof magic || memcmp(magic, "TZif", sizeof magic)) {
        seterr(err, errlen, "timezone: unknown time zone '%s' (no time zone file %s; is tzdata installed?)", zone,
               path);
        return CFG_ERR;
    }
    return CFG_OK;
}

int cfg_validate(const cfg *c, char *err, size_t errlen) {
    if (c->port != 0 && (!c->tls_cert_file[0] || !c->tls_key_file[0])) {
        seterr(err, errlen, "tls-cert-file and tls-key-file are required when port is not 0");
        return CFG_ERR;
    }
    if (c->tls_auth_clients && !c->tls_ca_file[0]) {
        seterr(err, errlen, "tls-auth-clients yes needs tls-ca-file");
        return CFG_ERR;
    }
    if (c->port == 0 && !c->unixsocket[0]) {
        seterr(err, errlen, "no listener: set port or unixsocket");
        return CFG_ERR;
    }
    if (c->max_input_total < c->max_frame) {
        seterr(err, errlen, "max-input-total (%d) is below max-frame (%d): a largest frame could never be read",
               c->max_input_total, c->max_frame);
        return CFG_ERR;
    }
    if (strlen(c->redis_prefix) > 64) {
        seterr(err, errlen, "redis-prefix longer than 64 bytes");
        return CFG_ERR;
    }
    if (c->redis_sentinels[0]) {
        cfg_hostport hp[CFG_SENTINELS_MAX];
        size_t n;
        char why[200];
        if (cfg_hostports_parse(c->redis_sentinels, hp, CFG_SENTINELS_MAX, &n, why, sizeof why) != CFG_OK) {
            seterr(err, errlen, "redis-sentinels: %s", why);
            return CFG_ERR;
        }
        if (!c->redis_master_name[0] || strcspn(c->redis_master_name, " \t\r\n") != strlen(c->redis_master_name)) {
            seterr(err, errlen, "redis-master-name must be one word");
            return CFG_ERR;
        }
    }
    /* Commands share the command link in order: a read sent behind a WAIT
     * waits for it, and a WAIT that outlasts redis-timeout-ms times the
     * read out, which drops the link and answers every durable write in
     * flight `unavailable` (replicas slow or down, the primary healthy). */
    if (c->redis_min_replicas > 0 && c->redis_wait_timeout_ms >= c->redis_timeout_ms) {
        seterr(err, errlen,
               "redis-wait-timeout-ms (%d) must be below redis-timeout-ms (%d) with redis-min-replicas: a command "
               "queued behind a WAIT would time out and drop the link",
               c->redis_wait_timeout_ms, c->redis_timeout_ms);
        return CFG_ERR;
    }
    if (tz_check(c->timezone, err, errlen) != CFG_OK) return CFG_ERR;
    return CFG_OK;
}

/* One "ip:port" or "[ipv6]:port" of a list, len bytes at item. */
static int hostport_parse(const char *item, size_t len, cfg_hostport *out, char *err, size_t errlen) {
    const char *colon = NULL, *host = item;
    size_t hlen;
    if (len && item[0] == '[') {
        const char *close = memchr(item, ']', len);
        if (!close || close + 1 >= item + len || close[1] != ':') {
            seterr(err, errlen, "\"%.*s\" is not [ipv6]:port", (int)len, item);
            return CFG_ERR;
        }
        host = item + 1;
        hlen = (size_t)(close - host);
        colon = close + 1;
    } else {
        for (const char *p = item; p < item + len; p++)
            if (*p == ':') colon = p;
        hlen = colon ? (size_t)(colon - item) : 0;
    }
    if (item[0] != '[' && colon && memchr(item, ':', hlen)) {
        seterr(err, errlen, "\"%.*s\": an IPv6 address goes in brackets, [addr]:port", (int)len, item);
        return CFG_ERR;
    }
    if (!colon || hlen == 0 || hlen >= sizeof out->host) {
        seterr(err, errlen, "\"%.*s\" is not ip:port", (int)len, item);
        return CFG_ERR;
    }
    memcpy(out->host, host, hlen);
    out->host[hlen] = '\0';
    unsigned char buf[sizeof(struct in6_addr)];
    if (inet_pton(AF_INET, out->host, buf) != 1 && inet_pton(AF_INET6, out->host, buf) != 1) {
        seterr(err, errlen, "\"%s\" is not an IP literal", out->host);
        return CFG_ERR;
    }
    const char *ps = colon + 1;
    size_t plen = (size_t)(item + len - ps);
    long port = 0;
    for (size_t i = 0; i < plen && port <= 65535; i++) {
        if (ps[i] < '0' || ps[i] > '9') {
            port = -1;
            break;
        }
        port = port * 10 + (ps[i] - '0');
    }
    if (plen == 0 || plen > 5 || port < 1 || port > 65535) {
        seterr(err, errlen, "\"%.*s\": the port must be 1..65535", (int)len, item);
        return CFG_ERR;
    }
    out->port = (int)port;
    return CFG_OK;
}

int cfg_hostports_parse(const char *text, cfg_hostport *out, size_t max, size_t *n, char *err, size_t errlen) {
    *n = 0;
    const char *p = text;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len && (*p == ' ' || *p == '\t')) p++, len--;
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t')) len--;
        if (*n == max) {
            seterr(err, errlen, "more than %zu addresses", max);
            return CFG_ERR;
        }
        if (hostport_parse(p, len, &out[*n], err, errlen) != CFG_OK) return CFG_ERR;
        for (size_t i = 0; i < *n; i++)
            if (out[i].port == out[*n].port && !strcmp(out[i].host, out[*n].host)) {
                seterr(err, errlen, "%s:%d is listed twice", out[i].host, out[i].port);
                return CFG_ERR;
            }
        (*n)++;
        if (!end) return CFG_OK;
        p = end + 1;
    }
}

const char *cfg_key_name(size_t i, const char **help) {
    if (i >= NKEYS) return NULL;
    if (help) *help = keys[i].help;
    return keys[i].name;
}
