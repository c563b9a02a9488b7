/* web.c — see web.h.  Routes first (exact paths), then static files.
 *
 * Static files.  The request path is percent-decoded and refused (404)
 * when a segment is empty or starts with '.' (no "..", no hidden files),
 * when it holds a NUL, a backslash or a control character; then the file's
 * real path must lie inside web-root's real path (a symbolic link that
 * leads out is refused too) and be a regular file.  "/" and paths ending
 * in '/' mean index.html.  Every answer may be revalidated (Cache-Control:
 * no-cache) with an ETag made of the file's size and modification time.
 *
 * gzip: a compressible file (text types, SVG, JSON) is sent as its
 * precompressed sibling "<file>.gz" when the client accepts gzip and that
 * sibling exists and is not older than the file (the web app's build
 * writes them); the sibling has its own ETag.  Nothing is compressed on
 * the fly: no CPU per request, and no compression oracle on responses
 * (static files hold no secrets, but it stays simple to reason about).
 */
#include "server/web.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/coachidx.h"
#include "server/hashq.h"
#include "server/log.h"
#include "server/metrics.h"

typedef void web_handler(server *s, hws *h, const hws_request *rq);

static void text_response(hws *h, int status, const char *text) {
    hws_response r = { .status = status,
                       .content_type = "text/plain; charset=utf-8",
                       .cache_control = "no-store",
                       .body = text,
                       .len = strlen(text) };
    hws_respond(h, &r);
}

/* /healthz: the process answers. */
static void web_healthz(server *s, hws *h, const hws_request *rq) {
    (void)s;
    (void)rq;
    text_response(h, 200, "ok\n");
}

/* /readyz: Redis reachable, catalogues loaded, coach index ready; the
 * body names what is not.  With Sentinels of which none answers, the
 * server is still ready (it serves from the last primary ROLE confirmed,
 * DESIGN §13) and the body says so. */
static void web_readyz(server *s, hws *h, const hws_request *rq) {
    (void)rq;
    char body[256] = "";
    size_t n = 0;
    if (!s->st || !store_connected(s->st)) n += (size_t)snprintf(body + n, sizeof body - n, "redis: unreachable\n");
    if (!s->catalog.cat) n += (size_t)snprintf(body + n, sizeof body - n, "catalogues: not loaded\n");
    if (!s->cidx || !coachidx_ready(s->cidx))
        n += (size_t)snprintf(body + n, sizeof body - n, "coach index: loading\n");
    int ready = n == 0;
    if (ready) n += (size_t)snprintf(body, sizeof body, "ready\n");
    if (s->st && store_sentinels_unreachable(s->st)) {
        char host[64];
        int port = 0;
        store_primary(s->st, host, sizeof host, &port);
        n += (size_t)snprintf(body + n, sizeof body - n,
                              "sentinels: none answers; serving from the last known primary %s:%d\n", host, port);
    }
    text_response(h, ready ? 200 : 503, body);
}

/* /metrics: the Prometheus text format 0.0.4 (metrics.h; docs/
 * operations.md "Metrics").  No session, like /healthz: it says how busy
 * the server is, not whose data it holds; an operator who does not want
 * it public filters the path in front of the listener.  Never cached. */
static void web_metrics(server *s, hws *h, const hws_request *rq) {
    (void)rq;
    metrics_sample smp = {
        .redis_command_up = s->st && store_connected(s->st),
        .redis_pubsub_up = s->st && store_sub_connected(s->st),
        .hashq_depth = s->hq ? hashq_pending(s->hq) : 0,
    };
    mx_buf b = { 0 };
    if (metrics_render(&s->mx, &smp, &b)) {
        mx_buf_free(&b);
        log_warn("web: /metrics: out of memory");
        text_response(h, 500, "out of memory\n");
        return;
    }
    hws_response r = { .status = 200,
                       .content_type = "text/plain; version=0.0.4; charset=utf-8",
                       .cache_control = "no-store",
                       .body = b.p,
                       .len = b.len };
    hws_respond(h, &r);
    mx_buf_free(&b);
}

/* The routes, matched exactly before static files; add a line to add one. */
static const struct web_route {
    const char *path;
    web_handler *fn;
} web_routes[] = {
    { "/healthz", web_healthz },
    { "/readyz", web_readyz },
    { "/metrics", web_metrics },
};

/* ------------------------------------------------------- static files */

static const struct web_type {
    const char *ext;
    const char *type;
    int compressible;
} web_types[] = {
    { ".html", "text/html; charset=utf-8", 1 },
    { ".js", "text/javascript; charset=utf-8", 1 },
    { ".mjs", "text/javascript; charset=utf-8", 1 },
    { ".css", "text/css; charset=utf-8", 1 },
    { ".json", "application/json", 1 },
    { ".map", "application/json", 1 },
    { ".webmanifest", "application/manifest+json", 1 },
    { ".svg", "image/svg+xml", 1 },
    { ".txt", "text/plain; charset=utf-8", 1 },
    { ".png", "image/png", 0 },
    { ".ico", "image/x-icon", 0 },
    { ".woff2", "font/woff2", 0 },
};

static const struct web_type *web_type_of(const char *path) {
    static const struct web_type other = { "", "application/octet-stream", 0 };
    const char *dot = strrchr(path, '.');
    if (dot && !strchr(dot, '/'))
        for (size_t i = 0; i < sizeof web_types / sizeof web_types[0]; i++)
            if (!strcasecmp(dot, web_types[i].ext)) return &web_types[i];
    return &other;
}

