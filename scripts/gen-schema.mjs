#!/usr/bin/env node
// Regenerate schema/idlc.schema.json from the zod types in src/config/schema.ts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(join(tmpdir(), 'idlc-schema-'));
const out = join(tmp, 'gen.mjs');
await esbuild.build({
  entryPoints: [join(root, 'src/config/json-schema.ts')],
  outfile: out,
  bundle: true,
  platform: 'node',
  format: 'esm',
  logLevel: 'warning',
});
const { registryJsonSchema, SCHEMA_FILE } = await import(pathToFileURL(out).href);
mkdirSync(join(root, 'schema'), { recursive: true });
writeFileSync(join(root, SCHEMA_FILE), registryJsonSchema());
rmSync(tmp, { recursive: true, force: true });
console.log(`wrote ${SCHEMA_FILE}`);
