mock_provider "aws" {
  mock_resource "aws_sagemaker_endpoint" {
    defaults = { arn = "arn:aws:sagemaker:eu-west-1:300000000001:endpoint/assistant-dev-llm" }
  }
  mock_resource "aws_appautoscaling_policy" {
    defaults = { arn = "arn:aws:autoscaling:eu-west-1:300000000001:scalingPolicy:12345678-1234-1234-1234-123456789012:resource/sagemaker/endpoint/assistant-dev-llm/variant/primary:policyName/scale-from-zero" }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:eu-west-1:300000000001:assistant-dev-llm-async" }
  }
}

variables {
  name = "assistant-dev-llm"
  model = {
    image              = "300000000001.dkr.ecr.eu-west-1.amazonaws.com/assistant/vllm-server@sha256:0000000000000000000000000000000000000000000000000000000000000000"
    execution_role_arn = "arn:aws:iam::300000000001:role/assistant-dev-llm-execution"
    model_data_url     = "s3://assistant-dev-models-300000000001/llama/model.tar.gz"
  }
}

run "real_time_gpu_with_autoscaling" {
  command = plan

  assert {
    condition     = aws_sagemaker_endpoint_configuration.this.name_prefix == "assistant-dev-llm-"
    error_message = "The endpoint configuration must use name_prefix (new config before the old one is destroyed)."
  }

  assert {
    condition     = aws_sagemaker_endpoint_configuration.this.production_variants[0].instance_type == "ml.g5.xlarge"
    error_message = "Real-time mode uses instances."
  }

  assert {
    condition     = aws_appautoscaling_target.this[0].resource_id == "endpoint/assistant-dev-llm/variant/primary" && aws_appautoscaling_target.this[0].scalable_dimension == "sagemaker:variant:DesiredInstanceCount"
    error_message = "The scalable target must be the variant's instance count."
  }

  assert {
    condition     = aws_appautoscaling_policy.invocations[0].target_tracking_scaling_policy_configuration[0].predefined_metric_specification[0].predefined_metric_type == "SageMakerVariantInvocationsPerInstance"
    error_message = "Real-time endpoints scale on SageMakerVariantInvocationsPerInstance."
  }

  assert {
    condition     = aws_sagemaker_model.this.enable_network_isolation
    error_message = "Network isolation must be on by default."
  }
}

run "serverless_has_no_instances_and_no_autoscaling" {
  command = plan

  variables {
    mode       = "serverless"
    serverless = { memory_size_in_mb = 4096, max_concurrency = 20, provisioned_concurrency = 2 }
  }

  assert {
    condition     = aws_sagemaker_endpoint_configuration.this.production_variants[0].serverless_config[0].memory_size_in_mb == 4096
    error_message = "The serverless memory size must be passed through."
  }

  assert {
    condition     = aws_sagemaker_endpoint_configuration.this.production_variants[0].instance_type == null
    error_message = "Serverless variants must not set an instance type."
  }

  assert {
    condition     = length(aws_appautoscaling_target.this) == 0
    error_message = "Serverless endpoints scale by themselves."
  }
}

run "serverless_memory_must_be_a_1024_step" {
  command = plan

  variables {
    mode       = "serverless"
    serverless = { memory_size_in_mb = 1500 }
  }

  expect_failures = [var.serverless]
}

run "serverless_memory_upper_bound" {
  command = plan

  variables {
    mode       = "serverless"
    serverless = { memory_size_in_mb = 7168 }
  }

  expect_failures = [var.serverless]
}

run "serverless_concurrency_bounds" {
  command = plan

  variables {
    mode       = "serverless"
    serverless = { max_concurrency = 201 }
  }

  expect_failures = [var.serverless]
}

run "provisioned_concurrency_not_above_max" {
  command = plan

  variables {
    mode       = "serverless"
    serverless = { max_concurrency = 5, provisioned_concurrency = 6 }
  }

  expect_failures = [var.serverless]
}

run "async_writes_to_s3_and_notifies_sns" {
  command = apply

  variables {
    mode        = "async"
    async       = { output_s3_uri = "s3://assistant-dev-async-300000000001/out/", failure_s3_uri = "s3://assistant-dev-async-300000000001/failed/" }
    autoscaling = { min_capacity = 0, max_capacity = 2 }
  }

  assert {
    condition     = aws_sagemaker_endpoint_configuration.this.async_inference_config[0].output_config[0].s3_output_path == "s3://assistant-dev-async-300000000001/out/"
    error_message = "Async results must go to the output path."
  }

  assert {
    condition     = aws_sagemaker_endpoint_configuration.this.async_inference_config[0].output_config[0].s3_failure_path == "s3://assistant-dev-async-300000000001/failed/"
    error_message = "Async failures must go to the failure path."
  }

  assert {
    condition     = length(aws_sns_topic.async_success) == 1 && length(aws_sns_topic.async_error) == 1
    error_message = "Success and error topics must be created when none are given."
  }

  assert {
    condition     = length(aws_appautoscaling_policy.scale_from_zero) == 1 && aws_cloudwatch_metric_alarm.backlog_without_capacity[0].metric_name == "HasBacklogWithoutCapacity"
    error_message = "Scale to zero needs the scale-from-zero policy on HasBacklogWithoutCapacity."
  }

  assert {
    condition     = length(output.async_execution_role_statements) == 2
    error_message = "The execution role statements for async must be offered."
  }
}

run "async_requires_output_path" {
  command = plan

  variables {
    mode = "async"
  }

  expect_failures = [var.async]
}

run "scale_to_zero_only_for_async" {
  command = plan

  variables {
    autoscaling = { min_capacity = 0 }
  }

  expect_failures = [var.autoscaling]
}

run "rejects_non_sagemaker_instance_type" {
  command = plan

  variables {
    instance = { type = "g5.xlarge" }
  }

  expect_failures = [var.instance]
}
