"""Render the plan as `docker-bake.hcl`."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping

from bakegen.ecosystems.base import ToolTarget
from bakegen.formats import BASE_TAG_SUFFIX, FINGERPRINT_LABEL, OVERRIDE_FILE, header_lines
from bakegen.plan import BasePlan, ImageVariable, Plan, ServicePlan
from bakegen.render.hcl import (
    Block,
    Expr,
    HclValue,
    Template,
    escape,
    render_document,
    template,
)

_BASE_VARIABLES = (
    "REGISTRY", "TAG", "CACHE_TAG", "BAKEGEN_MODE", "SOURCE_URL", "GIT_SHA", "PLATFORMS",
    "BUILD_PLATFORMS",
)
#: with BAKEGEN_MODE=ci services take their bases from the registry, by content-addressed tag
_CI = 'BAKEGEN_MODE == "ci"'
#: what every service image pushed in CI mode carries
ATTESTATIONS = '["type=sbom", "type=provenance,mode=max"]'
METADATA_TARGET = "docker-metadata-action"
#: `TAG` is a comma-separated list of tags: `latest` locally, `sha-…,main` in CI
_TAG_LIST = 'split(",", TAG)'


def render_bake(plan: Plan, fingerprints: Mapping[str, str]) -> str:
    """The whole bake file: variables, groups, `_common`, base targets, service targets.

    `fingerprints` maps each base's deps target name to its content hash (see
    `bakegen.fingerprint`), used as the bases' registry tag in CI mode.
    """
    variables = _variables(plan)
    names = tuple(name for name, _ in variables)
    blocks = [Block("variable", name, (("default", default),)) for name, default in variables]
    blocks += [
        Block("variable", base_tag_variable(base), (("default", _base_tag(base, fingerprints)),))
        for base in plan.bases
    ]
    names += tuple(base_tag_variable(base) for base in plan.bases)
    blocks += [
        Block("group", name, (("targets", targets),)) for name, targets in plan.groups().items()
    ]
    blocks.append(_common(plan, names))
    if plan.metadata_action:
        # docker/metadata-action's bake file (given after this one) redefines this target
        # with its bare tags and labels; this one keeps a local bake on `TAG`.
        blocks.append(Block("target", METADATA_TARGET, (("tags", Expr(_TAG_LIST)),)))
    for base in plan.bases:
        blocks += _base_targets(plan, base, fingerprints[base.deps_target], names)
    blocks += [_tool_target(plan, tool, names) for tool in plan.tools]
    blocks += [_service_target(plan, svc, names) for svc in plan.services]
    header = (
        *header_lines(),
        f"# Your own changes go in {OVERRIDE_FILE}, which bake merges on top of this file.",
        "# Build everything: docker buildx bake   One service: docker buildx bake <target>",
        "# CI mode (BAKEGEN_MODE=ci): bases are pushed once under content-addressed tags and",
        "# services pull them (docker-image://) instead of building them (target:).",
        "# Platforms: PLATFORMS=linux/amd64 (never --set '*.platform=...', which the base tags",
        "# cannot see); BUILD_PLATFORMS=linux/arm64 builds one of them (pushed by digest).",
    )
    return render_document(header, blocks)


def _variables(plan: Plan) -> list[tuple[str, str]]:
    defaults: dict[str, str] = {
        "REGISTRY": plan.registry,
        "TAG": "latest",
        "CACHE_TAG": "buildcache",
        "BAKEGEN_MODE": "local",
        "SOURCE_URL": "",
        "GIT_SHA": "",
        "PLATFORMS": ",".join(plan.platforms),
        # the platforms one bake builds (a CI job building one platform of the images);
        # the base tags hash PLATFORMS, the platforms the pushed images carry
        "BUILD_PLATFORMS": template("${PLATFORMS}", variables=("PLATFORMS",)),
    }
    variables = [(name, defaults[name]) for name in _BASE_VARIABLES]
    service_secrets = (s for svc in plan.services for s in svc.settings.secrets)
    if any(source.startswith("~/") for _, source in (*plan.secrets, *service_secrets)):
        variables.append(("HOME", ""))  # bake fills a declared variable from the environment
    images = {}
    for base in plan.bases:
        for var in (base.build_image, base.runtime_image):
            if var.language is None:
                images[var.name] = var.default
            else:
                # empty: unset, so the language-wide variable or the generated default applies
                images[var.name] = ""
                images[var.language] = ""
    for svc in plan.services:
        if svc.recipe is not None:
            images.update(svc.recipe.image_args)
    for tool in plan.tools:
        images.update(tool.image_args)
    variables += sorted(images.items())
    return variables


def base_tag_variable(base: BasePlan) -> str:
    """The variable holding a base's CI-mode tag: `node-root-deps-base` -> NODE_ROOT_BASE_TAG."""
    return base.deps_target.removesuffix("-deps-base").upper().replace("-", "_") + BASE_TAG_SUFFIX


