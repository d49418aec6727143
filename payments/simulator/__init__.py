"""A card-processor simulator: plays the PSP, with its own tables and rules."""
