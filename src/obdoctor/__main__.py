"""``python -m obdoctor``: the same as the ``obdoctor`` command (useful when the venv's bin/ is not on PATH)."""

import sys

from obdoctor.cli.main import main

sys.exit(main())
