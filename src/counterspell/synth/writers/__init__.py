"""The platform writers of the synthetic corpus, mirroring ``counterspell.adapters``: each
renders conversations in one export format; ``corpus.generate`` runs them all."""
