import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { z } from 'zod';
import { addTeamToRegistry } from '../../config/edit.ts';
import {
  loadRegistry,
  parseRegistry,
  REGISTRY_FILE,
  sharedTargets,
  type TeamHoldings,
} from '../../config/load.ts';
import {
  AccountIdSchema,
  AwsRegionSchema,
  OwnerSchema,
  type Registry,
  TeamNameSchema,
  TeamSchema,
} from '../../config/schema.ts';
import { stackRootOf } from '../../discovery/paths.ts';
import { isValidAppName, TEAMS_DIR } from '../../sdlc/layout.ts';
import { newAppFiles, TEMPLATES } from '../../sdlc/new-app.ts';
import { IdlcError, type Problem, UsageError } from '../../util/errors.ts';
import { writeFileAtomic } from '../../util/fs-atomic.ts';
import type { CliIO } from '../io.ts';

export interface NewTeamOptions {
  name: string;
  /** The registry's stack root for AWS (stack_roots), where the team's stacks go. */
  stackRoot: string;
  envs: string[];
  /** env → 12-digit AWS account id; every env needs one. */
  accounts: Record<string, string>;
  /** env → AWS region, for envs that do not run in clouds.aws.default_region. */
  regions: Record<string, string>;
  /** GitHub teams (@org/team); default: @<org of the existing owners>/<name>. */
  owners: string[];
  costCenter: string;
  description?: string;
  /** A first app, scaffolded as `idlc new-app` does (base/<app> and <env>/<app> per env). */
  app?: { name: string; template: string };
}

export type FileStatus = 'created' | 'updated' | 'unchanged';

export interface NewTeamResult {
  files: { path: string; status: FileStatus }[];
}

const CODEOWNERS = '.github/CODEOWNERS';

// The stack files every team stack starts with: the same partial backend, guarded provider and
// injected variable as the existing team stacks. idlc fills backend and variables at run time.
const VERSIONS_TF = `terraform {
  required_version = ">= 1.10.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }

  # Partial backend: idlc injects bucket, key, region and lockfile from idlc.yaml.
  backend "s3" {}
}
`;

const PROVIDERS_TF = `provider "aws" {
  region              = var.idlc.region
  allowed_account_ids = [var.idlc.account_id]

  default_tags {
    tags = {
      team          = var.idlc.team
      env           = var.idlc.env
      "cost-center" = var.idlc.cost_center
      owner         = var.idlc.owner
      "managed-by"  = "idlc"
      stack         = var.idlc.stack
    }
  }
}
`;

const VARIABLES_TF = `variable "idlc" {
  description = "Injected by idlc from the platform registry (idlc.yaml); never set by hand."
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
`;

const MAIN_TF = `# Compose the team's infrastructure from the catalog in idlc/aws/modules (see idlc/README.md),
# e.g. account-baseline, bedrock, rag-stack, sagemaker-endpoint, monitoring. Keep this stack
# thin: module calls here, environment-specific values in terraform.tfvars.
locals {
  name = "\${var.idlc.team}-\${var.idlc.env}"
}
`;

const OUTPUTS_TF = `output "name" {
  description = "Name prefix used by this stack's resources."
  value       = local.name
}
`;

/** The stack files of every env (repository-relative path → exact content). */
export function scaffoldFiles(opts: NewTeamOptions): Record<string, string> {
  const files: Record<string, string> = {};
  for (const env of opts.envs) {
    const dir = `${opts.stackRoot}/${opts.name}/${env}`;
    files[`${dir}/versions.tf`] = VERSIONS_TF;
    files[`${dir}/providers.tf`] = PROVIDERS_TF;
    files[`${dir}/variables.tf`] = VARIABLES_TF;
    files[`${dir}/main.tf`] = MAIN_TF;
    files[`${dir}/outputs.tf`] = OUTPUTS_TF;
  }
  return files;
}

/** `value` breaks the registry's rule for the field (the rules live in schema.ts, once). */
const refused = (schema: z.ZodType, value: unknown) => !schema.safeParse(value).success;

