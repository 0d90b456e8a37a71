"""``python -m commplan`` is the ``commplan`` command."""

import sys

from commplan.cli import main

sys.exit(main())
