/* proto_helpers.h -- shared by the libproto test suites, the interop
 * filter and the benchmark: a vocabulary loaded from the data/ TSV files,
 * sample domain objects, and small tools to pack, unpack and edit msgpack
 * objects in place (to derive invalid inputs from valid ones).
 */
#ifndef COACHNET_TESTS_PROTO_HELPERS_H
#define COACHNET_TESTS_PROTO_HELPERS_H

#include "proto/proto.h"

/* A proto_vocab whose code lists are owned (loaded from TSV files). */
typedef struct test_vocab {
    proto_vocab v;
    char **lists[3];
    size_t counts[3];
} test_vocab;

/* Load the first column of data/{provinces,position_classes,
 * competencies}.tsv under `datadir` (NULL: $CN_DATA_DIR or "data"),
 * skipping '#' comments, sorted.  PROTO_OK or PROTO_ERR (message on
 * stderr). */
int test_vocab_load(test_vocab *tv, const char *datadir);
void test_vocab_free(test_vocab *tv);

/* Valid sample objects (they pass the decoders with the real vocab). */
void test_sample_mentee(proto_mentee *m);
void test_sample_coach(proto_coach *c);
void test_sample_policy(proto_policy *p);
void test_sample_explain(proto_explain *e);
void test_sample_match(proto_match *m);
void test_sample_stats(proto_run_stats *s);

/* A packed-then-unpacked msgpack document that tests may edit. */
typedef struct tdoc {
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_unpacked up;
} tdoc;

void tdoc_init(tdoc *d);              /* empty sbuffer, packer ready */
msgpack_object *tdoc_unpack(tdoc *d); /* unpack what was packed */
void tdoc_free(tdoc *d);

/* The object at `path` below root ("a.b[2].c"; "" is root), or NULL. */
msgpack_object *tobj_at(msgpack_object *root, const char *path);
void tobj_set_int(msgpack_object *o, int64_t v);
void tobj_set_str(msgpack_object *o, const char *s); /* s must outlive */
void tobj_set_strn(msgpack_object *o, const char *s, size_t n);
/* Remove key from map m (order not kept); rename a key. 0 or -1. */
int tobj_del_key(msgpack_object *m, const char *key);
int tobj_rename_key(msgpack_object *m, const char *key, const char *newkey);

/* Pack one complete request frame {params} for method into sb, where
 * params is packed by `fill` (may be NULL: empty map). */
void test_frame_request(msgpack_sbuffer *sb, uint32_t msgid, const char *method,
                        void (*fill)(msgpack_packer *pk, const void *arg), const void *arg);

#endif
