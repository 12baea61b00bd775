"""Hash exchanges: banks fed from StopNCII, NCMEC, ThreatExchange or a partner's file through
python-threatexchange's ``SignalExchangeAPI``, fetched incrementally, and reviewers' decisions
on their matches sent back where the exchange takes feedback (docs/exchanges.md)."""
