"""`python -m kiosk.cli ...`: the same as `sanaq ...`."""

import sys

from kiosk.cli import main

sys.exit(main())
