"""iacgov's built-in rule pack, registered through the ``iacgov`` entry-point group."""