static int hexval(int ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/* Percent-decode path into out (index.html appended to a path ending in
 * '/') and check every segment; -1: not a path we serve. */
static int web_path(const char *path, char *out, size_t outlen) {
    size_t n = 0;
    for (const char *p = path; *p; p++) {
        int ch = (unsigned char)*p;
        if (ch == '%') {
            int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
            if (lo < 0) return -1;
            ch = hi * 16 + lo;
            p += 2;
        }
        if (ch < 0x20 || ch == 0x7f || ch == '\\' || n + 1 >= outlen) return -1;
        out[n++] = (char)ch;
    }
    out[n] = '\0';
    if (n == 0 || out[0] != '/') return -1;
    if (out[n - 1] == '/') {
        if (n + sizeof "index.html" > outlen) return -1;
        memcpy(out + n, "index.html", sizeof "index.html");
    }
    for (const char *seg = out; seg; seg = strchr(seg + 1, '/'))
        if (seg[1] == '/' || seg[1] == '.' || seg[1] == '\0') return -1;
    return 0;
}

/* gzip is in Accept-Encoding with a q above 0. */
static int accepts_gzip(const char *ae) {
    const char *s = ae;
    while (*s) {
        while (*s == ' ' || *s == '\t' || *s == ',') s++;
        const char *e = s;
        while (*e && *e != ',' && *e != ';' && *e != ' ' && *e != '\t') e++;
        int gz = (e - s == 4 && !strncasecmp(s, "gzip", 4)) || (e - s == 6 && !strncasecmp(s, "x-gzip", 6));
        const char *end = strchr(e, ',');
        if (!end) end = e + strlen(e);
        if (gz) {
            const char *q = strstr(e, "q=");
            if (!q || q > end) return 1;
            return strtod(q + 2, NULL) > 0;
        }
        s = end;
    }
    return 0;
}

/* If-None-Match names etag (or is "*"). */
static int etag_matches(const char *inm, const char *etag) {
    if (!inm[0]) return 0;
    if (!strcmp(inm, "*")) return 1;
    return strstr(inm, etag) != NULL;
}

static void web_static(server *s, hws *h, const hws_request *rq) {
    const char *rootcfg = s->cfg->web_root;
    char rel[1024], root[PATH_MAX], full[PATH_MAX], real[PATH_MAX + 4];
    if (!rootcfg[0] || web_path(rq->path, rel, sizeof rel) || !realpath(rootcfg, root) ||
        (size_t)snprintf(full, sizeof full, "%s%s", root, rel) >= sizeof full || !realpath(full, real)) {
        text_response(h, 404, "not found\n");
        return;
    }
    size_t rl = strlen(root);
    if (strncmp(real, root, rl) || real[rl] != '/') {
        text_response(h, 404, "not found\n");
        return;
    }
    const struct web_type *t = web_type_of(real);
    int fd = open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > WEB_FILE_MAX) {
        if (fd >= 0) close(fd);
        text_response(h, 404, "not found\n");
        return;
    }
    int gz = 0;
    if (t->compressible && accepts_gzip(rq->accept_encoding)) {
        strcat(real, ".gz");
        int gfd = open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        struct stat gst;
        if (gfd >= 0 && !fstat(gfd, &gst) && S_ISREG(gst.st_mode) && gst.st_size <= WEB_FILE_MAX &&
            (gst.st_mtim.tv_sec > st.st_mtim.tv_sec ||
             (gst.st_mtim.tv_sec == st.st_mtim.tv_sec && gst.st_mtim.tv_nsec >= st.st_mtim.tv_nsec))) {
            close(fd);
            fd = gfd;
            st = gst;
            gz = 1;
        } else if (gfd >= 0) {
            close(gfd);
        }
    }
    char etag[64];
    snprintf(etag, sizeof etag, "\"%llx-%llx%s\"", (unsigned long long)st.st_size,
             (unsigned long long)st.st_mtim.tv_sec * 1000000000ull + (unsigned long long)st.st_mtim.tv_nsec,
             gz ? "-gz" : "");
    hws_response r = { .status = 200,
                       .content_type = t->type,
                       .content_encoding = gz ? "gzip" : NULL,
                       .etag = etag,
                       .cache_control = "no-cache",
                       .vary_encoding = t->compressible,
                       .len = (size_t)st.st_size };
    if (etag_matches(rq->if_none_match, etag)) {
        close(fd);
        r.status = 304;
        r.len = 0;
        hws_respond(h, &r);
        return;
    }
    char *body = NULL;
    if (!rq->head && r.len) {
        body = malloc(r.len);
        size_t got = 0;
        while (body && got < r.len) {
            ssize_t k = read(fd, body + got, r.len - got);
            if (k < 0 && errno == EINTR) continue;
            if (k <= 0) break;
            got += (size_t)k;
        }
        if (!body || got != r.len) {
            log_warn("web: cannot read %s: %s", real, body ? "short read" : "out of memory");
            close(fd);
            free(body);
            text_response(h, 500, "cannot read the file\n");
            return;
        }
    }
    close(fd);
    r.body = body;
    hws_respond(h, &r);
    free(body);
}

void web_request(server *s, hws *h, const hws_request *rq) {
    for (size_t i = 0; i < sizeof web_routes / sizeof web_routes[0]; i++)
        if (!strcmp(rq->path, web_routes[i].path)) {
            web_routes[i].fn(s, h, rq);
            return;
        }
    web_static(s, h, rq);
}
