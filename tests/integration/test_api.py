#!/usr/bin/python3
"""The API schema (api/) and everything generated from it agree.

scripts/gen-api writes the server's dispatch table, the docs' reference
tables and the C, Python and JavaScript method lists from one schema.  This
suite checks each of them against the schema itself, the server by behaviour
rather than by reading its source:

- the running coachnetd answers every method of the schema (never
  unknown_method), refuses it with `unauthenticated` / `forbidden` exactly
  for the roles the schema does not list, and names an unknown param key as
  invalid_params for every role it does list (so its params map is the
  schema's);
- an unknown method is unknown_method;
- docs/methods.md's generated tables, clients/python/coachnet_methods.py,
  clients/js/methods.gen.mjs (through node) and libcoachnet's stubs (through
  a small C program) list the same methods with the same roles and params;
- `scripts/gen-api --check` finds every committed output up to date.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from harness import Suite, main, CoachnetError

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "clients" / "python"))

suite = Suite("api")
t = suite.test
ROLES = ["admin", "coordinator", "mentee", "coach"]


def schema():
    out = {}
    for p in sorted((ROOT / "api" / "methods").glob("*.json")):
        m = json.loads(p.read_text())
        if m.get("writes"):     # gen-api gives every state-changing method request_id, last
            m["params"].append({"name": "request_id", "type": "string", "min_len": 1,
                                "max_len": "REQUEST_ID_MAX", "charset": "code"})
        out[m["name"]] = m
    return out


def limits():
    return {k: v["value"] for k, v in json.loads((ROOT / "api" / "limits.json").read_text()).items()
            if not k.startswith("_")}


def allowed(m, role):
    r = m["roles"]
    return r == ["anyone"] or r == ["any"] or role in r


def call_error(c, method, params):
    try:
        c.call(method, params)
    except CoachnetError as e:
        return e
    return None


class Cast:
    def __init__(self, s):
        coord, prog = s.coordinator()
        g = s.gen
        mentee, coach = g.mentee(prog), g.coach([prog])
        coord.mentee_put(mentee)
        coord.coach_put(coach)
        self.by_role = {"admin": s.admin(), "coordinator": coord,
                        "mentee": s.subject_user(coord, "mentee", mentee["id"]),
                        "coach": s.subject_user(coord, "coach", coach["id"])}


_cast = None


def cast(s):
    global _cast
    if _cast is None:
        _cast = Cast(s)
    return _cast


@t
def generated_outputs_are_fresh(s):
    """scripts/gen-api --check: every generated file matches the schema"""
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen-api"), "--check"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


@t
def unauthenticated_calls_follow_the_roles(s):
    """without a session: methods for 'anyone' are served, all others are unauthenticated"""
    with s.srv.client() as c:
        for name, m in schema().items():
            e = call_error(c, name, {"__bogus": 1})
            if m["roles"] == ["anyone"]:
                assert e and e.code == "invalid_params" and e.field == "__bogus", (name, e)
            else:
                assert e and e.code == "unauthenticated", (name, e)


@t
def every_role_gets_exactly_the_schema_roles(s):
    """each role: forbidden for the methods the schema does not give it; an unknown key named otherwise"""
    c = cast(s)
    for name, m in schema().items():
        for role in ROLES:
            e = call_error(c.by_role[role], name, {"__bogus": 1})
            if allowed(m, role):
                assert e and e.code == "invalid_params" and e.field == "__bogus", (name, role, e)
            else:
                assert e and e.code == "forbidden", (name, role, e)


@t
def every_param_is_a_known_key(s):
    """the server's params map of each method holds exactly the schema's keys"""
    c = cast(s)
    for name, m in schema().items():
        role = next((r for r in ROLES if allowed(m, r)), None)
        if role is None or name in ("auth.logout", "auth.login", "auth.resume"):
            continue
        names = []
        for p in m["params"]:
            # A known key with a value of the wrong type is refused as that
            # key, or as a required param before it (params are checked in
            # schema order), never as an unknown key.
            names.append(p["name"])
            bad = "not-an-array" if p["type"] == "array" else {"x": 1}
            e = call_error(c.by_role[role], name, {p["name"]: bad})
            assert e and e.code == "invalid_params", (name, p["name"], e)
            root = re.split(r"[.\[]", e.field)[0]
            unknown = e.field == p["name"] and "unknown key" in e.message
            assert root in names and not unknown, (name, p["name"], e.field, e.message)


@t
def unknown_method_is_refused(s):
    """a method outside the schema is unknown_method"""
    with s.srv.client() as c:
        e = call_error(c, "match.nonexistent", {})
        assert e and e.code == "unknown_method", e


def doc_tables():
    text = (ROOT / "docs" / "methods.md").read_text()
    rows = {}
    block = re.search(r"<!-- api:methods -->\n(.*?)<!-- api:end -->", text, re.S).group(1)
    for line in block.splitlines():
        mo = re.match(r"\| `([a-z._]+)` \| ([^|]+) \| `\{([^}]*)\}` \|", line)
        if mo:
            params = [x.strip().rstrip("?") for x in mo.group(3).split(",") if x.strip()]
            rows[mo.group(1)] = (mo.group(2).strip(), params)
    return rows, text


def doc_roles(m):
    if m["roles"] == ["anyone"]:
        return "anyone"
    if m["roles"] == ["any"]:
        return "any session"
    return ", ".join(m["roles"])


@t
def docs_list_every_method(s):
    """docs/methods.md: one row per method with its roles and params, and one params table each (in its section or among the unlisted)"""
    rows, text = doc_tables()
    sch = schema()
    assert sorted(rows) == sorted(sch), (sorted(set(rows) ^ set(sch)))
    for name, m in sch.items():
        assert rows[name] == (doc_roles(m), [p["name"] for p in m["params"]]), (name, rows[name])
        unlisted = re.search(r"<!-- api:unlisted -->\n(.*?)<!-- api:end -->", text, re.S).group(1)
        assert ("<!-- api:params %s -->" % name in text) != ("### %s\n" % name in unlisted), name


@t
def python_client_lists_every_method(s):
    """clients/python: the method table equals the schema, and Client has a function per method"""
    import coachnet
    import coachnet_methods
    sch = schema()
    lim = limits()
    assert sorted(coachnet_methods.METHODS) == sorted(sch)
    for name, m in sch.items():
        got = coachnet_methods.METHODS[name]
        assert got["roles"] == m["roles"], name
        assert [p["name"] for p in got["params"]] == [p["name"] for p in m["params"]], name
        for p, q in zip(got["params"], m["params"]):
            for k in ("max_len", "max", "max_items"):
                if k in q:
                    want = lim[q[k]] if isinstance(q[k], str) else q[k]
                    assert p[k] == want, (name, p["name"], k)
        assert callable(getattr(coachnet.Client, name.replace(".", "_"), None)), name


@t
def js_client_lists_every_method(s):
    """clients/js/methods.gen.mjs (read by node) equals the schema's methods, roles and params"""
    node = subprocess.run(
        ["node", "--input-type=module", "-e",
         "import {METHODS} from '%s'; console.log(JSON.stringify(METHODS));"
         % (ROOT / "clients" / "js" / "methods.gen.mjs").as_uri()],
        capture_output=True, text=True, timeout=60)
    assert node.returncode == 0, node.stderr
    js = json.loads(node.stdout)
    sch = schema()
    assert sorted(js) == sorted(sch)
    for name, m in sch.items():
        assert js[name]["roles"] == m["roles"], name
        assert [p["name"] for p in js[name]["params"]] == [p["name"] for p in m["params"]], name


@t
def c_client_stubs_list_every_method(s):
    """libcoachnet: cn_api_method_names and a typed stub per method of the schema"""
    b = Path(os.environ.get("B", "build/rel"))
    if not b.is_absolute():
        b = ROOT / b
    prog = b / "tests" / "api" / "api_names"
    assert prog.exists(), "%s is missing (make builds it)" % prog
    out = subprocess.run([str(prog)], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == sorted(schema()), out.stdout
    header = (ROOT / "clients" / "coachnet_api.gen.h").read_text()
    for name in schema():
        assert re.search(r"int cn_api_%s\(cn_client \*c" % name.replace(".", "_"), header), name


if __name__ == "__main__":
    main(suite)
