import pyarrow as pa
import pandas as pd


def test_write_and_read_back(store):
    ds = store[{"symbol": "AAPL", "year": 2023, "month": 1}]
    t = pa.table({"timestamp": pa.array(pd.date_range("2023-01-02", periods=5, freq="min"), pa.timestamp("ns")), "price": [1.0, 2, 3, 4, 5]})
    r = ds.write(t, ordered_on="timestamp")
    assert r.rows_received == 5
    back = ds.read()
    assert back.equals(t)
    assert ds.read("2023-01-02 00:01", "2023-01-02 00:03").num_rows == 2
    d = ds.describe()
    print(d)
