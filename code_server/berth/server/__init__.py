"""The gRPC code server: serves one code location's snapshots and runs its workers.

```python
from berth.server import create_server
server, port = create_server("127.0.0.1:0", python_file="definitions.py")
server.start()
```
"""

from __future__ import annotations

from berth.server.code_server import CodeServer, create_server
from berth.server.location import SERVICE_NAME, LocationHost

__all__ = ["SERVICE_NAME", "CodeServer", "LocationHost", "create_server"]
