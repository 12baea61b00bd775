"""Notices with their legal basis: removal and preservation requests built from a case.

Templates are data (``data/*.toml``, one per jurisdiction and kind, with ``data/laws.toml``
holding the legal bases and their sources); :mod:`.templates` reads and checks them,
:mod:`.build` fills one from a case, :mod:`.render` writes it as Markdown, HTML or JSON, and
:mod:`.evidence` reads from the lake where each post is and who posted each request. Nothing here
is legal advice: every template carries a counsel-review flag and the date it was last reviewed.

Import the submodules directly: this package's ``__init__`` imports nothing, because
:mod:`..cases` uses :mod:`.evidence` while :mod:`.build` uses :mod:`..cases`.
"""
