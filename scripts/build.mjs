#!/usr/bin/env node
// Bundle every action (actions/<name>/src/main.ts → actions/<name>/dist/index.cjs) and the CLI
// (src/cli/bin.ts → dist/cli/idlc.cjs) with esbuild. Output is deterministic: the same
// sources and lock file give byte-identical bundles, which `--check` relies on.
//
//   node scripts/build.mjs           build in place
//   node scripts/build.mjs --check   build into a temp folder and fail if committed dist/ differs
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const outRoot = check ? mkdtempSync(join(tmpdir(), 'idlc-check-dist-')) : root;
const HCL_WASM = join(root, 'node_modules', '@cdktf', 'hcl2json', 'main.wasm.gz');
const RE2_WASM = join(root, 'node_modules', 're2-wasm', 'build', 'wasm', 're2.wasm');

// hcl2json loads its wasm from `__dirname/../main.wasm.gz`; in a bundle __dirname is dist/,
// so point it at a copy that sits beside the bundle.
const hclWasmBesideBundle = {
  name: 'hcl2json-wasm-path',
  setup(build) {
    build.onLoad({ filter: /@cdktf[\\/]hcl2json[\\/]lib[\\/]bridge\.js$/ }, (args) => {
      const src = readFileSync(args.path, 'utf8');
      const patched = src.replace(
        '(0, path_1.join)(__dirname, "..", "main.wasm.gz")',
        '(0, path_1.join)(__dirname, "main.wasm.gz")',
      );
      if (patched === src) throw new Error('hcl2json bridge.js changed: update scripts/build.mjs');
      return { contents: patched, loader: 'js' };
    });
  },
};

function targets() {
  const list = [{ entry: 'src/cli/bin.ts', out: 'dist/cli/idlc.cjs' }];
  for (const name of readdirSync(join(root, 'actions')).sort()) {
    const entry = join('actions', name, 'src', 'main.ts');
    if (existsSync(join(root, entry))) list.push({ entry, out: join('actions', name, 'dist', 'index.cjs') });
  }
  return list;
}

async function buildOne({ entry, out }) {
  const outfile = join(outRoot, out);
  rmSync(dirname(outfile), { recursive: true, force: true });
  mkdirSync(dirname(outfile), { recursive: true });
  const result = await esbuild.build({
    entryPoints: [join(root, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: false,
    keepNames: true,
    // node_modules may be a symlink (a worktree sharing the main checkout's): keep the paths in
    // the bundle as written, so the output does not depend on where the packages really are.
    preserveSymlinks: true,
    legalComments: 'none',
    sourcemap: false,
    metafile: true,
    logLevel: 'warning',
    absWorkingDir: root,
    plugins: [hclWasmBesideBundle],
    // globalThis.performance exists on Node 20+; the wasm shim only requires it as a fallback.
    external: ['performance'],
    define: { 'import.meta.url': 'importMetaUrl' },
    banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
  });
  const usesHcl = Object.keys(result.metafile.inputs).some((p) => p.includes('@cdktf/hcl2json'));
  if (usesHcl) cpSync(HCL_WASM, join(dirname(outfile), 'main.wasm.gz'));
  // re2-wasm (regex patterns of the @kubernetes-models validators) loads `__dirname/re2.wasm`
  const usesRe2 = Object.keys(result.metafile.inputs).some((p) => p.includes('re2-wasm'));
  if (usesRe2) cpSync(RE2_WASM, join(dirname(outfile), 're2.wasm'));
}

function hashDir(dir) {
  const out = new Map();
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir, { recursive: true })) {
    const p = join(dir, f);
    try {
      out.set(String(f), createHash('sha256').update(readFileSync(p)).digest('hex'));
    } catch {
      // a folder
    }
  }
  return out;
}

const list = targets();
await Promise.all(list.map(buildOne));

if (check) {
  const stale = [];
  for (const { out } of list) {
    if (out.startsWith('dist/')) continue; // the CLI bundle is not committed
    const fresh = hashDir(join(outRoot, dirname(out)));
    const committed = hashDir(join(root, dirname(out)));
    for (const [f, h] of fresh) if (committed.get(f) !== h) stale.push(join(dirname(out), f));
    for (const f of committed.keys())
      if (!fresh.has(f)) stale.push(`${join(dirname(out), f)} (not produced by the build)`);
  }
  rmSync(outRoot, { recursive: true, force: true });
  if (stale.length > 0) {
    console.error(`check-dist: committed bundles differ from a fresh build:\n  ${stale.join('\n  ')}`);
    console.error('  fix: run `npm run build` and commit actions/*/dist');
    process.exit(1);
  }
  console.log(`check-dist: ${list.length - 1} action bundles match a fresh build`);
} else {
  console.log(`built ${list.map((t) => relative(root, join(root, t.out))).join(', ')}`);
}
