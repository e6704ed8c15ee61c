"""``python -m contract_tests`` runs the ``connect-contract`` command."""

import sys

from contract_tests.cli import main

sys.exit(main())
