/* main.c — coachnetd: command line, startup, signals, --add-user. */
#include <bsd/libutil.h>
#include <errno.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <getopt.h>
#include <hiredis/hiredis.h>
#include <openssl/rand.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "server/coachidx.h"
#include "server/events.h"
#include "server/hashq.h"
#include "server/keys.h"
#include "server/log.h"
#include "server/loginrl.h"
#include "server/methods.h"
#include "server/runs.h"
#include "server/mxpoll.h"
#include "server/sesscheck.h"
#include "server/util.h"
#include "server/warmcache.h"

#define MAX_FLAGS        128
#define THP_ENABLED_PATH "/sys/kernel/mm/transparent_hugepage/enabled"

typedef struct cmdline {
    const char *config;
    const char *add_user, *role, *subject, *programs;
    int nflags;
    const char *fkey[MAX_FLAGS], *fval[MAX_FLAGS];
} cmdline;

static void usage(FILE *f) {
    fprintf(f, "Usage: coachnetd [--config FILE] [--KEY VALUE ...]\n"
               "       coachnetd [--config FILE] [--KEY VALUE ...] --add-user LOGIN --role ROLE\n"
               "                 [--subject ID] [--programs P1,P2]   (password on stdin)\n"
               "       coachnetd --help | --version\n\n"
               "Config keys (file lines \"key value\", or flags --key value; flags win):\n");
    const char *help;
    for (size_t i = 0; cfg_key_name(i, &help); i++) fprintf(f, "  %-28s %s\n", cfg_key_name(i, NULL), help);
    fprintf(f, "\nSignals: SIGTERM/SIGINT stop gracefully, SIGHUP reloads the TLS certificates and reopens\n"
               "the log file.\n");
}

