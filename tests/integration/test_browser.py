#!/usr/bin/python3
"""The web app (web/, DESIGN section 11) in Debian's headless chromium through
python3-selenium, against a real coachnetd serving it (web-root = the build's
$B/web) and a real Redis:

- an admin creates a program and a coordinator;
- a coordinator imports coaches and mentees from files, starts a draft run and
  watches its live progress, reviews the draft with the explanation panel,
  publishes it, and bulk-approves the proposals with a note;
- the mentee and the coach each see the other's card, accept, the coach logs
  a meeting, the mentee confirms it, and the mentee's JP progress moves;
- the language switch (Bahasa Indonesia by default, English, back);
- a 360 px phone: no screen scrolls sideways;
- axe-core (web/node_modules, injected into the same page) on every screen of
  every role: no serious or critical violation of WCAG 2.1 A/AA;
- no catalogue key shows untranslated, no error in the browser's console (CSP
  violations included).

Screenshots of every step go to $B/test-logs/browser/ (phone and desktop, both
languages).  One chromium for the whole suite (the build machine is shared);
each test logs in afresh (sessionStorage cleared)."""

import json
import os
import time

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from harness import (ADMIN_LOGIN, ADMIN_PASSWORD, BUILD, COMPETENCY_NAME_ID, MANAGERIAL, REPO, SLOW, Suite,
                     main, run_and_wait, run_matches, review_one, server_date)

WEB_ROOT = BUILD / "web"
AXE = REPO / "web" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = BUILD / "test-logs" / "browser"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WAIT = 20 * SLOW
DESKTOP = (1280, 900)
PHONE = 360

suite = Suite("browser", web_root=str(WEB_ROOT))
t = suite.test


# ------------------------------------------------------------------ browser

class Browser:
    """One headless chromium (started on first use, quit at exit)."""

    def __init__(self):
        self.d = None
        self.axe_src = None
        self.profile = None
        self.phone = False

    def driver(self):
        if self.d is None:
            import tempfile
            self.profile = tempfile.mkdtemp(prefix="coachnet-chromium-", dir=str(suite.env.dir))
            o = webdriver.ChromeOptions()
            o.binary_location = CHROMIUM
            for a in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                      "--disable-background-networking", "--disable-component-update", "--disable-sync",
                      "--disable-dev-shm-usage", "--user-data-dir=%s" % self.profile,
                      "--window-size=%d,%d" % DESKTOP, "--lang=id"):
                o.add_argument(a)
            o.accept_insecure_certs = True
            o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
            self.d = webdriver.Chrome(service=Service(CHROMEDRIVER), options=o)
            self.d.set_page_load_timeout(WAIT)
        return self.d

    def quit(self):
        if self.d is not None:
            try:
                self.d.quit()
            finally:
                self.d = None


B = Browser()


def url(path=""):
    return "https://127.0.0.1:%d/%s" % (suite.srv.port, path)


def wait(d, pred, what, timeout=WAIT):
    try:
        return WebDriverWait(d, timeout, poll_frequency=0.1).until(lambda _: pred())
    except TimeoutException:
        shot(d, "timeout")
        raise AssertionError("timed out waiting for %s; status line: %r" % (what, status_text(d)))


def q(d, css):
    return d.find_element(By.CSS_SELECTOR, css)


def qs(d, css):
    return d.find_elements(By.CSS_SELECTOR, css)


def click(d, el):
    """Click el after scrolling it to the middle of the viewport (the
    explanation panel is sticky on a desktop: an edge may be covered)."""
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
    el.click()


def status_text(d):
    try:
        return q(d, "#status").text
    except Exception:
        return None


