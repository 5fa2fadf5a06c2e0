package kubernetes.images_test

import data.kubernetes.images

fixture := data.kubernetes.testdata.workloads

with_image(image) := {
	"manifests": [json.patch(fixture.deployment, [{
		"op": "replace",
		"path": "/spec/template/spec/containers/0/image",
		"value": image,
	}])],
	"context": fixture.context,
}

rules(findings) := {finding.rule | some finding in findings}

test_digest_and_tag_from_allowed_registries_pass if {
	count(images.deny) == 0 with input as {"manifests": [fixture.deployment], "context": fixture.context}
	count(images.deny) == 0 with input as with_image("public.ecr.aws/acme/tools:2024.06.1")
}

test_other_registry_denied if {
	findings := images.deny with input as with_image("ghcr.io/someone/retriever:1.0.0")
	rules(findings) == {"images.registry"}
}

test_docker_hub_short_name_denied if {
	findings := images.deny with input as with_image("nginx:1.27")
	some finding in findings
	finding.rule == "images.registry"
	contains(finding.message, "docker.io")
}

test_latest_tag_denied if {
	findings := images.deny with input as with_image("public.ecr.aws/acme/tools:latest")
	rules(findings) == {"images.pinned"}
}

test_untagged_image_denied if {
	findings := images.deny with input as with_image("200000000003.dkr.ecr.eu-central-1.amazonaws.com/search/retriever")
	rules(findings) == {"images.pinned"}
}

test_registry_with_port_is_parsed if {
	images.parse("localhost:5000/search/app:1.0") == {
		"registry": "localhost:5000",
		"repository": "localhost:5000/search/app",
		"tag": "1.0",
		"digest": "",
	}
	images.parse("acme/app") == {"registry": "docker.io", "repository": "docker.io/acme/app", "tag": "", "digest": ""}
}

test_registry_globs if {
	context := object.union(fixture.context, {"allowed_registries": ["*.dkr.ecr.*.amazonaws.com"]})
	count(images.deny) == 0 with input as {"manifests": [fixture.deployment], "context": context}
}
