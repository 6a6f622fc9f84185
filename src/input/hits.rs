//! Finds every delimiter and line feed of a block of text without quotes, 64 bytes at
//! a time: one comparison of the 64 bytes gives a bit mask of the hits, and the hits
//! are then read off the mask (a search per hit, as `memchr2_iter` does, costs more
//! than the short fields between them). The same pass notes whether a carriage return
//! was seen (a search of its own cost a pass over the file).

/// The offsets of every `delimiter` and line feed in a text, in order.
pub struct Hits<'a> {
    bytes: &'a [u8],
    delimiter: u8,
    /// The offset of the 64 bytes that `mask` covers.
    base: usize,
    /// The hits not yet returned among the 64 bytes at `base` (bit i: byte base + i).
    mask: u64,
    /// The offset of the next 64 bytes to look at.
    next: usize,
    /// Whether the bytes looked at so far hold a carriage return.
    cr: bool,
}

impl<'a> Hits<'a> {
    /// The hits of `bytes`.
    pub fn new(bytes: &'a [u8], delimiter: u8) -> Self {
        Hits { bytes, delimiter, base: 0, mask: 0, next: 0, cr: false }
    }

    /// Whether a carriage return is among the bytes up to the last hit returned (and
    /// up to the end of the text once `next` returned `None`); maybe among a few more.
    pub fn seen_cr(&self) -> bool {
        self.cr
    }
}

impl Iterator for Hits<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            if self.next >= self.bytes.len() {
                return None;
            }
            let rest = &self.bytes[self.next..];
            let cr;
            (self.mask, cr) = match rest.first_chunk::<64>() {
                Some(chunk) => mask64(chunk, self.delimiter),
                None => mask_scalar(rest, self.delimiter),
            };
            self.cr |= cr;
            self.base = self.next;
            self.next += 64;
        }
        let bit = self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        Some(self.base + bit)
    }
}

/// The hits among up to 64 bytes, one byte at a time (bit i: byte i), and whether they
/// hold a carriage return.
fn mask_scalar(bytes: &[u8], delimiter: u8) -> (u64, bool) {
    let bytes = &bytes[..bytes.len().min(64)];
    let mask = bytes.iter().enumerate().fold(0, |mask, (i, &b)| mask | (u64::from(b == delimiter || b == b'\n') << i));
    (mask, bytes.contains(&b'\r'))
}

/// The hits among 64 bytes (bit i: byte i), 16 bytes per SSE2 comparison (SSE2 is part
/// of every x86-64 processor), and whether they hold a carriage return.
#[cfg(target_arch = "x86_64")]
#[inline]
fn mask64(chunk: &[u8; 64], delimiter: u8) -> (u64, bool) {
    use safe_arch::{bitor_m128i, cmp_eq_mask_i8_m128i, load_unaligned_m128i, move_mask_i8_m128i, set_splat_i8_m128i};
    let (delimiters, feeds) = (set_splat_i8_m128i(delimiter as i8), set_splat_i8_m128i(b'\n' as i8));
    let returns = set_splat_i8_m128i(b'\r' as i8);
    let (mut mask, mut cr) = (0u64, set_splat_i8_m128i(0));
    for (k, part) in chunk.as_chunks::<16>().0.iter().enumerate() {
        let v = load_unaligned_m128i(part);
        let hits = bitor_m128i(cmp_eq_mask_i8_m128i(v, delimiters), cmp_eq_mask_i8_m128i(v, feeds));
        mask |= u64::from(move_mask_i8_m128i(hits) as u16) << (16 * k);
        cr = bitor_m128i(cr, cmp_eq_mask_i8_m128i(v, returns));
    }
    (mask, move_mask_i8_m128i(cr) != 0)
}

/// The hits among 64 bytes (bit i: byte i), eight bytes per word, and whether they hold
/// a carriage return.
#[cfg(not(target_arch = "x86_64"))]
fn mask64(chunk: &[u8; 64], delimiter: u8) -> (u64, bool) {
    mask_words(chunk, delimiter)
}

/// The hits among 64 bytes, eight bytes per 64-bit word: a byte equal to the one looked
/// for is a zero byte of the word xor'ed with it (found exactly, without carries).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn mask_words(chunk: &[u8; 64], delimiter: u8) -> (u64, bool) {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let zero_bytes = |x: u64| !(((x & LOW7) + LOW7) | x | LOW7);
    let (d, n) = (u64::from_ne_bytes([delimiter; 8]), u64::from_ne_bytes([b'\n'; 8]));
    let r = u64::from_ne_bytes([b'\r'; 8]);
    let (mut mask, mut cr) = (0u64, 0u64);
    for (k, part) in chunk.chunks_exact(8).enumerate() {
        let w = u64::from_le_bytes(part.try_into().unwrap_or_default());
        // One high bit per hit byte: gather the eight into eight bits.
        let high = zero_bytes(w ^ d) | zero_bytes(w ^ n);
        let bits = (high >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56;
        mask |= bits << (8 * k);
        cr |= zero_bytes(w ^ r);
    }
    (mask, cr != 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The hits are every delimiter and line feed, in order, found by each mask.
        #[test]
        fn hits_are_every_delimiter_and_line_feed(
            bytes in proptest::collection::vec(prop_oneof![Just(b','), Just(b'\n'), Just(b';'), any::<u8>()], 0..300),
            delimiter in prop_oneof![Just(b','), Just(b';'), Just(b'\t'), Just(0x8a_u8)],
        ) {
            let expected: Vec<usize> =
                bytes.iter().enumerate().filter(|(_, b)| **b == delimiter || **b == b'\n').map(|(i, _)| i).collect();
            let mut hits = Hits::new(&bytes, delimiter);
            prop_assert_eq!(hits.by_ref().collect::<Vec<_>>(), expected);
            prop_assert_eq!(hits.seen_cr(), bytes.contains(&b'\r'));
            for chunk in bytes.chunks_exact(64) {
                let chunk: &[u8; 64] = chunk.try_into().unwrap();
                prop_assert_eq!(mask_words(chunk, delimiter), mask_scalar(chunk, delimiter));
                prop_assert_eq!(mask64(chunk, delimiter), mask_scalar(chunk, delimiter));
            }
        }
    }

    #[test]
    fn hits_at_the_edges_of_the_64_bytes() {
        let mut bytes = vec![b'x'; 130];
        for at in [0, 63, 64, 127, 128, 129] {
            bytes[at] = b',';
        }
        bytes[1] = b'\n';
        assert_eq!(Hits::new(&bytes, b',').collect::<Vec<_>>(), [0, 1, 63, 64, 127, 128, 129]);
        assert_eq!(Hits::new(b"", b',').count(), 0);
        // A byte with the high bit set next to a hit is no hit (no carry between bytes).
        let mut high = [0xffu8; 64];
        high[5] = b'\n';
        assert_eq!(mask_words(&high, 0x7f), (1 << 5, false));
        // A carriage return is seen by each mask, at either end of the 64 bytes.
        for at in [0, 63] {
            let mut cr = [b'x'; 64];
            cr[at] = b'\r';
            assert_eq!(mask_words(&cr, b','), (0, true));
            assert_eq!(mask64(&cr, b','), (0, true));
            assert_eq!(mask_scalar(&cr, b','), (0, true));
        }
    }
}
