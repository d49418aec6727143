"""A carrier simulator: plays the shipping company, with its own table."""
