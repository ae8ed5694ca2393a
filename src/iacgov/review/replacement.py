"""Attributes whose change replaces a stateful resource (destroy, then create).

Without a plan, review cannot ask the provider's schema, so the arguments
that force a new resource are listed in the platform catalog
(``forces_replacement``) for the kinds whose replacement destroys data (the
kinds it says ``holds_data``). Sources:
the Terraform AWS / AzureRM / Google provider documentation ("Changing this
forces a new resource", ForceNew in the schemas) and CloudFormation's
"Update requires: Replacement" for each property. A region change replaces
any regional resource and is handled by :mod:`iacgov.review.diff` itself.
"""

from __future__ import annotations

from typing import Any, Sequence

from iacgov.model import Resource, is_unknown
from iacgov.platform.knowledge import forces_new

# kind -> (Terraform arguments, CloudFormation properties), top-level names: the
# catalog's ``forces_replacement`` entries.
FORCES_NEW = forces_new()


def replacing_attributes(resource: Resource, changes: Sequence[Any]) -> tuple[str, ...]:
    """The changed top-level arguments that force ``resource``'s replacement."""
    entry = FORCES_NEW.get(resource.kind)
    if entry is None:
        return ()
    names = set(entry[1] if resource.source_format == "cloudformation" else entry[0])
    # A value known on one side only (a variable without value) is not evidence of a replacement.
    return tuple(dict.fromkeys(c.path.split(".", 1)[0] for c in changes if c.path.split(".", 1)[0] in names
                               and not is_unknown(c.before) and not is_unknown(c.after)))
