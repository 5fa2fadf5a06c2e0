data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  account_id = data.aws_caller_identity.current.account_id
  issuer     = "token.actions.githubusercontent.com"

  oidc_provider_arn = var.create_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : var.oidc_provider_arn

  plan_policy_arns  = coalesce(var.plan_managed_policy_arns, ["arn:${local.partition}:iam::aws:policy/job-function/ViewOnlyAccess"])
  apply_policy_arns = coalesce(var.apply_managed_policy_arns, ["arn:${local.partition}:iam::aws:policy/PowerUserAccess"])

  # The AWS managed policies the module catalog attaches to the roles it creates.
  catalog_attachable_policy_arns = [for name in [
    "AmazonEKSClusterPolicy", "AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryPullOnly",
    "AmazonSSMManagedInstanceCore", "service-role/AmazonEC2ContainerServiceforEC2Role",
    "service-role/AmazonECSTaskExecutionRolePolicy",
  ] : "arn:${local.partition}:iam::aws:policy/${name}"]
  attachable_policy_arns = concat(
    coalesce(var.attachable_policy_arns, local.catalog_attachable_policy_arns),
    ["arn:${local.partition}:iam::${local.account_id}:policy/${var.team}-*"],
  )

  envs = toset(var.environments)

  # -------------------------------------------------------------------------------------------
  # OIDC subjects. The repository customizes its sub claim with
  # include_claim_keys = [repo, context, job_workflow_ref] (setup-github does it), so a subject
  # names the workflow file *and the ref it was loaded from*. Only default-branch files are
  # trusted: a workflow a pull request adds or edits has job_workflow_ref ...@refs/pull/N/merge
  # (or @refs/heads/<its branch>) and matches nothing here. Same format as
  # src/auth/oidc-subjects.ts; tests/github_oidc.tftest.hcl and the e2e tests compare them.
  # -------------------------------------------------------------------------------------------
  workflow_ref = { for k, path in {
    plan  = var.plan_workflow_path
    apply = var.apply_workflow_path
    drift = var.drift_workflow_path
  } : k => "${var.repository}/${path}@refs/heads/${var.default_branch}" if path != null }

  drift_subjects = [for path in var.drift_workflow_path == null ? [] : [var.drift_workflow_path] :
    "repo:${var.repository}:ref:refs/heads/${var.default_branch}:job_workflow_ref:${var.repository}/${path}@refs/heads/${var.default_branch}"
  ]
  plan_subjects = { for env in var.environments : env => concat(
    [contains(var.plan_review_envs, env)
      ? "repo:${var.repository}:environment:${var.team}-${env}-plan:job_workflow_ref:${local.workflow_ref.plan}"
      : "repo:${var.repository}:pull_request:job_workflow_ref:${local.workflow_ref.plan}"
    ],
    local.drift_subjects,
    var.plan_extra_subjects,
  ) }
  apply_subjects = { for env in var.environments : env => [
    "repo:${var.repository}:environment:${var.team}-${env}:job_workflow_ref:${local.workflow_ref.apply}",
  ] }

  # Both pin aud and sub with StringEquals (exact, no wildcards). A ForAllValues operator is
  # never used: on a single-valued claim it is true when the claim is *absent*.
  trust_policy = { for role, subjects in merge(
    { for env in var.environments : "plan/${env}" => local.plan_subjects[env] },
    { for env in var.environments : "apply/${env}" => local.apply_subjects[env] },
    ) : role => jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Sid       = "GitHubDefaultBranchWorkflows"
        Effect    = "Allow"
        Principal = { Federated = local.oidc_provider_arn }
        Action    = "sts:AssumeRoleWithWebIdentity"
        Condition = {
          StringEquals = {
            "${local.issuer}:aud" = ["sts.amazonaws.com"]
            "${local.issuer}:sub" = subjects
          }
        }
      }]
  }) }

  # -------------------------------------------------------------------------------------------
  # State layout (idlc.yaml): state <env>/<stack>/terraform.tfstate with the S3 native lock
  # <key>.tflock beside it; bundles and markers of stack aws/<team>/<env>[/<stack>] under
  # <plans_prefix>aws/<team>/<env>/ (bundle <sha256>.tar, claim <sha256>.claim.<n>.json, result
  # <sha256>.result.<n>.json).
  # -------------------------------------------------------------------------------------------
  bucket    = var.state_bucket_arn
  plans     = "${var.state_bucket_arn}/${var.plans_prefix}"
  env_plans = { for env in var.environments : env => "${local.plans}aws/${var.team}/${env}/" }
  # Object keys of the *other* environments sharing this bucket (accounts holding several envs).
  other_env_objects = { for env in var.environments : env => flatten([
    for other in var.environments : ["${local.bucket}/${other}/*", "${local.env_plans[other]}*"] if other != env
  ]) }

  # Data-plane reads a plan never needs, denied even if plan_managed_policy_arns grants them.
  data_plane_reads = [
    "dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:GetRecords", "dynamodb:Query", "dynamodb:Scan",
    "logs:FilterLogEvents", "logs:GetLogEvents", "logs:GetLogRecord", "logs:GetQueryResults", "logs:StartLiveTail",
    "logs:StartQuery", "s3vectors:GetVectors", "s3vectors:ListVectors", "s3vectors:QueryVectors",
    "secretsmanager:BatchGetSecretValue", "secretsmanager:GetSecretValue", "sqs:ReceiveMessage",
  ]

  # The Get/Describe/List calls the AWS provider makes when it refreshes the resource types of
  # idlc/aws/modules/* (read from the provider 6.47.1 Read functions), control plane only.
  refresh_reads = {
    Compute = [
      "application-autoscaling:DescribeScalableTargets", "application-autoscaling:DescribeScalingPolicies",
      "application-autoscaling:ListTagsForResource", "autoscaling:Describe*", "ec2:Describe*",
      "ec2:GetEbsDefaultKmsKeyId", "ec2:GetEbsEncryptionByDefault", "ecr:DescribeRepositories",
      "ecr:GetLifecyclePolicy", "ecr:GetRepositoryPolicy", "ecr:ListTagsForResource",
      "ecs:DescribeCapacityProviders", "ecs:DescribeClusters", "ecs:DescribeServices", "ecs:DescribeTaskDefinition",
      "ecs:ListTagsForResource", "eks:DescribeAccessEntry", "eks:DescribeAddon", "eks:DescribeCluster",
      "eks:DescribeNodegroup", "eks:DescribePodIdentityAssociation", "eks:ListAssociatedAccessPolicies",
      "eks:ListTagsForResource",
    ]
    MachineLearning = [
      "aoss:BatchGetCollection", "aoss:GetAccessPolicy", "aoss:GetSecurityPolicy", "aoss:ListTagsForResource",
      "bedrock:GetDataSource", "bedrock:GetGuardrail", "bedrock:GetInferenceProfile", "bedrock:GetKnowledgeBase",
      "bedrock:GetModelInvocationLoggingConfiguration", "bedrock:ListTagsForResource", "s3vectors:GetIndex",
      "s3vectors:GetVectorBucket", "s3vectors:ListTagsForResource", "sagemaker:DescribeEndpoint",
      "sagemaker:DescribeEndpointConfig", "sagemaker:DescribeModel", "sagemaker:ListTags",
    ]
    Management = [
      "budgets:ListTagsForResource", "budgets:ViewBudget", "ce:ListCostAllocationTags", "cloudwatch:DescribeAlarms",
      "cloudwatch:GetDashboard", "cloudwatch:ListTagsForResource", "events:DescribeRule", "events:ListTagsForResource",
      "events:ListTargetsByRule", "iam:GetInstanceProfile", "iam:GetOpenIDConnectProvider", "iam:GetPolicy",
      "iam:GetPolicyVersion", "iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies",
      "iam:ListInstanceProfilesForRole", "iam:ListOpenIDConnectProviders", "iam:ListRolePolicies",
      "kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListAliases", "kms:ListResourceTags",
      "logs:DescribeLogGroups", "logs:ListTagsForResource", "sns:GetSubscriptionAttributes", "sns:GetTopicAttributes",
      "sns:ListSubscriptionsByTopic", "sns:ListTagsForResource", "sns:ListTopics", "sqs:GetQueueAttributes",
      "sqs:GetQueueUrl", "sqs:ListQueueTags",
    ]
    # Bucket configuration, never objects (HeadBucket is authorized as s3:ListBucket).
    Storage = [
      "s3:GetAccelerateConfiguration", "s3:GetAccountPublicAccessBlock", "s3:GetBucketAcl", "s3:GetBucketCORS",
      "s3:GetBucketLocation", "s3:GetBucketLogging", "s3:GetBucketObjectLockConfiguration",
      "s3:GetBucketOwnershipControls", "s3:GetBucketPolicy", "s3:GetBucketPublicAccessBlock",
      "s3:GetBucketRequestPayment", "s3:GetBucketTagging", "s3:GetBucketVersioning", "s3:GetBucketWebsite",
      "s3:GetEncryptionConfiguration", "s3:GetLifecycleConfiguration", "s3:GetReplicationConfiguration",
      "s3:ListAllMyBuckets", "s3:ListBucket",
    ]
  }

  # IAM actions that support the iam:PermissionsBoundary condition key.
  boundary_actions = ["iam:CreateRole", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy"]
  role_actions = [
    "iam:DeleteRole", "iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies",
    "iam:ListInstanceProfilesForRole", "iam:ListRolePolicies", "iam:ListRoleTags", "iam:PassRole",
    "iam:TagRole", "iam:UntagRole", "iam:UpdateAssumeRolePolicy", "iam:UpdateRole",
    "iam:UpdateRoleDescription",
  ]
  team_roles = "arn:${local.partition}:iam::${local.account_id}:role/${var.team}-*"

  plan_attachments = {
    for pair in setproduct(var.environments, local.plan_policy_arns) : "${pair[0]}|${pair[1]}" => { env = pair[0], arn = pair[1] }
  }
  apply_attachments = {
    for pair in setproduct(var.environments, local.apply_policy_arns) : "${pair[0]}|${pair[1]}" => { env = pair[0], arn = pair[1] }
  }

  # -------------------------------------------------------------------------------------------
  # Plan role: refresh reads, its own env's state, bundles of its own env; nothing else in the
  # bucket and no data-plane reads anywhere.
  # -------------------------------------------------------------------------------------------
  plan_policy = { for env in var.environments : env => jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [for group, actions in local.refresh_reads : {
        Sid      = "Refresh${group}"
        Effect   = "Allow"
        Action   = actions
        Resource = "*"
      }],
      [
        {
          # AWS-owned public parameters (e.g. the ECS GPU AMI id), not the account's own.
          Sid      = "RefreshPublicParameters"
          Effect   = "Allow"
          Action   = ["ssm:GetParameter", "ssm:GetParameters"]
          Resource = "arn:${local.partition}:ssm:*::parameter/aws/service/*"
        },
        {
          Sid      = "ReadState"
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = "${local.bucket}/${env}/*"
        },
        {
          Sid      = "WriteLockfile"
          Effect   = "Allow"
          Action   = ["s3:DeleteObject", "s3:PutObject"]
          Resource = "${local.bucket}/${env}/*.tflock"
        },
        {
          # Write-once is enforced by the bucket policy (If-None-Match required under the prefix).
          Sid      = "WritePlanBundles"
          Effect   = "Allow"
          Action   = ["s3:PutObject"]
          Resource = "${local.env_plans[env]}*.tar"
        },
        {
          Sid      = "UseStateKey"
          Effect   = "Allow"
          Action   = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"]
          Resource = var.state_kms_key_arn
        },
        {
          # Objects: only this env's state and bundle prefix, in any bucket (also other envs'
          # state keys in this one).
          Sid    = "DenyObjectsOutsideOwnEnv"
          Effect = "Deny"
          Action = [
            "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:GetObject", "s3:GetObjectVersion", "s3:PutObject",
            "s3:RestoreObject",
          ]
          NotResource = ["${local.bucket}/${env}/*", "${local.env_plans[env]}*"]
        },
        {
          # Apply writes the markers; a plan job must never claim or record anything.
          Sid      = "DenyApplyMarkers"
          Effect   = "Deny"
          Action   = ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObject"]
          Resource = ["${local.plans}*.claim.*", "${local.plans}*.result.*"]
        },
        {
          Sid      = "DenyDataPlaneReads"
          Effect   = "Deny"
          Action   = local.data_plane_reads
          Resource = "*"
        },
        {
          Sid         = "DenyPrivateParameters"
          Effect      = "Deny"
          Action      = ["ssm:GetParameter", "ssm:GetParameterHistory", "ssm:GetParameters", "ssm:GetParametersByPath"]
          NotResource = "arn:${local.partition}:ssm:*::parameter/aws/service/*"
        },
        {
          Sid         = "DenyDecryptOutsideStateKey"
          Effect      = "Deny"
          Action      = ["kms:Decrypt", "kms:ReEncryptFrom"]
          NotResource = var.state_kms_key_arn
        },
      ],
    )
  }) }

  # -------------------------------------------------------------------------------------------
  # Apply role. PowerUserAccess grants s3:* and kms:* everywhere, so what matters here are the
  # explicit Denies: the CI roles, the bucket's settings, the write-once plan prefix and the
  # state key are out of reach; IAM is granted only for <team>-* and only within the boundary.
  # -------------------------------------------------------------------------------------------
  apply_policy = { for env in var.environments : env => jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid      = "ListState"
          Effect   = "Allow"
          Action   = ["s3:ListBucket"]
          Resource = local.bucket
        },
        {
          Sid      = "ReadWriteState"
          Effect   = "Allow"
          Action   = ["s3:GetObject", "s3:PutObject"]
          Resource = "${local.bucket}/${env}/*"
        },
        {
          Sid      = "ReleaseLockfile"
          Effect   = "Allow"
          Action   = ["s3:DeleteObject"]
          Resource = "${local.bucket}/${env}/*.tflock"
        },
        {
          Sid      = "ReadPlans"
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = "${local.env_plans[env]}*"
        },
        {
          # The claim (before apply) and the result (after) of a bundle: created once, never
          # overwritten (If-None-Match: * must be sent; the bucket policy enforces it too).
          Sid      = "CreateApplyMarkers"
          Effect   = "Allow"
          Action   = ["s3:PutObject"]
          Resource = ["${local.env_plans[env]}*.claim.*.json", "${local.env_plans[env]}*.result.*.json"]
          Condition = {
            Null = { "s3:if-none-match" = "false" }
          }
        },
        {
          Sid      = "UseStateKey"
          Effect   = "Allow"
          Action   = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"]
          Resource = var.state_kms_key_arn
        },
        {
          Sid      = "DenyOverwritingPlans"
          Effect   = "Deny"
          Action   = ["s3:PutObject"]
          Resource = "${local.plans}*"
          Condition = {
            Null = { "s3:if-none-match" = "true" }
          }
        },
        {
          Sid      = "DenyDeletingPlans"
          Effect   = "Deny"
          Action   = ["s3:DeleteObject", "s3:DeleteObjectVersion"]
          Resource = "${local.plans}*"
        },
        {
          # Bundles come from plan jobs only.
          Sid      = "DenyWritingBundles"
          Effect   = "Deny"
          Action   = ["s3:PutObject"]
          Resource = "${local.plans}*.tar"
        },
        {
          Sid    = "DenyStateBucketSettings"
          Effect = "Deny"
          Action = [
            "s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:PutBucketAcl", "s3:PutBucketObjectLockConfiguration",
            "s3:PutBucketOwnershipControls", "s3:PutBucketPolicy", "s3:PutBucketPublicAccessBlock",
            "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration",
          ]
          Resource = local.bucket
        },
        {
          Sid      = "DenyStateKeyChanges"
          Effect   = "Deny"
          Action   = ["kms:CreateGrant", "kms:DisableKey", "kms:DisableKeyRotation", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"]
          Resource = var.state_kms_key_arn
        },
        {
          Sid    = "DenyCiRoles"
          Effect = "Deny"
          Action = ["iam:*"]
          Resource = [
            "arn:${local.partition}:iam::${local.account_id}:role/idlc-*",
            "arn:${local.partition}:iam::${local.account_id}:policy/idlc-*",
            "arn:${local.partition}:iam::${local.account_id}:instance-profile/idlc-*",
            "arn:${local.partition}:iam::${local.account_id}:oidc-provider/${local.issuer}",
          ]
        },
        {
          Sid      = "DenyBoundaryChanges"
          Effect   = "Deny"
          Action   = ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"]
          Resource = var.permissions_boundary_arn
        },
        {
          Sid      = "DenyRemovingBoundaries"
          Effect   = "Deny"
          Action   = ["iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"]
          Resource = "*"
        },
      ],
      length(local.other_env_objects[env]) == 0 ? [] : [{
        # Several envs in one account: this env's apply role leaves the others' state alone.
        Sid      = "DenyOtherEnvs"
        Effect   = "Deny"
        Action   = ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:GetObject", "s3:PutObject"]
        Resource = local.other_env_objects[env]
      }],
    )
  }) }

  # PowerUserAccess excludes IAM. Stacks create workload roles, so the apply role may manage IAM
  # roles, policies and instance profiles named <team>-*, and pass only those roles to services.
  # Every action that can raise a role's permissions requires the boundary on the role
  # (StringEquals, not ...IfExists: a request without a boundary must fail), and attaching is
  # limited to an allow-list of managed policies.
  apply_iam_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ManageTeamRoles"
        Effect   = "Allow"
        Action   = local.role_actions
        Resource = local.team_roles
      },
      {
        Sid      = "ManageTeamRolesWithinBoundary"
        Effect   = "Allow"
        Action   = local.boundary_actions
        Resource = local.team_roles
        Condition = {
          StringEquals = { "iam:PermissionsBoundary" = var.permissions_boundary_arn }
        }
      },
      {
        Sid      = "AttachAllowedPolicies"
        Effect   = "Allow"
        Action   = ["iam:AttachRolePolicy", "iam:DetachRolePolicy"]
        Resource = local.team_roles
        Condition = {
          StringEquals = { "iam:PermissionsBoundary" = var.permissions_boundary_arn }
          ArnLike      = { "iam:PolicyARN" = local.attachable_policy_arns }
        }
      },
      {
        Sid    = "ManageTeamPolicies"
        Effect = "Allow"
        Action = [
          "iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion",
          "iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyTags", "iam:ListPolicyVersions",
          "iam:SetDefaultPolicyVersion", "iam:TagPolicy", "iam:UntagPolicy",
        ]
        Resource = "arn:${local.partition}:iam::${local.account_id}:policy/${var.team}-*"
      },
      {
        Sid    = "ManageTeamInstanceProfiles"
        Effect = "Allow"
        Action = [
          "iam:AddRoleToInstanceProfile", "iam:CreateInstanceProfile", "iam:DeleteInstanceProfile",
          "iam:GetInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:TagInstanceProfile",
          "iam:UntagInstanceProfile",
        ]
        Resource = "arn:${local.partition}:iam::${local.account_id}:instance-profile/${var.team}-*"
      },
    ]
  })
}

