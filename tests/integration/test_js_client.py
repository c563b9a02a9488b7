#!/usr/bin/python3
"""The JavaScript client (clients/js/) against a real coachnetd: this suite
starts redis-server and coachnetd with TLS (harness.py), creates a
coordinator, profiles of its program and of another one with the Python
client, then runs clients/js/test/live.mjs under node, which speaks to the
server over clients/js/transport-tls.mjs.  Every test of live.mjs is
reported here as one TAP line.  A missing node or npm dependency fails."""

import json
import os
import re
import shutil
import subprocess

from harness import REPO, Suite, main, SLOW

suite = Suite("js_client")
t = suite.test

NODE = shutil.which("node")
LIVE = REPO / "clients" / "js" / "test" / "live.mjs"
TOP_LEVEL = re.compile(r"^(ok|not ok) \d+ - (.*?)(?: # (.*))?$")


@t
def node_and_the_js_dependencies_are_installed(s):
    """node >= 18 is installed and clients/js/node_modules holds @msgpack/msgpack"""
    assert NODE, "node is not installed (scripts/install-deps installs nodejs and npm)"
    v = subprocess.run([NODE, "--version"], stdout=subprocess.PIPE, check=True).stdout.decode().strip()
    assert int(v.lstrip("v").split(".")[0]) >= 18, "node %s is too old (18 or later)" % v
    mod = REPO / "clients" / "js" / "node_modules" / "@msgpack" / "msgpack" / "package.json"
    assert mod.exists(), "%s is missing: run scripts/install-deps (npm ci --prefix clients/js)" % mod


def coordinator(s):
    """A fresh program and its coordinator: (login, logged-in client, program)."""
    login, prog = s.uniq("jscoord"), s.program()
    s.admin().user_create(login, s.PASSWORD, "coordinator", programs=[prog])
    return login, s.srv.login(login, s.PASSWORD), prog


def live_env(s):
    """Users and profiles for live.mjs, made with the Python client."""
    login, coord, prog = coordinator(s)
    _, other, other_prog = coordinator(s)
    with coord, other:
        coach = s.gen.coach([prog], capacity=40)
        coord.coach_put(coach)
        foreign = s.gen.mentee(other_prog)
        other.mentee_put(foreign)
        env = dict(os.environ)
        env.update({
            "COACHNET_PORT": str(s.srv.port),
            "COACHNET_CA": str(s.env.certs.ca),
            "COACHNET_ROGUE_CA": str(s.env.certs.rogue_ca),
            "COACHNET_LOGIN": login,
            "COACHNET_PASSWORD": s.PASSWORD,
            "COACHNET_PROGRAM": prog,
            "COACHNET_MENTEE": json.dumps(s.gen.mentee(prog)),
            "COACHNET_MENTEES": json.dumps([s.gen.mentee(prog) for _ in range(10)]),
            "COACHNET_COACH_ID": coach["id"],
            "COACHNET_FOREIGN_MENTEE": foreign["id"],
        })
        return env


@t
def js_client_live_suite(s):
    """node clients/js/test/live.mjs: every test passes (each reported above)"""
    assert NODE, "node is not installed"
    r = subprocess.run([NODE, "--test-reporter=tap", str(LIVE)], env=live_env(s), cwd=str(REPO),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120 * SLOW)
    out = r.stdout.decode(errors="replace")
    results = [m.groups() for m in map(TOP_LEVEL.match, out.splitlines()) if m]
    for verdict, name, directive in results:
        # One line per JS test, reported as this suite's own.
        s._report(verdict == "ok", "js: " + name, None if verdict == "ok" else out[-6000:],
                  directive or "")
    assert results, "live.mjs reported no test (exit %d):\n%s" % (r.returncode, out[-6000:])
    skipped = [name for _, name, directive in results if directive and directive.upper().startswith("SKIP")]
    assert not skipped, "live.mjs skipped %s:\n%s" % (skipped, out[-6000:])
    assert r.returncode == 0, "live.mjs exited %d:\n%s" % (r.returncode, out[-6000:])


@t
def profiles_written_by_js_read_back_by_python(s):
    """a mentee written by the JS client reads back the same through the Python client"""
    assert NODE, "node is not installed"
    login, coord, prog = coordinator(s)
    with coord:
        m = s.gen.mentee(prog, goals="Kepemimpinan digital — layanan publik ✓")
        script = (
            "import {CoachnetClient, MemoryStorage} from './clients/js/coachnet.mjs';"
            "import {connectTls} from './clients/js/transport-tls.mjs';"
            "const e = process.env;"
            "const c = new CoachnetClient({connect: () => connectTls({port: +e.PORT, caFile: e.CA}),"
            "                              storage: new MemoryStorage()});"
            "await c.login(e.LOGIN, e.PASSWORD);"
            "const r = await c.menteePut({profile: JSON.parse(e.PROFILE)});"
            "console.log(JSON.stringify(r)); c.close();")
        env = dict(os.environ, PORT=str(s.srv.port), CA=str(s.env.certs.ca), LOGIN=login,
                   PASSWORD=s.PASSWORD, PROFILE=json.dumps(m))
        r = subprocess.run([NODE, "--input-type=module", "-e", script], env=env, cwd=str(REPO),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30 * SLOW)
        out = r.stdout.decode(errors="replace")
        assert r.returncode == 0, out
        assert json.loads(out.strip().splitlines()[-1]) == {"id": m["id"], "version": 1}, out
        g = coord.mentee_get(m["id"])
        for k, v in m.items():
            assert g["profile"][k] == v, "field %s: JS sent %r, Python read %r" % (k, v, g["profile"][k])


if __name__ == "__main__":
    main(suite)
