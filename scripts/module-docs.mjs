#!/usr/bin/env node
// Generate the inputs/outputs/resources tables of every module README (terraform-docs format)
// from the module's own HCL, parsed with HashiCorp's parser (@cdktf/hcl2json).
//
//   node scripts/module-docs.mjs            rewrite the generated part of each README
//   node scripts/module-docs.mjs --check    exit 1 when a README is missing or out of date
//   node scripts/module-docs.mjs [--check] idlc/aws/modules/kms-key ...   only these modules
//
// Only the text between <!-- BEGIN_TF_DOCS --> and <!-- END_TF_DOCS --> is generated (the same
// markers terraform-docs uses, so either tool can maintain it); purpose, usage, security and
// cost notes above the markers are hand-written.
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '@cdktf/hcl2json';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MODULE_ROOTS = ['idlc/aws/modules', 'idlc/gcp/modules'];
const BEGIN = '<!-- BEGIN_TF_DOCS -->';
const END = '<!-- END_TF_DOCS -->';
const REGISTRY = {
  aws: 'https://registry.terraform.io/providers/hashicorp/aws/latest/docs',
  google: 'https://registry.terraform.io/providers/hashicorp/google/latest/docs',
};

/** Merge the hcl2json documents of every .tf file in a module folder. */
async function loadModule(dir) {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.tf')).sort();
  const merged = { variable: {}, output: {}, resource: {}, data: {}, module: {}, terraform: [] };
  for (const f of files) {
    const path = join(dir, f);
    let doc;
    try {
      doc = await parse(path, await readFile(path, 'utf8'));
    } catch (err) {
      throw new Error(`${relative(ROOT, path)}: invalid HCL: ${String(err.message ?? err).split('\n')[0]}`);
    }
    for (const kind of ['variable', 'output', 'module']) Object.assign(merged[kind], doc[kind] ?? {});
    for (const kind of ['resource', 'data']) {
      for (const [type, byName] of Object.entries(doc[kind] ?? {})) {
        merged[kind][type] = { ...(merged[kind][type] ?? {}), ...byName };
      }
    }
    merged.terraform.push(...(doc.terraform ?? []));
  }
  return merged;
}

/** hcl2json wraps expressions as "${...}"; show them as written, dedented. */
function expr(value) {
  if (typeof value !== 'string') return value;
  const m = /^\$\{([\s\S]*)\}$/.exec(value);
  if (!m) return value;
  const lines = m[1].split('\n');
  const indents = lines
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((l) => l.match(/^ */)[0].length);
  const cut = Math.max(0, Math.min(...indents, Number.POSITIVE_INFINITY) - 2);
  return lines.map((l, i) => (i === 0 ? l : l.slice(cut))).join('\n');
}

const anchor = (kind, name) =>
  `<a name="${kind}_${name}"></a> [${name}](#${kind}\\_${name.replaceAll('_', '\\_')})`;
const cell = (text) =>
  String(text ?? '')
    .replaceAll('|', '\\|')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replace(/\s*\n\s*/g, ' ')
    .trim();

/** terraform-docs style: short values as code, multi-line ones as <pre> with <br/>. */
function code(text) {
  const s = String(text);
  if (!s.includes('\n')) return `\`${s.replaceAll('|', '\\|')}\``;
  const esc = s
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('|', '\\|');
  return `<pre>${esc.split('\n').join('<br/>')}</pre>`;
}

function renderDefault(body) {
  if (!Object.hasOwn(body, 'default')) return 'n/a';
  const v = body.default;
  if (v === null) return '`null`';
  if (typeof v === 'string') {
    const e = expr(v);
    return code(e === v ? JSON.stringify(v) : e);
  }
  if (typeof v === 'object' && Object.keys(v).length === 0) return code(Array.isArray(v) ? '[]' : '{}');
  return code(JSON.stringify(v, null, 2));
}

