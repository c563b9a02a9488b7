#!/usr/bin/python3
"""The examples of docs/methods.md, recorded from a live server.

One realistic scenario (a PKN Tingkat II program, its coordinator, five
mentees and three coaches with Indonesian names, a draft run published and
reviewed, a match accepted, a meeting logged and confirmed, feedback, the
oversight reads) calls every method of api/methods/*.json at least once
against a real coachnetd and Redis.  For each method one call is the
example: its params and its answer (for match.run also its run.done
notification) are kept, shortened for reading (arrays cut to 2 items and a
"… N more" string, long strings cut with "…") and normalised so that a
recording on another machine gives the same text: the profiles come from a
seeded generator, every time is one fixed example time, today's date is
EXAMPLE_DATE, passwords and tokens are placeholders.

Checks (make check):
- the scenario called every method of the schema (a new method needs a call
  in the scenario: one function per method group below);
- docs/methods.md has an `<!-- api:example NAME -->` block for every method;
- each example's answer has exactly the top-level keys of the live answer
  of the same call (a stale example fails).
Each failure says to run `scripts/gen-examples`, which runs this suite with
COACHNET_WRITE_EXAMPLES=1: the recorded examples are then written into
docs/methods.md, each block right after the method's params block (or in
place of its earlier example block), and the checks run on the result.
"""

import json
import os
import re
import time

import harness
from harness import Suite, Gen, main, server_date, SLOW, ADMIN_LOGIN, ADMIN_PASSWORD

DOC = harness.REPO / "docs" / "methods.md"
METHODS_DIR = harness.REPO / "api" / "methods"
WRITE = bool(os.environ.get("COACHNET_WRITE_EXAMPLES"))

# Normalisation: every time is this one (2026-12-03 08:00 UTC), today's
# server date this day, its year this year, a run's elapsed time this.
EXAMPLE_TIME = 1796284800
EXAMPLE_DATE = "2026-12-03"
EXAMPLE_YEAR = 2026
EXAMPLE_ELAPSED_MS = 12
TIME_KEYS = {"start", "at", "time", "created_at", "updated_at", "started_at", "finished_at",
             "published_at", "accepted_at", "since"}
SECRET_KEYS = {"password": "<password>", "old_password": "<old password>",
               "new_password": "<new password>", "token": "<token>"}
# An audit.list cursor or entry id: a Redis stream id, milliseconds-sequence.
STREAM_ID = re.compile(r"^\d{13}-\d+$")

# Shortening for reading.
ARRAY_KEEP = 2
STRING_MAX = 72
STRING_KEEP = 56
WIDTH = 100

PASSWORD = "Rahasia-Pkn2026"
SEED = 20261203

suite = Suite("doc_examples")
t = suite.test


def schema_methods():
    return sorted(p.stem for p in METHODS_DIR.glob("*.json"))


# ------------------------------------------------------------- recording

class Recorder:
    """The calls of the scenario; one per method is its example."""

    def __init__(self):
        self.examples = {}      # method -> {"params", "answer", "notification"?}

    def call(self, client, method, params, example=True):
        """``client.call(method, params)``; the first call of a method with
        ``example`` true is that method's example."""
        answer = client.call(method, params)
        if example and method not in self.examples:
            self.examples[method] = {"params": params, "answer": answer}
        return answer


def normalise(v, key=None, today=None, year=None):
    """The value as the docs show it: secrets as placeholders, times fixed,
    today's date and year as the example's."""
    if key in SECRET_KEYS and isinstance(v, str):
        return SECRET_KEYS[key]
    if isinstance(v, dict):
        return {k: normalise(x, k, today, year) for k, x in v.items()}
    if isinstance(v, list):
        return [normalise(x, key, today, year) for x in v]
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        if key in TIME_KEYS:
            return EXAMPLE_TIME
        if key == "elapsed_ms":
            return EXAMPLE_ELAPSED_MS
        if key == "year" and v == year:
            return EXAMPLE_YEAR
        return v
    if isinstance(v, float) and key == "elapsed_ms":
        return float(EXAMPLE_ELAPSED_MS)
    if isinstance(v, str):
        if STREAM_ID.match(v):
            return "%d000-0" % EXAMPLE_TIME
        if today:
            v = v.replace(today, EXAMPLE_DATE)
        return v
    return v


