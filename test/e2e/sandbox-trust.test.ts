// The trust boundary, through the workflow files under act: what a pull request can reach
// (a fork's, one that adds its own workflow), and what apply does when an environment's
// reviewers do not approve — with waves applied in order. One sandbox for the file.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEOPLE, repoRoot, Sandbox, type WorkflowRunOutcome } from '../../src/sandbox/sandbox.ts';

const SOURCE = process.env['IDLC_SANDBOX_SOURCE'] ?? repoRoot();
const ROLE = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;
const SEARCH_DEV = '200000000001';

let sb: Sandbox;
let out: string;
const log: string[] = [];

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'idlc-sandbox-trust-'));
  sb = await Sandbox.up({ root: SOURCE, out, say: (l) => log.push(l) });
}, 180_000);

afterAll(async () => {
  await sb?.down();
  if (process.env['IDLC_SANDBOX_KEEP_OUT']) console.log(`sandbox results: ${out}\n${log.join('\n')}`);
  else await rm(out, { recursive: true, force: true });
});

async function file(path: string) {
  return String((await sb.git.tree(await sb.git.rev('refs/heads/main'))).get(path));
}
const touch = async (stack: string, value: string) => ({
  [`${stack}/main.tf`]: (await file(`${stack}/main.tf`)).replace(
    '  settings = {\n',
    `  settings = {\n    change = "${value}"\n`,
  ),
});
const actLog = (r: WorkflowRunOutcome | undefined) => readFile(join(r?.outDir ?? '', 'act.log'), 'utf8');

describe('what a pull request can reach', () => {
  it('a fork PR gets no ID token: its plan says why, and the report says what to do', async () => {
    const pr = await sb.openPullRequest({
      title: 'search dev: from a fork',
      branch: 'fork-change',
      fork: 'mallory/platform',
      author: 'mallory',
      changes: await touch('idlc/aws/environments/search/dev', 'fork'),
    });
    const issuedBefore = sb.oidc.issued.length;
    const runs = await sb.planPullRequest(pr.number);
    const plan = runs.find((r) => r.workflow === 'idlc plan');
    expect(plan?.conclusion).toBe('failure');
    expect(sb.oidc.issued.length).toBe(issuedBefore);
    expect(await actLog(plan)).toMatch(/Pull requests from forks never/);
    expect(runs.find((r) => r.workflow === 'idlc report')?.conclusion).toBe('success');
    expect(sb.pullRequestView(pr.number).sticky?.body).toMatch(
      /comes from a fork: GitHub gives fork PRs no ID token/,
    );
  }, 300_000);

  it('a workflow the PR adds gets tokens only for itself, which no role trusts; its environment job never starts', async () => {
    const evil = `name: evil
on: pull_request
permissions: {}
jobs:
  steal:
    runs-on: ubuntu-latest
    permissions: { id-token: write }
    steps:
      - run: node "$GITHUB_WORKSPACE/../steal.cjs" || true
  deploy:
    runs-on: ubuntu-latest
    environment: search-dev
    permissions: { id-token: write }
    steps:
      - run: |
          node -e "fetch(process.env.ACTIONS_ID_TOKEN_REQUEST_URL + '&audience=sts.amazonaws.com', { headers: { authorization: 'Bearer ' + process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN } }).then(r => console.log('deploy token', r.status))"
`;
    // the step writes its script beside the workspace first (a run: step may not span files)
    const steal = `
const roles = ${JSON.stringify([ROLE(SEARCH_DEV, 'idlc-search-dev-plan'), ROLE(SEARCH_DEV, 'idlc-search-dev-apply')])};
(async () => {
  const r = await fetch(process.env.ACTIONS_ID_TOKEN_REQUEST_URL + '&audience=sts.amazonaws.com', {
    headers: { authorization: 'Bearer ' + process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN },
  });
  const { value } = await r.json();
  for (const role of roles) {
    const body = new URLSearchParams({ Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15',
      RoleArn: role, RoleSessionName: 'evil', WebIdentityToken: value });
    const s = await fetch(process.env.IDLC_SANDBOX_STS_ENDPOINT, { method: 'POST', body });
    console.log(role, s.status);
  }
})();
`;
    const workflow = evil.replace(
      '      - run: node "$GITHUB_WORKSPACE/../steal.cjs" || true',
      `      - run: |\n          cat > "$RUNNER_TEMP/steal.cjs" <<'EOF'\n${steal
        .split('\n')
        .map((l) => `          ${l}`)
        .join('\n')}\n          EOF\n          node "$RUNNER_TEMP/steal.cjs"`,
    );
    const pr = await sb.openPullRequest({
      title: 'ci: a helpful workflow',
      branch: 'helpful',
      changes: { '.github/workflows/evil.yml': workflow },
    });
    const decisionsBefore = sb.gate.decisions.length;
    const runs = await sb.planPullRequest(pr.number);
    const evilRun = runs.find((r) => r.workflow === 'evil');
    expect(evilRun).toBeDefined();
    // steal: an ID token for its own file at the PR ref, refused by both roles' trust policies
    const tokens = sb.oidc.issued.filter((t) => t.runId === evilRun?.runId);
    expect(tokens.map((t) => t.jobWorkflowRef)).toEqual([
      `acme/platform/.github/workflows/evil.yml@refs/pull/${pr.number}/merge`,
    ]);
    const decisions = sb.gate.decisions.slice(decisionsBefore);
    expect(decisions.map((d) => [d.roleArn, d.allowed])).toEqual([
      [ROLE(SEARCH_DEV, 'idlc-search-dev-plan'), false],
      [ROLE(SEARCH_DEV, 'idlc-search-dev-apply'), false],
    ]);
    // deploy: the environment admits only the default branch, so the job gets nothing
    expect(
      sb.oidc.refusals.some((r) => /not allowed to deploy to environment search-dev/.test(r.reason)),
    ).toBe(true);
    expect(await actLog(evilRun)).toMatch(/deploy token 403/);
  }, 300_000);
});

