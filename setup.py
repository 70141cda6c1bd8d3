"""The wheel's package data. ``assets/``, ``expectations/`` and ``sql/`` stay at the top of the
repository, the one place they are edited; the build maps each into the package as
``cchc_etl/_data/<folder>`` (its subfolders as namespace packages, as setuptools expects of data
folders), where ``cchc_etl.paths`` finds them. Everything else about the build is in pyproject.toml."""

from setuptools import find_namespace_packages, find_packages, setup

DATA_FOLDERS = ("assets", "expectations", "sql")

data_packages = {
    f"cchc_etl._data.{folder}{'.' + sub if sub else ''}": ["*"]
    for folder in DATA_FOLDERS
    for sub in ("", *find_namespace_packages(where=folder))
}

setup(
    packages=[*find_packages(include=["cchc_etl", "cchc_etl.*"]), *data_packages],
    package_dir={f"cchc_etl._data.{folder}": folder for folder in DATA_FOLDERS},
    # the scorecard site's stylesheet, copied into every site built (cchc_etl/reports/site.py)
    package_data={**data_packages, "cchc_etl.reports": ["site_static/*"]},
)
