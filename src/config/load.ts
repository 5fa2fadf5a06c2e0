import { readFile } from 'node:fs/promises';
import { isAbsolute, normalize, relative, resolve } from 'node:path';
import { type Document, isMap, isPair, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { IdlcError, type Problem } from '../util/errors.ts';
import { type Registry, RegistrySchema } from './schema.ts';
import { placeholdersIn, TEMPLATE_VARS } from './templates.ts';

export const REGISTRY_FILE = 'idlc.yaml';

export interface LoadedRegistry {
  registry: Registry;
  /** Repository root the stacks and modules are read from (absolute): the checkout under review. */
  root: string;
  /**
   * Where the registry, policies and waivers come from (absolute). In PR jobs this is a
   * checkout of the default branch, never the PR: a PR cannot move its own account, role,
   * state location or guardrails. Equal to `root` everywhere else.
   */
  trustedRoot: string;
  file: string;
  /** Raw YAML text, kept for hashing registry entries into plan provenance. */
  text: string;
}

type PathKey = string | number;

class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    readonly file: string,
  ) {}

  /** Position of the value at `path`, or of the key `key` inside it, or of the nearest parent. */
  at(path: PathKey[], key?: string): { line?: number; column?: number } {
    for (let depth = path.length; depth >= 0; depth--) {
      const sub = path.slice(0, depth);
      const node = (sub.length === 0 ? this.doc.contents : this.doc.getIn(sub, true)) as Node | undefined;
      if (!node) continue;
      if (key !== undefined && depth === path.length && isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
        const keyNode = pair?.key as Node | undefined;
        if (keyNode?.range) return this.pos(keyNode.range[0]);
      }
      if (node.range) return this.pos(node.range[0]);
    }
    return {};
  }

  private pos(offset: number) {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }
}

