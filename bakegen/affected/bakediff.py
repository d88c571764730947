"""Which targets of the bake files changed between two revisions, and which build on them."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping

from bakegen.bakefile import BakeFile
from bakegen.render.bake import BASE_TAG_SUFFIX, FINGERPRINT_LABEL


def changed_targets(old: BakeFile, new: BakeFile) -> dict[str, str]:
    """Target -> why: the targets whose merged definition differs, and every target
    building on one of them (`target:` contexts), transitively."""
    before, after = _definitions(old), _definitions(new)
    changed = {name for name in after if before.get(name) != after[name]}
    users: dict[str, set[str]] = {}
    for name, target in new.targets.items():
        for ref in target.target_refs:
            users.setdefault(ref, set()).add(name)
    why = {name: f"target {name} changed" for name in changed}
    queue = sorted(changed)
    while queue:
        name = queue.pop(0)
        for user in sorted(users.get(name, ())):
            if user not in why:
                why[user] = f"via target {name}"
                queue.append(user)
    return why


def _definitions(bake: BakeFile) -> dict[str, str]:
    """Every target's merged definition as comparable text, with the bases' content
    fingerprints (`dev.bakegen.fingerprint`) replaced by a name: a fingerprint moves when
    a lockfile or manifest does, and those changes have rules of their own. The bases'
    tag variables stay names too: they hash the fingerprint and the image variables, whose
    changes show in the bases' own definitions."""
    tags = {name: f"<{name}>" for name, value in bake.variables.items()
            if name.endswith(BASE_TAG_SUFFIX) and "sha256(" in value}
    bake = dataclasses.replace(bake, variables={**bake.variables, **tags})
    fingerprints = {}
    for name, target in bake.targets.items():
        labels = target.attributes.get("labels")
        if isinstance(labels, Mapping) and isinstance(labels.get(FINGERPRINT_LABEL), str):
            fingerprints[labels[FINGERPRINT_LABEL]] = f"<fingerprint of {name}>"
    result = {}
    for name in bake.targets:
        text = json.dumps(bake.definition(name), sort_keys=True)
        for fingerprint, placeholder in fingerprints.items():
            if fingerprint:
                text = text.replace(fingerprint, placeholder)
        result[name] = text
    return result
