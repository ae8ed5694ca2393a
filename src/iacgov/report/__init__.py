"""The governance report (``iacgov report``): one self-contained HTML page for
the CTO and the governance committee.

Data flows one way: :mod:`~iacgov.report.collect` (one parse, the rules, the
cost estimate) -> :mod:`~iacgov.report.view` (frozen dataclasses, every
decision about what to show) -> :mod:`~iacgov.report.render` (Jinja2
templates in ``templates/``, autoescaped, no script, no network).
"""
