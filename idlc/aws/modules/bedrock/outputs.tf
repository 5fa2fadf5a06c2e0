output "guardrail_id" {
  description = "Guardrail identifier (guardrailIdentifier in Converse/InvokeModel). null when disabled."
  value       = one(aws_bedrock_guardrail.this[*].guardrail_id)
}

output "guardrail_arn" {
  description = "ARN of the guardrail (for bedrock:ApplyGuardrail statements). null when disabled."
  value       = one(aws_bedrock_guardrail.this[*].guardrail_arn)
}

output "guardrail_version" {
  description = "Latest published guardrail version (guardrailVersion). null when disabled."
  value       = one(aws_bedrock_guardrail_version.this[*].version)
}

output "inference_profile_arns" {
  description = "Application inference profile ARN per application: the modelId to invoke, and the resource of bedrock:InvokeModel statements."
  value       = { for k, p in aws_bedrock_inference_profile.this : k => p.arn }
}

output "knowledge_base_id" {
  description = "ID of the knowledge base (null when none)."
  value       = one(aws_bedrockagent_knowledge_base.this[*].id)
}

output "knowledge_base_arn" {
  description = "ARN of the knowledge base (for bedrock:Retrieve statements; null when none)."
  value       = one(aws_bedrockagent_knowledge_base.this[*].arn)
}
