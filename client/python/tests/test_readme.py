"""The README's Python example runs as written against a fresh daemon."""

import os
import re
import subprocess
import sys

from conftest import ROOT


def python_blocks():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^```python\n(.*?)^```$", readme, flags=re.S | re.M)


def test_the_readme_has_a_python_example():
    blocks = python_blocks()
    assert blocks and any("import oups_client" in b for b in blocks)


def test_every_readme_python_block_runs_as_written(daemon, tmp_path):
    for i, block in enumerate(python_blocks()):
        script = tmp_path / f"block_{i}.py"
        script.write_text(block, encoding="utf-8")
        done = subprocess.run(
            [sys.executable, str(script)], env={**os.environ, "OUPS_ADDRESS": daemon.address},
            capture_output=True, text=True, timeout=120,
        )
        assert done.returncode == 0 and done.stderr == "", f"README Python block {i + 1}:\n{done.stderr}"
        if "AAPL-2023/1/" in block:
            # The example's comment says where its dataset lands, and it says what its error prints.
            assert (daemon.store_dir / "AAPL-2023" / "1" / "_manifest.json").is_file()
            assert "UNORDERED_INPUT INVALID_ARGUMENT" in done.stdout