def shot(d, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    d.save_screenshot(str(SHOTS / ("%s.png" % name)))


def full_shot(d, name):
    """A screenshot of the whole page height (the window grows for it)."""
    w, hgt = d.get_window_size()["width"], d.get_window_size()["height"]
    total = d.execute_script("return document.documentElement.scrollHeight")
    d.execute_script("window.scrollTo(0, 0)")
    if B.phone:
        d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                          {"width": PHONE, "height": min(max(780, total + 40), 6000), "deviceScaleFactor": 1,
                           "mobile": True})
        time.sleep(0.2)
        shot(d, name)
        set_width(d, PHONE)
        return
    d.set_window_size(w, min(max(hgt, total + 120), 6000))
    time.sleep(0.2)
    shot(d, name)
    d.set_window_size(w, hgt)


def set_width(d, width):
    """The layout viewport width in CSS pixels (a phone: 360)."""
    B.phone = width == PHONE
    if width == PHONE:
        d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                          {"width": PHONE, "height": 780, "deviceScaleFactor": 2, "mobile": True})
    else:
        d.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        d.set_window_size(*DESKTOP)


def fresh(d, lang="id"):
    """The login screen with no session, in ``lang``."""
    d.get(url())
    d.execute_script("sessionStorage.clear(); localStorage.setItem('coachnet.lang', arguments[0]);", lang)
    d.get(url())
    wait(d, lambda: qs(d, "#login-submit"), "the login screen")
    # The page applies the stored language without storing it again: written
    # back after its catalogue's fetch, the previous test's language
    # overwrote the one set above (test 8 once came up in English).
    assert d.execute_script("return document.documentElement.lang") == lang, "the login screen not in %s" % lang


def login(d, user, password, lang="id"):
    fresh(d, lang)
    q(d, "#login-name").send_keys(user)
    q(d, "#login-password").send_keys(password)
    q(d, "#login-submit").click()
    wait(d, lambda: qs(d, "#logout") and qs(d, "main .screen"), "the first screen after logging in as %s" % user)


def go(d, route, ready_css):
    d.execute_script("location.hash = arguments[0]", "#/" + route)
    wait(d, lambda: qs(d, '.screen[data-screen="%s"] %s' % (route.split("?")[0], ready_css)),
         "screen %s (%s)" % (route, ready_css))


def visible_text(d):
    return d.execute_script("return document.body.innerText")


def no_untranslated(d, where):
    """No catalogue key is shown raw (t() shows a missing key as [key])."""
    import re
    bad = re.findall(r"\[[a-z]+\.[a-z_0-9]+\]", visible_text(d))
    labels = d.execute_script(
        "return [...document.querySelectorAll('[aria-label]')].map(e => e.getAttribute('aria-label'))"
        ".filter(s => /\\[[a-z]+\\.[a-z_0-9]+\\]/.test(s))")
    assert not bad and not labels, "%s: untranslated keys %s %s" % (where, bad, labels)


def console_errors(d):
    out = []
    for e in d.get_log("browser"):
        if e.get("level") == "SEVERE":
            out.append(e.get("message"))
    return out


def axe(d, where):
    """Run axe-core in the page; fail on a serious or critical violation."""
    if B.axe_src is None:
        B.axe_src = AXE.read_text()
    if not d.execute_script("return typeof window.axe !== 'undefined'"):
        d.execute_script(B.axe_src)
    r = d.execute_async_script("""
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
                           resultTypes: ['violations']})
           .then(r => done(JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact,
                 nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary)})))))
           .catch(e => done(JSON.stringify([{id: 'axe-error', impact: 'critical', nodes: [String(e)]}])));
    """)
    bad = [v for v in json.loads(r) if v["impact"] in ("serious", "critical")]
    assert not bad, "%s: axe violations:\n%s" % (where, json.dumps(bad, indent=1, ensure_ascii=False))
    return len(json.loads(r))


def check_screen(d, name, phone_too=False):
    """axe, untranslated keys, a screenshot; with phone_too also at 360 px
    (no sideways scroll of the page, axe again, a screenshot)."""
    no_untranslated(d, name)
    axe(d, name)
    full_shot(d, name)
    if phone_too:
        set_width(d, PHONE)
        time.sleep(0.3)
        full_shot(d, name + "-phone")
        sw = d.execute_script("return document.documentElement.scrollWidth")
        assert sw <= PHONE, "%s at %d px: the page is %d px wide" % (name, PHONE, sw)
        axe(d, name + " (phone)")
        set_width(d, DESKTOP[0])


