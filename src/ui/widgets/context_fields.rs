//! Form fields of the case context: a country picker that types ahead by ICAO code and
//! name, and a drop-down over one of the store's code lists. Used by the case form and
//! the station defaults in Settings.

use eframe::egui;

use crate::mrz::{search_states, state_info};
use crate::store::context::CodeList;

/// A country field holding an ICAO code. The officer types a code or part of a name;
/// matches are offered below the field until one is picked or a known code is typed;
/// the value is set only to a known code (anything else leaves it empty, shown `?`).
pub fn country_picker(ui: &mut egui::Ui, id_salt: &str, label: egui::Id, value: &mut Option<String>) -> egui::Response {
    let id = ui.make_persistent_id(("country", id_salt));
    let mut text: String =
        ui.data_mut(|d| d.get_temp::<String>(id)).unwrap_or_else(|| value.clone().unwrap_or_default());
    let response = ui
        .vertical(|ui| {
            let response = ui.horizontal(|ui| {
                let edit = ui.add(egui::TextEdit::singleline(&mut text).desired_width(56.0).hint_text("ICAO"));
                let edit = edit.labelled_by(label);
                match value.as_deref().and_then(state_info) {
                    Some(state) => {
                        ui.label(state.name);
                    }
                    None if !text.trim().is_empty() => {
                        ui.weak("?");
                    }
                    None => {}
                }
                edit
            });
            let edit = response.inner;
            if edit.changed() {
                let code = text.trim().to_uppercase();
                *value = state_info(&code).map(|s| s.code.to_owned()).filter(|_| !code.is_empty());
            }
            let typed = text.trim().to_owned();
            let exact = value.as_deref() == Some(typed.to_uppercase().as_str());
            // Offered as long as the text is not a known code (not only while focused: the
            // field loses focus on the very press that would pick a suggestion).
            if !typed.is_empty() && !exact {
                ui.horizontal_wrapped(|ui| {
                    for state in search_states(&typed, 6) {
                        if ui.small_button(format!("{} {}", state.code, state.name)).clicked() {
                            *value = Some(state.code.to_owned());
                            text = state.code.to_owned();
                        }
                    }
                });
            }
            edit
        })
        .inner;
    ui.data_mut(|d| d.insert_temp(id, text));
    response
}

/// A drop-down over `list` (English labels; codes stored), with "-" for none.
pub fn code_combo(
    ui: &mut egui::Ui,
    id_salt: &str,
    label: egui::Id,
    list: CodeList,
    value: &mut Option<String>,
) -> egui::Response {
    let shown = value.as_deref().and_then(|code| list.iter().find(|(c, _)| *c == code)).map_or("-", |(_, label)| label);
    egui::ComboBox::from_id_salt(id_salt)
        .selected_text(shown)
        .show_ui(ui, |ui| {
            ui.selectable_value(value, None, "-");
            for (code, label) in list.iter() {
                ui.selectable_value(value, Some((*code).to_owned()), *label);
            }
        })
        .response
        .labelled_by(label)
}

/// A text field for a short code or count, `None` when blank.
pub fn optional_text(ui: &mut egui::Ui, label: egui::Id, value: &mut Option<String>, width: f32) -> egui::Response {
    let mut text = value.clone().unwrap_or_default();
    let response = ui.add(egui::TextEdit::singleline(&mut text).desired_width(width)).labelled_by(label);
    if response.changed() {
        *value = Some(text.trim().to_owned()).filter(|t| !t.is_empty());
    }
    response
}

/// A whole-number field (1..=999), `None` when blank or not a number.
pub fn optional_count(ui: &mut egui::Ui, id_salt: &str, label: egui::Id, value: &mut Option<u32>) -> egui::Response {
    let id = ui.make_persistent_id(("count", id_salt));
    let mut text: String =
        ui.data_mut(|d| d.get_temp::<String>(id)).unwrap_or_else(|| value.map(|v| v.to_string()).unwrap_or_default());
    let response = ui.add(egui::TextEdit::singleline(&mut text).desired_width(50.0)).labelled_by(label);
    if response.changed() {
        *value = text.trim().parse::<u32>().ok().filter(|n| (1..=crate::store::context::MAX_COUNT).contains(n));
    }
    ui.data_mut(|d| d.insert_temp(id, text));
    response
}
