"""tests/conftest.py's run order for xdist workers: the long modules first, dealt over the
workers' shares; a permutation that keeps every module's tests together and in order."""

from __future__ import annotations

from conftest import _slow_modules, long_modules_first
from hypothesis import given
from hypothesis import strategies as st


def _ids(sizes: list[int]) -> list[str]:
    return [f"tests/test_m{m}.py::t{k}" for m, n in enumerate(sizes) for k in range(n)]


def test_two_long_modules_start_each_worker_share() -> None:
    ids = _ids([3, 2, 4, 1, 2])  # 12 tests; m2 and m4 are long
    order = long_modules_first(ids, 2, [(100.0, "tests/test_m2.py"), (50.0, "tests/test_m4.py")])
    got = [ids[i] for i in order]
    assert got[:4] == [f"tests/test_m2.py::t{k}" for k in range(4)]  # worker 1's share: 0-5
    assert got[6:8] == ["tests/test_m4.py::t0", "tests/test_m4.py::t1"]  # worker 2's: 6-11
    assert got[4:6] == ["tests/test_m0.py::t0", "tests/test_m0.py::t1"]
    assert got[8:] == [
        "tests/test_m0.py::t2",
        "tests/test_m1.py::t0",
        "tests/test_m1.py::t1",
        "tests/test_m3.py::t0",
    ]


def test_the_file_is_read_longest_first() -> None:
    rows = _slow_modules()
    assert len(rows) >= 10 and rows == sorted(rows, reverse=True)
    assert all(m.startswith("tests/test_") and m.endswith(".py") for _s, m in rows)


@given(
    sizes=st.lists(st.integers(1, 6), min_size=1, max_size=12),
    slow=st.lists(st.tuples(st.floats(0, 500), st.integers(0, 14)), max_size=8),
    workers=st.integers(1, 4),
)
def test_the_order_is_a_permutation_keeping_modules_whole(
    sizes: list[int], slow: list[tuple[float, int]], workers: int
) -> None:
    ids = _ids(sizes)
    rows = sorted(((s, f"tests/test_m{m}.py") for s, m in slow), reverse=True)
    order = long_modules_first(ids, workers, rows)
    assert sorted(order) == list(range(len(ids)))
    got = [ids[i] for i in order]
    long = {m for _s, m in rows}
    for m in range(len(sizes)):
        name = f"tests/test_m{m}.py"
        at = [k for k, n in enumerate(got) if n.startswith(name + "::")]
        assert [got[k] for k in at] == [n for n in ids if n.startswith(name + "::")]  # in order
        if name in long:
            assert at == list(range(at[0], at[0] + len(at)))  # together
    rest = [n for n in got if n.split("::")[0] not in long]
    assert rest == [n for n in ids if n.split("::")[0] not in long]
