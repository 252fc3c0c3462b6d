"""`python -m fieldkit`: the same as the `sanaq-fieldkit` console script."""

import sys

from fieldkit.cli import main

sys.exit(main())
