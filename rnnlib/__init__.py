"""rnnlib: the course's small recurrent-network library, in numpy.

One concept per module, in the order of the chapters:

========================  ====================================================
module                    chapter
========================  ====================================================
:mod:`rnnlib.activations`  phi and its derivative
:mod:`rnnlib.neuron`       1. a recurrent neuron, unrolled through time
:mod:`rnnlib.layer`        2. a recurrent layer for a mini-batch
:mod:`rnnlib.cells`        3. memory cells (state vs output)
:mod:`rnnlib.architectures` 4. seq-to-seq, seq-to-vec, vec-to-seq, encoder-decoder
:mod:`rnnlib.datasets`     6. the ridership series, synthetic series
:mod:`rnnlib.keras_compat` the same layers in Keras (imports TensorFlow lazily)
========================  ====================================================

``import rnnlib`` imports numpy only: TensorFlow is imported the first time
:mod:`rnnlib.keras_compat` is used.
"""
from importlib import import_module

from .activations import ACTIVATIONS, get_activation
from .architectures import encoder_decoder, seq_to_seq, seq_to_vec, vec_to_seq
from .cells import BasicCell, ProjectionCell, run_cell
from .layer import (
    concat_weights,
    init_layer_params,
    layer_step,
    layer_step_concat,
    split_weights,
    unroll_layer,
)
from .neuron import neuron_step, unroll_neuron

__version__ = "0.1.0"

# Submodules that are loaded on first attribute access (rnnlib.keras_compat
# pulls in TensorFlow, rnnlib.datasets pulls in pandas).
_LAZY_SUBMODULES = {"keras_compat", "datasets"}


def __getattr__(name):
    if name in _LAZY_SUBMODULES:
        module = import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'rnnlib' has no attribute {name!r}")