resource "aws_iam_openid_connect_provider" "github" {
  count = var.create_oidc_provider ? 1 : 0

  url            = "https://${local.issuer}"
  client_id_list = ["sts.amazonaws.com"]

  tags = var.tags
}

resource "aws_iam_role" "plan" {
  for_each = local.envs

  name                 = "idlc-${var.team}-${each.key}-plan"
  description          = "idlc plan (read-only) for ${var.team}/${each.key}: ${var.plan_workflow_path} of ${var.repository} at ${var.default_branch}"
  assume_role_policy   = local.trust_policy["plan/${each.key}"]
  max_session_duration = var.max_session_duration
  permissions_boundary = var.permissions_boundary_arn

  tags = merge(var.tags, { "idlc:role" = "plan", "idlc:env" = each.key })
}

resource "aws_iam_role_policy" "plan" {
  for_each = local.envs

  name   = "idlc-plan"
  role   = aws_iam_role.plan[each.key].id
  policy = local.plan_policy[each.key]
}

# Was the state-only policy "idlc-state"; it now also holds the refresh reads and the denies.
moved {
  from = aws_iam_role_policy.plan_state
  to   = aws_iam_role_policy.plan
}

resource "aws_iam_role_policy_attachment" "plan" {
  for_each = local.plan_attachments

  role       = aws_iam_role.plan[each.value.env].name
  policy_arn = each.value.arn
}

resource "aws_iam_role" "apply" {
  for_each = local.envs

  name                 = "idlc-${var.team}-${each.key}-apply"
  description          = "idlc apply for ${var.team}/${each.key}: ${var.apply_workflow_path} of ${var.repository} at ${var.default_branch}, GitHub environment ${var.team}-${each.key}"
  assume_role_policy   = local.trust_policy["apply/${each.key}"]
  max_session_duration = var.max_session_duration
  permissions_boundary = var.permissions_boundary_arn

  tags = merge(var.tags, { "idlc:role" = "apply", "idlc:env" = each.key })
}

resource "aws_iam_role_policy" "apply_state" {
  for_each = local.envs

  name   = "idlc-state"
  role   = aws_iam_role.apply[each.key].id
  policy = local.apply_policy[each.key]
}

resource "aws_iam_role_policy" "apply_iam" {
  for_each = local.envs

  name   = "idlc-team-iam"
  role   = aws_iam_role.apply[each.key].id
  policy = local.apply_iam_policy
}

resource "aws_iam_role_policy_attachment" "apply" {
  for_each = local.apply_attachments

  role       = aws_iam_role.apply[each.value.env].name
  policy_arn = each.value.arn
}
