"""skillpulse: the command line and the glue between collecting, extracting and warehousing."""

__version__ = "0.1.0"
