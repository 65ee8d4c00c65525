//! TEST-ONLY demo bundles: many stations' signed DESC bundles with a realistic structure,
//! for tests, benchmarks and training. Every key here is derived from the seed and the
//! station index, so anyone can recompute it: a demo bundle proves nothing about origin
//! and its keys must never be trusted on a real station.
//!
//! Structure: 24 months (2025-01..2026-12); stations in several countries, regions and
//! border types (air, land, sea, inland); each station sees a few traveller "profiles"
//! (nationality claimed, issuing state, sex, age band) at a Poisson rate with seasonality
//! (a ±20 % yearly wave peaking in July north of the equator, in January south of it) and
//! a 5 % yearly growth; routes follow the nationality (embarkation → transits → the
//! station's country); fraud types, forgery methods, failed checks, detection stage and
//! hotlist result follow each other plausibly. Records go through the export's own
//! k-anonymity ([`tdverify_export::anonymity::anonymise`]) before they are signed.
//!
//! The planted spike: in [`SPIKE_MONTH`], the issuing state ranking third by expected
//! volume gets about three times its usual monthly count added (at least 3k records), as
//! a ring of look-alike travellers at up to three stations. [`DemoBundles::spike`] says
//! which state and how many records, so tests can look for it.

use std::path::{Path, PathBuf};

use ring::signature::{Ed25519KeyPair, KeyPair};
use serde::Serialize;
use tdverify_export::anonymity::anonymise;
use tdverify_export::record::{Ungeneralised, age_band, document_category};
use tdverify_export::{DEFAULT_K, DescRecord, Period, SCHEMA_VERSION, format_public_key, write_signed};

use crate::error::{TrendsError, io_error};
use crate::rng::Rng;

/// First month of the demo data.
pub const FIRST_MONTH: &str = "2025-01";
/// Last month of the demo data.
pub const LAST_MONTH: &str = "2026-12";
/// The month of the planted spike.
pub const SPIKE_MONTH: &str = "2026-10";
const MONTHS: usize = 24;
const SPIKE_MONTH_INDEX: usize = 21;

/// How to make the demo bundles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoSpec {
    /// Stations (one bundle each).
    pub stations: usize,
    /// Records per station before the spike (approximate: Poisson counts, minus what
    /// k-anonymity suppresses).
    pub records_per_station: usize,
    /// Seed: the same seed gives the same bundles and keys.
    pub seed: u64,
    /// Whether to plant the spike (off: the same data without it, for the no-alert test).
    pub spike: bool,
    /// k of the bundles.
    pub k: usize,
}

/// A station's demo bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoBundle {
    /// The bundle folder.
    pub path: PathBuf,
    /// Station id in the manifest.
    pub station_id: String,
    /// A label for the trusted-stations file.
    pub label: String,
    /// TEST-ONLY public key (32 bytes).
    pub public_key: Vec<u8>,
    /// Records in the bundle.
    pub records: u64,
}

/// The planted spike.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlantedSpike {
    /// ICAO code of the issuing state.
    pub issuing_state: String,
    /// `YYYY-MM`.
    pub month: String,
    /// Its expected count that month without the spike.
    pub usual: f64,
    /// Records added.
    pub added: u64,
}

/// What [`demo_bundles`] wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemoBundles {
    /// One per station.
    pub bundles: Vec<DemoBundle>,
    /// The planted spike, if planted.
    pub spike: Option<PlantedSpike>,
    /// `YYYY-MM..YYYY-MM`.
    pub period: String,
}

impl DemoBundles {
    /// The trusted-stations file for these bundles: `label ed25519:HEX` per line, marked
    /// TEST-ONLY.
    pub fn trusted_stations_text(&self) -> String {
        let mut out = String::from(
            "# TEST-ONLY demo station keys (derived from a public seed): never trust them on a real station\n",
        );
        for b in &self.bundles {
            out.push_str(&format!("{} {}\n", b.label, format_public_key(&b.public_key)));
        }
        out
    }

    /// Total records.
    pub fn records(&self) -> u64 {
        self.bundles.iter().map(|b| b.records).sum()
    }
}

