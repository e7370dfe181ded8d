"""Hash exchanges: sources that fill banks on a schedule (NCMEC, StopNCII, ThreatExchange through
python-threatexchange, and Clearsight's own `file` exchange), resumably."""
