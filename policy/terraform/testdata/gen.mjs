#!/usr/bin/env node
// Builds the plan fixtures that cannot be planned for real here (DERIVED below): the Karpenter
// NodePools (gpu_karpenter; the kubernetes provider is not in the tools mirror) and the
// protected-env fixture (moto cannot read back an RDS instance the AWS provider created, so
// its updates and replacements have no real prior state). Every other AWS fixture is a real
// plan made by regen.sh with the real AWS provider; the specs here stay as the resource
// templates of the policy benchmark (bench/policy).
//
// Every derived fixture starts from envelope/tofu-show.json, a real `tofu show -json` capture
// (envelope/capture.sh): each resource reuses the real change record of the same action
// (create, update, no-op, delete, replace: actions, action_reason, replace_paths, the
// before/after/after_unknown/sensitivity layout) and the real configuration/planned_values/
// prior_state layout, with attribute names and block shapes taken from the provider docs.
// Output is deterministic: run `node gen.mjs` to rewrite, `node gen.mjs --check` to verify.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const envelope = JSON.parse(readFileSync(join(here, 'envelope', 'tofu-show.json'), 'utf8'));

const PROVIDERS = {
  aws: 'registry.opentofu.org/hashicorp/aws',
  kubernetes: 'registry.opentofu.org/hashicorp/kubernetes',
};

const realChanges = Object.fromEntries(envelope.resource_changes.map((rc) => [rc.address, rc]));
const TEMPLATES = {
  create: realChanges['terraform_data.created["a"]'],
  update: realChanges['module.child.terraform_data.inner'],
  'no-op': realChanges['terraform_data.kept'],
  delete: realChanges['terraform_data.removed[0]'],
  replace: realChanges['terraform_data.replaced'],
};
for (const [action, rc] of Object.entries(TEMPLATES)) {
  if (!rc) throw new Error(`envelope/tofu-show.json lacks the real ${action} change; re-run envelope/capture.sh`);
}

const clone = (v) => structuredClone(v);

// Attributes the provider computes, per type (unknown on create, known afterwards).
const COMPUTED = {
  aws_s3_bucket: ['id', 'arn', 'bucket_domain_name', 'bucket_regional_domain_name', 'hosted_zone_id', 'region'],
  aws_security_group: ['id', 'arn', 'owner_id'],
  aws_kms_key: ['id', 'arn', 'key_id'],
  aws_iam_policy: ['id', 'arn', 'policy_id', 'attachment_count'],
  aws_iam_role: ['id', 'arn', 'unique_id', 'create_date'],
  aws_instance: ['id', 'arn', 'private_ip', 'public_ip', 'primary_network_interface_id'],
  aws_db_instance: ['id', 'arn', 'address', 'endpoint', 'resource_id'],
  aws_rds_cluster: ['id', 'arn', 'endpoint', 'reader_endpoint', 'cluster_resource_id'],
  aws_eks_node_group: ['id', 'arn', 'status', 'resources'],
  aws_sagemaker_endpoint_configuration: ['id', 'arn'],
  aws_lb: ['id', 'arn', 'arn_suffix', 'dns_name', 'zone_id'],
  aws_dynamodb_table: ['id', 'arn', 'stream_arn', 'stream_label'],
  kubernetes_manifest: ['object'],
};
// Resource types whose schema has tags/tags_all.
const TAGGABLE = new Set([
  'aws_s3_bucket',
  'aws_security_group',
  'aws_vpc_security_group_ingress_rule',
  'aws_kms_key',
  'aws_iam_policy',
  'aws_iam_role',
  'aws_instance',
  'aws_launch_template',
  'aws_db_instance',
  'aws_rds_cluster',
  'aws_eks_node_group',
  'aws_eks_cluster',
  'aws_sagemaker_endpoint_configuration',
  'aws_sagemaker_notebook_instance',
  'aws_lb',
  'aws_dynamodb_table',
  'aws_sqs_queue',
  'aws_sns_topic',
  'aws_cloudwatch_log_group',
  'aws_batch_compute_environment',
  'aws_autoscaling_group',
]);

const moduleAddress = (mod = []) =>
  mod.map(([name, key]) => `module.${name}${key === undefined ? '' : keyText(key)}`).join('.');
const keyText = (key) => (typeof key === 'number' ? `[${key}]` : `["${key}"]`);

function address(r) {
  const mod = moduleAddress(r.module);
  const local = `${r.mode === 'data' ? 'data.' : ''}${r.type}.${r.name}${r.index === undefined ? '' : keyText(r.index)}`;
  return mod ? `${mod}.${local}` : local;
}

