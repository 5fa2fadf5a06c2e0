#!/usr/bin/env node
// The idlc CLI. The bundle is built by `npm run build` (scripts/test and scripts/demo do it).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bundle = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', 'idlc.cjs');
if (!existsSync(bundle)) {
  process.stderr.write(
    'idlc: the CLI is not built yet.\n  fix: run `npm ci && npm run build` in the repository\n',
  );
  process.exit(2);
}
createRequire(import.meta.url)(bundle);
