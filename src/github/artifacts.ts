import { unzipSync } from 'fflate';
import { UsageError } from '../util/errors.ts';
import { type GitHubRequest, httpStatus as status } from './request.ts';

export interface RunArtifact {
  id: number;
  name: string;
  sizeInBytes: number;
  expired: boolean;
  runId?: number;
}

/** Limits for artifacts written by code we do not trust (a PR's run): zip bombs, floods. */
export const ARTIFACT_LIMITS = {
  /** Artifacts read from one run. */
  maxArtifacts: 300,
  /** Compressed size of one artifact. */
  maxZipBytes: 20 * 1024 * 1024,
  /** Files in one artifact. */
  maxFiles: 600,
  /** Uncompressed size of one file. */
  maxFileBytes: 8 * 1024 * 1024,
  /** Uncompressed size of one artifact. */
  maxTotalBytes: 64 * 1024 * 1024,
};

/** Artifacts of a workflow run whose name starts with `prefix` (all pages). */
export async function listRunArtifacts(
  gh: GitHubRequest,
  repo: { owner: string; repo: string },
  runId: number,
  prefix: string,
): Promise<RunArtifact[]> {
  const out: RunArtifact[] = [];
  for (let page = 1; page <= Math.ceil(ARTIFACT_LIMITS.maxArtifacts / 100) + 1; page++) {
    let data: { total_count?: number; artifacts?: Record<string, unknown>[] };
    try {
      ({ data } = (await gh.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts', {
        owner: repo.owner,
        repo: repo.repo,
        run_id: runId,
        per_page: 100,
        page,
      })) as { data: typeof data });
    } catch (err) {
      throw new UsageError(
        `cannot list the artifacts of workflow run ${runId}${status(err) ? ` (HTTP ${status(err)})` : ''}: ${(err as Error).message}`,
        'the job needs `permissions: actions: read`',
      );
    }
    const batch = data.artifacts ?? [];
    for (const a of batch) {
      const name = String(a['name'] ?? '');
      if (!name.startsWith(prefix)) continue;
      out.push({
        id: Number(a['id']),
        name,
        sizeInBytes: Number(a['size_in_bytes'] ?? 0),
        expired: Boolean(a['expired']),
        runId: Number((a['workflow_run'] as { id?: number } | undefined)?.id ?? runId),
      });
    }
    if (out.length > ARTIFACT_LIMITS.maxArtifacts) {
      throw new UsageError(
        `workflow run ${runId} has more than ${ARTIFACT_LIMITS.maxArtifacts} artifacts named ${prefix}*`,
        'a plan run makes one artifact per plan job; this run was not made by the idlc workflows alone',
      );
    }
    if (batch.length < 100) break;
  }
  return out;
}

/**
 * Download one artifact and unzip it in memory within ARTIFACT_LIMITS. Entry names are kept
 * only when they are plain relative paths (no `..`, no absolute paths, no backslashes).
 */
export async function downloadArtifactFiles(
  gh: GitHubRequest,
  repo: { owner: string; repo: string },
  artifact: RunArtifact,
): Promise<Map<string, Uint8Array>> {
  const what = `artifact "${artifact.name}" (${artifact.id})`;
  if (artifact.expired) {
    throw new UsageError(`${what} has expired`, 'artifacts are kept 14 days by default: re-run the PR plan');
  }
  if (artifact.sizeInBytes > ARTIFACT_LIMITS.maxZipBytes) {
    throw new UsageError(
      `${what} is ${artifact.sizeInBytes} bytes, over the ${ARTIFACT_LIMITS.maxZipBytes} limit`,
    );
  }
  let zip: Uint8Array;
  try {
    const res = await gh.request(
      'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}',
      {
        owner: repo.owner,
        repo: repo.repo,
        artifact_id: artifact.id,
        archive_format: 'zip',
      },
    );
    zip = new Uint8Array(res.data as ArrayBuffer);
  } catch (err) {
    throw new UsageError(
      `cannot download ${what}${status(err) ? ` (HTTP ${status(err)})` : ''}: ${(err as Error).message}`,
      'the job needs `permissions: actions: read`',
    );
  }
  return unzipWithin(zip, what);
}

/** Unzip untrusted bytes: sizes are checked from the central directory before inflating. */
export function unzipWithin(
  zip: Uint8Array,
  what: string,
  limits = ARTIFACT_LIMITS,
): Map<string, Uint8Array> {
  if (zip.byteLength > limits.maxZipBytes) {
    throw new UsageError(`${what} is ${zip.byteLength} bytes, over the ${limits.maxZipBytes} limit`);
  }
  let files = 0;
  let total = 0;
  let refusal: string | undefined;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip, {
      filter: (f) => {
        if (f.name.endsWith('/')) return false;
        files++;
        total += f.originalSize;
        if (files > limits.maxFiles) refusal ??= `more than ${limits.maxFiles} files`;
        else if (f.originalSize > limits.maxFileBytes)
          refusal ??= `${f.name} inflates to ${f.originalSize} bytes`;
        else if (total > limits.maxTotalBytes)
          refusal ??= `inflates to more than ${limits.maxTotalBytes} bytes`;
        else if (!/^[\w.-]+(\/[\w.-]+)*$/.test(f.name) || f.name.split('/').includes('..'))
          refusal ??= `unsafe entry name ${JSON.stringify(f.name.slice(0, 80))}`;
        return refusal === undefined;
      },
    });
  } catch (err) {
    throw new UsageError(`${what} is not a readable zip: ${(err as Error).message}`);
  }
  if (refusal) throw new UsageError(`${what} refused: ${refusal}`);
  const out = new Map<string, Uint8Array>();
  for (const [name, bytes] of Object.entries(entries)) {
    // The declared size is what the filter checked; the inflated bytes must agree.
    if (bytes.byteLength > limits.maxFileBytes) throw new UsageError(`${what} refused: ${name} is too large`);
    out.set(name, bytes);
  }
  return out;
}
