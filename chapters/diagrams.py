"""The course's figures, drawn with matplotlib (no image files).

Each public function draws one figure and returns the ``matplotlib.figure.Figure``:

=========================  =======  ==================================================
function                   chapter  what it shows
=========================  =======  ==================================================
:func:`recurrent_neuron`   1        one neuron with its loop, and unrolled through time
:func:`recurrent_layer`    2        a layer of neurons with its loop, and unrolled
:func:`memory_cells`       3        a basic cell (output = state) and a cell whose
                                    output differs from its state
:func:`architectures`      4        seq-to-seq, seq-to-vec, vec-to-seq, encoder-decoder
:func:`bptt`               5        BPTT: forward arrows dashed, backward arrows solid,
                                    a loss that reads only the last outputs
=========================  =======  ==================================================

The labels use the symbols of the text: x(t), y_hat(t), h(t), W_x, W_y, b.
In a notebook, call a function and end the line with ``;``: the inline
backend shows the figure once.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

# One colour per kind of quantity, used in every figure.
INPUT = "#3465a4"     # x(t), X(t)
OUTPUT = "#c4600b"    # y_hat(t), Y(t)
STATE = "#2e8b57"     # h(t)
GRAD = "#b22234"      # gradients (chapter 5)
INK = "#222222"
MUTED = "#9a9a9a"
FILL = "#f4f1e8"      # neurons and cells
FILL_2 = "#e3ecf7"    # the output projection of a cell

FONT = 12
SMALL = 10


# --------------------------------------------------------------------- helpers
def _limits(ax, x0, x1, y0, y1):
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)


def _neuron(ax, xy, r=0.32, label=None, fc=FILL, ec=INK, fontsize=FONT):
    ax.add_patch(Circle(xy, r, fc=fc, ec=ec, lw=1.5, zorder=3))
    if label:
        ax.text(*xy, label, ha="center", va="center", fontsize=fontsize, zorder=4)


def _box(ax, xy, w, h, label=None, fc=FILL, ec=INK, fontsize=FONT, lw=1.5, ls="-", color=INK):
    x, y = xy
    ax.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02,rounding_size=0.08",
            fc=fc, ec=ec, lw=lw, ls=ls, zorder=3,
        )
    )
    if label:
        ax.text(x, y, label, ha="center", va="center", fontsize=fontsize, zorder=4, color=color)


def _arrow(ax, start, end, color=INK, dashed=False, lw=1.6, rad=0.0, head=12, zorder=2, **kw):
    """A straight (or arced, ``rad`` != 0) arrow; ``dashed`` for the forward pass of BPTT."""
    ax.add_patch(
        FancyArrowPatch(
            start, end, arrowstyle="-|>", mutation_scale=head, color=color, lw=lw,
            linestyle=(0, (4, 3)) if dashed else "-", shrinkA=0, shrinkB=0,
            connectionstyle=f"arc3,rad={rad}", zorder=zorder, **kw,
        )
    )


def _path_arrow(ax, points, color=INK, lw=1.6, head=12, dashed=False):
    """A polyline through ``points`` with an arrow head at the last point."""
    xs, ys = zip(*points)
    ax.plot(xs[:-1], ys[:-1], color=color, lw=lw, ls=(0, (4, 3)) if dashed else "-",
            solid_capstyle="butt", zorder=2)
    _arrow(ax, points[-2], points[-1], color=color, lw=lw, head=head, dashed=dashed)


def _label(ax, xy, text, color=INK, fontsize=FONT, **kw):
    kw.setdefault("ha", "center")
    kw.setdefault("va", "center")
    ax.text(*xy, text, color=color, fontsize=fontsize, zorder=5, **kw)


def _title(ax, text):
    ax.set_title(text, fontsize=FONT + 1, loc="left")


# ---------------------------------------------------------- figure 1 (ch. 1)
def recurrent_neuron(n_steps=4):
    """Figure 1: a recurrent neuron (left) and the same neuron unrolled (right).

    The neuron computes ``y_hat(t) = phi(w_x . x(t) + w_y y_hat(t-1) + b)``;
    unrolled over ``n_steps`` steps, the first step starts from ``y_hat(-1) = 0``.
    """
    fig, axes = plt.subplots(
        1, 2, figsize=(8.4, 2.9), gridspec_kw={"width_ratios": [1.0, 2.6]}
    )
    for ax in axes:
        ax.set_aspect("equal")
        ax.axis("off")
    left, right = axes

    # The neuron with its loop.
    _neuron(left, (0, 0), 0.38, r"$\Sigma\ \phi$", fontsize=SMALL)
    _arrow(left, (0, -1.35), (0, -0.38), color=INPUT)
    _label(left, (0, -1.6), r"$\mathbf{x}(t)$", INPUT)
    _label(left, (-0.22, -0.85), r"$\mathbf{w}_x$", INPUT, ha="right")
    _arrow(left, (0, 0.38), (0, 1.45), color=OUTPUT)
    _label(left, (0, 1.7), r"$\hat{y}(t)$", OUTPUT)
    # the loop: from the output back into the neuron's right side, through a delay
    _path_arrow(left, [(0, 1.0), (1.2, 1.0), (1.2, 0.0), (0.38, 0.0)], color=OUTPUT)
    _box(left, (1.2, 0.62), 0.8, 0.36, "delay", fc="white", ec=OUTPUT, fontsize=SMALL - 1)
    _label(left, (0.78, -0.25), r"$w_y$", OUTPUT)
    _label(left, (1.3, 0.12), r"$\hat{y}(t-1)$", OUTPUT, fontsize=SMALL, ha="left")
    _limits(left, -1.1, 2.6, -1.9, 2.0)
    _title(left, "a recurrent neuron")

    # Unrolled through time.
    gap = 1.7
    xs = [1.5 + gap * t for t in range(n_steps)]
    _label(right, (-0.55, 0), "=", fontsize=26)
    _label(right, (0.2, 0), "0", OUTPUT, fontsize=FONT + 1)
    _label(right, (0.2, -0.4), r"$\hat{y}(-1)$", OUTPUT, fontsize=SMALL - 1)
    prev = (0.42, 0)
    for t, x in enumerate(xs):
        _neuron(right, (x, 0), 0.38, r"$\Sigma\ \phi$", fontsize=SMALL)
        _arrow(right, (x, -1.35), (x, -0.38), color=INPUT)
        _label(right, (x, -1.6), rf"$\mathbf{{x}}({t})$", INPUT)
        _label(right, (x - 0.2, -0.85), r"$\mathbf{w}_x$", INPUT, ha="right", fontsize=SMALL)
        _arrow(right, (x, 0.38), (x, 1.45), color=OUTPUT)
        _label(right, (x, 1.7), rf"$\hat{{y}}({t})$", OUTPUT)
        _arrow(right, prev, (x - 0.38, 0), color=OUTPUT)
        _label(right, ((prev[0] + x - 0.38) / 2, 0.22), r"$w_y$", OUTPUT, fontsize=SMALL)
        prev = (x + 0.38, 0)
    _arrow(right, prev, (prev[0] + 0.7, 0), color=OUTPUT)
    _label(right, (prev[0] + 0.95, 0), r"$\cdots$", OUTPUT)
    _arrow(right, (0.9, -2.15), (xs[-1] + 0.9, -2.15), color=MUTED, lw=1.2)
    _label(right, (xs[-1] + 1.05, -2.15), "time", MUTED, fontsize=SMALL, ha="left")
    _limits(right, -0.9, xs[-1] + 1.8, -2.4, 2.0)
    _title(right, "unrolled through time: the same weights at every step")
    fig.tight_layout()
    return fig


# ---------------------------------------------------------- figure 2 (ch. 2)
def _layer_block(ax, cx, cy, n_neurons, width, r=0.18, label=None):
    """A rounded box holding a row of neurons; returns the neuron centres."""
    _box(ax, (cx, cy), width, 0.75, fc="white", ec=INK)
    step = width / (n_neurons + 0.5)
    centres = [(cx - width / 2 + step * (i + 0.75), cy) for i in range(n_neurons)]
    for c in centres:
        _neuron(ax, c, r)
    if label:
        _label(ax, (cx - width / 2 - 0.1, cy), label, fontsize=SMALL, ha="right")
    return centres


def _vector(ax, cx, cy, n, color, size=0.22, label=None, label_side="below"):
    """A vector drawn as ``n`` small squares in a row; returns their centres."""
    centres = [(cx + (i - (n - 1) / 2) * size, cy) for i in range(n)]
    for c in centres:
        ax.add_patch(plt.Rectangle((c[0] - size / 2, c[1] - size / 2), size, size,
                                   fc="white", ec=color, lw=1.4, zorder=3))
    if label:
        dy = -0.36 if label_side == "below" else 0.36
        _label(ax, (cx, cy + dy), label, color)
    return centres


def recurrent_layer(n_inputs=3, n_neurons=4, n_steps=3):
    """Figure 2: a layer of recurrent neurons (left) and the layer unrolled (right).

    Every neuron receives the whole input ``x(t)`` (weights ``W_x``) and the
    whole previous output ``y_hat(t-1)`` (weights ``W_y``).
    """
    fig, axes = plt.subplots(
        1, 2, figsize=(8.8, 3.4), gridspec_kw={"width_ratios": [1.25, 2.0]}
    )
    for ax in axes:
        ax.set_aspect("equal")
        ax.axis("off")
    left, right = axes

    # --- the layer, with every connection drawn
    neurons = _layer_block(left, 0.6, 0.9, n_neurons, 2.4)
    xin = _vector(left, -0.35, -0.6, n_inputs, INPUT, label=r"$\mathbf{x}(t)$")
    yprev = _vector(left, 1.55, -0.6, n_neurons, OUTPUT, label=r"$\hat{\mathbf{y}}(t-1)$")
    for sx, sy in xin:
        for nx, ny in neurons:
            left.plot([sx, nx], [sy + 0.11, ny - 0.18], color=INPUT, lw=0.7, alpha=0.7, zorder=1)
    for sx, sy in yprev:
        for nx, ny in neurons:
            left.plot([sx, nx], [sy + 0.11, ny - 0.18], color=OUTPUT, lw=0.7, alpha=0.7, zorder=1)
    _label(left, (-0.75, 0.1), r"$\mathbf{W}_x$", INPUT)
    _label(left, (2.05, 0.1), r"$\mathbf{W}_y$", OUTPUT)
    yout = _vector(left, 0.6, 2.1, n_neurons, OUTPUT)
    _label(left, (0.6, 2.5), r"$\hat{\mathbf{y}}(t)$", OUTPUT)
    for (nx, ny), (ox, oy) in zip(neurons, yout):
        _arrow(left, (nx, ny + 0.18), (ox, oy - 0.11), color=OUTPUT, lw=1.0, head=8)
    # the loop: y_hat(t) goes back, through a delay, to become y_hat(t-1)
    top = (yout[-1][0] + 0.11, 2.1)
    _path_arrow(left, [top, (2.75, 2.1), (2.75, -0.6), (yprev[-1][0] + 0.11, -0.6)],
                color=OUTPUT)
    _box(left, (2.75, 0.75), 0.62, 0.34, "delay", fc="white", ec=OUTPUT, fontsize=SMALL - 1)
    _limits(left, -1.2, 3.2, -1.2, 2.85)
    _title(left, f"a layer of {n_neurons} recurrent neurons")

    # --- unrolled: one box per step, whole vectors on the arrows
    gap = 2.2
    xs = [1.6 + gap * t for t in range(n_steps)]
    _label(right, (-0.6, 0.9), "=", fontsize=26)
    _vector(right, 0.0, 0.9, n_neurons, OUTPUT, size=0.16)
    _label(right, (0.0, 0.55), r"$\mathbf{0}$", OUTPUT, fontsize=SMALL)
    prev = (0.35, 0.9)
    for t, x in enumerate(xs):
        _layer_block(right, x, 0.9, n_neurons, 1.5, r=0.13)
        _vector(right, x, -0.6, n_inputs, INPUT, size=0.18, label=rf"$\mathbf{{x}}({t})$")
        _arrow(right, (x, -0.45), (x, 0.5), color=INPUT)
        _label(right, (x + 0.12, -0.05), r"$\mathbf{W}_x$", INPUT, fontsize=SMALL, ha="left")
        _arrow(right, (x, 1.3), (x, 2.0), color=OUTPUT)
        _vector(right, x, 2.15, n_neurons, OUTPUT, size=0.18)
        _label(right, (x, 2.55), rf"$\hat{{\mathbf{{y}}}}({t})$", OUTPUT)
        _arrow(right, prev, (x - 0.78, 0.9), color=OUTPUT)
        _label(right, ((prev[0] + x - 0.78) / 2, 1.15), r"$\mathbf{W}_y$", OUTPUT, fontsize=SMALL)
        prev = (x + 0.78, 0.9)
    _arrow(right, prev, (prev[0] + 0.5, 0.9), color=OUTPUT)
    _label(right, (prev[0] + 0.75, 0.9), r"$\cdots$", OUTPUT)
    _limits(right, -1.0, xs[-1] + 1.6, -1.2, 2.85)
    _title(right, "unrolled: one copy of the layer per time step")
    fig.tight_layout()
    return fig


# ---------------------------------------------------------- figure 3 (ch. 3)
def _cell(ax, cx, cy, projection, w=1.5, h_core=0.7, t="t", small=False):
    """A cell: the recurrence, then (optionally) an output projection above it."""
    fs = SMALL if small else FONT
    lab = FONT if not small else SMALL
    _box(ax, (cx, cy), w, h_core, r"$\phi(\mathbf{x}\mathbf{W}_x + \mathbf{h}\mathbf{W}_y + \mathbf{b})$"
         if not small else r"$\phi(\cdot)$", fontsize=fs - 1)
    # input
    _arrow(ax, (cx, cy - h_core / 2 - 0.75), (cx, cy - h_core / 2), color=INPUT)
    _label(ax, (cx, cy - h_core / 2 - 0.98), rf"$\mathbf{{x}}({t})$", INPUT, fontsize=lab)
    # state out to the right
    x_out = cx + w / 2
    if projection:
        py = cy + h_core / 2 + 0.75
        _box(ax, (cx, py), w * 0.8, 0.5, r"$\mathbf{W}_o,\ \mathbf{b}_o$", fc=FILL_2, fontsize=fs - 1)
        _path_arrow(ax, [(cx, cy + h_core / 2), (cx, py - 0.25)], color=STATE)
        _arrow(ax, (cx, py + 0.25), (cx, py + 0.85), color=OUTPUT)
        _label(ax, (cx, py + 1.08), rf"$\hat{{\mathbf{{y}}}}({t})$", OUTPUT, fontsize=lab)
    else:
        _arrow(ax, (cx, cy + h_core / 2), (cx, cy + h_core / 2 + 1.0), color=OUTPUT)
        _label(ax, (cx, cy + h_core / 2 + 1.23), rf"$\hat{{\mathbf{{y}}}}({t}) = \mathbf{{h}}({t})$",
               OUTPUT, fontsize=lab)
    return x_out


def memory_cells():
    """Figure 3: a basic cell (output = state) and a cell whose output differs.

    Left: ``h(t) = phi(x(t) W_x + h(t-1) W_y + b)`` and ``y_hat(t) = h(t)``.
    Middle: the same recurrence, then ``y_hat(t) = h(t) W_o + b_o``; the state
    ``h(t)`` (green) goes on to the next step, the output (orange) leaves.
    Right: that cell unrolled over three steps.
    """
    fig = plt.figure(figsize=(8.4, 6.0))
    grid = fig.add_gridspec(2, 2, height_ratios=[1.0, 0.95])
    a, b = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1])
    c = fig.add_subplot(grid[1, :])
    for ax in (a, b, c):
        ax.set_aspect("equal")
        ax.axis("off")

    for ax, projection, title in [(a, False, "basic cell: output = state"),
                                  (b, True, "a cell whose output differs")]:
        _cell(ax, 0, 0, projection, w=2.6)
        _arrow(ax, (-2.25, 0), (-1.3, 0), color=STATE)
        _label(ax, (-1.85, 0.3), r"$\mathbf{h}(t-1)$", STATE, fontsize=SMALL)
        if projection:
            # the state leaves the cell from below the projection
            _path_arrow(ax, [(0, 0.62), (1.7, 0.62), (1.7, 0), (2.25, 0)], color=STATE)
        else:
            _path_arrow(ax, [(0, 0.85), (1.7, 0.85), (1.7, 0), (2.25, 0)], color=STATE)
        _label(ax, (1.85, -0.28), r"$\mathbf{h}(t)$", STATE, fontsize=SMALL)
        _limits(ax, -2.35, 2.4, -1.6, 2.75)
        _title(ax, title)

    gap = 2.6
    xs = [0.3 + gap * t for t in range(3)]
    _arrow(c, (-1.6, 0), (xs[0] - 0.6, 0), color=STATE)
    _label(c, (-1.7, 0.28), r"$\mathbf{h}(-1)=\mathbf{0}$", STATE, fontsize=SMALL - 1, ha="left")
    for t, x in enumerate(xs):
        _cell(c, x, 0, True, w=1.2, t=str(t), small=True)
        end = xs[t + 1] - 0.6 if t + 1 < len(xs) else x + 1.6
        _path_arrow(c, [(x, 0.62), (x + 0.9, 0.62), (x + 0.9, 0), (end, 0)], color=STATE)
        _label(c, (x + 1.1, -0.25), rf"$\mathbf{{h}}({t})$", STATE, fontsize=SMALL)
    _limits(c, -1.7, xs[-1] + 2.0, -1.45, 2.6)
    _title(c, "unrolled: the state flows on, the outputs leave")
    handles = [Line2D([], [], color=STATE, lw=2, label=r"state $\mathbf{h}(t)$"),
               Line2D([], [], color=OUTPUT, lw=2, label=r"output $\hat{\mathbf{y}}(t)$")]
    fig.legend(handles=handles, loc="lower center", ncol=2, fontsize=SMALL, frameon=False)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


# ---------------------------------------------------------- figure 4 (ch. 4)
def _mini_cell(ax, x, y, w=0.62, h=0.5, label=None, fc=FILL):
    _box(ax, (x, y), w, h, label, fc=fc, fontsize=SMALL - 1)


def _unrolled(ax, xs, y=0.0, fc=FILL, state_in=None, color=STATE, label=None):
    """Cells at ``xs`` joined by state arrows; ``state_in`` is an arrow start."""
    for i, x in enumerate(xs):
        _mini_cell(ax, x, y, fc=fc, label=label)
        if i:
            _arrow(ax, (xs[i - 1] + 0.31, y), (x - 0.31, y), color=color, head=10)
    if state_in is not None:
        _arrow(ax, state_in, (xs[0] - 0.31, y), color=color, head=10)


def _ins(ax, xs, labels, y=0.0, color=INPUT):
    for x, lab in zip(xs, labels):
        _arrow(ax, (x, y - 0.8), (x, y - 0.25), color=color, head=10)
        _label(ax, (x, y - 1.0), lab, color, fontsize=SMALL)


def _outs(ax, xs, labels, used, y=0.0):
    for x, lab, keep in zip(xs, labels, used):
        colour = OUTPUT if keep else MUTED
        _arrow(ax, (x, y + 0.25), (x, y + 0.8), color=colour, head=10,
               dashed=not keep, lw=1.6 if keep else 1.0)
        _label(ax, (x, y + 1.02), lab if keep else "ignored", colour,
               fontsize=SMALL if keep else SMALL - 2)


def architectures(n_steps=4):
    """Figure 4: the four ways to wire a recurrent network, side by side."""
    fig, axes = plt.subplots(2, 2, figsize=(8.8, 4.9))
    for ax in axes.flat:
        ax.set_aspect("equal")
        ax.axis("off")
        _limits(ax, -1.1, 6.1, -1.45, 1.55)
    (a, b), (c, d) = axes
    xs = [0.4 + 1.3 * t for t in range(n_steps)]
    T = n_steps - 1
    steps = [str(t) for t in range(n_steps)]

    _unrolled(a, xs)
    _ins(a, xs, [rf"$\mathbf{{x}}({t})$" for t in steps])
    _outs(a, xs, [rf"$\hat{{\mathbf{{y}}}}({t})$" for t in steps], [True] * n_steps)
    _title(a, "seq-to-seq: forecasting a series")

    _unrolled(b, xs)
    _ins(b, xs, [rf"$\mathbf{{x}}({t})$" for t in steps])
    _outs(b, xs, [rf"$\hat{{\mathbf{{y}}}}({t})$" for t in steps], [False] * T + [True])
    _title(b, "seq-to-vec: scoring a review")

    _unrolled(c, xs)
    # one vector, fed at every step (Keras: RepeatVector)
    _box(c, (-0.55, -1.05), 0.55, 0.42, r"$\mathbf{x}$", fc="white", ec=INPUT, color=INPUT,
         fontsize=SMALL)
    c.plot([-0.27, xs[-1]], [-1.05, -1.05], color=INPUT, lw=1.4, zorder=1)
    for x in xs:
        _arrow(c, (x, -1.05), (x, -0.25), color=INPUT, head=10)
    _outs(c, xs, [rf"$\hat{{\mathbf{{y}}}}({t})$" for t in steps], [True] * n_steps)
    _label(c, (xs[-1] + 0.5, -1.05), "same x at\nevery step", INPUT, fontsize=SMALL - 2, ha="left")
    _title(c, "vec-to-seq: captioning an image")

    n_enc = n_dec = 3
    enc = [-0.5 + 1.05 * t for t in range(n_enc)]
    dec = [enc[-1] + 1.6 + 1.05 * t for t in range(n_dec)]
    _unrolled(d, enc, fc=FILL)
    _ins(d, enc, [rf"$\mathbf{{x}}({t})$" for t in range(n_enc)])
    for x in enc:
        _arrow(d, (x, 0.25), (x, 0.6), color=MUTED, head=8, lw=1.0, dashed=True)
    _label(d, (enc[1], 0.82), "encoder outputs ignored", MUTED, fontsize=SMALL - 2)
    _unrolled(d, dec, fc=FILL_2)
    _arrow(d, (enc[-1] + 0.31, 0), (dec[0] - 0.31, 0), color=STATE, head=12, lw=2.4)
    _label(d, ((enc[-1] + dec[0]) / 2, -0.32), r"$\mathbf{h}$", STATE, fontsize=SMALL)
    _ins(d, dec, ["<start>"] + [rf"$\mathbf{{y}}({t})$" for t in range(n_dec - 1)])
    _outs(d, dec, [rf"$\hat{{\mathbf{{y}}}}({t})$" for t in range(n_dec)], [True] * n_dec)
    _label(d, (enc[1], -1.35), "encoder reads the whole input", INK, fontsize=SMALL - 2)
    _label(d, (dec[1], -1.35), "decoder starts from its state", INK, fontsize=SMALL - 2)
    _title(d, "encoder-decoder: translating")
    handles = [Line2D([], [], color=INPUT, lw=2, label="input"),
               Line2D([], [], color=STATE, lw=2, label="state"),
               Line2D([], [], color=OUTPUT, lw=2, label="output")]
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=SMALL, frameon=False)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


# ---------------------------------------------------------- figure 5 (ch. 5)
def bptt(n_steps=5, n_loss=3):
    """Figure 5: backpropagation through time on an unrolled network.

    Forward arrows are dashed, backward (gradient) arrows solid. The loss
    ``C`` reads only the last ``n_loss`` outputs: the gradient enters the
    network at those outputs only, then flows back through the states to the
    first step. The earlier outputs get no gradient.
    """
    if not 1 <= n_loss <= n_steps:
        raise ValueError(f"n_loss must be between 1 and n_steps={n_steps}, got {n_loss}")
    fig, ax = plt.subplots(figsize=(8.8, 4.0))
    ax.set_aspect("equal")
    ax.axis("off")
    gap = 1.9
    xs = [gap * t for t in range(n_steps)]
    first_used = n_steps - n_loss
    off = 0.09  # forward and backward arrows side by side

    ax.text(-1.55, 0, r"$\mathbf{h}(-1)$" + "\n= 0", color=STATE, fontsize=SMALL,
            ha="center", va="center")
    _arrow(ax, (-1.1, off), (xs[0] - 0.45, off), color=STATE, dashed=True)
    for t, x in enumerate(xs):
        _box(ax, (x, 0), 0.9, 0.7, r"$\mathbf{W}_x, \mathbf{W}_y$", fontsize=SMALL - 1)
        # input, forward
        _arrow(ax, (x, -1.2), (x, -0.35), color=INPUT, dashed=True)
        _label(ax, (x, -1.45), rf"$\mathbf{{x}}({t})$", INPUT)
        used = t >= first_used
        colour = OUTPUT if used else MUTED
        # output, forward (dashed) and, for the outputs the loss reads, backward (solid)
        _arrow(ax, (x - off, 0.35), (x - off, 1.25), color=colour, dashed=True)
        _label(ax, (x, 1.5), rf"$\hat{{\mathbf{{y}}}}({t})$", colour)
        if used:
            _arrow(ax, (x + off + 0.06, 1.25), (x + off + 0.06, 0.35), color=GRAD, lw=2.0)
            # output -> loss (forward), loss -> output (backward)
            _arrow(ax, (x - off, 1.75), (x - off, 2.65), color=OUTPUT, dashed=True)
            _arrow(ax, (x + off + 0.06, 2.65), (x + off + 0.06, 1.75), color=GRAD, lw=2.0)
        # state to the next step: forward above, backward below
        if t + 1 < n_steps:
            _arrow(ax, (x + 0.45, off), (xs[t + 1] - 0.45, off), color=STATE, dashed=True)
            _arrow(ax, (xs[t + 1] - 0.45, -off - 0.06), (x + 0.45, -off - 0.06), color=GRAD, lw=2.0)
            _label(ax, ((x + xs[t + 1]) / 2, 0.33), rf"$\mathbf{{h}}({t})$", STATE, fontsize=SMALL)
    lx0, lx1 = xs[first_used] - 0.5, xs[-1] + 0.5
    _box(ax, ((lx0 + lx1) / 2, 2.95), lx1 - lx0, 0.6,
         r"$L\,(" + ", ".join(rf"\hat{{\mathbf{{y}}}}({t})" for t in range(first_used, n_steps)) + ")$",
         fc="#fbe9e9", ec=GRAD)
    if first_used:
        _label(ax, ((xs[0] + xs[first_used - 1]) / 2, 2.2), "outputs the loss\ndoes not read",
               MUTED, fontsize=SMALL)
    handles = [Line2D([], [], color=INK, lw=1.6, ls=(0, (4, 3)), label="forward pass"),
               Line2D([], [], color=GRAD, lw=2.0, label=r"backward pass (gradients of $L$)")]
    ax.legend(handles=handles, loc="upper left", fontsize=SMALL, frameon=False)
    _limits(ax, -2.1, xs[-1] + 0.9, -1.75, 3.4)
    _title(ax, f"backpropagation through time: the loss reads only the last {n_loss} outputs")
    fig.tight_layout()
    return fig


FIGURES = {
    "recurrent_neuron": recurrent_neuron,
    "recurrent_layer": recurrent_layer,
    "memory_cells": memory_cells,
    "architectures": architectures,
    "bptt": bptt,
}


def save_all(folder, dpi=110):
    """Draw every figure and save it as ``folder/<name>.png``; returns the paths."""
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, draw in FIGURES.items():
        fig = draw()
        path = folder / f"{name}.png"
        fig.savefig(path, dpi=dpi)
        plt.close(fig)
        paths.append(path)
    return paths


if __name__ == "__main__":  # python chapters/diagrams.py /tmp/figs
    import sys

    for p in save_all(sys.argv[1] if len(sys.argv) > 1 else "."):
        print(p)
