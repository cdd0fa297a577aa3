//! Compressed sparse row (CSR) matrix: the record type that flows from the
//! featurizer into the classifiers. No dense documents × features matrix is
//! ever built.

use linfa::dataset::Records;

/// A row-major sparse matrix of `f32` values with `u32` column indices.
///
/// Column indices within a row are strictly increasing.
#[derive(Debug, Clone, PartialEq)]
pub struct SparseMatrix {
    n_cols: usize,
    indptr: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<f32>,
}

/// One row of a [`SparseMatrix`]: parallel slices of column indices and values.
#[derive(Debug, Clone, Copy)]
pub struct SparseRow<'a> {
    /// Column indices, strictly increasing.
    pub indices: &'a [u32],
    /// Values, one per index.
    pub values: &'a [f32],
}

impl SparseRow<'_> {
    /// Dot product with a dense vector of at least `max index + 1` entries.
    #[inline]
    pub fn dot(&self, dense: &[f32]) -> f32 {
        self.indices
            .iter()
            .zip(self.values)
            .map(|(&j, &v)| dense[j as usize] * v)
            .sum()
    }

    /// Squared Euclidean norm.
    pub fn squared_norm(&self) -> f64 {
        self.values
            .iter()
            .map(|&v| f64::from(v) * f64::from(v))
            .sum()
    }

    /// Number of stored entries.
    pub fn nnz(&self) -> usize {
        self.indices.len()
    }
}

impl SparseMatrix {
    /// An empty matrix with `n_cols` columns and no rows.
    pub fn new(n_cols: usize) -> Self {
        SparseMatrix {
            n_cols,
            indptr: vec![0],
            indices: Vec::new(),
            values: Vec::new(),
        }
    }

    /// Appends a row given as `(column, value)` pairs sorted by strictly
    /// increasing column, each column below `n_cols`.
    pub fn push_row(&mut self, entries: impl IntoIterator<Item = (u32, f32)>) {
        for (j, v) in entries {
            debug_assert!((j as usize) < self.n_cols);
            debug_assert!(
                self.indices.len() == *self.indptr.last().unwrap_or(&0)
                    || self.indices.last().is_none_or(|&last| last < j)
            );
            self.indices.push(j);
            self.values.push(v);
        }
        self.indptr.push(self.indices.len());
    }

    /// Replaces the rows with those given as row lengths and their columns
    /// and values laid end to end (rows read from a file), keeping the
    /// memory. Returns false, leaving the matrix empty, unless the lengths
    /// add up to the entries and every row's columns are strictly increasing
    /// and below `n_cols`.
    pub(crate) fn refill(
        &mut self,
        n_cols: usize,
        lengths: impl Iterator<Item = usize>,
        indices: impl Iterator<Item = u32>,
        values: impl Iterator<Item = f32>,
    ) -> bool {
        self.clear(n_cols);
        self.indices.extend(indices);
        self.values.extend(values);
        let mut end = 0usize;
        for len in lengths {
            end += len;
            self.indptr.push(end);
        }
        let valid = end == self.indices.len()
            && self.indices.len() == self.values.len()
            && self.indptr.windows(2).all(|w| {
                let row = &self.indices[w[0]..w[1]];
                row.last().is_none_or(|&j| (j as usize) < n_cols)
                    && row.windows(2).all(|p| p[0] < p[1])
            });
        if !valid {
            self.clear(n_cols);
        }
        valid
    }

    /// Removes every row and sets the column count, keeping the memory.
    pub(crate) fn clear(&mut self, n_cols: usize) {
        self.n_cols = n_cols;
        self.indptr.clear();
        self.indptr.push(0);
        self.indices.clear();
        self.values.clear();
    }

    /// Appends every row of `other` (same column count) below this matrix.
    pub fn append(&mut self, other: &SparseMatrix) {
        debug_assert_eq!(self.n_cols, other.n_cols);
        let offset = self.indices.len();
        self.indices.extend_from_slice(&other.indices);
        self.values.extend_from_slice(&other.values);
        self.indptr
            .extend(other.indptr[1..].iter().map(|&p| p + offset));
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.indptr.len() - 1
    }

    /// Number of columns.
    pub fn n_cols(&self) -> usize {
        self.n_cols
    }

    /// Number of stored entries.
    pub fn nnz(&self) -> usize {
        self.indices.len()
    }

    /// Row `i`.
    ///
    /// # Panics
    /// If `i >= self.n_rows()`.
    #[inline]
    pub fn row(&self, i: usize) -> SparseRow<'_> {
        let (start, end) = (self.indptr[i], self.indptr[i + 1]);
        SparseRow {
            indices: &self.indices[start..end],
            values: &self.values[start..end],
        }
    }

    /// Iterates over the rows in order.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = SparseRow<'_>> + '_ {
        (0..self.n_rows()).map(move |i| self.row(i))
    }

    /// A new matrix holding the given rows, in the given order.
    pub fn select_rows(&self, rows: &[usize]) -> SparseMatrix {
        let mut out = SparseMatrix::new(self.n_cols);
        for &i in rows {
            let row = self.row(i);
            out.push_row(row.indices.iter().copied().zip(row.values.iter().copied()));
        }
        out
    }
}

impl Records for SparseMatrix {
    type Elem = f32;

    fn nsamples(&self) -> usize {
        self.n_rows()
    }

    fn nfeatures(&self) -> usize {
        self.n_cols
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> SparseMatrix {
        let mut m = SparseMatrix::new(4);
        m.push_row([(0, 1.0), (3, 2.0)]);
        m.push_row([]);
        m.push_row([(1, -1.0)]);
        m
    }

    #[test]
    fn rows_and_dots() {
        let m = sample();
        assert_eq!(m.n_rows(), 3);
        assert_eq!(m.nnz(), 3);
        assert_eq!(m.row(0).dot(&[1.0, 5.0, 5.0, 0.5]), 2.0);
        assert_eq!(m.row(1).nnz(), 0);
        assert_eq!(m.row(2).squared_norm(), 1.0);
        assert_eq!(m.nsamples(), 3);
        assert_eq!(m.nfeatures(), 4);
    }

    #[test]
    fn refill_takes_valid_rows_and_refuses_damaged_ones() {
        let mut m = sample();
        assert!(m.refill(
            4,
            [2, 0, 1].into_iter(),
            [0, 3, 1].into_iter(),
            [1.0, 2.0, -1.0].into_iter()
        ));
        assert_eq!(m, sample());
        let bad: [(&[usize], &[u32]); 3] = [(&[2, 0], &[3, 0]), (&[1], &[4]), (&[1, 1], &[0])];
        for (lengths, indices) in bad {
            let values = vec![1.0; indices.len()];
            assert!(!m.refill(
                4,
                lengths.iter().copied(),
                indices.iter().copied(),
                values.into_iter()
            ));
            assert_eq!(m.n_rows(), 0);
        }
    }

    #[test]
    fn select_and_append() {
        let m = sample();
        let s = m.select_rows(&[2, 0]);
        assert_eq!(s.row(0).indices, &[1]);
        assert_eq!(s.row(1).values, &[1.0, 2.0]);
        let mut a = m.clone();
        a.append(&s);
        assert_eq!(a.n_rows(), 5);
        assert_eq!(a.row(4).indices, &[0, 3]);
    }
}