function providersOf(mod) {
  const out = [];
  for (const t of mod.terraform) {
    for (const rp of t.required_providers ?? []) {
      for (const [name, spec] of Object.entries(rp))
        out.push({ name, ...(typeof spec === 'object' ? spec : {}) });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

function resourceLink(kind, type) {
  const provider = type.split('_')[0];
  const base = REGISTRY[provider];
  const short = type.slice(provider.length + 1);
  const path = kind === 'resource' ? 'resources' : 'data-sources';
  return base ? `${base}/${path}/${short}` : undefined;
}

export function render(mod) {
  const lines = [];
  const required = mod.terraform.map((t) => t.required_version).find(Boolean);
  const providers = providersOf(mod);

  lines.push('## Requirements', '', '| Name | Version |', '|------|---------|');
  if (required) lines.push(`| ${anchor('requirement', 'terraform')} | ${cell(required)} |`);
  for (const p of providers) lines.push(`| ${anchor('requirement', p.name)} | ${cell(p.version ?? 'n/a')} |`);

  lines.push('', '## Providers', '');
  if (providers.length === 0) lines.push('No providers.');
  else {
    lines.push('| Name | Version |', '|------|---------|');
    for (const p of providers) lines.push(`| ${anchor('provider', p.name)} | ${cell(p.version ?? 'n/a')} |`);
  }

  lines.push('', '## Modules', '');
  const modules = Object.entries(mod.module).sort(([a], [b]) => a.localeCompare(b));
  if (modules.length === 0) lines.push('No modules.');
  else {
    lines.push('| Name | Source | Version |', '|------|--------|---------|');
    for (const [name, [body]] of modules) {
      lines.push(`| ${anchor('module', name)} | ${cell(body.source)} | ${cell(body.version ?? 'n/a')} |`);
    }
  }

  lines.push('', '## Resources', '');
  const resources = [];
  for (const kind of ['resource', 'data']) {
    for (const [type, byName] of Object.entries(mod[kind])) {
      for (const name of Object.keys(byName)) {
        const addr = kind === 'data' ? `data.${type}.${name}` : `${type}.${name}`;
        resources.push({
          addr,
          link: resourceLink(kind, type),
          kind: kind === 'data' ? 'data source' : 'resource',
        });
      }
    }
  }
  resources.sort((a, b) => a.addr.replace(/^data\./, '').localeCompare(b.addr.replace(/^data\./, '')));
  if (resources.length === 0) lines.push('No resources.');
  else {
    lines.push('| Name | Type |', '|------|------|');
    for (const r of resources) {
      const shown = r.addr.replace(/^data\./, '');
      lines.push(`| ${r.link ? `[${shown}](${r.link})` : shown} | ${r.kind} |`);
    }
  }

  lines.push('', '## Inputs', '');
  // terraform-docs order: required inputs first, then optional, each alphabetical.
  const vars = Object.entries(mod.variable).map(([name, [body]]) => ({ name, body }));
  vars.sort((a, b) => {
    const ra = Object.hasOwn(a.body, 'default') ? 1 : 0;
    const rb = Object.hasOwn(b.body, 'default') ? 1 : 0;
    return ra - rb || a.name.localeCompare(b.name);
  });
  if (vars.length === 0) lines.push('No inputs.');
  else {
    lines.push(
      '| Name | Description | Type | Default | Required |',
      '|------|-------------|------|---------|:--------:|',
    );
    for (const { name, body } of vars) {
      const type = body.type === undefined ? 'any' : expr(body.type);
      const req = Object.hasOwn(body, 'default') ? 'no' : 'yes';
      lines.push(
        `| ${anchor('input', name)} | ${cell(body.description)} | ${code(type)} | ${renderDefault(body)} | ${req} |`,
      );
    }
  }

  lines.push('', '## Outputs', '');
  const outputs = Object.entries(mod.output).sort(([a], [b]) => a.localeCompare(b));
  if (outputs.length === 0) lines.push('No outputs.');
  else {
    lines.push('| Name | Description |', '|------|-------------|');
    for (const [name, [body]] of outputs)
      lines.push(`| ${anchor('output', name)} | ${cell(body.description)} |`);
  }
  return `${lines.join('\n')}\n`;
}

async function moduleDirs(args) {
  if (args.length > 0) return args.map((a) => resolve(ROOT, a));
  const out = [];
  for (const root of MODULE_ROOTS) {
    const abs = join(ROOT, root);
    if (!existsSync(abs)) continue;
    for (const e of await readdir(abs, { withFileTypes: true })) {
      if (e.isDirectory() && !e.name.startsWith('.')) out.push(join(abs, e.name));
    }
  }
  return out.sort();
}

async function main() {
  const argv = process.argv.slice(2);
  const check = argv.includes('--check');
  const dirs = await moduleDirs(argv.filter((a) => a !== '--check'));
  const problems = [];
  let changed = 0;
  for (const dir of dirs) {
    const rel = relative(ROOT, dir);
    const readmePath = join(dir, 'README.md');
    if (!existsSync(readmePath)) {
      problems.push(
        `${rel}/README.md: missing; write purpose, usage, security and cost notes, then the markers ${BEGIN} ${END}`,
      );
      continue;
    }
    const readme = await readFile(readmePath, 'utf8');
    const start = readme.indexOf(BEGIN);
    const end = readme.indexOf(END);
    if (start < 0 || end < start) {
      problems.push(
        `${rel}/README.md: no ${BEGIN} ... ${END} section; add both markers where the tables belong`,
      );
      continue;
    }
    let generated;
    try {
      generated = render(await loadModule(dir));
    } catch (err) {
      problems.push(String(err.message ?? err));
      continue;
    }
    const next = `${readme.slice(0, start + BEGIN.length)}\n${generated}${readme.slice(end)}`;
    if (next === readme) continue;
    if (check) {
      problems.push(
        `${rel}/README.md: inputs/outputs tables are out of date; run node scripts/module-docs.mjs`,
      );
    } else {
      const tmp = `${readmePath}.${process.pid}.tmp`;
      await writeFile(tmp, next);
      await rename(tmp, readmePath);
      changed++;
      console.log(`updated ${rel}/README.md`);
    }
  }
  for (const p of problems) console.error(`module-docs: ${p}`);
  if (problems.length > 0) process.exit(1);
  console.log(
    `module-docs: ${dirs.length} module README(s) ${check ? 'up to date' : `checked, ${changed} updated`}`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
