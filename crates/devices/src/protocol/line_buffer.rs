//! Splits a byte stream into lines ended by CR, LF or CR LF, across reads of any size.

/// Longest line kept; a device spewing bytes with no terminator cannot grow memory without bound.
pub const MAX_LINE: usize = 4096;

/// Accumulates bytes and hands out complete lines (without their terminator).
#[derive(Debug, Default)]
pub struct LineBuffer {
    buf: Vec<u8>,
    /// The previous chunk ended in CR, so a leading LF in the next chunk belongs to it.
    after_cr: bool,
    /// The current line overflowed and is being skipped up to its terminator.
    overflowing: bool,
}

impl LineBuffer {
    /// An empty buffer.
    pub fn new() -> LineBuffer {
        LineBuffer::default()
    }

    /// Adds bytes and returns every line they complete, in order. Empty lines are dropped
    /// (a CR LF pair is one terminator, never an empty line in between).
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for &b in bytes {
            let was_after_cr = std::mem::replace(&mut self.after_cr, false);
            match b {
                b'\n' if was_after_cr => {}
                b'\r' | b'\n' => {
                    self.after_cr = b == b'\r';
                    let line = std::mem::take(&mut self.buf);
                    if !std::mem::replace(&mut self.overflowing, false) && !line.is_empty() {
                        out.push(line);
                    }
                }
                _ if self.overflowing => {}
                _ => {
                    if self.buf.len() >= MAX_LINE {
                        self.buf.clear();
                        self.overflowing = true;
                    } else {
                        self.buf.push(b);
                    }
                }
            }
        }
        out
    }

    /// Drops any partial line (after a reconnect the old fragment means nothing).
    pub fn clear(&mut self) {
        self.buf.clear();
        self.after_cr = false;
        self.overflowing = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn cr_lf_and_crlf_all_end_a_line() {
        let mut lb = LineBuffer::new();
        assert_eq!(
            lb.push(b"a\rb\nc\r\nd"),
            vec![b"a".to_vec(), b"b".to_vec(), b"c".to_vec()]
        );
        assert_eq!(lb.push(b"\n"), vec![b"d".to_vec()]);
    }

    #[test]
    fn crlf_split_across_reads_is_one_terminator() {
        let mut lb = LineBuffer::new();
        assert_eq!(lb.push(b"S S 1 g\r"), vec![b"S S 1 g".to_vec()]);
        assert_eq!(lb.push(b"\nnext\r\n"), vec![b"next".to_vec()]);
    }

    #[test]
    fn an_endless_line_is_dropped_not_kept() {
        let mut lb = LineBuffer::new();
        assert!(lb.push(&vec![b'x'; MAX_LINE + 10]).is_empty());
        assert_eq!(lb.push(b"tail\r\nok\r\n"), vec![b"ok".to_vec()]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn chunking_does_not_change_the_lines(data in proptest::collection::vec(any::<u8>(), 0..300), cut in 0usize..300) {
            let cut = cut.min(data.len());
            let mut whole = LineBuffer::new();
            let a = whole.push(&data);
            let mut split = LineBuffer::new();
            let mut b = split.push(&data[..cut]);
            b.extend(split.push(&data[cut..]));
            prop_assert_eq!(a, b);
        }
    }
}
