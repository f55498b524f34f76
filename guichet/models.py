"""Every model of the store, imported so that the metadata (and Alembic) sees all tables.

Each feature adds its models module here.
"""

from guichet.db import Base  # noqa: F401
from guichet.communes import models as communes  # noqa: F401
from guichet.territories import models as territories  # noqa: F401
from guichet.programmes import models as programmes  # noqa: F401
from guichet.sources import models as sources  # noqa: F401
from guichet.admin import models as admin  # noqa: F401
from guichet.digests import models as digests  # noqa: F401
from guichet.curation import models as curation  # noqa: F401
from guichet.projects import models as projects  # noqa: F401
from guichet.search import outbox as search_outbox  # noqa: F401
