"""Ordstyrer: municipal social-media channels run by the municipality's own guidelines."""
