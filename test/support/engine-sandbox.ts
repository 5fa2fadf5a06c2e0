import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { jobWorkflowRef, WORKFLOWS } from '../../src/auth/oidc-subjects.ts';
import { type CloudSession, openFederatedSession, type Phase } from '../../src/auth/session.ts';
import { type LoadedRegistry, loadRegistry } from '../../src/config/load.ts';
import { discoverStacks, type Stack } from '../../src/discovery/stacks.ts';
import type { SandboxEndpoint } from '../../src/engine/backend-config.ts';
import type { StackRunContext } from '../../src/engine/stack-run.ts';
import { cliConfigFile } from '../../src/toolchain/tools.ts';
import { type Moto, startMoto } from './moto.ts';
import { type JobContext, type OidcIssuer, startOidcIssuer } from './oidc-issuer.ts';
import { gateRoles, registryRenderInput, renderGithubOidc } from './rendered-trust.ts';
import { type StsTrustGate, startStsTrustGate } from './sts-trust.ts';

/**
 * Everything an engine e2e test needs, real: moto (S3 + STS), the local OIDC issuer, the STS
 * trust gate in front of moto with the trust policies idlc/aws/modules/github-oidc renders
 * (moto evaluates none), a repository in a temp folder with a registry and small stacks
 * (terraform_data + hashicorp/time from the local provider mirror, partial `backend "s3" {}`),
 * and one shared provider plugin cache.
 */
export const REPO = 'acme/infra';

/**
 * Which workflow file runs a job, as design.md lays them out: PR plans in idlc-plan-run.yml
 * called at the default branch, scheduled drift in idlc-drift.yml, applies in idlc-apply.yml on
 * a push to it. A context that sets `jobWorkflowRef` (an attacker's workflow) overrides this.
 */
export function idlcJobWorkflowRef(ctx: JobContext): string | undefined {
  const id = { repository: ctx.repository, defaultBranch: 'main' };
  if (ctx.eventName === 'pull_request') return jobWorkflowRef(id, WORKFLOWS.planRun);
  if (ctx.eventName === 'schedule') return jobWorkflowRef(id, WORKFLOWS.drift);
  if (ctx.eventName === 'push' && ctx.ref === 'refs/heads/main') return jobWorkflowRef(id, WORKFLOWS.apply);
  return undefined;
}

export const SANDBOX_REGISTRY = `version: 1
engine:
  name: tofu
  version: 1.12.6
clouds:
  aws:
    default_region: eu-west-1
environments:
  - name: dev
  - name: prod
    protected: true
state:
  bucket: idlc-tfstate-{team}-{account_id}
  key: "{env}/{stack}/terraform.tfstate"
  plans_prefix: plans/
teams:
  search:
    owners: ["@acme/search"]
    cost_center: cc-2100
    envs:
      dev: { aws: { account_id: "200000000001" } }
      prod: { aws: { account_id: "200000000003", region: eu-central-1 } }
  assistant:
    owners: ["@acme/assistant"]
    cost_center: cc-2200
    envs:
      dev: { aws: { account_id: "300000000001" } }
`;

/** A stack: registry-injected variable, a local module, the time provider, a partial backend. */
export function stackSources(opts: { message?: string; slowSeconds?: number } = {}): Record<string, string> {
  const slow = opts.slowSeconds
    ? `
resource "terraform_data" "slow" {
  input = var.idlc.stack
  provisioner "local-exec" {
    command = "sleep ${opts.slowSeconds}"
  }
}
`
    : '';
  return {
    'versions.tf': `terraform {
  required_version = ">= 1.10.0"
  required_providers {
    time = {
      source  = "hashicorp/time"
      version = "0.14.2"
    }
  }
  # Partial backend: idlc injects bucket, key, region and lockfile from idlc.yaml.
  backend "s3" {}
}
`,
    'variables.tf': `variable "idlc" {
  description = "Injected by idlc from the platform registry."
  type = object({
    team        = string
    env         = string
    account_id  = string
    region      = string
    cost_center = string
    owner       = string
    stack       = string
  })
}
`,
    'main.tf': `module "label" {
  source = "../../../modules/label"
  team   = var.idlc.team
  env    = var.idlc.env
}

resource "terraform_data" "config" {
  input = {
    name    = module.label.name
    message = "${opts.message ?? 'hello'}"
    account = var.idlc.account_id
  }
}

resource "time_static" "created" {}
${slow}
output "name" {
  value = module.label.name
}
`,
  };
}

export const LABEL_MODULE: Record<string, string> = {
  'main.tf': `variable "team" {
  type = string
}

variable "env" {
  type = string
}

output "name" {
  value = "\${var.team}-\${var.env}"
}
`,
};

