"""Asset check specs: every check describes itself in Vietnamese and English ("vi / en"), and a
check on a monthly asset is partitioned by month, so that each evaluation records its month and
the UI shows a check's status per partition (not only its latest evaluation)."""

import warnings

from dagster import AssetCheckSpec, AssetKey, PreviewWarning

from cchc_etl.defs.partitions import monthly_partitions


def bilingual(vi: str, en: str) -> str:
    return f"{vi} / {en}"


def check_spec(name: str, asset: AssetKey, *, vi: str, en: str, blocking: bool = False, monthly: bool = True) -> AssetCheckSpec:
    with warnings.catch_warnings():
        # a partitioned check is a preview API of Dagster 1.13 (pinned exactly in pyproject.toml;
        # tests/dagster/test_month_order.py asserts that evaluations carry their month)
        warnings.simplefilter("ignore", PreviewWarning)
        return AssetCheckSpec(name, asset=asset, description=bilingual(vi, en), blocking=blocking,
                              partitions_def=monthly_partitions if monthly else None)
