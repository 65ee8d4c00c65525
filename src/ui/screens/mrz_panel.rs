use eframe::egui::{self, RichText};
use tdverify_core::Check;

use crate::i18n::Translator;
use crate::mrz::{self, Mrz, MrzDate};
use crate::ui::widgets::checks::{show_checks, summary};

/// The MRZ panel of the document screen: the lines (typed, pasted or read from
/// an image), the fields, and every check with its status.
#[derive(Default)]
pub struct MrzPanel {
    /// The MRZ text being edited.
    pub text: String,
    parsed_text: Option<String>,
    /// The outcome of the last parse: the MRZ and its checks, or why it is not an MRZ.
    pub outcome: Option<Result<(Mrz, Vec<Check>), String>>,
    selected: Option<usize>,
}

impl MrzPanel {
    /// Replaces the text (e.g. from OCR) and parses it.
    pub fn set_text(&mut self, text: String, inspection_date: MrzDate) {
        self.text = text;
        self.reparse(inspection_date);
    }

    fn reparse(&mut self, inspection_date: MrzDate) {
        if self.parsed_text.as_deref() == Some(self.text.as_str()) {
            return;
        }
        self.parsed_text = Some(self.text.clone());
        self.selected = None;
        self.outcome = if self.text.trim().is_empty() {
            None
        } else {
            Some(mrz::parse(&self.text).map(|m| {
                let checks = mrz::checks(&m, inspection_date);
                (m, checks)
            }).map_err(|e| e.to_string()))
        };
    }

    /// Draws the panel.
    pub fn show(&mut self, ui: &mut egui::Ui, tr: &Translator, inspection_date: MrzDate) {
        ui.heading(tr.tr("mrz-title"));
        let label = ui.label(tr.tr("mrz-enter"));
        ui.add(
            egui::TextEdit::multiline(&mut self.text)
                .font(egui::TextStyle::Monospace)
                .desired_rows(3)
                .desired_width(f32::INFINITY)
                .hint_text("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"),
        )
        .labelled_by(label.id);
        self.reparse(inspection_date);
        match &self.outcome {
            None => {
                ui.label(RichText::new(tr.tr("mrz-none")).weak());
            }
            Some(Err(message)) => {
                ui.colored_label(ui.visuals().error_fg_color, message);
            }
            Some(Ok((parsed, checks))) => {
                let verdict = if parsed.is_valid() { tr.tr("mrz-valid") } else { tr.tr("mrz-invalid") };
                let color = if parsed.is_valid() { egui::Color32::from_rgb(0x2e, 0x9d, 0x4f) } else { ui.visuals().error_fg_color };
                ui.horizontal(|ui| {
                    ui.label(RichText::new(parsed.format.label()).strong());
                    ui.colored_label(color, RichText::new(verdict).strong());
                });
                ui.label(summary(checks, tr));
                egui::Grid::new("mrz-fields").num_columns(2).striped(true).show(ui, |ui| {
                    let birth = parsed.birth_date.and_then(|d| d.resolve_birth(&inspection_date)).and_then(|d| d.to_iso());
                    let expiry = parsed.expiry_date.and_then(|d| d.resolve_expiry(&inspection_date)).and_then(|d| d.to_iso());
                    let rows: [(&str, String); 9] = [
                        ("mrz-field-document-code", parsed.document_code.clone()),
                        ("mrz-field-issuing-state", parsed.issuing_state.clone()),
                        ("mrz-field-document-number", parsed.document_number.clone()),
                        ("mrz-field-surname", parsed.surname.clone()),
                        ("mrz-field-given-names", parsed.given_names.clone()),
                        ("mrz-field-nationality", parsed.nationality.clone()),
                        ("mrz-field-birth-date", birth.unwrap_or_else(|| "—".to_owned())),
                        ("mrz-field-sex", parsed.sex.map(|s| s.contract_value().to_owned()).unwrap_or_else(|| "—".to_owned())),
                        ("mrz-field-expiry-date", expiry.unwrap_or_else(|| "—".to_owned())),
                    ];
                    for (label, value) in rows {
                        ui.label(tr.tr(label));
                        ui.label(RichText::new(value).monospace());
                        ui.end_row();
                    }
                });
                ui.separator();
                egui::ScrollArea::vertical().id_salt("mrz-checks").show(ui, |ui| {
                    if let Some(clicked) = show_checks(ui, checks, tr, self.selected) {
                        self.selected = Some(clicked);
                    }
                });
            }
        }
    }
}
