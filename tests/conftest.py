import os

os.environ.setdefault("CCHC_LOG_LEVEL", "WARNING")
