"""Clients of the outside world (company registry, mail, EDO) and operations built on them."""
