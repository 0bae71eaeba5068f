"""`python -m bot`: the command line, the console when no command is given."""

from .cli import main

raise SystemExit(main())
