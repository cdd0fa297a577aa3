//! Featurized training rows on disk, in blocks of bounded size, with each
//! row's label per head; and each head's dual variables beside them, for
//! [`LinearValidParams::fit_blocks`](crate::estimators::LinearValidParams::fit_blocks).
//!
//! Block layout (little endian): rows `u32`, entries `u64`, the rows'
//! lengths `u32 × rows`, column indices `u32 × entries`, values `f32 ×
//! entries`, labels `u64 × rows × heads` ([`encode_label`]).

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};
use crate::estimators::{RowBlocks, RowLabel};
use crate::features::SparseMatrix;

/// A label as the row file stores it: 0 for none, `class + 1`, or a label
/// set's mask with the top bit set.
pub(super) fn encode_label(label: Option<RowLabel>) -> u64 {
    match label {
        None => 0,
        Some(RowLabel::Class(c)) => c as u64 + 1,
        Some(RowLabel::OneOf(mask)) => (1 << 63) | mask,
    }
}

fn decode_label(code: u64) -> Option<RowLabel> {
    match code {
        0 => None,
        c if c >> 63 == 1 => Some(RowLabel::OneOf(c & !(1 << 63))),
        c => Some(RowLabel::Class((c - 1) as usize)),
    }
}

/// Where a block lies in the file.
#[derive(Debug, Clone, Copy)]
struct Block {
    offset: u64,
    bytes: u64,
    rows: usize,
}

/// Writes rows into blocks of about `block_bytes` each.
pub(super) struct RowFileWriter {
    path: PathBuf,
    out: BufWriter<File>,
    n_cols: usize,
    n_heads: usize,
    block_bytes: usize,
    lengths: Vec<u32>,
    indices: Vec<u32>,
    values: Vec<f32>,
    labels: Vec<u64>,
    blocks: Vec<Block>,
    written: u64,
}

impl RowFileWriter {
    /// A new file at `path`, for rows of `n_cols` columns and `n_heads` labels.
    pub(super) fn create(
        path: &Path,
        n_cols: usize,
        n_heads: usize,
        block_bytes: usize,
    ) -> Result<Self> {
        let file = File::create(path).map_err(|e| Error::io(path, e))?;
        Ok(RowFileWriter {
            path: path.to_path_buf(),
            out: BufWriter::new(file),
            n_cols,
            n_heads,
            block_bytes: block_bytes.max(4096),
            lengths: Vec::new(),
            indices: Vec::new(),
            values: Vec::new(),
            labels: Vec::new(),
            blocks: Vec::new(),
            written: 0,
        })
    }

    fn pending_bytes(&self) -> usize {
        4 * self.lengths.len() + 8 * self.indices.len() + 8 * self.labels.len()
    }

    /// Appends a row: sorted `(column, value)` pairs and one label code per head.
    pub(super) fn push(&mut self, row: &[(u32, f32)], labels: &[u64]) -> Result<()> {
        debug_assert_eq!(labels.len(), self.n_heads);
        self.lengths.push(row.len() as u32);
        self.indices.extend(row.iter().map(|&(j, _)| j));
        self.values.extend(row.iter().map(|&(_, v)| v));
        self.labels.extend_from_slice(labels);
        if self.pending_bytes() >= self.block_bytes {
            self.flush_block()?;
        }
        Ok(())
    }

    fn flush_block(&mut self) -> Result<()> {
        if self.lengths.is_empty() {
            return Ok(());
        }
        let bytes = 12 + self.pending_bytes();
        let out = &mut self.out;
        let mut put = |b: &[u8]| out.write_all(b);
        put(&(self.lengths.len() as u32).to_le_bytes())
            .and_then(|_| put(&(self.indices.len() as u64).to_le_bytes()))
            .and_then(|_| self.lengths.iter().try_for_each(|v| put(&v.to_le_bytes())))
            .and_then(|_| self.indices.iter().try_for_each(|v| put(&v.to_le_bytes())))
            .and_then(|_| self.values.iter().try_for_each(|v| put(&v.to_le_bytes())))
            .and_then(|_| self.labels.iter().try_for_each(|v| put(&v.to_le_bytes())))
            .map_err(|e| self.write_error(e))?;
        self.blocks.push(Block {
            offset: self.written,
            bytes: bytes as u64,
            rows: self.lengths.len(),
        });
        self.written += bytes as u64;
        self.lengths.clear();
        self.indices.clear();
        self.values.clear();
        self.labels.clear();
        Ok(())
    }

