"""Detectors over element-set history: manoeuvres and proximity operations."""
