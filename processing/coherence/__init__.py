"""Processing algorithms of the group "Coherence"."""
