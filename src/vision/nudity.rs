//! Nudity, on the device: nsfwjs's MobileNetV2 classifier (npm `nsfwjs` 4.4.0, MIT; the GantMan
//! model, 224×224 RGB in 0..1, five classes drawing/hentai/neutral/porn/sexy) run by a small
//! interpreter for the Keras layers it uses. The weights (uint8-quantised, 2.6 MB) and topology
//! are compiled in from `models/nsfw_mobilenet_v2/`; a node test checks this interpreter against
//! TensorFlow.js on the same inputs.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;
use serde_json::Value;

use super::nn::{self, Map};
use crate::Error;

const MODEL_JSON: &str = include_str!("../../models/nsfw_mobilenet_v2/model.json");
const WEIGHTS: &[u8] = include_bytes!("../../models/nsfw_mobilenet_v2/weights.bin");

/// The classifier's input side.
pub const INPUT_SIDE: usize = 224;
/// Score (porn + hentai) at and above which a photo is flagged as nudity. Measured on the 95
/// corpus photos (none nude): highest score 0.63, six between 0.4 and 0.5; 0.8 leaves a margin.
pub const FLAG_AT: f32 = 0.8;

/// The classifier's answer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Nudity {
    /// Porn + hentai probability, 0..1.
    pub score: f32,
    /// `score` ≥ [`FLAG_AT`].
    pub flagged: bool,
    /// The five class probabilities, in the model's order.
    pub classes: Classes,
}

/// Class probabilities.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Classes {
    pub drawing: f32,
    pub hentai: f32,
    pub neutral: f32,
    pub porn: f32,
    pub sexy: f32,
}

enum Op {
    Input,
    Pad {
        top: usize,
        bottom: usize,
        left: usize,
        right: usize,
    },
    Conv {
        k: usize,
        stride: usize,
        same: bool,
        cout: usize,
        kernel: Vec<f32>,
        /// Zeros for a layer without bias.
        bias: Vec<f32>,
    },
    Depthwise {
        k: usize,
        stride: usize,
        same: bool,
        kernel: Vec<f32>,
        /// Zeros for a layer without bias (the shipped model's depthwise layers have none).
        bias: Vec<f32>,
    },
    Norm {
        scale: Vec<f32>,
        shift: Vec<f32>,
    },
    Relu {
        max: Option<f32>,
    },
    Add,
    AvgPool {
        k: usize,
    },
    Flatten,
    Dense {
        units: usize,
        kernel: Vec<f32>,
        bias: Vec<f32>,
        act: Act,
    },
    Identity,
}

#[derive(Clone, Copy)]
enum Act {
    Linear,
    Relu,
    Softmax,
}

struct Node {
    op: Op,
    inputs: Vec<usize>,
}

/// The parsed network.
pub struct Network {
    nodes: Vec<Node>,
}

/// The network, parsed and dequantised once (2.6 M weights; about a third of a classification's
/// time) and kept for every later photo.
pub fn network() -> Result<&'static Network, Error> {
    static NETWORK: OnceLock<Result<Network, Error>> = OnceLock::new();
    NETWORK
        .get_or_init(Network::load)
        .as_ref()
        .map_err(Clone::clone)
}

fn bad(why: impl Into<String>) -> Error {
    Error::malformed(format!("the nudity model is not valid: {}", why.into()))
}

