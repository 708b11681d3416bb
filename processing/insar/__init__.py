"""Processing algorithms of the group "InSAR points"."""