# ------------------------------------------------------------------ data

def jsonl(path, items):
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in items))
    return str(path)


def names_in_order(d):
    """The review list's mentee names are in alphabetical order."""
    names = d.execute_script("return [...document.querySelectorAll('#review-list tbody tr td:nth-child(2)')]"
                             ".map(td => td.firstChild.firstChild.textContent)")
    return len(names) > 1 and names == sorted(names)


def coordinator(s):
    """A fresh program and a coordinator of it: (logged-in client, login, program)."""
    program = s.program(self_service=True)
    name = s.uniq("koord")
    s.admin().user_create(name, s.PASSWORD, "coordinator", programs=[program])
    return s.srv.login(name, s.PASSWORD), name, program


def pair_ready(s):
    """A program with one approved match; returns (mentee, coach, mentee login, coach login, match id)."""
    coord, _name, program = coordinator(s)
    g = s.gen
    coach = g.coach([program], capacity=1, organization="K015", email="coach.%s@example.go.id" % g.rnd.randint(0, 99999),
                    phone="+62812%07d" % g.rnd.randint(0, 9999999))
    mentee = g.mentee(program, agency="K001", comps=["M.01", "M.02", "M.03"])
    coord.coach_put(coach)
    coord.mentee_put(mentee)
    run_id, done, _ = run_and_wait(coord, program)
    assert done["status"] == "done", done
    m = run_matches(coord, run_id)[0]
    review_one(coord, m["id"])
    ml, cl = s.uniq("mentee"), s.uniq("coach")
    coord.user_create(ml, s.PASSWORD, "mentee", subject=mentee["id"])
    coord.user_create(cl, s.PASSWORD, "coach", subject=coach["id"])
    coord.close()
    return mentee, coach, ml, cl, m["id"]


# ------------------------------------------------------------------ tests

@t
def serves_the_app(s):
    """the build's web/ is served: index, modules, catalogues, the vendored Chart.js and msgpack"""
    assert (WEB_ROOT / "index.html").exists(), "%s is missing: run make" % WEB_ROOT
    d = B.driver()
    fresh(d)
    assert d.execute_script("return document.documentElement.lang") == "id"
    assert q(d, "#login-submit").text == "Masuk"
    errs = console_errors(d)
    assert not errs, "console errors: %s" % errs
    # The gzip siblings the build wrote are sent to a client that accepts gzip.
    import gzip
    import http.client
    import ssl
    conn = http.client.HTTPSConnection("127.0.0.1", s.srv.port, timeout=WAIT,
                                       context=ssl.create_default_context(cafile=str(s.env.certs.ca)))
    try:
        conn.request("GET", "/vendor/chart.js/chart.js", headers={"Accept-Encoding": "gzip"})
        r = conn.getresponse()
        body = r.read()
        assert r.status == 200 and r.getheader("Content-Encoding") == "gzip", (r.status, r.getheaders())
        assert gzip.decompress(body) == (WEB_ROOT / "vendor/chart.js/chart.js").read_bytes()
        assert r.getheader("Content-Type", "").startswith("text/javascript"), r.getheader("Content-Type")
    finally:
        conn.close()
    # The accessibility check can fail: an unlabelled field is a violation.
    d.execute_script("const i = document.createElement('input'); i.id = 'axe-probe';"
                     "document.querySelector('main').append(i);")
    try:
        axe(d, "probe")
        raise AssertionError("axe found no violation in an unlabelled input")
    except AssertionError as e:
        assert "axe-probe" in str(e), e
    d.execute_script("document.getElementById('axe-probe').remove()")
    axe(d, "login")


