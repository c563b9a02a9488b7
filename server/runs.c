#include <stdlib.h>
#include "server/runs.h"
struct runs { server *s; };
runs *runs_new(server *s) { runs *r = calloc(1, sizeof *r); if (r) r->s = s; return r; }
void runs_cancel_all(runs *rs) { (void)rs; }
void runs_join_all(runs *rs) { (void)rs; }
void runs_free(runs *rs) { free(rs); }