def _base_tag(base: BasePlan, fingerprints: Mapping[str, str]) -> Expr:
    """The base's tag as bake resolves it: the generate-time fingerprint hashed with the
    image variables and PLATFORMS as they are at build time, so overriding any of them
    (`NODE_IMAGE=node:22`, `PLATFORMS=linux/amd64`) names another base image."""
    fingerprint = fingerprints[base.deps_target]
    images = []
    for var in (base.build_image, base.runtime_image):
        images += [var.name] + ([var.language] if var.language else [])
    parts = [escape(fingerprint), *(f"${{{name}}}" for name in dict.fromkeys(images)),
             "${PLATFORMS}"]
    return Expr(f'substr(sha256("{"|".join(parts)}"), 0, {len(fingerprint)})')


def image_arg(var: ImageVariable, names: tuple[str, ...]) -> str:
    """The build arg naming a base image: the workspace's own variable when set, else the
    language-wide one (`PYTHON_IMAGE`), else the default chosen from the repository."""
    if var.language is None:
        return template(f"${{{var.name}}}", variables=names)
    return Expr(
        f'{var.name} != "" ? {var.name} : '
        f'({var.language} != "" ? {var.language} : "{escape(var.default)}")'
    )


def _common(plan: Plan, names: tuple[str, ...]) -> Block:
    # a label bake resolves to null is left out: no empty `source` or `revision` on an image
    labels = {
        "org.opencontainers.image.source": Expr('SOURCE_URL != "" ? SOURCE_URL : null'),
        "org.opencontainers.image.revision": Expr('GIT_SHA != "" ? GIT_SHA : null'),
    }
    attributes: list[tuple[str, HclValue]] = []
    if plan.metadata_action:
        attributes.append(("inherits", [METADATA_TARGET]))
    # variables only, so that the base tags can hash the platforms the images carry
    attributes += [("platforms", Expr('split(",", BUILD_PLATFORMS)')), ("labels", labels)]
    return Block("target", "_common", tuple(attributes))


def base_image_ref(target: str, tag_variable: str) -> str:
    """The registry reference of a base image in CI mode (before variable expansion)."""
    return f"${{REGISTRY}}/{target}:${{{tag_variable}}}"


def _base_targets(
    plan: Plan, base: BasePlan, fingerprint: str, names: tuple[str, ...]
) -> list[Block]:
    args = {var.name: image_arg(var, names) for var in (base.build_image, base.runtime_image)}
    blocks = []
    for name, stage in (
        (base.deps_target, "deps-base"),
        (base.production_target, "production-base"),
    ):
        attributes: list[tuple[str, HclValue]] = [
            ("inherits", ["_common"]),
            ("context", "."),
            ("dockerfile", base.dockerfile),
            ("target", stage),
            ("args", args),
            ("tags", [Template(base_image_ref(name, base_tag_variable(base)))]),
            ("labels", {FINGERPRINT_LABEL: fingerprint}),
        ]
        if plan.secrets:
            attributes.append(("secret", [_secret(s, names) for s in plan.secrets]))
        ref = template("${REGISTRY}", f"/{name}:", "${CACHE_TAG}", variables=names)
        attributes += _cache_attributes(plan.cache, name, ref, names)
        blocks.append(Block("target", name, tuple(attributes)))
    return blocks


def _tool_target(plan: Plan, tool: ToolTarget, names: tuple[str, ...]) -> Block:
    """A helper target: no tags (bake exports nothing of a target that is only a `target:`
    context), the shared registry cache, linked by `target:` in local and CI mode alike."""
    attributes: list[tuple[str, HclValue]] = [
        ("inherits", ["_common"]),
        ("context", "."),
        ("dockerfile", tool.dockerfile),
    ]
    if tool.image_args:
        attributes.append(("args", {name: template(f"${{{name}}}", variables=names)
                                    for name, _ in tool.image_args}))
    ref = template("${REGISTRY}", f"/{tool.name}:", "${CACHE_TAG}", variables=names)
    attributes += _cache_attributes(plan.cache, tool.name, ref, names)
    return Block("target", tool.name, tuple(attributes))


