"""`python -m webapp`: serve the web app (same options as `mebot serve`)."""

import sys

from webapp.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
