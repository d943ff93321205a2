"""Conjuring a mode for an industry nobody has set up: drafting it (offline, or with a
model), checking every field, and saving it once for every later visitor."""
