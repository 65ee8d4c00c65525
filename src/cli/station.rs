//! `tdverify station …`: what this station is set to. `show` gives the station id (from
//! the store's signing key, so it needs the station passphrase), the store's policies
//! (retention, hot folder, the hotlist's maximum age) and this desk's detection-point
//! defaults; `set` changes those defaults. The defaults live in the desk's settings file,
//! as on the Settings screen: they only prefill a case's context (the officer may change
//! them per case), they may differ between the desks of one station, and the case form
//! needs them before anyone unlocks the store.

use std::process::ExitCode;

use tdverify::settings::{Settings, StationDefaults};
use tdverify::store::{CaseContext, ContextUpdate, Store};

use super::Context;
use super::cases::{Failure, finish, open_store, print_json};

/// `tdverify station`.
#[derive(Debug, clap::Args)]
pub struct StationArgs {
    #[command(subcommand)]
    command: StationCommand,
}

#[derive(Debug, clap::Subcommand)]
enum StationCommand {
    /// The station id, the store's policies and this desk's detection-point defaults.
    Show {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Change this desk's detection-point defaults (an empty value clears one).
    Set(DefaultsArgs),
}

/// The detection-point defaults a case's context is prefilled with.
#[derive(Debug, clap::Args)]
struct DefaultsArgs {
    /// ICAO code of the country the station is in (e.g. UTO).
    #[arg(long)]
    detection_country: Option<String>,
    /// Area or district code (letters, digits, - and _).
    #[arg(long)]
    detection_area: Option<String>,
    /// Border crossing point or office code (kept on the station, never exported).
    #[arg(long)]
    detection_point: Option<String>,
    /// air, land, sea or inland.
    #[arg(long)]
    detection_point_type: Option<String>,
    /// air, road, rail, sea, on_foot or other.
    #[arg(long)]
    transport_mode: Option<String>,
}

/// Runs `tdverify station …`.
pub fn run(context: &Context, args: StationArgs) -> ExitCode {
    finish(match args.command {
        StationCommand::Show { json } => show(context, json),
        StationCommand::Set(defaults) => set(context, defaults),
    })
}

fn load_settings(context: &Context) -> Result<Settings, Failure> {
    Settings::load(&context.settings_file).map_err(|e| Failure::failed(e.to_string()))
}

fn show(context: &Context, json: bool) -> Result<(), Failure> {
    let settings = load_settings(context)?;
    let store = if Store::exists(&context.data_dir) { Some(open_store(&context.data_dir)?) } else { None };
    let policies = match &store {
        Some(store) => Some(serde_json::json!({
            "station_id": store.station_id()?,
            "retention_days": store.retention_days()?,
            "hot_folder": store.hot_folder()?.map(|setting| setting.describe()),
            "sltd_max_age_days": store.sltd_max_age_days()?,
        })),
        None => None,
    };
    let defaults = &settings.station;
    if json {
        return print_json(&serde_json::json!({
            "data_dir": context.data_dir,
            "store": policies,
            "defaults": defaults,
        }));
    }
    match &policies {
        Some(policies) => {
            println!("station id            {}", policies["station_id"].as_str().unwrap_or_default());
            match policies["retention_days"].as_u64() {
                Some(days) => println!("retention             {days} days"),
                None => println!("retention             kept until deleted"),
            }
            println!("hot folder            {}", policies["hot_folder"].as_str().unwrap_or("none"));
            println!("hotlist max age       {} days", policies["sltd_max_age_days"]);
        }
        None => println!(
            "no case store in {} yet (`tdverify --data-dir {} store init`)",
            context.data_dir.display(),
            context.data_dir.display()
        ),
    }
    println!("data folder           {}", context.data_dir.display());
    for (name, value) in [
        ("detection country", &defaults.detection_country),
        ("detection area", &defaults.detection_area),
        ("detection point", &defaults.detection_point),
        ("detection point type", &defaults.detection_point_type),
        ("transport mode", &defaults.transport_mode),
    ] {
        println!("{name:<21} {}", if value.trim().is_empty() { "(not set)" } else { value.trim() });
    }
    Ok(())
}

fn set(context: &Context, args: DefaultsArgs) -> Result<(), Failure> {
    let mut settings = load_settings(context)?;
    let mut defaults = settings.station.clone();
    for (new, field) in [
        (args.detection_country, &mut defaults.detection_country),
        (args.detection_area, &mut defaults.detection_area),
        (args.detection_point, &mut defaults.detection_point),
        (args.detection_point_type, &mut defaults.detection_point_type),
        (args.transport_mode, &mut defaults.transport_mode),
    ] {
        if let Some(new) = new {
            *field = new.trim().to_owned();
        }
    }
    settings.station = checked(defaults)?;
    settings.save(&context.settings_file).map_err(|e| Failure::failed(e.to_string()))?;
    println!("detection-point defaults saved in {}", context.settings_file.display());
    Ok(())
}

/// The defaults checked as a case's context is (codes from the lists, an ICAO country,
/// a short area code), with the country normalised.
fn checked(mut defaults: StationDefaults) -> Result<StationDefaults, Failure> {
    let value = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
    let mut update = ContextUpdate {
        context: CaseContext {
            detection_country: value(&defaults.detection_country),
            detection_area: value(&defaults.detection_area),
            detection_point: value(&defaults.detection_point),
            detection_point_type: value(&defaults.detection_point_type),
            transport_mode: value(&defaults.transport_mode),
            ..CaseContext::default()
        },
        ..ContextUpdate::default()
    };
    update.validate().map_err(|e| Failure::input(format!("not saved: {e}")))?;
    defaults.detection_country = update.context.detection_country.unwrap_or_default();
    Ok(defaults)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults(country: &str, area: &str, point_type: &str, mode: &str) -> StationDefaults {
        StationDefaults {
            detection_country: country.into(),
            detection_area: area.into(),
            detection_point: "Gate 4".into(),
            detection_point_type: point_type.into(),
            transport_mode: mode.into(),
        }
    }

    #[test]
    fn defaults_are_checked_like_a_case_context() {
        let ok = checked(defaults("uto", "north-1", "air", "road")).ok().map(|d| d.detection_country);
        assert_eq!(ok.as_deref(), Some("UTO"));
        assert!(checked(defaults("", "", "", "")).is_ok(), "everything may be left unset");
        for (bad, field) in [
            (defaults("XX1", "", "", ""), "detection_country"),
            (defaults("UTO", "north 1", "", ""), "detection_area"),
            (defaults("UTO", "", "harbour", ""), "detection_point_type"),
            (defaults("UTO", "", "", "horse"), "transport_mode"),
        ] {
            let message = checked(bad).err().map(|f| f.message).unwrap_or_default();
            assert!(message.contains(field), "{field}: {message}");
        }
    }
}
