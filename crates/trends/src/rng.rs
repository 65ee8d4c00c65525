//! SplitMix64: a small deterministic generator for the demo bundles, so a seed always
//! gives the same bundles (tests and benchmarks compare figures across runs). Not for
//! anything secret.

/// The generator state.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in 0..n (n ≥ 1).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// One item of a non-empty slice.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// An item by weight (`(item, weight)` pairs, weights not all zero).
    pub(crate) fn weighted<'a, T>(&mut self, items: &'a [(T, f64)]) -> &'a T {
        let total: f64 = items.iter().map(|(_, w)| w).sum();
        let mut x = self.unit() * total;
        for (item, w) in items {
            if x < *w {
                return item;
            }
            x -= w;
        }
        &items[items.len() - 1].0
    }

    /// A standard normal draw (Box–Muller).
    pub(crate) fn normal(&mut self) -> f64 {
        let u1 = self.unit().max(1e-300);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }

    /// A Poisson draw: Knuth's product method for small means, a rounded normal above 40
    /// (close enough for demo counts).
    pub(crate) fn poisson(&mut self, mean: f64) -> u64 {
        if mean <= 0.0 {
            return 0;
        }
        if mean > 40.0 {
            return (mean + mean.sqrt() * self.normal()).round().max(0.0) as u64;
        }
        let limit = (-mean).exp();
        let mut product = self.unit();
        let mut n = 0;
        while product > limit {
            product *= self.unit();
            n += 1;
        }
        n
    }

    /// `n` random bytes as lower-case hex.
    pub(crate) fn hex(&mut self, bytes: usize) -> String {
        let drawn: Vec<u8> = (0..bytes).map(|_| self.next_u64() as u8).collect();
        tdverify_core::hex::encode(&drawn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_draws_have_their_mean() {
        let mut rng = Rng::new(3);
        for mean in [0.5, 4.0, 12.0, 100.0] {
            let n = 20_000;
            let sum: u64 = (0..n).map(|_| rng.poisson(mean)).sum();
            let observed = sum as f64 / n as f64;
            assert!((observed - mean).abs() < 0.05 * mean + 0.05, "mean {mean}: {observed}");
        }
        assert_eq!(Rng::new(9).next_u64(), Rng::new(9).next_u64());
    }
}
