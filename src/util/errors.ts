/**
 * An error a user can act on: where (file, line, field path), what is wrong, and the fix.
 * Every bad input the toolkit meets is reported through this, and the CLI and actions
 * print `format()` and exit non-zero.
 */
export interface Problem {
  file: string;
  line?: number;
  column?: number;
  /** Dotted field path inside the file, e.g. teams.search.envs.prod.aws.account_id */
  field?: string;
  message: string;
  fix?: string;
}

export function formatProblem(p: Problem): string {
  const where = [p.file, p.line, p.line !== undefined ? p.column : undefined]
    .filter((x) => x !== undefined)
    .join(':');
  const field = p.field ? ` ${p.field}:` : '';
  const fix = p.fix ? `\n  fix: ${p.fix}` : '';
  return `${where}:${field} ${p.message}${fix}`;
}

export class IdlcError extends Error {
  readonly problems: Problem[];
  constructor(problems: Problem[] | Problem) {
    const list = Array.isArray(problems) ? problems : [problems];
    super(list.map(formatProblem).join('\n'));
    this.name = 'IdlcError';
    this.problems = list;
  }
}

/** A plain message for failures that are not tied to a file. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly fix?: string,
  ) {
    super(fix ? `${message}\n  fix: ${fix}` : message);
    this.name = 'UsageError';
  }
}