    /// A failed write, with where the rows go and how to move them.
    fn write_error(&self, e: std::io::Error) -> Error {
        Error::input(format!(
            "{}: {e}: the featurized rows are written to a temporary file in $TMPDIR (8 \
             bytes a term of each row); set TMPDIR to a disk with room",
            self.path.display()
        ))
    }

    /// Writes the last block and opens the file for reading.
    pub(super) fn finish(mut self) -> Result<RowFile> {
        self.flush_block()?;
        self.out.flush().map_err(|e| self.write_error(e))?;
        drop(self.out);
        let file = File::open(&self.path).map_err(|e| Error::io(&self.path, e))?;
        Ok(RowFile {
            path: self.path,
            file: Mutex::new(file),
            n_cols: self.n_cols,
            n_heads: self.n_heads,
            blocks: self.blocks,
        })
    }
}

/// Rows written by a [`RowFileWriter`], read back a block at a time.
pub(super) struct RowFile {
    path: PathBuf,
    file: Mutex<File>,
    n_cols: usize,
    n_heads: usize,
    blocks: Vec<Block>,
}

fn read_at(file: &Mutex<File>, path: &Path, offset: u64, out: &mut [u8]) -> Result<()> {
    let mut f = file.lock().unwrap_or_else(|e| e.into_inner());
    f.seek(SeekFrom::Start(offset))
        .and_then(|_| f.read_exact(out))
        .map_err(|e| Error::io(path, e))
}

impl RowFile {
    /// Bytes on disk.
    pub(super) fn bytes(&self) -> u64 {
        self.blocks.iter().map(|b| b.bytes).sum()
    }

    /// Number of blocks.
    pub(super) fn n_blocks(&self) -> usize {
        self.blocks.len()
    }

    /// Reads block `b` into `x` (its rows) and `codes` (their label codes,
    /// `rows × heads`), through `bytes`: all three keep their memory for the
    /// next block.
    fn read_block(
        &self,
        b: usize,
        bytes: &mut Vec<u8>,
        x: &mut SparseMatrix,
        codes: &mut Vec<u64>,
    ) -> Result<()> {
        let block = self.blocks[b];
        bytes.resize(block.bytes as usize, 0);
        read_at(&self.file, &self.path, block.offset, bytes)?;
        let damaged = || Error::input(format!("{}: block {b} is damaged", self.path.display()));
        let word = |c: &[u8]| u32::from_le_bytes(c.try_into().unwrap_or_default());
        let rows = bytes.get(0..4).map(word).ok_or_else(damaged)? as usize;
        let entries = bytes
            .get(4..12)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_le_bytes)
            .ok_or_else(damaged)? as usize;
        let expected = 12 + 4 * rows + 8 * entries + 8 * rows * self.n_heads;
        if rows != block.rows || bytes.len() != expected {
            return Err(damaged());
        }
        let (lengths, rest) = bytes[12..].split_at(4 * rows);
        let (indices, rest) = rest.split_at(4 * entries);
        let (values, labels) = rest.split_at(4 * entries);
        let lengths = lengths.chunks_exact(4).map(|c| word(c) as usize);
        let indices = indices.chunks_exact(4).map(word);
        let values = values.chunks_exact(4).map(|c| f32::from_bits(word(c)));
        if !x.refill(self.n_cols, lengths, indices, values) {
            return Err(damaged());
        }
        codes.clear();
        codes.extend(
            labels
                .chunks_exact(8)
                .map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default())),
        );
        Ok(())
    }

    /// The view of one head's labels, with a file at `duals` for its dual
    /// variables (`per_row` of them per row and binary model).
    pub(super) fn head(
        &self,
        head: usize,
        duals: &Path,
        per_row_and_model: usize,
    ) -> Result<HeadRows<'_>> {
        let file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(duals)
            .map_err(|e| Error::io(duals, e))?;
        let mut offsets = Vec::with_capacity(self.blocks.len());
        let mut at = 0u64;
        for block in &self.blocks {
            offsets.push(at);
            at += (block.rows * per_row_and_model * 8) as u64;
        }
        Ok(HeadRows {
            rows: self,
            head,
            buffers: Mutex::default(),
            duals: Mutex::new(file),
            duals_path: duals.to_path_buf(),
            offsets,
        })
    }
}

