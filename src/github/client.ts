/**
 * The one way the toolkit talks to GitHub: octokit (REST with pagination) and GraphQL on the
 * same request pipeline, with the retry plugin (5xx and network errors, exponential backoff)
 * and the throttling plugin (writes spaced as GitHub asks; primary and secondary rate limits
 * waited out using `retry-after`). The base URL is configurable for GitHub Enterprise Server
 * and for tests, which point it at the GitHub double. No @actions/core here: the logger is
 * injected.
 */
import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { UsageError } from '../util/errors.ts';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warning() {} };

export interface GitHubClientOptions {
  token: string;
  /** REST base URL: https://api.github.com, or https://HOST/api/v3 on GHES (GITHUB_API_URL). */
  apiUrl?: string;
  /** GraphQL endpoint (GITHUB_GRAPHQL_URL); derived from apiUrl when absent. */
  graphqlUrl?: string;
  log?: Logger;
  /** Retries for 5xx/network errors and for rate limits (default 3). */
  retries?: number;
  /**
   * Milliseconds per unit of backoff and per second of `retry-after` (default 1000). Tests
   * lower it; production keeps GitHub's seconds.
   */
  retryBaseMs?: number;
  /**
   * Space writes and honour rate limits (default true). Turning it off also stops retries
   * on 403 secondary rate limits; only tests that count requests should do that.
   */
  throttle?: boolean;
  /** Longest primary-rate-limit wait worth sitting out, in seconds (default 120). */
  maxRateLimitWaitSeconds?: number;
  userAgent?: string;
}

export type Octokit = ReturnType<typeof getOctokit>;

export interface GitHubClient {
  rest: Octokit;
  /** GraphQL through the same pipeline (retries, throttling, auth). */
  graphql: Octokit['graphql'];
  apiUrl: string;
  graphqlUrl: string;
}

/** GraphQL endpoint for a REST base URL: api.github.com/graphql, or HOST/api/graphql on GHES. */
export function graphqlUrlFor(apiUrl: string): string {
  const base = apiUrl.replace(/\/+$/, '');
  if (/\/api\/v3$/.test(base)) return base.replace(/\/api\/v3$/, '/api/graphql');
  return `${base}/graphql`;
}

export function createGitHubClient(opts: GitHubClientOptions): GitHubClient {
  if (!opts.token) {
    throw new UsageError(
      'no GitHub token',
      'pass the `github-token` input (its default is the workflow token, github.token) or set GITHUB_TOKEN',
    );
  }
  const apiUrl = (opts.apiUrl ?? 'https://api.github.com').replace(/\/+$/, '');
  const graphqlUrl = opts.graphqlUrl ?? graphqlUrlFor(apiUrl);
  const log = opts.log ?? silentLogger;
  const retries = opts.retries ?? 3;
  const base = opts.retryBaseMs ?? 1000;
  const maxWait = opts.maxRateLimitWaitSeconds ?? 120;
  const describe = (o: { method?: string; url?: string }) => `${o.method ?? ''} ${o.url ?? ''}`.trim();

  const rest = getOctokit(
    opts.token,
    {
      baseUrl: apiUrl,
      userAgent: opts.userAgent ?? 'idlc',
      log: {
        debug: (m: string) => log.debug(m),
        info: (m: string) => log.debug(m),
        warn: (m: string) => log.warning(m),
        error: (m: string) => log.warning(m),
      },
      retry: { retries, retryAfterBaseValue: base },
      throttle: {
        enabled: opts.throttle ?? true,
        retryAfterBaseValue: base,
        onSecondaryRateLimit: (
          after: number,
          o: { method?: string; url?: string },
          _k: unknown,
          count: number,
        ) => {
          if (count >= retries) {
            log.warning(`GitHub secondary rate limit on ${describe(o)}: giving up after ${count} retries`);
            return false;
          }
          log.warning(
            `GitHub secondary rate limit on ${describe(o)}: retrying in ${after}s (retry ${count + 1})`,
          );
          return true;
        },
        onRateLimit: (after: number, o: { method?: string; url?: string }, _k: unknown, count: number) => {
          if (count >= 1 || after > maxWait) {
            log.warning(
              `GitHub rate limit exhausted on ${describe(o)}; it resets in ${after}s. Re-run the job later or use a token with its own quota.`,
            );
            return false;
          }
          log.warning(`GitHub rate limit on ${describe(o)}: waiting ${after}s`);
          return true;
        },
      },
    },
    retry,
    throttling,
  );
  const graphql = rest.graphql.defaults({ url: graphqlUrl });
  return { rest, graphql, apiUrl, graphqlUrl };
}
