// The web app's static checks under node: the two catalogues agree, every
// key the code uses exists in both, the markup holds no text and no inline
// script, and the build's output is a closed graph of ES modules with no
// bare specifier left (the CSP forbids the inline import map that would
// otherwise resolve them).

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import test from "node:test";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

import { METHODS } from "../../clients/js/methods.gen.mjs";

const WEB = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const id = JSON.parse(readFileSync(join(WEB, "i18n/id.json"), "utf8"));
const en = JSON.parse(readFileSync(join(WEB, "i18n/en.json"), "utf8"));
const code = readdirSync(join(WEB, "js")).filter((f) => f.endsWith(".mjs"))
    .map((f) => [f, readFileSync(join(WEB, "js", f), "utf8")]);
const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test("catalogues: id and en have the same keys, no empty text, the same placeholders", () => {
    assert.deepEqual(Object.keys(id).sort(), Object.keys(en).sort());
    for (const [k, v] of Object.entries(id)) {
        assert.ok(v.trim() && en[k].trim(), `empty text for ${k}`);
        assert.deepEqual(placeholders(v), placeholders(en[k]), `placeholders of ${k}`);
    }
});

test("catalogues: every key the code names exists (t, field, data-i18n)", () => {
    const used = new Set();
    for (const [, src] of code) {
        for (const m of src.matchAll(/\b(?:t|field)\(\s*"([a-z_]+\.[a-z_0-9]+)"/g)) used.add(m[1]);
        for (const m of src.matchAll(/"([a-z]+\.[a-z_0-9]+)"\s*:\s*"[a-z]+\.[a-z_0-9]+"/g)) used.add(m[1]);
        // keys passed through a variable: [route, "nav.x", fn], ["dash.x", value], hint keys
        for (const m of src.matchAll(/\[\s*"[a-z]+\/[a-z]+",\s*"([a-z]+\.[a-z_]+)"/g)) used.add(m[1]);
        for (const m of src.matchAll(/\[\s*"(dash\.[a-z_]+)",/g)) used.add(m[1]);
        for (const m of src.matchAll(/, "([a-z]+\.[a-z_]+_hint)"\)/g)) used.add(m[1]);
    }
    const html = readFileSync(join(WEB, "index.html"), "utf8");
    for (const m of html.matchAll(/data-i18n(?:-label)?="([^"]+)"/g)) used.add(m[1]);
    assert.ok(used.size > 200, `found only ${used.size} keys: the scan is broken`);
    const missing = [...used].filter((k) => !(k in id));
    assert.deepEqual(missing, []);
});

test("catalogues: every 'ns.key' string literal of the code is a catalogue key (or a method, notification, file or storage key)", () => {
    const notifications = Object.keys(JSON.parse(readFileSync(join(WEB, "../api/notifications.json"), "utf8")));
    const other = (s) => s in METHODS || notifications.includes(s) || /^coachnet\./.test(s) || /\.(tsv|json)$/.test(s);
    const literals = new Set();
    for (const [, src] of code) for (const m of src.matchAll(/"([a-z]+\.[a-z_0-9]+)"/g)) literals.add(m[1]);
    assert.ok(literals.size > 300, `found only ${literals.size} literals: the scan is broken`);
    assert.deepEqual([...literals].filter((k) => !(k in id) && !other(k)), []);
});

test("catalogues: every status, reason, role, kind and error code of the API has its text", () => {
    const enumOf = (method, name) => METHODS[method].params.find((p) => p.name === name).values;
    const need = [
        ...enumOf("match.list", "status").map((s) => `status.${s}`),
        ...enumOf("run.unmatched", "reason").map((s) => `reason.${s}`),
        ...enumOf("user.create", "role").map((s) => `role.${s}`),
        ...["capacity", "same_agency", "rank", "modality", "language", "availability", "forbidden", "min_score"]
            .map((s) => `reason.${s}`),
        ...["pkn1_alumni", "pkn2_alumni", "corporate_leader", "widyaiswara", "senior_official"].map((s) => `kind.${s}`),
        ...["bad_request", "unknown_method", "invalid_params", "unauthenticated", "forbidden", "not_found",
            "conflict", "capacity_full", "rate_limited", "too_large", "unavailable", "internal", "timeout"]
            .map((s) => `err.${s}`),
    ];
    assert.deepEqual(need.filter((k) => !(k in id)), []);
});

test("markup: no inline script or handler, no text outside the catalogues", () => {
    const html = readFileSync(join(WEB, "index.html"), "utf8");
    for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
        assert.match(m[1], /\bsrc=/, "every script is a file");
        assert.equal(m[2].trim(), "", "no inline script");
    }
    assert.doesNotMatch(html, /\son[a-z]+=/i, "no inline event handler");
    assert.doesNotMatch(html, /\sstyle=/i, "no inline style");
    const body = html.slice(html.indexOf("<body>"));
    const text = body.replace(/<[^>]+>/g, "").trim();
    assert.equal(text, "", "text in the markup belongs in the catalogues");
    for (const [f, src] of code) {
        assert.doesNotMatch(src, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/,
                            `${f}: builds DOM from strings`);
    }
});

test("build: a closed graph of ES modules from js/app.mjs, no bare specifier left, catalogues and data copied, gzip siblings", () => {
    const out = join(mkdtempSync(join(tmpdir(), "coachnet-web-")), "web");
    try {
        execFileSync(process.execPath, [join(WEB, "tools/build.mjs"), out]);
        for (const f of ["index.html", "css/app.css", "i18n/id.json", "i18n/en.json", "data/competencies.tsv",
                         "data/provinces.tsv", "data/position_classes.tsv", "lib/coachnet.mjs"])
            assert.ok(existsSync(join(out, f)), `${f} missing`);
        const seen = new Set();
        const visit = (file) => {
            if (seen.has(file)) return;
            seen.add(file);
            assert.ok(existsSync(file), `imported but missing: ${file}`);
            const src = readFileSync(file, "utf8");
            for (const m of src.matchAll(/(?:^|[;\s}])(?:import|export)\s*(?:[^'";]*?\bfrom\s*)?["']([^"']+)["']/g)) {
                const spec = m[1];
                assert.match(spec, /^\.{1,2}\//, `${file}: bare specifier ${spec}`);
                visit(resolve(dirname(file), spec));
            }
        };
        visit(join(out, "js/app.mjs"));
        for (const must of ["lib/coachnet.mjs", "vendor/msgpack/index.mjs", "vendor/chart.js/chart.js",
                            "vendor/kurkle-color/color.esm.js"])
            assert.ok(seen.has(join(out, must)), `${must} not reached from app.mjs`);
        assert.ok(seen.size > 20, `only ${seen.size} modules reached`);
        // gzip siblings: the large modules have one, each is its file's
        // exact content and not older than it (server/web.c's condition).
        const gz = readdirSync(out, { recursive: true }).map(String).filter((f) => f.endsWith(".gz"));
        for (const must of ["vendor/chart.js/chart.js.gz", "lib/methods.gen.mjs.gz", "js/coord.mjs.gz"])
            assert.ok(gz.includes(must), `${must} missing`);
        for (const f of gz) {
            const plain = join(out, f.slice(0, -3));
            assert.deepEqual(gunzipSync(readFileSync(join(out, f))), readFileSync(plain), f);
            assert.ok(statSync(join(out, f)).mtimeMs >= statSync(plain).mtimeMs, `${f} older than its file`);
        }
    } finally {
        rmSync(dirname(out), { recursive: true, force: true });
    }
});
