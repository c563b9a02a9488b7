/*
 * coachnet-load -- a load generator for coachnetd built on libcoachnet.
 *
 *   coachnet-load [--host H] [--port P] [--ca FILE] --login L
 *                 [--connections C] [--pipeline W] [--seconds S]
 *                 --method get|suggest|explain|mine --mentee ID [--coach ID]
 *   (password on stdin)
 *
 * Logs in once, then opens C connections that resume that session (one
 * login, so the server's login rate limit is not what is measured), and on
 * each keeps W requests in flight for S seconds.  Prints the requests
 * answered, the server errors by code, the throughput and the latency
 * percentiles (time from sending a request to its response, which includes
 * the wait behind the W-1 requests before it on the same connection).
 *
 * One thread per connection; threads share nothing but the start signal and
 * their results, merged at the end.
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clients/coachnet.h"

#define LOAD_MAX_CONNECTIONS 1024
#define LOAD_MAX_PIPELINE    64
#define LOAD_MAX_CODES       16

typedef struct load_cfg {
    cn_client_options opts;
    const char *login, *method, *mentee, *coach;
    char password[256];
    int connections, pipeline, seconds;
    char token[CN_CLIENT_TOKEN_LEN];
    msgpack_sbuffer params; /* the request's params, packed once */
} load_cfg;

typedef struct load_worker {
    const load_cfg *cfg;
    pthread_t th;
    double *lat_ms; /* one per answered request */
    size_t n, cap;
    size_t errors;
    char codes[LOAD_MAX_CODES][CN_CLIENT_CODE_LEN];
    size_t code_count[LOAD_MAX_CODES];
    char fatal[CN_CLIENT_MESSAGE_LEN + 32]; /* set when the connection failed */
} load_worker;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void record(load_worker *w, double ms) {
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 4096;
        double *nl = realloc(w->lat_ms, cap * sizeof(*nl));
        if (nl == NULL) return;
        w->lat_ms = nl;
        w->cap = cap;
    }
    w->lat_ms[w->n++] = ms;
}

static void count_code(load_worker *w, const char *code) {
    w->errors++;
    for (int i = 0; i < LOAD_MAX_CODES; i++) {
        if (w->codes[i][0] == '\0') snprintf(w->codes[i], sizeof(w->codes[i]), "%s", code);
        if (strcmp(w->codes[i], code) == 0) {
            w->code_count[i]++;
            return;
        }
    }
}

