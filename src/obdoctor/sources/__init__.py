"""Where evidence comes from: a bundle on disk, or a live cluster (SQL + SSH)."""
