"""One module per job source, each behind the `Source` interface, listed in `registry`."""
