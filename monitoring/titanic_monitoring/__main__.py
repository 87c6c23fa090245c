"""python -m titanic_monitoring: the same as the titanic-monitor command."""

import sys

from titanic_monitoring.cli import main

sys.exit(main())
