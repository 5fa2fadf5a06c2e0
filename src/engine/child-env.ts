/**
 * The part of a child's environment every untrusted tool (the engine, opa, checkov) may take
 * from its parent: locale, time zone, TLS trust and the runner's proxy settings. Nothing else
 * is ever inherited; callers add what their child needs by name. A leaf module: it imports
 * nothing internal, so the engine runner and the process sandbox share it without a cycle.
 */
const INHERITED_EXACT = new Set([
  'LANG',
  'LANGUAGE',
  'TZ',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  // Proxies are a runner setting: without them a provider behind a corporate proxy cannot reach its API.
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
]);

export function inheritedBaseEnv(parent: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(parent)) {
    if (v === undefined) continue;
    if (INHERITED_EXACT.has(k) || k.startsWith('LC_')) env[k] = v;
  }
  return env;
}

/** Env values that name files the child must be able to open (mounted read-only in the sandbox). */
export const PATH_VALUED_KEYS = [
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'AWS_CA_BUNDLE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'GOOGLE_APPLICATION_CREDENTIALS',
  'CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE',
  'CLOUDSDK_CONFIG',
  'TF_CLI_CONFIG_FILE',
] as const;
