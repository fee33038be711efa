"""Reference GA client and strict GA simulator."""
