"""iacgov — Infrastructure-as-Code governance: the engine.

The engine knows no policy: parsers, rules and reporters are plugins
(see :mod:`iacgov.hookspecs`). Plugins import from :mod:`iacgov.api`.
"""

__version__ = "0.1.0"

from iacgov import fastdc as _fastdc  # before any class: @dataclass's methods from the compiled table

_fastdc.install()
