"""rnnlib: the course's small recurrent-network library, in numpy.

One concept per module, in the order of the chapters:

===========================  ======================================================
module                       chapter
===========================  ======================================================
:mod:`rnnlib.activations`    phi and its derivative
:mod:`rnnlib.neuron`         1. a recurrent neuron, unrolled through time
:mod:`rnnlib.layer`          2. a recurrent layer for a mini-batch
:mod:`rnnlib.cells`          3. memory cells (state vs output)
:mod:`rnnlib.architectures`  4. seq-to-seq, seq-to-vec, vec-to-seq, encoder-decoder
:mod:`rnnlib.bptt`           5. backpropagation through time (and truncated)
:mod:`rnnlib.losses`         5. MSE on chosen time steps, and its gradient
:mod:`rnnlib.optim`          5. a gradient-descent step
:mod:`rnnlib.training`       5. training a small RNN end to end
:mod:`rnnlib.gradcheck`      5. numeric gradients, relative error
:mod:`rnnlib.gradient_flow`  5. vanishing and exploding gradients
:mod:`rnnlib.datasets`       6. the ridership series, synthetic series
:mod:`rnnlib.baselines`      6. naive, moving-average and SARIMA baselines, errors
:mod:`rnnlib.forecasting`    7. windows, Keras forecasting models, training, MAE
:mod:`rnnlib.lstm`           8. the LSTM cell, forward and BPTT (Keras's layout)
:mod:`rnnlib.gru`            8. the GRU cell (Keras's reset_after=True), forward and BPTT
:mod:`rnnlib.clipping`       8. gradient clipping by global norm
:mod:`rnnlib.convolution`    8. 1D and causal convolutions, WaveNet's receptive field
:mod:`rnnlib.memory`         8. the delayed-recall task, equal parameter budgets
:mod:`rnnlib.keras_compat`   the same layers in Keras (imports TensorFlow lazily)
===========================  ======================================================

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
from . import bptt, clipping, convolution, gru, lstm, memory, training
from .clipping import clip_by_norm
from .convolution import receptive_field
from .gru import gru_backward, gru_forward, gru_step
from .lstm import lstm_backward, lstm_forward, lstm_step
from .gradcheck import numeric_gradient, relative_error
from .gradient_flow import recurrent_matrix, state_gradient_norms
from .losses import mse, mse_grad
from .optim import gradient_descent_step

__version__ = "0.1.0"

# Submodules that are loaded on first attribute access (rnnlib.keras_compat
# pulls in TensorFlow, rnnlib.datasets and rnnlib.baselines pull in pandas).
_LAZY_SUBMODULES = {"keras_compat", "datasets", "baselines", "forecasting"}


def __getattr__(name):
    if name in _LAZY_SUBMODULES:
        module = import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'rnnlib' has no attribute {name!r}")
