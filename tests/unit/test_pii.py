"""The SQL HMAC equals Python's hmac for every kind of key; the key never lands in a table."""

import duckdb
import pytest

from cchc_etl.pii import DEMO_KEY, MissingPiiKey, PII_NORMALISE_SQL, hmac_hex, hmac_macro_sql, resolve_key


@pytest.mark.parametrize("key", ["k", "a6\\x'y\x01", "khoá-bí-mật", "x" * 100, "6" * 64, DEMO_KEY])
def test_sql_hmac_matches_python(key):
    con = duckdb.connect()
    con.execute(hmac_macro_sql(key))
    values = ["Nguyễn Văn A", "079 123.456-789", "O'Brien", "(028) 3829 1234", "a"]
    got = con.execute(
        f"SELECT list(cchc_hmac({PII_NORMALISE_SQL.format('v')}) ORDER BY i) FROM (SELECT unnest(?) AS v, unnest(range(len(?))) AS i)",
        [values, values],
    ).fetchone()[0]
    assert got == [hmac_hex(key, v) for v in values]
    # the same ID written two ways hashes alike, a different key hashes differently
    assert hmac_hex(key, "079 123 456 789") == hmac_hex(key, "079.123.456.789")
    assert hmac_hex(key, "079123456789") != hmac_hex(key + "!", "079123456789")


def test_missing_key_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("CCHC_PII_KEY", raising=False)
    with pytest.raises(MissingPiiKey, match="CCHC_PII_KEY"):
        resolve_key()
    assert resolve_key(allow_demo=True) == DEMO_KEY
    monkeypatch.setenv("CCHC_PII_KEY", "from-env")
    assert resolve_key() == "from-env"
