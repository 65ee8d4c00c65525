//! Station tab: the station's id and what the station is set to, in one place.
//!
//! The station id is derived from the store's signing key (it names the station in export
//! bundles), so it is shown, not edited. The detection-point defaults stay in the
//! workstation's settings file, edited on the Settings screen: they only prefill the case
//! form (the officer may change them per case), they differ between the desks of one
//! station, and the case form reads them before anyone unlocks the store. Policy that
//! must be audited (the hot folder, the hotlist's age, retention) lives in the store and
//! is changed where it is used.

use eframe::egui;

use crate::i18n::Translator;
use crate::settings::Settings;
use crate::store::Store;

/// Nothing to edit here; the tab reads what it shows each frame.
#[derive(Default)]
pub struct StationTab {}

impl StationTab {
    pub(super) fn show(&mut self, ui: &mut egui::Ui, tr: &Translator, settings: &Settings, store: &Store) {
        egui::Grid::new("admin-station").num_columns(2).spacing([16.0, 8.0]).show(ui, |ui| {
            ui.label(egui::RichText::new(tr.tr("admin-station-id")).strong());
            match store.station_id() {
                Ok(id) => ui.label(id),
                Err(e) => ui.colored_label(ui.visuals().error_fg_color, e.to_string()),
            };
            ui.end_row();
            ui.label(egui::RichText::new(tr.tr("admin-station-data-dir")).strong());
            ui.label(settings.data_dir.display().to_string());
            ui.end_row();
            let station = &settings.station;
            for (id, value) in [
                ("context-detection_country", &station.detection_country),
                ("context-detection_area", &station.detection_area),
                ("context-detection_point", &station.detection_point),
                ("context-detection_point_type", &station.detection_point_type),
                ("context-transport_mode", &station.transport_mode),
            ] {
                ui.label(egui::RichText::new(tr.tr(id)).strong());
                if value.trim().is_empty() {
                    ui.label(egui::RichText::new(tr.tr("admin-station-unset")).weak());
                } else {
                    ui.label(value);
                }
                ui.end_row();
            }
            ui.label(egui::RichText::new(tr.tr("system-hot-title")).strong());
            match store.hot_folder() {
                Ok(Some(setting)) => ui.label(setting.describe()),
                Ok(None) => ui.label(tr.tr("system-hot-none")),
                Err(e) => ui.colored_label(ui.visuals().error_fg_color, e.to_string()),
            };
            ui.end_row();
            ui.label(egui::RichText::new(tr.tr("system-sltd-title")).strong());
            ui.label(tr.tr_args(
                "system-sltd-max-age",
                &[("days", store.sltd_max_age_days().unwrap_or(crate::store::DEFAULT_SLTD_MAX_AGE_DAYS).to_string())],
            ));
            ui.end_row();
        });
        ui.add_space(8.0);
        ui.label(egui::RichText::new(tr.tr("admin-station-where")).weak());
    }
}
