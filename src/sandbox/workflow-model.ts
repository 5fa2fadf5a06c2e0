/**
 * The parts of workflow files that decide a job's identity on GitHub: the workflow's `name`,
 * its triggers, each job's `permissions`, `environment` and `uses:` (a call to a reusable
 * workflow). GitHub derives a job's GITHUB_TOKEN and ID token from these; the sandbox reads
 * them from the same files act runs.
 */
import { parse } from 'yaml';

export type Level = 'read' | 'write' | 'none';
/** Scope → level, as a `permissions:` block spells them (`pull-requests`, `id-token`). */
export type PermissionMap = Record<string, Level>;

/** The scopes a `permissions:` block may set. */
export const PERMISSION_SCOPES = [
  'actions',
  'attestations',
  'checks',
  'contents',
  'deployments',
  'discussions',
  'id-token',
  'issues',
  'models',
  'packages',
  'pages',
  'pull-requests',
  'repository-projects',
  'security-events',
  'statuses',
] as const;

export interface JobModel {
  id: string;
  /** `permissions:` as written (undefined: not set). */
  permissions?: PermissionMap;
  /** `environment:` (its name), as written: a literal or an expression. */
  environment?: string;
  /** A call to a reusable workflow (`owner/repo/.github/workflows/x.yml@ref` or `./.github/workflows/x.yml`). */
  uses?: string;
  /** A job with steps of its own (not a call). */
  hasSteps: boolean;
}

export interface WorkflowModel {
  /** Path from the repository root, e.g. .github/workflows/idlc-plan.yml */
  path: string;
  /** `name:`, or the file name as GitHub and act default it. */
  name: string;
  triggers: string[];
  permissions?: PermissionMap;
  jobs: Map<string, JobModel>;
}

const ORDER: Record<Level, number> = { none: 0, read: 1, write: 2 };

/** `read-all`, `write-all`, `{}` or a map → a full scope map. */
export function normalizePermissions(raw: unknown, where: string): PermissionMap | undefined {
  if (raw === undefined || raw === null) return undefined;
  const all = (level: Level): PermissionMap =>
    Object.fromEntries(
      PERMISSION_SCOPES.map((s) => [s, s === 'id-token' && level === 'read' ? 'none' : level]),
    );
  if (raw === 'read-all') return all('read');
  if (raw === 'write-all') return all('write');
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new Error(`${where}: permissions must be read-all, write-all or a map`);
  }
  const out: PermissionMap = all('none');
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (!(PERMISSION_SCOPES as readonly string[]).includes(k)) {
      throw new Error(`${where}: permissions: unknown scope ${k}`);
    }
    if (v !== 'read' && v !== 'write' && v !== 'none') {
      throw new Error(`${where}: permissions.${k}: expected read, write or none`);
    }
    out[k] = v;
  }
  return out;
}

/** What a job without any `permissions:` gets: the repository's default (restricted: read). */
export function defaultPermissions(setting: 'read' | 'write'): PermissionMap {
  return Object.fromEntries(
    PERMISSION_SCOPES.map((s) => {
      if (s === 'id-token') return [s, 'none'];
      if (setting === 'write') return [s, 'write'];
      return [s, s === 'contents' || s === 'packages' ? 'read' : 'none'];
    }),
  );
}

/** A called workflow's jobs can only have less than the calling job. */
export function capPermissions(wanted: PermissionMap, limit: PermissionMap): PermissionMap {
  const out: PermissionMap = {};
  for (const s of PERMISSION_SCOPES) {
    const w = wanted[s] ?? 'none';
    const l = limit[s] ?? 'none';
    out[s] = ORDER[w] <= ORDER[l] ? w : l;
  }
  return out;
}

function triggersOf(on: unknown): string[] {
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.map(String);
  if (on && typeof on === 'object') return Object.keys(on);
  return [];
}

export function parseWorkflow(path: string, text: string): WorkflowModel {
  const doc = parse(text) as Record<string, unknown> | null;
  if (!doc || typeof doc !== 'object') throw new Error(`${path}: not a workflow`);
  const jobs = new Map<string, JobModel>();
  for (const [id, raw] of Object.entries((doc['jobs'] as Record<string, Record<string, unknown>>) ?? {})) {
    const env = raw['environment'];
    const environment =
      typeof env === 'string'
        ? env
        : env && typeof env === 'object'
          ? String((env as Record<string, unknown>)['name'] ?? '')
          : undefined;
    const permissions = normalizePermissions(raw['permissions'], `${path}: jobs.${id}`);
    jobs.set(id, {
      id,
      ...(permissions ? { permissions } : {}),
      ...(environment !== undefined ? { environment } : {}),
      ...(typeof raw['uses'] === 'string' ? { uses: raw['uses'] } : {}),
      hasSteps: Array.isArray(raw['steps']) && raw['steps'].length > 0,
    });
  }
  const permissions = normalizePermissions(doc['permissions'], path);
  return {
    path,
    name: typeof doc['name'] === 'string' && doc['name'] ? doc['name'] : (path.split('/').pop() ?? path),
    // YAML 1.1 reads a bare `on:` key as true; the yaml package keeps it as the string "on"
    triggers: triggersOf(doc['on'] ?? doc['true']),
    ...(permissions ? { permissions } : {}),
    jobs,
  };
}

/** `owner/repo/.github/workflows/x.yml@ref` → its parts; `./.github/workflows/x.yml` → a local call. */
export function parseUses(uses: string): { repository?: string; path: string; ref?: string } | undefined {
  const remote = /^([^/]+\/[^/]+)\/(\.github\/workflows\/[^@]+)@(.+)$/.exec(uses);
  if (remote) return { repository: remote[1] as string, path: remote[2] as string, ref: remote[3] as string };
  const local = /^\.\/(\.github\/workflows\/[^@]+)$/.exec(uses);
  if (local) return { path: local[1] as string };
  return undefined;
}

/**
 * A job's environment name for one matrix leg: a literal, or exactly `${{ matrix.<key> }}`.
 * Anything else cannot be evaluated here and is refused (undefined with a reason).
 */
export function evaluateEnvironment(
  expr: string,
  matrix: Record<string, unknown> | undefined,
): { name: string } | { unknown: string } {
  if (!expr.includes('${{')) return { name: expr.trim() };
  const m = /^\$\{\{\s*matrix\.([A-Za-z_][\w-]*)\s*\}\}$/.exec(expr.trim());
  if (!m) return { unknown: `environment "${expr}" is an expression the sandbox does not evaluate` };
  if (!matrix)
    return { unknown: `environment "${expr}" needs the job's matrix, which this step does not carry` };
  const v = matrix[m[1] as string];
  if (typeof v !== 'string' || !v) return { unknown: `matrix.${m[1]} is not set in this leg` };
  return { name: v };
}
