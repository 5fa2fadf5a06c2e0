import type { Command } from 'commander';
import { loadRegistry } from '../../config/load.ts';
import { createGitHubClient, type GitHubClient } from '../../github/client.ts';
import { desiredSettings } from '../../github/repo-settings.ts';
import { inspectRepository, type SettingCheck, setupRepository } from '../../github/setup.ts';
import { UsageError } from '../../util/errors.ts';
import type { CliIO } from '../io.ts';

/**
 * The GitHub client of the settings commands: the token from `--token-env NAME`, else GH_TOKEN,
 * else GITHUB_TOKEN; the API from GITHUB_API_URL (GitHub Enterprise Server: https://HOST/api/v3).
 */
export function settingsClient(env: NodeJS.ProcessEnv, tokenEnv?: string): GitHubClient {
  const name = tokenEnv ?? (env['GH_TOKEN'] ? 'GH_TOKEN' : 'GITHUB_TOKEN');
  const token = env[name];
  if (!token) {
    throw new UsageError(
      tokenEnv
        ? `--token-env ${tokenEnv}: $${tokenEnv} is empty`
        : 'no GitHub token: GH_TOKEN and GITHUB_TOKEN are empty',
      'export a repository admin’s token as GH_TOKEN (or name its variable with --token-env)',
    );
  }
  return createGitHubClient({ token, apiUrl: env['GITHUB_API_URL'] || 'https://api.github.com' });
}

/** One line per setting: `+` create, `~` change (with what differs), `✓` already right. */
export function formatChecks(checks: SettingCheck[]): string[] {
  const lines: string[] = [];
  for (const c of checks) {
    if (c.differences.length === 0) {
      lines.push(`  ✓ ${c.setting}: ${c.want}`);
    } else if (c.differences[0] === 'does not exist') {
      lines.push(`  + ${c.setting}: create (${c.want})`);
    } else {
      lines.push(`  ~ ${c.setting}:`);
      for (const d of c.differences) lines.push(`      ${d}`);
    }
  }
  return lines;
}

export function registerSetupGithub(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('setup-github')
    .description(
      'Create or update the repository settings the registry asks for: environments, OIDC subject template, workflow permissions, default-branch ruleset (reads first, writes only differences)',
    )
    .option('--dry-run', 'print the changes and make none')
    .option(
      '--token-env <name>',
      'environment variable holding the token (default: GH_TOKEN, then GITHUB_TOKEN)',
    )
    .action(async (opts: { dryRun?: boolean; tokenEnv?: string }) => {
      const root = program.opts().root ?? io.cwd;
      const loaded = await loadRegistry(root);
      const want = desiredSettings(loaded.registry);
      const client = settingsClient(io.env, opts.tokenEnv);
      const dryRun = Boolean(opts.dryRun);
      io.out(`idlc setup-github: ${want.owner}/${want.repo} (${client.apiUrl})${dryRun ? ' — dry run' : ''}`);
      const result = await setupRepository(client, want, { dryRun });
      io.out(formatChecks(result.checks).join('\n'));
      const n = result.changed.length;
      if (n === 0) io.out('\nnothing to change');
      else if (dryRun) io.out(`\n${n} setting(s) would change; nothing was changed (--dry-run)`);
      else io.out(`\n${n} setting(s) changed`);
      setExit(0);
    });
}

export interface GithubDoctorRow {
  check: string;
  ok: boolean;
  detail: string;
  fix: string;
}

/** `idlc doctor --github`: one row per setting, ✗ with what differs and the fix. */
export async function githubDoctorRows(
  registry: Parameters<typeof desiredSettings>[0],
  env: NodeJS.ProcessEnv,
  tokenEnv?: string,
): Promise<GithubDoctorRow[]> {
  const split = (message: string) => {
    const [detail = '', fix = ''] = message.split('\n  fix: ');
    return { detail, fix };
  };
  let checks: SettingCheck[];
  try {
    checks = await inspectRepository(settingsClient(env, tokenEnv), desiredSettings(registry));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return [{ check: 'github settings', ok: false, ...split(err.message) }];
  }
  return checks.map((c) => {
    if (c.error) return { check: `github ${c.setting}`, ok: false, ...split(c.error) };
    const ok = c.differences.length === 0;
    return {
      check: `github ${c.setting}`,
      ok,
      detail: ok ? c.want : c.differences.join('\n'),
      fix: ok ? '' : 'idlc setup-github (with a repository admin’s token)',
    };
  });
}