@t
def admin_creates_program_and_coordinator(s):
    """an admin creates a program and a coordinator of it in the browser; the coordinator can log in"""
    d = B.driver()
    login(d, ADMIN_LOGIN, ADMIN_PASSWORD)
    go(d, "admin/programs", "#prog-save")
    pid = s.gen.program("web")
    q(d, "#prog-id").send_keys(pid)
    q(d, "#prog-name").send_keys("Coaching Kepemimpinan 2026")
    q(d, "#prog-jp").clear()
    q(d, "#prog-jp").send_keys("24")
    q(d, "#prog-save").click()
    wait(d, lambda: pid in q(d, "#program-list").text, "the program in the list")
    check_screen(d, "admin-programs-id", phone_too=True)
    s._programs.add(pid)
    go(d, "admin/users", "#user-save")
    login_name = s.uniq("koord")
    q(d, "#user-login").send_keys(login_name)
    q(d, "#user-password").send_keys(s.PASSWORD)
    Select(q(d, "#user-role")).select_by_value("coordinator")
    Select(q(d, "#user-programs")).select_by_value(pid)
    q(d, "#user-save").click()
    wait(d, lambda: login_name in q(d, "#user-list").text, "the coordinator in the list")
    rows = {r.find_element(By.CSS_SELECTOR, "td").text: r for r in qs(d, "#user-list tbody tr")}
    assert not rows[ADMIN_LOGIN].find_elements(By.CSS_SELECTOR, "button"), "no way to disable oneself"
    assert rows[login_name].find_elements(By.CSS_SELECTOR, "button"), "others can be disabled"
    check_screen(d, "admin-users-id", phone_too=True)
    c = s.srv.login(login_name, s.PASSWORD)
    try:
        assert c.program_get(pid)["program"]["jp_target"] == 24
    finally:
        c.close()


