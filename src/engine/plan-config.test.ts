import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolPath } from '../toolchain/tools.ts';
import { diffPlanConfiguration, verifyPlanConfiguration } from './plan-config.ts';

// Real plan files from the real tofu: a stack calling a local module two levels deep.
const root = mkdtempSync(join(tmpdir(), 'idlc-plan-config-'));
const STACK = 'idlc/aws/environments/search/dev';
const files: Record<string, string> = {
  'idlc/aws/modules/outer/main.tf':
    'module "inner" {\n  source = "../inner"\n}\noutput "v" { value = module.inner.v }\n',
  'idlc/aws/modules/inner/main.tf':
    'resource "terraform_data" "i" { input = "inner" }\noutput "v" { value = terraform_data.i.output }\n',
  [`${STACK}/main.tf`]:
    'module "outer" {\n  source = "../../../modules/outer"\n}\nresource "terraform_data" "s" { input = "stack" }\n',
  [`${STACK}/extra.tf.json`]: '{"output":{"o":{"value":"x"}}}\n',
  [`${STACK}/terraform.tfvars`]: '',
  [`${STACK}/README.md`]: '# not configuration\n',
};
let plan: Uint8Array;

function write(rel: string, text: string) {
  mkdirSync(join(root, rel, '..'), { recursive: true });
  writeFileSync(join(root, rel), text);
}

beforeAll(() => {
  for (const [rel, text] of Object.entries(files)) write(rel, text);
  const env = { ...process.env, PATH: toolPath(), TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' };
  const cwd = join(root, STACK);
  execFileSync('tofu', ['init', '-input=false', '-no-color'], { cwd, env, stdio: 'pipe' });
  execFileSync('tofu', ['plan', '-input=false', '-no-color', '-out=p.tfplan'], { cwd, env, stdio: 'pipe' });
  plan = readFileSync(join(cwd, 'p.tfplan'));
  unlinkSync(join(cwd, 'p.tfplan'));
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Change the checkout for one test, then put it back. */
async function withFile(rel: string, text: string | undefined, fn: () => Promise<void>) {
  const before = (() => {
    try {
      return readFileSync(join(root, rel), 'utf8');
    } catch {
      return undefined;
    }
  })();
  if (text === undefined) rmSync(join(root, rel), { force: true });
  else write(rel, text);
  try {
    await fn();
  } finally {
    if (before === undefined) rmSync(join(root, rel), { force: true });
    else write(rel, before);
  }
}

describe('the configuration inside a saved plan, compared with the merge commit', () => {
  it('finds nothing when the checkout is what was planned (tfvars and READMEs are not configuration)', async () => {
    expect(await diffPlanConfiguration(plan, root, STACK)).toEqual([]);
    await expect(verifyPlanConfiguration(plan, root, STACK, 'aws/search/dev')).resolves.toBeUndefined();
  });

  it('names a module file changed two levels down', async () => {
    await withFile(
      'idlc/aws/modules/inner/main.tf',
      `${files['idlc/aws/modules/inner/main.tf']}# edited\n`,
      async () => {
        expect(await diffPlanConfiguration(plan, root, STACK)).toEqual([
          { module: 'outer.inner', file: 'idlc/aws/modules/inner/main.tf', change: 'changed' },
        ]);
      },
    );
  });

  it('names a file added at the merge commit, an override file included', async () => {
    await withFile(
      `${STACK}/x_override.tf`,
      'resource "terraform_data" "s" { input = "override" }\n',
      async () => {
        expect(await diffPlanConfiguration(plan, root, STACK)).toEqual([
          { module: '(root)', file: `${STACK}/x_override.tf`, change: 'only in the merge commit' },
        ]);
      },
    );
  });

  it('names a planned file that is gone at the merge commit', async () => {
    await withFile(`${STACK}/extra.tf.json`, undefined, async () => {
      await expect(verifyPlanConfiguration(plan, root, STACK, 'aws/search/dev')).rejects.toThrow(
        /made from other configuration than the merge commit:\n {2}- idlc\/aws\/environments\/search\/dev\/extra\.tf\.json \(only in the plan; module \(root\)\)/,
      );
    });
  });

  it('treats a .tofu file as replacing the .tf of the same name, as tofu loads them', async () => {
    await withFile(`${STACK}/main.tofu`, files[`${STACK}/main.tf`] as string, async () => {
      expect(await diffPlanConfiguration(plan, root, STACK)).toEqual([
        { module: '(root)', file: `${STACK}/main.tofu`, change: 'only in the merge commit' },
        { module: '(root)', file: `${STACK}/main.tf`, change: 'only in the plan' },
      ]);
    });
  });

  it('refuses a file that is not a saved plan', async () => {
    const notAPlan = zipSync({ tfplan: new Uint8Array([1, 2, 3]) });
    await expect(diffPlanConfiguration(notAPlan, root, STACK)).rejects.toThrow(
      /no configuration snapshot \(tfconfig\/modules\.json\)/,
    );
    await expect(diffPlanConfiguration(Buffer.from('garbage'), root, STACK)).rejects.toThrow(
      /not a readable zip/,
    );
  });
});
