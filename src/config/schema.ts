import { z } from 'zod';

// The platform registry (idlc.yaml) declared once. The JSON Schema in
// schema/idlc.schema.json is generated from these types (npm run schema), so editors and
// the loader agree on one shape.

export const NAME_PATTERN = /^[a-z][a-z0-9-]{1,30}$/;
const name = (what: string) =>
  z
    .string()
    .regex(NAME_PATTERN, `${what} names must match ${NAME_PATTERN.source} (lowercase, digits, dashes)`);

export const AccountIdSchema = z
  .string()
  .regex(/^\d{12}$/, 'expected an AWS account id of exactly 12 digits (quote it in YAML: "123456789012")');

export const AwsRegionSchema = z
  .string()
  .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'expected an AWS region such as eu-west-1');

export const OwnerSchema = z
  .string()
  .regex(/^@[\w.-]+\/[\w.-]+$/, 'owners are GitHub teams written as @org/team');

const relPath = z
  .string()
  .min(1)
  .describe('A path relative to the repository root; it may not be absolute or contain "..".');

/** Role and bucket values may use {team} {env} {account_id} {region} {cloud} placeholders. */
const template = z.string().min(1);

// Sync window schedules as Argo CD parses them (robfig/cron with minute, hour, day of month,
// month and day of week; no seconds, no descriptors): one place, checked when idlc.yaml loads.
const CRON_FIELDS: { name: string; min: number; max: number; names?: string[] }[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  },
  { name: 'day of week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

function cronValue(text: string, f: (typeof CRON_FIELDS)[number]): number | undefined {
  const named = f.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + f.min;
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

/** Why `expr` is not a five-field cron schedule, or undefined when it is one. */
export function cronProblem(expr: string): string | undefined {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5) return `${JSON.stringify(expr)} has ${fields.length} fields, not 5`;
  for (const [i, field] of fields.entries()) {
    const f = CRON_FIELDS[i] as (typeof CRON_FIELDS)[number];
    for (const part of field.split(',')) {
      const [range = '', step, extra] = part.split('/');
      const bad = `${f.name} "${field}"`;
      if (extra !== undefined || (step !== undefined && !/^[1-9]\d*$/.test(step))) return `${bad}: bad step`;
      if (range === '*' || range === '?') continue;
      const [from = '', to, more] = range.split('-');
      const lo = cronValue(from, f);
      const hi = to === undefined ? lo : cronValue(to, f);
      if (more !== undefined || lo === undefined || hi === undefined) return `${bad}: not a number or range`;
      if (lo < f.min || hi > f.max || lo > hi) return `${bad}: outside ${f.min}-${f.max}`;
    }
  }
  return undefined;
}

/**
 * Why `zone` is not a time zone name Argo CD can load (Go's time.LoadLocation: tz database
 * names, case-sensitive), or undefined.
 */
export function timeZoneProblem(zone: string): string | undefined {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return `unknown time zone ${JSON.stringify(zone)}`;
  }
  if (resolved !== zone && resolved.toLowerCase() === zone.toLowerCase()) {
    return `time zone ${JSON.stringify(zone)} is spelled ${JSON.stringify(resolved)} (the names are case-sensitive)`;
  }
  return undefined;
}

export const EngineSchema = z
  .strictObject({
    name: z
      .enum(['tofu', 'terraform'])
      .default('tofu')
      .describe('The IaC engine: OpenTofu (default) or Terraform.'),
    version: z
      .string()
      .regex(/^\d+\.\d+\.\d+$/, 'expected an exact version such as 1.12.6')
      .describe('The pinned engine version; runs refuse any other.'),
  })
  .describe('Which engine runs stacks, and its pinned version.');

export const EnvironmentSchema = z.strictObject({
  name: name('environment'),
  protected: z
    .boolean()
    .default(false)
    .describe('Protected envs need GitHub environment reviewers and never apply outside CI.'),
  approval: z
    .enum(['required', 'none'])
    .optional()
    .describe(
      'required: apply only when the PR head was approved by an owner of the stack who is not the author. Default: required for protected envs, none otherwise.',
    ),
  plan_review: z
    .boolean()
    .default(false)
    .describe(
      'Plans of this env run behind the GitHub environment <team>-<env>-plan (team reviewers approve running PR code with the plan role).',
    ),
  promote_from: z
    .array(name('environment'))
    .min(1)
    .optional()
    .describe(
      'Envs whose pins may be promoted into this one (idlc promote). Default: the env listed just before it; list more to allow skipping.',
    ),
  sync_windows: z
    .array(
      z.strictObject({
        kind: z.enum(['allow', 'deny']),
        schedule: z
          .string()
          .refine((v) => cronProblem(v) === undefined, {
            error: (issue) => `not a cron schedule Argo CD accepts: ${cronProblem(String(issue.input))}`,
            params: {
              fix: 'write five fields: minute hour day-of-month month day-of-week, e.g. "0 8 * * 1-5"',
            },
          })
          .describe('Cron expression of when the window opens, e.g. "0 8 * * 1-5".'),
        duration: z
          .string()
          .regex(/^\d+[hm]$/, 'expected a duration such as 9h or 30m')
          .describe('How long the window stays open.'),
        time_zone: z
          .string()
          .refine((v) => timeZoneProblem(v) === undefined, {
            error: (issue) => timeZoneProblem(String(issue.input)),
            params: {
              fix: 'use an IANA time zone name as written in the tz database, e.g. Europe/Berlin or UTC',
            },
          })
          .default('UTC')
          .describe(
            'IANA time zone of the schedule (Argo CD silently uses UTC for a name it does not know).',
          ),
        manual_sync: z.boolean().default(true).describe('Manual syncs are allowed outside the window.'),
      }),
    )
    .default([])
    .describe('Argo CD sync windows of every team project in this env (e.g. office hours for prod).'),
  description: z.string().optional(),
});

