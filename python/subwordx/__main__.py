"""``python -m subwordx``: the same as the ``subwordx`` command."""

import sys

from subwordx.cli import main

sys.exit(main())
