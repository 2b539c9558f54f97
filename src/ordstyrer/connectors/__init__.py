"""The platform connectors (Facebook, Instagram, the simulated one): they speak to a
platform and import no app (.importlinter)."""
