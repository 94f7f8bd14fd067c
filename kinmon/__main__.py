"""`python -m kinmon`: see kinmon.cli."""

import sys

from kinmon.cli import main

sys.exit(main())
