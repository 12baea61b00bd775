"""The grammar families of the synthetic corpus (see :mod:`counterspell.synth.grammar`)."""
