"""The output store: where step outputs live, named by URL, so that they outlive any one pod.

```python
store = open_output_store(output_store_url())   # $BERTH_OUTPUT_STORE, else $BERTH_HOME/storage
store = open_output_store("s3://bucket/berth")   # any fsspec URL; needs `pip install 'berth[s3]'`
```

A local directory (a path or ``file://`` URL) is the default, for ``berth dev``; an object store
(``s3://``, ``gs://``, ``az://`` … through fsspec) is the store for a cluster, where a re-execution
may run in a pod that never saw its parent run. Outputs are kept at ``<root>/<run id>/<step key>/<output>``
(pickles). ``delete_run`` removes a run's outputs (``deleteRun``, ``berth runs prune``).

Names are imported on first use: resolving the URL needs neither fsspec nor pickle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from berth.lazy_imports import lazy_attributes

from ._url import (
    OUTPUT_STORE_ENV,
    OutputStoreConfigError,
    configure_output_store,
    open_output_store,
    output_store_url,
)

if TYPE_CHECKING:
    from ._base import OutputStore
    from ._local import LocalOutputStore
    from ._object import ObjectOutputStore

__all__ = [
    "OUTPUT_STORE_ENV",
    "LocalOutputStore",
    "ObjectOutputStore",
    "OutputStore",
    "OutputStoreConfigError",
    "configure_output_store",
    "open_output_store",
    "output_store_url",
]

_MODULE_OF_NAME = {
    "LocalOutputStore": "._local",
    "ObjectOutputStore": "._object",
    "OutputStore": "._base",
}

__getattr__, __dir__ = lazy_attributes(__name__, _MODULE_OF_NAME, __all__)
