"""Domain logic of the desk. Keyword-only functions that take the session explicitly."""
