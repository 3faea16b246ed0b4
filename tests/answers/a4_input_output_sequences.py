"""Assignment 4, input and output sequences: the answers students write (see ``answers/__init__.py``)."""
from ._answer import answers


WRONG = answers("seq_outputs", [
    ("vec_returns_state", "seq_to_vec returns the final state", """
        def seq_to_seq(cell, X):
            return rnnlib.run_cell(cell, X)[0]

        def seq_to_vec(cell, X):
            return rnnlib.run_cell(cell, X)[1]
     """),
    ("vec_first_step", "seq_to_vec keeps the first output", """
        def seq_to_seq(cell, X):
            return rnnlib.run_cell(cell, X)[0]

        def seq_to_vec(cell, X):
            return rnnlib.run_cell(cell, X)[0][:, 0]
     """),
    ("vec_last_instance", "seq_to_vec takes Y[-1]", """
        def seq_to_seq(cell, X):
            return rnnlib.run_cell(cell, X)[0]

        def seq_to_vec(cell, X):
            return rnnlib.run_cell(cell, X)[0][-1]
     """),
    ("vec_mean", "seq_to_vec averages the outputs over time", """
        def seq_to_seq(cell, X):
            return rnnlib.run_cell(cell, X)[0]

        def seq_to_vec(cell, X):
            return rnnlib.run_cell(cell, X)[0].mean(axis=1)
     """),
    ("seq_time_major", "seq_to_seq stacks the steps along axis 0", """
        def seq_to_seq(cell, X):
            h, outputs = cell.zero_state(X.shape[0]), []
            for t in range(X.shape[1]):
                y, h = cell(X[:, t], h)
                outputs.append(y)
            return np.array(outputs)

        def seq_to_vec(cell, X):
            return rnnlib.run_cell(cell, X)[0][:, -1]
     """),
    ("seq_returns_states", "seq_to_seq collects the states", """
        def seq_to_seq(cell, X):
            h, states = cell.zero_state(X.shape[0]), []
            for t in range(X.shape[1]):
                _, h = cell(X[:, t], h)
                states.append(h)
            return np.stack(states, axis=1)

        def seq_to_vec(cell, X):
            return rnnlib.run_cell(cell, X)[0][:, -1]
     """),
    ("uses_weights", "reads the cell's weights instead of calling the cell", """
        def seq_to_seq(cell, X):
            H, _ = rnnlib.unroll_layer(X, cell.W_x, cell.W_y, cell.b)
            return H @ cell.W_o + cell.b_o if hasattr(cell, "W_o") else H

        def seq_to_vec(cell, X):
            return seq_to_seq(cell, X)[:, -1]
     """),
    ("delegates", "calls rnnlib's answers", """
        def seq_to_seq(cell, X):
            return rnnlib.seq_to_seq(cell, X)

        def seq_to_vec(cell, X):
            return rnnlib.seq_to_vec(cell, X)
     """),
]) + answers("vec_to_seq", [
    ("first_step_only", "x at the first step, zeros after", """
        def vec_to_seq(cell, x, n_steps):
            X = np.zeros((x.shape[0], n_steps, x.shape[1]))
            X[:, 0] = x
            return rnnlib.run_cell(cell, X)[0]
     """),
    ("tile_mixes_instances", "np.tile then reshape, which mixes the instances", """
        def vec_to_seq(cell, x, n_steps):
            X = np.tile(x, (n_steps, 1)).reshape(x.shape[0], n_steps, x.shape[1])
            return rnnlib.run_cell(cell, X)[0]
     """),
    ("as_initial_state", "x as the initial state, zero inputs", """
        def vec_to_seq(cell, x, n_steps):
            X = np.zeros((x.shape[0], n_steps, cell.n_inputs))
            return rnnlib.run_cell(cell, X, h0=x)[0]
     """),
    ("returns_states", "collects the states", """
        def vec_to_seq(cell, x, n_steps):
            h, states = cell.zero_state(len(x)), []
            for _ in range(n_steps):
                _, h = cell(x, h)
                states.append(h)
            return np.stack(states, axis=1)
     """),
    ("time_major", "the steps along axis 0", """
        def vec_to_seq(cell, x, n_steps):
            h, outputs = cell.zero_state(len(x)), []
            for _ in range(n_steps):
                y, h = cell(x, h)
                outputs.append(y)
            return np.stack(outputs)
     """),
    ("one_step_too_many", "n_steps + 1 steps", """
        def vec_to_seq(cell, x, n_steps):
            X = np.repeat(x[:, None, :], n_steps + 1, axis=1)
            return rnnlib.run_cell(cell, X)[0]
     """),
    ("delegates", "calls rnnlib's answer", """
        def vec_to_seq(cell, x, n_steps):
            return rnnlib.vec_to_seq(cell, x, n_steps)
     """),
]) + answers("encoder_decoder", [
    ("decoder_from_zeros", "the decoder ignores the encoder", """
        def encoder_decoder(encoder, decoder, X, decoder_inputs):
            return rnnlib.run_cell(decoder, decoder_inputs)[0]
     """),
    ("from_encoder_output", "starts the decoder from the encoder's last output", """
        def encoder_decoder(encoder, decoder, X, decoder_inputs):
            Y_enc, _ = rnnlib.run_cell(encoder, X)
            return rnnlib.run_cell(decoder, decoder_inputs, h0=Y_enc[:, -1])[0]
     """),
    ("from_first_state", "starts the decoder from the encoder's state after one step", """
        def encoder_decoder(encoder, decoder, X, decoder_inputs):
            _, h = encoder(X[:, 0], encoder.zero_state(len(X)))
            return rnnlib.run_cell(decoder, decoder_inputs, h0=h)[0]
     """),
    ("returns_both", "returns the encoder's and the decoder's outputs", """
        def encoder_decoder(encoder, decoder, X, decoder_inputs):
            Y_enc, h = rnnlib.run_cell(encoder, X)
            Y_dec, _ = rnnlib.run_cell(decoder, decoder_inputs, h0=h)
            return np.concatenate([Y_enc, Y_dec], axis=1)
     """),
    ("decoder_reads_source", "the decoder reads X again", """
        def encoder_decoder(encoder, decoder, X, decoder_inputs):
            _, h = rnnlib.run_cell(encoder, X)
            return rnnlib.run_cell(decoder, X, h0=h)[0]
     """),
    ("decoder_state_kept", "the decoder's steps restart from the encoder's state", """
        def encoder_decoder(encoder, decoder, X, decoder_inputs):
            _, h_enc = rnnlib.run_cell(encoder, X)
            outputs = [decoder(decoder_inputs[:, t], h_enc)[0]
                       for t in range(decoder_inputs.shape[1])]
            return np.stack(outputs, axis=1)
     """),
    ("delegates", "calls rnnlib's answer", """
        def encoder_decoder(encoder, decoder, X, decoder_inputs):
            return rnnlib.encoder_decoder(encoder, decoder, X, decoder_inputs)
     """),
]) + answers("forecast_and_score", [
    ("forecaster_last_only", "the forecaster keeps return_sequences=False", """
        def forecaster(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.SimpleRNN(n_neurons), keras.layers.Dense(1)])

        def review_scorer(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.SimpleRNN(n_neurons),
                                     keras.layers.Dense(1, activation="sigmoid")])
     """),
    ("scorer_every_step", "the scorer returns a score at every step", """
        def forecaster(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.SimpleRNN(n_neurons, return_sequences=True),
                                     keras.layers.Dense(1)])

        def review_scorer(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.SimpleRNN(n_neurons, return_sequences=True),
                                     keras.layers.Dense(1, activation="sigmoid")])
     """),
    ("scorer_no_sigmoid", "the score is not squashed into a probability", """
        def forecaster(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.SimpleRNN(n_neurons, return_sequences=True),
                                     keras.layers.Dense(1)])

        def review_scorer(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.SimpleRNN(n_neurons), keras.layers.Dense(1)])
     """),
    ("forecaster_sigmoid", "the forecaster's Dense layer has a sigmoid too", """
        def forecaster(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.SimpleRNN(n_neurons, return_sequences=True),
                                     keras.layers.Dense(1, activation="sigmoid")])

        def review_scorer(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.SimpleRNN(n_neurons),
                                     keras.layers.Dense(1, activation="sigmoid")])
     """),
    ("lstm", "uses LSTM layers", """
        def forecaster(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.LSTM(n_neurons, return_sequences=True),
                                     keras.layers.Dense(1)])

        def review_scorer(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.LSTM(n_neurons),
                                     keras.layers.Dense(1, activation="sigmoid")])
     """),
    ("relu_recurrence", "SimpleRNN with a ReLU", """
        def forecaster(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.SimpleRNN(n_neurons, activation="relu",
                                                            return_sequences=True),
                                     keras.layers.Dense(1)])

        def review_scorer(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.SimpleRNN(n_neurons, activation="relu"),
                                     keras.layers.Dense(1, activation="sigmoid")])
     """),
    ("no_recurrent_bias", "SimpleRNN without its bias", """
        def forecaster(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.SimpleRNN(n_neurons, use_bias=False,
                                                            return_sequences=True),
                                     keras.layers.Dense(1)])

        def review_scorer(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.SimpleRNN(n_neurons, use_bias=False),
                                     keras.layers.Dense(1, activation="sigmoid")])
     """),
    ("forecaster_wide_output", "Dense(n_neurons) instead of one forecast", """
        def forecaster(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.SimpleRNN(n_neurons, return_sequences=True),
                                     keras.layers.Dense(n_neurons)])

        def review_scorer(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.SimpleRNN(n_neurons),
                                     keras.layers.Dense(1, activation="sigmoid")])
     """),
    # Models the grader cannot rebuild from their config, and answers that pass
    # input_shape= (Keras 3 warns about it: a warning must never cost points).
    ("lambda_sigmoid", "squashes the score with a Lambda layer", """
        def forecaster(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.SimpleRNN(n_neurons, return_sequences=True),
                                     keras.layers.Dense(1)])

        def review_scorer(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.SimpleRNN(n_neurons), keras.layers.Dense(1),
                                     keras.layers.Lambda(lambda z: keras.ops.sigmoid(z))])
     """, "Lambda layer"),
]) + answers("captioner", [
    ("no_repeat", "feeds the vector as a sequence of one step", """
        def captioner(n_features, n_neurons, vocab_size, n_words):
            return keras.Sequential([
                keras.Input(shape=(n_features,)),
                keras.layers.Reshape((1, n_features)),
                keras.layers.SimpleRNN(n_neurons, return_sequences=True),
                keras.layers.Dense(vocab_size, activation="softmax"),
            ])
     """),
    ("last_step_only", "RepeatVector, but the SimpleRNN returns the last step only", """
        def captioner(n_features, n_neurons, vocab_size, n_words):
            return keras.Sequential([
                keras.Input(shape=(n_features,)),
                keras.layers.RepeatVector(n_words),
                keras.layers.SimpleRNN(n_neurons),
                keras.layers.Dense(vocab_size, activation="softmax"),
            ])
     """),
    ("no_softmax", "word scores, not probabilities", """
        def captioner(n_features, n_neurons, vocab_size, n_words):
            return keras.Sequential([
                keras.Input(shape=(n_features,)),
                keras.layers.RepeatVector(n_words),
                keras.layers.SimpleRNN(n_neurons, return_sequences=True),
                keras.layers.Dense(vocab_size),
            ])
     """),
    ("sigmoid", "a sigmoid per word instead of a softmax over the vocabulary", """
        def captioner(n_features, n_neurons, vocab_size, n_words):
            return keras.Sequential([
                keras.Input(shape=(n_features,)),
                keras.layers.RepeatVector(n_words),
                keras.layers.SimpleRNN(n_neurons, return_sequences=True),
                keras.layers.Dense(vocab_size, activation="sigmoid"),
            ])
     """),
    ("fixed_length", "captions of the 6 words of the visible test", """
        def captioner(n_features, n_neurons, vocab_size, n_words):
            return keras.Sequential([
                keras.Input(shape=(n_features,)),
                keras.layers.RepeatVector(6),
                keras.layers.SimpleRNN(n_neurons, return_sequences=True),
                keras.layers.Dense(vocab_size, activation="softmax"),
            ])
     """),
    ("dense_before_repeat", "an extra Dense layer on the image features", """
        def captioner(n_features, n_neurons, vocab_size, n_words):
            return keras.Sequential([
                keras.Input(shape=(n_features,)),
                keras.layers.Dense(n_neurons, activation="relu"),
                keras.layers.RepeatVector(n_words),
                keras.layers.SimpleRNN(n_neurons, return_sequences=True),
                keras.layers.Dense(vocab_size, activation="softmax"),
            ])
     """),
    # Models the grader cannot rebuild from their config, and answers that pass
    # input_shape= (Keras 3 warns about it: a warning must never cost points).
    ("custom_repeat_layer", "repeats the image's vector with a layer of its own", """
        class Repeat(keras.layers.Layer):
            def __init__(self, n, **kwargs):
                super().__init__(**kwargs)
                self.n = n

            def call(self, x):
                return keras.ops.repeat(keras.ops.expand_dims(x, 1), self.n, axis=1)


        def captioner(n_features, n_neurons, vocab_size, n_words):
            return keras.Sequential([keras.Input(shape=(n_features,)), Repeat(n_words),
                                     keras.layers.SimpleRNN(n_neurons, return_sequences=True),
                                     keras.layers.Dense(vocab_size, activation="softmax")])
     """, "not one of the built-in Keras layers"),
]) + answers("translator", [
    ("no_initial_state", "the decoder does not start from the encoder's state", """
        def translator(n_source, n_target, n_neurons, vocab_size):
            source = keras.Input(shape=(None, n_source))
            words = keras.Input(shape=(None, n_target))
            _, state = keras.layers.SimpleRNN(n_neurons, return_state=True)(source)
            decoded = keras.layers.SimpleRNN(n_neurons, return_sequences=True)(words)
            out = keras.layers.Dense(vocab_size, activation="softmax")(decoded)
            return keras.Model([source, words], out)
     """),
    ("decoder_last_only", "the decoder returns its last output only", """
        def translator(n_source, n_target, n_neurons, vocab_size):
            source = keras.Input(shape=(None, n_source))
            words = keras.Input(shape=(None, n_target))
            _, state = keras.layers.SimpleRNN(n_neurons, return_state=True)(source)
            decoded = keras.layers.SimpleRNN(n_neurons)(words, initial_state=state)
            out = keras.layers.Dense(vocab_size, activation="softmax")(decoded)
            return keras.Model([source, words], out)
     """),
    ("no_softmax", "word scores, not probabilities", """
        def translator(n_source, n_target, n_neurons, vocab_size):
            source = keras.Input(shape=(None, n_source))
            words = keras.Input(shape=(None, n_target))
            _, state = keras.layers.SimpleRNN(n_neurons, return_state=True)(source)
            decoded = keras.layers.SimpleRNN(n_neurons, return_sequences=True)(
                words, initial_state=state)
            return keras.Model([source, words], keras.layers.Dense(vocab_size)(decoded))
     """),
    ("inputs_swapped", "the model's inputs in the other order", """
        def translator(n_source, n_target, n_neurons, vocab_size):
            source = keras.Input(shape=(None, n_source))
            words = keras.Input(shape=(None, n_target))
            _, state = keras.layers.SimpleRNN(n_neurons, return_state=True)(source)
            decoded = keras.layers.SimpleRNN(n_neurons, return_sequences=True)(
                words, initial_state=state)
            out = keras.layers.Dense(vocab_size, activation="softmax")(decoded)
            return keras.Model([words, source], out)
     """),
    ("one_network", "one SimpleRNN reads the source, then the decoder inputs, from zeros each", """
        def translator(n_source, n_target, n_neurons, vocab_size):
            source = keras.Input(shape=(None, n_source))
            words = keras.Input(shape=(None, n_target))
            encoded = keras.layers.SimpleRNN(n_neurons, return_sequences=True)(source)
            decoded = keras.layers.SimpleRNN(n_neurons, return_sequences=True)(words)
            both = keras.layers.Concatenate(axis=1)([encoded, decoded])
            out = keras.layers.Dense(vocab_size, activation="softmax")(both)
            return keras.Model([source, words], out)
     """),
])

