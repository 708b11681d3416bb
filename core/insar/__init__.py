"""InSAR point processing: import, LOS to vertical, splicing, screening, seasonal fit, networks."""
