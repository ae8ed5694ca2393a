"""``iacgov evidence``: a self-contained pack for auditors, and ``iacgov evidence verify``.

The pack (:mod:`iacgov.evidence.pack`) holds the policy in force and its git
history, the findings, the suppression register, exit readiness and the
mapping of rule families to framework controls (``iacgov/data/frameworks``),
an HTML summary, and ``manifest.json`` listing every other file with its
SHA-256. ``verify`` re-hashes every file and refuses a pack where one was
changed, removed or added.
"""