/* One connection: resume, then keep `pipeline` requests in flight. */
static void *worker_main(void *arg) {
    load_worker *w = arg;
    const load_cfg *cfg = w->cfg;
    cn_client *c;
    cn_client_error e;
    if (cn_client_connect(&cfg->opts, &c, &e) != CN_CLIENT_OK) {
        snprintf(w->fatal, sizeof(w->fatal), "connect: %s", e.message);
        return NULL;
    }
    if (cn_client_resume(c, cfg->token, NULL, &e) != CN_CLIENT_OK) {
        snprintf(w->fatal, sizeof(w->fatal), "resume: %s", e.message);
        cn_client_free(c);
        return NULL;
    }
    uint32_t ids[LOAD_MAX_PIPELINE];
    double sent[LOAD_MAX_PIPELINE];
    int inflight = 0;
    double end = now_s() + cfg->seconds;
    for (;;) {
        int sending = now_s() < end;
        while (sending && inflight < cfg->pipeline) {
            if (cn_client_send_raw(c, cfg->method, cfg->params.data, cfg->params.size, &ids[inflight], &e) !=
                CN_CLIENT_OK) {
                snprintf(w->fatal, sizeof(w->fatal), "send: %s", e.message);
                goto out;
            }
            sent[inflight++] = now_s();
        }
        if (inflight == 0) break;
        uint32_t id;
        int r = cn_client_recv(c, &id, NULL, &e);
        double t = now_s();
        if (r != CN_CLIENT_OK && e.kind != CN_CLIENT_E_SERVER) {
            snprintf(w->fatal, sizeof(w->fatal), "recv: %s", e.message);
            goto out;
        }
        int k = 0;
        while (k < inflight && ids[k] != id) k++;
        if (k == inflight) {
            snprintf(w->fatal, sizeof(w->fatal), "response to unknown request %u", (unsigned)id);
            goto out;
        }
        if (r == CN_CLIENT_OK)
            record(w, (t - sent[k]) * 1000.0);
        else
            count_code(w, e.code);
        ids[k] = ids[inflight - 1];
        sent[k] = sent[inflight - 1];
        inflight--;
    }
out:
    cn_client_free(c);
    return NULL;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Pack the params of the chosen method once. */
static int build_params(load_cfg *cfg) {
    msgpack_packer pk;
    msgpack_sbuffer_init(&cfg->params);
    msgpack_packer_init(&pk, &cfg->params, msgpack_sbuffer_write);
    const char *method = cfg->method;
    if (strcmp(method, "mine") == 0) {
        cfg->method = "match.mine";
        msgpack_pack_map(&pk, 0);
        return 0;
    }
    if (cfg->mentee == NULL) return -1;
    size_t ml = strlen(cfg->mentee);
    if (strcmp(method, "get") == 0) {
        cfg->method = "mentee.get";
        msgpack_pack_map(&pk, 1);
        msgpack_pack_str_with_body(&pk, "id", 2);
    } else if (strcmp(method, "suggest") == 0) {
        cfg->method = "match.suggest";
        msgpack_pack_map(&pk, 1);
        msgpack_pack_str_with_body(&pk, "mentee_id", 9);
    } else if (strcmp(method, "explain") == 0 && cfg->coach) {
        cfg->method = "match.explain";
        msgpack_pack_map(&pk, 2);
        msgpack_pack_str_with_body(&pk, "coach_id", 8);
        msgpack_pack_str_with_body(&pk, cfg->coach, strlen(cfg->coach));
        msgpack_pack_str_with_body(&pk, "mentee_id", 9);
    } else {
        return -1;
    }
    msgpack_pack_str_with_body(&pk, cfg->mentee, ml);
    return 0;
}

static void usage(void) {
    fputs("usage: coachnet-load [--host H] [--port P] [--ca FILE] --login L\n"
          "         [--connections C] [--pipeline W] [--seconds S]\n"
          "         --method get|suggest|explain|mine [--mentee ID] [--coach ID]\n"
          "       (password on stdin)\n",
          stderr);
}

/* Parse the command line into cfg; 0 or -1 (usage printed). */
static int parse_args(int argc, char **argv, load_cfg *cfg) {
    static const struct option lo[] = { { "host", required_argument, NULL, 'H' },
                                        { "port", required_argument, NULL, 'p' },
                                        { "ca", required_argument, NULL, 'a' },
                                        { "login", required_argument, NULL, 'l' },
                                        { "connections", required_argument, NULL, 'c' },
                                        { "pipeline", required_argument, NULL, 'w' },
                                        { "seconds", required_argument, NULL, 's' },
                                        { "method", required_argument, NULL, 'm' },
                                        { "mentee", required_argument, NULL, 'e' },
                                        { "coach", required_argument, NULL, 'o' },
                                        { NULL, 0, NULL, 0 } };
    cn_client_options_init(&cfg->opts);
    cfg->connections = 4;
    cfg->pipeline = 8;
    cfg->seconds = 10;
    int ch;
    while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (ch) {
        case 'H': cfg->opts.host = optarg; break;
        case 'p': cfg->opts.port = (uint16_t)atoi(optarg); break;
        case 'a': cfg->opts.ca_file = optarg; break;
        case 'l': cfg->login = optarg; break;
        case 'c': cfg->connections = atoi(optarg); break;
        case 'w': cfg->pipeline = atoi(optarg); break;
        case 's': cfg->seconds = atoi(optarg); break;
        case 'm': cfg->method = optarg; break;
        case 'e': cfg->mentee = optarg; break;
        case 'o': cfg->coach = optarg; break;
        default: usage(); return -1;
        }
    }
    if (optind != argc || cfg->login == NULL || cfg->method == NULL || cfg->connections < 1 ||
        cfg->connections > LOAD_MAX_CONNECTIONS || cfg->pipeline < 1 || cfg->pipeline > LOAD_MAX_PIPELINE ||
        cfg->seconds < 1 || build_params(cfg) != 0) {
        usage();
        return -1;
    }
    return 0;
}