def shorten(v, nested=False):
    """Arrays longer than ARRAY_KEEP + 1 cut to ARRAY_KEEP items (1 inside
    an item of another array) and a "… N more" string; strings longer than
    STRING_MAX cut to STRING_KEEP characters and "…"."""
    if isinstance(v, dict):
        return {k: shorten(x, nested) for k, x in v.items()}
    if isinstance(v, list):
        keep = 1 if nested else ARRAY_KEEP
        out = [shorten(x, True) for x in v[:keep]] if len(v) > keep + 1 else \
            [shorten(x, True) for x in v]
        if len(v) > len(out):
            out.append("… %d more" % (len(v) - len(out)))
        return out
    if isinstance(v, str) and len(v) > STRING_MAX:
        return v[:STRING_KEEP] + "…"
    return v


def fmt(v, col, reserve=0):
    """JSON of v starting at column ``col``, ``reserve`` columns kept free
    after it (for a comma): on one line when it fits in WIDTH; else its members filled into lines under the opening bracket, a
    member too long for a line of its own broken the same way."""
    one = json.dumps(v, ensure_ascii=False)
    if col + len(one) + reserve <= WIDTH or not isinstance(v, (dict, list)) or not v:
        return one
    if isinstance(v, dict):
        brackets = "{}"
        members = [(json.dumps(k, ensure_ascii=False) + ": ", x) for k, x in v.items()]
    else:
        brackets = "[]"
        members = [("", x) for x in v]
    ind = col + 1
    lines, cur = [], ""
    for i, (head, x) in enumerate(members):
        # After a member: its comma, or for the last one the closing
        # bracket and what the caller keeps free.
        tail = 1 if i < len(members) - 1 else reserve + 1
        flat = head + json.dumps(x, ensure_ascii=False)
        if cur and ind + len(cur) + 2 + len(flat) + tail <= WIDTH:
            cur += ", " + flat
            continue
        if cur:
            lines.append(cur)
        if ind + len(flat) + tail <= WIDTH:
            cur = flat
        else:
            lines.append(head + fmt(x, ind + len(head), tail))
            cur = ""
    if cur:
        lines.append(cur)
    return brackets[0] + (",\n" + " " * ind).join(lines) + brackets[1]


def render(ex):
    """The text of an example block (without its fence): `→ params`,
    `← answer`, and `… notification params` when there is one."""
    lines = ["→ " + fmt(ex["params"], 2), "← " + fmt(ex["answer"], 2)]
    if "notification" in ex:
        name, params = ex["notification"]
        head = "… %s " % name
        lines.append(head + fmt(params, len(head)))
    return "\n".join(lines)


def doc_form(ex, today, year):
    """An example as the docs show it: normalised, then shortened."""
    out = {"params": shorten(normalise(ex["params"], None, today, year)),
           "answer": shorten(normalise(ex["answer"], None, today, year))}
    if "notification" in ex:
        name, params = ex["notification"]
        out["notification"] = (name, shorten(normalise(params, None, today, year)))
    return out


# ------------------------------------------------- docs/methods.md blocks

def example_re(method):
    return re.compile(r"<!-- api:example %s -->\n(.*?)<!-- api:end -->" % re.escape(method), re.S)


def params_re(method):
    return re.compile(r"<!-- api:params %s -->\n.*?<!-- api:end -->\n" % re.escape(method), re.S)


def parse_block(body):
    """The entries of an example block: {"params", "answer", "notifications"}
    parsed from its `→`, `←` and `…` lines (raises ValueError)."""
    lines = body.strip("\n").splitlines()
    if len(lines) < 2 or lines[0] != "```" or lines[-1] != "```":
        raise ValueError("not one fenced block")
    entries = []
    for line in lines[1:-1]:
        if line[:2] in ("→ ", "← ", "… "):
            entries.append([line[0], line[2:]])
        elif entries:
            entries[-1][1] += "\n" + line
        else:
            raise ValueError("text before the first →")
    out = {"notifications": []}
    for mark, text in entries:
        if mark == "…":
            name, _, text = text.partition(" ")
            out["notifications"].append((name, json.loads(text)))
        else:
            k = "params" if mark == "→" else "answer"
            if k in out:
                raise ValueError("two %s lines" % mark)
            out[k] = json.loads(text)
    if "params" not in out or "answer" not in out:
        raise ValueError("no → or no ← line")
    return out