@t
def coordinator_import_draft_review_publish_approve(s):
    """a coordinator imports coaches and mentees, runs a draft with live progress, reviews it with the explanation panel, publishes, bulk-approves with a note"""
    coord, login_name, program = coordinator(s)
    coord.close()
    g = s.gen
    coaches = [g.coach([program], capacity=3, organization="K0%02d" % (20 + i), province=p)
               for i, p in enumerate(["31", "32", "33", "35"])]
    # 13 mentees for 12 places: one stays unmatched, with its reason.
    mentees = [g.mentee(program, agency="K001", province=p) for p in ["31", "32", "33", "34", "35", "36"] * 2 + ["31"]]
    cf = jsonl(s.env.dir / "coaches.jsonl", coaches)
    mf = jsonl(s.env.dir / "mentees.jsonl", mentees)
    d = B.driver()
    login(d, login_name, s.PASSWORD)
    go(d, "coord/import", "#import-submit")
    for kind, path, n in (("coaches", cf, len(coaches)), ("mentees", mf, len(mentees))):
        Select(q(d, "#import-kind")).select_by_value(kind)
        q(d, "#import-file").send_keys(path)
        q(d, "#import-submit").click()
        want = "%d tersimpan, 0 gagal" % n
        wait(d, lambda: want in q(d, "#import-result").text, "import of %s: %r" % (kind, want))
    check_screen(d, "coord-import-id")

    go(d, "coord/runs", "#run-start")
    assert q(d, "#run-draft").is_selected(), "a draft by default"
    q(d, "#run-start").click()
    wait(d, lambda: "terpasang" in q(d, "#run-progress-text").text, "run.done shown")
    events = int(q(d, "#run-progress").get_attribute("data-events") or 0)
    assert events >= 1, "no run.progress reached the page"
    assert q(d, "#run-progress").get_attribute("value") == q(d, "#run-progress").get_attribute("max")
    wait(d, lambda: qs(d, "[data-publish]"), "the draft's publish button")
    assert "Draf" in q(d, "#run-list").text
    check_screen(d, "coord-runs-draft-id", phone_too=True)

    # Review the draft before publishing: names, scores, the explanation panel.
    run_id = q(d, "[data-publish]").get_attribute("data-publish")
    go(d, "coord/review?run=" + run_id, "#review-list tbody tr [data-explain]")
    names = q(d, "#review-list").text
    assert any(m["name"] in names for m in mentees) and any(c["name"] in names for c in coaches), names
    assert len(qs(d, "#review-list input[data-id]")) == 12
    # The page sorted by mentee name (by the server, or in the page).
    Select(q(d, "#review-sort")).select_by_value("mentee_name")
    wait(d, lambda: names_in_order(d), "the list sorted by mentee name")
    q(d, "#review-list [data-explain]").click()
    wait(d, lambda: qs(d, "#explain-panel .explain meter"), "the explanation panel")
    panel = q(d, "#explain-panel")
    assert len(qs(d, "#explain-panel .explain tbody tr")) == 3, "one row per competency of the mentee"
    # The mentees' three competencies are drawn among the managerial ones
    # (harness.Gen.mentee): the panel names them in Indonesian.
    shown = [c for c in MANAGERIAL if COMPETENCY_NAME_ID[c] in panel.text]
    assert len(shown) == 3, (shown, panel.text)
    check_screen(d, "coord-review-draft-id", phone_too=True)
    # By keyboard: Escape closes the panel and the focus returns to its row.
    from selenium.webdriver.common.keys import Keys
    q(d, "#explain-panel").send_keys(Keys.ESCAPE)
    wait(d, lambda: not q(d, "#explain-panel").is_displayed(), "the panel closed by Escape")
    assert d.execute_script("return document.activeElement.dataset.explain") is not None
    go(d, "coord/unmatched?run=" + run_id, "table")
    rows = qs(d, ".screen tbody tr")
    assert len(rows) == 1 and any(m["name"] in rows[0].text for m in mentees), [r.text for r in rows]
    check_screen(d, "coord-unmatched-id")

    go(d, "coord/runs", "[data-publish]")
    q(d, "[data-publish]").click()
    wait(d, lambda: "diterbitkan" in status_text(d), "publish")
    wait(d, lambda: not qs(d, "[data-publish]"), "the run shown published")

    go(d, "coord/review", "#review-list tbody")
    wait(d, lambda: qs(d, "#review-list input[data-id]"), "published proposals")
    n = len(qs(d, "#review-list input[data-id]"))
    q(d, "#review-all").click()
    q(d, "#review-note").send_keys("Disetujui rapat koordinasi")
    q(d, "#bulk-approve").click()
    wait(d, lambda: "%d pasangan disetujui" % n in status_text(d), "bulk approval of %d" % n)
    check_screen(d, "coord-review-approved-id")
    # CSV export of the list as filtered (status approved).
    Select(q(d, "#review-status")).select_by_value("approved")
    wait(d, lambda: len(qs(d, "#review-list input[data-id]")) == n, "the approved matches listed")
    dl = s.env.dir / "downloads"
    dl.mkdir(exist_ok=True)
    d.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(dl)})
    q(d, "#export-csv").click()
    wait(d, lambda: [f for f in dl.glob("*.csv")], "the CSV download")
    csv_path = next(dl.glob("*.csv"))
    wait(d, lambda: csv_path.read_text(encoding="utf-8").count("\n") == n + 1, "the whole CSV")
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("match_id,mentee_id,mentee_name"), lines[0]
    assert all(",approved," in l for l in lines[1:]), lines
    # A pin from the explanation panel binds later runs (after publishing:
    # a pin changes a draft's inputs, and run.publish then refuses it).
    pinned_id = q(d, "#review-list tbody tr td:nth-child(2) .code").text
    q(d, "#review-list [data-explain]").click()
    wait(d, lambda: qs(d, "#explain-panel [data-pin]"), "the panel's pin button")
    click(d, q(d, '#explain-panel [data-pin="pin"]'))
    wait(d, lambda: "dikunci" in status_text(d), "the pin")
    go(d, "coord/pins", "table")
    assert pinned_id in q(d, ".screen .table-wrap").text, q(d, ".screen .table-wrap").text
    check_screen(d, "coord-pins-id")
    c = s.srv.login(login_name, s.PASSWORD)
    try:
        items = c.match_list(program=program, status="approved", limit=100)["items"]
        assert len(items) == n, (len(items), n)
        notes = c.match_get(items[0]["id"])["match"].get("notes") or []
        assert any(x["text"] == "Disetujui rapat koordinasi" for x in notes), notes
    finally:
        c.close()

    # The coordinator gives a mentee of the program a login.
    go(d, "coord/users", "#user-save")
    ml = s.uniq("mentee")
    q(d, "#user-login").send_keys(ml)
    q(d, "#user-password").send_keys(s.PASSWORD)
    Select(q(d, "#user-role")).select_by_value("mentee")
    q(d, "#user-subject").send_keys(mentees[0]["id"])
    q(d, "#user-save").click()
    wait(d, lambda: ml in q(d, "#user-list").text, "the mentee user in the list")
    check_screen(d, "coord-users-id")
    c = s.srv.login(ml, s.PASSWORD)
    try:
        assert c.mentee_get(mentees[0]["id"])["profile"]["name"] == mentees[0]["name"]
    finally:
        c.close()

    go(d, "coord/dashboard", "#chart-scores")
    time.sleep(0.5)  # the charts draw on the next animation frame
    check_screen(d, "coord-dashboard-id", phone_too=True)
    for route, ready in (("coord/activity", "table"),):
        go(d, route, ready)
        check_screen(d, route.replace("/", "-") + "-id")
    errs = console_errors(d)
    assert not errs, "console errors: %s" % errs