/** Sensitivity skeleton as tofu prints it when nothing is sensitive: {} for maps, lists of them. */
function sensitivity(values) {
  const out = {};
  for (const [k, v] of Object.entries(values ?? {})) {
    if (Array.isArray(v)) out[k] = v.map((x) => (x && typeof x === 'object' ? sensitivity(x) : false));
    else if (v && typeof v === 'object') out[k] = sensitivity(v);
  }
  return out;
}

/** Known values of computed attributes for a resource that already exists. */
function existing(r) {
  const out = {};
  for (const attr of COMPUTED[r.type] ?? ['id']) {
    if (attr === 'id') out.id = r.id ?? r.args.bucket ?? r.args.name ?? `${r.name}-0001`;
    else if (attr === 'arn') out.arn = `arn:aws:${r.type.split('_')[1]}:eu-central-1:200000000003:${r.name}`;
    else out[attr] = r.computedValues?.[attr] ?? `${r.name}-${attr}`;
  }
  return out;
}

function values(r, ctx, phase) {
  const v = { ...clone(r.args) };
  if (TAGGABLE.has(r.type)) {
    v.tags = r.args.tags ?? null;
    const defaults = r.defaultTags === false ? {} : ctx.default_tags;
    if (!(r.unknown ?? []).includes('tags_all')) v.tags_all = { ...defaults, ...(r.args.tags ?? {}) };
  }
  if (phase === 'before' || r.action === 'update' || r.action === 'no-op') Object.assign(v, existing(r));
  if (phase === 'before' && r.beforeArgs) Object.assign(v, clone(r.beforeArgs));
  return v;
}

function unknowns(r) {
  const out = {};
  const computed = r.action === 'create' || r.action === 'replace' ? (COMPUTED[r.type] ?? ['id']) : [];
  for (const attr of [...computed, ...(r.unknown ?? [])]) out[attr] = true;
  for (const [k, v] of Object.entries(r.args)) {
    if (out[k]) continue;
    if (Array.isArray(v)) out[k] = v.map((x) => (x && typeof x === 'object' ? {} : false));
    else if (v && typeof v === 'object') out[k] = {};
  }
  if (TAGGABLE.has(r.type) && !out.tags_all) out.tags_all = {};
  return out;
}

function resourceChange(r, ctx) {
  const t = clone(TEMPLATES[r.action] ?? TEMPLATES.create);
  const rc = {
    address: address(r),
    ...(r.module?.length ? { module_address: moduleAddress(r.module) } : {}),
    mode: r.mode ?? 'managed',
    type: r.type,
    name: r.name,
    ...(r.index === undefined ? {} : { index: r.index }),
    provider_name: PROVIDERS[r.provider ?? 'aws'],
    change: t.change,
    ...(t.action_reason ? { action_reason: t.action_reason } : {}),
  };
  const before = r.mode === 'data' || r.action === 'create' ? null : values(r, ctx, 'before');
  let after = r.action === 'delete' ? null : values(r, ctx, 'after');
  const afterUnknown = r.action === 'delete' ? {} : unknowns(r);
  if (after) for (const k of Object.keys(afterUnknown)) if (afterUnknown[k] === true) delete after[k];
  if (r.mode === 'data') {
    rc.change.actions = ['read'];
    rc.action_reason = 'read_because_dependency_pending';
    after = values(r, ctx, 'after');
    for (const k of r.unknown ?? []) delete after[k];
  }
  rc.change.before = before;
  rc.change.after = after;
  rc.change.after_unknown = afterUnknown;
  rc.change.before_sensitive = before ? sensitivity(before) : false;
  rc.change.after_sensitive = after ? sensitivity(after) : false;
  if (r.action === 'replace') rc.change.replace_paths = (r.replacePaths ?? [Object.keys(r.args)[0]]).map((p) => [p]);
  if (r.action === 'delete') rc.action_reason = 'delete_because_no_resource_config';
  return rc;
}

/** Configuration expressions: constants for literal arguments, references where the spec says. */
function expressions(r) {
  const out = {};
  for (const [k, v] of Object.entries(r.args)) {
    if (r.refs?.[k] || v === null) continue;
    if (Array.isArray(v) && v.length > 0 && v.every((x) => x && typeof x === 'object' && !Array.isArray(x))) {
      out[k] = v.map((block) => Object.fromEntries(Object.entries(expressionsOf(block))));
    } else out[k] = { constant_value: v };
  }
  for (const [k, target] of Object.entries(r.refs ?? {})) {
    const parts = target.split('.');
    const refs = [target];
    const shortest = parts[0] === 'data' ? 3 : 2;
    for (let n = parts.length - 1; n >= shortest; n--) refs.push(parts.slice(0, n).join('.'));
    out[k] = { references: [...new Set(refs)] };
  }
  return out;
}
const expressionsOf = (block) => expressions({ args: block });