/// The TEST-ONLY signing key of demo station `index` for `seed`: SHA-256 of a fixed
/// TEST-ONLY label, the seed and the index, used as the Ed25519 seed.
pub fn demo_key(seed: u64, index: usize) -> Ed25519KeyPair {
    let mut input = b"TEST-ONLY tdverify trends demo station key".to_vec();
    input.extend_from_slice(&seed.to_le_bytes());
    input.extend_from_slice(&(index as u64).to_le_bytes());
    let digest = ring::digest::digest(&ring::digest::SHA256, &input);
    // A 32-byte seed is always accepted by ring.
    match Ed25519KeyPair::from_seed_unchecked(digest.as_ref()) {
        Ok(key) => key,
        Err(_) => unreachable!("a 32-byte Ed25519 seed is always valid"),
    }
}

/// Writes `stations` TEST-ONLY bundles of about `records_per_station` records with the
/// planted spike into `out_dir` (created if missing), k = 5.
pub fn demo_bundles(
    stations: usize,
    records_per_station: usize,
    seed: u64,
    out_dir: &Path,
) -> Result<DemoBundles, TrendsError> {
    demo_bundles_with(&DemoSpec { stations, records_per_station, seed, spike: true, k: DEFAULT_K }, out_dir)
}

/// A station of the demo: country, area code, border type, southern hemisphere.
struct Station {
    country: &'static str,
    area: &'static str,
    border: &'static str,
    south: bool,
}

const STATIONS: &[Station] = &[
    Station { country: "D", area: "EDDF", border: "air", south: false },
    Station { country: "FRA", area: "LFPG", border: "air", south: false },
    Station { country: "ESP", area: "ALGECIRAS", border: "sea", south: false },
    Station { country: "ITA", area: "LAMPEDUSA", border: "sea", south: false },
    Station { country: "GRC", area: "EVROS", border: "land", south: false },
    Station { country: "POL", area: "TERESPOL", border: "land", south: false },
    Station { country: "HUN", area: "ROSZKE", border: "land", south: false },
    Station { country: "NLD", area: "EHAM", border: "air", south: false },
    Station { country: "BGR", area: "KAPITAN-ANDREEVO", border: "land", south: false },
    Station { country: "AUT", area: "WIEN-INLAND", border: "inland", south: false },
    Station { country: "TUR", area: "LTFM", border: "air", south: false },
    Station { country: "MAR", area: "TANGER-MED", border: "sea", south: false },
    Station { country: "KEN", area: "HKJK", border: "air", south: true },
    Station { country: "ZAF", area: "BEITBRIDGE", border: "land", south: true },
    Station { country: "MEX", area: "TIJUANA", border: "land", south: false },
    Station { country: "USA", area: "KJFK", border: "air", south: false },
    Station { country: "THA", area: "VTBS", border: "air", south: false },
    Station { country: "AUS", area: "YSSY", border: "air", south: true },
    Station { country: "GBR", area: "DOVER", border: "sea", south: false },
    Station { country: "SWE", area: "MALMO-INLAND", border: "inland", south: false },
];

/// Usual (embarkation, transits) of a nationality.
type Routes = &'static [(&'static str, &'static [&'static str])];

/// Nationalities claimed, their weight and their usual routes.
const ORIGINS: &[(&str, f64, Routes)] = &[
    ("SYR", 10.0, &[("TUR", &["GRC"]), ("LBN", &[]), ("TUR", &[])]),
    ("AFG", 9.0, &[("IRN", &["TUR"]), ("PAK", &["ARE"])]),
    ("NGA", 7.0, &[("NGA", &["MAR"]), ("NGA", &["ETH"]), ("GHA", &[])]),
    ("IRQ", 6.0, &[("TUR", &[]), ("IRQ", &["TUR"])]),
    ("MAR", 5.0, &[("MAR", &[]), ("MAR", &["ESP"])]),
    ("ALB", 5.0, &[("ALB", &["ITA"]), ("ALB", &[])]),
    ("UKR", 5.0, &[("UKR", &["POL"]), ("UKR", &[])]),
    ("PAK", 4.0, &[("PAK", &["ARE"]), ("PAK", &["QAT"])]),
    ("BGD", 3.0, &[("BGD", &["ARE"])]),
    ("IND", 3.0, &[("IND", &["ARE"])]),
    ("CHN", 3.0, &[("CHN", &[])]),
    ("VNM", 3.0, &[("VNM", &["RUS"]), ("VNM", &[])]),
    ("GEO", 3.0, &[("GEO", &["TUR"])]),
    ("COL", 3.0, &[("COL", &["ESP"]), ("COL", &["MEX"])]),
    ("VEN", 3.0, &[("VEN", &["COL"]), ("VEN", &["PAN"])]),
    ("ERI", 3.0, &[("ERI", &["SDN", "LBY"]), ("ETH", &[])]),
    ("TUR", 3.0, &[("TUR", &[])]),
    ("IRN", 3.0, &[("IRN", &["TUR"])]),
    ("SDN", 2.0, &[("SDN", &["LBY"])]),
    ("RUS", 2.0, &[("RUS", &["SRB"])]),
];

