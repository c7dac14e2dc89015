#!/usr/bin/env python3
"""Converts MediaPipe's BlazeFace full-range face detector from TensorFlow Lite to the engine's
own small format: a JSON list of operations (models/blazeface/model.json) and the weights as
little-endian float32 (models/blazeface/weights.bin), so the engine needs no TFLite runtime.

Source: npm package @mediapipe/face_detection 0.4.1657300184 (Apache-2.0), file
face_detection_full_range.tflite (SHA-256 checked below). Needs PyPI `tflite` 2.18.0 (the
flatbuffer schema) and numpy. Usage:
    python3 scripts/convert-blazeface.py PATH/TO/face_detection_full_range.tflite
Nothing is changed in the network: float16 weights are widened to float32 exactly, convolution
kernels are reordered to [ky][kx][cin][cout], and DEQUANTIZE/RESHAPE steps are dropped (the
engine reads the two output maps directly). Prints the SHA-256 of both outputs.

With `--reference GROUP_PHOTO` (rustface 0.1.7's test.png; needs PyPI `tflite-runtime` 2.14.0,
numpy < 2 and Pillow) it also writes models/blazeface/reference.json: what TensorFlow Lite itself
answers on a 192×192 crop of that photo, which a test requires the engine to reproduce.
"""
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import tflite

SOURCE_SHA256 = "99bf9494d84f50acc6617d89873f71bf6635a841ea699c17cb3377f9507cfec3"
OUT = Path(__file__).resolve().parent.parent / "models" / "blazeface"

SAME, VALID = 0, 1


