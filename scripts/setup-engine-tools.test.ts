import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The step every engine job runs before idlc (see the workflows): the pinned tools on the
// runner's PATH. Runs against the tools cache scripts/test has just filled (nothing downloads).
const script = join(import.meta.dirname, 'setup-engine-tools');
const pins = readFileSync(join(import.meta.dirname, 'tools.versions'), 'utf8');
const pin = (key: string) => new RegExp(`^${key}=(\\S+)$`, 'm').exec(pins)?.[1];

describe('scripts/setup-engine-tools', () => {
  it('puts the pinned tofu and opa on GITHUB_PATH and names the cache in GITHUB_ENV', () => {
    const work = mkdtempSync(join(tmpdir(), 'idlc-engine-tools-'));
    const ghPath = join(work, 'path');
    const ghEnv = join(work, 'env');
    writeFileSync(ghPath, '');
    writeFileSync(ghEnv, '');
    const dir = process.env['IDLC_TOOLS_DIR'] ?? join(process.env['HOME'] ?? '', '.cache/idlc/tools');
    execFileSync('bash', [script], {
      env: {
        PATH: process.env['PATH'],
        HOME: process.env['HOME'],
        IDLC_TOOLS_DIR: dir,
        GITHUB_PATH: ghPath,
        GITHUB_ENV: ghEnv,
      },
      stdio: 'pipe',
    });
    const added = readFileSync(ghPath, 'utf8').trim().split('\n');
    // the runner prepends each line, so the last one wins: the tools' bin before the venv's
    expect(added).toEqual([join(dir, 'venv/bin'), join(dir, 'bin')]);
    expect(readFileSync(ghEnv, 'utf8')).toBe(`IDLC_TOOLS_DIR=${dir}\n`);
    const tofu = JSON.parse(
      execFileSync(join(dir, 'bin', 'tofu'), ['version', '-json'], {
        env: { TF_CLI_CONFIG_FILE: '/dev/null' },
      }).toString(),
    );
    expect(tofu.terraform_version).toBe(pin('TOFU_VERSION'));
    expect(execFileSync(join(dir, 'bin', 'opa'), ['version']).toString()).toContain(
      `Version: ${pin('OPA_VERSION')}`,
    );
  }, 120_000);

  it('fails, naming the tool, when asked for one the toolkit does not pin', () => {
    let err = '';
    try {
      execFileSync('bash', [script, 'tofu,terraformx'], {
        env: {
          PATH: process.env['PATH'],
          HOME: process.env['HOME'],
          IDLC_TOOLS_DIR: mkdtempSync(join(tmpdir(), 'idlc-t-')),
        },
        stdio: 'pipe',
      });
    } catch (e) {
      err = String((e as { stderr?: Buffer }).stderr);
    }
    expect(err).toContain('terraformx');
  });
});
