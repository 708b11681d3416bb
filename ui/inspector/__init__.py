"""The time-series inspector: a dock with linked charts, its map tools, sources and tasks."""
