/** Placeholders allowed in registry templates (roles, buckets, keys). */
export const TEMPLATE_VARS = ['team', 'env', 'account_id', 'region', 'cloud', 'project', 'stack'];

const PLACEHOLDER = /\{([a-z_]+)\}/g;

export function placeholdersIn(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1] as string);
}

/** Fill {placeholders}; a placeholder without a value is an error naming it. */
export function renderTemplate(
  template: string,
  vars: Record<string, string | undefined>,
  what: string,
): string {
  return template.replace(PLACEHOLDER, (_, key: string) => {
    const value = vars[key];
    if (value === undefined || value === '') {
      throw new Error(`${what}: template "${template}" needs {${key}}, which has no value here`);
    }
    return value;
  });
}
