"""core.files.write_csv: a results/ table appears whole, with the float format asked for, and replaces the old one."""

from __future__ import annotations

import pandas as pd

from core.files import write_csv


def test_write_csv_replaces_the_table_whole_and_keeps_the_format(tmp_path):
    path = tmp_path / "t.csv"
    write_csv(pd.DataFrame({"a": [1, 2]}), path)
    frame = pd.DataFrame({"x": [1 / 3, 2.0], "name": ["a", "b"]})
    write_csv(frame, path, float_format="%.6g")
    assert path.read_text().splitlines() == ["x,name", "0.333333,a", "2,b"]
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"], "no temporary file left behind"
    write_csv(frame, path)
    assert pd.read_csv(path)["x"].iloc[0] == 1 / 3