@t
def mentee_and_coach_accept_meet_jp(s):
    """the mentee and the coach each see the other's card and accept; the coach logs a meeting, the mentee confirms it, the mentee's JP moves"""
    mentee, coach, ml, cl, match_id = pair_ready(s)
    d = B.driver()
    login(d, ml, s.PASSWORD)
    wait(d, lambda: qs(d, "#jp-text"), "the JP block")
    assert q(d, "#jp-text").text.startswith("0,0 dari 20 JP"), q(d, "#jp-text").text
    card = q(d, '[data-match="%s"]' % match_id)
    assert coach["name"] in card.text and "Disetujui" in card.text, card.text
    assert coach["email"] not in card.text, "contacts only from accepted on"
    check_screen(d, "mentee-matches-approved-id", phone_too=True)
    card.find_element(By.CSS_SELECTOR, "button.primary").click()
    wait(d, lambda: "diterima" in status_text(d), "the mentee's acceptance")

    login(d, cl, s.PASSWORD)
    card = q(d, '[data-match="%s"]' % match_id)
    assert mentee["name"] in card.text, card.text
    card.find_element(By.CSS_SELECTOR, "button.primary").click()
    wait(d, lambda: qs(d, '[data-match="%s"] form.inline-form input[type=date]' % match_id), "the meeting form")
    card = q(d, '[data-match="%s"]' % match_id)
    assert "Diterima" in card.text, card.text
    date = card.find_element(By.CSS_SELECTOR, "input[type=date]")
    assert date.get_attribute("value") == server_date(), "the form offers today in the server's zone"
    mins = card.find_element(By.CSS_SELECTOR, "input[type=number]")
    mins.clear()
    mins.send_keys("90")
    card.find_element(By.CSS_SELECTOR, "form.inline-form button[type=submit]").click()
    wait(d, lambda: "JP" in status_text(d), "the meeting logged")
    check_screen(d, "coach-mentees-id", phone_too=True)

    login(d, ml, s.PASSWORD)
    wait(d, lambda: q(d, "#jp-text").text.startswith("2,0 dari 20 JP"), "the JP moved to 2.0")
    card = q(d, '[data-match="%s"]' % match_id)
    assert coach["email"] in card.text and coach["phone"] in card.text, "contacts once accepted: %s" % card.text
    confirm = card.find_elements(By.XPATH, ".//button[normalize-space()='Konfirmasi']")
    assert confirm, "a Confirm button for the coach's meeting"
    confirm[0].click()
    wait(d, lambda: "dikonfirmasi" in status_text(d), "the confirmation")
    wait(d, lambda: "Terkonfirmasi" in q(d, '[data-match="%s"] .meetings' % match_id).text, "shown confirmed")
    assert q(d, "#jp-text").text.startswith("2,0 dari 20 JP"), "a confirmation adds no JP"
    assert float(q(d, "#jp-progress").get_attribute("value")) == 2.0
    check_screen(d, "mentee-matches-active-id", phone_too=True)
    go(d, "mentee/profile", "table")
    assert "Integritas" in visible_text(d) or "Kerjasama" in visible_text(d) or "Komunikasi" in visible_text(d)
    check_screen(d, "mentee-profile-id", phone_too=True)
    go(d, "mentee/suggest", "h1")
    check_screen(d, "mentee-suggest-id")
    # The account screen: the mentee changes its password; the new one works.
    go(d, "account", "#pw-save")
    q(d, "#pw-old").send_keys(s.PASSWORD)
    q(d, "#pw-new").send_keys("Baru-pa55word-456")
    q(d, "#pw-again").send_keys("Baru-pa55word-456")
    q(d, "#pw-save").click()
    wait(d, lambda: "Kata sandi diganti" in status_text(d), "the password changed")
    check_screen(d, "account-id", phone_too=True)
    s.srv.login(ml, "Baru-pa55word-456").close()
    errs = console_errors(d)
    assert not errs, "console errors: %s" % errs


