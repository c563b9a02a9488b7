/* config.h — coachnetd configuration: defaults, the redis.conf-style file and
 * --key value flags (the same key set for both).
 *
 * Pure: no sockets, no globals.  Every key, its type, default and range is in
 * one table (config.c), so the file parser, the flag parser, --help and the
 * docs cannot drift apart.
 */
#ifndef COACHNET_SERVER_CONFIG_H
#define COACHNET_SERVER_CONFIG_H

#include <stddef.h>

#define CFG_OK  0
#define CFG_ERR -1

enum { CFG_LOG_DEBUG = 0, CFG_LOG_INFO, CFG_LOG_WARNING, CFG_LOG_ERROR, CFG_LOG_NOTICE };

typedef struct cfg {
    char *bind;
    int port;
    char *tls_cert_file;
    char *tls_key_file;
    char *tls_ca_file;
    int tls_auth_clients;    /* bool */
    int tls_min_version;     /* 12 or 13 */
    int tls_session_tickets; /* bool */
    char *unixsocket;
    char *redis_host;
    int redis_port;
    char *redis_prefix;
    int redis_timeout_ms;
    char *redis_sentinels; /* "" = redis_host:redis_port directly */
    char *redis_master_name;
    int redis_sentinel_timeout_ms;
    int redis_min_replicas; /* WAIT after every acknowledged write; 0 = none */
    int redis_wait_timeout_ms;
    char *data_dir;
    int maxclients;
    int max_frame;
    int max_frame_unauth; /* before a session: min(this, max_frame) */
    int max_input_total;  /* partial frames of all connections, bytes */
    int max_inflight;
    int max_output;
    int handshake_timeout_ms;
    int idle_timeout_ms;
    int login_attempts_per_minute;
    int login_attempts_per_address;
    int login_address_slots;
    int auth_threads;
    int token_ttl;
    int session_check_s;
    int run_lock_ttl_ms;
    int run_warm_max_mb; /* warmcache.h: 0 = no warm starts */
    int run_warm_ttl_s;
    int run_threads;
    int run_settle_chunk;
    int run_chunk_us;
    int log_level; /* CFG_LOG_* */
    char *log_file;
    char *pidfile;
    char *timezone; /* IANA name; checked by cfg_validate */
    /* the browser transport (DESIGN §11, hws.h) */
    char *web_root;        /* static files ("" = none) */
    char *allowed_origins; /* WebSocket Origins ("" = the server's own) */
    int http_max_header_bytes;
    int http_max_headers;
    int ws_ping_interval_ms;
    int ws_pong_timeout_ms;
    /* mail outside the app (design.md §10): read by coachnet-mailer, which
     * takes the same file; coachnetd accepts them and ignores them. */
    char *smtp_url;           /* "" = no mail */
    char *smtp_user;          /* "" = no AUTH */
    char *smtp_password_file; /* the password's file (first line) */
    char *smtp_ca_file;       /* CA bundle of the SMTP server's certificate */
    char *mail_from;          /* the sender address (and Message-ID domain) */
    int smtp_max_tries;       /* transient failures before a dead letter */
    int smtp_timeout_ms;      /* connect and whole-transfer timeout */
    int mail_retry_base_ms;   /* first backoff; doubles per try */
    int mail_retry_max_ms;    /* backoff ceiling */
    int mail_claim_idle_ms;   /* reclaim a crashed mailer's entries after this */
    char *mail_templates;     /* folder of <lang>/<kind>.txt|.html */
    int remind_after_days;    /* a response waited for this long gets a reminder */
    int meeting_remind_days;  /* an accepted match without a meeting this long */
    int remind_interval_s;    /* how often the reminder job runs (one process) */
    int digest_interval_s;    /* how often coordinators get the digest */
} cfg;

/* Fill *c with the defaults.  Returns CFG_ERR only on allocation failure. */
int cfg_init(cfg *c);
void cfg_free(cfg *c);

/* Set one key from its textual value (as in the file or after --key).
 * Unknown keys, malformed numbers, out-of-range values and bad enums are
 * errors; err (errlen bytes) then names the key and the problem. */
int cfg_set(cfg *c, const char *key, const char *value, char *err, size_t errlen);

/* Parse a whole config text (lines of "key value", '#' comments, values may
 * be double-quoted, "" is the empty string).  Errors name the line. */
int cfg_parse_text(cfg *c, const char *text, char *err, size_t errlen);

/* Read and parse a file.  Errors name the file. */
int cfg_load_file(cfg *c, const char *path, char *err, size_t errlen);

/* Cross-key checks after everything is set (e.g. TLS files required when
 * port != 0, mTLS needs a CA file), and that timezone names a zone of the
 * time zone database ($TZDIR or /usr/share/zoneinfo). */
int cfg_validate(const cfg *c, char *err, size_t errlen);

/* redis-sentinels: an address of the list, and the list's limits. */
#define CFG_SENTINELS_MAX    16
#define CFG_MIN_REPLICAS_MAX 64
typedef struct cfg_hostport {
    char host[46]; /* INET6_ADDRSTRLEN */
    int port;
} cfg_hostport;

/* Parse "ip:port,ip:port,..." (IPv6 as "[addr]:port", blanks around items
 * allowed) into out[0..*n-1], in the given order.  Every host must be an
 * IP literal, every port 1..65535, no address twice, at least one and at
 * most max items; otherwise CFG_ERR with err naming the item. */
int cfg_hostports_parse(const char *text, cfg_hostport *out, size_t max, size_t *n, char *err, size_t errlen);

/* Iterate the key table: returns the name of key i (NULL past the end) and
 * its help text in *help. */
const char *cfg_key_name(size_t i, const char **help);

#endif
