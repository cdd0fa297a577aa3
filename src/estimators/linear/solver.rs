//! Dual coordinate descent for L2-regularised linear classifiers over sparse
//! rows (Hsieh et al. 2008 for the squared hinge; Yu, Huang & Lin 2011 for the
//! logistic loss), the algorithms behind LIBLINEAR's default solvers.
//!
//! Each call solves one binary problem `y ∈ {-1, +1}` and returns the primal
//! weights, with the intercept (if any) as the last entry.

use super::hyperparams::{LinearValidParams, Loss};
use crate::features::SparseMatrix;
use crate::rng::SplitMix64;

/// The solver keeps its weights in `f32`: half the memory traffic of `f64`
/// on the random accesses that dominate a pass (docs/performance.md).
pub(crate) type Weight = f32;

/// Rows visited together, in order, within a pass.
const BLOCK: usize = 16;

/// Row-wise quantities shared by every binary problem of one fit.
pub(crate) struct Prepared<'a> {
    pub(crate) x: &'a SparseMatrix,
    /// `‖x_i‖² + bias²` for each row.
    pub(crate) sq_norms: Vec<f64>,
    pub(crate) bias: f64,
}

impl<'a> Prepared<'a> {
    pub(crate) fn new(x: &'a SparseMatrix, bias: f32) -> Self {
        let bias = f64::from(bias);
        let sq_norms = x.rows().map(|r| r.squared_norm() + bias * bias).collect();
        Prepared { x, sq_norms, bias }
    }

    /// The decision score of row `i` under weights `w` (intercept last).
    #[inline]
    pub(crate) fn score(&self, w: &[Weight], i: usize) -> f64 {
        let n = self.x.n_cols();
        f64::from(self.x.row(i).dot(w)) + f64::from(w[n]) * self.bias
    }

    #[inline]
    pub(crate) fn axpy(&self, w: &mut [Weight], i: usize, scale: f64) {
        let row = self.x.row(i);
        let scale32 = scale as f32;
        for (&j, &v) in row.indices.iter().zip(row.values) {
            w[j as usize] += scale32 * v;
        }
        let n = self.x.n_cols();
        w[n] += (scale * self.bias) as f32;
    }
}

/// Solves one binary problem; `positive[i]` tells whether row `i` has y = +1.
/// Returns the weights (`n_cols + 1` entries, intercept last), each row's dual
/// variable (its weight in `w = w₀ + Σ αᵢ yᵢ xᵢ`) and the passes made.
///
/// `start` is `w₀` (`None`: zeros). With it, the problem solved is
/// `min_w ½‖w − w₀‖² + C Σ loss(yᵢ w·xᵢ)`: substituting `w = w₀ + v` gives the
/// usual dual over `v`, each row's margin offset by `w₀·xᵢ`, so the same
/// coordinate descent runs on `w` started at `w₀` instead of 0 (continued
/// training: the old weights are the prior the new rows move away from).
pub(crate) fn solve_binary(
    data: &Prepared<'_>,
    positive: &[bool],
    params: &LinearValidParams,
    seed: u64,
    start: Option<&[Weight]>,
) -> (Vec<Weight>, Vec<f64>, usize) {
    let w = match start {
        Some(w0) => {
            debug_assert_eq!(w0.len(), data.x.n_cols() + 1);
            w0.to_vec()
        }
        None => vec![0.0 as Weight; data.x.n_cols() + 1],
    };
    match params.loss {
        Loss::SquaredHinge => squared_hinge(data, positive, params, seed, w),
        Loss::Squared => squared_hinge(data, positive, params, seed, w),
        Loss::Logistic => logistic(data, positive, params, seed, w),
    }
}

pub(crate) fn sign(p: bool) -> f64 {
    if p { 1.0 } else { -1.0 }
}

/// The gradient of the squared-hinge dual in row `i`'s variable `alpha`.
#[inline]
pub(crate) fn hinge_gradient(
    data: &Prepared<'_>,
    w: &[Weight],
    i: usize,
    y: f64,
    alpha: f64,
    diag: f64,
) -> f64 {
    y * data.score(w, i) - 1.0 + alpha * diag
}

/// One coordinate step of the squared-hinge (or, with `ridge`, squared-loss)
/// dual on row `i`, of gradient `g`: moves `alpha` and `w` together.
#[inline]
#[allow(clippy::too_many_arguments)]
pub(crate) fn hinge_step(
    data: &Prepared<'_>,
    w: &mut [Weight],
    i: usize,
    y: f64,
    alpha: &mut f64,
    g: f64,
    diag: f64,
    ridge: bool,
) {
    let old = *alpha;
    *alpha = old - g / (data.sq_norms[i] + diag);
    if !ridge {
        *alpha = alpha.max(0.0);
    }
    let d = (*alpha - old) * y;
    if d != 0.0 {
        data.axpy(w, i, d);
    }
}

