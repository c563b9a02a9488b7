/* sesscheck.c — see sesscheck.h. */
#include "server/sesscheck.h"

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/log.h"
#include "server/methods.h"
#include "server/tokset.h"

struct sesscheck {
    server *srv;
    struct event *timer; /* the next round */
    tokset round;        /* the token hashes of the round running */
    size_t next;         /* the first hash of the batch in flight */
    size_t batch;        /* its number of hashes */
    int running;
    int again;   /* sesscheck_now() during a round */
    int failing; /* the last round could not reach Redis (logged once) */
};

static void round_start(sesscheck *sc);

static void arm(sesscheck *sc, long ms) {
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
    evtimer_add(sc->timer, &tv);
}

/* The round ended (failed: Redis could not answer): arm the next one. */
static void round_end(sesscheck *sc, int failed, const char *why) {
    size_t checked = sc->next;
    sc->running = 0;
    tokset_free(&sc->round);
    if (failed) {
        if (!sc->failing)
            log_warn("session check: %s; sessions kept, checking again every %d ms until Redis answers", why,
                     SESSCHECK_RETRY_MS);
        sc->failing = 1;
        sc->again = 0; /* the retry is that round */
        arm(sc, SESSCHECK_RETRY_MS);
        return;
    }
    if (sc->failing) log_info("session check: Redis answers again (%zu sessions checked)", checked);
    sc->failing = 0;
    if (sc->again) {
        sc->again = 0;
        round_start(sc);
        return;
    }
    arm(sc, 1000L * sc->srv->cfg->session_check_s);
}

static void batch_send(sesscheck *sc);

/* Reply of SCRIPT_SESSION_CHECK: {'ok', flags}, one '1' (holds) or '0'
 * (ended) per hash of the batch. */
static void batch_cb(void *ud, redisReply *reply, int status) {
    sesscheck *sc = ud;
    if (status != STORE_OK || !reply) {
        round_end(sc, 1, "Redis unavailable");
        return;
    }
    if (reply->type == REDIS_REPLY_ERROR) {
        char why[240];
        snprintf(why, sizeof why, "Redis answered %.200s", reply->str ? reply->str : "an error");
        round_end(sc, 1, why);
        return;
    }
    const redisReply *flags = mel(reply, 1);
    if (!mel_strs(reply, 0, 2) || strcmp(reply->element[0]->str, "ok") || flags->len != sc->batch ||
        strspn(flags->str, "01") != sc->batch) {
        round_end(sc, 1, "unexpected store reply");
        return;
    }
    tokset ended;
    tokset_init(&ended);
    for (size_t i = 0; i < sc->batch; i++)
        if (flags->str[i] == '0') tokset_add(&ended, sc->round.h[sc->next + i], AUTH_SHA_HEX - 1);
    tokset_seal(&ended);
    srv_end_sessions(sc->srv, &ended, "ended in Redis: logged out, disabled or expired");
    tokset_free(&ended);
    sc->next += sc->batch;
    if (sc->next < sc->round.n)
        batch_send(sc);
    else
        round_end(sc, 0, NULL);
}

static void batch_send(sesscheck *sc) {
    size_t left = sc->round.n - sc->next;
    sc->batch = left < SESSCHECK_BATCH ? left : SESSCHECK_BATCH;
    sargs a;
    sargs_init(&a);
    script_args(&a, SCRIPT_SESSION_CHECK, sc->srv->cfg->redis_prefix);
    for (size_t i = 0; i < sc->batch; i++) sargs_add(&a, sc->round.h[sc->next + i], AUTH_SHA_HEX - 1);
    if (script_cmd(sc->srv->st, batch_cb, sc, &a) != STORE_OK) round_end(sc, 1, "Redis unavailable");
}

static void round_start(sesscheck *sc) {
    evtimer_del(sc->timer);
    if (!store_connected(sc->srv->st)) {
        round_end(sc, 1, "Redis unavailable");
        return;
    }
    sc->running = 1;
    sc->next = 0;
    tokset_init(&sc->round);
    if (srv_session_tokens(sc->srv, &sc->round)) {
        log_error("session check: out of memory");
        round_end(sc, 1, "out of memory");
        return;
    }
    tokset_seal(&sc->round);
    if (!sc->round.n)
        round_end(sc, 0, NULL);
    else
        batch_send(sc);
}

void sesscheck_now(sesscheck *sc) {
    if (sc->running)
        sc->again = 1;
    else
        round_start(sc);
}

static void timer_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    sesscheck_now(arg);
}

sesscheck *sesscheck_new(server *s) {
    sesscheck *sc = calloc(1, sizeof *sc);
    if (!sc) return NULL;
    sc->srv = s;
    sc->timer = evtimer_new(s->base, timer_cb, sc);
    if (!sc->timer) {
        free(sc);
        return NULL;
    }
    arm(sc, 1000L * s->cfg->session_check_s);
    return sc;
}

void sesscheck_free(sesscheck *sc) {
    if (!sc) return;
    event_free(sc->timer);
    tokset_free(&sc->round);
    free(sc);
}
