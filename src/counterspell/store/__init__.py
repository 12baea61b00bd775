"""The operational store: what people decided and did (accounts, queue, cases, requests, audit).

SQLAlchemy Core over SQLite (default, a file in the workspace) or PostgreSQL; Alembic migrations.
"""

from .accounts import User
from .db import Store, default_url, open_store, upgrade

__all__ = ["Store", "User", "default_url", "open_store", "upgrade"]
