#!/usr/bin/env node
// Bundle the sandbox (src/sandbox/bin.ts → dist/sandbox/sandbox.cjs). A bundle of its own: the
// sandbox brings the GitHub double, moto and the OIDC issuer from test/support, which normal
// users of the CLI never load. Its large data (GitHub's OpenAPI description, the GraphQL
// schema, webhook examples) is read at run time from node_modules, so the repository's
// devDependencies must be installed (scripts/demo does it).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const t0 = Date.now();
await esbuild.build({
  entryPoints: [join(root, 'src', 'sandbox', 'bin.ts')],
  outfile: join(root, 'dist', 'sandbox', 'sandbox.cjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  keepNames: true,
  legalComments: 'none',
  logLevel: 'warning',
  absWorkingDir: root,
  // the double's contracts and the webhook examples stay in node_modules (hundreds of MB)
  external: [
    '@octokit/openapi',
    '@octokit/graphql-schema',
    '@octokit/webhooks-examples',
    'openapi-backend',
    'graphql',
    'performance',
  ],
  define: { 'import.meta.url': 'importMetaUrl', 'import.meta.dirname': 'importMetaDirname' },
  banner: {
    js: "const importMetaUrl = require('url').pathToFileURL(__filename).href; const importMetaDirname = __dirname;",
  },
});
console.log(`built dist/sandbox/sandbox.cjs in ${Date.now() - t0} ms`);