/// One head's view of a [`RowFile`]: what the block solver reads.
pub(super) struct HeadRows<'a> {
    rows: &'a RowFile,
    head: usize,
    /// The bytes of the last block read, and its label codes.
    buffers: Mutex<(Vec<u8>, Vec<u64>)>,
    duals: Mutex<File>,
    duals_path: PathBuf,
    offsets: Vec<u64>,
}

impl RowBlocks for HeadRows<'_> {
    fn n_blocks(&self) -> usize {
        self.rows.n_blocks()
    }

    fn read(
        &self,
        b: usize,
        x: &mut SparseMatrix,
        labels: &mut Vec<Option<RowLabel>>,
    ) -> Result<()> {
        let mut buffers = self.buffers.lock().unwrap_or_else(|e| e.into_inner());
        let (bytes, codes) = &mut *buffers;
        self.rows.read_block(b, bytes, x, codes)?;
        labels.clear();
        labels.extend(
            codes
                .chunks_exact(self.rows.n_heads)
                .map(|row| decode_label(row[self.head])),
        );
        Ok(())
    }

    fn read_duals(&self, b: usize, out: &mut [f64]) -> Result<()> {
        let mut buffers = self.buffers.lock().unwrap_or_else(|e| e.into_inner());
        let bytes = &mut buffers.0;
        bytes.resize(out.len() * 8, 0);
        read_at(&self.duals, &self.duals_path, self.offsets[b], bytes)?;
        for (v, c) in out.iter_mut().zip(bytes.chunks_exact(8)) {
            *v = f64::from_le_bytes(c.try_into().unwrap_or_default());
        }
        Ok(())
    }

    fn write_duals(&self, b: usize, duals: &[f64]) -> Result<()> {
        let mut buffers = self.buffers.lock().unwrap_or_else(|e| e.into_inner());
        let bytes = &mut buffers.0;
        bytes.clear();
        bytes.extend(duals.iter().flat_map(|v| v.to_le_bytes()));
        let mut f = self.duals.lock().unwrap_or_else(|e| e.into_inner());
        f.seek(SeekFrom::Start(self.offsets[b]))
            .and_then(|_| f.write_all(bytes))
            .map_err(|e| Error::io(&self.duals_path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_labels_come_back_block_by_block() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = RowFileWriter::create(&dir.path().join("rows"), 5, 2, 0).unwrap();
        let labels = [
            [encode_label(Some(RowLabel::Class(3))), 0],
            [
                encode_label(Some(RowLabel::OneOf(0b101))),
                encode_label(Some(RowLabel::Class(0))),
            ],
        ];
        for i in 0..3000u32 {
            let row = [(i % 5, 1.0 + i as f32), (4, 0.5)];
            let row = if i % 5 == 4 { &row[1..] } else { &row[..] };
            w.push(row, &labels[i as usize % 2]).unwrap();
        }
        let file = w.finish().unwrap();
        assert!(file.n_blocks() > 1);
        let head = file.head(0, &dir.path().join("duals"), 1).unwrap();
        let mut seen = 0u32;
        let (mut x, mut l) = (SparseMatrix::new(0), Vec::new());
        for b in 0..head.n_blocks() {
            head.read(b, &mut x, &mut l).unwrap();
            for (i, label) in l.iter().enumerate() {
                assert_eq!(x.row(i).values.last(), Some(&0.5));
                let expected = if seen.is_multiple_of(2) {
                    RowLabel::Class(3)
                } else {
                    RowLabel::OneOf(0b101)
                };
                assert_eq!(*label, Some(expected));
                seen += 1;
            }
            let duals: Vec<f64> = (0..x.n_rows()).map(|i| i as f64 * 0.5).collect();
            head.write_duals(b, &duals).unwrap();
            let mut back = vec![0.0; duals.len()];
            head.read_duals(b, &mut back).unwrap();
            assert_eq!(back, duals);
        }
        assert_eq!(seen, 3000);
        let other = file.head(1, &dir.path().join("duals1"), 1).unwrap();
        other.read(0, &mut x, &mut l).unwrap();
        assert_eq!(l[0], None);
    }
}
