import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdlcError } from '../util/errors.ts';
import { readCheckovSkips, renderCheckovMarkdown, runCheckov, summariseCheckov } from './checkov.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'idlc-checkov-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const HCL = `resource "aws_s3_bucket" "data" {
  bucket = "acme-data"
}

resource "aws_security_group" "ssh" {
  name        = "ssh"
  description = "ssh from anywhere"

  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`;

describe('runCheckov (real checkov)', () => {
  it('summarises a real scan: counts and the first failures with resource and file:line', async () => {
    const repo = join(work, 'repo');
    const stack = join(repo, 'idlc/aws/environments/search/dev');
    await mkdir(stack, { recursive: true });
    await writeFile(join(stack, 'main.tf'), HCL);
    await writeFile(
      join(repo, '.checkov.yaml'),
      '# test config\nskip-check:\n  # S3 event notifications are not a control.\n  - CKV2_AWS_62\n',
    );
    const s = await runCheckov({ root: repo, dir: stack });
    expect(s.dir).toBe('idlc/aws/environments/search/dev');
    expect(s.failed).toBeGreaterThan(0);
    expect(s.passed).toBeGreaterThan(0);
    expect(s.resourceCount).toBe(2);
    expect(s.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(s.top.length).toBe(Math.min(5, s.failed));
    // Sorted by file and line: the bucket (line 1) comes first.
    expect(s.top[0]).toMatchObject({
      resource: 'aws_s3_bucket.data',
      at: 'idlc/aws/environments/search/dev/main.tf:1',
    });
    for (const f of s.top) expect(f.checkId).toMatch(/^CKV2?_AWS_\d+$/);
    expect(JSON.stringify(s)).not.toContain('CKV2_AWS_62');
    const md = renderCheckovMarkdown(s);
    expect(md).toMatch(
      /^\*\*checkov\*\* `idlc\/aws\/environments\/search\/dev`: \d+ passed, \d+ failed, 0 skipped/,
    );
    expect(md).toContain('`aws_s3_bucket.data`');
  }, 120_000);

  it('an empty folder is a clean, empty result', async () => {
    const empty = join(work, 'empty');
    await mkdir(empty, { recursive: true });
    const s = await runCheckov({ root: work, dir: empty });
    expect(s).toMatchObject({ passed: 0, failed: 0, top: [] });
    expect(renderCheckovMarkdown(s)).toBe('**checkov** `empty`: 0 passed, 0 failed, 0 skipped');
  }, 120_000);
});

describe('checkov configuration', () => {
  it('every skip in the repository .checkov.yaml has a reason', async () => {
    const skips = await readCheckovSkips(ROOT);
    expect(skips.length).toBeGreaterThan(0);
    for (const s of skips) expect(s.reason.length).toBeGreaterThan(20);
  });

  it('a skip without a reason is an error naming file and line', async () => {
    const repo = join(work, 'noreason');
    await mkdir(repo, { recursive: true });
    await writeFile(join(repo, '.checkov.yaml'), 'skip-check:\n  # fine\n  - CKV_AWS_1\n  - CKV_AWS_2\n');
    const err = await readCheckovSkips(repo).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IdlcError);
    expect((err as Error).message).toMatch(
      /^\.checkov\.yaml:4: skip-check: CKV_AWS_2 is skipped without a reason/,
    );
  });
});

describe('summariseCheckov', () => {
  it('merges the list checkov prints when several frameworks ran', () => {
    const report = (failed: number, file: string) => ({
      results: {
        failed_checks: Array.from({ length: failed }, (_, i) => ({
          check_id: `CKV_X_${i}`,
          check_name: `check ${i}`,
          resource: `aws_x.r${i}`,
          file_abs_path: `/repo/${file}`,
          file_line_range: [10 - i, 12],
        })),
      },
      summary: { passed: 1, failed, skipped: 1, parsing_errors: 0, resource_count: failed },
    });
    const s = summariseCheckov([report(4, 'b.tf'), report(3, 'a.tf')], '/repo', '/repo');
    expect(s).toMatchObject({ dir: '.', passed: 2, failed: 7, skipped: 2, resourceCount: 7 });
    expect(s.top.map((f) => f.at)).toEqual(['a.tf:8', 'a.tf:9', 'a.tf:10', 'b.tf:7', 'b.tf:8']);
    expect(renderCheckovMarkdown(s)).toContain('…and 2 more.');
  });
});