@t
def mentee_suggestions_and_request(s):
    """a mentee of a self-service program sees suggested coaches with their explanations and requests one"""
    coord, _name, program = coordinator(s)
    g = s.gen
    coach = g.coach([program], capacity=2)
    mentee = g.mentee(program, comps=["M.01", "M.04"])
    coord.coach_put(coach)
    coord.mentee_put(mentee)
    ml = s.uniq("mentee")
    coord.user_create(ml, s.PASSWORD, "mentee", subject=mentee["id"])
    coord.close()
    d = B.driver()
    login(d, ml, s.PASSWORD)
    assert "Belum ada pasangan" in visible_text(d)
    go(d, "mentee/suggest", "section.card")
    card = q(d, ".screen section.card")
    assert coach["name"] in card.text, card.text
    toggle = card.find_element(By.CSS_SELECTOR, "button[aria-expanded]")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    panel = card.find_element(By.CSS_SELECTOR, ".explain-box")
    assert panel.is_displayed() and len(panel.find_elements(By.CSS_SELECTOR, "tbody tr")) == 2, panel.text
    assert "Integritas" in panel.text, panel.text
    check_screen(d, "mentee-suggest-explained-id", phone_too=True)
    card.find_element(By.CSS_SELECTOR, "button.primary").click()
    wait(d, lambda: qs(d, '.screen[data-screen="mentee/matches"] [data-match]'), "the requested match")
    assert "Permintaan terkirim" in status_text(d), status_text(d)
    assert "Diminta" in q(d, "[data-match]").text


@t
def language_switch(s):
    """Bahasa Indonesia by default; the switch turns every text to English and back, and is remembered"""
    d = B.driver()
    fresh(d, "id")
    check_screen(d, "login-id", phone_too=True)
    q(d, "#lang-switch").click()
    wait(d, lambda: d.execute_script("return document.documentElement.lang") == "en", "lang=en")
    assert q(d, "#login-submit").text == "Log in"
    assert q(d, "#lang-switch").text == "Bahasa Indonesia"
    check_screen(d, "login-en", phone_too=True)
    mentee, coach, ml, _cl, match_id = pair_ready(s)
    q(d, "#login-name").send_keys(ml)
    q(d, "#login-password").send_keys(s.PASSWORD)
    q(d, "#login-submit").click()
    wait(d, lambda: qs(d, '[data-match="%s"]' % match_id), "the mentee's matches")
    text = visible_text(d)
    assert "My matches" in text and "Approved" in text and "Accept" in text, text
    assert "Pasangan saya" not in text
    check_screen(d, "mentee-matches-en", phone_too=True)
    d.refresh()
    wait(d, lambda: qs(d, '[data-match="%s"]' % match_id), "the session resumed after a reload")
    assert d.execute_script("return document.documentElement.lang") == "en", "the choice is remembered"
    q(d, "#lang-switch").click()
    wait(d, lambda: "Pasangan saya" in visible_text(d) and "Terima" in visible_text(d), "back in Bahasa Indonesia")


