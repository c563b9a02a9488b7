#!/usr/bin/env node
// build.mjs -- assemble the web app into one folder that coachnetd's
// web-root points at:  node web/tools/build.mjs OUT_DIR
//
//   OUT/index.html, css/, js/, i18n/   the app (web/)
//   OUT/data/*.tsv                      the catalogues the server ships (data/)
//   OUT/lib/*.mjs                       the JS client (clients/js/)
//   OUT/vendor/...                      the ES-module builds of the npm packages
//                                       (web/node_modules, pinned by package-lock.json)
//   OUT/**/<file>.gz                    gzip siblings of the larger text files, which
//                                       coachnetd sends to browsers that accept gzip
//
// The server's Content-Security-Policy allows no inline script, and an import
// map is an inline script (browsers load no external import map), so instead
// of an import map the two bare specifiers of the vendored code are rewritten
// to relative paths here (BARE): "@msgpack/msgpack" in the client and
// "@kurkle/color" in Chart.js.  The sourceMappingURL comments go (the maps
// are not shipped).  Nothing else is changed.  OUT is replaced as a whole.
//
// Copyright (c) 2026, the coachnet authors.  BSD-3-Clause, see LICENSE.

import {
    cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const WEB = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const TOP = resolve(WEB, "..");
const NM = join(WEB, "node_modules");

/** Bare specifiers and the files of OUT they stand for. */
const BARE = { "@msgpack/msgpack": "vendor/msgpack/index.mjs", "@kurkle/color": "vendor/kurkle-color/color.esm.js" };
const SOURCEMAP = /^\/\/# sourceMappingURL=.*$/gm;

/** Files coachnetd may send gzipped (server/web.c serves "<file>.gz" when
 * the browser accepts gzip and the sibling is not older than the file). */
const GZIP_EXT = /\.(html|css|js|mjs|json|tsv|svg)$/;
const GZIP_MIN = 1024;      // smaller files gain nothing worth a second copy
const GZIP_GAIN = 0.9;      // keep a .gz only when at most this fraction of the file

/** Copy src to dst (inside out), its bare imports (`from "x"`, `import "x"`)
 * made relative to dst's folder. */
function copyRewritten(src, dst, out) {
    let text = readFileSync(src, "utf8");
    for (const [bare, target] of Object.entries(BARE)) {
        let rel = relative(dirname(dst), join(out, target));
        if (!rel.startsWith(".")) rel = `./${rel}`;
        const re = new RegExp(`((?:from|import)\\s*["'])${bare.replace(/[/.]/g, "\\$&")}(["'])`, "g");
        text = text.replace(re, `$1${rel}$2`);
    }
    mkdirSync(dirname(dst), { recursive: true });
    writeFileSync(dst, text.replace(SOURCEMAP, ""));
}

function main(out) {
    if (!out) {
        console.error("usage: build.mjs OUT_DIR");
        process.exit(2);
    }
    for (const p of ["@msgpack/msgpack/dist.esm/index.mjs", "chart.js/dist/chart.js", "@kurkle/color/dist/color.esm.js"]) {
        if (!existsSync(join(NM, p))) {
            console.error(`build.mjs: ${join(NM, p)} is missing: run scripts/install-deps (npm ci --prefix web)`);
            process.exit(1);
        }
    }
    out = resolve(out);
    const tmp = `${out}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });

    cpSync(join(WEB, "index.html"), join(tmp, "index.html"));
    for (const d of ["css", "js", "i18n"]) cpSync(join(WEB, d), join(tmp, d), { recursive: true });
    for (const f of readdirSync(join(TOP, "data")).filter((f) => f.endsWith(".tsv")))
        cpSync(join(TOP, "data", f), join(tmp, "data", f));
    for (const f of ["coachnet.mjs", "transport-ws.mjs", "methods.gen.mjs"])
        copyRewritten(join(TOP, "clients/js", f), join(tmp, "lib", f), tmp);

    const msgpack = join(NM, "@msgpack/msgpack/dist.esm");
    for (const f of readdirSync(msgpack, { recursive: true }).filter((f) => String(f).endsWith(".mjs")))
        copyRewritten(join(msgpack, f), join(tmp, "vendor/msgpack", f), tmp);
    copyRewritten(join(NM, "chart.js/dist/chart.js"), join(tmp, "vendor/chart.js/chart.js"), tmp);
    copyRewritten(join(NM, "chart.js/dist/chunks/helpers.dataset.js"), join(tmp, "vendor/chart.js/chunks/helpers.dataset.js"), tmp);
    copyRewritten(join(NM, "@kurkle/color/dist/color.esm.js"), join(tmp, "vendor/kurkle-color/color.esm.js"), tmp);
    for (const [lic, dir] of [["@msgpack/msgpack/LICENSE", "msgpack"], ["chart.js/LICENSE.md", "chart.js"],
                              ["@kurkle/color/LICENSE.md", "kurkle-color"]])
        cpSync(join(NM, lic), join(tmp, "vendor", dir, lic.split("/").pop()));

    // Precompressed siblings, written after every file (so never older).
    for (const f of readdirSync(tmp, { recursive: true }).map(String).filter((f) => GZIP_EXT.test(f))) {
        const path = join(tmp, f);
        const st = statSync(path);
        if (!st.isFile() || st.size < GZIP_MIN) continue;
        const raw = readFileSync(path);
        const gz = gzipSync(raw, { level: 9 });
        if (gz.length <= raw.length * GZIP_GAIN) writeFileSync(`${path}.gz`, gz);
    }

    rmSync(out, { recursive: true, force: true });
    renameSync(tmp, out);
}

main(process.argv[2]);
