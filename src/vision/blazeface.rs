//! MediaPipe's BlazeFace full-range face detector (npm `@mediapipe/face_detection`
//! 0.4.1657300184, Apache-2.0), converted once from TensorFlow Lite by
//! `scripts/convert-blazeface.py` into a list of operations and float32 weights
//! (`models/blazeface/`), run here by [`super::nn`].
//!
//! The network is fully convolutional: it runs on any input whose sides are multiples of 32 and
//! answers on a grid of one anchor per 4×4 input pixels: a face score (a logit) and a box with six
//! key points, in input pixels relative to the anchor's centre.

use std::sync::OnceLock;

use serde::Deserialize;

use super::nn::{self, Map};
use crate::Error;

const MODEL_JSON: &str = include_str!("../../models/blazeface/model.json");
const WEIGHTS: &[u8] = include_bytes!("../../models/blazeface/weights.bin");

/// Input sides must be multiples of this (five halvings, then four doublings back to the grid).
pub const SIDE_STEP: usize = 32;
/// Input pixels per anchor (the output grid's stride).
pub const GRID_STRIDE: usize = 4;

#[derive(Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum Step {
    Conv {
        #[serde(rename = "in")]
        input: usize,
        out: usize,
        k: usize,
        stride: usize,
        padding: Padding,
        cin: usize,
        cout: usize,
        kernel: usize,
        bias: usize,
    },
    Depthwise {
        #[serde(rename = "in")]
        input: usize,
        out: usize,
        k: usize,
        stride: usize,
        padding: Padding,
        c: usize,
        kernel: usize,
        bias: usize,
    },
    Relu {
        #[serde(rename = "in")]
        input: usize,
        out: usize,
    },
    Add {
        #[serde(rename = "in")]
        input: [usize; 2],
        out: usize,
    },
    Maxpool2 {
        #[serde(rename = "in")]
        input: usize,
        out: usize,
    },
    PadChannels {
        #[serde(rename = "in")]
        input: usize,
        out: usize,
        extra: usize,
    },
    Upsample2 {
        #[serde(rename = "in")]
        input: usize,
        out: usize,
    },
}

#[derive(Deserialize, Clone, Copy, PartialEq)]
#[serde(rename_all = "snake_case")]
enum Padding {
    Same,
    Valid,
}

#[derive(Deserialize)]
struct Description {
    tensors: usize,
    scores: usize,
    boxes: usize,
    weights: usize,
    ops: Vec<Step>,
}

impl Step {
    fn inputs(&self) -> Vec<usize> {
        match self {
            Step::Add { input, .. } => input.to_vec(),
            Step::Conv { input, .. }
            | Step::Depthwise { input, .. }
            | Step::Relu { input, .. }
            | Step::Maxpool2 { input, .. }
            | Step::PadChannels { input, .. }
            | Step::Upsample2 { input, .. } => vec![*input],
        }
    }

    fn output(&self) -> usize {
        match self {
            Step::Conv { out, .. }
            | Step::Depthwise { out, .. }
            | Step::Relu { out, .. }
            | Step::Add { out, .. }
            | Step::Maxpool2 { out, .. }
            | Step::PadChannels { out, .. }
            | Step::Upsample2 { out, .. } => *out,
        }
    }
}

/// The detector, read once from the compiled-in description.
pub struct Network {
    description: Description,
    weights: Vec<f32>,
    /// For each tensor, the index of the last step that reads it (freed after that step).
    last_use: Vec<usize>,
}

/// What the network says for one input: per anchor, a score logit and 16 box numbers.
pub struct Answer {
    /// Grid size (input size / [`GRID_STRIDE`]).
    pub grid_w: usize,
    pub grid_h: usize,
    pub scores: Vec<f32>,
    pub boxes: Vec<f32>,
}

fn bad(what: impl std::fmt::Display) -> Error {
    Error::malformed(format!("the face model could not be read: {what}"))
}

/// The network, parsed once (the engine looks at faces several times per photo).
pub fn network() -> Result<&'static Network, Error> {
    static PARSED: OnceLock<Result<Network, Error>> = OnceLock::new();
    PARSED
        .get_or_init(|| Network::parse(MODEL_JSON, WEIGHTS))
        .as_ref()
        .map_err(Clone::clone)
}

