//! Turning decision scores into probabilities that mean what they say.
//!
//! The scores used to fit the calibration are approximate leave-one-out
//! scores: a training row's own contribution `αᵢ yᵢ ‖xᵢ‖²` is taken out of its
//! score, so the calibration sees margins like those of unseen documents
//! instead of the over-confident training margins — at the cost of one
//! extra pass over the rows, not a cross-validation.

use serde::{Deserialize, Serialize};

/// `p = σ(scale · s + offset)` for two classes; `p_k ∝ exp(scale · s_k)` otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Multiplies the scores.
    pub scale: f32,
    /// Added to the score (two classes only).
    pub offset: f32,
}

impl Default for Calibration {
    fn default() -> Self {
        Calibration {
            scale: 1.0,
            offset: 0.0,
        }
    }
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// Backtracking line search: tries step fractions 1, ½, ¼, … while the step,
/// `length` times the fraction, exceeds `min_length`; stops at the first one
/// `accept` takes. Returns whether one was taken.
fn backtrack(length: f64, min_length: f64, mut accept: impl FnMut(f64) -> bool) -> bool {
    let mut t = 1.0;
    while length * t > min_length {
        if accept(t) {
            return true;
        }
        t *= 0.5;
    }
    false
}

impl Calibration {
    /// Whether the numbers can be used.
    pub(crate) fn is_valid(&self) -> bool {
        self.scale.is_finite() && self.scale > 0.0 && self.offset.is_finite()
    }

    /// Probability of the positive class from a score.
    pub fn binary(&self, score: f32) -> f32 {
        sigmoid(f64::from(self.scale * score + self.offset)) as f32
    }

    /// Turns class scores into probabilities in place.
    pub fn softmax(&self, scores: &mut [f32]) {
        let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut total = 0.0f32;
        for s in scores.iter_mut() {
            *s = (self.scale * (*s - max)).exp();
            total += *s;
        }
        scores.iter_mut().for_each(|s| *s /= total);
    }

    /// Platt scaling: fits `scale` and `offset` by Newton's method on the
    /// log loss, with Platt's smoothed targets.
    pub(crate) fn fit_binary(scores: &[f64], positive: &[bool]) -> Self {
        let n_pos = positive.iter().filter(|&&p| p).count() as f64;
        let n_neg = positive.len() as f64 - n_pos;
        let t_pos = (n_pos + 1.0) / (n_pos + 2.0);
        let t_neg = 1.0 / (n_neg + 2.0);
        let loss = |a: f64, b: f64| -> f64 {
            scores
                .iter()
                .zip(positive)
                .map(|(&s, &p)| {
                    let t = if p { t_pos } else { t_neg };
                    let z = a * s + b;
                    // -[t ln σ(z) + (1 - t) ln(1 - σ(z))], computed stably.
                    let log1pexp = if z > 0.0 {
                        z + (-z).exp().ln_1p()
                    } else {
                        z.exp().ln_1p()
                    };
                    log1pexp - t * z
                })
                .sum()
        };
        let (mut a, mut b) = (1.0f64, ((n_pos + 1.0) / (n_neg + 1.0)).ln());
        let mut current = loss(a, b);
        for _ in 0..100 {
            let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 1e-12, 0.0, 1e-12);
            for (&s, &p) in scores.iter().zip(positive) {
                let t = if p { t_pos } else { t_neg };
                let q = sigmoid(a * s + b);
                let d = q - t;
                let h = q * (1.0 - q);
                ga += d * s;
                gb += d;
                haa += h * s * s;
                hab += h * s;
                hbb += h;
            }
            if ga.abs() < 1e-6 && gb.abs() < 1e-6 {
                break;
            }
            let det = haa * hbb - hab * hab;
            if det <= 0.0 {
                break;
            }
            let da = -(hbb * ga - hab * gb) / det;
            let db = -(haa * gb - hab * ga) / det;
            let improved = backtrack(1.0, 1e-8, |t| {
                let next = loss(a + t * da, b + t * db);
                let better = next < current;
                if better {
                    (a, b, current) = (a + t * da, b + t * db, next);
                }
                better
            });
            if !improved {
                break;
            }
        }
        Calibration {
            scale: a as f32,
            offset: b as f32,
        }
        .or_default()
    }

