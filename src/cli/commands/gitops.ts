import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { parseStackId } from '../../discovery/paths.ts';
import { infraOutputEdits, type OutputStack, type TofuOutputs } from '../../gitops/infra-outputs.ts';
import { deployMessage } from '../../gitops/message.ts';
import type { PinRequest } from '../../gitops/pins.ts';
import type { FileAddition } from '../../gitops/repo-api.ts';
import { type PinUpdate, planPinUpdates, type ReadFiles } from '../../gitops/update.ts';
import { parseAppRef } from '../../sdlc/layout.ts';
import { UsageError } from '../../util/errors.ts';
import type { CliIO } from '../io.ts';

/** Files of the working tree (null when missing): the CLI's side of the same core the actions run on the API. */
export function workingTree(root: string): ReadFiles {
  return async (paths) =>
    new Map(
      await Promise.all(
        paths.map(async (p) => [p, await readFile(join(root, p), 'utf8').catch(() => null)] as const),
      ),
    );
}

export async function writeAdditions(root: string, additions: FileAddition[]): Promise<void> {
  for (const a of additions) {
    await mkdir(dirname(join(root, a.path)), { recursive: true });
    await writeFile(join(root, a.path), a.contents);
  }
}

/**
 * `image=<ref>`: api:1.5.0, api@sha256:…, api:1.5.0@sha256:…, <registry>/<team>/api:1.5.0 or
 * just 1.5.0 (the app's own image); `chart=<name>:<version>`.
 */
export function parseSetArg(arg: string, app: string): PinRequest {
  const eq = arg.indexOf('=');
  const what = arg.slice(0, eq);
  const ref = arg.slice(eq + 1);
  if (eq === -1 || !ref) throw new UsageError(`"${arg}" is not image=<ref> or chart=<name>:<version>`);
  if (what === 'chart') {
    const [name, version] = ref.split(':');
    if (!name || !version) throw new UsageError(`"${arg}": expected chart=<name>:<version>`);
    return { kind: 'chart', name, version };
  }
  if (what !== 'image') throw new UsageError(`"${arg}": only image=… and chart=… can be set`);
  const [nameTag = '', digest] = ref.split('@');
  const slash = nameTag.lastIndexOf('/');
  const colon = nameTag.indexOf(':', slash + 1);
  let name = colon === -1 ? nameTag : nameTag.slice(0, colon);
  let tag = colon === -1 ? undefined : nameTag.slice(colon + 1);
  if (!digest && colon === -1 && /^v?\d/.test(name)) {
    tag = name; // "image=1.5.0": a tag of the app's own image
    name = '';
  }
  name = name.slice(name.lastIndexOf('/') + 1) || app;
  return { kind: 'image', name, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

export function registerGitops(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const gitops = program
    .command('gitops')
    .description(
      'Change pins and infra outputs under sdlc/teams in the working tree (the core of gitops-update)',
    );
  gitops
    .command('set <target> <assignments...>')
    .description(
      'Set pins of <team>/<env>/<app>: image=<name>:<tag>, image=<name>@sha256:…, chart=<name>:<version>',
    )
    .option('--source-commit <sha>', 'Source-Commit trailer of the suggested commit message')
    .option('--source-pr <ref>', 'Source-PR trailer')
    .action(
      async (target: string, assignments: string[], opts: { sourceCommit?: string; sourcePr?: string }) => {
        const root = program.opts().root ?? io.cwd;
        const ref = parseAppRef(target);
        if (typeof ref === 'string') throw new UsageError(ref);
        const updates: PinUpdate[] = assignments.map((a) => ({ ref, request: parseSetArg(a, ref.app) }));
        const plan = await planPinUpdates(workingTree(root), updates, 'the working tree');
        for (const h of plan.held) io.err(`held: ${h.message}`);
        if (plan.additions.length === 0) {
          io.out('nothing to change');
          return setExit(0);
        }
        await writeAdditions(root, plan.additions);
        for (const c of plan.changes) io.out(`${c.file}: ${c.pin} ${c.old} -> ${c.new}`);
        const msg = deployMessage(plan.changes, {
          ...(opts.sourceCommit ? { commit: opts.sourceCommit } : {}),
          ...(opts.sourcePr ? { pr: opts.sourcePr } : {}),
        });
        io.out(`\ncommit message:\n${msg.headline}\n\n${msg.body}`);
        setExit(0);
      },
    );
  gitops
    .command('outputs <stack>')
    .description(
      "Write the `workload` output of a stack (tofu output -json) into its apps' infra-outputs.env",
    )
    .requiredOption(
      '--outputs <file>',
      'the JSON of `tofu output -json` (or - for stdin is not supported: pass a file)',
    )
    .action(async (stackId: string, opts: { outputs: string }) => {
      const root = program.opts().root ?? io.cwd;
      const parts = parseStackId(stackId);
      if (!parts) throw new UsageError(`"${stackId}" is not a stack id <cloud>/<team>/<env>[/<stack>]`);
      const stack: OutputStack = { id: stackId, team: parts.team, env: parts.env };
      const outputs = JSON.parse(await readFile(resolve(io.cwd, opts.outputs), 'utf8')) as TofuOutputs;
      const additions = await infraOutputEdits(stack, outputs, workingTree(root));
      await writeAdditions(root, additions);
      io.out(additions.length ? additions.map((a) => `wrote ${a.path}`).join('\n') : 'nothing to change');
      setExit(0);
    });
}
