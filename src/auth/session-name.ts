import { createHash } from 'node:crypto';

/** STS RoleSessionName: 2-64 characters from [\w+=,.@-]. */
export const SESSION_NAME_MAX = 64;
const DISALLOWED = /[^\w+=,.@-]+/g;

/**
 * `idlc-<run id>-<stack id>` with every character STS refuses replaced by "-", shortened to 64
 * characters. It shows up in CloudTrail as the assumed-role session, so an auditor can go from
 * an API call back to the workflow run and the stack. When the stack part must be cut, a short
 * hash of the full id keeps two long stack ids of one run apart.
 */
export function roleSessionName(runId: string, stackId: string): string {
  const run = runId.replace(DISALLOWED, '-').slice(0, 20) || 'local';
  const stack = stackId.replace(DISALLOWED, '-').replace(/^-+|-+$/g, '') || 'stack';
  const full = `idlc-${run}-${stack}`;
  if (full.length <= SESSION_NAME_MAX) return full;
  const hash = createHash('sha256').update(stackId).digest('hex').slice(0, 8);
  const room = SESSION_NAME_MAX - `idlc-${run}--${hash}`.length;
  return `idlc-${run}-${stack.slice(0, room).replace(/-+$/, '')}-${hash}`;
}
