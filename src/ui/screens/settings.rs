use std::path::PathBuf;

use eframe::egui;

use crate::i18n::{LANGUAGES, Translator};
use crate::settings::{Settings, Theme};
use crate::store::context::{DETECTION_POINT_TYPES, TRANSPORT_MODES};
use crate::ui::widgets::context_fields::{code_combo, country_picker};

/// Edits a copy of the settings; saving writes them and hands them back.
pub struct SettingsScreen {
    /// The settings being edited.
    pub draft: Settings,
    /// Where they are saved.
    pub file: PathBuf,
    data_dir_text: String,
    /// Result of the last save, for the user.
    pub status: Option<Result<String, String>>,
}

impl SettingsScreen {
    /// Starts editing `settings`.
    pub fn new(settings: &Settings, file: PathBuf) -> SettingsScreen {
        SettingsScreen { draft: settings.clone(), file, data_dir_text: settings.data_dir.display().to_string(), status: None }
    }

    /// Draws the screen; returns the new settings when saved.
    pub fn show(&mut self, ui: &mut egui::Ui, tr: &Translator) -> Option<Settings> {
        let mut saved = None;
        ui.heading(tr.tr("settings-title"));
        ui.add_space(8.0);
        egui::Grid::new("settings").num_columns(2).spacing([16.0, 10.0]).show(ui, |ui| {
            let label = ui.label(tr.tr("settings-language"));
            let current = LANGUAGES.iter().find(|l| l.tag == self.draft.language).map(|l| l.native_name).unwrap_or("English");
            egui::ComboBox::from_id_salt("language")
                .selected_text(current)
                .show_ui(ui, |ui| {
                    for language in LANGUAGES {
                        ui.selectable_value(&mut self.draft.language, language.tag.to_owned(), language.native_name);
                    }
                })
                .response
                .labelled_by(label.id);
            ui.end_row();

            let label = ui.label(tr.tr("settings-scale"));
            ui.add(egui::Slider::new(&mut self.draft.ui_scale, 0.75..=2.0).step_by(0.05).custom_formatter(|v, _| format!("{:.0} %", v * 100.0)))
                .labelled_by(label.id);
            ui.end_row();

            ui.label(tr.tr("settings-theme"));
            ui.horizontal(|ui| {
                ui.radio_value(&mut self.draft.theme, Theme::System, tr.tr("theme-system"));
                ui.radio_value(&mut self.draft.theme, Theme::Light, tr.tr("theme-light"));
                ui.radio_value(&mut self.draft.theme, Theme::Dark, tr.tr("theme-dark"));
            });
            ui.end_row();

            let label = ui.label(tr.tr("settings-data-dir"));
            ui.add(egui::TextEdit::singleline(&mut self.data_dir_text).desired_width(420.0)).labelled_by(label.id);
            ui.end_row();
        });
        ui.add_space(12.0);
        ui.heading(tr.tr("settings-station"));
        ui.label(tr.tr("settings-station-hint"));
        egui::Grid::new("station-defaults").num_columns(2).spacing([16.0, 8.0]).show(ui, |ui| {
            let station = &mut self.draft.station;
            let label = ui.label(tr.tr("context-detection_country"));
            let mut country = Some(station.detection_country.clone()).filter(|c| !c.is_empty());
            country_picker(ui, "station-country", label.id, &mut country);
            station.detection_country = country.unwrap_or_default();
            ui.end_row();
            for (key, value) in [("context-detection_area", &mut station.detection_area), ("context-detection_point", &mut station.detection_point)] {
                let label = ui.label(tr.tr(key));
                ui.add(egui::TextEdit::singleline(value).desired_width(160.0)).labelled_by(label.id);
                ui.end_row();
            }
            for (key, list, value) in [
                ("context-detection_point_type", DETECTION_POINT_TYPES, &mut station.detection_point_type),
                ("context-transport_mode", TRANSPORT_MODES, &mut station.transport_mode),
            ] {
                let label = ui.label(tr.tr(key));
                let mut code = Some(value.clone()).filter(|c| !c.is_empty());
                code_combo(ui, key, label.id, list, &mut code);
                *value = code.unwrap_or_default();
                ui.end_row();
            }
        });
        ui.add_space(12.0);
        if ui.button(tr.tr("settings-save")).clicked() {
            self.draft.data_dir = PathBuf::from(self.data_dir_text.trim());
            match self.draft.save(&self.file) {
                Ok(()) => {
                    self.status = Some(Ok(Translator::new(&self.draft.language).tr("settings-saved")));
                    saved = Some(self.draft.clone());
                }
                Err(e) => self.status = Some(Err(e.to_string())),
            }
        }
        match &self.status {
            Some(Ok(message)) => {
                ui.label(message);
            }
            Some(Err(message)) => {
                ui.colored_label(ui.visuals().error_fg_color, message);
            }
            None => {}
        }
        saved
    }
}
