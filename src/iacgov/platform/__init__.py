"""What iacgov knows about the platforms, below the engine and the rules.

The rules (through :mod:`iacgov.api`) and the review read it; it never reads
either. ``arn`` and ``iam``: ARNs and IAM policy documents; ``grants``:
administrator grants on Azure and Google Cloud; ``references``: references
between resources and the per-scan :class:`~iacgov.platform.references.ReferenceIndex`.
"""
