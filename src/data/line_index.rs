//! Line numbers of byte offsets in a stream, counted as the bytes are read.
//!
//! The csv crate's own line numbers are wrong for CRLF files (one too low) and
//! for CR-only files (always 1), so rows are located by byte offset instead:
//! a line ends at `\n`, at `\r\n`, or at a lone `\r`. Only the line ends that
//! have been read but not yet asked about are kept, so memory stays bounded on
//! streams of any size, as long as offsets are asked about in increasing order.

use std::collections::VecDeque;
use std::io::Read;
use std::sync::{Arc, Mutex};

#[derive(Debug, Default)]
struct State {
    /// Offset of the next byte to be read.
    offset: u64,
    /// Offsets of the `\r` and `\n` bytes read but not yet passed by a
    /// query, each with whether it ends a line (a `\r` before `\n` does not).
    terminators: VecDeque<(u64, bool)>,
    /// Line ends already passed by a query.
    passed: u64,
}

/// The shared handle through which line numbers are asked for.
#[derive(Debug, Clone, Default)]
pub(crate) struct LineIndex(Arc<Mutex<State>>);

impl LineIndex {
    /// The 1-based line of the first byte at or after `offset` that is not a
    /// line terminator. (The csv crate reports where it began reading a row,
    /// which may be the LF of the previous line's CRLF or blank lines before
    /// the row.) Offsets must be asked in non-decreasing order.
    pub(crate) fn line_at(&self, offset: u64) -> u64 {
        let mut s = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let mut at = offset;
        while let Some(&(t, ends_line)) = s.terminators.front() {
            if t > at {
                break;
            }
            if t == at {
                at += 1;
            }
            s.terminators.pop_front();
            s.passed += u64::from(ends_line);
        }
        s.passed + 1
    }

    /// The 1-based line of the last byte before `end` that is not a line
    /// terminator: the last line of a row that the csv crate read up to
    /// `end` (its own terminator, blank lines after it, or the line ends
    /// before the end of the file swallowed by a quote never closed, are no
    /// part of it). `end` must not be before an offset already asked about
    /// with [`LineIndex::line_at`]; nothing is forgotten by this query.
    pub(crate) fn line_before(&self, end: u64) -> u64 {
        let s = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let mut before = s.terminators.partition_point(|&(t, _)| t < end);
        let mut last = end;
        // Walk back over the run of terminators that ends right before `end`.
        while before > 0 && s.terminators[before - 1].0 + 1 == last {
            before -= 1;
            last -= 1;
        }
        let ended = s
            .terminators
            .range(..before)
            .filter(|&&(_, ends_line)| ends_line)
            .count() as u64;
        s.passed + ended + 1
    }
}

/// Wraps a reader, recording line ends into a [`LineIndex`].
pub(crate) struct Counting<R> {
    inner: R,
    index: LineIndex,
}

impl<R: Read> Counting<R> {
    /// `inner`, counted from its first byte, and the handle to query.
    pub(crate) fn new(inner: R) -> (Self, LineIndex) {
        let index = LineIndex::default();
        (
            Counting {
                inner,
                index: index.clone(),
            },
            index,
        )
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut s = self.index.0.lock().unwrap_or_else(|e| e.into_inner());
        for &b in &buf[..n] {
            let at = s.offset;
            // A CR ends its line unless an LF follows it.
            if let Some(last) = s.terminators.back_mut()
                && last.0 + 1 == at
                && !last.1
                && b != b'\n'
            {
                last.1 = true;
            }
            match b {
                b'\n' => s.terminators.push_back((at, true)),
                b'\r' => s.terminators.push_back((at, false)),
                _ => {}
            }
            s.offset += 1;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(text: &[u8], offsets: &[u64]) -> Vec<u64> {
        let (mut reader, index) = Counting::new(text);
        std::io::copy(&mut reader, &mut std::io::sink()).unwrap();
        offsets.iter().map(|&o| index.line_at(o)).collect()
    }

    #[test]
    fn lf_crlf_and_cr_line_ends_count_alike() {
        // "a", "b", "c" start at offsets 0, 2, 4 (LF), 0, 3, 6 (CRLF), 0, 2, 4 (CR).
        assert_eq!(lines_of(b"a\nb\nc\n", &[0, 2, 4]), [1, 2, 3]);
        assert_eq!(lines_of(b"a\r\nb\r\nc\r\n", &[0, 3, 6]), [1, 2, 3]);
        // Terminators at the offset asked about are passed over: the LF of a
        // CRLF, and blank lines.
        assert_eq!(lines_of(b"a\r\nb\r\nc\r\n", &[2, 5]), [2, 3]);
        assert_eq!(lines_of(b"a\r\n\r\n\r\nb", &[2, 8]), [4, 4]);
        assert_eq!(lines_of(b"a\n\n\nb", &[1, 4]), [4, 4]);
        assert_eq!(lines_of(b"a\rb\rc\r", &[0, 2, 4]), [1, 2, 3]);
        assert_eq!(lines_of(b"a\n\nb\r\rc", &[0, 3, 6]), [1, 3, 5]);
        // A CR at the very end still ends its line once nothing follows.
        assert_eq!(lines_of(b"a\rb", &[2]), [2]);
    }

    #[test]
    fn the_last_line_of_a_row_leaves_out_trailing_line_ends() {
        let last = |text: &[u8], start: u64, end: u64| {
            let (mut reader, index) = Counting::new(text);
            std::io::copy(&mut reader, &mut std::io::sink()).unwrap();
            assert!(index.line_at(start) >= 1);
            index.line_before(end)
        };
        // A row on lines 2-3 ("b\nc"), read up to its terminator, blank lines
        // after it, or the end of the file.
        assert_eq!(last(b"a\nb\nc\nd\n", 2, 6), 3);
        assert_eq!(last(b"a\nb\nc\n\n\nd\n", 2, 8), 3);
        assert_eq!(last(b"a\r\nb\r\nc\r\n\r\nd", 3, 11), 3);
        assert_eq!(last(b"a\rb\rc\r\rd", 2, 7), 3);
        assert_eq!(last(b"a\nb\nc", 2, 5), 3);
        // A one-line row ends on the line it starts on.
        assert_eq!(last(b"a\nb\nc\n", 2, 4), 2);
    }

    #[test]
    fn line_ends_split_across_reads_are_counted_once() {
        // Read one byte at a time, so every CR and LF lands in separate reads.
        struct OneByte<'a>(&'a [u8]);
        impl Read for OneByte<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                match (self.0.split_first(), buf.is_empty()) {
                    (Some((&b, rest)), false) => {
                        buf[0] = b;
                        self.0 = rest;
                        Ok(1)
                    }
                    _ => Ok(0),
                }
            }
        }
        let text = b"x\r\ny\rz\n".repeat(100);
        let (mut reader, index) = Counting::new(OneByte(&text));
        std::io::copy(&mut reader, &mut std::io::sink()).unwrap();
        for k in 0..100u64 {
            assert_eq!(index.line_at(7 * k), 3 * k + 1);
            assert_eq!(index.line_at(7 * k + 3), 3 * k + 2);
            assert_eq!(index.line_at(7 * k + 5), 3 * k + 3);
        }
    }
}
