/**
 * Commit messages of automated deploy changes: one headline per the convention
 * `chore(deploy): <team>/<app> <env> <old> -> <new>`, every change in the body, and trailers
 * that lead back to what caused it (Source-Commit, Source-PR). A commit carrying these
 * trailers is recognisably automation's own (see isDeployCommit).
 */
import { shortPin } from './pins.ts';

export interface DeployChange {
  team: string;
  env: string;
  app: string;
  /** image or chart name, when the app pins more than one */
  pin: string;
  old: string;
  new: string;
  file: string;
}

export interface DeploySource {
  commit?: string;
  /** PR number, or owner/repo#number / URL */
  pr?: string;
  /** e.g. "promote dev -> staging" (a promotion) or "infra outputs aws/search/dev" */
  reason?: string;
}

export const DEPLOY_PREFIX = 'chore(deploy):';

export function changeLine(c: DeployChange, short = true): string {
  const v = (x: string) => (short ? shortPin(x) : x);
  return `${c.team}/${c.app} ${c.env} ${v(c.old)} -> ${v(c.new)}`;
}

export function deployMessage(
  changes: DeployChange[],
  source: DeploySource,
): { headline: string; body: string } {
  // one per app, its first change (the tag before the digest: the readable one)
  const byApp = new Map<string, DeployChange>();
  for (const c of changes)
    if (!byApp.has(`${c.team}/${c.env}/${c.app}`)) byApp.set(`${c.team}/${c.env}/${c.app}`, c);
  const unique = [...byApp.values()];
  const first = unique[0];
  if (!first) throw new Error('deployMessage: no changes');
  const more = unique.length > 1 ? ` (+${unique.length - 1} more)` : '';
  const headline = `${DEPLOY_PREFIX} ${changeLine(first)}${more}`;
  const lines = changes.map((c) => `- ${c.team}/${c.app} ${c.env} ${c.pin}: ${c.old} -> ${c.new}`);
  const trailers = [
    ...(source.commit ? [`Source-Commit: ${source.commit}`] : []),
    ...(source.pr ? [`Source-PR: ${source.pr}`] : []),
  ];
  const body = [
    source.reason ? `${source.reason}\n` : '',
    lines.join('\n'),
    trailers.length ? `\n${trailers.join('\n')}` : '',
  ]
    .filter(Boolean)
    .join('\n');
  return { headline, body };
}

/** A commit automation made (so a workflow triggered by it must not act on it again). */
export function isDeployCommit(message: string): boolean {
  return message.startsWith(DEPLOY_PREFIX);
}
