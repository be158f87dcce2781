"""`python -m etd_readiness verify DIR`."""

import sys

from .cli import main

sys.exit(main())
