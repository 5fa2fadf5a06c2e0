import type { Registry } from '../config/schema.ts';
import { manifestsFolderOf, repoRelative } from '../discovery/paths.ts';
import type { Stack } from '../discovery/stacks.ts';

/** What plan policies know besides the plan (input.context), all derived from idlc.yaml. */
export interface PlanContext {
  team: string;
  env: string;
  protected: boolean;
  account_id: string;
  region: string;
  cost_center: string;
  owner: string;
  stack: string;
  /** "account-baseline" for stacks in a folder named account-baseline, else "stack". */
  stack_kind: 'account-baseline' | 'stack';
  gpu_allowed_instance_types: string[];
  /** PR approvals such as "destroy-approved" (labels applied by reviewers). */
  approvals: string[];
}

/** The folder name that marks a stack as its account's baseline (Bedrock logging lives there). */
export const ACCOUNT_BASELINE = 'account-baseline';

export function stackKind(stack: Pick<Stack, 'name'>): PlanContext['stack_kind'] {
  return stack.name.split('/').pop() === ACCOUNT_BASELINE ? 'account-baseline' : 'stack';
}

export function planContext(stack: Stack, registry: Registry, approvals: string[] = []): PlanContext {
  const team = registry.teams[stack.team];
  return {
    team: stack.team,
    env: stack.env,
    protected: stack.target.protected,
    account_id: stack.target.accountId ?? stack.target.project ?? '',
    region: stack.target.region,
    cost_center: team?.cost_center ?? '',
    owner: team?.owners[0] ?? '',
    stack: stack.id,
    stack_kind: stackKind(stack),
    gpu_allowed_instance_types: team?.gpu.allowed_instance_types ?? [],
    approvals: [...new Set(approvals)].sort(),
  };
}

/** What manifest policies know besides the objects. */
export interface ManifestContext {
  team?: string;
  env?: string;
  /** Namespace of objects that name none (kustomize's namespace, else "default"). */
  namespace: string;
  /** Globs over registry host/path that images may come from. */
  allowed_registries: string[];
}

/** sdlc/teams/<team>/<env>/... → team and env, when the folder follows the layout. */
export function teamEnvOfPath(
  root: string,
  dir: string,
  registry: Registry,
): { team?: string; env?: string } {
  const rel = repoRelative(root, dir);
  const at = rel === undefined ? undefined : manifestsFolderOf(rel);
  if (at?.area !== 'teams') return {};
  const team = registry.teams[at.team] ? at.team : undefined;
  const env = at.env && registry.environments.some((e) => e.name === at.env) ? at.env : undefined;
  return { team, env };
}

/**
 * Registries a team's images may come from: the ECR registry of each of the team's AWS
 * accounts and of the platform team's (shared base images), plus any extra globs.
 */
export function allowedRegistries(
  registry: Registry,
  team: string | undefined,
  extra: string[] = [],
): string[] {
  const out = new Set<string>();
  const teams = Object.entries(registry.teams).filter(([name, t]) => name === team || t.kind === 'platform');
  for (const [, t] of teams) {
    for (const target of Object.values(t.envs)) {
      const aws = target.aws;
      if (!aws) continue;
      const region = aws.region ?? registry.clouds.aws?.default_region;
      if (region) out.add(`${aws.account_id}.dkr.ecr.${region}.amazonaws.com`);
    }
  }
  for (const e of extra) out.add(e);
  return [...out].sort();
}

export function manifestContext(opts: {
  registry: Registry;
  team?: string;
  env?: string;
  extraRegistries?: string[];
}): ManifestContext {
  return {
    ...(opts.team ? { team: opts.team } : {}),
    ...(opts.env ? { env: opts.env } : {}),
    namespace: 'default',
    allowed_registries: allowedRegistries(opts.registry, opts.team, opts.extraRegistries),
  };
}
