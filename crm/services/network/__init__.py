"""The network: records for ``graph``, maps, the dashboard and the cache of computed views."""
