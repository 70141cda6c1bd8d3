"""cchc-etl: the data warehouse that measures administrative reform (cải cách hành chính)."""

__version__ = "0.1.0"
