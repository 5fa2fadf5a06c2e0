import { existsSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/main.ts';
import { type EngineSandbox, startEngineSandbox } from '../support/engine-sandbox.ts';
import { TEST_AWS_CREDENTIALS } from '../support/moto.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BUCKET = 'idlc-tfstate-search-200000000001';
let sb: EngineSandbox;

beforeAll(async () => {
  sb = await startEngineSandbox({
    stacks: ['idlc/aws/environments/search/dev', 'idlc/aws/environments/search/prod'],
  });
  await cp(join(ROOT, 'policy'), join(sb.root, 'policy'), { recursive: true });
});
afterAll(async () => {
  await sb?.stop();
});

/** A developer's own session in an account (what `aws sso login` would leave in the env). */
async function ownCredentials(account: string): Promise<Record<string, string>> {
  const sts = new STSClient({
    region: 'eu-west-1',
    endpoint: sb.moto.endpoint,
    credentials: TEST_AWS_CREDENTIALS,
  });
  const out = await sts.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/Developer`, RoleSessionName: 'alice' }),
  );
  sts.destroy();
  return {
    AWS_ACCESS_KEY_ID: out.Credentials!.AccessKeyId!,
    AWS_SECRET_ACCESS_KEY: out.Credentials!.SecretAccessKey!,
    AWS_SESSION_TOKEN: out.Credentials!.SessionToken!,
  };
}

async function idlc(args: string[], env: Record<string, string | undefined>) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    cwd: sb.root,
    env: { ...sb.env, ...env },
  };
  const code = await runCli(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('idlc plan / idlc apply on a laptop', () => {
  it('plan is read-only, uses your own credentials and still checks the account', async () => {
    const mine = await ownCredentials('200000000001');
    const res = await idlc(['plan', 'aws/search/dev', '--endpoint', sb.moto.endpoint], mine);
    expect(res.code, res.err).toBe(0);
    expect(res.out).toContain('as arn:aws:sts::200000000001:assumed-role/Developer/alice');
    expect(res.out).toMatch(/create +terraform_data\.config/);
    expect(res.out).toMatch(/policy: passed/);
    // No bundle, no lock, no state: nothing was written to the team bucket.
    expect(await sb.moto.listKeys(BUCKET)).toEqual([]);

    const other = await idlc(['plan', 'idlc/aws/environments/search/dev', '--endpoint', sb.moto.endpoint], {
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
    });
    expect(other.code).toBe(1);
    expect(other.err).toMatch(/account 123456789012 .* is account 200000000001/);
  });

  it('apply refuses a protected env outside CI, before any engine command', async () => {
    const mine = await ownCredentials('200000000003');
    const res = await idlc(['apply', 'aws/search/prod', '--auto-approve', '--endpoint', sb.moto.endpoint], {
      ...mine,
      CI: undefined,
      GITHUB_ACTIONS: undefined,
    });
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/protected environment "prod": it is applied only by CI/);
    expect(res.err).toContain('GitHub environment search-prod');
    expect(await sb.moto.listKeys('idlc-tfstate-search-200000000003')).toEqual([]);
  });

  it('apply of an unprotected env applies exactly a saved plan, and refuses it once stale', async () => {
    const mine = await ownCredentials('200000000001');
    const saved = join(sb.tempDir, 'saved.tfplan');
    const planned = await idlc(
      ['plan', 'aws/search/dev', '--out', saved, '--endpoint', sb.moto.endpoint],
      mine,
    );
    expect(planned.code, planned.err).toBe(0);
    expect(existsSync(saved)).toBe(true);

    const review = await idlc(['apply', 'aws/search/dev', '--endpoint', sb.moto.endpoint], mine);
    expect(review.code, review.err).toBe(0);
    expect(review.out).toMatch(
      /nothing applied\. To apply exactly this plan: idlc apply aws\/search\/dev --plan-file /,
    );
    expect(await sb.moto.listKeys(BUCKET)).toEqual([]);

    const applied = await idlc(
      ['apply', 'aws/search/dev', '--auto-approve', '--endpoint', sb.moto.endpoint],
      mine,
    );
    expect(applied.code, applied.err).toBe(0);
    expect(await sb.moto.listKeys(BUCKET)).toEqual(['dev/main/terraform.tfstate']);

    const stale = await idlc(
      ['apply', 'aws/search/dev', '--plan-file', saved, '--endpoint', sb.moto.endpoint],
      mine,
    );
    expect(stale.code).toBe(1);
    expect(stale.err).toMatch(/Saved plan is stale[\s\S]*Re-run the plan/);
  });
});
