"""``python -m berth_client._cli``: the same as ``berth-client``."""

from __future__ import annotations

from ._main import main

raise SystemExit(main())
