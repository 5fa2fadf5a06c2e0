/**
 * What the sandbox's repository holds: this repository's working tree (the toolkit and its
 * bundled actions, the workflow files, policies, the registry, sdlc/) with two changes that let
 * it run offline — the registry trusts the local OIDC issuer and lists approvers, and the
 * team stacks are small stacks of the same layout that plan and apply without a cloud
 * (terraform_data and hashicorp/time, from the local provider mirror), built on one shared
 * module per kind. Everything a workflow does with them is what it does with real stacks.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, parseDocument } from 'yaml';

const run = promisify(execFile);

/** Every file git would commit from the working tree (tracked and new, minus ignored). */
export async function workingTreeFiles(root: string): Promise<Map<string, Buffer>> {
  const { stdout } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  });
  const files = new Map<string, Buffer>();
  for (const rel of stdout.split('\0').filter(Boolean)) {
    try {
      files.set(rel, await readFile(join(root, rel)));
    } catch {
      // deleted in the working tree
    }
  }
  return files;
}

export const SANDBOX_SERVICE_MODULE = 'idlc/aws/modules/sandbox-service';
export const SANDBOX_NETWORK_MODULE = 'idlc/aws/modules/sandbox-network';

const moduleFiles = (kind: 'service' | 'network'): Record<string, string> => ({
  'main.tf': `# Sandbox module (idlc sandbox): stands in for a real ${kind} module; plans and applies offline.
resource "terraform_data" "${kind}" {
  input = {
    name     = var.name
    settings = var.settings
  }
}

resource "time_static" "created" {
  triggers = { name = var.name }
}
`,
  'variables.tf': `variable "name" {
  description = "Name of the ${kind}."
  type        = string
}

variable "settings" {
  description = "Settings of the ${kind}."
  type        = map(string)
  default     = {}
}
`,
  'outputs.tf': `output "id" {
  description = "Id of the ${kind}."
  value       = terraform_data.${kind}.id
}
`,
  'versions.tf': `terraform {
  required_version = ">= 1.10.0"
  required_providers {
    time = {
      source  = "hashicorp/time"
      version = "0.14.2"
    }
  }
}
`,
});

function stackFiles(
  kind: 'service' | 'network',
  depth: number,
  settings: Record<string, string>,
  workload?: string,
) {
  const up = '../'.repeat(depth);
  const block = Object.entries(settings)
    .map(([k, v]) => `    ${k} = ${JSON.stringify(v)}`)
    .join('\n');
  return {
    'versions.tf': `terraform {
  required_version = ">= 1.10.0"
  required_providers {
    time = {
      source  = "hashicorp/time"
      version = "0.14.2"
    }
  }

  # Partial backend: idlc injects bucket, key, region and lockfile from idlc.yaml.
  backend "s3" {}
}
`,
    'variables.tf': `variable "idlc" {
  description = "Injected by idlc from the platform registry."
  type = object({
    team        = string
    env         = string
    account_id  = string
    region      = string
    cost_center = string
    owner       = string
    stack       = string
  })
}
`,
    'main.tf': `module "${kind}" {
  source = "${up}modules/sandbox-${kind}"

  name = "\${var.idlc.team}-\${var.idlc.env}"
  settings = {
${block}
  }
}
`,
    'outputs.tf': `output "id" {
  description = "Id of the ${kind}."
  value       = module.${kind}.id
}
${workload ? workloadOutput(kind, workload) : ''}`,
  };
}

/**
 * The output idlc-apply.yml's gitops job writes into the app's overlay (infra-outputs.env), so
 * a merge shows infrastructure values reaching the manifests without anyone copying them.
 */
const workloadOutput = (kind: string, app: string) => `
output "workload" {
  description = "What the ${app} app reads from this stack (written into its infra-outputs.env)."
  value = {
    ${app} = {
      SERVICE_ID = module.${kind}.id
    }
  }
}
`;

/** The app whose overlay a team's sandbox stacks feed (the `workload` output). */
const WORKLOAD_APPS: Record<string, string> = { search: 'rag' };

/**
 * The sandbox overlay: registry pointed at the local issuer (with approvers), every AWS stack
 * replaced by an offline one of the same id, GCP stacks left out (no GCS emulator here).
 */
export function sandboxOverlay(
  files: Map<string, Buffer>,
  o: { issuer: string; approvers: Record<string, string[]> },
): Map<string, Buffer> {
  const out = new Map(files);
  const registry = parseDocument(String(out.get('idlc.yaml') ?? ''));
  registry.setIn(['github', 'oidc_issuer'], o.issuer);
  for (const [team, logins] of Object.entries(o.approvers)) {
    if (registry.hasIn(['teams', team])) registry.setIn(['teams', team, 'approvers'], logins);
  }
  out.set('idlc.yaml', Buffer.from(registry.toString()));

  const stackDirs = new Set<string>();
  for (const rel of [...out.keys()]) {
    const m = /^idlc\/(aws|gcp)\/environments\/(.+)\/[^/]+$/.exec(rel);
    if (!m) continue;
    out.delete(rel);
    if (m[1] === 'aws' && /\.tf$/.test(rel)) stackDirs.add(rel.slice(0, rel.lastIndexOf('/')));
  }
  const add = (dir: string, f: Record<string, string>) => {
    for (const [name, text] of Object.entries(f)) out.set(`${dir}/${name}`, Buffer.from(text));
  };
  add(SANDBOX_SERVICE_MODULE, moduleFiles('service'));
  add(SANDBOX_NETWORK_MODULE, moduleFiles('network'));
  for (const dir of [...stackDirs].sort()) {
    const parts = dir.split('/'); // idlc aws environments <team> <env> [<stack>]
    const kind = parts[3] === 'platform' ? 'network' : 'service';
    const app = WORKLOAD_APPS[parts[3] ?? ''];
    const hasOverlay =
      app !== undefined && out.has(`sdlc/teams/${parts[3]}/${parts[4]}/${app}/infra-outputs.env`);
    add(
      dir,
      stackFiles(kind, parts.length - 2, { tier: parts.slice(3).join('-') }, hasOverlay ? app : undefined),
    );
  }
  return out;
}

/**
 * Expressions where an action's metadata allows none (name, descriptions): act refuses to load
 * such an action ("expressions are not allowed here"), as GitHub's runner does ("Unrecognized
 * named-value"). Found before any workflow runs, with the file and line.
 */
export function actionMetadataProblems(files: Map<string, Buffer>): string[] {
  const problems: string[] = [];
  for (const [path, bytes] of files) {
    if (!/(^|\/)action\.ya?ml$/.test(path)) continue;
    const text = bytes.toString('utf8');
    let doc: Record<string, unknown>;
    try {
      doc = (parse(text) ?? {}) as Record<string, unknown>;
    } catch {
      continue;
    }
    const texts: [string, unknown][] = [
      ['name', doc['name']],
      ['description', doc['description']],
    ];
    for (const kind of ['inputs', 'outputs'] as const) {
      for (const [k, v] of Object.entries((doc[kind] as Record<string, Record<string, unknown>>) ?? {})) {
        texts.push([`${kind}.${k}.description`, v?.['description']]);
      }
    }
    for (const [field, value] of texts) {
      if (typeof value !== 'string' || !value.includes('${{')) continue;
      const needle = value.slice(value.indexOf('${{'), value.indexOf('${{') + 20);
      const line = text.split('\n').findIndex((l) => l.includes(needle)) + 1;
      problems.push(
        `${path}:${line || '?'}: ${field} contains an expression (${needle.trim()}…), which act and GitHub's runner refuse to load; write it without \${{ }}`,
      );
    }
  }
  return problems;
}
