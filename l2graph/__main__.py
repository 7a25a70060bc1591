import sys

from l2graph.cli import main

sys.exit(main())
