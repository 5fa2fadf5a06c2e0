import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadRegistry } from '../../config/load.ts';
import { generateManifests, syncGenerated } from '../../sdlc/generate.ts';
import { renderManifestResult } from '../../sdlc/manifest-result.ts';
import { DEFAULT_KUBERNETES_VERSION, validateSdlc } from '../../sdlc/validate.ts';
import type { CliIO } from '../io.ts';

export function registerManifests(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const manifests = program
    .command('manifests')
    .description('Generate and validate the Kubernetes manifests under sdlc/');
  manifests
    .command('generate')
    .description(
      'Write sdlc/argocd/<env>/ (projects, ApplicationSets, tenants, platform apps) from idlc.yaml',
    )
    .option('--check', 'write nothing; exit 1 when the checked-in files differ from a fresh generation')
    .action(async (opts: { check?: boolean }) => {
      const root = program.opts().root ?? io.cwd;
      const { registry } = await loadRegistry(root);
      const files = await generateManifests(root, registry);
      const res = await syncGenerated(root, files, Boolean(opts.check));
      if (opts.check) {
        if (res.stale.length) {
          io.err(
            `sdlc/argocd is not current:\n  ${res.stale.join('\n  ')}\n  fix: run idlc manifests generate and commit the result`,
          );
          return setExit(1);
        }
        io.out(`sdlc/argocd is current (${res.unchanged} files)`);
        return setExit(0);
      }
      for (const f of res.written) io.out(`wrote ${f}`);
      for (const f of res.removed) io.out(`removed ${f}`);
      io.out(`${res.written.length} written, ${res.removed.length} removed, ${res.unchanged} unchanged`);
      setExit(0);
    });
  manifests
    .command('validate')
    .description(
      'Render every overlay, the tenant chart and sdlc/argocd; check schemas (offline), OPA policies and platform values',
    )
    .option('--out <file>', 'write the idlc.manifest-result/v1 JSON here')
    .option('--kubernetes-version <v>', 'schemas of this Kubernetes version', DEFAULT_KUBERNETES_VERSION)
    .option('--json', 'print the result JSON instead of the summary')
    .action(async (opts: { out?: string; kubernetesVersion: string; json?: boolean }) => {
      const root = program.opts().root ?? io.cwd;
      const { registry } = await loadRegistry(root);
      const result = await validateSdlc({
        root,
        registry,
        kubernetesVersion: opts.kubernetesVersion,
        env: io.env,
      });
      if (opts.out) await writeFile(resolve(io.cwd, opts.out), `${JSON.stringify(result, null, 2)}\n`);
      io.out(opts.json ? JSON.stringify(result, null, 2) : renderManifestResult(result));
      setExit(result.ok ? 0 : 1);
    });
}
