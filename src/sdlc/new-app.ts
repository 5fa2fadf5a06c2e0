/**
 * `idlc new-app <team> <app> --template vllm|rag-api|embeddings`: a team app built on one of
 * the workload templates (sdlc/templates/<template>, kustomize bases): the environment-neutral
 * base and one overlay per env of the team, each with its image pin (the file automation
 * edits), the team labels, its namespace and the infra-outputs ConfigMap the stack's
 * `workload` output fills. Existing files are never overwritten.
 */
import type { Registry } from '../config/schema.ts';
import { UsageError } from '../util/errors.ts';
import { appDir, baseDir, INFRA_OUTPUTS_FILE, isValidAppName, pinsPath, teamNamespace } from './layout.ts';

export const TEMPLATES = ['vllm', 'rag-api', 'embeddings'] as const;
export type TemplateName = (typeof TEMPLATES)[number];

/** The image name each template's workload uses (what the team base renames to the app). */
const TEMPLATE_IMAGE: Record<TemplateName, string> = {
  vllm: 'vllm-openai',
  'rag-api': 'rag-api',
  embeddings: 'embeddings',
};
const TEMPLATE_MAIN: Record<TemplateName, string> = {
  vllm: 'model-server',
  'rag-api': 'rag-api',
  embeddings: 'embeddings',
};

export const INFRA_OUTPUTS_HEADER = (team: string, env: string) =>
  `# Written by idlc from the \`workload\` output of the team's stacks in ${team}/${env} after each apply\n# (idlc gitops outputs; docs/gitops.md). Do not edit: change the stack's output instead.\n`;

export function ecrImage(registry: Registry, team: string, env: string, app: string): string {
  const target = registry.teams[team]?.envs[env]?.aws;
  if (!target)
    throw new UsageError(
      `team ${team} has no AWS account in ${env}`,
      'new-app pins images in the team ECR of each env',
    );
  const region = target.region ?? registry.clouds.aws?.default_region ?? 'eu-west-1';
  return `${target.account_id}.dkr.ecr.${region}.amazonaws.com/${team}/${app}`;
}

function baseKustomization(team: string, app: string, template: TemplateName): string {
  const patches =
    template === 'rag-api'
      ? `patches:
  - target: { kind: ExternalSecret, name: rag-api }
    patch: |
      - op: replace
        path: /spec/dataFrom/0/extract/key
        value: idlc/${team}/${app}
`
      : '';
  return `# ${team}/${app}: the ${template} template (sdlc/templates/${template}), environment-neutral.
# Pins, replicas and namespace are per env in ../../<env>/${app}/kustomization.yaml.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../../../templates/${template}
namePrefix: ${app}-
labels:
  - includeSelectors: true
    pairs:
      app.kubernetes.io/instance: ${app}
images:
  - name: ${TEMPLATE_IMAGE[template]}
    newName: ${app}
${patches}`;
}

function envKustomization(
  registry: Registry,
  team: string,
  env: string,
  app: string,
  template: TemplateName,
): string {
  const t = registry.teams[team];
  const ns = teamNamespace(team, env);
  const scaler =
    template === 'vllm'
      ? `patches:
  - target: { kind: ScaledObject, name: ${app}-${TEMPLATE_MAIN[template]} }
    patch: |
      - op: replace
        path: /spec/triggers/0/metadata/query
        value: sum(vllm:num_requests_waiting{namespace="${ns}", service="${app}-model-server"})
`
      : '';
  return `# ${team}/${env}/${app}: the one file automation edits to move this app (image pin below).
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ${ns}
resources:
  - ../../base/${app}
labels:
  - includeSelectors: false
    includeTemplates: true
    pairs:
      team: ${team}
      env: ${env}
      cost-center: ${t?.cost_center ?? ''}
configMapGenerator:
  - name: infra-outputs
    envs:
      - ${INFRA_OUTPUTS_FILE}
${scaler}images:
  - name: ${app}
    newName: ${ecrImage(registry, team, env, app)}
    newTag: "0.1.0"
`;
}

/** The files of a new app: path → content. */
export function newAppFiles(
  registry: Registry,
  team: string,
  app: string,
  template: string,
): Record<string, string> {
  const t = registry.teams[team];
  if (!t)
    throw new UsageError(
      `team "${team}" is not in idlc.yaml`,
      `use one of ${Object.keys(registry.teams).join(', ')}`,
    );
  if (!isValidAppName(app))
    throw new UsageError(
      `"${app}" is not an app name`,
      'lowercase letters, digits and dashes, 2-63 characters',
    );
  if (!(TEMPLATES as readonly string[]).includes(template)) {
    throw new UsageError(`unknown template "${template}"`, `use one of ${TEMPLATES.join(', ')}`);
  }
  const tpl = template as TemplateName;
  const files: Record<string, string> = {
    [`${baseDir(team, app)}/kustomization.yaml`]: baseKustomization(team, app, tpl),
  };
  for (const { name: env } of registry.environments) {
    if (!t.envs[env]) continue;
    const ref = { team, env, app };
    files[pinsPath(ref)] = envKustomization(registry, team, env, app, tpl);
    files[`${appDir(ref)}/${INFRA_OUTPUTS_FILE}`] = INFRA_OUTPUTS_HEADER(team, env);
  }
  return files;
}
