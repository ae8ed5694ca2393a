"""``iacgov exit``: can the company part with its provider, application by application?

Per application (the policy's ``applications``) and environment, four
questions, each answered from the code with its reasoning:

- **control** — who holds administrator rights and keys, from the ADM rules'
  analysis (:mod:`iacgov.exit.analysis`);
- **state** — where the Terraform state lives and whether the company owns it
  (the ``backend`` blocks, :mod:`iacgov.exit.backends`);
- **data** — for each data-bearing resource, its backups and replicas and how
  its data is exported;
- **portability** — each resource's portability class
  (``iacgov/data/platform/portability.yaml``, every fact with its source).

The verdict is *ready*, *blocked* (each blocker explained, with what would
lift it) or *unknown* (something could not be read or decided). Nothing is
guessed: an account iacgov cannot attribute is unknown, never the company's.
"""