impl Network {
    fn parse(json: &str, bytes: &[u8]) -> Result<Network, Error> {
        let description: Description = serde_json::from_str(json).map_err(bad)?;
        if bytes.len() != description.weights * 4 {
            return Err(bad("the weights file does not match the description"));
        }
        let weights: Vec<f32> = bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes(b.try_into().unwrap_or_default()))
            .collect();
        let n = description.tensors;
        if description.scores >= n || description.boxes >= n {
            return Err(bad("an output is not a tensor"));
        }
        let mut last_use = vec![0; n];
        // Tensor 0 is the input.
        let mut made: Vec<bool> = (0..n).map(|t| t == 0).collect();
        for (i, step) in description.ops.iter().enumerate() {
            for t in step.inputs() {
                match (made.get(t), last_use.get_mut(t)) {
                    (Some(true), Some(last)) => *last = i,
                    _ => return Err(bad("a step reads a tensor not made before it")),
                }
            }
            match made.get_mut(step.output()) {
                Some(slot) => *slot = true,
                None => return Err(bad("a step writes outside the tensors")),
            }
        }
        // The outputs are read after the last step.
        let end = description.ops.len();
        for t in [description.scores, description.boxes] {
            if let Some(last) = last_use.get_mut(t) {
                *last = end;
            }
        }
        Ok(Network {
            description,
            weights,
            last_use,
        })
    }

    fn slice(&self, at: usize, len: usize) -> Result<&[f32], Error> {
        self.weights
            .get(at..at.saturating_add(len))
            .ok_or_else(|| bad("a step's weights lie outside the weights file"))
    }

    /// Runs the network on an input map (values in -1..1, 3 channels, sides multiples of
    /// [`SIDE_STEP`]).
    pub fn run(&self, input: Map) -> Result<Answer, Error> {
        if input.c != 3
            || !input.h.is_multiple_of(SIDE_STEP)
            || !input.w.is_multiple_of(SIDE_STEP)
            || input.h == 0
        {
            return Err(Error::invalid(
                "the face detector's input must be RGB with sides a multiple of 32",
            ));
        }
        let (grid_h, grid_w) = (input.h / GRID_STRIDE, input.w / GRID_STRIDE);
        let mut tensors: Vec<Option<Map>> = (0..self.description.tensors).map(|_| None).collect();
        if let Some(slot) = tensors.get_mut(0) {
            *slot = Some(input);
        }
        for (i, step) in self.description.ops.iter().enumerate() {
            let out = match *step {
                Step::Conv {
                    input,
                    k,
                    stride,
                    padding,
                    cin,
                    cout,
                    kernel,
                    bias,
                    ..
                } => {
                    let x = one(&tensors, input)?;
                    if x.c != cin {
                        return Err(bad("a convolution's channels do not match"));
                    }
                    nn::conv(
                        x,
                        k,
                        stride,
                        padding == Padding::Same,
                        cout,
                        self.slice(kernel, k * k * cin * cout)?,
                        self.slice(bias, cout)?,
                    )?
                }
                Step::Depthwise {
                    input,
                    k,
                    stride,
                    padding,
                    c,
                    kernel,
                    bias,
                    ..
                } => {
                    let x = one(&tensors, input)?;
                    if x.c != c {
                        return Err(bad("a depthwise convolution's channels do not match"));
                    }
                    nn::depthwise(
                        x,
                        k,
                        stride,
                        padding == Padding::Same,
                        self.slice(kernel, k * k * c)?,
                        self.slice(bias, c)?,
                    )?
                }
                Step::Relu { input, .. } => {
                    let mut x = self.take_or_copy(&mut tensors, input, i)?;
                    nn::relu(&mut x);
                    x
                }
                Step::Add { input: [a, b], .. } => {
                    // Sum into whichever operand is not read again (usually one is not).
                    let (a, b) = if self.last_use.get(a) == Some(&i) {
                        (a, b)
                    } else {
                        (b, a)
                    };
                    let mut sum = self.take_or_copy(&mut tensors, a, i)?;
                    nn::add_into(&mut sum, one(&tensors, b)?)?;
                    sum
                }
                Step::Maxpool2 { input, .. } => nn::max_pool2(one(&tensors, input)?),
                Step::PadChannels { input, extra, .. } => {
                    nn::pad_channels(one(&tensors, input)?, extra)
                }
                Step::Upsample2 { input, .. } => nn::upsample2(one(&tensors, input)?),
            };
            for t in step.inputs() {
                if self.last_use.get(t) == Some(&i) {
                    if let Some(slot) = tensors.get_mut(t) {
                        *slot = None;
                    }
                }
            }
            if let Some(slot) = tensors.get_mut(step.output()) {
                *slot = Some(out);
            }
        }
        let end = self.description.ops.len();
        let scores = self.take_or_copy(&mut tensors, self.description.scores, end)?;
        let boxes = self.take_or_copy(&mut tensors, self.description.boxes, end)?;
        if (scores.h, scores.w, scores.c) != (grid_h, grid_w, 1)
            || (boxes.h, boxes.w, boxes.c) != (grid_h, grid_w, 16)
        {
            return Err(bad("the outputs are not the expected grid"));
        }
        Ok(Answer {
            grid_w,
            grid_h,
            scores: scores.data,
            boxes: boxes.data,
        })
    }
}

/// A tensor made by an earlier step.
fn one(tensors: &[Option<Map>], t: usize) -> Result<&Map, Error> {
    tensors
        .get(t)
        .and_then(Option::as_ref)
        .ok_or_else(|| bad("a step reads a tensor that is gone"))
}