describe('a pull request that edits the plan caller', () => {
  it('a manifest its own job attests is named in the comment and ignored', async () => {
    const forge = `
  forge:
    runs-on: ubuntu-latest
    permissions: { id-token: write }
    steps:
      - run: |
          mkdir -p "$RUNNER_TEMP/forged/results"
          cat > "$RUNNER_TEMP/forge.cjs" <<'EOF'
          const fs = require('fs'), path = require('path'), crypto = require('crypto');
          const dir = path.join(process.env.RUNNER_TEMP, 'forged');
          const manifest = JSON.stringify({ schema: 'idlc.plan-manifest/v1', stacks: [] }) + '\\n';
          fs.writeFileSync(path.join(dir, 'manifest.json'), manifest);
          const aud = 'idlc-plan-manifest:sha256:' + crypto.createHash('sha256').update(manifest).digest('hex');
          fetch(process.env.ACTIONS_ID_TOKEN_REQUEST_URL + '&audience=' + encodeURIComponent(aud), {
            headers: { authorization: 'Bearer ' + process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN },
          }).then((r) => r.json()).then((b) => fs.writeFileSync(path.join(dir, 'attestation.jwt'), b.value + '\\n'));
          EOF
          node "$RUNNER_TEMP/forge.cjs"
      - uses: actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02
        with:
          name: idlc-plan-forged-a1
          path: \${{ runner.temp }}/forged
`;
    const caller = await file('.github/workflows/idlc-plan.yml');
    const pr = await sb.openPullRequest({
      title: 'search dev, and a little help for the plan',
      branch: 'forge',
      changes: {
        ...(await touch('idlc/aws/environments/search/dev', 'f')),
        '.github/workflows/idlc-plan.yml': `${caller.trimEnd()}\n${forge}`,
      },
    });
    const runs = await sb.planPullRequest(pr.number);
    const plan = runs.find((r) => r.workflow === 'idlc plan');
    // the forging job got an ID token for its own file at the PR ref; the default branch's
    // jobs of that run got nothing (the sandbox cannot keep them apart from it, see README)
    expect(sb.oidc.issued.filter((t) => t.runId === plan?.runId).map((t) => t.jobWorkflowRef)).toEqual([
      `acme/platform/.github/workflows/idlc-plan.yml@refs/pull/${pr.number}/merge`,
    ]);
    const comment = sb.pullRequestView(pr.number).sticky?.body ?? '';
    expect(comment).toMatch(/1 artifact\(s\) of the plan run were not attested/);
    expect(comment).toMatch(
      /idlc-plan-forged-a1: plan manifest of run \d+ is not attested by the default branch/,
    );
    expect(comment).not.toContain('<code>aws/search/dev</code> | ✅');
  }, 300_000);
});

describe('apply after merge', () => {
  it('applies wave by wave, and not where the environment reviewers withhold approval', async () => {
    // wave 0: the platform networks of dev and prod; wave 1: search dev and prod after them
    const pr = await sb.openPullRequest({
      title: 'networks and search, dev and prod',
      branch: 'waves',
      changes: {
        ...(await touch('idlc/aws/environments/platform/dev/network', 'w')),
        ...(await touch('idlc/aws/environments/platform/prod/network', 'w')),
        ...(await touch('idlc/aws/environments/search/dev', 'w')),
        ...(await touch('idlc/aws/environments/search/prod', 'w')),
      },
    });
    const plan = await sb.planPullRequest(pr.number);
    expect(plan.map((r) => r.conclusion)).toEqual(['success', 'success']);
    sb.review(pr.number, PEOPLE.reviewers['search'] as string);
    sb.review(pr.number, PEOPLE.reviewers['platform'] as string);
    sb.identity.withheld.add('search-prod');
    try {
      const issuedBefore = sb.oidc.issued.length;
      const [apply] = await sb.merge(pr.number);
      expect(apply?.conclusion).toBe('failure');
      const applied = sb.oidc.issued
        .slice(issuedBefore)
        .filter((t) => t.jobWorkflowRef.endsWith('idlc-apply.yml@refs/heads/main'))
        .map((t) => t.environment);
      // both networks got their apply roles before search dev; search prod got nothing
      expect(applied.slice(0, 2).sort()).toEqual(['platform-dev', 'platform-prod']);
      expect(applied.slice(2)).toEqual(['search-dev']);
      expect(log.some((l) => /approving environment platform-prod for run/.test(l))).toBe(true);
      const refusals = [...sb.front.refusals, ...sb.oidc.refusals].map((r) => r.reason);
      expect(refusals.some((r) => /environment search-prod needs approval by @acme\/search/.test(r))).toBe(
        true,
      );
      expect(await sb.moto.listKeys('idlc-tfstate-search-200000000003', 'prod/')).toEqual([]);
      expect(await sb.moto.listKeys('idlc-tfstate-search-200000000001', 'dev/')).toContain(
        'dev/main/terraform.tfstate',
      );
    } finally {
      sb.identity.withheld.delete('search-prod');
    }
  }, 300_000);
});