export interface EngineSandbox {
  root: string;
  moto: Moto;
  issuer: OidcIssuer;
  gate: StsTrustGate;
  sandbox: SandboxEndpoint;
  pluginCacheDir: string;
  tempDir: string;
  /** Parent env for engine children: the provider mirror config, no ambient AWS credentials. */
  env: NodeJS.ProcessEnv;
  loaded(): Promise<LoadedRegistry>;
  stack(id: string): Promise<{ loaded: LoadedRegistry; stack: Stack }>;
  writeStack(dir: string, files: Record<string, string>): Promise<void>;
  /** Context for planStack/applyStack. */
  context(id: string, extra?: Partial<StackRunContext>): Promise<StackRunContext>;
  /** CI credentials for a stack, through the issuer, the gate and moto. */
  session(stack: Stack, phase: Phase, runId?: string): Promise<CloudSession>;
  stop(): Promise<void>;
}

export async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await writeFile(join(root, rel), text);
  }
}

export async function startEngineSandbox(
  opts: { stacks?: string[]; registry?: string } = {},
): Promise<EngineSandbox> {
  const tempDir = await mkdtemp(join(tmpdir(), 'idlc-engine-e2e-'));
  const root = join(tempDir, 'repo');
  const pluginCacheDir = join(tempDir, 'plugin-cache');
  await writeFiles(root, { 'idlc.yaml': opts.registry ?? SANDBOX_REGISTRY });
  await writeFiles(
    root,
    Object.fromEntries(Object.entries(LABEL_MODULE).map(([f, t]) => [`idlc/aws/modules/label/${f}`, t])),
  );
  for (const dir of opts.stacks ?? ['idlc/aws/environments/search/dev']) {
    await writeFiles(
      root,
      Object.fromEntries(Object.entries(stackSources()).map(([f, t]) => [`${dir}/${f}`, t])),
    );
  }
  const moto = await startMoto();
  const issuer = await startOidcIssuer({ repository: REPO }, { jobWorkflowRef: idlcJobWorkflowRef });
  const gate = await startStsTrustGate({ upstream: moto.endpoint, issuer: issuer.issuer });
  const sandbox: SandboxEndpoint = { url: moto.endpoint, sts: gate.endpoint };

  const tofurc = cliConfigFile();
  if (!tofurc) throw new Error('no provider mirror config: run scripts/install-tools');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    IDLC_TOOLS_DIR: process.env['IDLC_TOOLS_DIR'],
    TF_CLI_CONFIG_FILE: tofurc,
    AWS_EC2_METADATA_DISABLED: 'true',
  };

  const loaded = () => loadRegistry(root);
  const registry = await loaded();
  // The bootstrap: one state bucket per team account, and the team roles with the trust
  // policies the github-oidc module renders for this registry (one tofu run, see rendered-trust).
  for (const [team, t] of Object.entries(registry.registry.teams)) {
    for (const te of Object.values(t.envs)) {
      const account = te.aws?.account_id;
      if (!account) continue;
      await moto.createStateBucket(`idlc-tfstate-${team}-${account}`, te.aws?.region ?? 'eu-west-1');
    }
  }
  const rendered = await renderGithubOidc(registryRenderInput(registry.registry, REPO));
  for (const [arn, policy] of gateRoles(rendered, issuer.issuer)) gate.roles.set(arn, policy);

  const stack = async (id: string) => {
    const l = await loaded();
    const s = (await discoverStacks(l)).find((x) => x.id === id);
    if (!s) throw new Error(`no stack ${id} in the sandbox`);
    return { loaded: l, stack: s };
  };

  const session = async (s: Stack, phase: Phase, runId = '1000001') => {
    issuer.setContext(
      phase === 'plan'
        ? { eventName: 'pull_request', environment: undefined, jobWorkflowRef: undefined, runId }
        : {
            eventName: 'push',
            ref: 'refs/heads/main',
            environment: s.target.githubEnvironment,
            jobWorkflowRef: undefined,
            runId,
          },
    );
    return await openFederatedSession({
      stackId: s.id,
      target: s.target,
      phase,
      runId,
      idToken: async (aud) => {
        const res = await fetch(`${issuer.requestUrl}&audience=${encodeURIComponent(aud)}`, {
          headers: { authorization: `Bearer ${issuer.requestToken}` },
        });
        return ((await res.json()) as { value: string }).value;
      },
      mask: () => {},
      stsEndpoint: gate.endpoint,
      tempDir,
    });
  };

  return {
    root,
    moto,
    issuer,
    gate,
    sandbox,
    pluginCacheDir,
    tempDir,
    env,
    loaded,
    stack,
    writeStack: async (dir, files) =>
      writeFiles(root, Object.fromEntries(Object.entries(files).map(([f, t]) => [`${dir}/${f}`, t]))),
    context: async (id, extra = {}) => {
      const { loaded: l, stack: s } = await stack(id);
      return {
        root,
        loaded: l,
        stack: s,
        env,
        sandbox,
        pluginCacheDir,
        tempDir,
        lockTimeout: '2s',
        ...extra,
      };
    },
    session,
    async stop() {
      await gate.stop();
      await issuer.stop();
      await moto.stop();
      await rm(tempDir, { recursive: true, force: true });
    },
  };
}
