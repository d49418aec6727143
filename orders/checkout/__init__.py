"""The checkout saga: hold stock, charge, confirm, ship, notify; undo in reverse."""
