"""How long ``import rnnlib`` takes, and that it does not import TensorFlow."""
import statistics
import subprocess
import sys

CODE = (
    "import time, sys; t = time.perf_counter(); import rnnlib; "
    "print(time.perf_counter() - t, 'tensorflow' in sys.modules)"
)
CODE_TF = "import time; t = time.perf_counter(); import rnnlib.keras_compat; print(time.perf_counter() - t)"


def _measure(code, repeat):
    times, extra = [], None
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        fields = out.stdout.split()
        times.append(float(fields[0]))
        extra = fields[1:] or extra
    return statistics.median(times), extra


def run(quick=False):
    repeat = 3 if quick else 11
    t_rnnlib, (tf_loaded,) = _measure(CODE, repeat)
    t_keras, _ = _measure(CODE_TF, 1 if quick else 3)
    return {
        "title": f"import time (median of {repeat} fresh interpreters)",
        "columns": ["what", "seconds", "imports tensorflow"],
        "rows": [["import rnnlib", t_rnnlib, tf_loaded], ["import rnnlib.keras_compat", t_keras, "True"]],
        "import_rnnlib_s": t_rnnlib,
        "import_keras_compat_s": t_keras,
        "rnnlib_imports_tensorflow": tf_loaded == "True",
    }
