"""The simulated platform: a Norwegian municipality page with a steady comment stream."""