/* Returns 0 to run, 1 when --help/--version was handled, -1 on error. */
static int parse_cmdline(int argc, char **argv, cmdline *cl) {
    enum { O_CONFIG = 1000, O_HELP, O_VERSION, O_ADD_USER, O_ROLE, O_SUBJECT, O_PROGRAMS, O_KEY };
    struct option opts[96];
    size_t n = 0;
    opts[n++] = (struct option){ "config", required_argument, NULL, O_CONFIG };
    opts[n++] = (struct option){ "help", no_argument, NULL, O_HELP };
    opts[n++] = (struct option){ "version", no_argument, NULL, O_VERSION };
    opts[n++] = (struct option){ "add-user", required_argument, NULL, O_ADD_USER };
    opts[n++] = (struct option){ "role", required_argument, NULL, O_ROLE };
    opts[n++] = (struct option){ "subject", required_argument, NULL, O_SUBJECT };
    opts[n++] = (struct option){ "programs", required_argument, NULL, O_PROGRAMS };
    for (size_t i = 0; cfg_key_name(i, NULL) && n < 94; i++)
        opts[n++] = (struct option){ cfg_key_name(i, NULL), required_argument, NULL, O_KEY + (int)i };
    opts[n] = (struct option){ NULL, 0, NULL, 0 };
    int c, idx;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, &idx)) != -1) {
        switch (c) {
        case O_CONFIG: cl->config = optarg; break;
        case 'h':
        case O_HELP: usage(stdout); return 1;
        case O_VERSION: printf("coachnetd %s\n", COACHNETD_VERSION); return 1;
        case O_ADD_USER: cl->add_user = optarg; break;
        case O_ROLE: cl->role = optarg; break;
        case O_SUBJECT: cl->subject = optarg; break;
        case O_PROGRAMS: cl->programs = optarg; break;
        case '?':
            fprintf(stderr, "coachnetd: unknown option or missing value: %s (see --help)\n", argv[optind - 1]);
            return -1;
        default:
            if (c >= O_KEY && cl->nflags < MAX_FLAGS) {
                cl->fkey[cl->nflags] = cfg_key_name((size_t)(c - O_KEY), NULL);
                cl->fval[cl->nflags++] = optarg;
            }
        }
    }
    if (optind < argc) {
        fprintf(stderr, "coachnetd: unexpected argument '%s' (see --help)\n", argv[optind]);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------- --add-user */

static int add_user(const cfg *c, const cmdline *cl) {
    auth_role role = cl->role ? auth_role_parse(cl->role, strlen(cl->role)) : ROLE_NONE;
    /* --programs a,b,c: the same checks as user.create's programs */
    char progbuf[PROTO_PROGRAMS_MAX * (PROTO_CODE_MAX + 1) + 2] = "";
    const char *progs[PROTO_PROGRAMS_MAX + 1];
    size_t n_progs = 0;
    if (cl->programs && strlen(cl->programs) >= sizeof progbuf) {
        fprintf(stderr, "coachnetd: --programs: too long\n");
        return 2;
    }
    snprintf(progbuf, sizeof progbuf, "%s", cl->programs ? cl->programs : "");
    /* every item, empty ones too: user_spec_check() refuses them, as user.create does */
    for (char *tok = progbuf; progbuf[0] && tok && n_progs <= PROTO_PROGRAMS_MAX;) {
        char *comma = strchr(tok, ',');
        if (comma) *comma = '\0';
        progs[n_progs++] = tok;
        tok = comma ? comma + 1 : NULL;
    }
    char csv[PROTO_PROGRAMS_MAX * (PROTO_CODE_MAX + 1) + 1];
    proto_error e;
    if (user_spec_check(cl->add_user, role, cl->subject ? cl->subject : "", progs, n_progs, csv, sizeof csv, &e) !=
        PROTO_OK) {
        fprintf(stderr, "coachnetd: --add-user: %s: %s\n", e.field, e.message);
        return 2;
    }
    char pw[AUTH_PASSWORD_MAX + 2];
    if (!fgets(pw, sizeof pw, stdin)) {
        fprintf(stderr, "coachnetd: no password on stdin\n");
        return 2;
    }
    pw[strcspn(pw, "\r\n")] = '\0';
    size_t pwlen = strlen(pw);
    if (pwlen < AUTH_PASSWORD_MIN || pwlen > AUTH_PASSWORD_MAX) {
        fprintf(stderr, "coachnetd: the password must be %d..%d bytes\n", AUTH_PASSWORD_MIN, AUTH_PASSWORD_MAX);
        return 2;
    }
    char hash[AUTH_HASH_MAX];
    int hrc = auth_hash_password(pw, pwlen, hash);
    memset(pw, 0, sizeof pw);
    if (hrc != AUTH_OK) {
        fprintf(stderr, "coachnetd: cannot hash the password\n");
        return 1;
    }
    struct timeval tv = { c->redis_timeout_ms / 1000, (c->redis_timeout_ms % 1000) * 1000 };
    redisContext *rc = redisConnectWithTimeout(c->redis_host, c->redis_port, tv);
    if (!rc || rc->err) {
        fprintf(stderr, "coachnetd: cannot connect to Redis %s:%d: %s\n", c->redis_host, c->redis_port,
                rc ? rc->errstr : "out of memory");
        if (rc) redisFree(rc);
        return 1;
    }
    redisSetTimeout(rc, tv);
    char now[32];
    snprintf(now, sizeof now, "%lld", (long long)time(NULL));
    sargs a;
    sargs_init(&a);
    script_args_eval(&a, SCRIPT_USER_CREATE, c->redis_prefix);
    sargs_adds(&a, cl->add_user);
    sargs_adds(&a, hash);
    sargs_adds(&a, auth_role_name(role));
    sargs_adds(&a, cl->subject ? cl->subject : "");
    sargs_adds(&a, csv);
    sargs_adds(&a, now);
    sargs_adds(&a, "--add-user");
    sargs_adds(&a, "");
    for (int i = 0; i < 3; i++) sargs_adds(&a, ""); /* no request_id (db_idem_args) */
    int oom = a.oom;
    redisReply *rep = oom ? NULL : redisCommandArgv(rc, a.argc, a.argv, a.len);
    sargs_free(&a);
    int ret = 1;
    if (!rep) {
        fprintf(stderr, "coachnetd: Redis: %s\n", oom ? "out of memory" : rc->errstr);
    } else if (rep->type == REDIS_REPLY_ERROR) {
        fprintf(stderr, "coachnetd: Redis: %s\n", rep->str);
    } else if (rep->type == REDIS_REPLY_ARRAY && rep->elements >= 1 && rep->element[0]->type == REDIS_REPLY_STRING &&
               !strcmp(rep->element[0]->str, "ok")) {
        printf("user %s (%s) created\n", cl->add_user, auth_role_name(role));
        ret = 0;
    } else if (rep->type == REDIS_REPLY_ARRAY && rep->elements >= 2 && rep->element[0]->type == REDIS_REPLY_STRING &&
               rep->element[1]->type == REDIS_REPLY_STRING) {
        fprintf(stderr, "coachnetd: %s: %s\n", rep->element[0]->str, rep->element[1]->str);
    }
    if (rep) freeReplyObject(rep);
    redisFree(rc);
    return ret;
}

/* --------------------------------------------------------------- run */

typedef struct app {
    server srv;
    struct event *ev_term, *ev_int, *ev_hup;
    int ready; /* READY=1 sent to systemd */
} app;

static void on_term(evutil_socket_t sig, short what, void *arg) {
    (void)what;
    app *a = arg;
    log_notice("signal %d: shutting down (finishing requests in flight)", (int)sig);
    sd_notify(0, "STOPPING=1");
    runs_cancel_all(a->srv.runs);
    srv_shutdown(&a->srv);
}

static void on_hup(evutil_socket_t sig, short what, void *arg) {
    (void)sig;
    (void)what;
    app *a = arg;
    char err[512];
    /* first, so that the lines below go to the new file */
    if (log_reopen()) log_error("SIGHUP: cannot reopen the log file %s: %s", a->srv.cfg->log_file, strerror(errno));
    if (srv_reload_tls(&a->srv, err, sizeof err) == 0)
        log_info("SIGHUP: TLS certificates reloaded");
    else
        log_error("SIGHUP: keeping the old certificates: %s", err);
}

static void on_store_msg(void *ud, const char *payload, size_t len) { events_on_message(ud, payload, len); }

/* The command link (re)connected: its first commands load the scripts.
 * The first time, the service is ready for systemd (Type=notify): the
 * listeners are open and Redis answers, so a unit ordered after
 * coachnetd.service finds it serving.  sd_notify() does nothing when not
 * started by systemd (no $NOTIFY_SOCKET). */
static void on_store_connect(void *ud, store *st) {
    app *a = ud;
    scripts_load(st);
    if (!a->ready && !a->srv.stopping) {
        a->ready = 1;
        sd_notifyf(0, "READY=1\nSTATUS=serving (Redis %s:%d)", a->srv.cfg->redis_host, a->srv.cfg->redis_port);
    }
}

/* Open and lock the pidfile (libbsd): while this process runs, a second
 * coachnetd with the same pidfile fails here and leaves the file alone (the
 * lock, not the file's existence, says who runs).  Returns the handle,
 * NULL with *pfh_err set on failure, and NULL with no error when no pidfile
 * is configured. */
static struct pidfh *pidfile_lock(const char *path, int *pfh_err) {
    *pfh_err = 0;
    if (!path[0]) return NULL;
    pid_t other = -1;
    struct pidfh *pfh = pidfile_open(path, 0644, &other);
    if (pfh) return pfh;
    *pfh_err = 1;
    if (errno == EEXIST)
        log_error("pidfile %s is locked by a running coachnetd (pid %d): not starting", path, (int)other);
    else
        log_error("cannot open pidfile %s: %s", path, strerror(errno));
    return NULL;
}

/* The per-address table's hash seed: random, so that the slots a set of
 * addresses takes cannot be chosen from outside. */
static uint64_t lrl_seed(void) {
    uint64_t seed = (uint64_t)time(NULL);
    if (RAND_bytes((unsigned char *)&seed, sizeof seed) != 1) log_warn("RAND_bytes failed: login table seed from time");
    return seed;
}

/* A run allocates and frees gigabytes (1,000,000 mentees: a 2.5 GiB peak),
 * and in 4 KiB pages its page faults slow the requests answered meanwhile:
 * at 1,000,000 mentees mentee.get's p99 during a run was 15.9 ms with
 * 846,000 faults against 10.6 ms with 266,000 when glibc backs its large
 * blocks with transparent huge pages (docs/operations.md, "Memory").  glibc
 * does that only if told so when the process starts
 * (GLIBC_TUNABLES=glibc.malloc.hugetlb=1, which coachnetd.service sets, with
 * a top_pad that grows the heaps in steps huge pages can back),
 * and the kernel's "madvise" mode (Debian's default) gives huge pages to
 * advised memory only.  Say so once when that is the case; in "always"
 * mode every block gets them anyway, and "never" is the operator's call. */
static void thp_check(void) {
    char mode[128] = "";
    FILE *f = fopen(THP_ENABLED_PATH, "r");
    if (!f) return;
    if (!fgets(mode, sizeof mode, f)) mode[0] = '\0';
    fclose(f);
    if (!strstr(mode, "[madvise]")) return;
    const char *t = getenv("GLIBC_TUNABLES");
    if (t && (strstr(t, "glibc.malloc.hugetlb=1") || strstr(t, "glibc.malloc.hugetlb=2"))) return;
    log_notice("malloc does not use transparent huge pages (kernel mode madvise, GLIBC_TUNABLES without "
               "glibc.malloc.hugetlb=1): large match runs will fault in 4 KiB pages and slow the requests "
               "answered meanwhile; coachnetd.service starts coachnetd with "
               "GLIBC_TUNABLES=glibc.malloc.hugetlb=1:glibc.malloc.top_pad=33554432 (coachnetd(8))");
}

static int run(cfg *c) {
    app a;
    memset(&a, 0, sizeof a);
    server *s = &a.srv;
    char err[512];
    int ret = 1;
    int pfh_err;
    struct pidfh *pfh = pidfile_lock(c->pidfile, &pfh_err); /* before any listener: see listen_unix */
    if (pfh_err) return 1;
    thp_check();
    if (srv_catalog_load(&s->catalog, c->data_dir, err, sizeof err)) {
        log_error("%s", err);
        if (pfh) pidfile_remove(pfh);
        return 1;
    }
    evthread_use_pthreads();
    struct event_base *base = event_base_new();
    if (!base) {
        log_error("event_base_new failed");
        srv_catalog_free(&s->catalog);
        if (pfh) pidfile_remove(pfh);
        return 1;
    }
    char channel[256];
    if (srv_init(s, c, base, dispatch_frame, err, sizeof err)) {
        log_error("%s", err);
        goto out;
    }
    if (keys_name(channel, sizeof channel, c->redis_prefix, KEY_EVENTS, NULL) < 0) {
        log_error("redis-prefix is too long (at most %zu bytes)", sizeof channel - sizeof "events");
        goto out;
    }
    s->cidx = coachidx_new(s);
    s->warm = wc_new((size_t)c->run_warm_max_mb * WC_MB, (int64_t)c->run_warm_ttl_s * 1000);
    s->runs = runs_new(s);
    s->hq = hashq_new(base, c->auth_threads);
    s->lrl = loginrl_new((size_t)c->login_address_slots, c->login_attempts_per_address, lrl_seed());
    cfg_hostport sentinels[CFG_SENTINELS_MAX];
    size_t n_sentinels = 0;
    if (c->redis_sentinels[0] &&
        cfg_hostports_parse(c->redis_sentinels, sentinels, CFG_SENTINELS_MAX, &n_sentinels, err, sizeof err)) {
        log_error("redis-sentinels: %s", err); /* cfg_validate checked it */
        goto out;
    }
    store_conf sc = { .host = c->redis_host,
                      .port = c->redis_port,
                      .timeout_ms = c->redis_timeout_ms,
                      .channel = channel,
                      .sentinels = sentinels,
                      .n_sentinels = n_sentinels,
                      .master_name = c->redis_master_name,
                      .sentinel_timeout_ms = c->redis_sentinel_timeout_ms,
                      .min_replicas = c->redis_min_replicas,
                      .wait_timeout_ms = c->redis_wait_timeout_ms };
    s->st = store_new(base, &sc, on_store_msg, s);
    s->sck = sesscheck_new(s);
    s->mxp = mxpoll_new(s);
    if (!s->cidx || !s->warm || !s->runs || !s->hq || !s->lrl || !s->st || !s->sck || !s->mxp) {
        log_error("out of memory");
        goto out;
    }
    store_on_connect(s->st, on_store_connect, &a);
    store_set_latency(s->st, &s->mx.redis_seconds);
    a.ev_term = evsignal_new(base, SIGTERM, on_term, &a);
    a.ev_int = evsignal_new(base, SIGINT, on_term, &a);
    a.ev_hup = evsignal_new(base, SIGHUP, on_hup, &a);
    evsignal_add(a.ev_term, NULL);
    evsignal_add(a.ev_int, NULL);
    evsignal_add(a.ev_hup, NULL);
    if (pfh && pidfile_write(pfh)) log_warn("cannot write pidfile %s: %s", c->pidfile, strerror(errno));
    if (c->port)
        log_notice("coachnetd %s ready: TLS on %s:%d (TLS >= 1.%d%s)", COACHNETD_VERSION, c->bind, c->port,
                   c->tls_min_version == 13 ? 3 : 2, c->tls_auth_clients ? ", client certificates required" : "");
    if (c->unixsocket[0]) log_notice("coachnetd ready: plaintext admin socket %s", c->unixsocket);
    event_base_dispatch(base);
    log_notice("event loop done; closing");
    ret = 0;
out:
    if (s->runs) runs_cancel_all(s->runs);
    if (s->runs) runs_join_all(s->runs);
    if (s->st) store_free(s->st);
    s->st = NULL;
    hashq_free(s->hq); /* jobs not delivered yet answer `unavailable` */
    s->hq = NULL;
    if (s->runs) runs_free(s->runs);
    /* after the runs, which release their references */
    if (wc_free(s->warm)) log_error("warm states still referenced at exit (a bug): kept until released");
    s->warm = NULL;
    srv_free(s);
    loginrl_free(s->lrl); /* after every request: a login's end gives its name back */
    s->lrl = NULL;
    coachidx_free(s->cidx);
    sesscheck_free(s->sck); /* after the store: store_free answers its call in flight */
    mxpoll_free(s->mxp);    /* the same */
    if (a.ev_term) event_free(a.ev_term);
    if (a.ev_int) event_free(a.ev_int);
    if (a.ev_hup) event_free(a.ev_hup);
    event_base_free(base);
    srv_catalog_free(&s->catalog);
    if (pfh) pidfile_remove(pfh);
    libevent_global_shutdown();
    return ret;
}

int main(int argc, char **argv) {
    cmdline cl;
    memset(&cl, 0, sizeof cl);
    scripts_init();
    int pr = parse_cmdline(argc, argv, &cl);
    if (pr) return pr > 0 ? 0 : 2;
    signal(SIGPIPE, SIG_IGN);
    cfg c;
    char err[512];
    if (cfg_init(&c)) {
        fprintf(stderr, "coachnetd: out of memory\n");
        return 1;
    }
    int ret = 2;
    if (cl.config && cfg_load_file(&c, cl.config, err, sizeof err)) {
        fprintf(stderr, "coachnetd: %s\n", err);
        goto out;
    }
    for (int i = 0; i < cl.nflags; i++)
        if (cfg_set(&c, cl.fkey[i], cl.fval[i], err, sizeof err)) {
            fprintf(stderr, "coachnetd: --%s\n", err);
            goto out;
        }
    if (cl.add_user) {
        ret = add_user(&c, &cl);
        goto out;
    }
    if (cfg_validate(&c, err, sizeof err)) {
        fprintf(stderr, "coachnetd: %s\n", err);
        goto out;
    }
    /* before run() starts any thread (see util_tz_use) */
    if (util_tz_use(c.timezone)) {
        fprintf(stderr, "coachnetd: cannot set the time zone %s: %s\n", c.timezone, strerror(errno));
        goto out;
    }
    if (log_open(c.log_level, c.log_file)) {
        fprintf(stderr, "coachnetd: cannot open log-file %s: %s\n", c.log_file, strerror(errno));
        goto out;
    }
    ret = run(&c);
    log_close();
out:
    cfg_free(&c);
    return ret;
}