def _secret(secret: tuple[str, str], names: tuple[str, ...]) -> Template:
    """`id=npmrc,src=${HOME}/.npmrc` or `id=netrc,env=NETRC` for a base target's `secret`."""
    secret_id, source = secret
    if source.startswith("env:"):
        return template(f"id={secret_id},env={source[4:]}")
    if source.startswith("~/"):
        return template(f"id={secret_id},src=", "${HOME}", source[1:], variables=names)
    return template(f"id={secret_id},src={source}")


def _base_context(target: str, tag_variable: str) -> Expr:
    ci_ref = f"docker-image://{base_image_ref(target, tag_variable)}"
    return Expr(f'{_CI} ? "{ci_ref}" : "target:{target}"')


def _service_target(plan: Plan, svc: ServicePlan, names: tuple[str, ...]) -> Block:
    attributes: list[tuple[str, HclValue]] = [
        ("inherits", ["_common"]),
        ("context", svc.context_dir),
        # bake reads `dockerfile` relative to the context
        ("dockerfile", posixpath.relpath(svc.dockerfile, svc.context_dir)),
    ]
    if not svc.generated and svc.package.docker_stage:
        attributes.append(("target", svc.package.docker_stage))
    if svc.uses_bases:
        tag_variable = base_tag_variable(svc.bases)
        contexts: dict[str, str] = {
            "deps-base": _base_context(svc.bases.deps_target, tag_variable)}
        # a final stage FROM its own image (a static site FROM scratch) needs no
        # production-base unless it copies from it: linking it would build it for nothing
        if svc.recipe is None or svc.recipe.links_production_base:
            contexts["production-base"] = _base_context(svc.bases.production_target,
                                                        tag_variable)
        for tool in svc.recipe.tools if svc.recipe is not None else ():
            contexts[tool.name] = f"target:{tool.name}"
        attributes.append(("contexts", contexts))
    args: dict[str, str] = {}
    if svc.recipe is not None and svc.recipe.bare_runtime:
        var = svc.bases.runtime_image
        args[var.name] = image_arg(var, names)
    for name, _ in svc.recipe.image_args if svc.recipe is not None else ():
        args[name] = template(f"${{{name}}}", variables=names)
    args.update(dict(svc.settings.args))
    if args:
        attributes.append(("args", args))
    if svc.settings.secrets:
        attributes.append(("secret", [_secret(s, names) for s in svc.settings.secrets]))
    attributes.append(("tags", service_tags(svc.image, metadata_action=plan.metadata_action)))
    # pushed images carry an SBOM and full provenance; a local build stays quick
    attributes.append(("attest", Expr(f"{_CI} ? {ATTESTATIONS} : []")))
    attributes.append(("labels", {"org.opencontainers.image.title": svc.package.name}))
    ref = _ref(svc, "${CACHE_TAG}", names)
    attributes += _cache_attributes(plan.cache, svc.target, ref, names)
    return Block("target", svc.target, tuple(attributes))


def service_tags(image: str, *, metadata_action: bool) -> Expr:
    """A service's tags: one per tag in `TAG`, or per bare tag of docker/metadata-action's
    target. The service computes them itself from the inherited list (`target.<name>.tags`):
    inherited tags would lose to a service's own `tags`, and carry no image name."""
    source = f"target.{METADATA_TARGET}.tags" if metadata_action else _TAG_LIST
    return Expr(f'formatlist("${{REGISTRY}}/{escape(image)}:%s", {source})')


def _ref(svc: ServicePlan, tag: str, names: tuple[str, ...]) -> Template:
    return template("${REGISTRY}", f"/{svc.image}:", tag, variables=names)


def _cache_attributes(
    cache: str, target: str, ref: Template, names: tuple[str, ...]
) -> list[tuple[str, HclValue]]:
    """`cache-from` always: reading the shared cache needs no credentials. `cache-to` only
    in CI mode: a developer's bake then needs neither push rights nor a builder driver that
    exports cache (the default `docker` driver does not), and never writes the team's cache."""
    if cache == "registry":
        entry = Template(f"type=registry,ref={ref}")
    elif cache == "gha":
        entry = _gha_scope(target, names)
    else:
        return []
    return [("cache-from", [entry]), ("cache-to", Expr(f'{_CI} ? ["{entry},mode=max"] : []'))]


def _gha_scope(target: str, names: tuple[str, ...]) -> Template:
    """A GitHub Actions cache scope per target and CACHE_TAG, so that jobs building one
    target for different platforms (CACHE_TAG per platform) do not overwrite each other."""
    return template("type=gha,scope=", f"{target}-", "${CACHE_TAG}", variables=names)
