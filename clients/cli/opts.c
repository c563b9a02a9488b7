/*
 * opts.c -- the command line of `coachnet`: one getopt_long table for the
 * global options and every command's options, parsed in one pass (GNU
 * permutation, so `coachnet list --json --limit 5` and
 * `coachnet --json list --limit 5` are the same).  Each command then says
 * which options it accepts (cli_check_allowed), so a misplaced option is an
 * error rather than silently ignored.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "clients/cli/cli.h"

enum {
    OPT_HOST = 1000,
    OPT_PORT,
    OPT_CA,
    OPT_CERT,
    OPT_KEY,
    OPT_SNI,
    OPT_UNIX,
    OPT_TOKEN_FILE,
    OPT_TIMEOUT,
    OPT_JSON,
    OPT_HELP,
    OPT_VERSION,
    OPT_LIMIT,
    OPT_NOTE,
    OPT_DATE,
    OPT_MINUTES,
    OPT_TOPIC,
    OPT_RATING,
    OPT_COMMENT,
    OPT_OBJECTIVE,
    OPT_MODE,
    OPT_MIN_SCORE,
    OPT_RUN,
    OPT_PROGRAM,
    OPT_STATUS,
    OPT_KIND,
    OPT_IF_VERSION,
    OPT_ROLE,
    OPT_SUBJECT,
    OPT_PROGRAMS,
    OPT_MENTEE,
    OPT_POLICY,
    OPT_NO_PROGRESS,
    OPT_PROVINCE,
    OPT_RUN_TIMEOUT,
    OPT_WAIT,
    OPT_IDS,
    OPT_EXPLAIN,
    OPT_YEAR,
    OPT_ACTOR,
    OPT_SINCE,
    OPT_DRAFT,
    OPT_REASON,
    OPT_SORT,
    OPT_PAGE,
    OPT_COACH,
    OPT_BY,
    OPT_PLACE,
    OPT_WINDOW
};

static const struct option long_opts[] = { { "host", required_argument, NULL, OPT_HOST },
                                           { "port", required_argument, NULL, OPT_PORT },
                                           { "ca", required_argument, NULL, OPT_CA },
                                           { "cert", required_argument, NULL, OPT_CERT },
                                           { "key", required_argument, NULL, OPT_KEY },
                                           { "sni", required_argument, NULL, OPT_SNI },
                                           { "unix", required_argument, NULL, OPT_UNIX },
                                           { "token-file", required_argument, NULL, OPT_TOKEN_FILE },
                                           { "timeout", required_argument, NULL, OPT_TIMEOUT },
                                           { "json", no_argument, NULL, OPT_JSON },
                                           { "help", no_argument, NULL, OPT_HELP },
                                           { "version", no_argument, NULL, OPT_VERSION },
                                           { "limit", required_argument, NULL, OPT_LIMIT },
                                           { "note", required_argument, NULL, OPT_NOTE },
                                           { "date", required_argument, NULL, OPT_DATE },
                                           { "minutes", required_argument, NULL, OPT_MINUTES },
                                           { "topic", required_argument, NULL, OPT_TOPIC },
                                           { "rating", required_argument, NULL, OPT_RATING },
                                           { "comment", required_argument, NULL, OPT_COMMENT },
                                           { "objective", required_argument, NULL, OPT_OBJECTIVE },
                                           { "mode", required_argument, NULL, OPT_MODE },
                                           { "min-score", required_argument, NULL, OPT_MIN_SCORE },
                                           { "run", required_argument, NULL, OPT_RUN },
                                           { "program", required_argument, NULL, OPT_PROGRAM },
                                           { "status", required_argument, NULL, OPT_STATUS },
                                           { "kind", required_argument, NULL, OPT_KIND },
                                           { "if-version", required_argument, NULL, OPT_IF_VERSION },
                                           { "role", required_argument, NULL, OPT_ROLE },
                                           { "subject", required_argument, NULL, OPT_SUBJECT },
                                           { "programs", required_argument, NULL, OPT_PROGRAMS },
                                           { "mentee", required_argument, NULL, OPT_MENTEE },
                                           { "policy", required_argument, NULL, OPT_POLICY },
                                           { "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
                                           { "province", required_argument, NULL, OPT_PROVINCE },
                                           { "run-timeout", required_argument, NULL, OPT_RUN_TIMEOUT },
                                           { "wait", required_argument, NULL, OPT_WAIT },
                                           { "ids", no_argument, NULL, OPT_IDS },
                                           { "explain", no_argument, NULL, OPT_EXPLAIN },
                                           { "year", required_argument, NULL, OPT_YEAR },
                                           { "actor", required_argument, NULL, OPT_ACTOR },
                                           { "since", required_argument, NULL, OPT_SINCE },
                                           { "draft", no_argument, NULL, OPT_DRAFT },
                                           { "reason", required_argument, NULL, OPT_REASON },
                                           { "sort", required_argument, NULL, OPT_SORT },
                                           { "page", required_argument, NULL, OPT_PAGE },
                                           { "coach", required_argument, NULL, OPT_COACH },
                                           { "by", required_argument, NULL, OPT_BY },
                                           { "place", required_argument, NULL, OPT_PLACE },
                                           { "window", required_argument, NULL, OPT_WINDOW },
                                           { NULL, 0, NULL, 0 } };

/* Names for error messages, indexed by bit position of enum cli_opt_bit. */
static const char *const bit_names[] = {
    "--limit",   "--note",      "--date",   "--minutes", "--topic",       "--rating",   "--comment",     "--objective",
    "--mode",    "--min-score", "--run",    "--program", "--status",      "--kind",     "--if-version",  "--role",
    "--subject", "--programs",  "--mentee", "--policy",  "--no-progress", "--province", "--run-timeout", "--wait",
    "--ids",     "--explain",   "--year",   "--actor",   "--since",       "--draft",    "--reason",      "--sort",
    "--page",    "--coach",     "--by",     "--place",   "--window",
};

