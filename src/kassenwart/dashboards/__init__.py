"""The home page's widgets: their reads (selectors.py, aggregated in the database), their pure
calculations (calc.py: months, ageing buckets, the cash forecast) and each user's layout."""