const dotted = (path: PathKey[]) => path.map(String).join('.');

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${String(v)}`;
}

function getAt(value: unknown, path: PathKey[]): unknown {
  let cur: unknown = value;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PathKey, unknown>)[k];
  }
  return cur;
}

/** A refinement may carry its fix: `.refine(fn, { message, params: { fix } })`. */
const fixOf = (issue: { code: string; params?: Record<string, unknown> }): string | undefined =>
  issue.code === 'custom' && typeof issue.params?.['fix'] === 'string' ? issue.params['fix'] : undefined;

function zodProblems(issues: z.core.$ZodIssue[], raw: unknown, loc: Locator): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const path = issue.path as PathKey[];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({
          file: loc.file,
          ...loc.at(path, key),
          field: dotted([...path, key]),
          message: 'unknown key',
          fix: `remove "${key}" or check its spelling against schema/idlc.schema.json`,
        });
      }
      continue;
    }
    if (issue.code === 'invalid_key') {
      // A record key its key schema refused (e.g. a reserved team name): point at the key.
      const key = String(path.at(-1));
      for (const inner of issue.issues) {
        out.push({
          file: loc.file,
          ...loc.at(path.slice(0, -1), key),
          field: dotted(path),
          message: inner.message,
          fix: fixOf(inner),
        });
      }
      continue;
    }
    const got = getAt(raw, path);
    let message = issue.message;
    let fix: string | undefined;
    if (issue.code === 'invalid_type') {
      if (got === undefined) {
        message = `required field is missing (expected ${issue.expected})`;
        fix = `add ${dotted(path)}`;
      } else {
        message = `expected ${issue.expected}, got ${describeValue(got)}`;
      }
    } else if (issue.code === 'invalid_format' || issue.code === 'invalid_value') {
      message = `${issue.message}; got ${describeValue(got)}`;
    } else {
      fix = fixOf(issue);
    }
    out.push({ file: loc.file, ...loc.at(path), field: dotted(path) || '(top level)', message, fix });
  }
  return out;
}

function escapesRepo(p: string): boolean {
  if (isAbsolute(p)) return true;
  const n = normalize(p);
  return n === '..' || n.startsWith('../') || n.split('/').includes('..');
}

/** An AWS account or GCP project of a team that an earlier team (in file order) already holds. */
export interface SharedTarget {
  team: string;
  env: string;
  cloud: 'aws' | 'gcp';
  id: string;
  owner: { team: string; env: string };
}

/** The accounts and projects of teams: what the isolation rule looks at. */
export type TeamHoldings = Record<
  string,
  { envs: Record<string, { aws?: { account_id: string }; gcp?: { project: string } }> }
>;

/** Teams never share an account or a project (hard isolation): every place they would. */
export function sharedTargets(teams: TeamHoldings): SharedTarget[] {
  const owners = new Map<string, { team: string; env: string }>();
  const out: SharedTarget[] = [];
  for (const [team, t] of Object.entries(teams)) {
    for (const [env, target] of Object.entries(t.envs)) {
      for (const [cloud, id] of [
        ['aws', target.aws?.account_id],
        ['gcp', target.gcp?.project],
      ] as const) {
        if (!id) continue;
        const owner = owners.get(`${cloud}:${id}`);
        if (owner && owner.team !== team) out.push({ team, env, cloud, id, owner });
        else if (!owner) owners.set(`${cloud}:${id}`, { team, env });
      }
    }
  }
  return out;
}

/** Invariants a schema cannot express: isolation, references, paths. */
export function checkInvariants(reg: Registry, loc: Locator | null, file: string): Problem[] {
  const problems: Problem[] = [];
  const at = (path: PathKey[], key?: string) => (loc ? loc.at(path, key) : {});
  const envNames = new Set<string>();
  reg.environments.forEach((e, i) => {
    if (envNames.has(e.name)) {
      problems.push({
        file,
        ...at(['environments', i, 'name']),
        field: `environments.${i}.name`,
        message: `environment "${e.name}" is listed twice`,
        fix: 'list each environment once, in promotion order',
      });
    }
    envNames.add(e.name);
  });

  const order = reg.environments.map((e) => e.name);
  reg.environments.forEach((e, i) => {
    const before = order.slice(0, i);
    const fix = before.length
      ? `list only envs that come before ${e.name} in environments (${before.join(', ')})`
      : `remove promote_from: ${e.name} is first in the promotion order (${order.join(' → ')})`;
    (e.promote_from ?? []).forEach((from, j) => {
      const where = ['environments', i, 'promote_from', j];
      const problem = { file, ...at(where), field: dotted(where), fix };
      if (!order.includes(from))
        problems.push({ ...problem, message: `environment "${from}" is not declared` });
      else if (from === e.name)
        problems.push({ ...problem, message: `${e.name} cannot be promoted from itself` });
      else if (!before.includes(from)) {
        problems.push({
          ...problem,
          message: `${e.name} cannot be promoted from ${from}, which comes after it (${order.join(' → ')})`,
        });
      }
    });
  });

  for (const [team, t] of Object.entries(reg.teams)) {
    for (const env of Object.keys(t.envs)) {
      if (!envNames.has(env)) {
        problems.push({
          file,
          ...at(['teams', team, 'envs'], env),
          field: `teams.${team}.envs.${env}`,
          message: `environment "${env}" is not declared`,
          fix: `declare it under environments (known: ${[...envNames].join(', ')}) or fix the name`,
        });
      }
    }
    for (const env of Object.keys(t.gpu.quota)) {
      if (!envNames.has(env)) {
        problems.push({
          file,
          ...at(['teams', team, 'gpu', 'quota'], env),
          field: `teams.${team}.gpu.quota.${env}`,
          message: `environment "${env}" is not declared`,
          fix: `use env names from environments (${[...envNames].join(', ')})`,
        });
      }
    }
    for (const [env, target] of Object.entries(t.envs)) {
      for (const [cloud, key] of [
        ['aws', 'plan_role'],
        ['aws', 'apply_role'],
      ] as const) {
        const value = target[cloud]?.[key];
        if (value) problems.push(...checkTemplate(value, ['teams', team, 'envs', env, cloud, key], file, at));
      }
    }
  }
  for (const s of sharedTargets(reg.teams)) {
    const what = s.cloud === 'aws' ? 'account' : 'GCP project';
    const key = s.cloud === 'aws' ? 'account_id' : 'project';
    const path = ['teams', s.team, 'envs', s.env, s.cloud, key];
    problems.push({
      file,
      ...at(path),
      field: dotted(path),
      message: `${what} ${s.id} is already used by team "${s.owner.team}"; teams never share ${s.cloud === 'aws' ? 'an account' : 'a project'} (hard isolation)`,
      fix: `give each team its own ${s.cloud === 'aws' ? 'AWS account' : 'GCP project'} per environment`,
    });
  }

  for (const [path, value] of [
    [['state', 'bucket'], reg.state.bucket],
    [['state', 'key'], reg.state.key],
    [['naming', 'aws', 'plan_role'], reg.naming.aws.plan_role],
    [['naming', 'aws', 'apply_role'], reg.naming.aws.apply_role],
  ] as [PathKey[], string][]) {
    problems.push(...checkTemplate(value, path, file, at));
  }

  for (const listKey of ['stack_roots', 'module_roots'] as const) {
    reg[listKey].forEach((p, i) => {
      if (escapesRepo(p)) {
        problems.push({
          file,
          ...at([listKey, i]),
          field: `${listKey}.${i}`,
          message: `path "${p}" escapes the repository`,
          fix: 'use a path relative to the repository root without ".."',
        });
      }
    });
  }

  const teams = new Set(Object.keys(reg.teams));
  reg.dependencies.forEach((dep, i) => {
    [dep.stacks, ...dep.after].forEach((glob, j) => {
      const parts = glob.split('/');
      const team = parts[1];
      const env = parts[2];
      const path: PathKey[] = j === 0 ? ['dependencies', i, 'stacks'] : ['dependencies', i, 'after', j - 1];
      if (parts.length < 3 || !['aws', 'gcp', '*'].includes(parts[0] ?? '')) {
        problems.push({
          file,
          ...at(path),
          field: dotted(path),
          message: `"${glob}" is not a stack id glob`,
          fix: 'write <cloud>/<team>/<env>[/<stack>], e.g. aws/platform/{env}/network',
        });
        return;
      }
      if (team && !/[*?{[]/.test(team) && !teams.has(team)) {
        problems.push({
          file,
          ...at(path),
          field: dotted(path),
          message: `team "${team}" is not declared`,
          fix: `declare it under teams or fix the name (known: ${[...teams].join(', ')})`,
        });
      }
      if (env && !/[*?[]/.test(env) && env !== '{env}' && !envNames.has(env)) {
        problems.push({
          file,
          ...at(path),
          field: dotted(path),
          message: `environment "${env}" is not declared`,
          fix: `use one of ${[...envNames].join(', ')} or {env}`,
        });
      }
    });
  });
  return problems;
}

function checkTemplate(
  value: string,
  path: PathKey[],
  file: string,
  at: (p: PathKey[]) => { line?: number; column?: number },
): Problem[] {
  const unknown = placeholdersIn(value).filter((p) => !TEMPLATE_VARS.includes(p));
  return unknown.map((p) => ({
    file,
    ...at(path),
    field: dotted(path),
    message: `unknown placeholder {${p}}`,
    fix: `use only ${TEMPLATE_VARS.map((v) => `{${v}}`).join(' ')}`,
  }));
}

/** Parse and validate registry text; throws IdlcError listing every problem found. */
export function parseRegistry(text: string, file = REGISTRY_FILE): Registry {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new IdlcError(
      doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return {
          file,
          line: pos.line,
          column: pos.col,
          message: `invalid YAML: ${e.message.split('\n')[0]}`,
          fix: 'fix the YAML syntax at this position (indentation, quotes, duplicate keys)',
        };
      }),
    );
  }
  const raw = doc.toJS();
  const loc = new Locator(doc, lines, file);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new IdlcError({
      file,
      line: 1,
      message: 'the registry must be a YAML mapping',
      fix: 'start from the idlc.yaml in the repository root',
    });
  }
  const parsed = RegistrySchema.safeParse(raw);
  if (!parsed.success) throw new IdlcError(zodProblems(parsed.error.issues, raw, loc));
  const problems = checkInvariants(parsed.data, loc, file);
  if (problems.length > 0) throw new IdlcError(problems);
  return parsed.data;
}

/**
 * Load `idlc.yaml`. With `trustedRoot`, the registry is read from there (the default branch)
 * while stacks and modules are read from `root` (the PR).
 */
export async function loadRegistry(
  root: string,
  file = REGISTRY_FILE,
  opts: { trustedRoot?: string } = {},
): Promise<LoadedRegistry> {
  const trustedRoot = resolve(opts.trustedRoot ?? root);
  const abs = resolve(trustedRoot, file);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch {
    throw new IdlcError({
      file: relative(process.cwd(), abs) || file,
      message: 'platform registry not found',
      fix: 'run idlc from the repository root, or pass --root <repo>',
    });
  }
  return { registry: parseRegistry(text, file), root: resolve(root), trustedRoot, file: abs, text };
}
