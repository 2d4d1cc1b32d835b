"""Buurttrainer: a practice simulator for buurtassistenten.

The core (content, checks, engine, scoring, store, reports) never imports Textual, so it can be
used from scripts and tests without a terminal; the app and the CLI are thin layers over it.
"""

__version__ = "0.1.0"