function configEntry(r) {
  const entry = {
    address: `${r.mode === 'data' ? 'data.' : ''}${r.type}.${r.name}`,
    mode: r.mode ?? 'managed',
    type: r.type,
    name: r.name,
    provider_config_key: r.provider ?? 'aws',
    expressions: expressions(r),
    schema_version: 0,
  };
  if (typeof r.index === 'number') entry.count_expression = { constant_value: r.index + 1 };
  if (typeof r.index === 'string') entry.for_each_expression = { references: ['local.instances'] };
  return entry;
}

function stateEntry(r, vals) {
  return {
    address: address(r),
    mode: r.mode ?? 'managed',
    type: r.type,
    name: r.name,
    ...(r.index === undefined ? {} : { index: r.index }),
    provider_name: PROVIDERS[r.provider ?? 'aws'],
    schema_version: 0,
    values: vals,
    sensitive_values: sensitivity(vals),
  };
}

/** Put an entry into a planned_values/prior_state module tree (child_modules by address). */
function placeState(root, mod, entry) {
  let node = root;
  for (let i = 1; i <= (mod?.length ?? 0); i++) {
    const addr = moduleAddress(mod.slice(0, i));
    node.child_modules ??= [];
    let child = node.child_modules.find((c) => c.address === addr);
    if (!child) {
      child = { resources: [], address: addr };
      node.child_modules.push(child);
    }
    node = child;
  }
  node.resources ??= [];
  node.resources.push(entry);
}

function placeConfig(root, mod, entry) {
  let node = root;
  for (const [name] of mod ?? []) {
    node.module_calls ??= {};
    node.module_calls[name] ??= {
      source: `../../modules/${name}`,
      expressions: { name: { references: ['local.name'] } },
      module: { resources: [], variables: { name: { type: 'string', required: true } } },
    };
    node = node.module_calls[name].module;
  }
  node.resources ??= [];
  if (!node.resources.some((e) => e.address === entry.address)) node.resources.push(entry);
}

function build(spec) {
  const ctx = spec.context;
  const plan = clone(envelope);
  plan.variables = {
    idlc: {
      value: {
        team: ctx.team,
        env: ctx.env,
        account_id: ctx.account_id,
        region: 'eu-central-1',
        cost_center: ctx.cost_center,
        owner: ctx.default_tags.owner,
        stack: ctx.stack,
      },
    },
  };
  plan.planned_values = { root_module: {} };
  plan.resource_changes = [];
  plan.prior_state = { format_version: '1.0', terraform_version: envelope.terraform_version, values: { root_module: {} } };
  plan.configuration = {
    provider_config: {
      aws: {
        name: 'aws',
        full_name: PROVIDERS.aws,
        version_constraint: '~> 6.0',
        expressions: {
          region: { references: ['var.idlc.region', 'var.idlc'] },
          allowed_account_ids: { references: ['var.idlc.account_id', 'var.idlc'] },
          default_tags: [{ tags: { references: ['var.idlc.team', 'var.idlc', 'var.idlc.env'] } }],
        },
      },
      ...(spec.resources.some((r) => r.provider === 'kubernetes')
        ? { kubernetes: { name: 'kubernetes', full_name: PROVIDERS.kubernetes, version_constraint: '~> 2.38' } }
        : {}),
    },
    root_module: { variables: { idlc: { description: 'Injected by idlc from the platform registry.' } } },
  };
  plan.relevant_attributes = [];
  for (const r of spec.resources) {
    if (r.mode === 'data' && r.readAtPlan) {
      placeState(plan.prior_state.values.root_module, r.module, stateEntry(r, values(r, ctx, 'after')));
      placeConfig(plan.configuration.root_module, r.module, configEntry(r));
      continue;
    }
    const rc = resourceChange(r, ctx);
    plan.resource_changes.push(rc);
    if (rc.change.after && r.mode !== 'data') {
      placeState(plan.planned_values.root_module, r.module, {
        ...stateEntry(r, rc.change.after),
        sensitive_values: rc.change.after_sensitive,
      });
    }
    if (rc.change.before && r.mode !== 'data') {
      placeState(plan.prior_state.values.root_module, r.module, stateEntry(r, rc.change.before));
    }
    if (r.action !== 'delete') placeConfig(plan.configuration.root_module, r.module, configEntry(r));
    for (const target of Object.values(r.refs ?? {})) {
      const parts = target.split('.');
      const resource = parts.slice(0, parts[0] === 'data' ? 3 : 2).join('.');
      const attribute = parts.slice(parts[0] === 'data' ? 3 : 2);
      if (attribute.length > 0) plan.relevant_attributes.push({ resource, attribute });
    }
  }
  return plan;
}

// ---------------------------------------------------------------------------------------
// Fixtures. Contexts mirror what src/policy/context.ts builds from idlc.yaml.