export const AwsTargetSchema = z.strictObject({
  account_id: AccountIdSchema.describe('The AWS account that holds this team/env (one account per team).'),
  region: AwsRegionSchema.optional(),
  plan_role: template.optional().describe('Read-only role for plans; default from naming.aws.plan_role.'),
  apply_role: template.optional().describe('Role for applies; default from naming.aws.apply_role.'),
});

export const GcpTargetSchema = z.strictObject({
  project: z
    .string()
    .regex(
      /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/,
      'expected a GCP project id (6-30 lowercase letters, digits, dashes)',
    ),
  region: z.string().optional(),
  workload_identity_provider: template.optional(),
  plan_service_account: template.optional(),
  apply_service_account: template.optional(),
});

export const TeamEnvSchema = z
  .strictObject({
    aws: AwsTargetSchema.optional(),
    gcp: GcpTargetSchema.optional(),
  })
  .refine((v) => v.aws || v.gcp, { message: 'set at least one of aws or gcp for this environment' });

/** Team names are `teams` keys; `idlc…` would collide with the CI roles `idlc-<team>-<env>-plan|apply`. */
export const RESERVED_TEAM_PREFIX = 'idlc';
export const TeamNameSchema = z
  .string()
  .refine((team) => NAME_PATTERN.test(team), {
    error: (issue) => `team name ${JSON.stringify(issue.input)} must match ${NAME_PATTERN.source}`,
    params: { fix: 'use lowercase letters, digits and dashes, 2-31 characters, starting with a letter' },
  })
  .refine((team) => !team.startsWith(RESERVED_TEAM_PREFIX), {
    message: `team names starting with "${RESERVED_TEAM_PREFIX}" are reserved: the CI roles and service accounts are named idlc-<team>-<env>-plan|apply and the apply roles may not touch idlc-*`,
    params: { fix: 'rename the team, e.g. "platform-tools" instead of "idlc-tools"' },
  });

export const TeamSchema = z.strictObject({
  description: z.string().optional(),
  owners: z.array(OwnerSchema).min(1).describe('GitHub teams that own this team folder (CODEOWNERS).'),
  approvers: z
    .array(z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, 'approvers are GitHub logins (no @)'))
    .default([])
    .describe(
      'GitHub logins whose approval counts for applies, besides active members of the owner teams (reading team membership needs the idlc App token).',
    ),
  cost_center: z.string().min(1).describe('Cost-allocation tag value for every resource of the team.'),
  kind: z.enum(['platform', 'product']).default('product'),
  gpu: z
    .strictObject({
      allowed_instance_types: z
        .array(z.string())
        .default([])
        .describe('Globs of GPU/accelerator instance types the team may use (g5.*, ml.g5.*).'),
      quota: z
        .record(z.string(), z.number().int().min(0))
        .default({})
        .describe(
          'GPUs per env the team namespace may request on EKS (ResourceQuota requests.nvidia.com/gpu); envs not listed get 0.',
        ),
    })
    .default({ allowed_instance_types: [], quota: {} }),
  envs: z.record(z.string(), TeamEnvSchema).describe('Per environment: where the team runs.'),
});

export const StateSchema = z.strictObject({
  bucket: template.describe('S3 bucket per team, e.g. idlc-tfstate-{team}-{account_id}.'),
  key: template
    .default('{env}/{stack}/terraform.tfstate')
    .describe('State object key inside the team bucket; {stack} is the stack path below the env.'),
  region: z.string().optional().describe('Bucket region; defaults to the team env region.'),
  encrypt: z.boolean().default(true),
  kms_key_id: template.optional(),
  use_lockfile: z.boolean().default(true).describe('Native S3 lockfile (conditional writes).'),
  plans_prefix: z.string().default('plans/').describe('Where encrypted plan bundles are kept.'),
  gcs_bucket: template.optional().describe('GCS bucket template for GCP stacks.'),
});

