//! Memory sizes: the `--memory-limit` value, how streaming training shares
//! it out, what this process and machine use, and the choice between
//! training in memory and streaming.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

const MB: u64 = 1 << 20;

/// A memory size such as `64M` or `2G` (binary units; a bare number is bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct MemoryLimit(u64);

/// The smallest limit accepted: below it the blocks get too small to be worth their reads.
pub const MIN_LIMIT: MemoryLimit = MemoryLimit(16 * MB);

impl MemoryLimit {
    /// A limit of `bytes` bytes.
    pub fn from_bytes(bytes: u64) -> Self {
        MemoryLimit(bytes)
    }

    /// The limit in bytes.
    pub fn bytes(self) -> u64 {
        self.0
    }

    /// Bytes for the term sketch of the first two passes.
    pub(super) fn sketch(self) -> usize {
        (self.0 / 4) as usize
    }

    /// Bytes for the filter of texts already seen.
    pub(super) fn seen_texts(self) -> usize {
        (self.0 / 16) as usize
    }

    /// Bytes of text read at a time.
    pub(super) fn chunk_text(self) -> usize {
        (self.0 / 64) as usize
    }

    /// Bytes of text whose terms are computed at a time (a 512th of the
    /// limit: at most 48 bytes a term and a term a byte make a tenth of it).
    pub(super) fn part_text(self) -> usize {
        (self.0 / 512) as usize
    }

    /// Bytes of featurized rows the solver holds at a time (an eighth of
    /// the limit: a block is held twice while it is read, as bytes and as rows).
    pub(super) fn block(self) -> usize {
        (self.0 / 8) as usize
    }
}

impl fmt::Display for MemoryLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", megabytes(self.0))
    }
}

/// `bytes` as `N MB` (binary megabytes, as the limit is given), with a
/// decimal below 10 MB.
///
/// ```
/// assert_eq!(newsclf::megabytes(64 << 20), "64 MB");
/// assert_eq!(newsclf::megabytes(300), "0.0 MB");
/// assert_eq!(newsclf::megabytes(5 << 19), "2.5 MB");
/// ```
pub fn megabytes(bytes: u64) -> String {
    let mb = bytes as f64 / MB as f64;
    if mb < 10.0 {
        format!("{mb:.1} MB")
    } else {
        format!("{mb:.0} MB")
    }
}

impl FromStr for MemoryLimit {
    type Err = Error;

    /// ```
    /// use newsclf::MemoryLimit;
    /// assert_eq!("64M".parse::<MemoryLimit>().unwrap().bytes(), 64 << 20);
    /// assert_eq!("1.5g".parse::<MemoryLimit>().unwrap().bytes(), 3 << 29);
    /// let e = "64".parse::<MemoryLimit>().unwrap_err().to_string();
    /// assert!(e.contains("at least 16M"), "{e}");
    /// assert!("lots".parse::<MemoryLimit>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self> {
        let s = s.trim();
        let bad = || {
            Error::param(format!(
                "--memory-limit must be a size such as 64M, 512M or 2G (K, M, G: binary units; \
                 a bare number is bytes), got '{s}'"
            ))
        };
        let (number, unit) = match s.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
            Some((at, _)) => s.split_at(at),
            None => (s, ""),
        };
        let scale = match unit.to_ascii_uppercase().trim_end_matches(['B', 'I']) {
            "" => 1,
            "K" => 1 << 10,
            "M" => MB,
            "G" => 1 << 30,
            "T" => 1 << 40,
            _ => return Err(bad()),
        };
        let value: f64 = number.trim().parse().map_err(|_| bad())?;
        if !value.is_finite() || value < 0.0 {
            return Err(bad());
        }
        let limit = MemoryLimit((value * scale as f64) as u64);
        if limit < MIN_LIMIT {
            return Err(Error::param(format!(
                "--memory-limit {s} is too small: it must be at least 16M"
            )));
        }
        Ok(limit)
    }
}

