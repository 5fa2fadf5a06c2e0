import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { blocks, parseHcl } from '../hcl/parse.ts';
import { IdlcError, type Problem } from '../util/errors.ts';
import { type Stack, TF_FILE } from './stacks.ts';

const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const eachLabel = (v: unknown): Record<string, unknown[]> =>
  Object.fromEntries(
    list(v).flatMap((o) =>
      Object.entries((o ?? {}) as Record<string, unknown>).map(([k, b]) => [k, list(b)]),
    ),
  );

/**
 * A `.tf.json` file in the shape the HCL parser gives `.tf` files (blocks as arrays of bodies
 * keyed by labels), for the blocks the lint reads: terraform/backend and provider.
 */
function fromJsonSyntax(file: string, text: string): Record<string, unknown> {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new IdlcError({
      file,
      message: `invalid JSON configuration: ${(err as Error).message}`,
      fix: 'fix the JSON',
    });
  }
  const terraform = list(raw['terraform']).map((t) => {
    const body = (t ?? {}) as Record<string, unknown>;
    return body['backend'] === undefined ? body : { ...body, backend: eachLabel(body['backend']) };
  });
  return {
    ...(terraform.length ? { terraform } : {}),
    ...(raw['provider'] !== undefined ? { provider: eachLabel(raw['provider']) } : {}),
  };
}

export interface StackLint {
  problems: Problem[];
  warnings: Problem[];
}

/**
 * Check a stack's HCL for isolation breaches before any engine runs: a backend that names its
 * own bucket/key/role, a backend of the wrong type, or a provider without allowed_account_ids.
 */
export async function lintStack(root: string, stack: Stack): Promise<StackLint> {
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const abs = join(root, stack.dir);
  // Every file the engine loads, JSON syntax and *_override files included: an override or a
  // .tf.json can carry a backend or provider setting as well as a .tf can.
  const files = (await readdir(abs)).filter((f) => TF_FILE.test(f)).sort();
  let backendFound = false;
  let providerHasGuard = false;
  let providerFound = false;
  for (const f of files) {
    const rel = `${stack.dir}/${f}`;
    const text = await readFile(join(abs, f), 'utf8');
    let doc: Record<string, unknown>;
    try {
      doc = f.endsWith('.json') ? fromJsonSyntax(rel, text) : await parseHcl(rel, text);
    } catch (err) {
      if (err instanceof IdlcError) problems.push(...err.problems);
      continue;
    }
    const lineOf = (needle: RegExp) => {
      const idx = text.split('\n').findIndex((l) => needle.test(l));
      return idx >= 0 ? idx + 1 : undefined;
    };
    for (const b of blocks(doc, 'terraform')) {
      const backend = b.body['backend'] as Record<string, unknown[]> | undefined;
      if (!backend) continue;
      for (const [type, bodies] of Object.entries(backend)) {
        backendFound = true;
        const expected = stack.target.state.backend;
        if (type !== expected) {
          problems.push({
            file: rel,
            line: lineOf(/backend\s+"/),
            field: `terraform.backend.${type}`,
            message: `backend "${type}" is not allowed for a ${stack.cloud} stack`,
            fix: `declare an empty partial backend: backend "${expected}" {}`,
          });
          continue;
        }
        for (const body of bodies as Record<string, unknown>[]) {
          for (const key of Object.keys(body ?? {})) {
            // Any backend setting (bucket, key, region, role, lockfile) is the registry's job.
            problems.push({
              file: rel,
              line: lineOf(new RegExp(`^\\s*${key}\\s*=`)),
              field: `terraform.backend.${type}.${key}`,
              message: `the stack sets its own backend ${key}; state location comes from idlc.yaml`,
              fix: `remove ${key}: keep an empty backend "${expected}" {} and let idlc inject -backend-config`,
            });
          }
        }
      }
    }
    for (const p of blocks(doc, 'provider')) {
      if (p.labels[0] !== 'aws') continue;
      providerFound = true;
      if (p.body['allowed_account_ids'] !== undefined) providerHasGuard = true;
      if (p.body['assume_role'] !== undefined || p.body['profile'] !== undefined) {
        problems.push({
          file: rel,
          line: lineOf(/assume_role|profile/),
          field: 'provider.aws',
          message: 'the provider picks its own credentials (assume_role/profile)',
          fix: 'remove it: idlc passes the team role credentials to the engine process',
        });
      }
    }
  }
  if (!backendFound) {
    problems.push({
      file: stack.dir,
      message: 'no backend block: this stack would keep state on the runner and lose it',
      fix: `add terraform { backend "${stack.target.state.backend}" {} } (empty; idlc injects the location)`,
    });
  }
  if (stack.cloud === 'aws' && providerFound && !providerHasGuard) {
    warnings.push({
      file: stack.dir,
      field: 'provider.aws.allowed_account_ids',
      message: 'the aws provider has no allowed_account_ids',
      fix: `add allowed_account_ids = ["${stack.target.accountId}"] as a second guard against the wrong account`,
    });
  }
  return { problems, warnings };
}
