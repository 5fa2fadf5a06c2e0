locals {
  guardrail = var.guardrail

  content_filters = ["SEXUAL", "VIOLENCE", "HATE", "INSULTS", "MISCONDUCT"]

  pii = concat(
    [for e in local.guardrail.pii_anonymize : { type = e, action = "ANONYMIZE" }],
    [for e in local.guardrail.pii_block : { type = e, action = "BLOCK" }],
  )
}

resource "aws_bedrock_guardrail" "this" {
  count = local.guardrail.enabled ? 1 : 0

  name                      = "${var.name}-guardrail"
  description               = "Guardrail of ${var.name} (team ${var.team})"
  blocked_input_messaging   = local.guardrail.blocked_input_messaging
  blocked_outputs_messaging = local.guardrail.blocked_outputs_messaging
  kms_key_arn               = var.kms_key_arn

  content_policy_config {
    dynamic "filters_config" {
      for_each = local.content_filters
      content {
        type            = filters_config.value
        input_strength  = local.guardrail.content_filter_strength
        output_strength = local.guardrail.content_filter_strength
      }
    }

    # Prompt attacks are only detected on input: the API requires output strength NONE.
    filters_config {
      type            = "PROMPT_ATTACK"
      input_strength  = local.guardrail.prompt_attack_strength
      output_strength = "NONE"
    }
  }

  dynamic "sensitive_information_policy_config" {
    for_each = length(local.pii) > 0 ? [1] : []
    content {
      dynamic "pii_entities_config" {
        for_each = local.pii
        content {
          type   = pii_entities_config.value.type
          action = pii_entities_config.value.action
        }
      }
    }
  }

  dynamic "topic_policy_config" {
    for_each = length(local.guardrail.denied_topics) > 0 ? [1] : []
    content {
      dynamic "topics_config" {
        for_each = local.guardrail.denied_topics
        content {
          name       = topics_config.value.name
          definition = topics_config.value.definition
          examples   = topics_config.value.examples
          type       = "DENY"
        }
      }
    }
  }

  dynamic "word_policy_config" {
    for_each = local.guardrail.profanity_filter ? [1] : []
    content {
      managed_word_lists_config {
        type = "PROFANITY"
      }
    }
  }

  tags = merge(var.tags, { "idlc:team" = var.team })
}

# Applications pin a guardrail version; a changed guardrail publishes a new version and keeps
# the old ones (skip_destroy) so a running application is never left pointing at nothing.
resource "aws_bedrock_guardrail_version" "this" {
  count = local.guardrail.enabled ? 1 : 0

  guardrail_arn = aws_bedrock_guardrail.this[0].guardrail_arn
  description   = "Published by idlc for ${var.name}"
  skip_destroy  = true

  lifecycle {
    replace_triggered_by = [aws_bedrock_guardrail.this[0]]
  }
}

resource "aws_bedrock_inference_profile" "this" {
  for_each = var.inference_profiles

  name        = "${var.name}-${each.key}"
  description = coalesce(each.value.description, "${each.key} of team ${var.team}")

  model_source {
    copy_from = each.value.model_source_arn
  }

  # Cost Explorer and the Bedrock metrics split usage by these tags.
  tags = merge(var.tags, { team = var.team, "idlc:application" = each.key })
}

resource "aws_bedrockagent_knowledge_base" "this" {
  count = var.knowledge_base == null ? 0 : 1

  name        = var.knowledge_base.name
  description = var.knowledge_base.description
  role_arn    = var.knowledge_base.role_arn

  knowledge_base_configuration {
    type = "VECTOR"

    vector_knowledge_base_configuration {
      embedding_model_arn = var.knowledge_base.embedding_model_arn

      dynamic "embedding_model_configuration" {
        for_each = var.knowledge_base.embedding_dimensions == null ? [] : [var.knowledge_base.embedding_dimensions]
        content {
          bedrock_embedding_model_configuration {
            dimensions          = embedding_model_configuration.value
            embedding_data_type = "FLOAT32"
          }
        }
      }
    }
  }

  storage_configuration {
    type = var.knowledge_base.storage_type

    dynamic "s3_vectors_configuration" {
      for_each = var.knowledge_base.storage_type == "S3_VECTORS" ? [var.knowledge_base.s3_vectors_index_arn] : []
      content {
        index_arn = s3_vectors_configuration.value
      }
    }

    dynamic "opensearch_serverless_configuration" {
      for_each = var.knowledge_base.storage_type == "OPENSEARCH_SERVERLESS" ? [var.knowledge_base.opensearch] : []
      content {
        collection_arn    = opensearch_serverless_configuration.value.collection_arn
        vector_index_name = opensearch_serverless_configuration.value.index_name

        field_mapping {
          vector_field   = opensearch_serverless_configuration.value.vector_field
          text_field     = opensearch_serverless_configuration.value.text_field
          metadata_field = opensearch_serverless_configuration.value.metadata_field
        }
      }
    }
  }

  tags = merge(var.tags, { "idlc:team" = var.team })
}
