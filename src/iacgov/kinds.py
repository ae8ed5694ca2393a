"""One name per kind of resource, whatever the input format.

Rules are written once for every format: they select resources by *kind* —
the Terraform type name, which CloudFormation types map onto — and read
attributes with :func:`attr`, which names the Terraform argument and the
CloudFormation property of the same setting side by side. Both live in the
platform catalog (:mod:`iacgov.platform`); this module keeps the old names.
"""

from __future__ import annotations

from iacgov.platform import cfn_to_terraform, kind_of
from iacgov.platform.values import attr

__all__ = ["CFN_TO_TERRAFORM", "attr", "kind_of"]

# CloudFormation type -> the Terraform type of the same resource (the catalog's `cloudformation:` lists).
CFN_TO_TERRAFORM = cfn_to_terraform()
