// idlc sandbox stand-in for actions/upload-artifact (see ../README.md). No dependencies.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const input = (name) => (process.env[`INPUT_${name.toUpperCase()}`] ?? '').trim();

function walk(dir, root, out) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, root, out);
    else if (entry.isFile())
      out[path.relative(root, full).split(path.sep).join('/')] = fs.readFileSync(full).toString('base64');
  }
}

async function main() {
  const name = input('name') || 'artifact';
  const ws = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const paths = input('path')
    .split('\n')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => path.resolve(ws, p));
  if (paths.some((p) => /[*?[\]]/.test(p)))
    throw new Error('the sandbox stand-in takes files and folders, not globs');
  const existing = paths.filter((p) => fs.existsSync(p));
  const files = {};
  if (existing.length > 0) {
    // the root is the common folder of the paths, as upload-artifact v4 computes it
    const dirs = existing.map((p) => (fs.statSync(p).isDirectory() ? p : path.dirname(p)));
    let root = dirs[0];
    while (!dirs.every((d) => d === root || d.startsWith(`${root}${path.sep}`))) root = path.dirname(root);
    for (const p of existing) {
      if (fs.statSync(p).isDirectory()) walk(p, root, files);
      else files[path.relative(root, p).split(path.sep).join('/')] = fs.readFileSync(p).toString('base64');
    }
  }
  const count = Object.keys(files).length;
  if (count === 0) {
    const mode = input('if-no-files-found') || 'warn';
    const msg = `No files were found with the provided path: ${input('path')}. No artifacts will be uploaded.`;
    if (mode === 'error') throw new Error(msg);
    if (mode === 'warn') console.log(`::warning::${msg}`);
    else console.log(msg);
    return;
  }
  const res = await fetch(new URL('/_sandbox/artifacts', process.env.GITHUB_API_URL), {
    method: 'POST',
    headers: { authorization: `token ${input('token')}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name, files }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`upload of ${name} refused (HTTP ${res.status}): ${body.message ?? ''}`);
  console.log(`Artifact ${name} has been successfully uploaded (${count} file(s), id ${body.id})`);
  if (process.env.GITHUB_OUTPUT) fs.appendFileSync(process.env.GITHUB_OUTPUT, `artifact-id=${body.id}\n`);
}

main().catch((err) => {
  console.log(`::error::sandbox upload-artifact: ${err.message}`);
  process.exitCode = 1;
});
