// idlc sandbox stand-in for actions/download-artifact (see ../README.md). No dependencies.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const input = (name) => (process.env[`INPUT_${name.toUpperCase()}`] ?? '').trim();

async function main() {
  const ws = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const dest = path.resolve(ws, input('path') || '.');
  const name = input('name');
  const pattern = input('pattern');
  if (input('run-id')) throw new Error("the sandbox stand-in serves only this run's artifacts");
  const url = new URL('/_sandbox/artifacts', process.env.GITHUB_API_URL);
  if (name) url.searchParams.set('name', name);
  else if (pattern) url.searchParams.set('pattern', pattern);
  const res = await fetch(url, { headers: { authorization: `token ${input('token')}` } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`download refused (HTTP ${res.status}): ${body.message ?? ''}`);
  const list = body.artifacts ?? [];
  if (name && list.length === 0) throw new Error(`Artifact not found: ${name}`);
  const merge = input('merge-multiple') === 'true';
  for (const a of list) {
    const base = name || merge ? dest : path.join(dest, a.name);
    for (const [rel, data] of Object.entries(a.files)) {
      const out = path.resolve(base, rel);
      if (!out.startsWith(`${base}${path.sep}`))
        throw new Error(`artifact ${a.name}: ${rel} escapes the destination`);
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, Buffer.from(data, 'base64'));
    }
    console.log(`Artifact ${a.name} downloaded (${Object.keys(a.files).length} file(s))`);
  }
  console.log(`Total of ${list.length} artifact(s) downloaded to ${dest}`);
  if (process.env.GITHUB_OUTPUT) fs.appendFileSync(process.env.GITHUB_OUTPUT, `download-path=${dest}\n`);
}

main().catch((err) => {
  console.log(`::error::sandbox download-artifact: ${err.message}`);
  process.exitCode = 1;
});
