import { UsageError } from '../util/errors.ts';
import type { Registry } from './schema.ts';
import { renderTemplate } from './templates.ts';

export type Cloud = 'aws' | 'gcp';

export interface StateLocation {
  backend: 's3' | 'gcs';
  bucket: string;
  key: string;
  region: string;
  encrypt: boolean;
  kmsKeyId?: string;
  useLockfile: boolean;
  /** Prefix (inside the team bucket) where encrypted plan bundles live. */
  plansPrefix: string;
}

/** Everything about where and as whom a stack runs, derived only from the registry. */
export interface StackTarget {
  cloud: Cloud;
  team: string;
  env: string;
  protected: boolean;
  /** Apply needs an approval of the PR's final head by a stack owner who is not the author. */
  approvalRequired: boolean;
  /** PR plans run behind the GitHub environment <team>-<env>-plan. */
  planReview: boolean;
  region: string;
  accountId?: string;
  project?: string;
  planRole: string;
  applyRole: string;
  workloadIdentityProvider?: string;
  /** GitHub environment that gates applies: <team>-<env>. */
  githubEnvironment: string;
  state: StateLocation;
}

/** `approval` in idlc.yaml, defaulting to required for protected envs. */
export function approvalRequired(e: Registry['environments'][number]): boolean {
  return (e.approval ?? (e.protected ? 'required' : 'none')) === 'required';
}

export function envIndex(reg: Registry, env: string): number {
  return reg.environments.findIndex((e) => e.name === env);
}

/**
 * Resolve the target of team/env on a cloud. `stack` is the stack path below the env
 * ("" for a stack at the env folder itself) and feeds the state key.
 */
export function resolveTarget(
  reg: Registry,
  cloud: Cloud,
  team: string,
  env: string,
  stack: string,
): StackTarget {
  const t = reg.teams[team];
  if (!t)
    throw new UsageError(`team "${team}" is not in idlc.yaml`, 'add the team to idlc.yaml (idlc new-team)');
  const e = reg.environments.find((x) => x.name === env);
  const te = t.envs[env];
  if (!e || !te) {
    throw new UsageError(
      `team "${team}" has no environment "${env}" in idlc.yaml`,
      `add teams.${team}.envs.${env} to idlc.yaml`,
    );
  }
  const what = `idlc.yaml teams.${team}.envs.${env}`;
  const stackKey = stack === '' ? 'main' : stack;
  if (cloud === 'aws') {
    const aws = te.aws;
    if (!aws)
      throw new UsageError(`${what}: no aws target for an aws stack`, `add teams.${team}.envs.${env}.aws`);
    const region = aws.region ?? reg.clouds.aws?.default_region;
    if (!region) throw new UsageError(`${what}: no region`, 'set aws.region or clouds.aws.default_region');
    const vars = { team, env, account_id: aws.account_id, region, cloud, stack: stackKey };
    return {
      cloud,
      team,
      env,
      protected: e.protected,
      approvalRequired: approvalRequired(e),
      planReview: e.plan_review,
      region,
      accountId: aws.account_id,
      planRole: renderTemplate(aws.plan_role ?? reg.naming.aws.plan_role, vars, `${what}.aws.plan_role`),
      applyRole: renderTemplate(aws.apply_role ?? reg.naming.aws.apply_role, vars, `${what}.aws.apply_role`),
      githubEnvironment: `${team}-${env}`,
      state: {
        backend: 's3',
        bucket: renderTemplate(reg.state.bucket, vars, 'idlc.yaml state.bucket'),
        key: renderTemplate(reg.state.key, vars, 'idlc.yaml state.key'),
        region: reg.state.region ?? region,
        encrypt: reg.state.encrypt,
        kmsKeyId: reg.state.kms_key_id
          ? renderTemplate(reg.state.kms_key_id, vars, 'state.kms_key_id')
          : undefined,
        useLockfile: reg.state.use_lockfile,
        plansPrefix: reg.state.plans_prefix,
      },
    };
  }
  const gcp = te.gcp;
  if (!gcp)
    throw new UsageError(`${what}: no gcp target for a gcp stack`, `add teams.${team}.envs.${env}.gcp`);
  const region = gcp.region ?? reg.clouds.gcp?.default_region ?? 'europe-west1';
  const vars = { team, env, project: gcp.project, region, cloud, stack: stackKey };
  const wip = gcp.workload_identity_provider ?? reg.naming.gcp.workload_identity_provider;
  return {
    cloud,
    team,
    env,
    protected: e.protected,
    approvalRequired: approvalRequired(e),
    planReview: e.plan_review,
    region,
    project: gcp.project,
    planRole: renderTemplate(
      gcp.plan_service_account ?? reg.naming.gcp.plan_service_account,
      vars,
      `${what}.gcp.plan_service_account`,
    ),
    applyRole: renderTemplate(
      gcp.apply_service_account ?? reg.naming.gcp.apply_service_account,
      vars,
      `${what}.gcp.apply_service_account`,
    ),
    workloadIdentityProvider: wip
      ? renderTemplate(wip, vars, `${what}.gcp.workload_identity_provider`)
      : undefined,
    githubEnvironment: `${team}-${env}`,
    state: {
      backend: 'gcs',
      bucket: renderTemplate(reg.state.gcs_bucket ?? reg.state.bucket, vars, 'idlc.yaml state.gcs_bucket'),
      key: renderTemplate(reg.state.key, vars, 'idlc.yaml state.key'),
      region,
      encrypt: true,
      useLockfile: true,
      plansPrefix: reg.state.plans_prefix,
    },
  };
}
