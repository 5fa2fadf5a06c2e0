/** The one octokit call the core uses (an Octokit instance satisfies it); injected everywhere. */
export interface GitHubRequest {
  request(route: string, params: Record<string, unknown>): Promise<{ data: unknown }>;
}

/** The HTTP status of an octokit error, when it has one. */
export const httpStatus = (err: unknown): number | undefined => (err as { status?: number }).status;
