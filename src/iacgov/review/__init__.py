"""The provider pull-request review (``iacgov review --base REF``).

Modules, one idea each: :mod:`.gitrepo` (commits read from git objects),
:mod:`.moved` (Terraform ``moved`` blocks), :mod:`.diff` (resources matched
by address), :mod:`.replacement` (arguments that force a replacement),
:mod:`.model` (change classes, authorities, decisions), :mod:`.classify`
(what each change means), :mod:`.approvals` (who approved), :mod:`.run`
(the pipeline), ``render_*`` (text, Markdown, JSON, SARIF) and
:mod:`.command` (the click command).
"""
