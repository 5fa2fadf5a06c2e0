package terraform.lib_test

import data.terraform.lib

test_config_keys_of_managed_and_data_resources if {
	lib.config_key({"mode": "managed", "type": "aws_s3_bucket", "name": "b"}) == "aws_s3_bucket.b"
	lib.config_key({"mode": "data", "type": "aws_iam_policy_document", "name": "d"}) == "data.aws_iam_policy_document.d"
	in_module := {"mode": "managed", "type": "aws_s3_bucket", "name": "b", "module_address": `module.a["x"].module.b[0]`}
	lib.config_key(in_module) == "module.a.module.b.aws_s3_bucket.b"
	data_in_module := {"mode": "data", "type": "aws_iam_policy_document", "name": "d", "module_address": "module.a"}
	lib.config_key(data_in_module) == "module.a.data.aws_iam_policy_document.d"
}

test_three_levels_of_module_configuration if {
	leaf := {"address": "aws_s3_bucket.b", "expressions": {"bucket": {"constant_value": "deep"}}}
	c := {"c": {"module": {"resources": [leaf]}}}
	b := {"b": {"module": {"module_calls": c}}}
	a := {"a": {"module": {"module_calls": b}}}
	plan := {"plan": {"configuration": {"root_module": {"module_calls": a}}}}
	lib.config_by_path["module.a.module.b.module.c.aws_s3_bucket.b"] == leaf with input as plan
}

test_lists_and_scalars if {
	lib.as_list("a") == ["a"]
	lib.as_list(["a"]) == ["a"]
	lib.as_list(null) == []
	lib.index_of({"index": 0}) == "0"
	lib.index_of({}) == ""
}

test_policy_json_that_is_not_json_has_no_statements if {
	lib.json_statements("not json") == []
	lib.json_statements(null) == []
	count(lib.json_statements(`{"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}`)) == 1
}

test_tags_without_tags_all if {
	lib.tags({"change": {"after": {"tags": {"team": "a"}}}}) == {"team": "a"}
	lib.tags({"change": {"after": {}}}) == {}
}
