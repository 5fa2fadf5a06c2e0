import type { Command } from 'commander';
import { loadRegistry } from '../../config/load.ts';
import {
  appsToPromote,
  type PromotionRequest,
  planPromotion,
  verifyPromotion,
} from '../../gitops/promote.ts';
import { type CliIO, table } from '../io.ts';
import { workingTree, writeAdditions } from './gitops.ts';

export function registerPromote(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('promote <team> [app]')
    .description(
      'Copy the pins of one env into the next (registry order) in the working tree; the idlc promote workflow does it by commit or PR',
    )
    .requiredOption('--from <env>', 'source env')
    .requiredOption('--to <env>', 'target env')
    .option('--dry-run', 'show what would change, write nothing')
    .action(
      async (team: string, app: string | undefined, opts: { from: string; to: string; dryRun?: boolean }) => {
        const root = program.opts().root ?? io.cwd;
        const { registry } = await loadRegistry(root);
        const request: PromotionRequest = { team, app: app ?? 'all', from: opts.from, to: opts.to };
        verifyPromotion(registry, request);
        const plan = await planPromotion({
          request,
          apps: await appsToPromote(root, request),
          read: workingTree(root),
        });
        for (const h of plan.held) io.err(`held: ${h.message}`);
        for (const s of plan.skipped) io.err(`skipped: ${s}`);
        if (plan.changes.length === 0) {
          io.out(`${opts.to} already has every pin of ${opts.from}`);
          return setExit(0);
        }
        io.out(
          table(
            ['APP', 'PIN', `${opts.to.toUpperCase()} (OLD)`, 'NEW', 'FROM'],
            plan.changes.map((c) => [
              `${c.team}/${c.app}`,
              c.pin,
              c.old,
              c.new,
              `${c.source.file}:${c.source.line}`,
            ]),
          ),
        );
        if (opts.dryRun) return setExit(0);
        await writeAdditions(root, plan.additions);
        const target = registry.environments.find((e) => e.name === opts.to);
        io.out(
          target?.protected
            ? `\n${opts.to} is protected: commit this on a branch and open a PR (or run the idlc promote workflow, which opens it for you)`
            : `\nwrote ${plan.additions.length} file(s)`,
        );
        setExit(0);
      },
    );
}