/// A field of `/proc/<self|meminfo>` in bytes (Linux; `None` elsewhere).
fn proc_field(file: &str, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(file).ok()?;
    let line = text.lines().find(|l| l.starts_with(field))?;
    let kb: u64 = line[field.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// The most memory this process has held so far (peak resident set), if known.
pub fn peak_memory() -> Option<u64> {
    proc_field("/proc/self/status", "VmHWM:")
}

/// The memory this process holds now (resident set), if known.
pub fn current_memory() -> Option<u64> {
    proc_field("/proc/self/status", "VmRSS:")
}

/// Memory this process can take without swapping or being stopped, if
/// known: the machine's available memory, or less when a container's
/// cgroup limit leaves less (inside a container, `/proc/meminfo` shows the
/// host's memory).
pub fn available_memory() -> Option<u64> {
    let machine = proc_field("/proc/meminfo", "MemAvailable:");
    let read = |path: &str| std::fs::read_to_string(path).ok();
    let cgroup = [
        ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
        (
            "/sys/fs/cgroup/memory/memory.limit_in_bytes",
            "/sys/fs/cgroup/memory/memory.usage_in_bytes",
        ),
    ]
    .into_iter()
    .find_map(|(limit, usage)| headroom(&read(limit)?, &read(usage)?));
    match (machine, cgroup) {
        (Some(m), Some(c)) => Some(m.min(c)),
        (m, c) => m.or(c),
    }
}

/// What a cgroup's memory `limit` leaves beyond its `usage` (the files'
/// contents); `None` without a limit (`max`, or cgroup v1's huge value).
fn headroom(limit: &str, usage: &str) -> Option<u64> {
    let limit: u64 = limit.trim().parse().ok()?;
    let usage: u64 = usage.trim().parse().ok()?;
    (limit < 1 << 60).then(|| limit.saturating_sub(usage))
}

/// How `newsclf train` trains a file when no `--memory-limit` is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemoryPlan {
    /// In memory: the estimate fits in half the available memory (or the
    /// available memory is unknown).
    InMemory {
        /// Estimated peak of training in memory.
        needed: u64,
        /// Memory available, if known.
        available: Option<u64>,
    },
    /// Streaming within `limit`: the estimate exceeds half the available memory.
    Streaming {
        /// Estimated peak of training in memory.
        needed: u64,
        /// Memory available.
        available: u64,
        /// The limit chosen: a quarter of the available memory, at least 64M.
        limit: MemoryLimit,
    },
}

/// Estimated peak memory of training a CSV of `file_bytes` in memory: a
/// fixed 70 MB plus 16 bytes per byte of the file, from `bench/out_of_core.sh`
/// (thucnews_titles: 95 MB for 2 MB, 370 MB for 21 MB).
pub fn in_memory_estimate(file_bytes: u64) -> u64 {
    70 * MB + 16 * file_bytes
}

/// The plan for a file of `file_bytes` on a machine with `available` memory.
///
/// ```
/// use newsclf::{MemoryPlan, memory_plan};
/// let gb = 1u64 << 30;
/// assert!(matches!(memory_plan(20 << 20, Some(8 * gb)), MemoryPlan::InMemory { .. }));
/// let MemoryPlan::Streaming { limit, .. } = memory_plan(2 * gb, Some(8 * gb)) else { panic!() };
/// assert_eq!(limit.bytes(), 2 * gb);
/// ```
pub fn memory_plan(file_bytes: u64, available: Option<u64>) -> MemoryPlan {
    let needed = in_memory_estimate(file_bytes);
    match available {
        Some(available) if needed > available / 2 => MemoryPlan::Streaming {
            needed,
            available,
            limit: MemoryLimit((available / 4).max(64 * MB)),
        },
        available => MemoryPlan::InMemory { needed, available },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_container_limit_is_headroom_and_no_limit_is_none() {
        assert_eq!(headroom("2147483648\n", "1073741824\n"), Some(1 << 30));
        assert_eq!(headroom("1000", "2000"), Some(0));
        assert_eq!(headroom("max\n", "6103166976\n"), None);
        assert_eq!(headroom("9223372036854771712\n", "6103166976\n"), None);
        assert!(available_memory().is_some_and(|m| m > 0));
    }
}