const searchProd = {
  team: 'search',
  env: 'prod',
  account_id: '200000000003',
  cost_center: 'cc-2100',
  stack: 'aws/search/prod',
  default_tags: {
    team: 'search',
    env: 'prod',
    'cost-center': 'cc-2100',
    owner: '@acme/search',
    'managed-by': 'idlc',
    stack: 'aws/search/prod',
  },
};

const tlsPolicy = (bucket) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  });

const sse = (algorithm) => [
  {
    apply_server_side_encryption_by_default: [{ sse_algorithm: algorithm, kms_master_key_id: '' }],
    bucket_key_enabled: true,
  },
];
const pab = (on) => ({
  block_public_acls: on,
  block_public_policy: on,
  ignore_public_acls: on,
  restrict_public_buckets: on,
  skip_destroy: null,
});
const bucketArgs = (bucket) => ({ bucket, force_destroy: false, object_lock_enabled: false, timeouts: null });

/** A bucket with all three companions, referencing it in configuration. */
function compliantBucket(name, bucket, extra = {}) {
  const ref = `aws_s3_bucket.${name}.id`;
  return [
    { type: 'aws_s3_bucket', name, action: 'create', args: bucketArgs(bucket), ...extra },
    {
      type: 'aws_s3_bucket_server_side_encryption_configuration',
      name,
      action: 'create',
      args: { expected_bucket_owner: null, rule: sse('aws:kms') },
      refs: { bucket: ref },
      unknown: ['bucket', 'id'],
      ...extra,
    },
    {
      type: 'aws_s3_bucket_public_access_block',
      name,
      action: 'create',
      args: pab(true),
      refs: { bucket: ref },
      unknown: ['bucket', 'id'],
      ...extra,
    },
    {
      type: 'aws_s3_bucket_policy',
      name,
      action: 'create',
      args: { policy: tlsPolicy(bucket) },
      refs: { bucket: ref },
      unknown: ['bucket', 'id'],
      ...extra,
    },
  ];
}

const iamDoc = (statements) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

const ingress = (from, to, protocol, cidrs, ipv6 = []) => ({
  cidr_blocks: cidrs,
  description: '',
  from_port: from,
  ipv6_cidr_blocks: ipv6,
  prefix_list_ids: [],
  protocol,
  security_groups: [],
  self: false,
  to_port: to,
});
const sgArgs = (name, rules, tags) => ({
  name,
  description: `${name} security group`,
  ingress: rules,
  egress: [ingress(0, 0, '-1', ['0.0.0.0/0'])],
  revoke_rules_on_delete: false,
  vpc_id: 'vpc-0a1b2c3d4e5f60718',
  timeouts: null,
  ...(tags ? { tags } : {}),
});

const nodePool = (name, requirements) => ({
  manifest: {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name },
    spec: {
      template: {
        spec: {
          nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
          requirements,
        },
      },
      limits: { cpu: '1000' },
    },
  },
  computed_fields: null,
  field_manager: [],
  timeouts: [],
  wait: [],
});

