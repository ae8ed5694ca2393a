"""Commands defined in modules of their own, imported only when run (see ``cli.LAZY_COMMANDS``)."""