export const NamingSchema = z
  .strictObject({
    aws: z
      .strictObject({
        plan_role: template.default('arn:aws:iam::{account_id}:role/idlc-{team}-{env}-plan'),
        apply_role: template.default('arn:aws:iam::{account_id}:role/idlc-{team}-{env}-apply'),
      })
      .default({
        plan_role: 'arn:aws:iam::{account_id}:role/idlc-{team}-{env}-plan',
        apply_role: 'arn:aws:iam::{account_id}:role/idlc-{team}-{env}-apply',
      }),
    gcp: z
      .strictObject({
        plan_service_account: template.default('idlc-{team}-{env}-plan@{project}.iam.gserviceaccount.com'),
        apply_service_account: template.default('idlc-{team}-{env}-apply@{project}.iam.gserviceaccount.com'),
        workload_identity_provider: template.optional(),
      })
      .default({
        plan_service_account: 'idlc-{team}-{env}-plan@{project}.iam.gserviceaccount.com',
        apply_service_account: 'idlc-{team}-{env}-apply@{project}.iam.gserviceaccount.com',
      }),
  })
  .default({
    aws: {
      plan_role: 'arn:aws:iam::{account_id}:role/idlc-{team}-{env}-plan',
      apply_role: 'arn:aws:iam::{account_id}:role/idlc-{team}-{env}-apply',
    },
    gcp: {
      plan_service_account: 'idlc-{team}-{env}-plan@{project}.iam.gserviceaccount.com',
      apply_service_account: 'idlc-{team}-{env}-apply@{project}.iam.gserviceaccount.com',
    },
  });

export const DependencySchema = z.strictObject({
  stacks: z
    .string()
    .describe('Glob over stack ids (cloud/team/env[/stack]); {env} binds to the same env as after.'),
  after: z.array(z.string()).min(1).describe('Stack id globs that must run first.'),
});

export const GitHubSchema = z
  .strictObject({
    repository: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/,
        'expected owner/name exactly as on GitHub, e.g. acme/platform',
      )
      .describe(
        'This repository (owner/name): OIDC subjects, the plan-run workflow reference, setup-github.',
      ),
    default_branch: z
      .string()
      .regex(/^[\w./-]+$/, 'expected a branch name such as main')
      .default('main')
      .describe('The only branch whose workflows may hold apply roles or write what apply trusts.'),
    oidc_issuer: z
      .url({
        protocol: /^https?$/,
        error: 'expected the issuer URL, e.g. https://token.actions.githubusercontent.com',
      })
      .default('https://token.actions.githubusercontent.com')
      .describe(
        'Issuer of the Actions ID tokens that attest plan manifests (GHES: https://HOST/_services/token).',
      ),
    app: z
      .strictObject({
        app_id: z.number().int().positive().describe('The idlc GitHub App id.'),
        slug: z
          .string()
          .regex(/^[a-z0-9-]+$/)
          .describe('The App slug (its bot is <slug>[bot]).'),
        environment: z
          .string()
          .default('idlc-publish')
          .describe(
            'GitHub environment (default branch only) holding the App private key secret IDLC_APP_PRIVATE_KEY.',
          ),
      })
      .optional()
      .describe(
        'Optional: the idlc GitHub App that writes PR comments and checks and reads team membership; without it those use GITHUB_TOKEN (see docs/security-model.md).',
      ),
  })
  .describe('The GitHub side of the trust boundary.');

export const CloudSchema = z.strictObject({
  default_region: z.string(),
});

export const RegistrySchema = z
  .strictObject({
    version: z.literal(1).describe('Registry format version.'),
    github: GitHubSchema.optional(),
    engine: EngineSchema,
    clouds: z
      .strictObject({ aws: CloudSchema.optional(), gcp: CloudSchema.optional() })
      .refine((c) => c.aws || c.gcp, { message: 'declare at least one cloud (aws or gcp)' }),
    environments: z.array(EnvironmentSchema).min(1).describe('Environments in promotion order.'),
    naming: NamingSchema,
    state: StateSchema,
    stack_roots: z
      .array(relPath)
      .default(['idlc/aws/environments', 'idlc/gcp/environments'])
      .describe('Folders holding <team>/<env>[/<stack>] root modules.'),
    module_roots: z.array(relPath).default(['idlc/aws/modules', 'idlc/gcp/modules']),
    triggers: z
      .array(z.string())
      .default([])
      .describe('Globs whose change re-plans every stack (engine pin, shared workflows).'),
    dependencies: z.array(DependencySchema).default([]),
    teams: z.record(TeamNameSchema, TeamSchema),
  })
  .describe('idlc platform registry: teams, environments, accounts, roles, state.');

export type Registry = z.infer<typeof RegistrySchema>;
export type Team = z.infer<typeof TeamSchema>;
export type TeamEnv = z.infer<typeof TeamEnvSchema>;
export type Environment = z.infer<typeof EnvironmentSchema>;