function parsePairs(flag: string, raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw) return out;
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0 || eq === part.length - 1) {
      throw new UsageError(`${flag}: "${part}" is not env=value`, `write ${flag} dev=...,prod=...`);
    }
    const env = part.slice(0, eq).trim();
    if (out[env] !== undefined) throw new UsageError(`${flag}: environment "${env}" is given twice`);
    out[env] = part.slice(eq + 1).trim();
  }
  return out;
}

/** Turn raw CLI input into checked options; every problem names the flag and the fix. */
export function parseNewTeamArgs(
  name: string,
  raw: {
    envs: string;
    account?: string;
    region?: string;
    owner?: string[];
    costCenter: string;
    description?: string;
    app?: string;
    template?: string;
  },
  registry: Registry,
): NewTeamOptions {
  const problems: string[] = [];
  const teamName = TeamNameSchema.safeParse(name);
  for (const issue of teamName.error?.issues ?? []) {
    const fix = (issue as { params?: { fix?: string } }).params?.fix;
    problems.push(`${issue.message}${fix ? ` (${fix})` : ''}`);
  }
  const stackRoot = stackRootOf(registry.stack_roots, 'aws');
  if (!stackRoot) {
    problems.push(
      `idlc.yaml stack_roots (${registry.stack_roots.join(', ')}) has no AWS root for the team's stacks (e.g. idlc/aws/environments)`,
    );
  }
  const known = registry.environments.map((e) => e.name);
  const envs = raw.envs
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (envs.length === 0) problems.push('--envs: list at least one environment');
  for (const env of envs) {
    if (!known.includes(env))
      problems.push(`--envs: "${env}" is not declared in idlc.yaml (known: ${known.join(', ')})`);
  }
  if (new Set(envs).size !== envs.length) problems.push('--envs: an environment is listed twice');
  // Keep promotion order whatever order the flag used.
  envs.sort((a, b) => known.indexOf(a) - known.indexOf(b));

  const accounts = parsePairs('--account', raw.account);
  for (const env of envs) {
    const id = accounts[env];
    if (id === undefined)
      problems.push(`--account: no account for "${env}" (every environment needs its own)`);
    else if (refused(AccountIdSchema, id))
      problems.push(`--account: ${env}=${id} is not a 12-digit AWS account id`);
  }
  for (const env of Object.keys(accounts)) {
    if (!envs.includes(env)) problems.push(`--account: "${env}" is not in --envs`);
  }
  const ids = envs.map((e) => accounts[e]).filter(Boolean);
  if (new Set(ids).size !== ids.length) problems.push('--account: each environment needs its own account');
  const others = Object.entries(registry.teams).filter(([team]) => team !== name);
  const candidate: TeamHoldings = Object.fromEntries([
    ...others,
    [
      name,
      { envs: Object.fromEntries(envs.map((env) => [env, { aws: { account_id: accounts[env] ?? '' } }])) },
    ],
  ]);
  for (const s of sharedTargets(candidate)) {
    if (s.team !== name) continue;
    problems.push(
      `--account: ${s.id} already belongs to team "${s.owner.team}" (${s.owner.env}); teams never share an account`,
    );
  }

  const regions = parsePairs('--region', raw.region);
  for (const [env, region] of Object.entries(regions)) {
    if (!envs.includes(env)) problems.push(`--region: "${env}" is not in --envs`);
    if (refused(AwsRegionSchema, region)) problems.push(`--region: ${env}=${region} is not an AWS region`);
  }

  let owners = raw.owner ?? [];
  if (owners.length === 0) {
    const org = Object.values(registry.teams)
      .flatMap((t) => t.owners)
      .map((o) => /^@([\w.-]+)\//.exec(o)?.[1])
      .find(Boolean);
    if (org) owners = [`@${org}/${name}`];
    else
      problems.push(
        '--owner: no existing owner to take the GitHub organization from; pass --owner @org/team',
      );
  }
  for (const o of owners) {
    if (refused(OwnerSchema, o)) problems.push(`--owner: "${o}" is not a GitHub team (@org/team)`);
  }
  if (refused(TeamSchema.shape.cost_center, raw.costCenter.trim()))
    problems.push('--cost-center: must not be empty');

  let app: NewTeamOptions['app'];
  if (raw.app !== undefined || raw.template !== undefined) {
    if (raw.app === undefined || raw.template === undefined) {
      problems.push('--app and --template go together: name the first app and the template it starts from');
    } else {
      app = { name: raw.app, template: raw.template };
      if (!isValidAppName(raw.app))
        problems.push(`--app: "${raw.app}" is not an app name (lowercase letters, digits and dashes)`);
      if (!(TEMPLATES as readonly string[]).includes(raw.template))
        problems.push(`--template: "${raw.template}" is not one of ${TEMPLATES.join(', ')}`);
    }
  }

  if (problems.length > 0) {
    throw new UsageError(
      `cannot create team "${name}":\n  - ${problems.join('\n  - ')}`,
      'fix the flags and run again',
    );
  }
  return {
    name,
    stackRoot: stackRoot as string,
    envs,
    accounts,
    regions,
    owners,
    costCenter: raw.costCenter.trim(),
    description: raw.description,
    ...(app ? { app } : {}),
  };
}

function teamEntry(opts: NewTeamOptions): Record<string, unknown> {
  const envs: Record<string, unknown> = {};
  for (const env of opts.envs) {
    const aws: Record<string, string> = { account_id: opts.accounts[env] as string };
    const region = opts.regions[env];
    if (region) aws['region'] = region;
    envs[env] = { aws };
  }
  return {
    ...(opts.description ? { description: opts.description } : {}),
    owners: opts.owners,
    cost_center: opts.costCenter,
    envs,
  };
}

/** The registry entry as the file would hold it, for comparing with what is already there. */
function sameTeam(existing: Registry['teams'][string], wanted: Record<string, unknown>): string | undefined {
  const envs = wanted['envs'] as Record<string, { aws: { account_id: string; region?: string } }>;
  if (
    JSON.stringify([...existing.owners].sort()) !== JSON.stringify([...(wanted['owners'] as string[])].sort())
  ) {
    return 'owners';
  }
  if (existing.cost_center !== wanted['cost_center']) return 'cost_center';
  for (const [env, target] of Object.entries(envs)) {
    const have = existing.envs[env]?.aws;
    if (!have) return `envs.${env}`;
    if (have.account_id !== target.aws.account_id) return `envs.${env}.aws.account_id`;
    if ((have.region ?? undefined) !== (target.aws.region ?? undefined)) return `envs.${env}.aws.region`;
  }
  return undefined;
}

function codeownersLines(opts: NewTeamOptions): string[] {
  const owners = opts.owners.join(' ');
  return [`/${opts.stackRoot}/${opts.name}/`, `/${TEAMS_DIR}/${opts.name}/`].map(
    (p) => `${p.padEnd(34)} ${owners}`,
  );
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Scaffold a team: registry entry, one stack per env, CODEOWNERS lines and, with an app, the
 * app's base and per-env overlays as new-app writes them. Idempotent (identical files are left
 * alone); never overwrites a file with different content; checks everything before writing
 * anything, and writes the registry last so a team only appears once its folders exist.
 */
export async function newTeam(root: string, opts: NewTeamOptions): Promise<NewTeamResult> {
  const loaded = await loadRegistry(root);
  const result: NewTeamResult = { files: [] };
  const conflicts: Problem[] = [];

  const entry = teamEntry(opts);
  let registryText: string | undefined;
  let registry: Registry | undefined = loaded.registry;
  const existing = loaded.registry.teams[opts.name];
  if (existing) {
    const differs = sameTeam(existing, entry);
    if (differs) {
      conflicts.push({
        file: REGISTRY_FILE,
        field: `teams.${opts.name}.${differs}`,
        message: `team "${opts.name}" is already registered with a different ${differs}`,
        fix: 'edit idlc.yaml by hand (a platform review) instead of re-running new-team with other values',
      });
    }
  } else {
    registryText = addTeamToRegistry(loaded.text, opts.name, entry);
    try {
      registry = parseRegistry(registryText, REGISTRY_FILE);
    } catch (err) {
      if (err instanceof IdlcError) conflicts.push(...err.problems);
      else throw err;
      registry = undefined;
    }
  }

  // The first app in the layout the ApplicationSets read (one folder per app), as new-app writes it.
  const files = {
    ...scaffoldFiles(opts),
    ...(opts.app && registry ? newAppFiles(registry, opts.name, opts.app.name, opts.app.template) : {}),
  };
  const writes: [string, string][] = [];
  for (const [rel, content] of Object.entries(files)) {
    const have = await readIfExists(join(root, rel));
    if (have === undefined) writes.push([rel, content]);
    else if (have === content) result.files.push({ path: rel, status: 'unchanged' });
    else {
      conflicts.push({
        file: rel,
        message: 'exists with different content; new-team never overwrites files',
        fix: 'keep your file (the team is already scaffolded) or move it away and run new-team again',
      });
    }
  }

  const codeownersPath = join(root, CODEOWNERS);
  const codeowners = (await readIfExists(codeownersPath)) ?? '';
  const present = new Set(
    codeowners
      .split('\n')
      .map((l) => l.trim().split(/\s+/)[0])
      .filter(Boolean),
  );
  const missing = codeownersLines(opts).filter((l) => !present.has(l.split(/\s+/)[0] as string));

  if (conflicts.length > 0) throw new IdlcError(conflicts);

  for (const [rel, content] of writes) {
    await writeFileAtomic(join(root, rel), content);
    result.files.push({ path: rel, status: 'created' });
  }
  if (missing.length > 0) {
    const base = codeowners === '' || codeowners.endsWith('\n') ? codeowners : `${codeowners}\n`;
    await writeFileAtomic(codeownersPath, `${base}${missing.join('\n')}\n`);
    result.files.push({ path: CODEOWNERS, status: codeowners === '' ? 'created' : 'updated' });
  } else {
    result.files.push({ path: CODEOWNERS, status: 'unchanged' });
  }
  if (registryText !== undefined) {
    await writeFileAtomic(join(root, REGISTRY_FILE), registryText);
    result.files.push({ path: REGISTRY_FILE, status: 'updated' });
  } else {
    result.files.push({ path: REGISTRY_FILE, status: 'unchanged' });
  }
  return result;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerNewTeam(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('new-team')
    .description(
      'Scaffold a team: registry entry, one stack per env, CODEOWNERS lines and optionally a first app',
    )
    .argument('<name>', 'team name (lowercase letters, digits, dashes)')
    .requiredOption('--envs <list>', 'environments, comma-separated (e.g. dev,staging,prod)')
    .requiredOption('--account <env=id,...>', 'AWS account per environment (e.g. dev=123456789012,prod=...)')
    .requiredOption('--cost-center <code>', 'cost-allocation tag value of the team (e.g. cc-2300)')
    .option(
      '--owner <@org/team>',
      'GitHub team owning the folders (repeatable; default @<org>/<name>)',
      collect,
    )
    .option('--region <env=region,...>', 'AWS region per environment when not the default region')
    .option('--description <text>', 'one line about the team')
    .option('--app <name>', 'a first app under sdlc/teams/<name>/ (base + one overlay per env, as new-app)')
    .option('--template <name>', `the workload template of --app: ${TEMPLATES.join(', ')}`)
    .action(
      async (
        name: string,
        raw: {
          envs: string;
          account: string;
          costCenter: string;
          owner?: string[];
          region?: string;
          description?: string;
          app?: string;
          template?: string;
        },
      ) => {
        const root = program.opts().root ?? io.cwd;
        const loaded = await loadRegistry(root);
        const opts = parseNewTeamArgs(name, raw, loaded.registry);
        const result = await newTeam(root, opts);
        for (const f of result.files) io.out(`${f.status.padEnd(9)} ${f.path}`);
        const created = result.files.filter((f) => f.status !== 'unchanged').length;
        if (created === 0) {
          io.out(`team "${name}" is already scaffolded; nothing to do`);
        } else {
          io.out(
            [
              '',
              `team "${name}" scaffolded. Next steps (platform):`,
              `  1. in each account, bootstrap the state bucket and CI roles (idlc/aws/modules/state-backend, github-oidc)`,
              `  2. create the GitHub environments ${opts.envs.map((e) => `${name}-${e}`).join(', ')} (reviewers on protected envs)`,
              `  3. add module calls to ${opts.stackRoot}/${name}/<env>/main.tf and open a pull request`,
              ...(opts.app
                ? []
                : [`  4. add the team's apps: idlc new-app ${name} <app> --template ${TEMPLATES.join('|')}`]),
            ].join('\n'),
          );
        }
        setExit(0);
      },
    );
}