@t
def english_coordinator_and_admin_screens(s):
    """the coordinator's and the admin's screens in English: axe, no untranslated key, screenshots"""
    coord, login_name, program = coordinator(s)
    g = s.gen
    coord.coach_put(g.coach([program], capacity=2))
    for _ in range(3):
        coord.mentee_put(g.mentee(program))
    run_and_wait(coord, program)
    coord.close()
    d = B.driver()
    login(d, login_name, s.PASSWORD, lang="en")
    for route, ready in (("coord/dashboard", "#chart-scores"), ("coord/runs", "#run-start"),
                         ("coord/review", "#bulk-approve"), ("coord/unmatched", "table"),
                         ("coord/import", "#import-submit"), ("coord/pins", "table"),
                         ("coord/activity", "table"), ("coord/users", "#user-save")):
        go(d, route, ready)
        time.sleep(0.3)
        check_screen(d, route.replace("/", "-") + "-en", phone_too=route in ("coord/review", "coord/dashboard"))
    login(d, ADMIN_LOGIN, ADMIN_PASSWORD, lang="en")
    for route, ready in (("admin/programs", "#prog-save"), ("admin/users", "#user-save"), ("account", "#pw-save")):
        go(d, route, ready)
        check_screen(d, route.replace("/", "-") + "-en")
    errs = console_errors(d)
    assert not errs, "console errors: %s" % errs


@t
def reconnect_resumes_the_session(s):
    """coachnetd restarted under an open page: the page says so, reconnects by itself, resumes the session (no new login) and works on"""
    d = B.driver()
    login(d, ADMIN_LOGIN, ADMIN_PASSWORD)
    go(d, "admin/programs", "#prog-save")
    s.srv.restart()
    s._admin = None
    wait(d, lambda: "Tersambung kembali" in (status_text(d) or ""), "the page reconnected")
    assert qs(d, "#logout") and not qs(d, "#login-submit"), "still logged in"
    pid = s.gen.program("rc")
    q(d, "#prog-id").send_keys(pid)
    q(d, "#prog-name").send_keys("Program setelah sambung ulang")
    q(d, "#prog-save").click()
    wait(d, lambda: pid in q(d, "#program-list").text, "a call after the reconnect")
    s._programs.add(pid)


@t
def keyboard_only_login(s):
    """the login works by keyboard alone: Tab to the fields, type, Enter"""
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.common.action_chains import ActionChains
    d = B.driver()
    fresh(d)
    body = q(d, "body")
    body.click()
    seen = []
    for _ in range(8):
        ActionChains(d).send_keys(Keys.TAB).perform()
        seen.append(d.execute_script("return document.activeElement.id || document.activeElement.className"))
        if seen[-1] == "login-name":
            break
    assert seen[-1] == "login-name", "Tab order: %s" % seen
    ActionChains(d).send_keys(ADMIN_LOGIN).send_keys(Keys.TAB).send_keys(ADMIN_PASSWORD).send_keys(Keys.ENTER).perform()
    wait(d, lambda: qs(d, "#logout"), "logged in by keyboard")


@t
def close_browser(s):
    """chromium quits cleanly"""
    B.quit()


if __name__ == "__main__":
    try:
        main(suite)
    finally:
        B.quit()
