# METADATA
# title: Images from allowed registries, pinned
# description: |
#   Every image comes from one of context.allowed_registries (globs over registry host and
#   path: "*.dkr.ecr.*.amazonaws.com", "public.ecr.aws/acme") and is pinned by a tag other
#   than latest or by a digest, so what was reviewed is what runs.
package kubernetes.images

import data.kubernetes.lib

# METADATA
# description: image from a registry outside the allowance
deny contains lib.finding("images.registry", item.workload.id, message) if {
	some item in lib.containers
	image := parse(item.container.image)
	not allowed(image.repository)
	message := sprintf(
		"%s: container %q uses %s from %s, which is not an allowed registry (%v); push the image to an allowed registry",
		[item.workload.id, item.container.name, item.container.image, image.registry, allowed_registries],
	)
}

# METADATA
# description: image without a pinned tag or digest
deny contains lib.finding("images.pinned", item.workload.id, message) if {
	some item in lib.containers
	image := parse(item.container.image)
	image.digest == ""
	image.tag in {"", "latest"}
	message := sprintf(
		"%s: container %q uses %s, which is not pinned; use an immutable tag (v1.4.2) or a digest (@sha256:...)",
		[item.workload.id, item.container.name, item.container.image],
	)
}

allowed_registries := object.get(lib.context, "allowed_registries", [])

allowed(repository) if {
	some entry in allowed_registries
	glob.match(sprintf("%s/**", [trim_suffix(entry, "/")]), ["/"], repository)
}

# name[:tag][@digest] -> {registry, repository (registry/path), tag, digest}; Docker Hub
# short names (nginx, library/nginx) resolve to docker.io/library/nginx as the runtime does.
parse(ref) := {
	"registry": registry,
	"repository": concat("/", [registry, path]),
	"tag": tag,
	"digest": digest,
} if {
	parts := split(ref, "@")
	digest := digest_of(parts)
	name_tag := parts[0]
	last := regex.find_n(`[^/]*$`, name_tag, 1)[0]
	tag := tag_of(last)
	name := trim_suffix(name_tag, sprintf(":%s", [tag]))
	segments := split(name, "/")
	registry := registry_of(segments)
	path := path_of(segments)
}

digest_of(parts) := parts[1] if count(parts) > 1

digest_of(parts) := "" if count(parts) == 1

tag_of(last) := split(last, ":")[1] if contains(last, ":")

tag_of(last) := "" if not contains(last, ":")

registry_of(segments) := segments[0] if {
	count(segments) > 1
	regex.match(`[.:]|^localhost$`, segments[0])
}

registry_of(segments) := "docker.io" if not explicit_registry(segments)

path_of(segments) := concat("/", array.slice(segments, 1, count(segments))) if explicit_registry(segments)

path_of(segments) := concat("/", ["library", segments[0]]) if {
	not explicit_registry(segments)
	count(segments) == 1
}

path_of(segments) := concat("/", segments) if {
	not explicit_registry(segments)
	count(segments) > 1
}

explicit_registry(segments) if {
	count(segments) > 1
	regex.match(`[.:]|^localhost$`, segments[0])
}
