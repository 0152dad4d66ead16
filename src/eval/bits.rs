//! A fixed-size bit set: one bit per user.
//!
//! Clause, filter and stage results for a million users fit in 125 KB each, combine with
//! word-wide AND/OR, and compare across stages (diffs, rollouts) without touching the
//! directory again.

/// One bit per user.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bits {
    words: Vec<u64>,
    len: usize,
}

impl Bits {
    /// All zeros.
    pub fn zeros(len: usize) -> Bits {
        Bits {
            words: vec![0; len.div_ceil(64)],
            len,
        }
    }

    /// All ones.
    pub fn ones(len: usize) -> Bits {
        let mut b = Bits {
            words: vec![u64::MAX; len.div_ceil(64)],
            len,
        };
        b.clear_tail();
        b
    }

    /// Wraps words (bits past `len` are cleared).
    pub fn from_words(words: Vec<u64>, len: usize) -> Bits {
        let mut b = Bits { words, len };
        b.words.resize(len.div_ceil(64), 0);
        b.clear_tail();
        b
    }

    fn clear_tail(&mut self) {
        let rem = self.len % 64;
        if rem != 0 {
            if let Some(last) = self.words.last_mut() {
                *last &= (1u64 << rem) - 1;
            }
        }
    }

    /// Number of bits.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there are no bits.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bit `i` (false when out of range).
    #[inline]
    pub fn get(&self, i: usize) -> bool {
        i < self.len
            && self
                .words
                .get(i / 64)
                .is_some_and(|w| w >> (i % 64) & 1 == 1)
    }

    /// Sets bit `i` (ignored when out of range).
    #[inline]
    pub fn set(&mut self, i: usize, on: bool) {
        if i >= self.len {
            return;
        }
        if let Some(w) = self.words.get_mut(i / 64) {
            if on {
                *w |= 1 << (i % 64);
            } else {
                *w &= !(1 << (i % 64));
            }
        }
    }

    /// Number of set bits.
    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Number of bits set in both `self` and `other`.
    pub fn and_count(&self, other: &Bits) -> usize {
        self.words
            .iter()
            .zip(&other.words)
            .map(|(a, b)| (a & b).count_ones() as usize)
            .sum()
    }

    /// `self &= other`.
    pub fn and_with(&mut self, other: &Bits) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= *b;
        }
    }

    /// `self |= other`.
    pub fn or_with(&mut self, other: &Bits) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= *b;
        }
    }

    /// `self &= !other`.
    pub fn and_not_with(&mut self, other: &Bits) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= !*b;
        }
    }

    /// The complement.
    pub fn not(&self) -> Bits {
        let mut b = Bits {
            words: self.words.iter().map(|w| !w).collect(),
            len: self.len,
        };
        b.clear_tail();
        b
    }

    /// Indices of set bits, ascending.
    pub fn ones_iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(wi, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let t = w.trailing_zeros() as usize;
                w &= w - 1;
                Some(wi * 64 + t)
            })
        })
    }

    /// The words.
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    /// Copies `src` (its first `src.len()` bits) into `self` starting at bit `at`.
    pub fn copy_from(&mut self, src: &Bits, at: usize) {
        if at % 64 == 0 {
            let w0 = at / 64;
            for (i, &w) in src.words.iter().enumerate() {
                if let Some(d) = self.words.get_mut(w0 + i) {
                    *d |= w;
                }
            }
        } else {
            for i in src.ones_iter() {
                self.set(at + i, true);
            }
        }
        self.clear_tail();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_get_count_and_combine() {
        let mut a = Bits::zeros(130);
        a.set(0, true);
        a.set(64, true);
        a.set(129, true);
        a.set(130, true); // out of range: ignored
        assert_eq!(a.count(), 3);
        assert!(a.get(129) && !a.get(128) && !a.get(130));
        let b = Bits::ones(130);
        assert_eq!(b.count(), 130);
        assert_eq!(a.not().count(), 127);
        let mut c = b.clone();
        c.and_with(&a);
        assert_eq!(c, a);
        assert_eq!(a.ones_iter().collect::<Vec<_>>(), vec![0, 64, 129]);
    }

    #[test]
    fn copy_from_at_unaligned_offsets() {
        let mut src = Bits::zeros(70);
        src.set(0, true);
        src.set(69, true);
        let mut dst = Bits::zeros(200);
        dst.copy_from(&src, 3);
        assert_eq!(dst.ones_iter().collect::<Vec<_>>(), vec![3, 72]);
        let mut dst = Bits::zeros(200);
        dst.copy_from(&src, 128);
        assert_eq!(dst.ones_iter().collect::<Vec<_>>(), vec![128, 197]);
    }
}
