"""The load-and-fault harness: `make loadtest` (see docs/reliability.md)."""
