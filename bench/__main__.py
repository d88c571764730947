"""`python -m bench`: the generator benchmark; `python -m bench realbuild`: real bakes."""

from __future__ import annotations

import sys

if sys.argv[1:2] == ["realbuild"]:
    from bench.realbuild.run import main as realbuild_main

    sys.exit(realbuild_main(sys.argv[2:]))

from bench.run import main

sys.exit(main())
