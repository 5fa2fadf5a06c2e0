import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseRegistry } from '../../src/config/load.ts';
import { backendConfigArgs } from '../../src/engine/backend-config.ts';
import { idlcVariable } from '../../src/engine/stack-run.ts';
import { createGitHubClient, silentLogger } from '../../src/github/client.ts';
import { commitInfraOutputs, infraOutputEdits, type TofuOutputs } from '../../src/gitops/infra-outputs.ts';
import { githubRepoApi } from '../../src/gitops/repo-api.ts';
import { newAppFiles } from '../../src/sdlc/new-app.ts';
import { toolPath } from '../../src/toolchain/tools.ts';
import {
  type EngineSandbox,
  SANDBOX_REGISTRY,
  stackSources,
  startEngineSandbox,
} from '../support/engine-sandbox.ts';
import { TempRepo } from '../support/git-repo.ts';
import { type GitHubDouble, startGitHubDouble } from '../support/github-double/index.ts';
import { commitsSince, fileAt, seedFromGit } from '../support/gitops-seed.ts';

const STACK = 'idlc/aws/environments/search/dev';
const root = join(import.meta.dirname, '..', '..');

// A stack that marks what its workloads need: output "workload" = { <app> = { KEY = value } }.
const MAIN_TF = `resource "terraform_data" "corpus" {
  input = "\${var.idlc.team}-\${var.idlc.env}-docs-corpus"
}

resource "time_static" "created" {}

output "workload" {
  description = "Written into sdlc/teams/<team>/<env>/<app>/infra-outputs.env after apply."
  value = {
    rag = {
      CORPUS_BUCKET = terraform_data.corpus.output
      ROLE_ARN      = "arn:aws:iam::\${var.idlc.account_id}:role/\${var.idlc.team}-\${var.idlc.env}-rag"
      TOP_K         = 8
    }
    embed = {
      CORPUS_BUCKET = terraform_data.corpus.output
    }
  }
}

output "created" {
  value = time_static.created.rfc3339
}
`;

let sb: EngineSandbox;
let gh: GitHubDouble;
let repo: TempRepo;
let outputs: TofuOutputs;

function run(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { ...opts, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout),
    ),
  );
}

beforeAll(async () => {
  [sb, gh] = await Promise.all([
    startEngineSandbox({ stacks: [STACK] }),
    startGitHubDouble({ owner: 'acme', repo: 'platform' }),
  ]);
  await sb.writeStack(STACK, { ...stackSources(), 'main.tf': MAIN_TF });
  // a real apply with the team's apply role (OIDC → STS trust gate → moto), state in the team bucket
  const { loaded, stack } = await sb.stack('aws/search/dev');
  const session = await sb.session(stack, 'apply');
  const data = mkdtempSync(join(sb.tempDir, 'tfdata-'));
  const env = {
    PATH: toolPath(),
    HOME: data,
    TF_CLI_CONFIG_FILE: sb.env['TF_CLI_CONFIG_FILE'],
    TF_DATA_DIR: join(data, '.terraform'),
    TF_PLUGIN_CACHE_DIR: sb.pluginCacheDir,
    TF_IN_AUTOMATION: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
    TF_VAR_idlc: JSON.stringify(idlcVariable(loaded, stack)),
    ...session.env,
  };
  const cwd = join(sb.root, STACK);
  try {
    await run(
      'tofu',
      ['init', '-input=false', '-no-color', ...backendConfigArgs(stack.target.state, sb.sandbox)],
      { cwd, env },
    );
    await run('tofu', ['apply', '-input=false', '-no-color', '-auto-approve'], { cwd, env });
    outputs = JSON.parse(await run('tofu', ['output', '-json', '-no-color'], { cwd, env })) as TofuOutputs;
  } finally {
    await session.cleanup();
  }
  // the sdlc tree on the default branch: two apps in dev, one in prod
  const registry = parseRegistry(SANDBOX_REGISTRY);
  repo = new TempRepo('idlc-outputs-');
  repo.write({
    ...newAppFiles(registry, 'search', 'rag', 'rag-api'),
    ...newAppFiles(registry, 'search', 'embed', 'embeddings'),
  });
  repo.commit('apps');
  seedFromGit(gh, repo);
}, 300_000);

afterAll(async () => {
  await sb?.stop();
  await gh?.close();
  repo?.cleanup();
});

const HEADER = `# Written by idlc from the \`workload\` output of the team's stacks in search/dev after each apply
# (idlc gitops outputs; docs/gitops.md). Do not edit: change the stack's output instead.
`;

