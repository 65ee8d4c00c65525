//! The inverse of the standard normal distribution function, z(p), which d′ and the
//! criterion need. Implemented after Wichura's algorithm AS 241 (PPND16, Applied
//! Statistics 37, 1988): rational approximations in three ranges, relative accuracy
//! about 1e-16, so scores do not depend on a statistics library.

/// z such that Φ(z) = p, for 0 < p < 1; `None` outside (0, 1) or for NaN.
pub fn inverse_normal_cdf(p: f64) -> Option<f64> {
    if !(p > 0.0 && p < 1.0) {
        return None;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return Some(q * poly(&CENTRAL_NUM, r) / poly(&CENTRAL_DEN, r));
    }
    let tail = if q < 0.0 { p } else { 1.0 - p };
    let r = (-tail.ln()).sqrt();
    let z = if r <= 5.0 {
        let r = r - 1.6;
        poly(&NEAR_NUM, r) / poly(&NEAR_DEN, r)
    } else {
        let r = r - 5.0;
        poly(&FAR_NUM, r) / poly(&FAR_DEN, r)
    };
    Some(if q < 0.0 { -z } else { z })
}

/// Evaluates c0 + c1·x + … + c7·x⁷ (Horner).
fn poly(coefficients: &[f64; 8], x: f64) -> f64 {
    coefficients.iter().rev().fold(0.0, |acc, c| acc * x + c)
}

const CENTRAL_NUM: [f64; 8] = [
    3.387_132_872_796_366_5,
    1.331_416_678_917_843_8e2,
    1.971_590_950_306_551_3e3,
    1.373_169_376_550_946e4,
    4.592_195_393_154_987e4,
    6.726_577_092_700_87e4,
    3.343_057_558_358_813e4,
    2.509_080_928_730_122_7e3,
];
const CENTRAL_DEN: [f64; 8] = [
    1.0,
    4.231_333_070_160_091e1,
    6.871_870_074_920_579e2,
    5.394_196_021_424_751e3,
    2.121_379_430_158_659_7e4,
    3.930_789_580_009_271e4,
    2.872_908_573_572_194_3e4,
    5.226_495_278_852_545e3,
];
const NEAR_NUM: [f64; 8] = [
    1.423_437_110_749_683_5,
    4.630_337_846_156_546,
    5.769_497_221_460_691,
    3.647_848_324_763_204_5,
    1.270_458_252_452_368_4,
    2.417_807_251_774_506e-1,
    2.272_384_498_926_918_4e-2,
    7.745_450_142_783_414e-4,
];
const NEAR_DEN: [f64; 8] = [
    1.0,
    2.053_191_626_637_759,
    1.676_384_830_183_803_8,
    6.897_673_349_851e-1,
    1.481_039_764_274_800_8e-1,
    1.519_866_656_361_645_7e-2,
    5.475_938_084_995_345e-4,
    1.050_750_071_644_416_9e-9,
];
const FAR_NUM: [f64; 8] = [
    6.657_904_643_501_103,
    5.463_784_911_164_114,
    1.784_826_539_917_291_3,
    2.965_605_718_285_048_7e-1,
    2.653_218_952_657_612_4e-2,
    1.242_660_947_388_078_4e-3,
    2.711_555_568_743_487_6e-5,
    2.010_334_399_292_288_1e-7,
];
const FAR_DEN: [f64; 8] = [
    1.0,
    5.998_322_065_558_88e-1,
    1.369_298_809_227_358e-1,
    1.487_536_129_085_061_5e-2,
    7.868_691_311_456_133e-4,
    1.846_318_317_510_054_8e-5,
    1.421_511_758_316_446e-7,
    2.046_297_676_245_593_9e-15,
];

#[cfg(test)]
mod tests {
    use super::inverse_normal_cdf;

    /// Reference quantiles (from published normal tables, to 10+ digits).
    #[test]
    fn matches_known_quantiles() {
        let known = [
            (0.5, 0.0),
            (0.975, 1.959_963_984_540_054),
            (0.025, -1.959_963_984_540_054),
            (0.95, 1.644_853_626_951_472_7),
            (0.8413447460685429, 1.0),
            (0.99, 2.326_347_874_040_841),
            (0.75, 0.674_489_750_196_081_7),
            (0.001, -3.090_232_306_167_813_5),
            (1e-10, -6.361_340_902_404_056),
            (1e-300, -37.047_096_299_361_2),
        ];
        for (p, z) in known {
            let got = inverse_normal_cdf(p).expect("inside (0, 1)");
            assert!(
                (got - z).abs() < 1e-9 * z.abs().max(1.0),
                "z({p}) = {got}, want {z}"
            );
        }
    }

    #[test]
    fn is_antisymmetric_and_undefined_at_the_ends() {
        for p in [0.01, 0.1, 0.3, 0.42, 0.4999] {
            let low = inverse_normal_cdf(p).unwrap();
            let high = inverse_normal_cdf(1.0 - p).unwrap();
            assert!((low + high).abs() < 1e-12, "{p}: {low} vs {high}");
        }
        for p in [0.0, 1.0, -0.1, 1.5, f64::NAN] {
            assert_eq!(inverse_normal_cdf(p), None, "{p}");
        }
    }
}
