/* loginrl.c — see loginrl.h. */
#include "server/loginrl.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

typedef struct lr_slot {
    unsigned char key[LOGINRL_KEY];
    int64_t start; /* window start; 0: free */
    uint32_t count;
} lr_slot;

struct loginrl {
    lr_slot *slots;
    size_t mask;
    int limit;
    uint64_t seed;
};

loginrl *loginrl_new(size_t slots, int limit, uint64_t seed) {
    if (slots < LOGINRL_PROBE || slots > ((size_t)1 << 30) || limit < 0) return NULL;
    size_t n = LOGINRL_PROBE;
    while (n < slots) n <<= 1;
    loginrl *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->slots = calloc(n, sizeof *t->slots);
    if (!t->slots) {
        free(t);
        return NULL;
    }
    t->mask = n - 1;
    t->limit = limit;
    t->seed = seed;
    return t;
}

void loginrl_free(loginrl *t) {
    if (!t) return;
    free(t->slots);
    free(t);
}

int loginrl_key(const char *peer, unsigned char key[LOGINRL_KEY]) {
    char ip[64];
    const char *colon = peer ? strrchr(peer, ':') : NULL;
    if (!colon || (size_t)(colon - peer) >= sizeof ip) return 0;
    memcpy(ip, peer, (size_t)(colon - peer));
    ip[colon - peer] = '\0';
    memset(key, 0, LOGINRL_KEY);
    unsigned char a4[4];
    if (inet_pton(AF_INET, ip, a4) == 1) {
        /* as the IPv4-mapped IPv6 address: one key space for both */
        key[10] = key[11] = 0xff;
        memcpy(key + 12, a4, 4);
        return 1;
    }
    if (inet_pton(AF_INET6, ip, key) != 1) return 0;
    static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    if (memcmp(key, mapped, sizeof mapped) != 0) memset(key + 8, 0, 8); /* its /64 */
    return 1;
}

/* FNV-1a over the key, started from the seed. */
static size_t lr_hash(const loginrl *t, const unsigned char *key) {
    uint64_t h = 14695981039346656037ULL ^ t->seed;
    for (int i = 0; i < LOGINRL_KEY; i++) {
        h ^= key[i];
        h *= 1099511628211ULL;
    }
    return (size_t)(h ^ (h >> 29));
}

static int lr_live(const lr_slot *s, int64_t now) { return s->start && now - s->start < LOGINRL_WINDOW_S; }

/* A slot that remembers nothing worth keeping: free, expired, or with
 * every attempt given back. */
static int lr_spare(const lr_slot *s, int64_t now) { return !lr_live(s, now) || s->count == 0; }

/* The slot of key, or (insert) a slot made for it; NULL when it is not
 * there and insert is 0. */
static lr_slot *lr_find(loginrl *t, const unsigned char *key, int64_t now, int insert) {
    size_t h = lr_hash(t, key);
    lr_slot *spare = NULL;
    for (size_t i = 0; i < LOGINRL_PROBE; i++) {
        lr_slot *s = &t->slots[(h + i) & t->mask];
        if (s->start && memcmp(s->key, key, LOGINRL_KEY) == 0) return s;
        if (lr_spare(s, now)) {
            if (!spare || !lr_spare(spare, now)) spare = s;
        } else if (!spare || (!lr_spare(spare, now) && s->start < spare->start)) {
            spare = s;
        }
    }
    if (!insert) return NULL;
    memcpy(spare->key, key, LOGINRL_KEY);
    spare->start = now;
    spare->count = 0;
    return spare;
}

int loginrl_take_key(loginrl *t, const unsigned char key[LOGINRL_KEY], int limit, int64_t now) {
    if (now < 1) now = 1; /* 0 marks a free slot */
    lr_slot *s = lr_find(t, key, now, 1);
    if (!lr_live(s, now)) {
        s->start = now;
        s->count = 0;
    }
    if (s->count >= (uint32_t)limit) {
        int64_t left = s->start + LOGINRL_WINDOW_S - now;
        return left < 1 ? 1 : (int)left;
    }
    s->count++;
    return 0;
}

void loginrl_refund_key(loginrl *t, const unsigned char key[LOGINRL_KEY], int64_t now) {
    if (now < 1) now = 1;
    lr_slot *s = lr_find(t, key, now, 0);
    if (s && lr_live(s, now) && s->count > 0) s->count--;
}

int loginrl_take(loginrl *t, const char *peer, int64_t now) {
    unsigned char key[LOGINRL_KEY];
    if (t->limit == 0 || !loginrl_key(peer, key)) return 0;
    return loginrl_take_key(t, key, t->limit, now);
}

void loginrl_refund(loginrl *t, const char *peer, int64_t now) {
    unsigned char key[LOGINRL_KEY];
    if (t->limit == 0 || !loginrl_key(peer, key)) return;
    loginrl_refund_key(t, key, now);
}