int cli_parse_int(const char *s, long long min, long long max, long long *out) {
    if (s == NULL || *s == '\0') return -1;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max) return -1;
    *out = v;
    return 0;
}

/* Parse an integer option value or fill err. */
static int int_arg(const char *name, const char *s, long long min, long long max, long long *out, char *err,
                   size_t errlen) {
    if (cli_parse_int(s, min, max, out) == 0) return 0;
    snprintf(err, errlen, "%s: '%s' is not an integer %lld..%lld", name, s, min, max);
    return -1;
}

static void defaults(cli_opts *o) {
    memset(o, 0, sizeof(*o));
    o->host = getenv("COACHNET_HOST");
    if (o->host == NULL || *o->host == '\0') o->host = CN_CLIENT_DEFAULT_HOST;
    o->port = CN_CLIENT_DEFAULT_PORT;
    o->ca = getenv("COACHNET_CA");
    o->cert = getenv("COACHNET_CERT");
    o->key = getenv("COACHNET_KEY");
    o->token_file = getenv("COACHNET_TOKEN_FILE");
    o->timeout_ms = CN_CLIENT_DEFAULT_TIMEOUT_MS;
    o->min_score = -1;
    o->if_version = -1;
    o->run_timeout_s = 600;
    o->wait_s = 60;
}