    /// Temperature scaling: fits `scale` of a softmax over `scores`
    /// (`n × k`, row-major) to the true classes by Newton's method.
    pub(crate) fn fit_softmax(scores: &[f64], k: usize, classes: &[usize]) -> Self {
        let rows = || scores.chunks_exact(k).zip(classes);
        // Loss, first and second derivative in the scale `a`.
        let eval = |a: f64| -> (f64, f64, f64) {
            let (mut f, mut g, mut h) = (0.0, 0.0, 0.0);
            for (s, &y) in rows() {
                let max = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let (mut z, mut m1, mut m2) = (0.0, 0.0, 0.0);
                for &v in s {
                    let e = (a * (v - max)).exp();
                    z += e;
                    m1 += e * v;
                    m2 += e * v * v;
                }
                let (mean, second) = (m1 / z, m2 / z);
                f += z.ln() + a * max - a * s[y];
                g += mean - s[y];
                h += second - mean * mean;
            }
            (f, g, h)
        };
        let mut a = 1.0f64;
        let (mut f, mut g, mut h) = eval(a);
        for _ in 0..50 {
            if g.abs() < 1e-6 * classes.len().max(1) as f64 || h <= 0.0 {
                break;
            }
            let d = -g / h;
            let improved = backtrack(d.abs(), 1e-9, |t| {
                let next = (a + t * d).max(a * 0.1);
                let (nf, ng, nh) = eval(next);
                let better = nf < f;
                if better {
                    (a, f, g, h) = (next, nf, ng, nh);
                }
                better
            });
            if !improved {
                break;
            }
        }
        Calibration {
            scale: a as f32,
            offset: 0.0,
        }
        .or_default()
    }

    fn or_default(self) -> Self {
        if self.is_valid() {
            self
        } else {
            Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platt_scaling_recovers_a_known_slope() {
        // Scores whose true positive rate is σ(2s - 1).
        let mut scores = Vec::new();
        let mut positive = Vec::new();
        for i in 0..2000 {
            let s = -3.0 + 6.0 * (i as f64 / 2000.0);
            let p = sigmoid(2.0 * s - 1.0);
            // Deterministic "sampling": every row contributes p positives per 1.
            let frac = (i * 7919 % 1000) as f64 / 1000.0;
            scores.push(s);
            positive.push(frac < p);
        }
        let c = Calibration::fit_binary(&scores, &positive);
        assert!((c.scale - 2.0).abs() < 0.3, "{c:?}");
        assert!((c.offset + 1.0).abs() < 0.3, "{c:?}");
    }

    #[test]
    fn temperature_shrinks_overconfident_scores() {
        // Scores say class 0 strongly, but it is right only 60% of the time.
        let mut scores = Vec::new();
        let mut classes = Vec::new();
        for i in 0..1000 {
            scores.extend_from_slice(&[5.0, 0.0, 0.0]);
            classes.push(if i % 10 < 6 { 0 } else { 1 + i % 2 });
        }
        let c = Calibration::fit_softmax(&scores, 3, &classes);
        let mut p = [5.0f32, 0.0, 0.0];
        c.softmax(&mut p);
        assert!((p[0] - 0.6).abs() < 0.02, "{p:?} {c:?}");
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-6);
    }

    #[test]
    fn degenerate_input_keeps_sensible_values() {
        // No rows: nothing to fit, the identity remains.
        assert_eq!(
            Calibration::fit_softmax(&[], 3, &[]),
            Calibration::default()
        );
        // One class only, all scores 0: Platt's smoothed target 3/4 for the
        // positives pulls the probability above one half, not to 1.
        let c = Calibration::fit_binary(&[0.0, 0.0], &[true, true]);
        let p = c.binary(0.0);
        assert!(p > 0.5 && p < 0.95, "{c:?} gives {p}");
    }
}