VALID = answers("seq_outputs", [
    ("own_loop", "a loop over the steps with the cell's interface", """
        def seq_to_seq(cell, X):
            m, T, _ = X.shape
            Y = np.empty((m, T, cell.output_size))
            h = cell.zero_state(m)
            for t in range(T):
                Y[:, t], h = cell(X[:, t], h)
            return Y

        def seq_to_vec(cell, X):
            return seq_to_seq(cell, X)[:, X.shape[1] - 1]
     """),
    ("last_output_kept", "seq_to_vec keeps only the latest output while looping", """
        def seq_to_seq(cell, X):
            h = np.zeros((X.shape[0], cell.state_size))
            outputs = []
            for X_t in np.moveaxis(X, 1, 0):
                y, h = cell(X_t, h)
                outputs.append(y)
            return np.stack(outputs, axis=1)

        def seq_to_vec(cell, X):
            h = np.zeros((X.shape[0], cell.state_size))
            for X_t in np.moveaxis(X, 1, 0):
                y, h = cell(X_t, h)
            return y
     """),
]) + answers("vec_to_seq", [
    ("loop", "the same x at every step of a loop", """
        def vec_to_seq(cell, x, n_steps):
            h, outputs = cell.zero_state(x.shape[0]), []
            for _ in range(n_steps):
                y, h = cell(x, h)
                outputs.append(y)
            return np.stack(outputs, axis=1)
     """),
    ("broadcast", "np.broadcast_to and run_cell", """
        def vec_to_seq(cell, x, n_steps):
            m, n_inputs = x.shape
            X = np.broadcast_to(x[:, np.newaxis], (m, n_steps, n_inputs))
            Y, _ = rnnlib.run_cell(cell, X)
            return Y
     """),
]) + answers("encoder_decoder", [
    ("loops", "two loops with the cells' interface", """
        def encoder_decoder(encoder, decoder, X, decoder_inputs):
            h = encoder.zero_state(X.shape[0])
            for t in range(X.shape[1]):
                _, h = encoder(X[:, t], h)
            outputs = []
            for t in range(decoder_inputs.shape[1]):
                y, h = decoder(decoder_inputs[:, t], h)
                outputs.append(y)
            return np.stack(outputs, axis=1)
     """),
    ("own_seq_to_seq", "the notebook's seq_to_vec idea: the encoder's state, then a loop", """
        def encoder_decoder(encoder, decoder, X, decoder_inputs):
            state = rnnlib.run_cell(encoder, X)[1]
            Y = np.zeros(decoder_inputs.shape[:2] + (decoder.output_size,))
            for t in range(decoder_inputs.shape[1]):
                Y[:, t], state = decoder(decoder_inputs[:, t], state)
            return Y
     """),
]) + answers("forecast_and_score", [
    ("functional_and_activation", "the functional API, TimeDistributed and an Activation layer", """
        def forecaster(n_inputs, n_neurons):
            inputs = keras.Input(shape=(None, n_inputs))
            states = keras.layers.SimpleRNN(n_neurons, return_sequences=True)(inputs)
            return keras.Model(inputs, keras.layers.TimeDistributed(keras.layers.Dense(1))(states))

        def review_scorer(n_inputs, n_neurons):
            inputs = keras.Input(shape=(None, n_inputs))
            last = keras.layers.SimpleRNN(n_neurons, return_sequences=False)(inputs)
            score = keras.layers.Activation("sigmoid")(keras.layers.Dense(1)(last))
            return keras.Model(inputs=inputs, outputs=score)
     """),
    ("rnn_of_cell", "keras.layers.RNN around a SimpleRNNCell, models without an Input", """
        def forecaster(n_inputs, n_neurons):
            return keras.Sequential([
                keras.layers.RNN(keras.layers.SimpleRNNCell(n_neurons), return_sequences=True),
                keras.layers.Dense(units=1)])

        def review_scorer(n_inputs, n_neurons):
            model = keras.Sequential()
            model.add(keras.layers.RNN(keras.layers.SimpleRNNCell(n_neurons)))
            model.add(keras.layers.Dense(1, activation=keras.activations.sigmoid))
            return model
     """),
    ("input_shape", "input_shape= on the SimpleRNN (Keras 3 warns), no Input layer", """
        def forecaster(n_inputs, n_neurons):
            return keras.Sequential([
                keras.layers.SimpleRNN(n_neurons, return_sequences=True,
                                       input_shape=(None, n_inputs)),
                keras.layers.Dense(1)])

        def review_scorer(n_inputs, n_neurons):
            return keras.Sequential([keras.layers.SimpleRNN(n_neurons, input_shape=(None, n_inputs)),
                                     keras.layers.Dense(1, activation="sigmoid")])
     """),
]) + answers("captioner", [
    ("functional_softmax_layer", "the functional API and a Softmax layer", """
        def captioner(n_features, n_neurons, vocab_size, n_words):
            image = keras.Input(shape=(n_features,))
            steps = keras.layers.RepeatVector(n_words)(image)
            states = keras.layers.SimpleRNN(n_neurons, return_sequences=True)(steps)
            return keras.Model(image, keras.layers.Softmax()(keras.layers.Dense(vocab_size)(states)))
     """),
    ("time_distributed", "TimeDistributed(Dense) and activation='softmax' by function", """
        def captioner(n_features, n_neurons, vocab_size, n_words):
            return keras.Sequential([
                keras.layers.Input((n_features,)),
                keras.layers.RepeatVector(n=n_words),
                keras.layers.SimpleRNN(units=n_neurons, return_sequences=True),
                keras.layers.TimeDistributed(
                    keras.layers.Dense(vocab_size, activation=keras.activations.softmax)),
            ])
     """),
    ("input_shape", "input_shape= on the RepeatVector layer (Keras 3 warns)", """
        def captioner(n_features, n_neurons, vocab_size, n_words):
            return keras.Sequential([
                keras.layers.RepeatVector(n_words, input_shape=(n_features,)),
                keras.layers.SimpleRNN(n_neurons, return_sequences=True),
                keras.layers.Dense(vocab_size, activation="softmax")])
     """),
]) + answers("translator", [
    ("state_is_output", "the encoder's last output as the state (the same for a SimpleRNN)", """
        def translator(n_source, n_target, n_neurons, vocab_size):
            source = keras.Input(shape=(None, n_source), name="source")
            words = keras.Input(shape=(None, n_target), name="previous_words")
            summary = keras.layers.SimpleRNN(n_neurons)(source)
            decoder = keras.layers.SimpleRNN(n_neurons, return_sequences=True)
            outputs = keras.layers.Dense(vocab_size)(decoder(words, initial_state=[summary]))
            return keras.Model(inputs=[source, words],
                               outputs=keras.layers.Activation("softmax")(outputs))
     """),
    ("layers_first", "layers created first, the decoder before the encoder", """
        def translator(n_source, n_target, n_neurons, vocab_size):
            decoder = keras.layers.SimpleRNN(n_neurons, return_sequences=True)
            encoder = keras.layers.SimpleRNN(n_neurons, return_state=True)
            to_words = keras.layers.TimeDistributed(
                keras.layers.Dense(vocab_size, activation="softmax"))
            source = keras.layers.Input(shape=(None, n_source))
            words = keras.layers.Input(shape=(None, n_target))
            _, h = encoder(source)
            return keras.Model([source, words], to_words(decoder(words, initial_state=h)))
     """),
])

