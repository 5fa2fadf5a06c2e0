/**
 * Infra outputs → manifests. A stack marks what its workloads need with one output named
 * `workload`: a map from app name to a map of environment variables, e.g.
 *
 *   output "workload" {
 *     value = {
 *       rag = { CORPUS_BUCKET = module.docs.corpus_bucket_name, KNOWLEDGE_BASE_ID = … }
 *     }
 *   }
 *
 * After an apply its values are written into sdlc/teams/<team>/<env>/<app>/infra-outputs.env
 * (a kustomize configMapGenerator env file, so a change rolls the pods), in a block per stack,
 * through the same compare-and-swap commit path as gitops-update. Nobody copies an ARN by hand.
 * Never written: sensitive outputs, apps without an overlay, overlays that do not use the file.
 */
import { appOfPath } from '../discovery/paths.ts';
import type { Logger } from '../github/client.ts';
import { appDir, INFRA_OUTPUTS_FILE, isValidAppName, PINS_FILE } from '../sdlc/layout.ts';
import { IdlcError, UsageError } from '../util/errors.ts';
import { commitWithRetry, type RetryPolicy } from './commit.ts';
import { DEPLOY_PREFIX, type DeploySource } from './message.ts';
import type { CreatedCommit, FileAddition, RepoApi } from './repo-api.ts';
import type { ReadFiles } from './update.ts';

export const WORKLOAD_OUTPUT = 'workload';

/** One output of `tofu output -json` (or of the state's `outputs`). */
export interface TofuOutput {
  value: unknown;
  type?: unknown;
  sensitive?: boolean;
}
export type TofuOutputs = Record<string, TofuOutput>;

export interface OutputStack {
  /** aws/search/dev or aws/search/dev/rag */
  id: string;
  team: string;
  env: string;
}

const ENV_KEY = /^[A-Z_][A-Z0-9_]*$/;
const BLOCK = (id: string) => `# stack ${id}`;

/** app → KEY → value, checked. Empty when the stack has no `workload` output. */
export function workloadValues(stack: OutputStack, outputs: TofuOutputs): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  const o = outputs[WORKLOAD_OUTPUT];
  if (!o) return out;
  const where = `${stack.id}: output "${WORKLOAD_OUTPUT}"`;
  if (o.sensitive) {
    throw new UsageError(
      `${where} is sensitive, and secrets never go into Git`,
      'keep secrets in Secrets Manager (ExternalSecret) and output only their names',
    );
  }
  if (!o.value || typeof o.value !== 'object' || Array.isArray(o.value)) {
    throw new UsageError(
      `${where} is not a map of app → {KEY = value}`,
      'output "workload" { value = { <app> = { KEY = "value" } } }',
    );
  }
  for (const [app, vars] of Object.entries(o.value as Record<string, unknown>)) {
    if (!isValidAppName(app))
      throw new UsageError(
        `${where}: "${app}" is not an app name`,
        'use the app folder name under sdlc/teams/<team>/<env>/',
      );
    if (!vars || typeof vars !== 'object' || Array.isArray(vars))
      throw new UsageError(`${where}.${app} is not a map of KEY = value`);
    const m = new Map<string, string>();
    for (const [k, v] of Object.entries(vars as Record<string, unknown>).sort(([a], [b]) =>
      a.localeCompare(b),
    )) {
      if (!ENV_KEY.test(k))
        throw new UsageError(
          `${where}.${app}.${k} is not an environment variable name`,
          'use UPPER_SNAKE_CASE keys',
        );
      if (v === null || typeof v === 'object')
        throw new UsageError(
          `${where}.${app}.${k} is not a string, number or bool`,
          'output scalars only (jsonencode() a structure if you must)',
        );
      const s = String(v);
      if (/[\r\n]/.test(s))
        throw new UsageError(
          `${where}.${app}.${k} contains a line break`,
          'env files hold one line per value',
        );
      m.set(k, s);
    }
    out.set(app, m);
  }
  return out;
}

