"""ACME's iacgov rule pack: the template a company copies to start its own.

A pack is an ordinary Python distribution that registers this module under
the ``iacgov`` entry-point group (see pyproject.toml) and implements hooks
from :mod:`iacgov.hookspecs` with :data:`iacgov.api.hookimpl`. It imports
from :mod:`iacgov.api` only. Here:

- ``iacgov_rules``: one module per rule, named after its code
  (``xacme001_name_prefix``), whose docstring is its documentation;
- ``iacgov_policy_schema``: the JSON Schema of the policy key the pack reads
  (``acme:``), so that a typo in it is an error like a typo in iacgov's keys.

Codes are ``X`` + the company's name + three digits (``XACME001``): iacgov's
own families (LOC, ENC...) never start with X.
"""

from __future__ import annotations

from typing import Any

from iacgov.api import hookimpl

POLICY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "description": "ACME's conventions (acme-iacgov-pack).",
    "properties": {
        "name_prefix": {
            "type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1, "uniqueItems": True,
            "description": "XACME001: the prefixes a resource's cloud-side name may start with.",
        },
        "forbidden_types": {
            "type": "array", "items": {"type": "string", "minLength": 1}, "uniqueItems": True,
            "description": "XACME002: resource types that may not be used (Terraform types or CloudFormation "
                           "types, e.g. aws_iam_user or AWS::IAM::User; '*' at the end matches a prefix).",
        },
    },
}


@hookimpl
def iacgov_rules():
    # Imported here, not at the top: a pack that is installed but disabled
    # (-p no:acme) costs nothing.
    from acme_iacgov_pack.xacme001_name_prefix import RULE as XACME001
    from acme_iacgov_pack.xacme002_forbidden_type import RULE as XACME002

    return [XACME001, XACME002]


@hookimpl
def iacgov_policy_schema():
    return {"acme": POLICY_SCHEMA}
