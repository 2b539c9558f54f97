import sys

from ordstyrer.cli import main

sys.exit(main())
