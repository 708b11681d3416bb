"""Coherence: estimate it from SLC pairs, model it from NDVI, and map where InSAR can be trusted.

Ningxia paper (Sensors 2022) and METHODS.md section 5.
"""