impl Network {
    /// Parses the compiled-in model (callers use [`network`], which does it once).
    // `serde_json::Value`'s `[]` gives `Null` for a missing key or index; it cannot panic.
    #[allow(clippy::indexing_slicing)]
    pub fn load() -> Result<Network, Error> {
        let json: Value = serde_json::from_str(MODEL_JSON).map_err(|e| bad(e.to_string()))?;
        let weights = dequantise(&json)?;
        let layers = json["modelTopology"]["model_config"]["config"]["layers"]
            .as_array()
            .ok_or_else(|| bad("no layers"))?;
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut nodes = Vec::with_capacity(layers.len());
        for layer in layers {
            let name = layer["name"]
                .as_str()
                .ok_or_else(|| bad("a layer has no name"))?;
            let class = layer["class_name"].as_str().unwrap_or_default();
            let config = &layer["config"];
            let inputs = layer["inbound_nodes"]
                .get(0)
                .and_then(Value::as_array)
                .map(|list| {
                    list.iter()
                        .filter_map(|i| i.get(0).and_then(Value::as_str))
                        .map(|n| {
                            index
                                .get(n)
                                .copied()
                                .ok_or_else(|| bad(format!("{name} reads unknown {n}")))
                        })
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?
                .unwrap_or_default();
            let w = |suffix: &str| {
                weights
                    .get(&format!("{name}/{suffix}"))
                    .cloned()
                    .ok_or_else(|| bad(format!("no weight {name}/{suffix}")))
            };
            // A convolution's bias, or zeros for one without (as the kernels take one).
            let bias = |n: usize| {
                if config["use_bias"] == true {
                    w("bias")
                } else {
                    Ok(vec![0.0; n])
                }
            };
            let int = |v: &Value| {
                v.as_u64()
                    .map(|n| n as usize)
                    .ok_or_else(|| bad(format!("{name}: not a number")))
            };
            let op = match class {
                "InputLayer" => Op::Input,
                "ZeroPadding2D" => {
                    let p = &config["padding"];
                    Op::Pad {
                        top: int(&p[0][0])?,
                        bottom: int(&p[0][1])?,
                        left: int(&p[1][0])?,
                        right: int(&p[1][1])?,
                    }
                }
                "Conv2D" => {
                    let cout = int(&config["filters"])?;
                    Op::Conv {
                        k: int(&config["kernel_size"][0])?,
                        stride: int(&config["strides"][0])?,
                        same: config["padding"] == "same",
                        cout,
                        kernel: w("kernel")?,
                        bias: bias(cout)?,
                    }
                }
                "DepthwiseConv2D" => {
                    let k = int(&config["kernel_size"][0])?;
                    let kernel = w("depthwise_kernel")?;
                    Op::Depthwise {
                        k,
                        stride: int(&config["strides"][0])?,
                        same: config["padding"] == "same",
                        bias: bias(kernel.len() / (k * k).max(1))?,
                        kernel,
                    }
                }
                "BatchNormalization" => {
                    let eps = config["epsilon"].as_f64().unwrap_or(1e-3) as f32;
                    let (gamma, beta, mean, var) = (
                        w("gamma")?,
                        w("beta")?,
                        w("moving_mean")?,
                        w("moving_variance")?,
                    );
                    let scale: Vec<f32> = gamma
                        .iter()
                        .zip(&var)
                        .map(|(g, v)| g / (v + eps).sqrt())
                        .collect();
                    let shift = beta
                        .iter()
                        .zip(&mean)
                        .zip(&scale)
                        .map(|((b, m), s)| b - m * s)
                        .collect();
                    Op::Norm { scale, shift }
                }
                "ReLU" => Op::Relu {
                    max: config["max_value"].as_f64().map(|m| m as f32),
                },
                "Add" => Op::Add,
                "AveragePooling2D" => Op::AvgPool {
                    k: Some(int(&config["pool_size"][0])?)
                        .filter(|&k| k > 0)
                        .ok_or_else(|| bad(format!("{name}: a pool of size 0")))?,
                },
                "Flatten" => Op::Flatten,
                "Dropout" => Op::Identity,
                "Dense" => Op::Dense {
                    units: int(&config["units"])?,
                    kernel: w("kernel")?,
                    bias: w("bias")?,
                    act: match config["activation"].as_str() {
                        Some("relu") => Act::Relu,
                        Some("softmax") => Act::Softmax,
                        _ => Act::Linear,
                    },
                },
                other => return Err(bad(format!("layer type {other} is not supported"))),
            };
            index.insert(name.to_owned(), nodes.len());
            nodes.push(Node { op, inputs });
        }
        Ok(Network { nodes })
    }

    /// Classifies a 224×224 RGB image given as 0..1 floats (row-major, channels last).
    pub fn classify(&self, input: &[f32]) -> Result<Nudity, Error> {
        if input.len() != INPUT_SIDE * INPUT_SIDE * 3 {
            return Err(Error::invalid("the nudity classifier takes 224×224 RGB"));
        }
        let mut outputs: Vec<Option<Map>> = Vec::with_capacity(self.nodes.len());
        for node in &self.nodes {
            let arg = |i: usize| -> Result<&Map, Error> {
                node.inputs
                    .get(i)
                    .and_then(|&n| outputs.get(n))
                    .and_then(Option::as_ref)
                    .ok_or_else(|| bad("a layer's input is missing"))
            };
            let out = match &node.op {
                Op::Input => Map {
                    h: INPUT_SIDE,
                    w: INPUT_SIDE,
                    c: 3,
                    data: input.to_vec(),
                },
                Op::Pad {
                    top,
                    bottom,
                    left,
                    right,
                } => pad(arg(0)?, *top, *bottom, *left, *right),
                Op::Conv {
                    k,
                    stride,
                    same,
                    cout,
                    kernel,
                    bias,
                } => nn::conv(arg(0)?, *k, *stride, *same, *cout, kernel, bias)?,
                Op::Depthwise {
                    k,
                    stride,
                    same,
                    kernel,
                    bias,
                } => nn::depthwise(arg(0)?, *k, *stride, *same, kernel, bias)?,
                Op::Norm { scale, shift } => {
                    let mut x = arg(0)?.clone();
                    for px in x.data.chunks_exact_mut(x.c.max(1)) {
                        for ((v, s), b) in px.iter_mut().zip(scale).zip(shift) {
                            *v = *v * s + b;
                        }
                    }
                    x
                }
                Op::Relu { max } => {
                    let mut x = arg(0)?.clone();
                    let top = max.unwrap_or(f32::INFINITY);
                    for v in &mut x.data {
                        *v = v.clamp(0.0, top);
                    }
                    x
                }
                Op::Add => {
                    let (a, b) = (arg(0)?, arg(1)?);
                    if a.data.len() != b.data.len() {
                        return Err(bad("added maps differ in size"));
                    }
                    Map {
                        data: a.data.iter().zip(&b.data).map(|(x, y)| x + y).collect(),
                        ..a.clone()
                    }
                }
                Op::AvgPool { k } => avg_pool(arg(0)?, *k),
                Op::Flatten | Op::Identity => arg(0)?.clone(),
                Op::Dense {
                    units,
                    kernel,
                    bias,
                    act,
                } => dense(arg(0)?, *units, kernel, bias, *act)?,
            };
            outputs.push(Some(out));
        }
        let last = outputs.pop().flatten().ok_or_else(|| bad("no output"))?;
        let p = |i: usize| last.data.get(i).copied().unwrap_or(0.0);
        let classes = Classes {
            drawing: p(0),
            hentai: p(1),
            neutral: p(2),
            porn: p(3),
            sexy: p(4),
        };
        let score = (classes.porn + classes.hentai).clamp(0.0, 1.0);
        Ok(Nudity {
            score,
            flagged: score >= FLAG_AT,
            classes,
        })
    }
}

/// Every weight, by name, as f32 (each is stored as uint8 with a min and a scale).
// `serde_json::Value`'s `[]` gives `Null` for a missing key or index; it cannot panic.
#[allow(clippy::indexing_slicing)]
fn dequantise(json: &Value) -> Result<HashMap<String, Vec<f32>>, Error> {
    let mut out = HashMap::new();
    let mut at = 0usize;
    for group in json["weightsManifest"]
        .as_array()
        .ok_or_else(|| bad("no weights manifest"))?
    {
        for spec in group["weights"]
            .as_array()
            .ok_or_else(|| bad("no weights"))?
        {
            let name = spec["name"]
                .as_str()
                .ok_or_else(|| bad("a weight has no name"))?;
            let count: usize = spec["shape"]
                .as_array()
                .ok_or_else(|| bad("a weight has no shape"))?
                .iter()
                .map(|d| d.as_u64().unwrap_or(0) as usize)
                .product();
            let q = &spec["quantization"];
            if q["dtype"] != "uint8" {
                return Err(bad(format!("{name} is not uint8-quantised")));
            }
            let (min, scale) = (
                q["min"].as_f64().unwrap_or(0.0),
                q["scale"].as_f64().unwrap_or(0.0),
            );
            let bytes = WEIGHTS
                .get(at..at + count)
                .ok_or_else(|| bad("the weights file is too short"))?;
            out.insert(
                name.to_owned(),
                bytes
                    .iter()
                    .map(|&b| (min + f64::from(b) * scale) as f32)
                    .collect(),
            );
            at += count;
        }
    }
    if at != WEIGHTS.len() {
        return Err(bad("the weights file does not match the manifest"));
    }
    Ok(out)
}

fn pad(x: &Map, top: usize, bottom: usize, left: usize, right: usize) -> Map {
    let (h, w) = (x.h + top + bottom, x.w + left + right);
    let mut data = vec![0.0; h * w * x.c];
    for y in 0..x.h {
        let src = x
            .data
            .get(y * x.w * x.c..(y + 1) * x.w * x.c)
            .unwrap_or_default();
        let at = ((y + top) * w + left) * x.c;
        if let Some(dst) = data.get_mut(at..at + src.len()) {
            dst.copy_from_slice(src);
        }
    }
    Map { h, w, c: x.c, data }
}

fn avg_pool(x: &Map, k: usize) -> Map {
    let (oh, ow) = (x.h / k, x.w / k);
    let mut data = vec![0.0f32; oh * ow * x.c];
    for oy in 0..oh {
        for ox in 0..ow {
            for y in oy * k..(oy + 1) * k {
                for xx in ox * k..(ox + 1) * k {
                    let at = (y * x.w + xx) * x.c;
                    let px = x.data.get(at..at + x.c).unwrap_or_default();
                    let out = data
                        .get_mut((oy * ow + ox) * x.c..(oy * ow + ox + 1) * x.c)
                        .unwrap_or_default();
                    for (o, v) in out.iter_mut().zip(px) {
                        *o += v / (k * k) as f32;
                    }
                }
            }
        }
    }
    Map {
        h: oh,
        w: ow,
        c: x.c,
        data,
    }
}

fn dense(x: &Map, units: usize, kernel: &[f32], bias: &[f32], act: Act) -> Result<Map, Error> {
    let n = x.data.len();
    if kernel.len() != n * units || bias.len() != units {
        return Err(bad("a dense layer does not fit its input"));
    }
    let mut out = bias.to_vec();
    for (i, &v) in x.data.iter().enumerate() {
        let row = kernel.get(i * units..(i + 1) * units).unwrap_or_default();
        for (o, &wv) in out.iter_mut().zip(row) {
            *o += v * wv;
        }
    }
    match act {
        Act::Relu => out.iter_mut().for_each(|v| *v = v.max(0.0)),
        Act::Softmax => {
            let top = out.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let sum: f32 = out
                .iter_mut()
                .map(|v| {
                    *v = (*v - top).exp();
                    *v
                })
                .sum();
            out.iter_mut()
                .for_each(|v| *v /= sum.max(f32::MIN_POSITIVE));
        }
        Act::Linear => {}
    }
    Ok(Map {
        h: 1,
        w: 1,
        c: units,
        data: out,
    })
}

/// Resizes upright RGB(A) pixels to 224×224 as TensorFlow.js's `resizeBilinear` with
/// `alignCorners` does (what nsfwjs feeds its model), scaled to 0..1.
pub fn model_input(
    pixels: &[u8],
    width: u32,
    height: u32,
    channels: usize,
) -> Result<Vec<f32>, Error> {
    let (w, h) = (width as usize, height as usize);
    if w == 0 || h == 0 || !(3..=4).contains(&channels) || pixels.len() != w * h * channels {
        return Err(Error::invalid("the pixels do not match the stated size"));
    }
    let n = INPUT_SIDE;
    let mut out = Vec::with_capacity(n * n * 3);
    let ratio = |len: usize| {
        if n > 1 {
            (len - 1) as f32 / (n - 1) as f32
        } else {
            0.0
        }
    };
    let (ry, rx) = (ratio(h), ratio(w));
    let get = |x: usize, y: usize, c: usize| {
        f32::from(pixels.get((y * w + x) * channels + c).copied().unwrap_or(0))
    };
    for oy in 0..n {
        let fy = oy as f32 * ry;
        let (y0, dy) = (fy.floor() as usize, fy - fy.floor());
        let y1 = (y0 + 1).min(h - 1);
        for ox in 0..n {
            let fx = ox as f32 * rx;
            let (x0, dx) = (fx.floor() as usize, fx - fx.floor());
            let x1 = (x0 + 1).min(w - 1);
            for c in 0..3 {
                let top = get(x0, y0, c) + (get(x1, y0, c) - get(x0, y0, c)) * dx;
                let bottom = get(x0, y1, c) + (get(x1, y1, c) - get(x0, y1, c)) * dx;
                out.push((top + (bottom - top) * dy) / 255.0);
            }
        }
    }
    Ok(out)
}
