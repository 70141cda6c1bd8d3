import os

# the CLI's own default (CRITICAL): tests assert on its one-line error output
os.environ.pop("CCHC_LOG_LEVEL", None)
