// Golden files for the renderer tests. A plain test run only compares: a missing golden fails
// with its path and the command that writes it, and a different one fails with a diff. Goldens
// are written only when asked for (UPDATE_GOLDENS=1), and never where CI is set, so a test run
// in CI can neither create nor refresh the expectations it checks. Not shipped.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { expect } from 'vitest';

const REPO = new URL('../../..', import.meta.url).pathname;

export interface GoldenEnv {
  UPDATE_GOLDENS?: string;
  CI?: string;
}

/** The command that (re)writes the goldens of one test file. */
export function updateCommand(testFile: string): string {
  return `UPDATE_GOLDENS=1 npx vitest run ${relative(REPO, testFile)}`;
}

/**
 * Compare `actual` with the golden file `file` (absolute); `testFile` is the test that owns it
 * (named in the messages). With UPDATE_GOLDENS=1 (and CI unset) the file is written instead.
 */
export function expectGolden(
  actual: string,
  file: string,
  testFile: string,
  env: GoldenEnv = process.env as GoldenEnv,
): void {
  const name = relative(REPO, file);
  if (env.UPDATE_GOLDENS === '1') {
    if (env.CI) {
      throw new Error(`${name}: goldens are never written in CI (CI=${env.CI}); drop UPDATE_GOLDENS`);
    }
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) {
    throw new Error(`golden file ${name} is missing; create it with: ${updateCommand(testFile)}`);
  }
  expect(actual, `${name} differs; if the change is intended, rewrite it with: ${updateCommand(testFile)}`).toBe(
    readFileSync(file, 'utf8'),
  );
}
