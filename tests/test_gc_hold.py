"""Holds on the garbage collector nest: only the last release unfreezes.

Checked in a fresh interpreter, whose collector no other test has touched.
"""

import subprocess
import sys
import textwrap

CHECK = textwrap.dedent(
    """
    import gc
    from geo_alloggi import _gc

    assert gc.get_freeze_count() == 0
    _gc.hold()
    first = gc.get_freeze_count()
    assert first > 0
    alive = [object() for _ in range(3)]
    with _gc.held():
        assert gc.get_freeze_count() >= first
    assert gc.get_freeze_count() > 0, "the outer hold still stands"
    _gc.release()
    assert gc.get_freeze_count() == 0
    _gc.release()  # an extra release is harmless
    assert gc.get_freeze_count() == 0

    seen = []

    @_gc.holding
    def work(x):
        seen.append(gc.get_freeze_count())
        return x + 1

    assert work(1) == 2 and seen[0] > 0
    assert gc.get_freeze_count() == 0
    print("ok")
    """
)


def test_holds_nest_and_the_last_release_unfreezes():
    out = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
