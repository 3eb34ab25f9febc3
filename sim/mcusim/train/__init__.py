"""On-device learning: the last FULLY_CONNECTED layer trained on the simulated MCU.

`mcusim train MODEL --board B --data train.npz --eval eval.npz`: run.train() builds a firmware
that runs the model's int8 layers up to that layer as a feature extractor and trains the layer
in float32 with SGD (firmware.py); reference.py is the same update in numpy, operation for
operation, which the trained weights must equal bit for bit.
"""
