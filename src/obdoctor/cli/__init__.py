"""The ``obdoctor`` command line."""
