"""Spec loading: YAML with marks → validated pydantic models."""
