"""Claim a unique row with one INSERT (``claims.rows.row_claim``)."""
