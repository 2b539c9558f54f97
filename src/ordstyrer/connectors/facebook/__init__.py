"""Facebook Pages through the Graph API (spec §1)."""
