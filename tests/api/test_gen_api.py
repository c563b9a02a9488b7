#!/usr/bin/python3
"""scripts/gen-api refuses a schema it cannot generate correct code from.

Each case copies the repository's schema (api/, server/lua/, server/keys.c,
docs/methods.md) into a temporary tree, breaks one thing, runs gen-api
there and expects exit 2 with a message naming the problem; a control case
checks that the unbroken copy generates.  TAP output."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def tree():
    d = tempfile.mkdtemp(prefix="gen-api-test-")
    for sub in ("api", "server/lua", "scripts"):
        shutil.copytree(os.path.join(ROOT, sub), os.path.join(d, sub))
    os.makedirs(os.path.join(d, "docs"))
    shutil.copy(os.path.join(ROOT, "docs/methods.md"), os.path.join(d, "docs/methods.md"))
    shutil.copy(os.path.join(ROOT, "server/keys.c"), os.path.join(d, "server/keys.c"))
    return d


def method(d, name):
    p = os.path.join(d, "api/methods/%s.json" % name)
    with open(p) as f:
        return p, json.load(f)


def save(p, m):
    with open(p, "w") as f:
        json.dump(m, f)


def run(d):
    r = subprocess.run(["/usr/bin/python3", os.path.join(d, "scripts/gen-api")], capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def edit_review(fn):
    def case(d):
        p, m = method(d, "match.review")
        fn(m)
        save(p, m)
    return case


def add_unknown_key(m):
    m["params"][0]["maxlen"] = 3


def optional_before_required(m):
    m["params"].append({"name": "extra", "type": "string", "min_len": 1, "max_len": 3, "charset": "code",
                        "required": True})


def bad_enum_value(m):
    m["params"][1]["values"].append("not-a-name")


def default_in_optional_object(m):
    m["params"].append({"name": "opt", "type": "object",
                        "fields": [{"name": "x", "type": "integer", "min": 0, "max": 9, "default": 2}]})


def unknown_limit(m):
    m["params"][2]["max_len"] = "NO_SUCH_LIMIT"


def unknown_role(m):
    m["roles"] = ["emperor"]


def writes_not_true(m):
    m["writes"] = "yes"


def request_id_by_hand(m):
    m["params"].append({"name": "request_id", "type": "string", "min_len": 1, "max_len": 64,
                        "charset": "code"})


def bad_db_line(d):
    p = os.path.join(d, "server/lua/pin.lua")
    with open(p) as f:
        s = f.read()
    with open(p, "w") as f:
        f.write(s.replace("coach_id, by) -> ok", "coach_id, by) -> teapot"))


CASES = [
    ("an unknown key of a param", edit_review(add_unknown_key), "do not apply"),
    ("a required param after an optional one", edit_review(optional_before_required), "required params come first"),
    ("an enum value that is not a C name", edit_review(bad_enum_value), "enum values"),
    ("a default inside an optional object", edit_review(default_in_optional_object), "take no default"),
    ("a limit name that api/limits.json lacks", edit_review(unknown_limit), "unknown limit NO_SUCH_LIMIT"),
    ("a role that does not exist", edit_review(unknown_role), "roles must be"),
    ("a db line with an unknown reply kind", bad_db_line, "unknown db reply"),
    ("writes that is not true", edit_review(writes_not_true), "writes is true or absent"),
    ("a request_id written by hand", edit_review(request_id_by_hand), "request_id comes from"),
]


def stale_output_fails_check(d):
    """An edited generated file: --check names it and exits 1, writing nothing."""
    shutil.copytree(os.path.join(ROOT, "proto"), os.path.join(d, "proto"))
    for sub in ("server", "clients/python", "clients/js", "clients"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    subprocess.run(["/usr/bin/python3", os.path.join(d, "scripts/gen-api")], capture_output=True, check=True)
    p = os.path.join(d, "server/dispatch.gen.c")
    with open(p, "a") as f:
        f.write("/* edited by hand */\n")
    r = subprocess.run(["/usr/bin/python3", os.path.join(d, "scripts/gen-api"), "--check"],
                       capture_output=True, text=True)
    with open(p) as f:
        untouched = f.read().endswith("/* edited by hand */\n")
    return r.returncode == 1 and "not ok" in r.stdout and "server/dispatch.gen.c" in r.stdout and untouched, \
        "exit %d: %s%s" % (r.returncode, r.stdout[-300:], r.stderr)


def example_block_is_kept(d):
    """An api:example block (scripts/gen-examples writes it) is not the
    schema's: gen-api leaves its text as it is, whatever it holds."""
    p = os.path.join(d, "docs/methods.md")
    with open(p) as f:
        text = f.read()
    block = "<!-- api:example match.review -->\nwritten by hand, kept\n<!-- api:end -->\n"
    with open(p, "w") as f:
        f.write(text + "\n" + block)
    rc, out = run(d)
    with open(p) as f:
        kept = f.read().endswith(block)
    return rc == 0 and kept, "exit %d, block kept: %s: %s" % (rc, kept, out[-300:])


def main():
    n = 0
    failed = 0
    print("1..%d" % (len(CASES) + 3))
    d = tree()
    try:
        rc, out = run(d)
        n += 1
        ok = rc == 0
        failed += not ok
        print("%s %d - the repository's schema generates (control)" % ("ok" if ok else "not ok", n))
        if not ok:
            print("#   " + out.replace("\n", "\n#   "))
    finally:
        shutil.rmtree(d)
    d = tree()
    try:
        ok, why = stale_output_fails_check(d)
        n += 1
        failed += not ok
        print("%s %d - --check: a stale generated file fails, named, and is left as it is" % ("ok" if ok else "not ok", n))
        if not ok:
            print("#   " + why.replace("\n", "\n#   "))
    finally:
        shutil.rmtree(d)
    d = tree()
    try:
        ok, why = example_block_is_kept(d)
        n += 1
        failed += not ok
        print("%s %d - an api:example block is left as it is" % ("ok" if ok else "not ok", n))
        if not ok:
            print("#   " + why.replace("\n", "\n#   "))
    finally:
        shutil.rmtree(d)
    for desc, breaker, want in CASES:
        d = tree()
        try:
            breaker(d)
            rc, out = run(d)
            n += 1
            ok = rc == 2 and want in out
            failed += not ok
            print("%s %d - refused: %s" % ("ok" if ok else "not ok", n, desc))
            if not ok:
                print("#   exit %d: %s" % (rc, out.strip().replace("\n", "\n#   ")))
        finally:
            shutil.rmtree(d)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
