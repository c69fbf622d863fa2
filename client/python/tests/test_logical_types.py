"""Logical types from pyarrow: every string and binary encoding (views included) written to each other's datasets,
timestamps of other units and time zones, list views refused, and UInt64 ordered columns through bounds."""

import pyarrow as pa
import pytest

import oups_client

TEXT = ["a", "a value of more than twelve bytes", None, "héllo ✓ — more than twelve bytes", ""]
MORE = ["b, long enough to sit outside the view", None]

STRINGS = {
    "string": pa.string(),
    "large_string": pa.large_string(),
    "string_view": pa.string_view(),
    "dictionary<int32, string>": pa.dictionary(pa.int32(), pa.string()),
    "dictionary<int8, large_string>": pa.dictionary(pa.int8(), pa.large_string()),
    "dictionary<int64, string>": pa.dictionary(pa.int64(), pa.string()),
}
#: The type a dataset first written with each encoding reads back as.
STRING_READ = {
    "string": pa.string(),
    "large_string": pa.large_string(),
    "string_view": pa.string(),
    "dictionary<int32, string>": pa.dictionary(pa.int32(), pa.string()),
    "dictionary<int8, large_string>": pa.dictionary(pa.int8(), pa.large_string()),
    "dictionary<int64, string>": pa.dictionary(pa.int32(), pa.string()),
}
BINARIES = {
    "binary": pa.binary(),
    "large_binary": pa.large_binary(),
    "binary_view": pa.binary_view(),
    "dictionary<int32, binary>": pa.dictionary(pa.int32(), pa.binary()),
}
BINARY_READ = {"binary": pa.binary(), "large_binary": pa.large_binary(), "binary_view": pa.binary(), "dictionary<int32, binary>": pa.binary()}


def text_column(values, type_):
    if pa.types.is_dictionary(type_):
        plain = text_column(values, type_.value_type)
        return plain.dictionary_encode().cast(type_)
    if pa.types.is_binary(type_) or pa.types.is_large_binary(type_) or pa.types.is_binary_view(type_):
        return pa.array([None if v is None else v.encode() for v in values], type_)
    return pa.array(values, type_)


def table(ns, column):
    return pa.table({"n": pa.array(ns, pa.int64()), "s": column})


def decoded(values):
    return [v.decode() if isinstance(v, bytes) else v for v in values]


@pytest.mark.parametrize("incoming", list(STRINGS))
@pytest.mark.parametrize("stored", list(STRINGS))
def test_string_encodings_write_to_each_others_datasets(ds, stored, incoming):
    ds.write(table([10, 20, 30, 40, 50], text_column(TEXT, STRINGS[stored])), ordered_on="n")
    ds.write(table([25, 60], text_column(MORE, STRINGS[incoming])), ordered_on="n")
    back = ds.read()
    assert back.schema.field("s").type == STRING_READ[stored]
    assert back.column("s").to_pylist() == [TEXT[0], TEXT[1], MORE[0], TEXT[2], TEXT[3], TEXT[4], MORE[1]]


@pytest.mark.parametrize("incoming", list(BINARIES))
@pytest.mark.parametrize("stored", list(BINARIES))
def test_binary_encodings_write_to_each_others_datasets(ds, stored, incoming):
    ds.write(table([10, 20, 30, 40, 50], text_column(TEXT, BINARIES[stored])), ordered_on="n")
    ds.write(table([25, 60], text_column(MORE, BINARIES[incoming])), ordered_on="n")
    back = ds.read()
    assert back.schema.field("s").type == BINARY_READ[stored]
    assert decoded(back.column("s").to_pylist()) == [TEXT[0], TEXT[1], MORE[0], TEXT[2], TEXT[3], TEXT[4], MORE[1]]


def test_a_sliced_string_view_column_with_many_data_buffers_reads_back_whole(ds):
    # Chunks of their own: pyarrow gives each its own data buffers; a slice starts mid-array.
    long = [f"value {i} of more than twelve bytes" for i in range(1000)]
    chunked = pa.chunked_array([pa.array(long[:500], pa.string_view()), pa.array(long[500:], pa.string_view())])
    t = pa.table({"n": pa.array(range(1000), pa.int64()), "s": chunked}).slice(3)
    ds.write(t, ordered_on="n")
    back = ds.read()
    assert back.schema.field("s").type == pa.string()
    assert back.column("s").to_pylist() == long[3:]


@pytest.mark.parametrize(
    "type_,values",
    [
        (pa.list_view(pa.int32()), [[1], [2, 3]]),
        (pa.large_list_view(pa.int32()), [[1], []]),
        (pa.run_end_encoded(pa.int32(), pa.string()), ["a", "a"]),
    ],
)
def test_list_views_and_run_end_encoded_columns_are_refused_naming_the_column(ds, type_, values):
    with pytest.raises(oups_client.OupsError) as err:
        ds.write(pa.table({"n": pa.array([1, 2], pa.int64()), "odd": pa.array(values, type_)}), ordered_on="n")
    assert err.value.code == "INVALID_ARGUMENT"
    assert 'column "odd" has unsupported type' in err.value.message


def test_timestamps_in_ms_append_to_a_us_dataset_and_ns_is_refused(ds):
    ds.write(pa.table({"t": pa.array([1_000], pa.timestamp("us"))}), ordered_on="t")
    ds.write(pa.table({"t": pa.array([2], pa.timestamp("ms"))}), ordered_on="t")
    assert ds.read().column("t").cast(pa.int64()).to_pylist() == [1_000, 2_000]
    with pytest.raises(oups_client.OupsError) as err:
        ds.write(pa.table({"t": pa.array([3_000_000], pa.timestamp("ns"))}), ordered_on="t")
    assert err.value.code == "INVALID_ARGUMENT"
    assert "would lose precision (ns into us)" in err.value.message
    assert ds.read().num_rows == 2


def test_a_time_zone_mismatch_says_how_to_fix_it_in_pyarrow_and_the_fix_works(ds):
    ds.write(pa.table({"t": pa.array([1], pa.timestamp("ms", tz="UTC"))}), ordered_on="t")
    naive = pa.table({"t": pa.array([2], pa.timestamp("ms"))})
    with pytest.raises(oups_client.OupsError) as err:
        ds.write(naive, ordered_on="t")
    assert err.value.code == "SCHEMA_MISMATCH"
    assert ".cast(pa.timestamp('ms', tz='UTC'))" in err.value.message
    ds.write(naive.cast(pa.schema([("t", pa.timestamp("ms", tz="UTC"))])), ordered_on="t")
    assert ds.read().num_rows == 2


def test_uint64_ordered_column_above_int64_max_through_describe_and_bounds(ds):
    values = [1, 2**63 - 1, 2**63, 2**63 + 5, 2**64 - 1]
    ds.write(pa.table({"k": pa.array(values, pa.uint64()), "i": pa.array(range(5), pa.int64())}), ordered_on="k")
    [group] = ds.describe().row_groups
    assert (group.min, group.max) == (1, 2**64 - 1)
    assert ds.read(2**63, 2**64 - 1).column("i").to_pylist() == [2, 3]
    assert ds.read(2**63, 2**64 - 1, end_inclusive=True).column("i").to_pylist() == [2, 3, 4]
    assert ds.read(0, 2**63).column("i").to_pylist() == [0, 1]
