from cchc_etl.cli import entry

entry()