/* Merge the workers' results and print them; exit status. */
static int report(const load_cfg *cfg, load_worker *w, double elapsed) {
    size_t n = 0, errors = 0, failed = 0;
    for (int i = 0; i < cfg->connections; i++) {
        n += w[i].n;
        errors += w[i].errors;
        if (w[i].fatal[0]) {
            failed++;
            fprintf(stderr, "connection %d: %s\n", i, w[i].fatal);
        }
    }
    double *all = malloc((n ? n : 1) * sizeof(double));
    size_t k = 0;
    for (int i = 0; i < cfg->connections; i++) {
        if (all) memcpy(all + k, w[i].lat_ms, w[i].n * sizeof(double));
        k += w[i].n;
    }
    if (all) qsort(all, n, sizeof(double), cmp_double);
#define PCT(p) (n && all ? all[(size_t)((double)(n - 1) * (p))] : 0.0)
    printf("%s: %d connections x %d in flight, %.1f s\n", cfg->method, cfg->connections, cfg->pipeline, elapsed);
    printf("answered %zu, server errors %zu, failed connections %zu\n", n, errors, failed);
    printf("throughput %.0f requests/s\n", elapsed > 0 ? (double)(n + errors) / elapsed : 0.0);
    printf("latency ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n", PCT(0.50), PCT(0.90), PCT(0.99), PCT(1.0));
#undef PCT
    for (int i = 0; i < cfg->connections; i++)
        for (int j = 0; j < LOAD_MAX_CODES && w[i].codes[j][0]; j++)
            printf("  error %s: %zu (connection %d)\n", w[i].codes[j], w[i].code_count[j], i);
    free(all);
    return failed || n == 0 ? 1 : 0;
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    static load_cfg cfg;
    if (parse_args(argc, argv, &cfg) != 0) return 2;
    if (fgets(cfg.password, sizeof(cfg.password), stdin) == NULL) {
        fprintf(stderr, "coachnet-load: no password on stdin\n");
        return 2;
    }
    cfg.password[strcspn(cfg.password, "\r\n")] = '\0';
    cn_client *c;
    cn_client_error e;
    cn_client_session s;
    if (cn_client_connect(&cfg.opts, &c, &e) != CN_CLIENT_OK ||
        cn_client_login(c, cfg.login, cfg.password, &s, &e) != CN_CLIENT_OK) {
        fprintf(stderr, "coachnet-load: login: %s %s\n", e.code, e.message);
        cn_client_free(c);
        return 2;
    }
    snprintf(cfg.token, sizeof(cfg.token), "%s", s.token);
    load_worker *w = calloc((size_t)cfg.connections, sizeof(*w));
    if (w == NULL) return 2;
    double t0 = now_s();
    for (int i = 0; i < cfg.connections; i++) {
        w[i].cfg = &cfg;
        pthread_create(&w[i].th, NULL, worker_main, &w[i]);
    }
    for (int i = 0; i < cfg.connections; i++) pthread_join(w[i].th, NULL);
    int rc = report(&cfg, w, now_s() - t0);
    for (int i = 0; i < cfg.connections; i++) free(w[i].lat_ms);
    free(w);
    cn_client_logout(c, NULL);
    cn_client_free(c);
    msgpack_sbuffer_destroy(&cfg.params);
    return rc;
}