def write_examples(text, blocks):
    """docs/methods.md with each method's example block: its earlier block
    replaced, or a new one inserted right after its params block."""
    for method, body in sorted(blocks.items()):
        block = "<!-- api:example %s -->\n```\n%s\n```\n<!-- api:end -->" % (method, body)
        mo = example_re(method).search(text)
        if mo:
            text = text[:mo.start()] + block + text[mo.end():]
            continue
        mo = params_re(method).search(text)
        if not mo:
            raise AssertionError("docs/methods.md has no `<!-- api:params %s -->` block: write the "
                                 "method's section (scripts/gen-api fills its table), then run "
                                 "scripts/gen-examples again" % method)
        # A blank line before the block, and one after it when prose
        # follows the params block directly.
        rest = text[mo.end():]
        text = text[:mo.end()] + "\n" + block + ("\n" if rest.startswith("\n") else "\n\n") + rest
    return text


# -------------------------------------------------------------- scenario

class Scenario:
    """The story the examples tell, one function per method group.  To
    cover a new method, call it (through ``self.rec.call``) in the function
    of its group, or add a function and list it in ``STEPS``."""

    PROGRAM = "PKN2-2026"
    OTHER_PROGRAM = "PKP-2026"
    STEPS = ("server", "sessions", "programs", "coordinator", "profiles", "users",
             "pair_rules", "runs", "review", "meetings", "feedback", "oversight", "passwords")

    def __init__(self, s):
        self.s = s
        self.srv = s.srv
        self.rec = Recorder()
        self.gen = Gen(SEED)
        self.today = server_date()
        self.year = int(self.today[:4])
        self.clients = []

    def client(self):
        c = self.srv.client()
        self.clients.append(c)
        return c

    def login(self, login, password=PASSWORD):
        c = self.client()
        c.auth_login(login, password)
        return c

    def close(self):
        for c in self.clients:
            c.close()

    def play(self):
        try:
            for step in self.STEPS:
                getattr(self, step)()
        finally:
            self.close()

    # --- server.info, auth.login/resume/logout

    def server(self):
        self.rec.call(self.client(), "server.info", {})

    def sessions(self):
        self.admin = self.client()
        r = self.rec.call(self.admin, "auth.login", {"login": ADMIN_LOGIN, "password": ADMIN_PASSWORD})
        self.admin.token = r["token"]
        # A second session of the admin, resumed on another connection and
        # logged out there (the first one goes on).
        laptop = self.login(ADMIN_LOGIN, ADMIN_PASSWORD)
        phone = self.client()
        self.rec.call(phone, "auth.resume", {"token": laptop.token})
        self.rec.call(phone, "auth.logout", {})

    # --- program.put/get/list

    def programs(self):
        self.rec.call(self.admin, "program.put", {"program": {
            "id": self.PROGRAM, "name": "Pelatihan Kepemimpinan Nasional Tingkat II 2026",
            "year": 2026, "self_service": True, "jp_target": 20,
            "description": "Coaching dan mentoring bagi pejabat pimpinan tinggi pratama"}})
        self.rec.call(self.admin, "program.put", {"program": {
            "id": self.OTHER_PROGRAM, "name": "Pelatihan Kepemimpinan Pengawas 2026",
            "year": 2026}}, example=False)
        self.rec.call(self.admin, "program.get", {"id": self.PROGRAM})
        self.rec.call(self.admin, "program.list", {"limit": 10})

    # --- user.create (a coordinator, by the admin)

    def coordinator(self):
        self.rec.call(self.admin, "user.create", {
            "login": "sari.wulandari", "password": PASSWORD, "role": "coordinator",
            "programs": [self.PROGRAM]})
        self.coord = self.login("sari.wulandari")

    # --- mentee.put/get/list, coach.put/get/list (the coordinator imports)

    MENTEES = [
        ("Siti Rahmawati", "31", "K001", "siti.rahmawati@bkn.go.id", "+6281234567801",
         "Memimpin transformasi digital layanan kepegawaian"),
        ("Agus Pratama", "32", "K023", "agus.pratama@jabarprov.go.id", "+6281234567802",
         "Membangun budaya kinerja di dinas"),
        ("Dewi Lestari", "33", "K044", "dewi.lestari@jatengprov.go.id", "+6281234567803",
         "Memperkuat kolaborasi lintas perangkat daerah"),
        ("Rizky Hidayat", "35", "P3100", "rizky.hidayat@jatimprov.go.id", "+6281234567804",
         "Menyusun strategi reformasi birokrasi"),
        ("Ayu Kusuma", "34", "P3200", "ayu.kusuma@jogjaprov.go.id", "+6281234567805",
         "Meningkatkan kualitas pelayanan publik"),
    ]
    COACHES = [
        ("C-PKN2-001", "Budi Santoso", "pkn1_alumni", "K015", "31", 1, "budi.santoso@lan.go.id",
         "Alumni PKN Tingkat I, memimpin transformasi layanan publik"),
        ("C-PKN2-002", "Ratna Siregar", "corporate_leader", "P5100", "33", 1,
         "ratna.siregar@pertamina.com", "Direktur SDM BUMN, pengalaman 20 tahun"),
        ("C-PKN2-003", "Hendra Wijaya", "pkn2_alumni", "D3171", "35", 2,
         "hendra.wijaya@kemenkeu.go.id", "Widyaiswara ahli utama bidang kepemimpinan"),
    ]

    def profiles(self):
        self.mentees = []
        for name, prov, agency, email, phone, goals in self.MENTEES:
            m = self.gen.mentee(self.PROGRAM, position_class="administrator", province=prov,
                                agency=agency, name=name, email=email, phone=phone, goals=goals)
            self.rec.call(self.coord, "mentee.put", {"profile": m})
            self.mentees.append(m)
        self.coaches = []
        for cid, name, kind, org, prov, cap, email, bio in self.COACHES:
            c = self.gen.coach([self.PROGRAM], id=cid, name=name, kind=kind, organization=org,
                               province=prov, capacity=cap, email=email, bio=bio)
            self.rec.call(self.coord, "coach.put", {"profile": c})
            self.coaches.append(c)
        self.rec.call(self.coord, "mentee.get", {"id": self.mentees[0]["id"]})
        self.rec.call(self.coord, "coach.get", {"id": self.coaches[0]["id"]})
        self.rec.call(self.coord, "mentee.list", {"program": self.PROGRAM, "limit": 2})
        self.rec.call(self.coord, "coach.list", {"program": self.PROGRAM, "province": "31"})

    # --- user.create (mentee and coach users, by the coordinator),
    #     user.list/disable/enable/set_password

    def users(self):
        self.logins = {}
        for i, m in enumerate(self.mentees):
            login = m["email"].split("@")[0]
            self.rec.call(self.coord, "user.create", {
                "login": login, "password": PASSWORD, "role": "mentee", "subject": m["id"]},
                example=False)
            self.logins[m["id"]] = login
        for c in self.coaches:
            login = c["email"].split("@")[0]
            self.rec.call(self.coord, "user.create", {
                "login": login, "password": PASSWORD, "role": "coach", "subject": c["id"]},
                example=False)
            self.logins[c["id"]] = login
        self.rec.call(self.coord, "user.list", {"role": "mentee", "limit": 3})
        hendra = self.logins[self.coaches[2]["id"]]
        self.rec.call(self.admin, "user.disable", {"login": hendra})
        self.rec.call(self.admin, "user.enable", {"login": hendra})
        self.rec.call(self.admin, "user.set_password", {
            "login": self.logins[self.mentees[1]["id"]], "password": PASSWORD})

    # --- match.suggest/explain, match.pin/forbid/pins/unpin/unforbid

    def pair_rules(self):
        siti, agus = self.mentees[0]["id"], self.mentees[1]["id"]
        budi, ratna = self.coaches[0]["id"], self.coaches[1]["id"]
        self.rec.call(self.coord, "match.suggest", {"mentee_id": siti, "limit": 2})
        self.rec.call(self.coord, "match.explain", {"mentee_id": siti, "coach_id": budi})
        rule = {"program": self.PROGRAM, "mentee_id": agus, "coach_id": ratna}
        self.rec.call(self.coord, "match.pin", rule)
        self.rec.call(self.coord, "match.forbid", dict(rule, mentee_id=siti))
        self.rec.call(self.coord, "match.pins", {"program": self.PROGRAM})
        self.rec.call(self.coord, "match.unpin", rule)
        self.rec.call(self.coord, "match.unforbid", dict(rule, mentee_id=siti))

    # --- match.run (draft), run.get/list/unmatched/publish, match.list

    def runs(self):
        r = self.rec.call(self.coord, "match.run", {"program": self.PROGRAM, "draft": True})
        self.run_id = r["run_id"]
        deadline = time.monotonic() + 30 * SLOW
        while True:
            n = self.coord.next_notification(timeout=max(0.1, deadline - time.monotonic()),
                                             method="run.done")
            if n.params.get("run_id") == self.run_id:
                break
        assert n.params["status"] == "done", n.params
        self.rec.examples["match.run"]["notification"] = ("run.done", n.params)
        self.rec.call(self.coord, "run.get", {"run_id": self.run_id})
        self.rec.call(self.coord, "run.list", {"program": self.PROGRAM})
        un = self.rec.call(self.coord, "run.unmatched", {"run_id": self.run_id})
        assert un["items"], "the run should leave a mentee unmatched (capacity): %r" % (un,)
        self.unmatched = un["items"][0]["mentee_id"]
        self.rec.call(self.coord, "run.publish", {"run_id": self.run_id})
        self.rec.call(self.coord, "match.list", {"program": self.PROGRAM, "sort": "mentee_name",
                                                 "limit": 2})
        page = self.coord.call("match.list", {"program": self.PROGRAM, "status": "proposed"})
        self.proposals = {m["mentee_id"]: m for m in page["items"]}

    # --- match.review, match.respond, match.mine, match.get, match.request

    def review(self):
        siti = self.mentees[0]["id"]
        first = self.proposals[siti]
        other = sorted(m["id"] for mid, m in self.proposals.items() if mid != siti)[0]
        self.rec.call(self.coord, "match.review", {"match_ids": [first["id"], other],
                                                   "decision": "approve",
                                                   "note": "Sesuai kebutuhan kompetensi"})
        self.match_id = first["id"]
        self.mentee = self.login(self.logins[siti])
        self.coach = self.login(self.logins[first["coach_id"]])
        self.rec.call(self.mentee, "match.mine", {})
        self.rec.call(self.mentee, "match.respond", {"match_id": self.match_id, "accept": True,
                                                     "note": "Terima kasih, siap memulai"})
        self.rec.call(self.coach, "match.respond", {"match_id": self.match_id, "accept": True,
                                                    "note": "Sampai bertemu"}, example=False)
        self.rec.call(self.coord, "match.get", {"match_id": self.match_id})
        # The mentee the draft left out asks a coach with a free seat itself
        # (the program is self-service).
        free = None
        for c in self.coaches:
            got = self.coord.call("coach.get", {"id": c["id"]})
            if got["load"] < c["capacity"]:
                free = c["id"]
                break
        assert free, "no coach with a free seat left"
        waiting = self.login(self.logins[self.unmatched])
        self.rec.call(waiting, "match.request", {"coach_id": free})

    # --- meeting.log/list, jp.get

    def meetings(self):
        log = {"match_id": self.match_id, "date": self.today, "minutes": 90,
               "topic": "Rencana aksi perubahan"}
        self.rec.call(self.mentee, "meeting.log", log)
        self.rec.call(self.coach, "meeting.log", log, example=False)   # confirms it
        self.rec.call(self.mentee, "meeting.list", {"match_id": self.match_id})
        start = (int(time.time()) // 3600 + 48) * 3600            # in two days, on the hour
        planned = self.rec.call(self.mentee, "meeting.schedule", {
            "match_id": self.match_id, "start": start, "minutes": 60,
            "place": "Zoom: https://zoom.us/j/81234567890"})
        self.rec.call(self.coach, "meeting.schedule", {
            "match_id": self.match_id, "meeting_id": planned["meeting_id"], "start": start + 3600,
            "minutes": 90, "place": "Kantor BKN, Jakarta"}, example=False)
        self.rec.call(self.mentee, "jp.get", {"year": self.year})

    # --- feedback.put/list

    def feedback(self):
        self.rec.call(self.mentee, "feedback.put", {
            "match_id": self.match_id, "rating": 5,
            "comment": "Coach sangat membantu merumuskan proyek perubahan"})
        self.rec.call(self.coach, "feedback.put", {
            "match_id": self.match_id, "rating": 4, "comment": "Mentee aktif dan terbuka"},
            example=False)
        self.rec.call(self.coord, "feedback.list", {"program": self.PROGRAM, "limit": 10})

    # --- stats.get {by}, audit.list

    def oversight(self):
        self.rec.call(self.coord, "stats.get", {"program": self.PROGRAM, "by": "province"})
        self.rec.call(self.coord, "audit.list", {"program": self.PROGRAM, "limit": 2})
        # no SMTP server here: no dead letter either (test_mail makes them)
        self.rec.call(self.admin, "mail.dead", {"limit": 10})
        self.rec.call(self.admin, "mail.retry", {"ids": ["1764748800000-0"]})

    # --- auth.change_password

    def passwords(self):
        self.rec.call(self.mentee, "auth.change_password", {
            "old_password": PASSWORD, "new_password": PASSWORD + "-baru"})


# ----------------------------------------------------------------- tests

STATE = {}
HINT = "run `scripts/gen-examples` (the build's coachnetd: B=build/rel) and commit docs/methods.md"


@t
def scenario_runs(s):
    """the scenario (a program from the admin to the mentee's feedback) runs against coachnetd"""
    sc = Scenario(s)
    STATE["scenario"] = sc
    sc.play()


@t
def scenario_calls_every_method(s):
    """the scenario calls every method of api/methods/*.json and keeps an example of each"""
    sc = STATE.get("scenario")
    assert sc is not None, "no scenario"
    missing = [m for m in schema_methods() if m not in sc.rec.examples]
    assert not missing, ("the scenario of tests/integration/test_doc_examples.py has no example "
                         "call of %s: add one to the function of its group (Scenario.STEPS)"
                         % ", ".join(missing))


def recorded_blocks(sc):
    return {m: render(doc_form(ex, sc.today, sc.year)) for m, ex in sc.rec.examples.items()}


if WRITE:
    @t
    def write_docs(s):
        """COACHNET_WRITE_EXAMPLES: the recorded examples written into docs/methods.md"""
        sc = STATE.get("scenario")
        assert sc is not None, "no scenario"
        text = DOC.read_text()
        new = write_examples(text, recorded_blocks(sc))
        if new != text:
            DOC.write_text(new)
            print("# wrote %d examples into %s" % (len(sc.rec.examples), DOC))


@t
def docs_have_every_example(s):
    """docs/methods.md has an api:example block for every method"""
    text = DOC.read_text()
    missing = [m for m in schema_methods() if not example_re(m).search(text)]
    assert not missing, "docs/methods.md has no example of %d methods (%s): %s" % (
        len(missing), ", ".join(missing), HINT)


@t
def docs_examples_are_live(s):
    """each example of docs/methods.md has the top-level keys of the live answer to the same call"""
    sc = STATE.get("scenario")
    assert sc is not None, "no scenario"
    text = DOC.read_text()
    stale = []
    fresh = recorded_blocks(sc)
    differ = []
    for m, ex in sorted(sc.rec.examples.items()):
        mo = example_re(m).search(text)
        if not mo:
            continue        # docs_have_every_example names it
        try:
            doc = parse_block(mo.group(1))
        except ValueError as e:
            stale.append("%s: the example block does not parse (%s)" % (m, e))
            continue
        want, got = sorted(ex["answer"]), sorted(doc["answer"])
        if want != got:
            stale.append("%s: the example's answer has keys %s, the live answer %s" % (m, got, want))
        if mo.group(1).strip("\n") != "```\n%s\n```" % fresh[m]:
            differ.append(m)
    if differ:
        # Not a failure: values (scores, counts) may move with the matcher;
        # only the shape of the answer must not.
        print("# examples whose text differs from this recording: %s" % ", ".join(differ))
    assert not stale, "stale examples in docs/methods.md:\n%s\n%s" % ("\n".join(stale), HINT)


if __name__ == "__main__":
    main(suite)