/// The starting value of a row's first logistic dual variable (the second is `c` minus it).
pub(crate) fn logistic_start(c: f64) -> f64 {
    (1e-3 * c).min(1e-8)
}

/// One coordinate step of the logistic dual on row `i`, whose two variables
/// are `pair` (summing to `c`): Newton steps on the one-variable subproblem
/// until its gradient is below `inner_eps`. Returns the gradient's size
/// before the step and the Newton steps taken.
#[inline]
pub(crate) fn logistic_step(
    data: &Prepared<'_>,
    w: &mut [Weight],
    i: usize,
    y: f64,
    pair: &mut [f64],
    c: f64,
    inner_eps: f64,
) -> (f64, usize) {
    const MAX_INNER: usize = 100;
    let a = data.sq_norms[i];
    let b = y * data.score(w, i);
    let (mut ind1, mut ind2, mut s) = (0, 1, 1.0);
    if 0.5 * a * (pair[ind2] - pair[ind1]) + b < 0.0 {
        ind1 = 1;
        ind2 = 0;
        s = -1.0;
    }
    let old = pair[ind1];
    let mut z = old;
    if c - z < 0.5 * c {
        z *= 0.1;
    }
    let mut gp = a * (z - old) + s * b + (z / (c - z)).ln();
    let g = gp.abs();
    let mut inner = 0;
    while inner <= MAX_INNER {
        if gp.abs() < inner_eps {
            break;
        }
        let gpp = a + c / (c - z) / z;
        let next = z - gp / gpp;
        z = if next <= 0.0 { z * 0.1 } else { next };
        gp = a * (z - old) + s * b + (z / (c - z)).ln();
        inner += 1;
    }
    if inner > 0 {
        pair[ind1] = z;
        pair[ind2] = c - z;
        data.axpy(w, i, s * (z - old) * y);
    }
    (g, inner)
}

fn squared_hinge(
    data: &Prepared<'_>,
    positive: &[bool],
    params: &LinearValidParams,
    seed: u64,
    mut w: Vec<Weight>,
) -> (Vec<Weight>, Vec<f64>, usize) {
    let l = positive.len();
    let diag = 0.5 / params.c;
    let ridge = params.loss == Loss::Squared;
    let mut alpha = vec![0.0f64; l];
    // Active rows, kept in ascending order: a pass visits them in shuffled
    // blocks of consecutive rows, random enough for coordinate descent and
    // friendly to the memory system on large data (docs/performance.md).
    let mut active: Vec<usize> = (0..l).collect();
    let mut blocks: Vec<usize> = Vec::new();
    let mut shrunk = vec![false; l];
    let mut rng = SplitMix64::new(seed);
    // Shrinking (as in LIBLINEAR): rows whose dual variable sits at 0 with a
    // gradient beyond last pass's largest violation leave the active set.
    // The dual variables have no upper bound, so only the largest violation matters.
    let mut pg_max_old = f64::INFINITY;
    let mut passes = 0;
    while passes < params.max_iter {
        passes += 1;
        blocks.clear();
        blocks.extend(0..active.len().div_ceil(BLOCK));
        rng.shuffle(&mut blocks);
        let mut pg_max = f64::NEG_INFINITY;
        let mut pg_min = f64::INFINITY;
        for &b in &blocks {
            for &i in &active[b * BLOCK..((b + 1) * BLOCK).min(active.len())] {
                let y = sign(positive[i]);
                let g = hinge_gradient(data, &w, i, y, alpha[i], diag);
                let pg = if ridge {
                    g
                } else if alpha[i] == 0.0 {
                    if g > pg_max_old {
                        shrunk[i] = true;
                        continue;
                    }
                    g.min(0.0)
                } else {
                    g
                };
                pg_max = pg_max.max(pg);
                pg_min = pg_min.min(pg);
                if pg.abs() > 1e-12 {
                    hinge_step(data, &mut w, i, y, &mut alpha[i], g, diag, ridge);
                }
            }
        }
        active.retain(|&i| !shrunk[i]);
        if pg_max - pg_min <= params.tol {
            if active.len() == l {
                break;
            }
            // Converged on the active set: check every row once more.
            active.clear();
            active.extend(0..l);
            shrunk.fill(false);
            pg_max_old = f64::INFINITY;
            continue;
        }
        pg_max_old = if pg_max <= 0.0 { f64::INFINITY } else { pg_max };
    }
    (w, alpha, passes)
}

