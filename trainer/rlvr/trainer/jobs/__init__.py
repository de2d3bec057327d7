"""Data jobs of the R1 recipe, resumable: rejection sampling and pass-rate filtering."""
