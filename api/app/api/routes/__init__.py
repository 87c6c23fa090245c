"""One module per endpoint group."""
