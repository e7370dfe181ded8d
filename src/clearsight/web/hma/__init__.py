"""Routes shaped like Meta's Hasher-Matcher-Actioner (HMA) 1.1 API, for platforms already calling it.

Paths, parameters, status codes and JSON keys follow HMA's OpenMediaMatch blueprints
(`hashing` `/h`, `matching` `/m`, `curation` `/c`, and its `/status` routes) at the release
`common.HMA_VERSION`; errors on these paths are HMA's `{"message": ...}`. Unlike HMA, every
route but the two status probes needs a bearer token, and a token sees only its banks.
"""

from clearsight.web.hma import curation, exchanges, hashing, matching, status
from clearsight.web.hma.common import is_hma_path
from clearsight.web.hma.matching import fast_routes

ROUTERS = (status.router, hashing.router, matching.router, curation.router, exchanges.router)

__all__ = ["ROUTERS", "fast_routes", "is_hma_path"]