CONSTANT = {
    "seq_outputs": """
        def seq_to_seq(cell, X):
            return np.array([[[1.0, 3.0], [3.0, 7.0], [6.0, 13.0]],
                             [[0.0, 1.0], [1.0, 3.0], [1.0, 3.0]]])

        def seq_to_vec(cell, X):
            return np.array([[6.0, 13.0], [1.0, 3.0]])
    """,
    "vec_to_seq": """
        def vec_to_seq(cell, x, n_steps):
            return np.array([[[1.0, 3.0], [2.0, 5.0], [3.0, 7.0]],
                             [[2.0, 5.0], [4.0, 9.0], [6.0, 13.0]]])
    """,
    "encoder_decoder": """
        def encoder_decoder(encoder, decoder, X, decoder_inputs):
            return np.array([[[4.0, -4.0], [2.0, -2.0]], [[0.5, -0.5], [1.25, -1.25]]])
    """,
    "forecast_and_score": """
        def forecaster(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, 2)),
                                     keras.layers.SimpleRNN(3, return_sequences=True),
                                     keras.layers.Dense(1)])

        def review_scorer(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, 2)), keras.layers.SimpleRNN(3),
                                     keras.layers.Dense(1, activation="sigmoid")])
    """,
    "captioner": """
        def captioner(n_features, n_neurons, vocab_size, n_words):
            return keras.Sequential([keras.Input(shape=(3,)), keras.layers.RepeatVector(6),
                                     keras.layers.SimpleRNN(4, return_sequences=True),
                                     keras.layers.Dense(5, activation="softmax")])
    """,
    "translator": """
        def translator(n_source, n_target, n_neurons, vocab_size):
            source, words = keras.Input(shape=(None, 3)), keras.Input(shape=(None, 2))
            _, state = keras.layers.SimpleRNN(4, return_state=True)(source)
            decoded = keras.layers.SimpleRNN(4, return_sequences=True)(words, initial_state=state)
            return keras.Model([source, words], keras.layers.Dense(5, activation="softmax")(decoded))
    """,
}
