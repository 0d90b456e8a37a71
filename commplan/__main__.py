"""``python -m commplan`` is the ``commplan`` command.

``python -m`` puts the current folder first on the import path, so a ``numpy.py`` or
``mesa.py`` lying there would run in place of the library. The folder goes to the end,
as the ``commplan`` command has it (extension modules may still live there), before any
library is imported.
"""

import os
import sys

_here = {"", os.getcwd()}
sys.path[:] = [p for p in sys.path if p not in _here] + [os.getcwd()]

from commplan.cli import main  # noqa: E402  (after the import path is made safe)

sys.exit(main())
