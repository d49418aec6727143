"""After the pivot: returns and refunds of shipped orders, each a saga of its own."""
