"""``import rnnlib`` stays light: no TensorFlow, Keras or pandas until asked for."""
import subprocess
import sys

HEAVY = ("tensorflow", "keras", "pandas", "matplotlib")


def loaded_after(code):
    probe = f"import sys; {code}; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_import_rnnlib_imports_no_heavy_library():
    assert loaded_after("import rnnlib; import rnnlib.layer, rnnlib.cells, rnnlib.architectures") == set()


def test_datasets_module_loads_pandas_only_when_reading_data():
    assert loaded_after("import rnnlib; rnnlib.datasets.generate_time_series(2)") == set()


def test_keras_compat_is_loaded_on_first_use():
    assert {"tensorflow", "keras"} <= loaded_after("import rnnlib; rnnlib.keras_compat")