fn logistic(
    data: &Prepared<'_>,
    positive: &[bool],
    params: &LinearValidParams,
    seed: u64,
    mut w: Vec<Weight>,
) -> (Vec<Weight>, Vec<f64>, usize) {
    let l = positive.len();
    let c = params.c;
    // alpha[2i] + alpha[2i + 1] = C for every row.
    let mut alpha = vec![0.0f64; 2 * l];
    let start = logistic_start(c);
    for i in 0..l {
        alpha[2 * i] = start;
        alpha[2 * i + 1] = c - start;
        data.axpy(&mut w, i, sign(positive[i]) * start);
    }
    let mut inner_eps = 1e-2;
    let inner_eps_min = params.tol.min(1e-8);
    let mut blocks: Vec<usize> = (0..l.div_ceil(BLOCK)).collect();
    let mut rng = SplitMix64::new(seed);
    let mut passes = 0;
    while passes < params.max_iter {
        passes += 1;
        rng.shuffle(&mut blocks);
        let mut newton_steps = 0usize;
        let mut g_max = 0.0f64;
        for i in blocks
            .iter()
            .flat_map(|&b| b * BLOCK..((b + 1) * BLOCK).min(l))
        {
            let y = sign(positive[i]);
            let (g, steps) = logistic_step(
                data,
                &mut w,
                i,
                y,
                &mut alpha[2 * i..2 * i + 2],
                c,
                inner_eps,
            );
            g_max = g_max.max(g);
            newton_steps += steps;
        }
        if g_max < params.tol {
            break;
        }
        if newton_steps <= l / 10 {
            inner_eps = inner_eps_min.max(0.1 * inner_eps);
        }
    }
    let row_alpha = (0..l).map(|i| alpha[2 * i]).collect();
    (w, row_alpha, passes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estimators::LinearParams;
    use linfa::ParamGuard;

    /// Two separable clusters on features 0 and 1.
    fn toy() -> (SparseMatrix, Vec<bool>) {
        let mut x = SparseMatrix::new(2);
        let mut y = Vec::new();
        for k in 0..20 {
            let t = k as f32 / 20.0;
            x.push_row([(0, 1.0 + t), (1, 0.1)]);
            y.push(true);
            x.push_row([(0, 0.1), (1, 1.0 + t)]);
            y.push(false);
        }
        (x, y)
    }

    #[test]
    fn both_losses_separate_the_toy_problem() {
        let (x, y) = toy();
        for loss in [Loss::Logistic, Loss::SquaredHinge] {
            let params = LinearParams::new().loss(loss).check().unwrap();
            let data = Prepared::new(&x, params.bias);
            let (w, _, passes) = solve_binary(&data, &y, &params, 7, None);
            assert!(passes >= 1 && passes <= params.max_iter);
            for (i, &p) in y.iter().enumerate() {
                assert_eq!(data.score(&w, i) > 0.0, p, "{loss:?} row {i}");
            }
        }
    }

    #[test]
    fn same_seed_same_weights() {
        let (x, y) = toy();
        let params = LinearParams::new().check().unwrap();
        let data = Prepared::new(&x, params.bias);
        assert_eq!(
            solve_binary(&data, &y, &params, 3, None).0,
            solve_binary(&data, &y, &params, 3, None).0
        );
    }

    #[test]
    fn a_warm_start_is_the_prior_the_rows_move_away_from() {
        // With a tiny C the rows barely count: the weights stay near the start;
        // started from the opposite weights with a large C, they must still separate.
        let (x, y) = toy();
        for loss in [Loss::Logistic, Loss::SquaredHinge, Loss::Squared] {
            let params = LinearParams::new().loss(loss).check().unwrap();
            let data = Prepared::new(&x, params.bias);
            let (w, _, _) = solve_binary(&data, &y, &params, 3, None);
            let weak = LinearParams::new().loss(loss).c(1e-4).check().unwrap();
            let (again, _, _) = solve_binary(&data, &y, &weak, 3, Some(&w));
            let moved: f32 = w.iter().zip(&again).map(|(a, b)| (a - b).abs()).sum();
            let size: f32 = w.iter().map(|a| a.abs()).sum();
            assert!(moved < 0.05 * size, "{loss:?}: moved {moved} of {size}");
            let flipped: Vec<Weight> = w.iter().map(|v| -v).collect();
            let params = LinearParams::new().loss(loss).c(10.0).check().unwrap();
            let (w, _, _) = solve_binary(&data, &y, &params, 3, Some(&flipped));
            for (i, &p) in y.iter().enumerate() {
                assert_eq!(data.score(&w, i) > 0.0, p, "{loss:?} row {i}");
            }
        }
    }
}