export const FIXTURES = {
  tags: {
    context: searchProd,
    resources: [
      { type: 'aws_sqs_queue', name: 'jobs', action: 'create', args: { name: 'search-jobs', fifo_queue: false } },
      {
        type: 'aws_sqs_queue',
        name: 'untagged',
        action: 'update',
        // A stack whose provider has no default_tags: only the resource's own tags apply.
        defaultTags: false,
        args: { name: 'search-untagged', fifo_queue: false, tags: { Name: 'search-untagged', team: 'search', owner: '' } },
      },
      {
        type: 'aws_sns_topic',
        name: 'alerts',
        module: [['app', 'blue']],
        action: 'create',
        args: { name: 'search-alerts', tags: { team: 'assistant' } },
      },
      {
        type: 'aws_cloudwatch_log_group',
        name: 'computed',
        action: 'create',
        args: { name: 'search-computed', retention_in_days: 30 },
        unknown: ['tags_all'],
      },
      {
        type: 'aws_iam_role_policy_attachment',
        name: 'not_taggable',
        action: 'create',
        args: { role: 'search-app', policy_arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
      },
      {
        type: 'aws_sqs_queue',
        name: 'legacy',
        action: 'no-op',
        args: { name: 'search-legacy', fifo_queue: false, tags: { team: 'other' } },
      },
    ],
  },

  s3: {
    context: searchProd,
    resources: [
      ...compliantBucket('documents', 'acme-search-prod-documents'),
      ...compliantBucket('this', 'acme-search-prod-logs', { module: [['logs']] }),
      ...compliantBucket('this', 'acme-search-prod-audit', { module: [['platform'], ['audit']] }),
      { type: 'aws_s3_bucket', name: 'bare', action: 'create', args: bucketArgs('acme-search-prod-bare') },
      { type: 'aws_s3_bucket', name: 'partial', action: 'create', args: bucketArgs('acme-search-prod-partial') },
      {
        type: 'aws_s3_bucket_server_side_encryption_configuration',
        name: 'partial',
        action: 'create',
        args: { bucket: 'acme-search-prod-partial', expected_bucket_owner: null, rule: [{ bucket_key_enabled: false }] },
      },
      {
        type: 'aws_s3_bucket_public_access_block',
        name: 'partial',
        action: 'create',
        args: { bucket: 'acme-search-prod-partial', ...pab(true), restrict_public_buckets: false },
      },
      {
        type: 'aws_s3_bucket_policy',
        name: 'partial',
        action: 'create',
        args: {
          bucket: 'acme-search-prod-partial',
          policy: iamDoc([
            { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::200000000003:root' }, Action: 's3:GetObject', Resource: '*' },
          ]),
        },
      },
      // Policy built from a policy document whose read waits for the bucket ARN.
      { type: 'aws_s3_bucket', name: 'from_document', action: 'create', args: bucketArgs('acme-search-prod-doc') },
      {
        type: 'aws_s3_bucket_server_side_encryption_configuration',
        name: 'from_document',
        action: 'create',
        args: { expected_bucket_owner: null, rule: sse('AES256') },
        refs: { bucket: 'aws_s3_bucket.from_document.id' },
        unknown: ['bucket', 'id'],
      },
      {
        type: 'aws_s3_bucket_public_access_block',
        name: 'from_document',
        action: 'create',
        args: pab(true),
        refs: { bucket: 'aws_s3_bucket.from_document.id' },
        unknown: ['bucket', 'id'],
      },
      {
        type: 'aws_s3_bucket_policy',
        name: 'from_document',
        action: 'create',
        args: {},
        refs: {
          bucket: 'aws_s3_bucket.from_document.id',
          policy: 'data.aws_iam_policy_document.tls.json',
        },
        unknown: ['bucket', 'id', 'policy'],
      },
      {
        type: 'aws_iam_policy_document',
        name: 'tls',
        mode: 'data',
        args: {
          statement: [
            {
              sid: 'DenyInsecureTransport',
              effect: 'Deny',
              actions: ['s3:*'],
              not_actions: null,
              resources: null,
              not_resources: null,
              principals: [{ type: '*', identifiers: ['*'] }],
              condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
            },
          ],
          version: '2012-10-17',
        },
        unknown: ['json', 'minified_json', 'id'],
      },
      // Policy only known after apply and not from a document: can't be checked, warns.
      { type: 'aws_s3_bucket', name: 'opaque', action: 'create', args: bucketArgs('acme-search-prod-opaque') },
      {
        type: 'aws_s3_bucket_policy',
        name: 'opaque',
        action: 'create',
        args: {},
        refs: { bucket: 'aws_s3_bucket.opaque.id', policy: 'module.policy.json' },
        unknown: ['bucket', 'id', 'policy'],
      },
      // An existing compliant-looking bucket whose public access block is being removed.
      {
        type: 'aws_s3_bucket',
        name: 'existing',
        action: 'no-op',
        args: bucketArgs('acme-search-prod-existing'),
      },
      {
        type: 'aws_s3_bucket_public_access_block',
        name: 'existing',
        action: 'delete',
        args: { bucket: 'acme-search-prod-existing', ...pab(true) },
      },
      // An untouched legacy bucket is not reported (nothing about it changes).
      { type: 'aws_s3_bucket', name: 'legacy', action: 'no-op', args: bucketArgs('acme-search-prod-legacy') },
    ],
  },

  iam: {
    context: searchProd,
    resources: [
      {
        type: 'aws_iam_policy',
        name: 'scoped',
        action: 'create',
        args: {
          name: 'search-read-documents',
          path: '/',
          description: 'Read the documents bucket',
          policy: iamDoc([
            {
              Effect: 'Allow',
              Action: ['s3:GetObject', 's3:ListBucket'],
              Resource: ['arn:aws:s3:::acme-search-prod-documents', 'arn:aws:s3:::acme-search-prod-documents/*'],
            },
            {
              Effect: 'Allow',
              Action: 'iam:PassRole',
              Resource: 'arn:aws:iam::200000000003:role/search-sagemaker',
              Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
            },
          ]),
        },
      },
      {
        type: 'aws_iam_policy',
        name: 'admin',
        action: 'create',
        args: {
          name: 'search-admin',
          path: '/',
          description: 'Everything',
          policy: iamDoc([{ Effect: 'Allow', Action: '*', Resource: '*' }]),
        },
      },
      {
        type: 'aws_iam_role_policy',
        name: 'pass_any',
        action: 'create',
        args: {
          name: 'pass-any-role',
          role: 'search-deployer',
          policy: iamDoc([{ Effect: 'Allow', Action: ['ec2:RunInstances', 'iam:PassRole'], Resource: '*' }]),
        },
      },
      {
        type: 'aws_iam_role',
        name: 'inline_admin',
        action: 'update',
        args: {
          name: 'search-inline',
          assume_role_policy: iamDoc([
            { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ]),
          max_session_duration: 3600,
          inline_policy: [{ name: 'all', policy: iamDoc([{ Effect: 'Allow', Action: ['*'], Resource: ['*'] }]) }],
        },
      },
      {
        type: 'aws_iam_policy',
        name: 'not_action',
        action: 'create',
        args: {
          name: 'search-not-iam',
          path: '/',
          description: 'All but IAM',
          policy: iamDoc([{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }]),
        },
      },
      {
        type: 'aws_iam_policy_document',
        name: 'wide',
        mode: 'data',
        readAtPlan: true,
        args: {
          id: '1234567890',
          json: iamDoc([{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }]),
          statement: [
            {
              sid: '',
              effect: 'Allow',
              actions: ['iam:*'],
              not_actions: null,
              resources: ['*'],
              not_resources: null,
              principals: [],
              not_principals: [],
              condition: [],
            },
          ],
        },
      },
      {
        type: 'aws_iam_policy_document',
        name: 'narrow',
        mode: 'data',
        readAtPlan: true,
        args: {
          id: '2234567890',
          statement: [
            {
              sid: '',
              effect: null,
              actions: ['sqs:SendMessage'],
              not_actions: null,
              resources: ['arn:aws:sqs:eu-central-1:200000000003:search-jobs'],
              not_resources: null,
              principals: [],
              not_principals: [],
              condition: [],
            },
          ],
        },
      },
    ],
  },

  network: {
    context: searchProd,
    resources: [
      {
        type: 'aws_security_group',
        name: 'public_lb',
        action: 'create',
        args: sgArgs('search-public-lb', [ingress(443, 443, 'tcp', ['0.0.0.0/0'], ['::/0'])], { exposure: 'public-lb' }),
      },
      {
        type: 'aws_security_group',
        name: 'web_untagged',
        action: 'create',
        args: sgArgs('search-web', [ingress(443, 443, 'tcp', ['0.0.0.0/0'])]),
      },
      {
        type: 'aws_security_group',
        name: 'bastion',
        action: 'update',
        args: sgArgs('search-bastion', [ingress(22, 22, 'tcp', ['0.0.0.0/0']), ingress(22, 22, 'tcp', ['10.0.0.0/8'])]),
      },
      {
        type: 'aws_security_group',
        name: 'internal',
        action: 'create',
        args: sgArgs('search-internal', [ingress(0, 65535, 'tcp', ['10.20.0.0/16'])]),
      },
      {
        type: 'aws_security_group_rule',
        name: 'lb_http',
        action: 'create',
        args: {
          type: 'ingress',
          from_port: 80,
          to_port: 80,
          protocol: 'tcp',
          cidr_blocks: ['0.0.0.0/0'],
          ipv6_cidr_blocks: null,
          description: 'HTTP redirect',
        },
        refs: { security_group_id: 'aws_security_group.public_lb.id' },
        unknown: ['security_group_id', 'id', 'security_group_rule_id'],
      },
      {
        type: 'aws_security_group_rule',
        name: 'ssh_v6',
        action: 'create',
        args: {
          type: 'ingress',
          from_port: 22,
          to_port: 22,
          protocol: 'tcp',
          cidr_blocks: null,
          ipv6_cidr_blocks: ['::/0'],
          description: 'ssh',
          security_group_id: 'sg-0123456789abcdef0',
        },
      },
      {
        type: 'aws_security_group_rule',
        name: 'egress_any',
        action: 'create',
        args: {
          type: 'egress',
          from_port: 0,
          to_port: 0,
          protocol: '-1',
          cidr_blocks: ['0.0.0.0/0'],
          security_group_id: 'sg-0123456789abcdef0',
        },
      },
      {
        type: 'aws_vpc_security_group_ingress_rule',
        name: 'all_traffic',
        action: 'create',
        args: { ip_protocol: '-1', cidr_ipv4: '0.0.0.0/0', cidr_ipv6: null, security_group_id: 'sg-0123456789abcdef0' },
        unknown: ['arn', 'id', 'security_group_rule_id'],
      },
      {
        type: 'aws_vpc_security_group_ingress_rule',
        name: 'lb_https_v6',
        action: 'create',
        args: { ip_protocol: 'tcp', from_port: 443, to_port: 443, cidr_ipv4: null, cidr_ipv6: '::/0' },
        refs: { security_group_id: 'aws_security_group.public_lb.id' },
        unknown: ['arn', 'id', 'security_group_rule_id', 'security_group_id'],
      },
      {
        type: 'aws_vpc_security_group_ingress_rule',
        name: 'tagged_rule',
        action: 'create',
        args: {
          ip_protocol: 'tcp',
          from_port: 443,
          to_port: 443,
          cidr_ipv4: '0.0.0.0/0',
          security_group_id: 'sg-0fedcba9876543210',
          tags: { exposure: 'public-lb' },
        },
        unknown: ['arn', 'id', 'security_group_rule_id'],
      },
    ],
  },

  kms: {
    context: searchProd,
    resources: [
      {
        type: 'aws_kms_key',
        name: 'data',
        action: 'create',
        args: {
          description: 'search data',
          customer_master_key_spec: 'SYMMETRIC_DEFAULT',
          key_usage: 'ENCRYPT_DECRYPT',
          enable_key_rotation: true,
          rotation_period_in_days: 365,
          deletion_window_in_days: 30,
          is_enabled: true,
          multi_region: false,
        },
      },
      {
        type: 'aws_kms_key',
        name: 'static',
        action: 'create',
        args: {
          description: 'never rotates',
          customer_master_key_spec: 'SYMMETRIC_DEFAULT',
          key_usage: 'ENCRYPT_DECRYPT',
          enable_key_rotation: false,
          deletion_window_in_days: 30,
          is_enabled: true,
          multi_region: false,
        },
      },
      {
        type: 'aws_kms_key',
        name: 'signing',
        action: 'create',
        args: {
          description: 'JWT signing',
          customer_master_key_spec: 'RSA_2048',
          key_usage: 'SIGN_VERIFY',
          enable_key_rotation: false,
          deletion_window_in_days: 30,
          is_enabled: true,
          multi_region: false,
        },
      },
    ],
  },

  gpu: {
    context: searchProd,
    resources: [
      { type: 'aws_instance', name: 'api', action: 'create', args: { ami: 'ami-0abcdef1234567890', instance_type: 'm7i.large' } },
      { type: 'aws_instance', name: 'embedder', action: 'create', args: { ami: 'ami-0abcdef1234567890', instance_type: 'g5.xlarge' } },
      { type: 'aws_instance', name: 'trainer', action: 'create', args: { ami: 'ami-0abcdef1234567890', instance_type: 'p4d.24xlarge' } },
      {
        type: 'aws_launch_template',
        name: 'inference',
        action: 'create',
        args: { name_prefix: 'search-inf-', image_id: 'ami-0abcdef1234567890', instance_type: 'inf2.xlarge' },
        unknown: ['id', 'arn', 'latest_version'],
      },
      {
        type: 'aws_sagemaker_endpoint_configuration',
        name: 'reranker',
        action: 'create',
        args: {
          name: 'search-reranker',
          production_variants: [
            { variant_name: 'primary', model_name: 'reranker', instance_type: 'ml.g5.2xlarge', initial_instance_count: 1 },
            { variant_name: 'canary', model_name: 'reranker-big', instance_type: 'ml.p4d.24xlarge', initial_instance_count: 1 },
          ],
          shadow_production_variants: [],
        },
      },
      {
        type: 'aws_eks_node_group',
        name: 'gpu',
        action: 'create',
        args: {
          cluster_name: 'platform-prod',
          node_group_name: 'search-gpu',
          instance_types: ['g5.2xlarge', 'g6.xlarge'],
          ami_type: 'AL2023_x86_64_NVIDIA',
          capacity_type: 'ON_DEMAND',
          scaling_config: [{ desired_size: 1, max_size: 4, min_size: 0 }],
        },
      },
      {
        type: 'aws_autoscaling_group',
        name: 'mixed',
        action: 'create',
        args: {
          name: 'search-mixed',
          max_size: 2,
          min_size: 0,
          mixed_instances_policy: [
            {
              launch_template: [
                {
                  launch_template_specification: [{ launch_template_name: 'search-inf', version: '$Latest' }],
                  override: [{ instance_type: 'm7i.large' }, { instance_type: 'trn1.2xlarge' }],
                },
              ],
            },
          ],
        },
      },
      {
        type: 'aws_batch_compute_environment',
        name: 'batch',
        action: 'create',
        args: {
          name: 'search-batch',
          type: 'MANAGED',
          compute_resources: [{ type: 'EC2', max_vcpus: 64, instance_type: ['c7i', 'g5.4xlarge'] }],
        },
      },
      {
        type: 'kubernetes_manifest',
        provider: 'kubernetes',
        name: 'nodepool_allowed',
        action: 'create',
        args: nodePool('search-gpu', [
          { key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['g5'] },
          { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
        ]),
      },
      {
        type: 'kubernetes_manifest',
        provider: 'kubernetes',
        name: 'nodepool_forbidden',
        action: 'create',
        args: nodePool('search-big', [
          { key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['p5', 'c7i'] },
          { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['trn1.32xlarge'] },
        ]),
      },
      {
        type: 'kubernetes_manifest',
        provider: 'kubernetes',
        name: 'nodepool_category',
        action: 'create',
        args: nodePool('search-any-gpu', [{ key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['g', 'c'] }]),
      },
    ],
  },

  protected: {
    context: searchProd,
    resources: [
      {
        type: 'aws_db_instance',
        name: 'metadata',
        action: 'update',
        args: {
          identifier: 'search-metadata',
          engine: 'postgres',
          instance_class: 'db.r7g.large',
          deletion_protection: true,
          storage_encrypted: true,
        },
      },
      {
        type: 'aws_rds_cluster',
        name: 'vectors',
        action: 'create',
        args: {
          cluster_identifier: 'search-vectors',
          engine: 'aurora-postgresql',
          deletion_protection: false,
          storage_encrypted: true,
        },
      },
      {
        type: 'aws_dynamodb_table',
        name: 'sessions',
        action: 'create',
        args: { name: 'search-sessions', billing_mode: 'PAY_PER_REQUEST', hash_key: 'id', deletion_protection_enabled: false },
      },
      {
        type: 'aws_lb',
        name: 'public',
        action: 'create',
        args: { name: 'search-public', internal: false, load_balancer_type: 'application', enable_deletion_protection: true },
      },
      {
        type: 'aws_s3_bucket',
        name: 'scratch',
        action: 'create',
        args: { ...bucketArgs('acme-search-prod-scratch'), force_destroy: true },
      },
      { type: 'aws_s3_bucket', name: 'archive', action: 'delete', args: bucketArgs('acme-search-prod-archive') },
      {
        type: 'aws_db_instance',
        name: 'replica',
        action: 'replace',
        args: {
          identifier: 'search-replica',
          engine: 'postgres',
          instance_class: 'db.r7g.large',
          deletion_protection: true,
          storage_encrypted: true,
        },
        beforeArgs: { storage_encrypted: false },
        replacePaths: ['storage_encrypted'],
      },
      { type: 'aws_sqs_queue', name: 'retired', action: 'delete', args: { name: 'search-retired', fifo_queue: false } },
    ],
  },

  bedrock: {
    context: { ...searchProd, stack: 'aws/search/prod/account-baseline' },
    resources: [
      {
        type: 'aws_bedrock_model_invocation_logging_configuration',
        name: 'main',
        action: 'create',
        args: {
          region: 'eu-central-1',
          logging_config: [
            {
              embedding_data_delivery_enabled: true,
              image_data_delivery_enabled: true,
              text_data_delivery_enabled: true,
              video_data_delivery_enabled: true,
              cloudwatch_config: [
                {
                  log_group_name: '/aws/bedrock/invocations',
                  role_arn: 'arn:aws:iam::200000000003:role/bedrock-logging',
                  large_data_delivery_s3_config: [],
                },
              ],
              s3_config: [],
            },
          ],
        },
        unknown: ['id'],
      },
      {
        type: 'aws_bedrock_model_invocation_logging_configuration',
        name: 'silent',
        module: [['legacy']],
        action: 'update',
        args: {
          region: 'eu-west-1',
          logging_config: [
            {
              embedding_data_delivery_enabled: false,
              image_data_delivery_enabled: false,
              text_data_delivery_enabled: false,
              video_data_delivery_enabled: false,
              cloudwatch_config: [],
              s3_config: [],
            },
          ],
        },
      },
    ],
  },
};

function render(plan) {
  return `${JSON.stringify(plan, null, 2)}\n`;
}

// Karpenter NodePools: the kubernetes_manifest part of the GPU rule's fixture.
FIXTURES.gpu_karpenter = {
  context: FIXTURES.gpu.context,
  resources: FIXTURES.gpu.resources.filter((r) => r.provider === 'kubernetes'),
};

/** The fixtures this script writes; the others are real plans written by regen.sh. */
export const DERIVED = ['gpu_karpenter', 'protected'];

export function fixtures() {
  return Object.fromEntries(DERIVED.map((name) => [name, build(FIXTURES[name])]));
}

export { build as buildPlan };

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [name, plan] of Object.entries(fixtures())) {
    const file = join(here, name, 'plan.json');
    const text = render(plan);
    if (check) {
      let current = '';
      try {
        current = readFileSync(file, 'utf8');
      } catch {}
      if (current !== text) {
        console.error(`stale fixture: ${file} (run node ${join('policy/terraform/testdata/gen.mjs')})`);
        stale++;
      }
    } else {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      console.log(`wrote ${name}/plan.json (${plan.resource_changes.length} resource changes)`);
    }
  }
  if (stale > 0) process.exit(1);
}
