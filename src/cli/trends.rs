//! `tdverify trends …`: the trends dashboard from the command line (docs/TRENDS.md).
//! Import signed DESC bundles from many stations into `<data-dir>/trends.sqlite`, count
//! by a dimension under filters (counts below k come out as `"<k"`), list risk alerts, and
//! make TEST-ONLY demo bundles. Trusted station keys are read from
//! `<data-dir>/trends/trusted-stations.txt` (one `label ed25519:HEX` per line) plus
//! `--trust-key`; they will move into the store's administration later.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use tdverify::export::format_public_key;
use tdverify_trends::{
    DemoSpec, Dimension, Filter, Trends, TrendsError, TrustedKey, demo_bundles_with, parse_trusted_keys, view_csv,
};

use super::Context;
use tdverify::store::{KeyPurpose, Store};

use super::cases::{Failure, finish, open_store, print_json};
use super::export::{admin_session, distrust_key, login, parse_key_arg, print_trusted};


/// `tdverify trends`.
#[derive(Debug, clap::Args)]
pub struct TrendsArgs {
    #[command(subcommand)]
    command: TrendsCommand,
}

#[derive(Debug, clap::Subcommand)]
enum TrendsCommand {
    /// Verify bundles against the trusted station keys and add their records (the same bundle twice adds nothing).
    Import {
        /// Bundle folders.
        #[arg(required = true)]
        bundles: Vec<PathBuf>,
        /// Also trust this station key (`ed25519:HEX`); repeatable.
        #[arg(long = "trust-key", value_name = "HEX")]
        trust_keys: Vec<String>,
        /// Print `{imported:[…], refused:[{bundle, reason, code}]}`.
        #[arg(long)]
        json: bool,
    },
    /// Count records by one dimension under filters; counts below k show as "<k".
    Query {
        /// issuing_state, nationality, route, fraud_type, age_band, sex, period (month), quarter,
        /// detection_stage, forgery_method, failed_check, border_type, country, region, document_category, station.
        #[arg(long, value_name = "DIM")]
        by: String,
        /// First month, YYYY-MM.
        #[arg(long, value_name = "YYYY-MM")]
        from: Option<String>,
        /// Last month (included), YYYY-MM.
        #[arg(long, value_name = "YYYY-MM")]
        to: Option<String>,
        /// Pin a dimension: `region=europe`, `issuing_state=GRC`, `border_type=land`…; repeatable.
        #[arg(long = "filter", value_name = "KEY=VALUE")]
        filters: Vec<String>,
        /// Print `{k, total, rows:[{key, count}]}`.
        #[arg(long)]
        json: bool,
        /// Print CSV (`key,count`, hidden counts as `<k`).
        #[arg(long, conflicts_with = "json")]
        csv: bool,
    },
    /// Risk alerts: months far above what the previous 12 predict (Poisson, Bonferroni), with evidence.
    Alerts {
        /// First month, YYYY-MM.
        #[arg(long, value_name = "YYYY-MM")]
        from: Option<String>,
        /// Last month (included), YYYY-MM.
        #[arg(long, value_name = "YYYY-MM")]
        to: Option<String>,
        /// Pin a dimension (as for `query`); repeatable.
        #[arg(long = "filter", value_name = "KEY=VALUE")]
        filters: Vec<String>,
        /// Print `{rule, k, tests, alerts:[…]}`.
        #[arg(long)]
        json: bool,
    },
    /// The national trend report (PDF): headline figures, the seven views, alerts, data sources and k; `--png DIR` also writes each view as PNG.
    Report {
        /// First month, YYYY-MM.
        #[arg(long, value_name = "YYYY-MM")]
        from: String,
        /// Last month (included), YYYY-MM.
        #[arg(long, value_name = "YYYY-MM")]
        to: String,
        /// Pin a dimension (as for `query`), e.g. `country=KEN` for a national report; repeatable.
        #[arg(long = "filter", value_name = "KEY=VALUE")]
        filters: Vec<String>,
        /// The report's title.
        #[arg(long, default_value = "National trend report")]
        title: String,
        /// The PDF to write.
        #[arg(long, value_name = "FILE.pdf")]
        out: PathBuf,
        /// Also write the seven views as PNG files into this folder.
        #[arg(long, value_name = "DIR")]
        png: Option<PathBuf>,
    },
    /// Trust reporting stations' keys (administrator): one `ed25519:HEX`, or every line of a trusted-stations file.
    Trust {
        /// `ed25519:HEX` (or use --file).
        #[arg(required_unless_present = "file")]
        key: Option<String>,
        /// A name for it (the station).
        #[arg(long, default_value = "")]
        label: String,
        /// A file of `label ed25519:HEX` lines (as `demo-bundles` writes).
        #[arg(long, value_name = "FILE", conflicts_with = "key")]
        file: Option<PathBuf>,
        /// The administrator (password in TDVERIFY_PASSWORD).
        #[arg(long, value_name = "NAME")]
        admin: String,
    },
    /// Stop trusting a reporting station's key (administrator); its records already imported stay.
    Distrust {
        /// `ed25519:HEX`.
        key: String,
        /// The administrator.
        #[arg(long, value_name = "NAME")]
        admin: String,
    },
    /// The reporting stations' keys the station trusts.
    Trusted {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Add this station's own submitted fraud cases of a period, anonymised as the export does (Supervisor; they never leave the machine).
    ImportOwn {
        /// First month, YYYY-MM.
        #[arg(long, value_name = "YYYY-MM")]
        from: String,
        /// Last month (included), YYYY-MM.
        #[arg(long, value_name = "YYYY-MM")]
        to: String,
        /// The supervisor (password in TDVERIFY_PASSWORD).
        #[arg(long, value_name = "NAME")]
        user: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write TEST-ONLY signed demo bundles (routes, seasonality, a planted spike) and their trusted-stations file.
    DemoBundles {
        /// Stations (one bundle each).
        #[arg(long, default_value_t = 20)]
        stations: usize,
        /// Records per station (about).
        #[arg(long, default_value_t = 5000)]
        records: usize,
        /// Seed (the same seed gives the same bundles and keys).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Leave the planted spike out.
        #[arg(long)]
        no_spike: bool,
        /// Folder to write into.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs `tdverify trends …`.
pub fn run(context: &Context, args: TrendsArgs) -> ExitCode {
    match args.command {
        TrendsCommand::Import { bundles, trust_keys, json } => import(&context.data_dir, &bundles, &trust_keys, json),
        TrendsCommand::Query { by, from, to, filters, json, csv } => {
            finish(query(&context.data_dir, &by, from, to, &filters, json, csv))
        }
        TrendsCommand::Alerts { from, to, filters, json } => {
            finish(alerts(&context.data_dir, from, to, &filters, json))
        }
        TrendsCommand::Report { from, to, filters, title, out, png } => {
            finish(report(&context.data_dir, &from, &to, &filters, &title, &out, png.as_deref()))
        }
        TrendsCommand::Trust { key, label, file, admin } => {
            finish(trust(&context.data_dir, key.as_deref(), &label, file.as_deref(), &admin))
        }
        TrendsCommand::Distrust { key, admin } => finish(distrust_key(
            &context.data_dir,
            KeyPurpose::TrendStation,
            &key,
            &admin,
            "No longer trusted; records already imported from it stay until the trends database is rebuilt.",
        )),
        TrendsCommand::Trusted { json } => finish(trusted(&context.data_dir, json)),
        TrendsCommand::ImportOwn { from, to, user, json } => finish(import_own(&context.data_dir, &from, &to, &user, json)),
        TrendsCommand::DemoBundles { stations, records, seed, no_spike, out, json } => {
            finish(demo(stations, records, seed, !no_spike, &out, json))
        }
    }
}

fn failure(error: TrendsError) -> Failure {
    match error {
        TrendsError::Input(_) | TrendsError::TrustedKeys { .. } => Failure::input(error.to_string()),
        _ => Failure::failed(error.to_string()),
    }
}

/// The trusted station keys: those an administrator trusted in the case store (when the
/// data folder has one; it needs the station passphrase) and `--trust-key`s.
fn trusted_keys(data_dir: &Path, extra: &[String]) -> Result<Vec<TrustedKey>, Failure> {
    let mut keys = if Store::exists(data_dir) {
        let store = open_store(data_dir)?;
        tdverify::trends_station::trusted_stations(&store)?
    } else {
        Vec::new()
    };
    for (index, text) in extra.iter().enumerate() {
        let key = tdverify::export::parse_public_key(text).ok_or_else(|| {
            Failure::input(format!("--trust-key {text:?} is not an Ed25519 key (ed25519: and 64 hex characters)"))
        })?;
        keys.push(TrustedKey { label: format!("--trust-key {}", index + 1), key });
    }
    Ok(keys)
}

fn open(data_dir: &Path) -> Result<Trends, Failure> {
    Trends::open(data_dir).map_err(failure)
}

fn import(data_dir: &Path, bundles: &[PathBuf], trust: &[String], json: bool) -> ExitCode {
    let result = (|| -> Result<bool, Failure> {
        let keys = trusted_keys(data_dir, trust)?;
        let mut trends = open(data_dir)?;
        let mut imported = Vec::new();
        let mut refused = Vec::new();
        for bundle in bundles {
            match trends.import_bundle(bundle, &keys) {
                Ok(outcome) => {
                    if !json {
                        let b = &outcome.bundle;
                        if outcome.already_imported {
                            println!(
                                "Already imported: {} (station {}, {}): nothing added",
                                bundle.display(),
                                b.station_id,
                                b.period
                            );
                        } else {
                            println!(
                                "Imported {}: {} records of {} from station {} ({})",
                                bundle.display(),
                                b.records,
                                b.period,
                                b.station_id,
                                b.key_label
                            );
                        }
                    }
                    imported.push(serde_json::json!({
                        "bundle": bundle,
                        "bundle_id": outcome.bundle.bundle_id,
                        "station": outcome.bundle.station_id,
                        "key_label": outcome.bundle.key_label,
                        "period": outcome.bundle.period,
                        "records": outcome.bundle.records,
                        "k": outcome.bundle.k,
                        "already_imported": outcome.already_imported,
                    }));
                }
                Err(error @ (TrendsError::Database { .. } | TrendsError::Internal(_))) => return Err(failure(error)),
                Err(error) => {
                    if !json {
                        eprintln!("Refused {}: {error}", bundle.display());
                    }
                    refused.push(serde_json::json!({
                        "bundle": bundle,
                        "reason": error.to_string(),
                        "code": error.reason_code(),
                    }));
                }
            }
        }
        let all_ok = refused.is_empty();
        if json {
            print_json(&serde_json::json!({
                "imported": imported,
                "refused": refused,
                "records": trends.records(),
                "k": trends.k(),
            }))?;
        } else {
            println!(
                "Trends database: {} records from {} bundles, k = {}",
                trends.records(),
                trends.bundles().len(),
                trends.k()
            );
        }
        Ok(all_ok)
    })();
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(failure) => finish(Err(failure)),
    }
}

fn filter(from: Option<String>, to: Option<String>, pins: &[String]) -> Result<Filter, Failure> {
    let mut filter = Filter { from, to, pins: Vec::new() };
    for pin in pins {
        filter = filter.parse_pin(pin).map_err(failure)?;
    }
    Ok(filter)
}

fn query(
    data_dir: &Path,
    by: &str,
    from: Option<String>,
    to: Option<String>,
    pins: &[String],
    json: bool,
    csv: bool,
) -> Result<(), Failure> {
    let dimension = Dimension::parse(by).ok_or_else(|| {
        let names: Vec<&str> = Dimension::ALL.iter().map(|d| d.as_str()).collect();
        Failure::input(format!("--by {by:?}: one of {} (or period)", names.join(", ")))
    })?;
    let filter = filter(from, to, pins)?;
    let trends = open(data_dir)?;
    let view = trends.query(dimension, &filter).map_err(failure)?;
    if json {
        return print_json(&serde_json::json!({
            "by": view.dimension,
            "k": view.k,
            "total": view.total,
            "rows": view.rows,
        }));
    }
    if csv {
        print!("{}", view_csv(&view));
        return Ok(());
    }
    let width = view.rows.iter().map(|r| r.key.chars().count()).max().unwrap_or(5).max(5);
    for row in &view.rows {
        println!("{:<width$}  {:>8}", row.key, row.count.text());
    }
    println!("{:<width$}  {:>8}", "total", view.total.text());
    println!("(k = {}: counts below k show as <k, and enough others with them that no total gives them away)", view.k);
    Ok(())
}

fn alerts(
    data_dir: &Path,
    from: Option<String>,
    to: Option<String>,
    pins: &[String],
    json: bool,
) -> Result<(), Failure> {
    let filter = filter(from, to, pins)?;
    let trends = open(data_dir)?;
    let report = trends.alerts(&filter).map_err(failure)?;
    if json {
        return print_json(&report);
    }
    if report.alerts.is_empty() {
        println!("No alert ({} series-months tested).", report.tests);
    }
    for a in &report.alerts {
        println!(
            "ALERT {} {} in {}: {} records where the previous 12 months average {:.1} (dispersion {:.1}; p = {:.1e}, {:.1e} after Bonferroni over {} tests)",
            a.dimension, a.series, a.month, a.count, a.expected, a.dispersion, a.p_value, a.corrected_p, report.tests
        );
    }
    println!("Rule: {}", report.rule);
    Ok(())
}

fn demo(stations: usize, records: usize, seed: u64, spike: bool, out: &Path, json: bool) -> Result<(), Failure> {
    if stations == 0 || records == 0 {
        return Err(Failure::input("--stations and --records must be at least 1"));
    }
    let spec = DemoSpec { stations, records_per_station: records, seed, spike, k: tdverify::export::DEFAULT_K };
    let demo = demo_bundles_with(&spec, out).map_err(failure)?;
    let trusted = out.join("trusted-stations.txt");
    std::fs::write(&trusted, demo.trusted_stations_text())
        .map_err(|e| Failure::failed(format!("writing {}: {e}", trusted.display())))?;
    if json {
        let bundles: Vec<serde_json::Value> = demo
            .bundles
            .iter()
            .map(|b| {
                serde_json::json!({
                    "bundle": b.path,
                    "station": b.station_id,
                    "label": b.label,
                    "key": format_public_key(&b.public_key),
                    "records": b.records,
                })
            })
            .collect();
        return print_json(&serde_json::json!({
            "bundles": bundles,
            "records": demo.records(),
            "period": demo.period,
            "spike": demo.spike,
            "trusted_stations": trusted,
            "test_only": true,
        }));
    }
    println!(
        "TEST-ONLY demo bundles ({} records, {}); their keys derive from the seed: never trust them on a real station.",
        demo.records(),
        demo.period
    );
    for b in &demo.bundles {
        println!("{}  {}  TEST-ONLY key {}", b.path.display(), b.records, format_public_key(&b.public_key));
    }
    if let Some(s) = &demo.spike {
        println!(
            "Planted spike: issuing state {} in {}: {} records added to about {:.1} usual",
            s.issuing_state, s.month, s.added, s.usual
        );
    }
    println!(
        "Trusted stations file: {} (an administrator trusts them with `tdverify trends trust --file FILE --admin NAME`)",
        trusted.display()
    );
    Ok(())
}

fn report(
    data_dir: &Path,
    from: &str,
    to: &str,
    filters: &[String],
    title: &str,
    out: &Path,
    png: Option<&Path>,
) -> Result<(), Failure> {
    let mut filter = Filter::all().between(from, to);
    for pin in filters {
        filter = filter.parse_pin(pin).map_err(failure)?;
    }
    let trends = open(data_dir)?;
    let started = std::time::Instant::now();
    let input = tdverify::report::TrendReportInput::from_trends(&trends, &filter, title)
        .map_err(|e| Failure::input(e.to_string()))?;
    let bytes = tdverify::report::write_trend_report(out, &input).map_err(|e| Failure::failed(e.to_string()))?;
    println!("Trend report written to {} ({} KB, {:.1} s)", out.display(), bytes / 1000, started.elapsed().as_secs_f64());
    if let Some(dir) = png {
        let font = tdverify::report::ReportFont::system().map_err(|e| Failure::failed(e.to_string()))?;
        let files = tdverify::report::write_view_pngs(dir, &input, &font).map_err(|e| Failure::failed(e.to_string()))?;
        for file in files {
            println!("{}", file.display());
        }
    }
    Ok(())
}


fn trust(data_dir: &Path, key: Option<&str>, label: &str, file: Option<&Path>, admin: &str) -> Result<(), Failure> {
    let keys = match (key, file) {
        (Some(key), _) => {
            vec![TrustedKey { label: label.to_string(), key: parse_key_arg(key)? }]
        }
        (None, Some(file)) => {
            let text = std::fs::read_to_string(file).map_err(|e| Failure::input(format!("reading {}: {e}", file.display())))?;
            parse_trusted_keys(&text).map_err(|e| Failure::input(format!("{}: {e}", file.display())))?
        }
        (None, None) => return Err(Failure::input("give a key or --file FILE")),
    };
    let store = open_store(data_dir)?;
    let session = admin_session(&store, admin)?;
    let mut added = 0;
    for key in &keys {
        if store.trust_key(&session, KeyPurpose::TrendStation, &key.key, &key.label)? {
            added += 1;
        }
    }
    let count = store.trusted_keys(KeyPurpose::TrendStation)?.len();
    println!("{added} key(s) newly trusted; reporting stations trusted: {count}");
    Ok(())
}

fn trusted(data_dir: &Path, json: bool) -> Result<(), Failure> {
    print_trusted(
        data_dir,
        KeyPurpose::TrendStation,
        json,
        "No reporting station is trusted: an administrator runs `tdverify trends trust KEY --admin NAME`.",
    )
}

fn import_own(data_dir: &Path, from: &str, to: &str, user: &str, json: bool) -> Result<(), Failure> {
    let store = open_store(data_dir)?;
    let session = login(&store, user)?;
    let mut trends = open(data_dir)?;
    let outcome = tdverify::trends_station::import_own_cases(&store, &session, &mut trends, from, to)
        .map_err(|e| Failure::failed(e.to_string()))?;
    if json {
        return print_json(&outcome);
    }
    println!(
        "Own cases of {}: {} records added (anonymised with k = {}; {} left out by suppression)",
        outcome.outcome.bundle.period, outcome.outcome.bundle.records, outcome.outcome.bundle.k, outcome.suppressed
    );
    Ok(())
}