def main(path: str) -> None:
    buf = Path(path).read_bytes()
    if hashlib.sha256(buf).hexdigest() != SOURCE_SHA256:
        sys.exit(f"{path}: not the pinned face_detection_full_range.tflite")
    model = tflite.Model.GetRootAsModel(buf, 0)
    graph = model.Subgraphs(0)
    names = {v: k for k, v in tflite.BuiltinOperator.__dict__.items() if not k.startswith("_")}

    def tensor(i):
        return graph.Tensors(i)

    def constant(i):
        """A constant tensor's values, widened to float32 (or int32 for sizes/paddings)."""
        t = tensor(i)
        data = model.Buffers(t.Buffer()).DataAsNumpy()
        dtype = {tflite.TensorType.FLOAT16: np.float16, tflite.TensorType.FLOAT32: np.float32,
                 tflite.TensorType.INT32: np.int32}[t.Type()]
        return np.frombuffer(data.tobytes(), dtype).reshape(t.ShapeAsNumpy())

    dequantized = {}  # tensor produced by DEQUANTIZE -> its float32 values
    ops = []
    weights = bytearray()
    ids = {}  # tflite tensor index -> our dense id

    def tid(i):
        if i not in ids:
            ids[i] = len(ids)
        return ids[i]

    def store(values):
        offset = len(weights) // 4
        weights.extend(np.ascontiguousarray(values, np.float32).astype("<f4").tobytes())
        return offset

    def value(i):
        return dequantized[i] if i in dequantized else constant(i).astype(np.float32)

    def padding(options):
        return {SAME: "same", VALID: "valid"}[options.Padding()]

    input_index = graph.Inputs(0)
    tid(input_index)
    outputs = {}
    for n in range(graph.OperatorsLength()):
        op = graph.Operators(n)
        code = model.OperatorCodes(op.OpcodeIndex())
        name = names[max(code.BuiltinCode(), code.DeprecatedBuiltinCode())]
        ins = [op.Inputs(j) for j in range(op.InputsLength())]
        out = op.Outputs(0)
        opt = op.BuiltinOptions()
        if name == "DEQUANTIZE":
            dequantized[out] = constant(ins[0]).astype(np.float32)
        elif name == "CONV_2D":
            o = tflite.Conv2DOptions()
            o.Init(opt.Bytes, opt.Pos)
            assert o.FusedActivationFunction() == 0 and o.DilationHFactor() == 1
            assert o.StrideW() == o.StrideH()
            kernel = value(ins[1])  # [cout, kh, kw, cin]
            cout, kh, kw, cin = kernel.shape
            assert kh == kw
            ops.append({"op": "conv", "in": tid(ins[0]), "out": tid(out), "k": int(kh),
                        "stride": o.StrideW(), "padding": padding(o), "cin": int(cin),
                        "cout": int(cout), "kernel": store(kernel.transpose(1, 2, 3, 0)),
                        "bias": store(value(ins[2]))})
        elif name == "DEPTHWISE_CONV_2D":
            o = tflite.DepthwiseConv2DOptions()
            o.Init(opt.Bytes, opt.Pos)
            assert o.FusedActivationFunction() == 0 and o.DepthMultiplier() == 1
            assert o.StrideW() == o.StrideH()
            kernel = value(ins[1])  # [1, kh, kw, c]
            _, kh, kw, c = kernel.shape
            ops.append({"op": "depthwise", "in": tid(ins[0]), "out": tid(out), "k": int(kh),
                        "stride": o.StrideW(), "padding": padding(o), "c": int(c),
                        "kernel": store(kernel[0]), "bias": store(value(ins[2]))})
        elif name == "RELU":
            ops.append({"op": "relu", "in": tid(ins[0]), "out": tid(out)})
        elif name == "ADD":
            o = tflite.AddOptions()
            o.Init(opt.Bytes, opt.Pos)
            assert o.FusedActivationFunction() == 0
            ops.append({"op": "add", "in": [tid(ins[0]), tid(ins[1])], "out": tid(out)})
        elif name == "MAX_POOL_2D":
            o = tflite.Pool2DOptions()
            o.Init(opt.Bytes, opt.Pos)
            assert (o.FilterWidth(), o.FilterHeight(), o.StrideW(), o.StrideH()) == (2, 2, 2, 2)
            ops.append({"op": "maxpool2", "in": tid(ins[0]), "out": tid(out)})
        elif name == "PAD":
            pads = constant(ins[1]).tolist()
            # Only the channel padding of BlazeFace's residual shortcuts occurs.
            assert pads[:3] == [[0, 0]] * 3 and pads[3][0] == 0, pads
            ops.append({"op": "pad_channels", "in": tid(ins[0]), "out": tid(out),
                        "extra": int(pads[3][1])})
        elif name == "RESIZE_BILINEAR":
            o = tflite.ResizeBilinearOptions()
            o.Init(opt.Bytes, opt.Pos)
            assert not o.AlignCorners() and o.HalfPixelCenters()
            ops.append({"op": "upsample2", "in": tid(ins[0]), "out": tid(out)})
        elif name == "RESHAPE":
            # [1, H, W, C] -> [1, H*W, C]: the same bytes; the engine reads the map itself.
            outputs[tensor(out).Name().decode()] = tid(ins[0])
        else:
            sys.exit(f"operator {name} is not supported")
    scores = next(v for k, v in outputs.items() if "classifier" in k)
    boxes = next(v for k, v in outputs.items() if "regressor" in k)
    shape = tensor(input_index).ShapeAsNumpy().tolist()
    doc = {
        "source": "npm @mediapipe/face_detection 0.4.1657300184, face_detection_full_range.tflite",
        "source_sha256": SOURCE_SHA256,
        "licence": "Apache-2.0",
        "input": {"id": 0, "height": shape[1], "width": shape[2], "channels": shape[3],
                  "range": [-1.0, 1.0]},
        "tensors": len(ids),
        "scores": scores,
        "boxes": boxes,
        "weights": len(weights) // 4,
        "ops": ops,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    text = json.dumps(doc, separators=(",", ":")).replace('{"op"', '\n{"op"') + "\n"
    (OUT / "model.json").write_text(text)
    (OUT / "weights.bin").write_bytes(bytes(weights))
    for f in ("model.json", "weights.bin"):
        print(f, hashlib.sha256((OUT / f).read_bytes()).hexdigest())


REFERENCE_CROP = (300, 200)  # left, top of the 192x192 crop: two faces in it


def reference(model_path: str, photo: str) -> None:
    from PIL import Image
    import tflite_runtime.interpreter as tfl

    rgb = np.asarray(Image.open(photo).convert("RGB"))
    x0, y0 = REFERENCE_CROP
    crop = rgb[y0:y0 + 192, x0:x0 + 192].astype(np.float32) / 127.5 - 1.0
    run = tfl.Interpreter(model_path=model_path)
    run.allocate_tensors()
    run.set_tensor(run.get_input_details()[0]["index"], crop[None])
    run.invoke()
    outs = {d["shape"][-1]: run.get_tensor(d["index"])[0] for d in run.get_output_details()}
    scores, boxes = outs[1][:, 0], outs[16]
    top = np.argsort(-scores)[:8]
    doc = {
        "what": "TensorFlow Lite 2.14 (tflite-runtime) on face_detection_full_range.tflite",
        "photo": "rustface 0.1.7 test.png, RGB / 127.5 - 1, crop left/top below, 192x192",
        "crop": list(REFERENCE_CROP),
        "scores": [round(float(v), 4) for v in scores],
        "boxes": {str(int(i)): [round(float(v), 3) for v in boxes[i]] for i in top},
    }
    (OUT / "reference.json").write_text(json.dumps(doc) + "\n")
    print("reference.json", hashlib.sha256((OUT / "reference.json").read_bytes()).hexdigest())


if __name__ == "__main__":
    main(sys.argv[1])
    if len(sys.argv) > 3 and sys.argv[2] == "--reference":
        reference(sys.argv[1], sys.argv[3])