/// Documents of other states that fraud targets, by weight.
const TARGET_DOCUMENTS: &[(&str, f64)] = &[
    ("FRA", 6.0),
    ("ITA", 6.0),
    ("GRC", 5.0),
    ("ESP", 5.0),
    ("D", 5.0),
    ("BEL", 4.0),
    ("ROU", 4.0),
    ("BGR", 4.0),
    ("NLD", 3.0),
    ("POL", 3.0),
    ("GBR", 3.0),
    ("TUR", 3.0),
    ("SWE", 2.0),
    ("USA", 2.0),
    ("CAN", 2.0),
    ("ISR", 2.0),
];

const EUROPEAN_ID_ISSUERS: &[&str] = &["FRA", "ITA", "GRC", "ESP", "D", "BEL", "ROU", "BGR", "NLD", "POL", "SWE"];

const AGE_WEIGHTS: &[((u32, u32), f64)] = &[
    ((1, 8), 0.04),
    ((9, 17), 0.06),
    ((18, 20), 0.10),
    ((21, 23), 0.14),
    ((24, 26), 0.16),
    ((27, 29), 0.14),
    ((30, 38), 0.20),
    ((39, 47), 0.10),
    ((48, 70), 0.06),
];

/// A look-alike group of travellers a station sees every month (the quasi-identifiers).
#[derive(Debug, Clone)]
struct Profile {
    nationality: &'static str,
    established: bool,
    issuing_state: &'static str,
    sex: &'static str,
    age: (u32, u32),
    route: (&'static str, &'static [&'static str]),
    /// Expected records per month (before season and growth).
    rate: f64,
}

fn profiles(rng: &mut Rng, per_month: f64) -> Vec<Profile> {
    let count = ((per_month / 12.0).round() as usize).max(1);
    let weighted: Vec<(usize, f64)> = ORIGINS.iter().enumerate().map(|(i, o)| (i, o.1)).collect();
    let mut out = Vec::with_capacity(count);
    let mut weights = Vec::with_capacity(count);
    for _ in 0..count {
        let origin = &ORIGINS[*rng.weighted(&weighted)];
        let issuing_state = if rng.unit() < 0.55 { origin.0 } else { *rng.weighted(TARGET_DOCUMENTS) };
        let sex = *rng.weighted(&[("M", 0.68), ("F", 0.30), ("X", 0.02)]);
        out.push(Profile {
            nationality: origin.0,
            established: rng.unit() < 0.25,
            issuing_state,
            sex,
            age: *rng.weighted(AGE_WEIGHTS),
            route: *rng.pick(origin.2),
            rate: 0.0,
        });
        weights.push(0.3 + 1.4 * rng.unit());
    }
    let sum: f64 = weights.iter().sum();
    for (profile, w) in out.iter_mut().zip(weights) {
        profile.rate = per_month * w / sum;
    }
    out
}

/// Season × growth of month `m` (0-based from [`FIRST_MONTH`]).
fn intensity(m: usize, south: bool) -> f64 {
    let peak = if south { 0.0 } else { 6.0 };
    let season = 1.0 + 0.2 * (2.0 * std::f64::consts::PI * ((m % 12) as f64 - peak) / 12.0).cos();
    season * (1.0 + 0.05 * m as f64 / 12.0)
}

fn month_text(m: usize) -> String {
    format!("{:04}-{:02}", 2025 + m / 12, m % 12 + 1)
}

/// One record of a profile at a station in month `m`, at the finest granularity.
fn record(rng: &mut Rng, station: &Station, profile: &Profile, m: usize) -> Ungeneralised {
    let issued_at_home = profile.issuing_state == profile.nationality;
    let fraud_type = if issued_at_home {
        *rng.weighted(&[("impostor", 0.35), ("fraudulently_obtained", 0.2), ("forged", 0.35), ("counterfeit", 0.1)])
    } else {
        *rng.weighted(&[
            ("counterfeit", 0.35),
            ("forged", 0.25),
            ("impostor", 0.2),
            ("stolen_blank", 0.12),
            ("pseudo", 0.03),
            ("fraudulently_obtained", 0.05),
        ])
    };
    let mut methods: Vec<&str> = Vec::new();
    let mut evidence: Vec<&str> = Vec::new();
    match fraud_type {
        "forged" => {
            let all = [
                ("photo_substitution", 0.4),
                ("data_alteration", 0.3),
                ("page_substitution", 0.1),
                ("mrz_alteration", 0.1),
                ("laminate_tampering", 0.05),
                ("chip_tampering", 0.05),
            ];
            for _ in 0..1 + usize::from(rng.unit() < 0.3) {
                let method = *rng.weighted(&all);
                if !methods.contains(&method) {
                    methods.push(method);
                }
            }
            for method in &methods {
                evidence.push(match *method {
                    "photo_substitution" => *rng.pick(&["photo.integrity", "face.photo_vs_ghost"]),
                    "data_alteration" => *rng.pick(&["viz.mrz.name", "consistency.viz_vs_mrz"]),
                    "mrz_alteration" => "mrz.check_digit.composite",
                    "page_substitution" => "document.layout",
                    "chip_tampering" => "chip.pa.sod_signature",
                    _ => "ir.zones",
                });
            }
        }
        "counterfeit" => {
            for _ in 0..1 + rng.below(3) {
                let check = *rng.pick(&["uv.dull_paper", "uv.features", "ir.b900", "document.template_match"]);
                if !evidence.contains(&check) {
                    evidence.push(check);
                }
            }
        }
        "impostor" => evidence.push("face.photo_vs_bearer"),
        "stolen_blank" => evidence.push("sltd.hit"),
        "pseudo" => evidence.extend(["document.template_match", "mrz.issuing_state.known"]),
        _ => {
            if rng.unit() < 0.5 {
                evidence.push("face.chip_vs_bearer");
            }
        }
    }
    let sltd_share = match fraud_type {
        "stolen_blank" => 0.6,
        "impostor" => 0.15,
        _ => 0.02,
    };
    let stage = if rng.unit() < sltd_share {
        "sltd_hit"
    } else {
        *rng.weighted(&[("first_line", 0.55), ("second_line", 0.38), ("other", 0.07)])
    };
    let hotlist = if stage == "sltd_hit" {
        *rng.weighted(&[("confirmed_hit", 0.6), ("possible_hit", 0.4)])
    } else {
        *rng.weighted(&[("no_hit", 0.7), ("not_checked", 0.3)])
    };
    let direction = *rng.weighted(&[("entry", 0.8), ("exit", 0.1), ("transit", 0.1)]);
    let transport = match station.border {
        "air" => "air",
        "sea" => "sea",
        "land" => *rng.weighted(&[("road", 0.8), ("rail", 0.1), ("on_foot", 0.1)]),
        _ => *rng.weighted(&[("road", 0.5), ("rail", 0.4), ("other", 0.1)]),
    };
    let outcome = match direction {
        "entry" => *rng.weighted(&[
            ("refused_entry", 0.5),
            ("asylum_request", 0.15),
            ("arrested", 0.1),
            ("document_seized", 0.15),
            ("detained", 0.05),
            ("other", 0.05),
        ]),
        "exit" => *rng.weighted(&[("refused_exit", 0.6), ("arrested", 0.2), ("document_seized", 0.2)]),
        _ => *rng.weighted(&[("detained", 0.4), ("refused_entry", 0.4), ("other", 0.2)]),
    };
    let code = if EUROPEAN_ID_ISSUERS.contains(&profile.issuing_state) && rng.unit() < 0.2 {
        "ID"
    } else if rng.unit() < 0.13 {
        "V"
    } else {
        "P"
    };
    let (embarkation, destination): (&str, &str) = match direction {
        "exit" => (station.country, *rng.pick(&["GBR", "CAN", "USA", "D"])),
        _ => (profile.route.0, station.country),
    };
    let mut transits: Vec<String> =
        profile.route.1.iter().filter(|t| **t != destination && **t != embarkation).map(|t| t.to_string()).collect();
    if direction == "exit" {
        transits.clear();
    }
    let age = profile.age.0 + rng.below((profile.age.1 - profile.age.0 + 1) as usize) as u32;
    let established = profile.established.then(|| profile.nationality.to_string());
    let group = *rng.weighted(&[("1", 0.6), ("2", 0.2), ("3-5", 0.15), ("6-10", 0.04), ("11+", 0.01)]);
    let repeat = (rng.unit() < 0.05).then(|| {
        // A small pool, so some documents recur across stations.
        let mut pool = Rng::new(rng.below(500) as u64);
        pool.hex(32)
    });
    let record = DescRecord {
        schema_version: SCHEMA_VERSION,
        record_id: rng.hex(16),
        event_period: month_text(m),
        detection_country: Some(station.country.to_string()),
        detection_area: Some(station.area.to_string()),
        detection_point_type: Some(station.border.to_string()),
        detection_stage: Some(stage.to_string()),
        travel_direction: Some(direction.to_string()),
        transport_mode: Some(transport.to_string()),
        document_category: Some(document_category(code).to_string()),
        icao_doc_code: Some(code.to_string()),
        issuing_state: Some(profile.issuing_state.to_string()),
        fraud_type: Some(fraud_type.to_string()),
        forgery_methods: methods.iter().map(|s| s.to_string()).collect(),
        detection_evidence: evidence.iter().map(|s| s.to_string()).collect(),
        hotlist_result: Some(hotlist.to_string()),
        conclusion_level: Some(
            rng.weighted(&[("suspected", 0.3), ("established", 0.5), ("confirmed", 0.2)]).to_string(),
        ),
        nationality_claimed: Some(profile.nationality.to_string()),
        nationality_established: established.clone(),
        holder_sex: Some(profile.sex.to_string()),
        age_band: Some(age_band(age, 0).to_string()),
        route_embarkation: Some(embarkation.to_string()),
        route_transits: transits,
        route_destination: Some(destination.to_string()),
        group_size_band: Some(group.to_string()),
        outcome: Some(outcome.to_string()),
        repeat_document: repeat,
    };
    Ungeneralised {
        record,
        age_years: Some(age),
        nationality_claimed: Some(profile.nationality.to_string()),
        nationality_established: established,
    }
}

/// Writes the demo bundles of `spec` into `out_dir`.
pub fn demo_bundles_with(spec: &DemoSpec, out_dir: &Path) -> Result<DemoBundles, TrendsError> {
    std::fs::create_dir_all(out_dir).map_err(io_error("creating", out_dir))?;
    let period = Period::parse(FIRST_MONTH, LAST_MONTH)?;
    let per_month = spec.records_per_station as f64 / MONTHS as f64;
    // Profiles first (their own stream), so the spike can be sized before any record is made.
    let mut profile_rng = Rng::new(spec.seed ^ 0x5EED_0001);
    let station_profiles: Vec<Vec<Profile>> =
        (0..spec.stations).map(|_| profiles(&mut profile_rng, per_month)).collect();
    let spike = spec.spike.then(|| plan_spike(spec, &station_profiles)).flatten();
    let mut bundles = Vec::with_capacity(spec.stations);
    for (index, profiles) in station_profiles.iter().enumerate() {
        let station = &STATIONS[index % STATIONS.len()];
        let station_id = format!("test-only-{:02}-{}", index + 1, station.country.to_ascii_lowercase());
        let mut rng = Rng::new(spec.seed.wrapping_mul(0x9E37_79B9).wrapping_add(index as u64 + 1));
        let mut items = Vec::new();
        for m in 0..MONTHS {
            let factor = intensity(m, station.south);
            for profile in profiles {
                for _ in 0..rng.poisson(profile.rate * factor) {
                    items.push(record(&mut rng, station, profile, m));
                }
            }
        }
        // The spike has its own stream: with or without it, the rest is the same data.
        if let Some((plan, shares)) = &spike
            && let Some(&added) = shares.get(index)
            && added > 0
        {
            let mut spike_rng = Rng::new(spec.seed ^ 0x5B1C_E000 ^ index as u64);
            let ring = Profile {
                nationality: "SYR",
                established: false,
                issuing_state: leak_state(&plan.issuing_state),
                sex: "M",
                age: (24, 26),
                route: ("TUR", &["GRC"]),
                rate: 0.0,
            };
            for _ in 0..added {
                items.push(record(&mut spike_rng, station, &ring, SPIKE_MONTH_INDEX));
            }
        }
        let anonymised = anonymise(items, spec.k);
        let key = demo_key(spec.seed, index);
        let written = write_signed(&anonymised.records, &station_id, period, spec.k, &key, out_dir)?;
        bundles.push(DemoBundle {
            path: written.bundle,
            label: format!("TEST-ONLY-{station_id}"),
            station_id,
            public_key: key.public_key().as_ref().to_vec(),
            records: written.records,
        });
    }
    Ok(DemoBundles { bundles, spike: spike.map(|(plan, _)| plan), period: format!("{FIRST_MONTH}..{LAST_MONTH}") })
}

/// The issuing state codes the demo uses are static strings; find the static one.
fn leak_state(code: &str) -> &'static str {
    ORIGINS.iter().map(|o| o.0).chain(TARGET_DOCUMENTS.iter().map(|t| t.0)).find(|c| *c == code).unwrap_or("GRC")
}

/// Chooses the spike's state (third by expected volume in the spike month) and spreads
/// about three times its usual count (at least 3k) over up to three stations, each
/// getting at least k.
fn plan_spike(spec: &DemoSpec, stations: &[Vec<Profile>]) -> Option<(PlantedSpike, Vec<u64>)> {
    let mut expected: Vec<(&str, f64)> = Vec::new();
    for (index, profiles) in stations.iter().enumerate() {
        let factor = intensity(SPIKE_MONTH_INDEX, STATIONS[index % STATIONS.len()].south);
        for p in profiles {
            match expected.iter_mut().find(|(s, _)| *s == p.issuing_state) {
                Some(e) => e.1 += p.rate * factor,
                None => expected.push((p.issuing_state, p.rate * factor)),
            }
        }
    }
    expected.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let (state, usual) = *expected.get(2).or(expected.last())?;
    let k = spec.k as u64;
    let added = ((3.0 * usual).ceil() as u64).max(3 * k);
    let sites = stations.len().clamp(1, 3) as u64;
    let sites = sites.min((added / k).max(1));
    let mut shares = vec![0u64; stations.len()];
    for (i, share) in shares.iter_mut().take(sites as usize).enumerate() {
        *share = added / sites + u64::from((i as u64) < added % sites);
    }
    Some((PlantedSpike { issuing_state: state.to_string(), month: SPIKE_MONTH.to_string(), usual, added }, shares))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_deterministic_and_distinct() {
        let a = demo_key(1, 0);
        assert_eq!(a.public_key().as_ref(), demo_key(1, 0).public_key().as_ref());
        assert_ne!(a.public_key().as_ref(), demo_key(1, 1).public_key().as_ref());
        assert_ne!(a.public_key().as_ref(), demo_key(2, 0).public_key().as_ref());
    }

    #[test]
    fn demo_records_follow_the_schema() {
        let station = &STATIONS[2];
        let mut rng = Rng::new(4);
        let mut profile_rng = Rng::new(5);
        for profile in profiles(&mut profile_rng, 200.0) {
            for m in [0, 11, 23] {
                let item = record(&mut rng, station, &profile, m);
                item.record.validate().unwrap_or_else(|e| panic!("{e}: {:?}", item.record));
            }
        }
        assert!(intensity(6, false) > intensity(0, false) && intensity(0, true) > intensity(6, true));
    }
}
