"""Watch mode: poll running backups, keep their history, raise stalls with a diagnosis attached."""