impl Network {
    /// Tensor `t` for step `i` to change: taken if step `i` is its last reader, else copied.
    fn take_or_copy(&self, tensors: &mut [Option<Map>], t: usize, i: usize) -> Result<Map, Error> {
        if self.last_use.get(t) == Some(&i) {
            tensors
                .get_mut(t)
                .and_then(Option::take)
                .ok_or_else(|| bad("a step reads a tensor that is gone"))
        } else {
            one(tensors, t).cloned()
        }
    }
}

/// A candidate face in input pixels, with its probability.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    pub score: f32,
}

impl Answer {
    /// Anchors whose face probability is at least `min_score`, as boxes in input pixels.
    pub fn candidates(&self, min_score: f32) -> Vec<Candidate> {
        // Compare logits, not probabilities: the sigmoid is only computed for the few kept.
        let min_logit = (min_score / (1.0 - min_score)).ln();
        let mut out = Vec::new();
        for (i, (&logit, raw)) in self
            .scores
            .iter()
            .zip(self.boxes.chunks_exact(16))
            .enumerate()
        {
            if logit < min_logit || !logit.is_finite() {
                continue;
            }
            let (gx, gy) = (i % self.grid_w, i / self.grid_w);
            let anchor_x = (gx as f32 + 0.5) * GRID_STRIDE as f32;
            let anchor_y = (gy as f32 + 0.5) * GRID_STRIDE as f32;
            let [dx, dy, w, h, ..] = *raw else { continue };
            if w <= 0.0 || h <= 0.0 {
                continue;
            }
            let (cx, cy) = (anchor_x + dx, anchor_y + dy);
            out.push(Candidate {
                x: cx - w / 2.0,
                y: cy - h / 2.0,
                width: w,
                height: h,
                score: 1.0 / (1.0 + (-logit.clamp(-100.0, 100.0)).exp()),
            });
        }
        out
    }
}

fn iou(a: &Candidate, b: &Candidate) -> f32 {
    let ix = ((a.x + a.width).min(b.x + b.width) - a.x.max(b.x)).max(0.0);
    let iy = ((a.y + a.height).min(b.y + b.height) - a.y.max(b.y)).max(0.0);
    let inter = ix * iy;
    let union = a.width * a.height + b.width * b.height - inter;
    if union > 0.0 {
        inter / union
    } else {
        0.0
    }
}

/// MediaPipe's weighted non-maximum suppression: the best candidate and every candidate
/// overlapping it by more than `threshold` (IoU) become one face whose box is their
/// score-weighted mean and whose score is the best one's.
pub fn weighted_nms(mut candidates: Vec<Candidate>, threshold: f32) -> Vec<Candidate> {
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut faces = Vec::new();
    while let Some(best) = candidates.first().copied() {
        let (group, rest): (Vec<Candidate>, Vec<Candidate>) = candidates
            .into_iter()
            .partition(|c| iou(&best, c) > threshold);
        let total: f32 = group.iter().map(|c| c.score).sum();
        let mean = |f: fn(&Candidate) -> f32| {
            group.iter().map(|c| f(c) * c.score).sum::<f32>() / total.max(f32::MIN_POSITIVE)
        };
        faces.push(Candidate {
            x: mean(|c| c.x),
            y: mean(|c| c.y),
            width: mean(|c| c.width),
            height: mean(|c| c.height),
            score: best.score,
        });
        // `best` overlaps itself, so each round removes at least one candidate.
        candidates = rest;
    }
    faces
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn the_compiled_in_model_parses_and_answers_on_a_grid() {
        let net = network().unwrap();
        let answer = net.run(Map::zeros(64, 96, 3)).unwrap();
        assert_eq!((answer.grid_h, answer.grid_w), (16, 24));
        assert_eq!(answer.scores.len(), 16 * 24);
        assert!(net.run(Map::zeros(60, 96, 3)).is_err());
        assert!(net.run(Map::zeros(64, 64, 1)).is_err());
    }

    #[test]
    fn broken_descriptions_are_errors() {
        assert!(Network::parse("{}", WEIGHTS).is_err());
        assert!(Network::parse(MODEL_JSON, &WEIGHTS[4..]).is_err());
        let reads_later = MODEL_JSON.replacen("\"in\":0,", "\"in\":99,", 1);
        assert!(Network::parse(&reads_later, WEIGHTS).is_err());
    }

    #[test]
    fn overlapping_candidates_merge_weighted_by_score() {
        let c = |x: f32, score: f32| Candidate {
            x,
            y: 0.0,
            width: 10.0,
            height: 10.0,
            score,
        };
        let faces = weighted_nms(vec![c(0.0, 0.9), c(2.0, 0.3), c(50.0, 0.6)], 0.3);
        assert_eq!(faces.len(), 2);
        assert!((faces[0].x - 0.5).abs() < 1e-5, "{:?}", faces[0]);
        assert_eq!(faces[0].score, 0.9);
        assert_eq!(faces[1].x, 50.0);
    }
}