/** The file with this stack's block replaced by `values` (other stacks' blocks kept). */
export function withStackBlock(
  current: string,
  stackId: string,
  values: Map<string, string>,
  file: string,
): string {
  const lines = current.replace(/\r\n/g, '\n').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const header: string[] = [];
  const blocks: { id: string; lines: string[] }[] = [];
  for (const line of lines) {
    const m = /^# stack (\S+)$/.exec(line);
    if (m) blocks.push({ id: m[1] as string, lines: [] });
    else if (blocks.length === 0) header.push(line);
    else blocks.at(-1)?.lines.push(line);
  }
  const others = blocks.filter((b) => b.id !== stackId);
  for (const b of others) {
    for (const l of b.lines) {
      const key = l.split('=')[0] ?? '';
      if (values.has(key)) {
        throw new IdlcError({
          file,
          message: `${key} is written by stack ${b.id} and by ${stackId}`,
          fix: 'output each key from one stack only',
        });
      }
    }
  }
  const mine = values.size ? [{ id: stackId, lines: [...values].map(([k, v]) => `${k}=${v}`) }] : [];
  const all = [...others, ...mine].sort((a, b) => a.id.localeCompare(b.id));
  return `${[...header, ...all.flatMap((b) => [BLOCK(b.id), ...b.lines])].join('\n')}\n`;
}

/**
 * The edits of infra-outputs.env files for one stack's outputs, on what `read` returns.
 * The function the apply workflow calls after `tofu apply` (through commitInfraOutputs).
 */
export async function infraOutputEdits(
  stack: OutputStack,
  outputs: TofuOutputs,
  read: ReadFiles,
): Promise<FileAddition[]> {
  const values = workloadValues(stack, outputs);
  if (values.size === 0) return [];
  const paths = [...values.keys()].flatMap((app) => {
    const dir = appDir({ team: stack.team, env: stack.env, app });
    return [`${dir}/${INFRA_OUTPUTS_FILE}`, `${dir}/${PINS_FILE}`];
  });
  const files = await read(paths);
  const edits: FileAddition[] = [];
  for (const [app, vars] of values) {
    const dir = appDir({ team: stack.team, env: stack.env, app });
    const kustomization = files.get(`${dir}/${PINS_FILE}`);
    const file = `${dir}/${INFRA_OUTPUTS_FILE}`;
    if (kustomization === null || kustomization === undefined) {
      throw new IdlcError({
        file: `${dir}/${PINS_FILE}`,
        message: `stack ${stack.id} has outputs for app "${app}", which has no overlay in ${stack.env}`,
        fix: `fix the app name in output "workload", or add the app (idlc new-app ${stack.team} ${app} --template …)`,
      });
    }
    if (!kustomization.includes(INFRA_OUTPUTS_FILE)) {
      throw new IdlcError({
        file: `${dir}/${PINS_FILE}`,
        message: `does not use ${INFRA_OUTPUTS_FILE}, so the outputs of ${stack.id} would reach no pod`,
        fix: `add configMapGenerator: [{ name: infra-outputs, envs: [${INFRA_OUTPUTS_FILE}] }] (idlc new-app does) and envFrom the ConfigMap`,
      });
    }
    const current = files.get(file) ?? '';
    const next = withStackBlock(current, stack.id, vars, file);
    if (next !== current) edits.push({ path: file, contents: next });
  }
  return edits;
}

export interface InfraOutputsOutcome {
  changed: boolean;
  commit?: CreatedCommit;
  files: string[];
  attempts: number;
}

/** infraOutputEdits committed on `branch` (compare-and-swap, re-applied when the branch moves). */
export async function commitInfraOutputs(o: {
  api: RepoApi;
  branch: string;
  stack: OutputStack;
  outputs: TofuOutputs;
  source?: DeploySource;
  retry?: Partial<RetryPolicy>;
  log?: Logger;
}): Promise<InfraOutputsOutcome> {
  let files: string[] = [];
  const outcome = await commitWithRetry({
    api: o.api,
    branch: o.branch,
    ...(o.retry ? { retry: o.retry } : {}),
    ...(o.log ? { log: o.log } : {}),
    compute: async (read) => {
      const additions = await infraOutputEdits(o.stack, o.outputs, read);
      files = additions.map((a) => a.path);
      if (additions.length === 0) return null;
      const apps = additions.map((a) => appOfPath(a.path)?.app).join(', ');
      const trailers = [
        ...(o.source?.commit ? [`Source-Commit: ${o.source.commit}`] : []),
        ...(o.source?.pr ? [`Source-PR: ${o.source.pr}`] : []),
      ];
      return {
        additions,
        headline: `${DEPLOY_PREFIX} ${o.stack.team} ${o.stack.env} infra outputs of ${o.stack.id} (${apps})`,
        body: [
          `Written from output "${WORKLOAD_OUTPUT}" of ${o.stack.id} after apply.`,
          ...additions.map((a) => `- ${a.path}`),
          ...(trailers.length ? ['', ...trailers] : []),
        ].join('\n'),
      };
    },
  });
  return {
    changed: outcome.changed,
    ...(outcome.commit ? { commit: outcome.commit } : {}),
    files: outcome.changed ? files : [],
    attempts: outcome.attempts,
  };
}
