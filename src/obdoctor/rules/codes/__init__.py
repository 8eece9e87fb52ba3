"""Code families: what specific OceanBase error codes mean for a backup, and how to prove it."""
