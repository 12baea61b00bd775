"""The CLI's case-work tests share the store's fixtures (an analysed lake, a store per backend)."""

from tests.store.conftest import *  # noqa: F403
