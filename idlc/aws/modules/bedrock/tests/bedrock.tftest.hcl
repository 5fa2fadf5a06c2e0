mock_provider "aws" {
  mock_resource "aws_bedrock_guardrail" {
    defaults = { guardrail_arn = "arn:aws:bedrock:eu-west-1:123456789012:guardrail/abcdefghij12", guardrail_id = "abcdefghij12" }
  }
}

variables {
  name = "assistant-dev"
  team = "assistant"
  inference_profiles = {
    chat = { model_source_arn = "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0" }
  }
}

run "guardrail_with_prompt_attack_and_pii" {
  command = plan

  assert {
    condition     = length(aws_bedrock_guardrail.this) == 1 && length(aws_bedrock_guardrail_version.this) == 1
    error_message = "A guardrail and a published version are created by default."
  }

  assert {
    condition = anytrue([
      for f in aws_bedrock_guardrail.this[0].content_policy_config[0].filters_config :
      f.type == "PROMPT_ATTACK" && f.input_strength == "HIGH" && f.output_strength == "NONE"
    ])
    error_message = "The prompt-attack filter must be on for input (output strength NONE, as the API requires)."
  }

  assert {
    condition     = length(aws_bedrock_guardrail.this[0].content_policy_config[0].filters_config) == 6
    error_message = "Five content filters plus the prompt-attack filter are expected."
  }

  assert {
    condition = anytrue([
      for p in aws_bedrock_guardrail.this[0].sensitive_information_policy_config[0].pii_entities_config :
      p.type == "AWS_SECRET_KEY" && p.action == "BLOCK"
    ])
    error_message = "Credentials in prompts or answers must be blocked."
  }

  assert {
    condition     = aws_bedrock_guardrail_version.this[0].skip_destroy
    error_message = "Old guardrail versions must be kept for running applications."
  }
}

run "inference_profiles_are_tagged_per_team" {
  command = plan

  assert {
    condition     = aws_bedrock_inference_profile.this["chat"].name == "assistant-dev-chat"
    error_message = "Profiles are named <name>-<application>."
  }

  assert {
    condition     = aws_bedrock_inference_profile.this["chat"].tags["team"] == "assistant" && aws_bedrock_inference_profile.this["chat"].tags["idlc:application"] == "chat"
    error_message = "Inference profiles must carry the team and application tags for cost allocation."
  }

  assert {
    condition     = length(aws_bedrockagent_knowledge_base.this) == 0
    error_message = "The knowledge base is optional."
  }
}

run "knowledge_base_on_s3_vectors" {
  command = plan

  variables {
    knowledge_base = {
      name                 = "assistant-dev-docs"
      role_arn             = "arn:aws:iam::300000000001:role/assistant-dev-kb"
      embedding_model_arn  = "arn:aws:bedrock:eu-west-1::foundation-model/amazon.titan-embed-text-v2:0"
      embedding_dimensions = 1024
      storage_type         = "S3_VECTORS"
      s3_vectors_index_arn = "arn:aws:s3vectors:eu-west-1:300000000001:bucket/assistant-dev-vectors/index/docs"
    }
  }

  assert {
    condition     = aws_bedrockagent_knowledge_base.this[0].storage_configuration[0].type == "S3_VECTORS"
    error_message = "The knowledge base must use S3 Vectors."
  }
}

run "rejects_model_ids_instead_of_arns" {
  command = plan

  variables {
    inference_profiles = { chat = { model_source_arn = "anthropic.claude-3-haiku-20240307-v1:0" } }
  }

  expect_failures = [var.inference_profiles]
}

run "rejects_unknown_pii_type" {
  command = plan

  variables {
    guardrail = { pii_block = ["SOCIAL_SECURITY"] }
  }

  expect_failures = [var.guardrail]
}

run "rejects_s3_vectors_without_index" {
  command = plan

  variables {
    knowledge_base = {
      name                = "assistant-dev-docs"
      role_arn            = "arn:aws:iam::300000000001:role/assistant-dev-kb"
      embedding_model_arn = "arn:aws:bedrock:eu-west-1::foundation-model/amazon.titan-embed-text-v2:0"
      storage_type        = "S3_VECTORS"
    }
  }

  expect_failures = [var.knowledge_base]
}
