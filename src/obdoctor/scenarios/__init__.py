"""Failure scenarios declared as data (``scenarios/*.toml``) and generated into evidence bundles."""