describe('infra outputs → manifests after an apply', () => {
  it('tofu output -json of the applied stack carries the workload map', () => {
    expect(outputs['workload']?.value).toEqual({
      rag: {
        CORPUS_BUCKET: 'search-dev-docs-corpus',
        ROLE_ARN: 'arn:aws:iam::200000000001:role/search-dev-rag',
        TOP_K: 8,
      },
      embed: { CORPUS_BUCKET: 'search-dev-docs-corpus' },
    });
  });

  it("lands in the stack's team/env overlays through the compare-and-swap commit path, and reaches the pods' ConfigMap", async () => {
    const before = gh.state.refs.get('heads/main') ?? '';
    const c = createGitHubClient({
      token: 'ghs_apply',
      apiUrl: gh.url,
      graphqlUrl: gh.graphqlUrl,
      retryBaseMs: 1,
      throttle: false,
    });
    const res = await commitInfraOutputs({
      api: githubRepoApi(c, { owner: 'acme', repo: 'platform' }),
      branch: 'main',
      stack: { id: 'aws/search/dev', team: 'search', env: 'dev' },
      outputs,
      source: { commit: 'abc0000000000000000000000000000000000001' },
      log: silentLogger,
    });
    expect(res.files).toEqual([
      'sdlc/teams/search/dev/embed/infra-outputs.env',
      'sdlc/teams/search/dev/rag/infra-outputs.env',
    ]);
    const made = commitsSince(gh, before);
    expect(made).toHaveLength(1);
    expect(made[0]?.message.split('\n')[0]).toBe(
      'chore(deploy): search dev infra outputs of aws/search/dev (embed, rag)',
    );
    expect(fileAt(gh, 'sdlc/teams/search/dev/rag/infra-outputs.env')).toBe(
      `${HEADER}# stack aws/search/dev\nCORPUS_BUCKET=search-dev-docs-corpus\nROLE_ARN=arn:aws:iam::200000000001:role/search-dev-rag\nTOP_K=8\n`,
    );
    // prod is another stack's business
    expect(fileAt(gh, 'sdlc/teams/search/prod/rag/infra-outputs.env')).toBe(
      HEADER.replace('search/dev', 'search/prod'),
    );

    // render the committed overlay: the values are in the ConfigMap the Deployment reads
    const work = mkdtempSync(join(tmpdir(), 'idlc-outputs-render-'));
    try {
      cpSync(join(root, 'sdlc', 'templates'), join(work, 'sdlc', 'templates'), { recursive: true });
      const tip = gh.state.commits.get(gh.state.refs.get('heads/main') ?? '');
      for (const [path, text] of tip?.files ?? []) {
        mkdirSync(dirname(join(work, path)), { recursive: true });
        writeFileSync(join(work, path), text);
      }
      const out = execFileSync('kustomize', ['build', join(work, 'sdlc/teams/search/dev/rag')], {
        env: { ...process.env, PATH: toolPath() },
        encoding: 'utf8',
      });
      const objects = parseAllDocuments(out).map(
        (d) =>
          d.toJS() as {
            kind: string;
            metadata: { name: string };
            data?: Record<string, string>;
            spec?: unknown;
          },
      );
      const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('infra-outputs-'));
      expect(cm?.data).toEqual({
        CORPUS_BUCKET: 'search-dev-docs-corpus',
        ROLE_ARN: 'arn:aws:iam::200000000001:role/search-dev-rag',
        TOP_K: '8',
      });
      const deployment = objects.find((o) => o.kind === 'Deployment');
      expect(JSON.stringify(deployment?.spec)).toContain(`"name":"${cm?.metadata.name}"`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }

    // the same outputs again: nothing to commit
    const again = await commitInfraOutputs({
      api: githubRepoApi(c, { owner: 'acme', repo: 'platform' }),
      branch: 'main',
      stack: { id: 'aws/search/dev', team: 'search', env: 'dev' },
      outputs,
    });
    expect(again.changed).toBe(false);
  });

  it('refuses what must not reach Git or has nowhere to go', async () => {
    const read = async (paths: string[]) => new Map(paths.map((p) => [p, fileAt(gh, p) ?? null] as const));
    const stack = { id: 'aws/search/dev', team: 'search', env: 'dev' };
    await expect(
      infraOutputEdits(stack, { workload: { ...outputs['workload'], sensitive: true } as never }, read),
    ).rejects.toThrow('aws/search/dev: output "workload" is sensitive, and secrets never go into Git');
    await expect(
      infraOutputEdits(stack, { workload: { value: { chat: { A: 'b' } } } }, read),
    ).rejects.toThrow(
      'sdlc/teams/search/dev/chat/kustomization.yaml: stack aws/search/dev has outputs for app "chat", which has no overlay in dev',
    );
    await expect(
      infraOutputEdits(stack, { workload: { value: { rag: { 'bucket-name': 'x' } } } }, read),
    ).rejects.toThrow(/rag\.bucket-name is not an environment variable name/);
    // another stack of the same team/env may not write the same key
    await expect(
      infraOutputEdits(
        { ...stack, id: 'aws/search/dev/extra' },
        { workload: { value: { rag: { TOP_K: '4' } } } },
        read,
      ),
    ).rejects.toThrow('TOP_K is written by stack aws/search/dev and by aws/search/dev/extra');
    expect(await infraOutputEdits(stack, { created: { value: 'x' } }, read)).toEqual([]);
  });
});
