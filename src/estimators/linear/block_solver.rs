//! Fitting on rows that do not fit in memory together: block minimisation
//! (Yu, Hsieh, Chang & Lin 2010, "Large linear classification when data
//! cannot fit in memory"). The rows come in blocks, each read in turn; one
//! pass of the same dual coordinate descent as [`super::solver`] runs over a
//! block's rows for every binary model at once, and the block's dual
//! variables are stored beside it until its next turn. Memory holds one
//! block, its dual variables and the weights.

use rayon::prelude::*;

use super::hyperparams::{LinearValidParams, Loss};
use super::solver::{
    Prepared, Weight, hinge_gradient, hinge_step, logistic_start, logistic_step, sign,
};
use super::{CALIBRATION_ROWS, LOO_SHARE, LinearModel, RowLabel};
use crate::error::{Error, Result};
use crate::features::SparseMatrix;
use crate::rng::SplitMix64;

/// Rows in blocks read one at a time, with a store for each block's dual
/// variables (what [`LinearValidParams::fit_blocks`] needs of a row file).
pub trait RowBlocks: Sync {
    /// Number of blocks.
    fn n_blocks(&self) -> usize;
    /// Reads block `b`'s rows into `x` and each row's label into `labels`
    /// (`None`: the row has none), reusing their memory.
    fn read(
        &self,
        b: usize,
        x: &mut SparseMatrix,
        labels: &mut Vec<Option<RowLabel>>,
    ) -> Result<()>;
    /// Block `b`'s dual variables as last written, into `out`.
    fn read_duals(&self, b: usize, out: &mut [f64]) -> Result<()>;
    /// Stores block `b`'s dual variables.
    fn write_duals(&self, b: usize, duals: &[f64]) -> Result<()>;
}

/// Rows visited together, in order, within a block (as in the in-memory solver).
const RUN: usize = 16;

/// The progress of one binary model.
struct ModelState {
    w: Vec<Weight>,
    passes: usize,
    done: bool,
    /// Rows taking part (counted in the first pass).
    rows: usize,
    // This pass's largest and smallest projected gradient (squared hinge),
    // largest gradient and Newton steps (logistic).
    pg_max: f64,
    pg_min: f64,
    g_max: f64,
    newton_steps: usize,
    inner_eps: f64,
}

impl LinearValidParams {
    /// Dual variables per row that [`LinearValidParams::fit_blocks`] stores
    /// for `n_classes` classes: one per binary model (two with the logistic loss).
    pub fn duals_per_row(&self, n_classes: usize) -> usize {
        let n_models = if n_classes == 2 { 1 } else { n_classes };
        n_models * self.duals_per_model()
    }

    fn duals_per_model(&self) -> usize {
        match self.loss {
            Loss::Logistic => 2,
            Loss::SquaredHinge | Loss::Squared => 1,
        }
    }

