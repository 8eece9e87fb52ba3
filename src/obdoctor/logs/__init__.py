"""The OceanBase log engine: parse lines, find files, search them fast."""
