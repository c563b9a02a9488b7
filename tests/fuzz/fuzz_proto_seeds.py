#!/usr/bin/python3
"""Regenerate tests/fuzz/seeds/fuzz_proto/ (run from the repository root).

Each seed is one byte (the fuzzer's chunk-size selector) followed by a
stream of frames, built with Debian's python3-msgpack.
"""
import os
import struct

import msgpack

OUT = "tests/fuzz/seeds/fuzz_proto"


def frame(o, bin_type=True):
    b = msgpack.packb(o, use_bin_type=bin_type)
    return struct.pack(">I", len(b)) + b


mentee = {"id": "198503152010011001", "name": "Siti", "agency": "kemenkeu",
          "position_class": "administrator", "province": "31",
          "program": "p1",
          "competencies": [{"code": "M.01", "current": 2, "required": 3},
                           {"code": "T.digital", "current": 1,
                            "required": 4}],
          "modality": ["online", "offline"], "languages": ["id", "en"],
          "availability": 4681, "goals": "lead"}
coach = {"id": "c.1", "name": "Budi", "kind": "pkn1_alumni",
         "organization": "Bappenas", "rank": 5, "province": "32",
         "competencies": [{"code": "M.03", "level": 5}], "capacity": 3,
         "programs": ["p1"], "modality": ["online"], "languages": ["id"],
         "availability": 0, "bio": ""}
policy = {"objective": "quality", "mode": "stable", "min_score": 100,
          "forbid_same_agency": False, "min_rank_gap": 0,
          "waitlist_bonus": 500,
          "weights": {"gap": 0.5, "location": 0.25, "availability": 0.25},
          "competency_weights": {"M.03": 2.0}}
explain = {"score": 8000, "feasible": False, "reason": "rank",
           "gap_coverage": 0.5, "location": 1.0, "availability": 0.5,
           "competencies": [{"code": "M.01", "gap": 1, "coach_level": 3,
                             "covered": 1}]}
match = {"id": "m1", "program": "p1", "mentee_id": "198503152010011001",
         "coach_id": "c.1", "status": "proposed", "score": 8000,
         "run_id": "r1", "explain": explain, "created_at": 1,
         "updated_at": 2}
stats = {"mentees": 10, "coaches": 2, "matched": 9,
         "unmatched": {"capacity": 1}, "total_score": 70000,
         "mean_score": 7777.7, "mean_gap_coverage": 0.6, "certified": True,
         "elapsed_ms": 3}
err = {"code": "invalid_params", "message": "must be an integer 1..5",
       "field": "profile.competencies[3].required"}
login = {"token": "t0k", "role": "coordinator", "programs": ["p1"],
         "expires_in": 60}
suggest = {"items": [{"coach_id": "c.1", "score": 8000, "explain": explain}]}
review = {"id": "m1", "error": {"code": "conflict", "message": "no"}}
meeting = {"meeting_id": "mt1", "confirmed": True, "minutes": 90, "jp": 2.0, "year": 2026, "minutes_total": 135,
           "jp_total": 3.0}
progress = {"run_id": "r1", "phase": "solve", "done": 1, "total": 2}
done = {"run_id": "r1", "status": "done", "stats": stats}
pstats = {"program": "p1", "mentees": 10, "coaches": 2, "capacity": 4,
          "load": 3, "utilisation": 0.75, "coverage": 0.9,
          "matches": {"active": 3}, "unmatched": {"capacity": 1},
          "last_run_id": None, "jp_total": 2, "jp_minutes": 90,
          "feedback": {"count": 1, "mean_rating": 4.0}}

SEEDS = {
    "mentee_put": b"\x07" + frame([0, 1, "mentee.put", [mentee]]),
    "coach_put": b"\x03" + frame([0, 2, "coach.put", [coach]]),
    "policy": b"\x1e" + frame([0, 3, "match.run", [policy]]),
    "match_response": b"\x00" + frame([1, 4, None, match]),
    "explain_response": b"\x10" + frame([1, 5, None, explain]),
    "stats_notification": b"\x05" + frame([2, "run.done", [stats]]),
    "error_response": b"\x01" + frame([1, 6, err, None]),
    "login_response": b"\x06" + frame([1, 10, None, login]),
    "suggest_item": b"\x08" + frame([1, 11, None, suggest["items"][0]]),
    "review_item": b"\x0a" + frame([1, 12, None, review]),
    "meeting_response": b"\x0b" + frame([1, 13, None, meeting]),
    "progress_notification": b"\x0c" + frame([2, "run.progress", [progress]]),
    "done_notification": b"\x0d" + frame([2, "run.done", [done]]),
    "program_stats_response": b"\x0e" + frame([1, 14, None, pstats]),
    "pipelined": b"\x02" + frame([0, 7, "auth.login",
                                  [{"login": "a", "password": "b"}]]) +
                 frame([0, 8, "auth.logout", [{}]]),
    "array32_huge": b"\x04" + struct.pack(">I", 5) + b"\xdd\x10\x00\x00\x00",
    "zero_length": b"\x00\x00\x00\x00\x00",
    "bad_utf8": b"\x09" + frame([0, 9, "mentee.put",
                                 [dict(mentee, name=b"\xc3\x28")]], False),
}

if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