int cli_parse(int argc, char **argv, cli_opts *o, char *err, size_t errlen) {
    long long v;
    defaults(o);
    const char *penv = getenv("COACHNET_PORT");
    if (penv && *penv) {
        if (int_arg("COACHNET_PORT", penv, 1, 65535, &v, err, errlen)) return -1;
        o->port = (int)v;
    }
    optind = 0; /* glibc: full re-initialisation, so tests may call us repeatedly */
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
        switch (ch) {
        case OPT_HOST: o->host = optarg; break;
        case OPT_PORT:
            if (int_arg("--port", optarg, 1, 65535, &v, err, errlen)) return -1;
            o->port = (int)v;
            break;
        case OPT_CA: o->ca = optarg; break;
        case OPT_CERT: o->cert = optarg; break;
        case OPT_KEY: o->key = optarg; break;
        case OPT_SNI: o->sni = optarg; break;
        case OPT_UNIX: o->unix_path = optarg; break;
        case OPT_TOKEN_FILE: o->token_file = optarg; break;
        case OPT_TIMEOUT:
            if (int_arg("--timeout", optarg, 1, 3600, &v, err, errlen)) return -1;
            o->timeout_ms = (int)v * 1000;
            break;
        case OPT_JSON: o->json = 1; break;
        case 'h':
        case OPT_HELP: o->help = 1; break;
        case OPT_VERSION: o->version = 1; break;
        case OPT_LIMIT:
            if (int_arg("--limit", optarg, 1, 1000000, &o->limit, err, errlen)) return -1;
            o->given |= O_LIMIT;
            break;
        case OPT_NOTE:
            o->note = optarg;
            o->given |= O_NOTE;
            break;
        case OPT_DATE:
            o->date = optarg;
            o->given |= O_DATE;
            break;
        case OPT_MINUTES:
            if (int_arg("--minutes", optarg, 1, 1440, &o->minutes, err, errlen)) return -1;
            o->given |= O_MINUTES;
            break;
        case OPT_TOPIC:
            o->topic = optarg;
            o->given |= O_TOPIC;
            break;
        case OPT_RATING:
            if (int_arg("--rating", optarg, 1, 5, &o->rating, err, errlen)) return -1;
            o->given |= O_RATING;
            break;
        case OPT_COMMENT:
            o->comment = optarg;
            o->given |= O_COMMENT;
            break;
        case OPT_OBJECTIVE:
            o->objective = optarg;
            o->given |= O_OBJECTIVE;
            break;
        case OPT_MODE:
            o->mode = optarg;
            o->given |= O_MODE;
            break;
        case OPT_MIN_SCORE:
            if (int_arg("--min-score", optarg, 0, 10000, &o->min_score, err, errlen)) return -1;
            o->given |= O_MIN_SCORE;
            break;
        case OPT_RUN:
            o->run = optarg;
            o->given |= O_RUN;
            break;
        case OPT_PROGRAM:
            o->program = optarg;
            o->given |= O_PROGRAM;
            break;
        case OPT_STATUS:
            o->status = optarg;
            o->given |= O_STATUS;
            break;
        case OPT_KIND:
            if (strcmp(optarg, "mentee") != 0 && strcmp(optarg, "coach") != 0) {
                snprintf(err, errlen, "--kind: '%s' is neither mentee nor coach", optarg);
                return -1;
            }
            o->kind = optarg;
            o->given |= O_KIND;
            break;
        case OPT_IF_VERSION:
            if (int_arg("--if-version", optarg, 0, LLONG_MAX, &o->if_version, err, errlen)) return -1;
            o->given |= O_IF_VERSION;
            break;
        case OPT_ROLE:
            o->role = optarg;
            o->given |= O_ROLE;
            break;
        case OPT_SUBJECT:
            o->subject = optarg;
            o->given |= O_SUBJECT;
            break;
        case OPT_PROGRAMS:
            o->programs = optarg;
            o->given |= O_PROGRAMS;
            break;
        case OPT_MENTEE:
            o->mentee = optarg;
            o->given |= O_MENTEE;
            break;
        case OPT_POLICY:
            o->policy = optarg;
            o->given |= O_POLICY;
            break;
        case OPT_NO_PROGRESS:
            o->no_progress = 1;
            o->given |= O_NO_PROGRESS;
            break;
        case OPT_PROVINCE:
            o->province = optarg;
            o->given |= O_PROVINCE;
            break;
        case OPT_RUN_TIMEOUT:
            if (int_arg("--run-timeout", optarg, 1, 86400, &v, err, errlen)) return -1;
            o->run_timeout_s = (int)v;
            o->given |= O_TIMEOUT_RUN;
            break;
        case OPT_WAIT:
            if (int_arg("--wait", optarg, 1, 86400, &v, err, errlen)) return -1;
            o->wait_s = (int)v;
            o->given |= O_WAIT;
            break;
        case OPT_IDS:
            o->ids_only = 1;
            o->given |= O_IDS;
            break;
        case OPT_EXPLAIN:
            o->explain = 1;
            o->given |= O_EXPLAIN;
            break;
        case OPT_YEAR:
            if (int_arg("--year", optarg, PROTO_MEETING_YEAR_MIN, PROTO_MEETING_YEAR_MAX, &o->year, err, errlen))
                return -1;
            o->given |= O_YEAR;
            break;
        case OPT_ACTOR:
            o->actor = optarg;
            o->given |= O_ACTOR;
            break;
        case OPT_SINCE:
            o->since = optarg;
            o->given |= O_SINCE;
            break;
        case OPT_DRAFT:
            o->draft = 1;
            o->given |= O_DRAFT;
            break;
        case OPT_REASON:
            o->reason = optarg;
            o->given |= O_REASON;
            break;
        case OPT_SORT:
            o->sort = optarg;
            o->given |= O_SORT;
            break;
        case OPT_PAGE:
            if (int_arg("--page", optarg, 1, 1000000, &o->page, err, errlen)) return -1;
            o->given |= O_PAGE;
            break;
        case OPT_COACH:
            o->coach = optarg;
            o->given |= O_COACH;
            break;
        case OPT_BY:
            o->by = optarg;
            o->given |= O_BY;
            break;
        case OPT_PLACE:
            o->place = optarg;
            o->given |= O_PLACE;
            break;
        case OPT_WINDOW:
            if (int_arg("--window", optarg, 1, CLI_IMPORT_WINDOW, &v, err, errlen)) return -1;
            o->window = (int)v;
            o->given |= O_WINDOW;
            break;
        case ':': snprintf(err, errlen, "option %s needs a value", argv[optind - 1]); return -1;
        default: snprintf(err, errlen, "unknown option %s", argv[optind - 1]); return -1;
        }
    }
    o->nargs = argc - optind;
    o->args = argv + optind;
    return 0;
}

