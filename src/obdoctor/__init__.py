"""obdoctor: finds out why an OceanBase physical backup failed or is stuck."""

__version__ = "0.1.0"