    /// Fits on the rows of `blocks` (labelled `0..n_classes`, or with label
    /// sets as [`LinearValidParams::fit_with_sets`] takes them) one block at a
    /// time, as [`linfa::traits::Fit::fit`] fits rows held in memory: the same
    /// problems, solved by passes over the blocks in shuffled order until the
    /// same stopping rule holds (without shrinking). `known_rows` is the
    /// number of rows labelled with one class, which sets the calibration
    /// sample's stride; `progress` is called after each block with the pass.
    pub fn fit_blocks(
        &self,
        blocks: &dyn RowBlocks,
        n_features: usize,
        n_classes: usize,
        known_rows: usize,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<LinearModel> {
        if n_classes < 2 {
            return Err(Error::input("a classifier needs at least two classes"));
        }
        self.solve_blocks(blocks, n_features, n_classes, known_rows, None, progress)
    }

    /// Continues training `init` on the rows of `blocks`, as
    /// [`LinearValidParams::fit_from`] continues it on rows in memory
    /// (`classes[k]`: new class `k`'s index in `init`, `None` for a new one).
    pub fn fit_blocks_from(
        &self,
        init: &LinearModel,
        classes: &[Option<usize>],
        blocks: &dyn RowBlocks,
        known_rows: usize,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<LinearModel> {
        let (params, starts) = self.continued_starts(init, classes)?;
        params.solve_blocks(
            blocks,
            init.n_features(),
            classes.len(),
            known_rows,
            Some(&starts),
            progress,
        )
    }

    /// The block minimisation; `starts[m]` is binary model `m`'s starting
    /// weights (`None`: zeros).
    fn solve_blocks(
        &self,
        blocks: &dyn RowBlocks,
        n_features: usize,
        n_classes: usize,
        known_rows: usize,
        starts: Option<&[Vec<Weight>]>,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<LinearModel> {
        let n_models = if n_classes == 2 { 1 } else { n_classes };
        let per_row = self.duals_per_model();
        let mut states: Vec<ModelState> = (0..n_models)
            .map(|m| ModelState {
                w: starts.map_or_else(|| vec![0.0; n_features + 1], |s| s[m].clone()),
                passes: 0,
                done: false,
                rows: 0,
                pg_max: f64::NEG_INFINITY,
                pg_min: f64::INFINITY,
                g_max: 0.0,
                newton_steps: 0,
                inner_eps: 1e-2,
            })
            .collect();
        let class_of = |m: usize| if n_models == 1 { 1 } else { m };
        let mut order: Vec<usize> = (0..blocks.n_blocks()).collect();
        let mut rng = SplitMix64::new(self.seed);
        let mut duals = Vec::new();
        let (mut x, mut labels) = (SparseMatrix::new(n_features), Vec::new());
        for pass in 0..self.max_iter {
            if states.iter().all(|s| s.done) {
                break;
            }
            rng.shuffle(&mut order);
            for &b in &order {
                blocks.read(b, &mut x, &mut labels)?;
                if x.n_cols() != n_features || labels.len() != x.n_rows() {
                    return Err(Error::input(format!(
                        "block {b} of the row file does not match its header"
                    )));
                }
                let data = Prepared::new(&x, self.bias);
                let n = x.n_rows();
                if n == 0 {
                    continue;
                }
                duals.clear();
                duals.resize(n * n_models * per_row, 0.0);
                if pass > 0 {
                    blocks.read_duals(b, &mut duals)?;
                }
                let block_seed = rng.next_u64();
                states
                    .par_iter_mut()
                    .zip(duals.par_chunks_mut(n * per_row))
                    .enumerate()
                    .filter(|(_, (s, _))| !s.done)
                    .for_each(|(m, (state, alpha))| {
                        let class = class_of(m);
                        let label_y = |i: usize| -> Option<f64> {
                            let label = labels[i]?;
                            (!label.maybe(class)).then(|| sign(label == RowLabel::Class(class)))
                        };
                        if pass == 0 {
                            for i in 0..n {
                                let Some(y) = label_y(i) else { continue };
                                state.rows += 1;
                                if per_row == 2 {
                                    let start = logistic_start(self.c);
                                    alpha[2 * i] = start;
                                    alpha[2 * i + 1] = self.c - start;
                                    data.axpy(&mut state.w, i, y * start);
                                }
                            }
                        }
                        let mut runs: Vec<usize> = (0..n.div_ceil(RUN)).collect();
                        SplitMix64::new(block_seed.wrapping_add(m as u64)).shuffle(&mut runs);
                        for i in runs.iter().flat_map(|&r| r * RUN..((r + 1) * RUN).min(n)) {
                            let Some(y) = label_y(i) else { continue };
                            self.row_step(
                                &data,
                                state,
                                i,
                                y,
                                &mut alpha[i * per_row..(i + 1) * per_row],
                            );
                        }
                    });
                blocks.write_duals(b, &duals)?;
                progress(pass + 1);
            }
            for state in states.iter_mut().filter(|s| !s.done) {
                state.passes += 1;
                state.done = match self.loss {
                    Loss::Logistic => state.g_max < self.tol,
                    Loss::SquaredHinge | Loss::Squared => state.pg_max - state.pg_min <= self.tol,
                };
                if self.loss == Loss::Logistic && state.newton_steps <= state.rows / 10 {
                    state.inner_eps = self.tol.min(1e-8).max(0.1 * state.inner_eps);
                }
                state.pg_max = f64::NEG_INFINITY;
                state.pg_min = f64::INFINITY;
                state.g_max = 0.0;
                state.newton_steps = 0;
            }
        }
        // The calibration sample: rows of one known class at an even stride,
        // scored as the in-memory fit scores them.
        let stride = known_rows.div_ceil(CALIBRATION_ROWS).max(1);
        let mut sample_classes = Vec::new();
        let mut loo: Vec<Vec<f64>> = vec![Vec::new(); n_models];
        let mut known = 0usize;
        for b in 0..blocks.n_blocks() {
            blocks.read(b, &mut x, &mut labels)?;
            let data = Prepared::new(&x, self.bias);
            duals.clear();
            duals.resize(x.n_rows() * n_models * per_row, 0.0);
            blocks.read_duals(b, &mut duals)?;
            let block_duals = x.n_rows() * per_row;
            for (i, label) in labels.iter().enumerate() {
                let Some(RowLabel::Class(c)) = *label else {
                    continue;
                };
                known += 1;
                if !(known - 1).is_multiple_of(stride) {
                    continue;
                }
                sample_classes.push(c);
                for (m, scores) in loo.iter_mut().enumerate() {
                    let y = sign(c == class_of(m));
                    let own = duals[m * block_duals + i * per_row] * y;
                    scores.push(data.score(&states[m].w, i) - LOO_SHARE * own * data.sq_norms[i]);
                }
            }
        }
        let solved = states
            .into_iter()
            .zip(loo)
            .map(|(s, scores)| (s.w, s.passes, scores))
            .collect();
        Ok(self.assemble(n_features, n_classes, solved, &sample_classes))
    }

    /// One coordinate step on row `i` (label `y`) of one binary model.
    fn row_step(
        &self,
        data: &Prepared<'_>,
        state: &mut ModelState,
        i: usize,
        y: f64,
        alpha: &mut [f64],
    ) {
        match self.loss {
            Loss::Logistic => {
                let (g, steps) =
                    logistic_step(data, &mut state.w, i, y, alpha, self.c, state.inner_eps);
                state.g_max = state.g_max.max(g);
                state.newton_steps += steps;
            }
            Loss::SquaredHinge | Loss::Squared => {
                let ridge = self.loss == Loss::Squared;
                let diag = 0.5 / self.c;
                let g = hinge_gradient(data, &state.w, i, y, alpha[0], diag);
                let pg = if !ridge && alpha[0] == 0.0 {
                    g.min(0.0)
                } else {
                    g
                };
                state.pg_max = state.pg_max.max(pg);
                state.pg_min = state.pg_min.min(pg);
                if pg.abs() > 1e-12 {
                    hinge_step(data, &mut state.w, i, y, &mut alpha[0], g, diag, ridge);
                }
            }
        }
    }
}