int cli_check_allowed(const cli_opts *o, cli_optset allowed, const char *cmd, char *err, size_t errlen) {
    cli_optset bad = o->given & ~allowed;
    if (bad == 0) return 0;
    for (size_t i = 0; i < sizeof(bit_names) / sizeof(bit_names[0]); i++) {
        if (bad & ((cli_optset)1 << i)) {
            snprintf(err, errlen, "option %s does not apply to '%s'", bit_names[i], cmd);
            return -1;
        }
    }
    snprintf(err, errlen, "an option does not apply to '%s'", cmd);
    return -1;
}

void cli_usage_options(FILE *f) {
    fputs("usage: coachnet [global options] COMMAND [ARGS] [options]\n"
          "\n"
          "global options (or environment):\n"
          "  --host HOST        server (COACHNET_HOST, default 127.0.0.1)\n"
          "  --port PORT        TLS port (COACHNET_PORT, default 7400)\n"
          "  --ca FILE          CA certificate(s) that sign the server (COACHNET_CA)\n"
          "  --cert FILE --key FILE  client certificate for mutual TLS (COACHNET_CERT/KEY)\n"
          "  --sni NAME         server name to send and verify (default: host)\n"
          "  --unix PATH        plaintext unix socket instead of TLS (local administration)\n"
          "  --token-file FILE  session file (COACHNET_TOKEN_FILE, default\n"
          "                     ~/.config/coachnet/token, mode 0600)\n"
          "  --timeout SECONDS  for connecting and for each request (default 30)\n"
          "  --json             machine-readable output (JSON) on stdout\n"
          "\n",
          f);
}
